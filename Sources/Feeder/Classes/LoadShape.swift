// Owns the LoadShape record: multipliers inline or from files.
import Foundation

/// A load shape: multipliers at a fixed interval (hours), optionally with reactive multipliers.
public struct LoadShape: Sendable {
    public var name: String
    public var numberOfPoints = 0
    public var intervalHours = 1.0
    public var multipliers: [Double] = []
    public var reactiveMultipliers: [Double]?
    public var useActual = false

    static let propertyNames = ["npts", "interval", "mult", "hour", "mean", "stddev", "csvfile", "sngfile",
                                "dblfile", "action", "qmult", "useactual", "pmax", "qmax", "sinterval",
                                "minterval", "pbase", "qbase", "pmult", "pqcsvfile", "memorymapping", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        let baseDirectory = r.directory
        switch p {
        case "npts": numberOfPoints = try r.int(in: 0...100_000_000)
        // From 1 ms to ten years: shapes are indexed by hour / interval, which must stay an integer.
        case "interval": intervalHours = try r.double(in: Self.intervalHoursRange)
        case "minterval": intervalHours = try r.double(in: Self.intervalHoursRange.scaled(by: 60)) / 60
        case "sinterval": intervalHours = try r.double(in: Self.intervalHoursRange.scaled(by: 3600)) / 3600
        case "mult", "pmult": multipliers = try Self.readSeries(r, baseDirectory: baseDirectory)
        case "qmult": reactiveMultipliers = try Self.readSeries(r, baseDirectory: baseDirectory)
        case "csvfile":
            multipliers = try Self.readSeries(ValueReader(property: p, text: "file=" + r.text, location: r.location, files: r.files),
                                              baseDirectory: baseDirectory)
        case "useactual": useActual = try r.bool()
        case "action":
            guard r.text.lowercased().hasPrefix("norm") == false else { throw r.fail("action=normalize is not supported") }
        case "hour":
            throw r.fail("variable-interval load shapes (hour=) are not supported")
        case "mean", "stddev", "pmax", "qmax", "pbase", "qbase", "memorymapping":
            break
        case "sngfile", "dblfile", "pqcsvfile":
            throw r.fail("binary and PQ CSV shape files are not supported; use mult=(file=...)")
        default:
            throw r.fail("property not supported for LoadShape")
        }
    }

    /// Inline values, or `file=NAME` (one value per line, first column) relative to the script.
    static let intervalHoursRange: ClosedRange<Double> = (1.0 / 3_600_000)...87_600

    static func readSeries(_ r: ValueReader, baseDirectory: String) throws -> [Double] {
        let trimmed = r.text.trimmedBlanks
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("file") else { return try r.doubles() }
        guard let eq = trimmed.firstIndex(of: "=") else { throw r.fail("expected file=NAME") }
        let fileName = trimmed[trimmed.index(after: eq)...].trimmedBlanks
        let path = ScriptPaths.resolve(fileName, relativeTo: baseDirectory)
        guard let bytes = try (r.files ?? ScriptFiles()).contents(atPath: path, at: r.location) else {
            throw FeederError.fileNotReadable(path: path, at: r.location)
        }
        // Byte-level scan: one value per line, first field (separated by comma, blank or tab).
        var values: [Double] = []
        values.reserveCapacity(bytes.count / 6)
        var i = 0
        while i < bytes.count {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
            guard i < bytes.count else { break }
            let start = i
            while i < bytes.count, bytes[i] != 44, bytes[i] != 32, bytes[i] != 9, bytes[i] != 10, bytes[i] != 13 { i += 1 }
            let field = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let value = ValueReader.parseNumber(field) else {
                throw FeederError.invalidValue(property: r.property, value: field, reason: "not a number in \(path)", at: r.location)
            }
            values.append(value)
            while i < bytes.count, bytes[i] != 10, bytes[i] != 13 { i += 1 }
        }
        return values
    }
}
