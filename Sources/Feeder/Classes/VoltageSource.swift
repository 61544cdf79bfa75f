// Owns the Vsource (and Circuit) record: properties, OpenDSS's defaults, assignment.

/// The circuit's voltage source (a Thevenin equivalent behind `bus1`).
public struct VoltageSource: Sendable {
    public var name: String
    public var bus1 = BusSpec(name: "sourcebus")
    public var bus2: BusSpec?
    public var baseKilovolts = 115.0
    public var perUnit = 1.0
    public var angleDegrees = 0.0
    public var frequencyHertz = 60.0
    public var phases = 3
    public var shortCircuitMVA3 = 2000.0
    public var shortCircuitMVA1 = 2100.0
    public var x1r1 = 4.0
    public var x0r0 = 3.0
    public var shortCircuitAmps3: Double?
    public var shortCircuitAmps1: Double?
    /// Explicit sequence impedances in ohms (R1 X1 R0 X0 or Z1/Z0), when given.
    public var r1: Double?, x1: Double?, r0: Double?, x0: Double?
    public var impedanceSpec = ImpedanceSpec.shortCircuitMVA

    public enum ImpedanceSpec: Sendable { case shortCircuitMVA, shortCircuitAmps, ohms }

    /// A source with OpenDSS's defaults (115 kV, 2000/2100 MVA short-circuit, at bus "sourcebus").
    public init(name: String) { self.name = name }

    static let propertyNames = ["bus1", "basekv", "pu", "angle", "frequency", "phases", "mvasc3", "mvasc1",
                                "x1r1", "x0r0", "isc3", "isc1", "r1", "x1", "r0", "x0", "scantype", "sequence",
                                "bus2", "z1", "z0", "z2", "puz1", "puz0", "puz2", "basemva", "yearly", "daily",
                                "duty", "model", "puzideal", "spectrum", "basefreq", "enabled"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "basekv": baseKilovolts = try r.double()
        case "pu": perUnit = try r.double()
        case "angle": angleDegrees = try r.double()
        case "frequency", "basefreq": frequencyHertz = try r.double()
        case "phases": phases = try r.int(in: ValueReader.phaseRange)
        case "mvasc3": shortCircuitMVA3 = try r.double(); impedanceSpec = .shortCircuitMVA; shortCircuitAmps3 = nil
        case "mvasc1": shortCircuitMVA1 = try r.double(); impedanceSpec = .shortCircuitMVA; shortCircuitAmps1 = nil
        case "x1r1": x1r1 = try r.double()
        case "x0r0": x0r0 = try r.double()
        case "isc3": shortCircuitAmps3 = try r.double(); impedanceSpec = .shortCircuitAmps
        case "isc1": shortCircuitAmps1 = try r.double(); impedanceSpec = .shortCircuitAmps
        case "r1": r1 = try r.double(); impedanceSpec = .ohms
        case "x1": x1 = try r.double(); impedanceSpec = .ohms
        case "r0": r0 = try r.double(); impedanceSpec = .ohms
        case "x0": x0 = try r.double(); impedanceSpec = .ohms
        case "z1":
            let v = try r.doubles(); guard v.count == 2 else { throw r.fail("expected [R X]") }
            r1 = v[0]; x1 = v[1]; impedanceSpec = .ohms
        case "z0":
            let v = try r.doubles(); guard v.count == 2 else { throw r.fail("expected [R X]") }
            r0 = v[0]; x0 = v[1]; impedanceSpec = .ohms
        case "sequence":
            guard r.text.lowercased().hasPrefix("pos") else { throw r.fail("only positive sequence is supported") }
        case "scantype", "spectrum", "basemva", "puzideal":
            break  // harmonics scan, spectrum, and per-unit bases of the ideal model: no effect here
        case "yearly", "daily", "duty":
            guard Load.shapeName(r.text) == nil else { throw r.fail("source voltage shapes are not supported") }
        case "model":
            guard r.text.lowercased().hasPrefix("thev") else { throw r.fail("only the Thevenin source model is supported") }
        case "enabled":
            guard try r.bool() else { throw r.fail("a disabled circuit source is not supported") }
        case "z2":
            // The phase matrix is built from Z1 and Z0 (Z2 = Z1); a different Z2 would be lost.
            let z2 = try r.doubles()
            guard z2.count == 2 else { throw r.fail("expected [R X]") }
            guard impedanceSpec == .ohms, z2[0] == r1, z2[1] == x1 else {
                throw r.fail("a negative-sequence impedance different from Z1 is not supported")
            }
        default:
            throw r.fail("property not supported for Vsource")
        }
    }
}
