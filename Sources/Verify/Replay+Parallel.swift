// Owns `replay --jobs N`: the run is cut at its checkpoints into N parts of about as many events,
// each part is re-executed from the checkpoint it starts at (the first from the beginning) on a
// thread of its own (Kernel's `deterministicJobMap`), and compared with its stretch of the trace,
// the checkpoint events that end it included: a part that matches leaves the engine in exactly the
// state the next part starts from. So the earliest divergence over the parts, in order, is the one
// the sequential replay reports.
import CoSim
import Kernel
import Market
import Trace

/// One stretch of a parallel replay: from a checkpoint (nil: the start) up to the next part's.
struct ReplayPart: Sendable {
    var start: CheckpointLocation?
    /// The interval the next part starts at (the run's interval count for the last part).
    var endInterval: Int
    /// The seq of the next part's checkpoint event (nil for the last part).
    var endSeq: Int64?
}

extension Replay {
    /// Re-executes the trace at `path` in `jobs` parts at once (see the file comment); with `jobs` 1,
    /// or a trace without checkpoints, this is the sequential replay. The whole chain is verified
    /// beside the re-execution, and a trace that does not verify is refused.
    /// `modify` changes the re-derived scenario as in the sequential replay (tests).
    public static func run(tracePath path: String, jobs: Int, feeder feederOverride: String? = nil,
                           modify: (inout Scenario) -> Void = { _ in }) throws -> ReplayResult {
        precondition(jobs >= 1, "at least one job")
        let reader = try TraceReader(path: path)
        let checkpoints = try reader.checkpoints()
        guard jobs > 1, !checkpoints.isEmpty else { return try run(tracePath: path, feeder: feederOverride, modify: modify) }
        let (verification, reexecution) = reader.whileVerifying { reader in
            Result { try reexecuteInParts(reader, checkpoints: checkpoints, jobs: jobs, feederOverride: feederOverride, modify: modify) }
        }
        let status = verification.status
        if case .corrupt(let seq, let reason) = status {
            if checkpoints.contains(where: { $0.seq == seq }) { throw CheckpointDamage(seq: seq, reason: "its event does not verify (\(reason))") }
            throw CoSimError.replay("the trace does not verify (\(status)); replay needs an intact chain")
        }
        let (compared, parts) = try reexecution.get().get()
        var notes: [String] = []
        if case .incomplete(let seq) = status { notes.append("the trace is incomplete at seq \(seq): replaying its committed prefix") }
        if let feederNote = compared.feederNote { notes.append(feederNote) }
        notes.append("re-executed in \(parts) parts on \(jobs) threads, each from a checkpoint")
        return outcome(of: compared, status: status, stop: nil, notes: notes)
    }

    /// Splits the run at checkpoints into at most `jobs` parts of about equal event counts.
    static func parts(checkpoints: [CheckpointLocation], lastSeq: Int64, intervals: Int, jobs: Int) -> [ReplayPart] {
        var starts: [CheckpointLocation?] = [nil]
        for share in 1..<jobs {
            let target = lastSeq * Int64(share) / Int64(jobs)
            // The checkpoint closest to the share's boundary, after the previous part's start.
            let previous = starts.last.flatMap { $0?.seq } ?? 0
            let candidates = checkpoints.filter { $0.seq > previous }
            guard let best = candidates.min(by: { abs($0.seq - target) < abs($1.seq - target) }) else { break }
            starts.append(best)
        }
        return starts.indices.map { index in
            let next = index + 1 < starts.count ? starts[index + 1] : nil
            return ReplayPart(start: starts[index], endInterval: next?.interval ?? intervals, endSeq: next?.seq)
        }
    }

    /// Re-executes every part on its own thread; returns the combined comparison (the first part
    /// that diverged, else the last part's) and the number of parts.
    private static func reexecuteInParts(_ reader: TraceReader, checkpoints: [CheckpointLocation], jobs: Int,
                                         feederOverride: String?, modify: (inout Scenario) -> Void) throws -> (Reexecution, Int) {
        var (recordedScenario, variant) = try recordedRun(reader, feederOverride: feederOverride)
        modify(&recordedScenario)
        let scenario = recordedScenario
        let feeder = try PreparedFeeder.prepare(scenario)
        let feederNote = FeederComparison.note(recorded: reader.header, used: feeder, override: feederOverride)
        let lastSeq = reader.storedSeal()?.events ?? checkpoints.last?.seq ?? 1
        let parts = parts(checkpoints: checkpoints, lastSeq: lastSeq, intervals: scenario.intervals, jobs: jobs)
        let path = reader.path, variantRun = variant
        let results = deterministicJobMap(parts) { part in
            Result { () throws -> PartOutcome in
                let own = try TraceReader(path: path)  // a connection per thread
                return try reexecute(part, reader: own, scenario: scenario, variant: variantRun, feeder: feeder)
            }
        }
        for (index, result) in results.enumerated() {
            var outcome = try result.get()
            let isLast = index == results.count - 1
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
            let compared = Reexecution(sink: outcome.sink, signal: outcome.signal, extra: outcome.extra, run: outcome.run,
                                       feederNote: feederNote)
            return (compared, parts.count)
        }
        preconditionFailure("a parallel replay has at least one part")
    }

    /// What re-executing one part found.
    struct PartOutcome: @unchecked Sendable {  // the run and sink move to the caller once the part's thread ends
        var sink: ComparingSink
        var signal: ReplaySignal?
        var extra: TraceEvent?
        var run: VariantRun
        var lastComparedSeq: Int64 { sink.seqOffset + sink.compared }
    }

    private static func reexecute(_ part: ReplayPart, reader: TraceReader, scenario: Scenario, variant: Scenario.Variant,
                                  feeder: PreparedFeeder) throws -> PartOutcome {
        var run = try VariantRun(scenario: scenario, variant: variant, feeder: feeder)
        if let start = part.start { try restore(&run, from: start, reader: reader) }
        let firstSeq = part.start.map { $0.seq + 1 } ?? 1
        var sink = ComparingSink(cursor: try reader.cursor(from: firstSeq), stop: nil, seqOffset: firstSeq - 1)
        do {
            try run.run(into: &sink, endInterval: part.endInterval)
        } catch let signal as ReplaySignal {
            return PartOutcome(sink: sink, signal: signal, extra: nil, run: run)
        }
        let extra = part.endSeq == nil ? try sink.cursor.next() : nil
        return PartOutcome(sink: sink, signal: nil, extra: extra, run: run)
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
