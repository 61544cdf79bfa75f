// Owns the import tests on the shared OpenDSS feeders (European LV, IEEE 13, EnerPort summer/winter).
import Testing
import TestSupport
@testable import Feeder

@Suite struct SharedFeederImportTests {
    @Test func europeanLVCompiles() throws {
        guard let path = SharedData.path("feeders/european_lv/Master.dss") else { return }
        let model = try FeederImporter.compile(path: path)
        #expect(model.circuitName == "lvtest")
        #expect(model.lines.count == 905)
        #expect(model.loads.count == 55)
        #expect(model.transformers.count == 1)
        #expect(model.loadShapes.count == 55)
        #expect(model.loadShapes[0].multipliers.count == 1440)
        #expect(model.loadShapes.allSatisfy { !$0.useActual })
        #expect(model.baseFrequencyHertz == 50)
        #expect(model.voltageBasesKilovolts == [11, 0.416])
        #expect(model.vsources[0].baseKilovolts == 11)
        #expect(model.vsources[0].shortCircuitAmps1 == 5)
        #expect(model.monitors.count == 2)
        #expect(model.energyMeters.count == 1 && model.energyMeters[0].element == "line.line1" && model.energyMeters[0].terminal == 1)
        #expect(model.busCoordinates.count == 906)
        #expect(model.transformers[0].windings[0].connection == .delta)
        #expect(model.transformers[0].windings[1].kilovolts == 0.416)
        #expect(model.solveCommandCount == 1)
    }

    @Test func ieee13Compiles() throws {
        guard let path = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss") else { return }
        let model = try FeederImporter.compile(path: path)
        #expect(model.transformers.count == 5)
        let sub = model.transformers[0]
        #expect(abs(sub.xhlPercent - 0.008) < 1e-15)
        #expect(abs(sub.windings[1].resistancePercent - 0.0005) < 1e-15)
        #expect(model.regControls.count == 3)
        #expect(model.regControls[0].voltageSetting == 122 && model.regControls[0].ldcReactance == 9)
        let mtx601 = try #require(model.lineCode(named: "mtx601"))
        #expect(mtx601.rMatrix?[1] == 0.1560 && mtx601.rMatrix?[3] == 0.1560 && mtx601.units == .mi)
        #expect(model.loads.count == 15)
        #expect(model.capacitors.count == 2)
        let sw = try #require(model.lines.first { $0.name == "671692" })
        #expect(sw.isSwitch && sw.r1 == 1e-4 && sw.x1 == 0 && sw.length == 0.001)
        #expect(model.vsources[0].angleDegrees == 30 && model.vsources[0].perUnit == 1.0001)
    }

    @Test(arguments: ["M_summer.dss", "M_winter.dss"])
    func enerportCompiles(_ file: String) throws {
        guard let path = SharedData.path("feeders/enerport/" + file) else { return }
        let model = try FeederImporter.compile(path: path)
        #expect(model.loads.count == 110)
        #expect(model.generators.count == 55)
        #expect(model.transformers.count == 2)
        #expect(model.transformers[0].windings[0].bus.name == "sourcebus2")
        let abc = try #require(model.lineCode(named: "abc"))
        #expect(abc.units == .km && abc.r0 == 0.1784)
        let load1 = try #require(model.loads.first { $0.name == "load1" })
        #expect(load1.model == 8 && load1.zipv == [0, 0, 1, 0, 0, 1, 0.8] && load1.voltageMinPerUnit == 0.8)
        #expect(model.loads[0].name == "ev1")
        #expect(model.monitors.count == 5)
        #expect(model.energyMeters.count == 3)
    }
}
