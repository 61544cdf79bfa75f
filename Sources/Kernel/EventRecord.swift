// Owns the event vocabulary shared by every engine: the kinds of trace events and the record an
// engine emits. The Trace module stores these records in the hash chain; engines never touch
// SQLite, they append records to an `EventLog` that CoSim drains into the trace.

/// Every kind of event a trace can hold. The raw value is what the trace stores (stable: renaming
/// one is a trace-format change and bumps `TraceFormat.version`).
public enum EventKind: String, CaseIterable, Sendable, Comparable {
    // Run structure
    case runStarted = "run_started"
    case intervalStarted = "interval_started"
    case intervalEnded = "interval_ended"
    /// The whole engine state between two intervals (trace format 4), for replay to start from.
    case checkpoint = "checkpoint"
    case selftest = "selftest"
    // Market
    case orderCommitted = "order_committed"
    case orderRevealed = "order_revealed"
    case orderRejected = "order_rejected"
    case orderForwarded = "order_forwarded"
    case orderMatched = "order_matched"
    case orderUnmatched = "order_unmatched"
    case gameIteration = "game_iteration"
    case contractCreated = "contract_created"
    case contractSettled = "contract_settled"
    case contractRefunded = "contract_refunded"
    case meterReading = "meter_reading"
    // Chain
    case transactionCreated = "tx_created"
    case transactionIncluded = "tx_included"
    case transactionConfirmed = "tx_confirmed"
    case blockMined = "block_mined"
    case blockReceived = "block_received"
    case blockOrphaned = "block_orphaned"
    case fork = "fork"
    case reorg = "reorg"
    // Grid
    case powerFlowIteration = "powerflow_iteration"
    case powerFlowStep = "powerflow_step"
    case limitViolation = "limit_violation"
    /// Per-home powers placed on the feeder in an interval (what a grid-only re-run needs).
    case gridInjections = "grid_injections"
    // Verification
    case auditFinding = "audit_finding"

    public static func < (a: EventKind, b: EventKind) -> Bool { a.rawValue < b.rawValue }
}

/// One event as an engine emits it: simulated time, kind, the acting entity, and a payload.
///
/// `actor` names who acted (e.g. "home:17" for a participant, "node:h3.1" for a grid node, "grid"); `payload` is canonical JSON, so
/// the trace bytes are a pure function of the values.
public struct EventRecord: Sendable, Equatable {
    public var time: SimTime
    public var kind: EventKind
    public var actor: String
    public var payload: CanonicalJSON

    public init(time: SimTime, kind: EventKind, actor: String, payload: CanonicalJSON) {
        self.time = time
        self.kind = kind
        self.actor = actor
        self.payload = payload
    }
}

/// An append-only list of records that engines write to and CoSim drains into the trace.
///
/// When `isEnabled` is false, `emit` is skipped without evaluating its actor and payload (both are
/// autoclosures), so engines can pass payload expressions directly (benchmarks run with logging off).
public struct EventLog: Sendable {
    public var isEnabled: Bool
    public private(set) var records: [EventRecord] = []

    public init(isEnabled: Bool = true) { self.isEnabled = isEnabled }

    public mutating func emit(_ time: SimTime, _ kind: EventKind, actor: @autoclosure () -> String,
                              _ payload: @autoclosure () -> CanonicalJSON) {
        guard isEnabled else { return }
        records.append(EventRecord(time: time, kind: kind, actor: actor(), payload: payload()))
    }

    /// Returns the records emitted so far and empties the log.
    public mutating func drain() -> [EventRecord] {
        defer { records.removeAll(keepingCapacity: true) }
        return records
    }
}
