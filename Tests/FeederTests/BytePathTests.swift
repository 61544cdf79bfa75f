// Owns the equivalence tests of the importer's second round of byte paths (issue 11, snapshot
// start-up): numbers read from bytes (Clinger's exact cases) against `Double(String)`, script lines
// and commands cut on bytes against the String readings (block comments included), BusCoords lines
// on bytes, and property names resolved on bytes against the lower-casing search.
import Foundation
import Testing
import TestSupport
@testable import Feeder

@Suite struct BytePathTests {
    /// The reading before byte numbers: `Double(String)`, finite only, with "." and "-." completed.
    static func referenceNumber(_ text: String) -> Double? {
        guard !text.isEmpty else { return nil }
        if let value = Double(text) { return value.isFinite ? value : nil }
        if text.hasPrefix("."), let value = Double("0" + text) { return value }
        if text.hasPrefix("-."), let value = Double("-0" + text.dropFirst()) { return value }
        return nil
    }

    /// Same value, bit for bit (so 0.0 and −0.0 differ), or both nil.
    static func sameBits(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x.bitPattern == y.bitPattern
        default: return false
        }
    }

    static func checkNumber(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = referenceNumber(text)
        #expect(sameBits(ValueReader.parseNumber(text), reference), "parseNumber '\(text)'", sourceLocation: sourceLocation)
        let viaBytes = Array(text.utf8).withUnsafeBufferPointer { ValueReader.parseNumber(bytes: $0) }
        #expect(sameBits(viaBytes, reference), "parseNumber(bytes:) '\(text)'", sourceLocation: sourceLocation)
        if let exact = Array(text.utf8).withUnsafeBufferPointer(DecimalBytes.exactValue) {
            // Where the byte reader answers, it answers what Double(String) answers.
            #expect(sameBits(exact, Double(text)), "exact '\(text)'", sourceLocation: sourceLocation)
        }
    }

    @Test func numbersFromBytesEqualDoubleOfString() {
        let cases = ["0", "-0", "+0", "0.0", "-0.000", "00012", "5.", ".5", "-.5", "+.5", "+5", "-5.", "1e5", "1E+05", "1e-5",
                     "1.5e-3", "-2.5E2", "1e", "1e+", "e5", ".e3", ".", "-", "+", "--1", "1..2", "1.2.3", "1e5.5", "5.e3",
                     "0x10", "0x1p3", "1_0", " 5", "5 ", "\t5", "inf", "-inf", "Infinity", "nan", "NaN", "٣", "１",
                     "9007199254740992", "9007199254740993", "9007199254740991", "-9007199254740993",
                     "1234567890123456789", "12345678901234567890", "0.1234567890123456789", "0.12345678901234567890",
                     "1e22", "1e23", "1e-22", "1e-23", "123456789e22", "4.9406564584124654e-324", "2.2250738585072014e-308",
                     "1.7976931348623157e308", "1.8e308", "1e400", "-1e400", "1e-400", "0e999", "0e-999999999999",
                     "1e99999999999999999999", "000000000000000000000000001", "100000000000000000000000",
                     "0.000000000000000000000000000001", "7.2", "0.001", "12.47", "115", "-0.4", "3.14159265358979",
                     "0.30000000000000004", "2.675", "1.005", "8.5e-5", "1693950.0", "12277577.7570982"]
        for text in cases { Self.checkNumber(text) }
        // Seeded pseudo-random decimals of every length and exponent the fast path covers and beyond.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<20_000 {
            let digits = String(next() % 10_000_000_000_000_000)
            let point = Int(next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if next() % 3 == 0 { text += "e" + String(Int(next() % 61) - 30) }
            if next() % 2 == 0 { text = "-" + text }
            Self.checkNumber(text)
        }
    }

    @Test func linesAndCommandsOnBytesMatchTheStringReadings() {
        let script = "New Line.A bus1=X.1.2 ! c\r\n  ~ length=.5 // x\u{2028}/* b */\n/* open\nstill */ New Load.L\n"
            + "\"q ! not\" !c\n\u{85}New Load.É bus1=Ä.1 kV=( 1 2 + )\n/* é\n é */\n  /*x*/ rest\n\t\r\u{0B}\u{0C}a(b//c)//d\n"
            + "x='it''s'!y\n/\n//\n!\n*/\nend"
        #expect(Self.checkCommands(script) > 5)
        for line in ["b1, 1.5, 2", "  B1 1 2 3 ! c", ",,a,,1\t,2", "a 1", "", ",", "é, 1, 2", "b\t-1e3,.5 x", "a 1 2e999",
                     "a .5 -.5", "a nan 1", "A 0x10 1", "// only", "bus 1 2 // c", "Ä 1 2"] {
            let viaString = ScriptInterpreter.coordinateEntry(line)
            if line.utf8.allSatisfy({ $0 < 0x80 }) {
                let viaBytes = Array(line.utf8).withUnsafeBufferPointer { ScriptInterpreter.coordinateEntry(ascii: $0) }
                #expect(viaBytes == viaString, "BusCoords '\(line)'")
            }
        }
        #expect(ScriptInterpreter.coordinateEntry("B1, 1.5, 2") == .coordinates(bus: "b1", x: 1.5, y: 2))
        #expect(ScriptInterpreter.coordinateEntry("b1 1") == .invalid)
    }

    @Test func sharedAndGoldenScriptsGiveTheSameCommands() throws {
        var roots = [SharedData.packageRoot.appendingPathComponent("golden").path]
        if let shared = SharedData.path("feeders") { roots.append(shared) }
        var commands = 0
        for root in roots {
            let paths = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
                .filter { $0.lowercased().hasSuffix(".dss") }.sorted()
            for relative in paths {
                let data = try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(relative))
                guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else { continue }
                commands += Self.checkCommands(text)
            }
        }
        #expect(commands > 1_000)
    }

    /// Cuts `text` into lines and commands both ways (bytes for ASCII lines, the String path for
    /// every line) and checks they agree, block-comment state included; returns the command count.
    static func checkCommands(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var lines: [ScriptLineBytes] = []
        var viaBytes: [String?] = []
        var viaString: [String?] = []
        var commentBytes = false, commentString = false
        var mismatches = 0
        text.utf8.withContiguousStorageIfAvailable { bytes in
            forEachScriptLine(bytes) { (line: ScriptLineBytes) in
                lines.append(line)
                let string = String(decoding: line.bytes, as: UTF8.self)
                let separators: [UInt8] = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: "|")]
                if splitASCII(string, separators: separators)
                    != string.utf8.split(whereSeparator: { separators.contains($0) }).map({ String(decoding: $0, as: UTF8.self) }) {
                    mismatches += 1
                }
                #expect(line.isASCII == string.utf8.allSatisfy { $0 < 0x80 }, sourceLocation: sourceLocation)
                viaString.append(ScriptInterpreter.commandText(string, inBlockComment: &commentString))
                // The importer's path: a line the scan found no comment byte in skips the comment search.
                let syntaxBytes = Array("!\"'()/[]{}".utf8)
                #expect(line.hasCommentSyntax || !string.utf8.contains { syntaxBytes.contains($0) || $0 >= 0x80 },
                        sourceLocation: sourceLocation)
                viaBytes.append(line.isASCII
                                ? ScriptInterpreter.commandText(ascii: line.bytes, hasCommentSyntax: line.hasCommentSyntax, inBlockComment: &commentBytes)
                                : ScriptInterpreter.commandText(string, inBlockComment: &commentBytes))
                if commentBytes != commentString { mismatches += 1 }
                if line.isASCII {
                    let entry = ScriptInterpreter.coordinateEntry(ascii: line.bytes, hasCommentSyntax: line.hasCommentSyntax)
                    if entry != ScriptInterpreter.coordinateEntry(string) { mismatches += 1 }
                }
            }
        }
        #expect(lines.count == scriptLines(text).count, "line count", sourceLocation: sourceLocation)
        #expect(viaBytes == viaString, "commands", sourceLocation: sourceLocation)
        #expect(mismatches == 0, "block-comment state or BusCoords entries differ", sourceLocation: sourceLocation)
        return viaBytes.compactMap { $0 }.count
    }

    /// The property search before byte comparison: lower-case, exact, `like`, first prefix.
    static func referenceProperty(_ dssClass: DSSClass, _ given: String) -> (property: String, position: Int?)? {
        let lower = given.lowercased()
        if let position = dssClass.propertyNames.firstIndex(of: lower) { return (lower, position) }
        if lower == "like" { return (lower, nil) }
        if let position = dssClass.propertyNames.firstIndex(where: { $0.hasPrefix(lower) }) {
            return (dssClass.propertyNames[position], position)
        }
        return "like".hasPrefix(lower) ? ("like", nil) : nil
    }

    @Test func propertiesResolveOnBytesAsBefore() {
        for dssClass in DSSClass.all() {
            var names = ["", "l", "li", "LIKE", "Like", "x", "zz", "K\u{212A}", "\u{212A}v", "é", "bus1 "]
            for name in dssClass.propertyNames {
                names += [name, name.uppercased(), String(name.prefix(1)), String(name.prefix(2)).uppercased(),
                          String(name.dropLast()), name + "x"]
            }
            for given in names {
                let resolved = dssClass.resolvePropertyPosition(given)
                let reference = Self.referenceProperty(dssClass, given)
                #expect(resolved?.property == reference?.property && resolved?.position == reference?.position,
                        "\(dssClass.name).\(given)")
            }
        }
    }
}
