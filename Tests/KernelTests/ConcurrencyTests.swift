// Tests of the engine's sanctioned concurrency: results by index whatever the scheduling, jobs that
// nest a parallel map, and the ordered background consumer (order, back-pressure, first error).
import Testing
import Kernel

/// A consumer's record of what it saw (touched only by the consumer until `finish()` returns).
private final class Seen: @unchecked Sendable {
    var items: [Int] = []
}

private struct Refused: Error, Equatable {
    let item: Int
}

@Suite struct ConcurrencyTests {
    @Test func parallelMapKeepsElementOrder() {
        let input = Array(0..<1000)
        #expect(deterministicParallelMap(input, parallelism: .allCores) { $0 * $0 } == input.map { $0 * $0 })
        #expect(deterministicParallelMap([3], parallelism: .allCores) { $0 + 1 } == [4])
        #expect(deterministicParallelMap([Int](), parallelism: .allCores) { $0 } == [])
    }

    @Test func jobMapKeepsOrderAndJobsMayNestAParallelMap() {
        let sums = deterministicJobMap([10, 200, 3000]) { count in
            deterministicParallelMap(Array(0..<count), parallelism: .allCores) { $0 }.reduce(0, +)
        }
        #expect(sums == [45, 19_900, 4_498_500])
        #expect(deterministicJobMap([7]) { $0 * 2 } == [14])
    }

    @Test func backgroundValueIsComputedOnceAndWaitedFor() {
        let value = BackgroundValue(parallelism: .allCores) { deterministicParallelMap(Array(0..<2000), parallelism: .allCores) { $0 % 7 }.reduce(0, +) }
        let local = (0..<2000).map { $0 % 7 }.reduce(0, +)
        #expect(value.value == local)
        #expect(value.value == local)  // reading again does not recompute or block
    }

    @Test func serialWorkStaysOnTheCallingThread() {
        let before = ThreadHandOffs.onThisThread
        let input = Array(0..<1000)
        #expect(deterministicParallelMap(input, parallelism: .serial) { $0 * 3 } == input.map { $0 * 3 })
        let value = BackgroundValue(parallelism: .serial) { deterministicParallelMap(input, parallelism: .serial) { $0 % 5 }.reduce(0, +) }
        #expect(value.value == input.map { $0 % 5 }.reduce(0, +))
        #expect(deterministicPoolMap(input, workers: 1) { $0 + 1 } == input.map { $0 + 1 })
        #expect(ThreadHandOffs.onThisThread == before)
        // The same work on all cores hands off, and the count sees it (on this thread only).
        _ = deterministicParallelMap(input, parallelism: .allCores) { $0 * 3 }
        #expect(ThreadHandOffs.onThisThread == before + 1)
    }

    @Test func poolMapKeepsElementOrderWithMoreElementsThanWorkers() {
        // Uneven jobs (the first is the longest), far more of them than workers.
        let sizes = [5000] + Array(repeating: 10, count: 40) + [3000, 1, 2000]
        let expected = sizes.map { (0..<$0).reduce(0, +) }
        for workers in [1, 2, 3, 8, 100] {
            #expect(deterministicPoolMap(sizes, workers: workers) { (0..<$0).reduce(0, +) } == expected, "workers \(workers)")
        }
        #expect(deterministicPoolMap([Int](), workers: 4) { $0 } == [])
    }

    @Test func backgroundConsumerSeesItemsInSubmissionOrder() throws {
        let seen = Seen()
        let consumer = OrderedBackgroundConsumer<Int>(maximumPending: 3) { seen.items.append($0) }
        for item in 0..<500 { try consumer.submit(item) }
        try consumer.finish()
        #expect(seen.items == Array(0..<500))
    }

    @Test func backgroundConsumerReportsTheFirstErrorAndDropsLaterItems() {
        let seen = Seen()
        let consumer = OrderedBackgroundConsumer<Int>(maximumPending: 1) { item in
            if item >= 5 { throw Refused(item: item) }
            seen.items.append(item)
        }
        var submitError: (any Error)?
        for item in 0..<50 {
            do { try consumer.submit(item) } catch { submitError = error; break }
        }
        #expect(submitError as? Refused == Refused(item: 5))
        #expect(throws: Refused(item: 5)) { try consumer.finish() }
        #expect(seen.items == [0, 1, 2, 3, 4])
    }
}
