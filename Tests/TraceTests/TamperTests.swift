// Damages a sealed trace in each way an auditor worries about and checks the verifier reports the
// exact first bad seq: a flipped payload byte, a deleted row, a duplicated row, two swapped rows, a
// truncated file, an altered header and an altered seal.
import Foundation
import Kernel
import Testing
@testable import Trace

/// A fresh sealed synthetic trace in a temporary directory (5,000 events, 500 per commit).
func makeTrace(events: Int = 5000, seed: UInt64 = 42, name: String = #function) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-tests-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + ".gtrace").path
    _ = try SyntheticTrace.write(path: path, seed: seed, events: events, eventsPerCommit: 500, engineVersion: "test")
    return path
}

/// Runs SQL against the trace behind the verifier's back.
func tamper(_ path: String, _ sql: String) throws {
    let connection = try SQLiteConnection(path: path, flags: 0x2 /* SQLITE_OPEN_READWRITE */)
    try connection.execute(sql)
}

func status(_ path: String) throws -> TraceStatus { try TraceReader(path: path).verify().status }

@Suite struct TamperTests {
    @Test func intactTraceIsSealed() throws {
        let path = try makeTrace()
        let verification = try TraceReader(path: path).verify()
        #expect(verification.status == .sealed)
        #expect(verification.verifiedEvents == 5000)
        #expect(verification.counts.reduce(0) { $0 + $1.count } == 5000)
    }

    @Test func flippedPayloadByteIsFoundAtItsSeq() throws {
        let path = try makeTrace()
        // Change one character of seq 1234's payload (its "tag" value's first hex digit).
        try tamper(path, """
            UPDATE events SET payload = replace(payload, '"tag":"', '"tag":"Z') WHERE seq = 1234
            """)
        #expect(try status(path) == .corrupt(atSeq: 1234, reason: "hash mismatch (event altered, moved or inserted)"))
    }

    @Test func deletedRowIsFoundAtItsSeq() throws {
        let path = try makeTrace()
        try tamper(path, "DELETE FROM events WHERE seq = 2000")
        #expect(try status(path) == .corrupt(atSeq: 2000, reason: "event missing (next stored seq is 2001)"))
    }

    @Test func deletedLastRowIsFoundThroughTheSeal() throws {
        let path = try makeTrace()
        try tamper(path, "DELETE FROM events WHERE seq = 5000")
        #expect(try status(path) == .corrupt(atSeq: 5000, reason: "event missing (the seal records 5000 events)"))
    }

    @Test func duplicatedRowIsFoundAtTheCopy() throws {
        let path = try makeTrace()
        // Make room after seq 777 and insert a copy of it there.
        try tamper(path, """
            UPDATE events SET seq = -(seq + 1) WHERE seq > 777;
            UPDATE events SET seq = -seq WHERE seq < 0;
            INSERT INTO events(seq, time_ms, kind, actor, payload, hash)
              SELECT 778, time_ms, kind, actor, payload, hash FROM events WHERE seq = 777;
            """)
        #expect(try status(path) == .corrupt(atSeq: 778, reason: "hash mismatch (event altered, moved or inserted)"))
    }

    @Test func duplicateAppendedAfterTheSealIsFound() throws {
        let path = try makeTrace()
        try tamper(path, """
            INSERT INTO events(seq, time_ms, kind, actor, payload, hash)
              SELECT 5001, time_ms, kind, actor, payload, hash FROM events WHERE seq = 5000
            """)
        #expect(try status(path) == .corrupt(atSeq: 5001, reason: "hash mismatch (event altered, moved or inserted)"))
    }

    @Test func swappedRowsAreFoundAtTheFirst() throws {
        let path = try makeTrace()
        try tamper(path, """
            UPDATE events SET seq = -1 WHERE seq = 3000;
            UPDATE events SET seq = 3000 WHERE seq = 3001;
            UPDATE events SET seq = 3001 WHERE seq = -1;
            """)
        #expect(try status(path) == .corrupt(atSeq: 3000, reason: "hash mismatch (event altered, moved or inserted)"))
    }

    @Test func alteredHeaderIsReportedAtSeqZero() throws {
        let path = try makeTrace()
        try tamper(path, "UPDATE header SET scenario_text = 'other'")
        #expect(try status(path) == .corrupt(atSeq: 0, reason: "header does not match its recorded hash"))
    }

    @Test func alteredSealIsFound() throws {
        let path = try makeTrace()
        try tamper(path, #"UPDATE seal SET counts = replace(counts, '"fork":', '"fork":1')"#)
        guard case .corrupt(let seq, let reason) = try status(path) else {
            Issue.record("altered seal not detected")
            return
        }
        #expect(seq == 5000)
        #expect(reason.contains("seal altered"))
    }

    @Test(arguments: [0.5, 0.77, 0.93])
    func truncatedFileIsReportedAtTheFirstUnreadableEvent(fraction: Double) throws {
        let path = try makeTrace(name: "truncated\(Int(fraction * 100))")
        let original = try allEvents(path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(Double(size) * fraction))
        try handle.close()
        guard case .corrupt(let seq, _) = try status(path) else {
            Issue.record("truncation not detected")
            return
        }
        #expect(seq > 1 && seq <= 5000)
        // Exactness: everything before `seq` is intact and `seq` itself cannot be read.
        let reader = try TraceReader(path: path)
        var survivors: [TraceEvent] = []
        try? reader.forEachEvent { event in
            survivors.append(event)
            return event.seq < seq - 1
        }
        #expect(survivors.count == Int(seq - 1))
        #expect(Array(original.prefix(Int(seq - 1))) == survivors)
        var readable = true
        do {
            try reader.forEachEvent(from: seq) { event in
                readable = event.seq == seq
                return false
            }
        } catch {
            readable = false
        }
        #expect(!readable)
    }

    /// Reading some kinds gives exactly those events of a full read, in seq order; no kinds, none.
    @Test func readingSomeKindsGivesThoseEventsInOrder() throws {
        let path = try makeTrace(events: 2000)
        let all = try allEvents(path)
        let kinds = Array(Set(all.map(\.kind))).sorted()
        try #require(kinds.count >= 2)
        let chosen = Array(kinds.prefix(kinds.count / 2))
        var some: [TraceEvent] = []
        try TraceReader(path: path).forEachEvent(ofKinds: chosen) { some.append($0); return true }
        #expect(!some.isEmpty && some.count < all.count)
        #expect(some == all.filter { chosen.contains($0.kind) })
        var none = 0
        try TraceReader(path: path).forEachEvent(ofKinds: []) { _ in none += 1; return true }
        #expect(none == 0)
    }

    private func allEvents(_ path: String) throws -> [TraceEvent] {
        var events: [TraceEvent] = []
        try TraceReader(path: path).forEachEvent { events.append($0); return true }
        return events
    }
}

@Suite struct BadFileTests {
    private func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-bad-\(getpid())-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A path in a folder of this process's own that nothing else creates (a fixed path such as
    /// /nonexistent/x.gtrace can be created by another process running as root).
    @Test func missingFile() {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("gridtrace-missing-\(getpid())-\(#line)").appendingPathComponent("x.gtrace").path
        #expect(throws: TraceError.self) { try TraceReader(path: path) }
        do { _ = try TraceReader(path: path) } catch {
            #expect(error.description == "\(path): no such file")
        }
    }

    @Test func emptyFile() throws {
        let path = try write([], name: "empty")
        do { _ = try TraceReader(path: path); Issue.record("empty file accepted") } catch {
            #expect(error.description.hasSuffix("empty file, not a gridtrace trace"))
        }
    }

    @Test func notSQLite() throws {
        let path = try write(Array("seq,time\n1,2\n".utf8), name: "text")
        do { _ = try TraceReader(path: path); Issue.record("text file accepted") } catch {
            #expect(error.description.hasSuffix("not an SQLite database, so not a gridtrace trace"))
        }
    }

    @Test func wrongApplicationID() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-bad-\(getpid())-other.db").path
        try? FileManager.default.removeItem(atPath: path)
        try createDatabase(path: path, "CREATE TABLE t(x INTEGER); PRAGMA application_id = 1234;")
        do { _ = try TraceReader(path: path); Issue.record("foreign database accepted") } catch {
            #expect(error.description.contains("not a gridtrace trace (application_id is 1234"))
        }
    }

    /// What a writer killed in its first moments leaves (a 4 KiB database with no tables, with or
    /// without the trace's pragmas) is a trace incomplete at seq 0, not "format version 0" (issue #15).
    @Test(arguments: [(Int32(0), Int64(0)), (TraceFormat.applicationID, TraceFormat.version)])
    func aDatabaseWhoseCreationNeverCommittedIsIncompleteAtSeqZero(applicationID: Int32, version: Int64) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-bad-\(getpid())-uncommitted\(version).gtrace").path
        try? FileManager.default.removeItem(atPath: path)
        try createDatabase(path: path, "PRAGMA application_id = \(applicationID); PRAGMA user_version = \(version);")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 4096)
        do { _ = try TraceReader(path: path); Issue.record("a database without tables accepted") } catch {
            #expect(error.description.contains("incomplete at seq 0: its header was never committed"), "\(error)")
        }
    }

    @Test func formatFromTheFuture() throws {
        let path = try makeTrace(events: 10)
        try tamper(path, "PRAGMA user_version = 99")
        do { _ = try TraceReader(path: path); Issue.record("future format accepted") } catch {
            #expect(error.description.contains("trace format version 99 is newer than this gridtrace reads (\(TraceFormat.version))"))
        }
    }

    private func createDatabase(path: String, _ sql: String) throws {
        let connection = try SQLiteConnection(path: path, flags: 0x2 | 0x4 /* READWRITE | CREATE */)
        try connection.execute(sql)
    }
}

@Suite struct WriterTests {
    @Test func chainIsAFunctionOfTheSeedAlone() throws {
        let a = try makeTrace(events: 2000, seed: 5, name: "a")
        let b = try makeTrace(events: 2000, seed: 5, name: "b")
        let c = try makeTrace(events: 2000, seed: 6, name: "c")
        let hashA = try TraceReader(path: a).verify().finalHash
        #expect(hashA == (try TraceReader(path: b).verify().finalHash))
        #expect(hashA != (try TraceReader(path: c).verify().finalHash))
    }

    @Test func unsealedTraceIsIncompleteAtTheNextSeq() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-unsealed-\(getpid()).gtrace").path
        _ = try SyntheticTrace.write(path: path, seed: 1, events: 1200, eventsPerCommit: 500, seal: false, engineVersion: "t")
        #expect(try status(path) == .incomplete(atSeq: 1201))
    }

    @Test func exportIsCanonicalJSONLines() throws {
        let path = try makeTrace(events: 3)
        var lines: [String] = []
        try TraceReader(path: path).exportJSONLines { lines.append($0) }
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix(#"{"engine_version":"test","feeder_digest":"","feeder_entry":"","feeder_files":[],"format_version":4"#))
        #expect(lines[1].hasPrefix(#"{"actor":"home:0","hash":""#))
        #expect(lines[1].contains(#""kind":"run_started","payload":{"n":"#))
        #expect(lines[4].hasPrefix(#"{"counts":"#) && lines[4].contains(#""events":3"#))
    }
}
