// Owns applying a scenario's `[homes]` rule to an OpenDSS feeder: the rule's loads become the homes,
// and what the rule gives them (a synthetic day of demand, PV systems, EV chargers) is written as
// OpenDSS commands run after the feeder's own scripts, so the grid solves the very elements the
// market trades. The feeder's files are left as they are (a trace stores them unchanged); the extra
// script is derived again from the scenario text and the seed wherever the feeder is prepared.
import Feeder
import Market

/// A feeder compiled with a home rule's elements in it, and the households they follow.
struct RuledFeeder {
    var model: FeederModel
    var homes: [HomeElements]
    /// The seeded households behind the elements (EV sessions, charger ratings, PV ratings); their
    /// load and PV series are replaced by the solver's baseline once it is read.
    var households: [HouseholdProfile]
    /// The rule's OpenDSS commands, run after the feeder's entry script.
    var commands: String
}

extension PreparedFeeder {
    /// Name of the script, next to the feeder's entry, that runs the entry and then the rule's commands.
    static let homeRuleEntry = "gridtrace-homes.dss"

    /// Compiles `files` with `rule` applied; `model` is the feeder compiled on its own (to find the homes).
    static func applyHomeRule(_ rule: HomeRule, files: FeederFileSet, model: FeederModel, seeds: FeederSeeds) throws -> RuledFeeder {
        let homeLoads = model.loads.filter { $0.enabled && $0.kilovolts <= rule.maximumKilovolts }
        guard !homeLoads.isEmpty else { throw CoSimError.noHomes("no enabled load rated at or below \(rule.maximumKilovolts) kV") }
        guard files.file(homeRuleEntry) == nil else { throw CoSimError.feeder("the feeder has its own \(homeRuleEntry)") }
        let households = ruleHouseholds(rule, count: homeLoads.count, seeds: seeds)
        var lines: [String] = []
        var homes: [HomeElements] = []
        for (index, load) in homeLoads.enumerated() {
            let home = households[index]
            lines += homeLines(index: index, load: load, household: home, rule: rule)
            homes.append(HomeElements(home: index, load: "Load." + load.name,
                                      ev: home.evChargerKilowatts > 0 ? "Load.gth_ev_\(index)" : nil,
                                      pv: home.pvRatedKilowatts > 0 ? "PVSystem.gth_pv_\(index)" : nil))
        }
        let commands = lines.joined(separator: "\n") + "\n"
        let script = FeederFile(path: homeRuleEntry, bytes: Array(("Redirect \(files.entry)\n" + commands).utf8))
        let combined = FeederFileSet(entry: homeRuleEntry, files: files.files + [script])
        do {
            return RuledFeeder(model: try FeederImporter.compile(files: combined), homes: homes, households: households,
                               commands: commands)
        } catch {
            throw CoSimError.feeder("the feeder with the [homes] elements does not compile: \(error)")
        }
    }

    /// The seeded households of the rule: synthetic days (stream "market.profiles"), PV scaled to the
    /// drawn rating or removed, EV sessions kept with the drawn charger or removed.
    static func ruleHouseholds(_ rule: HomeRule, count: Int, seeds: FeederSeeds) -> [HouseholdProfile] {
        let assignments = rule.assignments(count: count, seed: seeds.grid)
        return zip(SyntheticHouseholds.generate(count: count, rootSeed: seeds.profiles), assignments).map { home, assigned in
            var home = home
            let rating = assigned.pvKilowatts ?? 0
            let scale = home.pvRatedKilowatts > 0 ? rating / home.pvRatedKilowatts : 0
            home.pvKilowatts = home.pvKilowatts.map { $0 * scale }
            home.pvRatedKilowatts = rating
            home.evChargerKilowatts = assigned.evChargerKilowatts ?? 0
            if assigned.evChargerKilowatts == nil { home.evSessions = [] }
            return home
        }
    }

    /// The OpenDSS commands that give one home its demand shape, PV system and EV charger, on the
    /// home load's own bus, phases, voltage and connection.
    private static func homeLines(index: Int, load: Load, household: HouseholdProfile, rule: HomeRule) -> [String] {
        let bus = load.bus1.name + load.bus1.nodes.map { ".\($0)" }.joined()
        let common = "bus1=\(bus) phases=\(load.phases) kV=\(load.kilovolts) conn=\(load.connection == .delta ? "delta" : "wye")"
        let shape = "npts=\(marketIntervalsPerDay) minterval=\(marketIntervalMinutes)"
        var lines: [String] = []
        if rule.loadProfile == .synthetic {
            // The synthetic day scaled so that its peak is the load's rated kW.
            let peak = household.baseLoadKilowatts.max() ?? 1
            let kilowatts = household.baseLoadKilowatts.map { $0 / peak * load.kilowatts }
            lines.append("New LoadShape.gth_load_\(index) \(shape) useactual=yes mult=[\(numbers(kilowatts))]")
            lines.append("Edit Load.\(load.name) daily=gth_load_\(index)" + (load.yearly == nil ? "" : " yearly=gth_load_\(index)"))
        }
        if household.pvRatedKilowatts > 0 {
            let rating = household.pvRatedKilowatts
            lines.append("New LoadShape.gth_pv_\(index) \(shape) mult=[\(numbers(household.pvKilowatts.map { $0 / rating }))]")
            lines.append("New PVSystem.gth_pv_\(index) \(common) kVA=\(rating * 1.1) Pmpp=\(rating) irradiance=1 pf=1 %cutin=0.1 %cutout=0.1 daily=gth_pv_\(index)")
        }
        if household.evChargerKilowatts > 0 {
            lines.append("New LoadShape.gth_ev_\(index) \(shape) useactual=yes mult=[\(numbers(chargeOnArrival(household)))]")
            lines.append("New Load.gth_ev_\(index) \(common) kW=\(household.evChargerKilowatts) pf=1 model=1 "
                         + "vminpu=\(load.voltageMinPerUnit) vmaxpu=\(load.voltageMaxPerUnit) daily=gth_ev_\(index)")
        }
        return lines
    }

    private static func numbers(_ values: [Double]) -> String {
        values.map(\.description).joined(separator: " ")
    }
}
