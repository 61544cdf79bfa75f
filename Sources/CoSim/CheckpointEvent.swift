// Owns the `checkpoint` event: it closes every k-th interval (`[trace] checkpoint_every_intervals`)
// and names the engine state there by size and SHA-256 of its canonical bytes. The bytes themselves
// (zlib) sit in the trace's `checkpoints` table under the event's seq, like the feeder files beside
// the header: the chain covers the digest, so a damaged row is caught, and a zlib build that
// compresses differently gives the same events.
import Kernel

/// `checkpoint`: the whole engine state before interval `interval` runs.
public struct CheckpointEvent: EventPayload {
    public static let kind = EventKind.checkpoint
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("interval", .integer, "the interval the stored state runs next (the state after interval − 1)"),
        PayloadField("variant", .string, "\"p2p\" or \"no-p2p\""),
        PayloadField("state_bytes", .integer, unit: "B", "size of the canonical state bytes (uncompressed)"),
        PayloadField("state_sha256", .string, "SHA-256 of the canonical state bytes, lowercase hex"),
    ], emittedBy: "CoSim, after interval_ended of every k-th interval (not after the last), actor cosim")

    public var interval: Int
    public var variant: String
    public var stateBytes: Int
    public var stateSHA256: String

    public init(interval: Int, variant: String, stateBytes: Int, stateSHA256: String) {
        self.interval = interval
        self.variant = variant
        self.stateBytes = stateBytes
        self.stateSHA256 = stateSHA256
    }

    public var canonical: CanonicalJSON {
        ["interval": .int(Int64(interval)), "variant": .string(variant), "state_bytes": .int(Int64(stateBytes)),
         "state_sha256": .string(stateSHA256)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        let variant = try r.string("variant")
        guard Scenario.Variant(rawValue: variant) != nil else { throw r.invalid("variant", "must be \"p2p\" or \"no-p2p\", got \"\(variant)\"") }
        let sha = try r.string("state_sha256")
        guard sha.utf8.count == 64, sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw r.invalid("state_sha256", "must be 64 lowercase hex digits")
        }
        let size = try r.index("state_bytes")
        guard (0...CheckpointEvent.maximumStateBytes).contains(size) else { throw r.invalid("state_bytes", "exceeds \(CheckpointEvent.maximumStateBytes)") }
        let interval = try r.index("interval")
        guard interval >= 0 else { throw r.invalid("interval", "must not be negative") }
        self.init(interval: interval, variant: variant, stateBytes: size, stateSHA256: sha)
    }

    /// Largest state a reader accepts (a damaged size must not allocate without bound).
    public static let maximumStateBytes = 1 << 30
}
