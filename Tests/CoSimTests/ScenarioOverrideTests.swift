// What-if overrides: `key=value` arguments get the scenario file's checks, and the changed value
// is written into the scenario text (over its line, under its table, or in a new table), so that
// the text a counterfactual trace's header holds parses back to exactly the changed scenario.
import Foundation
import Testing
@testable import CoSim

@Suite struct ScenarioOverrideTests {
    @Test func argumentsParseAsKeyEqualsValue() {
        #expect(ScenarioOverride(argument: "grid.tolerance=1e-3") == ScenarioOverride(key: "grid.tolerance", value: "1e-3"))
        #expect(ScenarioOverride(argument: "a=b=c")?.value == "b=c")
        for bad in ["grid.tolerance", "=1", "grid.tolerance=", ""] { #expect(ScenarioOverride(argument: bad) == nil, "\(bad)") }
    }

    @Test func changedValueIsWrittenOverItsLine() throws {
        let scenario = Scenario.embeddedDefault()
        let changed = try scenario.overriding([ScenarioOverride(key: "grid.tolerance", value: "1e-3")])
        #expect(changed.gridTolerance == 1e-3)
        #expect(changed.sourceText.contains("tolerance = 0.001  # what-if: --override grid.tolerance=1e-3; was: tolerance = 1e-8"))
        #expect(!changed.sourceText.contains("\ntolerance = 1e-8\n"))
        let reparsed = try Scenario.parse(changed.sourceText, file: "x.toml", baseFolder: nil)
        #expect(reparsed.gridTolerance == 1e-3 && reparsed.gridMaxIterations == scenario.gridMaxIterations)
        // Everything else is as it was: only the one line differs.
        let before = scenario.sourceText.split(separator: "\n", omittingEmptySubsequences: false)
        let after = changed.sourceText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count && zip(before, after).filter { $0 != $1 }.count == 1)
    }

    @Test func keyMissingFromItsTableIsAddedUnderTheHeader() throws {
        let text = "[run]\nname = \"t\"\n\n[chain]\nnodes = 10\nminers = 3\ndegree = 3\n"
        let scenario = try Scenario.parse(text, file: "t.toml", baseFolder: nil)
        let changed = try scenario.overriding([ScenarioOverride(key: "chain.confirmations", value: "2"),
                                               ScenarioOverride(key: "adversaries.fraction", value: "0.5")])
        #expect(changed.chain.confirmations == 2 && changed.adversaryFraction == 0.5)
        #expect(changed.sourceText.contains("[chain]\nconfirmations = 2  # what-if: --override chain.confirmations=2\nnodes = 10"))
        #expect(changed.sourceText.hasSuffix("[adversaries]\nfraction = 0.5  # what-if: --override adversaries.fraction=0.5\n"))
        #expect(changed.overrideValueText("chain.confirmations") == "2" && scenario.overrideValueText("chain.confirmations") == "6")
    }

    @Test func theValueTheScenarioHasLeavesTheTextAlone() throws {
        let scenario = Scenario.embeddedDefault()
        let same = try scenario.overriding([ScenarioOverride(key: "grid.tolerance", value: "1e-8"),
                                            ScenarioOverride(key: "market.hop_limit", value: "6.0")])
        #expect(same == scenario)
    }

    @Test func badValuesNameTheKey() {
        let scenario = Scenario.embeddedDefault()
        #expect(throws: TOMLInputError(file: "--override", line: 0, key: "grid.max_iterations", message: "1e300 is outside 1.0…10000.0")) {
            try scenario.overriding([ScenarioOverride(key: "grid.max_iterations", value: "1e300")])
        }
        #expect(throws: TOMLInputError.self) { try scenario.overriding([ScenarioOverride(key: "grid.colour", value: "1")]) }
        #expect(throws: TOMLInputError.self) { try scenario.overriding([ScenarioOverride(key: "adversaries.fraction", value: "nan")]) }
    }
}
