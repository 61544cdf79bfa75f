// `gridtrace sweep` end to end through the built binary on a shortened default scenario (2
// intervals, P2P only): the same digests with -j 1, -j 2 and `gridtrace run` of a run's scenario,
// resuming skips what is done, a failing run is recorded while the others finish, and sweep.csv
// and sweep.sqlite hold every run.
import Foundation
import Testing
import TestSupport
import Trace

@Suite struct SweepCLITests {
    /// A folder with base.toml (the default scenario, 2 intervals) and plan.toml (`parameters` lines).
    private func setUp(_ name: String, parameters: String, seeds: String = "[seeds]\ncount = 2\nvary = [\"market\"]\n") throws -> URL {
        let folder = try CLI.scratch(name)
        let base = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("scenarios/default.toml"), encoding: .utf8)
            .replacingOccurrences(of: "intervals = 288", with: "intervals = 2")
        try base.write(to: folder.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        let plan = "[sweep]\nscenario = \"base.toml\"\nvariants = \"p2p\"\n\n[parameters]\n\(parameters)\n\n\(seeds)"
        try plan.write(to: folder.appendingPathComponent("plan.toml"), atomically: true, encoding: .utf8)
        return folder
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// `SELECT` rows of the sweep's database as tab-joined text columns.
    private func rows(_ database: URL, _ sql: String, columns: Int32) throws -> [String] {
        let connection = try SQLiteConnection(readingAt: database.path)
        let statement = try connection.prepare(sql)
        var out: [String] = []
        while try statement.step() { out.append((0..<columns).map { statement.text($0) }.joined(separator: "\t")) }
        return out
    }

    @Test func parallelSequentialAndSingleRunsGiveTheSameDigestsAndResumeSkipsDoneRuns() throws {
        let folder = try setUp("parallel", parameters: "adversaries.fraction = [0, 0.2]")
        let plan = folder.appendingPathComponent("plan.toml").path
        let one = folder.appendingPathComponent("one"), two = folder.appendingPathComponent("two")
        let first = try CLI.run(["sweep", plan, "--out", one.path, "-j", "1", "--json"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let summary = try json(first.stdout)
        #expect(summary["total"] as? Int == 4 && summary["done"] as? Int == 4 && summary["executed"] as? Int == 4)
        #expect(first.stderr.contains("sweep: 4 runs, 0 already done, 4 to run"))
        #expect(first.stderr.contains("4/4 done, 0 failed, 0 to go") && first.stderr.contains("ETA"))
        let second = try CLI.run(["sweep", plan, "--out", two.path, "-j", "2"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("4 runs: 4 done, 0 failed, 0 pending"))

        let digests = "SELECT run_index, header_digest, seal_digest, verified FROM run_traces ORDER BY run_index"
        let sequential = try rows(one.appendingPathComponent("sweep.sqlite"), digests, columns: 4)
        #expect(sequential.count == 4)
        #expect(try rows(two.appendingPathComponent("sweep.sqlite"), digests, columns: 4) == sequential)
        // Different market seeds give different traces; the same seed and fraction the same one.
        #expect(Set(sequential.map { $0.split(separator: "\t")[2] }).count == 4)

        // `gridtrace run` of run 3's scenario gives the trace the sweep recorded.
        let alone = try CLI.run(["run", one.appendingPathComponent("runs/0003/run.toml").path, "--out",
                                 folder.appendingPathComponent("alone").path, "--json"])
        #expect(alone.status == 0, "\(alone.stderr)")
        let p2p = try #require(try json(alone.stdout)["p2p"] as? [String: Any])
        #expect(sequential[3].split(separator: "\t")[2] == (p2p["final_hash"] as? String ?? "?")[...])

        // The run's market seed is pinned in its scenario, which the header stores: replay reproduces it.
        #expect(try String(contentsOf: one.appendingPathComponent("runs/0003/run.toml"), encoding: .utf8).contains("[run.seeds]\nmarket = 2\n"))
        let replay = try CLI.run(["replay", one.appendingPathComponent("runs/0003/p2p.gtrace").path])
        #expect(replay.status == 0 && replay.stdout.hasPrefix("identical"), "\(replay.stdout)\(replay.stderr)")

        // Rerunning skips every done run; a run whose result is gone runs again, to the same trace.
        let resumed = try CLI.run(["sweep", plan, "--out", one.path, "-j", "2", "--json"])
        #expect(resumed.status == 0)
        #expect(try json(resumed.stdout)["skipped"] as? Int == 4 && json(resumed.stdout)["executed"] as? Int == 0)
        try FileManager.default.removeItem(at: one.appendingPathComponent("runs/0002/result.json"))
        let status = try CLI.run(["sweep", "status", one.path])
        #expect(status.stdout.contains("4 runs: 3 done, 0 failed, 1 pending"))
        let again = try CLI.run(["sweep", plan, "--out", one.path, "--json"])
        #expect(try json(again.stdout)["skipped"] as? Int == 3 && json(again.stdout)["executed"] as? Int == 1)
        #expect(try rows(one.appendingPathComponent("sweep.sqlite"), digests, columns: 4) == sequential)
    }

    /// A sweep over chain.delay_ms with chain seeds records the chain's figures per run, and the
    /// report draws the paper's Figs. 5–6 from them.
    @Test func aChainDelaySweepRecordsChainFiguresAndTheReportDrawsFigs5And6() throws {
        let folder = try setUp("chain-delay", parameters: "chain.delay_ms = [10, 800]", seeds: "[seeds]\ncount = 2\nvary = [\"chain\"]\n")
        let out = folder.appendingPathComponent("out")
        let sweep = try CLI.run(["sweep", folder.appendingPathComponent("plan.toml").path, "--out", out.path, "-j", "2"])
        #expect(sweep.status == 0, "\(sweep.stdout)\(sweep.stderr)")
        let blocks = try rows(out.appendingPathComponent("sweep.sqlite"),
                              "SELECT run_index, value FROM run_metrics WHERE metric = 'chain.blocks_mined' ORDER BY run_index", columns: 2)
        #expect(blocks.count == 4)
        #expect(blocks.allSatisfy { (Double($0.split(separator: "\t")[1]) ?? 0) > 0 }, "\(blocks)")
        let report = try CLI.run(["sweep", "report", out.path])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("fig5-forks") && html.contains("fig6-confirmation"))
        #expect(!html.contains("No run recorded"))
    }

    @Test func aFailingRunIsRecordedWhileTheOthersFinish() throws {
        let folder = try setUp("failing", parameters: "grid.source_transformer = [\"\", \"nosuch\"]", seeds: "")
        let out = folder.appendingPathComponent("out")
        let result = try CLI.run(["sweep", folder.appendingPathComponent("plan.toml").path, "--out", out.path, "-j", "2"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("2 runs: 1 done, 1 failed, 0 pending"))
        #expect(result.stdout.contains("failed: run 1: grid: grid.source_transformer: the feeder has no Transformer.nosuch"))
        #expect(result.stderr.contains("run 0001 FAILED"))
        let database = out.appendingPathComponent("sweep.sqlite")
        #expect(try rows(database, "SELECT run_index, folder, status, engine FROM runs ORDER BY run_index", columns: 4)
                == ["0\truns/0000\tdone\tlocal", "1\truns/0001\tfailed\tlocal"])
        #expect(try rows(database, "SELECT run_index, key, value FROM run_parameters ORDER BY run_index", columns: 3)
                == ["0\tgrid.source_transformer\t", "1\tgrid.source_transformer\tnosuch"])
        #expect(try rows(database, "SELECT value FROM sweep WHERE key = 'format'", columns: 1) == ["1"])
        let metrics = try rows(database, "SELECT variant || ' ' || metric FROM run_metrics WHERE run_index = 0 ORDER BY metric", columns: 1)
        for metric in ["p2p max_kva", "p2p losses_pct", "p2p vuf_pct", "p2p verified", "p2p audit_flagged", "p2p contracts"] {
            #expect(metrics.contains(metric), "\(metric) in \(metrics)")
        }
        #expect(try rows(database, "SELECT count(*) FROM run_metrics WHERE run_index = 1", columns: 1) == ["0"])

        let csv = try String(contentsOf: out.appendingPathComponent("sweep.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        let header = csv[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(header.prefix(13)) == ["run_index", "folder", "status", "error", "wall_seconds", "engine", "seed_root", "seed_grid",
                                              "seed_profiles", "seed_market", "seed_chain", "seed_adversaries", "grid.source_transformer"])
        #expect(header.contains("p2p.max_kva") && header.contains("p2p.seal_digest"))
        #expect(csv[1].hasPrefix("0,runs/0000,done,,") && csv[2].hasPrefix("1,runs/0001,failed,"))
        #expect(csv[1].contains(",20261125,20261125,20261125,20261125,20261125,20261125,,"))
    }

    @Test func aBadPlanIsExitTwoWithItsLineAndAnotherPlansFolderIsRefused() throws {
        let folder = try setUp("badplan", parameters: "chain.delay_ms = [100, -5]")
        let bad = try CLI.run(["sweep", folder.appendingPathComponent("plan.toml").path, "--out", folder.appendingPathComponent("out").path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("plan.toml:6: parameters.chain.delay_ms: -5: -5.0 is outside 0.0…600000.0"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        let engine = try CLI.run(["sweep", folder.appendingPathComponent("plan.toml").path, "--out", "x", "--engine", "cloud"])
        #expect(engine.status == 64)
        let missing = try CLI.run(["sweep", "status", folder.appendingPathComponent("nowhere").path])
        #expect(missing.status == 2 && missing.stderr.contains("not a sweep folder"))
    }
}
