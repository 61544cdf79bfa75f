// Owns writing a trace: creating the file, appending hash-chained events, committing once per
// market interval, and sealing the finished run; with a signing key, signing the header, each
// committed interval's last chain hash and the seal (in the same transactions).
import CSQLite
import Foundation
import Kernel

/// Appends events to a new `.gtrace` file.
///
/// Durability: events become durable only at `commit()`; after a crash the file holds exactly the
/// events of the committed intervals (SQLite's rollback journal undoes a partial transaction), so
/// it is a prefix of the complete trace. `seal()` commits the rest and writes the seal in the same
/// transaction; a trace without a seal is never complete.
public final class TraceWriter {
    public let path: String
    public let header: TraceHeader
    /// The seq of the last appended event (0 before the first).
    public private(set) var lastSeq: Int64 = 0
    /// The chain hash after the last appended event (the header hash before the first).
    public private(set) var lastHash: [UInt8]
    public private(set) var isSealed = false
    /// The key signing this trace, if any.
    public let signingKey: TraceSigningKey?

    private let connection: SQLiteConnection
    private let insert: SQLiteStatement
    private var hasher = EventHasher()
    private var inTransaction = false
    private var tally = KindTally()
    private var previousHash = [UInt8](repeating: 0, count: TraceFormat.hashBytes)
    private var lastSignedSeq: Int64 = 0
    private let headerHash: [UInt8]

    /// Creates the trace at `path`, storing `files` (compressed) beside the header, which must record
    /// exactly their digests (`header.feederFiles`). An existing file is replaced when `overwrite` is true.
    /// `views` adds one flat SQLite view per kind (`TraceViews`) to the schema; views are not hashed.
    /// With `signingKey` the header, every commit and the seal are signed (see `TraceSigning`).
    public init(creatingAt path: String, header: TraceHeader, files: [StoredFile] = [], overwrite: Bool = true,
                views: [PayloadSchema] = [], signingKey: TraceSigningKey? = nil) throws(TraceError) {
        let digests = files.map(\.digest).sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        guard digests == header.feederFiles else { throw .storedFilesMismatch(path: path) }
        let manager = FileManager.default
        if manager.fileExists(atPath: path), !overwrite { throw .alreadyExists(path: path) }
        self.path = path
        self.header = header
        self.signingKey = signingKey
        let genesis = header.hash
        headerHash = genesis
        lastHash = genesis
        // The header's signature (seq 0) is made before the file exists, so it is committed with it.
        let signature = try signingKey.map { (key) throws(TraceError) in
            (publicKey: key.publicKey,
             headerSignature: try key.sign(TraceSigning.message(scope: .commit, headerHash: genesis, seq: 0, hash: genesis), tracePath: path))
        }
        // The trace appears under its name only once its header is committed: a kill at any moment
        // leaves nothing, or a trace that verifies as `incomplete at seq N`.
        let partial = path + ".partial"
        do {
            try Self.createCommitted(at: partial, header: header, files: files, views: views, signature: signature)
            try? manager.removeItem(atPath: path + "-journal")  // a stale journal must not meet the new file
            guard rename(partial, path) == 0 else {
                throw SQLiteError(code: SQLITE_CANTOPEN, operation: "rename", message: "cannot rename \(partial) to \(path)")
            }
            CrashPoint.check(.creating(stage: 5))
            connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)
            try connection.execute("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;")
            insert = try connection.prepare(
                "INSERT INTO events(seq, time_ms, kind, actor, payload, hash) VALUES (?, ?, ?, ?, ?, ?)")
        } catch let error as SQLiteError {
            throw .database(path: path, error)
        } catch {
            throw .database(path: path, SQLiteError(code: SQLITE_ERROR, operation: "create", message: "\(error)"))
        }
    }

    /// Writes schema, header and stored files at `partial` in one committed transaction, then closes it.
    private static func createCommitted(at partial: String, header: TraceHeader, files: [StoredFile], views: [PayloadSchema],
                                        signature: (publicKey: [UInt8], headerSignature: [UInt8])?) throws(SQLiteError) {
        try? FileManager.default.removeItem(atPath: partial)
        try? FileManager.default.removeItem(atPath: partial + "-journal")
        let connection = try SQLiteConnection(path: partial, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        CrashPoint.check(.creating(stage: 1))
        try connection.execute("""
            PRAGMA application_id = \(TraceFormat.applicationID);
            PRAGMA user_version = \(TraceFormat.version);
            PRAGMA journal_mode = DELETE;
            PRAGMA synchronous = NORMAL;
            BEGIN;
            """)
        try connection.execute(TraceFormat.schema)
        if !views.isEmpty { try connection.execute(TraceViews.createStatements(views)) }
        CrashPoint.check(.creating(stage: 2))
        try writeHeader(header, to: connection)
        try writeFiles(files, to: connection)
        if let signature {
            let signer = try connection.prepare("INSERT INTO signer(id, algorithm, public_key) VALUES (1, ?, ?)")
            signer.bind(1, TraceSigning.algorithm)
            signer.bind(2, bytes: signature.publicKey)
            try signer.run()
            try insertSignature(scope: .commit, seq: 0, signature: signature.headerSignature, into: connection)
        }
        CrashPoint.check(.creating(stage: 3))
        try connection.execute("COMMIT")
        CrashPoint.check(.creating(stage: 4))
    }

    private static func writeHeader(_ header: TraceHeader, to connection: SQLiteConnection) throws(SQLiteError) {
        let statement = try connection.prepare("""
            INSERT INTO header(id, format_version, engine_version, seed, scenario_text, scenario_sha256,
                               feeder_digest, feeder_entry, ground_truth, parameters, header_hash)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(1, header.formatVersion)
        statement.bind(2, header.engineVersion)
        statement.bind(3, Int64(bitPattern: header.seed))
        statement.bind(4, header.scenarioText)
        statement.bind(5, header.scenarioSHA256)
        statement.bind(6, header.feederDigest)
        statement.bind(7, header.feederEntry)
        statement.bind(8, header.groundTruth)
        statement.bind(9, header.parameters)
        statement.bind(10, bytes: header.hash)
        try statement.run()
    }

    private static func insertSignature(scope: TraceSigning.Scope, seq: Int64, signature: [UInt8],
                                        into connection: SQLiteConnection) throws(SQLiteError) {
        let statement = try connection.prepare("INSERT INTO signatures(scope, seq, signature) VALUES (?, ?, ?)")
        statement.bind(1, scope.rawValue)
        statement.bind(2, seq)
        statement.bind(3, bytes: signature)
        try statement.run()
    }

    /// Signs `hash` for `scope` at `seq` and stores the signature in the open transaction.
    private func sign(scope: TraceSigning.Scope, seq: Int64, hash: [UInt8]) throws(TraceError) {
        guard let signingKey else { return }
        let signature = try signingKey.sign(
            TraceSigning.message(scope: scope, headerHash: headerHash, seq: seq, hash: hash), tracePath: path)
        do { try Self.insertSignature(scope: scope, seq: seq, signature: signature, into: connection) } catch {
            throw .database(path: path, error)
        }
    }

    /// One row per stored file, in path order (the insert order fixes the file's bytes).
    private static func writeFiles(_ files: [StoredFile], to connection: SQLiteConnection) throws(SQLiteError) {
        let statement = try connection.prepare("INSERT INTO feeder_files(path, sha256, size_bytes, zlib) VALUES (?, ?, ?, ?)")
        for file in files.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            let digest = file.digest
            statement.bind(1, digest.path)
            statement.bind(2, digest.sha256)
            statement.bind(3, digest.byteCount)
            statement.bind(4, bytes: Zlib.compress(file.bytes))
            try statement.run()
        }
    }

    /// Appends one engine record; returns its seq.
    @discardableResult
    public func append(_ record: EventRecord) throws(TraceError) -> Int64 {
        // The payload's canonical bytes go straight to the hash and the insert (no String between).
        let payload = record.payload.bytes
        return try payload.withUnsafeBufferPointer { (bytes) throws(TraceError) -> Int64 in
            try append(timeMilliseconds: record.time.milliseconds, kind: record.kind.rawValue, actor: record.actor, payloadBytes: bytes)
        }
    }

    /// Appends one event whose payload is already canonical JSON text; returns its seq.
    @discardableResult
    public func append(timeMilliseconds: Int64, kind: String, actor: String, payload: String) throws(TraceError) -> Int64 {
        var payloadText = payload
        // withUTF8 rethrows untyped errors: carry the typed result out instead.
        var result: Result<Int64, TraceError>?
        payloadText.withUTF8 { bytes in
            result = Result { () throws(TraceError) -> Int64 in
                try append(timeMilliseconds: timeMilliseconds, kind: kind, actor: actor, payloadBytes: bytes)
            }
        }
        guard let result else { preconditionFailure("withUTF8 runs its body") }
        return try result.get()
    }

    private func append(timeMilliseconds: Int64, kind: String, actor: String, payloadBytes: UnsafeBufferPointer<UInt8>) throws(TraceError) -> Int64 {
        precondition(!isSealed, "append after seal: the trace at \(path) is complete")
        CrashPoint.check(.afterEvents(lastSeq))
        do throws(SQLiteError) {
            if !inTransaction {
                try connection.execute("BEGIN")
                inTransaction = true
            }
            let seq = lastSeq + 1
            swap(&previousHash, &lastHash)
            var kindText = kind, actorText = actor
            var stepError: SQLiteError?
            // Hash and bind straight from the strings' UTF-8 storage: no per-event allocation.
            kindText.withUTF8 { kindBytes in
                actorText.withUTF8 { actorBytes in
                    previousHash.withUnsafeBytes { previous in
                        hasher.chain(previous: previous, seq: seq, timeMilliseconds: timeMilliseconds,
                                     kind: UnsafeRawBufferPointer(kindBytes), actor: UnsafeRawBufferPointer(actorBytes),
                                     payload: UnsafeRawBufferPointer(payloadBytes), into: &lastHash)
                    }
                    tally.add(UnsafeRawBufferPointer(kindBytes))
                    lastHash.withUnsafeBytes { hash in
                        insert.bind(1, seq)
                        insert.bind(2, timeMilliseconds)
                        insert.bindStatic(3, text: kindBytes)
                        insert.bindStatic(4, text: actorBytes)
                        insert.bindStatic(5, text: payloadBytes)
                        insert.bindStatic(6, bytes: hash)
                        do throws(SQLiteError) { try insert.run() } catch { stepError = error }
                    }
                }
            }
            if let stepError {
                swap(&previousHash, &lastHash)
                tally.remove(kind)
                throw stepError
            }
            lastSeq = seq
            return seq
        } catch {
            throw .database(path: path, error)
        }
    }

    /// Stores the engine state that the `checkpoint` event at `seq` (appended in this transaction)
    /// names, compressed, for replay to start from (`TraceReader.checkpoints`).
    public func storeCheckpoint(seq: Int64, interval: Int, bytes: [UInt8]) throws(TraceError) {
        precondition(seq == lastSeq && inTransaction, "a checkpoint's state is stored right after its event")
        do {
            let statement = try connection.prepare("INSERT INTO checkpoints(seq, interval, zlib) VALUES (?, ?, ?)")
            statement.bind(1, seq)
            statement.bind(2, Int64(interval))
            statement.bind(3, bytes: Zlib.compress(bytes, level: Zlib.checkpointLevel))
            try statement.run()
        } catch {
            throw .database(path: path, error)
        }
    }

    /// Makes every event appended so far durable (call once per market interval); with a signing
    /// key, the interval's last chain hash is signed in the same transaction.
    public func commit() throws(TraceError) {
        guard inTransaction else { return }
        if lastSeq > lastSignedSeq {
            try sign(scope: .commit, seq: lastSeq, hash: lastHash)
            lastSignedSeq = lastSeq
        }
        do {
            try connection.execute("COMMIT")
            inTransaction = false
        } catch {
            throw .database(path: path, error)
        }
    }

    /// Commits the remaining events and writes the seal in the same transaction.
    @discardableResult
    public func seal() throws(TraceError) -> TraceSeal {
        precondition(!isSealed, "seal called twice on \(path)")
        CrashPoint.check(.afterEvents(lastSeq))
        let counts = countsJSON(tally.sorted)
        let seal = TraceSeal(events: lastSeq, finalHash: lastHash, seed: header.seed, countsJSON: counts)
        do {
            if !inTransaction { try connection.execute("BEGIN") }
            let statement = try connection.prepare(
                "INSERT INTO seal(id, events, final_hash, seed, counts, seal_hash) VALUES (1, ?, ?, ?, ?, ?)")
            statement.bind(1, seal.events)
            statement.bind(2, bytes: seal.finalHash)
            statement.bind(3, Int64(bitPattern: seal.seed))
            statement.bind(4, seal.countsJSON)
            statement.bind(5, bytes: sealHash(finalHash: seal.finalHash, events: seal.events, seed: seal.seed, countsJSON: counts))
            try statement.run()
        } catch {
            throw .database(path: path, error)
        }
        // The seal's signature covers the seal hash, so a trace cut short and resealed is caught.
        try sign(scope: .seal, seq: seal.events,
                 hash: sealHash(finalHash: seal.finalHash, events: seal.events, seed: seal.seed, countsJSON: counts))
        do {
            try connection.execute("COMMIT")
            inTransaction = false
            isSealed = true
        } catch {
            throw .database(path: path, error)
        }
        return seal
    }
}

/// What a finished run's seal records.
public struct TraceSeal: Sendable, Equatable {
    public var events: Int64
    public var finalHash: [UInt8]
    public var seed: UInt64
    /// Canonical JSON object: event kind → count.
    public var countsJSON: String
}
