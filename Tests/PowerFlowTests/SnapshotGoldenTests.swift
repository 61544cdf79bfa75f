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

@Suite struct SnapshotGoldenTests {
    static let cases: [(feeder: String, golden: String)] = [
        ("feeders/european_lv/Master.dss", "golden/european_lv/snapshot/node_voltages.csv"),
        ("feeders/ieee13/IEEE13Nodeckt.dss", "golden/ieee13/snapshot/node_voltages.csv"),
        ("feeders/enerport/M_summer.dss", "golden/enerport_summer/snapshot/node_voltages.csv"),
        ("feeders/enerport/M_winter.dss", "golden/enerport_winter/snapshot/node_voltages.csv"),
    ]

    @Test(arguments: cases.indices)
    func nodeVoltagesMatchOpenDSS(_ index: Int) throws {
        let c = Self.cases[index]
        guard let feeder = SharedData.path(c.feeder), let goldenPath = SharedData.path(c.golden) else { return }
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
        for (i, g) in golden.enumerated() where i < network.nodeCount {
            let node = network.nodes[i]
            let bus = network.buses[node.bus]
            if !(bus.name == g.bus && node.number == g.node) { Issue.record("node \(i): \(bus.name).\(node.number) vs \(g.bus).\(g.node)"); break }
            let baseVolts = g.baseKilovolts * 1000
            let v = solver.voltages[i]
            let err = ((v.real - g.re) * (v.real - g.re) + (v.imaginary - g.im) * (v.imaginary - g.im)).squareRoot() / baseVolts
            if err > worst { worst = err; worstNode = "\(g.bus).\(g.node)" }
            worstBase = max(worstBase, abs(bus.baseKilovoltsLineToNeutral - g.baseKilovolts) / g.baseKilovolts)
        }
        print("\(c.feeder): iterations \(outcome.iterations) control \(outcome.controlIterations) worst |dV| \(worst) pu at \(worstNode)")
        #expect(worst < 1e-8, "worst complex voltage error \(worst) pu at \(worstNode)")
        #expect(worstBase < 1e-9)
    }
}
