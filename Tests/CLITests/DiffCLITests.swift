// `gridtrace diff` and the what-if of `replay --override --out` through the built binary: exit 0
// identical, 1 different, 2 unreadable (64 a bad --context); the text names the differing header
// fields, the first differing seq and the run figures; the what-if's first difference is the one
// plain `replay --override` stops at, its trace is signed and replays, and an override to the value
// the run had is identical.
import Foundation
import TestSupport
import Testing

@Suite struct DiffCLITests {
    static let p2p = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path
    static let noP2P = SharedData.packageRoot.appendingPathComponent("traces/default-12/no-p2p.gtrace").path

    @Test func aTraceAgainstItselfIsIdentical() throws {
        let result = try CLI.run(["diff", Self.p2p, Self.p2p])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("identical: the same header and the same "), "\(result.stdout)")
        #expect(result.stdout.contains("run figures (A → B): all the same"))
    }

    @Test func theTwoRunsOfAPairDiffer() throws {
        let result = try CLI.run(["diff", Self.noP2P, Self.p2p, "--context", "2"])
        #expect(result.status == 1, "\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("headers differ:\n") && text.contains("  variant: no-p2p → p2p"), "\(text)")
        // The scenario's name is in every interval_started event: the runs differ from seq 1.
        #expect(text.contains("first difference at seq 1 (00:00, interval_started): variant\n  variant: \"no-p2p\" → \"p2p\""), "\(text)")
        #expect(text.contains("  A: seq 1 00:00 interval_started cosim interval=0 variant=no-p2p"))
        #expect(text.contains("  after, in A:\n    seq 2 00:05 meter_reading home:0 interval=0 net_wh=16 Wh\n    seq 3 "))
        #expect(text.contains("  after, in B:\n    seq 2 00:00:05.960 block_mined node:14 block=1 height=1 parent=0 transactions=0 bytes=80\n"))
        #expect(text.contains("events by kind from seq ") && text.contains("order_committed  0 → "))
        #expect(text.contains("run figures (A → B): ") && text.contains("≠ events"))
        #expect(text.split(separator: "\n").last?.hasPrefix("different: headers (variant") == true)
    }

    @Test func jsonSaysWhatDiffers() throws {
        let result = try CLI.run(["diff", Self.noP2P, Self.p2p, "--json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "different")
        let first = try #require(object["first_difference"] as? [String: Any])
        #expect(first["seq"] as? Int == 1 && (first["before"] as? [Any])?.isEmpty == true && (first["after_b"] as? [Any])?.count == 3)
        let metrics = try #require(object["metrics"] as? [String: Any])
        let events = try #require(metrics["events"] as? [String: Any])
        #expect(events["differs"] as? Bool == true && (events["a"] as? Int ?? 0) < (events["b"] as? Int ?? 0))
        #expect(((object["kinds"] as? [String: Any])?["order_committed"] as? [String: Any])?["a"] as? Int == 0)
    }

    @Test func unreadableInputIsExitTwoAndABadContextIsUsage() throws {
        let missing = try CLI.run(["diff", "/nonexistent/a.gtrace", Self.p2p])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/a.gtrace"), "\(missing.stderr)")
        let dir = try CLI.scratch()
        let text = dir.appendingPathComponent("notes.gtrace")
        try "not a trace".write(to: text, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["diff", Self.p2p, text.path]).status == 2)
        let context = try CLI.run(["diff", Self.p2p, Self.p2p, "--context", "5000"])
        #expect(context.status == 64 && context.stderr.contains("--context"), "\(context.stderr)")
    }

    /// Kernel self-test traces carry no typed payloads: their events are compared and counted, and
    /// the figures read from payloads are said not to be computed.
    @Test func selfTestTracesAreComparedWithoutPayloadFigures() throws {
        let dir = try CLI.scratch()
        for seed in ["1", "2"] {
            #expect(try CLI.run(["selftest-run", "--seed", seed, "--events", "40", "--out", dir.appendingPathComponent("s\(seed).gtrace").path]).status == 0)
        }
        let result = try CLI.run(["diff", dir.appendingPathComponent("s1.gtrace").path, dir.appendingPathComponent("s2.gtrace").path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("note: A's run figures read from payloads are not computed: seq "), "\(result.stdout)")
        #expect(result.stdout.contains("first difference at seq ") && result.stdout.contains("= events  "), "\(result.stdout)")
    }

    /// The what-if finds the same first difference that `replay --override` stops at, writes a signed
    /// counterfactual that replays from its own header, and leaves the original as it was.
    @Test func whatIfNamesTheFirstDifferenceReplayStopsAt() throws {
        let stop = try CLI.run(["replay", Self.p2p, "--override", "grid.tolerance=1e-3"])
        #expect(stop.status == 1)
        let seq = try #require(stop.stdout.split(separator: "\n").first { $0.hasPrefix("diverged at seq ") }?
            .dropFirst("diverged at seq ".count).prefix { $0.isNumber })
        let before = try Data(contentsOf: URL(fileURLWithPath: Self.p2p))
        let out = try CLI.scratch().appendingPathComponent("whatif").path
        let result = try CLI.run(["replay", Self.p2p, "--override", "grid.tolerance=1e-3", "--out", out])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("what-if: grid.tolerance 1e-08 → 0.001; re-ran p2p from interval 0 (00:00) into \(out)/p2p.gtrace"),
                "\(result.stdout)")
        #expect(result.stdout.contains("first difference at seq \(seq) "), "\(result.stdout)")
        #expect(result.stdout.contains("  scenario: SHA-256 ") && result.stdout.contains("+ tolerance = 0.001  # what-if"))
        #expect(result.stdout.contains("≠ power-flow iterations"))
        #expect(result.stdout.contains("signed by key "))
        #expect(try Data(contentsOf: URL(fileURLWithPath: Self.p2p)) == before)
        let verified = try CLI.run(["trace", "verify", out + "/p2p.gtrace"])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("sealed"), "\(verified.stdout)")
        let replayed = try CLI.run(["replay", out + "/p2p.gtrace"])
        #expect(replayed.status == 0 && replayed.stdout.hasPrefix("identical: "), "\(replayed.stdout)")
    }

    @Test func whatIfOfTheRecordedValueIsIdentical() throws {
        let out = try CLI.scratch().appendingPathComponent("same").path
        let result = try CLI.run(["replay", Self.p2p, "--override", "grid.tolerance=1e-8", "--out", out, "--json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["changes"] as? [Any])?.isEmpty == true)
        // The reference is a format-2 trace; the counterfactual is written in this build's format.
        #expect(object["status"] as? String == "identical")
        let headers = try #require((object["diff"] as? [String: Any])?["headers"] as? [[String: Any]])
        #expect(headers.allSatisfy { ["format_version", "engine_version"].contains($0["field"] as? String ?? "") }, "\(headers)")
        #expect((object["diff"] as? [String: Any])?["events_identical"] as? Bool == true)
        #expect(object["signer"] is [String: Any])
    }

    @Test func whatIfRefusesBadOverridesAndTheOriginalsFolder() throws {
        let out = try CLI.scratch().appendingPathComponent("bad").path
        let result = try CLI.run(["replay", Self.p2p, "--override", "grid.max_iterations=1e300", "--out", out])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--override:0: grid.max_iterations: 1e300 is outside 1.0…10000.0"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/p2p.gtrace"))
        // The counterfactual would replace the original: refused before anything is written.
        let dir = try CLI.scratch()
        let copy = dir.appendingPathComponent("p2p.gtrace").path
        try FileManager.default.copyItem(atPath: Self.p2p, toPath: copy)
        let onto = try CLI.run(["replay", copy, "--override", "grid.tolerance=1e-3", "--out", dir.path])
        #expect(onto.status == 2 && onto.stderr.contains("never replaces the original"), "\(onto.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == (try Data(contentsOf: URL(fileURLWithPath: Self.p2p))))
        let until = try CLI.run(["replay", Self.p2p, "--override", "grid.tolerance=1e-3", "--out", out, "--until", "01:00"])
        #expect(until.status == 64, "\(until.stderr)")
    }
}
