// Owns the trace file format: identifiers, the SQL schema, the header (with the digests of the
// feeder files the trace stores), the hash-chain rule and the typed errors a trace operation can
// raise.
import Crypto
import Kernel

/// Constants of the `.gtrace` format.
public enum TraceFormat {
    /// SQLite `application_id`: ASCII "GTRC".
    public static let applicationID: Int32 = 0x4754_5243
    /// SQLite `user_version`: the trace-format version. Bump on any schema or hashing change.
    ///
    /// 2: the trace stores its feeder's files (`feeder_files`, zlib) and the header's `feeder_entry`;
    /// the header hash covers the entry and every file's path, SHA-256 and size. Version 1 traces
    /// (no stored files) are still read and verified.
    ///
    /// 3: the trace may be signed (`signer`, `signatures`; see `TraceSigning`). Signatures are
    /// covered by no hash, so the chain, the seal and every digest are those of version 2. Version 1
    /// and 2 traces are still read and verified (as unsigned).
    ///
    /// 4: the trace may hold `checkpoint` events, whose engine state (zlib) sits in `checkpoints`
    /// under the event's seq; the event records the state's size and SHA-256, so the chain covers
    /// it. Nothing else changed: versions 1–3 are still read and verified.
    public static let version: Int64 = 4
    /// The first version that may hold checkpoints.
    public static let checkpointsVersion: Int64 = 4
    /// The oldest format version this gridtrace reads.
    public static let oldestReadableVersion: Int64 = 1
    /// Largest stored file, and largest sum of all stored files, accepted when reading (a damaged
    /// size must not allocate without bound; a size beyond what its compressed bytes can expand to
    /// is refused before anything is allocated, see `Zlib.decompress`).
    public static let maxStoredFileBytes: Int64 = 1 << 30
    /// Size of every hash in the chain (SHA-256).
    public static let hashBytes = 32

    static let schema = """
        CREATE TABLE header(
          id INTEGER PRIMARY KEY CHECK (id = 1),
          format_version INTEGER NOT NULL,
          engine_version TEXT NOT NULL,
          seed INTEGER NOT NULL,
          scenario_text TEXT NOT NULL,
          scenario_sha256 TEXT NOT NULL,
          feeder_digest TEXT NOT NULL,
          feeder_entry TEXT NOT NULL,
          ground_truth TEXT NOT NULL,
          parameters TEXT NOT NULL,
          header_hash BLOB NOT NULL
        ) STRICT;
        CREATE TABLE events(
          seq INTEGER PRIMARY KEY,
          time_ms INTEGER NOT NULL,
          kind TEXT NOT NULL,
          actor TEXT NOT NULL,
          payload TEXT NOT NULL,
          hash BLOB NOT NULL
        ) STRICT;
        CREATE TABLE seal(
          id INTEGER PRIMARY KEY CHECK (id = 1),
          events INTEGER NOT NULL,
          final_hash BLOB NOT NULL,
          seed INTEGER NOT NULL,
          counts TEXT NOT NULL,
          seal_hash BLOB NOT NULL
        ) STRICT;
        CREATE TABLE feeder_files(
          path TEXT PRIMARY KEY,
          sha256 TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          zlib BLOB NOT NULL
        ) STRICT;
        CREATE TABLE checkpoints(
          seq INTEGER PRIMARY KEY,
          interval INTEGER NOT NULL,
          zlib BLOB NOT NULL
        ) STRICT;
        CREATE TABLE signer(
          id INTEGER PRIMARY KEY CHECK (id = 1),
          algorithm TEXT NOT NULL,
          public_key BLOB NOT NULL
        ) STRICT;
        CREATE TABLE signatures(
          scope TEXT NOT NULL CHECK (scope IN ('commit', 'seal')),
          seq INTEGER NOT NULL,
          signature BLOB NOT NULL,
          PRIMARY KEY (scope, seq)
        ) STRICT;
        CREATE VIEW events_readable AS
          SELECT seq, time_ms, kind, actor, payload, hex(hash) AS hash FROM events;
        """
}

/// A file the trace stores for its replay (a feeder script or data file), by its path relative to
/// the feeder's entry script's folder.
public struct StoredFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// The path, SHA-256 and size the header records (and its hash covers).
    public var digest: StoredFileDigest {
        StoredFileDigest(path: path, sha256: hexString(Array(SHA256.hash(data: bytes))), byteCount: Int64(bytes.count))
    }
}

/// What the header records of a stored file.
public struct StoredFileDigest: Sendable, Equatable {
    public var path: String
    /// SHA-256 of the uncompressed bytes, lowercase hex.
    public var sha256: String
    public var byteCount: Int64

    public init(path: String, sha256: String, byteCount: Int64) {
        self.path = path
        self.sha256 = sha256
        self.byteCount = byteCount
    }
}

/// The run's identity, written once when the trace is created.
///
/// `seed` is stored in SQLite as the signed 64-bit integer with the same bit pattern.
/// `groundTruth` is canonical JSON that the scenario knows but the audit must never read
/// (e.g. which participants are adversaries); it exists so the audit can be scored.
/// `parameters` is canonical JSON of what else a replay needs (e.g. which scenario of the pair ran).
/// `feederEntry` and `feederFiles` name the stored feeder (empty for the synthetic feeder, whose
/// script the scenario and seed determine, and in format version 1): the entry script's path and
/// every stored file's digest, sorted by path; the rows of `feeder_files` hold their bytes.
public struct TraceHeader: Sendable, Equatable {
    public var formatVersion: Int64
    public var engineVersion: String
    public var seed: UInt64
    public var scenarioText: String
    public var scenarioSHA256: String
    public var feederDigest: String
    public var feederEntry: String
    public var feederFiles: [StoredFileDigest]
    public var groundTruth: String
    public var parameters: String

    public init(engineVersion: String, seed: UInt64, scenarioText: String, feederDigest: String = "",
                feederEntry: String = "", feederFiles: [StoredFileDigest] = [],
                groundTruth: CanonicalJSON = .object([:]), parameters: CanonicalJSON = .object([:])) {
        formatVersion = TraceFormat.version
        self.engineVersion = engineVersion
        self.seed = seed
        self.scenarioText = scenarioText
        scenarioSHA256 = hexString(Array(SHA256.hash(data: Array(scenarioText.utf8))))
        self.feederDigest = feederDigest
        self.feederEntry = feederEntry
        self.feederFiles = feederFiles.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        self.groundTruth = groundTruth.text
        self.parameters = parameters.text
    }

    init(formatVersion: Int64, engineVersion: String, seed: UInt64, scenarioText: String, scenarioSHA256: String,
         feederDigest: String, feederEntry: String, feederFiles: [StoredFileDigest], groundTruth: String, parameters: String) {
        self.formatVersion = formatVersion
        self.engineVersion = engineVersion
        self.seed = seed
        self.scenarioText = scenarioText
        self.scenarioSHA256 = scenarioSHA256
        self.feederDigest = feederDigest
        self.feederEntry = feederEntry
        self.feederFiles = feederFiles
        self.groundTruth = groundTruth
        self.parameters = parameters
    }

    /// SHA-256 of the header's canonical encoding: the chain's genesis value (hash before seq 1).
    /// From format version 2 on it covers the feeder entry and every stored file's path, SHA-256
    /// and size, so editing a stored file (or its recorded digest) breaks verification.
    public var hash: [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.append("gridtrace-header")
        encoder.append(formatVersion)
        encoder.append(engineVersion)
        encoder.append(seed)
        encoder.append(scenarioText)
        encoder.append(scenarioSHA256)
        encoder.append(feederDigest)
        encoder.append(groundTruth)
        encoder.append(parameters)
        if formatVersion >= 2 {
            encoder.append(feederEntry)
            encoder.append(Int64(feederFiles.count))
            for file in feederFiles {
                encoder.append(file.path)
                encoder.append(file.sha256)
                encoder.append(file.byteCount)
            }
        }
        return Array(SHA256.hash(data: encoder.bytes))
    }
}

/// Why a trace could not be opened, written or read.
public enum TraceError: Error, CustomStringConvertible, Sendable {
    case fileMissing(path: String)
    case emptyFile(path: String)
    case notSQLite(path: String)
    case notATrace(path: String, why: String)
    case formatTooNew(path: String, version: Int64)
    case formatUnsupported(path: String, version: Int64)
    case alreadyExists(path: String)
    /// The files handed to the writer are not the ones the header records (a program error).
    case storedFilesMismatch(path: String)
    /// Ed25519 signing failed (swift-crypto refused; not expected with a valid key).
    case signing(path: String, why: String)
    case database(path: String, SQLiteError)

    public var description: String {
        switch self {
        case .fileMissing(let path): return "\(path): no such file"
        case .emptyFile(let path): return "\(path): empty file, not a gridtrace trace"
        case .notSQLite(let path): return "\(path): not an SQLite database, so not a gridtrace trace"
        case .notATrace(let path, let why): return "\(path): not a gridtrace trace (\(why))"
        case .formatTooNew(let path, let version):
            return "\(path): trace format version \(version) is newer than this gridtrace reads (\(TraceFormat.version)); upgrade gridtrace"
        case .formatUnsupported(let path, let version):
            return "\(path): trace format version \(version) is not supported (this gridtrace reads versions "
                + "\(TraceFormat.oldestReadableVersion)…\(TraceFormat.version)); re-record the run: gridtrace run SCENARIO.toml --seed N"
        case .alreadyExists(let path): return "\(path): already exists; refusing to overwrite"
        case .storedFilesMismatch(let path): return "\(path): the files to store do not match the header's feeder_files digests"
        case .signing(let path, let why): return "\(path): signing failed: \(why)"
        case .database(let path, let error): return "\(path): \(error)"
        }
    }
}

/// The canonical bytes of one event, as hashed into the chain:
/// seq (UInt64 BE) ‖ time_ms (Int64 BE) ‖ kind ‖ actor ‖ payload, each string length-prefixed.
struct EventHasher {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(512) }

    /// `SHA256(previous ‖ canonical(event))`, written into `output` (32 bytes).
    mutating func chain(previous: UnsafeRawBufferPointer, seq: Int64, timeMilliseconds: Int64,
                        kind: UnsafeRawBufferPointer, actor: UnsafeRawBufferPointer,
                        payload: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: previous)
        appendHeader(seq: seq, timeMilliseconds: timeMilliseconds)
        appendPrefixed(kind)
        appendPrefixed(actor)
        appendPrefixed(payload)
        finish(into: &output)
    }

    private mutating func appendHeader(seq: Int64, timeMilliseconds: Int64) {
        appendBigEndian(UInt64(bitPattern: seq))
        appendBigEndian(UInt64(bitPattern: timeMilliseconds))
    }

    private mutating func finish(into output: inout [UInt8]) {
        let digest = SHA256.hash(data: buffer)
        digest.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
        }
    }

    private mutating func appendBigEndian(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func appendPrefixed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count <= Int(UInt32.max), "event field too long")
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: bytes)
    }
}

/// SHA-256 binding the seal to the chain: `SHA256(finalHash ‖ events ‖ seed ‖ counts)`.
func sealHash(finalHash: [UInt8], events: Int64, seed: UInt64, countsJSON: String) -> [UInt8] {
    var encoder = CanonicalEncoder()
    encoder.append(bytesOf: finalHash)
    encoder.append(events)
    encoder.append(seed)
    encoder.append(countsJSON)
    return Array(SHA256.hash(data: encoder.bytes))
}

/// Canonical JSON of event counts by kind (canonical JSON sorts the keys).
func countsJSON(_ counts: [(kind: String, count: Int64)]) -> String {
    var members: [String: CanonicalJSON] = [:]
    for entry in counts { members[entry.kind] = .int(entry.count) }
    return CanonicalJSON.object(members).text
}

/// Counts events by kind without allocating a String per event: kinds are few and repeat, so a
/// short linear scan over the distinct kinds' bytes beats hashing.
struct KindTally {
    private var kinds: [[UInt8]] = []
    private var counts: [Int64] = []
    private var last = -1

    mutating func add(_ kind: UnsafeRawBufferPointer) {
        if last >= 0, kinds[last].elementsEqual(kind) {
            counts[last] += 1
            return
        }
        for index in kinds.indices where kinds[index].elementsEqual(kind) {
            counts[index] += 1
            last = index
            return
        }
        kinds.append(Array(kind))
        counts.append(1)
        last = kinds.count - 1
    }

    /// Undoes one `add` (an insert that failed after counting).
    mutating func remove(_ kind: String) {
        if let index = kinds.firstIndex(where: { $0.elementsEqual(kind.utf8) }) { counts[index] -= 1 }
    }

    var sorted: [(kind: String, count: Int64)] {
        zip(kinds, counts).map { (kind: String(decoding: $0.0, as: UTF8.self), count: $0.1) }.sorted { $0.kind < $1.kind }
    }
}
