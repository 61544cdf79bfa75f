// Owns the tests of the class table: general objects before New Circuit, classes accepted but not
// modelled, classes refused with their reason, BatchEdit patterns, XfmrCode copying, the Load
// rating rules and the Set options, each with the script location in its errors.
import Foundation
import Testing
@testable import Feeder

@Suite struct ClassRegistryTests {
    func compile(_ script: String) throws -> FeederModel {
        try FeederImporter.compile(script: script, name: "r.dss", baseDirectory: NSTemporaryDirectory())
    }

    func expectError(_ script: String, line: Int, contains text: String) {
        do {
            _ = try compile(script)
            Issue.record("expected an error containing '\(text)'")
        } catch let error as FeederError {
            #expect(error.description.contains("r.dss:\(line)"), "\(error)")
            #expect(error.description.contains(text), "\(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func generalObjectsBeforeTheCircuitSurviveIt() throws {
        let model = try compile("""
        Clear
        New LoadShape.day npts=3 interval=8 mult=(0.5 1 0.7)
        New LineCode.lc nphases=3 r1=0.1 x1=0.2
        New XfmrCode.xc phases=1 windings=2 kvs=[7.2 0.24] kvas=[25 25]
        New Spectrum.h3 numharm=1 harmonic=[3] %mag=[1] angle=[0]
        New Circuit.c basekv=12.47
        New Line.l bus1=sourcebus bus2=b linecode=lc
        New Load.ld bus1=b kv=12.47 kw=10 daily=day
        """)
        #expect(model.loadShapes.map(\.name) == ["day"])
        #expect(model.lineCodes.map(\.name) == ["lc"])
        #expect(model.xfmrCodes.map(\.name) == ["xc"])
        #expect(model.unmodelledByClass == [UnmodelledClassSummary(className: "spectrum", names: ["h3"])])
        #expect(model.loads[0].daily == "day")
    }

    @Test func circuitElementsBeforeTheCircuitAreRefused() {
        expectError("Clear\nNew Line.l bus1=a bus2=b\n", line: 2, contains: "no circuit defined yet")
    }

    @Test func protectionIsAcceptedAndListedButAnOpenDeviceIsRefused() throws {
        let base = "Clear\nNew Circuit.c\nNew Line.l bus1=sourcebus bus2=b\n"
        let model = try compile(base + "New Fuse.f1 Line.l 1 fusecurve=tlink ratedcurrent=65\nNew Relay.r1 monitoredobj=Line.l\n")
        #expect(model.unmodelledByClass.map(\.className) == ["fuse", "relay"])
        #expect(model.unmodelledObjects[0].properties.first == PropertyAssignment(property: "monitoredobj", value: "Line.l"))
        expectError(base + "New Recloser.rc monitoredobj=Line.l state=open\n", line: 4, contains: "open recloser")
    }

    @Test func classesThatChangeTheSolutionAreRefusedWithTheirReason() {
        expectError("Clear\nNew Circuit.c\nNew Fault.f bus1=sourcebus\n", line: 3, contains: "'fault' is not supported: faults")
        expectError("Clear\nNew Circuit.c\nNew InvControl.ic\n", line: 3, contains: "inverter controls")
        expectError("Clear\nNew Circuit.c\nNew Gizmo.g\n", line: 3, contains: "unknown element class 'gizmo'")
    }

    @Test func unknownPropertyNamesTheClassAndTheLine() {
        expectError("Clear\nNew Circuit.c\n\nNew Reactor.x bus1=sourcebus kvarz=5\n", line: 4, contains: "'kvarz' for class reactor")
    }

    @Test func batchEditMatchesTheRegularExpressionAnywhereInTheName() throws {
        let model = try compile("""
        Clear
        New Circuit.c
        New Load.house_1 bus1=sourcebus kw=1
        New Load.house_2 bus1=sourcebus kw=1
        New Load.shop bus1=sourcebus kw=1
        BatchEdit Load.house_[0-9] kw=3
        BatchEdit Load..* kv=0.4
        """)
        #expect(model.loads.map(\.kilowatts) == [3, 3, 1])
        #expect(model.loads.allSatisfy { $0.kilovolts == 0.4 })
    }

    @Test func xfmrCodeIsCopiedAndLaterPropertiesOverrideIt() throws {
        let model = try compile("""
        Clear
        New Circuit.c basekv=12.47
        New XfmrCode.ct phases=1 windings=3 kvs=[7.2 0.12 0.12] kvas=[25 25 25] %rs=[0.6 1.2 1.2] xhl=2.04 xht=2.04 xlt=1.36
        New Transformer.t xfmrcode=ct buses=[sourcebus.1 s.1.0 s.0.2] xhl=2.5
        """)
        let t = model.transformers[0]
        #expect(t.windings.count == 3 && t.phases == 1)
        #expect(t.windings.map(\.kilovolts) == [7.2, 0.12, 0.12])
        #expect(t.windings.map(\.resistancePercent) == [0.6, 1.2, 1.2])
        #expect(t.xhlPercent == 2.5 && t.xhtPercent == 2.04)
        #expect(t.windings[2].bus == BusSpec(name: "s", nodes: [0, 2]))
        expectError("Clear\nNew Circuit.c\nNew Transformer.t xfmrcode=nope\n", line: 3, contains: "no XfmrCode")
    }

    @Test func loadRatingsFollowOpenDSSRules() throws {
        let model = try compile("""
        Clear
        New Circuit.c
        New Load.kva bus1=sourcebus kva=100 pf=0.8
        New Load.kvar_then_kw bus1=sourcebus kvar=30 kw=50 pf=0.9
        New Load.kw_kvar bus1=sourcebus kw=50 kvar=30 pf=0.5
        New Load.alloc bus1=sourcebus xfkva=50 allocationfactor=0.6 pf=0.9
        New Load.energy bus1=sourcebus kwh=7200 kwhdays=30 cfactor=2 pf=1
        """)
        let loads = model.loads
        #expect(abs(loads[0].kilowatts - 80) < 1e-12 && abs(loads[0].kilovars - 60) < 1e-9)
        // kW given after kvar makes the rating kW and pf again (OpenDSS's side effect of kW).
        #expect(abs(loads[1].kilovars - Load.kilovars(kilowatts: 50, powerFactor: 0.9)) < 1e-12)
        // pf given after kW and kvar does not change kvar.
        #expect(loads[2].kilovars == 30)
        // Allocation uses the pf of the moment: 0.88 when xfkva and allocationfactor were read.
        #expect(abs(loads[3].kilowatts - 50 * 0.6 * 0.88) < 1e-12)
        #expect(abs(loads[3].kilovars - Load.kilovars(kilowatts: 50 * 0.6 * 0.88, powerFactor: 0.9)) < 1e-12)
        #expect(abs(loads[4].kilowatts - 7200.0 / (30 * 24) * 2) < 1e-12)
    }

    @Test func setOptionsAreAppliedAcceptedOrRefused() throws {
        let model = try compile("""
        Clear
        New Circuit.c
        Set genmult=0.5 miniter=3 time=(6 1800) markswitches=yes demand=yes
        Set loadmodel=powerflow cktmodel=multiphase
        """)
        #expect(model.options.generatorMultiplier == 0.5)
        #expect(model.options.minIterations == 3)
        #expect(model.options.startHour == 6 && model.options.startSecond == 1800)
        expectError("Clear\nNew Circuit.c\nSet loadmodel=admittance\n", line: 3, contains: "power-flow load model")
        expectError("Clear\nNew Circuit.c\nSet cktmodel=positive\n", line: 3, contains: "multiphase")
        expectError("Clear\nNew Circuit.c\nSet year=3\n", line: 3, contains: "year must be 0")
        expectError("Clear\nNew Circuit.c\nSet tolerance=nan\n", line: 3, contains: "tolerance")
        expectError("Clear\nNew Circuit.c\nSet wibble=1\n", line: 3, contains: "unknown Set option 'wibble'")
    }

    @Test func propertiesThatWouldChangeTheSolutionAreNotDropped() throws {
        let base = "Clear\nNew Circuit.c\n"
        expectError(base + "Vsource.source.daily=someshape\n", line: 3, contains: "source voltage shapes")
        expectError(base + "Vsource.source.z2=[1 2]\n", line: 3, contains: "negative-sequence impedance")
        expectError(base + "New PVSystem.pv bus1=sourcebus pmpp=10 %pmpp=80\n", line: 3, contains: "%Pmpp")
        expectError(base + "New PVSystem.pv bus1=sourcebus kvarmax=3\n", line: 3, contains: "reactive-power limits")
        expectError(base + "New Generator.g bus1=sourcebus usefuel=yes\n", line: 3, contains: "usefuel=yes")
        let model = try compile(base + "New Generator.g bus1=sourcebus kw=5 status=fixed daily=x\nNew LoadShape.x npts=1 mult=[1]\n")
        #expect(model.generators[0].isFixed)
    }
}
