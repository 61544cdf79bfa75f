// Owns the per-kind SQLite views inside a trace: one view per event kind (named after the kind)
// with `seq`, `time_ms`, `actor` and one column per payload field, extracted from the canonical JSON
// with SQLite's JSON1 functions, so `SELECT * FROM meter_reading` (or pandas.read_sql) needs no
// JSON handling. Created by the writer with the schema; readers never write (views are not hashed).
import Kernel

public enum TraceViews {
    /// `CREATE VIEW` statements for `schemas` (one per kind; a kind listed twice is created once).
    public static func createStatements(_ schemas: [PayloadSchema]) -> String {
        var seen: [EventKind] = []
        var sql = ""
        for schema in schemas where !seen.contains(schema.kind) {
            seen.append(schema.kind)
            sql += createStatement(schema) + "\n"
        }
        return sql
    }

    /// One view: `seq, time_ms, actor, <column per field>` of the kind's events in seq order.
    public static func createStatement(_ schema: PayloadSchema) -> String {
        var columns = ["seq", "time_ms", "actor"]
        for field in schema.fields {
            let path = "$.\"" + field.key + "\""
            columns.append("json_extract(payload, \(literal(path))) AS \(identifier(field.column))")
        }
        return "CREATE VIEW \(identifier(schema.kind.rawValue)) AS SELECT " + columns.joined(separator: ", ")
            + " FROM events WHERE kind = \(literal(schema.kind.rawValue)) ORDER BY seq;"
    }

    /// A quoted SQL identifier.
    static func identifier(_ name: String) -> String { "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }

    /// A quoted SQL string literal.
    static func literal(_ text: String) -> String { "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'" }
}
