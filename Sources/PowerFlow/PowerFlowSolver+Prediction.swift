// Owns the starting point of each time step's full iteration. Between steps of a daily or yearly
// series only the load shapes' multipliers move, and the load-node voltages follow them smoothly
// (nearly linearly, with a quadratic part from the losses). So instead of the last step's solution
// the iteration starts from a prediction: the kept solution whose multipliers are nearest this
// step's plus the combination of the other nearest kept solutions' differences from it whose
// multiplier differences (multipliers, squares and products) best reproduce this step's, a
// ridge-regularized least-squares fit generic in the number of shapes.
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

/// Time-step solutions (load-node voltages) with the shape multipliers they were solved at.
struct StepPredictor {
    /// Most solutions kept (once full, the oldest is replaced). The fit combines the `window` kept
    /// solutions whose drivers are nearest the target's, not the most recent ones: the load-node
    /// voltages are a smooth function of the multipliers, and a daily cycle comes back near the
    /// same multipliers many times. ckt5, hours 300–2000 (offline, OpenDSS's own solutions): the 16
    /// most recent miss by 5.1e-6 pu (median), the 16 nearest of the last 128 / 256 / 512 / 1,000 by
    /// 2.0e-7 / 9.9e-8 / 5.6e-8 / 3.8e-8 pu; the whole ckt5 year (8,760 h) with 512 / 1,024 /
    /// 2,048 kept: 23,034 / 22,045 / 21,336 iterations. 1,024 it is: beyond it the time the search
    /// and the memory take grow faster than the iterations fall. Each kept solution holds
    /// 2 × load nodes doubles (ckt5: 22 kB, 22 MB at 1,024); the search is over the drivers only.
    static let capacity = 1024
    /// Kept solutions one fit combines (the nearest first). 12 / 16 / 20 of 512 on ckt5 (offline): 7.8e-8 /
    /// 5.6e-8 / 5.5e-8 pu median; each costs one pass over the load nodes per step.
    static let window = 16
    /// Ridge term of the fit, relative to the mean squared multiplier change.
    static let ridge = 1e-8

    /// The kept solutions (interleaved load-node voltages, `length` doubles each) and their
    /// multipliers (drivers, `driverCount` each), slot after slot in one buffer each, so a step
    /// allocates nothing once full; then the oldest slot is written over. All solved at the
    /// factorization count `factorization` (solutions of another Y are not comparable).
    var bank: [Double] = []
    var driverBank: [Double] = []
    var length = 0
    var driverCount = 0
    /// Kept solutions, and the slot of the newest (−1: none).
    var count = 0
    var newest = -1
    var factorization = -1
    /// Drivers of the step about to be solved (set by the time series before each solve).
    var pendingDrivers: [Double]?

    /// The kept solutions, in slot order (copies: for checks, not for the solve).
    var solutions: [[Double]] {
        (0..<count).map { Array(bank[$0 * length ..< ($0 + 1) * length]) }
    }

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
    mutating func reset(factorization generation: Int) {
        bank.removeAll(keepingCapacity: true)
        driverBank.removeAll(keepingCapacity: true)
        count = 0
        newest = -1
        factorization = generation
    }

    /// Keeps a solved step (over the oldest once `capacity` are kept). Another factorization, or
    /// other sizes, first forget the kept ones.
    mutating func record(drivers step: [Double], solution: [Double], factorization generation: Int) {
        if generation != factorization || (count > 0 && (step.count != driverCount || solution.count != length)) {
            reset(factorization: generation)
        }
        if count == 0 {
            length = solution.count
            driverCount = step.count
        }
        if count < Self.capacity {
            bank.append(contentsOf: solution)
            driverBank.append(contentsOf: step)
            newest = count
            count += 1
        } else {
            newest = (newest + 1) % Self.capacity
            bank.replaceSubrange(newest * length ..< (newest + 1) * length, with: solution)
            driverBank.replaceSubrange(newest * driverCount ..< (newest + 1) * driverCount, with: step)
        }
    }

    /// Slots of the (at most `window`) kept solutions whose drivers are nearest `target`
    /// (squared Euclidean distance), nearest first; equal distances: the newer first. A fixed
    /// order, so the choice is deterministic.
    func nearest(to target: [Double]) -> [Int] {
        precondition(target.count == driverCount && driverBank.count == count * driverCount, "predictor driver sizes")
        var chosen: [StepNeighbour] = []
        chosen.reserveCapacity(Self.window + 1)
        driverBank.withUnsafeBufferPointer { rows in
            target.withUnsafeBufferPointer { x in
                func consider(_ slot: Int, _ distance: Double) {
                    // Steps since it was solved: (newest − slot) mod count, without a division per slot.
                    let age = slot <= newest ? newest - slot : newest - slot + count
                    let candidate = StepNeighbour(distance: distance, age: age, slot: slot)
                    if chosen.count == Self.window, let last = chosen.last, !candidate.precedes(last) { return }
                    let position = chosen.firstIndex { candidate.precedes($0) } ?? chosen.count
                    chosen.insert(candidate, at: position)
                    if chosen.count > Self.window { chosen.removeLast() }
                }
                // Four slots side by side, each one's squares summed in driver order (the same sums
                // as slot by slot, four chains of additions in flight instead of one).
                var slot = 0
                while slot + 4 <= count {
                    var distance = SIMD4<Double>()
                    for j in 0..<driverCount {
                        let row = SIMD4<Double>(rows[slot * driverCount + j], rows[(slot + 1) * driverCount + j],
                                                rows[(slot + 2) * driverCount + j], rows[(slot + 3) * driverCount + j])
                        let d = row - SIMD4<Double>(repeating: x[j])
                        distance += d * d
                    }
                    for l in 0..<4 { consider(slot + l, distance[l]) }
                    slot += 4
                }
                while slot < count {
                    var distance = 0.0
                    for j in 0..<driverCount {
                        let d = rows[slot * driverCount + j] - x[j]
                        distance += d * d
                    }
                    consider(slot, distance)
                    slot += 1
                }
            }
        }
        return chosen.map(\.slot)
    }

    /// The fit for `target`: the nearest kept solution (the reference) and the weights c_i of the
    /// other chosen solutions' differences from it whose driver differences best match `target`
    /// − the reference's drivers; nil when nothing can be predicted (fewer than two solutions,
    /// other driver sizes, the newest solution's own drivers, or a singular fit).
    func fit(for target: [Double]) -> StepFit? {
        guard count >= 2, target.count == driverCount else { return nil }
        let chosen = nearest(to: target)
        guard let reference = chosen.first else { return nil }
        let others = Array(chosen.dropFirst())
        let k = others.count
        let d = driverCount
        func driver(_ slot: Int, _ j: Int) -> Double { driverBank[slot * d + j] }
        let change = (0..<d).map { target[$0] - driver(reference, $0) }
        // The newest solution's own drivers: it is the start as it stands.
        guard change.contains(where: { $0 != 0 }) || reference != newest else { return nil }
        // Normal equations of min ‖D c − change‖² + λ‖c‖², D's columns the other chosen steps'
        // driver differences from the reference.
        let columns = others.map { slot in (0..<d).map { driver(slot, $0) - driver(reference, $0) } }
        var gram = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for p in 0..<k {
            for q in 0...p {
                var s = 0.0
                for j in 0..<d { s += columns[p][j] * columns[q][j] }
                gram[p * k + q] = s
                gram[q * k + p] = s
            }
            var s = 0.0
            for j in 0..<d { s += columns[p][j] * change[j] }
            rhs[p] = s
        }
        var trace = 0.0
        for p in 0..<k { trace += gram[p * k + p] }
        guard trace > 0 else { return nil }
        for p in 0..<k { gram[p * k + p] += Self.ridge * trace / Double(k) }
        guard let c = AndersonHistory.solveDense(&gram, &rhs, k) else { return nil }
        return StepFit(reference: reference, others: others, weights: c)
    }

    /// The predicted load-node voltages at `target` (interleaved), or nil (see `fit`; also when
    /// the prediction lies more than twice as far from the reference as any solution it combines,
    /// in Euclidean distance over the load nodes: an extrapolation the fit does not support).
    func prediction(for target: [Double]) -> [Double]? {
        guard let fit = fit(for: target) else { return nil }
        let n = length
        var next = [Double](repeating: 0, count: n)
        var largestSpread = 0.0, moved = 0.0
        bank.withUnsafeBufferPointer { kept in
            fit.others.withUnsafeBufferPointer { others in
                fit.weights.withUnsafeBufferPointer { weights in
                    next.withUnsafeMutableBufferPointer { x in
                        precondition(others.count == weights.count && kept.count == count * n && x.count == n
                                     && (others + [fit.reference]).allSatisfy { $0 >= 0 && $0 < count },
                                     "predictor bank sizes")
                        guard let base = kept.baseAddress, let out = x.baseAddress else { return }
                        // Squared distance of each combined solution from the reference, in lanes.
                        withUnsafeTemporaryAllocation(of: SIMD8<Double>.self, capacity: Swift.max(1, others.count)) { spread in
                            spread.initialize(repeating: SIMD8<Double>())
                            let movedLanes = Self.combine(base, reference: fit.reference, others: others, weights: weights,
                                                          length: n, into: out, spread: spread)
                            moved = movedLanes.sum()
                            for p in spread.indices { largestSpread = Swift.max(largestSpread, spread[p].sum()) }
                        }
                    }
                }
            }
        }
        // A non-finite prediction makes `moved` non-finite (a sum of squares).
        guard moved.isFinite, moved <= 4 * largestSpread else { return nil }
        return next
    }

    /// `out` = reference + Σ_p weights[p] (solution others[p] − reference), the solutions read from
    /// `base` (`length` doubles per slot); sets `spread[p]` to the squares of each difference and
    /// returns the squares of `out` − reference, in lanes. Four solutions at a time, each read once
    /// as its own stream (four streams in flight use the memory better than one, and `out` is read
    /// and written a quarter as often); per component the terms are still added in the order of
    /// `others`, so the sums are the same as one solution after the other.
    @inline(__always)
    static func combine(_ base: UnsafePointer<Double>, reference slot: Int, others: UnsafeBufferPointer<Int>,
                        weights: UnsafeBufferPointer<Double>, length n: Int, into out: UnsafeMutablePointer<Double>,
                        spread: UnsafeMutableBufferPointer<SIMD8<Double>>) -> SIMD8<Double> {
        precondition(weights.count == others.count && spread.count >= others.count, "predictor combine sizes")
        let reference = base + slot * n
        let whole = n - n % 8
        out.update(from: reference, count: n)
        var p = 0
        while p < others.count {
            let group = Swift.min(4, others.count - p)
            // Absent members of a short group read the reference with weight 0 (never stored).
            func member(_ m: Int) -> (UnsafePointer<Double>, Double) {
                m < group ? (base + others[p + m] * n, weights[p + m]) : (reference, 0)
            }
            let (s0, w0) = member(0), (s1, w1) = member(1), (s2, w2) = member(2), (s3, w3) = member(3)
            var q0 = SIMD8<Double>(), q1 = q0, q2 = q0, q3 = q0
            var t = 0
            while t < whole {
                let r = lanes(reference + t)
                var o = lanes(out + t)
                let d0 = lanes(s0 + t) - r
                o = o + w0 * d0
                q0 += d0 * d0
                if group > 1 { let d1 = lanes(s1 + t) - r; o = o + w1 * d1; q1 += d1 * d1 }
                if group > 2 { let d2 = lanes(s2 + t) - r; o = o + w2 * d2; q2 += d2 * d2 }
                if group > 3 { let d3 = lanes(s3 + t) - r; o = o + w3 * d3; q3 += d3 * d3 }
                store(o, out + t)
                t += 8
            }
            while t < n {
                let r = reference[t]
                let d0 = s0[t] - r
                out[t] += w0 * d0
                q0[0] += d0 * d0
                if group > 1 { let d1 = s1[t] - r; out[t] += w1 * d1; q1[0] += d1 * d1 }
                if group > 2 { let d2 = s2[t] - r; out[t] += w2 * d2; q2[0] += d2 * d2 }
                if group > 3 { let d3 = s3[t] - r; out[t] += w3 * d3; q3[0] += d3 * d3 }
                t += 1
            }
            spread[p] = q0
            if group > 1 { spread[p + 1] = q1 }
            if group > 2 { spread[p + 2] = q2 }
            if group > 3 { spread[p + 3] = q3 }
            p += group
        }
        var moved = SIMD8<Double>()
        var t = 0
        while t < whole {
            let m = lanes(out + t) - lanes(reference + t)
            moved += m * m
            t += 8
        }
        while t < n {
            moved[0] += (out[t] - reference[t]) * (out[t] - reference[t])
            t += 1
        }
        return moved
    }

    @inline(__always)
    private static func lanes(_ pointer: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inline(__always)
    private static func store(_ value: SIMD8<Double>, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Double>.self)
    }
}

/// One kept solution as a candidate of `StepPredictor.nearest`.
struct StepNeighbour {
    var distance: Double
    /// Steps since it was solved (0: the newest).
    var age: Int
    var slot: Int

    /// Nearer, or as near and newer (a NaN distance never precedes).
    func precedes(_ other: StepNeighbour) -> Bool {
        distance < other.distance || (distance == other.distance && age < other.age)
    }
}

/// A step prediction's fit: the reference slot, the other combined slots and their weights.
struct StepFit {
    var reference: Int
    var others: [Int]
    var weights: [Double]
}

extension PowerFlowSolver {
    /// Moves the load-node voltages to the predicted start of this step's iteration (a time
    /// step's first control round, full iteration only, at the Y its kept solutions were solved
    /// with); returns whether it did (no pending prediction, too few kept solutions or a refused fit:
    /// the voltages stay as they are).
    @discardableResult
    func startFromPrediction() -> Bool {
        // Taken out of the optional while in use, so its arrays are changed in place (no copy).
        guard var predictor = stepPredictor.take() else { return false }
        defer { stepPredictor = predictor }
        guard let target = predictor.pendingDrivers else { return false }
        materializeVoltages()
        if branchTable == nil { branchTable = BranchTable(network) }
        guard let table = branchTable else { return false }
        if predictor.factorization != factorizationCount { predictor.reset(factorization: factorizationCount) }
        guard predictor.count >= 2 else { return false }
        guard let next = predictor.prediction(for: target) else {
            stepPredictionCounts.fellBack += 1
            return false
        }
        stepPredictionCounts.predicted += 1
        precondition(next.count == 2 * table.loadNodes.count, "predicted load-node buffer size")
        table.loadNodes.withUnsafeBufferPointer { nodes in
            next.withUnsafeBufferPointer { x in
                voltageStorage.withUnsafeMutableBufferPointer { v in
                    for t in nodes.indices {
                        let node = Int(nodes[t])
                        precondition(node >= 0 && node < v.count, "load node out of range")
                        v[node] = CDouble(x[2 * t], x[2 * t + 1])
                    }
                }
            }
        }
        return true
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
