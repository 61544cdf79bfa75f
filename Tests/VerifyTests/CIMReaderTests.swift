// The CIM100 reader on OpenDSS's own exports (counts and values checked against the source scripts)
// and on malformed documents (line and column reported, DOCTYPE refused).
import Testing
import TestSupport
import Feeder
@testable import Verify

@Suite struct CIMReaderTests {
    @Test func europeanLVExportMatchesTheFeeder() throws {
        guard let path = SharedData.path("golden/european_lv/snapshot/LVTest_CIM100x.xml") else { return }
        let network = try CIMNetwork(path: path)
        #expect(network.busNames.count == 907)          // 906 LV buses + sourcebus
        #expect(network.lines.count == 905)
        #expect(network.loads.count == 55)
        // Every load is 1 kW at pf 0.95 in Master.dss: q = 1 · tan(acos 0.95) = 0.328684 kvar.
        #expect(network.loads.allSatisfy { abs($0.kilowatts - 1) < 1e-9 && abs($0.kilovars - 0.32868411) < 1e-8 })
        let transformer = try #require(network.transformers.first)
        #expect(network.transformers.count == 1)
        #expect(transformer.ends.map(\.ratedKVA) == [800, 800])
        #expect(transformer.ends.map(\.ratedKV) == [11, 0.416])
        // LINE1 uses linecode 4c_70 (R1 0.446, X1 0.071, R0 1.505, X0 0.083 Ω/km) over 1.098 m.
        let line1 = try #require(network.lines.first { $0.name == "line1" })
        #expect(line1.lengthMeters == 1.098)
        #expect(line1.impedance == .sequence(r1OhmsPerMeter: 0.000446, x1OhmsPerMeter: 0.000071,
                                             r0OhmsPerMeter: 0.001505, x0OhmsPerMeter: 0.000083))
    }

    @Test func ieee13ExportHasPhaseMatricesAndRegulatorTanks() throws {
        guard let path = SharedData.path("golden/ieee13/snapshot/IEEE13Nodeckt_CIM100x.xml") else { return }
        let network = try CIMNetwork(path: path)
        #expect(network.busNames.count == 16)
        #expect(network.lines.count == 11)
        let regulators = network.transformers.filter { $0.name.hasPrefix("reg") }
        #expect(regulators.count == 3)
        #expect(regulators.allSatisfy { $0.ends.map(\.ratedKV) == [2.4, 2.4] && $0.ends[0].ratedKVA == 1666 })
        guard case .phase(let entries)? = network.lines.first(where: { $0.name == "650632" })?.impedance else {
            Issue.record("line 650632 has no phase impedance")
            return
        }
        #expect(entries.count == 6)  // lower triangle of a 3×3 matrix
    }

    @Test func doctypeIsRefusedWithItsPosition() {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE rdf:RDF [ <!ENTITY boom "boom"> ]>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>
            """
        do {
            _ = try CIMReader.read(text: text, file: "evil.xml")
            Issue.record("DOCTYPE accepted")
        } catch {
            #expect(error.file == "evil.xml")
            #expect(error.line == 2)
            #expect(error.message.contains("DOCTYPE"))
        }
    }

    @Test func malformedXMLReportsLineAndColumn() {
        let text = """
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cim="http://iec.ch/TC57/CIM100#">
            <cim:ACLineSegment rdf:about="urn:uuid:1">
              <cim:Conductor.length>1.5</cim:Conductor.lenth>
            </cim:ACLineSegment>
            </rdf:RDF>
            """
        do {
            _ = try CIMReader.read(text: text, file: "bad.xml")
            Issue.record("malformed XML accepted")
        } catch {
            #expect(error.line == 4)
            #expect(error.column > 0)
            #expect(error.description.hasPrefix("bad.xml:4:"))
        }
    }

    @Test func wellFormedObjectsAndReferencesAreRead() throws {
        let text = """
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cim="http://iec.ch/TC57/CIM100#">
            <cim:EnergyConsumer rdf:about="urn:uuid:AB">
              <cim:IdentifiedObject.name>load7</cim:IdentifiedObject.name>
              <cim:EnergyConsumer.p>2500</cim:EnergyConsumer.p>
              <cim:EnergyConsumer.q>-300.5</cim:EnergyConsumer.q>
              <cim:Equipment.EquipmentContainer rdf:resource="urn:uuid:CD"/>
            </cim:EnergyConsumer>
            </rdf:RDF>
            """
        let objects = try CIMReader.read(text: text, file: "ok.xml")
        #expect(objects.count == 1)
        #expect(objects[0].className == "EnergyConsumer" && objects[0].id == "AB" && objects[0].line == 3)
        #expect(objects[0].value("Equipment.EquipmentContainer") == .reference("CD"))
        #expect(try CIMNetwork(objects: objects).loads == [CIMLoad(name: "load7", kilowatts: 2.5, kilovars: -0.3005)])
    }

    @Test func missingFileIsAnError() {
        #expect(throws: XMLInputError.self) { try CIMReader.read(path: "/nonexistent.xml") }
    }
}

@Suite struct CIMCrossCheckTests {
    @Test(arguments: [("european_lv", "feeders/european_lv/Master.dss", "golden/european_lv/snapshot/LVTest_CIM100x.xml"),
                      ("ieee13", "feeders/ieee13/IEEE13Nodeckt.dss", "golden/ieee13/snapshot/IEEE13Nodeckt_CIM100x.xml"),
                      ("enerport", "feeders/enerport/M_summer.dss", "golden/enerport_summer/snapshot/LVTest_CIM100x.xml")])
    func importedModelAgreesWithOpenDSSsOwnExport(name: String, script: String, cim: String) throws {
        guard let scriptPath = SharedData.path(script), let cimPath = SharedData.path(cim) else { return }
        let model = try FeederImporter.compile(path: scriptPath)
        let checks = CIMCrossCheck.compare(model: model, network: try CIMNetwork(path: cimPath))
        for check in checks {
            #expect(check.passed, "\(name): \(check.name): \(check.summary) \(check.details)")
        }
    }

    @Test func aChangedImpedanceIsNamed() throws {
        guard let scriptPath = SharedData.path("feeders/european_lv/Master.dss"),
              let cimPath = SharedData.path("golden/european_lv/snapshot/LVTest_CIM100x.xml") else { return }
        var model = try FeederImporter.compile(path: scriptPath)
        let index = try #require(model.lineCodes.firstIndex { $0.name.lowercased() == "4c_70" })
        model.lineCodes[index].r1 *= 1.01
        let lines = try #require(CIMCrossCheck.compare(model: model, network: try CIMNetwork(path: cimPath)).first { $0.name == "CIM line impedances" })
        #expect(!lines.passed)
        #expect(lines.details.contains { $0.hasPrefix("line line1: r1 ") || $0.hasPrefix("line LINE1: r1 ") })
    }
}
