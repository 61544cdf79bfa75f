// Owns scoring the audit against ground truth: reading the header's `groundTruth` JSON and computing
// precision and recall. Only called after the audit has decided; the audit never sees this.
import Kernel

/// One adversary named by the ground truth.
public struct GroundTruthAdversary: Sendable, Equatable {
    public var participant: Int
    public var strategy: String

    public init(participant: Int, strategy: String) {
        self.participant = participant
        self.strategy = strategy
    }
}

/// Parses the header's ground truth, `{"adversaries":[{"participant":3,"strategy":"phantom_buyer"}, …]}`.
/// Returns nil when the header carries none (`{}` or empty text): then there is nothing to score.
public func parseGroundTruth(_ text: String) throws(AuditError) -> [GroundTruthAdversary]? {
    guard !text.isEmpty else { return nil }
    let value: CanonicalJSON
    do { value = try parsePayloadJSON(text) } catch { throw .malformedGroundTruth(why: "\(error)") }
    guard case .object(let members) = value else { throw .malformedGroundTruth(why: "not a JSON object") }
    guard let list = members["adversaries"] else { return nil }
    guard case .array(let items) = list else { throw .malformedGroundTruth(why: "\"adversaries\" is not an array") }
    var adversaries: [GroundTruthAdversary] = []
    for (index, item) in items.enumerated() {
        guard case .object(let fields) = item, case .int(let participant)? = fields["participant"],
              case .string(let strategy)? = fields["strategy"] else {
            throw .malformedGroundTruth(why: "adversaries[\(index)] needs an integer \"participant\" and a string \"strategy\"")
        }
        adversaries.append(GroundTruthAdversary(participant: Int(participant), strategy: strategy))
    }
    return adversaries.sorted { $0.participant < $1.participant }
}

/// Confusion counts of flagged ids against true adversaries, and the derived rates.
///
/// Conventions for empty sets, so a clean run scores perfectly: precision is 1 when nothing is
/// flagged (no false accusation), recall is 1 when there is no adversary (nothing missed).
public struct AuditScore: Sendable, Equatable {
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    public init(flagged: [Int], adversaries: [Int]) {
        let truth = adversaries.sorted(), flags = flagged.sorted()
        let hits = flags.filter { truth.contains($0) }.count
        self.init(truePositives: hits, falsePositives: flags.count - hits, falseNegatives: truth.count - hits)
    }

    public var precision: Double {
        truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
    }

    public var recall: Double {
        truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives)
    }

    /// Pools counts (micro-average over seeds).
    public static func + (a: AuditScore, b: AuditScore) -> AuditScore {
        AuditScore(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                   falseNegatives: a.falseNegatives + b.falseNegatives)
    }

    public var json: CanonicalJSON {
        ["precision": .double(precision), "recall": .double(recall), "true_positives": .int(Int64(truePositives)),
         "false_positives": .int(Int64(falsePositives)), "false_negatives": .int(Int64(falseNegatives))]
    }
}
