// Owns the flat CSV export of a trace: one CSV per event kind with `seq`, `time_ms`, `actor` and a
// column per payload field (unit in the column name), every payload read with its kind's type first
// (so a malformed payload is an error naming seq, kind and field, never an empty cell).
import Foundation
import Kernel
import Trace

public enum FlatExport {
    /// The kind names `--kind` accepts; throws naming the first unknown one.
    public static func kinds(_ names: [String]) throws(PayloadError) -> [EventKind] {
        try names.map { name throws(PayloadError) in
            guard let kind = EventKind(rawValue: name) else {
                throw PayloadError(seq: 0, kind: name, field: "kind",
                                   why: "is not an event kind (known: \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return kind
        }
    }

    /// Writes `<kind>.csv` into `directory` for every kind in `kinds` (every kind present when nil)
    /// and returns the paths written, in `EventKind` order. Kinds selected but absent get a header-only file.
    public static func writeCSV(tracePath: String, kinds: [EventKind]?, directory: String) throws -> [String] {
        let types = TracePayloads.types
        var rows = [[String]](repeating: [], count: types.count)
        var present = [Bool](repeating: false, count: types.count)
        let reader = try TraceReader(path: tracePath)
        try reader.forEachEvent { event in
            guard let index = types.firstIndex(where: { $0.kind.rawValue == event.kind }) else {
                throw PayloadError(seq: event.seq, kind: event.kind, field: "kind", why: "is not an event kind of this engine")
            }
            guard kinds?.contains(types[index].kind) ?? true else { return true }
            present[index] = true
            rows[index].append(try row(event, type: types[index]))
            return true
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for (index, type) in types.enumerated() where present[index] || (kinds?.contains(type.kind) ?? false) {
            let path = (directory as NSString).appendingPathComponent(type.kind.rawValue + ".csv")
            let header = (["seq", "time_ms", "actor"] + type.schema.fields.map(\.column)).joined(separator: ",")
            let text = ([header] + rows[index]).joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            written.append(path)
        }
        return written
    }

    /// One CSV line: the event's seq, time and actor, then each field (empty when an optional field is absent).
    static func row(_ event: TraceEvent, type: any EventPayload.Type) throws(PayloadError) -> String {
        let json = try event.payloadJSON()
        _ = try type.init(reading: json, seq: event.seq)  // validates every field before flattening
        guard case .object(let members) = json else { return "" }
        var cells = [String(event.seq), String(event.timeMilliseconds), csvCell(event.actor)]
        for field in type.schema.fields { cells.append(members[field.key].map(cell) ?? "") }
        return cells.joined(separator: ",")
    }

    /// A value as a CSV cell: numbers and booleans bare, strings quoted when needed, arrays and
    /// objects as their canonical JSON text.
    static func cell(_ value: CanonicalJSON) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? CanonicalJSON.format(number) : number.isNaN ? "NaN" : number > 0 ? "inf" : "-inf"
        case .string(let text): return csvCell(text)
        case .array, .object: return csvCell(value.text)
        }
    }

    /// RFC 4180 quoting when the text has a comma, quote or line break.
    static func csvCell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
