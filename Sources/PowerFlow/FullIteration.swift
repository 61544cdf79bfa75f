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
// bit-for-bit as they were. The inner loops run on raw buffers over packed per-branch values
// (`HotBranch`) and CVR loads take the tabled-power fast path (Elements/Load+Current.swift).
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
        for t in element.indices {
            let e = network.conversion[Int(element[t])]
            let cvr = e.kind == .load && e.loadModel == 4
            cvrBranch.append(cvr ? 1 : 0)
            let (lower, upper) = (e.voltageMinPerUnit, e.voltageMaxPerUnit)
            wattsTable.append(cvr ? powers.index(exponent: e.cvrWatts, lower: lower, upper: upper) : -1)
            varsTable.append(cvr ? powers.index(exponent: e.cvrVars, lower: lower, upper: upper) : -1)
        }
    }

    /// Per branch: 1 for a CVR load (model 4, `cvrCurrentFast`), 0 for `branchCurrent`; the
    /// branch's tables for its two exponents in `powers` (−1: none).
    var cvrBranch: [UInt8] = []
    var wattsTable: [Int32] = []
    var varsTable: [Int32] = []
    var powers = PowerTables()
    /// The branches as the injection loop reads them (see `refreshHotBranches`).
    var hot: [HotBranch] = []

    /// Packs the present parameters and states of every branch into `hot`.
    mutating func refreshHotBranches(_ parameters: [ConversionParameters], _ states: [ConversionState]) {
        let count = element.count
        precondition(nodeA.count == count && nodeB.count == count && cvrBranch.count == count
                     && wattsTable.count == count && varsTable.count == count, "branch table sizes")
        if hot.count != count { hot = [] }
        parameters.withUnsafeBufferPointer { e in
            states.withUnsafeBufferPointer { s in
                if hot.isEmpty {
                    for t in 0..<count {
                        let k = Int(element[t])
                        hot.append(HotBranch(element: k, nodeA: nodeA[t], nodeB: nodeB[t], isCVR: cvrBranch[t] != 0,
                                             wattsTable: wattsTable[t], varsTable: varsTable[t], e[k], s[k]))
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
    /// `g` and `f` are kept as the previous point by swapping storage: on return they hold
    /// scratch values of the same size, which the caller overwrites before the next step.
    mutating func step(value g: inout [Double], residual f: inout [Double], next: inout [Double]) {
        var norm = 0.0
        for v in f { norm += v * v }
        // A step that made the residual much larger than the last one: forget the history.
        if hasPrevious && !(norm <= 4 * previousNorm) { reset() }
        // b_j = ΔF_j·f, the normal equations' right-hand side, computed with the Gram row.
        let b = hasPrevious ? appendDifferences(value: g, residual: f) : deltaResidual.map { Self.dot($0, f, length) }
        precondition(next.count == length && g.count == length && f.count == length, "Anderson vector sizes")
        swap(&previousResidual, &f)
        swap(&previousValue, &g)
        previousNorm = norm
        hasPrevious = true
        // next = g − Σ γ_j ΔG_j in one pass (per entry the same operations in the same order as
        // one pass per column).
        let gamma = leastSquares(rightHandSide: b) ?? []
        let used = gamma.indices.filter { gamma[$0] != 0 }
        let coefficients = used.map { gamma[$0] }
        Self.withColumns(deltaValue, used[...], []) { columnList in
            precondition(columnList.count == coefficients.count, "Anderson coefficients")
            previousValue.withUnsafeBufferPointer { gp in
                next.withUnsafeMutableBufferPointer { x in
                    columnList.withUnsafeBufferPointer { columns in
                        coefficients.withUnsafeBufferPointer { c in
                            for i in 0..<length {
                                var value = gp[i]
                                for m in 0..<c.count { value -= c[m] * columns[m][i] }
                                x[i] = value
                            }
                        }
                    }
                }
            }
        }
    }

    /// Runs `body` with the base addresses of `columns[j]` for j in `indices` (in that order),
    /// each valid for the call (nested buffer accesses).
    static func withColumns(_ columns: [[Double]], _ indices: ArraySlice<Int>, _ pointers: [UnsafePointer<Double>],
                            _ body: ([UnsafePointer<Double>]) -> Void) {
        guard let j = indices.first else { return body(pointers) }
        columns[j].withUnsafeBufferPointer { column in
            guard let base = column.baseAddress else { return body(pointers) }
            withColumns(columns, indices.dropFirst(), pointers + [base], body)
        }
    }

    /// Appends the columns ΔF = f − f_prev and ΔG = g − g_prev (dropping the oldest at full depth,
    /// whose storage is reused: no allocation per iteration) and the new Gram row; returns
    /// b_j = ΔF_j·f for every column, summed in the same pass as the Gram row.
    private mutating func appendDifferences(value g: [Double], residual f: [Double]) -> [Double] {
        var df: [Double], dg: [Double]
        if deltaResidual.count == Self.depth {
            df = deltaResidual.removeFirst()
            dg = deltaValue.removeFirst()
            gram.removeFirst()
            for r in gram.indices { gram[r].removeFirst() }
        } else {
            df = [Double](repeating: 0, count: length)
            dg = [Double](repeating: 0, count: length)
        }
        precondition(df.count == length && dg.count == length && f.count == length && g.count == length
                     && previousResidual.count == length && previousValue.count == length, "Anderson column sizes")
        Self.differences(f, previousResidual, into: &df)
        Self.differences(g, previousValue, into: &dg)
        var row: [Double] = [], b: [Double] = []
        row.reserveCapacity(Self.depth)
        b.reserveCapacity(Self.depth)
        for column in deltaResidual {
            let (withDelta, withResidual) = Self.dots(column, df, f, length)
            row.append(withDelta)
            b.append(withResidual)
        }
        let (withDelta, withResidual) = Self.dots(df, df, f, length)
        row.append(withDelta)
        b.append(withResidual)
        for r in gram.indices { gram[r].append(row[r]) }
        gram.append(row)
        deltaResidual.append(df)
        deltaValue.append(dg)
        return b
    }

    /// (a·b, a·c) in one pass, each summed in index order as `dot` sums it.
    static func dots(_ a: [Double], _ b: [Double], _ c: [Double], _ length: Int) -> (Double, Double) {
        precondition(a.count >= length && b.count >= length && c.count >= length, "dot sizes")
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                c.withUnsafeBufferPointer { z in
                    var s = 0.0, t = 0.0
                    for i in 0..<length {
                        s += x[i] * y[i]
                        t += x[i] * z[i]
                    }
                    return (s, t)
                }
            }
        }
    }

    /// out = a − b elementwise (equal sizes, checked by the caller).
    static func differences(_ a: [Double], _ b: [Double], into out: inout [Double]) {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { z in
                    for i in z.indices { z[i] = x[i] - y[i] }
                }
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
        var history = carriedHistory.flatMap { $0.length == (settings.acceleration ? 2 * p : 0) ? $0 : nil }
            ?? AndersonHistory(length: settings.acceleration ? 2 * p : 0)
        carriedHistory = nil
        history.hasPrevious = false
        defer { carriedHistory = history }
        table.refreshHotBranches(parameters, states)
        var present = [Double](repeating: 0, count: 2 * p), value = present, residual = present, next = present
        var magnitudes = voltageStorage.map { ($0.real * $0.real + $0.imaginary * $0.imaginary).squareRoot() }
        var iteration = 0
        var maxChange = Double.infinity
        var converged = false
        repeat {
            iteration += 1
            gatherLoadNodes(table, into: &present)
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
            gatherLoadNodes(table, into: &value)
            precondition(present.count == 2 * p && value.count == 2 * p && residual.count == 2 * p, "iteration buffers")
            for i in 0..<(2 * p) { residual[i] = value[i] - present[i] }
            history.step(value: &value, residual: &residual, next: &next)
            scatterLoadNodes(table, from: next, magnitudes: &magnitudes)
        } while !converged && iteration < settings.maxIterations
        return (converged, iteration, maxChange)
    }

    /// Copies the load nodes' voltages, interleaved (re, im), into `out` (2 × load nodes).
    func gatherLoadNodes(_ table: BranchTable, into out: inout [Double]) {
        precondition(out.count == 2 * table.loadNodes.count, "load-node buffer size")
        let n = voltageStorage.count
        table.loadNodes.withUnsafeBufferPointer { nodes in
            voltageStorage.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { x in
                    for t in nodes.indices {
                        let node = Int(nodes[t])
                        precondition(node >= 0 && node < n, "load node out of range")
                        x[2 * t] = v[node].real
                        x[2 * t + 1] = v[node].imaginary
                    }
                }
            }
        }
    }

    /// Puts the accelerated point `next` (interleaved, load nodes) into the node voltages and
    /// their magnitudes.
    func scatterLoadNodes(_ table: BranchTable, from next: [Double], magnitudes: inout [Double]) {
        precondition(next.count == 2 * table.loadNodes.count, "load-node buffer size")
        precondition(magnitudes.count == voltageStorage.count, "magnitude buffer size")
        let n = voltageStorage.count
        table.loadNodes.withUnsafeBufferPointer { nodes in
            next.withUnsafeBufferPointer { x in
                magnitudes.withUnsafeMutableBufferPointer { mags in
                    voltageStorage.withUnsafeMutableBufferPointer { v in
                        for t in nodes.indices {
                            let node = Int(nodes[t])
                            precondition(node >= 0 && node < n, "load node out of range")
                            let (re, im) = (x[2 * t], x[2 * t + 1])
                            v[node] = CDouble(re, im)
                            mags[node] = (re * re + im * im).squareRoot()
                        }
                    }
                }
            }
        }
    }

    /// Right-hand side of one iteration: source currents plus every conversion branch's
    /// compensation current (Yeq·V − I(V)) and the neutral shunts' Y·V, from `voltageStorage`.
    func injectCompensationCurrents(_ table: BranchTable) {
        let n = voltageStorage.count
        precondition(rhs.count == 2 * n, "right-hand side size")
        rhs.withUnsafeMutableBufferPointer { r in
            for k in r.indices { r[k] = 0 }
            for (node, current) in network.sourceCurrents {
                r[2 * node] += current.real
                r[2 * node + 1] += current.imaginary
            }
        }
        parameters.withUnsafeBufferPointer { conversion in
            states.withUnsafeBufferPointer { states in
                voltageStorage.withUnsafeBufferPointer { v in
                    rhs.withUnsafeMutableBufferPointer { r in
                        injectBranches(table, conversion, states, v, r)
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

    /// Every conversion branch's compensation current Yeq·V − I(V) into `r`.
    @inline(__always)
    private func injectBranches(_ table: BranchTable, _ conversion: UnsafeBufferPointer<ConversionParameters>,
                                _ states: UnsafeBufferPointer<ConversionState>, _ v: UnsafeBufferPointer<CDouble>,
                                _ r: UnsafeMutableBufferPointer<Double>) {
        let n = v.count
        precondition(table.hot.count == table.element.count && r.count == 2 * n, "branch table sizes")
        table.hot.withUnsafeBufferPointer { hot in
        table.powers.tables.withUnsafeBufferPointer { tables in
        table.powers.anchors.withUnsafeBufferPointer { anchors in
            for t in hot.indices {
                let a = Int(hot[t].nodeA), b = Int(hot[t].nodeB)
                precondition(a < n && b < n, "branch node out of range")
                let va = a >= 0 ? v[a] : .zero
                let vb = b >= 0 ? v[b] : .zero
                let u = va - vb
                var current: CDouble
                if hot[t].isCVR != 0, let fast = hot[t].cvrCurrentFast(u, lengthSquared: u.real * u.real + u.imaginary * u.imaginary,
                                                                         tables: tables, anchors: anchors) {
                    current = fast
                } else {
                    let k = Int(hot[t].element)
                    current = branchCurrent(conversion[k], states[k], u)
                }
                let d = hot[t].yBranch * u - current
                if a >= 0 { r[2 * a] += d.real; r[2 * a + 1] += d.imaginary }
                if b >= 0 { r[2 * b] -= d.real; r[2 * b + 1] -= d.imaginary }
            }
        }}}
    }

    /// Takes the solved `rhs` as the new node voltages; returns the largest per-unit magnitude
    /// change against the previous ones (OpenDSS's measure; `magnitudes` holds the previous
    /// magnitudes on entry and the new ones on exit) and whether every value is finite.
    func acceptSolution(magnitudes: inout [Double]) -> (Double, Bool) {
        var maxChange = 0.0
        var finite = true
        let n = network.nodeCount
        precondition(rhs.count == 2 * n && nodeBaseVolts.count == n && magnitudes.count == n
                     && voltageStorage.count == n, "node buffer sizes")
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
