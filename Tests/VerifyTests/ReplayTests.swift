// Replay re-derives a run from its trace header: an untouched engine reproduces every event; an
// engine parameter changed behind the header's back is caught at exactly the first event it
// changes (found independently by recording the changed run and diffing the two traces).
import CoSim
import Foundation
import Testing
import Trace
@testable import Verify

/// A short P2P run of the default scenario (six intervals) recorded into a temporary folder.
func recordShortRun(_ name: String, intervals: Int = 6, modify: (inout Scenario) -> Void = { _ in }) throws -> String {
    var scenario = try Scenario.parse(Scenario.defaultText, file: "default.toml", baseFolder: nil)
    scenario.intervals = intervals
    scenario.variants = [.p2p]
    modify(&scenario)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-replay-\(getpid())-\(name)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let feeder = try PreparedFeeder.prepare(scenario)
    let path = directory.appendingPathComponent("p2p.gtrace").path
    _ = try CoSimulation.runVariant(scenario, variant: .p2p, feeder: feeder, tracePath: path)
    return path
}

func events(_ path: String) throws -> [TraceEvent] {
    var out: [TraceEvent] = []
    try TraceReader(path: path).forEachEvent { out.append($0); return true }
    return out
}

/// The seq of the first event that differs between two traces (ignoring hashes).
func firstDifference(_ a: [TraceEvent], _ b: [TraceEvent]) -> Int64? {
    for (x, y) in zip(a, b) where (x.timeMilliseconds, x.kind, x.actor, x.payload) != (y.timeMilliseconds, y.kind, y.actor, y.payload) {
        return x.seq
    }
    return a.count == b.count ? nil : Int64(min(a.count, b.count) + 1)
}

@Suite(.serialized) struct ReplayTests {
    @Test func untouchedEngineReproducesEveryEvent() throws {
        let path = try recordShortRun("identical")
        let result = try Replay.run(tracePath: path)
        guard case .identical(let count) = result.outcome else {
            Issue.record("replay did not reproduce the trace: \(ReplayReport.text(result))")
            return
        }
        #expect(count == Int64(try events(path).count))
        #expect(result.notes.isEmpty)
    }

    @Test(arguments: [("grid.tolerance", "1e-3", "powerflow_iteration"), ("prices.retail_per_kwh", "0.3", "order_committed"),
                      ("chain.delay_ms", "400", "block_received")])
    func changedParameterIsCaughtAtItsFirstEvent(key: String, value: String, expectedKind: String) throws {
        let path = try recordShortRun("base-\(key)")
        let changed = try recordShortRun("changed-\(key)") { try? $0.override(key, value: value) }
        let expected = try #require(firstDifference(try events(path), try events(changed)), "the change made no difference")
        let result = try Replay.run(tracePath: path) { try? $0.override(key, value: value) }
        guard case .diverged(let divergence) = result.outcome else {
            Issue.record("replay missed the changed \(key): \(ReplayReport.text(result))")
            return
        }
        #expect(divergence.seq == expected)
        #expect(divergence.recorded?.kind == expectedKind || divergence.replayed?.kind == expectedKind,
                "\(ReplayReport.text(result))")
        #expect(divergence.before.count == min(5, Int(expected) - 1))
        #expect(ReplayReport.text(result).contains("diverged at seq \(expected)"))
    }

    @Test func stopsOnRequestWithTheState() throws {
        let path = try recordShortRun("until")
        let result = try Replay.run(tracePath: path, until: .time(.minutes(12)))
        guard case .stopped(let state) = result.outcome else {
            Issue.record("replay did not stop: \(ReplayReport.text(result))")
            return
        }
        let firstAtOrAfter = try #require(try events(path).first { $0.timeMilliseconds >= 720_000 })
        #expect(state.stoppedAfter?.seq == firstAtOrAfter.seq)
        #expect(state.interval == 2)
        #expect(state.homeVoltagesPerUnit.count == 55)
        #expect((state.chainBestHeight ?? 0) > 0)
        #expect(!state.orderBook.isEmpty)
    }

    @Test func stopConditionsParse() {
        #expect(ReplayStop("1234") == .seq(1234))
        #expect(ReplayStop("06:30") == .time(.minutes(390)))
        #expect(ReplayStop("90s") == .time(.seconds(90)))
        #expect(ReplayStop("order_matched") == .kind(.orderMatched))
        #expect(ReplayStop("kind=grid_injections") == .kind(.gridInjections))
        #expect(ReplayStop("actor=home:7") == .actor("home:7"))
        #expect(ReplayStop("06:30,order_matched,actor=home:7") == .all([.time(.minutes(390)), .kind(.orderMatched), .actor("home:7")]))
        for bad in ["soon", "", "actor=", "06:30,", "kind=no_such_kind", "06:30,,order_matched"] { #expect(ReplayStop(bad) == nil, "\(bad)") }
    }

    /// Stepping by kind and participant: the replay stops at the first event that meets every
    /// condition, with the state there.
    @Test func stopsAtAKindForOneParticipantAfterATime() throws {
        let path = try recordShortRun("until-kind")
        let result = try Replay.run(tracePath: path, until: ReplayStop("600s,meter_reading,actor=home:7"))
        guard case .stopped(let state) = result.outcome else {
            Issue.record("replay did not stop: \(ReplayReport.text(result))")
            return
        }
        let expected = try #require(try events(path).first {
            $0.timeMilliseconds >= 600_000 && $0.kind == "meter_reading" && $0.actor == "home:7"
        })
        #expect(state.stoppedAfter?.seq == expected.seq)
        #expect(state.stoppedAfter?.actor == "home:7" && state.stoppedAfter?.kind == "meter_reading")
        let byActor = try Replay.run(tracePath: path, until: .actor("contract:0"))
        if case .stopped(let first) = byActor.outcome {
            #expect(first.stoppedAfter?.seq == (try events(path).first { $0.actor == "contract:0" })?.seq)
        } else {
            #expect(try events(path).allSatisfy { $0.actor != "contract:0" }, "no contract in the run: the replay runs to the end")
            #expect(byActor.notes.contains { $0.hasPrefix("no event reached --until actor=contract:0") })
        }
        let never = try Replay.run(tracePath: path, until: .all([.kind(.orderMatched), .actor("node:99999")]))
        #expect(never.notes.contains { $0.hasPrefix("no event reached --until order_matched,actor=node:99999") })
    }
}
