// Owns the checks of the early end of control rounds (PowerFlowSolver+EarlyDecision.swift): a
// round ends before the full tolerance only when every control's decision is robust; a control
// whose quantity sits next to a threshold makes the round converge first; and the control actions
// and voltages are those of rounds run to the full tolerance.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct EarlyDecisionTests {
    /// gridtrace's LV control case: RegControl R1 (vreg=123 band=2 ptratio=2) and CapControl CC1.
    static let master = AccelerationTests.controlsLV

    /// The LV case with R1's voltage setting replaced, on the full iteration at tolerance 1e-10.
    static func solver(voltageSetting: Double? = nil, early: Bool = true) throws -> PowerFlowSolver {
        var text = try String(contentsOfFile: master, encoding: .utf8)
        if let voltageSetting {
            text = text.replacingOccurrences(of: "vreg=123", with: "vreg=\(voltageSetting)")
        }
        let model = try FeederImporter.compile(script: text, name: "Master.dss",
                                               baseDirectory: (master as NSString).deletingLastPathComponent)
        let solver = try PowerFlowSolver(model: model)
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.settings.reducedIteration = false
        solver.settings.earlyControlDecisions = early
        return solver
    }

    /// R1's control voltage (120 V base) after the first round, solved to 1e-10 with controls off:
    /// exactly what the first round of a controlled solve reads at its fixed point.
    static func firstRoundControlVolts() throws -> Double {
        let solver = try Self.solver()
        solver.settings.controlMode = .off
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        var list: [DecisionQuantity] = []
        #expect(solver.regulatorDecisionQuantities(0, into: &list))
        return try #require(list.first).value
    }

    @Test func marginsAreDistancesToTheNearestThreshold() {
        let band = DecisionQuantity(value: 124.2, thresholds: [122, 124])
        #expect(abs(band.margin - 0.2) < 1e-12)
        #expect(abs(DecisionQuantity(value: 2.3, roundedTo: 1, scale: 120).margin - 0.2) < 1e-12)
        #expect(abs(DecisionQuantity(value: -1.45, roundedTo: 1, scale: 120).margin - 0.05) < 1e-12)
        #expect(abs(DecisionQuantity(value: 1.6, roundedTo: 0.75, scale: 120).margin - 0.275) < 1e-12)
        #expect(DecisionQuantity(value: 1, thresholds: []).margin == .infinity)
    }

    /// A static-mode tap change moves 70 % of the rounded count of increments, at least one, at
    /// most maxtapchange: counts 1 and 2 move one tap, 3 and 4 two, and so on (in floating point:
    /// 0.7 × 10 increments comes out just below 7 and moves six, as the action computes it).
    @Test func staticActionsMoveSeventyPercentOfTheRoundedCount() {
        let moved = (1...12).map { PowerFlowSolver.staticTapSteps(pending: Double($0) * 0.00625, increment: 0.00625, maxTapChange: 16) }
        #expect(moved == [1, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8])
        #expect(PowerFlowSolver.staticTapSteps(pending: -0.0625, increment: 0.00625, maxTapChange: 3) == 3)
    }

    /// Only the half-steps between counts that move different taps are thresholds of the tap count:
    /// between 1 and 2 (the same one tap) there is none, between 0 and 1 and between 2 and 3 there is.
    @Test func tapCountMarginsCountOnlyHalfStepsThatChangeTheMove() {
        func quantity(_ boost: Double, maxTapChange: Int = 16) -> DecisionQuantity {
            let constantFrom = Int((Double(maxTapChange) / 0.7).rounded(.up)) + 2
            return DecisionQuantity(value: boost, roundedTo: 1, scale: 120, constantFrom: constantFrom) { count in
                count == 0 ? 0 : PowerFlowSolver.staticTapSteps(pending: Double(count), increment: 1, maxTapChange: maxTapChange)
            }
        }
        // Counts 1 and 2 both move one tap: 1.6 is 0.9 from the next threshold (2.5), not 0.1 from 1.5.
        #expect(abs(quantity(1.6).margin - 0.9) < 1e-12)
        #expect(abs(DecisionQuantity(value: 1.6, roundedTo: 1, scale: 120).margin - 0.1) < 1e-12)
        #expect(abs(quantity(-1.6).margin - 0.9) < 1e-12)
        #expect(abs(quantity(2.4).margin - 0.1) < 1e-12)
        #expect(abs(quantity(0.7).margin - 0.2) < 1e-12)
        // 3 and 4 move two taps, 5 three: thresholds 2.5 and 4.5, none at 3.5.
        #expect(abs(quantity(3.4).margin - 0.9) < 1e-12)
        // With maxtapchange 2 every count from 3 on moves two taps: the last threshold is 2.5.
        #expect(abs(quantity(10, maxTapChange: 2).margin - 7.5) < 1e-12)
    }

    /// A CapControl's quantities carry only the thresholds its bank's state tests: ON while open,
    /// OFF while closed with no step left to add.
    @Test func capacitorThresholdsAreTheOnesItsStateTests() throws {
        let solver = try Self.solver()
        solver.settings.controlMode = .off
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        let capacitor = try #require(solver.controls.capacitorTargets[0]).capacitor
        #expect(solver.capacitorClosed[capacitor] && solver.availableSteps(capacitor) == 0)
        var closed: [DecisionQuantity] = []
        solver.capacitorDecisionQuantities(0, into: &closed)
        let volts = try #require(closed.first).value
        #expect(abs(try #require(closed.first).margin - abs(volts - 125.5)) < 1e-12)
        solver.capacitorClosed[capacitor] = false
        var open: [DecisionQuantity] = []
        solver.capacitorDecisionQuantities(0, into: &open)
        #expect(abs(try #require(open.first).margin - abs(volts - 118)) < 1e-12)
    }

    /// The rule itself, at a point a little off the fixed point: far from the band edge the controls
    /// sample there; 1e-6 V beyond the edge the same error bound is too large, and nothing changes.
    @Test func aControlAtItsBandEdgeIsNotDecidedEarly() throws {
        let volts = try Self.firstRoundControlVolts()
        for (beyondEdge, decides) in [(0.3, true), (1e-6, false), (-1e-6, false)] {
            // vreg − v = band/2 + beyondEdge: out of band (R1 acts) when beyondEdge > 0.
            let solver = try Self.solver(voltageSetting: volts + 1 + beyondEdge)
            solver.settings.controlMode = .off
            var log = EventLog(isEnabled: false)
            #expect(try solver.solve(log: &log).converged)
            solver.settings.controlMode = .static
            // The previous iterate: every node 1e-7 pu away (about 1e-5 V on R1's 120 V base).
            solver.previousVoltages = solver.voltages.map { $0 * 1.0000001 }
            let before = solver.controls.queue.entries.count
            var round = EarlyDecisionRound()
            // The first check of a round only records each quantity's change.
            #expect(!solver.decideEarly(maxChange: 1e-7, round: &round))
            #expect(solver.earlyDecisionCounts.notRobust == 1)
            let decided = solver.decideEarly(maxChange: 1e-7, round: &round)
            #expect(decided == decides, "\(beyondEdge) V beyond the band edge")
            if decides {
                #expect(solver.controls.queue.entries.count > before)
                #expect(solver.earlyDecisionCounts.decided == 1)
            } else {
                #expect(solver.controls.queue.entries.count == before)
                #expect(solver.earlyDecisionCounts.notRobust == 2)
            }
        }
    }

    /// Whole solves: with R1 1e-6 V beyond (or inside) its band edge the first round cannot end early
    /// (only the first of two allowed rounds samples), far from the edge it does; either way the
    /// taps, capacitor states, rounds and voltages are those of rounds run to 1e-10.
    @Test func earlyRoundsTakeTheFullToleranceDecisions() throws {
        let volts = try Self.firstRoundControlVolts()
        for (beyondEdge, roundLimit, decidedRounds) in [(0.3, 2, 1), (1e-6, 2, 0), (-1e-6, 2, 0), (0.3, 10, -1), (1e-6, 10, -1)] {
            var outcomes: [SolveOutcome] = [], solvers: [PowerFlowSolver] = []
            for early in [true, false] {
                let solver = try Self.solver(voltageSetting: volts + 1 + beyondEdge, early: early)
                solver.settings.maxControlIterations = roundLimit
                var log = EventLog(isEnabled: false)
                outcomes.append(try solver.solve(log: &log))
                solvers.append(solver)
            }
            let label = "\(beyondEdge) V beyond the edge, \(roundLimit) rounds"
            #expect(outcomes[0].converged && outcomes[1].converged, "\(label)")
            #expect(outcomes[0].controlIterations == outcomes[1].controlIterations, "\(label)")
            #expect(outcomes[0].tapChanges == outcomes[1].tapChanges, "\(label)")
            #expect(solvers[0].transformerTaps(named: "tx") == solvers[1].transformerTaps(named: "tx"), "\(label)")
            #expect(solvers[0].capacitorStates(named: "c1") == solvers[1].capacitorStates(named: "c1"), "\(label)")
            #expect(AccelerationTests.worstDifference(solvers[0], solvers[1]) < 1e-9, "\(label)")
            if decidedRounds >= 0 {
                #expect(solvers[0].earlyDecisionCounts.decided == decidedRounds, "\(label)")
            }
            if beyondEdge.magnitude < 1e-3 {
                #expect(solvers[0].earlyDecisionCounts.notRobust > 0, "\(label)")
            }
            #expect(solvers[1].earlyDecisionCounts == EarlyDecisionCounts())
        }
    }
}
