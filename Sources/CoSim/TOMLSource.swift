// Owns reading TOML with positions: TOMLKit (toml++) parses, and this wrapper remembers which keys
// were read so unknown keys are reported, and finds the line of any key for error messages
// (TOMLKit reports positions for syntax errors only). Sections point at the text's positions, not
// back at their document, so a parsed document and its tree are freed when the caller lets go.
import Foundation
import TOMLKit

/// A problem in a TOML file, always with the file, the line and the key when there is one.
public struct TOMLInputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var key: String?
    public var message: String

    public init(file: String, line: Int, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        "\(file):\(line): " + (key.map { "\($0): " } ?? "") + message
    }
}

/// A table of a TOML document being read against a schema (scenario files here, sweep plans in Study).
/// It holds its nested sections (not its document), so a parsed document is freed when let go.
public final class TOMLSection {
    public let path: String
    private let table: TOMLNode?
    private let document: TOMLPositions
    private var consumed: [String] = []
    private var children: [TOMLSection] = []

    fileprivate init(path: String, table: TOMLNode?, document: TOMLPositions) {
        self.path = path
        self.table = table
        self.document = document
    }

    public func qualified(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public func error(_ key: String?, _ message: String) -> TOMLInputError {
        let line = key.map { document.line(ofKey: $0, inTable: path) } ?? document.line(ofTable: path)
        return TOMLInputError(file: document.file, line: line, key: key.map(qualified), message: message)
    }

    private func value(_ key: String) -> TOMLNode? {
        consumed.append(key)
        return table?[key]
    }

    public func string(_ key: String, default fallback: String) throws(TOMLInputError) -> String {
        guard let raw = value(key) else { return fallback }
        guard let text = raw.string else { throw error(key, "expected a string, found \(raw.type)") }
        return text
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(TOMLInputError) -> T
        where T.RawValue == String
    {
        let text = try string(key, default: fallback.rawValue)
        guard let chosen = T(rawValue: text) else {
            let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(key, "\"\(text)\" is not one of \(allowed)")
        }
        return chosen
    }

    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(TOMLInputError) -> Int {
        guard let raw = value(key) else { return fallback }
        guard let number = raw.int else { throw error(key, "expected an integer, found \(raw.type)") }
        guard range.contains(number) else { throw error(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    /// An integer within `range`, or nil when the key is absent.
    public func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(TOMLInputError) -> Int? {
        guard table?[key] != nil else {
            consumed.append(key)
            return nil
        }
        return try int(key, default: 0, in: range)
    }

    public func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws(TOMLInputError) -> Double {
        guard let raw = value(key) else { return fallback }
        guard let number = raw.double ?? raw.int.map(Double.init) else {
            throw error(key, "expected a number, found \(raw.type)")
        }
        guard number.isFinite, range.contains(number) else {
            throw error(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    public func strings(_ key: String, default fallback: [String]) throws(TOMLInputError) -> [String] {
        guard let raw = value(key) else { return fallback }
        guard let array = raw.elements else { throw error(key, "expected an array of strings, found \(raw.type)") }
        var out: [String] = []
        for element in array {
            guard let text = element.string else { throw error(key, "expected an array of strings") }
            out.append(text)
        }
        return out
    }

    /// The table `key` inside this one (e.g. `[run.seeds]`), read against its own schema; absent
    /// reads as all defaults, a non-table is an error.
    public func subsection(_ key: String) throws(TOMLInputError) -> TOMLSection {
        let raw = value(key)
        if let raw, raw.table == nil { throw error(key, "expected a table, found \(raw.type)") }
        let child = TOMLSection(path: qualified(key), table: raw?.table, document: document)
        children.append(child)
        return child
    }

    /// Every key of the table with its value, in the order they are written; all count as read
    /// (for tables whose keys are data, such as a sweep plan's parameters).
    public func entriesInFileOrder() -> [(key: String, value: TOMLNode)] {
        guard let table else { return [] }
        let keys = table.keys  // determinism: sorted below by line
        consumed += keys
        return keys.map { (document.line(ofKey: $0, inTable: path), $0) }.sorted { $0 < $1 }.compactMap { entry in
            table[entry.1].map { (key: entry.1, value: $0) }
        }
    }

    /// An array of integers, each within `range`, or nil when the key is absent.
    public func optionalInts(_ key: String, in range: ClosedRange<Int>) throws(TOMLInputError) -> [Int]? {
        guard let raw = value(key) else { return nil }
        guard let array = raw.array else { throw error(key, "expected an array of integers, found \(raw.type)") }
        var out: [Int] = []
        for element in array {
            guard let number = element.int else { throw error(key, "expected an array of integers") }
            guard range.contains(number) else { throw error(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
            out.append(number)
        }
        return out
    }

    /// Whether the document has this table at all.
    public var isPresent: Bool { table != nil }

    /// A `[low, high]` pair of numbers (integers accepted), both within `range`, low ≤ high.
    func numberRange(_ key: String, default fallback: ClosedRange<Double>,
                     in range: ClosedRange<Double>) throws(TOMLInputError) -> ClosedRange<Double> {
        guard let raw = value(key) else { return fallback }
        guard let array = raw.elements, array.count == 2 else { throw error(key, "expected [low, high], two numbers") }
        var bounds: [Double] = []
        for element in array {
            guard let number = element.double ?? element.int.map(Double.init) else { throw error(key, "expected [low, high], two numbers") }
            guard number.isFinite, range.contains(number) else {
                throw error(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)")
            }
            bounds.append(number)
        }
        guard bounds[0] <= bounds[1] else { throw error(key, "low \(bounds[0]) exceeds high \(bounds[1])") }
        return bounds[0]...bounds[1]
    }

    /// An array of exactly `count` integers, each within `range`.
    func ints(_ key: String, default fallback: [Int], count: Int, in range: ClosedRange<Int>) throws(TOMLInputError) -> [Int] {
        guard let raw = value(key) else { return fallback }
        guard let array = raw.elements, array.count == count else {
            throw error(key, "expected an array of \(count) integers")
        }
        var out: [Int] = []
        for element in array {
            guard let number = element.int else { throw error(key, "expected an array of \(count) integers") }
            guard range.contains(number) else { throw error(key, "\(number) is outside \(range.lowerBound)…\(range.upperBound)") }
            out.append(number)
        }
        return out
    }

    /// Fails on the first key (in file order) that the schema did not read.
    func rejectUnknownKeys() throws(TOMLInputError) {
        guard let table else { return }
        let unknown = table.keys.filter { !consumed.contains($0) }  // determinism: sorted below by line
        let ordered = unknown.map { (document.line(ofKey: $0, inTable: path), $0) }.sorted { $0 < $1 }
        if let first = ordered.first {
            throw TOMLInputError(file: document.file, line: first.0, key: qualified(first.1), message: "unknown key")
        }
        for child in children { try child.rejectUnknownKeys() }
    }
}

/// A parsed TOML document and its text, for positions.
public final class TOMLDocument {
    /// The longest TOML text parsed (the scenario file limit; a trace header's scenario is held to it too).
    public static let maximumTextBytes = 1 << 20

    let positions: TOMLPositions
    private let root: TOMLNode
    private var sections: [TOMLSection] = []

    public var file: String { positions.file }

    public init(text: String, file: String) throws(TOMLInputError) {
        // Checked before anything is split or parsed: the work below is linear in the text's size.
        guard text.utf8.count <= Self.maximumTextBytes else {
            throw TOMLInputError(file: file, line: 0, key: nil,
                                 message: "the TOML text is \(text.utf8.count) bytes; scenarios are limited to \(Self.maximumTextBytes >> 20) MiB")
        }
        positions = TOMLPositions(file: file, lines: text.split(separator: "\n", omittingEmptySubsequences: false))
        try TOMLPrecheck.check(text, file: file)
        do {
            root = try TOMLTree(text: text).root
        } catch {
            throw TOMLInputError(file: file, line: error.line, key: nil, message: "\(error.message) (column \(error.column))")
        }
    }

    /// The top-level table `name` (absent tables read as all defaults).
    public func section(_ name: String) throws(TOMLInputError) -> TOMLSection {
        let raw = root[name]
        if let raw, !raw.isTable {
            throw TOMLInputError(file: file, line: line(ofKey: name, inTable: ""), key: name,
                                 message: "expected a table, found \(raw.type)")
        }
        let section = TOMLSection(path: name, table: raw, document: positions)
        sections.append(section)
        return section
    }

    /// Fails on the first top-level key that is not a known section, then on unknown keys inside.
    public func rejectUnknown(sections known: [String]) throws(TOMLInputError) {
        let unknown = root.keys.filter { !known.contains($0) }  // determinism: sorted below by line
        if let first = unknown.map({ (line(ofTable: $0), $0) }).sorted(by: { $0 < $1 }).first {
            throw TOMLInputError(file: file, line: first.0, key: first.1, message: "unknown section")
        }
        for section in sections { try section.rejectUnknownKeys() }
    }

    /// 1-based line of `[table]` (or 1 when it is not written as a header).
    public func line(ofTable table: String) -> Int { positions.line(ofTable: table) }

    /// 1-based line where `key = …` is written inside `[table]` (see `TOMLPositions`).
    public func line(ofKey key: String, inTable table: String) -> Int { positions.line(ofKey: key, inTable: table) }

    /// 1-based line where `key = …` is written inside `[table]`; nil when the document does not write it.
    func writtenLine(ofKey key: String, inTable table: String) -> Int? { positions.writtenLine(ofKey: key, inTable: table) }

    /// 1-based line of the `[table]` header, nil when the table has none.
    func headerLine(ofTable table: String) -> Int? { positions.headerLine(ofTable: table) }
}

/// The lines of a TOML text, to find where a table or key is written.
struct TOMLPositions {
    let file: String
    let lines: [Substring]

    /// 1-based line of `[table]` (or 1 when it is not written as a header).
    func line(ofTable table: String) -> Int {
        for (index, line) in lines.enumerated() where header(of: line) == table { return index + 1 }
        for (index, line) in lines.enumerated() {
            guard let name = keyName(of: line) else { continue }
            if name == table || name.hasPrefix(table + ".") { return index + 1 }
        }
        return 1
    }

    /// 1-based line where `key = …` is written inside `[table]`, or as the dotted key
    /// `table.key = …` (or the table's line).
    public func line(ofKey key: String, inTable table: String) -> Int {
        writtenLine(ofKey: key, inTable: table) ?? (table.isEmpty ? 1 : line(ofTable: table))
    }

    /// 1-based line where `key = …` is written inside `[table]` or as `table.key = …`; nil when
    /// the document does not write it.
    func writtenLine(ofKey key: String, inTable table: String) -> Int? {
        let wanted = table.isEmpty ? key : table + "." + key
        var current = ""
        for (index, line) in lines.enumerated() {
            if let name = header(of: line) { current = name; continue }
            guard let name = keyName(of: line) else { continue }
            if (current.isEmpty ? name : current + "." + name) == wanted { return index + 1 }
        }
        return nil
    }

    /// 1-based line of the `[table]` header, nil when the table has none.
    func headerLine(ofTable table: String) -> Int? {
        lines.firstIndex { header(of: $0) == table }.map { $0 + 1 }
    }

    private func header(of line: Substring) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") else { return nil }
        return trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
    }

    private func keyName(of line: Substring) -> String? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let name = line[..<equals].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.hasPrefix("#") else { return nil }
        // A dotted key (`run.seed`, `run . "seed"`) as one path of bare parts.
        return name.split(separator: ".").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) }.joined(separator: ".")
    }
}
