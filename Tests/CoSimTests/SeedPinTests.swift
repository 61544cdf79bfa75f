// Seeds per subsystem: `[run.seeds]` pins are read and checked like every scenario key, a pinned
// grid and profile stay put while the root seed moves the market, and pinning a subsystem to the
// root seed's own value changes no event (unpinned runs keep their traces; the reference traces in
// traces/ prove the bytes).
import Foundation
import Testing
import Trace
@testable import CoSim

@Suite struct SeedPinTests {
    private func error(_ text: String) -> TOMLInputError? { scenarioError(text) }

    @Test func pinsAreReadAndDefaultToTheRootSeed() throws {
        let scenario = try Scenario.parse("[run]\nseed = 5\n\n[run.seeds]\ngrid = 7\nmarket = 0\n", file: "s.toml", baseFolder: nil)
        #expect(scenario.seedPins == Scenario.SeedPins(grid: 7, market: 0))
        #expect(scenario.subsystemSeed(.grid) == 7 && scenario.subsystemSeed(.market) == 0)
        #expect(scenario.subsystemSeed(.profiles) == 5 && scenario.subsystemSeed(.chain) == 5 && scenario.subsystemSeed(.adversaries) == 5)
        #expect(Scenario.embeddedDefault().seedPins.isEmpty)
    }

    @Test func badPinsNameFileLineAndKey() {
        #expect(error("[run]\nseed = 5\n[run.seeds]\nweather = 3\n")?.description == "s.toml:4: run.seeds.weather: unknown key")
        #expect(error("[run.seeds]\ngrid = -1\n")?.description == "s.toml:2: run.seeds.grid: -1 is outside 0…9223372036854775807")
        #expect(error("[run.seeds]\nchain = \"x\"\n")?.description == "s.toml:2: run.seeds.chain: expected an integer, found string")
        #expect(error("[run]\nseeds = 4\n")?.description == "s.toml:2: run.seeds: expected a table, found integer")
    }

    private func shortScenario(_ extra: String) throws -> Scenario {
        var scenario = try Scenario.parse(Scenario.defaultText + extra, file: "default.toml", baseFolder: nil)
        scenario.intervals = 2
        scenario.variants = [.p2p]
        return scenario
    }

    /// The trace's events as (kind, payload) lines, for comparing runs whose headers differ.
    private func events(_ scenario: Scenario, name: String) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-seeds-\(getpid())-\(name).gtrace").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try CoSimulation.runVariant(scenario, variant: .p2p, feeder: try PreparedFeeder.prepare(scenario), tracePath: path)
        var lines: [String] = []
        try TraceReader(path: path).forEachEvent { event in
            lines.append("\(event.kind) \(event.payload)")
            return true
        }
        return lines
    }

    @Test func aPinnedGridAndProfilesStayWhileTheRootSeedMovesTheMarket() throws {
        let pins = "\n[run.seeds]\ngrid = 7\nprofiles = 7\n"
        var first = try shortScenario(pins), second = try shortScenario(pins)
        first.seed = 1
        second.seed = 2
        let feederA = try PreparedFeeder.prepare(first), feederB = try PreparedFeeder.prepare(second)
        #expect(feederA.digest == feederB.digest)
        #expect(feederA.syntheticScript == feederB.syntheticScript)
        #expect(feederA.households.map(\.baseLoadKilowatts) == feederB.households.map(\.baseLoadKilowatts))
        #expect(feederA.households.map(\.pvKilowatts) == feederB.households.map(\.pvKilowatts))
        var unpinned = first
        unpinned.seedPins = Scenario.SeedPins()
        #expect(try PreparedFeeder.prepare(unpinned).digest != feederA.digest)

        let eventsA = try events(first, name: "a"), eventsB = try events(second, name: "b")
        let orders = { (lines: [String]) in lines.filter { $0.hasPrefix("order_committed ") } }
        #expect(!orders(eventsA).isEmpty)
        #expect(orders(eventsA) != orders(eventsB))
    }

    @Test func pinningTheRootSeedsOwnValueChangesNoEvent() throws {
        let unpinned = try shortScenario("")
        let seed = unpinned.seed
        let pinned = try shortScenario("\n[run.seeds]\ngrid = \(seed)\nprofiles = \(seed)\nmarket = \(seed)\nchain = \(seed)\nadversaries = \(seed)\n")
        #expect(try events(unpinned, name: "u") == events(pinned, name: "p"))
    }
}
