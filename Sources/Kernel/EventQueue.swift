// Owns the discrete-event queue: a binary min-heap ordered by (time, insertion sequence), so two
// events at the same simulated time always come out in the order they were scheduled.

/// A scheduled item with its firing time and tie-breaking sequence number.
public struct ScheduledEvent<Payload>: Sendable where Payload: Sendable {
    public let time: SimTime
    public let sequence: UInt64
    public let payload: Payload
}

/// A deterministic priority queue of events ordered by `(time, sequence)`.
///
/// `sequence` is assigned by the queue at `schedule` time and increases by one per call, so the
/// order never depends on the payload or on hashing.
public struct EventQueue<Payload: Sendable>: Sendable {
    private var heap: [ScheduledEvent<Payload>] = []
    private var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The earliest event without removing it.
    public var peek: ScheduledEvent<Payload>? { heap.first }

    /// Schedules `payload` at `time`; returns the sequence number it was given.
    @discardableResult
    public mutating func schedule(_ payload: Payload, at time: SimTime) -> UInt64 {
        let seq = nextSequence
        nextSequence += 1
        heap.append(ScheduledEvent(time: time, sequence: seq, payload: payload))
        siftUp(heap.count - 1)
        return seq
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> ScheduledEvent<Payload>? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return top
    }

    public mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    @inline(__always)
    private func less(_ i: Int, _ j: Int) -> Bool {
        let a = heap[i], b = heap[j]
        return a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        let n = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var smallest = left
            if left + 1 < n, less(left + 1, left) { smallest = left + 1 }
            guard less(smallest, parent) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
