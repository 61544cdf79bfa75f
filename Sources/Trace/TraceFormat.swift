// Owns the trace file format: identifiers, the SQL schema, the header, the hash-chain rule and the
// typed errors a trace operation can raise.
import Crypto
import Kernel

/// Constants of the `.gtrace` format.
public enum TraceFormat {
    /// SQLite `application_id`: ASCII "GTRC".
    public static let applicationID: Int32 = 0x4754_5243
    /// SQLite `user_version`: the trace-format version. Bump on any schema or hashing change.
    public static let version: Int64 = 1
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
        CREATE VIEW events_readable AS
          SELECT seq, time_ms, kind, actor, payload, hex(hash) AS hash FROM events;
        """
}

/// The run's identity, written once when the trace is created.
///
/// `seed` is stored in SQLite as the signed 64-bit integer with the same bit pattern.
/// `groundTruth` is canonical JSON that the scenario knows but the audit must never read
/// (e.g. which participants are adversaries); it exists so the audit can be scored.
/// `parameters` is canonical JSON of what else a replay needs (e.g. which scenario of the pair ran).
public struct TraceHeader: Sendable, Equatable {
    public var formatVersion: Int64
    public var engineVersion: String
    public var seed: UInt64
    public var scenarioText: String
    public var scenarioSHA256: String
    public var feederDigest: String
    public var groundTruth: String
    public var parameters: String

    public init(engineVersion: String, seed: UInt64, scenarioText: String, feederDigest: String = "",
                groundTruth: CanonicalJSON = .object([:]), parameters: CanonicalJSON = .object([:])) {
        formatVersion = TraceFormat.version
        self.engineVersion = engineVersion
        self.seed = seed
        self.scenarioText = scenarioText
        scenarioSHA256 = hexString(Array(SHA256.hash(data: Array(scenarioText.utf8))))
        self.feederDigest = feederDigest
        self.groundTruth = groundTruth.text
        self.parameters = parameters.text
    }

    init(formatVersion: Int64, engineVersion: String, seed: UInt64, scenarioText: String,
         scenarioSHA256: String, feederDigest: String, groundTruth: String, parameters: String) {
        self.formatVersion = formatVersion
        self.engineVersion = engineVersion
        self.seed = seed
        self.scenarioText = scenarioText
        self.scenarioSHA256 = scenarioSHA256
        self.feederDigest = feederDigest
        self.groundTruth = groundTruth
        self.parameters = parameters
    }

    /// SHA-256 of the header's canonical encoding: the chain's genesis value (hash before seq 1).
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
            return "\(path): trace format version \(version) is not supported (this gridtrace reads \(TraceFormat.version))"
        case .alreadyExists(let path): return "\(path): already exists; refusing to overwrite"
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
