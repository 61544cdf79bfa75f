// The embedded default feeder, written out as an OpenDSS script with its households' day, solved by
// gridtrace agrees with the real OpenDSS engine's results in golden/synthetic-default.
import CoSim
import Feeder
import Foundation
import Kernel
import PowerFlow
import Testing
import TestSupport
@testable import Verify

@Suite struct SyntheticGoldenTests {
    @Test func defaultFeederDayMatchesOpenDSS() throws {
        let script = try PreparedFeeder.syntheticScript(seed: 20_261_125)
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: script, name: "synthetic.dss", baseDirectory: "/"))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        let result = try solver.runTimeSeries(TimeSeriesConfiguration(mode: .daily, stepSeconds: 300, numberOfSteps: 288), log: &log)
        #expect(result.allConverged)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-synthetic-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try ResultExports.write(result, solver: solver, caseName: "synthetic", to: directory.path)
        let comparison = try GoldenCompare.compare(results: directory.path,
                                                   golden: SharedData.packageRoot.appendingPathComponent("golden/synthetic-default").path)
        let steps = comparison.quantities.filter { $0.file == "steps.csv" }
        #expect(steps.count >= 8)
        #expect(comparison.passed, "\(comparison.quantities.filter { !$0.passed })")
        let voltage = try #require(steps.first { $0.quantity == "vmin_pu_lv" })
        #expect(voltage.maxAbsoluteError < 1e-8)
    }
}

@Suite struct DefaultDayAgainstOpenDSSTests {
    @Test func noP2PDayOfTheDemoVerifiesAgainstOpenDSS() throws {
        var scenario = Scenario.embeddedDefault()
        scenario.variants = [.noP2P]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-default-day-\(getpid()).gtrace").path
        _ = try CoSimulation.runVariant(scenario, variant: .noP2P, feeder: try PreparedFeeder.prepare(scenario), tracePath: path)
        let report = try TraceVerifier.verify(path: path, goldenDirectory: SharedData.packageRoot.appendingPathComponent("golden/synthetic-default").path)
        #expect(report.passed, "\(report.checks.filter { !$0.passed })")
        #expect(report.checks.contains { $0.name.hasPrefix("grid vs OpenDSS") && $0.summary.hasPrefix("288 steps compared") })
    }
}
