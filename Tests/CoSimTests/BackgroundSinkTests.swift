// Tests of handing a run's events to a sink on a background thread: the sink sees exactly what an
// inline sink sees, in interval order, and a sink's failure stops the run with that error and
// nothing consumed after it.
import Foundation
import Kernel
import Testing
@testable import CoSim

/// Records every interval it is given; fails on `failAt` if set.
private struct RecordingSink: EventSink {
    var failAt: Int?
    var intervals: [Int] = []
    var events: [EventRecord] = []

    mutating func write(interval: Int, events: [EventRecord]) throws {
        if interval == failAt { throw SinkFailure(interval: interval) }
        intervals.append(interval)
        self.events += events
    }
}

private struct SinkFailure: Error, Equatable {
    let interval: Int
}

@Suite struct BackgroundSinkTests {
    private func run(intervals: Int = 6) throws -> VariantRun {
        var scenario = try Scenario.parse(Scenario.defaultText, file: "default.toml", baseFolder: nil)
        scenario.intervals = intervals
        return try VariantRun(scenario: scenario, variant: .p2p, feeder: try PreparedFeeder.prepare(scenario))
    }

    @Test func backgroundSinkSeesWhatAnInlineSinkSees() throws {
        var inlineRun = try run()
        var inline = RecordingSink()
        try inlineRun.run(into: &inline)
        var backgroundRun = try run()
        var background = BackgroundEventSink(RecordingSink())
        try backgroundRun.run(into: &background)
        try background.finish()
        #expect(background.inner.intervals == [0, 1, 2, 3, 4, 5])
        #expect(background.inner.events.count == inline.events.count && inline.events.count > 1000)
        #expect(background.inner.events == inline.events)
    }

    @Test func aFailingSinkStopsTheRunWithItsError() throws {
        var failingRun = try run(intervals: 12)
        var background = BackgroundEventSink(RecordingSink(failAt: 2))
        #expect(throws: SinkFailure(interval: 2)) {
            try failingRun.run(into: &background)
            try background.finish()
        }
        try? background.finish()
        #expect(background.inner.intervals == [0, 1])
        // At most two intervals wait for the sink, so the run stops within a few intervals of the failure.
        #expect(failingRun.outcomes.count <= 5, "the run stopped early")
    }
}
