// Owns a pre-scan of TOML text before TOMLKit sees it: the bundled toml++ aborts the process on
// some malformed input (a control character in a table header, a header of nested brackets, a
// '}' where an array expects a value) instead of throwing, so the constructs that reach those assertions are refused here first,
// with line and column. Everything else is left to TOMLKit's own (throwing) parser.

/// Refuses raw control characters, malformed table headers and deeply nested values.
struct TOMLPrecheck {
    /// Deepest nesting of arrays and inline tables accepted.
    static let maximumDepth = 32

    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    /// The open arrays and inline tables, innermost last ("[" or "{").
    private var openers: [Unicode.Scalar] = []

    static func check(_ text: String, file: String) throws(TOMLInputError) {
        var scanner = TOMLPrecheck(scalars: Array(text.unicodeScalars), file: file)
        while scanner.peek() != nil { try scanner.advance() }  // control characters first, wherever they are
        scanner = TOMLPrecheck(scalars: scanner.scalars, file: file)
        try scanner.scan()
    }

    private init(scalars: [Unicode.Scalar], file: String) {
        self.scalars = scalars
        self.file = file
    }

    private func fail(_ message: String) -> TOMLInputError {
        TOMLInputError(file: file, line: line, key: nil, message: "\(message) (column \(column))")
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func starts(with text: String) -> Bool {
        for (offset, scalar) in text.unicodeScalars.enumerated() where peek(offset) != scalar { return false }
        return true
    }

    /// Consumes one scalar, refusing control characters (TOML allows only tab, LF and CR LF).
    private mutating func advance() throws(TOMLInputError) {
        guard let scalar = peek() else { return }
        let value = scalar.value
        if value == 0x7F || (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) {
            throw fail("control character U+\(String(value, radix: 16, uppercase: true).leftPadded(4)) is not allowed in TOML")
        }
        index += 1
        if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
    }

    private mutating func scan() throws(TOMLInputError) {
        var atLineStart = true
        while let scalar = peek() {
            if atLineStart && openers.isEmpty && scalar != " " && scalar != "\t" {
                atLineStart = false
                if scalar == "[" { try header(); continue }
            }
            switch scalar {
            case "\n": atLineStart = true; try advance()
            case "#": while let next = peek(), next != "\n" { try advance() }
            case "\"", "'": try string(quote: scalar)
            case "[", "{":
                guard openers.count < Self.maximumDepth else { throw fail("arrays or inline tables nested deeper than \(Self.maximumDepth)") }
                openers.append(scalar)
                try advance()
            case "]", "}":
                // toml++ aborts on a '}' where an array expects a value (found by fuzzing); a closer
                // that does not match the innermost opener is malformed TOML wherever it is.
                if let innermost = openers.last, (innermost == "[") != (scalar == "]") {
                    throw fail("'\(scalar)' cannot close the '\(innermost)' opened before it")
                }
                _ = openers.popLast()
                try advance()
            default: try advance()
            }
        }
    }

    /// A string: basic or literal, on one line or multi-line (`"""`, `'''`).
    private mutating func string(quote: Unicode.Scalar) throws(TOMLInputError) {
        let triple = String(repeating: String(quote), count: 3)
        let multiline = starts(with: triple)
        for _ in 0..<(multiline ? 3 : 1) { try advance() }
        while let scalar = peek() {
            if multiline ? starts(with: triple) : scalar == quote {
                for _ in 0..<(multiline ? 3 : 1) { try advance() }
                while multiline, peek() == quote { try advance() }  // up to two quotes may end the content
                return
            }
            if scalar == "\n" && !multiline { return }  // unterminated: TOMLKit reports it
            if scalar == "\\" && quote == "\"" { try advance() }
            try advance()
        }
    }

    /// `[key.key]` or `[[key.key]]`, keys bare (A–Z a–z 0–9 _ -) or quoted, then a comment or the line's end.
    private mutating func header() throws(TOMLInputError) {
        let double = starts(with: "[[")
        for _ in 0..<(double ? 2 : 1) { try advance() }
        repeat {
            skipBlanks()
            guard let scalar = peek() else { throw fail("unterminated table header") }
            if scalar == "\"" || scalar == "'" {
                let startLine = line
                try string(quote: scalar)
                guard line == startLine else { throw fail("a table header key must be on one line") }
            } else {
                guard isBareKey(scalar) else { throw fail("malformed table header: expected a key, found '\(scalar.escaped(asASCII: true))'") }
                while let next = peek(), isBareKey(next) { try advance() }
            }
            skipBlanks()
        } while try consume(".")
        let close = double ? "]]" : "]"
        guard starts(with: close) else { throw fail("malformed table header: expected '\(close)'") }
        for _ in 0..<close.count { try advance() }
        skipBlanks()
        guard peek() == nil || peek() == "\n" || peek() == "#" || starts(with: "\r\n") else {
            throw fail("malformed table header: unexpected text after '\(close)'")
        }
    }

    private func isBareKey(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    private mutating func skipBlanks() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { index += 1; column += 1 }
    }

    private mutating func consume(_ scalar: Unicode.Scalar) throws(TOMLInputError) -> Bool {
        guard peek() == scalar else { return false }
        try advance()
        return true
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
