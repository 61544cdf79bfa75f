// Owns the typed payload of `audit_finding` (written into audit traces by `gridtrace audit`) and
// the catalogue of every payload type any trace can hold (the run's kinds plus this one).
import CoSim
import Kernel

/// `audit_finding`: one flagged participant's figures, or (actor `audit`) the audit's summary.
public struct AuditFindingEvent: EventPayload {
    public static let kind = EventKind.auditFinding
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("flagged", .json, "participant: true (only flagged participants get a finding); summary: array of flagged home ids"),
        PayloadField("participant", .integer, optional: true, "home index (participant findings)"),
        PayloadField("declared_intervals", .integer, optional: true, "intervals with a revealed order and a meter reading"),
        PayloadField("declared_wh", .integer, unit: "Wh", optional: true, "Σ declared over those intervals (+ buy, − sell)"),
        PayloadField("metered_when_declared_wh", .integer, unit: "Wh", optional: true, "Σ metered over the same intervals"),
        PayloadField("metered_wh", .integer, unit: "Wh", optional: true, "Σ metered over every reading"),
        PayloadField("mean_error_wh", .number, unit: "Wh", optional: true, "mean of declared − metered"),
        PayloadField("unmetered_declarations", .integer, optional: true, "revealed orders without a meter reading"),
        PayloadField("suspected", .stringArray, optional: true, "strategies the flagged sides point to"),
        PayloadField("buy", .json, optional: true, "buy-side statistics object"),
        PayloadField("sell", .json, optional: true, "sell-side statistics object"),
        PayloadField("participants", .integer, optional: true, "participants audited (summary)"),
        PayloadField("orders_revealed", .integer, optional: true, "revealed orders read (summary)"),
        PayloadField("meter_readings", .integer, optional: true, "meter readings read (summary)"),
        PayloadField("note", .string, optional: true, "why the audit could say little (summary)"),
    ], emittedBy: "Verify (`gridtrace audit`) into the audit trace: one per flagged participant (actor home:i), then the summary (actor audit)")

    /// A flagged participant's figures.
    public struct Participant: Sendable, Equatable {
        public var participant: Int
        public var declaredIntervals: Int
        public var declaredWattHours: Int64
        public var meteredWhenDeclaredWattHours: Int64
        public var meteredWattHours: Int64
        public var meanErrorWattHours: Double
        public var unmeteredDeclarations: Int
        public var flagged: Bool
        public var suspected: [String]
        public var buy: CanonicalJSON?
        public var sell: CanonicalJSON?
    }

    /// The audit's summary.
    public struct Summary: Sendable, Equatable {
        public var flagged: [Int64]
        public var participants: Int
        public var ordersRevealed: Int
        public var meterReadings: Int
        public var note: String?
    }

    public enum Finding: Sendable, Equatable {
        case participant(Participant)
        case summary(Summary)
    }

    public var finding: Finding

    public init(_ finding: Finding) { self.finding = finding }

    public var canonical: CanonicalJSON {
        switch finding {
        case .participant(let p):
            var members: [String: CanonicalJSON] = [
                "participant": .int(Int64(p.participant)), "declared_intervals": .int(Int64(p.declaredIntervals)),
                "declared_wh": .int(p.declaredWattHours), "metered_when_declared_wh": .int(p.meteredWhenDeclaredWattHours),
                "metered_wh": .int(p.meteredWattHours), "mean_error_wh": .double(p.meanErrorWattHours),
                "unmetered_declarations": .int(Int64(p.unmeteredDeclarations)), "flagged": .bool(p.flagged),
                "suspected": .array(p.suspected.map { .string($0) }),
            ]
            if let buy = p.buy { members["buy"] = buy }
            if let sell = p.sell { members["sell"] = sell }
            return .object(members)
        case .summary(let s):
            var members: [String: CanonicalJSON] = [
                "flagged": .array(s.flagged.map { .int($0) }), "participants": .int(Int64(s.participants)),
                "orders_revealed": .int(Int64(s.ordersRevealed)), "meter_readings": .int(Int64(s.meterReadings)),
            ]
            if let note = s.note { members["note"] = .string(note) }
            return .object(members)
        }
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        if r.has("participant") {
            finding = .participant(Participant(
                participant: try r.index("participant"), declaredIntervals: try r.index("declared_intervals"),
                declaredWattHours: try r.int("declared_wh"), meteredWhenDeclaredWattHours: try r.int("metered_when_declared_wh"),
                meteredWattHours: try r.int("metered_wh"), meanErrorWattHours: try r.double("mean_error_wh"),
                unmeteredDeclarations: try r.index("unmetered_declarations"), flagged: try r.bool("flagged"),
                suspected: try r.strings("suspected"), buy: try r.optional("buy", r.json),
                sell: try r.optional("sell", r.json)))
        } else {
            finding = .summary(Summary(flagged: try r.ints("flagged"), participants: try r.index("participants"),
                                       ordersRevealed: try r.index("orders_revealed"), meterReadings: try r.index("meter_readings"),
                                       note: r.has("note") ? try r.string("note") : nil))
        }
    }
}

extension AuditFindingEvent {
    /// The finding of one audited participant.
    public init(_ audit: ParticipantAudit) {
        self.init(.participant(Participant(
            participant: audit.participant, declaredIntervals: audit.declaredIntervals, declaredWattHours: audit.declaredWattHours,
            meteredWhenDeclaredWattHours: audit.meteredWhenDeclaredWattHours, meteredWattHours: audit.meteredWattHours,
            meanErrorWattHours: audit.meanErrorWattHours, unmeteredDeclarations: audit.unmeteredDeclarations,
            flagged: audit.flagged, suspected: audit.suspectedStrategies, buy: audit.buy?.json, sell: audit.sell?.json)))
    }
}

/// Every payload type any trace can hold, in `EventKind.allCases` order.
public enum TracePayloads {
    public static let types: [any EventPayload.Type] = RunPayloads.types + [AuditFindingEvent.self]

    /// The type of a stored kind name, nil for a name outside the vocabulary.
    public static func type(of kind: String) -> (any EventPayload.Type)? {
        types.first { $0.kind.rawValue == kind }
    }

    public static var schemas: [PayloadSchema] { types.map { $0.schema } }
}
