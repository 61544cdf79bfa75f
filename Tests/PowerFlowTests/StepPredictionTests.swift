// Owns the checks of the time-step prediction (PowerFlowSolver+Prediction.swift): the fit is exact
// on data that is quadratic in the multipliers, it refuses what it cannot support, and on a shared
// feeder it reaches the same voltages and control actions as the unpredicted series in fewer
// iterations, deterministically.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct StepPredictionTests {
    /// Voltages that are an exact quadratic function of two multipliers (4 "load nodes").
    static func voltages(_ m: [Double]) -> [Double] {
        let (a, b) = (m[0], m[1])
        let quadratic: Double = 0.25 * a * a - 0.1 * a * b
        return (0..<8).map { (t: Int) -> Double in
            let node = Double(t)
            let linear: Double = -3 * a + 0.5 * Double(t % 3) * b
            return 100 + node + linear + quadratic
        }
    }

    static func predictor(_ multipliers: [[Double]]) -> StepPredictor {
        var predictor = StepPredictor()
        for m in multipliers {
            predictor.record(drivers: StepPredictor.drivers(m), solution: voltages(m), factorization: 1)
        }
        return predictor
    }

    static let hours: [[Double]] = (0..<12).map { (h: Int) -> [Double] in
        let x = Double(h)
        let first: Double = 0.5 + 0.3 * (x / 7).squareRoot() + 0.01 * x
        let second: Double = 0.4 + 0.05 * x - 0.0002 * x * x * x
        return [first, second]
    }

    @Test func driversAreMultipliersSquaresAndProducts() {
        #expect(StepPredictor.drivers([2, 3]) == [2, 3, 4, 6, 9])
        let many = (1...9).map(Double.init)
        #expect(StepPredictor.drivers(many) == many + many.map { $0 * $0 })
    }

    @Test func quadraticDataIsPredictedExactly() throws {
        let predictor = Self.predictor(Self.hours)
        let target = [0.93, 0.61]
        let predicted = try #require(predictor.prediction(for: StepPredictor.drivers(target)))
        let exact = Self.voltages(target)
        let worst = zip(predicted, exact).map { abs($0 - $1) }.max() ?? .nan
        #expect(worst < 1e-6, "worst \(worst)")
        // The last solution alone would be off by the whole step's change.
        let last = try #require(predictor.solutions.last)
        #expect(zip(last, exact).map { abs($0 - $1) }.max() ?? 0 > 0.01)
    }

    @Test func refusesWhatItCannotSupport() {
        // One solution: no difference to fit.
        #expect(Self.predictor(Array(Self.hours.prefix(1))).prediction(for: StepPredictor.drivers([0.9, 0.6])) == nil)
        let predictor = Self.predictor(Self.hours)
        // No multiplier change: the last solution is the start.
        #expect(predictor.prediction(for: StepPredictor.drivers(Self.hours[11])) == nil)
        // Far outside the kept steps: the fit would extrapolate, so it is not used.
        #expect(predictor.prediction(for: StepPredictor.drivers([40, -30])) == nil)
        // Drivers of another size (a different set of shapes): nothing to compare with.
        #expect(predictor.prediction(for: [1, 2, 3]) == nil)
    }

    @Test func anotherFactorizationOrSizeEmptiesTheHistory() {
        var predictor = Self.predictor(Array(Self.hours.prefix(5)))
        #expect(predictor.solutions.count == 5)
        predictor.record(drivers: StepPredictor.drivers([0.7, 0.5]), solution: Self.voltages([0.7, 0.5]), factorization: 2)
        #expect(predictor.solutions.count == 1 && predictor.factorization == 2)
        predictor.record(drivers: StepPredictor.drivers([0.7, 0.5]), solution: [1, 2], factorization: 2)
        #expect(predictor.solutions.count == 1)
        let many = (0...(StepPredictor.capacity / Self.hours.count)).flatMap { _ in Self.hours }
        for m in many { predictor.record(drivers: StepPredictor.drivers(m), solution: Self.voltages(m), factorization: 2) }
        #expect(predictor.solutions.count == StepPredictor.capacity)
    }

    @Test func choosesTheNearestKeptSolutionsNewerFirstOnTies() {
        var predictor = StepPredictor()
        // Multipliers 0.0, 0.1, …, 0.9, then 0.5 again (slot 10, as near as slot 5 but newer).
        let values: [Double] = (0..<10).map { Double($0) / 10 } + [0.5]
        for v in values { predictor.record(drivers: StepPredictor.drivers([v, 0]), solution: Self.voltages([v, 0]), factorization: 1) }
        let chosen = predictor.nearest(to: StepPredictor.drivers([0.52, 0]))
        #expect(chosen.count == min(StepPredictor.window, values.count))
        #expect(Array(chosen.prefix(4)) == [10, 5, 6, 4])
        // The fit is still exact on quadratic data when the nearest are old and not in time order.
        let predicted = predictor.prediction(for: StepPredictor.drivers([0.52, 0])) ?? []
        let exact = Self.voltages([0.52, 0])
        #expect(predicted.count == exact.count)
        #expect(zip(predicted, exact).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func aFullBankReplacesItsOldestSolution() {
        var predictor = StepPredictor()
        let capacity = StepPredictor.capacity
        for k in 0..<(capacity + 3) {
            let m = [Double(k) / Double(capacity), 0.5]
            predictor.record(drivers: StepPredictor.drivers(m), solution: Self.voltages(m), factorization: 1)
        }
        #expect(predictor.count == capacity && predictor.newest == 2)
        // Slots 0…2 now hold steps capacity…capacity + 2; slot 3 the oldest kept, step 3.
        #expect(predictor.driverBank[0] == 1 && predictor.driverBank[3 * predictor.driverCount] == 3 / Double(capacity))
        #expect(predictor.bank.count == capacity * predictor.length && predictor.length == 8)
    }

    /// ckt5's first `steps` yearly hours at 1e-10 (nil, with a printed skip, without ../shared).
    static func ckt5(steps: Int, prediction: Bool, everyNode: Bool = true) throws -> (PowerFlowSolver, TimeSeriesResult)? {
        guard let feeder = SharedData.path("feeders/ckt5/ckt5/Master_ckt5.dss") else { return nil }
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: feeder))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.settings.stepPrediction = prediction
        solver.settings.accelerateEveryNode = everyNode
        var log = EventLog(isEnabled: false)
        var configuration = TimeSeriesConfiguration(mode: .yearly, stepSeconds: 3600, numberOfSteps: steps,
                                                    recordLoadVoltages: true, sourceTransformer: "mdv_sub_1")
        configuration.measure = true
        return (solver, try solver.runTimeSeries(configuration, log: &log))
    }

    /// ckt5, first 48 yearly hours: without prediction 292 iterations (6.1 per step), with it 217
    /// (4.5 per step; 720 h: 4.19 per step with the 16 most recent solutions, 3.31 with the 16
    /// nearest of up to 512). Every step takes the same control rounds and tap moves,
    /// and every load voltage stays within 1e-9 pu of the unpredicted series'.
    @Test func ckt5SameSolutionsInFewerIterations() throws {
        guard let (_, plain) = try Self.ckt5(steps: 48, prediction: false),
              let (solver, predicted) = try Self.ckt5(steps: 48, prediction: true) else { return }
        let worst = Self.expectSameControlsAndWorstDifference(plain, predicted)
        print("ckt5 48 h: \(plain.iterationsTotal) iterations without prediction, \(predicted.iterationsTotal) with; worst load voltage difference \(worst) pu (120 V); \(solver.stepPredictionCounts)")
        #expect(worst < 1e-9)
        #expect(solver.stepPredictionCounts.predicted >= 40)
        #expect(predicted.iterationsTotal * 10 <= plain.iterationsTotal * 8)
    }

    /// Expects both series converged with the same control rounds and tap moves at every step and
    /// the same load voltages recorded; returns the largest load voltage difference (pu of 120 V;
    /// NaN counts as the largest).
    static func expectSameControlsAndWorstDifference(_ first: TimeSeriesResult, _ second: TimeSeriesResult) -> Double {
        #expect(first.allConverged && second.allConverged)
        #expect(first.steps.count == second.steps.count)
        for (a, b) in zip(first.steps, second.steps) {
            #expect(a.outcome.controlIterations == b.outcome.controlIterations, "step \(a.step) rounds")
            #expect(a.outcome.tapChanges == b.outcome.tapChanges, "step \(a.step) tap moves")
        }
        #expect(first.loadVoltages.count == second.loadVoltages.count && !first.loadVoltages.isEmpty)
        var worst = 0.0
        for (a, b) in zip(first.loadVoltages, second.loadVoltages) {
            #expect(a.step == b.step && a.load == b.load && a.busNode == b.busNode)
            let d = (a.voltage - b.voltage).length / 120
            if !(d <= worst) { worst = d }
        }
        return worst
    }

    @Test func predictedSeriesRepeatBitForBit() throws {
        guard let (a, first) = try Self.ckt5(steps: 12, prediction: true),
              let (b, second) = try Self.ckt5(steps: 12, prediction: true) else { return }
        #expect(first.steps == second.steps)
        #expect(first.loadVoltages == second.loadVoltages)
        #expect(a.voltages == b.voltages)
        #expect(a.stepPredictionCounts == b.stepPredictionCounts && a.stepPredictionCounts.predicted == 10)
    }

    /// The combination of kept solutions (four read side by side) equals one solution after the
    /// other bit for bit: every group size, lengths with and without a tail of fewer than 8 values.
    @Test func combiningFourSolutionsAtATimeKeepsTheSums() {
        for length in [8, 13, 27] {
            let slots = 17
            let bank: [Double] = (0..<(slots * length)).map { (k: Int) -> Double in
                let wave: Double = 1e-3 * sin(Double(k) * 0.37)
                return 1 + wave + 1e-9 * Double(k % 7)
            }
            for count in 1...15 {
                let others: [Int] = (0..<count).map { (p: Int) -> Int in
                    let slot = (p * 5 + 3) % slots
                    return slot == 2 ? 16 : slot
                }
                let weights: [Double] = (0..<count).map { (p: Int) -> Double in
                    let linear: Double = 0.3 - 0.07 * Double(p)
                    return linear + 1e-4 * Double(p * p)
                }
                var out = [Double](repeating: 0, count: length), expectedOut = out
                var spread = [SIMD8<Double>](repeating: SIMD8(), count: count), expectedSpread = spread
                var moved = SIMD8<Double>(), expectedMoved = SIMD8<Double>()
                bank.withUnsafeBufferPointer { b in
                    others.withUnsafeBufferPointer { o in
                        weights.withUnsafeBufferPointer { w in
                            out.withUnsafeMutableBufferPointer { x in
                                spread.withUnsafeMutableBufferPointer { q in
                                    moved = StepPredictor.combine(b.baseAddress!, reference: 2, others: o, weights: w,
                                                                  length: length, into: x.baseAddress!, spread: q)
                                }
                            }
                            (expectedOut, expectedSpread, expectedMoved) = Self.combineOneAtATime(b, reference: 2, others: Array(o),
                                                                                                   weights: Array(w), length: length)
                        }
                    }
                }
                #expect(out == expectedOut, "length \(length), \(count) solutions")
                #expect(spread == expectedSpread && moved == expectedMoved, "length \(length), \(count) solutions")
            }
        }
    }

    /// The combination as it was written before it read four solutions at a time: one solution
    /// after the other, 8 lanes, the tail in lane 0.
    static func combineOneAtATime(_ bank: UnsafeBufferPointer<Double>, reference slot: Int, others: [Int], weights: [Double],
                                  length n: Int) -> ([Double], [SIMD8<Double>], SIMD8<Double>) {
        let reference = Array(bank[slot * n ..< (slot + 1) * n])
        var out = reference
        var spread: [SIMD8<Double>] = []
        for (p, other) in others.enumerated() {
            var squares = SIMD8<Double>()
            for t in 0..<n {
                let d = bank[other * n + t] - reference[t]
                out[t] = out[t] + weights[p] * d
                squares[t < n - n % 8 ? t % 8 : 0] += d * d
            }
            spread.append(squares)
        }
        var moved = SIMD8<Double>()
        for t in 0..<n { moved[t < n - n % 8 ? t % 8 : 0] += (out[t] - reference[t]) * (out[t] - reference[t]) }
        return (out, spread, moved)
    }
}
