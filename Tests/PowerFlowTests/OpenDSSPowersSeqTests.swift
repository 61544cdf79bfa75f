// Owns the checks of Export Powers and Export SeqVoltages against OpenDSS's own export files for
// every shared case that loads: every row and every column, within the precision OpenDSS printed.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

/// One shared case: its golden folder under golden/, entry script under feeders/, and export file prefix.
struct SharedSnapshotCase: CustomTestStringConvertible, Sendable {
    var name: String
    var feeder: String
    var prefix: String
    var testDescription: String { name }

    static let all: [SharedSnapshotCase] = [
        .init(name: "ieee13", feeder: "ieee13/IEEE13Nodeckt.dss", prefix: "IEEE13Nodeckt"),
        .init(name: "european_lv", feeder: "european_lv/Master.dss", prefix: "LVTest"),
        .init(name: "enerport_summer", feeder: "enerport/M_summer.dss", prefix: "LVTest"),
        .init(name: "ieee37", feeder: "ieee37/37Bus/ieee37.dss", prefix: "ieee37"),
        .init(name: "4bus_yy_bal", feeder: "4bus_yy_bal/4Bus-YY-Bal/4Bus-YY-Bal.DSS", prefix: "4BusYYbal"),
        .init(name: "4bus_dy_bal", feeder: "4bus_dy_bal/4Bus-DY-Bal/4Bus-DY-Bal.DSS", prefix: "4busDYBal"),
        .init(name: "ieee8500", feeder: "ieee8500/8500-Node/Master.dss", prefix: "IEEE8500"),
        .init(name: "nev", feeder: "nev/NEVTestCase/NEVMASTER.DSS", prefix: "NEV"),
        .init(name: "ckt5", feeder: "ckt5/ckt5/Master_ckt5.dss", prefix: "ckt5"),
    ]
}

/// The outcome of comparing one export with OpenDSS's file.
struct ExportComparison {
    var maxAbsoluteError = 0.0
    var worst = ""
    var failures: [String] = []
}

@Suite struct OpenDSSPowersSeqTests {
    /// Cells of each line after the header, trimmed and unquoted; each with its file line number.
    static func rows(_ text: String) -> [(line: Int, cells: [String])] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().dropFirst().compactMap { k, line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? nil : (k + 1, line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "") })
        }
    }

    /// Every row and cell of `ours` against `golden`: text cells equal (case aside), numbers within
    /// `tolerance(goldenRow, column, goldenText)`; at most a few failures are spelled out.
    static func compare(_ ours: String, _ golden: String, file: String,
                        tolerance: ([String], Int, String) -> Double) -> ExportComparison {
        let a = rows(ours), b = rows(golden)
        var result = ExportComparison()
        if a.count != b.count { result.failures.append("\(file): \(a.count) rows, OpenDSS \(b.count)") }
        for (rowA, rowB) in zip(a, b) {
            if rowA.cells.count != rowB.cells.count {
                result.failures.append("\(file) line \(rowB.line): \(rowA.cells.count) cells, OpenDSS \(rowB.cells.count)")
            }
            for (k, (x, y)) in zip(rowA.cells, rowB.cells).enumerated() {
                guard let valueY = Double(y) else {
                    if x.lowercased() != y.lowercased() { result.failures.append("\(file) line \(rowB.line) column \(k + 1): \(x) vs \(y)") }
                    continue
                }
                guard let valueX = Double(x), valueX.isFinite else {
                    result.failures.append("\(file) line \(rowB.line) column \(k + 1): \(x) is not a number (OpenDSS \(y))")
                    continue
                }
                let error = abs(valueX - valueY)
                if error > result.maxAbsoluteError { result.maxAbsoluteError = error; result.worst = "line \(rowB.line) column \(k + 1): \(x) vs \(y)" }
                if error > tolerance(rowB.cells, k, y) {
                    result.failures.append("\(file) line \(rowB.line) column \(k + 1) (\(rowB.cells[0])): \(x) vs OpenDSS \(y)")
                }
            }
        }
        return result
    }

    /// One unit in the last digit printed in `text` ("3567.1" → 0.1, "4.3195E-6" → 1e-10).
    static func lastDigitUnit(_ text: String) -> Double {
        let parts = text.uppercased().split(separator: "E")
        let decimals = parts.first.flatMap { $0.split(separator: ".").dropFirst().first?.count } ?? 0
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        return pow(10, Double(exponent - decimals)) * (1 + 1e-9)
    }

    /// SeqVoltages: one printed digit, or the solution's own noise — 1e-9 of the bus's
    /// line-to-neutral base for volts (V1, V2, V0; three times that for Vresidual, a sum of three
    /// phases), 1e-9 for p.u., and the volts' noise
    /// over V1 for the percentages (near-balanced buses have V0 and Vresidual of that noise's size).
    static func seqTolerance(_ row: [String], _ column: Int, _ text: String) -> Double {
        let baseVolts = (Double(row[3]) ?? 0) * 1000 / 3.0.squareRoot()
        let noiseVolts = 1e-9 * baseVolts
        let v1 = Double(row[1]) ?? 0
        let noise: Double = switch column {
        case 1, 4, 6: noiseVolts
        // Vresidual = |Va + Vb + Vc| adds three phases' noise.
        case 8: 3 * noiseVolts
        case 2: 1e-9
        case 5, 7, 9: v1 > 0 ? 100 * noiseVolts / v1 : 0
        default: 0
        }
        return max(lastDigitUnit(text), noise)
    }

    /// The largest |V| difference (pu of the node's base) between our solution and OpenDSS's node_voltages.csv.
    static func solutionMismatchPerUnit(_ solver: PowerFlowSolver, goldenNodeVoltages path: String) throws -> Double {
        let golden = rows(try String(contentsOfFile: path, encoding: .utf8))
        let v = solver.voltages
        guard golden.count == v.count else { return .infinity }
        var worst = 0.0
        for (i, row) in golden.enumerated() where solver.nodeBaseVolts[i] > 0 {
            guard row.cells.count > 7, let pu = Double(row.cells[7]) else { return .infinity }
            worst = max(worst, abs(v[i].length / solver.nodeBaseVolts[i] - pu))
        }
        return worst
    }

    @Test(arguments: SharedSnapshotCase.all)
    func powersAndSeqVoltagesMatchOpenDSS(_ c: SharedSnapshotCase) throws {
        let folder = "golden/\(c.name)/snapshot/"
        guard let feeder = SharedData.path("feeders/" + c.feeder), let powers = SharedData.path(folder + c.prefix + "_EXP_POWERS.csv"),
              let seq = SharedData.path(folder + c.prefix + "_EXP_SEQVOLTAGES.csv"),
              let nodeVoltages = SharedData.path(folder + "node_voltages.csv") else { return }
        let solver: PowerFlowSolver
        do {
            solver = try PowerFlowSolver(model: FeederImporter.compile(path: feeder))
        } catch {
            // The other shared feeders load once the importer supports them; they are checked then.
            print("skipping \(c.name): gridtrace does not load it yet (\(error))")
            return
        }
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        _ = try solver.solve(log: &log)
        let powersResult = Self.compare(OpenDSSExports.powersCSV(solver), try String(contentsOfFile: powers, encoding: .utf8),
                                        file: "EXP_POWERS") { _, _, text in Self.lastDigitUnit(text) }
        let seqResult = Self.compare(OpenDSSExports.seqVoltagesCSV(solver), try String(contentsOfFile: seq, encoding: .utf8),
                                     file: "EXP_SEQVOLTAGES", tolerance: Self.seqTolerance)
        print("\(c.name): EXP_POWERS max abs error \(powersResult.maxAbsoluteError) kW/kvar (\(powersResult.worst)); "
              + "EXP_SEQVOLTAGES max abs error \(seqResult.maxAbsoluteError) (\(seqResult.worst))")
        let mismatch = try Self.solutionMismatchPerUnit(solver, goldenNodeVoltages: nodeVoltages)
        let check = {
            for failure in (powersResult.failures + seqResult.failures).prefix(8) { Issue.record(Comment(rawValue: failure)) }
            #expect(powersResult.failures.isEmpty && seqResult.failures.isEmpty,
                    "\(powersResult.failures.count) EXP_POWERS and \(seqResult.failures.count) EXP_SEQVOLTAGES values differ")
        }
        if mismatch > 1e-6 {
            // The exports cannot agree where the solution does not; that is the solver's issue, named here.
            withKnownIssue("\(c.name): the solution differs from OpenDSS's by \(mismatch) pu", isIntermittent: true) { check() }
        } else {
            check()
        }
    }
}
