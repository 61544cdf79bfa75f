// The same seed gives the same trace whether a run is alone or one of several running in parallel
// threads (no shared state, no scheduling dependence).
import Dispatch
import Foundation
import Testing
import Trace
@testable import CoSim

@Suite struct CoSimDeterminismTests {
    private func scenario() throws -> Scenario {
        var scenario = try Scenario.parse(Scenario.defaultText, file: "default.toml", baseFolder: nil)
        scenario.intervals = 4
        scenario.variants = [.p2p]
        return scenario
    }

    private func run(_ scenario: Scenario, feeder: PreparedFeeder, name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-det-\(getpid())-\(name).gtrace").path
        return try CoSimulation.runVariant(scenario, variant: .p2p, feeder: feeder, tracePath: path).finalHash
    }

    @Test func runAloneEqualsRunInsideAParallelSweep() throws {
        let scenario = try scenario()
        let feeder = try PreparedFeeder.prepare(scenario)
        let alone = try run(scenario, feeder: feeder, name: "alone")
        var changed = scenario
        changed.seed += 1
        let other = changed
        let otherFeeder = try PreparedFeeder.prepare(other)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            let hash = try? (index == 1 ? run(other, feeder: otherFeeder, name: "sweep\(index)") : run(scenario, feeder: feeder, name: "sweep\(index)"))
            results.set(index, hash)
        }
        #expect(results.values[0] == alone)
        #expect(results.values[2] == alone)
        #expect(results.values[1] != nil && results.values[1] != alone)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [String?] = [nil, nil, nil]
    func set(_ index: Int, _ value: String?) { lock.lock(); values[index] = value; lock.unlock() }
}
