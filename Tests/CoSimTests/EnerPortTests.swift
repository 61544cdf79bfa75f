// The paper authors' EnerPort feeder run by the co-simulation: its no-P2P day must agree with the
// real OpenDSS engine's results for the same feeder and shapes within 0.1 % (the bound).
import Foundation
import Testing
import TestSupport
@testable import CoSim

@Suite struct EnerPortTests {
    @Test func noP2PDayMatchesOpenDSSWithinATenthOfAPercent() throws {
        guard let goldenPath = SharedData.path("golden/enerport_summer/daily_5m/metrics.json"),
              SharedData.path("feeders/enerport/M_summer.dss") != nil else { return }
        var scenario = try Scenario.load(path: SharedData.packageRoot.appendingPathComponent("scenarios/enerport-summer.toml").path)
        scenario.variants = [.noP2P]
        let feeder = try PreparedFeeder.prepare(scenario)
        #expect(feeder.homes.count == 55)
        #expect(feeder.homes.allSatisfy { $0.ev != nil && $0.pv != nil })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-enerport-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let summary = try CoSimulation.runVariant(scenario, variant: .noP2P, feeder: feeder,
                                                  tracePath: directory.appendingPathComponent("no-p2p.gtrace").path)
        let golden = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: goldenPath))) as? [String: Any])
        func value(_ key: String) -> Double? {
            if let number = golden[key] as? Double { return number }
            return (golden[key] as? [String: Any])?["value"] as? Double
        }
        let metrics = summary.metrics
        let pairs: [(String, Double)] = [
            ("energy_imported_kwh", metrics.energyImportedKilowattHours),
            ("energy_exported_kwh", metrics.energyExportedKilowattHours),
            ("reactive_energy_abs_kvarh", metrics.reactiveEnergyAbsoluteKilovarHours),
            ("max_apparent_power_kva", metrics.maxApparentPowerKilovoltAmperes),
            ("losses_pct_of_load_energy", metrics.lossesPercentOfLoadEnergy),
            ("load_energy_kwh", metrics.loadEnergyKilowattHours),
            ("unbalance_spread_pct", metrics.unbalanceSpread.value),
            ("unbalance_max_dev_pct", metrics.unbalanceMaxDeviation.value),
            ("unbalance_vuf_pct", metrics.unbalanceVUF.value),
            ("vmin_pu_lv", metrics.voltageMin.value),
            ("vmax_pu_lv", metrics.voltageMax.value),
        ]
        var worst = 0.0
        for (key, ours) in pairs {
            let reference = try #require(value(key), "golden has no \(key)")
            let relative = abs(ours - reference) / abs(reference)
            worst = max(worst, relative)
            #expect(relative < 1e-3, "\(key): \(ours) vs OpenDSS \(reference) (relative error \(relative))")
        }
        print("EnerPort summer no-P2P vs OpenDSS: max relative error \(worst) over \(pairs.count) metrics")
        #expect(summary.allConverged)
    }
}
