// Owns writing report.html for `demo` and `run --report`: the run's verification (every trace
// through `verify`), the audit of the P2P trace, and the report itself. The rendering lives in the
// Report module; this file only gathers its inputs.
import Chain
import CoSim
import Foundation
import Kernel
import Report
import Trace
import Verify

/// Renders the report of `summary` (with the chain sweep `chainSweep`, run by the caller, if any)
/// to `path`; the default is `report.html` in the folder of the first trace. Returns the path and the
/// audit it shows.
@discardableResult
func writeReport(_ summary: RunSummary, chainSweep: [ChainSweepRow]?, to path: String? = nil,
                 signingKey: TraceSigningKey? = nil) throws -> (path: String, audit: ReportAudit?) {
    // The report's inputs are independent reads of finished traces: gather them on all cores.
    var jobs: [ReportJob] = summary.variants.map { .verify($0) }
    if let p2p = summary.variants.first(where: { $0.variant == .p2p }) { jobs.insert(.audit(p2p, signingKey), at: 0) }
    if chainSweep != nil { jobs.append(.chainDesign(summary.scenario)) }
    var verification: [ReportCheck] = [], audit: ReportAudit?, design: ChainDesignResult?
    for part in try deterministicJobMap(jobs, { $0.run() }).map({ try $0.get() }) {
        switch part {
        case .checks(let checks): verification += checks
        case .audit(let result): audit = result
        case .chainDesign(let result): design = result
        }
    }
    let folder = summary.variants.first.map { ($0.tracePath as NSString).deletingLastPathComponent } ?? "."
    let destination = path ?? (folder as NSString).appendingPathComponent("report.html")
    try HTMLReport.write(to: destination, summary: summary, verification: verification, audit: audit, chainSweep: chainSweep,
                         chainDesign: design)
    return (destination, audit)
}

/// One independent piece of the report's input.
private enum ReportJob: Sendable {
    case verify(VariantSummary)
    case audit(VariantSummary, TraceSigningKey?)
    /// The paper's Fig. 7 loop on the scenario's chain (run with the chain sweep).
    case chainDesign(Scenario)

    enum Part: Sendable {
        case checks([ReportCheck])
        case audit(ReportAudit)
        case chainDesign(ChainDesignResult)
    }

    func run() -> Result<Part, any Error> {
        Result {
            switch self {
            case .verify(let variant):
                return .checks(try TraceVerifier.verify(path: variant.tracePath).checks.map { check in
                    ReportCheck(name: "\(variant.variant.rawValue): \(check.name)", status: check.passed ? .pass : .fail,
                                detail: ([check.summary] + check.details.prefix(3)).joined(separator: "; "))
                })
            case .audit(let variant, let signingKey):
                return .audit(reportAudit(try TraceAudit.run(tracePath: variant.tracePath, signingKey: signingKey)))
            case .chainDesign(let scenario):
                return .chainDesign(try ReportChainDesign.run(scenario: scenario))
            }
        }
    }
}

/// The audit of the P2P trace as the report shows it: flagged homes, the score against the
/// header's ground truth, and the flagged and closest unflagged participants.
func reportAudit(_ result: TraceAuditResult) -> ReportAudit {
    let strongest = result.report.participants.map { participant in
        (participant, [participant.buy, participant.sell].compactMap { $0 }.map(\.robustZ).max() ?? 0)
    }.sorted { ($0.0.flagged ? 1 : 0, $0.1) > ($1.0.flagged ? 1 : 0, $1.1) }
    let rows = strongest.prefix(12).map { participant, score in
        ReportAuditRow(participant: participant.participant, declaredKilowattHours: Double(participant.declaredWattHours) / 1000,
                       meteredKilowattHours: Double(participant.meteredWhenDeclaredWattHours) / 1000, score: score,
                       flagged: participant.flagged)
    }
    var notes = ["Rule: per participant and side, over-declaration per interval (declared − metered for buys, metered − declared "
                 + "for sells) against the population's median; flagged when \(result.report.rule.thresholdsText). "
                 + "Score column: the larger robust z of the two sides.",
                 "Findings trace: \(result.auditTracePath)"]
    if let note = result.report.note { notes.append(note) }
    return ReportAudit(flaggedParticipants: result.report.flagged, precision: result.score?.precision,
                       recall: result.score?.recall, notes: notes, rows: rows)
}
