// Owns the checks of the Anderson-accelerated full iteration (FullIteration.swift): it reaches
// OpenDSS's fixed point (the plain iteration's voltages and control actions) in fewer iterations,
// its results do not depend on anything but its inputs, and the reduced iteration is left alone.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct AccelerationTests {
    static let controlsLV = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("golden/controls_lv/Master.dss").path

    static func solved(_ path: String, acceleration: Bool) throws -> (PowerFlowSolver, SolveOutcome) {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: path))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.settings.reducedIteration = false
        solver.settings.acceleration = acceleration
        var log = EventLog(isEnabled: false)
        return (solver, try solver.solve(log: &log))
    }

    /// Largest |ΔV| in per unit of the node's base between two solutions of the same network.
    static func worstDifference(_ a: PowerFlowSolver, _ b: PowerFlowSolver) -> Double {
        var worst = 0.0
        for (i, (x, y)) in zip(a.voltages, b.voltages).enumerated() {
            let base = a.nodeBaseVolts[i] > 0 ? a.nodeBaseVolts[i] : 1
            let d = (x - y).length / base
            if !(d <= worst) { worst = d }
        }
        return worst
    }

    @Test func acceleratedAndPlainReachTheSameVoltagesAndControlActions() throws {
        let (plain, plainOutcome) = try Self.solved(Self.controlsLV, acceleration: false)
        let (fast, fastOutcome) = try Self.solved(Self.controlsLV, acceleration: true)
        #expect(plainOutcome.converged && fastOutcome.converged)
        #expect(plainOutcome.controlIterations == fastOutcome.controlIterations)
        #expect(plain.transformerTaps(named: "tx") == fast.transformerTaps(named: "tx"))
        #expect(plain.capacitorIsClosed(named: "c1") == fast.capacitorIsClosed(named: "c1"))
        let worst = Self.worstDifference(plain, fast)
        #expect(worst < 1e-9, "worst difference \(worst) pu")
        #expect(fastOutcome.iterations <= plainOutcome.iterations)
    }

    @Test func acceleratedSolvesRepeatBitForBit() throws {
        let (a, outcomeA) = try Self.solved(Self.controlsLV, acceleration: true)
        let (b, outcomeB) = try Self.solved(Self.controlsLV, acceleration: true)
        #expect(outcomeA == outcomeB)
        #expect(a.voltages == b.voltages)
    }

    /// IEEE 8500's snapshot: about 40 plain iterations per control round at 1e-10 (OpenDSS: 252 in 6
    /// rounds); accelerated, the same 6 rounds and taps in well under half the iterations.
    @Test func ieee8500NeedsFarFewerIterations() throws {
        guard let master = SharedData.path("feeders/ieee8500/8500-Node/Master.dss") else { return }
        let (plain, plainOutcome) = try Self.solved(master, acceleration: false)
        let (fast, fastOutcome) = try Self.solved(master, acceleration: true)
        #expect(plainOutcome.converged && fastOutcome.converged)
        #expect(plainOutcome.controlIterations == fastOutcome.controlIterations)
        let banks = ["2", "3", "4"].flatMap { k in ["a", "b", "c"].map { "vreg\(k)_\($0)" } }
        for name in ["feeder_rega", "feeder_regb", "feeder_regc"] + banks {
            #expect(plain.transformerTaps(named: name) == fast.transformerTaps(named: name), "\(name)")
        }
        let worst = Self.worstDifference(plain, fast)
        print("ieee8500 snapshot: plain \(plainOutcome.iterations) iterations, accelerated \(fastOutcome.iterations), worst difference \(worst) pu")
        #expect(worst < 1e-8)
        #expect(2 * fastOutcome.iterations < plainOutcome.iterations)
    }

    /// ckt5, first 48 yearly hours with the step prediction: letting the Anderson step move every
    /// node (not only the load nodes) ends steps an iteration earlier when the load nodes are
    /// already within the tolerance (the other nodes no longer show the last plain iteration's
    /// error), at the same fixed point: the same control rounds and tap moves at every step, load
    /// voltages within 1e-9 pu.
    @Test func everyNodeAccelerationEndsStepsEarlierAtTheSameSolutions() throws {
        guard let (_, loads) = try StepPredictionTests.ckt5(steps: 48, prediction: true, everyNode: false),
              let (_, every) = try StepPredictionTests.ckt5(steps: 48, prediction: true, everyNode: true) else { return }
        let worst = StepPredictionTests.expectSameControlsAndWorstDifference(loads, every)
        print("ckt5 48 h: \(loads.iterationsTotal) iterations accelerating the load nodes, \(every.iterationsTotal) every node; worst load voltage difference \(worst) pu (120 V)")
        #expect(worst < 1e-9)
        #expect(every.iterationsTotal < loads.iterationsTotal)
    }
}
