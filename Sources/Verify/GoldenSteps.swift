// Owns comparing a trace's power-flow steps with OpenDSS's own results for the same injections
// (`steps.csv` in the goldens' layout, e.g. made by scripts/opendss_steps.py from `export-dss`).
import Foundation

/// A malformed CSV row, with the file and the first bad row.
public struct CSVInputError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var row: Int
    public var message: String
    public var description: String { "\(file): row \(row): \(message)" }

    /// The largest CSV or JSON result file read (each is held in memory at once).
    static let maximumFileBytes = 256 << 20

    /// The text of `path`; a file over `maximumFileBytes` is refused before it is read.
    static func readText(_ path: String) throws(CSVInputError) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maximumFileBytes else {
            throw CSVInputError(file: path, row: 0, message: "the file is \(size) bytes; result files are limited to \(maximumFileBytes >> 20) MiB")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CSVInputError(file: path, row: 0, message: "cannot read the file")
        }
        return text
    }
}

enum GoldenSteps {
    /// Tolerances: voltages in pu (absolute), powers relative with an absolute floor in kW/kvar.
    static let voltageTolerancePerUnit = 1e-6
    static let powerRelativeTolerance = 1e-4
    static let powerAbsoluteFloor = 1e-3

    static let header = ["step", "hour", "iterations", "converged", "p_source_kw", "q_source_kvar", "p_losses_kw",
                         "q_losses_kvar", "vmin_pu_lv", "vmax_pu_lv"]

    /// The rows of a golden `steps.csv`, as steps (the same fields a trace records).
    static func read(_ path: String) throws -> [RecordedStep] {
        let text = try CSVInputError.readText(path)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.first, first.split(separator: ",").map(String.init) == header else {
            throw CSVInputError(file: path, row: 1, message: "header must be \(header.joined(separator: ","))")
        }
        return try lines.dropFirst().enumerated().map { index, line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let numbers = cells.map(Double.init)
            guard cells.count == header.count, numbers.allSatisfy({ $0?.isFinite == true }), let step = Int(cells[0]) else {
                throw CSVInputError(file: path, row: index + 2, message: "expected \(header.count) numbers, got \"\(line)\"")
            }
            let n = numbers.compactMap { $0 }
            return RecordedStep(step: step, converged: n[3] != 0, iterations: Int(n[2]), sourceKilowatts: n[4], sourceKilovars: n[5],
                                lossesKilowatts: n[6], lossesKilovars: n[7], voltageMinPerUnit: n[8], voltageMaxPerUnit: n[9])
        }
    }

    /// Compares recorded steps with `directory/steps.csv` step by step; reports the largest errors.
    static func compare(_ recorded: [RecordedStep], directory: String) throws -> VerificationCheck {
        let path = (directory as NSString).appendingPathComponent("steps.csv")
        let golden = try read(path)
        var byStep: [Int: RecordedStep] = [:]
        for row in golden { byStep[row.step] = row }
        var worst: [String: (error: Double, step: Int)] = [:]
        var failures: [String] = []
        var compared = 0
        for step in recorded {
            guard let reference = byStep[step.step] else { failures.append("step \(step.step) missing from \(path)"); continue }
            compared += 1
            let quantities: [(String, Double, Double, Bool)] = [
                ("p_source_kw", step.sourceKilowatts, reference.sourceKilowatts, false),
                ("q_source_kvar", step.sourceKilovars, reference.sourceKilovars, false),
                ("p_losses_kw", step.lossesKilowatts, reference.lossesKilowatts, false),
                ("q_losses_kvar", step.lossesKilovars, reference.lossesKilovars, false),
                ("vmin_pu", step.voltageMinPerUnit, reference.voltageMinPerUnit, true),
                ("vmax_pu", step.voltageMaxPerUnit, reference.voltageMaxPerUnit, true),
            ]
            for (name, ours, theirs, isVoltage) in quantities {
                let error = abs(ours - theirs)
                if error > (worst[name]?.error ?? -1) { worst[name] = (error, step.step) }
                let tolerance = isVoltage ? voltageTolerancePerUnit : max(powerAbsoluteFloor, powerRelativeTolerance * abs(theirs))
                if error > tolerance { failures.append("step \(step.step) \(name): \(ours) vs OpenDSS \(theirs)") }
            }
        }
        let summary = worst.sorted { $0.key < $1.key }  // determinism: sorted
            .map { "\($0.key) max |Δ| \(String(format: "%.3g", $0.value.error)) (step \($0.value.step))" }.joined(separator: "; ")
        return VerificationCheck(
            name: "grid vs OpenDSS (\(path))", passed: failures.isEmpty && compared > 0,
            summary: "\(compared) steps compared: " + summary
                + " — tolerances \(voltageTolerancePerUnit) pu, \(powerRelativeTolerance) relative (floor \(powerAbsoluteFloor))",
            details: Array(failures.prefix(20)))
    }
}
