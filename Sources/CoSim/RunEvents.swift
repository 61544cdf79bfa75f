// Owns the typed payloads of the run's structure (interval markers) and the catalogue of every
// payload type a co-simulation trace can hold, in `EventKind` order: the one list the schema
// reference, the per-kind SQLite views and the flat exports are generated from.
import Chain
import Kernel
import Market
import PowerFlow
import Trace

/// The shared shape of `interval_started` and `interval_ended`.
public protocol IntervalMarkerPayload: EventPayload {
    var interval: Int { get }
    var variant: String { get }
    init(interval: Int, variant: String)
}

extension IntervalMarkerPayload {
    static var markerFields: [PayloadField] {
        [PayloadField("interval", .integer, "market interval, from 0"),
         PayloadField("variant", .string, "\"p2p\" or \"no-p2p\"")]
    }

    public var canonical: CanonicalJSON { ["interval": .int(Int64(interval)), "variant": .string(variant)] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        let variant = try r.string("variant")
        guard Scenario.Variant(rawValue: variant) != nil else { throw r.invalid("variant", "must be \"p2p\" or \"no-p2p\", got \"\(variant)\"") }
        self.init(interval: try r.index("interval"), variant: variant)
    }
}

/// `interval_started`: the first event of every interval.
public struct IntervalStartedEvent: IntervalMarkerPayload {
    public static let kind = EventKind.intervalStarted
    public static let schema = PayloadSchema(kind: kind, fields: markerFields,
                                             emittedBy: "CoSim, at the interval's start T = 5k min, actor cosim")
    public var interval: Int
    public var variant: String
    public init(interval: Int, variant: String) {
        self.interval = interval
        self.variant = variant
    }
}

/// `interval_ended`: the last event of every interval (the writer commits after it).
public struct IntervalEndedEvent: IntervalMarkerPayload {
    public static let kind = EventKind.intervalEnded
    public static let schema = PayloadSchema(kind: kind, fields: markerFields,
                                             emittedBy: "CoSim, at the interval's end T + 5 min, actor cosim")
    public var interval: Int
    public var variant: String
    public init(interval: Int, variant: String) {
        self.interval = interval
        self.variant = variant
    }
}

/// `run_started`: reserved in the vocabulary; this engine version does not emit it (the header
/// describes the run). Its payload is an empty object.
public struct RunStartedEvent: EventPayload {
    public static let kind = EventKind.runStarted
    public static let schema = PayloadSchema(kind: kind, fields: [], emittedBy: "reserved: not emitted by this engine version")

    public init() {}

    public var canonical: CanonicalJSON { .object([:]) }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        try PayloadReader(payload, kind: Self.kind, seq: seq).rejectUnknownKeys(Self.schema.fields)
    }
}

/// Every payload type a co-simulation (or self-test) trace can hold. The audit adds its own kind.
public enum RunPayloads {
    /// In `EventKind.allCases` order, without `audit_finding`.
    public static let types: [any EventPayload.Type] = [
        RunStartedEvent.self, IntervalStartedEvent.self, IntervalEndedEvent.self, CheckpointEvent.self, SelftestEvent.self,
        OrderCommittedEvent.self, OrderRevealedEvent.self, OrderRejectedEvent.self, OrderForwardedEvent.self,
        OrderMatchedEvent.self, OrderUnmatchedEvent.self, GameIterationEvent.self, ContractCreatedEvent.self,
        ContractSettledEvent.self, ContractRefundedEvent.self, MeterReadingEvent.self,
        TransactionCreatedEvent.self, TransactionIncludedEvent.self, TransactionConfirmedEvent.self,
        BlockMinedEvent.self, BlockReceivedEvent.self, BlockOrphanedEvent.self, ForkEvent.self, ReorgEvent.self,
        PowerFlowIterationEvent.self, PowerFlowStepEvent.self, LimitViolationEvent.self, GridInjectionsEvent.self,
    ]

    /// Their schemas (what the trace writer turns into per-kind views).
    public static var schemas: [PayloadSchema] { types.map { $0.schema } }
}
