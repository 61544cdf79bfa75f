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
        #expect(deterministicParallelMap(input) { $0 * $0 } == input.map { $0 * $0 })
        #expect(deterministicParallelMap([3]) { $0 + 1 } == [4])
        #expect(deterministicParallelMap([Int]()) { $0 } == [])
    }

    @Test func jobMapKeepsOrderAndJobsMayNestAParallelMap() {
        let sums = deterministicJobMap([10, 200, 3000]) { count in
            deterministicParallelMap(Array(0..<count)) { $0 }.reduce(0, +)
        }
        #expect(sums == [45, 19_900, 4_498_500])
        #expect(deterministicJobMap([7]) { $0 * 2 } == [14])
    }

    @Test func backgroundValueIsComputedOnceAndWaitedFor() {
        let value = BackgroundValue { deterministicParallelMap(Array(0..<2000)) { $0 % 7 }.reduce(0, +) }
        let local = (0..<2000).map { $0 % 7 }.reduce(0, +)
        #expect(value.value == local)
        #expect(value.value == local)  // reading again does not recompute or block
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
