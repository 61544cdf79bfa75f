// Owns the checks that golden compare fails, naming file, line and column, on what it cannot
// compare: a golden file without counterpart, a short row, NaN, a cell that is not a number.
import Foundation
import Testing
@testable import Verify

@Suite struct GoldenCompareProblemTests {
    static let golden = """
        Element, Terminal, P(kW), Q(kvar),  P_Normal, Q_Normal, P_Emergency, Q_Emergency
        "Line.A"                ,   1,       100.0,        50.0,         0.0,         0.0,         0.0,         0.0
        "Line.A"                ,   2,       -99.0,       -49.0
        "Load.L"                ,   1,        99.0,        49.0

        """

    /// Compares a results folder holding `results` (nil: no file) with a golden folder holding `golden`.
    func compare(results: String?, golden: String = Self.golden, extraGolden: [String: String] = [:],
                 _ name: String = #function) throws -> GoldenComparison {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-goldencompare-\(getpid())-\(name.filter(\.isLetter))")
        try? FileManager.default.removeItem(at: root)
        let ours = root.appendingPathComponent("ours"), theirs = root.appendingPathComponent("golden")
        for folder in [ours, theirs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try golden.write(to: theirs.appendingPathComponent("Case_EXP_POWERS.csv"), atomically: true, encoding: .utf8)
        for (file, text) in extraGolden { try text.write(to: theirs.appendingPathComponent(file), atomically: true, encoding: .utf8) }
        if let results { try results.write(to: ours.appendingPathComponent("case_EXP_POWERS.csv"), atomically: true, encoding: .utf8) }
        return try GoldenCompare.compare(results: ours.path, golden: theirs.path)
    }

    /// A result file larger than the limit is refused before it is read (a sparse file stands for one).
    @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-goldencompare-\(getpid())-huge.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("a,b\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        do {
            _ = try CSVTable(path: path)
            Issue.record("a 300 MiB file was read")
        } catch {
            #expect("\(error)" == "\(path): row 0: the file is 314572800 bytes; result files are limited to 256 MiB")
        }
    }

    @Test func identicalFilesPass() throws {
        let comparison = try compare(results: Self.golden)
        #expect(comparison.passed, "\(comparison.problems)")
        #expect(comparison.problems.isEmpty)
    }

    @Test func aGoldenFileWithoutCounterpartFails() throws {
        let comparison = try compare(results: Self.golden, extraGolden: ["Case_EXP_SEQVOLTAGES.csv": "Bus, V1\n\"A\", 1\n", "case_uuids.csv": "x\n"])
        #expect(!comparison.passed)
        #expect(comparison.problems == ["Case_EXP_SEQVOLTAGES.csv: in the golden folder, no counterpart in the results folder"])
    }

    @Test func aShortRowFailsNamingLineAndColumn() throws {
        let results = Self.golden.replacingOccurrences(of: "-99.0,       -49.0", with: "-99.0")
        let comparison = try compare(results: results)
        #expect(!comparison.passed)
        #expect(comparison.problems.first == "Case_EXP_POWERS.csv line 3 (\"Line.A\", 2), column Q(kvar): short row (3 cells in the results, 4 in the golden)")
    }

    @Test func nanFailsNamingLineAndColumn() throws {
        let results = Self.golden.replacingOccurrences(of: "99.0,        49.0", with: "nan,        49.0")
        let comparison = try compare(results: results)
        #expect(!comparison.passed)
        #expect(comparison.problems.first == "Case_EXP_POWERS.csv line 4 (\"Load.L\", 1), column P(kW): \"nan\" in the results is not a finite number")
    }

    @Test func anUnparsableCellFailsNamingLineAndColumn() throws {
        let results = Self.golden.replacingOccurrences(of: "100.0,        50.0", with: "100.0,        5O.0")
        let comparison = try compare(results: results)
        #expect(!comparison.passed)
        #expect(comparison.problems.first == "Case_EXP_POWERS.csv line 2 (\"Line.A\", 1), column Q(kvar): \"5O.0\" in the results is not a number (golden 50.0)")
    }

    @Test func rowsThatDoNotLineUpFail() throws {
        let comparison = try compare(results: Self.golden.replacingOccurrences(of: "Load.L", with: "Load.M"))
        #expect(!comparison.passed)
        #expect(comparison.problems.first == "Case_EXP_POWERS.csv line 4 (\"Load.L\", 1), column Element: rows do not line up (Load.M in the results, Load.L in the golden)")
    }

    @Test func aValuePastItsLastDigitNamesItsRow() throws {
        let comparison = try compare(results: Self.golden.replacingOccurrences(of: "-99.0,       -49.0", with: "-99.3,       -49.0"))
        let power = try #require(comparison.quantities.first { $0.quantity == "P(kW)" })
        #expect(!power.passed)
        #expect(power.worst == "line 3 (\"Line.A\", 2)")
    }
}
