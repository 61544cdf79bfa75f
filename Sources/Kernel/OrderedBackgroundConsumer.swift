// Owns the engine's second sanctioned use of threads (after ParallelMap): a single consumer that
// takes items in submission order on a background thread, so that writing interval k's events
// (JSON text, SHA-256 chain, SQLite insert, the commit's fsync) overlaps computing interval k + 1.
// The order of consumption is the order of submission, so output never depends on scheduling.
import Dispatch

/// Consumes submitted items one at a time, in submission order, on a background thread.
///
/// The consumer closure has exclusive use of everything it captures from the first `submit` until
/// `finish()` returns; the submitting thread must not touch those objects in between. At most
/// `maximumPending` items wait at once: `submit` blocks beyond that, which bounds memory.
/// The consumer's first error is rethrown by the next `submit` or by `finish()`; items after a
/// failure are dropped, never consumed out of order.
public final class OrderedBackgroundConsumer<Item: Sendable>: @unchecked Sendable {
    private let queue = DispatchQueue(label: "gridtrace.ordered-consumer")  // determinism: serial, submission order
    private let slots: DispatchSemaphore
    private let failureLock = DispatchSemaphore(value: 1)
    private var failure: (any Error)?
    private var finished = false
    private let consume: (Item) throws -> Void

    public init(maximumPending: Int = 2, _ consume: @escaping (Item) throws -> Void) {
        precondition(maximumPending >= 1, "the consumer needs room for at least one item")
        slots = DispatchSemaphore(value: maximumPending)
        self.consume = consume
    }

    /// Queues `item`; throws the consumer's first error if one has happened.
    public func submit(_ item: Item) throws {
        precondition(!finished, "submit after finish")
        slots.wait()
        if let failure = currentFailure {
            slots.signal()
            throw failure
        }
        ThreadHandOffs.record()
        queue.async { [self] in
            defer { slots.signal() }
            guard currentFailure == nil else { return }
            do { try consume(item) } catch { record(error) }
        }
    }

    /// Waits until every queued item has been consumed; throws the consumer's first error.
    public func finish() throws {
        finished = true
        queue.sync {}
        try rethrowFailure()
    }

    private var currentFailure: (any Error)? {
        failureLock.wait()
        defer { failureLock.signal() }
        return failure
    }

    private func record(_ error: any Error) {
        failureLock.wait()
        defer { failureLock.signal() }
        if failure == nil { failure = error }
    }

    private func rethrowFailure() throws {
        if let failure = currentFailure { throw failure }
    }
}
