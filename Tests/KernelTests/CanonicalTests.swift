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
