// Owns the Slurm engine's checks of what it is given (the sweep folder, its run folders, the
// executable) and its reading of squeue's answer and of the shard file it wrote at submission.
import Foundation

/// Where an array task is, from its Slurm state name.
enum SlurmTaskPhase {
    case pending, running, completed, failed

    init(slurmState: String) {
        switch slurmState {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SPECIAL_EXIT": self = .pending
        case "RUNNING", "COMPLETING", "SUSPENDED", "STAGE_OUT", "SIGNALING", "RESIZING", "STOPPED": self = .running
        case "COMPLETED": self = .completed
        default: self = .failed  // FAILED, TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED, REVOKED
        }
    }
}

extension SlurmEngine {
    /// `runs/NNNN/result.json` of a run, relative to the sweep folder (the sweep contract's layout).
    static func resultPath(_ runIndex: Int) -> String { "runs/" + runFolderName(runIndex) + "/result.json" }

    /// The 4-digit, 0-based folder name of a run ("0003").
    static func runFolderName(_ runIndex: Int) -> String {
        let digits = String(runIndex)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The sweep folder as an absolute path, refusing what the job script cannot carry.
    static func checkedSweepDirectory(_ path: String) throws(SlurmError) -> String {
        guard !path.isEmpty else { throw .unusableInput(path: "\"\"", reason: "the sweep folder is empty") }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let folder = (absolute as NSString).standardizingPath
        if let bad = folder.first(where: { $0 == "\n" || $0 == "\r" || $0 == "\"" || $0 == "\\" }) {
            throw .unusableInput(path: folder, reason: "the sweep folder's path holds \(bad.debugDescription), which a Slurm job script cannot carry")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw .unusableInput(path: folder, reason: "the sweep folder does not exist")
        }
        return folder
    }

    /// The executable must be an absolute path (array tasks start elsewhere) to an executable file.
    func checkExecutable() throws(SlurmError) {
        guard executablePath.hasPrefix("/") else {
            throw .unusableInput(path: executablePath, reason: "the executable must be given as an absolute path (array tasks run on other nodes)")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: executablePath, isDirectory: &isFolder), !isFolder.boolValue,
              FileManager.default.isExecutableFile(atPath: executablePath) else {
            throw .unusableInput(path: executablePath, reason: "not an executable file")
        }
    }

    /// Run indices: at least one, each 0…9999 and once, each with its runs/NNNN/run.toml.
    static func checkRunIndices(_ runIndices: [Int], sweepDirectory: String) throws(SlurmError) {
        guard !runIndices.isEmpty else { throw .unusableInput(path: sweepDirectory, reason: "no runs to submit") }
        var seen = [Bool](repeating: false, count: 10_000)
        for index in runIndices {
            guard (0...9999).contains(index) else {
                throw .unusableInput(path: sweepDirectory, reason: "run index \(index) is outside 0…9999 (4-digit run folders)")
            }
            guard !seen[index] else { throw .unusableInput(path: sweepDirectory, reason: "run index \(index) is given twice") }
            seen[index] = true
            let scenario = sweepDirectory + "/runs/" + runFolderName(index) + "/run.toml"
            guard FileManager.default.fileExists(atPath: scenario) else {
                throw .unusableInput(path: scenario, reason: "run \(index) has no run.toml")
            }
        }
    }

    /// squeue's state of each task of the array it still lists (nil: not listed). A job Slurm has
    /// forgotten ("Invalid job id") lists nothing.
    static func queuedTaskStates(jobID: String, taskCount: Int) throws(SlurmError) -> [String?] {
        let result = try SlurmCommand.run("squeue", ["-h", "-r", "-t", "all", "-j", jobID, "-o", "%F|%K|%T"])
        var states = [String?](repeating: nil, count: taskCount)
        guard result.status == 0 else {
            if result.stderr.contains("Invalid job id") { return states }
            throw .commandFailed(command: "squeue", status: result.status, stderr: result.stderr)
        }
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { throw .unreadableAnswer(command: "squeue", output: String(line)) }
            guard fields[0] == jobID else { continue }
            for task in try taskIndices(fields[1], line: String(line)) where task >= 0 && task < taskCount {
                states[task] = fields[2]
            }
        }
        return states
    }

    /// Task ids of squeue's %K: "3", or a still-unexpanded "0-5%2" / "1,4-6".
    static func taskIndices(_ field: String, line: String) throws(SlurmError) -> [Int] {
        let list = field.split(separator: "%").first ?? ""
        var tasks: [Int] = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0) }
            guard !bounds.isEmpty, bounds.count <= 2, let low = bounds[0], let high = bounds.last ?? nil, low <= high,
                  high - low < 100_000 else { throw .unreadableAnswer(command: "squeue", output: line) }
            tasks += Array(low...high)
        }
        return tasks
    }

    /// The shards written at submission (line k: task k's run indices).
    static func readShards(_ sweepDirectory: String, taskCount: Int) throws(SlurmError) -> [[Int]] {
        let path = sweepDirectory + "/slurm/shards.txt"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unusableInput(path: path, reason: "the shard file written at submission is missing")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.count == taskCount else {
            throw .unusableInput(path: path, reason: "\(lines.count) shards for a job of \(taskCount) tasks")
        }
        var shards: [[Int]] = []
        for (number, line) in lines.enumerated() {
            let indices = line.split(separator: ",").compactMap { Int($0) }
            guard !indices.isEmpty, indices.count == line.split(separator: ",").count else {
                throw .unusableInput(path: "\(path):\(number + 1)", reason: "expected comma-separated run indices, found \"\(line)\"")
            }
            shards.append(indices)
        }
        return shards
    }
}
