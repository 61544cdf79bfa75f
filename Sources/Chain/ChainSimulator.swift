// Owns the proof-of-work network simulation: the global event loop on Kernel's EventQueue,
// mining, per-node block acceptance and longest-chain tips, forks, reorgs, orphans, mempools,
// transactions and their inclusion / confirmation notices, and the trace events.
//
// Model (see Sources/Chain/README.md for the full statement):
// - Blocks are found by the network as a Poisson process of mean interval T; the finder is drawn
//   by hash share. Because inter-block times are memoryless this equals every miner mining
//   independently and restarting on each new tip, without ever cancelling a mining task.
// - A new block is flooded at once (FloodEngine): every node's accept time is fixed when the
//   block is mined, because every node relays every valid block it sees once, whether or not it
//   becomes its tip (so stale branches reach everyone and every node can switch to them).
//   The global queue then replays the acceptances in time order, one cursor event per block in
//   flight, so tips, reorgs and confirmations happen at the right simulated times.
// - Longest chain with first-seen tie-break: a node switches only to a strictly higher block.
//
// Storage is index-based (struct-of-arrays for blocks, nodes and transactions); the hot loop
// does no per-event heap allocation.
import Kernel

/// Identifies a transaction submitted to the network (dense, from 0, in submission order).
public struct TransactionID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let index: Int
    public init(index: Int) { self.index = index }
    public static func < (a: TransactionID, b: TransactionID) -> Bool { a.index < b.index }
    public var description: String { "tx:\(index)" }
}

/// What happened to a submitted transaction, seen from the node it was submitted at.
public struct TransactionNotice: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case included, confirmed }
    public var transaction: TransactionID
    public var kind: Kind
    /// When the submitting node's best chain first contained the transaction (`included`) or
    /// first had its block `confirmationDepth` deep (`confirmed`).
    public var time: SimTime
    /// The block holding the transaction (dense block index; genesis is 0) and its height.
    public var block: Int
    public var height: Int
    /// The caller's tag given at submission (e.g. a contract number).
    public var reference: UInt64
}

/// The state of one transaction.
public struct TransactionStatus: Sendable, Equatable {
    public var submittedAt: SimTime
    public var includedAt: SimTime?
    public var confirmedAt: SimTime?
}

/// A proof-of-work network that CoSim advances interval by interval.
///
/// Usage: `var chain = try ChainSimulator(configuration: c, seed: s)`, then per interval
/// `try chain.submit(bytes:from:at:reference:)` for each market transaction and
/// `chain.advance(until: intervalEnd)`, which returns the inclusion / confirmation notices that
/// happened up to and including `intervalEnd`, in time order; `chain.log.drain()` yields the trace
/// events. The same configuration, seed and call sequence give the same notices and events.
public struct ChainSimulator: Sendable {
    public let configuration: ChainConfiguration
    /// The trace events emitted so far (drain it; disable it for benchmarks).
    public var log: EventLog
    /// Simulated time reached by the last `advance`.
    public internal(set) var now: SimTime = .zero

    let topology: Topology
    var queue = EventQueue<ChainEvent>()
    var miningRandom: Xoshiro256StarStar
    var workloadRandom: Xoshiro256StarStar
    private let cumulativeShares: [Double]
    var flood = FloodEngine()
    private let blockHop: HopCost
    /// Milliseconds for a transaction to reach miner m from node x: `transactionDelay[m * N + x]`.
    private let transactionDelay: [Int64]

    var blocks = BlockTable()
    var nodeTip: [Int32]
    var slots: PropagationSlots
    var transactions = TransactionTable()
    var pool = Mempool()
    /// Transactions each node still watches: created there, held by at least one block, not yet
    /// confirmed there; in order of first inclusion.
    var watched: [[Int32]]
    var pendingNotices: [TransactionNotice] = []

    var bestTip: Int32 = 0
    var finalizedHeight: Int32 = 0
    var miningBlockLimit: Int?
    /// When the next synthetic transaction arrives, ms (`Int64.max`: none).
    var nextWorkloadMilliseconds = Int64.max
    var counters = ChainCounters()

    /// Sets up the network (topology from the seed's `topology` stream) and schedules the first
    /// block (`mining` stream) and workload transaction (`workload` stream).
    public init(configuration: ChainConfiguration, seed: UInt64, log: EventLog = EventLog()) throws(ChainError) {
        try configuration.validate()
        self.configuration = configuration
        self.log = log
        let streams = SeedStreams(rootSeed: seed)
        var topologyRandom = streams.stream("topology")
        topology = try Topology.build(configuration, random: &topologyRandom)
        miningRandom = streams.stream("mining")
        workloadRandom = streams.stream("workload")
        var running = 0.0
        cumulativeShares = configuration.normalisedShares.map { running += $0; return running }
        let validation = configuration.validationWholeMilliseconds
        blockHop = HopCost(latenciesPerHop: configuration.propagation.latenciesPerHop, transmissionMilliseconds: 0, validationMilliseconds: validation)
        transactionDelay = Self.transactionDelays(configuration, topology: topology, flood: &flood)
        let n = configuration.nodeCount
        nodeTip = Array(repeating: 0, count: n)
        slots = PropagationSlots(nodeCount: n)
        watched = Array(repeating: [], count: n)
        blocks.appendGenesis()
        scheduleNextBlock(after: .zero)
        if configuration.workloadTransactionsPerSecond > 0 { scheduleNextWorkload(after: .zero) }
    }

    /// Relay time of a transaction from every node to every miner (transactions are flooded like
    /// blocks, with their own size and no validation time).
    private static func transactionDelays(_ configuration: ChainConfiguration, topology: Topology, flood: inout FloodEngine) -> [Int64] {
        let n = configuration.nodeCount, m = configuration.minerCount
        let cost = HopCost(
            latenciesPerHop: configuration.propagation.latenciesPerHop,
            transmissionMilliseconds: configuration.transmissionMilliseconds(bytes: configuration.transactionBytes),
            validationMilliseconds: 0)
        var delays = Array(repeating: Int64(0), count: n * m)
        var order = Array(repeating: UInt64(0), count: n)
        delays.withUnsafeMutableBufferPointer { table in
            order.withUnsafeMutableBufferPointer { orderBuffer in
                for miner in 0..<m {
                    // Links are symmetric, so the flood from the miner gives the delay to it.
                    flood.flood(topology, origin: miner, startMilliseconds: 0, cost: cost, prerequisite: nil,
                                accept: baseAddress(of: table) + miner * n, order: baseAddress(of: orderBuffer))
                }
            }
        }
        return delays
    }

    // MARK: - API for CoSim

    /// Queues a transaction of `bytes` created at `node` at simulated time `time` (≥ `now`).
    ///
    /// `reference` is returned in its notices. Notices arrive from `advance(until:)`. `bytes`
    /// counts against the block size limit; relay to miners takes the time of a nominal
    /// `transactionBytes` transaction.
    @discardableResult
    public mutating func submit(bytes: Int, from node: Int, at time: SimTime, reference: UInt64 = 0) throws(ChainError) -> TransactionID {
        guard time >= now else { throw .invalidTransaction(reason: "submitted at \(time), before the simulation time \(now)") }
        guard (0..<configuration.nodeCount).contains(node) else {
            throw .invalidTransaction(reason: "node \(node) is not in 0..<\(configuration.nodeCount)")
        }
        guard bytes >= 1, bytes <= configuration.blockSizeLimitBytes - configuration.blockHeaderBytes else {
            throw .invalidTransaction(reason: "\(bytes) bytes does not fit in a block of \(configuration.blockSizeLimitBytes) bytes")
        }
        let id = transactions.append(node: node, bytes: bytes, submittedAt: time.milliseconds, reference: reference, submitted: true)
        queue.schedule(ChainEvent(kind: .submission, index: Int32(id)), at: time)
        return TransactionID(index: id)
    }

    /// Runs every event up to and including `time`; returns the notices of submitted
    /// transactions that happened in that span, in time order.
    public mutating func advance(until time: SimTime) -> [TransactionNotice] {
        precondition(time >= now, "cannot advance backwards from \(now) to \(time)")
        runEvents(until: time.milliseconds)
        now = time
        defer { pendingNotices.removeAll(keepingCapacity: true) }
        return pendingNotices
    }

    /// Inclusion and confirmation times of a submitted transaction so far.
    public func status(of transaction: TransactionID) -> TransactionStatus {
        let i = transaction.index
        precondition(transactions.submittedAt.indices.contains(i), "unknown transaction \(transaction)")
        func time(_ ms: Int64) -> SimTime? { ms < 0 ? nil : SimTime(milliseconds: ms) }
        return TransactionStatus(submittedAt: SimTime(milliseconds: transactions.submittedAt[i]),
                                 includedAt: time(transactions.includedAt[i]), confirmedAt: time(transactions.confirmedAt[i]))
    }

    /// Stops mining after `blocks` blocks in total (genesis excluded); in-flight blocks still
    /// propagate. Used for block-count runs.
    public mutating func stopMining(afterBlocks blocks: Int) {
        miningBlockLimit = blocks
    }

    /// Runs until no event is left (needs `stopMining(afterBlocks:)` first, or it never ends);
    /// the workload stops with the last block. Returns the notices, in time order.
    @discardableResult
    public mutating func runToCompletion() -> [TransactionNotice] {
        precondition(miningBlockLimit != nil, "runToCompletion needs a mining limit")
        runEvents(until: PackedArrival.maxTimeMilliseconds)
        defer { pendingNotices.removeAll(keepingCapacity: true) }
        return pendingNotices
    }

    // MARK: - Event dispatch

    /// The event loop: queued events in (time, sequence) order, with the synthetic workload's
    /// next arrival kept outside the queue (it would be one queue round trip per transaction)
    /// and run before queued events of the same millisecond.
    private mutating func runEvents(until limit: Int64) {
        while true {
            let queued = queue.peek?.time.milliseconds ?? Int64.max
            if nextWorkloadMilliseconds <= limit, nextWorkloadMilliseconds <= queued {
                now = SimTime(milliseconds: nextWorkloadMilliseconds)
                createWorkloadTransaction()
                continue
            }
            guard queued <= limit, let event = queue.pop() else { return }
            now = event.time
            dispatch(event.payload, limit: SimTime(milliseconds: limit))
        }
    }

    private mutating func dispatch(_ event: ChainEvent, limit: SimTime) {
        switch event.kind {
        case .mineBlock: mineBlock()
        case .propagate: advancePropagation(slot: Int(event.index), limit: limit.milliseconds)
        case .submission: announce(transaction: Int(event.index))
        }
    }

    private mutating func scheduleNextBlock(after time: SimTime) {
        let gap = SimTime.fromSeconds(miningRandom.exponential(mean: configuration.blockIntervalSeconds))
        queue.schedule(ChainEvent(kind: .mineBlock, index: 0), at: time + gap)
    }

    private mutating func scheduleNextWorkload(after time: SimTime) {
        let gap = SimTime.fromSeconds(workloadRandom.exponential(mean: 1 / configuration.workloadTransactionsPerSecond))
        nextWorkloadMilliseconds = (time + gap).milliseconds
    }

    private mutating func createWorkloadTransaction() {
        guard !miningLimitReached else {
            nextWorkloadMilliseconds = Int64.max
            return
        }
        let node = Int(workloadRandom.uniformInt(below: UInt64(configuration.nodeCount)))
        let id = transactions.append(node: node, bytes: configuration.transactionBytes, submittedAt: now.milliseconds, reference: 0, submitted: false)
        announce(transaction: id)
        scheduleNextWorkload(after: now)
    }

    /// A transaction enters the network: it joins the mempool and, if submitted by a caller, the
    /// submitting node's watch list.
    private mutating func announce(transaction id: Int) {
        pool.append(Int32(id))
        counters.transactionsCreated += 1
        let node = Int(transactions.node[id])
        guard transactions.isSubmitted[id] else { return }
        if countEvent() {
            log.emit(now, actor: "node:\(node)", TransactionCreatedEvent(
                tx: id, bytes: Int(transactions.bytes[id]), reference: Int64(bitPattern: transactions.reference[id])))
        }
    }

    // MARK: - Mining

    private var miningLimitReached: Bool { miningBlockLimit.map { counters.blocksMined >= $0 } ?? false }

    private mutating func mineBlock() {
        if miningLimitReached { return }
        let u = miningRandom.uniformDouble()
        let miner = Self.minerIndex(cumulativeShares, u)
        let parent = nodeTip[miner]
        let block = blocks.append(parent: parent, miner: Int32(miner), minedAt: now.milliseconds)
        fillBlock(block, miner: miner, parent: parent)
        counters.blocksMined += 1
        if countEvent() {
            log.emit(now, actor: "node:\(miner)", BlockMinedEvent(
                block: block, height: Int(blocks.height[block]), parent: Int(parent),
                transactions: Int(blocks.transactionCount[block]), bytes: Int(blocks.bytes[block])))
        }
        noteHeight(block)  // after block_mined, so fork and orphan events follow the block they name
        startPropagation(block, origin: miner)
        scheduleNextBlock(after: now)
    }

    /// The first miner whose cumulative share exceeds `u` (binary search).
    private static func minerIndex(_ cumulative: [Double], _ u: Double) -> Int {
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Picks mempool transactions the miner has received and its chain does not hold yet, in
    /// arrival order at the network (first come, first served), until the next one does not fit.
    private mutating func fillBlock(_ block: Int, miner: Int, parent: Int32) {
        var bytes = configuration.blockHeaderBytes
        let limit = configuration.blockSizeLimitBytes
        let delayBase = miner * configuration.nodeCount
        var index = pool.head
        while index < pool.entries.count {
            let tx = Int(pool.entries[index])
            index += 1
            if transactions.isFinal[tx] { continue }
            let arrival = transactions.submittedAt[tx] + transactionDelay[delayBase + Int(transactions.node[tx])]
            if arrival > now.milliseconds || chainHolds(tx, tip: parent) { continue }
            let size = Int(transactions.bytes[tx])
            if bytes + size > limit { break }
            bytes += size
            blocks.transactions.append(Int32(tx))
            // A transaction becomes worth checking at its node once some block holds it.
            if transactions.firstInclusion[tx] < 0 { watched[Int(transactions.node[tx])].append(Int32(tx)) }
            transactions.addInclusion(tx, block: Int32(block))
        }
        blocks.finishFilling(block, bytes: configuration.fixedBlockBytes ?? bytes)
    }

    /// Counts forks, moves the global best tip and finalizes heights k below it.
    private mutating func noteHeight(_ block: Int) {
        let height = Int(blocks.height[block])
        if let competitor = blocks.firstAtHeight(height), competitor != block {
            counters.forks += 1
            if countEvent() {
                log.emit(now, actor: "node:\(blocks.miner[block])", ForkEvent(block: block, height: height, competing: competitor))
            }
        }
        blocks.registerAtHeight(block)
        if height > Int(blocks.height[Int(bestTip)]) {
            bestTip = Int32(block)
            finalize(upTo: height - configuration.confirmationDepth)
        }
    }

    /// Declares heights up to `height` settled against the global best chain: the best chain's
    /// block there makes its transactions final (they leave the mempool); the others are orphans.
    private mutating func finalize(upTo height: Int) {
        guard height > Int(finalizedHeight) else { return }
        var mainBlock = Int(bestTip)
        while Int(blocks.height[mainBlock]) > height { mainBlock = Int(blocks.parent[mainBlock]) }
        var path: [Int] = []
        while Int(blocks.height[mainBlock]) > Int(finalizedHeight) {
            path.append(mainBlock)
            mainBlock = Int(blocks.parent[mainBlock])
        }
        for main in path.reversed() {
            for tx in blocks.transactionRange(main) { transactions.isFinal[Int(blocks.transactions[tx])] = true }
            pool.noteFinal(count: Int(blocks.transactionCount[main]))
            var other = blocks.firstAtHeight(Int(blocks.height[main]))
            while let candidate = other {
                if candidate != main { orphan(candidate, winner: main) }
                other = blocks.nextAtHeight(candidate)
            }
        }
        finalizedHeight = Int32(height)
        pool.dropFinal(isFinal: transactions.isFinal)
    }

    private mutating func orphan(_ block: Int, winner: Int) {
        counters.orphansFinalized += 1
        if countEvent() {
            log.emit(now, actor: "node:\(blocks.miner[block])",
                     BlockOrphanedEvent(block: block, height: Int(blocks.height[block]), winner: winner))
        }
    }

    // MARK: - Propagation and acceptance

    private mutating func startPropagation(_ block: Int, origin: Int) {
        let slot = slots.acquire(block: block)
        blocks.slot[block] = Int32(slot)
        let parentSlot = Int(blocks.slot[Int(blocks.parent[block])])
        var cost = blockHop
        cost.transmissionMilliseconds = configuration.transmissionMilliseconds(bytes: Int(blocks.bytes[block]))
        let n = configuration.nodeCount
        let start = now.milliseconds
        slots.accept.withUnsafeMutableBufferPointer { accept in
            slots.order.withUnsafeMutableBufferPointer { order in
                let acceptBase = baseAddress(of: accept), orderBase = baseAddress(of: order)
                let prerequisite = parentSlot >= 0 ? UnsafePointer(acceptBase + parentSlot * n) : nil
                flood.flood(topology, origin: origin, startMilliseconds: start, cost: cost, prerequisite: prerequisite,
                            accept: acceptBase + slot * n, order: orderBase + slot * n)
            }
        }
        advancePropagation(slot: slot, limit: start)
    }

    /// Delivers the block of `slot` to nodes in acceptance order: the first is due now; the next
    /// ones are handled here as long as they come strictly before every queued event and not
    /// after `limit` (exactly the order one event per acceptance would give), else the cursor is
    /// rescheduled.
    private mutating func advancePropagation(slot: Int, limit: Int64) {
        let block = Int(slots.block[slot])
        let n = configuration.nodeCount
        // Accepting a block schedules nothing, so the queue head is fixed during this loop
        // (read once: EventQueue is generic across modules, and peeking it costs metadata lookups).
        let queuedTime = min(queue.peek?.time.milliseconds ?? Int64.max, nextWorkloadMilliseconds)
        var first = true
        while slots.cursor[slot] < n {
            let key = slots.order[slot * n + slots.cursor[slot]]
            let time = PackedArrival.time(key)
            if !first {
                if time >= queuedTime || time > limit {
                    queue.schedule(ChainEvent(kind: .propagate, index: Int32(slot)), at: SimTime(milliseconds: time))
                    return
                }
            }
            first = false
            now = SimTime(milliseconds: time)
            slots.cursor[slot] += 1
            accept(block, at: PackedArrival.node(key))
        }
        finishPropagation(slot: slot, block: block)
    }

    /// Node `node` accepts `block`: longest chain, first seen wins ties.
    private mutating func accept(_ block: Int, at node: Int) {
        counters.blockReceptions += 1
        if configuration.receptionEvents == .perNode, countEvent() {
            log.emit(now, actor: "node:\(node)",
                     BlockReceivedEvent(block: block, reception: .atNode(afterMilliseconds: now.milliseconds - blocks.minedAt[block])))
        }
        let tip = Int(nodeTip[node])
        guard blocks.height[block] > blocks.height[tip] else { return }
        if Int(blocks.parent[block]) != tip {
            let depth = blocks.disconnectedDepth(oldTip: tip, newTip: block)
            if depth > 0 {
                counters.nodeReorgs += 1
                counters.maxReorgDepth = max(counters.maxReorgDepth, depth)
                blocks.reorgNodes[block] += 1
                blocks.reorgDepth[block] = max(blocks.reorgDepth[block], Int32(depth))
                if blocks.firstReorgAt[block] < 0 { blocks.firstReorgAt[block] = now.milliseconds }
            }
        }
        nodeTip[node] = Int32(block)
        if !watched[node].isEmpty { checkWatched(node: node) }
    }

    /// Emits the per-block aggregate of receptions (and of the reorgs the block caused).
    private mutating func finishPropagation(slot: Int, block: Int) {
        let n = configuration.nodeCount
        let minedAt = blocks.minedAt[block]
        let base = slot * n
        let half = PackedArrival.time(slots.order[base + (n - 1) / 2]) - minedAt
        let ninety = PackedArrival.time(slots.order[base + (n * 9 - 1) / 10]) - minedAt
        let all = PackedArrival.time(slots.order[base + n - 1]) - minedAt
        counters.propagationToAllMilliseconds += all
        if countEvent() {
            log.emit(now, actor: "node:\(blocks.miner[block])", BlockReceivedEvent(
                block: block, reception: .everywhere(nodes: n, p50Milliseconds: half, p90Milliseconds: ninety, allMilliseconds: all)))
        }
        let reorgNodes = blocks.reorgNodes[block]
        if reorgNodes > 0 {
            counters.reorgEvents += 1
            if countEvent() {
                log.emit(now, actor: "node:\(blocks.miner[block])", ReorgEvent(
                    block: block, nodes: Int(reorgNodes), maxDepth: Int(blocks.reorgDepth[block]), firstMilliseconds: blocks.firstReorgAt[block]))
            }
        }
        blocks.slot[block] = -1
        slots.release(slot)
    }

    // MARK: - Transactions seen from their submitting node

    /// True when `tip`'s chain (tip included) holds a block containing `tx`.
    private func chainHolds(_ tx: Int, tip: Int32) -> Bool {
        includingBlock(tx, tip: Int(tip)) != nil
    }

    private func includingBlock(_ tx: Int, tip: Int) -> Int? {
        var inclusion = Int(transactions.firstInclusion[tx])
        while inclusion >= 0 {
            let block = Int(transactions.inclusionBlock[inclusion])
            if blocks.isAncestor(block, of: tip) { return block }
            inclusion = Int(transactions.inclusionNext[inclusion])
        }
        return nil
    }

    private mutating func checkWatched(node: Int) {
        let tip = Int(nodeTip[node])
        let k = configuration.confirmationDepth
        var kept = 0
        for position in watched[node].indices {
            let tx = Int(watched[node][position])
            var done = false
            if let block = includingBlock(tx, tip: tip) {
                if transactions.includedAt[tx] < 0 { notify(tx, .included, block: block, node: node) }
                if Int(blocks.height[tip] - blocks.height[block]) + 1 >= k {
                    notify(tx, .confirmed, block: block, node: node)
                    done = true
                }
            }
            if !done {
                watched[node][kept] = Int32(tx)
                kept += 1
            }
        }
        watched[node].removeLast(watched[node].count - kept)
    }

    private mutating func notify(_ tx: Int, _ kind: TransactionNotice.Kind, block: Int, node: Int) {
        let time = now.milliseconds
        let latency = time - transactions.submittedAt[tx]
        switch kind {
        case .included:
            transactions.includedAt[tx] = time
            counters.transactionsIncluded += 1
        case .confirmed:
            transactions.confirmedAt[tx] = time
            counters.confirmationMilliseconds.append(latency)
        }
        guard transactions.isSubmitted[tx] else { return }
        let height = Int(blocks.height[block])
        pendingNotices.append(TransactionNotice(transaction: TransactionID(index: tx), kind: kind, time: now, block: block,
                                                height: height, reference: transactions.reference[tx]))
        if countEvent() {
            if kind == .included {
                log.emit(now, actor: "node:\(node)", TransactionIncludedEvent(tx: tx, block: block, height: height, latencyMilliseconds: latency))
            } else {
                log.emit(now, actor: "node:\(node)", TransactionConfirmedEvent(tx: tx, block: block, height: height, latencyMilliseconds: latency))
            }
        }
    }

    // MARK: - Trace events

    /// Counts one trace event; true when the log is on and its payload should be built.
    private mutating func countEvent() -> Bool {
        counters.events += 1
        return log.isEnabled
    }

    // MARK: - Results

    /// Summary of everything simulated so far.
    public var statistics: ChainStatistics {
        ChainStatistics(simulator: self, bestTip: Int(bestTip))
    }

    /// Transactions in the best chain (genesis to the global best tip).
    func mainChainTransactionCount() -> Int {
        var count = 0
        var block = Int(bestTip)
        while block != 0 {
            count += Int(blocks.transactionCount[block])
            block = Int(blocks.parent[block])
        }
        return count
    }

    /// Every node's current tip (block index).
    var nodeTips: [Int32] { nodeTip }
}

/// The first element's address of a buffer that the caller knows is not empty (node and miner
/// counts are ≥ 1, so every per-node buffer is).
func baseAddress<T>(of buffer: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<T> {
    guard let base = buffer.baseAddress else { preconditionFailure("empty per-node buffer") }
    return base
}

/// One entry in the global queue: a small value type (no per-event allocation).
struct ChainEvent: Sendable, Codable {
    enum Kind: UInt8, Sendable, Codable { case mineBlock, propagate, submission }
    var kind: Kind
    /// Propagation slot or transaction index, by kind.
    var index: Int32
}

/// Running totals.
struct ChainCounters: Sendable, Codable {
    var blocksMined = 0
    var forks = 0
    var orphansFinalized = 0
    var nodeReorgs = 0
    var reorgEvents = 0
    var maxReorgDepth = 0
    var blockReceptions = 0
    var events = 0
    var transactionsCreated = 0
    var transactionsIncluded = 0
    var confirmationMilliseconds: [Int64] = []
    var propagationToAllMilliseconds: Int64 = 0
}

extension ChainSimulator {
    /// Blocks mined that have not reached every node yet.
    var blocksInFlight: Int {
        var count = 0
        for slot in slots.block where slot >= 0 { count += 1 }
        return count
    }
}
