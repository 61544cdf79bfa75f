// Owns the typed payload of the kernel-only self-test events (`gridtrace selftest-run`).
import Kernel

/// `selftest`: a pseudo-event of the synthetic trace. `SyntheticTrace` writes this payload under
/// every kind in turn (it exercises the store, not the vocabulary); only `selftest` events are
/// read with this type.
public struct SelftestEvent: EventPayload {
    public static let kind = EventKind.selftest
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("n", .integer, "a draw below 1,000,000 from the \"selftest\" stream"),
        PayloadField("x", .number, "a draw in [−10, 10)"),
        PayloadField("tag", .string, "a short hex string"),
    ], emittedBy: "Trace (SyntheticTrace, `gridtrace selftest-run`), every 100 ms")
    public var n: Int64
    public var x: Double
    public var tag: String

    public init(n: Int64, x: Double, tag: String) {
        self.n = n
        self.x = x
        self.tag = tag
    }

    public var canonical: CanonicalJSON { ["n": .int(n), "x": .double(x), "tag": .string(tag)] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(n: try r.int("n"), x: try r.double("x"), tag: try r.string("tag"))
    }
}
