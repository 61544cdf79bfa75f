// Owns the flood of one message over the topology: the earliest time each node accepts it, and
// the nodes in acceptance order. A flood in which every node relays a message once, as soon as
// it has accepted it, over links whose cost does not depend on other traffic is exactly a
// shortest-path computation, so it is done with Dijkstra's algorithm on a small private heap
// instead of one global event per link message.

/// A packed (time, node) key: time in the high 40 bits, node in the low 24, so one integer
/// comparison orders by time and then by node index (a fixed, hash-free tie-break).
enum PackedArrival {
    static let nodeBits: UInt64 = 24
    static let nodeMask: UInt64 = (1 << 24) - 1
    /// Largest time a key can hold, ms (about 34 years).
    static let maxTimeMilliseconds: Int64 = (1 << 40) - 1

    @inline(__always) static func pack(_ timeMilliseconds: Int64, _ node: Int) -> UInt64 {
        UInt64(timeMilliseconds) << nodeBits | UInt64(node)
    }
    @inline(__always) static func time(_ key: UInt64) -> Int64 { Int64(key >> nodeBits) }
    @inline(__always) static func node(_ key: UInt64) -> Int { Int(key & nodeMask) }
}

/// Per-hop cost of one message kind: `latenciesPerHop × linkLatency + transmission`, and the
/// validation time a node spends before accepting (and relaying) it.
struct HopCost {
    var latenciesPerHop: Int64
    var transmissionMilliseconds: Int64
    var validationMilliseconds: Int64
}

/// Scratch space for floods; reused so a flood allocates nothing once warmed up.
struct FloodEngine: Sendable, Codable {
    private var queue = RadixQueue()

    /// Floods a message that `origin` accepts at `startMilliseconds`.
    ///
    /// Node y accepts at `max(arrival(y), prerequisite[y]) + validation`, where arrival is the
    /// earliest accept time of a neighbour plus the hop cost and `prerequisite[y]` (if given) is
    /// when y accepted the block's parent: a block cannot be validated before its parent.
    /// Writes each node's accept time into `accept` (all `nodeCount` entries) and the packed
    /// (time, node) keys in acceptance order (non-decreasing time) into `order`.
    mutating func flood(
        _ topology: Topology, origin: Int, startMilliseconds: Int64, cost: HopCost,
        prerequisite: UnsafePointer<Int64>?, accept: UnsafeMutablePointer<Int64>, order: UnsafeMutablePointer<UInt64>
    ) {
        let n = topology.nodeCount
        accept.update(repeating: Int64.max, count: n)
        accept[origin] = startMilliseconds
        queue.reset(startMilliseconds: startMilliseconds)
        queue.push(PackedArrival.pack(startMilliseconds, origin))
        var settled = 0
        topology.edgeStart.withUnsafeBufferPointer { edgeStart in
            topology.edgeTarget.withUnsafeBufferPointer { edgeTarget in
                topology.edgeLatencyMilliseconds.withUnsafeBufferPointer { edgeLatency in
                    while let key = queue.popMinimum() {
                        let time = PackedArrival.time(key), node = PackedArrival.node(key)
                        if time != accept[node] { continue }  // superseded by an earlier arrival
                        order[settled] = key
                        settled += 1
                        if settled == n { break }
                        let departure = time + cost.transmissionMilliseconds
                        for edge in Int(edgeStart[node])..<Int(edgeStart[node + 1]) {
                            let next = Int(edgeTarget[edge])
                            var ready = departure + cost.latenciesPerHop * Int64(edgeLatency[edge])
                            if let prerequisite, prerequisite[next] > ready { ready = prerequisite[next] }
                            ready += cost.validationMilliseconds
                            if ready < accept[next] {
                                accept[next] = ready
                                queue.push(PackedArrival.pack(ready, next))
                            }
                        }
                    }
                }
            }
        }
        precondition(settled == n, "flood reached \(settled) of \(n) nodes: topology must be connected")
        precondition(PackedArrival.time(order[n - 1]) <= PackedArrival.maxTimeMilliseconds, "simulated time beyond 2^40 ms")
    }
}

/// A radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990) over packed (time, node) keys, for
/// Dijkstra's monotone priorities: keys pushed are never earlier than the last popped time.
///
/// Bucket 0 holds keys at the last popped time; bucket b ≥ 1 holds keys whose time first differs
/// from it in bit b − 1. Popping refills bucket 0 from the lowest non-empty bucket; each key moves
/// down at most 41 times, and in practice once or twice. Keys of equal time leave bucket 0 last
/// in, first out — a fixed order, so floods stay deterministic.
struct RadixQueue: Sendable, Codable {
    private var buckets: [[UInt64]] = Array(repeating: [], count: 42)
    private var spill: [UInt64] = []
    private var lastTime: Int64 = 0
    private var count = 0

    mutating func reset(startMilliseconds: Int64) {
        for index in buckets.indices where !buckets[index].isEmpty { buckets[index].removeAll(keepingCapacity: true) }
        lastTime = startMilliseconds
        count = 0
    }

    @inline(__always)
    private static func bucket(_ time: Int64, after last: Int64) -> Int {
        time == last ? 0 : 64 - (time ^ last).leadingZeroBitCount
    }

    @inline(__always)
    mutating func push(_ key: UInt64) {
        let time = PackedArrival.time(key)
        precondition(time >= lastTime, "radix queue needs monotone keys")
        buckets[Self.bucket(time, after: lastTime)].append(key)
        count += 1
    }

    @inline(__always)
    mutating func popMinimum() -> UInt64? {
        guard count > 0 else { return nil }
        if buckets[0].isEmpty { refill() }
        count -= 1
        return buckets[0].popLast()
    }

    /// Moves the lowest non-empty bucket down, around its earliest time.
    private mutating func refill() {
        var index = 1
        while buckets[index].isEmpty { index += 1 }
        swap(&spill, &buckets[index])
        var earliest = Int64.max
        for key in spill { earliest = min(earliest, PackedArrival.time(key)) }
        lastTime = earliest
        for key in spill { buckets[Self.bucket(PackedArrival.time(key), after: earliest)].append(key) }
        spill.removeAll(keepingCapacity: true)
    }
}
