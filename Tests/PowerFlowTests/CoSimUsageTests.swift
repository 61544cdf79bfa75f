// Owns the checks of the way CoSim drives the grid: compile script text that redirects to a feeder
// and adds PV, set per-home powers every 5-minute interval, solve, read results and events; and
// the determinism of the emitted events across two identical runs.
import Foundation
import Kernel
import Testing
import Feeder
@testable import PowerFlow

@Suite struct CoSimUsageTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("golden/small_lv").path

    /// Runs `steps` intervals with deterministic per-step powers; returns events and the last measurement.
    func run(steps: Int) throws -> ([EventRecord], StepMeasurement, PowerFlowSolver) {
        let script = """
        Redirect Master.dss
        New PVSystem.roof bus1=B4.2 phases=1 kv=0.24 pmpp=4 kva=4 irradiance=1 pf=1
        """
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: script, name: "cosim.dss", baseDirectory: Self.golden))
        solver.settings.tolerance = 1e-8
        let area = try solver.measurementArea()
        var log = EventLog(isEnabled: true)
        var events: [EventRecord] = []
        var last = StepMeasurement.notMeasured
        for step in 1...steps {
            let x = Double(step)
            try solver.setLoad(named: "a", kilowatts: 2 + 0.01 * x, kilovars: 0.5)
            try solver.setLoad(named: "load.d", kilowatts: 1 + 0.02 * x, kilovars: 0.2)
            try solver.setGeneration(named: "PVSystem.roof", kilowatts: 3 * sine(Double.pi * x / Double(steps)))
            let (outcome, m) = try solver.solveStep(step: step, time: .minutes(Int64(5 * step)), area: area, log: &log)
            #expect(outcome.converged)
            last = m
            events += log.drain()
        }
        return (events, last, solver)
    }

    @Test func fiveMinuteIntervalsWithChangingLoads() throws {
        let (events, last, solver) = try run(steps: 288)
        #expect(solver.factorizationCount == 1)
        #expect(events.filter { $0.kind == .powerFlowStep }.count == 288)
        #expect(events.filter { $0.kind == .powerFlowIteration }.count >= 2 * 288)
        #expect(last.voltageMinPerUnit > 0.9 && last.voltageMaxPerUnit < 1.1)
        // Energy balance at the last step: source = losses + loads − generation (kW).
        #expect(abs(last.sourceKilowatts - last.lossesKilowatts - last.loadKilowatts + last.generationKilowatts) < 1e-9)
        #expect(solver.generationNames.contains("PVSystem.roof"))
    }

    @Test func identicalRunsEmitIdenticalEvents() throws {
        let (a, _, _) = try run(steps: 24)
        let (b, _, _) = try run(steps: 24)
        #expect(a.count == b.count)
        #expect(a.map(\.payload.text) == b.map(\.payload.text))
        #expect(a.map(\.time) == b.map(\.time))
    }
}
