// Tests of auditing a real co-simulated trace: the findings trace (sealed, referencing the audited
// trace's path and final hash), the audited file left byte-identical, refusal of unsealed traces,
// the no-P2P note, and the `gridtrace audit` command on the same traces.
import CoSim
import Foundation
import Kernel
import Testing
import TestSupport
import Trace
import Verify

/// The default scenario cut to its first three hours (night: only phantom buyers can lie), both variants.
private let runFolder: String = {
    let folder = NSTemporaryDirectory() + "gridtrace-audit-\(getpid())"
    let text = Scenario.embeddedDefault().sourceText.replacingOccurrences(of: "intervals = 288", with: "intervals = 36")
    do {
        let scenario = try Scenario.parse(text, file: "audit-test.toml", baseFolder: nil)
        precondition(scenario.intervals == 36, "the test scenario should have 36 intervals")
        _ = try CoSimulation.run(scenario, directory: folder)
        atexit(removeRunFolder)
    } catch {
        preconditionFailure("co-simulating the audit test scenario failed: \(error)")
    }
    return folder
}()

/// Removes the co-simulated traces when the test process exits.
private func removeRunFolder() { try? FileManager.default.removeItem(atPath: runFolder) }

private func path(_ name: String) -> String { (runFolder as NSString).appendingPathComponent(name) }

@Suite(.serialized) struct AuditTraceTests {
    @Test func auditsARealTraceAndRecordsSealedFindings() throws {
        let input = path("p2p.gtrace")
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let result = try TraceAudit.run(tracePath: input)
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "the audited trace must not change")
        #expect(result.auditTracePath == input + ".audit.gtrace")
        let truth = try #require(result.groundTruth)
        let phantoms = truth.filter { $0.strategy == "phantom_buyer" }.map(\.participant)
        #expect(truth.count == 6 && phantoms.count == 3)
        // At night the overstating sellers have no surplus to overstate; the phantom buyers lie from interval 0.
        #expect(result.report.flagged == phantoms)
        for id in result.report.flagged { #expect(result.report.participant(id)?.suspectedStrategies == ["phantom_buyer"]) }
        let score = try #require(result.score)
        #expect(score.precision == 1 && abs(score.recall - 0.5) < 1e-12)

        let findings = try TraceReader(path: result.auditTracePath)
        let verification = findings.verify()
        #expect(verification.status == .sealed)
        #expect(hexString(verification.finalHash) == result.auditTraceFinalHash)
        let parameters = try parsePayloadJSON(findings.header.parameters)
        guard case .object(let members) = parameters else { Issue.record("parameters are not an object"); return }
        #expect(members["audited_trace"] == nil, "a derived trace names its source by final hash, never by path")
        #expect(members["audited_final_hash"] == .string(result.auditedFinalHash))
        #expect(hexString(try TraceReader(path: input).verify().finalHash) == result.auditedFinalHash)
        var actors: [String] = []
        try findings.forEachEvent { event in
            #expect(event.kind == "audit_finding")
            actors.append(event.actor)
            return true
        }
        #expect(actors == result.report.flagged.map { "home:\($0)" } + ["audit"])
    }

    @Test func noP2PTraceHasNoFindingsAndSaysWhy() throws {
        let output = path("custom-findings.gtrace")
        let result = try TraceAudit.run(tracePath: path("no-p2p.gtrace"), outputPath: output)
        #expect(result.report.flagged.isEmpty && result.report.declarationCount == 0 && result.report.meterCount == 55 * 36)
        #expect(result.report.note?.contains("no orders") == true)
        #expect(result.score == nil, "nobody could misdeclare, so there is nothing to score")
        #expect(try TraceReader(path: output).verify().status == .sealed)
    }

    @Test func refusesUnsealedTracesAndOverwritingTheInput() throws {
        let unsealed = path("unsealed.gtrace")
        let writer = try TraceWriter(creatingAt: unsealed, header: TraceHeader(engineVersion: "test", seed: 1, scenarioText: ""))
        try writer.append(EventRecord(time: .minutes(5), kind: .meterReading, actor: "home:0", payload: ["interval": 0, "net_wh": 5]))
        try writer.commit()
        #expect(throws: AuditError.traceNotSealed(path: unsealed, status: "incomplete at seq 2")) { try TraceAudit.run(tracePath: unsealed) }
        #expect(!FileManager.default.fileExists(atPath: unsealed + ".audit.gtrace"))
        let input = path("p2p.gtrace")
        #expect(throws: AuditError.self) { try TraceAudit.run(tracePath: input, outputPath: input) }
    }

    /// The command on the same traces.
    @Test func commandPrintsJSONAndRefusesUnsealed() throws {
        let run = { (arguments: [String]) in try CLI.run(arguments) }
        let output = path("cli-findings.gtrace")
        let json = try run(["audit", path("p2p.gtrace"), "--json", "--out", output])
        #expect(json.status == 0, "\(json.stderr)")
        guard case .object(let members) = try parsePayloadJSON(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("--json did not print an object"); return
        }
        let library = try TraceAudit.run(tracePath: path("p2p.gtrace"), outputPath: path("library-findings.gtrace"))
        #expect(members["flagged"] == .array(library.report.flagged.map { .int(Int64($0)) }))
        #expect(members["precision"] == .double(1) && members["recall"] == .double(0.5))
        guard case .array(let participants)? = members["participants"] else { Issue.record("no participants"); return }
        #expect(participants.count == 55)
        #expect(try TraceReader(path: output).verify().status == .sealed)
        let text = try run(["audit", path("no-p2p.gtrace")])
        #expect(text.status == 0 && text.stdout.contains("note:") && text.stdout.contains("flagged:   none"))
        let refused = try run(["audit", path("unsealed-cli.gtrace")])
        #expect(refused.status != 0 && refused.stderr.contains("no such file"))
        let unsealed = path("unsealed-cli.gtrace")
        let writer = try TraceWriter(creatingAt: unsealed, header: TraceHeader(engineVersion: "test", seed: 1, scenarioText: ""))
        try writer.commit()
        let incomplete = try run(["audit", unsealed])
        #expect(incomplete.status == 2 && incomplete.stderr.contains("refusing to audit a trace that does not verify as sealed"))
    }
}
