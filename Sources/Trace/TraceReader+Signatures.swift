// Owns checking a trace's signatures (format 3): every stored signature must verify against the
// public key the trace names, the header must be signed, a sealed trace's seal must be signed and
// an unsealed one's committed events must all be covered. Trust in the key itself is the caller's
// question (`TrustedKeyring`).
import Crypto
import Kernel

extension TraceReader {
    private struct StoredSignature: Sendable {
        var scope: TraceSigning.Scope
        var seq: Int64
        var signature: [UInt8]
    }

    /// A stored signature and the hash it should vouch for (nil when there is none to vouch for).
    private struct SignatureCheck: Sendable {
        var stored: StoredSignature
        var hash: [UInt8]?
    }

    private enum SignatureOutcome {
        case unsigned
        case signed(TraceSigner)
        case bad(seq: Int64, reason: String)
    }

    /// `chain` with its signer set, or its status made corrupt at the first seq whose signature is
    /// missing or bad (unless the chain already failed earlier).
    func checkSignatures(_ chain: TraceVerification, parallelism: Parallelism) -> TraceVerification {
        guard header.formatVersion >= 3 else { return chain }
        var verification = chain
        switch signatureOutcome(chain, parallelism: parallelism) {
        case .unsigned: break
        case .signed(let signer): verification.signer = signer
        case .bad(let seq, let reason):
            if case .corrupt(let earlier, _) = chain.status, earlier <= seq { break }
            verification.status = .corrupt(atSeq: seq, reason: reason)
        }
        return verification
    }

    private func signatureOutcome(_ chain: TraceVerification, parallelism: Parallelism) -> SignatureOutcome {
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
              (try? Curve25519.Signing.PublicKey(rawRepresentation: signer.publicKey)) != nil else {
            return .bad(seq: 0, reason: "signer key is not an Ed25519 public key (\(signer.algorithm), \(signer.publicKey.count) bytes)")
        }
        guard let first = signatures.first, first.scope == .commit, first.seq == 0 else {
            return .bad(seq: 0, reason: "signature missing at seq 0 (the header is not signed)")
        }
        // What each signature vouches for is read in seq order; the Ed25519 checks (67 µs each, the
        // bulk of the cost) then run on all cores (unless `.serial`), and the first failure in seq order is reported.
        let (checks, structural) = signatureChecks(signatures, chain: chain)
        let headerHash = header.hash, publicKeyBytes = signer.publicKey
        let valid = deterministicParallelMap(checks, minimumBatch: 16, parallelism: parallelism) { check in
            guard let hash = check.hash, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) else { return false }
            return TraceSigning.isValid(check.stored.signature, publicKey: key, scope: check.stored.scope, headerHash: headerHash,
                                        seq: check.stored.seq, hash: hash)
        }
        var lastCommitSeq: Int64 = 0, sealSigned = false
        for (check, isValid) in zip(checks, valid) {
            let seq = check.stored.seq
            switch (check.stored.scope, isValid) {
            case (.commit, true): lastCommitSeq = seq
            case (.seal, true): sealSigned = true
            case (.commit, false):
                return .bad(seq: seq, reason: "signature at seq \(seq) does not verify against the signer's key "
                            + "(the events up to it, or the signature, were altered)")
            case (.seal, false):
                return .bad(seq: seq, reason: "seal signature at seq \(seq) does not verify against the signer's key "
                            + "(the trace was cut short and resealed, or altered)")
            }
        }
        if let structural { return structural }
        return coverage(chain, lastCommitSeq: lastCommitSeq, sealSigned: sealSigned)
            ?? .signed(TraceSigner(publicKey: signer.publicKey, signatures: signatures.count))
    }

    /// Each signature the chain can vouch for, with the hash it should sign, in seq order; and the
    /// failure that stopped the list (a signature after the last event), if any.
    private func signatureChecks(_ signatures: [StoredSignature], chain: TraceVerification) -> ([SignatureCheck], SignatureOutcome?) {
        var checks: [SignatureCheck] = []
        let hashAtSeq = try? connection.prepare("SELECT hash FROM events WHERE seq = ?")
        for stored in signatures {
            if case .corrupt = chain.status, stored.seq > chain.verifiedEvents { break }  // beyond what the chain vouches for
            guard stored.seq <= chain.verifiedEvents else {
                return (checks, .bad(seq: stored.seq, reason: "signature for seq \(stored.seq), after the last event"))
            }
            let hash = stored.scope == .seal
                ? (chain.status.isSealed && stored.seq == chain.verifiedEvents ? storedSealHash() : nil)
                : chainHash(atSeq: stored.seq, using: hashAtSeq)
            checks.append(SignatureCheck(stored: stored, hash: hash))
        }
        return (checks, nil)
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
    private func chainHash(atSeq seq: Int64, using statement: SQLiteStatement?) -> [UInt8]? {
        if seq == 0 { return header.hash }
        guard let statement else { return nil }
        defer { statement.reset() }
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
