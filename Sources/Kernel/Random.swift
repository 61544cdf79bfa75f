// Owns the project's pseudo-random numbers: SplitMix64 (seed expansion), xoshiro256** (streams),
// named per-subsystem streams derived from one root seed, and our own range reduction.
//
// Written by hand on purpose: the standard library's `random(in:using:)` range-reduction algorithm
// is not specified and may change between Swift versions, which would silently change every trace.
// The algorithms here are pinned by test vectors (Tests/KernelTests/RandomTests.swift).

/// SplitMix64 (Steele, Lea & Flood 2014), used only to expand seeds into xoshiro state.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018): the generator behind every simulation stream.
///
/// Seeded from a 64-bit value through SplitMix64, as its authors recommend. All derived draws
/// (`uniformInt`, `uniformDouble`, `exponential`, …) are defined in terms of `next()` only, so a
/// stream's output is a pure function of its seed.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Codable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// `words` draws as big-endian bytes (8 per draw): seeds for keys, commitment nonces.
    public mutating func nextBytes(words: Int) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8 * words)
        for _ in 0..<words { encoder.append(next()) }
        return encoder.bytes
    }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire 2019, "nearly divisionless").
    ///
    /// `bound` must be positive; the rejection loop consumes a variable number of draws, which is
    /// deterministic for a given stream state.
    public mutating func uniformInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniformInt(below:) needs a positive bound")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// Uniform integer in the closed range `lower...upper`.
    public mutating func uniformInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound)) &+ 1
        if span == 0 { return Int(bitPattern: UInt(next())) }  // the full 64-bit range
        return range.lowerBound &+ Int(bitPattern: UInt(uniformInt(below: span)))
    }

    /// Uniform double in [0, 1) with 53 random bits: `(next() >> 11) · 2⁻⁵³`.
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform double in [lower, upper).
    public mutating func uniformDouble(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniformDouble()
    }

    /// Exponential variate with the given mean, by inversion: `−mean · ln(1 − u)`, u ∈ [0, 1).
    public mutating func exponential(mean: Double) -> Double {
        -mean * log1pNegative(uniformDouble())
    }

    /// Standard normal variate (Box–Muller, cosine branch; consumes two draws).
    public mutating func standardNormal() -> Double {
        let u1 = 1.0 - uniformDouble()  // (0, 1]
        let u2 = uniformDouble()
        return (-2.0 * logarithm(u1)).squareRoot() * cosine(2.0 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle driven by `uniformInt(below:)`.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(uniformInt(below: UInt64(i + 1)))
            array.swapAt(i, j)
        }
    }
}

/// The root seed of a run, expanded into independent named streams, one per subsystem.
///
/// A stream's seed is `SplitMix64(rootSeed ^ fnv1a64(name)).next()`, so streams depend only on the
/// root seed and their own name: adding draws to one subsystem never shifts another.
public struct SeedStreams: Sendable {
    public let rootSeed: UInt64

    public init(rootSeed: UInt64) { self.rootSeed = rootSeed }

    /// The stream for `name` (e.g. "market", "chain", "grid", "adversaries").
    public func stream(_ name: String) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: streamSeed(name))
    }

    /// The 64-bit seed behind `stream(name)`; useful for sub-streams (`SeedStreams(rootSeed: …)`).
    public func streamSeed(_ name: String) -> UInt64 {
        var mixer = SplitMix64(seed: rootSeed ^ fnv1a64(name))
        return mixer.next()
    }

    /// A family of streams under `name` (e.g. one stream per participant of "market.signing").
    public func substreams(_ name: String) -> SeedStreams { SeedStreams(rootSeed: streamSeed(name)) }
}

/// FNV-1a 64-bit hash of a string's UTF-8 bytes (used for stream names; stable across processes,
/// unlike `Hasher`, which Swift seeds randomly per process).
public func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}
