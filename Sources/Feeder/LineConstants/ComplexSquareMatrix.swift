// Owns the small dense complex matrices of the line-constants computation: element access,
// Kron reduction, inversion and scaling. Sizes are tens of conductors, so plain loops suffice.
import ComplexModule
import RealModule

/// A dense square matrix of complex numbers, row-major.
public struct ComplexSquareMatrix: Sendable, Equatable {
    public let order: Int
    public var entries: [Complex<Double>]

    public init(order: Int) {
        self.order = order
        entries = [Complex<Double>](repeating: .zero, count: order * order)
    }

    public subscript(row: Int, column: Int) -> Complex<Double> {
        get { entries[row * order + column] }
        set { entries[row * order + column] = newValue }
    }

    /// Sets both (row, column) and (column, row).
    mutating func setSymmetric(_ row: Int, _ column: Int, _ value: Complex<Double>) {
        self[row, column] = value
        self[column, row] = value
    }

    /// Kron reduction eliminating one conductor: `Z'ij = Zij - Zik Zkj / Zkk` for i, j ≠ k.
    func kronEliminating(_ k: Int) -> ComplexSquareMatrix {
        var reduced = ComplexSquareMatrix(order: order - 1)
        let pivot = self[k, k]
        var ri = 0
        for i in 0..<order where i != k {
            var rj = 0
            for j in 0..<order where j != k {
                reduced[ri, rj] = self[i, j] - self[i, k] * self[k, j] / pivot
                rj += 1
            }
            ri += 1
        }
        return reduced
    }

    /// Kron reduction of the trailing conductors down to `order` rows, one at a time from the last
    /// (the order OpenDSS eliminates them in).
    func kronReduced(to newOrder: Int) -> ComplexSquareMatrix {
        var matrix = self
        while matrix.order > newOrder { matrix = matrix.kronEliminating(matrix.order - 1) }
        return matrix
    }

    /// The leading `newOrder` × `newOrder` block.
    func leadingBlock(_ newOrder: Int) -> ComplexSquareMatrix {
        var block = ComplexSquareMatrix(order: newOrder)
        for i in 0..<newOrder { for j in 0..<newOrder { block[i, j] = self[i, j] } }
        return block
    }

    /// The inverse by Gauss-Jordan elimination with partial pivoting, or nil when singular.
    func inverted() -> ComplexSquareMatrix? {
        let n = order
        var a = self
        var inverse = ComplexSquareMatrix(order: n)
        for i in 0..<n { inverse[i, i] = Complex(1, 0) }
        for column in 0..<n {
            var pivotRow = column
            for row in column..<n where a[row, column].length > a[pivotRow, column].length {
                pivotRow = row
            }
            guard a[pivotRow, column] != .zero else { return nil }
            if pivotRow != column {
                for j in 0..<n {
                    a.entries.swapAt(column * n + j, pivotRow * n + j)
                    inverse.entries.swapAt(column * n + j, pivotRow * n + j)
                }
            }
            let scale = Complex<Double>(1, 0) / a[column, column]
            for j in 0..<n {
                a[column, j] = a[column, j] * scale
                inverse[column, j] = inverse[column, j] * scale
            }
            for row in 0..<n where row != column && a[row, column] != .zero {
                let factor = a[row, column]
                for j in 0..<n {
                    a[row, j] = a[row, j] - factor * a[column, j]
                    inverse[row, j] = inverse[row, j] - factor * inverse[column, j]
                }
            }
        }
        return inverse
    }

    /// Every entry multiplied by a real factor.
    func scaled(by factor: Double) -> ComplexSquareMatrix {
        var result = self
        for k in 0..<entries.count { result.entries[k] = entries[k] * factor }
        return result
    }
}

/// Complex times real, component by component (as OpenDSS scales its complex values).
@inline(__always) func * (a: Complex<Double>, b: Double) -> Complex<Double> { a.multiplied(by: b) }
/// Complex divided by real, component by component.
@inline(__always) func / (a: Complex<Double>, b: Double) -> Complex<Double> { a.divided(by: b) }
