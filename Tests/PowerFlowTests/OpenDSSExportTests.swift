// Owns the checks of the OpenDSS-layout exports against OpenDSS's own snapshot exports (IEEE 13),
// compared within the precision the printed files carry.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct OpenDSSExportTests {
    static func table(_ text: String) -> [[String]] {
        text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "") }
        }
    }

    /// True when `a` and `b` agree to the printed precision (relative 5e-5, or absolute `floor`).
    static func close(_ a: String, _ b: String, floor: Double) -> Bool {
        guard let x = Double(a), let y = Double(b) else { return a == b }
        return abs(x - y) <= max(floor, 5e-5 * abs(y))
    }

    @Test func ieee13ExportsMatchOpenDSS() throws {
        let base = "golden/ieee13/snapshot/IEEE13Nodeckt_EXP_"
        guard let path = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss"), let golden = SharedData.path(base + "VOLTAGES.csv") else { return }
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: path))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        _ = try solver.solve(log: &log)
        let prefix = String(golden.dropLast("VOLTAGES.csv".count))
        for (name, ours, floor) in [("VOLTAGES", OpenDSSExports.voltagesCSV(solver), 0.051),
                                    ("POWERS", OpenDSSExports.powersCSV(solver), 0.051),
                                    ("CURRENTS", OpenDSSExports.currentsCSV(solver), 0.0051)] {
            let expected = Self.table(try String(contentsOfFile: prefix + name + ".csv", encoding: .utf8))
            let actual = Self.table(ours)
            #expect(expected.count == actual.count, "\(name) rows")
            var mismatches = 0
            for (e, a) in zip(expected, actual) {
                #expect(e.count == a.count, "\(name) \(e.first ?? "") columns")
                for (k, (x, y)) in zip(a, e).enumerated() where !Self.close(x, y, floor: floor) {
                    // Angles of near-zero currents (residuals of balanced sets) are rounding noise.
                    if name == "CURRENTS", k % 2 == 0, k > 0, abs(Double(e[k - 1]) ?? 1) < 1e-6 { continue }
                    mismatches += 1
                    if mismatches < 5 { Issue.record("\(name) \(e.first ?? ""): \(x) vs \(y)") }
                }
            }
            #expect(mismatches == 0, "\(name): \(mismatches) fields differ")
        }
    }
}
