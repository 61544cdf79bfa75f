// Owns replay: re-executing a recorded run from its trace header alone and comparing it with the
// trace event by event, stopping at the first difference (with both versions and the events before
// it) or at a requested point (with the state of the run there).
import CoSim
import Feeder
import Foundation
import Kernel
import Market
import Trace

/// Where to stop a replay early: the first event that reaches the condition.
public indirect enum ReplayStop: Sendable, Equatable {
    /// Stop after the event with this seq.
    case seq(Int64)
    /// Stop at the first event at or after this simulated time.
    case time(SimTime)
    /// Stop at the first event of this kind.
    case kind(EventKind)
    /// Stop at the first event of this actor (`home:7`, `contract:12`, `node:<bus>.<phase>`, `market`, `grid`).
    case actor(String)
    /// Stop at the first event that meets every condition (a kind, for one actor, after a time).
    case all([ReplayStop])

    /// Parses one condition or several joined by commas: `SEQ` (an integer), a time `HH:MM[:SS]` /
    /// `<n>s` / `<n>ms`, an event kind (`order_matched`, or `kind=order_matched`), or
    /// `actor=NAME`. For example `06:30,order_matched,actor=home:7`.
    public init?(_ text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let conditions = parts.compactMap(Self.condition)
        guard !conditions.isEmpty, conditions.count == parts.count else { return nil }
        self = conditions.count == 1 ? conditions[0] : .all(conditions)
    }

    private static func condition(_ text: String) -> ReplayStop? {
        if let seq = Int64(text) { return .seq(seq) }
        if text.hasPrefix("actor=") { return text.count > 6 ? .actor(String(text.dropFirst(6))) : nil }
        if let kind = EventKind(rawValue: text.hasPrefix("kind=") ? String(text.dropFirst(5)) : text) { return .kind(kind) }
        if text.hasSuffix("ms"), let ms = Int64(text.dropLast(2)) { return .time(SimTime(milliseconds: ms)) }
        if text.hasSuffix("s"), let s = Double(text.dropLast()) { return time(seconds: s) }
        let parts = text.split(separator: ":").map { Double($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
        let values = parts.compactMap { $0 }
        return time(seconds: values[0] * 3600 + values[1] * 60 + (values.count == 3 ? values[2] : 0))
    }

    /// Latest `--until` time, s (about 292 years: well inside the millisecond clock's range).
    public static let maximumSeconds = 1e10

    /// A time condition, or nil when `seconds` is not a finite time in 0…`maximumSeconds`.
    private static func time(seconds: Double) -> ReplayStop? {
        guard seconds.isFinite, (0...maximumSeconds).contains(seconds) else { return nil }
        return .time(.fromSeconds(seconds))
    }

    /// The condition as `--until` writes it.
    public var text: String {
        switch self {
        case .seq(let seq): return String(seq)
        case .time(let time): return HumanFormat.clock(milliseconds: time.milliseconds)
        case .kind(let kind): return kind.rawValue
        case .actor(let actor): return "actor=" + actor
        case .all(let conditions): return conditions.map(\.text).joined(separator: ",")
        }
    }

    /// Whether `event` is where the replay stops.
    func isReached(by event: ComparedEvent) -> Bool {
        switch self {
        case .seq(let seq): return event.seq >= seq
        case .time(let time): return event.timeMilliseconds >= time.milliseconds
        case .kind(let kind): return event.kind == kind.rawValue
        case .actor(let actor): return event.actor == actor
        case .all(let conditions): return conditions.allSatisfy { $0.isReached(by: event) }
        }
    }
}

/// An event as the replay compares it.
public struct ComparedEvent: Sendable, Equatable, CustomStringConvertible {
    public var seq: Int64
    public var timeMilliseconds: Int64
    public var kind: String
    public var actor: String
    public var payload: String

    public var description: String {
        "seq \(seq) \(HumanFormat.clock(milliseconds: timeMilliseconds)) \(kind) \(actor) \(payload)"
    }
}

/// The first point where a replay and its trace disagree.
public struct Divergence: Sendable, Equatable {
    public var seq: Int64
    /// Nil when the trace ended before the replay did.
    public var recorded: ComparedEvent?
    /// Nil when the replay ended before the trace did.
    public var replayed: ComparedEvent?
    /// Up to five events before it (they matched).
    public var before: [ComparedEvent]
    /// Which fields differ ("time", "kind", "actor", "payload").
    public var fields: [String]
}

/// The run's state where a replay stopped on request (`--until`).
public struct ReplayState: Sendable {
    public var stoppedAfter: ComparedEvent?
    public var interval: Int
    /// Orders revealed in the stopped interval: (participant, side, Wh, limit price).
    public var orderBook: [(participant: Int, side: String, energyWattHours: Int64, limitPrice: Int64)]
    /// Contracts created and not yet settled or refunded: (contract, seller, buyer, Wh).
    public var openContracts: [(contract: Int, seller: Int, buyer: Int, energyWattHours: Int64)]
    public var chainBestHeight: Int?
    public var chainBlocksMined: Int?
    public var chainOrphans: Int?
    /// Per-home meter voltage (pu) after the stopped interval's power flow.
    public var homeVoltagesPerUnit: [Double]
    public var sourceKilowatts: Double?
    public var sourceKilovars: Double?
}

/// The result of a replay.
public struct ReplayResult: Sendable {
    public enum Outcome: Sendable {
        /// Every recorded event was reproduced exactly.
        case identical(events: Int64)
        /// The trace is a crashed run's prefix and the replay reproduced all of it.
        case identicalPrefix(events: Int64)
        case diverged(Divergence)
        case stopped(ReplayState)
    }
    public var outcome: Outcome
    public var notes: [String]
}

public enum Replay {
    /// Re-executes the run recorded in `path` and compares it with the trace.
    ///
    /// `modify` changes the re-derived scenario before the run (for experiments and for testing that
    /// a changed engine parameter is caught at the first event it affects). `feeder` substitutes an
    /// OpenDSS feeder on disk for the recorded one (a note says whether it differs). Corrupt traces
    /// are refused. With `.allCores` the chain is verified, signatures are checked and the events
    /// compared beside the re-execution; with `.serial` (`--jobs 1`) all of it runs on this thread.
    public static func run(tracePath path: String, until stop: ReplayStop? = nil, feeder feederOverride: String? = nil,
                           parallelism: Parallelism = .allCores, modify: (inout Scenario) -> Void = { _ in }) throws -> ReplayResult {
        // A trace that does not verify is refused whatever the re-execution found (or whatever error
        // reading it gave).
        let (verification, reexecution) = try TraceReader(path: path).whileVerifying(parallelism: parallelism) { reader in
            try reexecute(reader, until: stop, feederOverride: feederOverride, parallelism: parallelism, modify: modify)
        }
        let status = verification.status
        if case .corrupt = status { throw CoSimError.replay("the trace does not verify (\(status)); replay needs an intact chain") }
        let compared = try reexecution.get()
        var notes: [String] = []
        if case .incomplete(let seq) = status { notes.append("the trace is incomplete at seq \(seq): replaying its committed prefix") }
        if let feederNote = compared.feederNote { notes.append(feederNote) }
        return result(of: compared, status: status, stop: stop, notes: notes)
    }

    /// The outcome of a re-execution against a trace whose chain status is `status`.
    private static func result(of compared: Reexecution, status: TraceStatus, stop: ReplayStop?, notes: [String]) -> ReplayResult {
        var notes = notes
        let sink = compared.sink
        let isPrefix: Bool
        if case .incomplete = status { isPrefix = true } else { isPrefix = false }
        switch compared.signal {
        case .diverged(let divergence)?:
            if divergence.recorded == nil, isPrefix { return ReplayResult(outcome: .identicalPrefix(events: sink.compared), notes: notes) }
            return ReplayResult(outcome: .diverged(divergence), notes: notes)
        case .stopped?:
            guard let run = compared.run else { preconditionFailure("a replay that stops on request keeps its run") }
            return ReplayResult(outcome: .stopped(sink.state(of: run)), notes: notes)
        case nil:
            break
        }
        if let extra = compared.extra {
            let divergence = Divergence(seq: extra.seq, recorded: ComparedEvent(extra), replayed: nil, before: sink.recent,
                                        fields: ["missing in replay"])
            return ReplayResult(outcome: .diverged(divergence), notes: notes)
        }
        if let stop { notes.append("no event reached --until \(stop.text): the replay ran to the end of the trace") }
        return ReplayResult(outcome: isPrefix ? .identicalPrefix(events: sink.compared) : .identical(events: sink.compared), notes: notes)
    }

    /// What re-executing a trace's run found, before the trace's own verification is known.
    struct Reexecution {
        var sink: ComparingSink
        /// The signal that ended the run early, if any.
        var signal: ReplaySignal?
        /// The first recorded event left over after a run that ended normally.
        var extra: TraceEvent?
        /// The run afterwards, for the state at a stop (nil for `--jobs` parts, which never stop on request).
        var run: VariantRun?
        var feederNote: String?
    }

    /// The outcome of a re-execution (for replays that start from checkpoints).
    static func outcome(of compared: Reexecution, status: TraceStatus, stop: ReplayStop?, notes: [String]) -> ReplayResult {
        result(of: compared, status: status, stop: stop, notes: notes)
    }

    /// Re-derives the run from the header and re-executes it against the trace.
    private static func reexecute(_ reader: TraceReader, until stop: ReplayStop?, feederOverride: String?,
                                  parallelism: Parallelism, modify: (inout Scenario) -> Void) throws -> Reexecution {
        var (scenario, variant) = try recordedRun(reader, feederOverride: feederOverride)
        modify(&scenario)
        let feeder = try PreparedFeeder.prepare(scenario)
        let feederNote = FeederComparison.note(recorded: reader.header, used: feeder, override: feederOverride)
        var run = try VariantRun(scenario: scenario, variant: variant, feeder: feeder, parallelism: parallelism)
        let (sink, signal) = try execute(&run, comparing: ComparingSink(cursor: try reader.cursor(), stop: stop))
        var extra: TraceEvent?
        if case .none = signal { extra = try sink.cursor.next() }
        return Reexecution(sink: sink, signal: signal, extra: extra, run: run, feederNote: feederNote)
    }

    /// Re-executes the run into `comparison`; returns the sink afterwards and the signal that ended
    /// the run early, if any.
    ///
    /// Without a stop request, and when the run may use all cores, the comparison runs on a
    /// background thread, in interval order, while the next interval is re-executed. A stop reports
    /// the run's state at the stopping event, and a `.serial` run stays on its thread: then the
    /// comparison runs inline.
    static func execute(_ run: inout VariantRun, comparing comparison: ComparingSink) throws -> (ComparingSink, ReplaySignal?) {
        if comparison.stop != nil || run.parallelism == .serial {
            var sink = comparison
            do {
                try run.run(into: &sink)
                return (sink, nil)
            } catch let signal as ReplaySignal {
                return (sink, signal)
            }
        }
        var background = BackgroundEventSink(comparison)
        do {
            try run.run(into: &background)
            try background.finish()
            return (background.inner, nil)
        } catch let signal as ReplaySignal {
            try? background.finish()
            return (background.inner, signal)
        }
    }

    /// The scenario and variant a trace records, with its feeder: `feederOverride` (an OpenDSS
    /// script on disk) when given, else the trace's stored files (format 2), else the synthetic
    /// feeder the scenario and seed determine. A format-1 trace of an OpenDSS feeder stored no
    /// files: it replays only from the path it recorded, when that still exists, or with --feeder.
    public static func recordedRun(_ reader: TraceReader, feederOverride: String? = nil) throws -> (Scenario, Scenario.Variant) {
        let header = reader.header
        var scenario: Scenario
        do {
            scenario = try Scenario.parse(header.scenarioText, file: "<trace header>", baseFolder: nil)
        } catch {
            throw CoSimError.replay("the recorded scenario does not parse any more: \(error)")
        }
        scenario.seed = header.seed
        // Traces written before checkpoints existed hold none: their replay must not make any.
        if header.formatVersion < TraceFormat.checkpointsVersion { scenario.checkpointEveryIntervals = 0 }
        var parameters: [String: CanonicalJSON] = [:]
        if case .object(let members)? = try? parsePayloadJSON(header.parameters) { parameters = members }
        guard case .string(let variantName)? = parameters["variant"], let variant = Scenario.Variant(rawValue: variantName) else {
            throw CoSimError.replay("the trace header does not say which scenario ran (parameters: \(header.parameters))")
        }
        if case .int(let intervals)? = parameters["intervals"] {
            // The header is input like any other: a forged count must not size the re-execution.
            guard (1...Int64(marketIntervalsPerDay)).contains(intervals) else {
                throw CoSimError.replay("the trace header records \(intervals) intervals; a run has 1…\(marketIntervalsPerDay)")
            }
            scenario.intervals = Int(intervals)
        }
        if let feederOverride {
            scenario.feeder = try Scenario.feederArgument(feederOverride)
            return (scenario, variant)
        }
        switch parameters["feeder"] {
        case .string("synthetic")?:
            scenario.feeder = .synthetic
        case .string("stored")?:
            switch reader.storedFiles() {
            case .success(let files):
                let set = FeederFileSet(entry: header.feederEntry, files: files.map { FeederFile(path: $0.path, bytes: $0.bytes) })
                scenario.feeder = .stored(set)
            case .failure(let damage):
                throw CoSimError.replay("\(reader.path): \(damage.reason); the stored feeder cannot be used (pass --feeder PATH to substitute one)")
            }
        case .string(let legacyPath)?:
            guard FileManager.default.fileExists(atPath: legacyPath) else {
                throw CoSimError.replay("\(reader.path): trace format version \(header.formatVersion) does not store its feeder, "
                    + "and \(legacyPath), where it was recorded from, is not here. Pass --feeder PATH, or re-record the run "
                    + "(gridtrace run SCENARIO.toml --seed \(header.seed) --intervals \(scenario.intervals)): "
                    + "format version \(TraceFormat.version) traces carry their feeder")
            }
            scenario.feeder = .openDSS(path: legacyPath)
        default:
            // No feeder parameter: only the synthetic feeder is re-derived from the scenario alone.
            guard scenario.feeder == .synthetic else {
                throw CoSimError.replay("the trace header does not say which feeder ran (parameters: \(header.parameters))")
            }
        }
        return (scenario, variant)
    }
}

extension ComparedEvent {
    init(_ event: TraceEvent) {
        self.init(seq: event.seq, timeMilliseconds: event.timeMilliseconds, kind: event.kind, actor: event.actor, payload: event.payload)
    }

    init(seq: Int64, _ record: EventRecord) {
        self.init(seq: seq, timeMilliseconds: record.time.milliseconds, kind: record.kind.rawValue, actor: record.actor,
                  payload: record.payload.text)
    }
}

enum ReplaySignal: Error {
    case diverged(Divergence)
    case stopped
}

/// Compares replayed events with the trace as they are produced; remembers what it needs for the
/// state at a stop.
struct ComparingSink: EventSink {
    let cursor: TraceCursor
    let stop: ReplayStop?
    /// The seq of the event before the first one compared (a replay from a checkpoint starts after it).
    let seqOffset: Int64
    /// Events compared (a parallel replay adds the parts before this one).
    var compared: Int64 = 0
    private(set) var recent: [ComparedEvent] = []
    private var interval = 0
    private var last: ComparedEvent?
    private var orderBook: [(participant: Int, side: String, energyWattHours: Int64, limitPrice: Int64)] = []
    private var openContracts: [(contract: Int, seller: Int, buyer: Int, energyWattHours: Int64)] = []

    init(cursor: TraceCursor, stop: ReplayStop?, seqOffset: Int64 = 0) {
        self.cursor = cursor
        self.stop = stop
        self.seqOffset = seqOffset
    }

    mutating func write(interval: Int, events: [EventRecord]) throws {
        if interval != self.interval { orderBook = [] }
        self.interval = interval
        for record in events {
            let replayed = ComparedEvent(seq: seqOffset + compared + 1, record)
            guard let stored = try cursor.next() else {
                // A crashed run's trace ends here: everything it holds was reproduced.
                throw ReplaySignal.diverged(Divergence(seq: replayed.seq, recorded: nil, replayed: replayed, before: recent,
                                                       fields: ["missing in trace"]))
            }
            let recorded = ComparedEvent(stored)
            let fields = differingFields(recorded, replayed)
            guard fields.isEmpty else {
                throw ReplaySignal.diverged(Divergence(seq: recorded.seq, recorded: recorded, replayed: replayed,
                                                       before: recent, fields: fields))
            }
            compared += 1
            if stop != nil { try track(record, seq: recorded.seq) }  // the state is only reported at a stop
            recent.append(recorded)
            if recent.count > 5 { recent.removeFirst() }
            last = recorded
            if reachedStop(recorded) { throw ReplaySignal.stopped }
        }
    }

    private func differingFields(_ a: ComparedEvent, _ b: ComparedEvent) -> [String] {
        var fields: [String] = []
        if a.timeMilliseconds != b.timeMilliseconds { fields.append("time") }
        if a.kind != b.kind { fields.append("kind") }
        if a.actor != b.actor { fields.append("actor") }
        if a.payload != b.payload { fields.append("payload") }
        return fields
    }

    private func reachedStop(_ event: ComparedEvent) -> Bool {
        stop?.isReached(by: event) ?? false
    }

    /// Keeps the interval's order book and the open contracts from the events themselves.
    /// Reads the payloads with their types: a missing or mistyped field is an error naming seq, kind
    /// and field (the replayed payload equals the stored one byte for byte at this point).
    private mutating func track(_ record: EventRecord, seq: Int64) throws(PayloadError) {
        switch record.kind {
        case .orderRevealed:
            let order = try OrderRevealedEvent(reading: record.payload, seq: seq).order
            orderBook.append((order.participant, order.side.name, order.energyWattHours, order.limitPriceMicroTokensPerWattHour))
        case .contractCreated:
            let contract = try ContractCreatedEvent(reading: record.payload, seq: seq).contract
            openContracts.append((contract.id, contract.seller, contract.buyer, contract.energyWattHours))
        case .contractSettled:
            let id = try ContractSettledEvent(reading: record.payload, seq: seq).settlement.contract
            openContracts.removeAll { $0.contract == id }
        case .contractRefunded:
            let id = try ContractRefundedEvent(reading: record.payload, seq: seq).settlement.contract
            openContracts.removeAll { $0.contract == id }
        default:
            break
        }
    }

    func state(of run: VariantRun) -> ReplayState {
        let statistics = run.chain?.statistics
        let outcome = run.outcomes.last
        return ReplayState(stoppedAfter: last, interval: interval, orderBook: orderBook, openContracts: openContracts,
                           chainBestHeight: statistics?.bestHeight, chainBlocksMined: statistics?.blocksMined,
                           chainOrphans: statistics?.orphans, homeVoltagesPerUnit: outcome?.homeVoltagesPerUnit ?? [],
                           sourceKilowatts: outcome?.step.measurement.sourceKilowatts,
                           sourceKilovars: outcome?.step.measurement.sourceKilovars)
    }
}
