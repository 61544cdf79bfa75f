// Owns the snapshot checks against OpenDSS's full-precision node voltages (../shared/golden).
import Foundation
import Kernel
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

struct GoldenNodeVoltage {
    var bus: String
    var node: Int
    var baseKilovolts: Double
    var re: Double
    var im: Double
    var perUnit: Double
}

enum GoldenFiles {
    static func nodeVoltages(_ path: String) throws -> [GoldenNodeVoltage] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            return GoldenNodeVoltage(bus: f[0], node: Int(f[1]) ?? -1, baseKilovolts: Double(f[2]) ?? .nan,
                                     re: Double(f[3]) ?? .nan, im: Double(f[4]) ?? .nan, perUnit: Double(f[7]) ?? .nan)
        }
    }
}

/// One shared feeder with OpenDSS's snapshot results and the tolerances it is held to.
struct SnapshotCase: Sendable, CustomStringConvertible {
    var feeder: String
    var golden: String
    /// Largest complex node-voltage error allowed, per unit of the node's base.
    var voltageTolerancePerUnit: Double
    /// Largest relative error of source P/Q and losses against totals.json (nil: not checked).
    var totalsRelativeTolerance: Double?

    var description: String { feeder }
}

@Suite struct SnapshotGoldenTests {
    static let cases: [SnapshotCase] = [
        SnapshotCase(feeder: "feeders/european_lv/Master.dss", golden: "golden/european_lv/snapshot", voltageTolerancePerUnit: 1e-8),
        SnapshotCase(feeder: "feeders/ieee13/IEEE13Nodeckt.dss", golden: "golden/ieee13/snapshot", voltageTolerancePerUnit: 1e-8),
        SnapshotCase(feeder: "feeders/enerport/M_summer.dss", golden: "golden/enerport_summer/snapshot", voltageTolerancePerUnit: 1e-8),
        SnapshotCase(feeder: "feeders/enerport/M_winter.dss", golden: "golden/enerport_winter/snapshot", voltageTolerancePerUnit: 1e-8),
        // The public test feeders of issue #10, which asks for 1e-6 pu and 1e-6 on the totals; they
        // agree to better than 1e-9 pu and 2e-9, so they are held to 1e-8 pu and 1e-7.
        SnapshotCase(feeder: "feeders/4bus_yy_bal/4Bus-YY-Bal/4Bus-YY-Bal.DSS", golden: "golden/4bus_yy_bal/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
        SnapshotCase(feeder: "feeders/4bus_dy_bal/4Bus-DY-Bal/4Bus-DY-Bal.DSS", golden: "golden/4bus_dy_bal/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
        SnapshotCase(feeder: "feeders/ieee37/37Bus/ieee37.dss", golden: "golden/ieee37/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
        SnapshotCase(feeder: "feeders/ieee8500/8500-Node/Master.dss", golden: "golden/ieee8500/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
        SnapshotCase(feeder: "feeders/nev/NEVTestCase/NEVMASTER.DSS", golden: "golden/nev/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
        SnapshotCase(feeder: "feeders/ckt5/ckt5/Master_ckt5.dss", golden: "golden/ckt5/snapshot",
                     voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7),
    ]

    @Test(arguments: cases)
    func nodeVoltagesMatchOpenDSS(_ c: SnapshotCase) throws {
        guard let feeder = SharedData.path(c.feeder),
              let goldenPath = SharedData.path(c.golden + "/node_voltages.csv") else { return }
        let totalsPath = c.totalsRelativeTolerance == nil ? nil : SharedData.path(c.golden + "/totals.json")
        try Self.compare(feeder: feeder, nodeVoltages: goldenPath, totals: totalsPath,
                         voltageTolerancePerUnit: c.voltageTolerancePerUnit,
                         totalsRelativeTolerance: c.totalsRelativeTolerance ?? 0)
    }

    /// Solves `feeder` at tolerance 1e-10 and compares every node voltage (and the totals, when a
    /// totals.json is given) with OpenDSS's; prints the worst errors.
    static func compare(feeder: String, nodeVoltages goldenPath: String, totals totalsPath: String?,
                        voltageTolerancePerUnit: Double, totalsRelativeTolerance: Double) throws {
        let model = try FeederImporter.compile(path: feeder)
        let solver = try PowerFlowSolver(model: model)
        solver.settings.tolerance = 1e-10
        solver.settings.maxIterations = 100
        var log = EventLog(isEnabled: false)
        let outcome = try solver.solve(log: &log)
        #expect(outcome.converged)
        let golden = try GoldenFiles.nodeVoltages(goldenPath)
        let network = solver.network
        #expect(golden.count == network.nodeCount)
        var worst = 0.0, worstNode = ""
        var worstBase = 0.0
        var compared = 0
        for (i, g) in golden.enumerated() where i < network.nodeCount {
            let node = network.nodes[i]
            let bus = network.buses[node.bus]
            if !(bus.name == g.bus && node.number == g.node) { Issue.record("node \(i): \(bus.name).\(node.number) vs \(g.bus).\(g.node)"); break }
            // Nodes without a voltage base (e.g. neutrals) are measured against 1 kV.
            let baseVolts = g.baseKilovolts > 0 ? g.baseKilovolts * 1000 : 1000
            let v = solver.voltages[i]
            let err = ((v.real - g.re) * (v.real - g.re) + (v.imaginary - g.im) * (v.imaginary - g.im)).squareRoot() / baseVolts
            if !(err <= worst) { worst = err; worstNode = "\(g.bus).\(g.node)" }
            if g.baseKilovolts > 0 { worstBase = max(worstBase, abs(bus.baseKilovoltsLineToNeutral - g.baseKilovolts) / g.baseKilovolts) }
            compared += 1
        }
        print("\(feeder): \(compared) nodes, iterations \(outcome.iterations) control \(outcome.controlIterations) worst |dV| \(worst) pu at \(worstNode)")
        #expect(compared == golden.count && compared > 0)
        #expect(worst < voltageTolerancePerUnit, "worst complex voltage error \(worst) pu at \(worstNode)")
        #expect(worstBase < 1e-9)
        if let totalsPath {
            try checkTotals(solver.circuitTotals(), totalsPath: totalsPath, tolerance: totalsRelativeTolerance, feeder: feeder)
        }
    }

    static func checkTotals(_ totals: CircuitTotals, totalsPath: String, tolerance: Double, feeder: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: totalsPath))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pairs: [(String, Double)] = [("source_p_kw", totals.sourceKilowatts), ("source_q_kvar", totals.sourceKilovars),
                                         ("losses_kw", totals.lossesKilowatts), ("losses_kvar", totals.lossesKilovars)]
        for (key, ours) in pairs {
            let theirs = try #require(json[key] as? Double, "\(key) missing in \(totalsPath)")
            let relative = abs(ours - theirs) / max(abs(theirs), 1e-9)
            print("\(feeder): \(key) ours \(ours) OpenDSS \(theirs) relative error \(relative)")
            #expect(relative < tolerance, "\(key): \(ours) vs OpenDSS \(theirs)")
        }
    }
}

/// One test per element class added for the public test feeders (#10): Reactor in every form,
/// XfmrCode with three-winding transformers, every load model and rating form, switches — each against the
/// real OpenDSS (golden/elements, made by golden/elements/regenerate.py with dss-python).
@Suite struct ElementGoldenTests {
    static func check(_ name: String) throws {
        let folder = SharedData.packageRoot.appendingPathComponent("golden/elements/\(name)")
        try SnapshotGoldenTests.compare(
            feeder: folder.appendingPathComponent("Master.dss").path,
            nodeVoltages: folder.appendingPathComponent("snapshot/node_voltages.csv").path,
            totals: folder.appendingPathComponent("snapshot/totals.json").path,
            voltageTolerancePerUnit: 1e-8, totalsRelativeTolerance: 1e-7)
    }

    @Test func reactorsSeriesShuntMatricesSequenceMatchOpenDSS() throws { try Self.check("reactors") }

    /// A reactor rated 0 kvar has no finite reactance: refused, not solved as an open circuit.
    @Test func zeroKilovarReactorIsRefused() throws {
        let model = try FeederImporter.compile(script: "Clear\nNew Circuit.c\nNew Reactor.r bus1=sourcebus bus2=b kvar=0\n",
                                               baseDirectory: NSTemporaryDirectory())
        #expect(throws: PowerFlowError.self) { try PowerFlowSolver(model: model) }
    }
    @Test func xfmrCodeThreeWindingBankMatchesOpenDSS() throws { try Self.check("xfmrcode_three_winding") }
    @Test func everyLoadModelAndRatingFormMatchesOpenDSS() throws { try Self.check("load_models") }
    @Test func switchesWithUnitsAndPhasesAfterThemMatchOpenDSS() throws { try Self.check("switches") }
}
