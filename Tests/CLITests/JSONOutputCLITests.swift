// Every subcommand takes --json and prints JSON (README: "Every command takes --json"). The
// commands are enumerated from ArgumentParser's own description of the tool
// (`--experimental-dump-help`), so a new subcommand without --json, or without a small invocation
// here, fails this test instead of being missed.
import Foundation
import TestSupport
import Testing

@Suite struct JSONOutputCLITests {
    /// Leaf command paths ("chain sweep") from the dump, with whether each declares --json.
    static func leafCommands() throws -> [(path: String, hasJSON: Bool)] {
        let dump = try CLI.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        var leaves: [(path: String, hasJSON: Bool)] = []
        func walk(_ node: [String: Any], _ prefix: [String]) {
            let name = node["commandName"] as? String ?? ""
            let path = prefix + (prefix.isEmpty && name == "gridtrace" ? [] : [name])
            let children = (node["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
            if children.isEmpty {
                let names = (node["arguments"] as? [[String: Any]] ?? []).flatMap { $0["names"] as? [[String: Any]] ?? [] }
                leaves.append((path.joined(separator: " "), names.contains { $0["name"] as? String == "json" }))
            }
            for child in children { walk(child, path) }
        }
        walk(command, [])
        return leaves
    }

    /// A small invocation of each leaf (without --json, which the test adds) in `scratch`.
    static func invocations(scratch: URL, trace: String) -> [String: [String]] {
        let chain = ["--nodes", "10", "--miners", "3", "--degree", "3", "--blocks", "20"]
        let feeder = scratch.appendingPathComponent("f.dss").path
        return [
            "audit": ["audit", trace, "--out", scratch.appendingPathComponent("audit.gtrace").path],
            "bench trace": ["bench", "trace", "--events", "2000", "--repeats", "1", "--dir", scratch.path],
            "bench signatures": ["bench", "signatures", "--count", "20", "--repeats", "1"],
            "chain run": ["chain", "run"] + chain,
            "chain sweep": ["chain", "sweep", "--delay-ms", "10,100", "--out", scratch.appendingPathComponent("sweep").path] + chain,
            "chain design": ["chain", "design", "--max-fork-rate", "1", "--max-confirm-s", "100000", "--node-counts", "10",
                             "--bandwidths-mbps", "10"] + chain,
            "demo": ["demo", "--intervals", "1", "--out", scratch.appendingPathComponent("demo").path],
            "diff": ["diff", trace, trace],
            "export-dss": ["export-dss", trace, scratch.appendingPathComponent("dss").path],
            "feeder synth": ["feeder", "synth", "--seed", "3"],
            "golden compare": ["golden", "compare", scratch.appendingPathComponent("solved").path, scratch.appendingPathComponent("solved").path],
            "golden cim": ["golden", "cim", feeder, scratch.appendingPathComponent("tiny.xml").path],
            "market clear": ["market", "clear", "--participants", "10"],
            "market day": ["market", "day", "--homes", "3"],
            "replay": ["replay", trace, "--until", "00:10"],
            "run": ["run", SharedData.packageRoot.appendingPathComponent("scenarios/default.toml").path, "--intervals", "1",
                    "--variant", "p2p", "--out", scratch.appendingPathComponent("run").path],
            "selftest-run": ["selftest-run", "--events", "50", "--out", scratch.appendingPathComponent("self.gtrace").path],
            "solve": ["solve", feeder, "--mode", "snapshot"],
            // A one-run, one-interval sweep (plan.toml written by the test); run first, then the rest use its folder.
            "sweep run": ["sweep", "run", scratch.appendingPathComponent("plan.toml").path, "--out", scratch.appendingPathComponent("sw").path, "-j", "1"],
            "sweep status": ["sweep", "status", scratch.appendingPathComponent("sw").path],
            "sweep collect": ["sweep", "collect", scratch.appendingPathComponent("sw").path],
            "sweep exec": ["sweep", "exec", scratch.appendingPathComponent("sw").path, "--runs", "0"],
            "sweep report": ["sweep", "report", scratch.appendingPathComponent("sw").path],
            "trace info": ["trace", "info", trace],
            "trace verify": ["trace", "verify", trace],
            "trace export": ["trace", "export", trace, "--kind", "meter_reading"],
            "trace schema": ["trace", "schema"],
            "trace keygen": ["trace", "keygen", scratch.appendingPathComponent("test-key").path, "--name", "json-test"],
            "verify": ["verify", trace],
        ]
    }

    @Test func everySubcommandPrintsJSON() throws {
        let scratch = try CLI.scratch()
        let trace = scratch.appendingPathComponent("p2p.gtrace").path
        try FileManager.default.copyItem(atPath: SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path,
                                         toPath: trace)
        let feeder = scratch.appendingPathComponent("f.dss").path
        try "Clear\nNew Circuit.c basekv=0.4\nNew Line.l1 bus1=sourcebus bus2=b length=0.1 units=km\nNew Load.h bus1=b kw=1 kv=0.4\nSet voltagebases=[0.4]\nCalcvoltagebases\n"
            .write(toFile: feeder, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["solve", feeder, "--mode", "snapshot", "--export", scratch.appendingPathComponent("solved").path]).status == 0)
        // A CIM export with one load, so the cross-check has something to compare (its verdict does not matter here).
        try """
            <?xml version="1.0"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cim="http://iec.ch/TC57/CIM100#">
            <cim:EnergyConsumer rdf:about="urn:uuid:1"><cim:IdentifiedObject.name>h</cim:IdentifiedObject.name>
            <cim:EnergyConsumer.p>1000</cim:EnergyConsumer.p><cim:EnergyConsumer.q>0</cim:EnergyConsumer.q></cim:EnergyConsumer>
            </rdf:RDF>
            """.write(to: scratch.appendingPathComponent("tiny.xml"), atomically: true, encoding: .utf8)

        let base = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("scenarios/default.toml"), encoding: .utf8)
            .replacingOccurrences(of: "intervals = 288", with: "intervals = 1")
        try base.write(to: scratch.appendingPathComponent("sweep-base.toml"), atomically: true, encoding: .utf8)
        try "[sweep]\nscenario = \"sweep-base.toml\"\nvariants = \"p2p\"\n".write(to: scratch.appendingPathComponent("plan.toml"),
                                                                                  atomically: true, encoding: .utf8)

        let leaves = try Self.leafCommands()
        #expect(leaves.count >= 22, "\(leaves.map(\.path))")
        let invocations = Self.invocations(scratch: scratch, trace: trace)
        for leaf in leaves {
            #expect(leaf.hasJSON, "`gridtrace \(leaf.path)` has no --json")
            guard let arguments = invocations[leaf.path] else {
                Issue.record("`gridtrace \(leaf.path)` has no small invocation in JSONOutputCLITests: add one")
                continue
            }
            let result = try CLI.run(arguments + ["--json"])
            let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!text.isEmpty, "`gridtrace \(arguments.joined(separator: " ")) --json` printed nothing (exit \(result.status)): \(result.stderr)")
            // JSON Lines (trace export) are one JSON value per line; every other command prints one value.
            let documents = leaf.path == "trace export" ? text.split(separator: "\n").map(String.init) : [text]
            for document in documents {
                let parsed = try? JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
                #expect(parsed is [String: Any], "`gridtrace \(leaf.path) --json` did not print a JSON object: \(document.prefix(300))")
            }
            #expect([0, 1].contains(result.status), "`gridtrace \(leaf.path) --json` exit \(result.status): \(result.stderr)")
        }
    }
}
