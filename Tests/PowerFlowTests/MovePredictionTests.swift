// Owns the checks of the predicted starting point after control moves (PowerFlowSolver+MovePrediction.swift):
// the moves it reads, and that with it on or off a day of control moves takes the same actions in the
// same rounds and reaches the same voltages (only the starting point of a round changes).
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct MovePredictionTests {
    static let golden = SharedData.packageRoot.appendingPathComponent("golden/controls").path

    /// A day of 15-minute steps on a control feeder with the full iteration; per step the outcome,
    /// the taps and capacitor states.
    static func day(_ name: String, predict: Bool) throws -> (PowerFlowSolver, [SolveOutcome], [[[Double]]], [[Bool]]) {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: golden + "/\(name).dss"))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.settings.reducedIteration = false
        solver.settings.predictControlMoves = predict
        solver.resetControls()
        solver.solutionClock = SolutionClock(hour: 0, seconds: 0)
        var log = EventLog(isEnabled: false)
        var outcomes: [SolveOutcome] = [], taps: [[[Double]]] = [], closed: [[Bool]] = []
        for _ in 1...96 {
            solver.solutionClock.advance(bySeconds: 900)
            try solver.applyShapes(mode: .daily, hour: solver.solutionClock.hours)
            outcomes.append(try solver.solve(log: &log))
            taps.append(solver.taps)
            closed.append(solver.capacitorClosed)
        }
        return (solver, outcomes, taps, closed)
    }

    @Test(arguments: ["regbank_ldc", "capsteps", "capcontrols"])
    func predictedStartsTakeTheSameActionsInTheSameRounds(_ name: String) throws {
        let (plain, plainOutcomes, plainTaps, plainClosed) = try Self.day(name, predict: false)
        let (predicted, outcomes, taps, closed) = try Self.day(name, predict: true)
        for step in outcomes.indices {
            #expect(outcomes[step].converged, "\(name) step \(step + 1)")
            #expect(outcomes[step].controlIterations == plainOutcomes[step].controlIterations, "\(name) step \(step + 1) rounds")
            #expect(outcomes[step].tapChanges == plainOutcomes[step].tapChanges, "\(name) step \(step + 1) moves")
        }
        #expect(taps == plainTaps)
        #expect(closed == plainClosed)
        #expect(AccelerationTests.worstDifference(predicted, plain) < 1e-9)
        #expect(plain.movePredictionCount == 0)
        let iterations = (outcomes.reduce(0) { $0 + $1.iterations }, plainOutcomes.reduce(0) { $0 + $1.iterations })
        print("\(name): \(predicted.movePredictionCount) predicted rounds; iterations \(iterations.0) predicted, \(iterations.1) plain")
    }

    @Test func regulatorMovesAndLoadChangesArePredictedOnceLearned() throws {
        let (predicted, _, _, _) = try Self.day("regbank_ldc", predict: true)
        #expect(predicted.movePredictionCount > 0)
        #expect(predicted.movePredictor?.responses.contains { !$0.isEmpty } == true)
        #expect(predicted.movePredictor?.loadResponse.count == predicted.network.nodeCount)
    }

    /// Off unless asked for (the co-simulation's settings); on in settings made from a feeder's options.
    @Test func onlyFeederOptionSettingsPredict() throws {
        #expect(!SolveSettings().predictControlMoves)
        #expect(!SolveSettings(tolerance: 1e-8, maxIterations: 50).predictControlMoves)
        let model = try FeederImporter.compile(path: Self.golden + "/regbank_ldc.dss")
        #expect(SolveSettings(model.options).predictControlMoves)
    }

    @Test func movesAreTapAndStepChanges() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: Self.golden + "/capsteps.dss"))
        let before = solver.controlSettingsSnapshot
        guard let c = solver.network.model.capacitors.indices.first else {
            Issue.record("capsteps has no capacitor")
            return
        }
        let k = try #require(solver.network.delivery.firstIndex { $0.kind == .capacitor && $0.modelIndex == c })
        // Opening the bank takes every in-service step out: minus that many steps.
        let inService = solver.controls.capacitorStates[c].filter { $0 }.count
        solver.capacitorClosed[c] = false
        #expect(solver.controlMoves(of: [k, k], since: before) == [ControlMove(element: k, amount: Double(-inService))])
        solver.capacitorClosed[c] = true
        #expect(solver.controlMoves(of: [k], since: before).isEmpty)
        if let t = solver.network.model.transformers.indices.first,
           let e = solver.network.delivery.firstIndex(where: { $0.kind == .transformer && $0.modelIndex == t }) {
            solver.taps[t][solver.taps[t].count - 1] += 0.00625
            let moves = solver.controlMoves(of: [e], since: before)
            #expect(moves.count == 1 && moves.first?.element == e)
            #expect(abs((moves.first?.amount ?? 0) - 0.00625) < 1e-15)
        }
    }
}
