import Testing
@testable import Kernel

@Suite struct CanonicalTests {
    @Test func jsonSortsKeysAndFormatsNumbersCanonically() {
        let value: CanonicalJSON = ["b": 1, "a": [0.1, 5.0, 1e-5], "c": "x\"\n\u{1}", "d": nil, "e": true]
        #expect(value.text == #"{"a":[0.1,5.0,1e-05],"b":1,"c":"x\"\n\u0001","d":null,"e":true}"#)
        #expect(CanonicalJSON.double(.nan).text == #""NaN""#)
        #expect(CanonicalJSON.double(-.infinity).text == #""-Infinity""#)
    }

    /// The byte writer gives what the textbook escaping gives: integers like `String(_:)`, keys
    /// ordered by UTF-8 bytes (not Unicode order), non-ASCII text unescaped, controls as \u00xx.
    /// Object keys are ordered by their UTF-8 bytes (a proper prefix first), whatever their script,
    /// and strings that need escaping are escaped on every path.
    @Test func keyOrderIsTheUTF8ByteOrder() {
        let keys = ["b", "a", "ab", "", "Z", "é", "z", "µ", "aa", "a\u{0}", "日本", "~"]
        // Canonically equivalent to "é" for Swift's String comparison, but other bytes: byte order decides.
        #expect(CanonicalJSON.utf8Precedes("e\u{301}", "é") && !CanonicalJSON.utf8Precedes("é", "e\u{301}"))
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(keys.sorted { CanonicalJSON.utf8Precedes($0, $1) } == expected)
        let object = CanonicalJSON.object(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, CanonicalJSON.int(Int64($0))) }))
        let text = object.text
        var position = text.startIndex
        for key in expected {
            var quoted: [UInt8] = []
            CanonicalJSON.appendString(key, to: &quoted)
            let range = text.range(of: String(decoding: quoted, as: UTF8.self) + ":", range: position..<text.endIndex)
            #expect(range != nil, "key \(key.debugDescription) missing or out of order in \(text)")
            position = range?.upperBound ?? position
        }
        #expect(CanonicalJSON.string("a\"b\\c\n\u{1}é").text == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }

    @Test func integersStringsAndKeyOrderMatchTheirDefinitions() {
        for value: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] { #expect(CanonicalJSON.int(value).text == String(value)) }
        #expect(CanonicalJSON.string("tab\there\\ \r\u{1F}é😀").text == #""tab\there\\ \r\u001fé😀""#)
        let keys: CanonicalJSON = ["é": 1, "z": 2, "Z": 3, "aa": 4, "a": 5]
        #expect(keys.text == #"{"Z":3,"a":5,"aa":4,"z":2,"é":1}"#)
        #expect(keys.bytes == Array(keys.text.utf8))
        var text = "prefix "
        keys.write(to: &text)
        #expect(text == "prefix " + keys.text)
    }

    @Test func doublesRoundTripThroughTheirText() {
        var g = Xoshiro256StarStar(seed: 5)
        for _ in 0..<10_000 {
            let d = Double(bitPattern: g.next())
            guard d.isFinite else { continue }
            #expect(Double(CanonicalJSON.format(d)) == d)
        }
    }

    @Test func binaryEncodingIsBigEndianAndLengthPrefixed() {
        var e = CanonicalEncoder()
        e.append(UInt64(0x0102_0304_0506_0708))
        e.append("hé")
        e.append(1.0)
        #expect(e.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3, 0x68, 0xC3, 0xA9, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        #expect(hexString([0x00, 0xAB, 0xFF]) == "00abff")
    }
}
