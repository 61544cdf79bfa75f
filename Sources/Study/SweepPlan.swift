// Owns what a sweep plan says and the runs it expands to: a base scenario, parameters (each a list
// of values for one scenario key), seeds (a count or a list, and which subsystems they vary) and
// the variants, expanded in one stable order (the first parameter slowest, the seed fastest).
import CoSim
import Foundation

/// A value a plan gives a scenario key, written into the run's scenario as TOML.
public enum ParameterValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// A list of strings (e.g. `run.variants`, `adversaries.strategies`).
    case strings([String])

    /// The value as TOML source text.
    public var tomlText: String {
        switch self {
        case .int(let value): return String(value)
        case .double(let value): return value.description  // shortest round-trip form, valid TOML for finite values
        case .string(let value): return Self.quoted(value)
        case .bool(let value): return value ? "true" : "false"
        case .strings(let values): return "[" + values.map(Self.quoted).joined(separator: ", ") + "]"
        }
    }

    /// A TOML basic string: quotes and backslashes escaped, control characters as \u escapes.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The value as the CSV and the database show it (strings without quotes, lists joined by "+").
    public var displayText: String {
        switch self {
        case .string(let value): return value
        case .strings(let values): return values.joined(separator: "+")
        default: return tomlText
        }
    }

    /// The number, when it is one (booleans count as 0 and 1).
    public var numericValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string, .strings: return nil
        case .bool(let value): return value ? 1 : 0
        }
    }
}

/// One swept scenario key and its values, in plan order.
public struct SweepParameter: Sendable, Equatable {
    /// The scenario key, `section.key` (e.g. `adversaries.fraction`).
    public var key: String
    public var values: [ParameterValue]
    /// The plan line the parameter is written on (for errors).
    public var line: Int
}

/// Which seeds a sweep runs and what they vary.
public struct SeedPlan: Sendable, Equatable {
    /// What a seed value is given to: the root seed, or pins of single subsystems.
    public enum Target: Sendable, Equatable {
        case root
        case subsystem(Scenario.SeedSubsystem)

        public var name: String {
            switch self {
            case .root: return "root"
            case .subsystem(let subsystem): return subsystem.rawValue
            }
        }
    }

    /// The seed values; empty: the base scenario's own seeds, one run per parameter combination.
    public var values: [UInt64]
    public var vary: [Target]
}

/// A plan read from a file, with its runs expanded.
public struct SweepPlan: Sendable {
    /// The plan file as given.
    public var planPath: String
    public var planText: String
    /// The base scenario, resolved against the plan's folder.
    public var baseScenarioPath: String
    public var baseScenarioText: String
    public var parameters: [SweepParameter]
    public var seeds: SeedPlan
    /// The variants every run runs (the pair, or one of it).
    public var variants: [Scenario.Variant]
    public var runs: [PlannedRun]

    /// The largest number of runs a plan may expand to.
    public static let maximumRuns = 100_000
}

/// One run of a sweep: its place, its parameter values and seeds, and the complete scenario text.
public struct PlannedRun: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        public var key: String
        public var value: ParameterValue
    }

    public var index: Int
    public var assignments: [Assignment]
    /// The seed value of this run (nil when the plan varies no seed).
    public var seedValue: UInt64?
    /// The seed each subsystem uses, root first: what result.json and the database record.
    public var seeds: RunSeeds
    /// The run's scenario file (run.toml): the base text with the values set.
    public var scenarioText: String

    /// The run's folder name, `NNNN`.
    public var folderName: String { SweepLayout.folderName(index) }
}

/// The seeds a run used, per subsystem.
public struct RunSeeds: Sendable, Equatable {
    public var root: UInt64
    public var grid: UInt64
    public var profiles: UInt64
    public var market: UInt64
    public var chain: UInt64
    public var adversaries: UInt64

    public init(_ scenario: Scenario) {
        root = scenario.seed
        grid = scenario.subsystemSeed(.grid)
        profiles = scenario.subsystemSeed(.profiles)
        market = scenario.subsystemSeed(.market)
        chain = scenario.subsystemSeed(.chain)
        adversaries = scenario.subsystemSeed(.adversaries)
    }

    public init(root: UInt64, grid: UInt64, profiles: UInt64, market: UInt64, chain: UInt64, adversaries: UInt64) {
        self.root = root; self.grid = grid; self.profiles = profiles; self.market = market; self.chain = chain
        self.adversaries = adversaries
    }

    /// (name, seed) in the fixed order root, grid, profiles, market, chain, adversaries.
    public var named: [(name: String, seed: UInt64)] {
        [("root", root), ("grid", grid), ("profiles", profiles), ("market", market), ("chain", chain), ("adversaries", adversaries)]
    }
}
