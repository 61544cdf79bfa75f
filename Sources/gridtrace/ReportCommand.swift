// Owns `gridtrace report FOLDER` and `writeReport` (for `run --report` and `demo`): the HTML report
// of a run folder. The per-interval series the report plots are not in summary.json, so the
// command re-runs the scenario recorded in the traces' header into a temporary folder, checks that
// the re-run reproduces every trace's final hash, and renders the report with those checks.
import ArgumentParser
import CoSim
import Foundation
import Kernel
import Report
import Trace

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html for a run folder (re-runs the recorded scenario and checks it reproduces the traces).")

    @Argument(help: "Run folder holding no-p2p.gtrace and/or p2p.gtrace (from gridtrace run or demo).") var folder: String
    @Option(help: "Output file (default: FOLDER/report.html).") var out: String?
    @Option(name: .customLong("sweep-blocks"), help: "Blocks per delay in the chain sweep; 0 leaves the sweep out.")
    var sweepBlocks = ReportChainSweep.defaultBlocks

    func run() throws {
        guard sweepBlocks >= 0 else { throw ValidationError("--sweep-blocks must be ≥ 0") }
        let path = try reportingErrors { try rebuildReport(folder: folder, out: out, sweepBlocks: sweepBlocks) }
        print("wrote \(path)")
    }
}

/// Renders the report of `summary` (with a chain sweep of `sweepBlocks` blocks per delay unless 0)
/// to `path`; the default is `report.html` in the folder of the first trace. Returns the path.
@discardableResult
func writeReport(_ summary: RunSummary, to path: String? = nil, verification: [ReportCheck] = [], audit: ReportAudit? = nil,
                 sweepBlocks: Int = ReportChainSweep.defaultBlocks) throws -> String {
    let sweep = sweepBlocks > 0 ? try ReportChainSweep.run(scenario: summary.scenario, blocks: sweepBlocks) : nil
    let folder = summary.variants.first.map { ($0.tracePath as NSString).deletingLastPathComponent } ?? "."
    let destination = path ?? (folder as NSString).appendingPathComponent("report.html")
    try HTMLReport.write(to: destination, summary: summary, verification: verification, audit: audit, chainSweep: sweep)
    return destination
}

/// Why a run folder's report cannot be rebuilt.
enum ReportCommandError: Error, CustomStringConvertible {
    case noTraces(folder: String)
    case differentScenarios(first: String, second: String)
    case feederNotFound(trace: String, feeder: String)

    var description: String {
        switch self {
        case .noTraces(let folder):
            return "report: no \(CoSimulation.traceName(.noP2P)) or \(CoSimulation.traceName(.p2p)) in \(folder)"
        case .differentScenarios(let first, let second):
            return "report: \(first) and \(second) record different scenarios or seeds; re-run them into one folder"
        case .feederNotFound(let trace, let feeder):
            return "report: the feeder \(feeder) recorded in \(trace)'s header cannot be read; re-run with gridtrace run --report"
        }
    }
}

/// One trace of the folder: its scenario of the pair, header and recorded final hash.
private struct RecordedTrace {
    var variant: Scenario.Variant
    var path: String
    var header: TraceHeader
    var verification: TraceVerification
}

func rebuildReport(folder: String, out: String?, sweepBlocks: Int) throws -> String {
    var traces: [RecordedTrace] = []
    for variant in Scenario.Variant.allCases {
        let path = (folder as NSString).appendingPathComponent(CoSimulation.traceName(variant))
        guard FileManager.default.fileExists(atPath: path) else { continue }
        let reader = try TraceReader(path: path)
        traces.append(RecordedTrace(variant: variant, path: path, header: reader.header, verification: reader.verify()))
    }
    guard let first = traces.first else { throw ReportCommandError.noTraces(folder: folder) }
    for other in traces.dropFirst() where other.header.scenarioText != first.header.scenarioText || other.header.seed != first.header.seed {
        throw ReportCommandError.differentScenarios(first: first.path, second: other.path)
    }
    var scenario = try recordedScenario(first)
    scenario.variants = traces.map(\.variant)

    let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("gridtrace-report-\(getpid())")
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    var summary = try CoSimulation.run(scenario, directory: scratch)
    var checks: [ReportCheck] = []
    for trace in traces {
        let name = (trace.path as NSString).lastPathComponent
        checks.append(ReportCheck(name: "\(name): hash chain and seal", status: trace.verification.status.isSealed ? .pass : .fail,
                                  detail: "\(trace.verification.status), \(trace.verification.verifiedEvents) events verified"))
        guard let index = summary.variants.firstIndex(where: { $0.variant == trace.variant }) else { continue }
        let recorded = hexString(trace.verification.finalHash), rerun = summary.variants[index].finalHash
        checks.append(ReportCheck(name: "\(name): re-run reproduces the trace", status: recorded == rerun ? .pass : .fail,
                                  detail: recorded == rerun ? "final hash \(rerun)" : "recorded \(recorded), re-run \(rerun)"))
        summary.variants[index].tracePath = trace.path
    }
    let destination = out ?? (folder as NSString).appendingPathComponent("report.html")
    return try writeReport(summary, to: destination, verification: checks, sweepBlocks: sweepBlocks)
}

/// The scenario a trace recorded: its header's scenario text and seed, and the feeder the header
/// names (an OpenDSS path in the text is relative to the scenario file's folder, which the header
/// does not keep, so the recorded absolute path replaces it).
private func recordedScenario(_ trace: RecordedTrace) throws -> Scenario {
    let feederPath = recordedFeederPath(trace.header.parameters)
    let file = "the scenario recorded in " + (trace.path as NSString).lastPathComponent
    var scenario: Scenario
    if let feederPath {
        // The recorded path is the scenario folder joined with the text's path, so one of its
        // prefixes is the folder the text's path resolves against.
        var candidates: [String] = []
        var prefix = (feederPath as NSString).deletingLastPathComponent
        while !prefix.isEmpty, prefix != "/" {
            candidates.append(prefix)
            prefix = (prefix as NSString).deletingLastPathComponent
        }
        var parsed: Scenario?
        for base in candidates {
            if let candidate = try? Scenario.parse(trace.header.scenarioText, file: file, baseFolder: base) {
                parsed = candidate
                break
            }
        }
        guard var found = parsed, FileManager.default.fileExists(atPath: feederPath) else {
            throw ReportCommandError.feederNotFound(trace: trace.path, feeder: feederPath)
        }
        found.feeder = .openDSS(path: feederPath)
        scenario = found
    } else {
        scenario = try Scenario.parse(trace.header.scenarioText, file: file, baseFolder: nil)
        scenario.feeder = .synthetic
    }
    scenario.seed = trace.header.seed
    return scenario
}

/// The OpenDSS path in a header's parameters (`{"feeder":"…","variant":"…"}`), nil for the
/// synthetic feeder.
private func recordedFeederPath(_ parameters: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(parameters.utf8)) as? [String: Any],
          let feeder = object["feeder"] as? String, feeder != "synthetic" else { return nil }
    return feeder
}
