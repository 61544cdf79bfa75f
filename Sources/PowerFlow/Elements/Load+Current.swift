// Owns the fast path of the CVR load model (OpenDSS model 4) for the full iteration: a power
// x^c of the per-unit voltage from a table of exact anchor powers and a short binomial series
// instead of `pow`, and the branch current from one reciprocal of |V|² instead of two complex
// divisions. Every ckt5 load is model 4 (CVRwatts 0.8, CVRvars 3), so this is the inner loop of
// a yearly run; runs of such loads are evaluated two or four at a time in SIMD lanes
// (`cvrLaneInjections`, the same operations per lane). The reduced iteration keeps
// `branchCurrent` (and its traces stay bit-for-bit).
import ComplexModule
import Kernel

/// x^c for x in a fixed range, to within a few ulps of `pow` (tested within 1e-15 relative).
///
/// Anchors a_j = j/1024 (exact binary fractions) carry A_j = pow(a_j, c); for x nearest to a_j,
/// x^c = A_j·(1 + e)^c with e = (x − a_j)/a_j, |e| ≤ 1/(2j), summed as the binomial series to e⁷
/// (the next term is below 1e-20 for |c| ≤ 8 and x ≥ 0.5). Outside the table: `pow`. A plain
/// value (no arrays): the anchors live in the owning `PowerTables`, so the inner loop reads it
/// without reference counting.
struct FractionalPower {
    static let anchorsPerUnit = 1024.0
    let exponent: Double
    /// j of the first anchor, and where its (A_j, 1/j) pair starts in the shared anchor array.
    let firstAnchor: Int
    let offset: Int
    let count: Int
    /// Binomial coefficients C(c, 1) ... C(c, 7).
    let series: SIMD8<Double>

    /// x^c (x > 0); `anchors` is the owning table set's anchor array.
    @inline(__always)
    func evaluate(_ x: Double, anchors: UnsafeBufferPointer<Double>) -> Double {
        let scaled = x * Self.anchorsPerUnit
        // The nearest anchor by truncation (an inline conversion; `rounded()` calls libm's rint).
        guard scaled >= 0, scaled < 1e9 else { return power(x, exponent) }
        let j = Int(scaled + 0.5)
        let nearest = Double(j)
        let index = j - firstAnchor
        guard index >= 0, index < count else { return power(x, exponent) }
        let at = offset + 2 * index
        precondition(at + 1 < anchors.count, "power table anchors out of range")
        // scaled − j is exact (Sterbenz), so e carries only the rounding of 1/j.
        let e = (scaled - nearest) * anchors[at + 1]
        let b = series
        var s = b[6]
        s = s * e + b[5]
        s = s * e + b[4]
        s = s * e + b[3]
        s = s * e + b[2]
        s = s * e + b[1]
        s = s * e + b[0]
        return anchors[at] * (1 + s * e)
    }
}

/// The fractional-power tables of one network's CVR exponents (one per distinct exponent and range).
struct PowerTables {
    var tables: [FractionalPower] = []
    var anchors: [Double] = []

    /// Index of the table for x^c over [lower, upper] (per unit), adding it if new; −1 when the
    /// exponent or range is outside what the series is exact for (the caller then uses `pow`).
    mutating func index(exponent c: Double, lower: Double, upper: Double) -> Int32 {
        guard c.isFinite, abs(c) <= 8, lower.isFinite, upper.isFinite, lower >= 0.5, upper <= 2, lower < upper else {
            return -1
        }
        let first = Int((lower * FractionalPower.anchorsPerUnit).rounded(.down)) - 1
        let last = Int((upper * FractionalPower.anchorsPerUnit).rounded(.up)) + 1
        if let found = tables.firstIndex(where: { $0.exponent == c && $0.firstAnchor <= first
                                                  && $0.firstAnchor + $0.count - 1 >= last }) {
            return Int32(found)
        }
        var b = SIMD8<Double>(), term = 1.0
        for k in 1...7 {
            term *= (c - Double(k - 1)) / Double(k)
            b[k - 1] = term
        }
        let table = FractionalPower(exponent: c, firstAnchor: first, offset: anchors.count, count: last - first + 1, series: b)
        for j in first...last {
            anchors.append(power(Double(j) / FractionalPower.anchorsPerUnit, c))
            anchors.append(1 / Double(j))
        }
        tables.append(table)
        return Int32(tables.count - 1)
    }

    /// x^c by table `index` (test and reference use; the iteration reads the arrays directly).
    func evaluate(_ index: Int, _ x: Double) -> Double {
        anchors.withUnsafeBufferPointer { tables[index].evaluate(x, anchors: $0) }
    }
}

/// What the injection loop reads of one conversion branch, packed into 112 bytes (the element's
/// parameters and state are about 400): refreshed from `parameters` and `states` at the start of
/// every full solve, as the states change only between solves.
struct HotBranch {
    var yBranch: CDouble
    var watts: Double
    var vars: Double
    var yeqImaginary: Double
    /// The constant-power band: bandLower < |V| ≤ vBase105, with bandLower = max(vBaseLow, vBase95)
    /// (below vlowpu the model is constant Z even when vminpu is lower).
    var bandLower: Double
    var vBase105: Double
    /// 1/Vb of the branch (the per-unit ratio is |V|·(1/Vb)).
    var inverseBaseVolts: Double
    var cvrWatts: Double
    var cvrVars: Double
    var nodeA: Int32
    var nodeB: Int32
    /// 1: a CVR load (model 4, `cvrCurrentFast`); 0: `branchCurrent` on the element.
    var isCVR: UInt8
    /// 1: constant power inside the band (load model 1, a generator or PV: `constantPowerCurrent`).
    var isConstantPower: UInt8 = 0
    /// 1: this branch and the next are both `isTabledCubicCVR` with the same watt table, so the
    /// injection loop may take them together (`cvrPairInjection`); set by `BranchTable`.
    var pairsWithNext: UInt16 = 0
    var element: Int32
    /// Tables of the two exponents in the network's `PowerTables` (−1: `pow`).
    var wattsTable: Int32
    var varsTable: Int32
    /// Positions of nodeA's and nodeB's equations in the factors' pivot order (−1 = ground), set by
    /// `BranchTable.refreshPivots`: where the injection loop adds the branch's current.
    var pivotA: Int32 = -1
    var pivotB: Int32 = -1

    init(element k: Int, nodeA: Int32, nodeB: Int32, isCVR: Bool, isConstantPower: Bool, wattsTable: Int32,
         varsTable: Int32, _ e: ConversionParameters, _ s: ConversionState) {
        yBranch = e.yBranch
        watts = s.watts
        vars = s.vars
        yeqImaginary = s.yeq.imaginary
        bandLower = Swift.max(s.vBaseLow, s.vBase95)
        vBase105 = s.vBase105
        inverseBaseVolts = 1 / e.baseVolts
        cvrWatts = e.cvrWatts
        cvrVars = e.cvrVars
        self.nodeA = nodeA
        self.nodeB = nodeB
        self.isCVR = isCVR ? 1 : 0
        self.isConstantPower = isConstantPower ? 1 : 0
        element = Int32(k)
        self.wattsTable = wattsTable
        self.varsTable = varsTable
    }

    /// The current of a constant-power branch (`isConstantPower`) inside its band, bandLower < |V| ≤
    /// vBase105, or nil outside it (then `branchCurrent` decides). The same expression as
    /// `branchCurrent`'s in-band case, so the same bits, without copying the element's records
    /// for the call (IEEE 8500: every load is model 1).
    @inline(__always)
    func constantPowerCurrent(_ v: CDouble) -> CDouble? {
        let vmag = v.length
        guard vmag > bandLower, vmag <= vBase105 else { return nil }
        return (CDouble(watts, vars) / v).conjugate
    }

    /// A CVR load that `cvrPairInjection` takes: its watt exponent has a table (and is not 1) and
    /// its var exponent is 3 (every ckt5 load).
    var isTabledCubicCVR: Bool { isCVR != 0 && cvrWatts != 1 && wattsTable >= 0 && cvrVars == 3 }

    /// The compensation currents yBranch·u − I(u) of two tabled cubic CVR loads (`isTabledCubicCVR`,
    /// the same watt table) side by side in SIMD lanes (`cvrLaneInjections`); nil when either is
    /// outside its constant-power band or the table's anchors.
    @inline(__always)
    static func cvrPairInjection(_ x: HotBranch, _ y: HotBranch, _ u: CDouble, _ w: CDouble,
                                 tables: UnsafeBufferPointer<FractionalPower>,
                                 anchors: UnsafeBufferPointer<Double>) -> (first: CDouble, second: CDouble)? {
        let lanes = [x, y]
        return lanes.withUnsafeBufferPointer { branches -> (first: CDouble, second: CDouble)? in
            guard let branches = branches.baseAddress,
                  let d = cvrLaneInjections(branches, SIMD2(u.rawStorage.x, w.rawStorage.x),
                                            SIMD2(u.rawStorage.y, w.rawStorage.y), tables: tables, anchors: anchors)
            else { return nil }
            return (CDouble(d.re[0], d.im[0]), CDouble(d.re[1], d.im[1]))
        }
    }

    /// The compensation currents yBranch·u − I(u) of `V.scalarCount` consecutive tabled cubic CVR
    /// loads (`isTabledCubicCVR`, one watt table) side by side in SIMD lanes, from the voltages
    /// across them (`re`, `im`, raw components). Per lane these are the operations of
    /// `cvrCurrentFast` (with `FractionalPower.evaluate`) and of the scalar injection in the same
    /// order, so the bits are the same; nil when any load is outside its constant-power band or
    /// the table's anchors (the caller then takes them one at a time).
    @inline(__always)
    static func cvrLaneInjections<V: SIMD>(_ branches: UnsafePointer<HotBranch>, _ re: V, _ im: V,
                                           tables: UnsafeBufferPointer<FractionalPower>,
                                           anchors: UnsafeBufferPointer<Double>) -> (re: V, im: V)? where V.Scalar == Double {
        let lanes = V.scalarCount
        let tableIndex = Int(branches[0].wattsTable)
        guard tableIndex >= 0, tableIndex < tables.count else { return nil }
        var bandLower = V(), bandUpper = V(), inverseBase = V(), watts = V(), vars = V(), yRe = V(), yIm = V()
        for l in 0..<lanes {
            guard branches[l].wattsTable == branches[0].wattsTable else { return nil }
            bandLower[l] = branches[l].bandLower
            bandUpper[l] = branches[l].vBase105
            inverseBase[l] = branches[l].inverseBaseVolts
            watts[l] = branches[l].watts
            vars[l] = branches[l].vars
            (yRe[l], yIm[l]) = branches[l].yBranch.rawStorage
        }
        let lengthSquared = re * re + im * im
        let vmag = lengthSquared.squareRoot()
        guard all(vmag .> bandLower), all(vmag .<= bandUpper), all(lengthSquared .> 0) else { return nil }
        let ratio = vmag * inverseBase
        let table = tables[tableIndex]
        let scaled = ratio * FractionalPower.anchorsPerUnit
        guard all(scaled .>= 0), all(scaled .< 1e9) else { return nil }
        var nearest = V(), inverseAnchor = V(), anchorPower = V()
        for l in 0..<lanes {
            let j = Int(scaled[l] + 0.5)
            let index = j - table.firstAnchor
            guard index >= 0, index < table.count else { return nil }
            let at = table.offset + 2 * index
            precondition(at + 1 < anchors.count, "power table anchors out of range")
            nearest[l] = Double(j)
            anchorPower[l] = anchors[at]
            inverseAnchor[l] = anchors[at + 1]
        }
        let e = (scaled - nearest) * inverseAnchor
        let b = table.series
        var s = V(repeating: b[6])
        s = s * e + V(repeating: b[5])
        s = s * e + V(repeating: b[4])
        s = s * e + V(repeating: b[3])
        s = s * e + V(repeating: b[2])
        s = s * e + V(repeating: b[1])
        s = s * e + V(repeating: b[0])
        let wattFactor = anchorPower * (1 + s * e)
        let inverse = 1 / lengthSquared
        let p = (watts * wattFactor * inverse).replacing(with: 0, where: .!(wattFactor .> 0))
        let varFactor = ratio * ratio * ratio
        let q = vars * varFactor * inverse
        // (p − jq)·u, then yBranch·u minus it (ComplexModule's product, component by component).
        let currentRe = p * re + q * im, currentIm = p * im - q * re
        return ((yRe * re - yIm * im) - currentRe, (yRe * im + yIm * re) - currentIm)
    }

    /// Load model 4's branch current (amperes, into the element) at voltage `v` across the branch
    /// with |v|² = `lengthSquared`, in the constant-power band (vlowpu, vminpu < |V|/Vb ≤ vmaxpu); nil
    /// outside it (the caller then uses `cvrCurrent`). The same model as `cvrCurrent`,
    /// I = conj((P·(V/Vb)^CVRwatts + j·Q·(V/Vb)^CVRvars) / V), written as (P' − jQ')·V/|V|² (one
    /// reciprocal), with the exponents' tables.
    @inline(__always)
    func cvrCurrentFast(_ v: CDouble, lengthSquared: Double, tables: UnsafeBufferPointer<FractionalPower>,
                        anchors: UnsafeBufferPointer<Double>) -> CDouble? {
        let vmag = lengthSquared.squareRoot()
        guard vmag > bandLower, vmag <= vBase105, lengthSquared > 0 else { return nil }
        let (vr, vi) = v.rawStorage
        let ratio = vmag * inverseBaseVolts
        let wattFactor: Double
        if cvrWatts == 1 {
            wattFactor = ratio
        } else if wattsTable >= 0 {
            wattFactor = tables[Int(wattsTable)].evaluate(ratio, anchors: anchors)
        } else {
            wattFactor = power(ratio, cvrWatts)
        }
        let inverse = 1 / lengthSquared
        let p = wattFactor > 0 ? watts * wattFactor * inverse : 0
        if cvrVars == 2 {
            // Constant-impedance vars: j·Im(Yeq)·V.
            let q = yeqImaginary
            return CDouble(p * vr - q * vi, p * vi + q * vr)
        }
        let varFactor: Double
        if cvrVars == 3 {
            varFactor = ratio * ratio * ratio
        } else if varsTable >= 0 {
            varFactor = tables[Int(varsTable)].evaluate(ratio, anchors: anchors)
        } else {
            varFactor = power(ratio, cvrVars)
        }
        let q = vars * varFactor * inverse
        // (p − jq)·V
        return CDouble(p * vr + q * vi, p * vi - q * vr)
    }
}
