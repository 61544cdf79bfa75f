// Owns running the Slurm command-line tools (sbatch, squeue, sinfo): finding them on PATH, running
// one to completion and capturing its exit status, stdout and stderr.
import Foundation

/// What a finished Slurm command returned.
struct SlurmCommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum SlurmCommand {
    /// The full path of `tool` on PATH, or nil.
    static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = String(folder) + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `tool arguments…` (in `directory` when given) to completion. The child inherits this
    /// process's environment (sbatch passes it on to the array tasks).
    static func run(_ tool: String, _ arguments: [String], in directory: String? = nil) throws(SlurmError) -> SlurmCommandResult {
        guard let executable = locate(tool) else { throw .commandMissing(command: tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .commandFailed(command: tool, status: -1, stderr: "could not start \(executable): \(error)")
        }
        // stdout first (squeue's can be long); Slurm's tools write at most a few lines to stderr,
        // far below a pipe's buffer, so the child cannot block on it meanwhile.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return SlurmCommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                  stderr: String(decoding: errData, as: UTF8.self))
    }
}
