// Owns the parameters of a proof-of-work network simulation, their presets (default, ideal,
// Bitcoin-like) and their validation into typed errors.

/// How a block (or transaction) crosses one link.
///
/// - `push`: the sender pushes the full message to every peer as soon as it has validated it:
///   one one-way latency plus the transmission time per hop.
/// - `announceRequest`: Bitcoin's inv → getdata → block exchange: three one-way latencies plus
///   the transmission time per hop. The body crosses each link once (nodes request a block only
///   from the first peer that announced it), so no bandwidth is spent on duplicates.
public enum PropagationProtocol: String, Sendable, CaseIterable {
    case push
    case announceRequest = "announce-request"

    /// One-way latencies paid per hop.
    var latenciesPerHop: Int64 {
        switch self {
        case .push: return 1
        case .announceRequest: return 3
        }
    }
}

/// How block receptions appear in the trace.
public enum ReceptionEvents: String, Sendable, CaseIterable {
    /// One `block_received` per block when it has reached every node (p50 / p90 / all times).
    case perBlock = "per-block"
    /// Also one `block_received` per node acceptance (N per block: for debugging small networks).
    case perNode = "per-node"
}

/// An undirected link between two nodes (indices in `0..<nodeCount`), for explicit topologies.
public struct NetworkLink: Sendable, Equatable {
    public var nodeA: Int
    public var nodeB: Int
    public init(_ nodeA: Int, _ nodeB: Int) {
        self.nodeA = nodeA
        self.nodeB = nodeB
    }
}

/// Everything that defines a simulated proof-of-work network (the seed is passed separately).
///
/// Times are in milliseconds or seconds as the names say; the simulation clock resolution is
/// 1 ms (`SimTime`), so per-link latencies and per-hop transmission times are rounded to whole
/// milliseconds (half away from zero).
public struct ChainConfiguration: Sendable, Equatable {
    /// Number of peer-to-peer nodes (miners included).
    public var nodeCount: Int = 200
    /// Number of miners; miners are nodes `0..<minerCount`.
    public var minerCount: Int = 40
    /// Hash-power shares, one per miner, normalised to sum 1; `nil` means equal shares.
    public var hashShares: [Double]? = nil
    /// Target number of neighbours per node in the random topology (configuration model).
    public var degree: Int = 8
    /// Mean one-way communication delay of a link, ms.
    public var delayMilliseconds: Double = 50
    /// Half-width of the uniform jitter added to each link's delay, ms: a link's latency is drawn
    /// once from U[delay − jitter, delay + jitter] (clamped at 0), like netem's `delay D J`.
    public var jitterMilliseconds: Double = 10
    /// Per-link bandwidth, megabits per second; `.infinity` means no transmission time.
    public var bandwidthMegabitsPerSecond: Double = 10
    /// Time a node spends validating a block before it relays or builds on it, ms.
    public var validationMilliseconds: Double = 10
    /// Mean time between blocks over the whole network (exponential inter-block times), s.
    public var blockIntervalSeconds: Double = 15
    /// Largest block, bytes (header included).
    public var blockSizeLimitBytes: Int = 1_000_000
    /// Bytes of a block header (a block with no transactions has this size).
    public var blockHeaderBytes: Int = 80
    /// When set, every block is transmitted as if it had this size, whatever it contains
    /// (SimBlock-style fixed blocks, for runs without a transaction workload).
    public var fixedBlockBytes: Int? = nil
    /// Size of a synthetic workload transaction and the size used for transaction relay times.
    public var transactionBytes: Int = 250
    /// A transaction is confirmed when its block is this deep in the observer's best chain
    /// (1 = the block itself is the tip).
    public var confirmationDepth: Int = 6
    /// How blocks and transactions cross links.
    public var propagation: PropagationProtocol = .announceRequest
    /// Adds a link between every pair of miners (the analytic model's full mesh).
    public var minersFullyConnected: Bool = false
    /// Synthetic background transactions per second (Poisson, submitted at uniform random
    /// nodes); 0 disables the workload (CoSim submits its own transactions).
    public var workloadTransactionsPerSecond: Double = 0
    /// Explicit undirected links instead of the random topology (latencies are still drawn).
    public var explicitLinks: [NetworkLink]? = nil
    /// Block receptions in the trace: aggregated per block (default, keeps a day's trace small)
    /// or also per node.
    public var receptionEvents: ReceptionEvents = .perBlock

    public init() {}

    /// The paper's setting (200 nodes, 40 miners) with a 15 s block interval and a light
    /// synthetic workload of 2 transactions per second.
    public static var paperDefault: ChainConfiguration {
        var configuration = ChainConfiguration()
        configuration.workloadTransactionsPerSecond = 2
        return configuration
    }

    /// Bitcoin-like: T = 600 s, 1 MB blocks, 8 Mbit/s links, 100 ± 50 ms latency, 100 ms
    /// validation, announce/request relay.
    public static var bitcoinLike: ChainConfiguration {
        var configuration = ChainConfiguration()
        configuration.blockIntervalSeconds = 600
        configuration.delayMilliseconds = 100
        configuration.jitterMilliseconds = 50
        configuration.bandwidthMegabitsPerSecond = 8
        configuration.validationMilliseconds = 100
        configuration.fixedBlockBytes = 1_000_000
        configuration.propagation = .announceRequest
        return configuration
    }

    /// The assumptions of the analytic fork-rate formula: miners fully meshed, constant delay
    /// (no jitter), no transmission or validation time, equal shares, push relay.
    public func idealized() -> ChainConfiguration {
        var configuration = self
        configuration.jitterMilliseconds = 0
        configuration.bandwidthMegabitsPerSecond = .infinity
        configuration.validationMilliseconds = 0
        configuration.hashShares = nil
        configuration.minersFullyConnected = true
        configuration.propagation = .push
        configuration.fixedBlockBytes = nil
        return configuration
    }

    /// Checks every parameter; the topology's connectivity is checked when it is built.
    public func validate() throws(ChainError) {
        func fail(_ parameter: String, _ value: String, _ reason: String) -> ChainError {
            .invalidConfiguration(parameter: parameter, value: value, reason: reason)
        }
        guard nodeCount >= 1 else { throw fail("nodeCount", "\(nodeCount)", "needs at least one node") }
        guard nodeCount < 1 << 24 else { throw fail("nodeCount", "\(nodeCount)", "at most 16,777,215 nodes") }
        guard minerCount >= 1 else { throw fail("minerCount", "\(minerCount)", "needs at least one miner") }
        guard minerCount <= nodeCount else {
            throw fail("minerCount", "\(minerCount)", "more miners than nodes (\(nodeCount)); every miner is a node")
        }
        guard nodeCount * minerCount <= Self.maximumNodeMinerPairs else {
            throw fail("minerCount", "\(minerCount) miners × \(nodeCount) nodes",
                       "nodes × miners must be ≤ 10000000 (the simulator keeps a node-to-miner delay table)")
        }
        if let shares = hashShares {
            guard shares.count == minerCount else {
                throw fail("hashShares", "\(shares.count) shares", "needs one share per miner (\(minerCount))")
            }
            guard shares.allSatisfy({ $0.isFinite && $0 >= 0 }), shares.reduce(0, +) > 0 else {
                throw fail("hashShares", "\(shares)", "shares must be finite, non-negative and not all zero")
            }
        }
        guard degree >= 1 || nodeCount == 1 || explicitLinks != nil else {
            throw fail("degree", "\(degree)", "every node needs at least one neighbour")
        }
        guard degree < nodeCount || explicitLinks != nil else {
            throw fail("degree", "\(degree)", "must be below the node count (\(nodeCount))")
        }
        try checkTimes(fail)
        try checkSizes(fail)
    }

    private func checkTimes(_ fail: (String, String, String) -> ChainError) throws(ChainError) {
        let delayRange = 0.0...Self.maximumDelayMilliseconds
        guard delayRange.contains(delayMilliseconds) else {
            throw fail("delayMilliseconds", "\(delayMilliseconds)", "communication delay must be in 0…600000 ms")
        }
        guard delayRange.contains(jitterMilliseconds) else {
            throw fail("jitterMilliseconds", "\(jitterMilliseconds)", "jitter must be in 0…600000 ms")
        }
        guard bandwidthMegabitsPerSecond == .infinity || (0.1...1e9).contains(bandwidthMegabitsPerSecond) else {
            throw fail("bandwidthMegabitsPerSecond", "\(bandwidthMegabitsPerSecond)", "bandwidth must be in 0.1…1e9 Mbit/s (or unlimited); below 0.1 nearly every block forks and a run does not end")
        }
        guard delayRange.contains(validationMilliseconds) else {
            throw fail("validationMilliseconds", "\(validationMilliseconds)", "validation delay must be in 0…600000 ms")
        }
        guard (0.01...86_400).contains(blockIntervalSeconds) else {
            throw fail("blockIntervalSeconds", "\(blockIntervalSeconds)",
                       "block interval must be in 0.01…86400 s (clock resolution is 1 ms; at most one day)")
        }
        guard (0...Self.maximumTransactionsPerSecond).contains(workloadTransactionsPerSecond) else {
            throw fail("workloadTransactionsPerSecond", "\(workloadTransactionsPerSecond)", "must be in 0…10000 tx/s")
        }
    }

    private func checkSizes(_ fail: (String, String, String) -> ChainError) throws(ChainError) {
        guard blockHeaderBytes >= 0 else { throw fail("blockHeaderBytes", "\(blockHeaderBytes)", "must be ≥ 0") }
        guard blockSizeLimitBytes > blockHeaderBytes else {
            throw fail("blockSizeLimitBytes", "\(blockSizeLimitBytes)", "must exceed the header size (\(blockHeaderBytes))")
        }
        guard transactionBytes >= 1, transactionBytes <= blockSizeLimitBytes - blockHeaderBytes else {
            throw fail("transactionBytes", "\(transactionBytes)", "a transaction must fit in a block")
        }
        if let fixed = fixedBlockBytes, fixed < 0 || fixed > Int(Int32.max) {
            throw fail("fixedBlockBytes", "\(fixed)", "must be in 0...2^31−1")
        }
        guard confirmationDepth >= 1 else {
            throw fail("confirmationDepth", "\(confirmationDepth)", "must be ≥ 1")
        }
        if let links = explicitLinks {
            for link in links where !(0..<nodeCount).contains(link.nodeA) || !(0..<nodeCount).contains(link.nodeB) || link.nodeA == link.nodeB {
                throw fail("explicitLinks", "\(link.nodeA)–\(link.nodeB)", "link endpoints must be two distinct nodes in 0..<\(nodeCount)")
            }
        }
    }

    /// Largest nodes × miners: the transaction relay table holds one delay per pair (80 MB at the limit).
    public static let maximumNodeMinerPairs = 10_000_000
    /// Largest link delay, jitter and validation time, ms (ten minutes).
    public static let maximumDelayMilliseconds = 600_000.0
    /// Largest synthetic workload, transactions per second.
    public static let maximumTransactionsPerSecond = 10_000.0
    /// Work budget of one run: expected blocks × nodes (≈ block receptions, the bulk of the events).
    public static let maximumNodeBlocks = 1e9
    /// Work budget of one run: expected synthetic workload transactions.
    public static let maximumWorkloadTransactions = 1e8
    /// Longest simulated duration of one run, s (ten years).
    public static let maximumDurationSeconds = 10 * 365 * 86_400.0

    /// Checks `validate()` and that a run of `length` fits the work budget (refused up front
    /// instead of running for hours or exhausting memory).
    public func validate(length: ChainRunLength) throws(ChainError) {
        try validate()
        let blocks: Double, seconds: Double
        switch length {
        case .duration(let time):
            seconds = Double(time.milliseconds) / 1000
            guard seconds > 0, seconds <= Self.maximumDurationSeconds else {
                throw .invalidConfiguration(parameter: "duration", value: "\(seconds) s", reason: "must be in (0, 315360000] s (ten years)")
            }
            blocks = seconds / blockIntervalSeconds
        case .blocks(let count):
            guard (1...10_000_000).contains(count) else {
                throw .invalidConfiguration(parameter: "blocks", value: "\(count)", reason: "must be in 1…10000000")
            }
            blocks = Double(count)
            seconds = blocks * blockIntervalSeconds
        }
        guard blocks * Double(nodeCount) <= Self.maximumNodeBlocks else {
            throw .invalidConfiguration(parameter: "length", value: "≈\(Int(blocks)) blocks × \(nodeCount) nodes",
                                        reason: "exceeds the budget of 1e9 block receptions per run; shorten the run or use fewer nodes")
        }
        guard workloadTransactionsPerSecond * seconds <= Self.maximumWorkloadTransactions else {
            throw .invalidConfiguration(parameter: "workloadTransactionsPerSecond",
                                        value: "\(workloadTransactionsPerSecond) tx/s for \(seconds) s",
                                        reason: "exceeds the budget of 1e8 transactions per run; lower the rate or shorten the run")
        }
    }

    /// Miners' shares normalised to sum 1.
    var normalisedShares: [Double] {
        guard let shares = hashShares else { return Array(repeating: 1.0 / Double(minerCount), count: minerCount) }
        let total = shares.reduce(0, +)
        return shares.map { $0 / total }
    }

    /// Transmission time of `bytes` over one link, whole ms (half away from zero).
    func transmissionMilliseconds(bytes: Int) -> Int64 {
        guard bandwidthMegabitsPerSecond.isFinite else { return 0 }
        // 1 Mbit/s carries 1000 bits per millisecond.
        let milliseconds = Double(bytes) * 8 / (bandwidthMegabitsPerSecond * 1000)
        return Int64(milliseconds.rounded(.toNearestOrAwayFromZero))
    }

    var validationWholeMilliseconds: Int64 { Int64(validationMilliseconds.rounded(.toNearestOrAwayFromZero)) }
}

/// Why a chain simulation could not be set up or a request was refused.
public enum ChainError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidConfiguration(parameter: String, value: String, reason: String)
    case disconnectedTopology(nodeCount: Int, componentCount: Int, unreachableNode: Int)
    case invalidTransaction(reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(parameter, value, reason):
            return "invalid chain configuration: \(parameter) = \(value): \(reason)"
        case let .disconnectedTopology(nodeCount, componentCount, unreachableNode):
            return "disconnected topology: \(nodeCount) nodes fall into \(componentCount) components "
                + "(node \(unreachableNode) cannot be reached from node 0); raise the degree or add links"
        case let .invalidTransaction(reason):
            return "transaction refused: \(reason)"
        }
    }
}
