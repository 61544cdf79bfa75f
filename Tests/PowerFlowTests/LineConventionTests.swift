// Owns the checks of OpenDSS's line conventions (values from dss-python 0.15.7): a single-phase
// line given by sequence data is Z1 and C1; a 2-phase one uses Zs/Zm; a matrix code without a C
// matrix keeps the default sequence capacitances; phases= after linecode= overrides the code.
import Testing
import Feeder
@testable import PowerFlow

@Suite struct LineConventionTests {
    static let script = """
    New Circuit.x basekv=12.47
    New LineCode.one nphases=1 r1=0.3 x1=0.6 r0=0.9 x0=1.8 c1=10 c0=4 units=none
    New LineCode.three nphases=3 r1=0.3 x1=0.6 r0=0.9 x0=1.8 c1=10 c0=4 units=none
    New LineCode.mtx nphases=1 rmatrix=[0.5] xmatrix=[0.7] units=none
    New Line.a bus1=sourcebus.1 bus2=x.1 linecode=one length=1
    New Line.b bus1=sourcebus.1 bus2=y.1 linecode=three phases=1 length=1
    New Line.c bus1=sourcebus.1 bus2=z.1 phases=1 r1=0.3 x1=0.6 r0=0.9 x0=1.8 c1=10 c0=4 length=1
    New Line.d bus1=sourcebus.1.2 bus2=w.1.2 linecode=three phases=2 length=1
    New Line.e bus1=sourcebus.1 bus2=v.1 linecode=mtx length=1
    """

    @Test func seriesImpedanceAndChargingAsOpenDSS() throws {
        let model = try FeederImporter.compile(script: Self.script, name: "lines.dss", baseDirectory: "/tmp")
        let omega = 2 * Double.pi * 60
        func primitive(_ name: String) throws -> DenseComplexMatrix {
            let line = try #require(model.lines.first { $0.name == name })
            return try Primitives.line(line, code: line.lineCode.flatMap { model.lineCode(named: $0) }, frequencyHertz: 60)
        }
        for (name, z, cNanofarads) in [("a", CDouble(0.3, 0.6), 10.0), ("b", CDouble(0.3, 0.6), 10.0),
                                       ("c", CDouble(0.3, 0.6), 10.0), ("e", CDouble(0.5, 0.7), 2.8)] {
            let y = try primitive(name)
            #expect(y.order == 2, "\(name)")
            // The series admittance is −Yprim[0,1], so Yprim[0,1]·Z = −1.
            #expect((y[0, 1] * z + CDouble(1, 0)).length < 1e-12, "\(name) series")
            #expect(abs((y[0, 0] + y[0, 1]).imaginary * 2 / omega * 1e9 - cNanofarads) < 1e-9, "\(name) shunt")
        }
        let d = try primitive("d")
        #expect(d.order == 4)
        // Zs = (2 Z1 + Z0)/3 = 0.5 + 1j, Zm = (Z0 − Z1)/3 = 0.2 + 0.4j.
        var series = DenseComplexMatrix(order: 2)
        for i in 0..<2 { for j in 0..<2 { series[i, j] = -d[i, 2 + j] } }
        let z = try #require(series.inverted())
        #expect((z[0, 0] - CDouble(0.5, 1)).length < 1e-12 && (z[0, 1] - CDouble(0.2, 0.4)).length < 1e-12)
    }
}
