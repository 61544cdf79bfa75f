// Owns what a checkpoint keeps of the chain simulator: everything that changes while it runs (block
// tree, transactions, mempool, blocks in flight and the queue of pending events, node tips, the
// mining and workload PRNG streams, counters). What the configuration and seed fix (topology,
// hash shares, relay delays) is rebuilt by `init`, never stored.
import Kernel

extension ChainSimulator {
    /// The simulator's changing state, in the canonical checkpoint encoding.
    public struct CheckpointState: Codable, Sendable {
        var now: SimTime
        var queue: EventQueue<ChainEvent>
        var miningRandom: Xoshiro256StarStar
        var workloadRandom: Xoshiro256StarStar
        var flood: FloodEngine
        var blocks: BlockTable
        var nodeTip: [Int32]
        var slots: PropagationSlots
        var transactions: TransactionTable
        var pool: Mempool
        var watched: [[Int32]]
        var pendingNotices: [TransactionNotice]
        var bestTip: Int32
        var finalizedHeight: Int32
        var miningBlockLimit: Int?
        var nextWorkloadMilliseconds: Int64
        var counters: ChainCounters
    }

    /// The state to store; the event log must have been drained (a checkpoint sits between intervals).
    public var checkpointState: CheckpointState {
        precondition(log.records.isEmpty, "a chain checkpoint is taken with its event log drained")
        return CheckpointState(
            now: now, queue: queue, miningRandom: miningRandom, workloadRandom: workloadRandom, flood: flood,
            blocks: blocks, nodeTip: nodeTip, slots: slots, transactions: transactions, pool: pool, watched: watched,
            pendingNotices: pendingNotices, bestTip: bestTip, finalizedHeight: finalizedHeight,
            miningBlockLimit: miningBlockLimit, nextWorkloadMilliseconds: nextWorkloadMilliseconds, counters: counters)
    }

    /// Puts a stored state into a simulator built from the same configuration and seed.
    /// Throws when the state does not fit this configuration (another node count).
    public mutating func restore(_ state: CheckpointState) throws(ChainError) {
        let n = configuration.nodeCount
        guard state.nodeTip.count == n, state.watched.count == n, state.slots.nodeCount == n else {
            throw ChainError.invalidConfiguration(parameter: "checkpoint", value: "\(state.nodeTip.count) nodes",
                                                 reason: "the configuration has \(n) nodes")
        }
        now = state.now
        queue = state.queue
        miningRandom = state.miningRandom
        workloadRandom = state.workloadRandom
        flood = state.flood
        blocks = state.blocks
        nodeTip = state.nodeTip
        slots = state.slots
        transactions = state.transactions
        pool = state.pool
        watched = state.watched
        pendingNotices = state.pendingNotices
        bestTip = state.bestTip
        finalizedHeight = state.finalizedHeight
        miningBlockLimit = state.miningBlockLimit
        nextWorkloadMilliseconds = state.nextWorkloadMilliseconds
        counters = state.counters
    }
}
