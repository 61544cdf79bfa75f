// Checkpoints of a whole run: the state taken at a boundary decodes and re-encodes to the same bytes
// once restored into a fresh run, and a run restored from any checkpoint goes on with exactly the
// events of the uninterrupted run (both scenarios of the pair).
import Foundation
import Kernel
import Testing
@testable import CoSim

/// Keeps every interval's events and checkpoint bytes.
private struct CollectingSink: EventSink {
    var events: [EventRecord] = []
    var checkpoints: [(afterEvents: Int, checkpoint: CheckpointBytes)] = []

    mutating func write(interval: Int, events: [EventRecord]) throws { self.events += events }

    mutating func write(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?) throws {
        self.events += events
        if let checkpoint { checkpoints.append((self.events.count, checkpoint)) }
    }
}

@Suite struct CheckpointTests {
    private func scenario() throws -> Scenario {
        var scenario = try Scenario.parse(Scenario.defaultText, file: "default.toml", baseFolder: nil)
        scenario.intervals = 10
        scenario.checkpointEveryIntervals = 3
        return scenario
    }

    @Test(arguments: [Scenario.Variant.p2p, .noP2P])
    func restoringEveryCheckpointReproducesTheRestOfTheRun(variant: Scenario.Variant) throws {
        let scenario = try scenario()
        let feeder = try PreparedFeeder.prepare(scenario)
        var whole = try VariantRun(scenario: scenario, variant: variant, feeder: feeder)
        var reference = CollectingSink()
        try whole.run(into: &reference)
        #expect(reference.checkpoints.map(\.checkpoint.interval) == [3, 6, 9])
        for (afterEvents, checkpoint) in reference.checkpoints {
            let event = reference.events[afterEvents - 1].payload
            let stored = try CheckpointEvent(reading: event, seq: Int64(afterEvents))
            var resumed = try VariantRun(scenario: scenario, variant: variant, feeder: feeder)
            try resumed.restore(event: stored, bytes: checkpoint.bytes, seq: Int64(afterEvents))
            #expect(try resumed.checkpointBytes(interval: checkpoint.interval) == checkpoint.bytes)
            var rest = CollectingSink()
            try resumed.run(into: &rest)
            let expected = Array(reference.events[afterEvents...])
            #expect(rest.events.count == expected.count)
            #expect(rest.events.map(\.payload.text) == expected.map(\.payload.text), "resumed at interval \(checkpoint.interval)")
            #expect(rest.events == expected)
        }
    }

    @Test func aStateOfAnotherRunOrDamagedBytesAreRefused() throws {
        let scenario = try scenario()
        let feeder = try PreparedFeeder.prepare(scenario)
        var whole = try VariantRun(scenario: scenario, variant: .p2p, feeder: feeder)
        var reference = CollectingSink()
        try whole.run(into: &reference, endInterval: 3)
        let (afterEvents, checkpoint) = try #require(reference.checkpoints.first)
        let event = try CheckpointEvent(reading: reference.events[afterEvents - 1].payload, seq: 77)
        var damaged = checkpoint.bytes
        damaged[damaged.count / 2] ^= 0x40
        var fresh = try VariantRun(scenario: scenario, variant: .p2p, feeder: feeder)
        #expect(throws: CheckpointDamage.self) { try fresh.restore(event: event, bytes: damaged, seq: 77) }
        var other = try VariantRun(scenario: scenario, variant: .noP2P, feeder: feeder)
        #expect(throws: CheckpointDamage.self) { try other.restore(event: event, bytes: checkpoint.bytes, seq: 77) }
    }
}
