// Owns what differs inside the first differing event of two traces, field by field from the kind's
// typed payload schema (each value exact, with its unit), and how an event is shown to people in a
// diff: seq, HH:MM, kind, actor, and its payload fields rounded with their units.
import Foundation
import Kernel
import Trace

enum EventFieldComparison {
    /// The fields that differ between A's and B's event at the same seq (either may be missing
    /// because its trace ended).
    static func differences(_ a: ComparedEvent?, _ b: ComparedEvent?) -> [TraceFieldDifference] {
        guard let a, let b else {
            let present = a ?? b
            let missing = TraceFieldDifference(field: "event", a: a.map(EventLine.text), b: b.map(EventLine.text),
                                               note: (a == nil ? "A" : "B") + " ends before seq \(present?.seq ?? 0)")
            return [missing]
        }
        var out: [TraceFieldDifference] = []
        if a.timeMilliseconds != b.timeMilliseconds {
            out.append(TraceFieldDifference(field: "time", a: HumanFormat.clock(milliseconds: a.timeMilliseconds),
                                            b: HumanFormat.clock(milliseconds: b.timeMilliseconds),
                                            note: "B \(signed(Double(b.timeMilliseconds - a.timeMilliseconds))) ms"))
        }
        if a.kind != b.kind { out.append(TraceFieldDifference(field: "kind", a: a.kind, b: b.kind)) }
        if a.actor != b.actor { out.append(TraceFieldDifference(field: "actor", a: a.actor, b: b.actor)) }
        guard a.payload != b.payload else { return out }
        guard a.kind == b.kind else {
            // Different kinds: their payloads have different fields, so they are shown whole.
            out.append(TraceFieldDifference(field: "payload", a: clipped(a.payload), b: clipped(b.payload)))
            return out
        }
        return out + payloadDifferences(a, b)
    }

    /// Field by field, in the kind's schema order, then any field the schema does not name.
    static func payloadDifferences(_ a: ComparedEvent, _ b: ComparedEvent) -> [TraceFieldDifference] {
        let jsonA = try? parsePayloadJSON(a.payload), jsonB = try? parsePayloadJSON(b.payload)
        guard case .object(let x)? = jsonA, case .object(let y)? = jsonB else {
            return [TraceFieldDifference(field: "payload", a: clipped(a.payload), b: clipped(b.payload),
                                         note: "not both JSON objects")]
        }
        var out: [TraceFieldDifference] = []
        let schema = TracePayloads.type(of: a.kind)?.schema.fields ?? []
        let named = schema.map(\.key)
        let keys = named + (Array(x.keys) + Array(y.keys)).filter { !named.contains($0) }.sorted()  // determinism: sorted
        var seen: [String] = []
        for key in keys where !seen.contains(key) {
            seen.append(key)
            guard x[key] != y[key] else { continue }
            out.append(field(key, x[key], y[key], unit: schema.first { $0.key == key }?.unit))
        }
        // A payload that does not read as its kind is named, so a damaged field is not mistaken for a changed one.
        if let type = TracePayloads.type(of: a.kind) {
            for (side, json, seq) in [("A", x, a.seq), ("B", y, b.seq)] {
                do throws(PayloadError) {
                    _ = try type.init(reading: .object(json), seq: seq)
                } catch {
                    out.append(TraceFieldDifference(field: error.field, a: nil, b: nil,
                                                    note: "\(side)'s payload does not read as \(a.kind): \(error.why)"))
                }
            }
        }
        return out
    }

    /// One differing field: exact values with the unit; for numbers the difference, for arrays the
    /// first differing entry and how many differ.
    static func field(_ key: String, _ x: CanonicalJSON?, _ y: CanonicalJSON?, unit: String?) -> TraceFieldDifference {
        let suffix = unit.map { " " + $0 } ?? ""
        if case .array(let left)? = x, case .array(let right)? = y {
            let differing = left.indices.filter { $0 < right.count && left[$0] != right[$0] }
            let sizes = left.count == right.count ? "" : "\(left.count) entries in A, \(right.count) in B; "
            guard let index = differing.first else {
                return TraceFieldDifference(field: key, a: "\(left.count) entries", b: "\(right.count) entries", note: sizes + "the common entries agree")
            }
            var entry = field("\(key)[\(index)]", left[index], right[index], unit: unit)
            entry.note = sizes + "\(differing.count) of \(min(left.count, right.count)) entries differ" + (entry.note.map { "; first: " + $0 } ?? "")
            return entry
        }
        let note: String? = number(x).flatMap { a in number(y).map { b in "B " + signed(b - a) + suffix } }
        return TraceFieldDifference(field: key, a: x.map { exact($0) + suffix }, b: y.map { exact($0) + suffix }, note: note)
    }

    static func number(_ value: CanonicalJSON?) -> Double? {
        switch value {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: return nil
        }
    }

    /// A value exactly as stored (doubles in shortest round-trip form).
    static func exact(_ value: CanonicalJSON) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        case .double(let d): return d.description
        default: return clipped(value.text)
        }
    }

    /// "+0.25", "−3" (a difference, its sign always shown; exact unless it is long).
    static func signed(_ value: Double) -> String {
        let magnitude = value.magnitude == value.magnitude.rounded() && value.magnitude < 1e15
            ? String(Int64(value.magnitude)) : value.magnitude.description
        return (value < 0 ? "−" : "+") + magnitude
    }

    static func clipped(_ text: String, _ limit: Int = 160) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// An event as a diff shows it to people: `seq 120 00:05 powerflow_iteration grid iteration=2 max_dv=0.0012 pu`.
public enum EventLine {
    /// Fields shown per event before the line is cut.
    static let maximumCharacters = 200

    public static func text(_ event: ComparedEvent) -> String {
        var line = "seq \(event.seq) \(HumanFormat.clock(milliseconds: event.timeMilliseconds)) \(event.kind) \(event.actor)"
        guard case .object(let members)? = try? parsePayloadJSON(event.payload) else {
            return EventFieldComparison.clipped(line + " " + event.payload, maximumCharacters)
        }
        let schema = TracePayloads.type(of: event.kind)?.schema.fields ?? []
        let named = schema.map(\.key).filter { members[$0] != nil }
        let keys = named + members.keys.filter { !named.contains($0) }.sorted()  // determinism: sorted
        for key in keys {
            guard let value = members[key] else { continue }
            let unit = schema.first { $0.key == key }?.unit
            line += " \(key)=" + shown(value, unit: unit == key ? nil : unit)  // `bytes=80`, not `bytes=80 bytes`
        }
        return EventFieldComparison.clipped(line, maximumCharacters)
    }

    /// A value rounded for reading: prices in token/kWh, per-unit voltages to 4 decimals, other
    /// quantities to 3 (tiny ones in scientific notation), long arrays by their length.
    static func shown(_ value: CanonicalJSON, unit: String?) -> String {
        switch value {
        case .int(let i):
            if unit == "µtoken/Wh" { return HumanFormat.price(microTokensPerWattHour: i) }
            return unit.map { HumanFormat.quantity(i, $0) } ?? String(i)
        case .double(let d):
            let decimals = unit == "pu" ? 4 : 3
            let rounded = HumanFormat.number(d, decimals: decimals)
            let text = d != 0 && d.isFinite && d.magnitude < 0.5e-3 && unit != "pu" ? String(format: "%.2e", d) : rounded
            return unit.map { text + " " + $0 } ?? text
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array(let items):
            guard items.count <= 4 else { return "[\(items.count) values]" }
            return "[" + items.map { shown($0, unit: unit) }.joined(separator: ", ") + "]"
        case .object: return EventFieldComparison.clipped(value.text, 40)
        }
    }
}
