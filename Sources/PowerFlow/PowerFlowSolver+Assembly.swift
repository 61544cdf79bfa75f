// Owns the re-assembly of Y after a control move. A tap or capacitor move changes one delivery
// element's primitive; instead of summing every stamp of the network again, the full assembly's
// stamps are kept, the moved elements' stamps replaced, and only the slots they touch re-summed,
// each over its stamps in triplet order from zero: exactly the additions the full assembly makes,
// so the values (and the factors, and every result) are bit-for-bit those of a full assembly.
import ComplexModule
import Feeder
import Kernel

/// The stamps of the last full assembly of Y and where each one goes.
struct StampCache {
    /// Every stamp (re, im interleaved) in triplet order.
    var values: [Double]
    /// First triplet of each delivery element, and one past the last element's (they come first).
    var deliveryStart: [Int]
    /// The triplets of slot s, ascending: `bySlot[slotStart[s]..<slotStart[s + 1]]`.
    var slotStart: [Int]
    var bySlot: [Int32]

    init(values: [Double], network: Network, pattern: SparsePattern) {
        self.values = values
        var start = [0]
        start.reserveCapacity(network.delivery.count + 1)
        for e in network.delivery {
            let live = e.conductorNodes.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
            start.append(start[start.count - 1] + live * live)
        }
        deliveryStart = start
        var counts = [Int](repeating: 0, count: pattern.nonZeros + 1)
        for slot in pattern.slotOfTriplet { counts[slot + 1] += 1 }
        for s in 0..<pattern.nonZeros { counts[s + 1] += counts[s] }
        slotStart = counts
        var next = counts
        var order = [Int32](repeating: 0, count: pattern.slotOfTriplet.count)
        for (t, slot) in pattern.slotOfTriplet.enumerated() {
            order[next[slot]] = Int32(t)
            next[slot] += 1
        }
        bySlot = order
    }
}

extension PowerFlowSolver {
    /// Y's values for the present network (see the file comment): a full assembly the first time
    /// and after anything but a tap or capacitor move, else only the moved elements' slots. Returns
    /// the slots re-summed (ascending; the only values that can differ from the last factored ones,
    /// for a partial refactorization), nil after a full assembly.
    @discardableResult
    func assembleForFactorization() -> [Int]? {
        guard var cache = stampCache, cache.values.count == 2 * pattern.slotOfTriplet.count else {
            var stamps = [Double](repeating: 0, count: 2 * pattern.slotOfTriplet.count)
            stamps.withUnsafeMutableBufferPointer { assemble(includeConversion: true, stamps: $0) }
            stampCache = StampCache(values: stamps, network: network, pattern: pattern)
            movedDeliveryElements.removeAll()
            return nil
        }
        stampCache = nil
        var slots: [Int] = []
        for k in Set(movedDeliveryElements).sorted() {
            restamp(deliveryElement: k, into: &cache.values, from: cache.deliveryStart[k])
            for t in cache.deliveryStart[k]..<cache.deliveryStart[k + 1] { slots.append(pattern.slotOfTriplet[t]) }
        }
        movedDeliveryElements.removeAll()
        // Ascending and distinct (sorted, then adjacent repeats dropped: no hashing).
        var changed: [Int] = []
        for s in slots.sorted() where changed.last != s { changed.append(s) }
        for s in changed {
            var re = 0.0, im = 0.0
            for t in cache.bySlot[cache.slotStart[s]..<cache.slotStart[s + 1]] {
                re += cache.values[2 * Int(t)]
                im += cache.values[2 * Int(t) + 1]
            }
            matrixValues[2 * s] = re
            matrixValues[2 * s + 1] = im
        }
        stampCache = cache
        return changed
    }

    /// One delivery element's stamps, in the order `assemble` adds them.
    func restamp(deliveryElement k: Int, into values: inout [Double], from start: Int) {
        let element = network.delivery[k]
        let y = element.yPrim
        let nodes = element.conductorNodes
        var t = start
        for i in nodes.indices where nodes[i] >= 0 {
            for j in nodes.indices where nodes[j] >= 0 {
                let entry = y.entries[i * y.order + j]
                values[2 * t] = entry.real
                values[2 * t + 1] = entry.imaginary
                t += 1
            }
        }
    }

    /// Notes that the capacitor's primitive changed (its slots are re-summed at the next factorization).
    func noteCapacitorMoved(_ modelIndex: Int) {
        if let k = network.delivery.firstIndex(where: { $0.kind == .capacitor && $0.modelIndex == modelIndex }) {
            movedDeliveryElements.append(k)
        }
    }
}
