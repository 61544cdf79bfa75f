// Owns how a trace diff is shown: text for people (headers first, then the first difference with
// its context, then kinds and run figures after it, then the verdict) and canonical JSON for tools.
import Kernel
import Trace

public enum TraceDiffReport {
    /// The diff as lines of text; the last line is the verdict (`identical: …` or `different: …`).
    public static func text(_ result: TraceDiffResult) -> String {
        var lines = ["A: \(side(result.a))", "B: \(side(result.b))"] + result.notes.map { "note: " + $0 }
        if !result.headers.isEmpty {
            lines.append("headers differ:")
            for header in result.headers {
                lines.append("  \(header.field): \(header.a) → \(header.b)")
                lines += header.lines.map { "    " + $0 }
            }
        }
        if let divergence = result.divergence {
            lines += divergenceLines(divergence)
            lines += kindLines(result)
        }
        lines += metricLines(result)
        lines.append(verdict(result))
        return lines.joined(separator: "\n")
    }

    static func side(_ side: TraceDiffSide) -> String {
        let status: String
        switch side.status {
        case .sealed: status = "sealed"
        case .incomplete(let seq): status = "incomplete at seq \(seq): a crashed run's prefix"
        case .corrupt(let seq, let reason):
            status = "corrupt at seq \(seq): \(reason); " + (seq > 1 ? "compared up to seq \(seq - 1) only" : "no event compared")
        }
        return "\(side.path) (\(status), \(side.events) events)"
    }

    static func divergenceLines(_ d: TraceDivergence) -> [String] {
        let at = d.a ?? d.b
        var lines = ["first difference at seq \(d.seq)" + (at.map { " (\(HumanFormat.clock(milliseconds: $0.timeMilliseconds)), \($0.kind))" } ?? "")
                     + ": " + d.fields.map(\.field).joined(separator: ", ")]
        for field in d.fields {
            lines.append("  \(field.field): \(field.a ?? "(none)") → \(field.b ?? "(none)")" + (field.note.map { "  (\($0))" } ?? ""))
        }
        if !d.before.isEmpty {
            lines.append("  before (the same in both):")
            lines += d.before.map { "    " + EventLine.text($0) }
        }
        lines.append("  A: " + (d.a.map(EventLine.text) ?? "(trace ends)"))
        lines.append("  B: " + (d.b.map(EventLine.text) ?? "(trace ends)"))
        if !d.afterA.isEmpty { lines.append("  after, in A:"); lines += d.afterA.map { "    " + EventLine.text($0) } }
        if !d.afterB.isEmpty { lines.append("  after, in B:"); lines += d.afterB.map { "    " + EventLine.text($0) } }
        return lines
    }

    /// The kinds whose counts differ from the first difference on (A → B), and how many agree.
    static func kindLines(_ result: TraceDiffResult) -> [String] {
        let differing = result.kinds.filter { $0.a != $0.b }
        var lines = ["events by kind from seq \(result.countsFromSeq) on (A → B): \(differing.count) of \(result.kinds.count) kinds differ"]
        let width = differing.map(\.kind.count).max() ?? 0
        lines += differing.map {
            "  " + $0.kind.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  \($0.a) → \($0.b) (\(EventFieldComparison.signed(Double($0.b - $0.a))))"
        }
        return lines
    }

    /// Every run figure, A → B, the differing ones marked `≠` with the change.
    static func metricLines(_ result: TraceDiffResult) -> [String] {
        let differing = result.metrics.filter(\.differs).count
        var lines = ["run figures (A → B): \(differing == 0 ? "all the same" : "\(differing) of \(result.metrics.count) differ")"]
        let width = result.metrics.map(\.metric.label.count).max() ?? 0
        for comparison in result.metrics {
            let metric = comparison.metric
            let label = metric.label.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(comparison.differs ? "≠" : "=") \(label)  \(value(comparison.a, metric))"
            if comparison.differs {
                line += " → \(value(comparison.b, metric))"
                if let a = comparison.a, let b = comparison.b {
                    line += " (\(b < a ? "−" : "+")\(HumanFormat.number((b - a).magnitude, decimals: metric.decimals)))"
                }
            }
            lines.append(line)
        }
        return lines
    }

    static func value(_ value: Double?, _ metric: TraceMetric) -> String {
        guard let value else { return "n/a" }
        let number = HumanFormat.number(value, decimals: metric.decimals)
        return metric.unit.isEmpty ? number : number + " " + metric.unit
    }

    /// `identical: …`, or `different: …` saying what differs.
    public static func verdict(_ result: TraceDiffResult) -> String {
        if result.identical { return "identical: the same header and the same \(result.a.events) events" }
        var what: [String] = []
        if !result.headers.isEmpty { what.append("headers (\(result.headers.map(\.field).joined(separator: ", ")))") }
        if let d = result.divergence { what.append("events from seq \(d.seq)") }
        if result.eventsIdentical && !result.headers.isEmpty { what.append("every one of the \(result.a.events) events is the same") }
        if result.damaged { what.append("a trace is corrupt, so only its verified events were compared") }
        return "different: " + what.joined(separator: "; ")
    }

    /// `{"status": "identical"|"different", "a", "b", "headers", "first_difference", "kinds_from_seq", "kinds", "metrics"}`.
    public static func json(_ result: TraceDiffResult) -> CanonicalJSON {
        func sideJSON(_ side: TraceDiffSide) -> CanonicalJSON {
            var object: [String: CanonicalJSON] = ["path": .string(side.path), "events": .int(side.events)]
            switch side.status {
            case .sealed: object["status"] = "sealed"
            case .incomplete(let seq): object["status"] = "incomplete"; object["seq"] = .int(seq)
            case .corrupt(let seq, let reason): object["status"] = "corrupt"; object["seq"] = .int(seq); object["reason"] = .string(reason)
            }
            return .object(object)
        }
        var kindObject: [String: CanonicalJSON] = [:], metricObject: [String: CanonicalJSON] = [:]
        for count in result.kinds { kindObject[count.kind] = ["a": .int(count.a), "b": .int(count.b)] }
        for comparison in result.metrics {
            let metric = comparison.metric
            func number(_ value: Double?) -> CanonicalJSON {
                guard let value else { return .null }
                return metric.isCount || metric.unit == "µtoken" ? .int(Int64(value)) : .double(value)
            }
            metricObject[metric.key] = ["a": number(comparison.a), "b": number(comparison.b), "differs": .bool(comparison.differs)]
        }
        return [
            "status": .string(result.identical ? "identical" : "different"),
            "notes": .array(result.notes.map { .string($0) }),
            "events_identical": .bool(result.eventsIdentical),
            "a": sideJSON(result.a), "b": sideJSON(result.b),
            "headers": .array(result.headers.map {
                ["field": .string($0.field), "a": .string($0.a), "b": .string($0.b), "lines": .array($0.lines.map { .string($0) })]
            }),
            "first_difference": result.divergence.map(divergenceJSON) ?? .null,
            "kinds_from_seq": .int(result.countsFromSeq),
            "kinds": .object(kindObject),
            "metrics": .object(metricObject),
        ]
    }

    static func divergenceJSON(_ d: TraceDivergence) -> CanonicalJSON {
        [
            "seq": .int(d.seq),
            "fields": .array(d.fields.map {
                ["field": .string($0.field), "a": $0.a.map(CanonicalJSON.string) ?? .null, "b": $0.b.map(CanonicalJSON.string) ?? .null,
                 "note": $0.note.map(CanonicalJSON.string) ?? .null]
            }),
            "a": eventJSON(d.a), "b": eventJSON(d.b),
            "before": .array(d.before.map(eventJSON)),
            "after_a": .array(d.afterA.map(eventJSON)), "after_b": .array(d.afterB.map(eventJSON)),
        ]
    }

    /// An event as replay's JSON shows it (payload as an object).
    static func eventJSON(_ e: ComparedEvent?) -> CanonicalJSON {
        guard let e else { return .null }
        return ["seq": .int(e.seq), "time_ms": .int(e.timeMilliseconds), "kind": .string(e.kind), "actor": .string(e.actor),
                "payload": (try? parsePayloadJSON(e.payload)) ?? .string(e.payload)]
    }
}
