// Owns the tests of OpenDSS syntax handling and of malformed-script errors (with file:line).
import Foundation
import Testing
@testable import Feeder

@Suite struct ScriptSyntaxTests {
    static let header = """
    Clear
    Set DefaultBaseFrequency=50
    New Circuit.t basekv=11 pu=1.02 isc3=3000 isc1=5
    """

    func compile(_ body: String) throws -> FeederModel {
        try FeederImporter.compile(script: Self.header + "\n" + body, name: "t.dss", baseDirectory: NSTemporaryDirectory())
    }

    func expectError(_ body: String, line: Int, contains text: String) {
        do {
            _ = try compile(body)
            Issue.record("expected an error containing '\(text)'")
        } catch let error as FeederError {
            #expect(error.description.contains("t.dss:\(line)"), "\(error)")
            #expect(error.description.contains(text), "\(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func syntaxVariants() throws {
        let model = try compile("""
        new linecode.LC nphases=2 units=KM rmatrix=[0.3 | 0.1 0.3] xmatrix=(0.2 0.05 0.2) ! comment
        New Line.A bus1=X.1.2 bus2=Y.1.2 LINEcode=lc len=100 un=m   // trailing comment
        New Line.B X.1.2 Z.1.2 lc 0.5 units=km
        New Line.C like=B bus2=W.1.2
        /* block
        New Line.Ignored bus1=a bus2=b
        */
        new object=Load.L1 phases=1 bus1=Y.2 kV=0.23 kW=2 PF=0.9 model=8 ZIPV=(0.2,0.3,0.5,0.1,0.2,0.7,0.8)
        Load.L1.vminpu=.85
        New Transformer.T phases=3 windings=2 XHL=(8 1000 /)
        ~ wdg=1 bus=sourcebus conn=delta kv=11 kva=100 %r=(.5 1000 /)
        ~ wdg=2 bus=X conn=wye kv=0.416 kva=100 %r=.5
        BatchEdit Load..* vmaxpu=1.1
        Set voltagebases="11, .416" mode=yearly stepsize=5m number=288 tol=1e-8
        calcv
        """)
        let lc = try #require(model.lineCode(named: "lc"))
        #expect(lc.units == .km && lc.rMatrix == [0.3, 0.1, 0.1, 0.3] && lc.xMatrix == [0.2, 0.05, 0.05, 0.2])
        #expect(model.lines.map(\.name) == ["a", "b", "c"])
        #expect(model.lines[0].length == 100 && model.lines[0].units == .m && model.lines[0].bus1 == BusSpec(name: "x", nodes: [1, 2]))
        #expect(model.lines[1].lineCode == "lc" && model.lines[1].length == 0.5 && model.lines[1].bus2.name == "z")
        #expect(model.lines[2].length == 0.5 && model.lines[2].bus2.name == "w" && model.lines[2].bus1.name == "x")
        let load = model.loads[0]
        #expect(load.voltageMinPerUnit == 0.85 && load.voltageMaxPerUnit == 1.1 && load.zipv?.count == 7)
        let t = model.transformers[0]
        #expect(abs(t.xhlPercent - 0.008) < 1e-15 && abs(t.windings[0].resistancePercent - 0.0005) < 1e-15)
        #expect(t.windings[0].connection == .delta && t.windings[1].bus.name == "x")
        #expect(model.voltageBasesKilovolts == [11, 0.416])
        #expect(model.options.mode == .yearly && model.options.stepSizeSeconds == 300 && model.options.numberOfSteps == 288)
        #expect(model.options.tolerance == 1e-8)
        #expect(model.baseFrequencyHertz == 50 && model.vsources[0].perUnit == 1.02)
    }

    /// The lexer scans UTF-8 bytes: line breaks of every kind count once, and non-ASCII text in
    /// names, quotes and comments is kept whole.
    @Test func lineBreaksAndNonASCIIText() throws {
        #expect(scriptLines("a\r\nb\rc\nd\u{2028}e\u{85}f\u{0C}g\n") == ["a", "b", "c", "d", "e", "f", "g", ""])
        #expect(scriptLines("a\r\nb") == "a\r\nb".split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init))
        #expect(ScriptInterpreter.stripComment("New Line.é bus1=\"x!y\" ! café") == "New Line.é bus1=\"x!y\"")
        #expect(ScriptInterpreter.stripComment("a=(1 // 2) // b") == "a=(1 // 2)")
        let parameters = try ScriptLexer.split("New Line.Zürich bus1=Ä.1 note=\"naïve, ok\" r=[1 2]",
                                               at: ScriptLocation(file: "t.dss", line: 1))
        #expect(parameters == [ScriptParameter(name: nil, value: "New"), ScriptParameter(name: nil, value: "Line.Zürich"),
                               ScriptParameter(name: "bus1", value: "Ä.1"), ScriptParameter(name: "note", value: "naïve, ok"),
                               ScriptParameter(name: "r", value: "1 2")])
        let model = try compile("New Linecode.LC nphases=1 r1=0.1 x1=0.1 units=km\r\nNew Line.Brücke bus1=Ä bus2=Ö linecode=LC len=1\r\n")
        #expect(model.lines.map(\.name) == ["brücke"] && model.lines[0].bus1.name == "ä")
        expectError("New Line.A bus1=x bus2=y\r\nNew Line.B bus1=(x\r\n", line: 5, contains: "unterminated '('")
    }

    @Test func openAndCloseSwitchLines() throws {
        let model = try compile("New Line.sw bus1=a bus2=b switch=y\nOpen Line.sw 1\nNew Line.s2 bus1=a bus2=c switch=y\nOpen Line.s2\nClose Line.s2")
        #expect(model.lines[0].enabled == false && model.lines[1].enabled == true)
    }

    @Test func unknownCommandIsAnError() {
        expectError("Frobnicate now", line: 4, contains: "unknown command 'Frobnicate'")
    }

    @Test func unknownClassIsAnError() {
        expectError("New Widget.w bus1=a", line: 4, contains: "unknown element class 'widget'")
    }

    @Test func unknownPropertyIsAnError() {
        expectError("New Line.a bus1=x bus2=y\n~ colour=red", line: 5, contains: "unknown property 'colour'")
    }

    @Test func badNumberIsAnError() {
        expectError("New Line.a bus1=x bus2=y length=ten", line: 4, contains: "invalid value 'ten' for 'length'")
    }

    @Test func unterminatedBracketIsAnError() {
        expectError("New LineCode.c nphases=1 rmatrix=[0.1", line: 4, contains: "unterminated")
    }

    @Test func editOfMissingElementIsAnError() {
        expectError("Edit Line.nothere length=2", line: 4, contains: "'Line.nothere' is not defined")
    }

    @Test func unknownSetOptionIsAnError() {
        expectError("Set flux=3", line: 4, contains: "unknown Set option 'flux'")
    }

    @Test func missingLineCodeIsAnError() {
        do {
            _ = try compile("New Line.a bus1=x bus2=y linecode=nope")
            Issue.record("expected an error")
        } catch let error as FeederError {
            #expect(error.description.contains("Line.a") && error.description.contains("nope"))
        } catch { Issue.record("\(error)") }
    }

    @Test func elementBeforeCircuitIsAnError() {
        do {
            _ = try FeederImporter.compile(script: "New Line.a bus1=x bus2=y", name: "t.dss", baseDirectory: "/tmp")
            Issue.record("expected an error")
        } catch let error as FeederError {
            #expect(error.description.contains("t.dss:1") && error.description.contains("no circuit"))
        } catch { Issue.record("\(error)") }
    }

    @Test func missingRedirectFileIsAnError() {
        expectError("Redirect (nowhere.dss)", line: 4, contains: "cannot read file")
    }

    @Test func busNodesResolveLikeOpenDSS() {
        #expect(BusSpec(name: "b", nodes: [1]).resolvedNodes(conductors: 2, phases: 1) == [1, 0])
        #expect(BusSpec(name: "b").resolvedNodes(conductors: 4, phases: 3) == [1, 2, 3, 0])
        #expect(BusSpec(name: "b", nodes: [3, 1]).resolvedNodes(conductors: 2, phases: 1) == [3, 1])
    }
}
