// Owns the check that the extracted-factor solve equals KLU's own solve.
import Testing
import Kernel
@testable import PowerFlow

@Suite struct TriangularSolveTests {
    @Test func extractedFactorsSolveLikeKLU() throws {
        // A small meshed complex system with unsymmetric values: 4 nodes.
        let triplets: [(row: Int, column: Int)] = [(0, 0), (1, 1), (2, 2), (3, 3), (0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (0, 3), (3, 0)]
        let pattern = SparsePattern(order: 4, triplets: triplets)
        var values = [Double](repeating: 0, count: 2 * pattern.nonZeros)
        let entries: [(Double, Double)] = [(5, -9), (7, -12), (6, -10), (4, -8), (-1, 3), (-1.5, 3), (-2, 4), (-2, 4.2), (-1, 2), (-1, 2.5), (-0.5, 1), (-0.5, 1.1)]
        for (t, e) in entries.enumerated() {
            values[2 * pattern.slotOfTriplet[t]] += e.0
            values[2 * pattern.slotOfTriplet[t] + 1] += e.1
        }
        let klu = try KLUFactorization(pattern: pattern)
        try klu.factor(values: values)
        let factors = try klu.extractFactors()
        var interleaved: [Double] = [1, 2, -3, 0.5, 0, 0, 2, -1]
        var re = [1.0, -3, 0, 2], im = [2.0, 0.5, 0, -1]
        klu.solve(&interleaved)
        factors.solve(re: &re, im: &im)
        for i in 0..<4 {
            #expect(abs(re[i] - interleaved[2 * i]) < 1e-12, "re \(i): \(re[i]) vs \(interleaved[2 * i])")
            #expect(abs(im[i] - interleaved[2 * i + 1]) < 1e-12, "im \(i): \(im[i]) vs \(interleaved[2 * i + 1])")
        }
    }
}
