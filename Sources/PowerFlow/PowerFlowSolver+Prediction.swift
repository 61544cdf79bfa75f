// Owns the starting point of each time step's full iteration. Between steps of a daily or yearly
// series only the load shapes' multipliers move, and the load-node voltages follow them smoothly
// (nearly linearly, with a quadratic part from the losses). So instead of the last step's solution
// the iteration starts from a prediction: the last solution plus the combination of the recent
// steps' voltage changes whose multiplier changes (multipliers, squares and products) best
// reproduce this step's, a ridge-regularized least-squares fit generic in the number of shapes.
// The fixed point, the stopping rule and the returned voltages are untouched: only the first
// iterate moves, closer to the fixed point, so fewer iterations reach the tolerance. The kept
// solutions are all made with the present Y (a tap or capacitor move empties them), and a
// prediction that extrapolates far beyond them is not used (the iteration then starts from the
// last solution, as without prediction). The reduced iteration never uses it (its results and
// traces stay bit for bit as they were), nor does a solve outside `runTimeSeries`.
import ComplexModule
import Kernel

/// How the time steps' starting points were chosen so far.
public struct StepPredictionCounts: Sendable, Equatable {
    /// Steps whose iteration started from a prediction.
    public var predicted = 0
    /// Steps with enough kept solutions whose fit was refused (they started from the last solution).
    public var fellBack = 0
}

/// Recent time-step solutions (load-node voltages) with the shape multipliers they were solved at.
struct StepPredictor {
    /// Most solutions kept (the newest is the last step's). ckt5, 720 h: 12 → 4.27 iterations per
    /// step, 16 → 4.19, 24 → 4.02; each kept solution costs one pass over the load nodes per step
    /// (memory-bound: about a fortieth of an iteration), so 16 is the measured sweet spot.
    static let window = 16
    /// Ridge term of the fit, relative to the mean squared multiplier change.
    static let ridge = 1e-8

    /// Per kept solution: the multipliers (drivers), the interleaved load-node voltages, and the
    /// factorization count at which it was solved (solutions of another Y are not comparable).
    var drivers: [[Double]] = []
    var solutions: [[Double]] = []
    /// Per kept solution: the largest distance (volts) any load node moved from the one before
    /// (0 for the oldest).
    var moves: [Double] = []
    var factorization = -1
    /// Drivers of the step about to be solved (set by the time series before each solve).
    var pendingDrivers: [Double]?

    /// Multipliers beyond which the fit uses their squares but no cross products.
    static let crossTermLimit = 8

    /// What the voltages are fitted to: the multipliers, their squares and (up to
    /// `crossTermLimit` multipliers) their pairwise products: the voltages are close to quadratic
    /// in the loads (the losses grow with the square of the currents).
    static func drivers(_ multipliers: [Double]) -> [Double] {
        var drivers = multipliers
        for (i, a) in multipliers.enumerated() {
            if multipliers.count > crossTermLimit {
                drivers.append(a * a)
            } else {
                for b in multipliers[i...] { drivers.append(a * b) }
            }
        }
        return drivers
    }

    /// Forgets every kept solution.
    mutating func reset(factorization count: Int) {
        drivers.removeAll(keepingCapacity: true)
        solutions.removeAll(keepingCapacity: true)
        moves.removeAll(keepingCapacity: true)
        factorization = count
    }

    /// Keeps a solved step (dropping the oldest at full window; storage reused).
    mutating func record(drivers step: [Double], solution: [Double], factorization count: Int) {
        if count != factorization || drivers.first.map({ $0.count != step.count }) == true
            || solutions.first.map({ $0.count != solution.count }) == true {
            reset(factorization: count)
        }
        if solutions.count == Self.window {
            drivers.removeFirst()
            solutions.removeFirst()
            moves.removeFirst()
            if !moves.isEmpty { moves[0] = 0 }
        }
        moves.append(solutions.last.map { Self.largestDistance(solution, $0) } ?? 0)
        drivers.append(step)
        solutions.append(solution)
    }

    /// Coefficients c_i of the kept solutions' differences from the newest (oldest first) whose
    /// driver differences best match `target` − newest drivers; nil when nothing can be predicted
    /// (fewer than two solutions, no driver change, or a singular fit).
    func coefficients(for target: [Double]) -> [Double]? {
        guard let newest = drivers.last, newest.count == target.count, solutions.count >= 2 else { return nil }
        let k = drivers.count - 1
        let d = target.count
        let change = (0..<d).map { target[$0] - newest[$0] }
        guard change.contains(where: { $0 != 0 }) else { return nil }
        // Normal equations of min ‖D c − change‖² + λ‖c‖², D's columns the older steps' driver
        // differences from the newest one.
        var gram = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for p in 0..<k {
            for q in 0...p {
                var s = 0.0
                for j in 0..<d { s += (drivers[p][j] - newest[j]) * (drivers[q][j] - newest[j]) }
                gram[p * k + q] = s
                gram[q * k + p] = s
            }
            var s = 0.0
            for j in 0..<d { s += (drivers[p][j] - newest[j]) * change[j] }
            rhs[p] = s
        }
        var trace = 0.0
        for p in 0..<k { trace += gram[p * k + p] }
        guard trace > 0 else { return nil }
        for p in 0..<k { gram[p * k + p] += Self.ridge * trace / Double(k) }
        guard let c = AndersonHistory.solveDense(&gram, &rhs, k) else { return nil }
        return c
    }

    /// The predicted load-node voltages at `target` (interleaved), or nil (see `coefficients`; also
    /// when the prediction would move some load node more than twice as far as the kept steps
    /// moved in all: an extrapolation the fit does not support).
    func prediction(for target: [Double]) -> [Double]? {
        guard let c = coefficients(for: target), let newest = solutions.last else { return nil }
        var next = newest
        next.withUnsafeMutableBufferPointer { x in
            newest.withUnsafeBufferPointer { last in
                for (i, weight) in c.enumerated() {
                    solutions[i].withUnsafeBufferPointer { older in
                        precondition(older.count == x.count && last.count == x.count, "predictor solution sizes")
                        for t in x.indices { x[t] += weight * (older[t] - last[t]) }
                    }
                }
            }
        }
        let travelled = moves.reduce(0, +)
        let moved = Self.largestDistance(next, newest)
        guard moved.isFinite, moved <= 2 * travelled else { return nil }
        return next
    }

    /// The largest |x_t − y_t| over the load nodes of two interleaved (re, im) vectors.
    static func largestDistance(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "predictor solution sizes")
        var largest = 0.0
        x.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                for t in stride(from: 0, to: a.count - 1, by: 2) {
                    let re = a[t] - b[t], im = a[t + 1] - b[t + 1]
                    let d = re * re + im * im
                    if d > largest || d.isNaN { largest = d }  // a NaN, once met, stays
                }
            }
        }
        return largest.squareRoot()
    }
}

extension PowerFlowSolver {
    /// Moves the load-node voltages to the predicted start of this step's iteration (first control
    /// round of a time step, full iteration only); a no-op without a pending prediction.
    func startFromPrediction() {
        // Taken out of the optional while in use, so its arrays are changed in place (no copy).
        guard var predictor = stepPredictor.take() else { return }
        defer { stepPredictor = predictor }
        guard let target = predictor.pendingDrivers else { return }
        materializeVoltages()
        if branchTable == nil { branchTable = BranchTable(network) }
        guard let table = branchTable else { return }
        if predictor.factorization != factorizationCount { predictor.reset(factorization: factorizationCount) }
        guard predictor.solutions.count >= 2 else { return }
        guard let next = predictor.prediction(for: target) else {
            stepPredictionCounts.fellBack += 1
            return
        }
        stepPredictionCounts.predicted += 1
        precondition(next.count == 2 * table.loadNodes.count, "predicted load-node buffer size")
        for (t, node) in table.loadNodes.enumerated() {
            voltageStorage[Int(node)] = CDouble(next[2 * t], next[2 * t + 1])
        }
    }

    /// Ends a step's use of the prediction: keeps its solution for the next steps when `record`
    /// (it converged with the full iteration), else forgets the kept ones.
    func finishPrediction(record: Bool) {
        guard var predictor = stepPredictor.take() else { return }
        defer { stepPredictor = predictor }
        guard let drivers = predictor.pendingDrivers else { return }
        predictor.pendingDrivers = nil
        guard record, let table = branchTable else { return predictor.reset(factorization: -1) }
        materializeVoltages()
        var solution = [Double](repeating: 0, count: 2 * table.loadNodes.count)
        gatherLoadNodes(table, into: &solution)
        predictor.record(drivers: drivers, solution: solution, factorization: factorizationCount)
    }
}
