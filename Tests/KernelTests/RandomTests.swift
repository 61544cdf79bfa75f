// Pins the PRNG algorithms by test vectors computed independently (a Python reference
// implementation of SplitMix64, xoshiro256** and Lemire's reduction), so any change is caught.
import Testing
@testable import Kernel

@Suite struct RandomTests {
    @Test func splitMix64Vectors() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func xoshiroVectors() {
        var g = Xoshiro256StarStar(seed: 42)
        #expect(g.next() == 0x1578_0B2E_0C2E_C716)
        #expect(g.next() == 0x6104_D986_6D11_3A7E)
        #expect(g.next() == 0xAE17_5332_39E4_99A1)
        #expect(g.next() == 0xECB8_AD47_03B3_60A1)
    }

    @Test func namedStreamsAreDerivedFromRootAndName() {
        #expect(fnv1a64("market") == 0xEDDC_B52B_1548_6B11)
        let streams = SeedStreams(rootSeed: 42)
        #expect(streams.streamSeed("chain") == 0x83EF_930D_F471_9540)
        var chain = streams.stream("chain")
        #expect(chain.next() == 0x599B_C619_FC83_4B27)
        #expect(chain.next() == 0x69D5_7E20_8B9B_AE6C)
        // Drawing from one stream never shifts another.
        var market1 = streams.stream("market")
        var chain2 = streams.stream("chain")
        for _ in 0..<1000 { _ = chain2.next() }
        var market2 = streams.stream("market")
        #expect(market1.next() == market2.next())
        #expect(streams.streamSeed("market") != streams.streamSeed("chain"))
    }

    @Test func rangeReductionVectors() {
        var g = Xoshiro256StarStar(seed: 7)
        let draws = (0..<8).map { _ in g.uniformInt(below: 10) }
        #expect(draws == [7, 2, 8, 9, 9, 8, 0, 1])
        var h = Xoshiro256StarStar(seed: 7)
        #expect(h.uniformDouble() == 0.7005764821796896)
        #expect(h.uniformDouble() == 0.2787512294737843)
    }

    @Test func uniformIntStaysInRangeAndIsUnbiased() {
        var g = Xoshiro256StarStar(seed: 1)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 {
            let v = g.uniformInt(in: 1...6)
            #expect((1...6).contains(v))
            counts[v - 1] += 1
        }
        // Each face expects 10,000; 5 standard deviations is about ±456.
        for c in counts { #expect(abs(c - 10_000) < 460) }
    }

    @Test func exponentialHasTheRequestedMean() {
        var g = Xoshiro256StarStar(seed: 3)
        let n = 200_000
        var sum = 0.0
        for _ in 0..<n { sum += g.exponential(mean: 15) }
        // Standard error is 15/sqrt(n) ≈ 0.034; allow 5 of them.
        #expect(abs(sum / Double(n) - 15) < 0.17)
    }
}
