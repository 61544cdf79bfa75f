// Owns `gridtrace selftest-run`: writes a kernel-only trace of pseudo-events (for the trace tests,
// the crash test and the trace benchmark), optionally pausing at a chosen point so a test can kill it.
import ArgumentParser
import Foundation
import Kernel
import Trace

struct SelftestRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest-run",
        abstract: "Write a trace of seeded pseudo-events from the kernel alone (no engines).")

    @Option(help: "Root seed.") var seed: UInt64 = 1
    @Option(help: "Number of events.") var events: Int = 10_000
    @Option(name: .customLong("per-commit"), help: "Events per commit (one simulated interval).") var perCommit: Int = 1000
    @Option(help: "Trace file to write.") var out: String
    @Option(name: .customLong("pause-at-seq"),
            help: "After appending this seq (before its interval commits), print a line and wait to be killed.")
    var pauseAtSeq: Int64?
    @Option(name: .customLong("pause-after-commit"),
            help: "After this many commits, print a line and wait to be killed.")
    var pauseAfterCommit: Int?
    @Flag(help: "Machine-readable output.") var json = false
    @OptionGroup var signing: SigningKeyOptions

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must be non-negative") }
        guard perCommit > 0 else { throw ValidationError("--per-commit must be positive") }
    }

    func run() throws {
        let key = try signing.resolve()
        var commits = 0
        let writer = try reportingErrors {
            try SyntheticTrace.write(
                path: out, seed: seed, events: events, eventsPerCommit: perCommit, engineVersion: EngineInfo.version, signingKey: key.key,
                afterAppend: { seq in if seq == pauseAtSeq { pause("paused at seq \(seq) (uncommitted)") } },
                afterCommit: { seq in
                    commits += 1
                    if commits == pauseAfterCommit { pause("paused after commit \(commits) at seq \(seq)") }
                })
        }
        if json {
            printJSON(["events": .int(writer.lastSeq), "final_hash": .string(hexString(writer.lastHash)),
                       "seed": seedJSON(seed), "path": .string(out), "signer": key.json])
        } else {
            print("wrote \(writer.lastSeq) events to \(out); final hash \(hexString(writer.lastHash))")
            print(key.line)
        }
    }
}

/// Announces the pause on stdout and blocks until the process is killed.
private func pause(_ line: String) -> Never {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
    while true { sleep(60) }
}
