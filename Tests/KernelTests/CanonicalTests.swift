import Testing
@testable import Kernel

@Suite struct CanonicalTests {
    @Test func jsonSortsKeysAndFormatsNumbersCanonically() {
        let value: CanonicalJSON = ["b": 1, "a": [0.1, 5.0, 1e-5], "c": "x\"\n\u{1}", "d": nil, "e": true]
        #expect(value.text == #"{"a":[0.1,5.0,1e-05],"b":1,"c":"x\"\n\u0001","d":null,"e":true}"#)
        #expect(CanonicalJSON.double(.nan).text == #""NaN""#)
        #expect(CanonicalJSON.double(-.infinity).text == #""-Infinity""#)
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
