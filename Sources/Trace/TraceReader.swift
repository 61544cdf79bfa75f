// Owns reading a trace: validating that a file is a gridtrace trace of a supported version,
// verifying the header (with the stored feeder files), the hash chain and the seal, and iterating
// events and stored files.
import CSQLite
import Foundation
import Kernel

/// The verdict on a trace's integrity.
///
/// `seq` in `incomplete` is the first seq that is absent (the run stopped before writing it);
/// in `corrupt` it is the first event that fails a check (0 means the header itself).
public enum TraceStatus: Sendable, Equatable, CustomStringConvertible {
    case sealed
    case incomplete(atSeq: Int64)
    case corrupt(atSeq: Int64, reason: String)

    public var description: String {
        switch self {
        case .sealed: return "sealed"
        case .incomplete(let seq): return "incomplete at seq \(seq)"
        case .corrupt(let seq, let reason): return "corrupt at seq \(seq): \(reason)"
        }
    }

    public var isSealed: Bool { self == .sealed }
}

/// The result of verifying a trace end to end.
public struct TraceVerification: Sendable {
    public var status: TraceStatus
    /// Events whose chain verified (seq 1 … `verifiedEvents`).
    public var verifiedEvents: Int64
    /// The chain hash after the last verified event.
    public var finalHash: [UInt8]
    /// Verified events counted by kind, in kind order.
    public var counts: [(kind: String, count: Int64)]
    /// The key that signed the trace, when it is signed and every signature verified against it
    /// (nil for an unsigned trace; a bad or missing signature makes `status` corrupt instead).
    public var signer: TraceSigner? = nil
}

/// One stored event.
public struct TraceEvent: Sendable, Equatable {
    public var seq: Int64
    public var timeMilliseconds: Int64
    public var kind: String
    public var actor: String
    /// Canonical JSON text.
    public var payload: String
    public var hash: [UInt8]
}

/// Opens an existing trace read-only and checks what it is before anything else.
public final class TraceReader {
    public let path: String
    public let header: TraceHeader
    /// Set when the file is shorter than SQLite's own header says: (bytes present, bytes expected).
    public let truncation: (actualBytes: Int, expectedBytes: Int)?
    let connection: SQLiteConnection

    public init(path: String) throws(TraceError) {
        self.path = path
        truncation = try Self.checkFile(path)
        do {
            connection = try Self.openRecoveringJournal(path)
        } catch {
            throw .database(path: path, error)
        }
        let version = try Self.checkIdentity(connection, path: path)
        header = try Self.readHeader(connection, path: path, version: version)
    }

    /// Checks the SQLite magic and compares the file size with the page count SQLite recorded.
    private static func checkFile(_ path: String) throws(TraceError) -> (actualBytes: Int, expectedBytes: Int)? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw .notATrace(path: path, why: "it is a folder; name a .gtrace file in it")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .fileMissing(path: path) }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        if head.isEmpty { throw .emptyFile(path: path) }
        guard head.count == 100, head[0..<16].elementsEqual("SQLite format 3\0".utf8) else { throw .notSQLite(path: path) }
        func bigEndian(_ offset: Int, _ count: Int) -> Int { head[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = bigEndian(16, 2) == 1 ? 65536 : bigEndian(16, 2)
        let pageCountIsValid = bigEndian(24, 4) == bigEndian(92, 4)  // change counter == version-valid-for
        let actualBytes = Int((try? handle.seekToEnd()) ?? 0)
        let expectedBytes = bigEndian(28, 4) * pageSize
        return pageCountIsValid && actualBytes < expectedBytes ? (actualBytes, expectedBytes) : nil
    }

    /// Opens read-only and never writes to the evidence. If a crashed writer left a hot journal,
    /// SQLite must roll it back before reading, which needs write access: the trace and its journal
    /// are copied to a private folder, rolled back there, and the copy is read (the committed
    /// prefix, as designed). The copy is unlinked at once; the open connection keeps it readable.
    private static func openRecoveringJournal(_ path: String) throws(SQLiteError) -> SQLiteConnection {
        var readPath = path
        if FileManager.default.fileExists(atPath: path + "-journal") {
            readPath = try rolledBackCopy(of: path)
        }
        defer {
            if readPath != path { try? FileManager.default.removeItem(atPath: (readPath as NSString).deletingLastPathComponent) }
        }
        let connection = try SQLiteConnection(path: readPath, flags: SQLITE_OPEN_READONLY)
        // Lets SQLite read what survives of a truncated file (it refuses the whole file otherwise),
        // so the verifier can name the first lost event. The connection is read-only.
        try connection.execute("PRAGMA writable_schema = ON")
        return connection
    }

    /// A private copy of a trace with a hot journal, rolled back (the original is not touched).
    private static func rolledBackCopy(of path: String) throws(SQLiteError) -> String {
        // mkdtemp makes a new folder only this process can know the name of.
        var template = Array((NSTemporaryDirectory() + "/gridtrace-rollback-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw SQLiteError(code: SQLITE_CANTOPEN, operation: "open", message: "cannot make a private folder to roll back \(path)'s journal")
        }
        let folder = URL(fileURLWithPath: String(cString: created))
        let copy = folder.appendingPathComponent((path as NSString).lastPathComponent).path
        do {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            try FileManager.default.copyItem(atPath: path + "-journal", toPath: copy + "-journal")
        } catch {
            throw SQLiteError(code: SQLITE_CANTOPEN, operation: "open",
                              message: "cannot copy \(path) and its journal to roll them back privately: \(error)")
        }
        let writable = try SQLiteConnection(path: copy, flags: SQLITE_OPEN_READWRITE)
        _ = try writable.scalarInt("SELECT count(*) FROM sqlite_master")
        return copy
    }

    /// Checks the application id and the format version; returns the version.
    private static func checkIdentity(_ connection: SQLiteConnection, path: String) throws(TraceError) -> Int64 {
        let applicationID: Int64?, version: Int64?
        do {
            applicationID = try connection.scalarInt("PRAGMA application_id")
            version = try connection.scalarInt("PRAGMA user_version")
        } catch {
            throw .notSQLite(path: path)
        }
        // A database with no tables is a trace whose creation never committed (a run killed in its
        // first moments; the writer sets these pragmas before its first transaction).
        if (try? connection.scalarInt("SELECT count(*) FROM sqlite_master")) == 0,
           applicationID == 0 || Int32(truncatingIfNeeded: applicationID ?? 0) == TraceFormat.applicationID {
            throw .notATrace(path: path, why: "incomplete at seq 0: its header was never committed; the writer stopped "
                             + "while creating it, so nothing was recorded")
        }
        guard let applicationID, Int32(truncatingIfNeeded: applicationID) == TraceFormat.applicationID else {
            throw .notATrace(path: path, why: "application_id is \(applicationID ?? 0), expected \(TraceFormat.applicationID)")
        }
        guard let version, version >= TraceFormat.oldestReadableVersion else {
            throw .formatUnsupported(path: path, version: version ?? 0)
        }
        if version > TraceFormat.version { throw .formatTooNew(path: path, version: version) }
        return version
    }

    /// Reads the header row and (from version 2) the stored files' digests, without their bytes.
    private static func readHeader(_ connection: SQLiteConnection, path: String, version: Int64) throws(TraceError) -> TraceHeader {
        do {
            let entry = version >= 2 ? "feeder_entry" : "''"
            let statement = try connection.prepare("""
                SELECT format_version, engine_version, seed, scenario_text, scenario_sha256, feeder_digest,
                       ground_truth, parameters, \(entry) FROM header WHERE id = 1
                """)
            guard try statement.step() else { throw TraceError.notATrace(path: path, why: "header row missing") }
            var files: [StoredFileDigest] = []
            if version >= 2 {
                let rows = try connection.prepare("SELECT path, sha256, size_bytes FROM feeder_files ORDER BY path")
                while try rows.step() {
                    files.append(StoredFileDigest(path: rows.text(0), sha256: rows.text(1), byteCount: rows.int64(2)))
                }
            }
            return TraceHeader(
                formatVersion: statement.int64(0), engineVersion: statement.text(1),
                seed: UInt64(bitPattern: statement.int64(2)), scenarioText: statement.text(3),
                scenarioSHA256: statement.text(4), feederDigest: statement.text(5), feederEntry: statement.text(8),
                feederFiles: files, groundTruth: statement.text(6), parameters: statement.text(7))
        } catch let error as TraceError {
            throw error
        } catch let error as SQLiteError {
            throw .notATrace(path: path, why: "header unreadable: \(error.message)")
        } catch {
            throw .notATrace(path: path, why: "\(error)")
        }
    }

    /// Runs `body` with this reader while the hash chain is checked on another core (over a
    /// connection of its own); returns the chain's verdict and what `body` returned or threw.
    ///
    /// For commands that read a whole trace and must also refuse or report one that does not
    /// verify: reading and re-hashing then overlap instead of taking turns. With `.serial` both run
    /// on the calling thread, one after the other.
    public func whileVerifying<T, E: Error>(parallelism: Parallelism = .allCores, _ body: (TraceReader) throws(E) -> T)
        -> (verification: TraceVerification, result: Result<T, E>)
    {
        let path = self.path
        let chainCheck = BackgroundValue(parallelism: parallelism) { (try? TraceReader(path: path))?.verify(parallelism: parallelism) }
        let result: Result<T, E>
        do throws(E) { result = .success(try body(self)) } catch { result = .failure(error) }
        return (chainCheck.value ?? verify(parallelism: parallelism), result)
    }

    /// Verifies the header hash, every event's chain link and seq, the seal, and (format 3) every
    /// signature against the public key the trace names (`TraceReader+Signatures`); the signature
    /// checks use all cores unless `parallelism` is `.serial`.
    ///
    /// Never throws: damage is reported as `.corrupt(atSeq:reason:)` at the first bad seq. Whether
    /// the signer is trusted is for the caller to ask (`TrustedKeyring.check`).
    public func verify(parallelism: Parallelism = .allCores) -> TraceVerification {
        verify(stretches: [verifyStretch(after: 0)], parallelism: parallelism)
    }

    func checkSeal(lastSeq: Int64, finalHash: [UInt8], counts: [(kind: String, count: Int64)]) -> TraceStatus {
        let statement: SQLiteStatement
        do {
            statement = try connection.prepare("SELECT events, final_hash, seed, counts, seal_hash FROM seal WHERE id = 1")
            guard try statement.step() else { return .incomplete(atSeq: lastSeq + 1) }
        } catch {
            return .corrupt(atSeq: lastSeq + 1, reason: "seal unreadable: \(error.message)")
        }
        let sealedEvents = statement.int64(0)
        if sealedEvents > lastSeq {
            return .corrupt(atSeq: lastSeq + 1, reason: "event missing (the seal records \(sealedEvents) events)")
        }
        if sealedEvents < lastSeq {
            return .corrupt(atSeq: sealedEvents + 1, reason: "event after the seal (the seal records \(sealedEvents) events)")
        }
        guard statement.bytes(1) == finalHash else {
            return .corrupt(atSeq: lastSeq, reason: "final hash differs from the seal")
        }
        let seed = UInt64(bitPattern: statement.int64(2))
        let storedCounts = statement.text(3)
        guard seed == header.seed, storedCounts == countsJSON(counts),
              statement.bytes(4) == sealHash(finalHash: finalHash, events: sealedEvents, seed: seed, countsJSON: storedCounts)
        else {
            return .corrupt(atSeq: lastSeq, reason: "seal altered (seed, counts or seal hash do not match the events)")
        }
        return .sealed
    }

    /// Calls `body` for each stored event in seq order, without verifying (call `verify()` first).
    /// Stops early when `body` returns false.
    public func forEachEvent(from firstSeq: Int64 = 1, _ body: (TraceEvent) throws -> Bool) throws {
        let events = try cursor(from: firstSeq)
        while let event = try events.next() {
            if try !body(event) { return }
        }
    }

    /// Calls `body` for each stored event of one of `kinds`, in seq order, without verifying (call
    /// `verify()` first). Stops early when `body` returns false.
    ///
    /// SQLite skips the other rows without handing them over: reading a few kinds of a
    /// million-event trace costs a fraction of visiting every event.
    public func forEachEvent(ofKinds kinds: [String], _ body: (TraceEvent) throws -> Bool) throws {
        guard !kinds.isEmpty else { return }
        let placeholders = kinds.map { _ in "?" }.joined(separator: ", ")
        let statement = try connection.prepare(
            "SELECT seq, time_ms, kind, actor, payload, hash FROM events WHERE kind IN (\(placeholders)) ORDER BY seq")
        for (index, kind) in kinds.enumerated() { statement.bind(Int32(index + 1), kind) }
        let events = TraceCursor(reader: self, statement: statement)
        while let event = try events.next() {
            if try !body(event) { return }
        }
    }

    /// A cursor over the events from `firstSeq` on.
    public func cursor(from firstSeq: Int64 = 1) throws -> TraceCursor {
        let statement = try connection.prepare(
            "SELECT seq, time_ms, kind, actor, payload, hash FROM events WHERE seq >= ? ORDER BY seq")
        statement.bind(1, firstSeq)
        return TraceCursor(reader: self, statement: statement)
    }

    /// Why a stored file cannot be trusted.
    public struct StoredFileDamage: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { reason }
    }

    /// The stored feeder files in path order, each decompressed and checked against the digest the
    /// header records (and its hash covers); the first file that fails is the error.
    public func storedFiles() -> Result<[StoredFile], StoredFileDamage> {
        guard header.formatVersion >= 2 else { return .success([]) }
        // All files are held at once: their recorded sizes together are bounded before any is read.
        let recordedBytes = header.feederFiles.reduce(Int64(0)) { $0 + max(0, min($1.byteCount, TraceFormat.maxStoredFileBytes)) }
        guard recordedBytes <= TraceFormat.maxStoredFileBytes else {
            return .failure(StoredFileDamage(reason: "the stored feeder files record \(recordedBytes) bytes together; at most \(TraceFormat.maxStoredFileBytes >> 20) MiB are read"))
        }
        var files: [StoredFile] = []
        do {
            let rows = try connection.prepare("SELECT path, size_bytes, zlib FROM feeder_files ORDER BY path")
            while try rows.step() {
                let path = rows.text(0), size = rows.int64(1)
                guard files.count < header.feederFiles.count, header.feederFiles[files.count].path == path else {
                    return .failure(StoredFileDamage(reason: "stored feeder file \(path) is not in the header"))
                }
                let expected = header.feederFiles[files.count]
                guard size == expected.byteCount, (0...TraceFormat.maxStoredFileBytes).contains(size),
                      let bytes = Zlib.decompress(rows.bytes(2), byteCount: Int(size)) else {
                    return .failure(StoredFileDamage(reason: "stored feeder file \(path) does not decompress to its recorded \(expected.byteCount) bytes"))
                }
                let file = StoredFile(path: path, bytes: bytes)
                guard file.digest == expected else {
                    return .failure(StoredFileDamage(reason: "stored feeder file \(path) does not match its recorded SHA-256"))
                }
                files.append(file)
            }
        } catch {
            return .failure(StoredFileDamage(reason: "stored feeder files unreadable: \(error.message)"))
        }
        guard files.count == header.feederFiles.count else {
            return .failure(StoredFileDamage(reason: "stored feeder file \(header.feederFiles[files.count].path) is missing"))
        }
        return .success(files)
    }

    /// The stored seal's fields, if the trace has one (not verified here).
    public func storedSeal() -> TraceSeal? {
        guard let statement = try? connection.prepare("SELECT events, final_hash, seed, counts FROM seal WHERE id = 1"),
              (try? statement.step()) == true else { return nil }
        return TraceSeal(events: statement.int64(0), finalHash: statement.bytes(1),
                         seed: UInt64(bitPattern: statement.int64(2)), countsJSON: statement.text(3))
    }
}

/// Reads stored events one at a time in seq order (for comparing a trace with a re-execution).
public final class TraceCursor {
    private let statement: SQLiteStatement
    private let reader: TraceReader

    init(reader: TraceReader, statement: SQLiteStatement) {
        self.reader = reader
        self.statement = statement
    }

    /// The next event, or nil after the last.
    public func next() throws -> TraceEvent? {
        guard try statement.step() else { return nil }
        return TraceEvent(seq: statement.int64(0), timeMilliseconds: statement.int64(1), kind: statement.text(2),
                          actor: statement.text(3), payload: statement.text(4), hash: statement.bytes(5))
    }
}
