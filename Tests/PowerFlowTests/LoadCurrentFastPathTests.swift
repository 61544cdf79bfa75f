// Owns the checks of the full iteration's fast numerics (Elements/Load+Current.swift): the tabled
// fractional power equals `pow` within 1e-15 relative, and the CVR fast branch current equals the
// model's reference `cvrCurrent`.
import ComplexModule
import Feeder
import Foundation
import Kernel
import Testing
@testable import PowerFlow

@Suite struct LoadCurrentFastPathTests {
    @Test func tabledPowerEqualsPowWithin1e15() {
        var tables = PowerTables()
        for exponent in [0.8, 3, 2.5, -1.3, 0.05, 7.9] {
            let index = Int(tables.index(exponent: exponent, lower: 0.9, upper: 1.1))
            #expect(index >= 0)
            var worst = 0.0
            var compared = 0
            // A dense sweep over the table and past both ends (where it falls back to pow).
            for step in 0...200_000 {
                let x = 0.85 + 0.3 * Double(step) / 200_000
                let expected = pow(x, exponent)
                let got = tables.evaluate(index, x)
                let relative = abs(got - expected) / abs(expected)
                if !(relative <= worst) { worst = relative }
                compared += 1
            }
            #expect(compared == 200_001)
            #expect(worst <= 1e-15, "exponent \(exponent): worst relative deviation \(worst)")
        }
        // Anchors exactly on the grid and just beside them.
        let index = Int(tables.index(exponent: 0.8, lower: 0.9, upper: 1.1))
        for j in 922...1126 {
            for x in [Double(j) / 1024, (Double(j) / 1024).nextUp, (Double(j) / 1024).nextDown, (Double(j) + 0.5) / 1024] {
                let relative = abs(tables.evaluate(index, x) - pow(x, 0.8)) / pow(x, 0.8)
                #expect(relative <= 1e-15, "x = \(x): \(relative)")
            }
        }
    }

    @Test func tablesAreSharedAndRefusedOutsideTheirRange() {
        var tables = PowerTables()
        let a = tables.index(exponent: 0.8, lower: 0.95, upper: 1.05)
        let b = tables.index(exponent: 0.8, lower: 0.95, upper: 1.05)
        #expect(a == b && tables.tables.count == 1)
        #expect(tables.index(exponent: 0.8, lower: 0, upper: 1.05) == -1)
        #expect(tables.index(exponent: 20, lower: 0.95, upper: 1.05) == -1)
        #expect(tables.index(exponent: .nan, lower: 0.95, upper: 1.05) == -1)
        // Outside its anchors a table gives pow's value exactly.
        #expect(tables.evaluate(Int(a), 1.5) == pow(1.5, 0.8))
        #expect(tables.evaluate(Int(a), 0.7) == pow(0.7, 0.8))
    }

    static let cvrScript = """
    Clear
    New Circuit.CVR basekv=12.47 pu=1.0 mvasc3=200 mvasc1=150
    New Line.F1 sourcebus n1 r1=0.3 x1=0.6 r0=0.6 x0=1.8 length=1 units=mi
    New Transformer.T phases=1 windings=3 buses=[n1.1 s1.1.0 s1.0.2] conns=[wye wye wye] kvs=[7.2 0.12 0.12] kvas=[50 50 50] %rs=[0.6 1.2 1.2] xhl=2.04 xht=2.04 xlt=1.36
    New Load.A bus1=s1.1.2 phases=1 kv=0.24 kw=6 pf=0.93 model=4 CVRwatts=0.8 CVRvars=3
    New Load.B bus1=s1.1 phases=1 kv=0.12 kw=1.5 pf=0.9 model=4 CVRwatts=0.6 CVRvars=2
    New Load.C bus1=s1.2 phases=1 kv=0.12 kw=1 pf=0.95 model=4 CVRwatts=1.4 CVRvars=2.7
    New Load.D bus1=n1 phases=3 kv=12.47 kw=90 pf=0.9 model=4 CVRwatts=1 CVRvars=4.5 vminpu=0.3 vmaxpu=1.1
    Set voltagebases=[12.47 0.24]
    Calcvoltagebases
    """

    @Test func cvrFastCurrentEqualsTheModel() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.cvrScript, name: "cvr.dss", baseDirectory: "/tmp"))
        let table = BranchTable(solver.network)
        #expect(table.cvrBranch.filter { $0 != 0 }.count == table.element.count)
        var compared = 0
        table.powers.tables.withUnsafeBufferPointer { tables in
            table.powers.anchors.withUnsafeBufferPointer { anchors in
                for t in table.element.indices {
                    let k = Int(table.element[t])
                    let e = solver.parameters[k], s = solver.states[k]
                    let hot = HotBranch(element: k, nodeA: table.nodeA[t], nodeB: table.nodeB[t], isCVR: true,
                                        isConstantPower: false, wattsTable: table.wattsTable[t], varsTable: table.varsTable[t], e, s)
                    // Per-unit magnitudes from 0.2 to 1.2 (every region of the model) at several angles.
                    for step in 0...1000 {
                        let magnitude = e.baseVolts * (0.2 + Double(step) / 1000)
                        let angle = Double(step % 7) * 0.9 - 2.7
                        let v = CDouble(magnitude * cos(angle), magnitude * sin(angle))
                        let reference = solver.cvrCurrent(e, s, v, v.length)
                        let inBand = v.length > s.vBase95 && v.length > s.vBaseLow && v.length <= s.vBase105
                        let fast = hot.cvrCurrentFast(v, lengthSquared: v.real * v.real + v.imaginary * v.imaginary,
                                                      tables: tables, anchors: anchors)
                        #expect((fast != nil) == inBand, "\(solver.network.conversion[k].name) at \(v)")
                        guard let fast else { continue }
                        let relative = (fast - reference).length / reference.length
                        #expect(relative <= 1e-14, "\(solver.network.conversion[k].name) at \(v): \(fast) vs \(reference)")
                        compared += 1
                    }
                }
            }
        }
        // Each load's band (vminpu to vmaxpu) is part of the sweep.
        #expect(compared >= 100 * table.element.count)
    }

    /// The full iteration with the fast paths reaches the same voltages as the reduced one (which
    /// keeps `branchCurrent` and KLU's factors as they were).
    @Test func fullIterationMatchesReducedOnCVRLoads() throws {
        func solved(reduced: Bool) throws -> PowerFlowSolver {
            let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.cvrScript, name: "cvr.dss", baseDirectory: "/tmp"))
            solver.settings.tolerance = 1e-12
            solver.settings.maxIterations = 100
            solver.settings.reducedIteration = reduced
            var log = EventLog(isEnabled: false)
            let outcome = try solver.solve(log: &log)
            #expect(outcome.converged)
            return solver
        }
        let full = try solved(reduced: false), reduced = try solved(reduced: true)
        #expect(full.reduced == nil && reduced.reduced != nil, "one solve per method")
        var worst = 0.0
        for (i, (x, y)) in zip(full.voltages, reduced.voltages).enumerated() where full.nodeBaseVolts[i] > 0 {
            worst = max(worst, (x - y).length / full.nodeBaseVolts[i])
        }
        #expect(worst < 1e-9, "worst difference \(worst) pu")
    }

    static let constantPowerScript = """
    Clear
    New Circuit.PQ basekv=12.47 pu=1.0 mvasc3=200 mvasc1=150
    New Line.F1 sourcebus n1 r1=0.3 x1=0.6 r0=0.6 x0=1.8 length=1 units=mi
    New Load.A bus1=n1.1 phases=1 kv=7.2 kw=40 pf=0.9
    New Load.B bus1=n1.2.3 phases=1 kv=12.47 kw=30 kvar=-12 vminpu=0.8 vmaxpu=1.2
    New Load.C bus1=n1 phases=3 kv=12.47 kw=90 pf=0.95 model=2
    New Generator.G bus1=n1 phases=3 kv=12.47 kw=50 pf=1
    Set voltagebases=[12.47]
    Calcvoltagebases
    """

    /// The injection loop's constant-power path gives `branchCurrent`'s bits inside the band and
    /// defers to it outside; loads of other models are not marked for it.
    @Test func constantPowerCurrentEqualsTheModelBitForBit() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.constantPowerScript, name: "pq.dss",
                                                                       baseDirectory: "/tmp"))
        let table = BranchTable(solver.network)
        var compared = 0, marked = 0
        for t in table.element.indices where table.constantPowerBranch[t] != 0 {
            marked += 1
            let k = Int(table.element[t])
            let e = solver.parameters[k], s = solver.states[k]
            #expect(solver.network.conversion[k].name.lowercased() != "c", "model 2 marked constant power")
            let hot = HotBranch(element: k, nodeA: table.nodeA[t], nodeB: table.nodeB[t], isCVR: false, isConstantPower: true,
                                wattsTable: -1, varsTable: -1, e, s)
            for step in 0...1000 {
                let magnitude = e.baseVolts * (0.2 + Double(step) / 1000)
                let angle = Double(step % 7) * 0.9 - 2.7
                let v = CDouble(magnitude * cos(angle), magnitude * sin(angle))
                let inBand = v.length > Swift.max(s.vBase95, s.vBaseLow) && v.length <= s.vBase105
                let fast = hot.constantPowerCurrent(v)
                #expect((fast != nil) == inBand)
                guard let fast else { continue }
                let reference = solver.branchCurrent(e, s, v)
                #expect(fast.real.bitPattern == reference.real.bitPattern && fast.imaginary.bitPattern == reference.imaginary.bitPattern)
                compared += 1
            }
        }
        // Loads A and B (one branch each) and the generator's three; not model-2 load C.
        #expect(marked == 5)
        #expect(compared >= 100 * marked)
    }
}
