// Owns `gridtrace golden compare RESULTS GOLDEN`: max absolute and relative error per quantity and
// file between a results folder and OpenDSS's; exit 1 past tolerance.
import ArgumentParser
import Feeder
import Kernel
import Verify

struct GoldenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden", abstract: "Compare results with golden OpenDSS results.", subcommands: [Compare.self, CIM.self])

    struct CIM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cim",
            abstract: "Cross-check an imported OpenDSS feeder with OpenDSS's CIM100 export of it (buses, line impedances, transformer ratings, load P/Q).",
            discussion: "Exit 0 when everything agrees, 1 when something differs, 2 when a file cannot be read (XML errors give line:column).")

        @Argument(help: "The OpenDSS script.") var feeder: String
        @Argument(help: "OpenDSS's CIM100 export (XML).") var cim: String
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            let checks = try reportingErrors {
                CIMCrossCheck.compare(model: try FeederImporter.compile(path: feeder), network: try CIMNetwork(path: cim))
            }
            printChecks(checks, json: json)
            if !checks.allSatisfy(\.passed) { throw ExitCode(1) }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare", abstract: "Compare a results folder (gridtrace solve --export) with a golden folder, file by file.",
            discussion: """
                Tolerances: voltages 1e-6 pu of the node's base, powers 1e-4 relative, metrics.json 0.1 % \
                relative; OpenDSS's printed exports (*_EXP_*.csv, monitors) within one unit of the last printed digit.
                Every CSV result in the golden folder (and metrics.json) must have a counterpart in the results \
                folder with the same header, rows and cells: a missing file, a short row, NaN or a cell that is \
                not a number where the golden has one fails, naming the file, line and column.
                Exit 0 within tolerance, 1 past it (or not comparable), 2 when a folder or file cannot be read.
                """)

        @Argument(help: "Results folder.") var results: String
        @Argument(help: "Golden folder.") var golden: String
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            let comparison = try reportingErrors { try GoldenCompare.compare(results: results, golden: golden) }
            if json {
                printJSON(["passed": .bool(comparison.passed), "notes": .array(comparison.notes.map { .string($0) }),
                           "problems": .array(comparison.problems.map { .string($0) }),
                           "quantities": .array(comparison.quantities.map { q in
                               var object: [String: CanonicalJSON] = [
                                   "file": .string(q.file), "quantity": .string(q.quantity), "compared": .int(Int64(q.compared)),
                                   "max_abs": .double(q.maxAbsoluteError), "max_rel": .double(q.maxRelativeError),
                                   "tolerance": .string(q.toleranceDescription), "passed": .bool(q.passed)]
                               if let worst = q.worst { object["worst"] = .string(worst) }
                               return .object(object)
                           }),
                           "tolerance_mismatch": comparison.toleranceMismatch.map { mismatch in
                               ["results_tolerance": mismatch.resultsTolerance.map { .double($0) } ?? .null,
                                "golden_tolerance": .double(mismatch.goldenTolerance), "hint": .string(mismatch.hint)]
                           } ?? .null])
            } else {
                for q in comparison.quantities {
                    // A failing quantity names its row: the one most past its tolerance.
                    let worst = !q.passed ? q.worst.map { ", worst at \($0)" } ?? "" : ""
                    print("\(q.passed ? "ok  " : "FAIL") \(q.file) \(q.quantity): max abs \(format(q.maxAbsoluteError)), max rel \(format(q.maxRelativeError)) over \(q.compared) (tolerance \(q.toleranceDescription))\(worst)")
                }
                for problem in comparison.problems { print("FAIL \(problem)") }
                for note in comparison.notes { print("note: \(note)") }
                if let mismatch = comparison.toleranceMismatch { print("hint: " + mismatch.hint) }
                print(comparison.passed ? "within tolerance" : "NOT within tolerance")
            }
            if !comparison.passed { throw ExitCode(1) }
        }

        private func format(_ value: Double) -> String { CanonicalJSON.format((value * 1e12).rounded() / 1e12) }
    }
}
