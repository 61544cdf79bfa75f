// `replay --jobs N` from the command line: at most N threads, the same report as the default
// replay (`--jobs 1` on one thread, `--jobs 2` in parts from checkpoints), and the combinations it
// refuses with exit 64.
import Foundation
import Testing
import TestSupport

@Suite struct ReplayJobsCLITests {
    /// 24,456 events, 9 checkpoints.
    static let trading = SharedData.packageRoot.appendingPathComponent("traces/trading/p2p.gtrace").path
    /// 12 intervals, no checkpoints.
    static let short = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path

    private func verdict(_ stdout: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("identical:") }.map(String.init)
    }

    @Test func oneJobAndTwoJobsReportWhatTheDefaultReplayReports() throws {
        let serial = try CLI.run(["replay", Self.trading, "--jobs", "1"])
        let pooled = try CLI.run(["replay", Self.trading, "--jobs", "2"])
        #expect(serial.status == 0 && pooled.status == 0, "\(serial.stderr)\(pooled.stderr)")
        #expect(verdict(serial.stdout) == "identical: all 24456 recorded events reproduced", "\(serial.stdout)")
        #expect(verdict(pooled.stdout) == verdict(serial.stdout), "\(pooled.stdout)")
        #expect(serial.stdout.contains("re-executed on one thread (--jobs 1)"))
        #expect(pooled.stdout.contains("parts on 2 threads, each from a checkpoint"), "\(pooled.stdout)")
    }

    @Test func oneJobAppliesToUntilAndATraceWithoutCheckpointsIsOnePart() throws {
        let stopped = try CLI.run(["replay", Self.short, "--jobs", "1", "--until", "00:10"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let defaultStop = try CLI.run(["replay", Self.short, "--until", "00:10"])
        #expect(stopped.stdout == defaultStop.stdout)
        let onePart = try CLI.run(["replay", Self.short, "--jobs", "4"])
        #expect(onePart.status == 0, "\(onePart.stderr)")
        #expect(onePart.stdout.contains("no checkpoints to start parts from: re-executed in one part on one thread"), "\(onePart.stdout)")
    }

    @Test(arguments: [
        (["--jobs", "0"], "--jobs takes 1…64"),
        (["--jobs", "65"], "--jobs takes 1…64"),
        (["--jobs", "2", "--until", "00:10"], "cannot be combined with --until"),
        (["--jobs", "2", "--from", "00:10"], "--from cannot be combined"),
        (["--jobs", "1", "--out", "whatif"], "does not take --jobs"),
    ])
    func refusedCombinationsExit64(arguments: [String], message: String) throws {
        let result = try CLI.run(["replay", Self.short] + arguments)
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
