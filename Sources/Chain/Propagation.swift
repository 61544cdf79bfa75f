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
struct FloodEngine: Sendable {
    private var heap: [UInt64] = []

    /// Floods a message that `origin` accepts at `startMilliseconds`.
    ///
    /// Node y accepts at `max(arrival(y), prerequisite[y]) + validation`, where arrival is the
    /// earliest accept time of a neighbour plus the hop cost and `prerequisite[y]` (if given) is
    /// when y accepted the block's parent: a block cannot be validated before its parent.
    /// Writes each node's accept time into `accept` (all `nodeCount` entries) and the packed
    /// (time, node) keys in acceptance order into `order`.
    mutating func flood(
        _ topology: Topology, origin: Int, startMilliseconds: Int64, cost: HopCost,
        prerequisite: UnsafePointer<Int64>?, accept: UnsafeMutablePointer<Int64>, order: UnsafeMutablePointer<UInt64>
    ) {
        let n = topology.nodeCount
        accept.update(repeating: Int64.max, count: n)
        accept[origin] = startMilliseconds
        heap.removeAll(keepingCapacity: true)
        heap.append(PackedArrival.pack(startMilliseconds, origin))
        var settled = 0
        topology.edgeStart.withUnsafeBufferPointer { edgeStart in
            topology.edgeTarget.withUnsafeBufferPointer { edgeTarget in
                topology.edgeLatencyMilliseconds.withUnsafeBufferPointer { edgeLatency in
                    while let key = popMinimum() {
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
                                push(PackedArrival.pack(ready, next))
                            }
                        }
                    }
                }
            }
        }
        precondition(settled == n, "flood reached \(settled) of \(n) nodes: topology must be connected")
        precondition(PackedArrival.time(order[n - 1]) <= PackedArrival.maxTimeMilliseconds, "simulated time beyond 2^40 ms")
    }

    @inline(__always)
    private mutating func push(_ key: UInt64) {
        heap.append(key)
        heap.withUnsafeMutableBufferPointer { h in
            var child = h.count - 1
            while child > 0 {
                let parent = (child - 1) >> 1
                if h[parent] <= key { break }
                h[child] = h[parent]
                child = parent
            }
            h[child] = key
        }
    }

    @inline(__always)
    private mutating func popMinimum() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        return heap.withUnsafeMutableBufferPointer { h -> UInt64 in
            let top = h[0]
            let count = h.count
            var parent = 0
            while true {
                var child = 2 * parent + 1
                if child >= count { break }
                if child + 1 < count, h[child + 1] < h[child] { child += 1 }
                if last <= h[child] { break }
                h[parent] = h[child]
                parent = child
            }
            h[parent] = last
            return top
        }
    }
}
