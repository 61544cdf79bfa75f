// Owns canonical encodings: the binary form hashed into the trace's SHA-256 chain, and canonical
// JSON (sorted keys, shortest round-trip doubles) used for event payloads.
//
// Written by hand rather than with Foundation's JSONEncoder because the bytes are part of the
// trace format: key order, number formatting and escaping must never change with a library update.

/// Appends values in a fixed big-endian binary layout. Strings and byte strings are prefixed with
/// their length as a UInt32; doubles are written by their IEEE-754 bit pattern (never rounded).
public struct CanonicalEncoder: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func append(_ value: UInt8) { bytes.append(value) }

    public mutating func append(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func append(_ value: UInt64) {
        append(UInt32(truncatingIfNeeded: value >> 32))
        append(UInt32(truncatingIfNeeded: value))
    }

    public mutating func append(_ value: Int64) { append(UInt64(bitPattern: value)) }

    public mutating func append(_ value: Double) { append(value.bitPattern) }

    public mutating func append(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Length-prefixed raw bytes.
    public mutating func append<C: Collection>(bytesOf data: C) where C.Element == UInt8 {
        precondition(data.count <= Int(UInt32.max), "canonical byte string too long")
        append(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// Length-prefixed UTF-8.
    public mutating func append(_ text: String) { append(bytesOf: text.utf8) }
}

/// A JSON value with one canonical text form: object keys sorted by their UTF-8 bytes, no spaces,
/// integers as integers, doubles in Swift's shortest round-trip form, non-finite doubles as the
/// strings "NaN", "Infinity", "-Infinity".
public indirect enum CanonicalJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    /// The canonical text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The canonical text as UTF-8 bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        append(to: &out)
        return out
    }

    public func write(to out: inout String) { out += text }

    /// Appends the canonical text's UTF-8 bytes.
    ///
    /// Built as bytes, not by String appends: every trace event's payload goes through here (about
    /// 200,000 a demo day), and byte appends cost a fraction of String's.
    public func append(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): Self.appendInteger(i, to: &out)
        case .double(let d): out.append(contentsOf: Self.format(d).utf8)
        case .string(let s): Self.appendString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let ordered = members.sorted { Self.utf8Precedes($0.key, $1.key) }  // determinism: sorted by UTF-8 bytes
            for (index, member) in ordered.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a`'s UTF-8 bytes sort before `b`'s (bytewise; a proper prefix first): the key order.
    ///
    /// Compares the strings' contiguous UTF-8 storage directly (every payload's keys are sorted on
    /// the way to the trace, millions of comparisons a large run); the generic comparison of the
    /// UTF-8 views gives the same order and is the fallback for bridged strings.
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right -> Bool in
                var index = 0
                let common = min(left.count, right.count)
                while index < common {
                    if left[index] != right[index] { return left[index] < right[index] }
                    index += 1
                }
                return left.count < right.count
            }
        }
        if let fast, let result = fast { return result }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Decimal digits of `value` (what `String(value)` writes).
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    /// Shortest round-trip text of a finite double, or a quoted name for NaN and infinities.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
        return value.description
    }

    public static func writeString(_ text: String, to out: inout String) {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// A JSON string literal: `"` `\\` and control characters escaped (`\\n` `\\r` `\\t`, else
    /// `\\u00xx`), everything else as its UTF-8 bytes. The escaped characters are all ASCII, and
    /// ASCII bytes never occur inside a multi-byte sequence, so escaping byte by byte is exact.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: most strings (names, hex digests) need no escaping and are appended whole,
        // scanned in their contiguous UTF-8 storage when they have one.
        let appended = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if appended == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        if appended == nil, !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
            case ..<0x20: out.append(contentsOf: "\\u00".utf8 + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension CanonicalJSON: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: CanonicalJSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, CanonicalJSON)...) {
        var members: [String: CanonicalJSON] = [:]
        for (key, value) in elements {
            precondition(members[key] == nil, "duplicate key \(key) in canonical JSON literal")
            members[key] = value
        }
        self = .object(members)
    }
}

/// Lower-case hexadecimal of bytes.
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    // Written straight into the string's UTF-8 storage: payloads carry a 64-byte signature and a
    // 32-byte commitment per order, so this runs ~30,000 times a day.
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
        digits.withUTF8Buffer { digit in
            var index = 0
            for byte in bytes {
                buffer[index] = digit[Int(byte >> 4)]
                buffer[index + 1] = digit[Int(byte & 0x0F)]
                index += 2
            }
        }
        return bytes.count * 2
    }
}
