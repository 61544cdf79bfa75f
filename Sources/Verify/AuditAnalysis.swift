// Owns the audit proper: joins each participant's declarations with its meter readings, applies
// `AuditRule` per side, and reports per-participant figures and the flagged ids. A pure function of
// the events; scoring against ground truth lives in AuditScore.swift and never feeds back here.
import Kernel

/// Everything the audit found about one participant.
public struct ParticipantAudit: Sendable, Equatable {
    public var participant: Int
    /// Intervals with at least one revealed order (and a meter reading).
    public var declaredIntervals: Int
    /// Σ declared over those intervals, Wh (+ buy, − sell).
    public var declaredWattHours: Int64
    /// Σ metered over the same intervals, Wh (+ import).
    public var meteredWhenDeclaredWattHours: Int64
    /// Σ metered over every reading of the trace, Wh.
    public var meteredWattHours: Int64
    /// Mean of declared − metered over the declared intervals, Wh (the plain signed error).
    public var meanErrorWattHours: Double
    /// Revealed orders whose interval has no meter reading for this participant (not audited).
    public var unmeteredDeclarations: Int
    public var buy: SideStatistics?
    public var sell: SideStatistics?

    public var flagged: Bool { (buy?.flagged ?? false) || (sell?.flagged ?? false) }

    /// The strategies the flagged sides point to, sell side first.
    public var suspectedStrategies: [String] {
        [sell, buy].compactMap { $0 }.filter(\.flagged).map(\.side.suspectedStrategy)
    }

    /// The participant's figures (the `audit_finding` payload of a flagged participant).
    public var json: CanonicalJSON { AuditFindingEvent(self).canonical }
}

/// The audit's result for one trace (or event stream).
public struct AuditReport: Sendable, Equatable {
    public var rule: AuditRule
    public var participants: [ParticipantAudit]
    /// Flagged participant ids, ascending.
    public var flagged: [Int]
    public var baselines: [PopulationBaseline]
    public var declarationCount: Int
    public var meterCount: Int
    /// Set when the audit had nothing to judge (e.g. a no-P2P trace has no orders).
    public var note: String?

    public func participant(_ id: Int) -> ParticipantAudit? { participants.first { $0.participant == id } }

    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "rule": rule.json, "participants": .array(participants.map(\.json)),
            "flagged": .array(flagged.map { .int(Int64($0)) }), "baselines": .array(baselines.map(\.json)),
            "orders_revealed": .int(Int64(declarationCount)), "meter_readings": .int(Int64(meterCount)),
        ]
        if let note { members["note"] = .string(note) }
        return .object(members)
    }
}

public enum DeclarationAudit {
    /// Audits a stream of events (only `order_revealed` and `meter_reading` are read).
    public static func audit<Events: Sequence>(events: Events, rule: AuditRule = .standard) throws(AuditError) -> AuditReport
    where Events.Element == AuditEvent {
        try audit(ledger: try DeclarationLedger(events: events), rule: rule)
    }

    /// Audits extracted declarations and meter readings; throws on duplicate meter readings.
    public static func audit(ledger: DeclarationLedger, rule: AuditRule = .standard) throws(AuditError) -> AuditReport {
        let joined = try join(ledger)
        var report = AuditReport(rule: rule, participants: [], flagged: [], baselines: [],
                                 declarationCount: ledger.declarations.count, meterCount: ledger.meters.count, note: nil)
        let buySamples = joined.map(\.buy), sellSamples = joined.map(\.sell)
        let buyBaseline = populationBaseline(side: .buy, samples: buySamples, rule: rule)
        let sellBaseline = populationBaseline(side: .sell, samples: sellSamples, rule: rule)
        report.baselines = [buyBaseline, sellBaseline]
        for entry in joined {
            var audit = entry.summary
            if !entry.buy.values.isEmpty { audit.buy = entry.buy.statistics(side: .buy, baseline: buyBaseline, rule: rule) }
            if !entry.sell.values.isEmpty { audit.sell = entry.sell.statistics(side: .sell, baseline: sellBaseline, rule: rule) }
            report.participants.append(audit)
        }
        report.flagged = report.participants.filter(\.flagged).map(\.participant)
        if ledger.declarations.isEmpty {
            report.note = "no orders were revealed in this trace (a no-P2P run, or no trading): nothing was declared, so there is nothing to audit and no findings"
        } else if ledger.meters.isEmpty {
            report.note = "the trace has orders but no meter readings: declarations cannot be checked, no findings"
        }
        return report
    }

    /// Per participant: the summary figures and the per-side over-declaration samples.
    struct JoinedParticipant {
        var summary: ParticipantAudit
        var buy = SideSample()
        var sell = SideSample()
    }

    /// Merge-joins declarations (summed per participant and interval) with meter readings, both
    /// sorted by (participant, interval); no hashing, so the result never depends on hash order.
    static func join(_ ledger: DeclarationLedger) throws(AuditError) -> [JoinedParticipant] {
        let declarations = ledger.declarations.sorted { ($0.participant, $0.interval, $0.seq) < ($1.participant, $1.interval, $1.seq) }
        let meters = ledger.meters.sorted { ($0.participant, $0.interval, $0.seq) < ($1.participant, $1.interval, $1.seq) }
        try rejectDuplicateReadings(meters)
        var result: [JoinedParticipant] = []
        var d = 0, m = 0
        for participant in uniqueParticipants(declarations.map(\.participant) + meters.map(\.participant)) {
            let declarationStart = d, meterStart = m
            while d < declarations.count, declarations[d].participant == participant { d += 1 }
            while m < meters.count, meters[m].participant == participant { m += 1 }
            result.append(joinParticipant(participant, declarations: declarations[declarationStart..<d], meters: meters[meterStart..<m]))
        }
        return result
    }

    /// Sorted ids without repeats.
    static func uniqueParticipants(_ ids: [Int]) -> [Int] {
        var unique: [Int] = []
        for id in ids.sorted() where unique.last != id { unique.append(id) }
        return unique
    }

    /// Throws at the later of two readings for the same home and interval (`meters` sorted).
    static func rejectDuplicateReadings(_ meters: [MeterRecord]) throws(AuditError) {
        for index in meters.indices.dropFirst()
        where meters[index].participant == meters[index - 1].participant && meters[index].interval == meters[index - 1].interval {
            throw .duplicateMeterReading(seq: max(meters[index].seq, meters[index - 1].seq), participant: meters[index].participant,
                                         interval: meters[index].interval)
        }
    }

    /// One participant's declarations and readings (each sorted by interval) joined interval by interval.
    static func joinParticipant(_ participant: Int, declarations: ArraySlice<DeclarationRecord>,
                                meters: ArraySlice<MeterRecord>) -> JoinedParticipant {
        var entry = JoinedParticipant(summary: ParticipantAudit(
            participant: participant, declaredIntervals: 0, declaredWattHours: 0, meteredWhenDeclaredWattHours: 0,
            meteredWattHours: 0, meanErrorWattHours: 0, unmeteredDeclarations: 0))
        for reading in meters { entry.summary.meteredWattHours += reading.meteredWattHours }
        var errorSum = 0.0
        var d = declarations.startIndex, cursor = meters.startIndex
        while d < declarations.endIndex {
            let interval = declarations[d].interval
            var declared: Int64 = 0, orders = 0
            while d < declarations.endIndex, declarations[d].interval == interval {
                declared += declarations[d].declaredWattHours
                orders += 1
                d += 1
            }
            while cursor < meters.endIndex, meters[cursor].interval < interval { cursor += 1 }
            guard cursor < meters.endIndex, meters[cursor].interval == interval else {
                entry.summary.unmeteredDeclarations += orders
                continue
            }
            let metered = meters[cursor].meteredWattHours
            entry.summary.declaredIntervals += 1
            entry.summary.declaredWattHours += declared
            entry.summary.meteredWhenDeclaredWattHours += metered
            errorSum += Double(declared - metered)
            if declared > 0 { entry.buy.values.append(Double(declared - metered)) }
            if declared < 0 { entry.sell.values.append(Double(metered - declared)) }
        }
        if entry.summary.declaredIntervals > 0 { entry.summary.meanErrorWattHours = errorSum / Double(entry.summary.declaredIntervals) }
        return entry
    }
}
