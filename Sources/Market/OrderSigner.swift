// Owns the parallel, order-independent half of the commit–reveal protocol: signing prepared orders
// and checking commit signatures. Both are pure functions of keys and bytes (Ed25519 is
// deterministic), so they may run on all cores (the caller's `Parallelism` says) and overlap other work of the interval (the chain
// carrying the transactions) without changing any result.
import Kernel

/// One home's order and its commitment nonce, drawn but not yet signed.
public struct PendingOrder: Sendable, Equatable {
    public var order: Order
    public var nonce: [UInt8]
}

/// The orders of one interval in home order, before signing (see `MarketSession.prepareOrders`).
public struct PreparedOrders: Sendable, Equatable {
    public var interval: Int
    public var orders: [PendingOrder]
    /// What each home declared, kWh (+ buy, − sell); adversaries' lies included.
    public var declaredNetKilowattHours: [Double]
}

/// A commit together with the outcome of checking its signature against the account registry.
///
/// Only `AccountRegistry.check` makes one, so a `CheckedCommit` handed to `MarketSession.clear`
/// always carries the real check of exactly its commit's bytes.
public struct CheckedCommit: Sendable, Equatable {
    public let commit: CommitTransaction
    public let signatureValid: Bool

    fileprivate init(commit: CommitTransaction, signatureValid: Bool) {
        self.commit = commit
        self.signatureValid = signatureValid
    }
}

extension AccountRegistry {
    /// Checks `commit`'s signature under its participant's registered key (false for unknown accounts).
    public func check(_ commit: CommitTransaction) -> CheckedCommit {
        CheckedCommit(commit: commit, signatureValid: verifySignature(of: commit))
    }

    /// Checks every commit (on all cores with `.allCores`); results in commit order.
    public func check(_ commits: [CommitTransaction], parallelism: Parallelism) -> [CheckedCommit] {
        let registry = self
        return deterministicParallelMap(commits, parallelism: parallelism) { registry.check($0) }
    }
}

/// A signed interval: each order's commit and reveal, and (when asked for) each commit's check.
public struct SignedOrders: Sendable {
    public var submission: OrderSubmission
    /// `submission.commits[i]` checked, in the same order; empty unless `signAndCheck` made it.
    public var checkedCommits: [CheckedCommit]
}

/// The participants' keys and the registry of a session, detached from it so that signing and
/// checking can run on other threads.
public struct OrderSigner: Sendable {
    let keys: [ParticipantKey]
    public let registry: AccountRegistry

    /// Each prepared order's commit and reveal, signed (on all cores with `.allCores`).
    public func sign(_ prepared: PreparedOrders, parallelism: Parallelism) -> OrderSubmission {
        let keys = self.keys
        let signed = deterministicParallelMap(prepared.orders, parallelism: parallelism) { makeCommitAndReveal(order: $0.order, nonce: $0.nonce, key: keys[$0.order.participant]) }
        return OrderSubmission(interval: prepared.interval, commits: signed.map(\.0), reveals: signed.map(\.1),
                               declaredNetKilowattHours: prepared.declaredNetKilowattHours)
    }

    /// Signs every prepared order and checks each resulting commit in the same pass, on all cores
    /// with `.allCores` (one fork–join instead of two), else on the calling thread. The receiving market uses the checks of the commits the
    /// chain delivers: the check is a function of the commit's bytes alone, so checking it when it
    /// is sent gives what checking it on arrival would.
    public func signAndCheck(_ prepared: PreparedOrders, parallelism: Parallelism) -> SignedOrders {
        let keys = self.keys, registry = self.registry
        let signed = deterministicParallelMap(prepared.orders, parallelism: parallelism) { pending in
            let (commit, reveal) = makeCommitAndReveal(order: pending.order, nonce: pending.nonce, key: keys[pending.order.participant])
            return (registry.check(commit), reveal)
        }
        let submission = OrderSubmission(interval: prepared.interval, commits: signed.map(\.0.commit), reveals: signed.map(\.1),
                                         declaredNetKilowattHours: prepared.declaredNetKilowattHours)
        return SignedOrders(submission: submission, checkedCommits: signed.map(\.0))
    }
}
