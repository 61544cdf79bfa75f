// Owns the one sanctioned use of several cores inside the engine: a parallel map whose results are
// stored by index, so its output never depends on thread scheduling.
import Dispatch

/// Applies `transform` to every element, spread over the machine's cores (`.allCores`) or on the
/// calling thread (`.serial`), and returns the results in element order.
///
/// Deterministic as long as `transform` is a pure function of its argument (no shared mutable state,
/// no randomness): each result is written to its own index. Used for independent, expensive checks
/// such as verifying a batch of signatures.
public func deterministicParallelMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], minimumBatch: Int = 8, parallelism: Parallelism,
    _ transform: @escaping @Sendable (Element) -> Result
) -> [Result] {
    guard parallelism == .allCores, elements.count >= 2 * minimumBatch else { return elements.map(transform) }
    ThreadHandOffs.record()
    let slots = ResultSlots<Result>(count: elements.count)
    let chunks = max(1, min(64, elements.count / minimumBatch))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in  // determinism: results stored by index
        var index = chunk * elements.count / chunks
        let end = (chunk + 1) * elements.count / chunks
        while index < end {
            slots.set(index, transform(elements[index]))
            index += 1
        }
    }
    return slots.values()
}

/// Applies `transform` to every element, each on its own thread (the first on the calling thread),
/// and returns the results in element order.
///
/// For a few long, independent jobs (the scenarios of a pair). Unlike `deterministicParallelMap`
/// the jobs do not run inside `concurrentPerform`, so a job may itself use
/// `deterministicParallelMap` on all cores (Dispatch runs a nested `concurrentPerform` serially).
public func deterministicJobMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], _ transform: @escaping @Sendable (Element) -> Result
) -> [Result] {
    guard elements.count >= 2 else { return elements.map(transform) }
    ThreadHandOffs.record()
    let slots = ResultSlots<Result>(count: elements.count)
    let group = DispatchGroup()
    for index in elements.indices.dropFirst() {
        dedicatedQueue().async(group: group) { slots.set(index, transform(elements[index])) }  // determinism: results stored by index
    }
    slots.set(0, transform(elements[0]))
    group.wait()
    return slots.values()
}

/// Applies `transform` to every element on a pool of at most `workers` threads (the calling thread
/// one of them) and returns the results in element order.
///
/// Each worker takes the next element no worker has taken yet, in element order, until none is
/// left: more elements than workers balance uneven jobs (`replay --jobs N`: parts of a run on N
/// threads). Which worker ran which element depends on timing; the results, stored by index, do not.
/// With one worker everything runs on the calling thread.
public func deterministicPoolMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], workers: Int, _ transform: @escaping @Sendable (Element) -> Result
) -> [Result] {
    precondition(workers >= 1, "a pool needs at least one worker")
    let workerCount = min(workers, elements.count)
    guard workerCount >= 2 else { return elements.map(transform) }
    ThreadHandOffs.record()
    let slots = ResultSlots<Result>(count: elements.count)
    let queue = WorkQueue(count: elements.count)
    let work: @Sendable () -> Void = {
        while let index = queue.take() { slots.set(index, transform(elements[index])) }  // determinism: results stored by index
    }
    let group = DispatchGroup()
    for _ in 1..<workerCount { dedicatedQueue().async(group: group, execute: work) }  // determinism: results stored by index
    work()
    group.wait()
    return slots.values()
}

/// A value computed on another thread while the caller goes on (`.allCores`), or right away on the
/// calling thread (`.serial`); `value` waits for it.
///
/// For pure work whose result is needed later (checking a trace's hash chain while its run is
/// re-executed): the value depends on the inputs only, never on timing.
public final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private let slot = ResultSlots<Value>(count: 1)

    public init(parallelism: Parallelism, _ work: @escaping @Sendable () -> Value) {
        guard parallelism == .allCores else {
            slot.set(0, work())
            return
        }
        ThreadHandOffs.record()
        dedicatedQueue().async(group: group) { [slot] in slot.set(0, work()) }  // determinism: one pure job, joined by value
    }

    /// The computed value (waits until it is ready).
    public var value: Value {
        group.wait()
        return slot.values()[0]
    }
}

/// A queue of its own for a long job. Queues made this way always get a thread (Dispatch
/// "overcommits" them), unlike work sent to `DispatchQueue.global()`: jobs that wait for each
/// other there can starve the shared pool for a long time on a 2-core machine (measured: the
/// report's jobs, each waiting for its own chain check, took 1 s instead of 0.3 s).
private func dedicatedQueue() -> DispatchQueue {  // determinism: a serial queue per job
    DispatchQueue(label: "gridtrace.job")  // determinism: serial, one job
}

/// The next index no worker has taken yet, handed out once each, in order.
private final class WorkQueue: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.wait()
        defer { lock.signal() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

/// Write-once result storage: each index is written by exactly one worker, read after all finish.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Result?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    func set(_ index: Int, _ value: Result) { buffer[index] = value }

    func values() -> [Result] {
        buffer.map { value in
            guard let value else { preconditionFailure("parallel map left a slot empty") }
            return value
        }
    }
}
