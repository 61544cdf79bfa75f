// Owns orders and accounts: per-participant Ed25519 keys derived from the seed, the account
// registry, the canonical order encoding, signed commits (SHA256(order ‖ nonce)) and the reveals
// they authenticate, and their validation with named rejection reasons.
@preconcurrency import Crypto  // key types are immutable values; swift-crypto does not mark them Sendable yet
import Kernel

/// Buy or sell.
public enum OrderSide: UInt8, Sendable, Equatable {
    case buy = 1
    case sell = 2

    public var name: String { self == .buy ? "buy" : "sell" }
}

/// A limit order for one interval: energy in Wh, limit price in µtoken/Wh.
public struct Order: Sendable, Equatable {
    public var participant: Int
    public var interval: Int
    public var side: OrderSide
    public var energyWattHours: Int64
    public var limitPriceMicroTokensPerWattHour: Int64

    public init(participant: Int, interval: Int, side: OrderSide, energyWattHours: Int64,
                limitPriceMicroTokensPerWattHour: Int64) {
        precondition(energyWattHours > 0, "orders carry positive energy")
        precondition(limitPriceMicroTokensPerWattHour >= 0, "limit prices are non-negative")
        self.participant = participant
        self.interval = interval
        self.side = side
        self.energyWattHours = energyWattHours
        self.limitPriceMicroTokensPerWattHour = limitPriceMicroTokensPerWattHour
    }

    /// The canonical bytes committed to: a domain tag, then every field, then the nonce, so the
    /// signed commitment binds participant, interval, every field of the order and the nonce.
    public func canonicalBytes(nonce: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 96)
        encoder.append("gridtrace.order.v1")
        encoder.append(Int64(participant))
        encoder.append(Int64(interval))
        encoder.append(side.rawValue)
        encoder.append(energyWattHours)
        encoder.append(limitPriceMicroTokensPerWattHour)
        encoder.append(bytesOf: nonce)
        return encoder.bytes
    }

    /// `SHA256(order ‖ nonce)`: the commitment published in minute 0–1.
    public func commitment(nonce: [UInt8]) -> [UInt8] {
        var bytes = canonicalBytes(nonce: nonce)
        bytes.append(contentsOf: nonce)
        return Array(SHA256.hash(data: bytes))
    }

    /// The `order_revealed` payload.
    public var json: CanonicalJSON { OrderRevealedEvent(self).canonical }
}

/// A participant's signing key, derived deterministically from the run's seed.
public struct ParticipantKey: Sendable {
    public let participant: Int
    public let privateKey: Curve25519.Signing.PrivateKey

    /// The 32-byte seed is four draws of the participant's sub-stream of `"market.signing"`.
    public init(participant: Int, rootSeed: UInt64) {
        let keySeeds = SeedStreams(rootSeed: rootSeed).substreams("market.signing")
        var rng = keySeeds.stream("participant:\(participant)")
        let seed = rng.nextBytes(words: 4)
        self.participant = participant
        // A 32-byte raw representation is always a valid Ed25519 seed; failure is a programmer error.
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            preconditionFailure("Ed25519 key from a 32-byte seed cannot fail")
        }
        privateKey = key
    }

    public var publicKeyBytes: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }

    /// Ed25519 signature (deterministic, RFC 8032, as BoringSSL implements it on Linux).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let signature = try? privateKey.signature(for: message) else {
            preconditionFailure("Ed25519 signing failed")
        }
        return Array(signature)
    }
}

/// The account registry: participant index → registered public key. Unknown accounts are rejected.
public struct AccountRegistry: Sendable {
    private var publicKeys: [Curve25519.Signing.PublicKey?] = []

    public init() {}

    /// Registers (or replaces) `participant`'s public key.
    public mutating func register(participant: Int, publicKey: [UInt8]) {
        precondition(participant >= 0, "participant indices are non-negative")
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            preconditionFailure("registering a malformed Ed25519 public key for participant \(participant)")
        }
        if participant >= publicKeys.count { publicKeys += [Curve25519.Signing.PublicKey?](repeating: nil, count: participant + 1 - publicKeys.count) }
        publicKeys[participant] = key
    }

    public func isRegistered(_ participant: Int) -> Bool {
        participant >= 0 && participant < publicKeys.count && publicKeys[participant] != nil
    }

    /// True when `signature` is `participant`'s valid Ed25519 signature of `message`.
    public func verify(participant: Int, message: [UInt8], signature: [UInt8]) -> Bool {
        // swift-crypto traps on a signature of the wrong length; a peer's malformed bytes must not crash us.
        guard signature.count == 64, isRegistered(participant), let key = publicKeys[participant] else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// Whether a commit carries its participant's signature over its canonical bytes.
    public func verifySignature(of commit: CommitTransaction) -> Bool {
        verify(participant: commit.participant,
               message: CommitTransaction.signedBytes(participant: commit.participant, interval: commit.interval, commitment: commit.commitment),
               signature: commit.signature)
    }
}

/// Minute 0–1: a signed commitment to an order that stays hidden until the reveal.
public struct CommitTransaction: Sendable, Equatable {
    public var participant: Int
    public var interval: Int
    public var commitment: [UInt8]
    public var signature: [UInt8]

    public static func signedBytes(participant: Int, interval: Int, commitment: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 80)
        encoder.append("gridtrace.commit.v1")
        encoder.append(Int64(participant))
        encoder.append(Int64(interval))
        encoder.append(bytesOf: commitment)
        return encoder.bytes
    }

    /// Canonical bytes of the whole transaction (what a block carries and what its size is).
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.append(bytesOf: Self.signedBytes(participant: participant, interval: interval, commitment: commitment))
        encoder.append(bytesOf: signature)
        return encoder.bytes
    }

    /// The `order_committed` payload.
    public var json: CanonicalJSON { OrderCommittedEvent(self).canonical }
}

/// Minute 1: the order and its nonce.
///
/// A reveal carries no signature of its own: the participant's signed commitment authenticates it.
/// Only the committer knows the nonce until the reveal, so an order whose `SHA256(order ‖ nonce)`
/// equals a signed commitment can only come from that participant (a copy of a published reveal
/// is the same order and is refused as a second reveal). This is the commit–reveal scheme of
/// DESIGN.md (a signed commit in minute 0–1, the reveal in minute 1) and halves the Ed25519 work.
public struct RevealTransaction: Sendable, Equatable {
    public var order: Order
    public var nonce: [UInt8]

    public init(order: Order, nonce: [UInt8]) {
        self.order = order
        self.nonce = nonce
    }

    /// Canonical bytes of the whole transaction (what a block carries and what its size is).
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.append(bytesOf: order.canonicalBytes(nonce: nonce))
        return encoder.bytes
    }

    public var json: CanonicalJSON {
        ["type": "reveal", "order": order.json, "nonce": .string(hexString(nonce))]
    }
}

/// Makes a participant's commit and reveal for one order.
public func makeCommitAndReveal(order: Order, nonce: [UInt8], key: ParticipantKey) -> (CommitTransaction, RevealTransaction) {
    precondition(key.participant == order.participant, "signing another participant's order")
    let commitment = order.commitment(nonce: nonce)
    let commitSignature = key.sign(CommitTransaction.signedBytes(participant: order.participant, interval: order.interval,
                                                                 commitment: commitment))
    let commit = CommitTransaction(participant: order.participant, interval: order.interval,
                                   commitment: commitment, signature: commitSignature)
    return (commit, RevealTransaction(order: order, nonce: nonce))
}

/// Why a commit or reveal was refused.
public enum RejectionReason: String, Sendable, Equatable, CaseIterable {
    /// The reveal's `SHA256(order ‖ nonce)` differs from the participant's commitment.
    case commitmentMismatch = "commitment_mismatch"
    /// The participant has no account in the registry.
    case unknownAccount = "unknown_account"
    /// The commit's Ed25519 signature does not verify under the participant's registered key.
    case badSignature = "bad_signature"
    /// A validly signed transaction of another interval was submitted again.
    case replayFromAnotherInterval = "replay_from_another_interval"
    /// A reveal arrived without a commitment in this interval.
    case noCommitment = "no_commitment"
    /// A second commitment from the same participant in one interval.
    case duplicateCommitment = "duplicate_commitment"
    /// The participant has used up today's bidding tokens.
    case biddingAllowanceExhausted = "bidding_allowance_exhausted"
}

/// The two transactions of the commit–reveal protocol.
public enum TransactionPhase: String, Sendable, Equatable {
    case commit
    case reveal
}

/// A refused transaction: who, which interval, which phase, why.
public struct OrderRejection: Sendable, Equatable, CustomStringConvertible {
    public var participant: Int
    public var interval: Int
    public var phase: TransactionPhase
    public var reason: RejectionReason

    public init(participant: Int, interval: Int, phase: TransactionPhase, reason: RejectionReason) {
        self.participant = participant
        self.interval = interval
        self.phase = phase
        self.reason = reason
    }

    public var description: String {
        "participant \(participant), interval \(interval): \(phase.rawValue) rejected (\(reason.rawValue))"
    }

    /// The `order_rejected` payload.
    public var json: CanonicalJSON { OrderRejectedEvent(self).canonical }
}

/// One interval's commit–reveal book: validates commits, then reveals against them.
///
/// Storage is indexed by participant (arrays, never hashed), so iteration order is fixed.
public struct CommitRevealBook: Sendable {
    public let interval: Int
    private var commitments: [[UInt8]?]
    public private(set) var accepted: [Order] = []
    public private(set) var rejections: [OrderRejection] = []

    public init(interval: Int, participantCount: Int) {
        self.interval = interval
        commitments = [[UInt8]?](repeating: nil, count: participantCount)
    }

    /// Validates a commit; returns the rejection reason, or nil when accepted.
    /// `spendBiddingToken` is asked only for otherwise valid commits and returns false when the allowance is used up.
    /// `signatureValid`, when given, is the result of `registry.verify` computed beforehand (e.g. for a
    /// whole batch in parallel).
    @discardableResult
    public mutating func submit(_ commit: CommitTransaction, registry: AccountRegistry, signatureValid: Bool? = nil,
                                spendBiddingToken: (Int) -> Bool = { _ in true }) -> RejectionReason? {
        let reason = commitRejection(commit, registry: registry, signatureValid: signatureValid, spendBiddingToken: spendBiddingToken)
        if let reason { rejections.append(OrderRejection(participant: commit.participant, interval: interval, phase: .commit, reason: reason)) }
        return reason
    }

    private mutating func commitRejection(_ commit: CommitTransaction, registry: AccountRegistry, signatureValid: Bool?,
                                          spendBiddingToken: (Int) -> Bool) -> RejectionReason? {
        guard registry.isRegistered(commit.participant), commit.participant < commitments.count else { return .unknownAccount }
        guard signatureValid ?? registry.verifySignature(of: commit) else { return .badSignature }
        guard commit.interval == interval else { return .replayFromAnotherInterval }
        guard commitments[commit.participant] == nil else { return .duplicateCommitment }
        guard spendBiddingToken(commit.participant) else { return .biddingAllowanceExhausted }
        commitments[commit.participant] = commit.commitment
        return nil
    }

    /// Validates a reveal against its commitment; accepted orders are appended to `accepted`.
    @discardableResult
    public mutating func submit(_ reveal: RevealTransaction, registry: AccountRegistry) -> RejectionReason? {
        let reason = revealRejection(reveal, registry: registry)
        if let reason {
            rejections.append(OrderRejection(participant: reveal.order.participant, interval: interval, phase: .reveal, reason: reason))
        } else {
            accepted.append(reveal.order)
        }
        return reason
    }

    private mutating func revealRejection(_ reveal: RevealTransaction, registry: AccountRegistry) -> RejectionReason? {
        let participant = reveal.order.participant
        guard registry.isRegistered(participant), participant < commitments.count else { return .unknownAccount }
        guard reveal.order.interval == interval else { return .replayFromAnotherInterval }
        guard let commitment = commitments[participant] else { return .noCommitment }
        guard reveal.order.commitment(nonce: reveal.nonce) == commitment else { return .commitmentMismatch }
        commitments[participant] = nil  // one reveal per commitment
        return nil
    }
}
