// Kills a co-simulation's trace writer at 20 moments from the very start (while the trace file is
// being created, before the first event, at seeded event counts, just before the seal) and checks
// every leftover: nothing at the trace's name, or a trace that `trace verify` calls `incomplete at
// seq N` whose events are exactly the first N − 1 of the complete run's. The moments are exact, not
// timed: GRIDTRACE_KILL_AT makes the writer SIGKILL itself at the chosen point (issue #15).
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct CrashCLITests {
    /// A small run: one scenario of the pair, 3 intervals, 6 homes, a 12-node chain.
    static let scenarioText = """
        [run]
        name = "crash"
        seed = 77
        variants = ["p2p"]
        intervals = 3
        [feeder]
        homes_per_phase = [2, 2, 2]
        [chain]
        nodes = 12
        miners = 3
        degree = 3
        block_interval_s = 30
        """

    /// SplitMix64: the test's own seeded choice of moments (no system randomness).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The 20 moments: the five stages of creating the file, no event yet, 13 seeded event counts,
    /// and every event written but the seal not.
    static func moments(events: Int) -> [String] {
        var random = SplitMix(state: 20_261_203)
        let seeded = (0..<13).map { _ in 1 + Int(random.next() % UInt64(events - 1)) }.sorted()
        return (1...5).map { "create:\($0)" } + ["events:0"] + seeded.map { "events:\($0)" } + ["events:\(events)"]
    }

    @Test func aWriterKilledAtTwentyMomentsLeavesNothingOrAnExactPrefix() throws {
        let scratch = try CLI.scratch()
        let scenario = scratch.appendingPathComponent("crash.toml")
        try Self.scenarioText.write(to: scenario, atomically: true, encoding: .utf8)
        let completeFolder = scratch.appendingPathComponent("complete")
        let complete = try CLI.run(["run", scenario.path, "--out", completeFolder.path])
        #expect(complete.status == 0, "\(complete.stderr)")
        let completeLines = try CLI.run(["trace", "export", completeFolder.appendingPathComponent("p2p.gtrace").path, "--jsonl"])
            .stdout.split(separator: "\n")
        let events = completeLines.count - 2  // header and seal lines
        #expect(events > 100, "the complete run is too small to choose moments in: \(events) events")
        let moments = Self.moments(events: events)
        #expect(moments.count == 20 && Set(moments).count == 20, "\(moments)")
        var leftovers: [String] = []
        for moment in moments {
            let folder = scratch.appendingPathComponent(moment.replacingOccurrences(of: ":", with: "-"))
            let killed = try CLI.run(["run", scenario.path, "--out", folder.path], environment: ["GRIDTRACE_KILL_AT": moment])
            #expect(killed.signalled && killed.status == SIGKILL, "\(moment): the writer was not killed (\(killed.status)) \(killed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("summary.json").path), "\(moment)")
            let trace = folder.appendingPathComponent("p2p.gtrace").path
            guard FileManager.default.fileExists(atPath: trace) else {
                leftovers.append("\(moment): nothing")
                // What is left under the temporary name is itself reported as incomplete (or empty).
                let partial = try CLI.run(["trace", "verify", trace + ".partial"])
                let reported = partial.status == 2 && ["incomplete at seq 0", "empty file", "no such file"].contains { partial.stderr.contains($0) }
                #expect(reported || (partial.status == 1 && partial.stdout == "incomplete at seq 1\n"),
                        "\(moment): \(partial.stdout)\(partial.stderr)")
                #expect(moment.hasPrefix("create:") && moment != "create:5", "\(moment): the header was committed, yet no trace")
                continue
            }
            let verify = try CLI.run(["trace", "verify", trace])
            #expect(verify.status == 1, "\(moment): \(verify.stdout)\(verify.stderr)")
            let firstMissing = try #require(Int(verify.stdout.replacingOccurrences(of: "incomplete at seq ", with: "")
                .trimmingCharacters(in: .whitespacesAndNewlines)), "\(moment): \(verify.stdout)\(verify.stderr)")
            if moment.hasPrefix("events:"), let written = Int(moment.dropFirst("events:".count)) {
                #expect(firstMissing - 1 <= written, "\(moment): more events survived than were written")
            }
            let lines = try CLI.run(["trace", "export", trace, "--jsonl"]).stdout.split(separator: "\n")
            #expect(lines.count == firstMissing, "\(moment): header + \(firstMissing - 1) events expected, got \(lines.count) lines")
            #expect(Array(lines) == Array(completeLines.prefix(firstMissing)), "\(moment): not an exact prefix of the complete run")
            leftovers.append("\(moment): incomplete at seq \(firstMissing)")
        }
        print("crash leftovers:\n" + leftovers.joined(separator: "\n"))
        // Both outcomes occur: the creation stages leave nothing, later moments a committed prefix.
        #expect(leftovers.contains { $0.hasSuffix("nothing") } && leftovers.contains { $0.contains("incomplete at seq") })
    }

    /// `replay` of a crashed run's trace reproduces its committed prefix and exits 1 (the trace is
    /// incomplete, a failed check, as the README documents).
    @Test func replayOfAnIncompleteTraceExitsOne() throws {
        let scratch = try CLI.scratch()
        let scenario = scratch.appendingPathComponent("crash.toml")
        try Self.scenarioText.write(to: scenario, atomically: true, encoding: .utf8)
        let folder = scratch.appendingPathComponent("out")
        _ = try CLI.run(["run", scenario.path, "--out", folder.path], environment: ["GRIDTRACE_KILL_AT": "events:150"])
        let trace = folder.appendingPathComponent("p2p.gtrace").path
        let verify = try CLI.run(["trace", "verify", trace])
        #expect(verify.status == 1 && verify.stdout.hasPrefix("incomplete at seq "), "\(verify.stdout)\(verify.stderr)")
        let replay = try CLI.run(["replay", trace])
        #expect(replay.status == 1, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.contains("identical prefix"), "\(replay.stdout)")
    }
}
