// Owns comparing two trace headers for `gridtrace diff`: the format and engine versions, the seed,
// the scenario (with the lines that differ), the feeder, the run's parameters (variant, intervals,
// feeder source) and the ground truth (which homes are adversaries), in that order.
import Kernel
import Trace

enum TraceHeaderComparison {
    /// At most this many differing scenario lines are listed.
    static let maximumScenarioLines = 20

    /// The header fields that differ, in header order.
    static func differences(_ a: TraceHeader, _ b: TraceHeader) -> [TraceHeaderDifference] {
        var out: [TraceHeaderDifference] = []
        func add(_ field: String, _ x: String, _ y: String) {
            if x != y { out.append(TraceHeaderDifference(field: field, a: x, b: y)) }
        }
        add("format_version", String(a.formatVersion), String(b.formatVersion))
        add("engine_version", a.engineVersion, b.engineVersion)
        add("seed", String(a.seed), String(b.seed))
        if a.scenarioText != b.scenarioText {
            out.append(TraceHeaderDifference(field: "scenario", a: "SHA-256 " + String(a.scenarioSHA256.prefix(16)) + "…",
                                             b: "SHA-256 " + String(b.scenarioSHA256.prefix(16)) + "…",
                                             lines: changedLines(a.scenarioText, b.scenarioText)))
        }
        add("feeder", feederLabel(a), feederLabel(b))
        let parametersA = members(a.parameters), parametersB = members(b.parameters)
        if let parametersA, let parametersB {
            var keys: [String] = []
            for key in (parametersA + parametersB).map({ $0.key }).sorted() where keys.last != key { keys.append(key) }
            for key in keys {
                add(key, parametersA.first { $0.key == key }.map { text($0.value) } ?? "(none)",
                    parametersB.first { $0.key == key }.map { text($0.value) } ?? "(none)")
            }
        } else {
            add("parameters", a.parameters, b.parameters)
        }
        if a.groundTruth != b.groundTruth { add("ground_truth", groundTruthLabel(a.groundTruth), groundTruthLabel(b.groundTruth)) }
        return out
    }

    /// The lines between the common beginning and the common end of the two texts: `- ` lines of
    /// A, then `+ ` lines of B (a scenario differs in a few keys, so this is the change itself).
    static func changedLines(_ a: String, _ b: String) -> [String] {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        var head = 0
        while head < x.count, head < y.count, x[head] == y[head] { head += 1 }
        var tail = 0
        while tail < x.count - head, tail < y.count - head, x[x.count - 1 - tail] == y[y.count - 1 - tail] { tail += 1 }
        let removed = x[head..<(x.count - tail)].map { "- " + $0 }, added = y[head..<(y.count - tail)].map { "+ " + $0 }
        let all = removed + added
        guard all.count > maximumScenarioLines else { return all }
        return Array(all.prefix(maximumScenarioLines)) + ["… \(all.count - maximumScenarioLines) more lines differ"]
    }

    static func feederLabel(_ header: TraceHeader) -> String {
        let digest = header.feederDigest.isEmpty ? "(no digest)" : String(header.feederDigest.prefix(16)) + "…"
        let files = header.feederFiles.isEmpty ? "" : ", \(header.feederFiles.count) stored files"
        return digest + (header.feederEntry.isEmpty ? "" : " (\(header.feederEntry)\(files))")
    }

    /// The members of a JSON object text, by key; nil when it is not one.
    static func members(_ text: String) -> [(key: String, value: CanonicalJSON)]? {
        guard case .object(let members)? = try? parsePayloadJSON(text) else { return nil }
        return members.keys.sorted().map { ($0, members[$0] ?? .null) }  // determinism: sorted
    }

    static func text(_ value: CanonicalJSON) -> String {
        if case .string(let string) = value { return string }
        return value.text
    }

    /// "4 adversaries: home:2 overstating_seller, home:6 phantom_buyer, …" (the raw text when it
    /// does not read as the recorded adversaries).
    static func groundTruthLabel(_ text: String) -> String {
        guard let members = members(text), let entry = members.first(where: { $0.key == "adversaries" }),
              case .array(let items) = entry.value else { return String(text.prefix(200)) }
        let named = items.map { item -> String in
            guard case .object(let fields) = item, case .int(let participant)? = fields["participant"] else { return item.text }
            let strategy = fields["strategy"].map(Self.text) ?? ""
            return HumanFormat.participant(Int(clamping: participant)) + (strategy.isEmpty ? "" : " " + strategy)
        }
        let shown = named.prefix(12).joined(separator: ", ") + (named.count > 12 ? ", …" : "")
        return "\(items.count) adversaries" + (items.isEmpty ? "" : ": " + shown)
    }
}
