// Owns `export-dss`: an OpenDSS script that reproduces a trace's grid side — the recorded feeder,
// with every home's load, EV and PV following shapes of the powers the trace recorded — so the real
// OpenDSS engine can re-solve the run (scripts/opendss_steps.py) and `verify --golden` can compare.
// The feeder comes from the trace itself (the stored files are written under DIR/feeder/), so the
// export is self-contained and works from any folder.
import CoSim
import Feeder
import Foundation
import Kernel
import PowerFlow
import Trace

/// What `DSSExport.write` wrote.
public struct DSSExportResult: Sendable {
    /// Five-minute steps exported.
    public var steps: Int
    /// Set when the feeder differs from the recorded one (or --feeder was given).
    public var feederNote: String?
}

public enum DSSExport {
    /// Writes `Master.dss`, the feeder it compiles (`feeder.dss` for the synthetic feeder, the
    /// trace's stored files under `feeder/` for an OpenDSS one) and `export.json` into `directory`.
    /// `feederOverride` compiles an OpenDSS script on disk instead of the recorded feeder.
    @discardableResult
    public static func write(tracePath: String, directory: String, feeder feederOverride: String? = nil) throws -> DSSExportResult {
        let reader = try TraceReader(path: tracePath)
        let (verification, reading) = reader.whileVerifying(injections)
        guard verification.status.isSealed else {
            throw CoSimError.trace("\(tracePath) is not a sealed trace; export needs a complete run")
        }
        let columns = try reading.get()
        let (scenario, _) = try Replay.recordedRun(reader, feederOverride: feederOverride)
        let feeder = try PreparedFeeder.prepare(scenario)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var compileTarget = try writeFeeder(scenario.feeder, prepared: feeder, into: directory)
        if let commands = feeder.homeRuleCommands {
            // The scenario's [homes] elements, added after the feeder as the run added them.
            try CoSimulation.writeAtomically("Redirect \"\(compileTarget)\"\n" + commands,
                                             to: (directory as NSString).appendingPathComponent("homes.dss"))
            compileTarget = "homes.dss"
        }
        let master = masterScript(compile: compileTarget, feeder: feeder, columns: columns, trace: tracePath)
        try CoSimulation.writeAtomically(master, to: (directory as NSString).appendingPathComponent("Master.dss"))
        let info: CanonicalJSON = ["steps": .int(Int64(columns.steps)), "step_minutes": .int(5),
                                   "trace": .string(tracePath), "tolerance": .double(scenario.gridTolerance)]
        try CoSimulation.writeAtomically(info.text + "\n", to: (directory as NSString).appendingPathComponent("export.json"))
        return DSSExportResult(steps: columns.steps,
                               feederNote: FeederComparison.note(recorded: reader.header, used: feeder, override: feederOverride))
    }

    /// Writes the feeder `Master.dss` compiles into `directory` (or names it on disk, for --feeder
    /// and for format-1 traces); returns the path to compile.
    static func writeFeeder(_ source: Scenario.FeederSource, prepared: PreparedFeeder, into directory: String) throws -> String {
        switch source {
        case .synthetic:
            guard let script = prepared.syntheticScript else { throw CoSimError.feeder("the synthetic feeder has no script") }
            try CoSimulation.writeAtomically(script, to: (directory as NSString).appendingPathComponent("feeder.dss"))
            return "feeder.dss"
        case .openDSS(let path):
            return (path as NSString).standardizingPath
        case .stored(let set):
            // Deep enough that every "../" in the stored paths stays inside DIR/feeder.
            let ups = set.files.map { $0.path.split(separator: "/").prefix { $0 == ".." }.count }.max() ?? 0
            let folder = "feeder" + String(repeating: "/up", count: ups)
            for file in set.files {
                let relative = FilePaths.normalize(folder + "/" + file.path)
                guard !file.path.hasPrefix("/"), relative.hasPrefix("feeder/") else {
                    throw CoSimError.feeder("stored feeder file \(file.path) would lie outside \(directory)/feeder")
                }
                let target = (directory as NSString).appendingPathComponent(relative)
                try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try Data(file.bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
            }
            return FilePaths.normalize(folder + "/" + set.entry)
        }
    }

    /// Per-home power columns read from the trace's `grid_injections` events, step by step.
    struct Columns {
        var loadKilowatts: [[Double]] = []   // [home][step]
        var loadKilovars: [[Double]] = []
        var evKilowatts: [[Double]] = []
        var evKilovars: [[Double]] = []
        var pvKilowatts: [[Double]] = []
        var steps = 0
    }

    static func injections(_ reader: TraceReader) throws -> Columns {
        var columns = Columns()
        try reader.forEachEvent { event in
            guard event.kind == EventKind.gridInjections.rawValue else { return true }
            let payload = try event.payload(as: GridInjectionsEvent.self)
            let rows = [payload.loadKilowatts, payload.loadKilovars, payload.evKilowatts, payload.evKilovars, payload.pvKilowatts]
            if columns.steps == 0 {
                let empty = [[Double]](repeating: [], count: rows[0].count)
                columns.loadKilowatts = empty; columns.loadKilovars = empty; columns.evKilowatts = empty
                columns.evKilovars = empty; columns.pvKilowatts = empty
            }
            guard rows.allSatisfy({ $0.count == columns.loadKilowatts.count }) else {
                throw PayloadError(seq: event.seq, kind: event.kind, field: "load_kw",
                                   why: "has \(rows[0].count) homes, the first grid_injections had \(columns.loadKilowatts.count)")
            }
            for home in rows[0].indices {
                columns.loadKilowatts[home].append(rows[0][home]); columns.loadKilovars[home].append(rows[1][home])
                columns.evKilowatts[home].append(rows[2][home]); columns.evKilovars[home].append(rows[3][home])
                columns.pvKilowatts[home].append(rows[4][home])
            }
            columns.steps += 1
            return true
        }
        guard columns.steps > 0 else { throw CoSimError.trace("the trace records no grid injections") }
        return columns
    }

    static func masterScript(compile: String, feeder: PreparedFeeder, columns: Columns, trace: String) -> String {
        func numbers(_ values: [Double]) -> String { values.map(\.description).joined(separator: " ") }
        let points = "npts=\(columns.steps) minterval=5"
        var lines = [
            "! Written by gridtrace export-dss from \(trace): the recorded per-home powers as yearly shapes.",
            "! Solve with: set mode=yearly stepsize=5m number=1, then one Solve per step (scripts/opendss_steps.py).",
            "Compile \"\(compile)\"",
        ]
        for (index, home) in feeder.homes.enumerated() {
            lines.append("New LoadShape.gt_load_\(index) \(points) useactual=yes mult=[\(numbers(columns.loadKilowatts[index]))] qmult=[\(numbers(columns.loadKilovars[index]))]")
            lines.append("Edit \(home.load) yearly=gt_load_\(index)")
            if let ev = home.ev {
                lines.append("New LoadShape.gt_ev_\(index) \(points) useactual=yes mult=[\(numbers(columns.evKilowatts[index]))] qmult=[\(numbers(columns.evKilovars[index]))]")
                lines.append("Edit \(ev) yearly=gt_ev_\(index)")
            }
            if let pv = home.pv { lines += pvLines(pv, index: index, output: columns.pvKilowatts[index], points: points, model: feeder.model) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A PV system follows irradiance (output / Pmpp); a generator follows its kW (base 1 kW).
    static func pvLines(_ element: String, index: Int, output: [Double], points: String, model: FeederModel) -> [String] {
        let bare = element.split(separator: ".").dropFirst().joined(separator: ".").lowercased()
        if element.lowercased().hasPrefix("pvsystem."),
           let system = model.pvSystems.first(where: { $0.name.lowercased() == bare }), system.peakKilowatts > 0 {
            let perUnit = output.map { $0 / system.peakKilowatts }
            return ["New LoadShape.gt_pv_\(index) \(points) mult=[\(perUnit.map(\.description).joined(separator: " "))]",
                    "Edit \(element) irradiance=1 yearly=gt_pv_\(index)"]
        }
        return ["New LoadShape.gt_pv_\(index) \(points) mult=[\(output.map(\.description).joined(separator: " "))]",
                "Edit \(element) kW=1 yearly=gt_pv_\(index)"]
    }
}
