// Owns verifying the hash chain: one loop that re-hashes a stretch of events from the stored hash
// of the event before it, used by the whole-trace `verify()`, by `verifySuffix` (replay --from) and
// by the parts of a parallel replay, which each verify their own stretch on their own thread;
// `verify(stretches:)` joins the stretches into exactly the verdict `verify()` gives.
import Kernel

/// What verifying one stretch of the hash chain found (`TraceReader.verifyStretch`).
public struct ChainStretch: Sendable {
    /// The first seq the stretch covers.
    public var firstSeq: Int64
    /// The last seq it was to cover (nil: up to the last stored event).
    public var throughSeq: Int64?
    /// The first damage found in it (always `.corrupt`); nil when every event read links up.
    public var failure: TraceStatus?
    /// The last seq that verified (`firstSeq - 1` when none did).
    public var verifiedThrough: Int64
    /// The chain hash after `verifiedThrough`.
    public var finalHash: [UInt8]
    /// The verified events counted by kind, in kind order.
    public var counts: [(kind: String, count: Int64)]

    /// Whether the stored events ended, undamaged, before `throughSeq` (a crashed run's prefix).
    public var endedEarly: Bool { failure == nil && (throughSeq.map { verifiedThrough < $0 } ?? false) }
}

extension TraceReader {
    /// Verifies the events after `afterSeq` up to `throughSeq` (to the last stored event when nil):
    /// each one's seq and its hash, chained from the stored hash of event `afterSeq` (the header's
    /// hash for 0). The seal is not looked at; never throws.
    ///
    /// Stretches that follow each other (each after the previous one's `throughSeq`) verify the
    /// chain exactly once between them, and report damage at the seq `verify()` would: each link
    /// from one stretch to the next is the stored hash the earlier stretch checked last.
    public func verifyStretch(after afterSeq: Int64, through throughSeq: Int64? = nil) -> ChainStretch {
        precondition(afterSeq >= 0 && throughSeq.map { $0 > afterSeq } ?? true, "a stretch covers at least one seq")
        guard afterSeq > 0 else { return verifyChain(fromSeq: 1, previousHash: header.hash, throughSeq: throughSeq) }
        let previous: [UInt8]
        do {
            let statement = try connection.prepare("SELECT hash FROM events WHERE seq = ?")
            statement.bind(1, afterSeq)
            guard try statement.step() else {
                return ChainStretch(firstSeq: afterSeq + 1, throughSeq: throughSeq, failure: .corrupt(atSeq: afterSeq, reason: "event missing"),
                                    verifiedThrough: afterSeq, finalHash: [], counts: [])
            }
            previous = statement.bytes(0)
        } catch {
            return ChainStretch(firstSeq: afterSeq + 1, throughSeq: throughSeq,
                                failure: .corrupt(atSeq: afterSeq, reason: "unreadable: \(error.message)"),
                                verifiedThrough: afterSeq, finalHash: [], counts: [])
        }
        return verifyChain(fromSeq: afterSeq + 1, previousHash: previous, throughSeq: throughSeq)
    }

    /// The one hash-chain loop: re-hashes events `firstSeq…throughSeq` in seq order from
    /// `previousHash` and compares each with its stored hash; stops at the first damage.
    func verifyChain(fromSeq firstSeq: Int64, previousHash: [UInt8], throughSeq: Int64?) -> ChainStretch {
        var tally = KindTally()
        var previous = previousHash
        var current = [UInt8](repeating: 0, count: TraceFormat.hashBytes)
        var hasher = EventHasher()
        var expectedSeq = firstSeq
        let lastSeq = throughSeq ?? Int64.max
        func stretch(_ failure: TraceStatus?) -> ChainStretch {
            ChainStretch(firstSeq: firstSeq, throughSeq: throughSeq, failure: failure, verifiedThrough: expectedSeq - 1,
                         finalHash: previous, counts: tally.sorted)
        }
        do {
            let rows = try connection.prepare("SELECT seq, time_ms, kind, actor, payload, hash FROM events WHERE seq >= ? ORDER BY seq")
            // From seq 1, every stored row is read: one at seq 0 or below is an event out of place.
            rows.bind(1, firstSeq == 1 ? Int64.min : firstSeq)
            while expectedSeq <= lastSeq, try rows.step() {
                let seq = rows.int64(0)
                if seq != expectedSeq, truncation != nil { return stretch(.corrupt(atSeq: expectedSeq, reason: "event lost")) }
                if seq != expectedSeq {
                    return stretch(.corrupt(atSeq: expectedSeq, reason: "event missing (next stored seq is \(seq))"))
                }
                rows.withBytes(2) { kind in
                    rows.withBytes(3) { actor in
                        rows.withBytes(4) { payload in
                            previous.withUnsafeBytes { prev in
                                hasher.chain(previous: prev, seq: seq, timeMilliseconds: rows.int64(1),
                                             kind: kind, actor: actor, payload: payload, into: &current)
                            }
                        }
                    }
                }
                guard rows.withBytes(5, { $0.elementsEqual(current) }) else {
                    return stretch(.corrupt(atSeq: seq, reason: "hash mismatch (event altered, moved or inserted)"))
                }
                rows.withBytes(2) { tally.add($0) }
                swap(&previous, &current)
                expectedSeq += 1
            }
        } catch {
            return stretch(.corrupt(atSeq: expectedSeq, reason: "unreadable: \(error.message)"))
        }
        return stretch(nil)
    }

    /// The whole trace's verdict from stretches of its chain verified separately (by `verifyStretch`,
    /// perhaps on other threads): the first after seq 0, each next one after the previous one's
    /// `throughSeq`, the last to the end. Checks the header, the stored feeder files, the seal
    /// (against all the stretches' kind counts) and the signatures here: exactly what `verify()`
    /// reports. Stretches after one that ended early or found damage are not looked at.
    public func verify(stretches: [ChainStretch], parallelism: Parallelism) -> TraceVerification {
        precondition(!stretches.isEmpty && stretches.last?.throughSeq == nil, "the last stretch runs to the end of the trace")
        return checkSignatures(joinChain(stretches), parallelism: parallelism)
    }

    /// The header, the stored files, the stretches in order, then the seal.
    private func joinChain(_ stretches: [ChainStretch]) -> TraceVerification {
        var counts: [(kind: String, count: Int64)] = []
        var verifiedEvents: Int64 = 0
        var finalHash = header.hash
        func result(_ status: TraceStatus) -> TraceVerification {
            var status = status
            if case .corrupt(let seq, let reason) = status, let truncation {
                status = .corrupt(atSeq: seq, reason: "\(reason); file truncated to \(truncation.actualBytes) of \(truncation.expectedBytes) bytes")
            }
            return TraceVerification(status: status, verifiedEvents: verifiedEvents, finalHash: finalHash, counts: counts)
        }
        if let stored = try? connection.prepare("SELECT header_hash FROM header WHERE id = 1"),
           (try? stored.step()) == true, stored.bytes(0) != header.hash {
            return result(.corrupt(atSeq: 0, reason: "header does not match its recorded hash"))
        }
        if case .failure(let damage) = storedFiles() {
            return result(.corrupt(atSeq: 0, reason: damage.reason))
        }
        for stretch in stretches {
            precondition(stretch.firstSeq == verifiedEvents + 1, "stretches follow each other from seq 1")
            counts = Self.merged(counts, stretch.counts)
            if let failure = stretch.failure {
                if stretch.verifiedThrough >= stretch.firstSeq { (verifiedEvents, finalHash) = (stretch.verifiedThrough, stretch.finalHash) }
                return result(failure)
            }
            (verifiedEvents, finalHash) = (stretch.verifiedThrough, stretch.finalHash)
            if stretch.endedEarly { break }
        }
        return result(checkSeal(lastSeq: verifiedEvents, finalHash: finalHash, counts: counts))
    }

    /// Two kind-ordered counts added up, in kind order.
    private static func merged(_ a: [(kind: String, count: Int64)], _ b: [(kind: String, count: Int64)]) -> [(kind: String, count: Int64)] {
        var out: [(kind: String, count: Int64)] = []
        for entry in (a + b).sorted(by: { $0.kind < $1.kind }) {
            if let last = out.last, last.kind == entry.kind { out[out.count - 1].count += entry.count } else { out.append(entry) }
        }
        return out
    }
}
