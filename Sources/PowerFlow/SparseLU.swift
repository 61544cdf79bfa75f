// Owns the sparse complex admittance matrix in compressed-column form and its KLU factorization:
// the pattern is fixed when the network is built; values are re-assembled and refactored only
// when a primitive changes (e.g. a tap move). Solves run in place on interleaved re/im arrays.
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
    private let pattern: SparsePattern
    private var columnStarts: [Int32]
    private var rowIndices: [Int32]

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

    /// Factors (first time) or refactors (same pattern) with the interleaved values.
    func factor(values: [Double]) throws {
        var values = values
        let ok: Bool = columnStarts.withUnsafeMutableBufferPointer { cp in
            rowIndices.withUnsafeMutableBufferPointer { ri in
                values.withUnsafeMutableBufferPointer { vp in
                    if numeric == nil {
                        numeric = klu_z_factor(cp.baseAddress, ri.baseAddress, vp.baseAddress, symbolic, &common)
                        return numeric != nil
                    }
                    return klu_z_refactor(cp.baseAddress, ri.baseAddress, vp.baseAddress, symbolic, numeric, &common) != 0
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
        // A node joined to the rest only by a tiny admittance leaves a near-zero pivot.
        var rcond = 0.0
        _ = klu_z_rcond(symbolic, numeric, &common)
        rcond = common.rcond
        if !(rcond > 1e-30) {
            throw PowerFlowError.singularMatrix("reciprocal pivot ratio \(rcond)")
        }
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
