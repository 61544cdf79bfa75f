// Owns the behaviour checks of the solver: failures reported clearly (islanded bus, NaN inputs,
// non-convergence), trace events per iteration and step, no refactoring when only loads change,
// regulator taps as OpenDSS sets them, and the per-step API CoSim uses.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct SolverBehaviourTests {
    static let smallLV = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("golden/small_lv/Master.dss").path

    static let tiny = """
    Clear
    Set DefaultBaseFrequency=50
    New Circuit.T basekv=11 pu=1.0 isc3=3000 isc1=2000
    New Transformer.TX buses=[sourcebus lv] conns=[delta wye] kvs=[11 0.416] kvas=[100 100] xhl=4
    New LineCode.c nphases=3 r1=0.3 x1=0.08 r0=1.2 x0=0.3 c1=0 c0=0 units=km
    New Line.L1 lv b1 c 100 units=m
    New Load.H1 bus1=b1.1 phases=1 kv=0.24 kw=5 pf=0.95
    New Load.H2 bus1=b1.2 phases=1 kv=0.24 kw=3 pf=0.95
    Set voltagebases=[11 0.416]
    Calcvoltagebases
    """

    func compile(_ script: String) throws -> PowerFlowSolver {
        try PowerFlowSolver(model: FeederImporter.compile(script: script, name: "t.dss", baseDirectory: "/tmp"))
    }

    @Test func islandedBusIsReported() throws {
        let script = Self.tiny + "\nNew LineCode.i nphases=1 r1=0.5 x1=0.1 r0=0.5 x0=0.1 c1=0 c0=0 units=km\nNew Line.island bus1=x.1 bus2=y.1 linecode=i length=10 units=m\nNew Load.lost bus1=y.1 phases=1 kv=0.24 kw=1"
        #expect(throws: PowerFlowError.islanded(["x", "y"])) { _ = try compile(script) }
        #expect(PowerFlowError.islanded(["x", "y"]).description.contains("no path from the source to bus x, y"))
    }

    @Test func singularMatrixIsReported() throws {
        // Two buses joined only by a zero-admittance (open) primitive: KLU finds a zero pivot.
        let pattern = SparsePattern(order: 2, triplets: [(0, 0), (1, 1), (0, 1), (1, 0)])
        let klu = try KLUFactorization(pattern: pattern)
        #expect(throws: PowerFlowError.self) { try klu.factor(values: [1, 0, 1, 0, 1, 0, 1, 0]) }
        do { try klu.factor(values: [1, 0, 1, 0, 1, 0, 1, 0]) } catch {
            #expect("\(error)".contains("singular"))
        }
    }

    @Test func nonFiniteLoadIsRefused() throws {
        let solver = try compile(Self.tiny)
        #expect(throws: PowerFlowError.nonFiniteInput("Load.h1: kW=nan kvar=1.0")) {
            try solver.setLoad(named: "H1", kilowatts: .nan, kilovars: 1)
        }
        #expect(throws: PowerFlowError.unknownElement("H9")) { try solver.setLoad(named: "H9", kilowatts: 1, kilovars: 0) }
        #expect(throws: FeederError.self) {
            _ = try FeederImporter.compile(script: Self.tiny + "\nNew Load.H3 bus1=b1.3 phases=1 kv=0.24 kw=nan", name: "t.dss", baseDirectory: "/tmp")
        }
    }

    @Test(arguments: [true, false])
    func nonConvergenceIsReportedAndRecorded(reduced: Bool) throws {
        let solver = try compile(Self.tiny)
        solver.settings.reducedIteration = reduced
        solver.settings.tolerance = 1e-14
        solver.settings.maxIterations = 2
        var log = EventLog(isEnabled: true)
        let area = try solver.measurementArea()
        let (outcome, _) = try solver.solveStep(step: 7, time: .minutes(35), area: area, log: &log)
        #expect(!outcome.converged)
        #expect(outcome.iterations == 2)
        let records = log.drain()
        let iterations = records.filter { $0.kind == .powerFlowIteration }
        #expect(iterations.count == 2)
        guard case let .object(first)? = iterations.first?.payload else { Issue.record("no payload"); return }
        #expect(first["step"] == .int(7) && first["iteration"] == .int(1))
        let step = records.filter { $0.kind == .powerFlowStep }
        #expect(step.count == 1)
        guard case let .object(payload)? = step.first?.payload else { Issue.record("no step payload"); return }
        #expect(payload["converged"] == .bool(false))
        #expect(step.first?.time == .minutes(35))
    }

    @Test func loadChangesDoNotRefactor() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: Self.smallLV))
        solver.settings.tolerance = 1e-10
        var log = EventLog(isEnabled: false)
        let area = try solver.measurementArea()
        var previousP = 0.0
        for step in 1...12 {
            try solver.setLoad(named: "a", kilowatts: Double(step), kilovars: 0.3 * Double(step))
            try solver.setGeneration(named: "Generator.g1", kilowatts: 0.25 * Double(step))
            let (outcome, m) = try solver.solveStep(step: step, time: .minutes(Int64(5 * step)), area: area, log: &log)
            #expect(outcome.converged)
            #expect(m.sourceKilowatts != previousP)
            previousP = m.sourceKilowatts
        }
        #expect(solver.factorizationCount == 1)
        // The reduced and the full iteration reach the same voltages.
        let fast = solver.voltages
        solver.settings.reducedIteration = false
        _ = try solver.solve(log: &log)
        for (a, b) in zip(fast, solver.voltages) { #expect((a - b).length < 1e-6) }
    }

    @Test func ieee13RegulatorTapsMatchOpenDSS() throws {
        guard let path = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss") else { return }
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: path))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        let outcome = try solver.solve(log: &log)
        #expect(outcome.converged && outcome.tapChanges > 0)
        #expect(solver.transformerTaps(named: "reg1")?[1] == 1.05625)
        #expect(solver.transformerTaps(named: "reg2")?[1] == 1.0375)
        #expect(solver.transformerTaps(named: "reg3")?[1] == 1.05625)
        #expect(solver.factorizationCount > 1)
    }

    @Test func limitViolationsAreEvents() throws {
        let solver = try compile(Self.tiny)
        var log = EventLog(isEnabled: true)
        let area = try solver.measurementArea()
        // The tiny feeder sits near 1.0 pu; a tight band is violated, a wide one is not.
        let tight = VoltageLimits(name: "tight", lowPerUnit: 0.999, highPerUnit: 1.0001)
        let (_, m) = try solver.solveStep(step: 3, time: .minutes(15), area: area, limits: [tight, .en50160], log: &log)
        #expect(m.violations[0] > 0 && m.violations[1] == 0)
        let violations = log.drain().filter { $0.kind == .limitViolation }
        #expect(violations.count == 1)
        guard case let .object(payload)? = violations.first?.payload else { Issue.record("no payload"); return }
        #expect(payload["limit"] == .string("tight") && payload["nodes"] == .int(Int64(m.violations[0])))
    }
}
