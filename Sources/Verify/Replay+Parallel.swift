// Owns `replay --jobs N`: the replay on at most N threads. `--jobs 1` is the sequential replay with
// everything on one thread. For more, the run is cut at its checkpoints into parts (more parts than
// jobs, shrinking towards the end, so that N workers taking them in order finish together) and a
// pool of N workers runs them (Kernel's `deterministicPoolMap`, results stored by part). Each part,
// on its own thread, verifies its stretch of the hash chain from the stored hash of the event before
// it, restores the checkpoint it starts at (the first part starts from the beginning), re-executes
// up to the next part's checkpoint and compares with its stretch of the trace, the checkpoint event
// that ends it included: a part that matches leaves the engine in exactly the state the next part
// starts from. So the earliest divergence over the parts, in order, is the one the sequential
// replay reports, and the stretches join into the whole chain's verdict, each event verified once.
import CoSim
import Kernel
import Market
import Trace

/// One stretch of a parallel replay: from a checkpoint (nil: the start) up to the next part's.
struct ReplayPart: Sendable, Equatable {
    var start: CheckpointLocation?
    /// The interval the next part starts at (the run's interval count for the last part).
    var endInterval: Int
    /// The seq of the next part's checkpoint event (nil for the last part).
    var endSeq: Int64?
}

extension Replay {
    /// Re-executes the trace at `path` on at most `jobs` threads (see the file comment) and reports
    /// what the sequential replay would. With `jobs` 1 this is the sequential replay on one thread;
    /// a trace without checkpoints is one part, on one thread. The whole chain is verified, and a
    /// trace that does not verify is refused. `modify` changes the re-derived scenario as in the
    /// sequential replay (tests).
    public static func run(tracePath path: String, jobs: Int, feeder feederOverride: String? = nil,
                           modify: (inout Scenario) -> Void = { _ in }) throws -> ReplayResult {
        precondition(jobs >= 1, "at least one job")
        guard jobs > 1 else {
            var result = try run(tracePath: path, feeder: feederOverride, parallelism: .serial, modify: modify)
            result.notes.append("re-executed on one thread (--jobs 1)")
            return result
        }
        let reader = try TraceReader(path: path)
        let checkpoints = try reader.checkpoints()
        let scenario: Scenario, variant: Scenario.Variant, feeder: PreparedFeeder
        do {
            var recorded = try recordedRun(reader, feederOverride: feederOverride)
            modify(&recorded.0)
            (scenario, variant) = recorded
            feeder = try PreparedFeeder.prepare(scenario)
        } catch {
            // As in the sequential replay, a trace that does not verify is refused whatever else failed.
            try refuseDamage(reader.verify(parallelism: .serial).status, checkpoints: checkpoints)
            throw error
        }
        let lastSeq = reader.storedSeal()?.events ?? checkpoints.last.map { $0.seq + 1 } ?? 1
        let parts = parts(checkpoints: checkpoints, lastSeq: lastSeq, intervals: scenario.intervals, jobs: jobs)
        let results = deterministicPoolMap(parts, workers: jobs) { part in
            runPart(part, path: path, scenario: scenario, variant: variant, feeder: feeder)
        }
        let stretches = try results.map { try $0.get().stretch }
        let status = reader.verify(stretches: stretches, parallelism: .serial).status
        try refuseDamage(status, checkpoints: checkpoints)
        var compared = try combine(results.map { try $0.get().reexecution }, parts: parts, reader: reader)
        compared.feederNote = FeederComparison.note(recorded: reader.header, used: feeder, override: feederOverride)
        var notes: [String] = []
        if case .incomplete(let seq) = status { notes.append("the trace is incomplete at seq \(seq): replaying its committed prefix") }
        if let feederNote = compared.feederNote { notes.append(feederNote) }
        notes.append(parts.count == 1
            ? "the trace holds no checkpoints to start parts from: re-executed in one part on one thread"
            : "re-executed in \(parts.count) parts on \(min(jobs, parts.count)) threads, each from a checkpoint")
        return outcome(of: compared, status: status, stop: nil, notes: notes)
    }

    /// Throws when `status` is corrupt: `CheckpointDamage` when the damage is at a checkpoint's event.
    private static func refuseDamage(_ status: TraceStatus, checkpoints: [CheckpointLocation]) throws {
        guard case .corrupt(let seq, let reason) = status else { return }
        if checkpoints.contains(where: { $0.seq == seq }) { throw CheckpointDamage(seq: seq, reason: "its event does not verify (\(reason))") }
        throw CoSimError.replay("the trace does not verify (\(status)); replay needs an intact chain")
    }

    /// Cuts the run at checkpoints into parts for `jobs` workers that take them in order (guided
    /// self-scheduling): each part is about a `1 / (2 · jobs)` share of the work left when it starts,
    /// but at least `1 / (4 · jobs)` of the whole, so the parts shrink towards the end and the
    /// workers finish close together however the work is spread over the run, with few restores.
    /// Work is counted in events, plus `restoreCostEvents` for each part that restores a checkpoint.
    static func parts(checkpoints: [CheckpointLocation], lastSeq: Int64, intervals: Int, jobs: Int) -> [ReplayPart] {
        let restore = Double(restoreCostEvents)
        let total = Double(lastSeq)
        let minimumShare = total / Double(4 * jobs)
        var starts: [CheckpointLocation?] = [nil]
        var startSeq: Int64 = 0, done = 0.0
        while jobs > 1 {
            let share = max(max(total - done, 0) / Double(2 * jobs), minimumShare)
            let target = Double(startSeq) + share - (startSeq > 0 ? restore : 0)
            guard let next = checkpoints.filter({ $0.seq > startSeq }).min(by: { abs(Double($0.seq) - target) < abs(Double($1.seq) - target) }),
                  Double(lastSeq - next.seq) + restore >= minimumShare / 2 else { break }
            done += Double(next.seq - startSeq) + (startSeq > 0 ? restore : 0)
            starts.append(next)
            startSeq = next.seq
        }
        return starts.indices.map { index in
            let next = index + 1 < starts.count ? starts[index + 1] : nil
            return ReplayPart(start: starts[index], endInterval: next?.interval ?? intervals, endSeq: next?.seq)
        }
    }

    /// What a part that starts at a checkpoint costs beyond its events (building the run, reading,
    /// checking and decoding the state), in events re-executed in the same time: 9–17 ms on the
    /// demo's P2P trace, where one thread re-executes, compares and verifies about 70 events/ms.
    static let restoreCostEvents = 800

    /// What one part found: its stretch of the chain and, unless that was damaged, its re-execution.
    struct PartResult: @unchecked Sendable {  // the sink moves to the caller once the part's worker ends
        var stretch: ChainStretch
        var reexecution: Result<PartOutcome, any Error>?
    }

    /// One part on the calling thread: its stretch of the chain verified, then re-executed (serially).
    private static func runPart(_ part: ReplayPart, path: String, scenario: Scenario, variant: Scenario.Variant,
                                feeder: PreparedFeeder) -> Result<PartResult, any Error> {
        Result {
            let reader = try TraceReader(path: path)  // a connection per part
            let stretch = reader.verifyStretch(after: part.start?.seq ?? 0, through: part.endSeq)
            // A damaged stretch refuses the whole replay: re-executing it would only cost time.
            guard stretch.failure == nil else { return PartResult(stretch: stretch, reexecution: nil) }
            let reexecution = Result { try reexecute(part, reader: reader, scenario: scenario, variant: variant, feeder: feeder) }
            return PartResult(stretch: stretch, reexecution: reexecution)
        }
    }

    /// The parts' comparisons as one: the first part that diverged, else the last part's.
    private static func combine(_ reexecutions: [Result<PartOutcome, any Error>?], parts: [ReplayPart],
                                reader: TraceReader) throws -> Reexecution {
        for (index, reexecution) in reexecutions.enumerated() {
            guard var outcome = try reexecution?.get() else {
                throw CoSimError.replay("part \(index + 1) of the replay was not re-executed")  // only after damage, refused above
            }
            let isLast = index == reexecutions.count - 1
            if outcome.signal == nil, !isLast, let endSeq = parts[index].endSeq, outcome.lastComparedSeq != endSeq {
                // The part ended before reaching the next part's checkpoint: the replay lacks events there.
                outcome.signal = .diverged(Divergence(seq: outcome.lastComparedSeq + 1, recorded: nil, replayed: nil,
                                                      before: [], fields: ["missing in replay"]))
            }
            guard outcome.signal != nil || isLast else { continue }
            if case .diverged(var divergence)? = outcome.signal, parts[index].start != nil {
                divergence.before = try contextBefore(divergence, reader: reader)
                outcome.signal = .diverged(divergence)
            }
            // Every part before this one matched all its events: count them as the sequential replay does.
            outcome.sink.compared += outcome.sink.seqOffset
            return Reexecution(sink: outcome.sink, signal: outcome.signal, extra: outcome.extra, run: nil, feederNote: nil)
        }
        preconditionFailure("a parallel replay has at least one part")
    }

    /// What re-executing one part found (its run is dropped when the part ends: no state is
    /// reported at a stop, and keeping every part's run would hold a run's memory per part).
    struct PartOutcome: @unchecked Sendable {  // the sink moves to the caller once the part's thread ends
        var sink: ComparingSink
        var signal: ReplaySignal?
        var extra: TraceEvent?
        var lastComparedSeq: Int64 { sink.seqOffset + sink.compared }
    }

    private static func reexecute(_ part: ReplayPart, reader: TraceReader, scenario: Scenario, variant: Scenario.Variant,
                                  feeder: PreparedFeeder) throws -> PartOutcome {
        var run = try VariantRun(scenario: scenario, variant: variant, feeder: feeder, parallelism: .serial)
        if let start = part.start { try restore(&run, from: start, reader: reader) }
        let firstSeq = part.start.map { $0.seq + 1 } ?? 1
        var sink = ComparingSink(cursor: try reader.cursor(from: firstSeq), stop: nil, seqOffset: firstSeq - 1)
        do {
            try run.run(into: &sink, endInterval: part.endInterval)
        } catch let signal as ReplaySignal {
            return PartOutcome(sink: sink, signal: signal, extra: nil)
        }
        let extra = part.endSeq == nil ? try sink.cursor.next() : nil
        return PartOutcome(sink: sink, signal: nil, extra: extra)
    }

    /// Up to five recorded events before a divergence, as the sequential replay shows them (they
    /// matched: every part before this one did).
    private static func contextBefore(_ divergence: Divergence, reader: TraceReader) throws -> [ComparedEvent] {
        let first = max(1, divergence.seq - 5)
        var events: [ComparedEvent] = []
        try reader.forEachEvent(from: first) { event in
            guard event.seq < divergence.seq else { return false }
            events.append(ComparedEvent(event))
            return true
        }
        return events
    }
}
