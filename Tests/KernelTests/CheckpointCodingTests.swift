// The checkpoint encoding: values come back exactly (doubles by bit pattern, optionals, enums with
// payloads, nested arrays), the bytes do not depend on a dictionary's insertion or hash order, and
// damaged bytes are an error, never a trap.
import Testing
@testable import Kernel

private enum Shape: Codable, Equatable {
    case point
    case circle(radius: Double)
    case labelled(String, [Int32])
}

private struct Sample: Codable {
    var count: Int
    var values: [Double]
    var flags: [Bool]
    var nested: [[Int32]]
    var optional: Int64?
    var missing: String?
    var shapes: [Shape]
    var table: [String: Int]
    var byNumber: [Int: [UInt64]]
    var random: Xoshiro256StarStar
    var time: SimTime
}

@Suite struct CheckpointCodingTests {
    private func sample(tableOrder: [String]) -> Sample {
        var table: [String: Int] = [:]
        for key in tableOrder { table[key] = key.count * 7 }
        var random = Xoshiro256StarStar(seed: 42)
        _ = random.next()
        return Sample(count: -3, values: [1.5, -0.0, .nan, .infinity, 1e-310], flags: [true, false, true],
                      nested: [[1, -2], [], [Int32.max]], optional: Int64.min, missing: nil,
                      shapes: [.point, .circle(radius: 2.25), .labelled("ä", [7])], table: table,
                      byNumber: [3: [1, 2], -1: [], 10: [UInt64.max]], random: random, time: SimTime(milliseconds: 300_000))
    }

    @Test func roundTripIsExactAndReencodesToTheSameBytes() throws {
        let value = sample(tableOrder: ["b", "aa", "ccc"])
        let bytes = try CheckpointEncoder.encode(value)
        let decoded = try CheckpointDecoder.decode(Sample.self, from: bytes)
        #expect(decoded.values.map(\.bitPattern) == value.values.map(\.bitPattern))
        #expect(decoded.count == -3 && decoded.optional == Int64.min && decoded.missing == nil)
        #expect(decoded.shapes == value.shapes && decoded.nested == value.nested && decoded.flags == value.flags)
        #expect(decoded.table == value.table && decoded.byNumber == value.byNumber && decoded.time == value.time)
        var a = decoded.random, b = value.random
        #expect(a.next() == b.next())
        #expect(try CheckpointEncoder.encode(decoded) == bytes)
    }

    @Test func bytesDoNotDependOnDictionaryOrder() throws {
        let one = try CheckpointEncoder.encode(sample(tableOrder: ["b", "aa", "ccc", "d"]))
        let other = try CheckpointEncoder.encode(sample(tableOrder: ["d", "ccc", "aa", "b"]))
        #expect(one == other)
        #expect(one.count > 100)
    }

    @Test func damagedBytesAreAnErrorNamingWhere() throws {
        let bytes = try CheckpointEncoder.encode(sample(tableOrder: ["x"]))
        // Every truncation fails cleanly.
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: CheckpointCodingError.self) { try CheckpointDecoder.decode(Sample.self, from: Array(bytes[0..<length])) }
        }
        var flipped = bytes
        flipped[0] = 9  // an unknown node tag
        #expect(throws: CheckpointCodingError.self) { try CheckpointDecoder.decode(Sample.self, from: flipped) }
        #expect(throws: CheckpointCodingError.self) { try CheckpointDecoder.decode(Sample.self, from: bytes + [0]) }
    }
}
