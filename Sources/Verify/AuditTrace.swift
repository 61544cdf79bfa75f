// Owns auditing a recorded trace file: refuse anything that does not verify as sealed, stream its
// events into the audit, score against the header's ground truth (after deciding), and record the
// findings as `audit_finding` events in a new sealed trace that references the audited one by its
// final hash (never by its path, so the same audit of the same trace is byte-identical wherever it
// runs). The audited trace is opened read-only and never modified.
import CoSim
import Foundation
import Kernel
import Trace

/// The outcome of `TraceAudit.run`.
public struct TraceAuditResult: Sendable {
    public var auditedPath: String
    /// Final chain hash of the audited trace (hex), as its seal records it.
    public var auditedFinalHash: String
    public var report: AuditReport
    /// The header's ground truth, when it carries one.
    public var groundTruth: [GroundTruthAdversary]?
    /// Precision and recall of `report.flagged` against the ground truth; nil without ground truth
    /// or without any revealed order (a no-P2P trace).
    public var score: AuditScore?
    /// Where the findings trace was written, and its final hash (hex).
    public var auditTracePath: String
    public var auditTraceFinalHash: String

    /// The `--json` object: `flagged`, per-participant statistics, and `precision`/`recall` when scored.
    public var json: CanonicalJSON {
        guard case .object(var members) = report.json else { preconditionFailure("an audit report is a JSON object") }
        members["trace"] = .string(auditedPath)
        members["trace_final_hash"] = .string(auditedFinalHash)
        members["audit_trace"] = .string(auditTracePath)
        members["audit_trace_final_hash"] = .string(auditTraceFinalHash)
        if let score {
            members["precision"] = .double(score.precision)
            members["recall"] = .double(score.recall)
            members["score"] = score.json
        }
        if let groundTruth {
            members["ground_truth"] = .array(groundTruth.map { ["participant": .int(Int64($0.participant)), "strategy": .string($0.strategy)] })
        }
        return .object(members)
    }
}

public enum TraceAudit {
    /// Default location of the findings trace: next to the input.
    public static func defaultOutputPath(for tracePath: String) -> String { tracePath + ".audit.gtrace" }

    /// Audits the sealed trace at `tracePath` and writes the findings trace (`outputPath`, default
    /// `<input>.audit.gtrace`; an existing file there is replaced, the input never is). With
    /// `trustedKeys` a trace not signed by one of them is refused (`traceNotTrusted`); with
    /// `signingKey` the findings trace is signed.
    public static func run(tracePath: String, outputPath: String? = nil, rule: AuditRule = .standard,
                           trustedKeys: TrustedKeyring? = nil, signingKey: TraceSigningKey? = nil) throws(AuditError) -> TraceAuditResult {
        let output = outputPath ?? defaultOutputPath(for: tracePath)
        guard standardized(output) != standardized(tracePath) else {
            throw .trace("\(output): the findings trace must not overwrite the audited trace")
        }
        let reader: TraceReader
        do { reader = try TraceReader(path: tracePath) } catch { throw .trace("\(error)") }
        // An unsealed or corrupt trace is refused whatever reading the declarations found.
        let (verification, reading) = reader.whileVerifying(readLedger)
        // With trusted keys, anything short of a sealed trace signed by one of them (a bad or missing
        // signature included) is refused as untrusted.
        if let trust = trustedKeys?.check(verification), !trust.isTrusted {
            throw .traceNotTrusted(path: tracePath, verdict: trust.description)
        }
        guard verification.status.isSealed else { throw .traceNotSealed(path: tracePath, status: verification.status.description) }
        let ledger = try reading.get()
        let report = try DeclarationAudit.audit(ledger: ledger, rule: rule)
        // Scoring happens only now, after the decision; the ground truth never reaches the rule.
        let groundTruth = try parseGroundTruth(reader.header.groundTruth)
        // A trace without orders gives nobody the chance to misdeclare: there is nothing to score.
        let score = report.declarationCount == 0 ? nil
            : groundTruth.map { truth in AuditScore(flagged: report.flagged, adversaries: truth.map(\.participant)) }
        let auditedHash = hexString(verification.finalHash)
        let finalHash = try writeFindings(report: report, ledger: ledger, audited: reader.header,
                                          auditedFinalHash: auditedHash, auditedEvents: verification.verifiedEvents, to: output,
                                          signingKey: signingKey)
        return TraceAuditResult(auditedPath: tracePath, auditedFinalHash: auditedHash, report: report, groundTruth: groundTruth,
                                score: score, auditTracePath: output, auditTraceFinalHash: finalHash)
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    private static func readLedger(_ reader: TraceReader) throws(AuditError) -> DeclarationLedger {
        var ledger = DeclarationLedger()
        var failure: AuditError?
        do {
            try reader.forEachEvent { event in
                do throws(AuditError) {
                    try ledger.add(AuditEvent(seq: event.seq, timeMilliseconds: event.timeMilliseconds, kind: event.kind,
                                              actor: event.actor, payload: event.payload))
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        } catch {
            throw .trace("\(reader.path): reading events failed: \(error)")
        }
        if let failure { throw failure }
        return ledger
    }

    /// Writes the header (naming the audited trace by its final hash and event count) and one `audit_finding` per flagged
    /// participant plus a summary finding (actor `audit`), then seals. Returns the final hash (hex).
    private static func writeFindings(report: AuditReport, ledger: DeclarationLedger, audited: TraceHeader,
                                      auditedFinalHash: String, auditedEvents: Int64, to path: String,
                                      signingKey: TraceSigningKey?) throws(AuditError) -> String {
        let groundTruth = (try? parsePayloadJSON(audited.groundTruth)) ?? .object([:])
        let auditedParameters = (try? parsePayloadJSON(audited.parameters)) ?? .string(audited.parameters)
        let header = TraceHeader(
            engineVersion: EngineVersion.current, seed: audited.seed, scenarioText: audited.scenarioText,
            feederDigest: audited.feederDigest, groundTruth: groundTruth,
            parameters: ["variant": "audit", "audited_final_hash": .string(auditedFinalHash),
                         "audited_events": .int(auditedEvents), "audited_parameters": auditedParameters, "rule": report.rule.json])
        let time = SimTime(milliseconds: ledger.lastTimeMilliseconds)
        do {
            let writer = try TraceWriter(creatingAt: path, header: header, views: TracePayloads.schemas, signingKey: signingKey)
            for participant in report.participants where participant.flagged {
                try writer.append(EventRecord(time: time, actor: "home:\(participant.participant)", AuditFindingEvent(participant)))
            }
            let summary = AuditFindingEvent.Summary(flagged: report.flagged.map { Int64($0) }, participants: report.participants.count,
                                                    ordersRevealed: report.declarationCount, meterReadings: report.meterCount,
                                                    note: report.note)
            try writer.append(EventRecord(time: time, actor: "audit", AuditFindingEvent(.summary(summary))))
            return hexString(try writer.seal().finalHash)
        } catch {
            throw .trace("\(error)")
        }
    }
}
