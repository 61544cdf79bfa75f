// Owns the check of Y's re-assembly after control moves (PowerFlowSolver+Assembly.swift): after a
// day of tap and capacitor moves the re-summed values equal a full assembly's bit for bit.
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct IncrementalAssemblyTests {
    static let golden = SharedData.packageRoot.appendingPathComponent("golden/controls").path

    @Test(arguments: ["regbank_ldc", "capsteps", "capcontrols"])
    func reassembledValuesEqualAFullAssembly(_ name: String) throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(path: Self.golden + "/\(name).dss"))
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        solver.settings.reducedIteration = false
        solver.resetControls()
        solver.solutionClock = SolutionClock(hour: 0, seconds: 0)
        var log = EventLog(isEnabled: false)
        let first = solver.factorizationCount
        for _ in 1...96 {
            solver.solutionClock.advance(bySeconds: 900)
            try solver.applyShapes(mode: .daily, hour: solver.solutionClock.hours)
            #expect(try solver.solve(log: &log).converged)
            let incremental = solver.matrixValues
            let cached = try #require(solver.stampCache).values
            var stamps = [Double](repeating: 0, count: cached.count)
            stamps.withUnsafeMutableBufferPointer { solver.assemble(includeConversion: true, stamps: $0) }
            #expect(solver.matrixValues.map(\.bitPattern) == incremental.map(\.bitPattern))
            #expect(stamps.map(\.bitPattern) == cached.map(\.bitPattern))
        }
        // Controls moved (each move a refactorization), so the re-summing was exercised.
        #expect(solver.factorizationCount - first > 3, "\(solver.factorizationCount - first) refactorizations")
    }
}
