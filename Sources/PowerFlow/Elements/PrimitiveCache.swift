// Owns the reuse of element primitives while a network is built: elements whose primitive inputs
// are identical bit for bit (a feeder's service transformers of one XfmrCode, its drops of one line
// code and length) share one computed matrix instead of computing the same matrix again.
import Feeder

/// The inputs of one primitive as bit patterns and small integers: equal keys mean equal inputs
/// bit for bit (−0 and +0, or two NaNs of different payloads, are different keys), so a shared
/// matrix is exactly the one the element would have computed.
struct PrimitiveKey {
    var words: [UInt64]
}

/// Transformer primitives by key: open addressing over plain arrays (lookups only, never
/// iterated). Not a Dictionary: a Dictionary of a new key type makes the runtime look up its
/// Hashable conformance at the first insertion, which costs more than a small feeder's whole build.
struct TransformerPrimitiveTable {
    private var keys: [[UInt64]] = []
    private var values: [TransformerPrimitives] = []
    /// Index into `keys` (−1: empty); a power-of-two count, at most half full.
    private var slots = [Int](repeating: -1, count: 64)

    private static func hash(_ words: [UInt64]) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for word in words { h = (h ^ word) &* 0x100_0000_01b3; h ^= h >> 32 }
        return Int(truncatingIfNeeded: h)
    }

    private func slot(of words: [UInt64]) -> (slot: Int, index: Int?) {
        let mask = slots.count - 1
        var slot = Self.hash(words) & mask
        while slots[slot] >= 0 {
            if keys[slots[slot]] == words { return (slot, slots[slot]) }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    subscript(key: PrimitiveKey) -> TransformerPrimitives? {
        slot(of: key.words).index.map { values[$0] }
    }

    /// Adds `value` for a key not in the table.
    mutating func insert(_ value: TransformerPrimitives, for key: PrimitiveKey) {
        if 2 * (keys.count + 1) > slots.count {
            slots = [Int](repeating: -1, count: 2 * slots.count)
            for (index, words) in keys.enumerated() { slots[slot(of: words).slot] = index }
        }
        let found = slot(of: key.words)
        precondition(found.index == nil, "insert is for new keys")
        slots[found.slot] = keys.count
        keys.append(key.words)
        values.append(value)
    }
}

/// Primitives computed so far in one network build, by their inputs.
///
/// Transformers are few and costly (a feeder's service transformers of a handful of codes come in
/// any order): all are kept. Lines are many and cheap, and the ones that repeat come in runs (a
/// file of service drops): only the last line's primitive is kept, so a line that differs from
/// the one before costs one comparison, not a hash.
struct PrimitiveCache {
    var transformers = TransformerPrimitiveTable()
    var lastLine: (key: LineKey, primitive: DenseComplexMatrix)?

    /// Everything `Primitives.transformerPrimitives` reads of `t` and `taps` but its name (which
    /// only an error names; errors are never cached).
    static func transformerKey(_ t: Transformer, taps: [Double]) -> PrimitiveKey {
        var words: [UInt64] = []
        words.reserveCapacity(8 + 7 * t.windings.count + taps.count)
        words.append(UInt64(bitPattern: Int64(t.phases)))
        words.append(UInt64(bitPattern: Int64(t.windings.count)))
        words.append(UInt64(bitPattern: Int64(taps.count)))
        for value in [t.xhlPercent, t.xhtPercent, t.xltPercent, t.noLoadLossPercent, t.magnetizingPercent, t.ppmAntifloat] {
            words.append(value.bitPattern)
        }
        for w in t.windings {
            words.append(w.connection == .wye ? 0 : 1)
            for value in [w.kilovolts, w.kilovoltAmperes, w.resistancePercent, w.neutralResistance, w.neutralReactance] {
                words.append(value.bitPattern)
            }
        }
        for tap in taps { words.append(tap.bitPattern) }
        return PrimitiveKey(words: words)
    }

    /// What `Primitives.line` reads of a line that takes its impedances from line code `codeIndex`
    /// (`usesOwnImpedance` false): the code, the line's phases and whether they override the code's,
    /// its units and length; the code's values come with the code. Nil for any other line.
    static func lineKey(_ line: Line, codeIndex: Int?, frequencyHertz: Double) -> LineKey? {
        guard let codeIndex, !line.usesOwnImpedance else { return nil }
        return LineKey(codeIndex: codeIndex, phases: line.phases, phasesOverrideCode: line.phasesOverrideCode,
                       unitMetres: line.units.metres?.bitPattern, lengthBits: line.length.bitPattern,
                       frequencyBits: frequencyHertz.bitPattern)
    }
}

/// `PrimitiveKey` of a line with a line code, without an array (compared once per line).
struct LineKey: Equatable {
    var codeIndex: Int
    var phases: Int
    var phasesOverrideCode: Bool
    var unitMetres: UInt64?
    var lengthBits: UInt64
    var frequencyBits: UInt64
}
