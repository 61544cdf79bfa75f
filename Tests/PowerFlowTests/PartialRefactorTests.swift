// Owns the checks of the partial refactorization (KLUFactorization+PartialRefactor.swift): after
// changes of a few slots, the factors, pivots' diagonal and row scale equal klu_z_refactor's bit
// for bit (moves early, in the middle and last in the pivot order, with and without a change of
// a row's scale, several in a row), the pivot-order solve follows it, and days of control moves
// give bit-identical voltages with and without it.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
import CKLU
@testable import PowerFlow

@Suite struct PartialRefactorTests {
    static let golden = SharedData.packageRoot.appendingPathComponent("golden").path

    /// KLU's factors (each column's L and U row indices and values, read from the packed block
    /// without its padding), Udiag and Rs as raw bits.
    static func factorBits(_ klu: KLUFactorization) throws -> [UInt64] {
        try klu.withNumeric { _, numeric, _ in
            let n = Int(numeric.pointee.n)
            guard let lu = numeric.pointee.LUbx?[0], let udiag = numeric.pointee.Udiag, let rs = numeric.pointee.Rs,
                  let lip = numeric.pointee.Lip, let llen = numeric.pointee.Llen, let uip = numeric.pointee.Uip,
                  let ulen = numeric.pointee.Ulen else { return [] }
            let factors = PackedFactors(lu: lu, lip: lip, llen: llen, uip: uip, ulen: ulen,
                                        udiag: udiag.assumingMemoryBound(to: Double.self))
            var bits = [UInt64]()
            for k in 0..<n {
                for column in [factors.column(lip, llen, k), factors.column(uip, ulen, k)] {
                    for p in 0..<column.length {
                        bits.append(UInt64(bitPattern: Int64(column.rows[p])))
                        bits.append(column.values[2 * p].bitPattern)
                        bits.append(column.values[2 * p + 1].bitPattern)
                    }
                }
            }
            let d = udiag.assumingMemoryBound(to: Double.self)
            for k in 0..<(2 * n) { bits.append(d[k].bitPattern) }
            for k in 0..<n { bits.append(rs[k].bitPattern) }
            return bits
        }
    }

    /// The slots (r, c) with r and c both among `nodes`: what one element's stamp touches.
    static func slots(of nodes: Set<Int>, _ pattern: SparsePattern) -> [Int] {
        var slots: [Int] = []
        for c in nodes.sorted() {
            for p in Int(pattern.columnStarts[c])..<Int(pattern.columnStarts[c + 1])
            where nodes.contains(Int(pattern.rowIndices[p])) { slots.append(p) }
        }
        return slots.sorted()
    }

    /// Moves at pivot positions first, middle and last, each a node with one neighbour, changing
    /// the stamp a little (scale kept) or the diagonal threefold (a new row scale).
    static func expectPartialEqualsFull(_ solver: PowerFlowSolver, name: String) throws {
        try solver.refreshMatrix()
        let pattern = solver.pattern
        let n = pattern.order
        var values = solver.matrixValues
        let full = try KLUFactorization(pattern: pattern), partial = try KLUFactorization(pattern: pattern)
        full.partialRefactorEnabled = false
        try full.factor(values: values)
        try partial.factor(values: values)
        let order = try #require(partial.pivotOrder())
        var nodeAt = [Int](repeating: 0, count: n)
        for node in 0..<n { nodeAt[Int(order.pivotOfColumn[node])] = node }
        var rhs = FullIterationKernelTests.rightHandSide(2 * n, seed: 9)
        partial.solveInPivotOrder(&rhs)
        var moves = 0
        for (position, diagonalFactor) in [(0, 1.0), (n / 2, 3.0), (n - 1, 1.0), (1, 3.0), (n - 2, 0.5), (n / 3, 1.0)] {
            let node = nodeAt[position]
            let column = Int(pattern.columnStarts[node])..<Int(pattern.columnStarts[node + 1])
            let neighbour = column.map { Int(pattern.rowIndices[$0]) }.first { $0 != node } ?? node
            let changed = slots(of: [node, neighbour], pattern)
            for s in changed {
                let diagonal = Int(pattern.rowIndices[s]) == node && s >= column.lowerBound && s < column.upperBound
                values[2 * s] *= diagonal ? diagonalFactor : 1.03125
                values[2 * s + 1] *= diagonal ? diagonalFactor : 0.984375
            }
            try full.factor(values: values)
            try partial.factor(values: values, changedSlots: changed)
            moves += 1
            #expect(partial.partialRefactorCount == moves, "\(name): move at \(position) not partial")
            let fullBits = try factorBits(full), partialBits = try factorBits(partial)
            #expect(!fullBits.isEmpty && fullBits == partialBits, "\(name): move at pivot \(position) of \(n)")
            // The conditioning check's ratio, formed again only for the recomputed pivots, is klu_z_rcond's.
            let rcond = try full.withNumeric { symbolic, numeric, common in
                _ = klu_z_rcond(symbolic, numeric, common)
                return common.pointee.rcond
            }
            #expect(partial.reciprocalPivotRatio.bitPattern == rcond.bitPattern && rcond > 0)
            #expect(full.reciprocalPivotRatio.bitPattern == rcond.bitPattern)
            // The solve's cached division and L rows follow the partial update.
            let differing = try FullIterationKernelTests.pivotSolveDifference(partial, reference: full, n: n,
                                                                              seed: UInt64(position + 1)).differingNodes
            #expect(differing == 0, "\(name): \(differing) nodes differ after the move at \(position)")
        }
        #expect(partial.partialRefactorColumns < moves * n, "\(name): every column recomputed")
    }

    @Test func partialRefactorEqualsKLURefactorBitForBit() throws {
        for feeder in ["controls_lv/Master.dss", "controls/regdelta.dss", "controls/capcontrols.dss", "controls/regbank_ldc.dss"] {
            let solver = try PowerFlowSolver(model: FeederImporter.compile(path: Self.golden + "/" + feeder))
            try Self.expectPartialEqualsFull(solver, name: feeder)
        }
        for feeder in ["feeders/ckt5/ckt5/Master_ckt5.dss", "feeders/ieee8500/8500-Node/Master.dss"] {
            guard let path = SharedData.path(feeder) else { continue }
            let solver = try PowerFlowSolver(model: FeederImporter.compile(path: path))
            try Self.expectPartialEqualsFull(solver, name: feeder)
        }
    }

    /// A day of tap and capacitor moves with and without the partial refactorization: the same
    /// iterations, refactorizations and voltages, bit for bit.
    @Test(arguments: ["regbank_ldc", "capsteps", "capcontrols"])
    func controlDaysAreBitIdentical(_ name: String) throws {
        func solver() throws -> PowerFlowSolver {
            let solver = try PowerFlowSolver(model: FeederImporter.compile(path: Self.golden + "/controls/\(name).dss"))
            solver.settings.tolerance = 1e-10
            solver.settings.maxIterations = 100
            solver.resetControls()
            solver.solutionClock = SolutionClock(hour: 0, seconds: 0)
            return solver
        }
        let partial = try solver(), full = try solver()
        full.factorization.partialRefactorEnabled = false
        var log = EventLog(isEnabled: false)
        var differingSteps = 0
        for _ in 1...96 {
            var iterations: [Int] = []
            for s in [partial, full] {
                s.solutionClock.advance(bySeconds: 900)
                try s.applyShapes(mode: .daily, hour: s.solutionClock.hours)
                let outcome = try s.solve(log: &log)
                #expect(outcome.converged)
                iterations.append(outcome.iterations)
            }
            if iterations[0] != iterations[1]
                || partial.voltages.map(\.real.bitPattern) != full.voltages.map(\.real.bitPattern)
                || partial.voltages.map(\.imaginary.bitPattern) != full.voltages.map(\.imaginary.bitPattern) {
                differingSteps += 1
            }
        }
        #expect(differingSteps == 0, "\(name): \(differingSteps) steps differ")
        #expect(partial.factorizationCount == full.factorizationCount)
        #expect(partial.factorization.partialRefactorCount > 3, "\(partial.factorization.partialRefactorCount) partial")
        #expect(full.factorization.partialRefactorCount == 0)
    }

    /// The IEEE 8500 day (DailyFeederGoldenTests' run, which checks its actions against OpenDSS):
    /// every refactorization after a move is partial and recomputes a small part of the factors.
    @Test func ieee8500DayRefactorsPartially() throws {
        guard let master = SharedData.path("feeders/ieee8500/8500-Node/Master.dss") else { return }
        let model = try FeederImporter.compile(script: "Compile \"\(master)\"\n" + DailyFeederGoldenTests.setup,
                                               name: "ieee8500_daily.dss", baseDirectory: DailyFeederGoldenTests.folder)
        let solver = try PowerFlowSolver(model: model)
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.resetControls()
        solver.solutionClock = SolutionClock(hour: 0, seconds: 0)
        var log = EventLog(isEnabled: false)
        var iterations = 0
        for _ in 1...24 {
            solver.solutionClock.advance(bySeconds: 3600)
            try solver.applyShapes(mode: .daily, hour: solver.solutionClock.hours)
            iterations += try solver.solve(log: &log).iterations
        }
        let klu = solver.factorization
        let n = solver.network.nodeCount
        let perRefactor = Double(klu.partialRefactorColumns) / Double(max(klu.partialRefactorCount, 1))
        print("ieee8500 day: \(iterations) iterations, \(solver.factorizationCount) factorizations, "
              + "\(klu.partialRefactorCount) partial recomputing \(perRefactor) of \(n) columns on average")
        #expect(klu.partialRefactorCount >= 90)
        #expect(perRefactor < Double(n) / 4)
    }
}
