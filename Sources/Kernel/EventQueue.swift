// Owns the discrete-event queue: a binary min-heap ordered by (time, insertion sequence), so two
// events at the same simulated time always come out in the order they were scheduled.

/// A scheduled item with its firing time and tie-breaking sequence number.
public struct ScheduledEvent<Payload>: Sendable where Payload: Sendable {
    public let time: SimTime
    public let sequence: UInt64
    public let payload: Payload

    @inlinable
    init(time: SimTime, sequence: UInt64, payload: Payload) {
        self.time = time
        self.sequence = sequence
        self.payload = payload
    }
}

/// A deterministic priority queue of events ordered by `(time, sequence)`.
///
/// `sequence` is assigned by the queue at `schedule` time and increases by one per call, so the
/// order never depends on the payload or on hashing. The methods are `@inlinable` so that client
/// modules get a version specialised to their payload (a generic heap is several times slower).
public struct EventQueue<Payload: Sendable>: Sendable {
    @usableFromInline var heap: [ScheduledEvent<Payload>] = []
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {}

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    /// The earliest event without removing it.
    @inlinable public var peek: ScheduledEvent<Payload>? { heap.first }

    /// Schedules `payload` at `time`; returns the sequence number it was given.
    @discardableResult @inlinable
    public mutating func schedule(_ payload: Payload, at time: SimTime) -> UInt64 {
        let seq = nextSequence
        nextSequence += 1
        heap.append(ScheduledEvent(time: time, sequence: seq, payload: payload))
        siftUp(heap.count - 1)
        return seq
    }

    /// Removes and returns the earliest event.
    @inlinable
    public mutating func pop() -> ScheduledEvent<Payload>? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return top
    }

    @inlinable @inline(__always)
    func less(_ i: Int, _ j: Int) -> Bool {
        let a = heap[i], b = heap[j]
        return a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }

    @inlinable
    mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable
    mutating func siftDown(_ index: Int) {
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

// Checkpoints store a queue whole (its heap order and next sequence number decide what fires next).
extension ScheduledEvent: Codable where Payload: Codable {}
extension EventQueue: Codable where Payload: Codable {}
