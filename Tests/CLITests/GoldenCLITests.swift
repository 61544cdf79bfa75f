// `solve --export` then `golden compare` against OpenDSS's own results for the shared feeders:
// within tolerance (exit 0); a golden value moved past its printed precision is named (exit 1).
import Foundation
import Testing
import TestSupport

@Suite struct GoldenCLITests {
    static let shared = SharedData.root

    private func sharedPresent() -> Bool { SharedData.path("golden") != nil }

    @Test(arguments: [("european_lv", "european_lv/Master.dss"), ("ieee13", "ieee13/IEEE13Nodeckt.dss"),
                      ("enerport_summer", "enerport/M_summer.dss"), ("enerport_winter", "enerport/M_winter.dss")])
    func snapshotExportsMatchOpenDSS(name: String, feeder: String) throws {
        guard sharedPresent() else { return }
        let out = try CLI.scratch("golden\(name)")
        let solve = try CLI.run(["solve", Self.shared.appendingPathComponent("feeders/" + feeder).path, "--tolerance", "1e-10",
                                 "--export", out.path])
        #expect(solve.status == 0, "\(solve.stderr)")
        let compare = try CLI.run(["golden", "compare", out.path, Self.shared.appendingPathComponent("golden/\(name)/snapshot").path])
        #expect(compare.status == 0, "\(compare.stdout)")
        #expect(compare.stdout.contains("ok   node_voltages.csv v_pu: max abs"))
        #expect(compare.stdout.contains("_EXP_POWERS.csv Q(kvar): max abs"))
        #expect(compare.stdout.contains("_EXP_SEQVOLTAGES.csv %NEMA: max abs"))
        #expect(!compare.stdout.contains("FAIL"))
        #expect(compare.stdout.hasSuffix("within tolerance\n"))
    }

    @Test func timeSeriesExportsMatchOpenDSS() throws {
        guard sharedPresent() else { return }
        let out = try CLI.scratch()
        let solve = try CLI.run(["solve", Self.shared.appendingPathComponent("feeders/european_lv/Master.dss").path, "--mode", "yearly",
                                 "--step", "5m", "--number", "288", "--tolerance", "1e-10", "--max-iterations", "100", "--export", out.path])
        #expect(solve.status == 0, "\(solve.stderr)")
        let compare = try CLI.run(["golden", "compare", out.path, Self.shared.appendingPathComponent("golden/european_lv/daily_5m").path,
                                   "--json"])
        #expect(compare.status == 0, "\(compare.stdout)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any])
        let files = Set((object["quantities"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String })
        #expect(files.isSuperset(of: ["steps.csv", "load_voltages.csv", "metrics.json"]))
    }

    @Test func aValueBeyondItsPrintedPrecisionIsNamed() throws {
        guard sharedPresent() else { return }
        let out = try CLI.scratch("goldenresults"), golden = try CLI.scratch("goldencopy")
        _ = try CLI.run(["solve", Self.shared.appendingPathComponent("feeders/ieee13/IEEE13Nodeckt.dss").path, "--tolerance", "1e-10",
                         "--export", out.path])
        let source = Self.shared.appendingPathComponent("golden/ieee13/snapshot/IEEE13Nodeckt_EXP_VOLTAGES.csv")
        let text = try String(contentsOf: source, encoding: .utf8)
        // Bus 650's phase-1 magnitude 2401.56 V becomes 2401.66 V: off by 10 units of the last digit.
        let changed = text.replacingOccurrences(of: "2401.56", with: "2401.66")
        #expect(changed != text)
        try changed.write(to: golden.appendingPathComponent("IEEE13Nodeckt_EXP_VOLTAGES.csv"), atomically: true, encoding: .utf8)
        let compare = try CLI.run(["golden", "compare", out.path, golden.path])
        #expect(compare.status == 1)
        #expect(compare.stdout.contains("FAIL IEEE13Nodeckt_EXP_VOLTAGES.csv Magnitude1: max abs 0.1"))
    }
}

/// `solve --export` on IEEE 13 against a copy of OpenDSS's snapshot folder with one file altered.
@Suite struct GoldenAlteredCopyTests {
    /// The exit code and output of comparing our IEEE 13 exports with the golden folder after `alter`
    /// rewrote `file` in a scratch copy of it.
    func compareWithAlteredCopy(_ file: String, scratch: String, alter: (String) -> String) throws -> CommandResult? {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss"),
              let golden = SharedData.path("golden/ieee13/snapshot") else { return nil }
        let out = try CLI.scratch(scratch + "results"), copy = try CLI.scratch(scratch + "golden")
        let solve = try CLI.run(["solve", feeder, "--tolerance", "1e-10", "--max-iterations", "100", "--export", out.path])
        #expect(solve.status == 0, "\(solve.stderr)")
        // Named as OpenDSS names them: after the circuit as the script spells it.
        for kind in ["POWERS", "SEQVOLTAGES"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("IEEE13Nodeckt_EXP_\(kind).csv").path))
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: golden) where name.hasSuffix(".csv") {
            var text = try String(contentsOfFile: golden + "/" + name, encoding: .utf8)
            if name == file {
                let altered = alter(text)
                #expect(altered != text, "the alteration changed nothing")
                text = altered
            }
            try text.write(to: copy.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let unaltered = try CLI.run(["golden", "compare", out.path, golden])
        #expect(unaltered.status == 0, "\(unaltered.stdout)")
        return try CLI.run(["golden", "compare", out.path, copy.path])
    }

    @Test func aPowerBeyondItsPrintedDigitFailsNamingTheRow() throws {
        // Line 650632's terminal-1 P, 3566.7 kW, becomes 3568.7: 20 units of the last printed digit.
        guard let result = try compareWithAlteredCopy("IEEE13Nodeckt_EXP_POWERS.csv", scratch: "powers", alter: {
            $0.replacingOccurrences(of: "\"Line.650632\"           ,   1,      3566.7", with: "\"Line.650632\"           ,   1,      3568.7")
        }) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL IEEE13Nodeckt_EXP_POWERS.csv P(kW): max abs 2.0"), "\(result.stdout)")
        #expect(result.stdout.contains("worst at line 16 (\"Line.650632\", 1)"), "\(result.stdout)")
    }

    @Test func aShortRowFailsNamingLineAndColumn() throws {
        // Bus 670's row loses its last cell (%NEMA).
        guard let result = try compareWithAlteredCopy("IEEE13Nodeckt_EXP_SEQVOLTAGES.csv", scratch: "short", alter: {
            $0.replacingOccurrences(of: "132.123,   0.8745", with: "132.123")
        }) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL IEEE13Nodeckt_EXP_SEQVOLTAGES.csv line 14 (\"670\"), column %NEMA: short row"), "\(result.stdout)")
    }

    @Test func aNaNFailsNamingLineAndColumn() throws {
        guard let result = try compareWithAlteredCopy("IEEE13Nodeckt_EXP_SEQVOLTAGES.csv", scratch: "nan", alter: {
            $0.replacingOccurrences(of: "2439.75,    1.0158", with: "2439.75,       NaN")
        }) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL IEEE13Nodeckt_EXP_SEQVOLTAGES.csv line 15 (\"632\"), column p.u.: \"NaN\" in the golden is not a finite number"),
                "\(result.stdout)")
    }
}

@Suite struct CIMCLITests {
    @Test func importedFeederAgreesWithItsCIMExport() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss"),
              let cim = SharedData.path("golden/ieee13/snapshot/IEEE13Nodeckt_CIM100x.xml") else { return }
        let result = try CLI.run(["golden", "cim", feeder, cim])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("PASS  CIM transformer ratings"))
    }

    @Test func doctypeIsRefusedWithLineAndColumn() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss") else { return }
        let path = try CLI.scratch().appendingPathComponent("evil.xml").path
        try "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n<x/>\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["golden", "cim", feeder, path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("evil.xml:2:1: DOCTYPE declarations are refused"))
    }
}
