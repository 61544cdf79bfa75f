// Owns the Slurm engine's errors: bad options (with the option's name), an unusable sweep folder,
// and a Slurm command that failed (with its exit status and its own stderr, so the cluster's reason
// reaches the user unchanged).

/// Why the Slurm engine refused or failed.
public enum SlurmError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option the user gave (`--partition`, `--time`, `--max-parallel`, runs per task) is invalid.
    case invalidOption(option: String, value: String, reason: String)
    /// The sweep folder, its run folders or the executable cannot be used.
    case unusableInput(path: String, reason: String)
    /// A Slurm command (`sbatch`, `squeue`, `sinfo`) is not on PATH.
    case commandMissing(command: String)
    /// A Slurm command ran and failed.
    case commandFailed(command: String, status: Int32, stderr: String)
    /// A Slurm command answered something the engine cannot read.
    case unreadableAnswer(command: String, output: String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let value, let reason):
            return "\(option) \"\(value)\": \(reason)"
        case .unusableInput(let path, let reason):
            return "\(path): \(reason)"
        case .commandMissing(let command):
            return "\(command) is not on PATH: Slurm is not installed here (or PATH misses its binaries)"
        case .commandFailed(let command, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(command) failed with exit status \(status)" + (detail.isEmpty ? " (no message on stderr)" : ": \(detail)")
        case .unreadableAnswer(let command, let output):
            return "\(command) answered \"\(output.trimmingCharacters(in: .whitespacesAndNewlines))\", which is not what the engine expects"
        }
    }

    /// True when the user's input is at fault (the CLI exits 2 or 64), false when Slurm failed (exit 1).
    public var isBadInput: Bool {
        switch self {
        case .invalidOption, .unusableInput: return true
        case .commandMissing, .commandFailed, .unreadableAnswer: return false
        }
    }
}
