// Owns the CIM inputs that trapped the reader (issue #15; the `cim` fuzz target of scripts/fuzz.sh
// runs the same path, RELIABILITY.md): each is refused with an error naming file and line.
import Testing
@testable import Verify

@Suite struct FuzzRegressionTests {
    /// A phase-impedance entry (object on line 4) and a transformer end (line 11) whose indices are `row` / `end`.
    static func document(row: String, end: String) -> String {
        """
        <?xml version="1.0"?>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cim="http://iec.ch/TC57/CIM100#">
        <cim:PerLengthPhaseImpedance rdf:about="urn:uuid:Z"><cim:IdentifiedObject.name>z</cim:IdentifiedObject.name></cim:PerLengthPhaseImpedance>
        <cim:PhaseImpedanceData rdf:about="urn:uuid:D">
          <cim:PhaseImpedanceData.PhaseImpedance rdf:resource="urn:uuid:Z"/>
          <cim:PhaseImpedanceData.row>\(row)</cim:PhaseImpedanceData.row>
          <cim:PhaseImpedanceData.column>1</cim:PhaseImpedanceData.column>
        </cim:PhaseImpedanceData>
        <cim:ACLineSegment rdf:about="urn:uuid:L"><cim:ACLineSegment.PerLengthImpedance rdf:resource="urn:uuid:Z"/></cim:ACLineSegment>
        <cim:PowerTransformer rdf:about="urn:uuid:T"><cim:IdentifiedObject.name>t</cim:IdentifiedObject.name></cim:PowerTransformer>
        <cim:PowerTransformerEnd rdf:about="urn:uuid:E">
          <cim:PowerTransformerEnd.PowerTransformer rdf:resource="urn:uuid:T"/>
          <cim:TransformerEnd.endNumber>\(end)</cim:TransformerEnd.endNumber>
        </cim:PowerTransformerEnd>
        </rdf:RDF>
        """
    }

    @Test(arguments: ["1e23", "-1", "1.5", "nan", "inf", "1001"])
    func phaseMatrixRowOutOfRangeIsALocatedError(row: String) throws {
        let objects = try CIMReader.read(text: Self.document(row: row, end: "1"), file: "row.xml")
        let error = try #require(throws: XMLInputError.self) { try CIMNetwork(objects: objects, file: "row.xml") }
        #expect(error.file == "row.xml" && error.line == 4)
        #expect(error.message == "PhaseImpedanceData.row of PhaseImpedanceData D is \(row), not a whole number in 0…1000")
    }

    @Test(arguments: ["1e300", "-2", "nan"])
    func windingEndNumberOutOfRangeIsALocatedError(end: String) throws {
        let objects = try CIMReader.read(text: Self.document(row: "1", end: end), file: "end.xml")
        let error = try #require(throws: XMLInputError.self) { try CIMNetwork(objects: objects, file: "end.xml") }
        #expect(error.file == "end.xml" && error.line == 11)
        #expect(error.message == "TransformerEnd.endNumber of PowerTransformerEnd E is \(end), not a whole number in 0…1000")
    }

    @Test func indicesInRangeAreRead() throws {
        let network = try CIMNetwork(objects: try CIMReader.read(text: Self.document(row: "3", end: "2"), file: "ok.xml"))
        #expect(network.lines.first?.impedance == .phase(entries: [(row: 3, column: 1, rOhmsPerMeter: 0, xOhmsPerMeter: 0)]))
        #expect(network.transformers.first?.ends.map(\.endNumber) == [2])
    }
}
