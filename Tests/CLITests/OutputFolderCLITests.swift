// Owns the check that a run's output folder is locked: a second run into a folder in use is
// refused (exit 2, naming the folder) and touches nothing there.
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OutputFolderCLITests {
    @Test func aSecondRunIntoAFolderInUseIsRefusedAndTouchesNothing() throws {
        let folder = try CLI.scratch("locked")
        let sentinel = folder.appendingPathComponent("p2p.gtrace")
        try Data("the first run's trace".utf8).write(to: sentinel)
        // Stand in for a run in progress: hold the folder's lock as a run does.
        let fd = open(folder.appendingPathComponent(".gridtrace.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let scenario = SharedData.packageRoot.appendingPathComponent("scenarios/default.toml").path
        let result = try CLI.run(["run", scenario, "--intervals", "1", "--out", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("in use by another gridtrace run"), "\(result.stderr)")
        #expect(try Data(contentsOf: sentinel) == Data("the first run's trace".utf8))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("summary.json").path))
    }
}
