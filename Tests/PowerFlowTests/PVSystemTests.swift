// Owns the check of the simple PVSystem model against OpenDSS (values from dss-python 0.15.7 on
// the script below): P = Pmpp × irradiance; kvar from the pf on that power; P reduced to the kVA.
import Foundation
import Kernel
import Testing
import Feeder
@testable import PowerFlow

@Suite struct PVSystemTests {
    static let script = """
    Clear
    Set DefaultBaseFrequency=50
    New Circuit.PV basekv=11 pu=1.0 isc3=3000 isc1=2000
    New Transformer.TX buses=[sourcebus lv] conns=[delta wye] kvs=[11 0.416] kvas=[100 100] xhl=4
    New LineCode.c nphases=3 r1=0.3 x1=0.08 r0=1.2 x0=0.3 c1=0 c0=0 units=km
    New Line.L1 lv b1 c 300 units=m
    New Load.H1 bus1=b1.1 phases=1 kv=0.24 kw=2 pf=0.95
    New PVSystem.P1 bus1=b1.1 phases=1 kv=0.24 pmpp=5 kva=5 irradiance=0.8 pf=1
    New PVSystem.P2 bus1=b1.2 phases=1 kv=0.24 pmpp=4 kva=3.5 irradiance=1 pf=0.95
    Set voltagebases=[11 0.416]
    Calcvoltagebases
    """

    @Test func outputsAndVoltagesMatchOpenDSS() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script, name: "pv.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        let p1 = try #require(solver.conversionIndex(named: "PVSystem.p1"))
        let p2 = try #require(solver.conversionIndex(named: "PVSystem.p2"))
        let s1 = solver.conversionPower(p1) / 1000, s2 = solver.conversionPower(p2) / 1000
        #expect(abs(s1.real + 4) < 1e-9 && abs(s1.imaginary) < 1e-9)
        #expect(abs(s2.real + 3.2436812642658905) < 1e-9 && abs(s2.imaginary + 1.3147364207244832) < 1e-9)
        let expected: [(String, Double, Double)] = [
            ("b1.1", 208.57512372555115, -119.90122936662901),
            ("b1.2", -209.62995915390863, -122.1251264928212),
            ("b1.3", -0.4322950358977604, 239.71460781624455),
        ]
        let v = solver.voltages
        for (name, re, im) in expected {
            let i = try #require(solver.network.nodes.indices.first { solver.network.nodeName($0) == name })
            #expect((v[i] - CDouble(re, im)).length / 240.177711983 < 1e-8, "\(name)")
        }
    }
}
