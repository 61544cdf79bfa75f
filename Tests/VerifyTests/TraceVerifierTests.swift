// verify on hand-made traces whose chain is intact but whose content breaks a rule: each check must
// fail with a detail naming where, and pass on a clean run.
import CoSim
import Foundation
import Kernel
import Testing
@testable import Trace
@testable import Verify

/// A trace of `records` whose header describes a synthetic run of `homes` homes over two intervals
/// (what the payload check bounds participants, steps and times by).
private func writeTrace(_ name: String, _ records: [EventRecord], homes: Int = 2) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-verify-\(getpid())-\(name).gtrace").path
    let scenario = "[run]\nintervals = 2\n[feeder]\nhomes_per_phase = [\(homes), 0, 0]\n"
    let header = TraceHeader(engineVersion: "test", seed: 1, scenarioText: scenario,
                             parameters: ["variant": "p2p", "feeder": "synthetic", "intervals": 2])
    let writer = try TraceWriter(creatingAt: path, header: header)
    for record in records { try writer.append(record) }
    try writer.seal()
    return path
}

private func step(_ step: Int, converged: Bool = true, sourceKilowatts: Double = 10, vmin: Double = 0.97, vmax: Double = 1.02) -> EventRecord {
    EventRecord(time: .minutes(Int64(5 * step)), kind: .powerFlowStep, actor: "grid", payload: [
        "step": .int(Int64(step)), "converged": .bool(converged), "iterations": 3, "control_iterations": 0, "max_dv_pu": 1e-9,
        "p_source_kw": .double(sourceKilowatts), "q_source_kvar": 1.0, "p_losses_kw": 0.5, "q_losses_kvar": 0.1,
        "vmin_pu": .double(vmin), "vmin_node": "h1.1", "vmax_pu": .double(vmax), "vmax_node": "src.1",
    ])
}

private func injections(_ step: Int, loads: [Double]) -> EventRecord {
    EventRecord(time: .minutes(Int64(5 * step)), kind: .gridInjections, actor: "grid", payload: [
        "step": .int(Int64(step)), "load_kw": .array(loads.map { .double($0) }), "load_kvar": .array(loads.map { _ in 0.0 }),
        "ev_kw": .array(loads.map { _ in 0.0 }), "ev_kvar": .array(loads.map { _ in 0.0 }), "pv_kw": .array(loads.map { _ in 0.0 }),
    ])
}

private func meter(_ step: Int, home: Int, wattHours: Int64) -> EventRecord {
    EventRecord(time: .minutes(Int64(5 * step)), kind: .meterReading, actor: "home:\(home)",
                payload: ["interval": .int(Int64(step - 1)), "net_wh": .int(wattHours)])
}

private func check(_ report: VerificationReport, _ prefix: String) throws -> VerificationCheck {
    try #require(report.checks.first { $0.name.hasPrefix(prefix) })
}

@Suite struct TraceVerifierTests {
    @Test func cleanRecordsPass() throws {
        let path = try writeTrace("clean", [injections(1, loads: [4, 5.5]), step(1, sourceKilowatts: 10)])
        let report = try TraceVerifier.verify(path: path)
        #expect(report.passed, "\(report.checks)")
    }

    /// A payload replaced by garbage breaks the chain: verify reports the chain's first bad seq and
    /// that the events were not checked, instead of failing on the unreadable payload.
    @Test func unreadablePayloadInATamperedTraceIsReportedAsCorruption() throws {
        let path = try writeTrace("garbled", [injections(1, loads: [4, 5.5]), step(1, sourceKilowatts: 10)])
        let connection = try SQLiteConnection(path: path, flags: 0x2 /* SQLITE_OPEN_READWRITE */)
        try connection.execute("UPDATE events SET payload = '{not json' WHERE seq = 2")
        let report = try TraceVerifier.verify(path: path)
        #expect(!report.passed)
        #expect(report.checks.map(\.name) == ["hash chain and seal", "payloads"])
        #expect(report.checks[0].summary.hasPrefix("corrupt at seq 2"))
        #expect(report.checks[1].summary.hasPrefix(#"corrupt at seq 2: powerflow_step field "payload" is not JSON"#), "\(report.checks[1].summary)")
    }

    @Test func nonConvergedStepIsNamed() throws {
        let path = try writeTrace("diverged", [injections(1, loads: [9.5]), step(1), injections(2, loads: [9.5]), step(2, converged: false)], homes: 1)
        let failed = try check(try TraceVerifier.verify(path: path), "power-flow convergence")
        #expect(!failed.passed)
        #expect(failed.details == ["step 2 (00:10) did not converge after 3 iterations"])
    }

    @Test func voltageViolationsAreListedByNodeAndStep() throws {
        let violation = EventRecord(time: .minutes(5), kind: .limitViolation, actor: "node:h7.1", payload: [
            "step": 1, "v_pu": 0.87, "standard": "EN 50160", "low_pu": 0.9, "high_pu": 1.1])
        let path = try writeTrace("limits", [injections(1, loads: [9.5]), step(1, vmin: 0.87), violation], homes: 1)
        let failed = try check(try TraceVerifier.verify(path: path), "voltage limits")
        #expect(!failed.passed)
        #expect(failed.details == ["node h7.1: 1 steps outside, worst 0.8700 pu, first at step 1 (00:05)"])
        // ANSI was not recorded per node: the step extremes decide.
        let ansi = try check(try TraceVerifier.verify(path: path, limits: .ansi), "voltage limits")
        #expect(!ansi.passed && ansi.summary.hasPrefix("1 steps with a node outside the band"))
    }

    @Test func moneyThatDisappearsIsFound() throws {
        let created = EventRecord(time: .minutes(3), kind: .contractCreated, actor: "contract:4", payload: [
            "contract": 4, "escrow": 1000, "energy_wh": 10, "buyer": 1, "seller": 2, "interval": 0, "buyer_price": 100, "seller_price": 90])
        let settled = EventRecord(time: .minutes(5), kind: .contractSettled, actor: "contract:4", payload: [
            "contract": 4, "to_seller": 800, "refund": 150, "to_operator": 0, "delivered_wh": 8, "cancelled": false])
        let orphan = EventRecord(time: .minutes(3), kind: .contractCreated, actor: "contract:5", payload: [
            "contract": 5, "escrow": 20, "energy_wh": 1, "buyer": 1, "seller": 2, "interval": 0, "buyer_price": 20, "seller_price": 20])
        let path = try writeTrace("money", [created, orphan, settled], homes: 3)
        let failed = try check(try TraceVerifier.verify(path: path), "money conservation")
        #expect(!failed.passed)
        #expect(failed.details.count == 2)
        #expect(failed.details[0].hasSuffix("contract 4 paid out 950 µtoken of an escrow of 1000 µtoken"))
        #expect(failed.details[1] == "contract 5 was never settled or refunded")
    }

    @Test func energyThatDoesNotBalanceIsFound() throws {
        // No meters: homes were scheduled to draw 12 kW but the grid delivered 10 − 0.5 = 9.5 kW.
        let path = try writeTrace("energy", [injections(1, loads: [6, 6]), step(1)])
        let failed = try check(try TraceVerifier.verify(path: path), "energy balance")
        #expect(!failed.passed)
        #expect(failed.details == ["step 1 (00:05): homes were scheduled to draw 12.000 kW, the grid delivered 9.500 kW"])
    }

    /// Meters that read more than the grid delivered break conservation.
    @Test func metersThatDisagreeWithTheGridAreFound() throws {
        let path = try writeTrace("meters", [injections(1, loads: [4, 5.5]), meter(1, home: 0, wattHours: 500),
                                             meter(1, home: 1, wattHours: 500), step(1)])
        let failed = try check(try TraceVerifier.verify(path: path), "energy balance")
        #expect(!failed.passed)
        #expect(failed.details == ["step 1 (00:05): meters read 1000 Wh, the grid delivered 791.7 Wh"])
    }

    /// Voltage-dependent loads draw other than scheduled: the meters read the solved draw, which is
    /// what the grid delivered, so the balance holds and the deviation is only reported.
    @Test func solvedDrawThatDiffersFromTheScheduleIsReportedNotFailed() throws {
        // Scheduled 12 kW; the loads drew 9.5 kW at their solved voltages (792 Wh in 5 minutes).
        let path = try writeTrace("schedule", [injections(1, loads: [6, 6]), meter(1, home: 0, wattHours: 396),
                                               meter(1, home: 1, wattHours: 396), step(1)])
        let balance = try check(try TraceVerifier.verify(path: path), "energy balance")
        #expect(balance.passed, "\(balance)")
        #expect(balance.summary.contains("meters vs grid delivery within 0.33 Wh (step 1)"), "\(balance.summary)")
        #expect(balance.summary.contains("differs from the schedule by up to 2.50e+00 kW (step 1)"), "\(balance.summary)")
    }

    @Test func malformedPayloadNamesItsSeq() throws {
        let bad = EventRecord(time: .minutes(5), kind: .powerFlowStep, actor: "grid", payload: ["step": 1])
        let path = try writeTrace("malformed", [bad])
        let report = try TraceVerifier.verify(path: path)
        #expect(report.checks.map(\.passed) == [true, false], "\(report.checks)")
        #expect(report.checks[1].summary == #"corrupt at seq 1: powerflow_step field "converged" is missing"#)
    }

    @Test func goldenStepsWithABadRowNameTheRow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-golden-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let csv = GoldenSteps.header.joined(separator: ",") + "\n1,0.08,3,1,10,1,0.5,0.1,0.97,1.02\n2,0.16,3,1,ten,1,0.5,0.1,0.97,1.02\n"
        try csv.write(to: directory.appendingPathComponent("steps.csv"), atomically: true, encoding: .utf8)
        do {
            _ = try GoldenSteps.read(directory.appendingPathComponent("steps.csv").path)
            Issue.record("bad row accepted")
        } catch {
            #expect((error as? CSVInputError)?.row == 3)
        }
    }
}
