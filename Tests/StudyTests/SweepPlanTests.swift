// Sweep plans: parsing, the expansion order, seeds per subsystem, every value checked by the
// scenario parser, and errors naming the plan's file, line and key.
import CoSim
import Foundation
import Testing
@testable import Study

@Suite struct SweepPlanTests {
    /// A folder with the default scenario as base.toml; the plan is written as plan.toml beside it.
    private func plan(_ text: String) throws -> SweepPlan {
        try SweepPlan.parse(text, path: try Self.folder() + "/plan.toml")
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try plan(text)
            return nil
        } catch {
            return "\(error)".replacingOccurrences(of: (try? Self.folder()) ?? "", with: "")
        }
    }

    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-plan-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = folder + "/base.toml"
        if !FileManager.default.fileExists(atPath: base) { try Scenario.defaultText.write(toFile: base, atomically: true, encoding: .utf8) }
        return folder
    }

    @Test func expandsParametersThenSeedsInPlanOrder() throws {
        let plan = try plan("""
            [sweep]
            scenario = "base.toml"
            variants = "p2p"

            [parameters]
            chain.delay_ms = [50, 100]
            adversaries.fraction = { from = 0, to = 0.2, step = 0.1 }

            [seeds]
            count = 2
            vary = ["market"]
            """)
        #expect(plan.parameters.map(\.key) == ["chain.delay_ms", "adversaries.fraction"])
        #expect(plan.parameters[1].values == [.double(0), .double(0.1), .double(0.2)])
        #expect(plan.runs.count == 12)
        #expect(plan.runs.map(\.index) == Array(0..<12))
        let described = plan.runs.prefix(4).map { run in run.assignments.map { "\($0.key)=\($0.value.tomlText)" }.joined(separator: " ") + " s\(run.seedValue ?? 0)" }
        #expect(described == ["chain.delay_ms=50 adversaries.fraction=0.0 s1", "chain.delay_ms=50 adversaries.fraction=0.0 s2",
                              "chain.delay_ms=50 adversaries.fraction=0.1 s1", "chain.delay_ms=50 adversaries.fraction=0.1 s2"])
        #expect(plan.runs[11].assignments.map(\.value) == [.int(100), .double(0.2)])
        // The market seed varies; the grid, profiles, chain and adversaries keep the base's root seed.
        let root = Scenario.embeddedDefault().seed
        #expect(plan.runs[1].seeds == RunSeeds(root: root, grid: root, profiles: root, market: 2, chain: root, adversaries: root))
        let scenario = try Scenario.parse(plan.runs[3].scenarioText, file: "run.toml", baseFolder: nil)
        #expect(scenario.chain.delayMilliseconds == 50 && scenario.adversaryFraction == 0.1)
        #expect(scenario.seedPins == Scenario.SeedPins(market: 2) && scenario.variants == [.p2p])
        #expect(scenario.name == "default")
        // The run's scenario is the base with the swept lines changed: comments stay.
        #expect(plan.runs[3].scenarioText.contains("delay_ms = 50\n"))
        #expect(plan.runs[3].scenarioText.contains("# p_gb: what buying from the grid costs"))
    }

    @Test func rootSeedsAndNoSeedsExpand() throws {
        let rooted = try plan("[sweep]\nscenario = \"base.toml\"\n[seeds]\nvalues = [7, 9]\n")
        #expect(rooted.runs.map(\.seeds.root) == [7, 9])
        #expect(rooted.runs.map(\.seeds.market) == [7, 9])
        #expect(rooted.variants == [.noP2P, .p2p])
        let single = try plan("[sweep]\nscenario = \"base.toml\"\n")
        #expect(single.runs.count == 1 && single.runs[0].seedValue == nil)
    }

    @Test func aBadValueIsNamedAtItsPlanLine() {
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\nadversaries.fraction = [0, 1.5]\n")
                == "/plan.toml:4: parameters.adversaries.fraction: 1.5: 1.5 is outside 0.0…1.0")
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\n\"chain.dleay_ms\" = [5]\n")
                == "/plan.toml:4: parameters.chain.dleay_ms: 5: unknown key")
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\nchain.miners = [300]\n")
                == "/plan.toml:4: parameters.chain.miners: 300: 300 miners but only 200 nodes")
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\nmarket.rule = [\"vickrey\"]\n")
                == #"/plan.toml:4: parameters.market.rule: "vickrey": "vickrey" is not one of "mcafee", "midprice", "payasbid""#)
    }

    @Test func badPlanKeysAreNamed() {
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[seeds]\ncount = 2\nvary = [\"weather\"]\n")
                == #"/plan.toml:5: seeds.vary: "weather" is not one of "root", "grid", "profiles", "market", "chain", "adversaries""#)
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[seeds]\ncount = 2\nvalues = [1]\n")
                == "/plan.toml:5: seeds.values: give count or values, not both")
        #expect(error("[sweep]\nscenario = \"base.toml\"\nvariant = \"p2p\"\n") == "/plan.toml:3: sweep.variant: unknown key")
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\nchain.delay_ms = { from = 10, to = 5, step = 1 }\n")
                == "/plan.toml:4: parameters.chain.delay_ms: to 5.0 is below from 10.0")
        #expect(error("[sweep]\nscenario = \"base.toml\"\n[parameters]\nchain.delay_ms = []\n")
                == "/plan.toml:4: parameters.chain.delay_ms: list at least one value")
        #expect(error("[sweep]\nscenario = \"missing.toml\"\n")?.hasPrefix("/plan.toml:2: sweep.scenario: the base scenario does not load") == true)
        #expect(error("[sweep]\n") == "/plan.toml:1: sweep.scenario: name the base scenario file (relative to the plan)")
    }

    @Test func settingKeysInScenarioText() throws {
        let text = "# top\n[run]\nseed = 3 # the seed\nvariants = [\n  \"p2p\",\n]\n\n[chain]\nnodes = 100\n"
        let seeded = try ScenarioText.setting("run.seed", to: .int(9), in: text)
        #expect(seeded == "# top\n[run]\nseed = 9\nvariants = [\n  \"p2p\",\n]\n\n[chain]\nnodes = 100\n")
        let variants = try ScenarioText.setting("run.variants", to: .strings(["no-p2p"]), in: seeded)
        #expect(variants == "# top\n[run]\nseed = 9\nvariants = [\"no-p2p\"]\n\n[chain]\nnodes = 100\n")
        let added = try ScenarioText.setting("chain.degree", to: .int(4), in: variants)
        #expect(added.hasSuffix("[chain]\ndegree = 4\nnodes = 100\n"))
        let pinned = try ScenarioText.setting("run.seeds.grid", to: .int(7), in: added)
        #expect(pinned.hasSuffix("nodes = 100\n\n[run.seeds]\ngrid = 7\n"))
        #expect(try Scenario.parse(pinned, file: "s.toml", baseFolder: nil).seedPins.grid == 7)
        #expect(ParameterValue.string("a\"b\\c").tomlText == #""a\"b\\c""#)
    }
}
