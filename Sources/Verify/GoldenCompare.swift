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
}

/// The comparison of two folders.
public struct GoldenComparison: Sendable {
    public var quantities: [QuantityError]
    /// Files found in only one folder, or whose rows could not be matched.
    public var notes: [String]
    public var passed: Bool { !quantities.isEmpty && quantities.allSatisfy(\.passed) }
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
        var notes: [String] = []
        for key in ours.keys.filter({ theirs[$0] != nil }).sorted() {  // determinism: sorted
            guard let ourName = ours[key], let theirName = theirs[key] else { continue }
            let name = theirName
            let a = (results as NSString).appendingPathComponent(ourName), b = (golden as NSString).appendingPathComponent(theirName)
            if name.hasSuffix(".csv") {
                let (errors, note) = try compareCSV(ours: a, golden: b, name: name)
                quantities += errors
                if let note { notes.append(note) }
            } else if name == "metrics.json" {
                quantities += try compareMetrics(ours: a, golden: b)
            }
        }
        for key in theirs.keys.filter({ ours[$0] == nil }).sorted() where key.hasSuffix(".csv") || key == "metrics.json" {  // determinism: sorted
            notes.append("\(theirs[key] ?? key) is in the golden folder only")
        }
        return GoldenComparison(quantities: quantities, notes: notes)
    }

    // MARK: CSV

    static func compareCSV(ours: String, golden: String, name: String) throws -> ([QuantityError], String?) {
        let a = try CSVTable(path: ours), b = try CSVTable(path: golden)
        guard a.header.map(normalized) == b.header.map(normalized) else {
            return ([], "\(name): the headers differ (\(a.header.count) vs \(b.header.count) columns); not compared")
        }
        guard a.rows.count == b.rows.count else {
            return ([], "\(name): \(a.rows.count) rows vs \(b.rows.count) in the golden; not compared")
        }
        let rounded = name.contains("_EXP_") || name.contains("_Mon_")
        let baseColumn = a.header.firstIndex { normalized($0) == "base_kv_ln" }
        var errors: [QuantityError] = []
        // The file's scale: its largest magnitude outside angle and key columns.
        let scale = a.header.indices.filter { !normalized(a.header[$0]).contains("ang") && !keyColumns.contains(normalized(a.header[$0])) }
            .reduce(0.0) { best, column in b.rows.reduce(best) { max($0, column < $1.count ? abs(Double($1[column]) ?? 0) : 0) } }
        for column in a.header.indices {
            let label = normalized(a.header[column])
            var compared = 0, maxAbsolute = 0.0, maxRelative = 0.0, passed = true, mismatchedKey = false
            // In printed exports, a value 1e-6 of the file's scale is numerical noise (OpenDSS prints
            // residual currents of 1e-10 A next to kA); the angle of such a phasor means nothing.
            let noise = rounded ? 1e-6 * scale : 0
            let isAngle = rounded && label.contains("ang") && column > 0
            for (rowA, rowB) in zip(a.rows, b.rows) {
                guard column < rowA.count, column < rowB.count else { continue }
                let textA = rowA[column], textB = rowB[column]
                guard let x = Double(textA), let y = Double(textB) else {
                    let stamp = label == "datetime"  // when OpenDSS wrote the file: not a result
                    if !stamp, unquoted(textA).lowercased() != unquoted(textB).lowercased() { mismatchedKey = true }
                    continue
                }
                if isAngle, let magnitude = Double(rowB[column - 1]), abs(magnitude) <= noise { continue }
                compared += 1
                let error = abs(x - y)
                maxAbsolute = max(maxAbsolute, error)
                if y != 0 { maxRelative = max(maxRelative, error / abs(y)) }
                let base = baseColumn.flatMap { rowB.count > $0 ? Double(rowB[$0]) : nil }
                if error > max(noise, tolerance(label: label, golden: textB, value: y, rounded: rounded, baseKilovolts: base)) { passed = false }
            }
            if mismatchedKey { return (errors, "\(name): rows do not line up (column \(a.header[column]) differs); not compared") }
            guard compared > 0 else { continue }
            errors.append(QuantityError(file: name, quantity: a.header[column].trimmingCharacters(in: .whitespaces), compared: compared,
                                        maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative,
                                        toleranceDescription: informativeColumns.contains(label) ? describe(label) : rounded ? "1 unit in the last printed digit (floor 1e-6 of the file's largest value)" : describe(label),
                                        passed: passed))
        }
        return (errors, nil)
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
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) else {
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

/// A CSV file as rows of trimmed cells (quoted cells keep their text; commas inside quotes are kept).
struct CSVTable {
    var header: [String]
    var rows: [[String]]

    init(path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CSVInputError(file: path, row: 0, message: "cannot read the file")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard !lines.isEmpty else { throw CSVInputError(file: path, row: 1, message: "empty file") }
        header = Self.cells(lines.removeFirst())
        rows = lines.map(Self.cells)
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
