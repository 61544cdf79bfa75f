// Owns the small dense complex matrices used for element primitive admittances (Yprim):
// products, inversion by Gauss-Jordan elimination with partial pivoting.
import ComplexModule
import RealModule

/// Complex double as used for voltages (volts) and currents (amperes).
public typealias CDouble = Complex<Double>

@inline(__always) func * (a: CDouble, b: Double) -> CDouble { CDouble(a.real * b, a.imaginary * b) }
@inline(__always) func * (a: Double, b: CDouble) -> CDouble { CDouble(a * b.real, a * b.imaginary) }
@inline(__always) func / (a: CDouble, b: Double) -> CDouble { CDouble(a.real / b, a.imaginary / b) }

/// A square row-major complex matrix (element primitives are at most a few dozen wide).
struct DenseComplexMatrix: Equatable {
    let order: Int
    var entries: [CDouble]

    init(order: Int) {
        self.order = order
        entries = [CDouble](repeating: .zero, count: order * order)
    }

    subscript(row: Int, column: Int) -> CDouble {
        get { entries[row * order + column] }
        set { entries[row * order + column] = newValue }
    }


    /// The inverse, or nil when the matrix is singular (a zero pivot).
    func inverted() -> DenseComplexMatrix? {
        let n = order
        var a = self
        var inv = DenseComplexMatrix(order: n)
        for i in 0..<n { inv[i, i] = .one }
        for col in 0..<n {
            var pivot = col
            var best = a[col, col].length
            for row in (col + 1)..<max(col + 1, n) where a[row, col].length > best {
                best = a[row, col].length
                pivot = row
            }
            guard best > 0, best.isFinite else { return nil }
            if pivot != col {
                for j in 0..<n {
                    a.entries.swapAt(col * n + j, pivot * n + j)
                    inv.entries.swapAt(col * n + j, pivot * n + j)
                }
            }
            let scale = CDouble.one / a[col, col]
            for j in 0..<n {
                a[col, j] = a[col, j] * scale
                inv[col, j] = inv[col, j] * scale
            }
            for row in 0..<n where row != col {
                let factor = a[row, col]
                if factor == .zero { continue }
                for j in 0..<n {
                    a[row, j] = a[row, j] - factor * a[col, j]
                    inv[row, j] = inv[row, j] - factor * inv[col, j]
                }
            }
        }
        return inv
    }
}
