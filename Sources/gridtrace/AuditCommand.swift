// Owns `gridtrace audit TRACE`: audit participants' declared against metered energy in a sealed
// trace, print the findings (or JSON), and write them to a new findings trace next to the input.
import ArgumentParser
import Foundation
import Kernel
import Verify

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Flag participants whose declared energy deliberately and repeatedly differs from their meter readings.",
        discussion: """
            Per participant and side (buy, sell), the mean over-declaration (declared beyond metered, Wh per \
            interval) is compared with the population (median, MAD) and tested for consistency (t ≥ 4) and \
            repetition (sign test z ≥ 3); see AuditRule. The trace must verify as sealed. Findings are written \
            as audit_finding events to a new sealed trace, <TRACE>.audit.gtrace unless --out is given; the \
            audited trace is never modified. When the header carries ground truth, precision and recall are \
            reported (the ground truth is read only after the decision).
            With --trusted-key, a trace that is not sealed, intact and signed by one of its keys is refused with exit 1 \
            (nothing is written).
            Exit codes: 0 audited, 1 not signed by a trusted key, 2 refused (unsealed, unreadable, malformed events).
            """)

    @Argument(help: "The trace to audit (.gtrace, sealed).") var trace: String
    @Flag(help: "Machine-readable output: flagged ids, per-participant statistics, precision and recall.") var json = false
    @Option(help: "Where to write the findings trace (default: <TRACE>.audit.gtrace).") var out: String?
    @Option(name: .customLong("trusted-key"), help: "Audit only a trace signed by a key in this file (a public key or keyring: lines of `HEX [NAME]`).")
    var trustedKey: String?
    @OptionGroup var signing: SigningKeyOptions

    func run() throws {
        let trusted = try loadTrustedKeys(trustedKey)
        let key = try signing.resolve()
        let result: TraceAuditResult
        do {
            result = try TraceAudit.run(tracePath: trace, outputPath: out, trustedKeys: trusted, signingKey: key.key)
        } catch {
            if case .traceNotTrusted = error { throw failure("\(error)", code: 1) }
            throw failure("\(error)")
        }
        if json {
            guard case .object(var members) = result.json else { preconditionFailure("an audit result is a JSON object") }
            members["signer"] = key.json
            printJSON(.object(members))
            return
        }
        let report = result.report
        print("audited:   \(result.auditedPath) (final hash \(result.auditedFinalHash.prefix(16))…)")
        print("orders:    \(report.declarationCount) revealed, \(report.meterCount) meter readings, \(report.participants.count) participants")
        if let note = report.note { print("note:      \(note)") }
        print("flagged:   \(report.flagged.isEmpty ? "none" : report.flagged.map { HumanFormat.participant(Int($0)) }.joined(separator: ", "))")
        for participant in report.participants where participant.flagged {
            for side in [participant.sell, participant.buy].compactMap({ $0 }) where side.flagged {
                print(String(format: "  %@  %@ side: over-declared %.0f Wh/interval beyond the population over %d intervals "
                             + "(robust z %.1f, t %.1f, sign z %.1f) → suspected %@",
                             HumanFormat.participant(Int(participant.participant)), side.side.rawValue, side.excessWattHours, side.intervals,
                             side.robustZ, side.tStatistic, side.signZ, side.side.suspectedStrategy))
            }
        }
        if let score = result.score {
            print(String(format: "score:     precision %.3f, recall %.3f against the header's ground truth (%d adversaries)",
                         score.precision, score.recall, result.groundTruth?.count ?? 0))
        }
        print("findings:  \(result.auditTracePath)")
        print("findings \(key.line)")
    }
}
