// Tests of the Slurm engine: option validation, sharding, the job-array script (run by bash here,
// without Slurm), and — when a Slurm cluster answers (scripts/slurm-local.sh starts one) — a real
// array whose runs must give the same trace digests as the same runs done locally. Without Slurm
// those tests print a skip message, except under CI (the `CI` variable set), where they fail.
import Foundation
import Testing
import TestSupport
import Trace
@testable import Study

enum SlurmTestSupport {
    /// True when a Slurm cluster answers; otherwise records a skip (or, under CI, a failure).
    static func clusterOrSkip(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if SlurmEngine.available() { return true }
        let message = "no Slurm cluster answers (sbatch, squeue, sinfo on PATH and a partition up); start one with scripts/slurm-local.sh"
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record(Comment(rawValue: message + " (required under CI)"), sourceLocation: sourceLocation)
        } else {
            print("skipping: " + message)
        }
        return false
    }

    /// The default scenario shortened to `intervals` with root seed `seed`.
    static func shortScenario(seed: Int, intervals: Int) throws -> String {
        let text = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("scenarios/default.toml"), encoding: .utf8)
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("seed = ") { lines.append("seed = \(seed)") }
            else if line.hasPrefix("intervals = ") { lines.append("intervals = \(intervals)") }
            else { lines.append(String(line)) }
        }
        return lines.joined(separator: "\n")
    }

    /// A sweep folder laid out as the sweep contract says: runs/NNNN/run.toml for each seed.
    static func sweepFolder(_ name: String, seeds: [Int], intervals: Int) throws -> URL {
        let folder = try CLI.scratch(name)
        for (index, seed) in seeds.enumerated() {
            let run = folder.appendingPathComponent("runs/" + SlurmEngine.runFolderName(index))
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try shortScenario(seed: seed, intervals: intervals).write(to: run.appendingPathComponent("run.toml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    /// The built binary as an absolute path (array tasks start in the sweep folder).
    static var binaryPath: String { CLI.binary.standardizedFileURL.path }

    /// Each run as `gridtrace run runs/NNNN/run.toml --out runs/NNNN`, signed with the test key.
    static let runCommand = SlurmTaskCommand.perRun(arguments: ["{exe}", "run", "runs/{run}/run.toml", "--out", "runs/{run}",
                                                                 "--signing-key", CLI.testSigningKey])
}

@Suite struct SlurmOptionsTests {
    @Test func acceptsSlurmsFormats() throws {
        for time in ["90", "30:00", "1:30:00", "2-12", "2-12:30", "2-12:30:15", "UNLIMITED"] {
            try SlurmOptions(partition: "debug", timeLimit: time, maxParallel: 4, runsPerTask: 3).validate()
        }
        try SlurmOptions(partition: "gpu-a100,cpu_2.x").validate()
        try SlurmOptions().validate()
    }

    @Test func refusesWhatSlurmWouldMisread() {
        let cases: [(SlurmOptions, String, String)] = [
            (SlurmOptions(partition: "de bug"), "--partition", "\" \" is not allowed"),
            (SlurmOptions(partition: "a,,b"), "--partition", "1–64 characters"),
            (SlurmOptions(partition: "x;rm"), "--partition", "\";\" is not allowed"),
            (SlurmOptions(timeLimit: "1:60"), "--time", "below 60"),
            (SlurmOptions(timeLimit: "3-24"), "--time", "hours below 24"),
            (SlurmOptions(timeLimit: "ten"), "--time", "expected minutes"),
            (SlurmOptions(timeLimit: "1:2:3:4"), "--time", "expected minutes"),
            (SlurmOptions(timeLimit: "0"), "--time", "zero time limit"),
            (SlurmOptions(maxParallel: 0), "--max-parallel", "at least 1"),
            (SlurmOptions(runsPerTask: 0), "runs per task", "at least 1"),
        ]
        for (options, option, reason) in cases {
            #expect {
                try options.validate()
            } throws: { error in
                guard case .invalidOption(let name, _, let why) = error as? SlurmError else { return false }
                return name == option && why.contains(reason)
            }
        }
    }
}

@Suite struct SlurmScriptTests {
    @Test func shardsKeepOrderAndSize() {
        #expect(SlurmScript.shards([0, 1, 2, 3, 4], runsPerTask: 2) == [[0, 1], [2, 3], [4]])
        #expect(SlurmScript.shards([7], runsPerTask: 3) == [[7]])
        #expect(SlurmScript.shardFile([[0, 1], [2]]) == "0,1\n2\n")
        #expect(SlurmScript.arraySpecification(taskCount: 6, maxParallel: 2) == "0-5%2")
        #expect(SlurmScript.arraySpecification(taskCount: 1, maxParallel: nil) == "0-0")
    }

    @Test func scriptCarriesTheOptionsAndTheContractsCommand() {
        let script = SlurmScript.arrayScript(sweepDirectory: "/data/my sweep's", executablePath: "/opt/bin/gridtrace", taskCount: 3,
                                             options: SlurmOptions(partition: "debug", timeLimit: "1:00:00", maxParallel: 2), command: .sweepExec)
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.contains("#SBATCH --array=0-2%2"))
        #expect(lines.contains("#SBATCH --partition=debug"))
        #expect(lines.contains("#SBATCH --time=1:00:00"))
        #expect(lines.contains("#SBATCH --output=\"/data/my sweep's/slurm/task-%A_%a.log\""))
        #expect(lines.last == "exec '/opt/bin/gridtrace' 'sweep' 'exec' '/data/my sweep'\\''s' '--runs' \"$runs\"")
    }

    /// The script run by bash as array task 1 would be: it reads line 2 of shards.txt and runs each
    /// of its runs in the sweep folder, whatever the folder's name holds.
    @Test func scriptRunsItsShardUnderBash() throws {
        let folder = try CLI.scratch().appendingPathComponent("odd 'name' $HOME")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("slurm"), withIntermediateDirectories: true)
        try SlurmScript.shardFile([[0, 1], [2, 13]]).write(to: folder.appendingPathComponent("slurm/shards.txt"), atomically: true, encoding: .utf8)
        let command = SlurmTaskCommand.perRun(arguments: ["/bin/sh", "-c", "echo \"$1 $2\" >> ran.txt", "sh", "run-{run}", "{index}"])
        let script = SlurmScript.arrayScript(sweepDirectory: folder.path, executablePath: "/bin/true", taskCount: 2,
                                             options: SlurmOptions(), command: command)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.environment = ["SLURM_ARRAY_TASK_ID": "1", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let ran = try String(contentsOf: folder.appendingPathComponent("ran.txt"), encoding: .utf8)
        #expect(ran == "run-0002 2\nrun-0013 13\n")
    }

    @Test func placeholdersExpandInsideArguments() {
        #expect(SlurmScript.expand("runs/{run}/run.toml", executablePath: "/x", sweepDirectory: "/s") == "'runs/'\"${run}\"'/run.toml'")
        #expect(SlurmScript.expand("{exe}", executablePath: "/a b/x", sweepDirectory: "/s") == "'/a b/x'")
        #expect(SlurmScript.expand("{sweep}/{index}", executablePath: "/x", sweepDirectory: "/s") == "'/s/'\"${index}\"")
        #expect(SlurmScript.expand("", executablePath: "/x", sweepDirectory: "/s") == "''")
    }
}

@Suite struct SlurmInputTests {
    @Test func refusesBadFoldersRunsAndExecutables() throws {
        let folder = try SlurmTestSupport.sweepFolder(#function, seeds: [1, 2], intervals: 1)
        let engine = SlurmEngine(options: SlurmOptions(), executablePath: SlurmTestSupport.binaryPath)
        let expectations: [(SlurmEngine, String, [Int], String)] = [
            (engine, folder.path, [0, 5], "run 5 has no run.toml"),
            (engine, folder.path, [0, 0], "given twice"),
            (engine, folder.path, [], "no runs to submit"),
            (engine, folder.path, [10_000], "outside 0…9999"),
            (engine, folder.path + "/absent", [0], "does not exist"),
            (SlurmEngine(options: SlurmOptions(), executablePath: "gridtrace"), folder.path, [0], "absolute path"),
            (SlurmEngine(options: SlurmOptions(), executablePath: folder.path + "/runs"), folder.path, [0], "not an executable"),
            (SlurmEngine(options: SlurmOptions(timeLimit: "x"), executablePath: SlurmTestSupport.binaryPath), folder.path, [0], "--time"),
        ]
        for (engine, path, runs, message) in expectations {
            #expect {
                _ = try engine.submit(sweepDirectory: path, runIndices: runs, wait: false)
            } throws: { error in
                (error as? SlurmError).map { $0.isBadInput && $0.description.contains(message) } ?? false
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("slurm/array.sh").path))
    }

    @Test func readsSqueuesTaskLists() throws {
        #expect(try SlurmEngine.taskIndices("3", line: "") == [3])
        #expect(try SlurmEngine.taskIndices("0-3%2", line: "") == [0, 1, 2, 3])
        #expect(try SlurmEngine.taskIndices("1,4-5", line: "") == [1, 4, 5])
        #expect(throws: SlurmError.self) { try SlurmEngine.taskIndices("5-2", line: "x") }
        #expect(SlurmTaskPhase(slurmState: "TIMEOUT") == .failed)
        #expect(SlurmTaskPhase(slurmState: "COMPLETING") == .running)
    }
}

/// Against a live cluster: only when Slurm answers (CI starts one with scripts/slurm-local.sh).
@Suite(.serialized) struct SlurmClusterTests {
    /// Three short runs in two array tasks, then the same runs locally: every trace byte-identical.
    @Test func arrayRunsGiveTheDigestsOfLocalRuns() throws {
        guard SlurmTestSupport.clusterOrSkip() else { return }
        let seeds = [11, 12, 13]
        let folder = try SlurmTestSupport.sweepFolder(#function, seeds: seeds, intervals: 3)
        let engine = SlurmEngine(options: SlurmOptions(maxParallel: 2, runsPerTask: 2), executablePath: SlurmTestSupport.binaryPath,
                                 taskCommand: SlurmTestSupport.runCommand)
        let job = try engine.submit(sweepDirectory: folder.path, runIndices: [0, 1, 2], wait: true)
        #expect(job.taskCount == 2)
        #expect(try engine.state(of: job) == SlurmJobState(completed: 2))
        for index in seeds.indices {
            let name = SlurmEngine.runFolderName(index)
            let local = folder.appendingPathComponent("local/" + name)
            let result = try CLI.run(["run", folder.appendingPathComponent("runs/\(name)/run.toml").path, "--out", local.path])
            #expect(result.status == 0, "local run \(name): \(result.stderr)")
            for trace in ["no-p2p.gtrace", "p2p.gtrace"] {
                let viaSlurm = try Data(contentsOf: folder.appendingPathComponent("runs/\(name)/\(trace)"))
                let here = try Data(contentsOf: local.appendingPathComponent(trace))
                #expect(!viaSlurm.isEmpty && viaSlurm == here, "run \(name) \(trace) differs between Slurm and local")
            }
            #expect(try finalHashes(folder.appendingPathComponent("runs/\(name)/summary.json"))
                    == finalHashes(local.appendingPathComponent("summary.json")))
        }
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("slurm").path)
        #expect(logs.filter { $0.hasPrefix("task-\(job.jobID)_") }.sorted() == ["task-\(job.jobID)_0.log", "task-\(job.jobID)_1.log"])
    }

    /// `gridtrace sweep --engine slurm` (array tasks run `sweep exec`) against `--engine local` of the
    /// same plan: every run done, and the same header and seal digests in sweep.sqlite.
    @Test func sweepOnSlurmRecordsTheDigestsOfTheLocalEngine() throws {
        guard SlurmTestSupport.clusterOrSkip() else { return }
        let folder = try CLI.scratch("slurm-sweep")
        try SlurmTestSupport.shortScenario(seed: 5, intervals: 2)
            .write(to: folder.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        let plan = "[sweep]\nscenario = \"base.toml\"\nvariants = \"p2p\"\n\n[parameters]\nadversaries.fraction = [0, 0.2]\n\n"
            + "[seeds]\ncount = 2\nvary = [\"market\"]\n"
        let planPath = folder.appendingPathComponent("plan.toml").path
        try plan.write(toFile: planPath, atomically: true, encoding: .utf8)
        let slurm = folder.appendingPathComponent("slurm"), local = folder.appendingPathComponent("local")
        let viaSlurm = try CLI.run(["sweep", planPath, "--out", slurm.path, "--engine", "slurm", "--runs-per-task", "2"])
        #expect(viaSlurm.status == 0, "\(viaSlurm.stdout)\(viaSlurm.stderr)")
        #expect(viaSlurm.stdout.contains("4 runs: 4 done, 0 failed, 0 pending"))
        let here = try CLI.run(["sweep", planPath, "--out", local.path, "-j", "2"])
        #expect(here.status == 0, "\(here.stdout)\(here.stderr)")
        let sql = "SELECT run_index, header_digest, seal_digest, verified FROM run_traces ORDER BY run_index"
        let slurmRows = try digestRows(slurm.appendingPathComponent("sweep.sqlite").path, sql)
        #expect(slurmRows.count == 4)
        #expect(slurmRows == (try digestRows(local.appendingPathComponent("sweep.sqlite").path, sql)))
        let status = try CLI.run(["sweep", "status", slurm.path])
        #expect(status.stdout.contains("4 runs: 4 done") && status.stdout.contains("slurm: job "), "\(status.stdout)")
    }

    private func digestRows(_ path: String, _ sql: String) throws -> [String] {
        let connection = try SQLiteConnection(readingAt: path)
        let statement = try connection.prepare(sql)
        var out: [String] = []
        while try statement.step() { out.append((0..<4).map { statement.text($0) }.joined(separator: "\t")) }
        return withExtendedLifetime(connection) { out }
    }

    /// A partition the cluster lacks: sbatch refuses, and its own words reach the error.
    @Test func refusedSubmissionCarriesSbatchsMessage() throws {
        guard SlurmTestSupport.clusterOrSkip() else { return }
        let folder = try SlurmTestSupport.sweepFolder(#function, seeds: [1], intervals: 1)
        let engine = SlurmEngine(options: SlurmOptions(partition: "nosuchpartition"), executablePath: SlurmTestSupport.binaryPath)
        #expect {
            _ = try engine.submit(sweepDirectory: folder.path, runIndices: [0], wait: false)
        } throws: { error in
            guard case .commandFailed(let command, let status, let stderr) = error as? SlurmError else { return false }
            return command == "sbatch" && status != 0 && stderr.lowercased().contains("partition")
        }
    }

    /// A job Slurm no longer lists: each task is judged by its runs' result.json files.
    @Test func forgottenJobIsJudgedByResultFiles() throws {
        guard SlurmTestSupport.clusterOrSkip() else { return }
        let folder = try SlurmTestSupport.sweepFolder(#function, seeds: [1, 2, 3], intervals: 1)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("slurm"), withIntermediateDirectories: true)
        try "0,1\n2\n".write(to: folder.appendingPathComponent("slurm/shards.txt"), atomically: true, encoding: .utf8)
        for index in [0, 1] {
            try "{}".write(to: folder.appendingPathComponent(SlurmEngine.resultPath(index)), atomically: true, encoding: .utf8)
        }
        let engine = SlurmEngine(options: SlurmOptions(), executablePath: SlurmTestSupport.binaryPath)
        let job = SlurmJob(jobID: "999999999", taskCount: 2, sweepDirectory: folder.path)
        #expect(try engine.state(of: job) == SlurmJobState(completed: 1, failed: 1))
        #expect(try engine.state(of: SlurmJob(jobID: "999999999", taskCount: 2)) == SlurmJobState(unknown: 2))
    }

    func finalHashes(_ summary: URL) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: summary)) as? [String: Any] ?? [:]
        return ["no-p2p", "p2p"].map { ((object[$0] as? [String: Any])?["final_hash"] as? String) ?? "missing" }
    }
}
