// Owns the tests of how a trace comes into existence: only once its header is committed (written
// under a `.partial` name and renamed), and never next to a stale journal of an earlier file.
import Foundation
import Testing
@testable import Trace

@Suite struct CreationTests {
    @Test func aTraceAppearsOnlyWithItsHeaderAndNoPartialFileRemains() throws {
        let path = try makeTrace(events: 1000)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try status(path) == .sealed)
    }

    /// A leftover `.partial` (a writer killed before its header committed) is not a trace and is
    /// replaced by the next run; a stale hot journal of an earlier trace at the same path is removed
    /// before the new file takes the name, so SQLite never applies it to the new trace.
    @Test func leftoversOfAKilledWriterDoNotLeakIntoTheNextTrace() throws {
        let path = try makeTrace(events: 1000, name: "leftovers")
        try Data("half a header".utf8).write(to: URL(fileURLWithPath: path + ".partial"))
        try Data(repeating: 0xAB, count: 4096).write(to: URL(fileURLWithPath: path + "-journal"))
        let again = try makeTrace(events: 1000, name: "leftovers")
        #expect(again == path)
        #expect(try status(path) == .sealed)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }
}
