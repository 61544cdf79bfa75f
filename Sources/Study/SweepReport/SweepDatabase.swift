// Owns reading sweep.sqlite (the schema of the sweep contract, format 1) for the sweep report:
// read-only, every table checked to exist, the format checked, and every number checked to be a
// finite number where it is read, so a report never draws from a NaN, a text or a foreign file.
import CSQLite
import Foundation

/// Why the sweep report cannot read a sweep folder's results.
public struct SweepReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file, with the table and row when a value is at fault.
    public var location: String
    public var reason: String
    public var description: String { "\(location): \(reason)" }
}

/// Seeds a run's subsystems used.
public struct SweepSeeds: Sendable, Equatable {
    public var root, grid, profiles, market, chain, adversaries: Int64?
}

/// One row of `runs`.
public struct SweepRun: Sendable, Equatable {
    public var index: Int
    public var folder: String
    public var status: String
    public var error: String?
    public var wallSeconds: Double?
    public var engine: String?
    public var seeds: SweepSeeds
}

/// One row of `run_parameters`.
public struct SweepParameterValue: Sendable, Equatable {
    public var runIndex: Int
    public var key: String
    public var value: String
    public var numericValue: Double?
}

/// One row of `run_metrics`.
public struct SweepMetricValue: Sendable, Equatable {
    public var runIndex: Int
    public var variant: String
    public var metric: String
    public var value: Double
}

/// One row of `run_traces`.
public struct SweepTrace: Sendable, Equatable {
    public var runIndex: Int
    public var variant: String
    public var path: String
    public var verified: Bool?
}

/// Everything sweep.sqlite holds, in index order.
public struct SweepResults: Sendable {
    /// The `sweep` table's (key, value) rows, sorted by key.
    public var settings: [(key: String, value: String)]
    public var runs: [SweepRun]
    public var parameters: [SweepParameterValue]
    public var metrics: [SweepMetricValue]
    public var traces: [SweepTrace]

    public func setting(_ key: String) -> String? { settings.first { $0.key == key }?.value }
}

enum SweepDatabase {
    static let tables = ["sweep", "runs", "run_parameters", "run_metrics", "run_traces"]

    /// Reads `path` (a sweep.sqlite of format 1).
    static func read(path: String) throws(SweepReportError) -> SweepResults {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw SweepReportError(location: path, reason: "no sweep results here (run `gridtrace sweep collect` on the sweep folder first)")
        }
        let database = try SweepDatabaseConnection(path: path)
        let present = try database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) ?? "" }
        if let missing = tables.first(where: { !present.contains($0) }) {
            throw SweepReportError(location: path, reason: "not a sweep.sqlite: it has no table \"\(missing)\"")
        }
        let settings = try database.rows("SELECT key, value FROM sweep ORDER BY key") { ($0.text(0) ?? "", $0.text(1) ?? "") }
        let format = settings.first { $0.0 == "format" }?.1
        guard format == "1" else {
            throw SweepReportError(location: path + " (sweep.format)",
                                   reason: "format \(format.map { "\"\($0)\"" } ?? "missing"); this gridtrace reads format 1")
        }
        return SweepResults(settings: settings.map { (key: $0.0, value: $0.1) }, runs: try readRuns(database, path: path),
                            parameters: try readParameters(database, path: path), metrics: try readMetrics(database, path: path),
                            traces: try readTraces(database, path: path))
    }

    static func readRuns(_ database: SweepDatabaseConnection, path: String) throws(SweepReportError) -> [SweepRun] {
        let sql = "SELECT run_index, folder, status, error, wall_seconds, engine, seed_root, seed_grid, seed_profiles, seed_market, "
            + "seed_chain, seed_adversaries FROM runs ORDER BY run_index"
        return try database.rows(sql) { row throws(SweepReportError) in
            let index = try row.runIndex(0, table: "runs", path: path)
            let wall = try row.finite(4, optional: true, location: "\(path) (runs, run \(index), wall_seconds)")
            return SweepRun(index: index, folder: row.text(1) ?? "", status: row.text(2) ?? "", error: row.text(3), wallSeconds: wall,
                            engine: row.text(5), seeds: SweepSeeds(root: row.optionalInt(6), grid: row.optionalInt(7), profiles: row.optionalInt(8),
                                                                   market: row.optionalInt(9), chain: row.optionalInt(10), adversaries: row.optionalInt(11)))
        }
    }

    static func readParameters(_ database: SweepDatabaseConnection, path: String) throws(SweepReportError) -> [SweepParameterValue] {
        try database.rows("SELECT run_index, key, value, numeric_value FROM run_parameters ORDER BY run_index, key") { row throws(SweepReportError) in
            let index = try row.runIndex(0, table: "run_parameters", path: path), key = row.text(1) ?? ""
            let number = try row.finite(3, optional: true, location: "\(path) (run_parameters, run \(index), \(key))")
            return SweepParameterValue(runIndex: index, key: key, value: row.text(2) ?? "", numericValue: number)
        }
    }

    static func readMetrics(_ database: SweepDatabaseConnection, path: String) throws(SweepReportError) -> [SweepMetricValue] {
        try database.rows("SELECT run_index, variant, metric, value FROM run_metrics ORDER BY run_index, variant, metric") { row throws(SweepReportError) in
            let index = try row.runIndex(0, table: "run_metrics", path: path), variant = row.text(1) ?? "", metric = row.text(2) ?? ""
            let value = try row.finite(3, optional: false, location: "\(path) (run_metrics, run \(index), \(variant), \(metric))")
            return SweepMetricValue(runIndex: index, variant: variant, metric: metric, value: value ?? 0)
        }
    }

    static func readTraces(_ database: SweepDatabaseConnection, path: String) throws(SweepReportError) -> [SweepTrace] {
        try database.rows("SELECT run_index, variant, path, verified FROM run_traces ORDER BY run_index, variant") { row throws(SweepReportError) in
            SweepTrace(runIndex: try row.runIndex(0, table: "run_traces", path: path), variant: row.text(1) ?? "", path: row.text(2) ?? "", verified: row.optionalInt(3).map { $0 != 0 })
        }
    }
}

/// A read-only connection to sweep.sqlite.
final class SweepDatabaseConnection {
    let handle: OpaquePointer
    let path: String

    init(path: String) throws(SweepReportError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SweepReportError(location: path, reason: "cannot open as SQLite: \(message)")
        }
        handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    /// Every row of `sql`, each made by `make`.
    func rows<Row>(_ sql: String, _ make: (SweepDatabaseRow) throws(SweepReportError) -> Row) throws(SweepReportError) -> [Row] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw SweepReportError(location: path, reason: "not a sweep.sqlite of the expected schema: \(String(cString: sqlite3_errmsg(handle)))")
        }
        defer { sqlite3_finalize(statement) }
        var out: [Row] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return out }
            guard rc == SQLITE_ROW else {
                throw SweepReportError(location: path, reason: "cannot read: \(String(cString: sqlite3_errmsg(handle)))")
            }
            out.append(try make(SweepDatabaseRow(statement: statement)))
        }
    }
}

/// The current row of a statement, with typed column readers.
struct SweepDatabaseRow {
    let statement: OpaquePointer

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    /// A run_index column: an integer 0…9999 (4-digit run folders).
    func runIndex(_ column: Int32, table: String, path: String) throws(SweepReportError) -> Int {
        let index = int(column)
        guard sqlite3_column_type(statement, column) == SQLITE_INTEGER, (0...9999).contains(index) else {
            throw SweepReportError(location: "\(path) (\(table))", reason: "run_index \"\(text(column) ?? "NULL")\" is not an integer 0…9999")
        }
        return index
    }

    func optionalInt(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    func text(_ column: Int32) -> String? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL, let pointer = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: pointer)
    }

    /// A number column that must hold a finite number (NULL allowed when `optional`).
    func finite(_ column: Int32, optional: Bool, location: String) throws(SweepReportError) -> Double? {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL:
            if optional { return nil }
            throw SweepReportError(location: location, reason: "the value is missing (NULL)")
        case SQLITE_INTEGER, SQLITE_FLOAT:
            let value = sqlite3_column_double(statement, column)
            guard value.isFinite else { throw SweepReportError(location: location, reason: "the value \(value) is not a finite number") }
            return value
        default:
            throw SweepReportError(location: location, reason: "the value \"\(text(column) ?? "")\" is not a number")
        }
    }
}
