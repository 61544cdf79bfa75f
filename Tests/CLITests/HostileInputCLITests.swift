// Hostile command-line values: each is refused up front with exit 2 (or 64 for a malformed
// command line) and a message naming the option and the allowed range, never a trap or a hang.
import Foundation
import Testing
import TestSupport

@Suite struct HostileInputCLITests {
    static let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path

    /// A small feeder script on disk (the step and number checks come before any solving), in a
    /// folder of the caller's own: `scratch` empties its folder, so parallel cases must not share one.
    private func feederScript(_ name: String) throws -> String {
        let path = try CLI.scratch("feeder" + name).appendingPathComponent("f.dss").path
        try "Clear\nNew Circuit.c basekv=0.4\nNew Line.l1 bus1=sourcebus bus2=b length=0.1\nNew Load.h bus1=b kw=1 kv=0.4\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: ["1e-300", "1e300", "inf", "0.0001"])
    func solveRefusesAStepOutsideOneSecondToOneYear(step: String) throws {
        let result = try CLI.run(["solve", try feederScript("step" + step), "--mode", "daily", "--step", step])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--step"), "\(result.stderr)")
    }

    @Test func solveRefusesAHugeNumberOfSteps() throws {
        let result = try CLI.run(["solve", try feederScript("number"), "--mode", "daily", "--number", "9223372036854775807"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--number must be between 1 and 10000000 steps"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["--bandwidth-mbps", "1e-300"], "--bandwidth-mbps"), (["--bandwidth-mbps", "0.01"], "--bandwidth-mbps"), (["--block-interval-s", "1e308"], "--block-interval-s"),
        (["--hours", "1e16"], "--hours"), (["--jitter-ms", "1e300"], "--jitter-ms"),
        (["--tx-per-second", "1e12"], "--tx-per-second"), (["--validation-ms", "1e300"], "--validation-ms"),
        (["--nodes", "10000", "--blocks", "10000000"], "--hours/--blocks"),
        (["--nodes", "10000", "--miners", "10000", "--blocks", "1"], "--miners"),
    ])
    func chainRunRefusesValuesThatWouldTrapOrHang(arguments: [String], option: String) throws {
        let result = try CLI.run(["chain", "run"] + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(option), "\(result.stderr)")
    }

    @Test func chainRunRefusesATransactionWorkloadOverItsBudget() throws {
        let result = try CLI.run(["chain", "run", "--tx-per-second", "5000", "--hours", "24"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--tx-per-second") && result.stderr.contains("budget of 1e8 transactions"), "\(result.stderr)")
    }

    @Test func marketClearRefusesTooManyParticipants() throws {
        let result = try CLI.run(["market", "clear", "--participants", "100000000"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--participants must be between 2 and 10000"), "\(result.stderr)")
    }

    @Test func benchTraceRefusesZeroEventsPerCommit() throws {
        let result = try CLI.run(["bench", "trace", "--per-commit", "0"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--per-commit must be at least 1"), "\(result.stderr)")
    }

    @Test(arguments: ["nans", "infs", "1e300s", "99999999999999:00"])
    func replayRefusesATimeThatIsNotATime(until: String) throws {
        let result = try CLI.run(["replay", "missing.gtrace", "--until", until])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--until") && result.stderr.contains("got '\(until)'"), "\(result.stderr)")
    }

    @Test func replayOverrideGetsTheScenarioFileRange() throws {
        let result = try CLI.run(["replay", Self.reference, "--override", "grid.max_iterations=1e300"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--override:0: grid.max_iterations: 1e300 is outside 1.0…10000.0"), "\(result.stderr)")
    }

    @Test func runRefusesMalformedTOMLWithLineAndColumn() throws {
        let dir = try CLI.scratch()
        let header = dir.appendingPathComponent("del.toml")
        try "[run]\nseed = 1\n[ch\u{7F}ain]\nnodes = 3\n".write(to: header, atomically: true, encoding: .utf8)
        let deleted = try CLI.run(["run", header.path])
        #expect(deleted.status == 2, "\(deleted.stderr)")
        #expect(deleted.stderr.contains("del.toml:3: control character U+007F is not allowed in TOML (column 4)"), "\(deleted.stderr)")
        let brackets = dir.appendingPathComponent("brackets.toml")
        try "[[[[[[[[[[x = 1\n".write(to: brackets, atomically: true, encoding: .utf8)
        let nested = try CLI.run(["run", brackets.path])
        #expect(nested.status == 2, "\(nested.stderr)")
        #expect(nested.stderr.contains("brackets.toml:1: malformed table header"), "\(nested.stderr)")
    }
}
