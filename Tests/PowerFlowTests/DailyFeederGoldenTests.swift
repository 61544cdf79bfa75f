// Owns the check of a real feeder's controls over a day against the real OpenDSS: IEEE 8500 (the
// shared feeder, read in place) with a 24-hour residential shape on every load, so that its four
// regulator banks and nine switched capacitors act (golden/ieee8500_daily, made by its regenerate.py):
// the same taps, capacitor states and control rounds at every step, source power within 1e-6.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct DailyFeederGoldenTests {
    static let folder = SharedData.packageRoot.appendingPathComponent("golden/ieee8500_daily").path
    /// What golden/ieee8500_daily/regenerate.py adds after compiling the feeder (its SETUP).
    static let setup = """
        New Loadshape.day npts=24 interval=1 mult=(0.45 0.40 0.37 0.36 0.37 0.42 0.55 0.70 0.75 0.72 0.70 0.70 0.72 0.70 0.72 0.78 0.90 1.05 1.15 1.12 1.02 0.88 0.70 0.55)
        BatchEdit Load..* daily=day
        set maxcontroliter=40
        """

    /// Runs 24 one-hour daily steps as regenerate.py does: about 20 s in a debug build (24 solves of
    /// 8,531 nodes with up to 18 control rounds each).
    @Test func ieee8500DayHasOpenDSSsControlActionsAtEveryStep() throws {
        guard let master = SharedData.path("feeders/ieee8500/8500-Node/Master.dss") else { return }
        let model = try FeederImporter.compile(script: "Compile \"\(master)\"\n" + Self.setup, name: "ieee8500_daily.dss",
                                               baseDirectory: Self.folder)
        let solver = try PowerFlowSolver(model: model)
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        let steps = try ControlGoldenFiles.steps(Self.folder + "/steps.csv")
        let power = try GoldenTable.rows(Self.folder + "/power.csv")
        #expect(steps.count == 24 && power.count == 24)
        solver.resetControls()
        solver.solutionClock = SolutionClock(hour: 0, seconds: 0)
        var log = EventLog(isEnabled: false)
        var differing: [Int] = [], worstPower = 0.0
        for (g, p) in zip(steps, power) {
            solver.solutionClock.advance(bySeconds: 3600)
            try solver.applyShapes(mode: .daily, hour: solver.solutionClock.hours)
            let outcome = try solver.solve(log: &log)
            #expect(outcome.converged && outcome.controlsSettled, "step \(g.step)")
            let notes = ControlGoldenTests.controlMismatches(solver, g)
            if !notes.isEmpty { differing.append(g.step); Issue.record("step \(g.step): \(notes.joined(separator: "; "))") }
            #expect(outcome.controlIterations == g.controlIterations, "step \(g.step) control iterations")
            let totals = solver.circuitTotals()
            for (ours, column) in [(totals.sourceKilowatts, 1), (totals.sourceKilovars, 2)] {
                let theirs = Double(p[column]) ?? .nan
                let error = abs(ours - theirs) / max(abs(theirs), 1)
                if !(error <= worstPower) { worstPower = error }
            }
        }
        let voltages = try ControlGoldenFiles.voltages(Self.folder + "/node_voltages.csv")
        let (worstVoltage, node) = ControlGoldenTests.voltageError(solver, voltages[24] ?? [:])
        print("ieee8500 day: steps with other taps/states \(differing), worst source P/Q relative error \(worstPower), "
              + "last step's worst voltage error \(worstVoltage) pu at \(node)")
        #expect(differing.isEmpty)
        #expect(worstPower < 1e-6)
        #expect(worstVoltage < 1e-6)
    }
}
