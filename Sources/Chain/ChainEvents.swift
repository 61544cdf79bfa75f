// Owns the typed payloads of the proof-of-work network's trace events (transactions, blocks,
// forks, reorgs): one type per kind, writing and strictly reading the stored canonical JSON.
import Kernel

/// `tx_created`: a submitted transaction enters the network.
public struct TransactionCreatedEvent: EventPayload {
    public static let kind = EventKind.transactionCreated
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("tx", .integer, "transaction index in the run"),
        PayloadField("bytes", .integer, unit: "bytes", "transaction size"),
        PayloadField("reference", .integer, "the submitter's reference (e.g. contract id; 64-bit pattern)"),
    ], emittedBy: "Chain, when a caller submits a transaction, actor node:i (the submitting node)")
    public var tx: Int
    public var bytes: Int
    public var reference: Int64

    public init(tx: Int, bytes: Int, reference: Int64) {
        self.tx = tx
        self.bytes = bytes
        self.reference = reference
    }

    public var canonical: CanonicalJSON { ["tx": .int(Int64(tx)), "bytes": .int(Int64(bytes)), "reference": .int(reference)] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(tx: try r.index("tx"), bytes: try r.index("bytes"), reference: try r.int("reference"))
    }
}

/// The shared shape of `tx_included` and `tx_confirmed`, seen from the submitting node.
public protocol TransactionProgressPayload: EventPayload {
    var tx: Int { get }
    var block: Int { get }
    var height: Int { get }
    var latencyMilliseconds: Int64 { get }
    init(tx: Int, block: Int, height: Int, latencyMilliseconds: Int64)
}

extension TransactionProgressPayload {
    static var progressFields: [PayloadField] {
        [PayloadField("tx", .integer, "transaction index"),
         PayloadField("block", .integer, "block index"),
         PayloadField("height", .integer, "block height"),
         PayloadField("latency_ms", .integer, unit: "ms", "since the transaction was created")]
    }

    public var canonical: CanonicalJSON {
        ["tx": .int(Int64(tx)), "block": .int(Int64(block)), "height": .int(Int64(height)), "latency_ms": .int(latencyMilliseconds)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(tx: try r.index("tx"), block: try r.index("block"), height: try r.index("height"), latencyMilliseconds: try r.int("latency_ms"))
    }
}

/// `tx_included`: the submitting node's chain first holds the transaction.
public struct TransactionIncludedEvent: TransactionProgressPayload {
    public static let kind = EventKind.transactionIncluded
    public static let schema = PayloadSchema(kind: kind, fields: progressFields,
                                             emittedBy: "Chain, when the submitting node accepts a block holding it, actor node:i")
    public var tx: Int, block: Int, height: Int, latencyMilliseconds: Int64
    public init(tx: Int, block: Int, height: Int, latencyMilliseconds: Int64) {
        self.tx = tx
        self.block = block
        self.height = height
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// `tx_confirmed`: the transaction is buried by the confirmation depth on the submitting node.
public struct TransactionConfirmedEvent: TransactionProgressPayload {
    public static let kind = EventKind.transactionConfirmed
    public static let schema = PayloadSchema(kind: kind, fields: progressFields,
                                             emittedBy: "Chain, when the submitting node's chain reaches the confirmation depth, actor node:i")
    public var tx: Int, block: Int, height: Int, latencyMilliseconds: Int64
    public init(tx: Int, block: Int, height: Int, latencyMilliseconds: Int64) {
        self.tx = tx
        self.block = block
        self.height = height
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// `block_mined`: a node finds a block.
public struct BlockMinedEvent: EventPayload {
    public static let kind = EventKind.blockMined
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("block", .integer, "block index"),
        PayloadField("height", .integer, "block height"),
        PayloadField("parent", .integer, "parent block index"),
        PayloadField("transactions", .integer, "transactions in the block"),
        PayloadField("bytes", .integer, unit: "bytes", "block size"),
    ], emittedBy: "Chain, when mined, actor node:i (the miner)")
    public var block: Int, height: Int, parent: Int, transactions: Int, bytes: Int

    public init(block: Int, height: Int, parent: Int, transactions: Int, bytes: Int) {
        self.block = block
        self.height = height
        self.parent = parent
        self.transactions = transactions
        self.bytes = bytes
    }

    public var canonical: CanonicalJSON {
        ["block": .int(Int64(block)), "height": .int(Int64(height)), "parent": .int(Int64(parent)),
         "transactions": .int(Int64(transactions)), "bytes": .int(Int64(bytes))]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(block: try r.index("block"), height: try r.index("height"), parent: try r.index("parent"),
                  transactions: try r.index("transactions"), bytes: try r.index("bytes"))
    }
}

/// `block_received`: one node accepted a block (per-node events), or the block reached every node
/// (aggregate events, the default).
public struct BlockReceivedEvent: EventPayload {
    public static let kind = EventKind.blockReceived
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("block", .integer, "block index"),
        PayloadField("after_ms", .integer, unit: "ms", optional: true, "since it was mined (per-node events)"),
        PayloadField("nodes", .integer, optional: true, "nodes reached (aggregate events)"),
        PayloadField("p50_ms", .integer, unit: "ms", optional: true, "time to reach half the nodes (aggregate)"),
        PayloadField("p90_ms", .integer, unit: "ms", optional: true, "time to reach 90 % of the nodes (aggregate)"),
        PayloadField("all_ms", .integer, unit: "ms", optional: true, "time to reach every node (aggregate)"),
    ], emittedBy: "Chain: per node on acceptance (actor node:i), or once when propagation ends (actor node:miner)")

    public enum Reception: Sendable, Equatable {
        case atNode(afterMilliseconds: Int64)
        case everywhere(nodes: Int, p50Milliseconds: Int64, p90Milliseconds: Int64, allMilliseconds: Int64)
    }

    public var block: Int
    public var reception: Reception

    public init(block: Int, reception: Reception) {
        self.block = block
        self.reception = reception
    }

    public var canonical: CanonicalJSON {
        switch reception {
        case .atNode(let after): return ["block": .int(Int64(block)), "after_ms": .int(after)]
        case .everywhere(let nodes, let p50, let p90, let all):
            return ["block": .int(Int64(block)), "nodes": .int(Int64(nodes)), "p50_ms": .int(p50), "p90_ms": .int(p90), "all_ms": .int(all)]
        }
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        block = try r.index("block")
        if r.has("after_ms") {
            for key in ["nodes", "p50_ms", "p90_ms", "all_ms"] where r.has(key) {
                throw r.invalid(key, "belongs to an aggregate reception, not beside after_ms")
            }
            reception = .atNode(afterMilliseconds: try r.int("after_ms"))
        } else {
            reception = .everywhere(nodes: try r.index("nodes"), p50Milliseconds: try r.int("p50_ms"),
                                    p90Milliseconds: try r.int("p90_ms"), allMilliseconds: try r.int("all_ms"))
        }
    }
}

/// `block_orphaned`: a block finalized off the best chain.
public struct BlockOrphanedEvent: EventPayload {
    public static let kind = EventKind.blockOrphaned
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("block", .integer, "orphaned block"),
        PayloadField("height", .integer, "its height"),
        PayloadField("winner", .integer, "the best-chain block at that height"),
    ], emittedBy: "Chain, when its height is finalized, actor node:i (its miner)")
    public var block: Int, height: Int, winner: Int

    public init(block: Int, height: Int, winner: Int) {
        self.block = block
        self.height = height
        self.winner = winner
    }

    public var canonical: CanonicalJSON { ["block": .int(Int64(block)), "height": .int(Int64(height)), "winner": .int(Int64(winner))] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(block: try r.index("block"), height: try r.index("height"), winner: try r.index("winner"))
    }
}

/// `fork`: a second block at a height.
public struct ForkEvent: EventPayload {
    public static let kind = EventKind.fork
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("block", .integer, "the new block"),
        PayloadField("height", .integer, "the contested height"),
        PayloadField("competing", .integer, "the first block at that height"),
    ], emittedBy: "Chain, right after the block_mined of the new block, actor node:i (its miner)")
    public var block: Int, height: Int, competing: Int

    public init(block: Int, height: Int, competing: Int) {
        self.block = block
        self.height = height
        self.competing = competing
    }

    public var canonical: CanonicalJSON { ["block": .int(Int64(block)), "height": .int(Int64(height)), "competing": .int(Int64(competing))] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(block: try r.index("block"), height: try r.index("height"), competing: try r.index("competing"))
    }
}

/// `reorg`: nodes that switched chains because of a block.
public struct ReorgEvent: EventPayload {
    public static let kind = EventKind.reorg
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("block", .integer, "the block that caused the reorganisations"),
        PayloadField("nodes", .integer, "nodes that reorganised"),
        PayloadField("max_depth", .integer, "deepest reorganisation, in blocks"),
        PayloadField("first_ms", .integer, unit: "ms", "simulated time of the first one"),
    ], emittedBy: "Chain, when the block's propagation ends, actor node:i (its miner)")
    public var block: Int, nodes: Int, maxDepth: Int, firstMilliseconds: Int64

    public init(block: Int, nodes: Int, maxDepth: Int, firstMilliseconds: Int64) {
        self.block = block
        self.nodes = nodes
        self.maxDepth = maxDepth
        self.firstMilliseconds = firstMilliseconds
    }

    public var canonical: CanonicalJSON {
        ["block": .int(Int64(block)), "nodes": .int(Int64(nodes)), "max_depth": .int(Int64(maxDepth)), "first_ms": .int(firstMilliseconds)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(block: try r.index("block"), nodes: try r.index("nodes"), maxDepth: try r.index("max_depth"),
                  firstMilliseconds: try r.int("first_ms"))
    }
}
