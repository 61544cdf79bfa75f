// Owns what the Slurm engine writes before it submits: the shard file (one line per array task:
// the comma list of run indices that task runs) and the job-array script SWEEPDIR/slurm/array.sh,
// whose task reads its own line by SLURM_ARRAY_TASK_ID. Every path and argument is shell-quoted
// when the script is written, so the script runs the same whatever the folder is called.
import Foundation

/// What each array task runs for its shard.
public enum SlurmTaskCommand: Sendable, Equatable {
    /// `EXE sweep exec SWEEPDIR --runs i,j,k` once per task (the sweep contract's command).
    case sweepExec
    /// One command per run of the shard, run in SWEEPDIR one after another. Arguments may hold the
    /// placeholders `{exe}` (the executable), `{sweep}` (SWEEPDIR), `{run}` (the run's 4-digit folder
    /// number, e.g. 0003) and `{index}` (the run index, e.g. 3). The task exits 1 if any run did.
    case perRun(arguments: [String])
}

enum SlurmScript {
    /// The run indices split into shards of `runsPerTask`, in the given order.
    static func shards(_ runIndices: [Int], runsPerTask: Int) -> [[Int]] {
        stride(from: 0, to: runIndices.count, by: runsPerTask).map { start in
            Array(runIndices[start..<min(start + runsPerTask, runIndices.count)])
        }
    }

    /// shards.txt: line k (0-based) is array task k's comma-separated run indices.
    static func shardFile(_ shards: [[Int]]) -> String {
        shards.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// `#SBATCH --array` value: `0-(K-1)` with `%maxParallel` when given.
    static func arraySpecification(taskCount: Int, maxParallel: Int?) -> String {
        "0-\(taskCount - 1)" + (maxParallel.map { "%\($0)" } ?? "")
    }

    /// The job-array script. `sweepDirectory` and `executablePath` are absolute.
    static func arrayScript(sweepDirectory: String, executablePath: String, taskCount: Int, options: SlurmOptions,
                            command: SlurmTaskCommand) -> String {
        let slurmFolder = sweepDirectory + "/slurm"
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=gridtrace-sweep",
                     "#SBATCH --array=" + arraySpecification(taskCount: taskCount, maxParallel: options.maxParallel),
                     // Slurm expands %A (array job) and %a (task) in the log name; a literal % is %%.
                     "#SBATCH --output=" + doubleQuoted(slurmFolder.replacingOccurrences(of: "%", with: "%%") + "/task-%A_%a.log"),
                     "#SBATCH --ntasks=1"]
        if let partition = options.partition { lines.append("#SBATCH --partition=" + partition) }
        if let timeLimit = options.timeLimit { lines.append("#SBATCH --time=" + timeLimit) }
        lines += ["# Written by gridtrace's Slurm engine: array task k runs the runs on line k+1 of shards.txt.",
                  "set -uo pipefail",
                  "cd " + quoted(sweepDirectory) + " || exit 2",
                  "runs=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " + quoted(slurmFolder + "/shards.txt") + ")",
                  "if [ -z \"$runs\" ]; then echo \"no shard for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2; fi",
                  "echo \"array task $SLURM_ARRAY_TASK_ID: runs $runs\""]
        switch command {
        case .sweepExec:
            lines.append("exec " + [executablePath, "sweep", "exec", sweepDirectory, "--runs"].map(quoted).joined(separator: " ") + " \"$runs\"")
        case .perRun(let arguments):
            let substituted = arguments.map { expand($0, executablePath: executablePath, sweepDirectory: sweepDirectory) }
            lines += ["status=0",
                      "IFS=, read -ra indices <<< \"$runs\"",
                      "for index in \"${indices[@]}\"; do",
                      "  run=$(printf '%04d' \"$index\")",
                      "  " + substituted.joined(separator: " ") + " || status=1",
                      "done",
                      "exit $status"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One argument with its placeholders replaced: literal text single-quoted, `{run}` and
    /// `{index}` as the loop's shell variables.
    static func expand(_ argument: String, executablePath: String, sweepDirectory: String) -> String {
        var pieces: [String] = []
        var literal = ""
        var rest = Substring(argument)
        let variables = [("{run}", "\"${run}\""), ("{index}", "\"${index}\"")]
        let constants = [("{exe}", executablePath), ("{sweep}", sweepDirectory)]
        outer: while let character = rest.first {
            for (placeholder, value) in constants where rest.hasPrefix(placeholder) {
                literal += value
                rest = rest.dropFirst(placeholder.count)
                continue outer
            }
            for (placeholder, variable) in variables where rest.hasPrefix(placeholder) {
                if !literal.isEmpty { pieces.append(quoted(literal)) }
                literal = ""
                pieces.append(variable)
                rest = rest.dropFirst(placeholder.count)
                continue outer
            }
            literal.append(character)
            rest = rest.dropFirst()
        }
        if !literal.isEmpty || pieces.isEmpty { pieces.append(quoted(literal)) }
        return pieces.joined()
    }

    /// `text` in single quotes for bash (a quote inside becomes '\'').
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `text` in double quotes for an #SBATCH line (sbatch's own parser; `"` and `\` are refused
    /// earlier, so nothing needs escaping).
    static func doubleQuoted(_ text: String) -> String { "\"" + text + "\"" }
}
