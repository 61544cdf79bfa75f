// Owns `gridtrace solve`: compile an OpenDSS feeder, run a snapshot or a daily/yearly series,
// print a summary (or JSON with separate compile and solve wall-clock times), export results.
import ArgumentParser
import Feeder
import Foundation
import Kernel
import PowerFlow

struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve an OpenDSS feeder (snapshot or daily/yearly time series) with the KLU power flow.")

    @Argument(help: "The feeder's OpenDSS script (e.g. Master.dss).")
    var feeder: String

    @Option(help: "snapshot, daily or yearly (default: the script's Set mode).")
    var mode: String?

    @Option(help: "Time step: seconds, or with a unit suffix (1m, 5m, 1h).")
    var step: String?

    @Option(help: "Number of time steps (default: one day).")
    var number: Int?

    @Option(help: "Convergence tolerance on the per-unit voltage change (default: the script's, 1e-4).")
    var tolerance: Double?

    @Option(name: .customLong("max-iterations"), help: "Maximum fixed-point iterations per solve.")
    var maxIterations: Int?

    @Option(help: "Distribution transformer measured as the source (default: lowest LV kV).")
    var source: String?

    @Option(help: "Directory to write node_voltages.csv, steps.csv, load_voltages.csv and metrics.json; a snapshot also writes OpenDSS's <circuit>_EXP_VOLTAGES/SEQVOLTAGES/CURRENTS/POWERS/LOSSES/Summary.csv.")
    var export: String?

    @Flag(help: "Print a JSON summary.")
    var json = false

    @Flag(name: .customLong("no-metrics"), help: "Skip per-step measurements (pure solve timing; node voltages stay available).")
    var noMetrics = false

    /// Errors become one line on stderr and exit code 2 (see README).
    func run() throws { try reportingErrors { try execute() } }

    func execute() throws {
        _ = try stepCount(stepSeconds: try parseStep())  // refuse a bad --step or --number before compiling
        let clock = ContinuousClock()
        let compileStart = clock.now
        let model = try FeederImporter.compile(path: feeder)
        let solver = try PowerFlowSolver(model: model)
        let compileSeconds = seconds(clock.now - compileStart)
        if let tolerance { solver.settings.tolerance = tolerance }
        if let maxIterations { solver.settings.maxIterations = maxIterations }
        let solveMode = try parseMode(default: model.options.mode)
        var log = EventLog(isEnabled: false)
        var summary: [String: CanonicalJSON] = ["feeder": .string(feeder), "nodes": .int(Int64(solver.network.nodeCount))]
        let solveStart = clock.now
        var result: TimeSeriesResult?
        var snapshotOutcome: SolveOutcome?
        if solveMode == .snapshot {
            let outcome = try solver.solve(log: &log)
            snapshotOutcome = outcome
            summary["converged"] = .bool(outcome.converged)
            summary["iterations_total"] = .int(Int64(outcome.iterations))
            summary["steps"] = 1
        } else {
            let stepSeconds = try parseStep()
            let steps = try stepCount(stepSeconds: stepSeconds)
            var configuration = TimeSeriesConfiguration(mode: solveMode, stepSeconds: stepSeconds, numberOfSteps: steps,
                                                        startHour: model.options.startHour + model.options.startSecond / 3600,
                                                        recordLoadVoltages: export != nil, sourceTransformer: source)
            configuration.measure = !noMetrics
            configuration.recordMonitors = export != nil
            let series = try solver.runTimeSeries(configuration, log: &log)
            result = series
            summary["converged"] = .bool(series.allConverged)
            summary["iterations_total"] = .int(Int64(series.iterationsTotal))
            summary["steps"] = .int(Int64(series.steps.count))
        }
        let solveSeconds = seconds(clock.now - solveStart)
        summary["compile_seconds"] = .double(compileSeconds)
        summary["solve_seconds"] = .double(solveSeconds)
        summary["mode"] = .string(solveMode.rawValue)
        summary["tolerance"] = .double(solver.settings.tolerance)
        // Classes that do not change a power-flow solution: accepted, listed, not modelled.
        summary["accepted_not_modelled"] = .array(model.unmodelledByClass.map {
            .object(["class": .string($0.className), "count": .int(Int64($0.names.count)),
                     "names": .array($0.names.map { .string($0) })])
        })
        if let export {
            let caseName = URL(fileURLWithPath: feeder).deletingPathExtension().lastPathComponent
            try ResultExports.write(result, solver: solver, caseName: caseName, to: export)
            // What `golden compare` needs to explain a tolerance mismatch (not itself compared).
            let settings: CanonicalJSON = ["tolerance": .double(solver.settings.tolerance), "max_iterations": .int(Int64(solver.settings.maxIterations)),
                                           "mode": .string(solveMode.rawValue)]
            try (settings.text + "\n").write(toFile: (export as NSString).appendingPathComponent("solve.json"), atomically: true, encoding: .utf8)
            if let snapshotOutcome {
                let stamp = Date().formatted(.iso8601)
                let circuit = Self.circuitSpelling(scriptPath: feeder, lowercased: model.circuitName)
                try OpenDSSExports.writeSnapshot(solver, outcome: snapshotOutcome, timestamp: stamp, to: export, circuitName: circuit)
            }
        }
        if json {
            printJSON(.object(summary))
        } else {
            for key in summary.keys.sorted() {  // determinism: sorted
                guard let value = summary[key] else { continue }
                if case .double(let seconds) = value, key.hasSuffix("_seconds") {
                    print("\(key): \(HumanFormat.quantity(seconds, "s", decimals: 3))")  // wall time, rounded for people
                } else {
                    print("\(key): \(value.text)")
                }
            }
        }
        // The process ends next: handing the solver (and through it the network and the model) to
        // the exit instead of freeing tens of thousands of small arrays one by one saves a few
        // percent of a large feeder's whole run.
        _ = Unmanaged.passRetained(solver)
        if case .bool(false)? = summary["converged"] { throw ExitCode(2) }
    }

    /// The circuit's name as the entry script spells it in `New Circuit.<name>`, which OpenDSS uses
    /// for its export file names; the importer keeps names lowercased. When the declaration is not in
    /// the entry script itself (a redirected file), the lowercased name is kept.
    static func circuitSpelling(scriptPath: String, lowercased: String) -> String {
        guard let text = try? String(contentsOfFile: scriptPath, encoding: .utf8) else { return lowercased }
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" })
            guard words.first?.lowercased() == "new" else { continue }
            for word in words.dropFirst().prefix(2) where word.lowercased().hasPrefix("circuit.") {
                let name = word.dropFirst("circuit.".count)
                if name.lowercased() == lowercased { return String(name) }
            }
        }
        return lowercased
    }

    func parseMode(default scriptMode: SolutionMode) throws -> SolutionMode {
        guard let mode else { return scriptMode }
        guard let parsed = SolutionMode(rawValue: mode.lowercased()) else {
            throw ValidationError("--mode must be snapshot, daily or yearly")
        }
        return parsed
    }

    func parseStep() throws -> Double {
        guard let step else { return 300 }
        let lower = step.lowercased()
        var scale = 1.0
        var digits = lower
        if lower.hasSuffix("m") { scale = 60; digits.removeLast() } else if lower.hasSuffix("h") { scale = 3600; digits.removeLast() } else if lower.hasSuffix("s") { digits.removeLast() }
        guard let value = Double(digits), value > 0, value.isFinite else { throw ValidationError("--step must be like 60, 1m, 5m or 1h, got \(step)") }
        let seconds = value * scale
        guard seconds >= 1, seconds <= Self.maximumStepSeconds else {
            throw ValidationError("--step must be between 1 s and 1 year (31536000 s), got \(step)")
        }
        return seconds
    }

    /// Longest time step, s (one year).
    static let maximumStepSeconds = 365 * 86_400.0
    /// Most time steps in one series.
    static let maximumSteps = 10_000_000

    /// The number of steps: `--number`, or one day of `stepSeconds`; at most `maximumSteps`.
    func stepCount(stepSeconds: Double) throws -> Int {
        let steps = number ?? max(1, Int((86_400 / stepSeconds).rounded()))
        guard (1...Self.maximumSteps).contains(steps) else {
            throw ValidationError("--number must be between 1 and \(Self.maximumSteps) steps, got \(steps)")
        }
        return steps
    }
}
