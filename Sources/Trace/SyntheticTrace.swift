// Owns a kernel-only trace generator: seeded pseudo-events of every kind, written with one commit
// per "interval". It feeds the trace tests, the crash test and the trace benchmark until (and
// besides) the real co-simulation.
import Kernel

/// Writes `events` pseudo-random events derived from `seed` into a new trace at `path`.
///
/// Event i (1-based) happens at 100·i ms; its kind cycles through `EventKind.allCases`; its payload
/// carries draws from the "selftest" stream (an integer, a double, a short string). Every
/// `eventsPerCommit` events the writer commits, then `afterCommit(lastSeq)` runs; `afterAppend(seq)`
/// runs after each append, before any commit (the CLI uses it to
/// pause so a test can kill the process at a known commit point). The trace is sealed at the end
/// unless `seal` is false. With `signingKey` the trace is signed (`TraceWriter`).
public enum SyntheticTrace {
    public static func write(path: String, seed: UInt64, events: Int, eventsPerCommit: Int = 1000,
                             seal: Bool = true, engineVersion: String, signingKey: TraceSigningKey? = nil,
                             afterAppend: (Int64) -> Void = { _ in },
                             afterCommit: (Int64) -> Void = { _ in }) throws(TraceError) -> TraceWriter {
        precondition(events >= 0 && eventsPerCommit > 0, "synthetic trace sizes must be positive")
        let header = TraceHeader(engineVersion: engineVersion, seed: seed,
                                 scenarioText: "selftest events=\(events) per_commit=\(eventsPerCommit)\n")
        let writer = try TraceWriter(creatingAt: path, header: header, signingKey: signingKey)
        var random = SeedStreams(rootSeed: seed).stream("selftest")
        let kinds = EventKind.allCases
        let actors = (0..<55).map { "home:\($0)" }
        for index in 0..<events {
            let n = Int64(random.uniformInt(below: 1_000_000))
            let x = random.uniformDouble(in: -10..<10)
            let payload = SelftestEvent(n: n, x: x, tag: String(random.next() % 0xFFFF, radix: 16)).canonical
            try writer.append(EventRecord(
                time: SimTime(milliseconds: Int64(index + 1) * 100), kind: kinds[index % kinds.count],
                actor: actors[index % actors.count], payload: payload))
            afterAppend(writer.lastSeq)
            if (index + 1) % eventsPerCommit == 0 {
                try writer.commit()
                afterCommit(writer.lastSeq)
            }
        }
        if seal { try writer.seal() } else { try writer.commit() }
        return writer
    }
}
