// Owns `gridtrace replay TRACE`: re-execute a recorded run from its header and stop at the first
// event that differs (exit 1), or at --until with the run's state there.
import ArgumentParser
import CoSim
import Foundation
import Kernel
import Verify

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-execute a recorded run from its trace header and compare it event by event.",
        discussion: """
            Exit 0 when every recorded event is reproduced (or --until was reached), 1 at the first \
            difference (printed with the events before it), when the trace is incomplete (its \
            committed prefix is replayed) or when a checkpoint it needs is damaged (named by seq), 2 \
            when the trace cannot be replayed. --from starts at the last checkpoint at or before the \
            time. --jobs N uses at most N threads, as make's and cargo's: --jobs 1 runs everything on \
            one thread; --jobs 2 or more re-executes the stretches between checkpoints in parallel, \
            each on one thread; without --jobs the replay uses all cores inside each interval \
            (signature checks, chain verification and comparison beside the run). With --out DIR, a \
            what-if: the scenario re-runs with the --override changes into DIR and the diff against \
            the trace is printed (exit 0 identical, 1 different).
            """)

    @Argument(help: "The trace file.") var trace: String
    @Option(help: ArgumentHelp(
        "Stop at the first event that reaches this and print the state there.",
        discussion: "A seq, a simulated time (HH:MM[:SS], <n>s, <n>ms), an event kind (order_matched) or actor=NAME "
            + "(actor=home:7); join several with commas, e.g. 06:30,order_matched,actor=home:7."))
    var until: String?
    @Option(help: "Change a scenario parameter before re-executing, as key=value (repeatable), e.g. grid.tolerance=1e-6.")
    var override: [String] = []
    @Option(help: "Replay with this OpenDSS feeder instead of the one the trace stores (the output says whether it differs).")
    var feeder: String?
    @Option(help: ArgumentHelp(
        "What-if: re-run the scenario with the --override changes into DIR/<variant>.gtrace and print the diff against the trace.",
        discussion: "Exit 0 when the counterfactual is identical to the trace, 1 when it differs (see gridtrace diff)."))
    var out: String?
    @Option(help: "With --out: events shown on each side of the first difference (0–\(TraceDiff.maximumContext)).")
    var context = 3
    @OptionGroup var signing: SigningKeyOptions
    @Option(help: ArgumentHelp(
        "Start at the last checkpoint at or before this simulated time (HH:MM[:SS], <n>s, <n>ms) instead of the beginning.",
        discussion: "Only the chain from that checkpoint to the seal is verified; `trace verify` checks the whole trace."))
    var from: String?
    @Option(help: ArgumentHelp(
        "Use at most this many threads (1…64): 1 runs the whole replay on one thread; more re-execute the stretches between checkpoints in parallel.",
        discussion: "Reports what the sequential replay would (the earliest divergence). Without --jobs the replay uses all cores."))
    var jobs: Int?
    @Flag(help: "Machine-readable output.") var json = false

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs takes 1…64, got \(jobs)") }
        let parallelJobs = (jobs ?? 1) > 1
        if let from {
            guard case .time? = ReplayStop(from) else {
                throw ValidationError("--from takes a simulated time such as 23:55, 900s or 5000ms; got '\(from)'")
            }
            guard !parallelJobs, override.isEmpty else { throw ValidationError("--from cannot be combined with --jobs 2 or more, or --override") }
        }
        if parallelJobs, until != nil || !override.isEmpty {
            throw ValidationError("--jobs 2 or more replays the whole trace: it cannot be combined with --until or --override")
        }
        if jobs != nil, out != nil { throw ValidationError("--out re-runs the scenario; it does not take --jobs") }
        try validateWhatIf()
        if let until, ReplayStop(until) == nil {
            throw ValidationError("--until takes a seq, a time such as 06:30 or 900s, an event kind such as order_matched, "
                                  + "or actor=NAME, joined by commas; got '\(until)'")
        }
    }

    func run() throws {
        if let out { return try runWhatIf(out: out) }
        let overrides = try override.map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--override takes key=value, got \(item)") }
            return (parts[0], parts[1])
        }
        let result = try reportingErrors {
            do {
                return try replay(overrides: overrides)
            } catch let damage as CheckpointDamage {
                // A check failed (the trace's checkpoint is damaged), as opposed to a trace that cannot be read.
                FileHandle.standardError.write(Data("gridtrace: \(damage); it was not used\n".utf8))
                throw ExitCode(1)
            }
        }
        if json { printJSON(ReplayReport.json(result)) } else { print(ReplayReport.text(result)) }
        // A check failed: the replay differs, or the trace is a crashed run's prefix (README: exit 1 when incomplete).
        switch result.outcome {
        case .diverged, .identicalPrefix: throw ExitCode(1)
        case .identical, .stopped: break
        }
    }

    /// Runs the replay the options ask for.
    private func replay(overrides: [(String, String)]) throws -> ReplayResult {
        // --jobs 1 is the replay on one thread; without --jobs it uses all cores.
        let parallelism: Parallelism = jobs == 1 ? .serial : .allCores
        if let from, case .time(let start)? = ReplayStop(from) {
            return try Replay.run(tracePath: trace, from: start, until: until.flatMap(ReplayStop.init), feeder: feeder, parallelism: parallelism)
        }
        if let jobs, jobs > 1 || (until == nil && override.isEmpty) { return try Replay.run(tracePath: trace, jobs: jobs, feeder: feeder) }
        var overrideError: Error?
        let result = try Replay.run(tracePath: trace, until: until.flatMap(ReplayStop.init), feeder: feeder,
                                    parallelism: parallelism) { scenario in
            do { for (key, value) in overrides { try scenario.override(key, value: value) } } catch { overrideError = error }
        }
        if let overrideError { throw overrideError }
        return result
    }
}
