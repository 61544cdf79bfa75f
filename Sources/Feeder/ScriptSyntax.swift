// Owns the lexical layer of OpenDSS scripts: splitting a command line into (name, value)
// parameters with OpenDSS's quoting rules, and turning a value into numbers, arrays, matrices,
// booleans and bus specifications (including the in-line RPN math OpenDSS accepts in parentheses).
import Foundation

// Script text is scanned as UTF-8 bytes, not Characters: every delimiter OpenDSS uses is ASCII,
// and an ASCII byte never occurs inside a multi-byte UTF-8 sequence, so byte scanning cuts at the
// same places while being an order of magnitude faster on megabyte scripts with long load shapes.

/// A blank, tab or line break (what `trimmedBlanks` removes).
@inline(__always) func isTrimmedBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// The text without leading and trailing blanks, tabs and line breaks (ASCII; fast path for
    /// script lines, where Foundation's trimming is slow on Linux). Text with nothing to trim is
    /// returned without copying its bytes.
    var trimmedBlanks: String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isTrimmedBlank($0) }),
              let last = bytes.lastIndex(where: { !isTrimmedBlank($0) }) else { return "" }
        if let whole = self as? String, first == bytes.startIndex, bytes.index(after: last) == bytes.endIndex { return whole }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

/// UTF-8 bytes as text without leading and trailing blanks, tabs and line breaks.
func trimmingBlanks(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> String {
    guard let first = bytes.firstIndex(where: { !isTrimmedBlank($0) }),
          let last = bytes.lastIndex(where: { !isTrimmedBlank($0) }) else { return "" }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[first...last]), as: UTF8.self)
}

/// Calls `body` with the UTF-8 bytes of `text`, in place when the string stores them contiguously
/// (native strings do), else through one copy.
@inline(__always) func withUTF8Bytes<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
    return try Array(text.utf8).withUnsafeBufferPointer(body)
}

/// Splits text into lines at every character Swift counts as a newline (LF, CR LF, CR, VT, FF,
/// NEL, LS, PS), like `split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)`.
func scriptLines(_ text: String) -> [String] {
    withUTF8Bytes(of: text) { scriptLines(bytes: $0) }
}

private func scriptLines(bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    var lines: [String] = []
    forEachScriptLine(bytes) { line in lines.append(String(decoding: line, as: UTF8.self)) }
    return lines
}

/// One line of script bytes (without its line break), whether every byte of it is ASCII, and
/// whether it holds any byte a comment search looks at (! " ' ( ) / [ ] { }): a line without
/// one has no comment, so its search can be skipped.
struct ScriptLineBytes {
    var bytes: UnsafeBufferPointer<UInt8>
    var isASCII: Bool
    var hasCommentSyntax = true
}

/// Calls `body` with each line of `bytes`, cut where `scriptLines` cuts (the same lines, in order,
/// the last one after the final break included), without building a String per line.
func forEachScriptLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
    try forEachScriptLine(bytes) { (line: ScriptLineBytes) in try body(line.bytes) }
}

/// What the line scan does with each byte value: 0 nothing (printable ASCII but the comment bytes,
/// and tab), 1 a comment byte (! " ' ( ) / [ ] { }), 2 look closer (controls, line breaks, non-ASCII).
private let scriptByteClasses: [UInt8] = (0..<256).map { value -> UInt8 in
    let byte = UInt8(value)
    if byte == 0x09 || byte > 0x0D && byte < 0x80 {
        return "!\"'()/[]{}".utf8.contains(byte) ? 1 : 0
    }
    return 2
}

func forEachScriptLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (ScriptLineBytes) throws -> Void) rethrows {
    var start = 0, index = 0
    var isASCII = true
    var hasCommentSyntax = false
    let count = bytes.count
    try scriptByteClasses.withUnsafeBufferPointer { classes in
        while index < count {
            let byte = bytes[index]
            // Printable ASCII and tabs (almost every byte) are neither a break nor non-ASCII.
            let byteClass = classes[Int(byte)]
            if byteClass < 2 {
                if byteClass == 1 { hasCommentSyntax = true }
                index += 1
                continue
            }
            let breakLength: Int
            switch byte {
            case 0x0A, 0x0B, 0x0C: breakLength = 1
            case 0x0D: breakLength = index + 1 < count && bytes[index + 1] == 0x0A ? 2 : 1
            case 0xC2: breakLength = index + 1 < count && bytes[index + 1] == 0x85 ? 2 : 0
            case 0xE2: breakLength = index + 2 < count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9) ? 3 : 0
            default: breakLength = 0
            }
            if breakLength == 0 {
                // Non-ASCII bytes may be part of a quoted or bracketed span: searched as before.
                if byte >= 0x80 { isASCII = false; hasCommentSyntax = true }
                index += 1
                continue
            }
            try body(ScriptLineBytes(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]), isASCII: isASCII,
                                     hasCommentSyntax: hasCommentSyntax))
            index += breakLength
            start = index
            isASCII = true
            hasCommentSyntax = false
        }
    }
    try body(ScriptLineBytes(bytes: UnsafeBufferPointer(rebasing: bytes[start..<count]), isASCII: isASCII,
                             hasCommentSyntax: hasCommentSyntax))
}

/// The bytes without leading and trailing blanks, tabs and line breaks (`trimmedBlanks` on bytes).
func trimmedBlankBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0, end = bytes.count
    while start < end, isTrimmedBlank(bytes[start]) { start += 1 }
    while end > start, isTrimmedBlank(bytes[end - 1]) { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
}

/// Whether `bytes` contains the two-byte sequence `first second`.
func containsBytePair(_ bytes: UnsafeBufferPointer<UInt8>, _ first: UInt8, _ second: UInt8) -> Bool {
    guard bytes.count >= 2 else { return false }
    for index in 0..<(bytes.count - 1) where bytes[index] == first && bytes[index + 1] == second { return true }
    return false
}

/// ASCII bytes as a lower-case String (one copy; the bytes themselves when nothing is upper-case).
func lowercasedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard bytes.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
        return String(decoding: bytes, as: UTF8.self)
    }
    return String(unsafeUninitializedCapacity: bytes.count) { buffer in
        for (index, byte) in bytes.enumerated() {
            buffer[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }
        return bytes.count
    }
}

/// Plain decimal numbers read straight from their UTF-8 bytes.
enum DecimalBytes {
    /// 10^0 ... 10^22, every one exactly representable as a Double.
    private static let powersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                                1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// The value of `[+-]? (digits [. digits] | . digits) [(e|E) [+-] digits]` when it is exact by
    /// Clinger's fast path (at most 2^53 as an integer, scaled by 10^±22 at most: one correctly
    /// rounded multiplication or division of two exact Doubles, so the same Double as
    /// `Double(String)`); nil for anything else, which the caller reads with `Double(String)`.
    static func exactValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; index = 1 } else if bytes[0] == UInt8(ascii: "+") { index = 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var scale = 0
        var digits = 0
        var inFraction = false
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            if digit >= 10 {
                guard !inFraction, bytes[index] == UInt8(ascii: ".") else { break }
                inFraction = true
                index += 1
                continue
            }
            if mantissa != 0 || digit != 0 {
                // At most 19 significant digits: the integer stays below 2^64.
                significantDigits += 1
                guard significantDigits <= 19 else { return nil }
            }
            mantissa = mantissa * 10 + UInt64(digit)
            if inFraction { scale -= 1 }
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0, exponentDigits = 0
            while index < count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            scale += exponentNegative ? -exponent : exponent
        }
        guard index == count, mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa)
        if mantissa != 0 && scale != 0 {
            guard scale >= -22 && scale <= 22 else { return nil }
            value = scale > 0 ? value * powersOfTen[scale] : value / powersOfTen[-scale]
        }
        return negative ? -value : value
    }
}

/// Splits `text` at any of the ASCII `separators`, dropping empty pieces.
func splitASCII(_ text: String, separators: [UInt8]) -> [String] {
    withUTF8Bytes(of: text) { bytes in
        var pieces: [String] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || separators.contains(bytes[index]) {
            if index > start { pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
            start = index + 1
        }
        return pieces
    }
}

/// One parameter of a command line: `name=value` or a positional `value` (name nil).
struct ScriptParameter: Equatable {
    var name: String?
    var value: String
}

/// Splits one command line (comments already removed) into its command word and parameters.
///
/// Values may be wrapped in `" "`, `' '`, `( )`, `[ ]` or `{ }`; whitespace and commas separate
/// parameters; `name = value` may have blanks around `=`.
enum ScriptLexer {

    static func split(_ line: String, at location: ScriptLocation) throws -> [ScriptParameter] {
        try withUTF8Bytes(of: line) { try split(bytes: $0, at: location) }
    }

    static func split(bytes: UnsafeBufferPointer<UInt8>, at location: ScriptLocation) throws -> [ScriptParameter] {
        var index = 0
        var result: [ScriptParameter] = []
        // Room for a typical element line's parameters at once (growing 1, 2, 4, 8, 16 reallocates).
        result.reserveCapacity(16)
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") }
        func skipSeparators() {
            while index < bytes.count, isBlank(bytes[index]) || bytes[index] == UInt8(ascii: ",") { index += 1 }
        }
        func skipBlanks() {
            while index < bytes.count, isBlank(bytes[index]) { index += 1 }
        }
        func readToken() throws -> String {
            guard index < bytes.count else { return "" }
            let open = bytes[index]
            let close: UInt8?
            switch open {
            case UInt8(ascii: "\""): close = UInt8(ascii: "\"")
            case UInt8(ascii: "'"): close = UInt8(ascii: "'")
            case UInt8(ascii: "("): close = UInt8(ascii: ")")
            case UInt8(ascii: "["): close = UInt8(ascii: "]")
            case UInt8(ascii: "{"): close = UInt8(ascii: "}")
            default: close = nil
            }
            if let close {
                index += 1
                let start = index
                var depth = 0
                let nests = open != UInt8(ascii: "\"") && open != UInt8(ascii: "'")
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == close && depth == 0 { break }
                    if nests {
                        if byte == open { depth += 1 } else if byte == close { depth -= 1 }
                    }
                    index += 1
                }
                guard index < bytes.count else {
                    throw FeederError.syntax("unterminated '\(Character(Unicode.Scalar(open)))'", at: location)
                }
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if isBlank(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=") { break }
                index += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
        while true {
            skipSeparators()
            if index >= bytes.count { break }
            let first = bytes[index]
            let wasQuoted = first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") || first == UInt8(ascii: "(")
                || first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
            let token = try readToken()
            let save = index
            skipBlanks()
            if !wasQuoted, index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipBlanks()
                let value = index < bytes.count ? try readToken() : ""
                result.append(ScriptParameter(name: token, value: value))
            } else {
                index = save
                result.append(ScriptParameter(name: nil, value: token))
            }
        }
        return result
    }
}

/// Conversions of parameter text into typed values; every failure names property and location.
struct ValueReader {
    var property: String
    var text: String
    var location: ScriptLocation
    /// Folder that relative file names in the value resolve against (the script's folder).
    var directory = ""
    /// Where files named in the value are read from (nil: the file system, unrecorded).
    var files: ScriptFiles? = nil

    func fail(_ reason: String) -> FeederError {
        .invalidValue(property: property, value: text, reason: reason, at: location)
    }

    /// A number; text with blanks is evaluated as OpenDSS in-line RPN math, e.g. `8 1000 /`.
    func double() throws -> Double {
        // Fast path: a plain number (most values); anything else takes the general path below.
        if let first = text.utf8.first, let last = text.utf8.last, !isTrimmedBlank(first), !isTrimmedBlank(last),
           let value = Self.parseNumber(text) {
            return value
        }
        let trimmed = text.trimmedBlanks
        if let value = Self.parseNumber(trimmed) { return value }
        let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        guard parts.count > 1 else { throw fail("not a number") }
        let value = try evaluateRPN(parts)
        guard value.isFinite else { throw fail("the RPN expression is not a finite number") }
        return value
    }

    func int() throws -> Int {
        let value = try double()
        guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else { throw fail("not an integer") }
        return Int(value)
    }

    /// A finite number within `range`.
    func double(in range: ClosedRange<Double>) throws -> Double {
        let value = try double()
        guard value.isFinite, range.contains(value) else { throw fail("must be in \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    /// Phases or conductors of one element: enough for the largest public test feeders (17) and
    /// small enough that an element's matrices stay small.
    static let phaseRange = 1...100

    /// An integer within `range` (counts that size allocations are checked here, where they enter).
    func int(in range: ClosedRange<Int>) throws -> Int {
        let value = try int()
        guard range.contains(value) else { throw fail("must be in \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    func bool() throws -> Bool {
        let lower = text.lowercased()
        guard let first = lower.first else { throw fail("empty boolean") }
        switch first {
        case "y", "t": return true
        case "n", "f": return false
        default: throw fail("expected yes/no or true/false")
        }
    }

    func strings() -> [String] {
        splitASCII(text, separators: [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: "|")])
    }

    func doubles() throws -> [Double] {
        try strings().map { part in
            guard let value = Self.parseNumber(part) else { throw fail("'\(part)' is not a number") }
            return value
        }
    }

    /// A square matrix given as a lower triangle (rows separated by `|`) or in full.
    func matrix(order: Int) throws -> [Double] {
        var values = [Double](repeating: 0, count: order * order)
        let flat = try matrixValues()
        if flat.count == order * (order + 1) / 2 {
            var k = 0
            for i in 0..<order {
                for j in 0...i {
                    values[i * order + j] = flat[k]
                    values[j * order + i] = flat[k]
                    k += 1
                }
            }
        } else if flat.count == order * order {
            values = flat
        } else {
            throw fail("expected \(order * (order + 1) / 2) (lower triangle) or \(order * order) values, got \(flat.count)")
        }
        return values
    }

    /// The numbers of a matrix value in order: the parts between `|`, blanks, tabs and commas.
    private func matrixValues() throws -> [Double] {
        let fast = try withUTF8Bytes(of: text) { bytes -> [Double]? in
            // ASCII text: a Character is a byte, so cutting bytes at the separators gives the parts
            // the Character split below gives, and a part's number is read from its bytes.
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            var flat: [Double] = []
            var start = 0
            for index in 0...bytes.count {
                let isSeparator = index == bytes.count || bytes[index] == UInt8(ascii: "|") || bytes[index] == UInt8(ascii: " ")
                    || bytes[index] == UInt8(ascii: "\t") || bytes[index] == UInt8(ascii: ",")
                guard isSeparator else { continue }
                if index > start {
                    let part = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    guard let v = Self.parseNumber(bytes: part) else {
                        throw fail("'\(String(decoding: part, as: UTF8.self))' is not a number")
                    }
                    flat.append(v)
                }
                start = index + 1
            }
            return flat
        }
        if let fast { return fast }
        let rows = text.split(separator: "|").map { row in
            row.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        }.filter { !$0.isEmpty }
        return try rows.flatMap { row in
            try row.map { part -> Double in
                guard let v = Self.parseNumber(part) else { throw fail("'\(part)' is not a number") }
                return v
            }
        }
    }

    /// A finite number; NaN and infinities are refused.
    static func parseNumber(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        if let value = withUTF8Bytes(of: text, DecimalBytes.exactValue) { return value }
        return parseNumberGeneral(text)
    }

    /// A number from UTF-8 bytes: `parseNumber` without a String for the plain cases.
    static func parseNumber(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = DecimalBytes.exactValue(bytes) { return value }
        return bytes.isEmpty ? nil : parseNumberGeneral(String(decoding: bytes, as: UTF8.self))
    }

    /// `parseNumber` through `Double(String)` (every form it accepts; the original reading).
    static func parseNumberGeneral(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        if let value = Double(text) { return value.isFinite ? value : nil }
        if text.hasPrefix("."), let value = Double("0" + text) { return value }
        if text.hasPrefix("-."), let value = Double("-0" + text.dropFirst()) { return value }
        return nil
    }

    private func evaluateRPN(_ tokens: [String]) throws -> Double {
        var stack: [Double] = []
        func pop() throws -> Double {
            guard let v = stack.popLast() else { throw fail("RPN stack underflow") }
            return v
        }
        for token in tokens {
            if let number = Self.parseNumber(token) {
                stack.append(number)
                continue
            }
            switch token.lowercased() {
            case "+": let b = try pop(); let a = try pop(); stack.append(a + b)
            case "-": let b = try pop(); let a = try pop(); stack.append(a - b)
            case "*": let b = try pop(); let a = try pop(); stack.append(a * b)
            case "/": let b = try pop(); let a = try pop(); stack.append(a / b)
            case "^": let b = try pop(); let a = try pop(); stack.append(pow(a, b))
            case "sqrt": stack.append((try pop()).squareRoot())
            case "sqr": let a = try pop(); stack.append(a * a)
            case "inv": stack.append(1 / (try pop()))
            case "pi": stack.append(Double.pi)
            default: throw fail("unknown RPN token '\(token)'")
            }
        }
        guard stack.count == 1, let result = stack.first else { throw fail("RPN expression leaves \(stack.count) values") }
        return result
    }
}

/// A bus reference as written in a script: lower-cased bus name and the explicit node numbers.
public struct BusSpec: Sendable, Equatable {
    public var name: String
    public var nodes: [Int]

    public init(name: String, nodes: [Int] = []) {
        self.name = name
        self.nodes = nodes
    }

    static func parse(_ text: String, property: String, at location: ScriptLocation) throws -> BusSpec {
        if let spec = parseASCII(text) { return spec }
        return try parseGeneral(text, property: property, at: location)
    }

    /// The common case on UTF-8 bytes: ASCII text, a non-empty name, nodes of decimal digits. Nil
    /// for anything else (non-ASCII text, an error to report), which `parseGeneral` then reads as
    /// it always has: the two agree wherever this one answers.
    static func parseASCII(_ text: String) -> BusSpec? {
        withUTF8Bytes(of: text) { bytes -> BusSpec? in
            var nameEnd = 0
            var hasUpper = false
            while nameEnd < bytes.count, bytes[nameEnd] != UInt8(ascii: ".") {
                let byte = bytes[nameEnd]
                if byte >= 0x80 { return nil }
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { hasUpper = true }
                nameEnd += 1
            }
            guard nameEnd > 0 else { return nil }
            var nodes: [Int] = []
            // One node per dot after the name: room for all of them at once.
            var dots = 0
            for index in nameEnd..<bytes.count where bytes[index] == UInt8(ascii: ".") { dots += 1 }
            nodes.reserveCapacity(dots)
            var index = nameEnd
            while index < bytes.count {
                index += 1  // the dot
                var node = 0, digits = 0
                while index < bytes.count, bytes[index] != UInt8(ascii: ".") {
                    let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                    guard digit >= 0 && digit <= 9, digits < 18 else { return nil }
                    node = node * 10 + digit
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                nodes.append(node)
            }
            // ASCII: lower-casing maps A–Z alone.
            let name = nameEnd == bytes.count && !hasUpper ? text : lowercasedASCII(UnsafeBufferPointer(rebasing: bytes[..<nameEnd]))
            return BusSpec(name: name, nodes: nodes)
        }
    }

    /// Any bus text, split at `.` as Characters (the original reading; errors name the part).
    static func parseGeneral(_ text: String, property: String, at location: ScriptLocation) throws -> BusSpec {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty else {
            throw FeederError.invalidValue(property: property, value: text, reason: "empty bus name", at: location)
        }
        var nodes: [Int] = []
        for part in parts.dropFirst() {
            guard let node = Int(part), node >= 0 else {
                throw FeederError.invalidValue(property: property, value: text, reason: "node '\(part)' is not a number", at: location)
            }
            nodes.append(node)
        }
        return BusSpec(name: name.lowercased(), nodes: nodes)
    }

    /// Node of each of `conductors` conductors: explicit nodes first, then 1...phases, then 0 (ground).
    public func resolvedNodes(conductors: Int, phases: Int) -> [Int] {
        (0..<conductors).map { i in
            if i < nodes.count { return nodes[i] }
            return i < phases ? i + 1 : 0
        }
    }
}

extension ClosedRange where Bound == Double {
    /// The range with both bounds multiplied by `factor` (> 0).
    func scaled(by factor: Double) -> ClosedRange<Double> { (lowerBound * factor)...(upperBound * factor) }
}
