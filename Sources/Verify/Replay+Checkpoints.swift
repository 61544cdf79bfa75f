// Owns replay from checkpoints: `--from T`, which restores the last checkpoint at or before T and
// re-executes only from there (its cost does not grow with T), and restoring a checkpoint (also for
// `--jobs N`, `Replay+Parallel`). A checkpoint that does not match its event's digest, or does not decode, is
// reported at its seq and never used.
import CoSim
import Kernel
import Market
import Trace

extension Replay {
    /// Re-executes the run recorded in `path` from the last checkpoint at or before `start` (from
    /// the beginning when there is none) and compares it with the trace from there on.
    ///
    /// Only the chain from that checkpoint to the seal is verified here (`TraceReader.verifySuffix`);
    /// `trace verify` checks the rest. Throws `CheckpointDamage` when the checkpoint is damaged.
    /// `parallelism` `.serial` (`--jobs 1`) keeps the run on this thread.
    public static func run(tracePath path: String, from start: SimTime, until stop: ReplayStop? = nil,
                           feeder feederOverride: String? = nil, parallelism: Parallelism = .allCores) throws -> ReplayResult {
        let reader = try TraceReader(path: path)
        let (scenario, variant) = try recordedRun(reader, feederOverride: feederOverride)
        let intervalMilliseconds = Int64(marketIntervalMinutes) * 60_000
        let wanted = Int(min(start.milliseconds / intervalMilliseconds, Int64(scenario.intervals)))
        let chosen = try reader.checkpoints().last { $0.interval <= wanted }
        let status = reader.verifySuffix(from: chosen?.seq ?? 1)
        if case .corrupt(let seq, let reason) = status {
            if let chosen, seq == chosen.seq { throw CheckpointDamage(seq: seq, reason: "its event does not verify (\(reason))") }
            throw CoSimError.replay("the trace does not verify (corrupt at seq \(seq): \(reason)); replay needs an intact chain")
        }
        let feeder = try PreparedFeeder.prepare(scenario)
        var notes: [String] = []
        if case .incomplete(let seq) = status { notes.append("the trace is incomplete at seq \(seq): replaying its committed prefix") }
        if let feederNote = FeederComparison.note(recorded: reader.header, used: feeder, override: feederOverride) { notes.append(feederNote) }
        var run = try VariantRun(scenario: scenario, variant: variant, feeder: feeder, parallelism: parallelism)
        if let chosen {
            try restore(&run, from: chosen, reader: reader)
            notes.append("started from the checkpoint at seq \(chosen.seq) (interval \(chosen.interval), "
                + "\(HumanFormat.clock(milliseconds: Int64(chosen.interval) * intervalMilliseconds))); the chain was verified from there to the seal")
        } else {
            notes.append("no checkpoint at or before \(HumanFormat.clock(milliseconds: start.milliseconds)): replayed from the start")
        }
        let firstSeq = chosen.map { $0.seq + 1 } ?? 1
        let comparison = ComparingSink(cursor: try reader.cursor(from: firstSeq), stop: stop, seqOffset: firstSeq - 1)
        let (sink, signal) = try execute(&run, comparing: comparison)
        var extra: TraceEvent?
        if case .none = signal { extra = try sink.cursor.next() }
        let compared = Reexecution(sink: sink, signal: signal, extra: extra, run: run, feederNote: nil)
        return outcome(of: compared, status: status, stop: stop, notes: notes)
    }

    /// Restores the checkpoint at `location` into `run` (freshly built from the trace's header).
    static func restore(_ run: inout VariantRun, from location: CheckpointLocation, reader: TraceReader) throws {
        var found: TraceEvent?
        try reader.forEachEvent(from: location.seq) { event in
            found = event
            return false
        }
        guard let found, found.seq == location.seq, found.kind == EventKind.checkpoint.rawValue else {
            throw CheckpointDamage(seq: location.seq, reason: "there is no checkpoint event at this seq")
        }
        let event: CheckpointEvent
        do {
            event = try CheckpointEvent(reading: try parsePayloadJSON(found.payload), seq: found.seq)
        } catch {
            throw CheckpointDamage(seq: location.seq, reason: "its event does not read (\(error))")
        }
        guard event.interval == location.interval else {
            throw CheckpointDamage(seq: location.seq, reason: "its event is of interval \(event.interval), its stored state of \(location.interval)")
        }
        guard let bytes = reader.checkpointState(seq: location.seq, byteCount: event.stateBytes) else {
            throw CheckpointDamage(seq: location.seq, reason: "the stored state does not decompress to the \(event.stateBytes) bytes its event records")
        }
        try run.restore(event: event, bytes: bytes, seq: location.seq)
    }
}
