// Owns `gridtrace sweep`: run a plan of many runs (parameters × seeds) on a local process pool or
// Slurm, and its subcommands `status`, `collect` and the engines' `exec`. Each parses, calls one
// Study function and prints.
import ArgumentParser
import CoSim
import Foundation
import Kernel
import Study

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a sweep plan (parameters × seeds) into one folder per run, sweep.sqlite and sweep.csv.",
        discussion: "See docs/sweeps.md for the plan format and the folder layout.",
        subcommands: [SweepRunCommand.self, SweepStatusCommand.self, SweepCollectCommand.self, SweepReportCommand.self,
                      SweepExecCommand.self],
        defaultSubcommand: SweepRunCommand.self)
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every run of PLAN.toml that is not done yet, then collect the results.",
        discussion: """
            Rerunning the same plan into the same folder resumes it: runs whose result is done and whose sealed traces \
            carry the recorded header digests are skipped; failed runs run again. A failed run is recorded with its \
            error and the sweep goes on. Exit 0 when every run is done, 1 when a run failed (after writing everything), \
            2 for a bad plan or folder.
            """)

    @Argument(help: "The sweep plan (TOML).") var plan: String
    @Option(help: "The sweep folder.") var out: String
    @Option(help: "Where runs execute: local (a process pool) or slurm.") var engine: String = "local"
    @Option(name: .short, help: "Local processes at a time (default: the number of cores).") var jobs: Int?
    @Flag(help: "Machine-readable result on stdout (progress stays on stderr).") var json = false
    @Option(help: "Slurm: the partition to submit to.") var partition: String?
    @Option(help: "Slurm: the time limit of each array task (sbatch --time, e.g. 01:00:00).") var time: String?
    @Option(name: .customLong("max-parallel"), help: "Slurm: the most array tasks running at once.") var maxParallel: Int?
    @Option(name: .customLong("runs-per-task"), help: "Slurm: runs each array task executes.") var runsPerTask: Int = 1
    @Flag(help: "Slurm: submit and return at once (follow with `sweep status`, then `sweep collect`).") var detach = false

    func validate() throws {
        guard let kind = SweepEngineKind(rawValue: engine) else { throw ValidationError("--engine takes local or slurm, got '\(engine)'") }
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("-j must be in 1…1024") }
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1") }
        guard (1...100_000).contains(runsPerTask) else { throw ValidationError("--runs-per-task must be in 1…100000") }
        if kind == .local, partition != nil || time != nil || maxParallel != nil || detach {
            throw ValidationError("--partition, --time, --max-parallel and --detach go with --engine slurm")
        }
    }

    func run() throws {
        var options = SweepOptions(engine: SweepEngineKind(rawValue: engine) ?? .local,
                                   jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, executablePath: executablePath(),
                                   clock: monotonicSeconds)
        options.slurmPartition = partition
        options.slurmTimeLimit = time
        options.slurmMaxParallel = maxParallel
        options.slurmRunsPerTask = runsPerTask
        options.slurmWait = !detach
        let outcome = try reportingErrors {
            try Sweep.run(planPath: plan, directory: out, options: options) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        if json {
            printJSON(outcome.json)
        } else {
            let counts = outcome.counts
            print("sweep \(out): \(counts.total) runs: \(counts.done) done, \(counts.failed) failed, \(counts.pending) pending "
                  + "(\(outcome.skipped) already done, \(outcome.executed) run now)")
            for failure in outcome.failures { print("failed: run \(failure.index): \(failure.error)") }
            let layout = SweepLayout(directory: out)
            print("wrote \(layout.databasePath), \(layout.csvPath)")
        }
        if outcome.counts.failed > 0 { throw ExitCode(1) }
    }

    /// This binary, for the engines to start `sweep exec` with.
    private func executablePath() -> String {
        Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Count a sweep folder's runs: done, failed, pending.")

    @Argument(help: "The sweep folder.") var directory: String
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        let status = try reportingErrors { try Sweep.status(sweepDirectory: directory) }
        if json {
            guard case .object(var members) = status.counts.json else { preconditionFailure("counts are an object") }
            members["slurm"] = status.slurm.map { .string($0) } ?? .null
            printJSON(.object(members))
            return
        }
        let counts = status.counts
        print("\(directory): \(counts.total) runs: \(counts.done) done, \(counts.failed) failed, \(counts.pending) pending")
        if let slurm = status.slurm { print("slurm: \(slurm)") }
    }
}

struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect", abstract: "Rebuild sweep.sqlite and sweep.csv from a sweep folder's run results.")

    @Argument(help: "The sweep folder.") var directory: String
    @Flag(help: "Machine-readable output: the counts.") var json = false

    func run() throws {
        let counts = try reportingErrors { try SweepCollect.collect(sweepDirectory: directory) }
        if json {
            printJSON(counts.json)
            return
        }
        print("\(directory): \(counts.total) runs: \(counts.done) done, \(counts.failed) failed, \(counts.pending) pending")
        let layout = SweepLayout(directory: directory)
        print("wrote \(layout.databasePath), \(layout.csvPath)")
    }
}

struct SweepReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one HTML file of a sweep: each metric against each parameter (mean, 95 % CI over seeds), failed runs.",
        discussion: "Reads DIR/sweep.sqlite (run `sweep collect DIR` first for a detached Slurm sweep). See docs/sweep-report.md.")

    @Argument(help: "The sweep folder.") var directory: String
    @Option(help: "Where to write the HTML (default DIR/report.html).") var out: String?
    @Flag(help: "Machine-readable result.") var json = false

    func run() throws {
        let path = out ?? directory + "/report.html"
        try reportingErrors {
            let html = try SweepReport.render(sweepDirectory: directory)
            try CoSimulation.writeAtomically(html, to: path)
        }
        if json {
            printJSON(.object(["report": .string(path)]))
        } else {
            print("wrote \(path)")
        }
    }
}

struct SweepExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Execute runs of a prepared sweep folder (what the engines start; see docs/sweeps.md).",
        discussion: "Exit 0 even when a run failed (its result.json says so); 2 when the folder is unusable.",
        shouldDisplay: false)

    @Argument(help: "The sweep folder.") var directory: String
    @Option(help: "Run indices, comma-separated (e.g. 3,4,5).") var runs: String
    @OptionGroup var signing: SigningKeyOptions
    @Flag(help: "Machine-readable output: each run's outcome (skipped, done, failed).") var json = false

    func run() throws {
        var indices: [Int] = []
        for part in runs.split(separator: ",", omittingEmptySubsequences: false) {
            guard let index = Int(part.trimmingCharacters(in: .whitespaces)), index >= 0 else {
                throw failure("--runs: '\(part)' is not a run index", code: 64)
            }
            indices.append(index)
        }
        let key = try signing.resolve()
        var outcomes: [CanonicalJSON] = []
        try reportingErrors {
            try SweepExec.execute(sweepDirectory: directory, runIndices: indices, signingKey: key.key,
                                  clock: monotonicSeconds) { index, outcome in
                if json {
                    outcomes.append(["run_index": .int(Int64(index)), "outcome": .string(outcome.rawValue)])
                } else {
                    print("run \(index): \(outcome.rawValue)")
                }
            }
        }
        if json { printJSON(["runs": .array(outcomes)]) }
    }
}
