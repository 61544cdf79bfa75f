// One vocabulary and checks that can fail (issue #16), each defect as a user meets it: the command
// as typed, what it prints and its exit code. Participant ids, variant spellings, HH:MM times, units
// and rounding, typed JSON, the voltage-limit warning and --strict, golden cim/compare and verify.
import Foundation
import TestSupport
import Testing

@Suite struct ConsistencyCLITests {
    static let trading = SharedData.packageRoot.appendingPathComponent("traces/trading/p2p.gtrace").path
    static let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    /// True when `text` holds a decimal with seven or more fraction digits (float noise such as
    /// 0.028473000000000002 or 21.635999999999996).
    static func hasFloatNoise(_ text: String) -> Bool {
        text.range(of: #"\d\.\d{7,}"#, options: .regularExpression) != nil
    }

    // MARK: one id per participant

    @Test func helpExampleUntilActorMatchesAParticipantsMatch() throws {
        let help = try CLI.run(["replay", "--help"])
        #expect(help.stdout.contains("06:30,order_matched,actor=home:7"))
        // Who matched first after 06:30 in the trading reference: the distributed auction's auctioneer,
        // recorded as home:N like every other participant event.
        let first = try CLI.run(["replay", Self.trading, "--until", "06:30,order_matched", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let stopped = try #require(try Self.object(first.stdout)["stopped_after"] as? [String: Any])
        let actor = try #require(stopped["actor"] as? String)
        #expect(actor.hasPrefix("home:"), "order_matched recorded under \(actor)")
        #expect(stopped["payload"] is [String: Any], "the payload is a JSON object, not JSON in a string")
        let result = try CLI.run(["replay", Self.trading, "--until", "06:30,order_matched,actor=\(actor)"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("stopped after seq") && result.stdout.contains("order_matched \(actor) "), "\(result.stdout)")
        #expect(!result.stdout.contains("never reached"))
    }

    @Test func replayStateNamesHomesAsParticipantsWithUnitsAndCountsItsLists() throws {
        let result = try CLI.run(["replay", Self.trading, "--until", "08:00"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        // HH:MM for people, never the internal HH:MM:SS.mmm form.
        #expect(text.contains("stopped after seq") && text.contains(" 08:00 "), "\(text)")
        #expect(!text.contains("08:00:00.000"))
        #expect(text.contains("home voltages (pu): home:0="), "\(text)")
        #expect(!text.contains(" h1="))
        // Prices in the scenario files' unit (retail_per_kwh): 245 µtoken/Wh is 0.245 token/kWh.
        #expect(text.range(of: #"home:\d+ (buy|sell) \d+ Wh limit \d\.\d{3} token/kWh"#, options: .regularExpression) != nil,
                "prices carry their unit: \(text)")
        let bookLine = try #require(text.split(separator: "\n").first { $0.contains("order book (") })
        let listed = text.split(separator: "\n").filter { $0.hasPrefix("    home:") }.count
        if listed == 20 {
            #expect(bookLine.contains("first 20 of "), "a list of 20 is titled with the total: \(bookLine)")
        } else {
            #expect(bookLine.contains("(\(listed) revealed orders"), "\(bookLine)")
        }
        #expect(!Self.hasFloatNoise(text), "\(text)")
    }

    /// The issue's case: 55 homes revealed orders, 20 are listed, and the title says so.
    @Test func aCutListIsTitledWithItsTotal() throws {
        let result = try CLI.run(["replay", Self.reference, "--until", "00:30"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("  order book (first 20 of 55 revealed orders this interval):"), "\(result.stdout)")
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("    home:") }.count == 20)
        let json = try Self.object(try CLI.run(["replay", Self.reference, "--until", "00:30", "--json"]).stdout)
        #expect((json["orders"] as? [[String: Any]])?.count == 55, "--json lists every order")
    }

    // MARK: one spelling per variant

    @Test func marketDayAndRunTakeTheSameVariantSpellings() throws {
        let dashed = try CLI.run(["market", "day", "--homes", "4", "--scenario", "no-p2p"])
        #expect(dashed.status == 0, "\(dashed.stderr)")
        #expect(dashed.stdout.contains("(no-p2p, auction, seed 1)"), "\(dashed.stdout)")
        let alias = try CLI.run(["market", "day", "--homes", "4", "--scenario", "no_p2p", "--json"])
        #expect(alias.status == 0, "the old spelling is an alias: \(alias.stderr)")
        let wrong = try CLI.run(["run", "scenarios/default.toml", "--variant", "nop2p"], in: SharedData.packageRoot)
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("--variant takes no-p2p or p2p (no_p2p is accepted for no-p2p), got 'nop2p'"), "\(wrong.stderr)")
        #expect(try CLI.run(["market", "day", "--help"]).stdout.contains("p2p or no-p2p"))
    }

    // MARK: numbers rounded for people, exact in JSON

    @Test func marketClearPrintsRoundedQuantitiesWithUnits() throws {
        let result = try CLI.run(["market", "clear", "--participants", "40", "--distributed"])
        #expect(result.status == 0)
        #expect(!Self.hasFloatNoise(result.stdout), "\(result.stdout)")
        #expect(result.stdout.range(of: #"volume +\d+\.\d{3} kWh"#, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(result.stdout.range(of: #"clear time +\d+\.\d{3} ms"#, options: .regularExpression) != nil, "\(result.stdout)")
        let json = try Self.object(try CLI.run(["market", "clear", "--participants", "40", "--json"]).stdout)
        #expect(json["volume_kwh"] is Double || json["volume_kwh"] is Int)
    }

    @Test func solvePrintsWallTimesRounded() throws {
        let directory = try CLI.scratch()
        let feeder = directory.appendingPathComponent("f.dss").path
        try "Clear\nNew Circuit.c basekv=0.4\nNew Line.l1 bus1=sourcebus bus2=b length=0.1\nNew Load.h bus1=b kw=1 kv=0.4\nSet voltagebases=[0.4]\nCalcvoltagebases\n"
            .write(toFile: feeder, atomically: true, encoding: .utf8)
        let result = try CLI.run(["solve", feeder, "--mode", "snapshot"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.range(of: #"compile_seconds: \d+\.\d{3} s"#, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(!Self.hasFloatNoise(result.stdout), "\(result.stdout)")
    }

    // MARK: trace export: a default format, objects not JSON in strings

    @Test func traceExportDefaultsToJSONLinesWithTypedHeaderAndSeal() throws {
        let result = try CLI.run(["trace", "export", Self.reference])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try Self.object(try #require(lines.first))
        #expect(header["record"] as? String == "header")
        #expect(header["seed"] is Int, "seed is a number")
        #expect(header["parameters"] is [String: Any], "parameters is an object, not JSON in a string")
        #expect(header["ground_truth"] is [String: Any])
        let seal = try Self.object(try #require(lines.last))
        #expect(seal["record"] as? String == "seal")
        #expect(seal["seed"] is Int)
        #expect((seal["counts"] as? [String: Any])?["meter_reading"] is Int, "counts is an object of numbers")
    }

    // MARK: summary.json: the seed a number, export and net export named for what they are

    @Test func runSummaryHasANumericSeedAndANetExportThatIsExportMinusImport() throws {
        let out = try CLI.scratch()
        let result = try CLI.run(["run", "scenarios/default.toml", "--intervals", "2", "--variant", "p2p", "--out", out.path],
                                 in: SharedData.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("export, reverse flow (kWh)") && result.stdout.contains("net export = export-import (kWh)"))
        let summary = try Self.object(try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8))
        #expect(summary["seed"] as? Int == 20261125)
        let p2p = try #require(summary["p2p"] as? [String: Any])
        let export = try #require(p2p["export_kwh"] as? Double), imported = try #require(p2p["import_kwh"] as? Double)
        let net = try #require(p2p["net_export_kwh"] as? Double)
        #expect(abs(net - (export - imported)) < 1e-9, "net export \(net) = export \(export) − import \(imported)")
        let limits = try #require(p2p["voltage_limits"] as? [String: Any])
        #expect(limits["standard"] as? String == "EN 50160" && limits["node_steps_outside"] as? Int == 0)
    }

    // MARK: a run that leaves the voltage band says so; --strict makes it exit 1

    @Test func runOutsideTheVoltageBandWarnsAndStrictExitsOne() throws {
        let directory = try CLI.scratch()
        let scenario = try MiniFeeder.write(into: directory)
        // The same feeder with its source at 0.85 pu: every home is below EN 50160's 0.90 pu.
        let master = directory.appendingPathComponent("feeder/Master.dss")
        try MiniFeeder.master.replacingOccurrences(of: "pu=1.0", with: "pu=0.85").write(to: master, atomically: true, encoding: .utf8)
        let plain = try CLI.run(["run", scenario, "--variant", "p2p", "--out", directory.appendingPathComponent("a").path])
        #expect(plain.status == 0, "\(plain.stderr)")
        let warning = try #require(plain.stdout.split(separator: "\n").first { $0.hasPrefix("warning: p2p: vmin ") }, "\(plain.stdout)")
        #expect(warning.contains(" pu below EN 50160 0.90 pu at ") && warning.contains(" node-steps; run `gridtrace verify "), "\(warning)")
        #expect(plain.stderr.contains("warning: p2p: vmin "))
        let strict = try CLI.run(["run", scenario, "--variant", "p2p", "--strict", "--out", directory.appendingPathComponent("b").path])
        #expect(strict.status == 1, "\(strict.stdout)\(strict.stderr)")
        let strictJSON = try CLI.run(["run", scenario, "--variant", "p2p", "--strict", "--json", "--out", directory.appendingPathComponent("c").path])
        #expect(strictJSON.status == 1)
        let limits = try #require((try Self.object(strictJSON.stdout)["p2p"] as? [String: Any])?["voltage_limits"] as? [String: Any])
        #expect(limits["passed"] as? Bool == false && (limits["node_steps_outside"] as? Int ?? 0) > 0)
        // verify lists every violation as typed objects and says when its text is cut.
        let trace = directory.appendingPathComponent("a/p2p.gtrace").path
        let verify = try CLI.run(["verify", trace, "--json"])
        #expect(verify.status == 1)
        let checks = try #require(try Self.object(verify.stdout)["checks"] as? [[String: Any]])
        let limitCheck = try #require(checks.first { ($0["name"] as? String ?? "").hasPrefix("voltage limits") })
        let violations = try #require(limitCheck["violations"] as? [[String: Any]])
        #expect(violations.count == limits["node_steps_outside"] as? Int, "every node-step, not the first 50")
        #expect(violations.first?["v_pu"] is Double && violations.first?["node"] is String && violations.first?["time_ms"] is Int)
    }

    @Test func verifySaysWhenItsTextListIsCut() throws {
        let directory = try CLI.scratch()
        let scenario = try MiniFeeder.write(into: directory)
        let master = directory.appendingPathComponent("feeder/Master.dss")
        // Many nodes outside the band: 60 three-phase buses (three of them with homes) at 0.85 pu.
        try MiniFeeder.master.replacingOccurrences(of: "pu=1.0", with: "pu=0.85").write(to: master, atomically: true, encoding: .utf8)
        let lines = (1...60).map { "New Line.l\($0) bus1=lv bus2=h\($0) phases=3 r1=0.2 x1=0.08 r0=0.6 x0=0.3 length=0.05 units=km\n" }
        try lines.joined().write(to: directory.appendingPathComponent("feeder/lines.dss"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", scenario, "--variant", "p2p", "--intervals", "1", "--out", directory.appendingPathComponent("o").path])
        #expect(run.status == 0, "\(run.stderr)")
        let verify = try CLI.run(["verify", directory.appendingPathComponent("o/p2p.gtrace").path])
        #expect(verify.status == 1)
        #expect(verify.stdout.range(of: #"… showing 50 of \d+; every one in --json"#, options: .regularExpression) != nil, "\(verify.stdout)")
    }

    // MARK: checks that can fail

    @Test func goldenCIMComparesLinesWithPhaseMatrices() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss"),
              let cim = SharedData.path("golden/ieee13/snapshot/IEEE13Nodeckt_CIM100x.xml") else { return }
        let result = try CLI.run(["golden", "cim", feeder, cim, "--json"])
        #expect(result.status == 0, "\(result.stdout)")
        let checks = try #require(try Self.object(result.stdout)["checks"] as? [[String: Any]])
        let lines = try #require(checks.first { $0["name"] as? String == "CIM line impedances" })
        let summary = try #require(lines["summary"] as? String)
        #expect(summary.contains("by phase matrix") && !summary.hasPrefix("0 of"), "\(summary)")
        #expect(summary.range(of: #"[1-9]\d* by phase matrix"#, options: .regularExpression) != nil, "\(summary)")
    }

    /// The IEEE 4-bus feeder's lines are given by wire data, for which the export has no impedance:
    /// nothing is compared, and the check says so and fails instead of passing on nothing.
    @Test func goldenCIMFailsWhenNoLineCouldBeCompared() throws {
        guard let feeder = SharedData.path("feeders/4bus_yy_bal/4Bus-YY-Bal/4Bus-YY-Bal.DSS"),
              let cim = SharedData.path("golden/4bus_yy_bal/snapshot/4BusYYbal_CIM100x.xml") else { return }
        let result = try CLI.run(["golden", "cim", feeder, cim])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("FAIL  CIM line impedances: none of the export's 2 lines could be compared; 2 not comparable"), "\(result.stdout)")
        #expect(result.stdout.contains("line line1: the export gives no impedance (wire data), not comparable"))
    }

    @Test func goldenCIMFailsWhenNothingWasCompared() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss") else { return }
        let path = try CLI.scratch().appendingPathComponent("empty.xml").path
        try "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:cim=\"http://iec.ch/TC57/CIM100#\"/>\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["golden", "cim", feeder, path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAIL  CIM content: the export has no lines, transformers or loads: nothing was compared"), "\(result.stdout)")
    }

    @Test func goldenCompareAtTheDefaultToleranceNamesTheFix() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss"),
              let golden = SharedData.path("golden/ieee13/snapshot") else { return }
        let results = try CLI.scratch().appendingPathComponent("results").path
        let solve = try CLI.run(["solve", feeder, "--export", results])
        #expect(solve.status == 0, "\(solve.stderr)")
        let loose = try CLI.run(["golden", "compare", results, golden])
        #expect(loose.status == 1, "solve's default tolerance (1e-4) is too loose for 1e-10 goldens: \(loose.stdout)")
        #expect(loose.stdout.contains("hint: the results were solved at tolerance 0.0001 and the golden at 1e-10"), "\(loose.stdout)")
        #expect(loose.stdout.contains("gridtrace solve FEEDER --tolerance 1e-10 --export"), "\(loose.stdout)")
        let json = try Self.object(try CLI.run(["golden", "compare", results, golden, "--json"]).stdout)
        let mismatch = try #require(json["tolerance_mismatch"] as? [String: Any])
        #expect(mismatch["golden_tolerance"] as? Double == 1e-10 && mismatch["results_tolerance"] as? Double == 1e-4)
        let tight = try CLI.run(["solve", feeder, "--tolerance", "1e-10", "--export", results])
        #expect(tight.status == 0)
        let compared = try CLI.run(["golden", "compare", results, golden])
        #expect(compared.status == 0, "the option the hint names fixes it: \(compared.stdout)")
        #expect(!compared.stdout.contains("hint:"))
    }
}
