// Owns the plain data the caller hands to the report for its verification and audit sections, so
// the report does not depend on how those results were computed (the Verify module fills them).

/// The outcome of one verification check.
public enum ReportCheckStatus: String, Sendable, CaseIterable {
    case pass
    case fail
    case warning
    case skipped

    /// The label shown in the report.
    public var label: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "FAIL"
        case .warning: return "warning"
        case .skipped: return "skipped"
        }
    }

    /// How a count of checks with this status reads ("2 failed").
    var countPhrase: String {
        switch self {
        case .pass: return "passed"
        case .fail: return "failed"
        case .warning: return "warned"
        case .skipped: return "skipped"
        }
    }
}

/// One row of the verification summary: a check, its status, and a sentence of detail.
public struct ReportCheck: Sendable, Equatable {
    public var name: String
    public var status: ReportCheckStatus
    public var detail: String

    public init(name: String, status: ReportCheckStatus, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// One participant's line in the audit summary (energies over the day, kWh).
public struct ReportAuditRow: Sendable, Equatable {
    public var participant: Int
    /// Energy declared in contracts, kWh.
    public var declaredKilowattHours: Double
    /// Energy the smart meter measured against those contracts, kWh.
    public var meteredKilowattHours: Double
    /// The audit rule's test statistic (its meaning is given in the audit's notes).
    public var score: Double
    public var flagged: Bool

    public init(participant: Int, declaredKilowattHours: Double, meteredKilowattHours: Double, score: Double, flagged: Bool) {
        self.participant = participant
        self.declaredKilowattHours = declaredKilowattHours
        self.meteredKilowattHours = meteredKilowattHours
        self.score = score
        self.flagged = flagged
    }
}

/// The audit summary: who was flagged and, when the trace carries ground truth, how well.
public struct ReportAudit: Sendable, Equatable {
    /// Flagged participant ids (any order; shown sorted).
    public var flaggedParticipants: [Int]
    /// Share of flagged participants that are true adversaries, 0…1; nil without ground truth.
    public var precision: Double?
    /// Share of true adversaries that were flagged, 0…1; nil without ground truth.
    public var recall: Double?
    /// Free-text lines (the rule, its threshold, caveats).
    public var notes: [String]
    /// Optional per-participant detail (e.g. the flagged ones and the closest unflagged ones).
    public var rows: [ReportAuditRow]

    public init(flaggedParticipants: [Int], precision: Double? = nil, recall: Double? = nil,
                notes: [String] = [], rows: [ReportAuditRow] = []) {
        self.flaggedParticipants = flaggedParticipants
        self.precision = precision
        self.recall = recall
        self.notes = notes
        self.rows = rows
    }
}
