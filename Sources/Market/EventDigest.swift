// Owns a running SHA-256 over market events, so a run's events can be compared across processes and
// builds (debug vs release) without a trace file. The trace's own hash chain lives in Trace.
import Crypto
import Kernel

/// SHA-256 over every added record's time (ms), kind, actor and canonical payload, in order.
public struct MarketEventDigest {
    private var hasher = SHA256()
    public private(set) var count = 0

    public init() {}

    public mutating func add(_ record: EventRecord) {
        var encoder = CanonicalEncoder(capacity: 128)
        encoder.append(record.time.milliseconds)
        encoder.append(record.kind.rawValue)
        encoder.append(record.actor)
        encoder.append(bytesOf: record.payload.bytes)
        hasher.update(data: encoder.bytes)
        count += 1
    }

    /// Lower-case hex of the digest so far.
    public var hex: String { hexString(Array(hasher.finalize())) }
}
