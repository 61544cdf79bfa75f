// Owns the regression tests for script inputs that used to trap or exhaust memory (issue #15's
// list): each is now an error naming file:line and the property, before any work is sized by it.
import Foundation
import Testing
@testable import Feeder

@Suite struct HostileInputTests {
    static let header = "Clear\nNew Circuit.c\n"

    func expectError(_ body: String, line: Int, contains text: String) {
        do {
            _ = try FeederImporter.compile(script: Self.header + body, name: "h.dss", baseDirectory: NSTemporaryDirectory())
            Issue.record("expected an error containing '\(text)'")
        } catch let error as FeederError {
            #expect(error.description.contains("h.dss:\(line)"), "\(error)")
            #expect(error.description.contains(text), "\(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func loadShapeIntervalsThatWouldOverflowTheShapeIndexAreRefused() {
        expectError("New LoadShape.s npts=2 interval=1e-310 mult=[1 2]\n", line: 3, contains: "'interval'")
        expectError("New LoadShape.s npts=2 interval=(0 0 /) mult=[1 2]\n", line: 3, contains: "not a finite number")
        expectError("New LoadShape.s npts=2 sinterval=1e-9 mult=[1 2]\n", line: 3, contains: "'sinterval'")
        expectError("New LoadShape.s npts=-4\n", line: 3, contains: "'npts'")
    }

    @Test func phaseCountsAreBoundedWhereTheyEnter() {
        expectError("New Load.l bus1=sourcebus phases=-3\n", line: 3, contains: "'phases'")
        expectError("New Load.l bus1=sourcebus phases=1000000\n", line: 3, contains: "must be in 1...100")
        expectError("New LineCode.c nphases=100000\n", line: 3, contains: "'nphases'")
        expectError("New Capacitor.c bus1=sourcebus phases=5000\n", line: 3, contains: "'phases'")
        expectError("New Transformer.t numtaps=0\n", line: 3, contains: "'numtaps'")
    }

    @Test func nonFiniteRPNIsRefused() {
        expectError("New Load.l bus1=sourcebus kw=(1 0 /)\n", line: 3, contains: "not a finite number")
    }

    /// An undefined reference names the file and line of the element that makes it (issue #15).
    @Test func anUndefinedLineCodeNamesFileAndLine() {
        expectError("New Line.l1 bus1=sourcebus bus2=b linecode=nosuch length=1\n", line: 3,
                    contains: "Line.l1: reference 'linecode=nosuch' cannot be resolved: no such LineCode")
    }

    /// A sparse file of 257 MiB (no disk space used) stands for a huge script or shape file.
    @Test func filesLargerThanTheLimitAreRefusedBeforeTheyAreRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-huge-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let huge = folder.appendingPathComponent("huge.txt")
        FileManager.default.createFile(atPath: huge.path, contents: Data("1\n".utf8))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(ScriptFiles.maximumFileBytes + (1 << 20)))
        try handle.close()
        expectError("Redirect \(huge.path)\n", line: 3, contains: "limited to 256 MiB")
        expectError("New LoadShape.s npts=2 mult=(file=\(huge.path))\n", line: 3, contains: "limited to 256 MiB")
    }
}
