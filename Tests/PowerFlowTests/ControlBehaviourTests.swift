// Owns the unit checks of the control machinery that the day-long goldens exercise only
// indirectly: the queue's ordering and deletion, the solution clock, and the validation of
// RegControl, CapControl and Capacitor properties where they enter.
import Kernel
import Testing
import Feeder
@testable import PowerFlow

@Suite struct ControlBehaviourTests {
    @Test func queueKeepsTimeOrderAndPutsNewTiesFirst() {
        var queue = ControlQueue()
        let clock = SolutionClock(hour: 0, seconds: 0)
        let late = queue.push(at: clock, delaySeconds: 30, owner: .regulator(0), action: .tapChange)
        let early = queue.push(at: clock, delaySeconds: 15, owner: .capacitor(0), action: .capacitorSwitch)
        let tie = queue.push(at: clock, delaySeconds: 15, owner: .regulator(1), action: .tapChange)
        #expect(queue.entries.map(\.handle) == [tie, early, late])
        queue.delete(handle: early)
        #expect(queue.pop(dueBy: 10) == nil)
        #expect(queue.pop(dueBy: 15)?.handle == tie)
        #expect(queue.pop(dueBy: 15) == nil)
        #expect(queue.pop(dueBy: 100)?.handle == late)
        #expect(queue.isEmpty)
    }

    @Test func queueCarriesWholeHoursPastTheHour() {
        var queue = ControlQueue()
        _ = queue.push(at: SolutionClock(hour: 2, seconds: 3500), delaySeconds: 7300, owner: .regulator(0), action: .tapChange)
        // 3500 + 7300 s: hours are carried until fewer than 3600 s remain.
        let entry = queue.entries[0]
        #expect(entry.hour == 5)
        #expect(entry.seconds == 0)
        #expect(entry.timeSeconds == 18000)
    }

    @Test func clockAdvancesAndWrapsTheTimeOfDay() {
        var clock = SolutionClock(hours: 23.5)
        #expect(clock.hour == 23 && clock.seconds == 1800)
        clock.advance(bySeconds: 2700)
        #expect(clock.hour == 24 && clock.seconds == 900 && clock.hours == 24.25)
        #expect(clock.hourOfDay == 0.25)
        clock.advance(bySeconds: 3600 * 24)
        #expect(clock.hour == 48 && clock.hourOfDay == 0.25)
        #expect(SolutionClock(hour: 24, seconds: 0).hourOfDay == 24)
    }

    static func model(_ script: String) throws -> FeederModel {
        let header = """
        Clear
        New Circuit.t basekv=12.47 bus1=s
        New Transformer.r phases=1 windings=2 buses=[s.1 r.1] conns=[wye wye] kvs=[7.2 7.2]
        New Capacitor.c bus1=r phases=1 kv=7.2 kvar=300
        New Line.l bus1=s.1 bus2=r.1 phases=1
        """
        return try FeederImporter.compile(script: header + "\n" + script, name: "controls.dss", baseDirectory: "/tmp")
    }

    @Test func regControlPropertiesAreValidated() throws {
        let m = try Self.model("New RegControl.a transformer=r winding=2 ptphase=max ptratio=50 revthreshold=20 tapnum=-3")
        let rc = try #require(m.regControls.first)
        #expect(rc.ptPhase == .maximum && rc.ptRatio == 50 && rc.remotePTRatio == 50)
        #expect(rc.reverseThresholdKilowatts == 20 && rc.tapNumber == -3)
        #expect(throws: FeederError.self) { try Self.model("New RegControl.a transformer=r ptphase=avg") }
        #expect(throws: FeederError.self) { try Self.model("New RegControl.a transformer=r band=-1") }
        #expect(throws: FeederError.self) { try Self.model("New RegControl.a transformer=r maxtapchange=-2") }
    }

    @Test func capControlDefaultsAndPowerFactorScale() throws {
        let m = try Self.model("""
        New CapControl.d element=line.l capacitor=c
        New CapControl.p element=line.l capacitor=c type=pf onsetting=-0.95 offsetting=0.9 ctphase=avg
        """)
        let d = m.capControls[0], p = m.capControls[1]
        #expect(d.type == .current && d.onSetting == 300 && d.offSetting == 200 && d.delayOffSeconds == 15 && d.deadTimeSeconds == 300)
        #expect(p.type == .powerFactor && abs(p.powerFactorOn - 1.05) < 1e-15 && p.powerFactorOff == 0.9 && p.ctPhase == .average)
        #expect(throws: FeederError.self) { try Self.model("New CapControl.x element=line.l capacitor=c type=pf onsetting=1.5") }
        #expect(throws: FeederError.self) { try Self.model("New CapControl.x element=line.l capacitor=c type=bogus") }
    }

    @Test func capacitorStepsFollowOpenDSS() throws {
        let m = try Self.model("""
        New Capacitor.s3 bus1=r phases=1 kv=7.2 kvar=600 numsteps=3 states=[1 0 1]
        New Capacitor.k2 bus1=r phases=1 kv=7.2 numsteps=2 kvar=[100 200 300]
        """)
        let s3 = try #require(m.capacitors.first { $0.name == "s3" })
        #expect(s3.stepKilovars == [200, 200, 200] && s3.states == [true, false, true])
        let k2 = try #require(m.capacitors.first { $0.name == "k2" })
        #expect(k2.stepKilovars == [100, 200] && k2.kilovars == 300)
        #expect(throws: FeederError.self) { try Self.model("New Capacitor.x bus1=r numsteps=3\n~ numsteps=2") }
    }

    /// A control loop cut off by maxcontroliter reports it (OpenDSS warns), and leaves the last
    /// solution as solved: controls do not act in the last allowed iteration.
    @Test func controlIterationLimitIsReported() throws {
        let m = try Self.model("""
        New Load.big bus1=r.1 phases=1 kv=7.2 kw=3000 pf=0.9
        New RegControl.a transformer=r winding=2 vreg=126 band=1 ptratio=60 maxtapchange=1
        Set voltagebases=[12.47]
        Calcvoltagebases
        """)
        let solver = try PowerFlowSolver(model: m)
        solver.settings.maxControlIterations = 2
        var log = EventLog(isEnabled: false)
        let limited = try solver.solve(log: &log)
        #expect(limited.controlIterations == 2 && !limited.controlsSettled && limited.tapChanges == 1)
        solver.settings.maxControlIterations = 40
        let settled = try solver.solve(log: &log)
        #expect(settled.controlsSettled && settled.tapChanges > 0)
    }

    /// Controls of disabled elements rest instead of failing the solve.
    @Test func controlsOfDisabledElementsRest() throws {
        let m = try Self.model("""
        New Transformer.off phases=1 windings=2 buses=[s.2 q.1] conns=[wye wye] kvs=[7.2 7.2] enabled=no
        New RegControl.a transformer=off winding=2 vreg=126 band=1 ptratio=60
        New Line.gone bus1=s.3 bus2=z.1 phases=1 enabled=no
        New CapControl.c element=line.gone capacitor=c type=voltage onsetting=130 offsetting=140
        Set voltagebases=[12.47]
        Calcvoltagebases
        """)
        let solver = try PowerFlowSolver(model: m)
        var log = EventLog(isEnabled: false)
        let outcome = try solver.solve(log: &log)
        #expect(outcome.converged && outcome.controlsSettled && outcome.tapChanges == 0)
    }
}
