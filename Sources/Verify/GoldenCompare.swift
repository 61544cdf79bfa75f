// Owns `golden compare`: comparing a results folder (gridtrace solve --export) with a golden folder
// of OpenDSS results, file by file and quantity by quantity, reporting the max absolute and
// relative error, with tolerances that respect how precisely each file was printed.
import Foundation

/// The error of one quantity (a CSV column or a metrics.json field) in one file.
public struct QuantityError: Sendable, Equatable {
    public var file: String
    public var quantity: String
    public var compared: Int
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double
    /// The tolerance applied (absolute, in the quantity's unit) and whether every value met it.
    public var toleranceDescription: String
    public var passed: Bool
    /// Where the largest error is (file line and the row's first cell), for CSV files.
    public var worst: String? = nil
}

/// The comparison of two folders.
public struct GoldenComparison: Sendable {
    public var quantities: [QuantityError]
    /// Files found in the results folder only (the golden decides what is checked).
    public var notes: [String]
    /// What could not be compared, each naming the file and, where there is one, the line and column:
    /// a golden file without a counterpart, differing headers or row counts, a short row, a cell that
    /// is not a number (or NaN/infinite) where the other file has one, rows that do not line up.
    public var problems: [String] = []
    /// Set when the comparison failed and the results were solved more loosely than the golden.
    public var toleranceMismatch: ToleranceMismatch? = nil
    public var passed: Bool { !quantities.isEmpty && problems.isEmpty && quantities.allSatisfy(\.passed) }
}

public enum GoldenCompare {
    /// Full-precision tolerances (documented in the issue): voltages 1e-6 pu of their base, powers
    /// 1e-4 relative, metrics.json 0.1 % relative. Printed OpenDSS exports: one unit in the last
    /// printed digit of the golden value.
    public static let voltageTolerancePerUnit = 1e-6
    public static let powerRelativeTolerance = 1e-4
    public static let metricsRelativeTolerance = 1e-3

    /// Compares every CSV and metrics.json present in both folders.
    public static func compare(results: String, golden: String) throws -> GoldenComparison {
        let manager = FileManager.default
        // OpenDSS names export files after the circuit as written; match file names case-insensitively.
        var ours: [String: String] = [:], theirs: [String: String] = [:]
        for name in try manager.contentsOfDirectory(atPath: results) { ours[name.lowercased()] = name }
        for name in try manager.contentsOfDirectory(atPath: golden) { theirs[name.lowercased()] = name }
        var quantities: [QuantityError] = []
        var notes: [String] = [], problems: [String] = []
        for key in ours.keys.filter({ theirs[$0] != nil }).sorted() {  // determinism: sorted
            guard let ourName = ours[key], let theirName = theirs[key] else { continue }
            let name = theirName
            let a = (results as NSString).appendingPathComponent(ourName), b = (golden as NSString).appendingPathComponent(theirName)
            if name.lowercased().hasSuffix(".csv") {
                let (errors, fileProblems) = try compareCSV(ours: a, golden: b, name: name)
                quantities += errors
                problems += fileProblems
            } else if name == "metrics.json" {
                quantities += try compareMetrics(ours: a, golden: b)
            }
        }
        for key in theirs.keys.filter({ ours[$0] == nil }).sorted() where isResultFile(key) {  // determinism: sorted
            problems.append("\(theirs[key] ?? key): in the golden folder, no counterpart in the results folder")
        }
        for key in ours.keys.filter({ theirs[$0] == nil }).sorted() where isResultFile(key) {  // determinism: sorted
            notes.append("\(ours[key] ?? key) is in the results folder only (not checked)")
        }
        var comparison = GoldenComparison(quantities: quantities, notes: notes, problems: problems)
        if !comparison.passed { comparison.toleranceMismatch = toleranceMismatch(results: results, golden: golden) }
        return comparison
    }

    /// Files a results folder is expected to match: CSV results and metrics.json. OpenDSS's uuid
    /// lists (`*_uuids.csv`, kept beside the CIM exports) are inputs, not results.
    static func isResultFile(_ lowercasedName: String) -> Bool {
        (lowercasedName.hasSuffix(".csv") && !lowercasedName.hasSuffix("_uuids.csv")) || lowercasedName == "metrics.json"
    }

    // MARK: CSV

    static func compareCSV(ours: String, golden: String, name: String) throws -> ([QuantityError], [String]) {
        let a = try CSVTable(path: ours), b = try CSVTable(path: golden)
        let shared = min(a.header.count, b.header.count)
        if let column = (0..<shared).first(where: { normalized(a.header[$0]) != normalized(b.header[$0]) })
            ?? (a.header.count != b.header.count ? shared : nil) {
            let theirs = column < b.header.count ? b.header[column] : "(none)", mine = column < a.header.count ? a.header[column] : "(none)"
            return ([], ["\(name) line 1, column \(column + 1): the headers differ (\"\(mine)\" vs \"\(theirs)\" in the golden)"])
        }
        let problems = structureProblems(a, b, name: name)
        guard problems.isEmpty else { return ([], problems) }
        let rounded = name.contains("_EXP_") || name.contains("_Mon_")
        let scale = a.header.indices.filter { !normalized(a.header[$0]).contains("ang") && !keyColumns.contains(normalized(a.header[$0])) }
            .reduce(0.0) { best, column in b.rows.reduce(best) { max($0, column < $1.count ? abs(Double($1[column]) ?? 0) : 0) } }
        // In printed exports, a value 1e-6 of the file's scale is numerical noise (OpenDSS prints
        // residual currents of 1e-10 A next to kA); the angle of such a phasor means nothing.
        let noise = rounded ? 1e-6 * scale : 0
        let errors = a.header.indices.compactMap { compareColumn($0, a, b, name: name, rounded: rounded, noise: noise) }
        return (errors, [])
    }

    /// The error of one column over all rows (numeric cells only; the rows were checked to line up).
    static func compareColumn(_ column: Int, _ a: CSVTable, _ b: CSVTable, name: String, rounded: Bool, noise: Double) -> QuantityError? {
        let label = normalized(a.header[column])
        let baseColumn = a.header.firstIndex { normalized($0) == "base_kv_ln" }
        let isAngle = rounded && label.contains("ang") && column > 0
        var compared = 0, maxAbsolute = 0.0, maxRelative = 0.0, passed = true, worst: String?, worstFailing = -1.0
        for (r, (rowA, rowB)) in zip(a.rows, b.rows).enumerated() {
            guard column < rowB.count, let x = Double(rowA[column]), let y = Double(rowB[column]) else { continue }
            if isAngle, let magnitude = Double(rowB[column - 1]), abs(magnitude) <= noise { continue }
            compared += 1
            let error = abs(x - y)
            if error > maxAbsolute || worst == nil { worst = b.describe(row: r) }
            maxAbsolute = max(maxAbsolute, error)
            if y != 0 { maxRelative = max(maxRelative, error / abs(y)) }
            let base = baseColumn.flatMap { rowB.count > $0 ? Double(rowB[$0]) : nil }
            let allowed = max(noise, tolerance(label: label, golden: rowB[column], value: y, rounded: rounded, baseKilovolts: base))
            if error > allowed {
                // Name the row most past its tolerance, which is the row to look at.
                if passed || error / allowed > worstFailing { worstFailing = error / allowed; worst = b.describe(row: r) }
                passed = false
            }
        }
        guard compared > 0 else { return nil }
        return QuantityError(file: name, quantity: a.header[column].trimmingCharacters(in: .whitespaces), compared: compared,
                             maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative,
                             toleranceDescription: informativeColumns.contains(label) ? describe(label) : rounded ? "1 unit in the last printed digit (floor 1e-6 of the file's largest value)" : describe(label),
                             passed: passed, worst: worst)
    }

    /// Rows that cannot be compared cell by cell, each naming file, line and column (at most 5, then a count).
    static func structureProblems(_ a: CSVTable, _ b: CSVTable, name: String) -> [String] {
        var problems: [String] = []
        if a.rows.count != b.rows.count {
            let first = min(a.rows.count, b.rows.count)
            let missing = first < b.rows.count ? "golden \(b.describe(row: first)) has no counterpart" : "results line \(a.lines[first]) has no counterpart"
            problems.append("\(name): \(a.rows.count) rows in the results, \(b.rows.count) in the golden; \(missing)")
        }
        for (r, (rowA, rowB)) in zip(a.rows, b.rows).enumerated() {
            if rowA.count != rowB.count {
                let column = min(rowA.count, rowB.count)
                problems.append("\(name) \(b.describe(row: r)), column \(b.columnName(column)): short row (\(rowA.count) cells in the results, \(rowB.count) in the golden)")
            }
            for column in 0..<min(rowA.count, rowB.count) {
                if let problem = cellProblem(rowA[column], rowB[column], label: normalized(b.columnName(column))) {
                    problems.append("\(name) \(b.describe(row: r)), column \(b.columnName(column)): \(problem)")
                }
            }
        }
        guard problems.count > 5 else { return problems }
        return Array(problems.prefix(5)) + ["\(name): \(problems.count - 5) more rows or cells that cannot be compared"]
    }

    /// Why two cells cannot be compared, or nil: a number must face a finite number, text the same text.
    static func cellProblem(_ ours: String, _ golden: String, label: String) -> String? {
        let x = Double(ours), y = Double(golden)
        if let x, !x.isFinite { return "\"\(ours)\" in the results is not a finite number" }
        if let y, !y.isFinite { return "\"\(golden)\" in the golden is not a finite number" }
        if label == "datetime" { return nil }  // when OpenDSS wrote the file: not a result
        switch (x, y) {
        case (nil, .some): return "\"\(ours)\" in the results is not a number (golden \(golden))"
        case (.some, nil): return "\"\(golden)\" in the golden is not a number (results \(ours))"
        case (nil, nil) where unquoted(ours).lowercased() != unquoted(golden).lowercased():
            return "rows do not line up (\(unquoted(ours)) in the results, \(unquoted(golden)) in the golden)"
        default: return nil
        }
    }

    /// Columns that describe how a solver ran rather than what it found (OpenDSS may take one more
    /// iteration, counts devices its own way, and `Number` is the mode's step count): reported, not checked.
    static let informativeColumns: Set<String> = ["iterations", "controliterations", "mostiterationsdone", "number", "numdevices"]

    static func tolerance(label: String, golden: String, value: Double, rounded: Bool, baseKilovolts: Double?) -> Double {
        if informativeColumns.contains(label) { return .infinity }
        if rounded { return lastDigitUnit(golden) * (1 + 1e-9) + 1e-12 }
        if label.hasSuffix("pu") || label.hasPrefix("vmin") || label.hasPrefix("vmax") { return voltageTolerancePerUnit }
        if ["v_re", "v_im", "v_mag"].contains(label) {
            if let baseKilovolts, baseKilovolts > 0 { return voltageTolerancePerUnit * baseKilovolts * 1000 }
            return voltageTolerancePerUnit * max(abs(value), 1)
        }
        if label.contains("angle") { return 1e-4 }
        if keyColumns.contains(label) { return 1e-9 }
        return max(powerRelativeTolerance * abs(value), 1e-6)
    }

    static func describe(_ label: String) -> String {
        if label.hasSuffix("pu") || label.hasPrefix("vmin") || label.hasPrefix("vmax") { return "\(voltageTolerancePerUnit) pu" }
        if ["v_re", "v_im", "v_mag"].contains(label) { return "\(voltageTolerancePerUnit) of the node's base voltage" }
        if label.contains("angle") { return "1e-4 degree" }
        if informativeColumns.contains(label) { return "not checked (informative)" }
        if keyColumns.contains(label) { return "exact" }
        return "\(powerRelativeTolerance) relative"
    }

    /// One unit in the last decimal place printed in `text` ("66393.5" → 0.1, "2401" → 1).
    static func lastDigitUnit(_ text: String) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let mantissa = trimmed.split(whereSeparator: { $0 == "e" || $0 == "E" }).first.map(String.init) ?? trimmed
        let exponent = trimmed.contains(where: { $0 == "e" || $0 == "E" })
            ? Int(trimmed.split(whereSeparator: { $0 == "e" || $0 == "E" }).last ?? "0") ?? 0 : 0
        let decimals = mantissa.split(separator: ".").dropFirst().first?.count ?? 0
        var unit = 1.0
        for _ in 0..<decimals { unit /= 10 }
        for _ in 0..<abs(exponent) { unit = exponent > 0 ? unit * 10 : unit / 10 }
        return unit
    }

    /// Columns that identify a row rather than measure something.
    static let keyColumns: Set<String> = ["step", "hour", "t(sec)", "node", "bus", "converged", "terminal", "load", "bus_node"]

    static func normalized(_ header: String) -> String { unquoted(header).lowercased() }
    static func unquoted(_ text: String) -> String { text.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }

    // MARK: metrics.json

    static func compareMetrics(ours: String, golden: String) throws -> [QuantityError] {
        let a = try flatten(path: ours), b = try flatten(path: golden)
        var errors: [QuantityError] = []
        for (key, y) in b.sorted(by: { $0.key < $1.key }) {  // determinism: sorted
            guard let x = a[key], !key.contains("iterations"), !key.hasPrefix("tolerance") else { continue }
            let error = abs(x - y)
            let relative = y != 0 ? error / abs(y) : error
            errors.append(QuantityError(file: "metrics.json", quantity: key, compared: 1, maxAbsoluteError: error, maxRelativeError: relative,
                                        toleranceDescription: "\(metricsRelativeTolerance) relative",
                                        passed: relative <= metricsRelativeTolerance || error < 1e-12))
        }
        return errors
    }

    /// Numeric leaves of a JSON document keyed by their dotted path.
    static func flatten(path: String) throws -> [String: Double] {
        guard let root = try? JSONSerialization.jsonObject(with: Data(try CSVInputError.readText(path).utf8)) else {
            throw CSVInputError(file: path, row: 0, message: "not a JSON document")
        }
        var out: [String: Double] = [:]
        func walk(_ value: Any, _ prefix: String) {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() { walk(object[key] as Any, prefix.isEmpty ? key : prefix + "." + key) }  // determinism: sorted
            } else if let number = value as? NSNumber, !(value is Bool) {
                out[prefix] = number.doubleValue
            }
        }
        walk(root, "")
        return out
    }
}

/// A CSV file as rows of trimmed cells (quoted cells keep their text; commas inside quotes are kept),
/// with each row's line number in the file, so a problem can name it.
struct CSVTable {
    var header: [String]
    var rows: [[String]]
    var lines: [Int]

    init(path: String) throws {
        let text = try CSVInputError.readText(path)
        let numbered = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset + 1, String($0.element).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))) }
            .filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let first = numbered.first else { throw CSVInputError(file: path, row: 1, message: "empty file") }
        header = Self.cells(first.1)
        rows = numbered.dropFirst().map { Self.cells($0.1) }
        lines = numbered.dropFirst().map(\.0)
    }

    /// "line 12 ("Line.650632", 1)": the row's line in the file and its leading key cells.
    func describe(row: Int) -> String {
        var keys: [String] = []
        // The leading cells that identify the row: text, or a value under a key column (bus, node, terminal, step).
        for (column, cell) in rows[row].prefix(2).enumerated() {
            guard Double(cell) == nil || GoldenCompare.keyColumns.contains(GoldenCompare.normalized(columnName(column))) else { break }
            keys.append(cell)
        }
        return "line \(lines[row])" + (keys.isEmpty ? "" : " (" + keys.joined(separator: ", ") + ")")
    }

    func columnName(_ column: Int) -> String {
        column < header.count ? header[column].trimmingCharacters(in: .whitespaces) : "\(column + 1)"
    }

    static func cells(_ line: String) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle(); current.append(character); continue }
            if character == "," && !quoted { out.append(current.trimmingCharacters(in: .whitespaces)); current = ""; continue }
            current.append(character)
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out
    }
}
