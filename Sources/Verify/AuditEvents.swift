// Owns turning trace events into the audit's raw material: the declared energy of every revealed
// order and every meter reading, keyed by (participant, interval), with malformed payloads reported
// by the event's seq. Pure: a sequence of (seq, kind, actor, payload text) in, records out.
import Kernel
import Market

/// One trace event as the audit sees it: no chain, no grid, just the stored fields.
public struct AuditEvent: Sendable, Equatable {
    public var seq: Int64
    public var timeMilliseconds: Int64
    public var kind: String
    public var actor: String
    /// Canonical JSON text.
    public var payload: String

    public init(seq: Int64, timeMilliseconds: Int64 = 0, kind: String, actor: String, payload: String) {
        self.seq = seq
        self.timeMilliseconds = timeMilliseconds
        self.kind = kind
        self.actor = actor
        self.payload = payload
    }
}

/// Why the audit could not run.
public enum AuditError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An `order_revealed` or `meter_reading` event whose payload or actor the audit cannot use.
    case malformedEvent(seq: Int64, kind: String, why: String)
    /// Two meter readings for the same home and interval (which one is the truth?).
    case duplicateMeterReading(seq: Int64, participant: Int, interval: Int64)
    /// The audited trace does not verify as sealed: its events cannot be trusted or are incomplete.
    case traceNotSealed(path: String, status: String)
    /// `--trusted-key` was given and the trace is not signed by a trusted key (`TraceTrust`).
    case traceNotTrusted(path: String, verdict: String)
    /// The trace could not be read or the audit trace not written.
    case trace(String)
    /// The header's ground truth is not the documented JSON shape.
    case malformedGroundTruth(why: String)

    public var description: String {
        switch self {
        case .malformedEvent(let seq, let kind, let why): return "seq \(seq) (\(kind)): \(why)"
        case .duplicateMeterReading(let seq, let participant, let interval):
            return "seq \(seq) (meter_reading): a second meter reading for home \(participant) in interval \(interval)"
        case .traceNotSealed(let path, let status):
            return "\(path): refusing to audit a trace that does not verify as sealed (\(status)); run `gridtrace trace verify \(path)`"
        case .traceNotTrusted(let path, let verdict): return "\(path): NOT trusted: \(verdict)"
        case .trace(let message): return message
        case .malformedGroundTruth(let why): return "header ground truth: \(why)"
        }
    }
}

/// One revealed order reduced to its signed declaration: + Wh to buy, − Wh to sell.
public struct DeclarationRecord: Sendable, Equatable {
    public var seq: Int64
    public var participant: Int
    public var interval: Int64
    public var declaredWattHours: Int64
}

/// One meter reading: metered net energy of the interval, + = import, Wh.
public struct MeterRecord: Sendable, Equatable {
    public var seq: Int64
    public var participant: Int
    public var interval: Int64
    public var meteredWattHours: Int64
}

/// The audit's inputs extracted from a stream of events; other kinds are ignored.
public struct DeclarationLedger: Sendable, Equatable {
    public var declarations: [DeclarationRecord] = []
    public var meters: [MeterRecord] = []
    /// Time of the last event seen, ms (where findings are placed in the audit trace).
    public var lastTimeMilliseconds: Int64 = 0

    public init() {}

    /// Reads every `order_revealed` and `meter_reading` event; throws on the first malformed one.
    public init<Events: Sequence>(events: Events) throws(AuditError) where Events.Element == AuditEvent {
        for event in events { try add(event) }
    }

    public mutating func add(_ event: AuditEvent) throws(AuditError) {
        lastTimeMilliseconds = max(lastTimeMilliseconds, event.timeMilliseconds)
        switch event.kind {
        case EventKind.orderRevealed.rawValue: declarations.append(try Self.declaration(event))
        case EventKind.meterReading.rawValue: meters.append(try Self.meter(event))
        default: return
        }
    }

    static func declaration(_ event: AuditEvent) throws(AuditError) -> DeclarationRecord {
        let order = try typed(OrderRevealedEvent.self, event).order
        guard order.participant >= 0, order.participant <= Int(Int32.max) else {
            throw .malformedEvent(seq: event.seq, kind: event.kind, why: "field \"participant\" \(order.participant) is not a home index")
        }
        guard order.energyWattHours > 0 else {
            throw .malformedEvent(seq: event.seq, kind: event.kind,
                                  why: "field \"energy_wh\" must be positive (orders carry positive energy), got \(order.energyWattHours)")
        }
        let sign: Int64 = order.side == .buy ? 1 : -1
        return DeclarationRecord(seq: event.seq, participant: order.participant, interval: Int64(order.interval),
                                 declaredWattHours: sign * order.energyWattHours)
    }

    static func meter(_ event: AuditEvent) throws(AuditError) -> MeterRecord {
        let reading = try typed(MeterReadingEvent.self, event)
        guard event.actor.hasPrefix("home:"), let home = Int32(event.actor.dropFirst(5)), home >= 0 else {
            throw .malformedEvent(seq: event.seq, kind: event.kind, why: "actor must be \"home:<index>\", got \"\(event.actor)\"")
        }
        return MeterRecord(seq: event.seq, participant: Int(home), interval: Int64(reading.interval), meteredWattHours: reading.netWattHours)
    }

    /// The event's payload read with its typed reader; errors name seq, kind and field.
    private static func typed<P: EventPayload>(_ type: P.Type, _ event: AuditEvent) throws(AuditError) -> P {
        do throws(PayloadError) {
            let json: CanonicalJSON
            do {
                json = try parsePayloadJSON(event.payload)
            } catch {
                throw PayloadError(seq: event.seq, kind: event.kind, field: "payload", why: "is not JSON: \(error)")
            }
            return try P(reading: json, seq: event.seq)
        } catch {
            throw .malformedEvent(seq: error.seq, kind: error.kind, why: "field \"\(error.field)\" \(error.why)")
        }
    }
}
