// Owns `verify`: one pass over a trace that checks the hash chain and seal, that every power-flow
// solve converged, voltage limits (violations by bus and time), money conservation per contract,
// energy balance per interval, and optionally the grid side against OpenDSS results.
import CoSim
import Foundation
import Kernel
import Market
import PowerFlow
import Trace

/// One check's verdict.
public struct VerificationCheck: Sendable, Equatable {
    public var name: String
    public var passed: Bool
    public var summary: String
    /// What people read: the first few findings (see `detailsTotal`).
    public var details: [String]
    /// How many findings there are when `details` shows only the first ones; nil when it shows all.
    public var detailsTotal: Int? = nil
    /// Every finding as typed objects for `--json`, by key (e.g. "violations", "nodes").
    public var records: [String: [CanonicalJSON]] = [:]
}

extension VerificationCheck {
    /// Canonical JSON: name, passed, summary, details (as shown), details_total, and every record.
    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "name": .string(name), "passed": .bool(passed), "summary": .string(summary),
            "details": .array(details.map { .string($0) }), "details_total": .int(Int64(detailsTotal ?? details.count))]
        for (key, items) in records { members[key] = .array(items) }  // canonical JSON sorts the keys
        return .object(members)
    }

    /// `PASS  name: summary`, then one indented line per detail, and a last line saying when the
    /// list was cut ("showing 50 of 388; every one in --json").
    public var lines: [String] {
        var lines = ["\(passed ? "PASS" : "FAIL")  \(name): \(summary)"] + details.map { "        " + $0 }
        if let detailsTotal, detailsTotal > details.count {
            lines.append("        … showing \(details.count) of \(detailsTotal); every one in --json")
        }
        return lines
    }
}

/// Every check of one trace.
public struct VerificationReport: Sendable {
    public var tracePath: String
    public var checks: [VerificationCheck]
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

/// Which voltage band `verify --limits` checks: the scenario files' choice, with the same bands.
public typealias LimitStandard = Scenario.LimitStandard

public enum TraceVerifier {
    /// Tolerances: energy balance per interval (kW of mismatch between what homes drew and what the
    /// grid delivered), and meter rounding (meters read whole Wh).
    public static let powerBalanceToleranceKilowatts = 0.01
    public static let meterToleranceWattHoursPerHome = 0.5

    /// Verifies the trace at `path`. Throws only when it is not a readable trace at all.
    ///
    /// Every payload is read as its kind's type and checked against the run the header describes
    /// (`PayloadScreen`); the first that fails is reported as `corrupt at seq N` and the content
    /// checks are skipped, since they would judge values that cannot be trusted.
    /// With `trustedKeys` a "signature" check passes only for a sealed trace signed by one of them.
    public static func verify(path: String, limits: LimitStandard = .en50160, goldenDirectory: String? = nil,
                              trustedKeys: TrustedKeyring? = nil) throws -> VerificationReport {
        let reader = try TraceReader(path: path)
        let bounds = Result { try RunBounds.recorded(by: reader) }
        let (integrity, scanned) = reader.whileVerifying { reader throws -> (EventScan, PayloadScreen?) in
            var scan = EventScan(limits: limits)
            guard case .success(let bounds) = bounds else { return (scan, nil) }
            var screen = PayloadScreen(bounds: bounds)
            try reader.forEachEvent { event in
                switch screen.read(event) {
                case .success(let payload):
                    do throws(PayloadError) {
                        try scan.add(event, payload)
                    } catch {
                        scan.firstBadPayload = error
                        return false
                    }
                    return true
                case .failure(let error):
                    scan.firstBadPayload = error
                    return false
                }
            }
            return (scan, screen)
        }
        var checks = [VerificationCheck(
            name: "hash chain and seal", passed: integrity.status.isSealed,
            summary: integrity.status.isSealed ? "sealed, \(integrity.verifiedEvents) events, chain intact" : integrity.status.description,
            details: [])]
        if let trust = trustedKeys?.check(integrity) {
            checks.append(VerificationCheck(name: "signature", passed: trust.isTrusted, summary: trust.description, details: []))
        }
        let scan: EventScan, screen: PayloadScreen?
        switch scanned {
        case .success(let value):
            (scan, screen) = value
        case .failure(let scanError):
            // An unreadable event in a trace whose chain is broken is the tampering the chain check
            // reports; in an intact chain it is bad input and an error.
            guard case .corrupt = integrity.status else { throw scanError }
            checks.append(VerificationCheck(name: "payloads", passed: false,
                                            summary: "not checked: the trace is corrupt (\(scanError))", details: []))
            return VerificationReport(tracePath: path, checks: checks)
        }
        checks.append(payloadCheck(bounds: bounds, screen: screen, firstBad: scan.firstBadPayload))
        guard checks.last?.passed == true else { return VerificationReport(tracePath: path, checks: checks) }
        checks += [scan.convergenceCheck(), scan.limitCheck(), scan.moneyCheck(), scan.energyCheck()]
        if let goldenDirectory { checks.append(try GoldenSteps.compare(scan.steps, directory: goldenDirectory)) }
        return VerificationReport(tracePath: path, checks: checks)
    }

    /// The verdict on the payloads: the first bad seq, or what was checked.
    static func payloadCheck(bounds: Result<RunBounds, any Error>, screen: PayloadScreen?, firstBad: PayloadError?) -> VerificationCheck {
        let name = "payloads"
        if case .failure(let error) = bounds {
            return VerificationCheck(name: name, passed: false, summary: "not checked: the header does not describe a run (\(error))", details: [])
        }
        if let firstBad {
            return VerificationCheck(name: name, passed: false,
                                     summary: "corrupt at seq \(firstBad.seq): \(firstBad.kind) field \"\(firstBad.field)\" \(firstBad.why)", details: [])
        }
        guard let screen else { return VerificationCheck(name: name, passed: false, summary: "not checked", details: []) }
        let b = screen.bounds
        let participants = b.participants.map { "\($0) participants" } ?? "participant ids not checked (the feeder cannot be read)"
        return VerificationCheck(
            name: name, passed: true,
            summary: "\(screen.checkedEvents) events read as their kinds' types, values within the run (\(participants), "
                + "\(b.chainNodes) chain nodes, \(b.intervals) intervals), times in order", details: [])
    }
}

/// A power-flow step as a trace (or an OpenDSS `steps.csv`) records it.
struct RecordedStep {
    var step: Int
    var converged: Bool
    var iterations: Int
    var sourceKilowatts: Double
    var sourceKilovars: Double
    var lossesKilowatts: Double
    var lossesKilovars: Double
    var voltageMinPerUnit: Double
    var voltageMaxPerUnit: Double
}

/// What verify gathers from one pass over the events.
struct EventScan {
    let limits: LimitStandard
    var steps: [RecordedStep] = []
    var violationsByNode: [String: (count: Int, worst: Double, firstStep: Int)] = [:]
    var violationSteps: [Int] = []
    /// Every node-step outside the band, in trace order (for `--json`).
    var violationRecords: [CanonicalJSON] = []
    var recordedStandard: String?
    var escrowByContract: [Int64: Int64] = [:]
    /// Membership only (never iterated), so hash order cannot leak into the report.
    var settledContracts: Set<Int64> = []
    var moneyErrors: [String] = []
    var injectedKilowatts: [Int: Double] = [:]
    var meteredWattHours: [Int: Int64] = [:]
    var homesPerStep: [Int: Int] = [:]
    /// The first payload the screen refused (the scan stops there).
    var firstBadPayload: PayloadError?

    init(limits: LimitStandard) { self.limits = limits }

    /// Adds one event whose payload the screen has read and checked.
    mutating func add(_ event: TraceEvent, _ payload: any EventPayload) throws(PayloadError) {
        switch payload {
        case let p as PowerFlowStepEvent: steps.append(step(p))
        case let p as LimitViolationEvent where event.actor.hasPrefix("node:"): try violation(event, p)
        case let p as ContractCreatedEvent: escrowByContract[Int64(p.contract.id)] = p.contract.escrowMicroTokens
        case let p as any ContractSettlementPayload: settlement(event, p.settlement)
        case let p as GridInjectionsEvent: injections(p)
        case let p as MeterReadingEvent:
            let (sum, overflow) = meteredWattHours[p.interval + 1, default: 0].addingReportingOverflow(p.netWattHours)
            meteredWattHours[p.interval + 1] = overflow ? .max : sum
        default: break
        }
    }

    private func step(_ p: PowerFlowStepEvent) -> RecordedStep {
        RecordedStep(step: p.step, converged: p.converged, iterations: p.iterations,
                            sourceKilowatts: p.sourceKilowatts, sourceKilovars: p.sourceKilovars,
                            lossesKilowatts: p.lossesKilowatts, lossesKilovars: p.lossesKilovars,
                            voltageMinPerUnit: p.voltageMinPerUnit, voltageMaxPerUnit: p.voltageMaxPerUnit)
    }

    private mutating func violation(_ event: TraceEvent, _ p: LimitViolationEvent) throws(PayloadError) {
        guard case .node(let value, let standard) = p.scope else {
            throw PayloadError(seq: event.seq, kind: event.kind, field: "v_pu", why: "is missing (a node's violation carries v_pu and standard)")
        }
        recordedStandard = standard
        let node = String(event.actor.dropFirst("node:".count)), step = p.step
        var entry = violationsByNode[node] ?? (0, value, step)
        entry.count += 1
        if abs(value - 1) > abs(entry.worst - 1) { entry.worst = value }
        violationsByNode[node] = entry
        if violationSteps.last != step { violationSteps.append(step) }
        violationRecords.append(["node": .string(node), "step": .int(Int64(step)), "time_ms": .int(event.timeMilliseconds),
                                 "v_pu": .double(value), "standard": .string(standard)])
    }

    private mutating func settlement(_ event: TraceEvent, _ settlement: ContractSettlement) {
        let contract = Int64(settlement.contract)
        guard let escrow = escrowByContract[contract] else {
            moneyErrors.append("seq \(event.seq): contract \(contract) settled but never created")
            return
        }
        // Overflow-checked: the amounts are read from the file (each non-negative, not bounded above).
        let parts = [settlement.paidToSellerMicroTokens, settlement.refundedToBuyerMicroTokens, settlement.paidToOperatorMicroTokens]
        let paid = parts.reduce(Int64(0)) { sum, part in
            let (next, overflow) = sum.addingReportingOverflow(part)
            return overflow ? .max : next
        }
        if paid != escrow { moneyErrors.append("seq \(event.seq): contract \(contract) paid out \(paid) µtoken of an escrow of \(escrow) µtoken") }
        if settledContracts.contains(contract) { moneyErrors.append("seq \(event.seq): contract \(contract) settled twice") }
        settledContracts.insert(contract)
    }

    private mutating func injections(_ p: GridInjectionsEvent) {
        let load = p.loadKilowatts, ev = p.evKilowatts, pv = p.pvKilowatts
        let step = p.step
        injectedKilowatts[step] = zip(zip(load, ev), pv).reduce(0) { $0 + $1.0.0 + $1.0.1 - $1.1 }
        homesPerStep[step] = load.count
    }

    /// A step as people read it: its number and its time of day, e.g. "step 3 (00:15)".
    /// Steps were checked against the run's bounds; a step beyond a year is shown by number alone.
    func stepLabel(_ step: Int) -> String {
        guard (0...105_120).contains(step), (1...1440).contains(marketIntervalMinutes) else { return "step \(step)" }
        return "step \(step) (\(HumanFormat.clock(milliseconds: Int64(step) * Int64(marketIntervalMinutes) * 60_000)))"
    }

    func convergenceCheck() -> VerificationCheck {
        let failed = steps.filter { !$0.converged }
        let iterations = steps.reduce(0) { $0 + $1.iterations }
        return VerificationCheck(
            name: "power-flow convergence", passed: failed.isEmpty && !steps.isEmpty,
            summary: steps.isEmpty ? "no power-flow steps recorded"
                : "\(steps.count - failed.count) of \(steps.count) steps converged (\(iterations) iterations in all)",
            details: failed.map { "\(stepLabel($0.step)) did not converge after \($0.iterations) iterations" })
    }

    func limitCheck() -> VerificationCheck {
        let limits = self.limits.voltageLimits
        let band = limits.lowPerUnit...limits.highPerUnit
        let name = "voltage limits (\(limits.name) \(band.lowerBound)–\(band.upperBound) pu)"
        // Steps whose extremes leave the band: the verdict when no per-node events exist for this standard.
        let outside = steps.filter { !band.contains($0.voltageMinPerUnit) || !band.contains($0.voltageMaxPerUnit) }
        let outsideDetails = outside.prefix(20).map { "\(stepLabel($0.step)): min \(HumanFormat.quantity($0.voltageMinPerUnit, "pu", decimals: 4)), max \(HumanFormat.quantity($0.voltageMaxPerUnit, "pu", decimals: 4))" }
        if let recordedStandard, recordedStandard != limits.name {
            return VerificationCheck(name: name, passed: outside.isEmpty,
                                     summary: "\(outside.count) steps with a node outside the band (from step extremes; the run recorded per-node events for \(recordedStandard))",
                                     details: outsideDetails, detailsTotal: outside.count)
        }
        if violationsByNode.isEmpty && !outside.isEmpty && recordedStandard == nil {
            return VerificationCheck(name: name, passed: false,
                                     summary: "\(outside.count) steps outside the band (no per-node events recorded for this standard)",
                                     details: outsideDetails, detailsTotal: outside.count)
        }
        let nodes = violationsByNode.sorted { $0.key < $1.key }  // determinism: sorted
        let total = nodes.reduce(0) { $0 + $1.value.count }
        let shown = 50
        return VerificationCheck(
            name: name, passed: nodes.isEmpty,
            summary: nodes.isEmpty ? "every LV node within the band at every step"
                : "\(total) node-steps outside the band at \(nodes.count) nodes over \(violationSteps.count) steps",
            details: nodes.prefix(shown).map {
                "node \($0.key): \($0.value.count) steps outside, worst \(HumanFormat.quantity($0.value.worst, "pu", decimals: 4)), first at \(stepLabel($0.value.firstStep))"
            },
            detailsTotal: nodes.count,
            records: ["violations": violationRecords,
                      "nodes": nodes.map { ["node": .string($0.key), "steps_outside": .int(Int64($0.value.count)),
                                            "worst_pu": .double($0.value.worst), "first_step": .int(Int64($0.value.firstStep))] }])
    }

    func moneyCheck() -> VerificationCheck {
        let unsettled = escrowByContract.keys.filter { !settledContracts.contains($0) }.sorted()  // determinism: sorted
        let errors = moneyErrors + unsettled.prefix(20).map { "contract \($0) was never settled or refunded" }
        return VerificationCheck(
            name: "money conservation", passed: errors.isEmpty,
            summary: errors.isEmpty ? "\(settledContracts.count) contracts: every escrow paid out exactly (seller + refund + operator)"
                : "\(errors.count) problems",
            details: errors)
    }

    /// Energy conservation per interval: the meters (which read what each home drew at its solved
    /// voltage) against what the grid delivered (source minus losses). Without meter readings the
    /// scheduled injections stand in for them. How far the solved draw strayed from the schedule
    /// (voltage-dependent load models) is reported, not judged.
    func energyCheck() -> VerificationCheck {
        let hours = Double(marketIntervalMinutes) / 60
        var worstMeter = (error: 0.0, step: 0), worstSchedule = (error: 0.0, step: 0)
        var details: [String] = []
        var checked = 0
        for step in steps {
            let delivered = step.sourceKilowatts - step.lossesKilowatts
            if let injected = injectedKilowatts[step.step], abs(delivered - injected) > worstSchedule.error {
                worstSchedule = (abs(delivered - injected), step.step)
            }
            if let metered = meteredWattHours[step.step], let homes = homesPerStep[step.step] {
                checked += 1
                let error = abs(Double(metered) - delivered * hours * 1000)
                if error > worstMeter.error { worstMeter = (error, step.step) }
                let tolerance = TraceVerifier.meterToleranceWattHoursPerHome * Double(homes)
                    + TraceVerifier.powerBalanceToleranceKilowatts * hours * 1000
                if error > tolerance {
                    details.append("\(stepLabel(step.step)): meters read \(metered) Wh, the grid delivered \(HumanFormat.quantity(delivered * hours * 1000, "Wh", decimals: 1))")
                }
            } else if let injected = injectedKilowatts[step.step] {
                checked += 1
                let error = abs(delivered - injected)
                if error > TraceVerifier.powerBalanceToleranceKilowatts {
                    details.append("\(stepLabel(step.step)): homes were scheduled to draw \(HumanFormat.quantity(injected, "kW", decimals: 3)), the grid delivered \(HumanFormat.quantity(delivered, "kW", decimals: 3))")
                }
            }
        }
        let schedule = String(format: "%.2e", worstSchedule.error)
        return VerificationCheck(
            name: "energy balance", passed: details.isEmpty && checked == steps.count,
            summary: checked == 0 ? "no meter readings or per-home injections recorded"
                : "\(checked) steps: meters vs grid delivery within \(String(format: "%.2f", worstMeter.error)) Wh (step \(worstMeter.step)); "
                + "the solved draw differs from the schedule by up to \(schedule) kW (step \(worstSchedule.step))",
            details: Array(details.prefix(20)), detailsTotal: details.count)
    }
}
