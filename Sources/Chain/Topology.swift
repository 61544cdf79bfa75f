// Owns the peer-to-peer graph: seeded random near-regular topology (configuration model), the
// optional miner full mesh, per-link latencies with jitter, compressed adjacency and the
// connectivity check.
import Kernel

/// An undirected graph stored as compressed adjacency (each link appears once per direction).
///
/// Node `i`'s links are `edgeTarget[edgeStart[i] ..< edgeStart[i + 1]]`; both directions of a
/// link carry the same latency.
struct Topology: Sendable {
    let nodeCount: Int
    let edgeStart: [Int32]
    let edgeTarget: [Int32]
    let edgeLatencyMilliseconds: [Int32]

    var linkCount: Int { edgeTarget.count / 2 }

    /// Builds the network of `configuration` from the `topology` stream.
    ///
    /// Random graphs: every node gets `degree` stubs, the stubs are shuffled and paired;
    /// self-links and duplicate links are dropped, so a few nodes end with degree d − 1 or d − 2.
    /// If the result is disconnected the draw is repeated (up to 8 times, same stream), then the
    /// build fails with `ChainError.disconnectedTopology`. Explicit links are never redrawn.
    static func build(_ configuration: ChainConfiguration, random: inout Xoshiro256StarStar) throws(ChainError) -> Topology {
        let attempts = configuration.explicitLinks == nil ? 8 : 1
        var lastError = ChainError.disconnectedTopology(nodeCount: configuration.nodeCount, componentCount: 0, unreachableNode: 0)
        for _ in 0..<attempts {
            var pairs = configuration.explicitLinks.map { links in links.map { ($0.nodeA, $0.nodeB) } }
                ?? randomPairs(nodeCount: configuration.nodeCount, degree: configuration.degree, random: &random)
            if configuration.minersFullyConnected {
                for a in 0..<configuration.minerCount {
                    for b in (a + 1)..<configuration.minerCount { pairs.append((a, b)) }
                }
            }
            let topology = assemble(configuration, pairs: pairs, random: &random)
            let (components, unreachable) = topology.components()
            if components == 1 { return topology }
            lastError = .disconnectedTopology(nodeCount: configuration.nodeCount, componentCount: components, unreachableNode: unreachable)
        }
        throw lastError
    }

    /// Stub pairing: node i appears `degree` times in a shuffled list; consecutive entries link.
    private static func randomPairs(nodeCount: Int, degree: Int, random: inout Xoshiro256StarStar) -> [(Int, Int)] {
        var stubs: [Int] = []
        stubs.reserveCapacity(nodeCount * degree)
        for node in 0..<nodeCount {
            for _ in 0..<degree { stubs.append(node) }
        }
        random.shuffle(&stubs)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(stubs.count / 2)
        var index = 0
        while index + 1 < stubs.count {
            pairs.append((stubs[index], stubs[index + 1]))
            index += 2
        }
        return pairs
    }

    /// Drops self-links and duplicates (keeping first occurrence), draws each link's latency in
    /// pair order, and lays out the compressed adjacency.
    private static func assemble(_ configuration: ChainConfiguration, pairs: [(Int, Int)], random: inout Xoshiro256StarStar) -> Topology {
        let n = configuration.nodeCount
        var neighbours = Array(repeating: [Int32](), count: n)
        var latencies = Array(repeating: [Int32](), count: n)
        let delay = configuration.delayMilliseconds, jitter = configuration.jitterMilliseconds
        for pair in pairs {
            let a = pair.0, b = pair.1
            guard a != b, !neighbours[a].contains(Int32(b)) else { continue }
            let drawn = jitter > 0 ? delay + random.uniformDouble(in: -jitter..<jitter) : delay
            let latency = Int32(clamping: Int64(max(0, drawn).rounded(.toNearestOrAwayFromZero)))
            neighbours[a].append(Int32(b)); latencies[a].append(latency)
            neighbours[b].append(Int32(a)); latencies[b].append(latency)
        }
        var edgeStart: [Int32] = [0]
        edgeStart.reserveCapacity(n + 1)
        var edgeTarget: [Int32] = [], edgeLatency: [Int32] = []
        for node in 0..<n {
            edgeTarget.append(contentsOf: neighbours[node])
            edgeLatency.append(contentsOf: latencies[node])
            edgeStart.append(Int32(edgeTarget.count))
        }
        return Topology(nodeCount: n, edgeStart: edgeStart, edgeTarget: edgeTarget, edgeLatencyMilliseconds: edgeLatency)
    }

    /// Number of connected components and the lowest node not reachable from node 0 (0 if all).
    func components() -> (count: Int, firstUnreachable: Int) {
        var label = Array(repeating: Int32(-1), count: nodeCount)
        var stack: [Int32] = []
        var count = 0
        for start in 0..<nodeCount where label[start] < 0 {
            label[start] = Int32(count)
            stack.append(Int32(start))
            while let node = stack.popLast() {
                for edge in Int(edgeStart[Int(node)])..<Int(edgeStart[Int(node) + 1]) {
                    let next = Int(edgeTarget[edge])
                    if label[next] < 0 { label[next] = Int32(count); stack.append(Int32(next)) }
                }
            }
            count += 1
        }
        let unreachable = label.firstIndex { $0 != 0 } ?? 0
        return (count, unreachable)
    }

    /// Degree of each node.
    var degrees: [Int] { (0..<nodeCount).map { Int(edgeStart[$0 + 1] - edgeStart[$0]) } }
}
