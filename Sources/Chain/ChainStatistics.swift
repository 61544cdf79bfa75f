// Owns the summary of a chain simulation: block, fork, orphan and reorg counts, confirmation
// times and throughput, with the definitions each figure uses.

/// What a simulation produced so far.
///
/// Definitions: a *fork* is a block mined at a height that already had a block; an *orphan*
/// (stale block) is a mined block not on the best chain (the highest block, first mined winning
/// ties), so `orphans = blocksMined − bestHeight`; a *node reorg* is a node switching to a tip
/// whose chain does not contain its previous tip. Confirmation time runs from submission to the
/// moment the submitting node's best chain holds the transaction `confirmationDepth` deep.
public struct ChainStatistics: Sendable, Equatable {
    public var blocksMined: Int
    public var bestHeight: Int
    public var orphans: Int
    public var forks: Int
    /// Node-level reorgs (one per node that switched branch) and block-level reorg events.
    public var nodeReorgs: Int
    public var reorgEvents: Int
    public var maxReorgDepth: Int
    /// Block acceptances simulated (one per node per block that finished propagating).
    public var blockReceptions: Int
    /// Trace events emitted (counted even when the log is off).
    public var events: Int
    public var transactionsCreated: Int
    public var transactionsIncluded: Int
    public var transactionsConfirmed: Int
    /// Mean and 95th percentile (nearest rank) of confirmation times, s; NaN without any.
    public var confirmationMeanSeconds: Double
    public var confirmationP95Seconds: Double
    /// Transactions in the best chain per simulated second.
    public var throughputTransactionsPerSecond: Double
    /// Mean time for a block to reach every node, ms (blocks that finished propagating).
    public var propagationToAllMeanMilliseconds: Double
    public var simulatedSeconds: Double

    /// Orphans per mined block (0 when none mined).
    public var orphanRate: Double { blocksMined == 0 ? 0 : Double(orphans) / Double(blocksMined) }
    /// Forks per mined block (0 when none mined).
    public var forkRate: Double { blocksMined == 0 ? 0 : Double(forks) / Double(blocksMined) }

    init(simulator: ChainSimulator, bestTip: Int) {
        let counters = simulator.counters
        blocksMined = counters.blocksMined
        bestHeight = Int(simulator.blocks.height[bestTip])
        orphans = blocksMined - bestHeight
        forks = counters.forks
        nodeReorgs = counters.nodeReorgs
        reorgEvents = counters.reorgEvents
        maxReorgDepth = counters.maxReorgDepth
        blockReceptions = counters.blockReceptions
        events = counters.events
        transactionsCreated = counters.transactionsCreated
        transactionsIncluded = counters.transactionsIncluded
        let confirmations = counters.confirmationMilliseconds.sorted()
        transactionsConfirmed = confirmations.count
        if confirmations.isEmpty {
            confirmationMeanSeconds = .nan
            confirmationP95Seconds = .nan
        } else {
            confirmationMeanSeconds = Double(confirmations.reduce(0, +)) / Double(confirmations.count) / 1000
            let rank = (95 * confirmations.count + 99) / 100  // ⌈0.95 n⌉
            confirmationP95Seconds = Double(confirmations[rank - 1]) / 1000
        }
        simulatedSeconds = simulator.now.seconds
        throughputTransactionsPerSecond = simulatedSeconds > 0 ? Double(simulator.mainChainTransactionCount()) / simulatedSeconds : 0
        let propagated = blocksMined - simulator.blocksInFlight
        propagationToAllMeanMilliseconds = propagated > 0 ? Double(counters.propagationToAllMilliseconds) / Double(propagated) : .nan
    }
}
