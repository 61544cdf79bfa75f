// Owns the LineCode record: sequence or matrix impedances per length unit.

/// A line impedance code: sequence values or full matrices, per length unit.
public struct LineCode: Sendable {
    public var name: String
    public var phases = 3
    /// Sequence values in ohms (R, X) and nanofarads (C) per unit length.
    public var r1 = 0.058, x1 = 0.1206, r0 = 0.1784, x0 = 0.4047, c1 = 3.4, c0 = 1.6
    public var units = LengthUnit.none
    /// Row-major phase matrices (ohms, ohms, nF per unit length) when given instead of sequence values.
    public var rMatrix: [Double]?
    public var xMatrix: [Double]?
    public var cMatrix: [Double]?
    public var baseFrequencyHertz: Double
    public var normalAmps = 400.0
    public var emergencyAmps = 600.0
    /// 1-based conductor that `kron=yes` eliminates; nil: the last one (OpenDSS's default).
    public var neutralConductor: Int?

    static let propertyNames = ["nphases", "r1", "x1", "r0", "x0", "c1", "c0", "units", "rmatrix", "xmatrix",
                                "cmatrix", "basefreq", "normamps", "emergamps", "faultrate", "pctperm", "repair",
                                "kron", "rg", "xg", "rho", "neutral", "b1", "b0", "seasons", "ratings",
                                "linetype", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "nphases": phases = try r.int(in: ValueReader.phaseRange)
        case "r1": r1 = try r.double(); rMatrix = nil; xMatrix = nil
        case "x1": x1 = try r.double(); rMatrix = nil; xMatrix = nil
        case "r0": r0 = try r.double(); rMatrix = nil; xMatrix = nil
        case "x0": x0 = try r.double(); rMatrix = nil; xMatrix = nil
        case "c1": c1 = try r.double(); cMatrix = nil
        case "c0": c0 = try r.double(); cMatrix = nil
        case "b1": c1 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; cMatrix = nil
        case "b0": c0 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; cMatrix = nil
        case "units": units = try LengthUnit.parse(r)
        case "rmatrix": rMatrix = try r.matrix(order: phases)
        case "xmatrix": xMatrix = try r.matrix(order: phases)
        case "cmatrix": cMatrix = try r.matrix(order: phases)
        case "basefreq": baseFrequencyHertz = try r.double()
        case "normamps": normalAmps = try r.double()
        case "emergamps": emergencyAmps = try r.double()
        case "faultrate", "pctperm", "repair", "rg", "xg", "rho", "seasons", "ratings", "linetype":
            break
        case "neutral":
            let conductor = try r.int()
            guard conductor >= 1 && conductor <= phases else { throw r.fail("neutral must be a conductor 1...\(phases)") }
            neutralConductor = conductor
        case "kron":
            if try r.bool() { try kronReduce(r) }
        default:
            throw r.fail("property not supported for LineCode")
        }
    }

    /// Eliminates the neutral conductor from the matrices (OpenDSS's `kron=yes`, applied when read).
    ///
    /// Z is reduced as `Zij - Zin Znj / Znn`. For C, OpenDSS Kron-reduces the inverse of the nodal
    /// capacitance matrix (neutral at zero voltage) and inverts back, which is exactly the phase
    /// block of C: that block is taken directly. A line code given by sequence values is left as is.
    private mutating func kronReduce(_ r: ValueReader) throws {
        guard let rm = rMatrix, let xm = xMatrix else {
            if cMatrix != nil { throw r.fail("kron=yes needs rmatrix and xmatrix") }
            return
        }
        guard phases > 1 else { throw r.fail("kron=yes needs at least 2 conductors") }
        let n = phases, k = (neutralConductor ?? phases) - 1
        guard k >= 0 && k < n else { throw r.fail("neutral conductor out of range 1...\(n)") }
        let pivotR = rm[k * n + k], pivotX = xm[k * n + k]
        let pivotSquared = pivotR * pivotR + pivotX * pivotX
        guard pivotSquared > 0, pivotSquared.isFinite else { throw r.fail("neutral self impedance is zero") }
        var reducedR: [Double] = [], reducedX: [Double] = [], reducedC: [Double] = []
        for i in 0..<n where i != k {
            for j in 0..<n where j != k {
                // (a + jb)(c + jd) / (p + jq), written out in real arithmetic.
                let a = rm[i * n + k], b = xm[i * n + k], c = rm[k * n + j], d = xm[k * n + j]
                let productR = a * c - b * d, productX = a * d + b * c
                reducedR.append(rm[i * n + j] - (productR * pivotR + productX * pivotX) / pivotSquared)
                reducedX.append(xm[i * n + j] - (productX * pivotR - productR * pivotX) / pivotSquared)
                if let cm = cMatrix { reducedC.append(cm[i * n + j]) }
            }
        }
        rMatrix = reducedR
        xMatrix = reducedX
        if cMatrix != nil { cMatrix = reducedC }
        phases = n - 1
        neutralConductor = nil
    }
}
