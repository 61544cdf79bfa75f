// Owns the tests of line-constants errors: unknown names, missing wires and inconsistent counts
// are reported with the element (and script location) at fault.
import Foundation
import Testing
@testable import Feeder

@Suite struct LineConstantsErrorTests {
    static let wires = """
    new wiredata.conductor Runits=mi Rac=0.306 GMRunits=ft GMRac=0.0244 Radunits=in Diam=0.721
    new wiredata.neutral Runits=mi Rac=0.592 GMRunits=ft GMRac=0.00814 Radunits=in Diam=0.563
    """

    func resolveError(_ script: String) throws -> String? {
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "deri")
        try builder.add(script: Self.wires + "\n" + script)
        do {
            try builder.model.resolveLineConstants()
            return nil
        } catch let error as FeederError {
            return error.description
        }
    }

    @Test func geometryNamingAnUnknownWireIsAnError() throws {
        let message = try #require(try resolveError("""
        new linegeometry.g nconds=2 nphases=1 cond=1 wire=conductor x=0 h=30 cond=2 wire=nosuchwire x=1 h=28
        new line.l1 geometry=g length=1 bus1=a bus2=b
        """))
        #expect(message.contains("LineGeometry.g") && message.contains("nosuchwire") && message.contains("WireData"))
        #expect(message.contains("line-constants-test:1"))
    }

    @Test func lineNamingAnUnknownGeometryIsAnError() throws {
        let message = try #require(try resolveError("new line.l1 geometry=nosuch length=1 bus1=a bus2=b"))
        #expect(message.contains("Line.l1") && message.contains("nosuch") && message.contains("LineGeometry"))
    }

    @Test func conductorWithoutAWireIsAnError() throws {
        let message = try #require(try resolveError("""
        new linegeometry.g nconds=2 nphases=2 cond=1 wire=conductor x=0 h=30 cond=2 x=1 h=28
        new line.l1 geometry=g length=1 bus1=a bus2=b
        """))
        #expect(message.contains("LineGeometry.g") && message.contains("conductor 2 has no wire"))
    }

    @Test func fewerConductorsThanPhasesIsAnErrorWithLocation() throws {
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "deri")
        do {
            try builder.add(script: "new linegeometry.g nconds=2 nphases=3")
            Issue.record("expected an error")
        } catch let error as FeederError {
            #expect(error.description.contains("line-constants-test:1") && error.description.contains("exceeds nconds"))
        }
        do {
            try builder.add(script: "new linegeometry.h nphases=3 nconds=2")
            Issue.record("expected an error")
        } catch let error as FeederError {
            #expect(error.description.contains("less than nphases"))
        }
    }

    @Test func wiresBeforeSpacingAndWrongWireCountAreErrors() throws {
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "deri")
        #expect(throws: FeederError.self) { try builder.add(script: "new line.l1 wires=[conductor] bus1=a bus2=b") }
        let message = try #require(try resolveError("""
        new linespacing.s nconds=4 nphases=3 x=[-4 -1.5 3 0] h=[28 28 28 24] units=ft
        new line.l1 spacing=s wires=[conductor conductor conductor] length=1 bus1=a bus2=b
        """))
        #expect(message.contains("Line.l1") && message.contains("4 conductors"))
    }

    @Test func overlappingConductorsAndGroundLevelWiresAreErrors() throws {
        let overlap = try #require(try resolveError("""
        new linegeometry.g nconds=2 nphases=2 cond=1 wire=conductor x=0 h=30 cond=2 wire=conductor x=0 h=30
        new line.l1 geometry=g length=1 bus1=a bus2=b
        """))
        #expect(overlap.contains("occupy the same space"))
        let ground = try #require(try resolveError("""
        new linegeometry.g nconds=1 nphases=1 cond=1 wire=conductor x=0 h=0
        new line.l1 geometry=g length=1 bus1=a bus2=b
        """))
        #expect(ground.contains("height must be > 0"))
    }

    @Test func phasesDifferentFromTheGeometryIsAnError() throws {
        let message = try #require(try resolveError("""
        new linegeometry.g nconds=2 nphases=1 reduce=yes cond=1 wire=conductor x=0 h=30 cond=2 wire=neutral x=1 h=28
        new line.l1 geometry=g phases=3 length=1 bus1=a bus2=b
        """))
        #expect(message.contains("phases=3"))
        #expect(try resolveError("""
        new linegeometry.g nconds=2 nphases=1 reduce=yes cond=1 wire=conductor x=0 h=30 cond=2 wire=neutral x=1 h=28
        new line.l1 geometry=g phases=1 length=1 bus1=a bus2=b
        """) == nil)
    }

    @Test func lineCodeKronOutOfRangeNeutralIsAnError() throws {
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "deri")
        #expect(throws: FeederError.self) { try builder.add(script: "new linecode.k nphases=2 neutral=3") }
    }
}
