// Owns the scenario: everything a run depends on besides the seed's streams, read from a TOML file
// with every key checked (unknown keys, wrong types and out-of-range values are errors naming the
// key and its line).
import Chain
import Feeder
import Foundation
import Market

/// A co-simulation scenario. Prices are in currency units per kWh; the market converts them to
/// integer tokens.
public struct Scenario: Sendable, Equatable {
    public enum Variant: String, CaseIterable, Sendable {
        case noP2P = "no-p2p", p2p = "p2p"

        /// A variant as typed on a command line; `no_p2p` (the old `market day` spelling) is an
        /// alias of `no-p2p`, so both commands take both.
        public init?(argument: String) { self.init(rawValue: argument == "no_p2p" ? "no-p2p" : argument) }
    }
    /// Where the feeder comes from: generated from the seed, an OpenDSS script on disk, or the
    /// OpenDSS files a trace stores (a replay's feeder, read from the trace, never from disk).
    public enum FeederSource: Sendable, Equatable { case synthetic, openDSS(path: String), stored(FeederFileSet) }
    public enum ProfileSource: String, CaseIterable, Sendable { case synthetic, feeder }
    public enum LimitStandard: String, CaseIterable, Sendable { case en50160, ansi }

    public var name: String
    /// The root seed; every subsystem draws from it unless `seedPins` pins it (`subsystemSeed(_:)`).
    public var seed: UInt64
    /// Subsystem seeds pinned by `[run.seeds]` (see Scenario+Seeds.swift).
    public var seedPins = SeedPins()
    public var variants: [Variant]
    public var intervalMinutes: Int
    public var intervals: Int
    public var feeder: FeederSource
    /// Homes on phases A, B and C of the synthetic feeder (`[feeder] homes_per_phase`).
    public var syntheticHomesPerPhase = SyntheticFeederSpec().homesPerPhase
    /// Which loads of an OpenDSS feeder are homes and what PV and EV they get (`[homes]`); nil:
    /// the feeder's own homes (its non-EV loads, with EV loads and PV on the same bus).
    public var homes: HomeRule?
    public var profiles: ProfileSource
    public var retailPricePerKilowattHour: Double
    public var feedInPricePerKilowattHour: Double
    public var mechanism: MarketMechanism
    public var clearingRule: ClearingRule
    public var hopLimit: Int
    public var dailyBidTokens: Int
    public var chain: ChainSettings
    public var adversaryFraction: Double
    public var adversaryStrategies: [AdversaryStrategy]
    /// An overstating seller declares this factor times its forecast surplus.
    public var adversaryOverstatementFactor: Double
    /// A phantom buyer declares this much demand it will not take, kWh per interval.
    public var adversaryPhantomDemandKilowattHours: Double
    /// Probability that an adversary misdeclares in a given interval.
    public var adversaryActivity: Double
    public var gridTolerance: Double
    public var gridMaxIterations: Int
    public var limits: LimitStandard
    /// The transformer whose HV terminal the grid's figures (import, losses, load) are measured at,
    /// and whose LV base is the voltage level checked against `limits` (`[grid] source_transformer`);
    /// nil: the transformer with the lowest-voltage winding (a single-transformer LV feeder's).
    public var sourceTransformer: String?
    /// A checkpoint of the whole engine state every this many intervals (`[trace] checkpoint_every_intervals`;
    /// 0: none). Replay starts from them (`--from`) and re-executes between them in parallel (`--jobs`).
    public var checkpointEveryIntervals = Scenario.defaultCheckpointEveryIntervals
    /// The file's exact text, which goes into the trace header.
    public var sourceText: String

    /// Chain parameters (see `gridtrace chain run --help` for their meaning).
    public struct ChainSettings: Sendable, Equatable {
        public var nodes: Int
        public var miners: Int
        public var degree: Int
        public var delayMilliseconds: Double
        public var jitterMilliseconds: Double
        public var bandwidthMegabitsPerSecond: Double
        public var blockBytes: Int
        public var blockIntervalSeconds: Double
        public var confirmations: Int
    }
}

extension Scenario {
    static let sections = ["run", "feeder", "homes", "profiles", "prices", "market", "chain", "adversaries", "grid", "trace"]
    /// Every 70 minutes of the run: the chain's state grows with the run, and more often would add more
    /// than 15 % to the demo's P2P trace (BENCHMARKS.md, checkpoints).
    public static let defaultCheckpointEveryIntervals = 14
    /// The largest scenario file read.
    public static let maximumFileBytes = 1 << 20

    /// Reads a scenario file. Relative feeder paths are resolved against the file's folder;
    /// `seedOverride` and `feederOverride` replace the file's values (the CLI's --seed and --feeder).
    public static func load(path: String, seedOverride: UInt64? = nil, feederOverride: String? = nil) throws(TOMLInputError) -> Scenario {
        // A scenario is a few KiB; its text is parsed at once and stored in every trace header.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maximumFileBytes else {
            throw TOMLInputError(file: path, line: 0, key: nil,
                                 message: "the file is \(size) bytes; scenario files are limited to \(maximumFileBytes >> 20) MiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TOMLInputError(file: path, line: 0, key: nil, message: "cannot read the scenario file")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var scenario = try parse(String(decoding: data, as: UTF8.self), file: path, baseFolder: folder)
        if let seedOverride { scenario.seed = seedOverride }
        if let feederOverride { scenario.feeder = try feederArgument(feederOverride) }
        return scenario
    }

    /// Parses scenario text; `file` names it in errors; `baseFolder` resolves relative paths. Without
    /// a folder (text read from a trace header) an OpenDSS feeder path is kept as written and not
    /// checked: the caller supplies the feeder (the trace's stored files, or --feeder).
    public static func parse(_ text: String, file: String, baseFolder: String?) throws(TOMLInputError) -> Scenario {
        let document = try TOMLDocument(text: text, file: file)
        let run = try document.section("run"), feeder = try document.section("feeder")
        let profiles = try document.section("profiles"), prices = try document.section("prices")
        let market = try document.section("market"), chain = try document.section("chain")
        let adversaries = try document.section("adversaries"), grid = try document.section("grid")

        let variantNames = try run.strings("variants", default: ["no-p2p", "p2p"])
        var variants: [Variant] = []
        for name in variantNames {
            guard let variant = Variant(argument: name) else {
                throw run.error("variants", "\"\(name)\" is not one of \"no-p2p\", \"p2p\"")
            }
            variants.append(variant)
        }
        guard !variants.isEmpty else { throw run.error("variants", "name at least one of \"no-p2p\", \"p2p\"") }
        let seedValue = try run.int("seed", default: 1, in: 0...Int.max)
        let strategies = try adversaries.strings("strategies", default: AdversaryStrategy.allCases.map(\.rawValue))
        var adversaryStrategies: [AdversaryStrategy] = []
        for name in strategies {
            guard let strategy = AdversaryStrategy(rawValue: name) else {
                let allowed = AdversaryStrategy.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw adversaries.error("strategies", "\"\(name)\" is not one of \(allowed)")
            }
            adversaryStrategies.append(strategy)
        }
        guard !adversaryStrategies.isEmpty else {
            throw adversaries.error("strategies", "name at least one strategy (set fraction = 0 for no adversaries)")
        }

        let feederKind = try feeder.string("kind", default: "synthetic")
        let feederSource: FeederSource
        switch feederKind {
        case "synthetic": feederSource = .synthetic
        case "opendss":
            let pathText = try feeder.string("path", default: "")
            guard !pathText.isEmpty else { throw feeder.error("path", "an OpenDSS feeder needs path = \"…/Master.dss\"") }
            feederSource = baseFolder == nil ? .openDSS(path: pathText)
                : try resolveFeeder(pathText, folder: baseFolder, file: file, line: document.line(ofKey: "path", inTable: "feeder"))
        default: throw feeder.error("kind", "\"\(feederKind)\" is not one of \"synthetic\", \"opendss\"")
        }

        // Prices are kept in whole µtokens per Wh: anything below 0.001 per kWh would round to a free grid.
        let retail = try prices.double("retail_per_kwh", default: 0.25, in: 0.001...100)
        let feedIn = try prices.double("feed_in_per_kwh", default: 0.05, in: 0.001...100)
        guard feedIn <= retail else { throw prices.error("feed_in_per_kwh", "the feed-in price must not exceed the retail price") }
        let miners = try chain.int("miners", default: 40, in: 1...10_000)
        let nodes = try chain.int("nodes", default: 200, in: 1...10_000)
        guard miners <= nodes else { throw chain.error("miners", "\(miners) miners but only \(nodes) nodes") }
        guard nodes * miners <= ChainConfiguration.maximumNodeMinerPairs else {
            throw chain.error("miners", "\(miners) miners × \(nodes) nodes exceeds 10000000 (nodes × miners)")
        }

        var scenario = Scenario(
            name: try run.string("name", default: (file as NSString).lastPathComponent),
            seed: UInt64(seedValue), variants: variants,
            intervalMinutes: try run.int("interval_minutes", default: 5, in: 5...5),
            intervals: try run.int("intervals", default: 288, in: 1...288),
            feeder: feederSource,
            profiles: try profiles.choice("source", default: ProfileSource.synthetic),
            retailPricePerKilowattHour: retail, feedInPricePerKilowattHour: feedIn,
            mechanism: try market.choice("mechanism", default: MarketMechanism.auction),
            clearingRule: try market.choice("rule", default: ClearingRule.mcafee),
            hopLimit: try market.int("hop_limit", default: 6, in: 0...1000),
            dailyBidTokens: try market.int("daily_bid_tokens", default: 1000, in: 1...10_000_000),
            chain: ChainSettings(
                nodes: nodes, miners: miners,
                degree: try chain.int("degree", default: 8, in: 1...1000),
                delayMilliseconds: try chain.double("delay_ms", default: 100, in: 0...600_000),
                jitterMilliseconds: try chain.double("jitter_ms", default: 20, in: 0...600_000),
                bandwidthMegabitsPerSecond: try chain.double("bandwidth_mbps", default: 20, in: 0.1...100_000),
                blockBytes: try chain.int("block_bytes", default: 1_000_000, in: 1_000...1_000_000_000),
                blockIntervalSeconds: try chain.double("block_interval_s", default: 15, in: 0.01...86_400),
                confirmations: try chain.int("confirmations", default: 6, in: 1...1000)),
            adversaryFraction: try adversaries.double("fraction", default: 0.1, in: 0...1),
            adversaryStrategies: adversaryStrategies,
            adversaryOverstatementFactor: try adversaries.double("overstatement_factor", default: 1.5, in: 1...100),
            adversaryPhantomDemandKilowattHours: try adversaries.double("phantom_demand_kwh", default: 0.2, in: 0...100),
            adversaryActivity: try adversaries.double("activity", default: 0.9, in: 0...1),
            gridTolerance: try grid.double("tolerance", default: 1e-8, in: 1e-14...1),
            gridMaxIterations: try grid.int("max_iterations", default: 100, in: 1...10_000),
            limits: try grid.choice("limits", default: LimitStandard.en50160),
            sourceText: text)
        scenario.seedPins = try parseSeedPins(run)
        scenario.syntheticHomesPerPhase = try feeder.ints("homes_per_phase", default: scenario.syntheticHomesPerPhase,
                                                         count: 3, in: 0...500)
        guard scenario.syntheticHomesPerPhase.reduce(0, +) > 0 else { throw feeder.error("homes_per_phase", "needs at least one home") }
        try checkChain(scenario.chain, section: chain)
        let sourceTransformer = try grid.string("source_transformer", default: "")
        scenario.sourceTransformer = sourceTransformer.isEmpty ? nil : sourceTransformer
        scenario.homes = try HomeRule.parse(try document.section("homes"), feederIsSynthetic: feederSource == .synthetic)
        scenario.checkpointEveryIntervals = try document.section("trace").int(
            "checkpoint_every_intervals", default: defaultCheckpointEveryIntervals, in: 0...marketIntervalsPerDay)
        try document.rejectUnknown(sections: sections)
        return scenario
    }

    /// The chain simulator's own checks (degree below nodes, block interval, …), reported at the
    /// `[chain]` key they concern.
    private static func checkChain(_ settings: ChainSettings, section: TOMLSection) throws(TOMLInputError) {
        do {
            try settings.configuration.validate()
        } catch {
            guard case .invalidConfiguration(let parameter, let value, let reason) = error else {
                throw section.error(nil, "\(error)")
            }
            throw section.error(chainKey(parameter), "\(value): \(reason)")
        }
    }

    /// The `[chain]` key of a `ChainConfiguration` parameter (nil for one the file cannot set).
    static func chainKey(_ parameter: String) -> String? {
        switch parameter {
        case "nodeCount": return "nodes"
        case "minerCount": return "miners"
        case "degree": return "degree"
        case "delayMilliseconds": return "delay_ms"
        case "jitterMilliseconds": return "jitter_ms"
        case "bandwidthMegabitsPerSecond": return "bandwidth_mbps"
        case "blockSizeLimitBytes": return "block_bytes"
        case "blockIntervalSeconds": return "block_interval_s"
        case "confirmationDepth": return "confirmations"
        default: return nil
        }
    }

    /// An OpenDSS feeder named on the command line (`--feeder`), relative to the working folder.
    public static func feederArgument(_ path: String) throws(TOMLInputError) -> FeederSource {
        try resolveFeeder(path, folder: FileManager.default.currentDirectoryPath, file: "--feeder", line: 0)
    }

    private static func resolveFeeder(_ path: String, folder: String?, file: String, line: Int) throws(TOMLInputError) -> FeederSource {
        let resolved = path.hasPrefix("/") || folder == nil ? path : ((folder ?? "") as NSString).appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: resolved) else {
            throw TOMLInputError(file: file, line: line, key: "feeder.path", message: "no such feeder file: \(resolved)")
        }
        return .openDSS(path: resolved)
    }
}

extension Scenario {
    /// Keys `override(_:value:)` accepts (for replay experiments: "what if this parameter differed").
    public static let overridableKeys = ["grid.tolerance", "grid.max_iterations", "market.hop_limit", "chain.delay_ms",
                                         "chain.block_interval_s", "chain.confirmations", "prices.retail_per_kwh",
                                         "adversaries.fraction"]

    /// Changes one parameter by its scenario-file key, e.g. `grid.tolerance` = `1e-6`.
    public mutating func override(_ key: String, value: String) throws(TOMLInputError) {
        guard let range = Self.overrideRanges[key] else {
            throw TOMLInputError(file: "--override", line: 0, key: key,
                                 message: "not overridable (one of \(Self.overridableKeys.joined(separator: ", ")))")
        }
        guard let number = Double(value), number.isFinite else {
            throw TOMLInputError(file: "--override", line: 0, key: key, message: "\"\(value)\" is not a number")
        }
        guard range.contains(number) else {
            throw TOMLInputError(file: "--override", line: 0, key: key,
                                 message: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        let whole = Int(number)  // in range, so it fits
        switch key {
        case "grid.tolerance": gridTolerance = number
        case "grid.max_iterations": gridMaxIterations = whole
        case "market.hop_limit": hopLimit = whole
        case "chain.delay_ms": chain.delayMilliseconds = number
        case "chain.block_interval_s": chain.blockIntervalSeconds = number
        case "chain.confirmations": chain.confirmations = whole
        case "prices.retail_per_kwh":
            guard number >= feedInPricePerKilowattHour else {
                throw TOMLInputError(file: "--override", line: 0, key: key,
                                     message: "\(value) is below the feed-in price (\(feedInPricePerKilowattHour))")
            }
            retailPricePerKilowattHour = number
        default: adversaryFraction = number  // "adversaries.fraction"
        }
    }

    /// The values each overridable key accepts: the scenario file's ranges.
    static let overrideRanges: [String: ClosedRange<Double>] = [
        "grid.tolerance": 1e-14...1, "grid.max_iterations": 1...10_000, "market.hop_limit": 0...1000,
        "chain.delay_ms": 0...600_000, "chain.block_interval_s": 0.01...86_400, "chain.confirmations": 1...1000,
        "prices.retail_per_kwh": 0.001...100, "adversaries.fraction": 0...1,
    ]
}

extension Scenario.ChainSettings {
    /// The chain simulator's configuration for these settings (no background workload).
    public var configuration: ChainConfiguration {
        var configuration = ChainConfiguration()
        configuration.nodeCount = nodes
        configuration.minerCount = miners
        configuration.degree = degree
        configuration.delayMilliseconds = delayMilliseconds
        configuration.jitterMilliseconds = jitterMilliseconds
        configuration.bandwidthMegabitsPerSecond = bandwidthMegabitsPerSecond
        configuration.blockSizeLimitBytes = blockBytes
        configuration.blockIntervalSeconds = blockIntervalSeconds
        configuration.confirmationDepth = confirmations
        return configuration
    }
}
