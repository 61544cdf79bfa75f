// Owns comparing two traces (`gridtrace diff A B`, and the what-if of `replay --override --out`):
// which header fields differ, the first event (seq) where they differ, field by field from the typed
// payloads, with the events around it, and then, per kind and per run figure, what differs after it.
// Both traces are opened read-only; one that does not verify is compared only as far as it verifies.
import Kernel
import Trace

/// A header field that differs between the two traces.
public struct TraceHeaderDifference: Sendable, Equatable {
    /// `format_version`, `engine_version`, `seed`, `scenario`, `feeder`, `variant`, `intervals`, `ground_truth`, …
    public var field: String
    public var a: String
    public var b: String
    /// For the scenario: the lines that differ (`- ` in A, `+ ` in B).
    public var lines: [String] = []
}

/// One field of the first differing event: `time`, `kind`, `actor`, or a payload field (`p_source_kw`,
/// `load_kw[3]` for an array's first differing entry).
public struct TraceFieldDifference: Sendable, Equatable {
    public var field: String
    /// The value in A (nil: A's event lacks the field, or A has no event there), exact, with its unit.
    public var a: String?
    public var b: String?
    /// What else to know: the difference of two numbers, how many array entries differ, a payload
    /// that does not read as its kind.
    public var note: String?
}

/// The first event where the two traces differ.
public struct TraceDivergence: Sendable, Equatable {
    public var seq: Int64
    /// Nil when A ends before this seq.
    public var a: ComparedEvent?
    /// Nil when B ends before this seq.
    public var b: ComparedEvent?
    public var fields: [TraceFieldDifference]
    /// Up to the context's count of events before it (the same in both).
    public var before: [ComparedEvent]
    /// Up to the context's count of events after it, in each trace.
    public var afterA: [ComparedEvent]
    public var afterB: [ComparedEvent]
}

/// A kind's events in A and in B, counted from the first difference on.
public struct TraceKindCount: Sendable, Equatable {
    public var kind: String
    public var a: Int64
    public var b: Int64
}

/// A run figure in A and in B.
public struct TraceMetricComparison: Sendable, Equatable {
    public var metric: TraceMetric
    public var a: Double?
    public var b: Double?

    /// Exact: a deterministic engine reproduces its figures bit for bit. A figure missing from one
    /// trace only differs; NaN never equals anything.
    public var differs: Bool { a != b }
}

/// One trace as the diff read it.
public struct TraceDiffSide: Sendable, Equatable {
    public var path: String
    public var status: TraceStatus
    /// Events compared (a trace that does not verify: those before the first bad seq).
    public var events: Int64
}

/// Everything `gridtrace diff` reports.
public struct TraceDiffResult: Sendable, Equatable {
    public var a: TraceDiffSide
    public var b: TraceDiffSide
    /// Header fields that differ, in header order.
    public var headers: [TraceHeaderDifference]
    /// Nil when every compared event is the same.
    public var divergence: TraceDivergence?
    /// The seq the kind counts start at (the first difference; 1 when the events are the same).
    public var countsFromSeq: Int64
    /// Every kind either trace has from `countsFromSeq` on, by name.
    public var kinds: [TraceKindCount]
    /// The run figures of each trace (over the events compared).
    public var metrics: [TraceMetricComparison]
    /// How many events of context were asked for.
    public var contextEvents: Int
    /// What else to know, e.g. that a trace's figures could not be read from its payloads.
    public var notes: [String] = []

    /// Whether every compared event is the same (headers aside).
    public var eventsIdentical: Bool { divergence == nil }
    /// Whether either trace failed its integrity check (its later events were not compared).
    public var damaged: Bool {
        if case .corrupt = a.status { return true }
        if case .corrupt = b.status { return true }
        return false
    }
    /// Identical headers and events, and both traces intact.
    public var identical: Bool { eventsIdentical && headers.isEmpty && !damaged }
}

public enum TraceDiff {
    /// The largest `--context` (events shown on each side of the first difference).
    public static let maximumContext = 1000

    /// Compares the traces at `pathA` and `pathB`, showing `context` events on each side of the
    /// first difference.
    ///
    /// Both are read-only. Each trace's hash chain and seal are checked on another core while the
    /// events are compared; a trace that turns out corrupt is compared again over its verified
    /// events only, so nothing past the damage is reported as a difference. Throws when a file is
    /// not a readable trace. A payload that does not read as its kind (a kernel self-test trace's)
    /// leaves that trace's payload figures uncomputed, with a note.
    public static func compare(_ pathA: String, _ pathB: String, context: Int = 3) throws -> TraceDiffResult {
        precondition((0...maximumContext).contains(context), "the CLI checks --context")
        let readerA = try TraceReader(path: pathA), readerB = try TraceReader(path: pathB)
        let (verificationA, nested) = readerA.whileVerifying { a in
            readerB.whileVerifying { b throws -> LockstepScan in try LockstepScan.run(a, b, limits: (nil, nil), context: context) }
        }
        let (verificationB, firstScan) = nested.get()
        let corruptA = verificationA.status.corruptSeq, corruptB = verificationB.status.corruptSeq
        let scan: LockstepScan
        if corruptA != nil || corruptB != nil {
            // Only what verifies is compared: the events before the first bad seq.
            scan = try LockstepScan.run(readerA, readerB, limits: (corruptA.map { $0 - 1 }, corruptB.map { $0 - 1 }), context: context)
        } else {
            scan = try firstScan.get()
        }
        return TraceDiffResult(
            a: TraceDiffSide(path: pathA, status: verificationA.status, events: scan.metricsA.events),
            b: TraceDiffSide(path: pathB, status: verificationB.status, events: scan.metricsB.events),
            headers: TraceHeaderComparison.differences(readerA.header, readerB.header),
            divergence: scan.divergence, countsFromSeq: scan.divergence?.seq ?? 1, kinds: scan.kindCounts(),
            metrics: zip(scan.metricsA.metrics(), scan.metricsB.metrics()).map {
                TraceMetricComparison(metric: $0.0, a: $0.0.value, b: $0.1.value)
            },
            contextEvents: context,
            notes: [("A", scan.metricsA), ("B", scan.metricsB)].compactMap { side, metrics in
                metrics.unreadable.map { "\(side)'s run figures read from payloads are not computed: \($0)" }
            })
    }
}

extension TraceStatus {
    /// The first bad seq of a corrupt trace.
    var corruptSeq: Int64? {
        if case .corrupt(let seq, _) = self { return seq }
        return nil
    }
}

/// Reads both traces side by side: compares events until the first difference (keeping the
/// context before it), then keeps reading both to the end, counting kinds and gathering figures.
struct LockstepScan {
    let context: Int
    private(set) var metricsA = TraceMetricsScan()
    private(set) var metricsB = TraceMetricsScan()
    /// The first differing events and what was known there (the context after it is gathered apart).
    private var first: TraceDivergence?
    private var recent: [ComparedEvent] = []
    private var afterA: [ComparedEvent] = [], afterB: [ComparedEvent] = []
    private var kindsA = KindCounts(), kindsB = KindCounts()

    /// Scans both traces; `limits` (last seq to read of A, of B) stops a corrupt trace where it stops verifying.
    static func run(_ a: TraceReader, _ b: TraceReader, limits: (a: Int64?, b: Int64?), context: Int) throws -> LockstepScan {
        var scan = LockstepScan(context: context)
        let cursorA = try a.cursor(), cursorB = try b.cursor()
        func next(_ cursor: TraceCursor, _ limit: Int64?) throws -> TraceEvent? {
            guard let event = try cursor.next() else { return nil }
            if let limit, event.seq > limit { return nil }
            return event
        }
        var doneA = false, doneB = false
        while true {
            let eventA = doneA ? nil : try next(cursorA, limits.a)
            let eventB = doneB ? nil : try next(cursorB, limits.b)
            doneA = eventA == nil
            doneB = eventB == nil
            if doneA && doneB { break }
            scan.add(eventA, eventB)
        }
        return scan
    }

    /// The first difference with the events after it; nil when every event matched.
    var divergence: TraceDivergence? {
        guard var found = first else { return nil }
        found.afterA = afterA
        found.afterB = afterB
        return found
    }

    private mutating func add(_ eventA: TraceEvent?, _ eventB: TraceEvent?) {
        if let eventA { metricsA.add(eventA); if first != nil { kindsA.add(eventA.kind) } }
        if let eventB { metricsB.add(eventB); if first != nil { kindsB.add(eventB.kind) } }
        if first != nil {
            if let eventA, afterA.count < context { afterA.append(ComparedEvent(eventA)) }
            if let eventB, afterB.count < context { afterB.append(ComparedEvent(eventB)) }
            return
        }
        let a = eventA.map(ComparedEvent.init), b = eventB.map(ComparedEvent.init)
        if let a, let b, a.sameContent(as: b) {
            recent.append(a)
            // Trimmed in batches: amortised O(1) per event whatever the context.
            if recent.count > 2 * max(context, 16) { recent.removeFirst(recent.count - context) }
            return
        }
        first = TraceDivergence(seq: a?.seq ?? b?.seq ?? 0, a: a, b: b, fields: EventFieldComparison.differences(a, b),
                                before: Array(recent.suffix(context)), afterA: [], afterB: [])
        if let eventA { kindsA.add(eventA.kind) }
        if let eventB { kindsB.add(eventB.kind) }
    }

    /// Every kind counted in either trace from the first difference on, by name.
    func kindCounts() -> [TraceKindCount] {
        var names: [String] = []
        for name in (kindsA.kinds + kindsB.kinds).sorted() where names.last != name { names.append(name) }
        return names.map { TraceKindCount(kind: $0, a: kindsA[$0], b: kindsB[$0]) }
    }
}

extension ComparedEvent {
    /// Same time, kind, actor and payload (hashes differ whenever the headers do, so they are not compared).
    func sameContent(as other: ComparedEvent) -> Bool {
        timeMilliseconds == other.timeMilliseconds && kind == other.kind && actor == other.actor && payload == other.payload
    }
}
