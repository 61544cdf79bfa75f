// Owns checking a trace's signatures (format 3): every stored signature must verify against the
// public key the trace names, the header must be signed, a sealed trace's seal must be signed and
// an unsealed one's committed events must all be covered. Trust in the key itself is the caller's
// question (`TrustedKeyring`).
import Crypto
import Kernel

extension TraceReader {
    private struct StoredSignature {
        var scope: TraceSigning.Scope
        var seq: Int64
        var signature: [UInt8]
    }

    private enum SignatureOutcome {
        case unsigned
        case signed(TraceSigner)
        case bad(seq: Int64, reason: String)
    }

    /// `chain` with its signer set, or its status made corrupt at the first seq whose signature is
    /// missing or bad (unless the chain already failed earlier).
    func checkSignatures(_ chain: TraceVerification) -> TraceVerification {
        guard header.formatVersion >= 3 else { return chain }
        var verification = chain
        switch signatureOutcome(chain) {
        case .unsigned: break
        case .signed(let signer): verification.signer = signer
        case .bad(let seq, let reason):
            if case .corrupt(let earlier, _) = chain.status, earlier <= seq { break }
            verification.status = .corrupt(atSeq: seq, reason: reason)
        }
        return verification
    }

    private func signatureOutcome(_ chain: TraceVerification) -> SignatureOutcome {
        let signer: (algorithm: String, publicKey: [UInt8])?, signatures: [StoredSignature]
        do throws(SQLiteError) {
            signer = try storedSigner()
            signatures = try storedSignatures()
        } catch {
            return .bad(seq: 0, reason: "signatures unreadable: \(error.message)")
        }
        guard let signer else {
            return signatures.first.map { .bad(seq: $0.seq, reason: "signature without a signer public key") } ?? .unsigned
        }
        guard signer.algorithm == TraceSigning.algorithm,
              let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: signer.publicKey) else {
            return .bad(seq: 0, reason: "signer key is not an Ed25519 public key (\(signer.algorithm), \(signer.publicKey.count) bytes)")
        }
        guard let first = signatures.first, first.scope == .commit, first.seq == 0 else {
            return .bad(seq: 0, reason: "signature missing at seq 0 (the header is not signed)")
        }
        var lastCommitSeq: Int64 = 0, sealSigned = false
        for stored in signatures {
            if case .corrupt = chain.status, stored.seq > chain.verifiedEvents { break }  // beyond what the chain vouches for
            guard stored.seq <= chain.verifiedEvents else {
                return .bad(seq: stored.seq, reason: "signature for seq \(stored.seq), after the last event")
            }
            switch stored.scope {
            case .commit:
                guard let hash = chainHash(atSeq: stored.seq),
                      TraceSigning.isValid(stored.signature, publicKey: publicKey, scope: .commit, headerHash: header.hash,
                                           seq: stored.seq, hash: hash) else {
                    return .bad(seq: stored.seq, reason: "signature at seq \(stored.seq) does not verify against the signer's key "
                                + "(the events up to it, or the signature, were altered)")
                }
                lastCommitSeq = stored.seq
            case .seal:
                guard chain.status.isSealed, stored.seq == chain.verifiedEvents, let hash = storedSealHash(),
                      TraceSigning.isValid(stored.signature, publicKey: publicKey, scope: .seal, headerHash: header.hash,
                                           seq: stored.seq, hash: hash) else {
                    return .bad(seq: stored.seq, reason: "seal signature at seq \(stored.seq) does not verify against the signer's key "
                                + "(the trace was cut short and resealed, or altered)")
                }
                sealSigned = true
            }
        }
        return coverage(chain, lastCommitSeq: lastCommitSeq, sealSigned: sealSigned)
            ?? .signed(TraceSigner(publicKey: signer.publicKey, signatures: signatures.count))
    }

    /// The first seq no signature covers, if any: a sealed trace needs its seal signed; an unsealed
    /// one needs its last committed event signed (every commit is signed in its transaction).
    private func coverage(_ chain: TraceVerification, lastCommitSeq: Int64, sealSigned: Bool) -> SignatureOutcome? {
        switch chain.status {
        case .sealed where !sealSigned:
            return .bad(seq: chain.verifiedEvents, reason: "signature missing at seq \(chain.verifiedEvents): the seal is not signed "
                        + "(the trace was cut short and resealed, or its seal signature removed)")
        case .incomplete where lastCommitSeq < chain.verifiedEvents:
            return .bad(seq: lastCommitSeq + 1, reason: "signature missing at seq \(lastCommitSeq + 1): events from it on are signed by no commit")
        default:
            return nil
        }
    }

    private func storedSigner() throws(SQLiteError) -> (algorithm: String, publicKey: [UInt8])? {
        let statement = try connection.prepare("SELECT algorithm, public_key FROM signer WHERE id = 1")
        guard try statement.step() else { return nil }
        return (statement.text(0), statement.bytes(1))
    }

    /// Every stored signature in seq order (a commit before the seal at the same seq).
    private func storedSignatures() throws(SQLiteError) -> [StoredSignature] {
        let statement = try connection.prepare("SELECT scope, seq, signature FROM signatures ORDER BY seq, scope")
        var signatures: [StoredSignature] = []
        while try statement.step() {
            guard let scope = TraceSigning.Scope(rawValue: statement.text(0)) else {
                throw SQLiteError(code: 1, operation: "read", message: "unknown signature scope '\(statement.text(0))' at seq \(statement.int64(1))")
            }
            signatures.append(StoredSignature(scope: scope, seq: statement.int64(1), signature: statement.bytes(2)))
        }
        return signatures
    }

    /// The stored chain hash after `seq` (the header hash for 0); only called for verified seqs.
    private func chainHash(atSeq seq: Int64) -> [UInt8]? {
        if seq == 0 { return header.hash }
        guard let statement = try? connection.prepare("SELECT hash FROM events WHERE seq = ?") else { return nil }
        statement.bind(1, seq)
        guard (try? statement.step()) == true else { return nil }
        return statement.bytes(0)
    }

    private func storedSealHash() -> [UInt8]? {
        guard let statement = try? connection.prepare("SELECT seal_hash FROM seal WHERE id = 1"),
              (try? statement.step()) == true else { return nil }
        return statement.bytes(0)
    }
}
