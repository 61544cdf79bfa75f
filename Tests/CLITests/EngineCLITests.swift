// The engine commands through the built binary: their --json keys (the documented interface), and
// invalid input giving a clear error and a non-zero exit.
import Foundation
import Testing
import TestSupport

private func json(_ result: CommandResult) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "not JSON: \(result.stdout)")
}

@Suite struct EngineCLITests {
    @Test func chainRunReportsTheDocumentedKeys() throws {
        let result = try CLI.run(["chain", "run", "--blocks", "60", "--seed", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result)
        for key in ["blocks_mined", "orphans", "orphan_rate", "forks", "reorgs", "confirm_mean_s", "confirm_p95_s", "events",
                    "simulated_seconds", "wall_seconds"] {
            #expect(object[key] is NSNumber, "chain run --json lacks \(key)")
        }
        #expect(object["blocks_mined"] as? Int == 60)
    }

    @Test func solveOfAFolderSaysItWantsTheScript() throws {
        let folder = try CLI.scratch("feeder-folder")
        let result = try CLI.run(["solve", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is a folder; give the feeder's OpenDSS script in it"), "\(result.stderr)")
    }

    @Test func invalidChainConfigurationIsAClearError() throws {
        let result = try CLI.run(["chain", "run", "--nodes", "10", "--miners", "20", "--blocks", "5"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("more miners than nodes"))
    }

    @Test func marketClearReportsTheDocumentedKeys() throws {
        let result = try CLI.run(["market", "clear", "--participants", "55", "--seed", "3", "--distributed", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result)
        for key in ["volume_kwh", "welfare", "trades", "rounds", "clear_seconds"] {
            #expect(object[key] is NSNumber, "market clear --json lacks \(key)")
        }
        #expect((object["trades"] as? Int ?? 0) > 0)
    }

    @Test func solveReportsTheDocumentedKeys() throws {
        guard let feeder = SharedData.path("feeders/ieee13/IEEE13Nodeckt.dss") else { return }
        let result = try CLI.run(["solve", feeder, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try json(result)
        #expect(object["converged"] as? Bool == true)
        for key in ["iterations_total", "compile_seconds", "solve_seconds"] { #expect(object[key] is NSNumber, "solve --json lacks \(key)") }
    }

    @Test func malformedFeederNamesTheFileAndLine() throws {
        let dir = try CLI.scratch()
        let path = dir.appendingPathComponent("bad.dss").path
        try "Clear\nNew Circuit.c basekv=0.4\nNew Line.l1 bus1=a bus2=b lenght=3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["solve", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.dss:3: unknown property 'lenght'"), "\(result.stderr)")
    }

    @Test func feederSynthReportsItsShape() throws {
        let result = try CLI.run(["feeder", "synth", "--seed", "1", "--json"])
        #expect(result.status == 0)
        let object = try json(result)
        #expect(object["homes"] as? Int == 55)
        #expect(abs((object["nodes"] as? Int ?? 0) - 700) <= 30)
    }

    /// A malformed command line exits 64 with the reason and the usage, as the README says.
    @Test func malformedCommandLineExits64() throws {
        let unknown = try CLI.run(["run", "--nope"])
        #expect(unknown.status == 64 && unknown.stderr.contains("Usage"))
        let until = try CLI.run(["replay", "missing.gtrace", "--until", "soon"])
        #expect(until.status == 64 && until.stderr.contains("got 'soon'"))
    }

    /// An output file that cannot be created is refused up front, with the path, exit 2 and nothing written.
    @Test func unwritableOutputIsRefused() throws {
        let missing = try CLI.scratch().appendingPathComponent("no-such-folder/feeder.dss").path
        let result = try CLI.run(["feeder", "synth", "--seed", "1", "--out", missing])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write \(missing)"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
