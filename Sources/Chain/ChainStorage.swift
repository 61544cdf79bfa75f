// Owns the simulator's index-based storage: the block table (struct of arrays, with per-height
// lists and ancestor walks), the transaction table with its inclusion lists, the mempool, and
// the pool of propagation slots (per-node accept times and acceptance order of blocks in flight).

/// Every block ever mined, by dense index (0 = genesis, height 0, its own parent).
struct BlockTable: Sendable, Codable {
    var parent: [Int32] = []
    var height: [Int32] = []
    var miner: [Int32] = []
    var minedAt: [Int64] = []
    var bytes: [Int32] = []
    var transactionStart: [Int32] = []
    var transactionCount: [Int32] = []
    /// Propagation slot while the block is still reaching nodes, else −1.
    var slot: [Int32] = []
    var nextSameHeight: [Int32] = []
    var reorgNodes: [Int32] = []
    var reorgDepth: [Int32] = []
    var firstReorgAt: [Int64] = []
    /// Transaction indices of all blocks, block after block.
    var transactions: [Int32] = []
    private var headAtHeight: [Int32] = []
    private var tailAtHeight: [Int32] = []

    var count: Int { parent.count }

    mutating func appendGenesis() {
        precondition(count == 0, "genesis must be the first block")
        _ = append(parent: 0, miner: -1, minedAt: 0)
        height[0] = 0
        bytes[0] = 0
        registerAtHeight(0)
    }

    /// Adds a block on `parent`; fill it with transactions, then call `finishFilling`.
    mutating func append(parent parentBlock: Int32, miner minerIndex: Int32, minedAt time: Int64) -> Int {
        let index = count
        precondition(index < Int(Int32.max), "block table full")
        parent.append(parentBlock)
        height.append(index == 0 ? 0 : height[Int(parentBlock)] + 1)
        miner.append(minerIndex)
        minedAt.append(time)
        bytes.append(0)
        transactionStart.append(Int32(transactions.count))
        transactionCount.append(0)
        slot.append(-1)
        nextSameHeight.append(-1)
        reorgNodes.append(0)
        reorgDepth.append(0)
        firstReorgAt.append(-1)
        return index
    }

    mutating func finishFilling(_ block: Int, bytes size: Int) {
        transactionCount[block] = Int32(transactions.count) - transactionStart[block]
        bytes[block] = Int32(clamping: size)
    }

    func transactionRange(_ block: Int) -> Range<Int> {
        let start = Int(transactionStart[block])
        return start..<(start + Int(transactionCount[block]))
    }

    /// Appends `block` to its height's list (mining order).
    mutating func registerAtHeight(_ block: Int) {
        let h = Int(height[block])
        while headAtHeight.count <= h {
            headAtHeight.append(-1)
            tailAtHeight.append(-1)
        }
        if headAtHeight[h] < 0 { headAtHeight[h] = Int32(block) } else { nextSameHeight[Int(tailAtHeight[h])] = Int32(block) }
        tailAtHeight[h] = Int32(block)
    }

    func firstAtHeight(_ h: Int) -> Int? {
        guard h < headAtHeight.count, headAtHeight[h] >= 0 else { return nil }
        return Int(headAtHeight[h])
    }

    func nextAtHeight(_ block: Int) -> Int? {
        let next = nextSameHeight[block]
        return next < 0 ? nil : Int(next)
    }

    /// True when `ancestor` is `block` or one of its ancestors.
    func isAncestor(_ ancestor: Int, of block: Int) -> Bool {
        let target = height[ancestor]
        var walker = block
        while height[walker] > target { walker = Int(parent[walker]) }
        return walker == ancestor
    }

    /// Blocks a node with tip `oldTip` disconnects when it switches to `newTip` (0 when
    /// `oldTip` is an ancestor of `newTip`).
    func disconnectedDepth(oldTip: Int, newTip: Int) -> Int {
        var old = oldTip, new = newTip
        while height[new] > height[old] { new = Int(parent[new]) }
        var depth = 0
        while old != new {
            old = Int(parent[old])
            new = Int(parent[new])
            depth += 1
        }
        return depth
    }
}

/// Every transaction, by dense index (submitted and synthetic alike).
struct TransactionTable: Sendable, Codable {
    var node: [Int32] = []
    var bytes: [Int32] = []
    var submittedAt: [Int64] = []
    var reference: [UInt64] = []
    /// Submitted through the API (notified and logged); synthetic workload transactions are
    /// only counted in the statistics.
    var isSubmitted: [Bool] = []
    /// In a block of the settled part of the global best chain.
    var isFinal: [Bool] = []
    var includedAt: [Int64] = []
    var confirmedAt: [Int64] = []
    var firstInclusion: [Int32] = []
    /// Linked list of (block, next) per transaction: every block that included it.
    var inclusionBlock: [Int32] = []
    var inclusionNext: [Int32] = []

    mutating func append(node origin: Int, bytes size: Int, submittedAt time: Int64, reference tag: UInt64, submitted: Bool) -> Int {
        let index = node.count
        precondition(index < Int(Int32.max), "transaction table full")
        node.append(Int32(origin))
        bytes.append(Int32(size))
        submittedAt.append(time)
        reference.append(tag)
        isSubmitted.append(submitted)
        isFinal.append(false)
        includedAt.append(-1)
        confirmedAt.append(-1)
        firstInclusion.append(-1)
        return index
    }

    mutating func addInclusion(_ tx: Int, block: Int32) {
        inclusionBlock.append(block)
        inclusionNext.append(firstInclusion[tx])
        firstInclusion[tx] = Int32(inclusionBlock.count - 1)
    }
}

/// Transactions not yet final, in the order they entered the network.
///
/// Final transactions are skipped lazily: `head` moves past the final ones at the front (the
/// usual case, since blocks take transactions first come, first served) and the array is
/// compacted in place when the skipped part is at least half of it.
struct Mempool: Sendable, Codable {
    private(set) var entries: [Int32] = []
    private(set) var head = 0
    private var finalCount = 0

    mutating func append(_ tx: Int32) { entries.append(tx) }

    mutating func noteFinal(count: Int) { finalCount += count }

    /// Moves `head` past final transactions and compacts when worthwhile.
    mutating func dropFinal(isFinal: [Bool]) {
        while head < entries.count, isFinal[Int(entries[head])] { head += 1 }
        guard finalCount >= 64, finalCount * 2 >= entries.count else { return }
        var kept = 0
        for position in head..<entries.count where !isFinal[Int(entries[position])] {
            entries[kept] = entries[position]
            kept += 1
        }
        entries.removeLast(entries.count - kept)
        head = 0
        finalCount = 0
    }
}

/// Accept times and acceptance order of blocks still propagating; slot s owns entries
/// `s * nodeCount ..< (s + 1) * nodeCount` of both arrays. Slots are reused (last freed, first
/// reused), so steady state allocates nothing.
struct PropagationSlots: Sendable, Codable {
    let nodeCount: Int
    var accept: [Int64] = []
    var order: [UInt64] = []
    var cursor: [Int] = []
    var block: [Int32] = []
    private var free: [Int] = []

    init(nodeCount: Int) { self.nodeCount = nodeCount }

    mutating func acquire(block index: Int) -> Int {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
        } else {
            slot = cursor.count
            accept.append(contentsOf: repeatElement(Int64.max, count: nodeCount))
            order.append(contentsOf: repeatElement(0, count: nodeCount))
            cursor.append(0)
            block.append(-1)
        }
        cursor[slot] = 0
        block[slot] = Int32(index)
        return slot
    }

    mutating func release(_ slot: Int) {
        block[slot] = -1
        free.append(slot)
    }
}
