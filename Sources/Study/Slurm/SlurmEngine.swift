// Owns the Slurm engine of a sweep: it shards the runs into the tasks of one job array, writes
// SWEEPDIR/slurm/shards.txt and SWEEPDIR/slurm/array.sh, submits with `sbatch --parsable [--wait]`,
// and reports the array's progress. Progress comes from `squeue` while Slurm remembers the tasks,
// and from the runs' result.json files after that: `sacct` is not used, because it needs accounting
// storage, which many clusters (and the one-node CI cluster, scripts/slurm-local.sh) do not run.
import CoSim
import Foundation

/// A submitted job array.
public struct SlurmJob: Sendable, Codable, Equatable {
    /// Slurm's id of the array job (the `%A` of its tasks).
    public var jobID: String
    /// Array tasks (0 to taskCount − 1).
    public var taskCount: Int
    /// The absolute sweep folder the array runs, so `state(of:)` can read the result.json files of
    /// tasks Slurm no longer lists; nil limits `state(of:)` to what squeue shows.
    public var sweepDirectory: String?

    public init(jobID: String, taskCount: Int, sweepDirectory: String? = nil) {
        self.jobID = jobID
        self.taskCount = taskCount
        self.sweepDirectory = sweepDirectory
    }
}

/// The array's tasks by state; they add up to the job's task count.
public struct SlurmJobState: Sendable, Codable, Equatable {
    public var pending = 0
    public var running = 0
    /// Finished with exit 0 (squeue), or left the queue with a result.json for each of its runs.
    public var completed = 0
    /// Failed, timed out or cancelled (squeue), or left the queue with a run lacking its result.json.
    public var failed = 0
    /// Left the queue when the sweep folder is unknown (a job made without `sweepDirectory`).
    public var unknown = 0

    public init(pending: Int = 0, running: Int = 0, completed: Int = 0, failed: Int = 0, unknown: Int = 0) {
        self.pending = pending
        self.running = running
        self.completed = completed
        self.failed = failed
        self.unknown = unknown
    }

    /// No task is waiting or running.
    public var isFinished: Bool { pending == 0 && running == 0 }
}

public struct SlurmEngine: Sendable {
    public var options: SlurmOptions
    public var executablePath: String
    /// What each array task runs; the default is the sweep contract's `EXE sweep exec SWEEPDIR --runs …`.
    public var taskCommand: SlurmTaskCommand

    public init(options: SlurmOptions, executablePath: String, taskCommand: SlurmTaskCommand = .sweepExec) {
        self.options = options
        self.executablePath = executablePath
        self.taskCommand = taskCommand
    }

    /// Writes SWEEPDIR/slurm/shards.txt and SWEEPDIR/slurm/array.sh and submits one job array; each
    /// task runs `EXE sweep exec SWEEPDIR --runs <its shard>` (or `taskCommand`). Task logs go to
    /// SWEEPDIR/slurm/task-<job>_<task>.log.
    ///
    /// `wait` = `sbatch --wait`: returns when every task has ended. A task that failed does not make
    /// this throw (the job was submitted; `state(of:)` counts it): only a refused submission does,
    /// with sbatch's stderr. Options, folder, run folders and executable are checked first.
    public func submit(sweepDirectory: String, runIndices: [Int], wait: Bool) throws -> SlurmJob {
        try options.validate()
        let folder = try Self.checkedSweepDirectory(sweepDirectory)
        try checkExecutable()
        try Self.checkRunIndices(runIndices, sweepDirectory: folder)
        let shards = SlurmScript.shards(runIndices, runsPerTask: options.runsPerTask)
        let slurmFolder = folder + "/slurm"
        try FileManager.default.createDirectory(atPath: slurmFolder, withIntermediateDirectories: true)
        try CoSimulation.writeAtomically(SlurmScript.shardFile(shards), to: slurmFolder + "/shards.txt")
        let script = SlurmScript.arrayScript(sweepDirectory: folder, executablePath: executablePath, taskCount: shards.count,
                                             options: options, command: taskCommand)
        try CoSimulation.writeAtomically(script, to: slurmFolder + "/array.sh")

        let result = try SlurmCommand.run("sbatch", ["--parsable"] + (wait ? ["--wait"] : []) + [slurmFolder + "/array.sh"], in: folder)
        // --parsable prints "jobid" or "jobid;cluster" on the first line once the job is accepted.
        let firstLine = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        let jobID = String(firstLine.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces)
        guard !jobID.isEmpty, jobID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            if result.status != 0 { throw SlurmError.commandFailed(command: "sbatch", status: result.status, stderr: result.stderr) }
            throw SlurmError.unreadableAnswer(command: "sbatch --parsable", output: result.stdout)
        }
        let job = SlurmJob(jobID: jobID, taskCount: shards.count, sweepDirectory: folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try CoSimulation.writeAtomically(String(decoding: try encoder.encode(job), as: UTF8.self) + "\n", to: slurmFolder + "/job.json")
        return job
    }

    /// The array's tasks by state: squeue's view of the tasks it still lists (finished tasks stay
    /// listed for the cluster's MinJobAge, 300 s by default), and for the others whether every run of
    /// the task's shard wrote its result.json.
    public func state(of job: SlurmJob) throws -> SlurmJobState {
        guard !job.jobID.isEmpty, job.jobID.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw SlurmError.invalidOption(option: "job id", value: job.jobID, reason: "a Slurm job id is a number")
        }
        guard job.taskCount >= 1 else {
            throw SlurmError.invalidOption(option: "task count", value: String(job.taskCount), reason: "must be at least 1")
        }
        let listed = try Self.queuedTaskStates(jobID: job.jobID, taskCount: job.taskCount)
        let shards = try job.sweepDirectory.map { try Self.readShards($0, taskCount: job.taskCount) }
        var state = SlurmJobState()
        for task in 0..<job.taskCount {
            if let slurmState = listed[task] {
                switch SlurmTaskPhase(slurmState: slurmState) {
                case .pending: state.pending += 1
                case .running: state.running += 1
                case .completed: state.completed += 1
                case .failed: state.failed += 1
                }
            } else if let shards, let folder = job.sweepDirectory {
                let finished = shards[task].allSatisfy { FileManager.default.fileExists(atPath: folder + "/" + Self.resultPath($0)) }
                if finished { state.completed += 1 } else { state.failed += 1 }
            } else {
                state.unknown += 1
            }
        }
        return state
    }

    /// Whether sbatch, squeue and sinfo are on PATH and some partition is up with a node that takes work.
    public static func available() -> Bool {
        guard ["sbatch", "squeue", "sinfo"].allSatisfy({ SlurmCommand.locate($0) != nil }),
              let result = try? SlurmCommand.run("sinfo", ["-h", "-o", "%a %T"]), result.status == 0 else { return false }
        return result.stdout.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, fields[0] == "up" else { return false }
            return ["idle", "mixed", "allocated", "completing"].contains { fields[1].hasPrefix($0) }
        }
    }
}
