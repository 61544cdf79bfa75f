// Owns the sparse complex admittance matrix in compressed-column form and its KLU factorization:
// the pattern is fixed when the network is built; values are re-assembled and refactored only
// when a primitive changes (e.g. a tap move). Solves run in place on interleaved re/im arrays.
// The full iteration's solve (`solveInPivotOrder`) works on a right-hand side already in pivot
// order, on L and U copied by rows out of KLU's packed factor block (the layout klu_z_lsolve and
// klu_z_usolve read: per column its int32 row indices padded to 16 bytes, then the complex
// values), with the same operations in the same order as klu_z_solve: bit-identical results,
// tested against it. After a control move only the factor columns the move reaches are
// recomputed (KLUFactorization+PartialRefactor.swift), bit-identical to klu_z_refactor.
import CKLU

/// Compressed-column complex matrix with a fixed pattern and a slot for every stamped entry.
struct SparsePattern {
    let order: Int
    var columnStarts: [Int32]
    var rowIndices: [Int32]
    /// Slot (index into the value array) for each (row, column) of the triplet list used to build it.
    var slotOfTriplet: [Int]

    init(order: Int, triplets: [(row: Int, column: Int)]) {
        self.order = order
        // Every row and column is a node index: checked once, so the loops can use raw buffers.
        precondition(triplets.allSatisfy { $0.row >= 0 && $0.row < order && $0.column >= 0 && $0.column < order })
        let sorted = Self.columnMajorOrder(order: order, triplets: triplets)
        var starts = [Int32](repeating: 0, count: order + 1)
        var rows: [Int32] = []
        rows.reserveCapacity(triplets.count)
        var slots = [Int](repeating: 0, count: triplets.count)
        triplets.withUnsafeBufferPointer { triplets in
            starts.withUnsafeMutableBufferPointer { starts in
                slots.withUnsafeMutableBufferPointer { slots in
                    var previous = (row: -1, column: -1)
                    for t in sorted {
                        let (r, c) = (triplets[t].row, triplets[t].column)
                        if previous != (r, c) {
                            rows.append(Int32(r))
                            starts[c + 1] += 1
                            previous = (r, c)
                        }
                        slots[t] = rows.count - 1
                    }
                }
            }
        }
        for c in 0..<order { starts[c + 1] += starts[c] }
        columnStarts = starts
        rowIndices = rows
        slotOfTriplet = slots
    }

    var nonZeros: Int { rowIndices.count }

    /// Triplet indices ordered by column, then row, then position in the list: two stable
    /// counting sorts (by row, then by column), linear in the triplets and the order. The
    /// triplets' rows and columns must lie in 0..<order (the initializer checks).
    static func columnMajorOrder(order: Int, triplets: [(row: Int, column: Int)]) -> [Int] {
        triplets.withUnsafeBufferPointer { triplets in
            var starts = [Int](repeating: 0, count: order + 1)
            var byRow = [Int](repeating: 0, count: triplets.count)
            var sorted = [Int](repeating: 0, count: triplets.count)
            starts.withUnsafeMutableBufferPointer { starts in
                byRow.withUnsafeMutableBufferPointer { byRow in
                    sorted.withUnsafeMutableBufferPointer { sorted in
                        // By row: triplet positions in list order within each row.
                        for t in triplets.indices { starts[triplets[t].row + 1] += 1 }
                        for k in 0..<order { starts[k + 1] += starts[k] }
                        for t in triplets.indices {
                            let k = triplets[t].row
                            byRow[starts[k]] = t
                            starts[k] += 1
                        }
                        // Then by column, stable: rows ascending, list order within a row.
                        for k in 0...order { starts[k] = 0 }
                        for t in byRow { starts[triplets[t].column + 1] += 1 }
                        for k in 0..<order { starts[k + 1] += starts[k] }
                        for t in byRow {
                            let k = triplets[t].column
                            sorted[starts[k]] = t
                            starts[k] += 1
                        }
                    }
                }
            }
            return sorted
        }
    }
}

/// KLU symbolic + numeric factorization of one pattern (complex, 32-bit indices).
final class KLUFactorization {
    private var common = klu_common()
    private var symbolic: UnsafeMutablePointer<klu_symbolic>?
    private var numeric: UnsafeMutablePointer<klu_numeric>?
    let pattern: SparsePattern
    private var columnStarts: [Int32]
    private var rowIndices: [Int32]
    /// Counts fresh factorizations (new pivots); a refactorization keeps the pivots and the count.
    private(set) var pivotGeneration = 0
    /// Counts successful factorizations and refactorizations (new values).
    private(set) var numericGeneration = 0
    /// Refactorizations that recomputed only the columns a few changed slots reach, and the
    /// columns they recomputed (KLUFactorization+PartialRefactor.swift).
    private(set) var partialRefactorCount = 0
    private(set) var partialRefactorColumns = 0
    /// What the partial refactorization needs besides KLU's factors (built once per pivot order).
    var partialPlan: PartialRefactorPlan?
    /// |U_kk| as klu_z_rcond forms them, for the present factors (updated per recomputed column).
    private var pivotMagnitudes: [Double] = []
    /// klu_z_rcond's value for the present factors (the last conditioning check's).
    private(set) var reciprocalPivotRatio = 0.0
    /// Off: every refactorization is klu_z_refactor's (for tests comparing the two).
    var partialRefactorEnabled = true
    /// KLU's division by U's diagonal and L by rows, prepared for the present factors (`solveInPivotOrder`).
    var diagonalDivision = DiagonalDivision()
    var lowerRows = FactorRows()
    var upperRows = FactorRows()

    init(pattern: SparsePattern) throws {
        self.pattern = pattern
        columnStarts = pattern.columnStarts
        rowIndices = pattern.rowIndices
        klu_defaults(&common)
        // No block-triangular pre-ordering: one block, so the extracted factors have no F part.
        common.btf = 0
        // Row scaling (KLU's default, max-norm) keeps floating delta windings well conditioned.
        common.scale = 2
        let n = Int32(pattern.order)
        symbolic = columnStarts.withUnsafeMutableBufferPointer { cp in
            rowIndices.withUnsafeMutableBufferPointer { ri in
                klu_analyze(n, cp.baseAddress, ri.baseAddress, &common)
            }
        }
        guard symbolic != nil else { throw PowerFlowError.factorizationFailed("klu_analyze status \(common.status)") }
    }

    deinit {
        if numeric != nil { klu_z_free_numeric(&numeric, &common) }
        if symbolic != nil { klu_free_symbolic(&symbolic, &common) }
    }

    /// Factors (first time) or refactors (same pattern) with the interleaved values. `changedSlots`,
    /// when given, must hold every slot whose value differs from the last factorization's (a
    /// superset is fine): then only the factor columns those slots reach are recomputed, with
    /// klu_z_refactor's operations in its order, so the factors are bit-for-bit klu_z_refactor's
    /// (KLUFactorization+PartialRefactor.swift); anything it cannot do that way is refactored in full.
    func factor(values: [Double], changedSlots: [Int]? = nil) throws {
        if let changedSlots, partialRefactorEnabled, numeric != nil,
           let columns = values.withUnsafeBufferPointer({ refactorColumns(values: $0, changedSlots: changedSlots) }) {
            let divisionCurrent = diagonalDivision.generation == numericGeneration
            let rowsCurrent = lowerRows.numericGeneration == numericGeneration && lowerRows.pivotGeneration == pivotGeneration
            let upperCurrent = upperRows.numericGeneration == numericGeneration && upperRows.pivotGeneration == pivotGeneration
            numericGeneration += 1
            partialRefactorCount += 1
            partialRefactorColumns += columns.count
            try withNumeric { _, numeric, _ in
                guard let lu = numeric.pointee.LUbx?[0], let udiag = numeric.pointee.Udiag else { return }
                if divisionCurrent {
                    diagonalDivision.update(columns: columns, diagonal: udiag.assumingMemoryBound(to: Double.self),
                                            generation: numericGeneration)
                }
                if rowsCurrent {
                    lowerRows.gather(lu: UnsafeRawPointer(lu), columns: columns, numericGeneration: numericGeneration)
                }
                if upperCurrent {
                    upperRows.gather(lu: UnsafeRawPointer(lu), columns: columns, numericGeneration: numericGeneration)
                }
            }
            try checkConditioning(recomputed: columns)
            return
        }
        let ok: Bool = columnStarts.withUnsafeMutableBufferPointer { cp in
            rowIndices.withUnsafeMutableBufferPointer { ri in
                values.withUnsafeBufferPointer { vp in
                    // KLU only reads the values (its argument is not const-qualified).
                    let ax = UnsafeMutablePointer(mutating: vp.baseAddress)
                    if numeric == nil {
                        numeric = klu_z_factor(cp.baseAddress, ri.baseAddress, ax, symbolic, &common)
                        pivotGeneration += 1
                        return numeric != nil
                    }
                    return klu_z_refactor(cp.baseAddress, ri.baseAddress, ax, symbolic, numeric, &common) != 0
                }
            }
        }
        if !ok || common.status == KLU_SINGULAR {
            if numeric != nil { klu_z_free_numeric(&numeric, &common) }
            numeric = nil
            if common.status == KLU_SINGULAR {
                throw PowerFlowError.singularMatrix("KLU reports a zero pivot; numerical rank \(common.numerical_rank) of \(pattern.order)")
            }
            throw PowerFlowError.factorizationFailed("status \(common.status)")
        }
        numericGeneration += 1
        try checkConditioning(recomputed: nil)
    }

    /// A node joined to the rest only by a tiny admittance leaves a near-zero pivot. The ratio is
    /// klu_z_rcond's (min |U_kk| / max |U_kk| with KLU's abs, 0 for a zero or NaN pivot); after a
    /// partial refactorization only the recomputed columns' magnitudes are formed again.
    private func checkConditioning(recomputed columns: [Int32]?) throws {
        let rcond: Double = try withNumeric { _, numeric, _ in
            let n = Int(numeric.pointee.n)
            guard let udiag = numeric.pointee.Udiag?.assumingMemoryBound(to: Double.self) else { return 0 }
            if let columns, pivotMagnitudes.count == n {
                for k in columns { pivotMagnitudes[Int(k)] = Self.kluAbs(udiag[2 * Int(k)], udiag[2 * Int(k) + 1]) }
            } else {
                pivotMagnitudes = (0..<n).map { Self.kluAbs(udiag[2 * $0], udiag[2 * $0 + 1]) }
            }
            return Self.reciprocalPivotRatio(pivotMagnitudes)
        }
        reciprocalPivotRatio = rcond
        if !(rcond > 1e-30) {
            throw PowerFlowError.singularMatrix("reciprocal pivot ratio \(rcond)")
        }
    }

    /// klu_z_rcond's loop over the pivots' magnitudes.
    static func reciprocalPivotRatio(_ magnitudes: [Double]) -> Double {
        var low = 0.0, high = 0.0
        for (j, u) in magnitudes.enumerated() {
            if u.isNaN || u == 0 { return 0 }
            if j == 0 {
                low = u
                high = u
            } else {
                low = low < u ? low : u
                high = high > u ? high : u
            }
        }
        let ratio = low / high
        return ratio.isNaN ? 0 : ratio
    }

    func withNumeric<T>(_ body: (UnsafeMutablePointer<klu_symbolic>, UnsafeMutablePointer<klu_numeric>,
                                 UnsafeMutablePointer<klu_common>) throws -> T) throws -> T {
        guard let symbolic, let numeric else { throw PowerFlowError.factorizationFailed("no numeric factorization") }
        return try withUnsafeMutablePointer(to: &common) { try body(symbolic, numeric, $0) }
    }

    /// Solves Y·x = b in place; `b` holds interleaved re/im of the right-hand side.
    func solve(_ b: inout [Double]) {
        let n = Int32(pattern.order)
        b.withUnsafeMutableBufferPointer { bp in
            _ = klu_z_solve(symbolic, numeric, n, 1, bp.baseAddress, &common)
        }
    }
}

/// Where the present factors put each row and column: a caller that keeps its right-hand side in
/// pivot order (the full iteration) skips klu_z_solve's two permutation passes.
struct PivotOrder {
    /// Pivot position of each original row (KLU's Pinv): b[row] goes to x[pivotOfRow[row]].
    var pivotOfRow: [Int32]
    /// Pivot position of each original column (inverse of Q): the solution at node i is x[pivotOfColumn[i]].
    var pivotOfColumn: [Int32]
    /// `KLUFactorization.pivotGeneration` these positions belong to.
    var generation: Int
}

extension KLUFactorization {
    /// The pivot positions of the present factors (nil without a numeric factorization).
    func pivotOrder() -> PivotOrder? {
        try? withNumeric { symbolic, numeric, _ in
            let n = Int(numeric.pointee.n)
            guard n == pattern.order, numeric.pointee.nblocks == 1, let pinv = numeric.pointee.Pinv,
                  let q = symbolic.pointee.Q else { return nil }
            var columns = [Int32](repeating: -1, count: n)
            for k in 0..<n {
                let column = Int(q[k])
                precondition(column >= 0 && column < n && columns[column] < 0, "KLU column permutation")
                columns[column] = Int32(k)
            }
            let rows = (0..<n).map { pinv[$0] }
            precondition(rows.allSatisfy { $0 >= 0 && Int($0) < n }, "KLU row permutation")
            return PivotOrder(pivotOfRow: rows, pivotOfColumn: columns, generation: pivotGeneration)
        }
    }

    /// Solves Y·x = b in place on a right-hand side already in pivot order (x[k] = b[Pnum[k]],
    /// interleaved re/im; `PivotOrder.pivotOfRow` puts it there); on return x[k] is the solution
    /// at column Q[k] (`PivotOrder.pivotOfColumn`). The same operations in the same order as
    /// klu_z_solve between its permutations (row scaling by division and the L solve, U's back
    /// substitution with KLU's complex division, both by rows in `FactorRows`), so the results are
    /// bit-identical to `solve`. With `pivotReciprocals` U's back substitution multiplies by each
    /// pivot's reciprocal (Smith's 1/d, formed once per factorization) instead of dividing: a
    /// shorter chain from row to row, quotients within about an ulp of KLU's, not the same bits.
    /// Without factors x becomes NaN.
    func solveInPivotOrder(_ x: inout [Double], pivotReciprocals: Bool = false) {
        let solved: Bool? = try? withNumeric { _, numeric, _ in
            let n = Int(numeric.pointee.n)
            guard numeric.pointee.nblocks == 1, x.count == 2 * n, let blocks = numeric.pointee.LUbx, let lu = blocks[0],
                  let lip = numeric.pointee.Lip, let llen = numeric.pointee.Llen, let uip = numeric.pointee.Uip,
                  let ulen = numeric.pointee.Ulen, let udiag = numeric.pointee.Udiag else { return false }
            if diagonalDivision.generation != numericGeneration {
                diagonalDivision = DiagonalDivision(diagonal: udiag.assumingMemoryBound(to: Double.self), count: n,
                                                    generation: numericGeneration)
            }
            if lowerRows.pivotGeneration != pivotGeneration {
                lowerRows.layOut(n: n, lip: lip, llen: llen, lu: UnsafeRawPointer(lu), pivotGeneration: pivotGeneration)
            }
            if lowerRows.numericGeneration != numericGeneration {
                lowerRows.gather(lu: UnsafeRawPointer(lu), numericGeneration: numericGeneration)
            }
            if upperRows.pivotGeneration != pivotGeneration {
                upperRows.layOut(n: n, lip: uip, llen: ulen, lu: UnsafeRawPointer(lu), upper: true,
                                 pivotGeneration: pivotGeneration)
            }
            if upperRows.numericGeneration != numericGeneration {
                upperRows.gather(lu: UnsafeRawPointer(lu), numericGeneration: numericGeneration)
            }
            x.withUnsafeMutableBufferPointer { b in
                lowerRows.solve(b, scale: UnsafePointer(numeric.pointee.Rs))
                if pivotReciprocals {
                    upperRows.solveUpper(b, reciprocals: diagonalDivision.reciprocal)
                } else {
                    upperRows.solveUpper(b, division: diagonalDivision)
                }
            }
            return true
        }
        if solved != true {
            for k in x.indices { x[k] = .nan }
        }
    }
}

/// Smith's complex division by each diagonal entry of U, as KLU performs it (`DIV` in KLU's
/// headers, inlined in klu_z_usolve): for |Re d| ≥ |Im d|, r = Im d/Re d and den = Re d + Im d·r,
/// (a + b·r, b − a·r)/den; otherwise r = Re d/Im d and den = Re d·r + Im d, (a·r + b, b·r − a)/den.
/// r and den depend only on the factors, so they are formed once per factorization; what is left
/// per solve gives bit-identical quotients.
struct DiagonalDivision {
    var ratio: [Double] = []
    var denominator: [Double] = []
    /// 1 where |Re d| ≥ |Im d| (KLU's first case; false also for NaN, as in KLU).
    var realDominant: [UInt8] = []
    /// 1/d for each diagonal entry d (interleaved), Smith's quotient of 1 by d with the same r and den.
    var reciprocal: [Double] = []
    /// `KLUFactorization.numericGeneration` these belong to.
    var generation = -1

    init() {}

    init(diagonal: UnsafePointer<Double>, count n: Int, generation: Int) {
        ratio = [Double](repeating: 0, count: n)
        denominator = [Double](repeating: 0, count: n)
        realDominant = [UInt8](repeating: 0, count: n)
        reciprocal = [Double](repeating: 0, count: 2 * n)
        for k in 0..<n { set(k, diagonal) }
        self.generation = generation
    }

    /// Forms again the entries of the given pivot columns (after a partial refactorization).
    mutating func update(columns: [Int32], diagonal: UnsafePointer<Double>, generation: Int) {
        for k in columns { set(Int(k), diagonal) }
        self.generation = generation
    }

    private mutating func set(_ k: Int, _ diagonal: UnsafePointer<Double>) {
        let divisor = Self.smith(diagonal[2 * k], diagonal[2 * k + 1])
        ratio[k] = divisor.ratio
        denominator[k] = divisor.denominator
        realDominant[k] = divisor.realDominant ? 1 : 0
        let (r, den) = (divisor.ratio, divisor.denominator)
        // (1 + 0i)/d by the formulas below: (1, −r)/den or (r, −1)/den.
        (reciprocal[2 * k], reciprocal[2 * k + 1]) = divisor.realDominant ? (1 / den, -r / den) : (r / den, -1 / den)
    }

    /// KLU's `DIV` set-up for dividing by br + i·bi (Smith's method): a / b is then
    /// ((ar + ai·r) + i(ai − ar·r)) / denominator when the real part dominates, else
    /// ((ar·r + ai) + i(ai·r − ar)) / denominator.
    @inline(__always)
    static func smith(_ br: Double, _ bi: Double) -> (ratio: Double, denominator: Double, realDominant: Bool) {
        // KLU's absolute value (x < 0 ? −x : x) compares as Swift's abs does.
        if abs(br) >= abs(bi) {
            let r = bi / br
            return (r, br + bi * r, true)
        }
        let r = br / bi
        return (r, br * r + bi, false)
    }
}

/// L (or U) of the present factors by rows, for solves that keep each row's sum in registers.
/// L: strictly lower part, columns ascending in each row; the forward solve folds KLU's row
/// scaling in. Each x[i] is formed from the same operations in the same order as klu_z_solve's
/// scaling followed by klu_z_lsolve's column sweep (which subtracts column k's terms from x[i] in
/// ascending k). U: strictly upper part, columns descending in each row; klu_z_usolve's sweep
/// from the last column down subtracts column k's terms from x[i] in descending k, then divides
/// x[i] when column i is reached, and the row solve does the same. The results are bit-identical.
/// The row layout follows the pivots (`pivotGeneration`); the values are gathered again after
/// every refactorization (`numericGeneration`), only the recomputed columns after a partial one.
struct FactorRows {
    var starts: [Int32] = []
    var columns: [Int32] = []
    /// Offset (in doubles) of each entry's value in KLU's packed factor block.
    var source: [Int] = []
    var values: [Double] = []
    /// Where L column k's p-th entry went: `entryOfColumn[columnEntryStarts[k] + p]` (for a gather
    /// of only the columns a partial refactorization recomputed).
    var columnEntryStarts: [Int32] = []
    var entryOfColumn: [Int32] = []
    var pivotGeneration = -1
    var numericGeneration = -1

    /// Lays out the rows from KLU's packed columns of L (`upper` false: Lip, Llen) or U (true:
    /// Uip, Ulen); each column holds len[k] int32 row indices padded to 16 bytes, then the values.
    mutating func layOut(n: Int, lip: UnsafePointer<Int32>, llen: UnsafePointer<Int32>, lu: UnsafeRawPointer,
                         upper: Bool = false, pivotGeneration: Int) {
        var counts = [Int32](repeating: 0, count: n + 1)
        for k in 0..<n {
            let length = Int(llen[k])
            let rows = (lu + 16 * Int(lip[k])).assumingMemoryBound(to: Int32.self)
            for p in 0..<length {
                let i = Int(rows[p])
                precondition(upper ? (i >= 0 && i < k) : (i > k && i < n), "factor row out of range")
                counts[i + 1] += 1
            }
        }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var next = counts
        let total = Int(counts[n])
        columns = [Int32](repeating: 0, count: total)
        source = [Int](repeating: 0, count: total)
        columnEntryStarts = [Int32](repeating: 0, count: n + 1)
        entryOfColumn = [Int32](repeating: 0, count: total)
        for k in 0..<n { columnEntryStarts[k + 1] = columnEntryStarts[k] + llen[k] }
        // Rows fill in the order of the solve's column sweep: ascending for L, descending for U.
        for step in 0..<n {
            let k = upper ? n - 1 - step : step
            let length = Int(llen[k])
            let columnBytes = 16 * Int(lip[k])
            let rows = (lu + columnBytes).assumingMemoryBound(to: Int32.self)
            let valueDoubles = (columnBytes + ((4 * length + 15) & ~15)) / 8
            for p in 0..<length {
                let i = Int(rows[p])
                let e = Int(next[i])
                next[i] += 1
                columns[e] = Int32(k)
                source[e] = valueDoubles + 2 * p
                entryOfColumn[Int(columnEntryStarts[k]) + p] = Int32(e)
            }
        }
        starts = counts
        values = [Double](repeating: 0, count: 2 * total)
        self.pivotGeneration = pivotGeneration
        numericGeneration = -1
    }

    /// Copies the present values out of KLU's block.
    mutating func gather(lu: UnsafeRawPointer, numericGeneration: Int) {
        let block = lu.assumingMemoryBound(to: Double.self)
        source.withUnsafeBufferPointer { from in
            values.withUnsafeMutableBufferPointer { to in
                for e in from.indices {
                    to[2 * e] = block[from[e]]
                    to[2 * e + 1] = block[from[e] + 1]
                }
            }
        }
        self.numericGeneration = numericGeneration
    }

    /// Copies the present values of the given L columns out of KLU's block (the others are unchanged).
    mutating func gather(lu: UnsafeRawPointer, columns: [Int32], numericGeneration: Int) {
        let block = lu.assumingMemoryBound(to: Double.self)
        source.withUnsafeBufferPointer { from in
        entryOfColumn.withUnsafeBufferPointer { entries in
        values.withUnsafeMutableBufferPointer { to in
            for k in columns {
                for e in entries[Int(columnEntryStarts[Int(k)])..<Int(columnEntryStarts[Int(k) + 1])] {
                    let e = Int(e)
                    to[2 * e] = block[from[e]]
                    to[2 * e + 1] = block[from[e] + 1]
                }
            }
        }}}
        self.numericGeneration = numericGeneration
    }

    /// x ← U⁻¹x in place (pivot order, interleaved; rows laid out with `upper`), dividing by U's
    /// diagonal with `DiagonalDivision`.
    func solveUpper(_ x: UnsafeMutableBufferPointer<Double>, division: DiagonalDivision) {
        let n = starts.count - 1
        division.ratio.withUnsafeBufferPointer { ratio in
        division.denominator.withUnsafeBufferPointer { denominator in
        division.realDominant.withUnsafeBufferPointer { dominant in
            precondition(ratio.count == n && denominator.count == n && dominant.count == n, "U solve sizes")
            backSubstitute(x) { i, ar, ai in
                let r = ratio[i]
                let numerator = dominant[i] != 0 ? SIMD2(ar + ai * r, ai - ar * r) : SIMD2(ar * r + ai, ai * r - ar)
                let quotient = numerator / SIMD2(repeating: denominator[i])
                return (quotient.x, quotient.y)
            }
        }}}
    }

    /// x ← U⁻¹x in place as `solveUpper(_:division:)`, multiplying each row's sum by its pivot's
    /// reciprocal (`DiagonalDivision.reciprocal`) instead of dividing by the pivot.
    func solveUpper(_ x: UnsafeMutableBufferPointer<Double>, reciprocals: [Double]) {
        reciprocals.withUnsafeBufferPointer { inverse in
            precondition(inverse.count == 2 * (starts.count - 1), "U solve sizes")
            backSubstitute(x) { i, ar, ai in
                let (ir, ii) = (inverse[2 * i], inverse[2 * i + 1])
                return (ar * ir - ai * ii, ar * ii + ai * ir)
            }
        }
    }

    /// The rows of U from the last up: each row's sum x_i − Σ U_ij·x_j (in layout order), then
    /// `finish(i, re, im)` (the division by the pivot) gives x_i. Inlined into each caller, so
    /// `finish` is not a call per row.
    @inline(__always)
    private func backSubstitute(_ x: UnsafeMutableBufferPointer<Double>,
                                _ finish: (Int, Double, Double) -> (Double, Double)) {
        let n = starts.count - 1
        starts.withUnsafeBufferPointer { s in
        columns.withUnsafeBufferPointer { c in
        values.withUnsafeBufferPointer { v in
            precondition(x.count == 2 * n, "U solve size")
            var i = n - 1
            // The row solved last, kept in registers: rows often read it, and reading it back from
            // memory puts a store-to-load forwarding on the chain from row to row.
            var lastRe = 0.0, lastIm = 0.0
            while i >= 0 {
                var ar = x[2 * i], ai = x[2 * i + 1]
                for e in Int(s[i])..<Int(s[i + 1]) {
                    let j = Int(c[e])
                    let ur = v[2 * e], ui = v[2 * e + 1]
                    let xr = j == i + 1 ? lastRe : x[2 * j], xi = j == i + 1 ? lastIm : x[2 * j + 1]
                    ar -= ur * xr - ui * xi
                    ai -= ui * xr + ur * xi
                }
                (lastRe, lastIm) = finish(i, ar, ai)
                x[2 * i] = lastRe
                x[2 * i + 1] = lastIm
                i -= 1
            }
        }}}
    }

    /// x ← L⁻¹·(R⁻¹x) in place (pivot order, interleaved); `scale` is KLU's Rs (nil: unscaled).
    func solve(_ x: UnsafeMutableBufferPointer<Double>, scale: UnsafePointer<Double>?) {
        let n = starts.count - 1
        precondition(x.count == 2 * n, "L solve size")
        starts.withUnsafeBufferPointer { s in
        columns.withUnsafeBufferPointer { c in
        values.withUnsafeBufferPointer { v in
            // The row solved last, kept in registers (as in `solveUpper`).
            var lastRe = 0.0, lastIm = 0.0
            for i in 0..<n {
                var sr = x[2 * i], si = x[2 * i + 1]
                if let scale {
                    let q = SIMD2(sr, si) / SIMD2(repeating: scale[i])
                    sr = q.x
                    si = q.y
                }
                for e in Int(s[i])..<Int(s[i + 1]) {
                    let j = Int(c[e])
                    let ar = v[2 * e], ai = v[2 * e + 1]
                    let xr = j == i - 1 ? lastRe : x[2 * j], xi = j == i - 1 ? lastIm : x[2 * j + 1]
                    sr -= ar * xr - ai * xi
                    si -= ai * xr + ar * xi
                }
                x[2 * i] = sr
                x[2 * i + 1] = si
                (lastRe, lastIm) = (sr, si)
            }
        }}}
    }
}
