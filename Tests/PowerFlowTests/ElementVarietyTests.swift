// Owns a check of less common elements against OpenDSS (node voltages from dss-python 0.15.7 on
// the script below): a 1-phase 3-winding center-tap transformer with 120/240 V loads, a 3-winding
// wye-wye-delta transformer with no-load losses and magnetizing current, a 2-phase delta load and
// a 3-phase generator with a power factor.
import Foundation
import Kernel
import Testing
import Feeder
@testable import PowerFlow

@Suite struct ElementVarietyTests {
    /// The circuit both scripts share.
    static let circuit = """
    Clear
    New Circuit.Misc basekv=12.47 pu=1.02 mvasc3=200 mvasc1=150
    New LineCode.oh nphases=3 r1=0.306 x1=0.627 r0=0.592 x0=1.81 c1=10 c0=4 units=mi
    New Line.F1 sourcebus n1 oh 0.8 units=mi
    New Transformer.CT phases=1 windings=3 buses=[n1.2 s1.1.0 s1.0.2] conns=[wye wye wye] kvs=[7.2 0.12 0.12] kvas=[50 50 50] %rs=[0.6 1.2 1.2] xhl=2.04 xht=2.04 xlt=1.36
    New Load.H240 bus1=s1.1.2 phases=1 kv=0.24 kw=6 pf=0.92
    New Load.H120a bus1=s1.1 phases=1 kv=0.12 kw=1.5 pf=0.95 model=2
    New Load.H120b bus1=s1.2 phases=1 kv=0.12 kw=1 pf=0.95
    New Generator.G2 bus1=n1 phases=3 kv=12.47 kw=300 pf=0.9
    New Load.D2 bus1=n1.1.2.3 phases=2 conn=delta kv=12.47 kw=120 kvar=40
    New Transformer.T3 phases=3 windings=3 buses=[n1 lv3 mv3] conns=[wye wye delta] kvs=[12.47 0.48 4.16] kvas=[500 300 200] xhl=5 xht=6 xlt=4 %loadloss=1 %noloadloss=0.2 %imag=1
    New Load.L3 bus1=lv3 phases=3 kv=0.48 kw=150 pf=0.9
    New Load.M3 bus1=mv3 phases=3 kv=4.16 kw=90 pf=0.85 conn=delta
    """

    static let script = circuit + """

    Set voltagebases=[12.47 0.24 0.48 4.16]
    Calcvoltagebases
    """

    /// Source sequence impedances in ohms as OpenDSS reports them (dss-python, basekv=11).
    @Test func sourceImpedancesMatchOpenDSS() {
        func check(_ edit: (inout VoltageSource) -> Void, _ expected: (Double, Double, Double, Double)) {
            var v = VoltageSource(name: "source")
            v.baseKilovolts = 11
            edit(&v)
            let z = Primitives.sourceSequenceOhms(v)
            for (a, b) in [(z.0, expected.0), (z.1, expected.1), (z.2, expected.2), (z.3, expected.3)] {
                #expect(abs(a - b) < 1e-6 * max(1, abs(b)), "\(z) vs \(expected)")
            }
        }
        check({ $0.r1 = 0.5; $0.x1 = 2; $0.r0 = 1; $0.x0 = 4; $0.impedanceSpec = .ohms }, (0.5, 2, 1, 4))
        check({ $0.r1 = 0.5; $0.x1 = 2; $0.impedanceSpec = .ohms }, (0.5, 2, 1.796036, 5.388107))
        check({ $0.shortCircuitMVA3 = 100; $0.shortCircuitMVA1 = 80; $0.x1r1 = 6; $0.x0r0 = 2 }, (0.198923, 1.193537, 0.969718, 1.939435))
    }

    /// The same circuit plus wye-delta, delta-delta (off-nominal tap) and delta-wye transformers
    /// feeding delta and line-to-line loads; the ungrounded deltas float on OpenDSS's 1 ppm admittances.
    static let script2 = circuit + """

    New Transformer.T4 phases=3 windings=2 buses=[n1 dl4] conns=[wye delta] kvs=[12.47 0.48] kvas=[150 150] xhl=3.5 %loadloss=1.5
    New Load.L4 bus1=dl4 phases=3 kv=0.48 kw=60 pf=0.9 conn=delta
    New Transformer.T5 phases=3 windings=2 buses=[n1 dd5] conns=[delta delta] kvs=[12.47 4.16] kvas=[200 200] xhl=4 %loadloss=1 taps=[1 0.975]
    New Load.L5 bus1=dd5 phases=3 kv=4.16 kw=80 kvar=30 conn=delta
    New Transformer.T6 phases=3 windings=2 buses=[dd5 wy6] conns=[delta wye] kvs=[4.16 0.416] kvas=[75 75] xhl=4
    New Load.L6a bus1=wy6.1 phases=1 kv=0.24 kw=10 pf=0.95
    New Load.L6b bus1=wy6.2.3 phases=1 kv=0.416 kw=8 pf=0.9 conn=delta
    Set voltagebases=[12.47 0.24 0.48 4.16 0.416]
    Calcvoltagebases
    """

    static let expected2: [(String, Double, Double, Double)] = [
            ("sourcebus.1", 7.199557856794634, 7340.181136458813, -6.626320366755685),
            ("sourcebus.2", 7.199557856794634, -3676.2503465214936, -6348.594274098502),
            ("sourcebus.3", 7.199557856794634, -3664.509718143085, 6356.676866212619),
            ("n1.1", 7.199557856794634, 7336.695044821614, -10.670956568652038),
            ("n1.2", 7.199557856794634, -3677.862047253877, -6340.020924849592),
            ("n1.3", 7.199557856794634, -3659.986316875497, 6353.56957743614),
            ("s1.1", 0.13856406460551018, -61.31751324268401, -105.20632692520378),
            ("s1.2", 0.13856406460551018, 61.32356976677601, 105.22402486682738),
            ("lv3.1", 0.27712812921102037, 277.99929403997, -5.671478611734364),
            ("lv3.2", 0.27712812921102037, -143.890239666531, -237.61782674768128),
            ("lv3.3", 0.27712812921102037, -134.12653230346984, 243.33879254406696),
            ("mv3.1", 2.4017771198288433, 2062.9283517924177, -1247.8933336053858),
            ("mv3.2", 2.4017771198288433, -2113.0600657394953, -1160.300955102852),
            ("mv3.3", 2.4017771198288433, 50.13171734740912, 2408.194291449625),
            ("dl4.1", 0.27712812921102037, 239.79688437190956, -142.26630878859683),
            ("dl4.2", 0.27712812921102037, -243.2074036989353, -136.27179662214965),
            ("dl4.3", 0.27712812921102037, 3.4105198947883943, 278.53810555125415),
            ("dd5.1", 2.4017771198288433, 2355.9869021806508, -44.986349004165106),
            ("dd5.2", 2.4017771198288433, -1215.7600676696673, -2016.9804850848454),
            ("dd5.3", 2.4017771198288433, -1140.226823719825, 2061.9668361700856),
            ("wy6.1", 0.24017771198288432, 198.3978041453953, -123.98431676436853),
            ("wy6.2", 0.24017771198288432, -207.13363785558386, -112.04072080774962),
            ("wy6.3", 0.24017771198288432, 5.279648070063226, 233.68571683417102),
    ]

    @Test(arguments: [true, false])
    func moreTransformerConnectionsMatchOpenDSS(reduced: Bool) throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script2, name: "misc2.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        solver.settings.reducedIteration = reduced
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        #expect(solver.network.nodeCount == Self.expected2.count)
        let v = solver.voltages
        for (i, (name, baseKV, re, im)) in Self.expected2.enumerated() where i < v.count {
            #expect(solver.network.nodeName(i) == name)
            #expect((v[i] - CDouble(re, im)).length / (baseKV * 1000) < 1e-7, "\(name)")
        }
    }

    /// OpenDSS's `Export Losses` of `script2` at tolerance 1e-10 (dss-python 0.15.7): T3's no-load
    /// branch (%noloadloss=0.2, %imag=1) is split from its series losses; the others have none.
    static let expectedLosses2 = """
    Element,  Total(W), Total(var),  I2R(W), I2X(var), No-load(W), No-load(var)
    Line.F1, 105.4137, -270.6857, 105.4137, -270.6857, 0, 0
    Transformer.CT, 19.7343, 28.02751, 19.7343, 28.02751, 0, 0
    Transformer.T3, 2091.208, 11725.89, 1085.626, 6697.984, 1005.582, 5027.91
    Transformer.T4, 439.4095, 1025.417, 439.4095, 1025.417, 0, 0
    Transformer.T5, 544.1479, 2176.725, 544.1479, 2176.725, 0, 0
    Transformer.T6, 27.54305, 275.4902, 27.54305, 275.4902, 0, 0
    """

    /// Element powers at the solved voltages, as OpenDSS reports them (kW, kvar; dss-python,
    /// tolerance 1e-10): the constant-impedance H120a draws more than its 1.5 kW nameplate.
    @Test func solvedPowersMatchOpenDSS() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script2, name: "misc2.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        let expected: [(String, Double, Double)] = [
            ("Load.H240", 6.0, 2.5559892968172218), ("Load.H120a", 1.5446050682666255, 0.507687134717951),
            ("Load.H120b", 1.0, 0.32868410517886193), ("Load.D2", 120.0, 40.0),
            ("Generator.G2", -300.0, -145.2966314513554), ("Load.L6b", 8.0, 3.874576838702549),
        ]
        for (name, kilowatts, kilovars) in expected {
            let solved = try solver.solvedPower(named: name)
            #expect(abs(solved.kilowatts - kilowatts) < 1e-6 * max(1, abs(kilowatts)), "\(name): \(solved)")
            #expect(abs(solved.kilovars - kilovars) < 1e-6 * max(1, abs(kilovars)), "\(name): \(solved)")
        }
        #expect(try solver.scheduledPower(named: "Load.H120a").kilowatts == 1.5)
        #expect(throws: PowerFlowError.self) { try solver.solvedPower(named: "Load.nope") }
    }

    @Test func lossesSplitNoLoadLikeOpenDSS() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script2, name: "misc2.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        func rows(_ text: String) -> [[String]] {
            text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        }
        let ours = rows(OpenDSSExports.lossesCSV(solver)), theirs = rows(Self.expectedLosses2)
        #expect(ours.map { $0[0] } == theirs.map { $0[0] })
        // Within the file's printed precision (7 significant digits).
        for (a, b) in zip(ours, theirs) {
            for (x, y) in zip(a.dropFirst().compactMap(Double.init), b.dropFirst().compactMap(Double.init)) {
                #expect(abs(x - y) <= 1e-6 * max(1, abs(y)), "\(a[0]): \(x) vs \(y)")
            }
            #expect(a.count == 7 && b.count == 7)
        }
    }

    @Test(arguments: [true, false])
    func voltagesMatchOpenDSS(reduced: Bool) throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script, name: "misc.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        solver.settings.reducedIteration = reduced
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        let expected: [(String, Double, Double, Double)] = [
            ("sourcebus.1", 7.199557856794634, 7343.990542435462, -1.708635522521037),
            ("sourcebus.2", 7.199557856794634, -3674.014809522747, -6354.2134238497765),
            ("sourcebus.3", 7.199557856794634, -3670.6064414223906, 6357.469225461381),
            ("n1.1", 7.199557856794634, 7343.902776744655, -2.8617106798442484),
            ("n1.2", 7.199557856794634, -3674.9032259558207, -6349.913432548539),
            ("n1.3", 7.199557856794634, -3670.2558074455173, 6355.832366551408),
            ("s1.1", 0.13856406460551018, -61.26865445264753, -105.37146637363406),
            ("s1.2", 0.13856406460551018, 61.27472012924108, 105.3892507477),
            ("lv3.1", 0.27712812921102037, 278.28734078619266, -5.371796086038373),
            ("lv3.2", 0.27712812921102037, -143.78007470058117, -238.00868262790874),
            ("lv3.3", 0.27712812921102037, -134.5263726971774, 243.43282665582882),
            ("mv3.1", 2.4017771198288433, 2066.3722181597846, -1246.8620265923687),
            ("mv3.2", 2.4017771198288433, -2113.949147028026, -1163.7590386410304),
            ("mv3.3", 2.4017771198288433, 47.57693231735485, 2410.6210677970003),
        ]
        #expect(solver.network.nodeCount == expected.count)
        let v = solver.voltages
        for (i, (name, baseKV, re, im)) in expected.enumerated() where i < v.count {
            #expect(solver.network.nodeName(i) == name)
            #expect(abs(solver.nodeBaseVolts[i] - baseKV * 1000) < 1e-6 * baseKV * 1000, "\(name) base")
            #expect((v[i] - CDouble(re, im)).length / (baseKV * 1000) < 1e-8, "\(name)")
        }
    }

    /// A delta capacitor, a 1-phase capacitor, a 2-phase wye load and a constant-Z 3-phase load.
    static let script3 = """
    Clear
    New Circuit.C basekv=12.47 pu=1.0 mvasc3=200 mvasc1=150
    New LineCode.seq nphases=3 r1=0.306 x1=0.627 r0=0.592 x0=1.81 c1=10 c0=4 units=mi
    New Line.F1 sourcebus n1 seq 0.8 units=mi
    New Capacitor.CD bus1=n1 phases=3 kvar=450 kv=12.47 conn=delta
    New Capacitor.C1 bus1=n1.2 phases=1 kvar=100 kv=7.2
    New Load.W2 bus1=n1.1.3 phases=2 kv=12.47 kw=200 pf=0.9
    New Load.W3 bus1=n1 phases=3 kv=12.47 kw=300 pf=0.85 model=2
    Set voltagebases=[12.47]
    Calcvoltagebases
    """

    @Test func deltaCapacitorAndTwoPhaseWyeLoadMatchOpenDSS() throws {
        let solver = try PowerFlowSolver(model: FeederImporter.compile(script: Self.script3, name: "cap.dss", baseDirectory: "/tmp"))
        solver.settings.tolerance = 1e-10
        var log = EventLog(isEnabled: false)
        #expect(try solver.solve(log: &log).converged)
        let expected: [(String, Double, Double)] = [
            ("n1.1", 7190.62298329386, -51.17510433220432),
            ("n1.2", -3641.8702425301376, -6257.685778743033),
            ("n1.3", -3568.406619251625, 6235.083095190168),
        ]
        let v = solver.voltages
        for (name, re, im) in expected {
            let i = try #require(solver.network.nodes.indices.first { solver.network.nodeName($0) == name })
            #expect((v[i] - CDouble(re, im)).length / 7199.56 < 1e-8, "\(name)")
        }
        let w2 = try #require(solver.conversionIndex(named: "Load.w2"))
        #expect(abs(solver.conversionPower(w2).real / 1000 - 200) < 1e-6)
    }
}
