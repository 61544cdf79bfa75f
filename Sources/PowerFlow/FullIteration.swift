// Owns the full-network form of OpenDSS's fixed-point iteration (every node solved each iteration
// with the KLU factors) and its Anderson acceleration. The iteration is OpenDSS's: loads inject
// compensation currents computed from the present voltages, one triangular solve gives the next
// voltages. On heavily loaded feeders that map contracts slowly (IEEE 8500: about 40 iterations to
// 1e-10 per control round), so the next iterate is the Anderson combination of the last few (Walker
// & Ni's type II on the load-node voltages, the only ones the injections depend on). The fixed
// point and the stopping rule are OpenDSS's: stop when one more plain iteration from the present
// point changes no node's voltage magnitude by more than the tolerance; the voltages returned are
// that plain iteration's result. The history (differences of residuals and map values, which stand
// for the map's Jacobian) is kept from one solve to the next while Y is unchanged, so a time step
// starts with a secant model of the network from the last one. The reduced iteration
// (ReducedIteration.swift) is never accelerated: its results, and the traces made with it, stay
// bit-for-bit as they were.
import ComplexModule
import Kernel

/// Flattened conversion branches: what the injection loop reads, without per-element copies.
struct BranchTable {
    /// Conversion element of each branch, and the branch's node pair (−1 = ground).
    var element: [Int32] = []
    var nodeA: [Int32] = []
    var nodeB: [Int32] = []
    /// Elements with a neutral shunt, and the neutral node.
    var neutralElement: [Int32] = []
    var neutralNode: [Int32] = []
    /// Distinct non-ground nodes of conversion branches (the nodes the injections depend on).
    var loadNodes: [Int32] = []

    init() {}

    init(_ network: Network) {
        var seen = [Bool](repeating: false, count: network.nodeCount)
        for (k, e) in network.conversion.enumerated() {
            for (a, b) in e.branches {
                element.append(Int32(k)); nodeA.append(Int32(a)); nodeB.append(Int32(b))
                for node in [a, b] where node >= 0 && !seen[node] { seen[node] = true; loadNodes.append(Int32(node)) }
            }
            if e.neutralShunt != .zero, let n = e.conductorNodes.last, n >= 0 {
                neutralElement.append(Int32(k)); neutralNode.append(Int32(n))
            }
        }
    }
}

/// Anderson acceleration's memory (Walker & Ni type II, normal equations on a Jacobi-scaled Gram
/// matrix); dropped when Y changes. Everything runs in a fixed order: results are deterministic.
struct AndersonHistory: Codable {
    /// Most differences of residuals and of map values kept (the method's depth).
    static let depth = 5
    var length: Int
    /// Columns ΔF_j = f_{j+1} − f_j and ΔG_j = g_{j+1} − g_j, oldest first.
    var deltaResidual: [[Double]] = []
    var deltaValue: [[Double]] = []
    var previousResidual: [Double]
    var previousValue: [Double]
    var previousNorm = Double.infinity
    var hasPrevious = false

    init(length: Int) {
        self.length = length
        previousResidual = [Double](repeating: 0, count: length)
        previousValue = previousResidual
    }

    /// Inner products of the ΔF columns (kept up to date as columns come and go).
    var gram: [[Double]] = []

    mutating func reset() {
        deltaResidual.removeAll(keepingCapacity: true)
        deltaValue.removeAll(keepingCapacity: true)
        gram.removeAll(keepingCapacity: true)
        hasPrevious = false
        previousNorm = .infinity
    }

    /// Next iterate from the map value `g` = G(x) and residual `f` = G(x) − x (written into `next`).
    mutating func step(value g: [Double], residual f: [Double], next: inout [Double]) {
        var norm = 0.0
        for v in f { norm += v * v }
        // A step that made the residual much larger than the last one: forget the history.
        if hasPrevious && !(norm <= 4 * previousNorm) { reset() }
        if hasPrevious {
            if deltaResidual.count == Self.depth {
                deltaResidual.removeFirst()
                deltaValue.removeFirst()
                gram.removeFirst()
                for r in gram.indices { gram[r].removeFirst() }
            }
            var df = [Double](repeating: 0, count: length), dg = df
            for i in 0..<length { df[i] = f[i] - previousResidual[i]; dg[i] = g[i] - previousValue[i] }
            var row = deltaResidual.map { Self.dot($0, df, length) }
            row.append(Self.dot(df, df, length))
            for r in gram.indices { gram[r].append(row[r]) }
            gram.append(row)
            deltaResidual.append(df)
            deltaValue.append(dg)
        }
        for i in 0..<length { previousResidual[i] = f[i]; previousValue[i] = g[i]; next[i] = g[i] }
        previousNorm = norm
        hasPrevious = true
        guard let gamma = leastSquares(f) else { return }
        for (j, c) in gamma.enumerated() where c != 0 {
            deltaValue[j].withUnsafeBufferPointer { dg in
                for i in 0..<length { next[i] -= c * dg[i] }
            }
        }
    }

    static func dot(_ a: [Double], _ b: [Double], _ length: Int) -> Double {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var s = 0.0
                for i in 0..<length { s += x[i] * y[i] }
                return s
            }
        }
    }

    /// γ minimising ‖f − ΔF·γ‖ by the normal equations, Jacobi-scaled; nil when there is no history
    /// or the system is numerically singular.
    func leastSquares(_ f: [Double]) -> [Double]? {
        let k = deltaResidual.count
        guard k > 0 else { return nil }
        var a = [Double](repeating: 0, count: k * k)
        var b = deltaResidual.map { Self.dot($0, f, length) }
        var scale = [Double](repeating: 1, count: k)
        for p in 0..<k {
            guard gram[p][p] > 0 else { return nil }
            scale[p] = 1 / gram[p][p].squareRoot()
        }
        for p in 0..<k {
            b[p] *= scale[p]
            for q in 0..<k { a[p * k + q] = gram[p][q] * scale[p] * scale[q] }
            a[p * k + p] += 1e-12
        }
        guard let y = Self.solveDense(&a, &b, k) else { return nil }
        return (0..<k).map { y[$0] * scale[$0] }
    }

    /// Gaussian elimination with partial pivoting on a small k×k system (row-major).
    static func solveDense(_ a: inout [Double], _ b: inout [Double], _ k: Int) -> [Double]? {
        for c in 0..<k {
            var pivot = c
            for r in (c + 1)..<max(c + 1, k) where abs(a[r * k + c]) > abs(a[pivot * k + c]) { pivot = r }
            guard abs(a[pivot * k + c]) > 1e-14 else { return nil }
            if pivot != c {
                for j in 0..<k { a.swapAt(c * k + j, pivot * k + j) }
                b.swapAt(c, pivot)
            }
            for r in (c + 1)..<max(c + 1, k) {
                let factor = a[r * k + c] / a[c * k + c]
                if factor == 0 { continue }
                for j in c..<k { a[r * k + j] -= factor * a[c * k + j] }
                b[r] -= factor * b[c]
            }
        }
        var x = [Double](repeating: 0, count: k)
        var r = k - 1
        while r >= 0 {
            var s = b[r]
            for j in (r + 1)..<max(r + 1, k) { s -= a[r * k + j] * x[j] }
            x[r] = s / a[r * k + r]
            guard x[r].isFinite else { return nil }
            r -= 1
        }
        return x
    }
}

extension PowerFlowSolver {
    /// OpenDSS's fixed-point iteration at fixed controls over every node, Anderson-accelerated when
    /// `settings.acceleration` is on; returns (converged, iterations, last change).
    ///
    /// `earlyDecision`, when given, is asked after each iteration (from `minIterations` on, with the
    /// iteration's max change) whether the control round can end here (PowerFlowSolver+EarlyDecision.swift);
    /// while it may be asked, the voltages before each iteration are kept in `previousVoltages`.
    func iterate(log: inout EventLog, earlyDecision: ((Double) -> Bool)? = nil) -> (Bool, Int, Double) {
        materializeVoltages()
        if branchTable == nil { branchTable = BranchTable(network) }
        guard let table = branchTable else { return (false, 0, .infinity) }
        let p = table.loadNodes.count
        // The history carries over from the last solve while Y is unchanged (the map's Jacobian
        // barely moves between time steps); its last point belongs to the old loads, so it is dropped.
        var history = carriedHistory.flatMap { $0.length == (settings.acceleration ? 2 * p : 0) ? $0 : nil }
            ?? AndersonHistory(length: settings.acceleration ? 2 * p : 0)
        history.hasPrevious = false
        defer { carriedHistory = history }
        var present = [Double](repeating: 0, count: 2 * p), value = present, residual = present, next = present
        var magnitudes = voltageStorage.map { ($0.real * $0.real + $0.imaginary * $0.imaginary).squareRoot() }
        var iteration = 0
        var maxChange = Double.infinity
        var converged = false
        repeat {
            iteration += 1
            for (t, node) in table.loadNodes.enumerated() {
                present[2 * t] = voltageStorage[Int(node)].real
                present[2 * t + 1] = voltageStorage[Int(node)].imaginary
            }
            injectCompensationCurrents(table)
            factorization.solve(&rhs)
            if earlyDecision != nil && maxChange <= Self.earlyDecisionTrackingChange { previousVoltages = voltageStorage }
            let (change, finite) = acceptSolution(magnitudes: &magnitudes)
            maxChange = change
            recordIteration(iteration, maxChange: maxChange, log: &log)
            if !finite { return (false, iteration, .infinity) }
            converged = maxChange <= settings.tolerance && iteration >= settings.minIterations
            if !converged, iteration >= settings.minIterations, let decide = earlyDecision, decide(maxChange) {
                return (true, iteration, maxChange)
            }
            guard !converged, iteration < settings.maxIterations, settings.acceleration else { continue }
            // The next point: Anderson's combination of the last map values G(x) at the load nodes.
            for (t, node) in table.loadNodes.enumerated() {
                let v = voltageStorage[Int(node)]
                value[2 * t] = v.real
                value[2 * t + 1] = v.imaginary
                residual[2 * t] = v.real - present[2 * t]
                residual[2 * t + 1] = v.imaginary - present[2 * t + 1]
            }
            history.step(value: value, residual: residual, next: &next)
            for (t, node) in table.loadNodes.enumerated() {
                let (re, im) = (next[2 * t], next[2 * t + 1])
                voltageStorage[Int(node)] = CDouble(re, im)
                magnitudes[Int(node)] = (re * re + im * im).squareRoot()
            }
        } while !converged && iteration < settings.maxIterations
        return (converged, iteration, maxChange)
    }

    /// Right-hand side of one iteration: source currents plus every conversion branch's
    /// compensation current (Yeq·V − I(V)) and the neutral shunts' Y·V, from `voltageStorage`.
    func injectCompensationCurrents(_ table: BranchTable) {
        loadSourceCurrents()
        parameters.withUnsafeBufferPointer { conversion in
            states.withUnsafeBufferPointer { states in
                voltageStorage.withUnsafeBufferPointer { v in
                    rhs.withUnsafeMutableBufferPointer { r in
                        for t in table.element.indices {
                            let k = Int(table.element[t]), a = Int(table.nodeA[t]), b = Int(table.nodeB[t])
                            let va = a >= 0 ? v[a] : .zero
                            let vb = b >= 0 ? v[b] : .zero
                            let u = va - vb
                            let d = conversion[k].yBranch * u - branchCurrent(conversion[k], states[k], u)
                            if a >= 0 { r[2 * a] += d.real; r[2 * a + 1] += d.imaginary }
                            if b >= 0 { r[2 * b] -= d.real; r[2 * b + 1] -= d.imaginary }
                        }
                        // The neutral shunt is in Y only for conditioning: OpenDSS injects Yprim·V back.
                        for t in table.neutralElement.indices {
                            let n = Int(table.neutralNode[t])
                            let d = conversion[Int(table.neutralElement[t])].neutralShunt * v[n]
                            r[2 * n] += d.real; r[2 * n + 1] += d.imaginary
                        }
                    }
                }
            }
        }
    }

    /// Takes the solved `rhs` as the new node voltages; returns the largest per-unit magnitude
    /// change against the previous ones (OpenDSS's measure; `magnitudes` holds the previous
    /// magnitudes on entry and the new ones on exit) and whether every value is finite.
    func acceptSolution(magnitudes: inout [Double]) -> (Double, Bool) {
        var maxChange = 0.0
        var finite = true
        let n = network.nodeCount
        rhs.withUnsafeBufferPointer { x in
            nodeBaseVolts.withUnsafeBufferPointer { base in
                magnitudes.withUnsafeMutableBufferPointer { old in
                    voltageStorage.withUnsafeMutableBufferPointer { v in
                        for i in 0..<n {
                            let re = x[2 * i], im = x[2 * i + 1]
                            let newMag = (re * re + im * im).squareRoot()
                            let change = Self.changePerUnit(new: newMag, old: old[i], base: base[i])
                            if change > maxChange { maxChange = change }
                            if !newMag.isFinite { finite = false }
                            old[i] = newMag
                            v[i] = CDouble(re, im)
                        }
                    }
                }
            }
        }
        return (maxChange, finite)
    }
}
