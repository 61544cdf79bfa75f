// Owns the equivalence tests of the importer's byte-level fast paths (issue 11, import speed):
// trimming, comment stripping, `Class.name` splitting and bus parsing on UTF-8 bytes give what the
// original String/Character readings gave, on every script in golden/ and ../shared/feeders and on
// hand-written edge cases (non-ASCII text, empty parts, signs, long node numbers).
import Foundation
import Testing
import TestSupport
@testable import Feeder

@Suite struct ByteTokenizerTests {
    // MARK: The original readings, kept here as the reference

    static func referenceTrimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    static func referenceStripComment(_ line: String) -> String {
        let bytes = Array(line.utf8)
        var depth = 0
        var quote: UInt8?
        var previous = UInt8(ascii: " ")
        var end = bytes.count
        for (index, byte) in bytes.enumerated() {
            if let q = quote {
                if byte == q { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "(") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth = max(0, depth - 1)
            } else if depth == 0 && byte == UInt8(ascii: "!") {
                end = index
                break
            } else if depth == 0 && byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/") {
                end = index - 1
                break
            }
            previous = byte
        }
        return referenceTrimmed(String(decoding: bytes[..<end], as: UTF8.self))
    }

    /// `Class.name` split at the first Character dot, both parts lower-cased (nil: no dot).
    static func referenceObjectName(_ text: String) -> (className: String, name: String)? {
        guard let dot = text.firstIndex(of: ".") else { return nil }
        return (text[..<dot].lowercased(), text[text.index(after: dot)...].lowercased())
    }

    /// What a bus parse gives, or the error's text.
    enum BusOutcome: Equatable {
        case spec(BusSpec)
        case error(String)
    }

    static func busOutcome(_ parse: () throws -> BusSpec) -> BusOutcome {
        do { return .spec(try parse()) } catch { return .error("\(error)") }
    }

    static let location = ScriptLocation(file: "t.dss", line: 1)

    /// Records a mismatch (a plain comparison first: the shared feeders have ~10⁵ tokens).
    static func same<T: Equatable>(_ a: T, _ b: T, _ what: @autoclosure () -> String, sourceLocation: SourceLocation) {
        if a != b { Issue.record("\(what()): \(a) ≠ \(b)", sourceLocation: sourceLocation) }
    }

    /// Checks one piece of text through every fast path against its reference.
    static func checkValue(_ text: String, _ interpreter: ScriptInterpreter, sourceLocation: SourceLocation = #_sourceLocation) {
        same(text.trimmedBlanks, referenceTrimmed(text), "trimmed '\(text)'", sourceLocation: sourceLocation)
        let general = busOutcome { try BusSpec.parseGeneral(text, property: "bus1", at: location) }
        if let fast = BusSpec.parseASCII(text) { same(.spec(fast), general, "bus '\(text)'", sourceLocation: sourceLocation) }
        same(busOutcome { try BusSpec.parse(text, property: "bus1", at: location) }, general, "bus '\(text)'", sourceLocation: sourceLocation)
        if let split = try? interpreter.splitObjectName(text, at: location), let reference = referenceObjectName(text) {
            same([split.className, split.name], [reference.className, reference.name], "Class.name '\(text)'", sourceLocation: sourceLocation)
        }
        if let number = ValueReader.parseNumber(text) {
            let reader = ValueReader(property: "kv", text: text, location: location)
            same(try? reader.double(), number, "number '\(text)'", sourceLocation: sourceLocation)
        }
    }

    /// Every line of `text` through the line-level fast paths and its tokens through `checkValue`;
    /// returns the number of tokens checked.
    static func checkScript(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let interpreter = ScriptInterpreter()
        let lines = scriptLines(text)
        same(lines, text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init), "lines",
             sourceLocation: sourceLocation)
        var tokens = 0
        for raw in lines {
            let stripped = ScriptInterpreter.stripComment(raw.trimmedBlanks)
            same(stripped, referenceStripComment(referenceTrimmed(raw)), "stripped '\(raw)'", sourceLocation: sourceLocation)
            let fields = splitASCII(stripped, separators: [UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t")])
            same(ScriptInterpreter.firstCoordinateFields(stripped), Array(fields.prefix(3)), "BusCoords fields '\(stripped)'",
                 sourceLocation: sourceLocation)
            guard let parameters = try? ScriptLexer.split(stripped, at: location) else { continue }
            let viaCopy = try? Array(stripped.utf8).withUnsafeBufferPointer { try ScriptLexer.split(bytes: $0, at: location) }
            same(viaCopy, parameters, "tokens '\(stripped)'", sourceLocation: sourceLocation)
            for parameter in parameters {
                checkValue(parameter.value, interpreter, sourceLocation: sourceLocation)
                tokens += 1
            }
        }
        return tokens
    }

    // MARK: Tests

    @Test func edgeCasesMatchTheOriginalReadings() {
        let values = ["", ".", "..", "a", "A", "a.", ".1", "a.1", "A.1.2.3", "bus.0", "b.007", "b.+1", "b.-1", "b.1e2", "b.x",
                      "b.1..2", "b.99999999999999999999", "b.123456789012345678", "Bus_X.1.2", "Zürich.1", "Ä.1", "é",
                      "line.L1", "Line.é", "LINE.A.B", "circuit.Ckt5", "transformer.", " 1.5", "1.5 ", "-.5", ".5", "1e3",
                      "8 1000 /", "nan", "inf", "0x10", "\t2\r", "İ.1", "a\u{301}.1", "a.\u{301}1", ".\u{301}", "ÀB.1"]
        let interpreter = ScriptInterpreter()
        for value in values { Self.checkValue(value, interpreter) }
        for line in ["a,1,2", " a  1 2 3", ",,a,,1\t,2", "a 1", "", ",", "é, 1, 2", "b\t-1e3,.5 x"] {
            #expect(ScriptInterpreter.firstCoordinateFields(line)
                    == Array(splitASCII(line, separators: [UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t")]).prefix(3)))
        }
        let script = "New Line.A bus1=X.1.2 bus2=Y ! c\r\n  ~ length=.5 // x\u{2028}/* b */\n\"q ! not\" !c\n\u{85}New Load.É bus1=Ä.1 kV=( 1 2 + )\n"
        #expect(Self.checkScript(script) > 0)
    }

    @Test func goldenScriptsTokenizeAsBefore() throws {
        let root = SharedData.packageRoot.appendingPathComponent("golden").path
        let checked = try Self.checkScripts(under: root)
        #expect(checked.files > 0 && checked.tokens > 0)
    }

    @Test func sharedFeederScriptsTokenizeAsBefore() throws {
        guard let root = SharedData.path("feeders") else { return }
        let checked = try Self.checkScripts(under: root)
        #expect(checked.files >= 10 && checked.tokens > 10_000)
    }

    /// Every `.dss` file under `root` (sorted) through `checkScript`.
    static func checkScripts(under root: String) throws -> (files: Int, tokens: Int) {
        let paths = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.lowercased().hasSuffix(".dss") }.sorted()
        var tokens = 0
        for relative in paths {
            let data = try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(relative))
            guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else { continue }
            tokens += checkScript(text)
        }
        return (paths.count, tokens)
    }
}
