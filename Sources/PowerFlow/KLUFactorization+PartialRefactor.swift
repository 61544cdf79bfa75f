// Owns the partial refactorization after a control move. A tap or capacitor move changes a few
// slots of Y; KLU's left-looking refactorization (klu_z_refactor, fixed pivots) computes factor
// column k from A's column Q[k] (divided by the row scale) and the L columns named by U's column k
// only, so a column none of whose inputs changed comes out bit-for-bit as before. The columns to
// recompute are those holding a changed slot or a row whose max-norm scale changed, and every
// column whose U column names one of them, transitively; they are recomputed in ascending pivot
// order with klu_z_refactor's operations in its order (its scatter with the division by Rs, its
// MULT_SUB updates in U's stored order, its Smith division for L), in place in KLU's packed block.
// The factors, Udiag and Rs are therefore exactly klu_z_refactor's (tested bit for bit).
import CKLU

/// What the partial refactorization needs besides KLU's factors, for one pivot order.
struct PartialRefactorPlan {
    let pivotGeneration: Int
    /// The pattern's slots by row, columns ascending in a row (the order klu_z_scale meets them).
    let rowStarts: [Int32]
    let rowSlots: [Int32]
    /// Column of each slot.
    let slotColumn: [Int32]
    /// Pivot position of each column (inverse of KLU's Q).
    let pivotOfColumn: [Int32]
    /// KLU's X workspace (interleaved; all zero between uses) and per-column and per-row marks.
    var work: [Double]
    var columnMark: [Int32]
    var rowMark: [Int32]
    var epoch: Int32 = 0

    init(pattern: SparsePattern, n: Int, q: UnsafePointer<Int32>, pivotGeneration: Int) {
        self.pivotGeneration = pivotGeneration
        var rowCounts = [Int32](repeating: 0, count: n + 1)
        var columnOf = [Int32](repeating: 0, count: pattern.nonZeros)
        for c in 0..<n {
            for p in Int(pattern.columnStarts[c])..<Int(pattern.columnStarts[c + 1]) {
                rowCounts[Int(pattern.rowIndices[p]) + 1] += 1
                columnOf[p] = Int32(c)
            }
        }
        for r in 0..<n { rowCounts[r + 1] += rowCounts[r] }
        var next = rowCounts
        var slots = [Int32](repeating: 0, count: pattern.nonZeros)
        for p in 0..<pattern.nonZeros {
            let r = Int(pattern.rowIndices[p])
            slots[Int(next[r])] = Int32(p)
            next[r] += 1
        }
        rowStarts = rowCounts
        rowSlots = slots
        slotColumn = columnOf
        var pivots = [Int32](repeating: 0, count: n)
        for k in 0..<n { pivots[Int(q[k])] = Int32(k) }
        pivotOfColumn = pivots
        work = [Double](repeating: 0, count: 2 * n)
        columnMark = [Int32](repeating: 0, count: n)
        rowMark = [Int32](repeating: 0, count: n)
    }

    /// A fresh mark value (marks from earlier uses are all below it).
    mutating func nextEpoch() -> Int32 {
        if epoch == Int32.max {
            for k in columnMark.indices { columnMark[k] = 0 }
            for k in rowMark.indices { rowMark[k] = 0 }
            epoch = 0
        }
        epoch += 1
        return epoch
    }
}

extension KLUFactorization {
    /// Recomputes, in place, the factor columns the changed slots reach (see the file comment) and
    /// returns them ascending; nil when it cannot (no single-block scaled factors, a non-finite
    /// value, a zero pivot): the factors are then to be recomputed in full by klu_z_refactor.
    func refactorColumns(values: UnsafeBufferPointer<Double>, changedSlots: [Int]) -> [Int32]? {
        let generation = pivotGeneration
        let columns: [Int32]?? = try? withNumeric { symbolic, numeric, common -> [Int32]? in
            let n = Int(numeric.pointee.n)
            guard n == pattern.order, numeric.pointee.nblocks == 1, common.pointee.scale == 2,
                  values.count == 2 * pattern.nonZeros, let lu = numeric.pointee.LUbx?[0], let rs = numeric.pointee.Rs,
                  let pinv = numeric.pointee.Pinv, let q = symbolic.pointee.Q, let lip = numeric.pointee.Lip,
                  let llen = numeric.pointee.Llen, let uip = numeric.pointee.Uip, let ulen = numeric.pointee.Ulen,
                  let udiag = numeric.pointee.Udiag else { return nil }
            if partialPlan?.pivotGeneration != generation {
                partialPlan = PartialRefactorPlan(pattern: pattern, n: n, q: q, pivotGeneration: generation)
            }
            // U by rows names, for each pivot column j, the later columns whose U column has row j:
            // the columns that read L column j (the solve lays it out once per pivot order anyway).
            if upperRows.pivotGeneration != generation {
                upperRows.layOut(n: n, lip: uip, llen: ulen, lu: UnsafeRawPointer(lu), upper: true, pivotGeneration: generation)
            }
            guard var plan = partialPlan else { return nil }
            partialPlan = nil
            defer { partialPlan = plan }
            guard let columns = Self.columnsToRecompute(&plan, readers: upperRows, values: values, changedSlots: changedSlots,
                                                        slotRows: pattern.rowIndices, rs: rs, pinv: pinv) else { return nil }
            let factors = PackedFactors(lu: UnsafeMutableRawPointer(lu), lip: lip, llen: llen, uip: uip, ulen: ulen,
                                        udiag: udiag.assumingMemoryBound(to: Double.self))
            let ok = pattern.columnStarts.withUnsafeBufferPointer { starts in
                pattern.rowIndices.withUnsafeBufferPointer { rows in
                    plan.work.withUnsafeMutableBufferPointer { x in
                        Self.recompute(columns, factors, values: values, starts: starts, rows: rows,
                                       q: q, pinv: pinv, rs: rs, x: x)
                    }
                }
            }
            if !ok {
                for k in plan.work.indices { plan.work[k] = 0 }
                return nil
            }
            common.pointee.status = KLU_OK
            return columns
        }
        return columns ?? nil
    }

    /// The pivot columns to recompute, ascending; writes the changed rows' new scale factors into
    /// KLU's Rs (pivot order). nil if a changed row holds a non-finite value.
    private static func columnsToRecompute(_ plan: inout PartialRefactorPlan, readers: FactorRows,
                                           values: UnsafeBufferPointer<Double>,
                                           changedSlots: [Int], slotRows: [Int32], rs: UnsafeMutablePointer<Double>,
                                           pinv: UnsafePointer<Int32>) -> [Int32]? {
        let epoch = plan.nextEpoch()
        var stack: [Int32] = []
        func seed(_ k: Int32) {
            if plan.columnMark[Int(k)] != epoch {
                plan.columnMark[Int(k)] = epoch
                stack.append(k)
            }
        }
        for s in changedSlots { seed(plan.pivotOfColumn[Int(plan.slotColumn[s])]) }
        // Rows holding a changed slot: their max-norm scale as klu_z_scale forms it.
        for s in changedSlots {
            let row = Int(slotRows[s])
            guard plan.rowMark[row] != epoch else { continue }
            plan.rowMark[row] = epoch
            var scale = 0.0
            for t in plan.rowSlots[Int(plan.rowStarts[row])..<Int(plan.rowStarts[row + 1])] {
                let re = values[2 * Int(t)], im = values[2 * Int(t) + 1]
                guard re.isFinite && im.isFinite else { return nil }
                let a = kluAbs(re, im)
                scale = scale > a ? scale : a
            }
            if scale == 0 { scale = 1 }
            let k = Int(pinv[row])
            if rs[k].bitPattern != scale.bitPattern {
                rs[k] = scale
                for t in plan.rowSlots[Int(plan.rowStarts[row])..<Int(plan.rowStarts[row + 1])] {
                    seed(plan.pivotOfColumn[Int(plan.slotColumn[Int(t)])])
                }
            }
        }
        var columns: [Int32] = []
        while let j = stack.popLast() {
            columns.append(j)
            for k in readers.columns[Int(readers.starts[Int(j)])..<Int(readers.starts[Int(j) + 1])] {
                seed(k)
            }
        }
        columns.sort()
        return columns
    }

    /// klu_z_refactor's loop body for each of `columns` (ascending pivot positions), on the one
    /// scaled block: scatter A's column divided by the row scale, form U's column with MULT_SUB
    /// updates in U's stored order, take the pivot, and divide L's column by it with Smith's
    /// division. `x` is KLU's X: zero on entry and, when it returns true, on exit. False at a
    /// zero pivot.
    private static func recompute(_ columns: [Int32], _ f: PackedFactors, values: UnsafeBufferPointer<Double>,
                                  starts: UnsafeBufferPointer<Int32>, rows: UnsafeBufferPointer<Int32>,
                                  q: UnsafePointer<Int32>, pinv: UnsafePointer<Int32>, rs: UnsafePointer<Double>,
                                  x: UnsafeMutableBufferPointer<Double>) -> Bool {
        for k32 in columns {
            let k = Int(k32)
            let column = Int(q[k])
            for p in Int(starts[column])..<Int(starts[column + 1]) {
                let i = Int(pinv[Int(rows[p])])
                let s = rs[i]
                x[2 * i] = values[2 * p] / s
                x[2 * i + 1] = values[2 * p + 1] / s
            }
            let u = f.column(f.uip, f.ulen, k)
            for up in 0..<u.length {
                let j = Int(u.rows[up])
                let ur = x[2 * j], ui = x[2 * j + 1]
                x[2 * j] = 0
                x[2 * j + 1] = 0
                u.values[2 * up] = ur
                u.values[2 * up + 1] = ui
                let l = f.column(f.lip, f.llen, j)
                for p in 0..<l.length {
                    let i = Int(l.rows[p])
                    let ar = l.values[2 * p], ai = l.values[2 * p + 1]
                    x[2 * i] -= ar * ur - ai * ui
                    x[2 * i + 1] -= ai * ur + ar * ui
                }
            }
            let br = x[2 * k], bi = x[2 * k + 1]
            x[2 * k] = 0
            x[2 * k + 1] = 0
            if br == 0 && bi == 0 { return false }
            f.udiag[2 * k] = br
            f.udiag[2 * k + 1] = bi
            let l = f.column(f.lip, f.llen, k)
            // KLU's DIV (Smith's division, r and den as KLU forms them).
            let (r, den, realDominant) = DiagonalDivision.smith(br, bi)
            for p in 0..<l.length {
                let i = Int(l.rows[p])
                let ar = x[2 * i], ai = x[2 * i + 1]
                if realDominant {
                    l.values[2 * p] = (ar + ai * r) / den
                    l.values[2 * p + 1] = (ai - ar * r) / den
                } else {
                    l.values[2 * p] = (ar * r + ai) / den
                    l.values[2 * p + 1] = (ai * r - ar) / den
                }
                x[2 * i] = 0
                x[2 * i + 1] = 0
            }
        }
        return true
    }

    /// KLU's complex absolute value (`ABS` in its headers): the larger part times sqrt(1 + r²).
    static func kluAbs(_ re: Double, _ im: Double) -> Double {
        let ar = re < 0 ? -re : re, ai = im < 0 ? -im : im
        if ar >= ai {
            if ar + ai == ar { return ar }
            let r = ai / ar
            return ar * (1.0 + r * r).squareRoot()
        }
        if ai + ar == ai { return ai }
        let r = ar / ai
        return ai * (1.0 + r * r).squareRoot()
    }
}

/// KLU's packed factor block of the one block and its column directories: column k of L (or U)
/// holds `len[k]` int32 row indices padded to 16 bytes, then the complex values.
struct PackedFactors {
    let lu: UnsafeMutableRawPointer
    let lip: UnsafePointer<Int32>, llen: UnsafePointer<Int32>
    let uip: UnsafePointer<Int32>, ulen: UnsafePointer<Int32>
    let udiag: UnsafeMutablePointer<Double>

    init(lu: UnsafeMutableRawPointer, lip: UnsafePointer<Int32>, llen: UnsafePointer<Int32>, uip: UnsafePointer<Int32>,
         ulen: UnsafePointer<Int32>, udiag: UnsafeMutablePointer<Double>) {
        self.lu = lu
        self.lip = lip
        self.llen = llen
        self.uip = uip
        self.ulen = ulen
        self.udiag = udiag
    }

    @inline(__always)
    func column(_ start: UnsafePointer<Int32>, _ length: UnsafePointer<Int32>, _ k: Int)
        -> (rows: UnsafePointer<Int32>, values: UnsafeMutablePointer<Double>, length: Int) {
        let count = Int(length[k])
        let base = lu + 16 * Int(start[k])
        return (UnsafePointer(base.assumingMemoryBound(to: Int32.self)),
                (base + ((4 * count + 15) & ~15)).assumingMemoryBound(to: Double.self), count)
    }
}
