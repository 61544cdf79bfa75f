// The co-simulation commands through the built binary: the committed reference trace replays and
// verifies, runs are identical across processes, bad scenarios name the key and line, and replay
// stops with exit 1 at a divergence.
import Foundation
import TestSupport
import Testing

@Suite struct CoSimCLITests {
    static let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path

    @Test func committedReferenceTraceReplaysIdentically() throws {
        let result = try CLI.run(["replay", Self.reference])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr) — if behaviour changed on purpose, run scripts/regenerate-traces.sh")
        let info = try CLI.run(["trace", "info", Self.reference, "--json"])
        let events = try #require((try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])?["events"] as? Int)
        #expect(events > 5000)
        #expect(result.stdout.hasPrefix("identical: all \(events) recorded events reproduced"))
    }

    /// traces/trading (scenarios/reference-trading.toml): first that it holds what trading produces
    /// — matches, contracts, settlements, refunds, fallbacks to the grid, forks and reorgs — then that
    /// the engine reproduces all of it.
    @Test func tradingReferenceTraceHoldsTradingAndReplaysIdentically() throws {
        let trace = SharedData.packageRoot.appendingPathComponent("traces/trading/p2p.gtrace").path
        let info = try CLI.run(["trace", "info", trace, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        let counts = try #require(object["counts"] as? [String: Int])
        for kind in ["order_matched", "contract_created", "contract_settled", "contract_refunded", "fork", "reorg",
                     "block_orphaned", "meter_reading"] {
            #expect((counts[kind] ?? 0) > 0, "the trading reference holds no \(kind)")
        }
        let summaryURL = SharedData.packageRoot.appendingPathComponent("traces/trading/summary.json")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: summaryURL)) as? [String: Any])
        let p2p = try #require(summary["p2p"] as? [String: Any])
        #expect((p2p["contracts_fallen_back"] as? Int ?? 0) > 0, "no contract fell back to the grid")
        let result = try CLI.run(["replay", trace])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr) — if behaviour changed on purpose, run scripts/regenerate-traces.sh")
        #expect(result.stdout.hasPrefix("identical: all \(object["events"] as? Int ?? -1) recorded events reproduced"))
    }

    @Test func committedReferenceTraceVerifies() throws {
        let result = try CLI.run(["verify", Self.reference, "--json"])
        #expect(result.status == 0, "\(result.stdout)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Bool == true)
        #expect((object["checks"] as? [Any])?.count == 6)  // chain, payloads, convergence, limits, money, energy
    }

    @Test func referenceTraceAgreesWithOpenDSS() throws {
        let golden = SharedData.packageRoot.appendingPathComponent("golden/synthetic-default-12").path
        let result = try CLI.run(["verify", Self.reference, "--golden", golden])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("PASS  grid vs OpenDSS"))
    }

    @Test func changedParameterStopsReplayWithExitOne() throws {
        let result = try CLI.run(["replay", Self.reference, "--override", "grid.tolerance=1e-3"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("diverged at seq"))
        #expect(result.stdout.contains("recorded: ") && result.stdout.contains("replayed: ") && result.stdout.contains("before (identical):"))
    }

    @Test func runsAreIdenticalAcrossProcesses() throws {
        let dir = try CLI.scratch()
        var hashes: [String] = []
        for index in 0..<2 {
            let out = dir.appendingPathComponent("run\(index)").path
            let result = try CLI.run(["run", SharedData.packageRoot.appendingPathComponent("scenarios/default.toml").path,
                                      "--intervals", "3", "--out", out, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let p2p = try #require(object["p2p"] as? [String: Any])
            for key in ["net_export_kwh", "import_kwh", "reactive_kvarh", "max_kva", "losses_pct", "unbalance_range_pct",
                        "unbalance_dev_pct", "vuf_pct", "p2p_volume_kwh"] {
                #expect(p2p[key] is NSNumber, "summary lacks \(key)")
            }
            hashes.append(try #require(p2p["final_hash"] as? String))
            #expect(FileManager.default.fileExists(atPath: out + "/no-p2p.gtrace"))
            #expect(FileManager.default.fileExists(atPath: out + "/summary.json"))
        }
        #expect(hashes[0] == hashes[1])
    }

    @Test func badScenarioNamesTheKeyAndLine() throws {
        let dir = try CLI.scratch()
        let path = dir.appendingPathComponent("bad.toml").path
        try "[run]\nseed = 4\n\n[chain]\nblock_interval = 15\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", path, "--out", dir.appendingPathComponent("out").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.toml:5: chain.block_interval: unknown key"))
        try "[feeder]\nkind = \"opendss\"\npath = \"missing.dss\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let missing = try CLI.run(["run", path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("bad.toml:3: feeder.path: no such feeder file"))
    }

    @Test func exportDSSWritesAScript() throws {
        let dir = try CLI.scratch()
        let result = try CLI.run(["export-dss", Self.reference, dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let master = try String(contentsOfFile: dir.appendingPathComponent("Master.dss").path, encoding: .utf8)
        #expect(master.contains("Compile \"feeder.dss\""))
        #expect(master.components(separatedBy: "New LoadShape.gt_load_").count - 1 == 55)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("feeder.dss").path))
    }
}
