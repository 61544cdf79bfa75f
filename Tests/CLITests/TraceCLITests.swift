// Runs the built binary: help, determinism across processes, crash safety under SIGKILL, tamper
// and bad-file reporting with exit codes, and the JSON keys other tools rely on.
import Foundation
import TestSupport
import Testing

@Suite struct TraceCLITests {
    @Test func helpListsTheCommands() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        for command in ["trace", "selftest-run", "bench"] { #expect(result.stdout.contains(command)) }
    }

    /// The signature benchmark signs and verifies real commits (every one must verify) and reports
    /// positive per-operation costs; a bad count is refused.
    @Test func signatureBenchmarkReportsPerOperationCosts() throws {
        let result = try CLI.run(["bench", "signatures", "--count", "200", "--repeats", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["count"] as? Int == 200)
        for key in ["sign_microseconds", "verify_microseconds", "verify_all_cores_microseconds"] {
            #expect((object[key] as? Double ?? 0) > 0, "\(key)")
        }
        let refused = try CLI.run(["bench", "signatures", "--count", "0"])
        #expect(refused.status != 0 && refused.stderr.contains("--count must be positive"))
    }

    @Test func sameSeedGivesByteIdenticalTracesInSeparateProcesses() throws {
        let dir = try CLI.scratch()
        var hashes: [String] = [], exports: [String] = [], files: [Data] = []
        for (index, seed) in [77, 77, 78].enumerated() {
            let path = dir.appendingPathComponent("run\(index).gtrace").path
            let write = try CLI.run(["selftest-run", "--seed", "\(seed)", "--events", "20000", "--out", path])
            #expect(write.status == 0, "\(write.stderr)")
            let info = try CLI.run(["trace", "info", path, "--json"])
            let object = try #require(JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
            hashes.append(try #require(object["final_hash"] as? String))
            exports.append(try CLI.run(["trace", "export", path, "--jsonl"]).stdout)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(hashes[0] == hashes[1])
        #expect(hashes[0] != hashes[2])
        #expect(exports[0] == exports[1])
        #expect(files[0] == files[1], "the SQLite files themselves are byte-identical")
        #expect(exports[0].split(separator: "\n").count == 20_002)
    }

    @Test func infoJSONHasTheDocumentedKeys() throws {
        let path = try CLI.scratch().appendingPathComponent("t.gtrace").path
        _ = try CLI.run(["selftest-run", "--seed", "3", "--events", "600", "--out", path])
        let info = try CLI.run(["trace", "info", path, "--json"])
        #expect(info.status == 0)
        let object = try #require(JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect(object["sealed"] as? Bool == true)
        #expect(object["events"] as? Int == 600)
        #expect(object["seed"] as? Int == 3)
        #expect((object["final_hash"] as? String)?.count == 64)
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts.values.reduce(0, +) == 600)
        #expect(counts["block_mined"] != nil)
    }

    /// Kills the writer at commit points and mid-interval; the file must be an exact prefix of the
    /// complete trace, reported as incomplete at the first missing seq.
    @Test(arguments: [
        (["--pause-at-seq", "1"], 0),            // before the first commit
        (["--pause-at-seq", "500"], 0),          // the first interval written but not committed
        (["--pause-after-commit", "1"], 500),    // right after a commit
        (["--pause-at-seq", "1250"], 1000),      // mid-interval
        (["--pause-after-commit", "7"], 3500),
        (["--pause-at-seq", "5000"], 4500),      // the last interval, before the seal
    ])
    func killedWriterLeavesAnExactPrefix(pause: [String], committed: Int) throws {
        let dir = try CLI.scratch("crash\(pause.joined())")
        let complete = dir.appendingPathComponent("complete.gtrace").path
        let crashed = dir.appendingPathComponent("crashed.gtrace").path
        let common = ["selftest-run", "--seed", "11", "--events", "5000", "--per-commit", "500"]
        #expect(try CLI.run(common + ["--out", complete]).status == 0)
        let line = try CLI.runUntilFirstLineThenKill(common + ["--out", crashed] + pause)
        #expect(line.hasPrefix("paused"), "the child did not reach its pause point: \(line)")

        // The evidence is never written: a hot journal is rolled back in a private copy.
        let journal = crashed + "-journal"
        let bytesBefore = try Data(contentsOf: URL(fileURLWithPath: crashed))
        let journalBefore = try? Data(contentsOf: URL(fileURLWithPath: journal))
        let verify = try CLI.run(["trace", "verify", crashed])
        #expect(verify.status == 1)
        #expect(verify.stdout == "incomplete at seq \(committed + 1)\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: crashed)) == bytesBefore, "trace verify wrote to the trace")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: journal))) == journalBefore, "trace verify touched the journal")
        let crashedLines = try CLI.run(["trace", "export", crashed, "--jsonl"]).stdout.split(separator: "\n")
        let completeLines = try CLI.run(["trace", "export", complete, "--jsonl"]).stdout.split(separator: "\n")
        #expect(crashedLines.count == committed + 1)  // header + committed events, no seal
        #expect(Array(crashedLines) == Array(completeLines.prefix(committed + 1)))
    }

    @Test func verifyReportsTruncationAtASeqAndFails() throws {
        let path = try CLI.scratch().appendingPathComponent("t.gtrace").path
        _ = try CLI.run(["selftest-run", "--seed", "5", "--events", "5000", "--per-commit", "500", "--out", path])
        #expect(try CLI.run(["trace", "verify", path]).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        let verify = try CLI.run(["trace", "verify", path])
        #expect(verify.status == 1)
        #expect(verify.stdout.range(of: #"^corrupt at seq [0-9]+: .*truncated"#, options: .regularExpression) != nil)
        let json = try CLI.run(["trace", "verify", path, "--json"])
        #expect(json.stdout.contains(#""status":"corrupt""#))
    }

    @Test func badFilesGiveAClearErrorAndExitTwo() throws {
        let dir = try CLI.scratch()
        let empty = dir.appendingPathComponent("empty.gtrace").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let text = dir.appendingPathComponent("text.gtrace").path
        FileManager.default.createFile(atPath: text, contents: Data("hello\n".utf8))
        let cases: [(String, String)] = [
            (empty, "empty file, not a gridtrace trace"),
            (text, "not an SQLite database"),
            (dir.appendingPathComponent("missing.gtrace").path, "no such file"),
        ]
        for (path, message) in cases {
            for command in [["trace", "verify", path], ["trace", "info", path], ["trace", "export", path, "--jsonl"]] {
                let result = try CLI.run(command)
                #expect(result.status == 2, "\(command)")
                #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
                #expect(result.stdout.isEmpty)
            }
        }
    }

    @Test func exportToAFileIsAtomic() throws {
        let dir = try CLI.scratch()
        let trace = dir.appendingPathComponent("t.gtrace").path
        _ = try CLI.run(["selftest-run", "--seed", "5", "--events", "100", "--out", trace])
        let out = dir.appendingPathComponent("t.jsonl").path
        #expect(try CLI.run(["trace", "export", trace, "--jsonl", "--out", out]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 102)
        let failed = try CLI.run(["trace", "export", dir.appendingPathComponent("none").path, "--jsonl", "--out", out + "2"])
        #expect(failed.status == 2)
        #expect(!FileManager.default.fileExists(atPath: out + "2"))
        #expect(!FileManager.default.fileExists(atPath: out + "2.partial"))
    }

    @Test func csvExportIsStrictAndKindFiltered() throws {
        let dir = try CLI.scratch()
        let trace = dir.appendingPathComponent("t.gtrace").path
        _ = try CLI.run(["selftest-run", "--seed", "5", "--events", "100", "--out", trace])
        let csv = dir.appendingPathComponent("csv").path
        let selftest = try CLI.run(["trace", "export", trace, "--format", "csv", "--kind", "selftest", "--out", csv])
        #expect(selftest.status == 0, "\(selftest.stderr)")
        let lines = try String(contentsOfFile: csv + "/selftest.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "seq,time_ms,actor,n,x,tag")
        #expect(lines.count == 1 + 4)  // events 4, 32, 60, 88 are of kind selftest (28 kinds in turn)
        // The synthetic trace writes the self-test payload under every kind: read strictly, the first one fails.
        let all = try CLI.run(["trace", "export", trace, "--format", "csv", "--out", csv])
        #expect(all.status == 2)
        #expect(all.stderr.contains(#"seq 1 (run_started): field "n" is not a field of run_started"#), "\(all.stderr)")
        let jsonl = try CLI.run(["trace", "export", trace, "--format", "jsonl", "--kind", "selftest"])
        #expect(jsonl.stdout.split(separator: "\n").count == 1 + 4 + 1)
        #expect(try CLI.run(["trace", "export", trace, "--format", "csv", "--kind", "nonsense"]).status == 64)
    }

    @Test func schemaPrintsTheCommittedReference() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/trace-schema.md"), encoding: .utf8)
        #expect(try CLI.run(["trace", "schema"]).stdout == committed)
    }
}
