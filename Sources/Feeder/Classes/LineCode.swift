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

    static let propertyNames = ["nphases", "r1", "x1", "r0", "x0", "c1", "c0", "units", "rmatrix", "xmatrix",
                                "cmatrix", "basefreq", "normamps", "emergamps", "faultrate", "pctperm", "repair",
                                "kron", "rg", "xg", "rho", "neutral", "b1", "b0", "seasons", "ratings",
                                "linetype", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "nphases": phases = try r.int()
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
        case "kron", "neutral":
            throw r.fail("Kron reduction is not supported")
        default:
            throw r.fail("property not supported for LineCode")
        }
    }
}
