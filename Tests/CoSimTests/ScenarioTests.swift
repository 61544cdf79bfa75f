// Scenario files: the default parses to the documented values and matches the embedded copy; every
// kind of bad input is an error naming the file, line and key.
import Foundation
import Testing
@testable import CoSim

@Suite struct ScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func embeddedDefaultIsTheCommittedFile() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("scenarios/default.toml"), encoding: .utf8)
        #expect(text == Scenario.defaultText)
        let scenario = Scenario.embeddedDefault()
        #expect(scenario.seed == 20_261_125)
        #expect(scenario.variants == [.noP2P, .p2p])
        #expect(scenario.intervals == 288 && scenario.intervalMinutes == 5)
        #expect(scenario.feeder == .synthetic)
        #expect(scenario.chain.nodes == 200 && scenario.chain.miners == 40)
        #expect(scenario.adversaryFraction == 0.1)
        #expect(scenario.clearingRule == .mcafee && scenario.mechanism == .auction)
    }

    private func error(_ text: String) -> TOMLInputError? { scenarioError(text, baseFolder: "/nonexistent") }

    @Test func unknownKeyIsNamedWithItsLine() {
        let found = error("[run]\nseed = 3\n\n[chain]\nnodes = 10\nminers = 5\ndleay_ms = 5\n")
        #expect(found?.description == "s.toml:7: chain.dleay_ms: unknown key")
    }

    @Test func unknownSectionIsNamed() {
        #expect(error("[run]\nseed = 3\n[chian]\nnodes = 1\n")?.description == "s.toml:3: chian: unknown section")
    }

    @Test func wrongTypeIsNamed() {
        #expect(error("[run]\nseed = \"abc\"\n")?.description == "s.toml:2: run.seed: expected an integer, found string")
        #expect(error("[chain]\n\ndelay_ms = [1]\n")?.description == "s.toml:3: chain.delay_ms: expected a number, found array")
    }

    @Test func outOfRangeAndInconsistentValuesAreNamed() {
        #expect(error("[chain]\nnodes = 10\nminers = 20\n")?.description == "s.toml:3: chain.miners: 20 miners but only 10 nodes")
        #expect(error("[chain]\ndelay_ms = -1\n")?.description == "s.toml:2: chain.delay_ms: -1.0 is outside 0.0…600000.0")
        #expect(error("[market]\nrule = \"vickrey\"\n")?.description
                == #"s.toml:2: market.rule: "vickrey" is not one of "mcafee", "midprice", "payasbid""#)
        #expect(error("[run]\nvariants = [\"p2p\", \"both\"]\n")?.description
                == #"s.toml:2: run.variants: "both" is not one of "no-p2p", "p2p""#)
    }

    @Test func syntheticHomesPerPhaseIsReadAndChecked() throws {
        let scenario = try Scenario.parse("[feeder]\nhomes_per_phase = [5, 4, 4]\n", file: "s.toml", baseFolder: "/nonexistent")
        #expect(scenario.syntheticHomesPerPhase == [5, 4, 4])
        #expect(Scenario.embeddedDefault().syntheticHomesPerPhase == [21, 19, 15])
        #expect(error("[feeder]\nhomes_per_phase = [5, 4]\n")?.description
                == "s.toml:2: feeder.homes_per_phase: expected an array of 3 integers")
        #expect(error("[feeder]\nhomes_per_phase = [0, 0, 0]\n")?.description
                == "s.toml:2: feeder.homes_per_phase: needs at least one home")
        #expect(error("[feeder]\nhomes_per_phase = [1, 2, 501]\n")?.description
                == "s.toml:2: feeder.homes_per_phase: 501 is outside 0…500")
    }

    @Test func missingFeederIsNamed() {
        let found = error("[feeder]\nkind = \"opendss\"\npath = \"nowhere/Master.dss\"\n")
        #expect(found?.description == "s.toml:3: feeder.path: no such feeder file: /nonexistent/nowhere/Master.dss")
    }

    @Test func syntaxErrorHasLineAndColumn() {
        let found = error("[run]\nseed = \n")
        #expect(found?.line == 2)
        #expect(found?.key == nil)
        #expect(found?.description.hasPrefix("s.toml:2: ") == true)
    }

    /// A huge file (a 1 GiB comment line, say) is refused before it is read: a sparse file stands for one.
    @Test func aScenarioFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-huge-\(getpid()).toml").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("# comment".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        #expect(throws: TOMLInputError(file: path, line: 0, key: nil,
                                       message: "the file is 1073741824 bytes; scenario files are limited to 1 MiB")) {
            try Scenario.load(path: path)
        }
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: TOMLInputError.self) { try Scenario.load(path: "/nonexistent/x.toml") }
    }

    /// Values that used to reach a precondition in the market configuration or allocate tens of GB.
    @Test func valuesThatUsedToTrapAreErrorsWithTheirKey() {
        #expect(error("[prices]\nretail_per_kwh = 0.0\nfeed_in_per_kwh = 0.0\n")?.description
            == "s.toml:2: prices.retail_per_kwh: 0.0 is outside 0.001…100.0")
        #expect(error("[prices]\nfeed_in_per_kwh = 1e-300\n")?.description
            == "s.toml:2: prices.feed_in_per_kwh: 1e-300 is outside 0.001…100.0")
        #expect(error("[adversaries]\nstrategies = []\n")?.description
            == "s.toml:2: adversaries.strategies: name at least one strategy (set fraction = 0 for no adversaries)")
        #expect(error("[chain]\nnodes = 100000\nminers = 100000\n")?.description
            == "s.toml:3: chain.miners: 100000 is outside 1…10000")
        #expect(error("[chain]\nnodes = 10000\nminers = 10000\n")?.description
            == "s.toml:3: chain.miners: 10000 miners × 10000 nodes exceeds 10000000 (nodes × miners)")
    }

    /// The chain simulator's own limits are checked where the file sets them (issue #15: they named
    /// no file, line or key).
    @Test func chainSettingsTheSimulatorRefusesNameFileLineAndKey() {
        #expect(error("[chain]\nblock_interval_s = 0.005\n")?.description
            == "s.toml:2: chain.block_interval_s: 0.005 is outside 0.01…86400.0")
        #expect(error("[run]\nname = \"x\"\n[chain]\nnodes = 5\nminers = 2\ndegree = 5\n")?.description
            == "s.toml:6: chain.degree: 5: must be below the node count (5)")
        #expect(error("[chain]\nnodes = 5\nminers = 2\ndegree = 9\n")?.description
            == "s.toml:4: chain.degree: 9: must be below the node count (5)")
        #expect(error("[chain]\nconfirmations = 0\n")?.description == "s.toml:2: chain.confirmations: 0 is outside 1…1000")
    }

    @Test func aSeedOutOfRangeIsReportedAtItsLine() {
        for text in ["# a dotted key\nrun.seed = -1\n", "[run]\nseed = -1\n", "[run]\nseed = 1.5\n", "[run]\nseed = \"x\"\n", "[run]\nseed = 99999999999999999999\n"] {
            let found = error(text)
            #expect(found?.line == 2, "\(text): \(found?.description ?? "accepted")")
        }
    }

    @Test func malformedTOMLThatAbortsTomlPlusPlusIsAnError() {
        #expect(error("[run]\n[ch\u{7F}ain]\n")?.description == "s.toml:2: control character U+007F is not allowed in TOML (column 4)")
        #expect(error("[[[[[[[[[[x = 1\n")?.description
            == "s.toml:1: malformed table header: expected a key, found '[' (column 3)")
        #expect(error("x = " + String(repeating: "[", count: 40) + "\n")?.description
            == "s.toml:1: arrays or inline tables nested deeper than 32 (column 37)")
        // Brackets inside strings and comments and multi-line arrays are not headers.
        #expect(error("# [[[\n[run]\nname = \"[[x\"\nvariants = [\n  \"p2p\",\n]\n") == nil)
    }

    @Test func overridesGetTheScenarioFileRanges() {
        var scenario = Scenario.embeddedDefault()
        #expect(throws: TOMLInputError(file: "--override", line: 0, key: "grid.max_iterations", message: "1e300 is outside 1.0…10000.0")) {
            try scenario.override("grid.max_iterations", value: "1e300")
        }
        #expect(throws: TOMLInputError.self) { try scenario.override("market.hop_limit", value: "-1") }
        #expect(throws: TOMLInputError.self) { try scenario.override("prices.retail_per_kwh", value: "0.01") }
        #expect(throws: Never.self) { try scenario.override("grid.max_iterations", value: "50") }
        #expect(scenario.gridMaxIterations == 50)
    }
}
