// Owns a copy of the KLU factors in split real/imaginary arrays and a tight in-place solve on
// them. KLU's own complex solve is generic; the time series solves the same matrix thousands of
// times with right-hand sides that are zero except at a few load nodes, so this solve skips zero
// columns in the forward pass and works on contiguous arrays.
import CKLU

/// L·U = P·(R⁻¹·A)·Q with L unit lower and U upper triangular (KLU without BTF), n×n.
final class TriangularFactors {
    let order: Int
    let rowPermutation: [Int32]
    let columnPermutation: [Int32]
    let rowScale: [Double]
    let lStarts: [Int32], lRows: [Int32], lRe: [Double], lIm: [Double]
    let uStarts: [Int32], uRows: [Int32], uRe: [Double], uIm: [Double]
    let inverseDiagonalRe: [Double], inverseDiagonalIm: [Double]
    private var workRe: [Double]
    private var workIm: [Double]

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
        // Drop the unit diagonal of L and move U's diagonal out (inverted) so the loops are uniform.
        var ls: [Int32] = [0], lr: [Int32] = [], lre: [Double] = [], lim: [Double] = []
        var us: [Int32] = [0], ur: [Int32] = [], ure: [Double] = [], uim: [Double] = []
        var dre = [Double](repeating: 0, count: n), dim = [Double](repeating: 0, count: n)
        for k in 0..<n {
            for e in Int(lp[k])..<Int(lp[k + 1]) where Int(li[e]) != k {
                lr.append(li[e]); lre.append(lx[e]); lim.append(lz[e])
            }
            ls.append(Int32(lr.count))
            for e in Int(up[k])..<Int(up[k + 1]) {
                if Int(ui[e]) == k {
                    let den = ux[e] * ux[e] + uz[e] * uz[e]
                    dre[k] = ux[e] / den
                    dim[k] = -uz[e] / den
                } else {
                    ur.append(ui[e]); ure.append(ux[e]); uim.append(uz[e])
                }
            }
            us.append(Int32(ur.count))
        }
        rowPermutation = p; columnPermutation = q; rowScale = rs
        lStarts = ls; lRows = lr; lRe = lre; lIm = lim
        uStarts = us; uRows = ur; uRe = ure; uIm = uim
        inverseDiagonalRe = dre; inverseDiagonalIm = dim
        workRe = [Double](repeating: 0, count: n)
        workIm = [Double](repeating: 0, count: n)
    }

    /// Solves A·x = b in place (original node order); `re`, `im` hold b on entry and x on exit.
    func solve(re: inout [Double], im: inout [Double]) {
        let n = order
        workRe.withUnsafeMutableBufferPointer { xr in
            workIm.withUnsafeMutableBufferPointer { xi in
                re.withUnsafeMutableBufferPointer { br in
                    im.withUnsafeMutableBufferPointer { bi in
                        rowPermutation.withUnsafeBufferPointer { p in
                            rowScale.withUnsafeBufferPointer { rs in
                                for k in 0..<n {
                                    let row = Int(p[k])
                                    let s = rs[row]
                                    xr[k] = br[row] / s
                                    xi[k] = bi[row] / s
                                }
                            }
                        }
                        forward(xr, xi)
                        backward(xr, xi)
                        columnPermutation.withUnsafeBufferPointer { q in
                            for k in 0..<n {
                                let column = Int(q[k])
                                br[column] = xr[k]
                                bi[column] = xi[k]
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func forward(_ xr: UnsafeMutableBufferPointer<Double>, _ xi: UnsafeMutableBufferPointer<Double>) {
        lStarts.withUnsafeBufferPointer { s in
            lRows.withUnsafeBufferPointer { r in
                lRe.withUnsafeBufferPointer { vr in
                    lIm.withUnsafeBufferPointer { vi in
                        for k in 0..<order {
                            let ar = xr[k], ai = xi[k]
                            if ar == 0 && ai == 0 { continue }
                            for e in Int(s[k])..<Int(s[k + 1]) {
                                let i = Int(r[e])
                                xr[i] -= vr[e] * ar - vi[e] * ai
                                xi[i] -= vr[e] * ai + vi[e] * ar
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func backward(_ xr: UnsafeMutableBufferPointer<Double>, _ xi: UnsafeMutableBufferPointer<Double>) {
        uStarts.withUnsafeBufferPointer { s in
            uRows.withUnsafeBufferPointer { r in
                uRe.withUnsafeBufferPointer { vr in
                    uIm.withUnsafeBufferPointer { vi in
                        inverseDiagonalRe.withUnsafeBufferPointer { dr in
                            inverseDiagonalIm.withUnsafeBufferPointer { di in
                                var k = order - 1
                                while k >= 0 {
                                    let br = xr[k], bi = xi[k]
                                    let ar = br * dr[k] - bi * di[k]
                                    let ai = br * di[k] + bi * dr[k]
                                    xr[k] = ar
                                    xi[k] = ai
                                    if ar != 0 || ai != 0 {
                                        for e in Int(s[k])..<Int(s[k + 1]) {
                                            let i = Int(r[e])
                                            xr[i] -= vr[e] * ar - vi[e] * ai
                                            xi[i] -= vr[e] * ai + vi[e] * ar
                                        }
                                    }
                                    k -= 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension KLUFactorization {
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
