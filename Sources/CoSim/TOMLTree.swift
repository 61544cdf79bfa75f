// Owns the parsed TOML tree and every allocation made while reading it. TOMLKit 0.6.0's Swift layer
// never frees what its C layer allocates: a parsed `TOMLTable` has no deinit (the whole toml++ tree
// stays), each `.string`, `.int`, `.double` and `.keys` read is a malloc it drops, and a failed parse
// drops its error (84 bytes). One process that parses many scenarios (the trace fuzzer, which reads
// the scenario in every trace header twice) grew by kilobytes per parse until it ran out of memory.
// So this reads through TOMLKit's own C layer, CTOML (the same bundled toml++ parser), and frees each
// allocation it is handed. What remains is the root table object itself, whose contents are cleared:
// CTOML exports no delete, so about 100 bytes per parse stay allocated.
import CTOML
import Foundation
import TOMLKit

/// A syntax error from toml++, with its 1-based position.
struct TOMLSyntaxError: Error {
    var message: String
    var line: Int
    var column: Int
}

/// A parsed TOML document; its nodes keep it alive, and it frees the tree's contents when the last goes.
final class TOMLTree {
    fileprivate let rootPointer: OpaquePointer

    init(text: String) throws(TOMLSyntaxError) {
        // TOMLKit allocates this and never frees it; here it is freed on both paths.
        let failure = UnsafeMutablePointer<CTOMLParseError>.allocate(capacity: 1)
        defer { failure.deallocate() }
        let parsed = text.withCString { tableCreateFromString($0, failure) }
        guard let parsed else {
            // toml++ fills `failure` only when it throws; its description is a strdup we own.
            let error = failure.pointee
            let message = String(cString: error.description)
            free(UnsafeMutableRawPointer(mutating: error.description))
            throw TOMLSyntaxError(message: message, line: Int(error.source.begin.line),
                                  column: Int(error.source.begin.column))
        }
        rootPointer = parsed
    }

    deinit { tableClear(rootPointer) }

    /// The document's top-level table.
    var root: TOMLNode { TOMLNode(pointer: rootPointer, tree: self) }
}

/// One value of a `TOMLTree` (a table, array, string, number, …); holds its tree alive.
public struct TOMLNode {
    fileprivate let pointer: OpaquePointer
    fileprivate let tree: TOMLTree

    /// The value's kind, named as TOMLKit names it in messages ("integer", "string", …).
    public var type: TOMLType {
        switch nodeType(pointer) {
        case .table: return .table
        case .array: return .array
        case .string: return .string
        case .integer: return .int
        case .floatingPoint: return .double
        case .boolean: return .bool
        case .date: return .date
        case .timeType: return .time
        case .dateTime: return .dateTime
        }
    }

    public var isTable: Bool { type == .table }

    public var int: Int? {
        guard type == .int, let owned = nodeAsInt(pointer) else { return nil }
        defer { free(UnsafeMutableRawPointer(mutating: owned)) }
        return Int(owned.pointee)
    }

    public var double: Double? {
        guard type == .double, let owned = nodeAsDouble(pointer) else { return nil }
        defer { free(UnsafeMutableRawPointer(mutating: owned)) }
        return owned.pointee
    }

    public var bool: Bool? {
        guard type == .bool, let owned = nodeAsBool(pointer) else { return nil }
        defer { free(UnsafeMutableRawPointer(mutating: owned)) }
        return owned.pointee
    }

    /// This value when it is a table (TOMLKit's spelling, so readers of either read alike).
    public var table: TOMLNode? { isTable ? self : nil }

    /// The elements of an array (TOMLKit's spelling of `elements`).
    public var array: [TOMLNode]? { elements }

    /// The top-level table of `text`; nil when `text` is not TOML.
    public static func parse(_ text: String) -> TOMLNode? { try? TOMLTree(text: text).root }

    public var string: String? {
        guard type == .string, let owned = nodeAsString(pointer) else { return nil }
        defer { free(UnsafeMutableRawPointer(mutating: owned)) }
        return String(cString: owned)
    }

    /// The elements of an array (nil when this is not an array).
    public var elements: [TOMLNode]? {
        guard type == .array, let array = nodeAsArray(pointer) else { return nil }
        return (0..<arraySize(array)).map { TOMLNode(pointer: arrayGetNode(array, Int64($0)), tree: tree) }
    }

    /// The value at `key` of a table (nil when absent or when this is not a table).
    public subscript(key: String) -> TOMLNode? {
        guard type == .table, let table = nodeAsTable(pointer),
              let child = key.withCString({ tableGetNode(table, $0) }) else { return nil }
        return TOMLNode(pointer: child, tree: tree)
    }

    /// A table's keys in toml++'s (sorted) order; empty when this is not a table.
    public var keys: [String] {
        guard type == .table, let table = nodeAsTable(pointer) else { return [] }
        let count = tableSize(table)
        guard count > 0 else { return [] }
        let owned = tableGetKeys(table)  // a malloc'd array of strdup'd keys, both ours to free
        defer { free(UnsafeMutableRawPointer(mutating: owned)) }
        return (0..<count).map { index in
            defer { free(UnsafeMutableRawPointer(mutating: owned[index])) }
            return String(cString: owned[index])
        }
    }
}
