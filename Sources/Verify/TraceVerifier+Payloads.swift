// Owns verify's payload check: every event's payload is read as its kind's type and its values are
// checked against the run the header describes: finite numbers, participants and chain nodes that
// exist, intervals and steps of the run, times in order and within the run, energies and powers a
// home's connection can carry. A trace edited and then re-hashed and re-sealed passes the chain
// check; this one still fails it, at the first bad seq.
import Chain
import CoSim
import Kernel
import Market
import PowerFlow
import Trace

/// The bounds the header sets for every payload of a run.
public struct RunBounds: Sendable, Equatable {
    /// Market participants (homes), ids 0..<participants; nil when the feeder could not be read
    /// (a format-1 trace whose OpenDSS files are gone): participant ids are then not checked.
    public var participants: Int?
    /// Chain nodes, ids 0..<chainNodes.
    public var chainNodes: Int
    /// Market intervals of the run, 0..<intervals (power-flow steps 1...intervals).
    public var intervals: Int
    public var intervalMilliseconds: Int64

    /// The run's last moment: every event lies in 0...endMilliseconds.
    public var endMilliseconds: Int64 { Int64(intervals) * intervalMilliseconds }

    /// The largest power a home's connection can carry, kW. A low-voltage service is rated tens
    /// of kW; a megawatt through one is not a measurement.
    public static let maximumHomeKilowatts = 1000.0

    /// The most energy one home can move in one interval at `maximumHomeKilowatts`, Wh.
    public var maximumHomeWattHoursPerInterval: Int64 {
        Int64(Self.maximumHomeKilowatts * Double(intervalMilliseconds) / 3_600_000 * 1000)
    }

    /// The bounds of the run `reader`'s header records. Throws when the header's scenario does not
    /// parse (then no payload can be judged). The participants come from the recorded feeder; when
    /// it cannot be had (a format-1 trace whose OpenDSS files are gone) they are left unchecked.
    public static func recorded(by reader: TraceReader) throws -> RunBounds {
        let scenario = try Scenario.parse(reader.header.scenarioText, file: "<trace header>", baseFolder: nil)
        var intervals = scenario.intervals
        if case .object(let parameters)? = try? parsePayloadJSON(reader.header.parameters),
           case .int(let recorded)? = parameters["intervals"] {
            guard (1...Int64(marketIntervalsPerDay)).contains(recorded) else {
                throw CoSimError.trace("the header's parameters record \(recorded) intervals (1…\(marketIntervalsPerDay))")
            }
            intervals = Int(recorded)
        }
        let participants = try? PreparedFeeder.homeCount(Replay.recordedRun(reader).0)
        return RunBounds(participants: participants, chainNodes: scenario.chain.nodes, intervals: intervals,
                         intervalMilliseconds: Int64(marketIntervalMinutes) * 60_000)
    }
}

/// Reads each payload as its kind's type and checks its values; remembers the previous time.
struct PayloadScreen {
    let bounds: RunBounds
    private(set) var checkedEvents: Int64 = 0
    private var previousMilliseconds: Int64 = 0

    init(bounds: RunBounds) { self.bounds = bounds }

    /// The typed payload of `event`, or why the event is not one this run could have recorded.
    mutating func read(_ event: TraceEvent) -> Result<any EventPayload, PayloadError> {
        func bad(_ field: String, _ why: String) -> Result<any EventPayload, PayloadError> {
            .failure(PayloadError(seq: event.seq, kind: event.kind, field: field, why: why))
        }
        let time = event.timeMilliseconds
        guard (0...bounds.endMilliseconds).contains(time) else {
            return bad("time_ms", "is \(time), outside the run (0…\(bounds.endMilliseconds) ms)")
        }
        guard time >= previousMilliseconds else {
            return bad("time_ms", "is \(time), before the previous event's \(previousMilliseconds) (times go backwards)")
        }
        guard let type = Self.typesByKind[event.kind] else { return bad("kind", "is not an event kind of this gridtrace") }
        let payload: any EventPayload
        do {
            let json = try event.payloadJSON()
            payload = try type.init(reading: json, seq: event.seq)
            if let problem = Self.nonFiniteOrSentinel(json, schema: type.schema) { return bad(problem.field, problem.why) }
        } catch {
            return .failure(error)
        }
        if let problem = actorProblem(event) ?? valueProblem(payload) { return bad(problem.field, problem.why) }
        previousMilliseconds = time
        checkedEvents += 1
        return .success(payload)
    }

    typealias Problem = (field: String, why: String)

    /// Numbers that are NaN or infinite, and integers of −2^63 (no recorded quantity is; it is
    /// what an unset or wrapped Int64 looks like).
    static func nonFiniteOrSentinel(_ json: CanonicalJSON, schema: PayloadSchema) -> Problem? {
        guard case .object(let members) = json else { return nil }
        for field in schema.fields {
            guard let value = members[field.key] else { continue }
            let items: [CanonicalJSON]
            if case .array(let array) = value { items = array } else { items = [value] }
            for item in items {
                switch (field.type, item) {
                case (.number, _), (.numberArray, _):
                    if !isFinite(item) { return (field.key, "is not a finite number: \(item.text)") }
                case (_, .int(Int64.min)):
                    return (field.key, "is −2^63, not a value any event records")
                default: break
                }
            }
        }
        return nil
    }

    private static func isFinite(_ value: CanonicalJSON) -> Bool {
        switch value {
        case .int: return true
        case .double(let number): return number.isFinite
        default: return false  // "NaN", "Infinity", "-Infinity" as canonical JSON writes them
        }
    }

    /// Each kind's payload type, by stored name (looked up, never iterated).
    static let typesByKind: [String: any EventPayload.Type] = Dictionary(
        TracePayloads.types.map { ($0.kind.rawValue, $0) }, uniquingKeysWith: { first, _ in first })

    /// The kinds whose `node:N` actor is a chain node (elsewhere `node:` names an LV bus or an auctioneer).
    static let chainKinds = [EventKind.transactionCreated, .transactionIncluded, .transactionConfirmed, .blockMined,
                             .blockReceived, .blockOrphaned, .fork, .reorg].map(\.rawValue)

    /// `home:N` must name a participant; a chain event's `node:N` a chain node.
    private func actorProblem(_ event: TraceEvent) -> Problem? {
        if event.actor.hasPrefix("home:") {
            guard let home = Int(event.actor.dropFirst("home:".count)) else { return ("actor", "\"\(event.actor)\" names no home") }
            return participant("actor", home)
        }
        if Self.chainKinds.contains(event.kind), event.actor.hasPrefix("node:") {
            guard let node = Int(event.actor.dropFirst("node:".count)), (0..<bounds.chainNodes).contains(node) else {
                return ("actor", "\"\(event.actor)\" is not one of the \(bounds.chainNodes) chain nodes")
            }
        }
        return nil
    }

    private func participant(_ field: String, _ id: Int) -> Problem? {
        guard let participants = bounds.participants, !(0..<participants).contains(id) else { return nil }
        return (field, "is participant \(id); the run has \(participants) (0…\(participants - 1))")
    }

    private func interval(_ field: String, _ value: Int) -> Problem? {
        (0..<bounds.intervals).contains(value) ? nil : (field, "is interval \(value); the run has \(bounds.intervals) (0…\(bounds.intervals - 1))")
    }

    private func step(_ field: String, _ value: Int) -> Problem? {
        (1...max(1, bounds.intervals)).contains(value) ? nil : (field, "is step \(value); the run has steps 1…\(bounds.intervals)")
    }

    /// Energy one home moves in one interval: `signed` readings (meters) may be negative.
    private func energy(_ field: String, _ wattHours: Int64, signed: Bool = false) -> Problem? {
        let limit = bounds.maximumHomeWattHoursPerInterval
        let range = signed ? -limit...limit : 0...limit
        return range.contains(wattHours) ? nil
            : (field, "is \(wattHours) Wh, beyond what a home can move in an interval (\(range.lowerBound)…\(range.upperBound) Wh at \(Int(RunBounds.maximumHomeKilowatts)) kW)")
    }

    private func nonNegative(_ field: String, _ value: Int64) -> Problem? { value >= 0 ? nil : (field, "is negative: \(value)") }

    private func valueProblem(_ payload: any EventPayload) -> Problem? {
        switch payload {
        case let p as any IntervalMarkerPayload: return interval("interval", p.interval)
        case let p as OrderCommittedEvent: return participant("participant", p.participant) ?? interval("interval", p.interval)
        case let p as OrderRevealedEvent:
            return participant("participant", p.order.participant) ?? interval("interval", p.order.interval)
                ?? energy("energy_wh", p.order.energyWattHours)
        case let p as OrderRejectedEvent:
            return participant("participant", p.rejection.participant) ?? interval("interval", p.rejection.interval)
        case let p as OrderForwardedEvent: return participant("to", p.to) ?? nonNegative("round", Int64(p.round))
        case let p as OrderMatchedEvent:
            return participant("buyer", p.buyer) ?? participant("seller", p.seller) ?? energy("energy_wh", p.energyWattHours)
                ?? (p.auctioneer == -1 ? nil : participant("auctioneer", p.auctioneer))
        case let p as OrderUnmatchedEvent:
            return energy("energy_wh", p.energyWattHours) ?? p.heldBy.flatMap { participant("held_by", $0) }
        case let p as MeterReadingEvent: return interval("interval", p.interval) ?? energy("net_wh", p.netWattHours, signed: true)
        case let p as ContractCreatedEvent:
            return participant("buyer", p.contract.buyer) ?? participant("seller", p.contract.seller)
                ?? interval("interval", p.contract.interval) ?? energy("energy_wh", p.contract.energyWattHours)
        case let p as any ContractSettlementPayload: return settlementProblem(p.settlement)
        case let p as GridInjectionsEvent: return injectionsProblem(p)
        case let p as PowerFlowStepEvent: return step("step", p.step)
        case let p as PowerFlowIterationEvent: return step("step", p.step)
        case let p as LimitViolationEvent: return step("step", p.step)
        default: return chainProblem(payload)
        }
    }

    private func settlementProblem(_ s: ContractSettlement) -> Problem? {
        energy("delivered_wh", s.deliveredWattHours) ?? nonNegative("to_seller", s.paidToSellerMicroTokens)
            ?? nonNegative("refund", s.refundedToBuyerMicroTokens) ?? nonNegative("to_operator", s.paidToOperatorMicroTokens)
    }

    private func injectionsProblem(_ p: GridInjectionsEvent) -> Problem? {
        if let problem = step("step", p.step) { return problem }
        if let participants = bounds.participants, p.loadKilowatts.count != participants {
            return ("load_kw", "has \(p.loadKilowatts.count) homes; the run has \(participants)")
        }
        let columns = [("load_kw", p.loadKilowatts), ("load_kvar", p.loadKilovars), ("ev_kw", p.evKilowatts),
                       ("ev_kvar", p.evKilovars), ("pv_kw", p.pvKilowatts)]
        for (key, values) in columns {
            if let home = values.firstIndex(where: { abs($0) > RunBounds.maximumHomeKilowatts }) {
                return (key, "is \(values[home]) at home \(home), beyond what a home's connection carries (±\(Int(RunBounds.maximumHomeKilowatts)))")
            }
        }
        return nil
    }

    private func chainProblem(_ payload: any EventPayload) -> Problem? {
        switch payload {
        case let p as BlockReceivedEvent:
            if case .everywhere(let nodes, let p50, let p90, let all) = p.reception {
                guard (0...bounds.chainNodes).contains(nodes) else { return ("nodes", "is \(nodes); the chain has \(bounds.chainNodes) nodes") }
                return nonNegative("p50_ms", p50) ?? nonNegative("p90_ms", p90) ?? nonNegative("all_ms", all)
            }
            return nil
        case let p as ReorgEvent:
            guard (0...bounds.chainNodes).contains(p.nodes) else { return ("nodes", "is \(p.nodes); the chain has \(bounds.chainNodes) nodes") }
            return nonNegative("first_ms", p.firstMilliseconds)
        case let p as any TransactionProgressPayload: return nonNegative("latency_ms", p.latencyMilliseconds)
        default: return nil
        }
    }
}
