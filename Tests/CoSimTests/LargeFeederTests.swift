// Large feeders in the co-simulation: the `[homes]` rule is read and checked like every scenario
// key, its seeded draws are stable, and on IEEE 8500 (../shared) every low-voltage load becomes a
// home with the rule's PV and EV elements on its own bus, the same in every preparation, including
// one from the stored files a trace holds.
import Foundation
import Testing
import Market
import TestSupport
@testable import CoSim

@Suite struct LargeFeederTests {
    private func error(_ text: String) -> String? { scenarioError(text)?.description }

    private let opendss = "[feeder]\nkind = \"opendss\"\npath = \"x.dss\"\n"

    @Test func homeRuleIsReadWithItsValues() throws {
        let text = opendss + "[homes]\nmax_kv = 0.5\nload_profile = \"synthetic\"\npv_share = 0.4\npv_kw = [1, 5.5]\nev_share = 0\nev_kw = [7, 7]\n"
        let scenario = try Scenario.parse(text, file: "s.toml", baseFolder: nil)
        #expect(scenario.homes == HomeRule(maximumKilovolts: 0.5, loadProfile: .synthetic, pvShare: 0.4, pvKilowatts: 1...5.5,
                                           evShare: 0, evChargerKilowatts: 7...7))
        #expect(try Scenario.parse(opendss, file: "s.toml", baseFolder: nil).homes == nil)
        #expect(try Scenario.parse(opendss + "[homes]\n", file: "s.toml", baseFolder: nil).homes == HomeRule())
    }

    @Test func badHomeRulesNameFileLineAndKey() {
        #expect(error(opendss + "[homes]\npv_sahre = 0.3\n") == "s.toml:5: homes.pv_sahre: unknown key")
        #expect(error(opendss + "[homes]\npv_share = \"most\"\n") == "s.toml:5: homes.pv_share: expected a number, found string")
        #expect(error(opendss + "[homes]\nev_share = 1.5\n") == "s.toml:5: homes.ev_share: 1.5 is outside 0.0…1.0")
        #expect(error(opendss + "[homes]\n\npv_kw = [8, 2]\n") == "s.toml:6: homes.pv_kw: low 8.0 exceeds high 2.0")
        #expect(error(opendss + "[homes]\npv_kw = [2]\n") == "s.toml:5: homes.pv_kw: expected [low, high], two numbers")
        #expect(error(opendss + "[homes]\nev_kw = [0, 7]\n") == "s.toml:5: homes.ev_kw: 0.0 is outside 0.1…1000.0")
        #expect(error(opendss + "[homes]\nmax_kv = inf\n") == "s.toml:5: homes.max_kv: inf is outside 0.05…50.0")
        #expect(error(opendss + "[homes]\nload_profile = \"flat\"\n")
                == #"s.toml:5: homes.load_profile: "flat" is not one of "feeder", "synthetic""#)
        #expect(error("[feeder]\nkind = \"synthetic\"\n[homes]\npv_share = 0.3\n")?
            .hasPrefix("s.toml:3: [homes] chooses homes among an OpenDSS feeder's loads") == true)
    }

    @Test func assignmentsFollowTheSharesAndRangesFromTheSeed() {
        let rule = HomeRule(pvShare: 0.3, pvKilowatts: 2...8, evShare: 0.25, evChargerKilowatts: 3.3...7.2)
        let homes = rule.assignments(count: 2000, seed: 7)
        #expect(homes == rule.assignments(count: 2000, seed: 7))
        #expect(homes != rule.assignments(count: 2000, seed: 8))
        let pv = homes.compactMap(\.pvKilowatts), ev = homes.compactMap(\.evChargerKilowatts)
        #expect(abs(Double(pv.count) / 2000 - 0.3) < 0.04 && abs(Double(ev.count) / 2000 - 0.25) < 0.04)
        #expect(pv.allSatisfy { (2...8).contains($0) } && ev.allSatisfy { (3.3...7.2).contains($0) })
        // Home i's draw does not depend on how many homes there are, nor its size on the share.
        #expect(Array(homes.prefix(10)) == rule.assignments(count: 10, seed: 7))
        var more = rule
        more.pvShare = 1
        #expect(zip(homes, more.assignments(count: 2000, seed: 7)).allSatisfy { $0.pvKilowatts == nil || $0.pvKilowatts == $1.pvKilowatts })
    }

    /// On a feeder where most homes have no PV, an overstating seller without PV could never lie:
    /// such homes follow another strategy, so the ground truth names only homes that can misdeclare.
    @Test func homesWithoutPVAreNeverOverstatingSellers() {
        let hasPV = (0..<300).map { $0 % 3 == 0 }
        let configuration = AdversaryConfiguration(fraction: 0.2)
        let chosen = chooseAdversaries(participantCount: 300, configuration: configuration, rootSeed: 5, hasPV: hasPV)
        #expect(chosen.map(\.participant) == chooseAdversaries(participantCount: 300, configuration: configuration, rootSeed: 5).map(\.participant))
        #expect(chosen.allSatisfy { $0.strategy == .phantomBuyer || hasPV[$0.participant] })
        #expect(chosen.contains { $0.strategy == .overstatingSeller })
        let sellersOnly = AdversaryConfiguration(fraction: 0.2, strategies: [.overstatingSeller])
        let sellers = chooseAdversaries(participantCount: 300, configuration: sellersOnly, rootSeed: 5, hasPV: hasPV)
        #expect(!sellers.isEmpty && sellers.count < 60 && sellers.allSatisfy { hasPV[$0.participant] })
    }

    @Test func ieee8500LowVoltageLoadsAreHomesWithTheRulesElements() throws {
        guard let path = SharedData.path("feeders/ieee8500/8500-Node/Master.dss") else { return }
        let rule = HomeRule(maximumKilovolts: 1, loadProfile: .synthetic, pvShare: 0.3, pvKilowatts: 2...8,
                            evShare: 0.25, evChargerKilowatts: 3.3...7.2)
        let feeder = try PreparedFeeder.openDSS(path: path, seed: 11, intervals: 12, homes: rule)
        #expect(feeder.homes.count == 1177)
        #expect(feeder.households.count == 1177 && feeder.baseline.count == 12)
        let withPV = feeder.homes.filter { $0.pv != nil }.count, withEV = feeder.homes.filter { $0.ev != nil }.count
        #expect(withPV > 300 && withPV < 420 && withEV > 240 && withEV < 350)
        #expect(feeder.mode == .daily)
        // The EV load and the PV system sit on their home's bus.
        let home = try #require(feeder.homes.first { $0.pv != nil && $0.ev != nil })
        let load = try #require(feeder.model.loads.first { "Load." + $0.name == home.load })
        let ev = try #require(feeder.model.loads.first { "Load." + $0.name == home.ev })
        let pv = try #require(feeder.model.pvSystems.first { "PVSystem." + $0.name == home.pv })
        #expect(ev.bus1 == load.bus1 && pv.bus1 == load.bus1)
        // Midnight: demand follows the synthetic day below each load's rated kW, no sun.
        for (power, household) in zip(feeder.baseline[0], feeder.households) {
            #expect(power.loadKilowatts > 0 && power.pvKilowatts == 0)
            #expect(household.baseLoadKilowatts[0] == power.loadKilowatts)
        }
        // A trace's stored files give the same feeder.
        let again = try PreparedFeeder.stored(try #require(feeder.files), seed: 11, intervals: 12, homes: rule)
        #expect(again.homes == feeder.homes && again.baseline == feeder.baseline && again.households == feeder.households)
        #expect(again.digest == feeder.digest)
    }
}
