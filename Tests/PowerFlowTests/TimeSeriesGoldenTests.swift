// Owns the time-series checks against OpenDSS's steps.csv, load_voltages.csv and metrics.json.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

enum GoldenTable {
    /// Rows of a CSV file as string fields (header dropped).
    static func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
    }

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

@Suite struct TimeSeriesGoldenTests {
    static let cases: [(feeder: String, golden: String, steps: Int, stepSeconds: Double)] = [
        ("feeders/european_lv/Master.dss", "golden/european_lv/daily_5m", 288, 300),
        ("feeders/european_lv/Master.dss", "golden/european_lv/daily_1m", 1440, 60),
        ("feeders/enerport/M_summer.dss", "golden/enerport_summer/daily_5m", 288, 300),
        ("feeders/enerport/M_winter.dss", "golden/enerport_winter/daily_5m", 288, 300),
    ]

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-9) }

    @Test(arguments: cases.indices)
    func stepsMatchOpenDSS(_ index: Int) throws {
        let c = Self.cases[index]
        guard let feeder = SharedData.path(c.feeder), let golden = SharedData.path(c.golden) else { return }
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: feeder))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        var configuration = TimeSeriesConfiguration(mode: .yearly, stepSeconds: c.stepSeconds, numberOfSteps: c.steps)
        configuration.recordMonitors = true
        let result = try solver.runTimeSeries(configuration, log: &log)
        #expect(result.allConverged)
        let rows = try GoldenTable.rows(golden + "/steps.csv")
        #expect(rows.count == result.steps.count)
        var worstV = 0.0, worstP = 0.0, worstLoss = 0.0
        for (row, s) in zip(rows, result.steps) {
            let m = s.measurement
            #expect(Int(row[0]) == s.step)
            #expect(abs((Double(row[1]) ?? .nan) - s.hour) < 1e-9)
            worstV = max(worstV, abs((Double(row[8]) ?? .nan) - m.voltageMinPerUnit), abs((Double(row[9]) ?? .nan) - m.voltageMaxPerUnit))
            worstP = max(worstP, Self.relative(m.sourceKilowatts, Double(row[4]) ?? .nan), Self.relative(m.sourceKilovars, Double(row[5]) ?? .nan))
            worstLoss = max(worstLoss, Self.relative(m.lossesKilowatts, Double(row[6]) ?? .nan), Self.relative(m.lossesKilovars, Double(row[7]) ?? .nan))
        }
        print("\(c.golden): worst vmin/vmax \(worstV) pu, source P/Q rel \(worstP), losses rel \(worstLoss), iterations \(result.iterationsTotal)")
        #expect(worstV < 1e-6)
        #expect(worstP < 1e-4)
        #expect(worstLoss < 1e-4)

        // load_voltages.csv: every load conductor at every step, within 1e-6 pu of the 0.416 kV base.
        let loadRows = try GoldenTable.rows(golden + "/load_voltages.csv")
        #expect(loadRows.count == result.loadVoltages.count)
        let base = 416.0 / 3.0.squareRoot()
        var worstLoadV = 0.0
        for (row, r) in zip(loadRows, result.loadVoltages) {
            #expect(row[1] == r.load && row[2] == r.busNode)
            let dre = (Double(row[3]) ?? .nan) - r.voltage.real, dim = (Double(row[4]) ?? .nan) - r.voltage.imaginary
            worstLoadV = max(worstLoadV, (dre * dre + dim * dim).squareRoot() / base)
        }
        #expect(worstLoadV < 1e-6)

        // Monitor exports, within the 6 significant digits OpenDSS prints.
        #expect(!result.monitors.isEmpty)
        for monitor in result.monitors {
            let file = golden + "/LVTest_Mon_\(monitor.name)_1.csv"
            guard FileManager.default.fileExists(atPath: file) else { Issue.record("no golden monitor \(file)"); continue }
            let expected = try GoldenTable.rows(file)
            let actual = OpenDSSExports.monitorCSV(monitor).split(whereSeparator: \.isNewline).dropFirst()
                .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(expected.count == actual.count)
            var bad = 0
            for (e, a) in zip(expected, actual) {
                for (k, (x, y)) in zip(a, e.map { $0.trimmingCharacters(in: .whitespaces) }).enumerated() {
                    guard let p = Double(x), let q = Double(y) else { bad += 1; continue }
                    // Angles of (near-)zero quantities are noise; magnitudes agree to ~6 digits.
                    if monitor.channels[max(0, k - 2)].contains("Angle") && abs(Double(a[k - 1]) ?? 0) < 1e-3 { continue }
                    if abs(p - q) > max(2e-5 * abs(q), 1e-4) { bad += 1 }
                }
            }
            #expect(bad == 0, "\(monitor.name): \(bad) values differ")
        }

        // metrics.json within 0.1 %.
        let golden_ = try GoldenTable.json(golden + "/metrics.json")
        let ours = ResultExports.metricsJSON(result, caseName: "x")
        guard case let .object(mine) = ours else { Issue.record("metrics not an object"); return }
        for key in ["energy_imported_kwh", "energy_exported_kwh", "reactive_energy_abs_kvarh", "max_apparent_power_kva",
                    "load_energy_kwh", "generation_energy_kwh", "losses_kwh", "losses_pct_of_load_energy", "reactive_losses_kvarh"] {
            guard let g = golden_[key] as? Double, case let .double(v)? = mine[key] else { Issue.record("missing \(key)"); continue }
            #expect(abs(v - g) <= 1e-3 * max(abs(g), 1e-9), "\(key): \(v) vs \(g)")
        }
        for key in ["vmin_pu_lv", "vmax_pu_lv", "unbalance_spread_pct", "unbalance_max_dev_pct", "unbalance_vuf_pct"] {
            guard let g = golden_[key] as? [String: Any], let gv = g["value"] as? Double,
                  case let .object(o)? = mine[key], case let .double(v)? = o["value"] else { Issue.record("missing \(key)"); continue }
            #expect(abs(v - gv) <= 1e-3 * abs(gv), "\(key): \(v) vs \(gv)")
            if case let .int(step)? = o["step"] { #expect(Int(step) == g["step"] as? Int, "\(key) step") }
        }
    }
}

/// EPRI ckt5 over its first 24 yearly hours (8,760-point shapes in the feeder), as OpenDSS ran it:
/// source P and Q through the substation transformer within 1e-5 relative at every step.
@Suite struct YearlyGoldenTests {
    @Test func ckt5FirstDayOfTheYearMatchesOpenDSS() throws {
        guard let feeder = SharedData.path("feeders/ckt5/ckt5/Master_ckt5.dss"),
              let golden = SharedData.path("golden/ckt5/yearly_1h_24/steps.csv") else { return }
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: feeder))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        let configuration = TimeSeriesConfiguration(mode: .yearly, stepSeconds: 3600, numberOfSteps: 24,
                                                    sourceTransformer: "mdv_sub_1")
        let result = try solver.runTimeSeries(configuration, log: &log)
        #expect(result.allConverged)
        let rows = try GoldenTable.rows(golden)
        #expect(rows.count == 24 && result.steps.count == 24)
        var worst = 0.0, worstStep = 0
        for (row, s) in zip(rows, result.steps) {
            let m = s.measurement
            let errors = [TimeSeriesGoldenTests.relative(m.sourceKilowatts, Double(row[4]) ?? .nan),
                          TimeSeriesGoldenTests.relative(m.sourceKilovars, Double(row[5]) ?? .nan)]
            for e in errors where !(e <= worst) { worst = e; worstStep = s.step }
        }
        print("ckt5 yearly 24 h: worst source P/Q relative error \(worst) at step \(worstStep), iterations \(result.iterationsTotal)")
        #expect(worst < 1e-6)  // the issue asks for 1e-5; measured 1.1e-7
    }
}
