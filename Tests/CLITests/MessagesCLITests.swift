// The messages and exit codes issue #15 found wrong, as the README documents them: a folder given
// as a trace, an output path that cannot be written, chain ranges, a dotted key's line, an
// undefined line code, a CIM matrix row; each names where and exits 2, never a signal.
import Foundation
import Testing
import TestSupport

@Suite struct MessagesCLITests {
    @Test func traceVerifyOfAFolderSaysItIsAFolder() throws {
        let folder = try CLI.scratch()
        for command in [["trace", "verify", folder.path], ["verify", folder.path], ["replay", folder.path]] {
            let result = try CLI.run(command)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(folder.path): not a gridtrace trace (it is a folder; name a .gtrace file in it)"),
                    "\(command): \(result.stderr)")
        }
    }

    /// A path under a regular file cannot be created: the message names it and says why, without
    /// Foundation's raw NSCocoaErrorDomain text.
    @Test func anOutputPathThatCannotBeWrittenIsNamedPlainly() throws {
        let scratch = try CLI.scratch()
        let file = scratch.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path
        let scenario = SharedData.packageRoot.appendingPathComponent("scenarios/default.toml").path
        let commands = [
            ["trace", "export", reference, "--format", "csv", "--out", file.appendingPathComponent("csv").path],
            ["trace", "export", reference, "--jsonl", "--out", file.appendingPathComponent("t.jsonl").path],
            ["run", scenario, "--intervals", "1", "--out", file.appendingPathComponent("out").path],
            ["export-dss", reference, file.appendingPathComponent("dss").path],
        ]
        for command in commands {
            let result = try CLI.run(command)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(!result.signalled)
            #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Error Domain"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains(file.path), "\(command): \(result.stderr)")
        }
    }

    @Test(arguments: [
        ("[chain]\nblock_interval_s = 0.005\n", "s.toml:2: chain.block_interval_s: 0.005 is outside 0.01…86400.0"),
        ("[chain]\nnodes = 5\nminers = 2\ndegree = 5\n", "s.toml:4: chain.degree: 5: must be below the node count (5)"),
        ("# the seed\nrun.seed = -1\n", "s.toml:2: run.seed: -1 is outside 0…"),
    ])
    func scenarioErrorsNameFileLineAndKey(text: String, message: String) throws {
        let folder = try CLI.scratch("scenario" + message)
        let path = folder.appendingPathComponent("s.toml")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["run", "s.toml", "--out", "out"], in: folder)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/p2p.gtrace").path))
    }

    @Test func anUndefinedLineCodeNamesFileAndLine() throws {
        let folder = try CLI.scratch()
        let script = folder.appendingPathComponent("f.dss")
        try "Clear\nNew Circuit.c basekv=0.4\nNew Line.l1 bus1=sourcebus bus2=b linecode=nosuch length=0.1\nNew Load.h bus1=b kw=1 kv=0.4\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let result = try CLI.run(["solve", script.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(script.path):3: Line.l1: reference 'linecode=nosuch' cannot be resolved"), "\(result.stderr)")
    }
}
