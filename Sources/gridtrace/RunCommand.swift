// Owns `gridtrace run SCENARIO.toml` and `gridtrace demo`: run a scenario pair into traces and
// summary.json, steps.csv and homes.csv, with a progress line on stderr and a summary table at the end.
import ArgumentParser
import Chain
import CoSim
import Foundation
import Kernel
import Report
import Trace
import Verify

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a scenario file: writes <variant>.gtrace traces, summary.json, steps.csv and homes.csv.")

    @Argument(help: "Scenario file (TOML).") var scenario: String
    @Option(help: "OpenDSS feeder script replacing the scenario's feeder.") var feeder: String?
    @Option(help: "Root seed replacing the scenario's seed.") var seed: UInt64?
    @Option(help: "Run only the first N five-minute intervals (1–288).") var intervals: Int?
    @Option(help: "Run only this scenario of the pair: no-p2p or p2p.") var variant: String?
    @Option(help: "Output folder.") var out: String = "out"
    @Flag(help: "Also write report.html (Table 2, plots, verification, audit).") var report = false
    @Flag(help: "Machine-readable summary on stdout.") var json = false
    @OptionGroup var signing: SigningKeyOptions
    @Flag(help: "Exit 1 when a node leaves the scenario's voltage band (the run still writes everything).") var strict = false

    func validate() throws {
        if let intervals, !(1...288).contains(intervals) { throw ValidationError("--intervals must be in 1…288") }
        if let variant, Scenario.Variant(argument: variant) == nil {
            throw ValidationError("--variant takes no-p2p or p2p (no_p2p is accepted for no-p2p), got '\(variant)'")
        }
    }

    func run() throws {
        let key = try signing.resolve()
        var loaded = try reportingErrors { try Scenario.load(path: scenario, seedOverride: seed, feederOverride: feeder) }
        if let intervals { loaded.intervals = intervals }
        if let variant = variant.flatMap(Scenario.Variant.init(argument:)) { loaded.variants = [variant] }
        try runScenario(loaded, out: out, json: json, report: report, strict: strict, signing: key)
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the embedded default scenario (synthetic 55-home feeder, no P2P and P2P) end to end.")

    @Option(help: "Output folder.") var out: String = "out"
    @Flag(help: "Machine-readable summary on stdout.") var json = false
    @OptionGroup var signing: SigningKeyOptions
    @Flag(help: "Exit 1 when a node leaves the scenario's voltage band (the run still writes everything).") var strict = false

    @Option(help: "Run only the first N five-minute intervals (1–288), e.g. for a quick look.") var intervals: Int?

    func validate() throws {
        if let intervals, !(1...288).contains(intervals) { throw ValidationError("--intervals must be in 1…288") }
    }

    func run() throws {
        let key = try signing.resolve()
        var scenario = Scenario.embeddedDefault()
        if let intervals { scenario.intervals = intervals }
        try runScenario(scenario, out: out, json: json, report: true, strict: strict, signing: key)
    }
}

/// Runs `scenario` into `out`, showing progress on stderr, then prints the summary (and writes the
/// report when asked). Every trace it writes is signed with `signing`. A scenario whose grid left its
/// voltage band says so on stderr; with `strict` that is exit 1 (after every file is written).
func runScenario(_ scenario: Scenario, out: String, json: Bool, report: Bool, strict: Bool = false,
                 signing: ResolvedSigningKey) throws {
    let clock = ContinuousClock()
    let start = clock.now
    // Held until this function returns: a second run into `out` is refused before it writes.
    let lock = try reportingErrors { try OutputFolderLock(folder: out) }
    defer { withExtendedLifetime(lock) {} }
    let progress = ProgressLine(total: scenario.intervals)
    let (summary, sweep) = try reportingErrors { try simulate(scenario, out: out, withChainSweep: report, signingKey: signing.key, progress: progress) }
    progress.finish()
    let tables = try reportingErrors { try RunTables.write(summary.variants.map { ($0.variant.rawValue, $0.tracePath) }, directory: out) }
    let written = report ? try reportingErrors { try writeReport(summary, chainSweep: sweep, signingKey: signing.key) } : nil
    let wall = seconds(clock.now - start)
    let warnings = summary.variants.compactMap(limitWarning)
    for warning in warnings { FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8)) }
    let strictFailure = strict && !warnings.isEmpty
    if json {
        guard case .object(var members) = summary.json else { preconditionFailure("a run summary is a JSON object") }
        members["signer"] = signing.json
        printJSON(.object(members))
        if strictFailure { throw ExitCode(1) }
        return
    }
    print(summaryTable(summary))
    if let audit = written?.audit {
        let score = audit.precision.map { String(format: " (precision %.2f, recall %.2f against the recorded ground truth)", $0, audit.recall ?? 0) } ?? ""
        print("audit: flagged \(audit.flaggedParticipants.map { HumanFormat.participant(Int($0)) }.joined(separator: ", "))\(score)")
    }
    let files = summary.variants.map(\.tracePath) + [(out as NSString).appendingPathComponent("summary.json")] + tables + [written?.path].compactMap { $0 }
    print("wrote \(files.joined(separator: ", ")) in \(HumanFormat.quantity(wall, "s"))")
    print(signing.line)
    for warning in warnings { print("warning: " + warning) }
    if strictFailure { throw ExitCode(1) }
}

/// What a scenario whose nodes left the voltage band says when the run ends, e.g. "p2p: vmin
/// 0.886 pu below EN 50160 0.90 pu at 388 node-steps; run `gridtrace verify out/p2p.gtrace`".
func limitWarning(_ variant: VariantSummary) -> String? {
    let count = variant.nodeStepsOutsideLimits
    guard count > 0 else { return nil }
    let limits = variant.limits, metrics = variant.metrics
    var sides: [String] = []
    if metrics.voltageMin.value < limits.lowPerUnit {
        sides.append("vmin \(HumanFormat.quantity(metrics.voltageMin.value, "pu", decimals: 3)) below \(limits.name) "
                     + HumanFormat.quantity(limits.lowPerUnit, "pu"))
    }
    if metrics.voltageMax.value > limits.highPerUnit {
        sides.append("vmax \(HumanFormat.quantity(metrics.voltageMax.value, "pu", decimals: 3)) above \(limits.name) "
                     + HumanFormat.quantity(limits.highPerUnit, "pu"))
    }
    return "\(variant.variant.rawValue): \(sides.joined(separator: " and ")) at \(count) node-steps; "
        + "run `gridtrace verify \(variant.tracePath)`"
}

/// Runs the scenario pair and, for the report, the chain sweep beside it: the sweep depends only on
/// the scenario, and it fills the core the P2P run leaves idle between signature batches.
private func simulate(_ scenario: Scenario, out: String, withChainSweep: Bool, signingKey: TraceSigningKey,
                      progress: ProgressLine) throws -> (RunSummary, [ChainSweepRow]?) {
    enum Job: Sendable { case run, sweep }
    enum Part: Sendable { case summary(RunSummary), sweep([ChainSweepRow]) }
    let parts = try deterministicJobMap(withChainSweep ? [Job.run, .sweep] : [.run]) { job -> Result<Part, any Error> in
        Result {
            switch job {
            case .run: return .summary(try CoSimulation.run(scenario, directory: out, signingKey: signingKey) { progress.update($0.rawValue, $1 + 1) })
            case .sweep: return .sweep(try ReportChainSweep.run(scenario: scenario))
            }
        }
    }.map { try $0.get() }
    var summary: RunSummary?, sweep: [ChainSweepRow]?
    for part in parts {
        switch part {
        case .summary(let value): summary = value
        case .sweep(let rows): sweep = rows
        }
    }
    guard let summary else { preconditionFailure("the run job always yields a summary") }
    return (summary, sweep)
}

/// The paper's Table 2 side by side, plus the trace of each scenario.
func summaryTable(_ summary: RunSummary) -> String {
    let columns = summary.variants
    let rows: [(String, (VariantSummary) -> String)] = [
        ("export, reverse flow (kWh)", { String(format: "%.2f", $0.metrics.energyExportedKilowattHours) }),
        ("import (kWh)", { String(format: "%.2f", $0.metrics.energyImportedKilowattHours) }),
        ("net export = export-import (kWh)", { String(format: "%.2f", -$0.metrics.energyNetKilowattHours) }),
        ("reactive energy (kvarh)", { String(format: "%.2f", $0.metrics.reactiveEnergyAbsoluteKilovarHours) }),
        ("max complex power (kVA)", { String(format: "%.2f", $0.metrics.maxApparentPowerKilovoltAmperes) }),
        ("losses (% of load)", { String(format: "%.3f", $0.metrics.lossesPercentOfLoadEnergy) }),
        ("unbalance (Vmax-Vmin)/Vavg %", { String(format: "%.3f", $0.metrics.unbalanceSpread.value) }),
        ("unbalance max|V-Vavg|/Vavg %", { String(format: "%.3f", $0.metrics.unbalanceMaxDeviation.value) }),
        ("unbalance VUF |V2|/|V1| %", { String(format: "%.3f", $0.metrics.unbalanceVUF.value) }),
        ("voltage min / max (pu)", { String(format: "%.4f / %.4f", $0.metrics.voltageMin.value, $0.metrics.voltageMax.value) }),
        ("node-steps outside band", { "\($0.nodeStepsOutsideLimits) (\($0.limits.name))" }),
        ("P2P volume (kWh)", { String(format: "%.2f", $0.p2pVolumeKilowattHours) }),
        ("contracts (fell back)", { "\($0.contracts) (\($0.contractsFallenBack))" }),
        ("all solves converged", { $0.allConverged ? "yes" : "NO" }),
        ("trace events", { String($0.events) }),
    ]
    let labelWidth = 34, columnWidth = 22
    var lines = ["scenario \(summary.scenario.name), seed \(summary.scenario.seed), \(summary.scenario.intervals) intervals"]
    lines.append("".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                 + columns.map { $0.variant.rawValue.leftPadded(columnWidth) }.joined())
    for (label, value) in rows {
        lines.append(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + columns.map { value($0).leftPadded(columnWidth) }.joined())
    }
    return lines.joined(separator: "\n")
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}

/// A single self-overwriting progress line on stderr (only when stderr is a terminal), one entry
/// per label; updates may come from several threads (the scenarios of a pair run side by side).
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let enabled = isatty(2) == 1
    private let lock = NSLock()
    private var done: [(label: String, intervals: Int)] = []

    init(total: Int) { self.total = total }

    func update(_ label: String, _ intervals: Int) {
        guard enabled else { return }
        lock.withLock {
            if let index = done.firstIndex(where: { $0.label == label }) {
                done[index].intervals = intervals
            } else {
                done.append((label, intervals))
                done.sort { $0.label < $1.label }  // a fixed order, whichever scenario reports first
            }
            let line = done.map { "\($0.label): interval \($0.intervals)/\(total)" }.joined(separator: "   ")
            FileHandle.standardError.write(Data("\r\(line)   ".utf8))
        }
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
