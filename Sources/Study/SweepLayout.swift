// Owns the sweep folder (see docs/sweeps.md): plan.toml, manifest.json (what each run is: its
// parameters and seeds, written before anything runs, so status and collect never need the plan's
// base scenario again), runs/NNNN/run.toml, runs/NNNN/result.json, logs/NNNN.log, sweep.sqlite
// and sweep.csv.
import Foundation
import Kernel
import Verify

/// Paths inside a sweep folder.
public struct SweepLayout: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `NNNN`: the 4-digit, 0-based run folder name (wider only past 9999 runs).
    public static func folderName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }
    public var planPath: String { path("plan.toml") }
    public var manifestPath: String { path("manifest.json") }
    public var databasePath: String { path("sweep.sqlite") }
    public var csvPath: String { path("sweep.csv") }
    /// `runs/NNNN`, relative to the sweep folder.
    public static func runFolder(_ index: Int) -> String { "runs/" + folderName(index) }
    public func runFolder(_ index: Int) -> String { path(Self.runFolder(index)) }
    public func scenarioPath(_ index: Int) -> String { (runFolder(index) as NSString).appendingPathComponent("run.toml") }
    public func resultPath(_ index: Int) -> String { (runFolder(index) as NSString).appendingPathComponent("result.json") }
    /// Where the local engine sends a run's `sweep exec` output.
    public func logPath(_ index: Int) -> String { path("logs/" + Self.folderName(index) + ".log") }
}

/// What the folder records about the sweep and each run, before any run: manifest.json.
public struct SweepManifest: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var key: String
        public var value: String
        public var numericValue: Double?
    }

    public struct Run: Sendable, Equatable {
        public var index: Int
        public var parameters: [Parameter]
        public var seeds: RunSeeds
    }

    public static let format = 1
    /// The plan file as given on the command line.
    public var plan: String
    public var baseScenario: String
    public var engine: String
    /// The Slurm job array's id once submitted (`--engine slurm`).
    public var slurmJob: String?
    /// How many array tasks that job has.
    public var slurmTaskCount: Int?
    /// The seed targets the plan varies (root and/or subsystems), in plan order.
    public var variedSeeds: [String]
    /// Every parameter key, in plan order (the CSV's columns).
    public var parameterKeys: [String]
    public var runs: [Run]

    public init(plan: SweepPlan, engine: String) {
        self.plan = plan.planPath
        baseScenario = plan.baseScenarioPath
        self.engine = engine
        slurmJob = nil
        slurmTaskCount = nil
        variedSeeds = plan.seeds.values.isEmpty ? [] : plan.seeds.vary.map(\.name)
        parameterKeys = plan.parameters.map(\.key)
        runs = plan.runs.map { run in
            Run(index: run.index, parameters: run.assignments.map {
                Parameter(key: $0.key, value: $0.value.displayText, numericValue: $0.value.numericValue)
            }, seeds: run.seeds)
        }
    }

    public var json: CanonicalJSON {
        [
            "format": .int(Int64(Self.format)), "plan": .string(plan), "base_scenario": .string(baseScenario),
            "engine": .string(engine), "slurm_job": slurmJob.map(CanonicalJSON.string) ?? .null,
            "slurm_tasks": slurmTaskCount.map { CanonicalJSON.int(Int64($0)) } ?? .null,
            "varied_seeds": .array(variedSeeds.map(CanonicalJSON.string)),
            "parameter_keys": .array(parameterKeys.map(CanonicalJSON.string)),
            "runs": .array(runs.map { run in
                ["run_index": .int(Int64(run.index)), "seeds": run.seeds.json,
                 "parameters": .array(run.parameters.map { parameter in
                     ["key": .string(parameter.key), "value": .string(parameter.value),
                      "numeric_value": parameter.numericValue.map(CanonicalJSON.double) ?? .null]
                 })]
            }),
        ]
    }

    /// Reads manifest.json; a folder without one (or with a damaged one) is not a sweep folder.
    public static func read(_ layout: SweepLayout) throws(SweepError) -> SweepManifest {
        guard let data = FileManager.default.contents(atPath: layout.manifestPath) else {
            throw .unusableFolder("\(layout.directory): not a sweep folder (no manifest.json)")
        }
        do {
            return try SweepManifest(json: try parsePayloadJSON(String(decoding: data, as: UTF8.self)))
        } catch {
            throw .unusableFolder("\(layout.manifestPath): \(error)")
        }
    }

    init(json: CanonicalJSON) throws(SweepError) {
        let reader = JSONFields(json, context: "manifest.json")
        guard try reader.int("format") == Int64(Self.format) else { throw .unusableFolder("manifest.json: unknown format") }
        plan = try reader.string("plan")
        baseScenario = try reader.string("base_scenario")
        engine = try reader.string("engine")
        slurmJob = try reader.optionalString("slurm_job")
        slurmTaskCount = try reader.optionalDouble("slurm_tasks").map { Int($0) }
        variedSeeds = try reader.strings("varied_seeds")
        parameterKeys = try reader.strings("parameter_keys")
        var runs: [Run] = []
        for entry in try reader.array("runs") {
            let run = JSONFields(entry, context: "manifest.json runs")
            var parameters: [Parameter] = []
            for item in try run.array("parameters") {
                let fields = JSONFields(item, context: "manifest.json parameters")
                parameters.append(Parameter(key: try fields.string("key"), value: try fields.string("value"),
                                            numericValue: try fields.optionalDouble("numeric_value")))
            }
            runs.append(Run(index: Int(try run.int("run_index")), parameters: parameters,
                            seeds: try RunSeeds(json: try run.member("seeds"))))
        }
        self.runs = runs
    }
}

extension RunSeeds {
    public var json: CanonicalJSON {
        .object(Dictionary(uniqueKeysWithValues: named.map { ($0.name, CanonicalJSON.int(Int64(bitPattern: $0.seed))) }))
    }

    init(json: CanonicalJSON) throws(SweepError) {
        let fields = JSONFields(json, context: "seeds")
        func seed(_ name: String) throws(SweepError) -> UInt64 { UInt64(bitPattern: try fields.int(name)) }
        self.init(root: try seed("root"), grid: try seed("grid"), profiles: try seed("profiles"), market: try seed("market"),
                  chain: try seed("chain"), adversaries: try seed("adversaries"))
    }
}

/// Why a sweep could not go on.
public enum SweepError: Error, CustomStringConvertible, Sendable {
    /// The sweep folder is missing, not a sweep folder, or holds another plan (exit 2).
    case unusableFolder(String)
    /// A run's files are not what they should be.
    case badResult(String)
    /// The chosen engine cannot run here.
    case engineUnavailable(String)

    public var description: String {
        switch self {
        case .unusableFolder(let text), .badResult(let text), .engineUnavailable(let text): return text
        }
    }
}

/// Typed reads of a parsed JSON object, with the file named in errors.
struct JSONFields {
    let members: [String: CanonicalJSON]
    let context: String

    init(_ json: CanonicalJSON, context: String) {
        if case .object(let members) = json { self.members = members } else { self.members = [:] }
        self.context = context
    }

    func member(_ name: String) throws(SweepError) -> CanonicalJSON {
        guard let value = members[name] else { throw .badResult("\(context): missing \"\(name)\"") }
        return value
    }

    func string(_ name: String) throws(SweepError) -> String {
        guard case .string(let text) = try member(name) else { throw .badResult("\(context): \"\(name)\" is not a string") }
        return text
    }

    func optionalString(_ name: String) throws(SweepError) -> String? {
        if case .null = members[name] ?? .null { return nil }
        return try string(name)
    }

    func int(_ name: String) throws(SweepError) -> Int64 {
        guard case .int(let value) = try member(name) else { throw .badResult("\(context): \"\(name)\" is not an integer") }
        return value
    }

    func double(_ name: String) throws(SweepError) -> Double {
        switch try member(name) {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: throw .badResult("\(context): \"\(name)\" is not a number")
        }
    }

    func optionalDouble(_ name: String) throws(SweepError) -> Double? {
        if case .null = members[name] ?? .null { return nil }
        return try double(name)
    }

    func bool(_ name: String) throws(SweepError) -> Bool {
        guard case .bool(let value) = try member(name) else { throw .badResult("\(context): \"\(name)\" is not a boolean") }
        return value
    }

    func array(_ name: String) throws(SweepError) -> [CanonicalJSON] {
        guard case .array(let items) = try member(name) else { throw .badResult("\(context): \"\(name)\" is not an array") }
        return items
    }

    func strings(_ name: String) throws(SweepError) -> [String] {
        var out: [String] = []
        for item in try array(name) {
            guard case .string(let text) = item else { throw .badResult("\(context): \"\(name)\" holds a non-string") }
            out.append(text)
        }
        return out
    }
}
