// Owns reading checkpoints back: where they are (the `checkpoints` table, format 4), their stored
// state, and verifying the part of the chain a replay from a checkpoint relies on — from the
// checkpoint's event to the seal — without reading the events before it (the chain loop itself is
// `TraceReader+Chain`).
import CSQLite
import Kernel

/// Where a checkpoint's event is and which interval runs next from it.
public struct CheckpointLocation: Sendable, Equatable {
    public var seq: Int64
    public var interval: Int

    public init(seq: Int64, interval: Int) {
        self.seq = seq
        self.interval = interval
    }
}

extension TraceReader {
    /// Every stored checkpoint, in seq order (none before format 4).
    public func checkpoints() throws(TraceError) -> [CheckpointLocation] {
        guard header.formatVersion >= TraceFormat.checkpointsVersion else { return [] }
        do throws(SQLiteError) {
            let rows = try connection.prepare("SELECT seq, interval FROM checkpoints ORDER BY seq")
            var out: [CheckpointLocation] = []
            while try rows.step() {
                let interval = rows.int64(1)
                guard let whole = Int(exactly: interval), whole >= 0 else {
                    throw SQLiteError(code: SQLITE_CORRUPT, operation: "checkpoints", message: "interval \(interval) at seq \(rows.int64(0))")
                }
                out.append(CheckpointLocation(seq: rows.int64(0), interval: whole))
            }
            return out
        } catch {
            throw .database(path: path, error)
        }
    }

    /// The stored state of the checkpoint at `seq`, decompressed to `byteCount` bytes; nil when the
    /// row is missing or does not decompress to that size (the caller checks its SHA-256).
    public func checkpointState(seq: Int64, byteCount: Int) -> [UInt8]? {
        guard let statement = try? connection.prepare("SELECT zlib FROM checkpoints WHERE seq = ?") else { return nil }
        statement.bind(1, seq)
        guard (try? statement.step()) == true else { return nil }
        return Zlib.decompress(statement.bytes(0), byteCount: byteCount)
    }

    /// Verifies the chain from event `firstSeq` to the seal: each event's link to the stored hash of
    /// the one before, and the seal's final hash, event count and seal hash. What lies before
    /// `firstSeq` is not read (`verify()` checks the whole trace); a sealed trace whose suffix links
    /// up cannot have had `firstSeq` or anything after it changed without recomputing every later
    /// hash and the seal, which a signed trace's seal signature also covers.
    public func verifySuffix(from firstSeq: Int64) -> TraceStatus {
        precondition(firstSeq >= 1, "events start at seq 1")
        let stretch = verifyStretch(after: firstSeq - 1)
        if let failure = stretch.failure { return failure }
        return checkSealOfSuffix(lastSeq: stretch.verifiedThrough, finalHash: stretch.finalHash)
    }

    /// The seal against a verified suffix: its final hash and event count, and its own hash (the
    /// per-kind counts it records cover the whole trace, which a suffix cannot recount).
    private func checkSealOfSuffix(lastSeq: Int64, finalHash: [UInt8]) -> TraceStatus {
        guard let seal = storedSeal() else { return .incomplete(atSeq: lastSeq + 1) }
        if seal.events != lastSeq { return .corrupt(atSeq: min(seal.events, lastSeq) + 1, reason: "the seal records \(seal.events) events") }
        guard seal.finalHash == finalHash else { return .corrupt(atSeq: lastSeq, reason: "final hash differs from the seal") }
        guard let statement = try? connection.prepare("SELECT seal_hash FROM seal WHERE id = 1"), (try? statement.step()) == true,
              seal.seed == header.seed,
              statement.bytes(0) == sealHash(finalHash: finalHash, events: seal.events, seed: seal.seed, countsJSON: seal.countsJSON) else {
            return .corrupt(atSeq: lastSeq, reason: "seal altered (seed or seal hash do not match)")
        }
        return .sealed
    }
}
