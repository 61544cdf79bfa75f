// Owns writing report.html for `demo` and `run --report`: the run's verification (every trace
// through `verify`), the audit of the P2P trace, and the report itself. The rendering lives in the
// Report module; this file only gathers its inputs.
import CoSim
import Foundation
import Kernel
import Report
import Verify

/// Renders the report of `summary` (with a chain sweep of `sweepBlocks` blocks per delay unless 0)
/// to `path`; the default is `report.html` in the folder of the first trace. Returns the path.
@discardableResult
func writeReport(_ summary: RunSummary, to path: String? = nil, sweepBlocks: Int = ReportChainSweep.defaultBlocks) throws -> String {
    let verification = try summary.variants.flatMap { variant in
        try TraceVerifier.verify(path: variant.tracePath).checks.map { check in
            ReportCheck(name: "\(variant.variant.rawValue): \(check.name)", status: check.passed ? .pass : .fail,
                        detail: ([check.summary] + check.details.prefix(3)).joined(separator: "; "))
        }
    }
    let audit: ReportAudit? = nil
    let sweep = sweepBlocks > 0 ? try ReportChainSweep.run(scenario: summary.scenario, blocks: sweepBlocks) : nil
    let folder = summary.variants.first.map { ($0.tracePath as NSString).deletingLastPathComponent } ?? "."
    let destination = path ?? (folder as NSString).appendingPathComponent("report.html")
    try HTMLReport.write(to: destination, summary: summary, verification: verification, audit: audit, chainSweep: sweep)
    return destination
}

