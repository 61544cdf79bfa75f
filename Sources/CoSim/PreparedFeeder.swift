// Owns turning a scenario's feeder into what the loop needs: the compiled model, which elements
// belong to which home (load, EV, PV), the baseline power of each home at every step taken from
// the feeder's own shapes (exactly what OpenDSS would solve), and the households the market sees.
import Crypto
import Feeder
import Foundation
import Kernel
import Market
import PowerFlow

/// The elements of one home on the feeder.
public struct HomeElements: Sendable, Equatable {
    public var home: Int
    /// Full element names as the solver knows them ("Load.home_1", "Generator.PV1", …).
    public var load: String
    public var ev: String?
    public var pv: String?
}

/// One home's baseline powers at one step: consumption positive, PV output positive.
public struct HomePower: Sendable, Equatable {
    public var loadKilowatts: Double
    public var loadKilovars: Double
    public var evKilowatts: Double
    public var evKilovars: Double
    public var pvKilowatts: Double

    public var netKilowatts: Double { loadKilowatts + evKilowatts - pvKilowatts }
}

/// Why a feeder cannot be co-simulated.
public enum CoSimError: Error, CustomStringConvertible, Sendable {
    case feeder(String)
    case noHomes(String)
    case grid(String)
    case chain(String)
    case trace(String)
    case replay(String)

    public var description: String {
        switch self {
        case .feeder(let m): return "feeder: \(m)"
        case .noHomes(let m): return "feeder has no homes: \(m)"
        case .grid(let m): return "grid: \(m)"
        case .chain(let m): return "chain: \(m)"
        case .trace(let m): return "trace: \(m)"
        case .replay(let m): return "replay: \(m)"
        }
    }
}

/// A feeder ready for the loop.
public struct PreparedFeeder: Sendable {
    public var model: FeederModel
    /// The OpenDSS script of the synthetic feeder (nil for a feeder read from files).
    public var syntheticScript: String?
    /// SHA-256 (hex) of what defined the feeder: the synthetic script's text, or for an OpenDSS
    /// feeder its file set (`digest(of:)`: the entry and every file's path and SHA-256).
    public var digest: String
    /// Every file an OpenDSS feeder read (nil for the synthetic feeder): what a trace stores.
    public var files: FeederFileSet?
    public var homes: [HomeElements]
    public var mode: SolutionMode
    /// `baseline[step - 1][home]` for steps 1…intervals.
    public var baseline: [[HomePower]]
    public var households: [HouseholdProfile]
    /// The OpenDSS commands a scenario's `[homes]` rule adds after the feeder's own scripts (its
    /// homes' demand shapes, PV systems and EV loads); nil without a rule.
    public var homeRuleCommands: String?

    /// The seeds behind a feeder: the grid's (the synthetic feeder, a `[homes]` rule's PV and EV
    /// draws) and the households' profiles (their days, EV dwell times).
    struct FeederSeeds {
        var grid: UInt64
        var profiles: UInt64

        init(_ scenario: Scenario) {
            grid = scenario.subsystemSeed(.grid)
            profiles = scenario.subsystemSeed(.profiles)
        }

        init(uniform seed: UInt64) {
            grid = seed
            profiles = seed
        }
    }

    /// Prepares the scenario's feeder for `intervals` five-minute steps.
    public static func prepare(_ scenario: Scenario) throws -> PreparedFeeder {
        switch scenario.feeder {
        case .synthetic:
            return try synthetic(seeds: FeederSeeds(scenario), intervals: scenario.intervals, homesPerPhase: scenario.syntheticHomesPerPhase)
        case .openDSS(let path): return try openDSS(path: path, seeds: FeederSeeds(scenario), intervals: scenario.intervals, homes: scenario.homes)
        case .stored(let files): return try stored(files, seeds: FeederSeeds(scenario), intervals: scenario.intervals, homes: scenario.homes)
        }
    }

    /// The digest of an OpenDSS feeder's files: SHA-256 over the entry's path and each file's path
    /// and SHA-256 in path order, so a change in any data file changes it, wherever the files lie.
    public static func digest(of set: FeederFileSet) -> String {
        var encoder = CanonicalEncoder()
        encoder.append("gridtrace-feeder-files")
        encoder.append(set.entry)
        encoder.append(Int64(set.files.count))
        for file in set.files {
            encoder.append(file.path)
            encoder.append(hexString(Array(SHA256.hash(data: file.bytes))))
        }
        return hexString(Array(SHA256.hash(data: encoder.bytes)))
    }

    /// The OpenDSS script of the synthetic feeder for `seed` with its households' day in daily shapes
    /// (the no-P2P day: EVs charge on arrival), as the co-simulation and OpenDSS both run it.
    public static func syntheticScript(seed: UInt64) throws -> String {
        guard let script = try synthetic(seeds: FeederSeeds(uniform: seed), intervals: marketIntervalsPerDay).syntheticScript else {
            preconditionFailure("the synthetic feeder always has a script")
        }
        return script
    }

    /// The synthetic feeder with the seed's households written into its shapes (EVs charge on arrival).
    static func synthetic(seeds: FeederSeeds, intervals: Int,
                          homesPerPhase: [Int] = SyntheticFeederSpec().homesPerPhase) throws -> PreparedFeeder {
        var spec = SyntheticFeederSpec()
        spec.homesPerPhase = homesPerPhase
        var feeder = SyntheticFeeder(seed: seeds.grid, spec: spec)
        var households = SyntheticHouseholds.generate(count: feeder.homes.count, rootSeed: seeds.profiles)
        for index in households.indices {
            // The feeder's PV ratings (skewed toward 4 kW, ≈180 kW in all) scale the household's PV profile.
            let rating = feeder.homes[index].pvKilowatts
            let scale = households[index].pvRatedKilowatts > 0 ? rating / households[index].pvRatedKilowatts : 0
            households[index].pvKilowatts = households[index].pvKilowatts.map { $0 * scale }
            households[index].pvRatedKilowatts = rating
            feeder.homes[index].pvKilowatts = rating
        }
        let shapes = SyntheticShapes(
            intervalMinutes: marketIntervalMinutes,
            baseLoadKilowatts: households.map(\.baseLoadKilowatts),
            evKilowatts: households.map(chargeOnArrival),
            pvPerUnit: households.map { home in home.pvKilowatts.map { home.pvRatedKilowatts > 0 ? $0 / home.pvRatedKilowatts : 0 } })
        let script = feeder.openDSSScript(shapes: shapes)
        let model: FeederModel
        do {
            model = try FeederImporter.compile(script: script, name: "synthetic.dss", baseDirectory: "/")
        } catch {
            throw CoSimError.feeder("the synthetic feeder does not compile: \(error)")
        }
        var prepared = try assemble(model: model, digest: sha256Hex(script), intervals: intervals, seed: seeds.profiles)
        prepared.syntheticScript = script
        prepared.households = households
        return prepared
    }

    /// An OpenDSS feeder: with a home rule, the rule's loads with what it gives them; without one,
    /// homes are its non-EV loads, a home's EV an `EV…` load on the same bus and its PV a generator
    /// or PV system on the same bus. Households come from the feeder's shapes.
    static func openDSS(path: String, seed: UInt64, intervals: Int, homes rule: HomeRule? = nil) throws -> PreparedFeeder {
        try openDSS(path: path, seeds: FeederSeeds(uniform: seed), intervals: intervals, homes: rule)
    }

    static func openDSS(path: String, seeds: FeederSeeds, intervals: Int, homes rule: HomeRule? = nil) throws -> PreparedFeeder {
        let compiled: (model: FeederModel, files: FeederFileSet)
        do {
            compiled = try FeederImporter.compileRecordingFiles(path: path)
        } catch {
            throw CoSimError.feeder("\(error)")
        }
        var prepared = try assemble(model: compiled.model, files: compiled.files, intervals: intervals, seeds: seeds, rule: rule)
        prepared.files = compiled.files
        return prepared
    }

    /// An OpenDSS feeder compiled from stored files (a trace's), without reading the file system.
    static func stored(_ files: FeederFileSet, seed: UInt64, intervals: Int, homes rule: HomeRule? = nil) throws -> PreparedFeeder {
        try stored(files, seeds: FeederSeeds(uniform: seed), intervals: intervals, homes: rule)
    }

    static func stored(_ files: FeederFileSet, seeds: FeederSeeds, intervals: Int, homes rule: HomeRule? = nil) throws -> PreparedFeeder {
        let model: FeederModel
        do {
            model = try FeederImporter.compile(files: files)
        } catch {
            throw CoSimError.feeder("the stored feeder does not compile: \(error)")
        }
        var prepared = try assemble(model: model, files: files, intervals: intervals, seeds: seeds, rule: rule)
        prepared.files = files
        return prepared
    }

    /// An OpenDSS feeder's homes, baseline and households, with `rule` applied when there is one.
    private static func assemble(model: FeederModel, files: FeederFileSet, intervals: Int, seeds: FeederSeeds,
                                 rule: HomeRule?) throws -> PreparedFeeder {
        guard let rule else { return try assemble(model: model, digest: digest(of: files), intervals: intervals, seed: seeds.profiles) }
        let ruled = try applyHomeRule(rule, files: files, model: model, seeds: seeds)
        let mode: SolutionMode = ruled.model.loads.contains { $0.yearly != nil } ? .yearly : .daily
        let baseline = try baselinePowers(model: ruled.model, homes: ruled.homes, mode: mode, steps: marketIntervalsPerDay)
        // The market sees what the grid is given: the baseline's load and PV, the rule's EV sessions.
        let households = ruled.households.enumerated().map { home, household in
            var household = household
            household.baseLoadKilowatts = baseline.map { $0[home].loadKilowatts }
            household.pvKilowatts = baseline.map { max(0, $0[home].pvKilowatts) }
            return household
        }
        return PreparedFeeder(model: ruled.model, syntheticScript: nil, digest: digest(of: files), files: nil, homes: ruled.homes,
                              mode: mode, baseline: Array(baseline.prefix(intervals)), households: households,
                              homeRuleCommands: ruled.commands)
    }

    private static func assemble(model: FeederModel, digest: String, intervals: Int, seed: UInt64) throws -> PreparedFeeder {
        let homes = try matchHomes(model)
        let mode: SolutionMode = model.loads.contains { $0.yearly != nil } ? .yearly : .daily
        let baseline = try baselinePowers(model: model, homes: homes, mode: mode, steps: marketIntervalsPerDay)
        let households = makeHouseholds(baseline: baseline, homes: homes.count, seed: seed)
        return PreparedFeeder(model: model, syntheticScript: nil, digest: digest, files: nil, homes: homes, mode: mode,
                              baseline: Array(baseline.prefix(intervals)), households: households)
    }

    /// How many homes (market participants, ids 0..<count) the scenario's feeder has: what a
    /// verifier bounds participant ids by. An OpenDSS feeder is compiled; no shape is applied.
    public static func homeCount(_ scenario: Scenario) throws -> Int {
        do {
            switch scenario.feeder {
            case .synthetic: return scenario.syntheticHomesPerPhase.reduce(0, +)
            case .openDSS(let path): return try matchHomes(FeederImporter.compile(path: path)).count
            case .stored(let files): return try matchHomes(FeederImporter.compile(files: files)).count
            }
        } catch let error as CoSimError {
            throw error
        } catch {
            throw CoSimError.feeder("\(error)")
        }
    }

    static func matchHomes(_ model: FeederModel) throws -> [HomeElements] {
        func sameBus(_ a: BusSpec, _ b: BusSpec) -> Bool { a.name.lowercased() == b.name.lowercased() && a.nodes == b.nodes }
        let isEV: (Load) -> Bool = { $0.name.lowercased().hasPrefix("ev") }
        let homeLoads = model.loads.filter { !isEV($0) && $0.enabled }
        guard !homeLoads.isEmpty else { throw CoSimError.noHomes("no loads") }
        return homeLoads.enumerated().map { index, load in
            let ev = model.loads.first { isEV($0) && sameBus($0.bus1, load.bus1) }.map { "Load." + $0.name }
            let pv = model.generators.first { sameBus($0.bus1, load.bus1) }.map { "Generator." + $0.name }
                ?? model.pvSystems.first { sameBus($0.bus1, load.bus1) }.map { "PVSystem." + $0.name }
            return HomeElements(home: index, load: "Load." + load.name, ev: ev, pv: pv)
        }
    }

    /// Applies the feeder's shapes at each step's hour and reads back each home's element powers.
    static func baselinePowers(model: FeederModel, homes: [HomeElements], mode: SolutionMode, steps: Int) throws -> [[HomePower]] {
        do {
            let solver = try PowerFlowSolver(network: try Network(model: model), settings: SolveSettings())
            return try (1...steps).map { step in
                try solver.applyShapes(mode: mode, hour: Double(step * marketIntervalMinutes) / 60)
                return try homes.map { home in
                    let load = try solver.scheduledPower(named: home.load)
                    let ev = try home.ev.map { try solver.scheduledPower(named: $0) } ?? (kilowatts: 0.0, kilovars: 0.0)
                    let pv = try home.pv.map { try solver.scheduledPower(named: $0) } ?? (kilowatts: 0.0, kilovars: 0.0)
                    return HomePower(loadKilowatts: load.kilowatts, loadKilovars: load.kilovars, evKilowatts: ev.kilowatts,
                                     evKilovars: ev.kilovars, pvKilowatts: -pv.kilowatts)
                }
            }
        } catch let error as CoSimError {
            throw error
        } catch {
            throw CoSimError.grid("\(error)")
        }
    }

    /// Households whose profiles are the baseline (EV sessions read off the EV powers).
    static func makeHouseholds(baseline: [[HomePower]], homes: Int, seed: UInt64) -> [HouseholdProfile] {
        let dwellSeeds = SeedStreams(rootSeed: seed).substreams("cosim.evdwell")
        return (0..<homes).map { home in
            let load = baseline.map { $0[home].loadKilowatts }
            let pv = baseline.map { max(0, $0[home].pvKilowatts) }
            let ev = baseline.map { max(0, $0[home].evKilowatts) }
            var dwell = dwellSeeds.stream("home:\(home)")
            let sessions = evSessions(fromChargingKilowatts: ev) { _ in dwell.uniformInt(in: 2 * 12...8 * 12) }
            return HouseholdProfile(home: home, baseLoadKilowatts: load, pvKilowatts: pv, pvRatedKilowatts: pv.max() ?? 0,
                                    evChargerKilowatts: 3, evSessions: sessions)
        }
    }
}

/// The EV power of a home that charges on arrival at full rate (the no-P2P behaviour), kW per interval.
func chargeOnArrival(_ home: HouseholdProfile) -> [Double] {
    var controller = EVChargingController(sessions: home.evSessions, chargerKilowatts: home.evChargerKilowatts)
    let idle = ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false)
    return (0..<marketIntervalsPerDay).map { controller.chargingKilowatts(interval: $0, scenario: .noP2P, signal: idle) }
}

func sha256Hex(_ text: String) -> String {
    hexString(Array(SHA256.hash(data: Array(text.utf8))))
}
