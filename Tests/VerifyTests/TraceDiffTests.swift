// The trace diff on hand-built traces (each difference known by construction) and on the committed
// reference traces: identical traces are identical; the first differing seq is the one found by
// comparing the events independently; fields, kinds and run figures say what differs; headers that
// differ are listed; damaged and incomplete traces are reported as such, and nothing past the
// damage is compared. The run figures agree with the summary.json the run wrote.
import CoSim
import Foundation
import Kernel
import TestSupport
import Testing
@testable import Trace
@testable import Verify

private let referenceP2P = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path
private let referenceNoP2P = SharedData.packageRoot.appendingPathComponent("traces/default-12/no-p2p.gtrace").path
private let tradingP2P = SharedData.packageRoot.appendingPathComponent("traces/trading/p2p.gtrace").path

private func scratchPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-diff-\(getpid())-\(name).gtrace").path
}

/// A two-step trace: a meter reading and a power-flow step per interval (`sourceKilowatts` per step).
private func handBuilt(_ name: String, engine: String = "test", sourceKilowatts: [Double] = [10, 11],
                       netWattHours: [Int64] = [100, 200]) throws -> String {
    let path = scratchPath(name)
    let header = TraceHeader(engineVersion: engine, seed: 1, scenarioText: "[run]\nintervals = 2\n",
                             parameters: ["variant": "p2p", "feeder": "synthetic", "intervals": 2])
    let writer = try TraceWriter(creatingAt: path, header: header)
    for step in 1...2 {
        try writer.append(EventRecord(time: .minutes(Int64(5 * step)), kind: .meterReading, actor: "home:0",
                                      payload: ["interval": .int(Int64(step - 1)), "net_wh": .int(netWattHours[step - 1])]))
        try writer.append(EventRecord(time: .minutes(Int64(5 * step)), kind: .powerFlowStep, actor: "grid", payload: [
            "step": .int(Int64(step)), "converged": true, "iterations": 3, "control_iterations": 0, "max_dv_pu": 1e-9,
            "p_source_kw": .double(sourceKilowatts[step - 1]), "q_source_kvar": 0.0, "p_losses_kw": 0.5, "q_losses_kvar": 0.1,
            "vmin_pu": 0.97, "vmin_node": "h1.1", "vmax_pu": 1.02, "vmax_node": "src.1",
        ]))
        try writer.commit()
    }
    try writer.seal()
    return path
}

private func metric(_ result: TraceDiffResult, _ key: String) throws -> TraceMetricComparison {
    try #require(result.metrics.first { $0.metric.key == key }, "no metric \(key)")
}

@Suite struct TraceDiffTests {
    @Test func aTraceIsIdenticalToItself() throws {
        let result = try TraceDiff.compare(referenceP2P, referenceP2P)
        #expect(result.identical && result.eventsIdentical && result.headers.isEmpty && result.divergence == nil)
        #expect(result.a.events == result.b.events && result.a.events > 5000)
        #expect(result.metrics.allSatisfy { !$0.differs } && result.kinds.isEmpty)
        #expect(TraceDiffReport.text(result).hasSuffix("identical: the same header and the same \(result.a.events) events"))
    }

    @Test func handBuiltDifferenceIsNamedFieldByField() throws {
        let a = try handBuilt("hand-a"), b = try handBuilt("hand-b", sourceKilowatts: [10, 13.5])
        let result = try TraceDiff.compare(a, b, context: 2)
        let divergence = try #require(result.divergence)
        #expect(divergence.seq == 4)  // meter, step, meter, step: the second step differs
        #expect(divergence.fields == [TraceFieldDifference(field: "p_source_kw", a: "11.0 kW", b: "13.5 kW", note: "B +2.5 kW")])
        #expect(divergence.before.map(\.seq) == [2, 3] && divergence.afterA.isEmpty && divergence.afterB.isEmpty)
        #expect(result.headers.isEmpty && !result.identical)
        #expect(result.countsFromSeq == 4 && result.kinds == [TraceKindCount(kind: "powerflow_step", a: 1, b: 1)])
        // Energy imported: (10 + 11) × 5 min against (10 + 13.5) × 5 min.
        let imported = try metric(result, "import_kwh")
        #expect(imported.a == 21.0 / 12 && imported.b == 23.5 / 12 && imported.differs)
        #expect(try metric(result, "max_kva").b == 13.5)
        #expect(try !metric(result, "losses_kwh").differs && !metric(result, "vmin_pu").differs)
        let text = TraceDiffReport.text(result)
        #expect(text.contains("first difference at seq 4 (00:10, powerflow_step): p_source_kw"))
        #expect(text.contains("  p_source_kw: 11.0 kW → 13.5 kW  (B +2.5 kW)"))
        #expect(text.contains("    seq 3 00:10 meter_reading home:0 interval=1 net_wh=200 Wh"))
        #expect(text.contains("≠ energy imported") && text.contains("= losses"))
    }

    @Test func onlyTheHeaderDiffersBetweenEngineVersions() throws {
        let a = try handBuilt("engine-a", engine: "0.1.0"), b = try handBuilt("engine-b", engine: "0.2.0")
        let result = try TraceDiff.compare(a, b)
        #expect(result.headers == [TraceHeaderDifference(field: "engine_version", a: "0.1.0", b: "0.2.0")])
        #expect(result.eventsIdentical && !result.identical && result.metrics.allSatisfy { !$0.differs })
        #expect(TraceDiffReport.verdict(result) == "different: headers (engine_version); every one of the 4 events is the same")
    }

    @Test func aTraceThatEndsEarlyDiffersWhereItEnds() throws {
        let full = try handBuilt("full")
        let short = scratchPath("short")
        try TraceForgery.forge(source: full, destination: short, keepThrough: 2, carry: .none)
        let result = try TraceDiff.compare(full, short)
        let divergence = try #require(result.divergence)
        #expect(divergence.seq == 3 && divergence.a?.kind == "meter_reading" && divergence.b == nil)
        #expect(divergence.fields.first?.note == "B ends before seq 3")
        #expect(result.kinds == [TraceKindCount(kind: "meter_reading", a: 1, b: 0), TraceKindCount(kind: "powerflow_step", a: 1, b: 0)])
    }

    /// The two runs of the reference pair: the variant differs in the header, the events from the
    /// first seq that the events themselves say differs, and the P2P run has the market's events.
    @Test func theTwoRunsOfAPairDifferFromTheirFirstDifferentEvent() throws {
        let result = try TraceDiff.compare(referenceNoP2P, referenceP2P, context: 3)
        #expect(result.headers.contains(TraceHeaderDifference(field: "variant", a: "no-p2p", b: "p2p")))
        let expected = try #require(firstDifference(try events(referenceNoP2P), try events(referenceP2P)))
        let divergence = try #require(result.divergence)
        #expect(divergence.seq == expected && !divergence.fields.isEmpty)
        #expect(divergence.before.count == min(3, Int(expected) - 1) && divergence.afterA.count == 3 && divergence.afterB.count == 3)
        let commits = try #require(result.kinds.first { $0.kind == "order_committed" })
        #expect(commits.a == 0 && commits.b > 0)
        #expect(try metric(result, "events").a == Double(try events(referenceNoP2P).count))
    }

    /// The figures the diff computes from a trace are summary.json's (written by the run from its own state).
    @Test(arguments: [("traces/default-12", "p2p"), ("traces/default-12", "no-p2p"), ("traces/trading", "p2p")])
    func runFiguresAgreeWithSummaryJSON(folder: String, variant: String) throws {
        let root = SharedData.packageRoot.appendingPathComponent(folder)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("summary.json"))) as? [String: Any])
        let recorded = try #require(summary[variant] as? [String: Any])
        let metrics = try TraceMetrics.of(path: root.appendingPathComponent(variant + ".gtrace").path)
        func value(_ key: String) -> Double? { metrics.first { $0.key == key }?.value ?? nil }
        for (mine, theirs) in [("import_kwh", "import_kwh"), ("export_kwh", "export_kwh"), ("max_kva", "max_kva"),
                               ("losses_kwh", "losses_kwh"), ("vmin_pu", "vmin_pu"), ("vmax_pu", "vmax_pu"),
                               ("traded_kwh", "p2p_volume_kwh"), ("contracts", "contracts"), ("events", "events")] {
            let expected = try #require((recorded[theirs] as? NSNumber)?.doubleValue, "summary.json lacks \(theirs)")
            let actual = try #require(value(mine), "no \(mine)")
            #expect(abs(actual - expected) <= 1e-9 * max(1, abs(expected)), "\(mine) \(actual) vs summary.json \(theirs) \(expected)")
        }
        let limits = try #require(recorded["voltage_limits"] as? [String: Any])
        #expect(value("node_steps_outside") == (limits["node_steps_outside"] as? NSNumber)?.doubleValue)
        if folder == "traces/trading" {
            #expect((value("traded_kwh") ?? 0) > 0 && (value("forks") ?? 0) > 0 && (value("reorgs") ?? 0) > 0)
        }
    }

    @Test func aCorruptTraceIsComparedOnlyAsFarAsItVerifies() throws {
        let damaged = scratchPath("damaged")
        try TraceForgery.forge(source: referenceP2P, destination: damaged, carry: .none)
        try TraceForgery.execute("UPDATE events SET payload = payload || ' ' WHERE seq = 50", on: damaged)
        let result = try TraceDiff.compare(referenceP2P, damaged)
        guard case .corrupt(let seq, _) = result.b.status else {
            Issue.record("the damaged trace verified: \(result.b.status)")
            return
        }
        #expect(seq == 50 && result.b.events == 49 && result.damaged && !result.identical)
        #expect(result.divergence?.seq == 50 && result.divergence?.b == nil)
        #expect(TraceDiffReport.text(result).contains("corrupt at seq 50: hash mismatch"))
    }

    @Test func anIncompleteTraceIsSaidToBeOne() throws {
        let prefix = scratchPath("prefix")
        try TraceForgery.forge(source: referenceP2P, destination: prefix, keepThrough: 100, carry: .none)
        try TraceForgery.execute("DELETE FROM seal", on: prefix)
        let result = try TraceDiff.compare(prefix, referenceP2P)
        #expect(result.a.status == .incomplete(atSeq: 101) && result.a.events == 100)
        #expect(result.divergence?.seq == 101 && result.divergence?.a == nil)
        #expect(TraceDiffReport.text(result).contains("incomplete at seq 101"))
    }

    @Test func anUnreadableFileIsAnError() throws {
        #expect(throws: TraceError.self) { try TraceDiff.compare("/nonexistent/a.gtrace", referenceP2P) }
    }
}
