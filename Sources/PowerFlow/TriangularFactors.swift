// Owns a copy of the KLU factors and a tight in-place triangular solve on them. KLU's own
// complex solve scatters column by column; a time series solves the same matrix thousands of
// times, so the factors are transposed once into rows and each row becomes a dot product.
import CKLU

/// L·U = P·(R⁻¹A)·Q with L unit lower, U upper triangular, R KLU's row scaling (no BTF), n×n.
/// Stored row-wise (CSR) with interleaved re/im values so each solve row is a register-held dot product.
final class TriangularFactors {
    let order: Int
    let rowPermutation: [Int32]
    let columnPermutation: [Int32]
    /// KLU's row scale factors (1 when unscaled), applied to the right-hand side in pivot order.
    let rowScale: [Double]
    /// Strictly lower L and strictly upper U by rows; values interleaved (re, im).
    let lStarts: [Int32], lColumns: [Int32], lValues: [Double]
    let uStarts: [Int32], uColumns: [Int32], uValues: [Double]
    /// 1/U_kk interleaved.
    let inverseDiagonal: [Double]
    private var work: [Double]

    var lowerCount: Int { lColumns.count }
    var upperCount: Int { uColumns.count }

    init(order n: Int, lnz: Int, unz: Int, extract: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>,
                                                      UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                                                      UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>,
                                                      UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>,
                                                      UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>,
                                                      UnsafeMutablePointer<Double>) -> Bool) throws {
        order = n
        var lp = [Int32](repeating: 0, count: n + 1), li = [Int32](repeating: 0, count: max(1, lnz))
        var lx = [Double](repeating: 0, count: max(1, lnz)), lz = [Double](repeating: 0, count: max(1, lnz))
        var up = [Int32](repeating: 0, count: n + 1), ui = [Int32](repeating: 0, count: max(1, unz))
        var ux = [Double](repeating: 0, count: max(1, unz)), uz = [Double](repeating: 0, count: max(1, unz))
        var p = [Int32](repeating: 0, count: n), q = [Int32](repeating: 0, count: n)
        var rs = [Double](repeating: 1, count: n)
        let ok = extract(&lp, &li, &lx, &lz, &up, &ui, &ux, &uz, &p, &q, &rs)
        guard ok else { throw PowerFlowError.factorizationFailed("klu_z_extract failed") }
        // Transpose the column-stored factors into rows, dropping L's unit diagonal and U's diagonal.
        var lRowsOf = [[(Int32, Double, Double)]](repeating: [], count: n)
        var uRowsOf = [[(Int32, Double, Double)]](repeating: [], count: n)
        var diagonal = [Double](repeating: 0, count: 2 * n)
        for k in 0..<n {
            for e in Int(lp[k])..<Int(lp[k + 1]) where Int(li[e]) != k {
                lRowsOf[Int(li[e])].append((Int32(k), lx[e], lz[e]))
            }
            for e in Int(up[k])..<Int(up[k + 1]) {
                if Int(ui[e]) == k {
                    let den = ux[e] * ux[e] + uz[e] * uz[e]
                    diagonal[2 * k] = ux[e] / den
                    diagonal[2 * k + 1] = -uz[e] / den
                } else {
                    uRowsOf[Int(ui[e])].append((Int32(k), ux[e], uz[e]))
                }
            }
        }
        func pack(_ rows: [[(Int32, Double, Double)]]) -> ([Int32], [Int32], [Double]) {
            var starts: [Int32] = [0], columns: [Int32] = [], values: [Double] = []
            for row in rows {
                for (c, re, im) in row { columns.append(c); values.append(re); values.append(im) }
                starts.append(Int32(columns.count))
            }
            return (starts, columns, values)
        }
        (lStarts, lColumns, lValues) = pack(lRowsOf)
        (uStarts, uColumns, uValues) = pack(uRowsOf)
        rowPermutation = p
        columnPermutation = q
        rowScale = rs
        inverseDiagonal = diagonal
        work = [Double](repeating: 0, count: 2 * n)
    }

    /// Solves A·x = b in place (original node order); `re`, `im` hold b on entry and x on exit.
    func solve(re: inout [Double], im: inout [Double]) {
        let n = order
        work.withUnsafeMutableBufferPointer { x in
            re.withUnsafeMutableBufferPointer { br in
                im.withUnsafeMutableBufferPointer { bi in
                    rowPermutation.withUnsafeBufferPointer { p in
                        rowScale.withUnsafeBufferPointer { rs in
                            for k in 0..<n {
                                let row = Int(p[k])
                                let s = rs[k]
                                x[2 * k] = br[row] / s
                                x[2 * k + 1] = bi[row] / s
                            }
                        }
                    }
                    Self.lowerSolve(x, lStarts, lColumns, lValues, n)
                    Self.upperSolve(x, uStarts, uColumns, uValues, inverseDiagonal, n)
                    columnPermutation.withUnsafeBufferPointer { q in
                        for k in 0..<n {
                            let column = Int(q[k])
                            br[column] = x[2 * k]
                            bi[column] = x[2 * k + 1]
                        }
                    }
                }
            }
        }
    }

    /// Pivot-order rows of L reachable from the given original rows (ascending): the only rows
    /// a forward solve touches when the right-hand side is zero elsewhere.
    func forwardReach(originalRows: [Int]) -> [Int32] {
        let n = order
        var pivotOf = [Int](repeating: 0, count: n)
        for k in 0..<n { pivotOf[Int(rowPermutation[k])] = k }
        var dependents = [[Int32]](repeating: [], count: n)
        for i in 0..<n {
            for e in Int(lStarts[i])..<Int(lStarts[i + 1]) { dependents[Int(lColumns[e])].append(Int32(i)) }
        }
        var reached = [Bool](repeating: false, count: n)
        var stack = originalRows.map { pivotOf[$0] }
        for k in stack { reached[k] = true }
        while let k = stack.popLast() {
            for i in dependents[k] where !reached[Int(i)] {
                reached[Int(i)] = true
                stack.append(Int(i))
            }
        }
        return (0..<n).filter { reached[$0] }.map { Int32($0) }
    }

    /// Solves A·x = b for b non-zero only at `pivotRows` (pivot positions, values `re`/`im`), with
    /// `reach` from `forwardReach`; writes x in original order into `outRe`/`outIm`.
    func solveSparse(pivotRows: [Int32], re: [Double], im: [Double], reach: [Int32],
                     outRe: inout [Double], outIm: inout [Double]) {
        let n = order
        work.withUnsafeMutableBufferPointer { x in
            for k in 0..<(2 * n) { x[k] = 0 }
            for (t, k) in pivotRows.enumerated() {
                let scale = rowScale[Int(k)]
                x[2 * Int(k)] = re[t] / scale
                x[2 * Int(k) + 1] = im[t] / scale
            }
            lStarts.withUnsafeBufferPointer { s in
                lColumns.withUnsafeBufferPointer { c in
                    lValues.withUnsafeBufferPointer { v in
                        reach.withUnsafeBufferPointer { rows in
                            for row in rows {
                                let i = Int(row)
                                var sr = x[2 * i], si = x[2 * i + 1]
                                for e in Int(s[i])..<Int(s[i + 1]) {
                                    let j = Int(c[e])
                                    let ar = v[2 * e], ai = v[2 * e + 1]
                                    let xr = x[2 * j], xi = x[2 * j + 1]
                                    sr -= ar * xr - ai * xi
                                    si -= ar * xi + ai * xr
                                }
                                x[2 * i] = sr
                                x[2 * i + 1] = si
                            }
                        }
                    }
                }
            }
            Self.upperSolve(x, uStarts, uColumns, uValues, inverseDiagonal, n)
            outRe.withUnsafeMutableBufferPointer { br in
                outIm.withUnsafeMutableBufferPointer { bi in
                    columnPermutation.withUnsafeBufferPointer { q in
                        for k in 0..<n {
                            let column = Int(q[k])
                            br[column] = x[2 * k]
                            bi[column] = x[2 * k + 1]
                        }
                    }
                }
            }
        }
    }

    /// Pivot position of each original row.
    func pivotPositions(originalRows: [Int]) -> [Int32] {
        var pivotOf = [Int32](repeating: 0, count: order)
        for k in 0..<order { pivotOf[Int(rowPermutation[k])] = Int32(k) }
        return originalRows.map { pivotOf[$0] }
    }

    @inline(__always)
    private static func lowerSolve(_ x: UnsafeMutableBufferPointer<Double>, _ starts: [Int32], _ columns: [Int32],
                                   _ values: [Double], _ n: Int) {
        starts.withUnsafeBufferPointer { s in
            columns.withUnsafeBufferPointer { c in
                values.withUnsafeBufferPointer { v in
                    for i in 0..<n {
                        var sr = x[2 * i], si = x[2 * i + 1]
                        for e in Int(s[i])..<Int(s[i + 1]) {
                            let j = Int(c[e])
                            let ar = v[2 * e], ai = v[2 * e + 1]
                            let xr = x[2 * j], xi = x[2 * j + 1]
                            sr -= ar * xr - ai * xi
                            si -= ar * xi + ai * xr
                        }
                        x[2 * i] = sr
                        x[2 * i + 1] = si
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func upperSolve(_ x: UnsafeMutableBufferPointer<Double>, _ starts: [Int32], _ columns: [Int32],
                                   _ values: [Double], _ diagonal: [Double], _ n: Int) {
        starts.withUnsafeBufferPointer { s in
            columns.withUnsafeBufferPointer { c in
                values.withUnsafeBufferPointer { v in
                    diagonal.withUnsafeBufferPointer { d in
                        var i = n - 1
                        while i >= 0 {
                            var sr = x[2 * i], si = x[2 * i + 1]
                            for e in Int(s[i])..<Int(s[i + 1]) {
                                let j = Int(c[e])
                                let ar = v[2 * e], ai = v[2 * e + 1]
                                let xr = x[2 * j], xi = x[2 * j + 1]
                                sr -= ar * xr - ai * xi
                                si -= ar * xi + ai * xr
                            }
                            let dr = d[2 * i], di = d[2 * i + 1]
                            x[2 * i] = sr * dr - si * di
                            x[2 * i + 1] = sr * di + si * dr
                            i -= 1
                        }
                    }
                }
            }
        }
    }
}

extension KLUFactorization {
    /// Entries of the present factors off their diagonals (strictly lower L plus strictly upper U).
    func offDiagonalFactorEntries() throws -> Int {
        try withNumeric { _, numeric, _ in
            Int(numeric.pointee.lnz) + Int(numeric.pointee.unz) - 2 * Int(numeric.pointee.n)
        }
    }

    /// Copies the present numeric factors (requires a successful `factor`).
    func extractFactors() throws -> TriangularFactors {
        try withNumeric { symbolic, numeric, common in
            let n = Int(numeric.pointee.n)
            return try TriangularFactors(order: n, lnz: Int(numeric.pointee.lnz), unz: Int(numeric.pointee.unz)) {
                lp, li, lx, lz, up, ui, ux, uz, p, q, rs in
                var fp = [Int32](repeating: 0, count: n + 1)
                var fi = [Int32](repeating: 0, count: max(1, Int(numeric.pointee.nzoff)))
                var fx = [Double](repeating: 0, count: max(1, Int(numeric.pointee.nzoff)))
                var fz = fx
                var r = [Int32](repeating: 0, count: n + 1)
                return klu_z_extract(numeric, symbolic, lp, li, lx, lz, up, ui, ux, uz, &fp, &fi, &fx, &fz, p, q, rs, &r, common) != 0
            }
        }
    }
}
