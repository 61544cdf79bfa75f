// Owns the full-network form of OpenDSS's fixed-point iteration (every node solved each iteration
// with the KLU factors) and its Anderson acceleration. The iteration is OpenDSS's: loads inject
// compensation currents computed from the present voltages, one triangular solve gives the next
// voltages. On heavily loaded feeders that map contracts slowly (IEEE 8500: about 40 iterations to
// 1e-10 per control round), so the next iterate is the Anderson combination of the last few (Walker
// & Ni's type II on the load-node voltages, the only ones the injections depend on; with
// `SolveSettings.accelerateEveryNode` the same combination also moves every other node, so that
// the next iteration's change there measures the combination's error, not the last plain
// iteration's). The fixed
// point and the stopping rule are OpenDSS's: stop when one more plain iteration from the present
// point changes no node's voltage magnitude by more than the tolerance; the voltages returned are
// that plain iteration's result. The history (differences of residuals and map values, which stand
// for the map's Jacobian) is kept from one solve to the next while Y is unchanged, so a time step
// starts with a secant model of the network from the last one. The reduced iteration
// (ReducedIteration.swift) is never accelerated: its results, and the traces made with it, stay
// bit-for-bit as they were. The inner loops run on raw buffers over packed per-branch values
// (`HotBranch`) and CVR loads take the tabled-power fast path in SIMD lanes
// (Elements/Load+Current.swift). The right-hand side is built in the factors' pivot order, so the
// solve skips KLU's permutations (SparseLU.swift, `solveInPivotOrder`); every fast kernel performs
// the same floating-point operations in the same order as the plain one, so the results are
// bit-identical to klu_z_solve and the scalar loops (FullIterationKernelTests) — unless
// `SolveSettings.pivotReciprocals` asks the back substitution to multiply by the pivots'
// reciprocals (within about an ulp of KLU's quotients; off in the co-simulation).
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
    /// Every other node, ascending (their voltages follow linearly from the load nodes' injections).
    var otherNodes: [Int32] = []
    /// The factors' pivot positions (`refreshPivots`): of each node's equation (row) and solution
    /// (column), and of the neutral shunts' nodes; the generation of the factors they belong to.
    var pivotOfRow: [Int32] = []
    var pivotOfColumn: [Int32] = []
    var neutralPivot: [Int32] = []
    var pivotGeneration = -1

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
        otherNodes = (0..<network.nodeCount).filter { !seen[$0] }.map { Int32($0) }
        for t in element.indices {
            let e = network.conversion[Int(element[t])]
            let cvr = e.kind == .load && e.loadModel == 4
            cvrBranch.append(cvr ? 1 : 0)
            // Constant PQ in the band: every non-load kind, and load model 1 (`branchCurrent`'s default).
            constantPowerBranch.append(e.kind != .load || !(2...8).contains(e.loadModel) ? 1 : 0)
            let (lower, upper) = (e.voltageMinPerUnit, e.voltageMaxPerUnit)
            wattsTable.append(cvr ? powers.index(exponent: e.cvrWatts, lower: lower, upper: upper) : -1)
            varsTable.append(cvr ? powers.index(exponent: e.cvrVars, lower: lower, upper: upper) : -1)
        }
    }

    /// Per branch: 1 for a CVR load (model 4, `cvrCurrentFast`), 0 for `branchCurrent`; the
    /// branch's tables for its two exponents in `powers` (−1: none).
    var cvrBranch: [UInt8] = []
    /// Per branch: 1 when its in-band current is constant power (`HotBranch.constantPowerCurrent`).
    var constantPowerBranch: [UInt8] = []
    var wattsTable: [Int32] = []
    var varsTable: [Int32] = []
    var powers = PowerTables()
    /// The branches as the injection loop reads them (see `refreshHotBranches`).
    var hot: [HotBranch] = []

    /// Puts the right-hand side's entries where the present factors want them (pivot order); a
    /// no-op while the factors keep their pivots (a refactorization does). Call after
    /// `refreshHotBranches`. Without factors the positions stay empty (the iteration needs factors).
    mutating func refreshPivots(_ factorization: KLUFactorization) {
        guard pivotGeneration != factorization.pivotGeneration else { return }
        guard let order = factorization.pivotOrder() else {
            pivotGeneration = -1
            pivotOfRow = []
            pivotOfColumn = []
            return
        }
        let rows = order.pivotOfRow
        func pivot(_ node: Int32) -> Int32 { node >= 0 ? rows[Int(node)] : -1 }
        pivotOfRow = rows
        pivotOfColumn = order.pivotOfColumn
        neutralPivot = neutralNode.map(pivot)
        for t in hot.indices {
            hot[t].pivotA = pivot(hot[t].nodeA)
            hot[t].pivotB = pivot(hot[t].nodeB)
        }
        pivotGeneration = order.generation
    }

    /// Packs the present parameters and states of every branch into `hot`.
    mutating func refreshHotBranches(_ parameters: [ConversionParameters], _ states: [ConversionState]) {
        let count = element.count
        precondition(nodeA.count == count && nodeB.count == count && cvrBranch.count == count
                     && constantPowerBranch.count == count
                     && wattsTable.count == count && varsTable.count == count, "branch table sizes")
        if hot.count != count { hot = [] }
        parameters.withUnsafeBufferPointer { e in
            states.withUnsafeBufferPointer { s in
                if hot.isEmpty {
                    // Fresh branches carry no pivot positions yet.
                    pivotGeneration = -1
                    for t in 0..<count {
                        let k = Int(element[t])
                        hot.append(HotBranch(element: k, nodeA: nodeA[t], nodeB: nodeB[t], isCVR: cvrBranch[t] != 0,
                                             isConstantPower: constantPowerBranch[t] != 0, wattsTable: wattsTable[t], varsTable: varsTable[t], e[k], s[k]))
                    }
                    for t in hot.indices.dropLast() where hot[t].isTabledCubicCVR && hot[t + 1].isTabledCubicCVR
                        && hot[t].wattsTable == hot[t + 1].wattsTable {
                        hot[t].pairsWithNext = 1
                    }
                    return
                }
                hot.withUnsafeMutableBufferPointer { h in
                    for t in 0..<count {
                        let k = Int(h[t].element)
                        precondition(k >= 0 && k < e.count && k < s.count, "branch element out of range")
                        h[t].watts = s[k].watts
                        h[t].vars = s[k].vars
                        h[t].yeqImaginary = s[k].yeq.imaginary
                        h[t].bandLower = Swift.max(s[k].vBaseLow, s[k].vBase95)
                        h[t].vBase105 = s[k].vBase105
                    }
                }
            }
        }
    }
}

/// Anderson acceleration's memory (Walker & Ni type II, normal equations on a Jacobi-scaled Gram
/// matrix); dropped when Y changes. Everything runs in a fixed order: results are deterministic.
///
/// The residuals f = G(x) − x are over the load nodes (`length` values); the map values g may run
/// on over the other nodes (`valueLength` values, the load nodes first): the combination then moves
/// every node, not only the load nodes (`SolveSettings.accelerateEveryNode`).
struct AndersonHistory: Codable {
    /// Most differences of residuals and of map values kept (the method's depth).
    static let depth = 5
    var length: Int
    /// Values per map value g (and per ΔG column): `length`, or more when every node moves.
    var valueLength: Int { previousValue.count }
    /// Columns ΔF_j = f_{j+1} − f_j (`length` values) and ΔG_j = g_{j+1} − g_j (`valueLength`), oldest first.
    var deltaResidual: [[Double]] = []
    var deltaValue: [[Double]] = []
    var previousResidual: [Double]
    var previousValue: [Double]
    var previousNorm = Double.infinity
    var hasPrevious = false

    init(length: Int, valueLength: Int? = nil) {
        precondition((valueLength ?? length) >= length, "Anderson value length")
        self.length = length
        previousResidual = [Double](repeating: 0, count: length)
        previousValue = [Double](repeating: 0, count: valueLength ?? length)
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

    /// Next iterate from the map value `g` = G(x) and residual `f` = G(x) − x (written into `next`),
    /// with `squaredNorm` = ‖f‖² summed in index order (`gatherResidual` sums it in its pass).
    /// `g` and `f` are kept as the previous point by swapping storage: on return they hold
    /// scratch values of the same size, which the caller overwrites before the next step.
    mutating func step(value g: inout [Double], residual f: inout [Double], squaredNorm norm: Double, next: inout [Double]) {
        // A step that made the residual much larger than the last one: forget the history.
        if hasPrevious && !(norm <= 4 * previousNorm) { reset() }
        // b_j = ΔF_j·f, the normal equations' right-hand side, computed with the Gram row.
        let b = hasPrevious ? appendDifferences(value: g, residual: f) : dotsWithColumns(f)
        let values = valueLength
        precondition(next.count == values && g.count == values && f.count == length, "Anderson vector sizes")
        swap(&previousResidual, &f)
        swap(&previousValue, &g)
        previousNorm = norm
        hasPrevious = true
        // next = g − Σ γ_j ΔG_j in one pass (per entry the same operations in the same order as
        // one pass per column); a γ_j of exactly 0 is skipped.
        let gamma = leastSquares(rightHandSide: b) ?? []
        var used = SIMD8<Double>(), count = 0, columnIndex = SIMD8<Int>()
        for j in gamma.indices where gamma[j] != 0 {
            used[count] = gamma[j]
            columnIndex[count] = j
            count += 1
        }
        Self.withColumns(deltaValue, columnIndex, count, fallback: previousValue) { c0, c1, c2, c3, c4 in
            previousValue.withUnsafeBufferPointer { gp in
                next.withUnsafeMutableBufferPointer { x in
                    guard let g = gp.baseAddress, let out = x.baseAddress else { return }
                    let columns = (c0, c1, c2, c3, c4)
                    // Four entries per pass, each entry's terms subtracted in column order (the
                    // same operations as entry by entry); `k` is a constant in each case below, so
                    // the tests on it leave the loop.
                    @inline(__always) func combine(_ k: Int) {
                        @inline(__always) func entries(_ i: Int) -> SIMD4<Double> {
                            var value = SIMD4<Double>(g[i], g[i + 1], g[i + 2], g[i + 3])
                            @inline(__always) func minus(_ weight: Double, _ c: UnsafePointer<Double>) {
                                value -= weight * SIMD4<Double>(c[i], c[i + 1], c[i + 2], c[i + 3])
                            }
                            if k > 0 { minus(used[0], columns.0) }
                            if k > 1 { minus(used[1], columns.1) }
                            if k > 2 { minus(used[2], columns.2) }
                            if k > 3 { minus(used[3], columns.3) }
                            if k > 4 { minus(used[4], columns.4) }
                            return value
                        }
                        var i = 0
                        while i + 4 <= values {
                            let value = entries(i)
                            out[i] = value[0]; out[i + 1] = value[1]; out[i + 2] = value[2]; out[i + 3] = value[3]
                            i += 4
                        }
                        while i < values {
                            var value = g[i]
                            if k > 0 { value -= used[0] * columns.0[i] }
                            if k > 1 { value -= used[1] * columns.1[i] }
                            if k > 2 { value -= used[2] * columns.2[i] }
                            if k > 3 { value -= used[3] * columns.3[i] }
                            if k > 4 { value -= used[4] * columns.4[i] }
                            out[i] = value
                            i += 1
                        }
                    }
                    switch count {
                    case 0: combine(0)
                    case 1: combine(1)
                    case 2: combine(2)
                    case 3: combine(3)
                    case 4: combine(4)
                    default: combine(5)
                    }
                }
            }
        }
    }

    /// b_j = ΔF_j·f for every kept column, in one pass: each product summed in index order, as
    /// `dot` sums it (the same values), the columns' sums side by side instead of one after the other.
    private func dotsWithColumns(_ f: [Double]) -> [Double] {
        let kept = deltaResidual.count
        precondition(kept <= Self.depth && f.count == length, "Anderson columns")
        guard kept > 0 else { return [] }
        var first = SIMD4<Double>(), fifth = 0.0
        let indices = SIMD8<Int>(0, 1, 2, 3, 4, 0, 0, 0)
        // Absent columns read f (their sums are dropped).
        Self.withColumns(deltaResidual, indices, kept, fallback: f) { c0, c1, c2, c3, c4 in
            f.withUnsafeBufferPointer { x in
                for i in 0..<length {
                    let fi = x[i]
                    first += SIMD4<Double>(c0[i], c1[i], c2[i], c3[i]) * fi
                    fifth += c4[i] * fi
                }
            }
        }
        return (0..<kept).map { $0 < 4 ? first[$0] : fifth }
    }

    /// Runs `body` with the base addresses of `columns[indices[0]]` … `columns[indices[count − 1]]`
    /// (at most five), the rest filled with `fallback`'s; each valid for the call, every column at
    /// least `length` long. Nested buffer accesses: no allocation.
    static func withColumns(_ columns: [[Double]], _ indices: SIMD8<Int>, _ count: Int, fallback: [Double],
                            _ body: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>,
                                     UnsafePointer<Double>, UnsafePointer<Double>) -> Void) {
        precondition(count >= 0 && count <= 5 && (0..<count).allSatisfy { indices[$0] >= 0 && indices[$0] < columns.count },
                     "Anderson columns")
        func column(_ m: Int) -> [Double] { m < count ? columns[indices[m]] : fallback }
        column(0).withUnsafeBufferPointer { a in
        column(1).withUnsafeBufferPointer { b in
        column(2).withUnsafeBufferPointer { c in
        column(3).withUnsafeBufferPointer { d in
        column(4).withUnsafeBufferPointer { e in
            guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress, let d = d.baseAddress,
                  let e = e.baseAddress else { return }
            body(a, b, c, d, e)
        }}}}}
    }

    /// Appends the columns ΔF = f − f_prev and ΔG = g − g_prev (dropping the oldest at full depth,
    /// whose storage is reused: no allocation per iteration) and the new Gram row; returns
    /// b_j = ΔF_j·f for every column. One pass forms both differences and every dot product (each
    /// summed in index order, as `dot` sums it: the same values as one pass per product).
    private mutating func appendDifferences(value g: [Double], residual f: [Double]) -> [Double] {
        var df: [Double], dg: [Double]
        if deltaResidual.count == Self.depth {
            df = deltaResidual.removeFirst()
            dg = deltaValue.removeFirst()
            gram.removeFirst()
            for r in gram.indices { gram[r].removeFirst() }
        } else {
            df = [Double](repeating: 0, count: length)
            dg = [Double](repeating: 0, count: valueLength)
        }
        let values = valueLength
        precondition(df.count == length && dg.count == values && f.count == length && g.count == values
                     && previousResidual.count == length && values >= length, "Anderson column sizes")
        let kept = deltaResidual.count
        precondition(kept <= 4, "Anderson depth")
        var withDelta = SIMD4<Double>(), withResidual = SIMD4<Double>()
        var deltaDelta = 0.0, deltaWithResidual = 0.0
        let indices = SIMD8<Int>(0, 1, 2, 3, 0, 0, 0, 0)
        // Absent columns read f (their sums are dropped).
        Self.withColumns(deltaResidual, indices, kept, fallback: f) { c0, c1, c2, c3, _ in
            f.withUnsafeBufferPointer { x in
            previousResidual.withUnsafeBufferPointer { xp in
            g.withUnsafeBufferPointer { y in
            previousValue.withUnsafeBufferPointer { yp in
            df.withUnsafeMutableBufferPointer { dx in
            dg.withUnsafeMutableBufferPointer { dy in
                for i in 0..<length {
                    let fi = x[i]
                    let d = fi - xp[i]
                    dx[i] = d
                    dy[i] = y[i] - yp[i]
                    let column = SIMD4<Double>(c0[i], c1[i], c2[i], c3[i])
                    withDelta += column * d
                    withResidual += column * fi
                    deltaDelta += d * d
                    deltaWithResidual += d * fi
                }
                // The map values of the other nodes (when every node moves): differences only.
                for i in length..<values { dy[i] = y[i] - yp[i] }
            }}}}}}
        }
        var row: [Double] = [], b: [Double] = []
        row.reserveCapacity(Self.depth)
        b.reserveCapacity(Self.depth)
        for j in 0..<kept {
            row.append(withDelta[j])
            b.append(withResidual[j])
        }
        row.append(deltaDelta)
        b.append(deltaWithResidual)
        for r in gram.indices { gram[r].append(row[r]) }
        gram.append(row)
        deltaResidual.append(df)
        deltaValue.append(dg)
        return b
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

    /// γ minimising ‖f − ΔF·γ‖ by the normal equations, Jacobi-scaled, from b_j = ΔF_j·f; nil
    /// when there is no history or the system is numerically singular.
    func leastSquares(rightHandSide: [Double]) -> [Double]? {
        let k = deltaResidual.count
        guard k > 0, rightHandSide.count == k else { return nil }
        var a = [Double](repeating: 0, count: k * k)
        var b = rightHandSide
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
        // Taken out of the optional while the iteration runs, so its hot branch values can be
        // refreshed in place (no copy of the table).
        guard var table = branchTable.take() else { return (false, 0, .infinity) }
        defer { branchTable = table }
        let p = table.loadNodes.count
        // The history carries over from the last solve while Y is unchanged (the map's Jacobian
        // barely moves between time steps); its last point belongs to the old loads, so it is dropped.
        // With `accelerateEveryNode` the map values run on over the other nodes (after the load nodes).
        let valueCount = 2 * (p + (settings.accelerateEveryNode ? table.otherNodes.count : 0))
        let (residualLength, valueLength) = settings.acceleration ? (2 * p, valueCount) : (0, 0)
        var history = carriedHistory.flatMap { $0.length == residualLength && $0.valueLength == valueLength ? $0 : nil }
            ?? AndersonHistory(length: residualLength, valueLength: valueLength)
        carriedHistory = nil
        history.hasPrevious = false
        defer { carriedHistory = history }
        table.refreshHotBranches(parameters, states)
        table.refreshPivots(factorization)
        var present = [Double](repeating: 0, count: 2 * p), residual = present
        var value = [Double](repeating: 0, count: valueCount), next = value
        var magnitudes = voltageStorage.map { ($0.real * $0.real + $0.imaginary * $0.imaginary).squareRoot() }
        var iteration = 0
        var maxChange = Double.infinity
        var converged = false
        repeat {
            iteration += 1
            gatherLoadNodes(table, into: &present)
            injectCompensationCurrents(table)
            factorization.solveInPivotOrder(&rhs, pivotReciprocals: settings.pivotReciprocals)
            if earlyDecision != nil && maxChange <= Self.earlyDecisionTrackingChange { previousVoltages = voltageStorage }
            let (change, finite) = acceptSolution(table, magnitudes: &magnitudes)
            maxChange = change
            recordIteration(iteration, maxChange: maxChange, log: &log)
            if !finite { return (false, iteration, .infinity) }
            converged = maxChange <= settings.tolerance && iteration >= settings.minIterations
            if !converged, iteration >= settings.minIterations, let decide = earlyDecision, decide(maxChange) {
                return (true, iteration, maxChange)
            }
            guard !converged, iteration < settings.maxIterations, settings.acceleration else { continue }
            // The next point: Anderson's combination of the last map values G(x) at the load nodes
            // (and at every other node with `accelerateEveryNode`).
            let norm = gatherResidual(table, present: present, value: &value, residual: &residual)
            history.step(value: &value, residual: &residual, squaredNorm: norm, next: &next)
            scatterNodes(table, from: next, magnitudes: &magnitudes)
        } while !converged && iteration < settings.maxIterations
        return (converged, iteration, maxChange)
    }

    /// Copies the load nodes' voltages, interleaved (re, im), into `out` (2 × load nodes).
    func gatherLoadNodes(_ table: BranchTable, into out: inout [Double]) {
        precondition(out.count == 2 * table.loadNodes.count, "load-node buffer size")
        gather(table.loadNodes, into: &out, offset: 0)
    }

    /// Copies the voltages of `nodes`, interleaved (re, im), into `out` from `offset` on.
    private func gather(_ nodes: [Int32], into out: inout [Double], offset: Int) {
        precondition(offset >= 0 && out.count >= offset + 2 * nodes.count, "node buffer size")
        let n = voltageStorage.count
        nodes.withUnsafeBufferPointer { nodes in
            voltageStorage.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { x in
                    for t in nodes.indices {
                        let node = Int(nodes[t])
                        precondition(node >= 0 && node < n, "node out of range")
                        // Raw components: a non-finite voltage has already failed the iteration.
                        (x[offset + 2 * t], x[offset + 2 * t + 1]) = v[node].rawStorage
                    }
                }
            }
        }
    }

    /// Copies the load nodes' voltages G(x) into `value` and G(x) − `present` into `residual`
    /// (interleaved, 2 × load nodes) in one pass; returns ‖residual‖², summed in index order. When
    /// `value` is longer (every node accelerated), the other nodes' voltages follow in it
    /// (`BranchTable.otherNodes` order).
    func gatherResidual(_ table: BranchTable, present: [Double], value: inout [Double], residual: inout [Double]) -> Double {
        let count = 2 * table.loadNodes.count
        let everyNode = value.count != count
        precondition(present.count == count && residual.count == count
                     && (!everyNode || value.count == count + 2 * table.otherNodes.count), "iteration buffers")
        let n = voltageStorage.count
        var norm = 0.0
        table.loadNodes.withUnsafeBufferPointer { nodes in
            voltageStorage.withUnsafeBufferPointer { v in
                present.withUnsafeBufferPointer { x in
                    value.withUnsafeMutableBufferPointer { g in
                        residual.withUnsafeMutableBufferPointer { f in
                            for t in nodes.indices {
                                let node = Int(nodes[t])
                                precondition(node >= 0 && node < n, "load node out of range")
                                let (re, im) = v[node].rawStorage
                                g[2 * t] = re
                                g[2 * t + 1] = im
                                let fr = re - x[2 * t], fi = im - x[2 * t + 1]
                                f[2 * t] = fr
                                f[2 * t + 1] = fi
                                norm += fr * fr
                                norm += fi * fi
                            }
                        }
                    }
                }
            }
        }
        if everyNode { gather(table.otherNodes, into: &value, offset: count) }
        return norm
    }

    /// Puts the accelerated point `next` (interleaved: the load nodes, then, when it is longer, the
    /// other nodes) into the node voltages and their magnitudes.
    func scatterNodes(_ table: BranchTable, from next: [Double], magnitudes: inout [Double]) {
        let loadCount = table.loadNodes.count
        precondition(next.count == 2 * loadCount || next.count == 2 * (loadCount + table.otherNodes.count),
                     "accelerated point size")
        precondition(magnitudes.count == voltageStorage.count, "magnitude buffer size")
        let n = voltageStorage.count
        func scatter(_ nodes: UnsafeBufferPointer<Int32>, offset: Int) {
            next.withUnsafeBufferPointer { x in
                magnitudes.withUnsafeMutableBufferPointer { mags in
                    voltageStorage.withUnsafeMutableBufferPointer { v in
                        for t in nodes.indices {
                            let node = Int(nodes[t])
                            precondition(node >= 0 && node < n, "node out of range")
                            let (re, im) = (x[offset + 2 * t], x[offset + 2 * t + 1])
                            v[node] = CDouble(re, im)
                            mags[node] = (re * re + im * im).squareRoot()
                        }
                    }
                }
            }
        }
        table.loadNodes.withUnsafeBufferPointer { scatter($0, offset: 0) }
        if next.count > 2 * loadCount { table.otherNodes.withUnsafeBufferPointer { scatter($0, offset: 2 * loadCount) } }
    }

    /// Right-hand side of one iteration, in the factors' pivot order (`BranchTable.refreshPivots`):
    /// source currents plus every conversion branch's compensation current (Yeq·V − I(V)) and the
    /// neutral shunts' Y·V, from `voltageStorage`. Each entry sums the same terms in the same order
    /// as a node-ordered right-hand side, so after the solve the voltages are bit-identical to
    /// klu_z_solve's.
    func injectCompensationCurrents(_ table: BranchTable) {
        let n = voltageStorage.count
        precondition(rhs.count == 2 * n && table.pivotOfRow.count == n && table.pivotOfColumn.count == n,
                     "right-hand side size")
        parameters.withUnsafeBufferPointer { conversion in
            states.withUnsafeBufferPointer { states in
                voltageStorage.withUnsafeBufferPointer { v in
                    rhs.withUnsafeMutableBufferPointer { r in
                        for k in r.indices { r[k] = 0 }
                        for (node, current) in network.sourceCurrents {
                            let k = Int(table.pivotOfRow[node])
                            r[2 * k] += current.real
                            r[2 * k + 1] += current.imaginary
                        }
                        injectBranches(table, conversion, states, v, r)
                        // The neutral shunt is in Y only for conditioning: OpenDSS injects Yprim·V back.
                        for t in table.neutralElement.indices {
                            let node = Int(table.neutralNode[t]), k = Int(table.neutralPivot[t])
                            precondition(node >= 0 && node < n && k >= 0 && k < n, "neutral node out of range")
                            let element = Int(table.neutralElement[t])
                            precondition(element >= 0 && element < conversion.count, "neutral element out of range")
                            // The one field read in place (not a copy of the whole record).
                            let d = (conversion.baseAddress.unsafelyUnwrapped + element).pointee.neutralShunt * v[node]
                            r[2 * k] += d.real; r[2 * k + 1] += d.imaginary
                        }
                    }
                }
            }
        }
    }

    /// Every conversion branch's compensation current Yeq·V − I(V) into `r` (pivot order). Two
    /// passes: each branch's current into a scratch buffer (runs of four or two tabled CVR loads
    /// side by side in SIMD lanes, `HotBranch.cvrLaneInjections`), then the currents added in branch order, so
    /// every entry of `r` sums the same terms in the same order as a single pass would.
    @inline(__always)
    private func injectBranches(_ table: BranchTable, _ conversion: UnsafeBufferPointer<ConversionParameters>,
                                _ states: UnsafeBufferPointer<ConversionState>, _ v: UnsafeBufferPointer<CDouble>,
                                _ r: UnsafeMutableBufferPointer<Double>) {
        let n = v.count
        let count = table.hot.count
        precondition(count == table.element.count && r.count == 2 * n, "branch table sizes")
        table.hot.withUnsafeBufferPointer { hot in
        table.powers.tables.withUnsafeBufferPointer { tables in
        table.powers.anchors.withUnsafeBufferPointer { anchors in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(1, 2 * count)) { d in
            @inline(__always) func across(_ t: Int) -> CDouble {
                let a = Int(hot[t].nodeA), b = Int(hot[t].nodeB)
                precondition(a < n && b < n, "branch node out of range")
                let va = a >= 0 ? v[a] : .zero
                let vb = b >= 0 ? v[b] : .zero
                return va - vb
            }
            guard let base = hot.baseAddress else { return }
            /// Branches t ..< t + lanes side by side, when every adjacent pair may go together.
            @inline(__always) func lanes<V: SIMD>(_ t: Int, _ type: V.Type) -> Bool where V.Scalar == Double {
                let width = V.scalarCount
                guard t + width <= count else { return false }
                for l in 0..<(width - 1) where hot[t + l].pairsWithNext == 0 { return false }
                var re = V(), im = V()
                for l in 0..<width { (re[l], im[l]) = across(t + l).rawStorage }
                guard let c = HotBranch.cvrLaneInjections(base + t, re, im, tables: tables, anchors: anchors) else { return false }
                for l in 0..<width {
                    d[2 * (t + l)] = c.re[l]
                    d[2 * (t + l) + 1] = c.im[l]
                }
                return true
            }
            var t = 0
            while t < count {
                if hot[t].pairsWithNext != 0 {
                    if lanes(t, SIMD4<Double>.self) { t += 4; continue }
                    if lanes(t, SIMD2<Double>.self) { t += 2; continue }
                }
                // One branch (written out here, not in a nested function, so the element's
                // parameters are read in place rather than copied for the call).
                let u = across(t)
                var current: CDouble
                let (ur, ui) = u.rawStorage
                if hot[t].isCVR != 0, let fast = hot[t].cvrCurrentFast(u, lengthSquared: ur * ur + ui * ui,
                                                                         tables: tables, anchors: anchors) {
                    current = fast
                } else if hot[t].isConstantPower != 0, let fast = hot[t].constantPowerCurrent(u) {
                    current = fast
                } else {
                    current = branchCurrent(at: Int(hot[t].element), conversion, states, u)
                }
                // Raw components: `real`/`imaginary` differ only for a non-finite current, which
                // makes the solve's voltages non-finite (and the iteration fail) either way.
                let c = (hot[t].yBranch * u - current).rawStorage
                d[2 * t] = c.x
                d[2 * t + 1] = c.y
                t += 1
            }
            for t in 0..<count {
                let pa = Int(hot[t].pivotA), pb = Int(hot[t].pivotB)
                precondition(pa < n && pb < n, "branch pivot out of range")
                if pa >= 0 { r[2 * pa] += d[2 * t]; r[2 * pa + 1] += d[2 * t + 1] }
                if pb >= 0 { r[2 * pb] -= d[2 * t]; r[2 * pb + 1] -= d[2 * t + 1] }
            }
        }}}}
    }

    /// `branchCurrent` of element `k` with its parameters and state read in place: one call that
    /// inlines the model, instead of copying the two records (about 400 bytes) for a call from
    /// the injection loop, where the model is too large to inline.
    @inline(never)
    private func branchCurrent(at k: Int, _ conversion: UnsafeBufferPointer<ConversionParameters>,
                               _ states: UnsafeBufferPointer<ConversionState>, _ v: CDouble) -> CDouble {
        precondition(k >= 0 && k < conversion.count && k < states.count, "branch element out of range")
        return branchCurrent(conversion[k], states[k], v)
    }

    /// Takes the solved `rhs` (pivot order, see `injectCompensationCurrents`) as the new node
    /// voltages; returns the largest per-unit magnitude change against the previous ones (OpenDSS's
    /// measure; `magnitudes` holds the previous magnitudes on entry and the new ones on exit) and
    /// whether every value is finite.
    func acceptSolution(_ table: BranchTable, magnitudes: inout [Double]) -> (Double, Bool) {
        var maxChange = 0.0
        var finite = true
        let n = network.nodeCount
        precondition(rhs.count == 2 * n && nodeBaseVolts.count == n && magnitudes.count == n
                     && voltageStorage.count == n && table.pivotOfColumn.count == n, "node buffer sizes")
        // Every voltage is overwritten: written into the other buffer and swapped in, so a copy
        // kept of the present voltages (`previousVoltages`) costs no copy-on-write here.
        if voltageScratch.count != n { voltageScratch = [CDouble](repeating: .zero, count: n) }
        defer { swap(&voltageStorage, &voltageScratch) }
        rhs.withUnsafeBufferPointer { x in
            table.pivotOfColumn.withUnsafeBufferPointer { pivot in
                nodeBaseVolts.withUnsafeBufferPointer { base in
                    magnitudes.withUnsafeMutableBufferPointer { old in
                        voltageScratch.withUnsafeMutableBufferPointer { v in
                            var largest = LargestChange()
                            @inline(__always) func accept(_ i: Int, _ re: Double, _ im: Double, _ newMag: Double) {
                                largest.add(new: newMag, old: old[i], base: base[i])
                                if !newMag.isFinite { finite = false }
                                old[i] = newMag
                                v[i] = CDouble(re, im)
                            }
                            // Two nodes at a time: one SIMD square root for both magnitudes.
                            var i = 0
                            while i + 1 < n {
                                let k = Int(pivot[i]), l = Int(pivot[i + 1])
                                precondition(k >= 0 && k < n && l >= 0 && l < n, "pivot out of range")
                                let re = SIMD2(x[2 * k], x[2 * l]), im = SIMD2(x[2 * k + 1], x[2 * l + 1])
                                let magnitude = (re * re + im * im).squareRoot()
                                accept(i, re.x, im.x, magnitude.x)
                                accept(i + 1, re.y, im.y, magnitude.y)
                                i += 2
                            }
                            if i < n {
                                let k = Int(pivot[i])
                                precondition(k >= 0 && k < n, "pivot out of range")
                                let re = x[2 * k], im = x[2 * k + 1]
                                accept(i, re, im, (re * re + im * im).squareRoot())
                            }
                            maxChange = largest.value
                        }
                    }
                }
            }
        }
        return (maxChange, finite)
    }
}

/// The largest `PowerFlowSolver.changePerUnit` over a sequence of nodes, without a division for a
/// node whose change cannot beat the running maximum M: |Δ| ≤ fl(fl(M·(1 − 2⁻⁵⁰))·base), a normal
/// number, implies |Δ|/base < M exactly (two roundings move the bound by far less than 2⁻⁵⁰; below
/// M = 2⁻¹⁰⁰⁰ every node is divided), so the result is bit for bit the maximum of every node's
/// quotient (NaN quotients never count).
struct LargestChange {
    private(set) var value = 0.0
    private var bound = 0.0

    @inline(__always)
    mutating func add(new: Double, old: Double, base: Double) {
        let limit = bound * base
        guard !(base > 0) || abs(new - old) > limit || !(limit >= .leastNormalMagnitude) else { return }
        let change = PowerFlowSolver.changePerUnit(new: new, old: old, base: base)
        if change > value {
            value = change
            bound = change >= 0x1p-1000 ? change * (1 - 0x1p-50) : 0
        }
    }
}
