// Owns a sweep from plan to results, the one function each `gridtrace sweep` subcommand calls:
// read and expand the plan, lay out the folder (or check it is this plan's, to resume), run what
// is not done on the chosen engine with a progress display, then collect sweep.sqlite and sweep.csv.
import CoSim
import Foundation
import Kernel

/// Where runs execute.
public enum SweepEngineKind: String, CaseIterable, Sendable {
    case local, slurm
}

public struct SweepOptions: Sendable {
    public var engine: SweepEngineKind
    /// Local processes at a time.
    public var jobs: Int
    /// The `gridtrace` binary the engines start (`sweep exec`).
    public var executablePath: String
    /// Slurm: the partition (`--partition`), the time limit per array task (`--time`), the most
    /// tasks at once (`--max-parallel`), the runs each task executes, and whether to wait for the
    /// array to end (else detach: `sweep status` and `sweep collect` later).
    public var slurmPartition: String?
    public var slurmTimeLimit: String?
    public var slurmMaxParallel: Int?
    public var slurmRunsPerTask = 1
    public var slurmWait = true
    /// The caller's monotonic clock, for the sweep's wall time and the progress ETA.
    public var clock: MonotonicSeconds

    public init(engine: SweepEngineKind, jobs: Int, executablePath: String, clock: @escaping MonotonicSeconds) {
        self.engine = engine
        self.jobs = jobs
        self.executablePath = executablePath
        self.clock = clock
    }
}

/// What a sweep did: counts over all runs, and what this invocation skipped and executed.
public struct SweepOutcome: Sendable {
    public var directory: String
    public var counts: SweepCounts
    public var skipped: Int
    public var executed: Int
    public var wallSeconds: Double
    /// Failed runs with their errors, in run order.
    public var failures: [(index: Int, error: String)]

    public var json: CanonicalJSON {
        guard case .object(var members) = counts.json else { preconditionFailure("counts are an object") }
        members["directory"] = .string(directory)
        members["skipped"] = .int(Int64(skipped))
        members["executed"] = .int(Int64(executed))
        members["wall_seconds"] = .double(wallSeconds)
        members["database"] = .string(SweepLayout(directory: directory).databasePath)
        members["csv"] = .string(SweepLayout(directory: directory).csvPath)
        members["failures"] = .array(failures.map { ["run_index": .int(Int64($0.index)), "error": .string($0.error)] })
        return .object(members)
    }
}

public enum Sweep {
    /// Runs the plan at `planPath` into `directory`. `progress` receives one line per finished run.
    /// Plan errors throw `TOMLInputError`; folder problems `SweepError`.
    public static func run(planPath: String, directory: String, options: SweepOptions,
                           progress: (String) -> Void = { _ in }) throws -> SweepOutcome {
        let elapsed = Elapsed(options.clock)
        let plan = try SweepPlan.load(path: planPath)
        let layout = SweepLayout(directory: directory)
        try prepare(layout, plan: plan, engine: options.engine)
        let pending = plan.runs.map(\.index).filter { !SweepExec.isDone(layout, index: $0) }
        let display = SweepProgress(total: plan.runs.count, alreadyDone: plan.runs.count - pending.count, toRun: pending.count,
                                    clock: options.clock)
        progress(display.startLine)
        switch options.engine {
        case .local:
            let engine = LocalEngine(executablePath: options.executablePath, jobs: options.jobs)
            try engine.run(layout: layout, indices: pending) { index in
                let failed = (try? RunResult.read(layout, index: index))??.status != .done
                progress(display.finished(index, failed: failed))
            }
        case .slurm:
            if !pending.isEmpty, !(try runOnSlurm(layout: layout, indices: pending, options: options)) {
                progress("sweep: submitted \(pending.count) runs to Slurm; follow with `gridtrace sweep status \(directory)`")
            }
        }
        let counts = try SweepCollect.collect(sweepDirectory: directory)
        var failures: [(index: Int, error: String)] = []
        for run in plan.runs {
            if let result = try RunResult.read(layout, index: run.index), result.status == .failed {
                failures.append((run.index, result.error ?? "failed"))
            }
        }
        return SweepOutcome(directory: directory, counts: counts, skipped: plan.runs.count - pending.count, executed: pending.count,
                            wallSeconds: elapsed.seconds, failures: failures)
    }

    /// Submits `indices` to Slurm as one job array (SlurmEngine), records the job in manifest.json
    /// and returns whether it waited for the array to end (`--detach` does not).
    static func runOnSlurm(layout: SweepLayout, indices: [Int], options: SweepOptions) throws(SweepError) -> Bool {
        guard SlurmEngine.available() else {
            throw .engineUnavailable("--engine slurm: sbatch, squeue or sinfo is missing, or no partition is up")
        }
        let slurmOptions = SlurmOptions(partition: options.slurmPartition, timeLimit: options.slurmTimeLimit,
                                        maxParallel: options.slurmMaxParallel, runsPerTask: options.slurmRunsPerTask)
        let engine = SlurmEngine(options: slurmOptions, executablePath: options.executablePath)
        do {
            let job = try engine.submit(sweepDirectory: layout.directory, runIndices: indices, wait: options.slurmWait)
            try recordSlurmJob(layout, jobID: job.jobID, taskCount: job.taskCount)
        } catch let error as SlurmError {
            throw error.isBadInput ? .unusableFolder("slurm: \(error)") : .engineUnavailable("slurm: \(error)")
        } catch let error as SweepError {
            throw error
        } catch {
            throw .engineUnavailable("slurm: \(error)")
        }
        return options.slurmWait
    }

    /// Records a submitted Slurm job array in manifest.json (`sweep status` asks Slurm about it;
    /// sweep.sqlite's `slurm_job`).
    static func recordSlurmJob(_ layout: SweepLayout, jobID: String, taskCount: Int) throws(SweepError) {
        var manifest = try SweepManifest.read(layout)
        manifest.slurmJob = jobID
        manifest.slurmTaskCount = taskCount
        do {
            try Data((manifest.json.text + "\n").utf8).write(to: URL(fileURLWithPath: layout.manifestPath), options: .atomic)
        } catch {
            throw .unusableFolder("\(layout.manifestPath): cannot write: \(error)")
        }
    }

    /// The Slurm job's state for `sweep status`: its array tasks by state (squeue, then result.json).
    static func slurmJobState(_ job: String, taskCount: Int, sweepDirectory: String) -> String {
        let folder = URL(fileURLWithPath: sweepDirectory).standardizedFileURL.path
        do {
            let state = try SlurmEngine(options: SlurmOptions(), executablePath: "")
                .state(of: SlurmJob(jobID: job, taskCount: taskCount, sweepDirectory: folder))
            return "job \(job) (\(taskCount) tasks): \(state.pending) pending, \(state.running) running, "
                + "\(state.completed) completed, \(state.failed) failed" + (state.unknown > 0 ? ", \(state.unknown) unknown" : "")
        } catch {
            return "job \(job) (\(taskCount) tasks): \(error)"
        }
    }

    /// Writes plan.toml, manifest.json and every run.toml, or checks that an existing folder holds
    /// this very plan (a rerun resumes it); a folder of another plan is refused.
    static func prepare(_ layout: SweepLayout, plan: SweepPlan, engine: SweepEngineKind) throws(SweepError) {
        let fileManager = FileManager.default
        var manifest = SweepManifest(plan: plan, engine: engine.rawValue)
        if let existing = fileManager.contents(atPath: layout.planPath) {
            guard String(decoding: existing, as: UTF8.self) == plan.planText, let previous = try? SweepManifest.read(layout),
                  previous.runs == manifest.runs else {
                throw .unusableFolder("\(layout.directory): holds another sweep (its plan.toml differs); choose another --out")
            }
            manifest.slurmJob = previous.slurmJob
            manifest.slurmTaskCount = previous.slurmTaskCount
        }
        do {
            for run in plan.runs {
                let folder = layout.runFolder(run.index), path = layout.scenarioPath(run.index)
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                if let existing = fileManager.contents(atPath: path), String(decoding: existing, as: UTF8.self) == run.scenarioText { continue }
                try Data(run.scenarioText.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
            try Data(plan.planText.utf8).write(to: URL(fileURLWithPath: layout.planPath), options: .atomic)
            try Data((manifest.json.text + "\n").utf8).write(to: URL(fileURLWithPath: layout.manifestPath), options: .atomic)
        } catch {
            throw .unusableFolder("\(layout.directory): cannot write the sweep folder: \(error)")
        }
    }

    /// `sweep status`: the counts, and the Slurm job's state when one was submitted.
    public static func status(sweepDirectory: String) throws(SweepError) -> (counts: SweepCounts, slurm: String?) {
        let manifest = try SweepManifest.read(SweepLayout(directory: sweepDirectory))
        return (try SweepCollect.counts(sweepDirectory: sweepDirectory),
                manifest.slurmJob.map { slurmJobState($0, taskCount: manifest.slurmTaskCount ?? 0, sweepDirectory: sweepDirectory) })
    }
}

/// The progress display: counts and an ETA from this invocation's pace (runs finished per second
/// of wall time, which already reflects the pool's parallelism).
final class SweepProgress {
    private let total: Int, alreadyDone: Int, toRun: Int
    private let elapsed: Elapsed
    private var finishedCount = 0, failedCount = 0

    init(total: Int, alreadyDone: Int, toRun: Int, clock: @escaping MonotonicSeconds) {
        elapsed = Elapsed(clock)
        self.total = total
        self.alreadyDone = alreadyDone
        self.toRun = toRun
    }

    var startLine: String {
        "sweep: \(total) runs, \(alreadyDone) already done, \(toRun) to run"
    }

    func finished(_ index: Int, failed: Bool) -> String {
        finishedCount += 1
        if failed { failedCount += 1 }
        let elapsedSeconds = elapsed.seconds
        let remaining = toRun - finishedCount
        let eta = remaining == 0 ? "0s" : Self.duration(elapsedSeconds / Double(finishedCount) * Double(remaining))
        return "sweep: run \(SweepLayout.folderName(index)) \(failed ? "FAILED" : "done"); "
            + "\(alreadyDone + finishedCount - failedCount)/\(total) done, \(failedCount) failed, \(remaining) to go; "
            + "elapsed \(Self.duration(elapsedSeconds)), ETA \(eta)"
    }

    /// `12s`, `4m10s`, `2h05m`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.isFinite ? max(0, seconds.rounded()) : 0)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + String(format: "%02ds", whole % 60) }
        return "\(whole / 3600)h" + String(format: "%02dm", whole % 3600 / 60)
    }
}
