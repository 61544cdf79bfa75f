// Owns the Reactor record: a shunt (bus2 defaults to bus1's ground) or series R+jX element, given
// by kvar and kV, by R and X (or Z, or LmH), by R and X matrices, or by sequence impedances, with
// OpenDSS's defaults and its rule that the last kind of data given decides.
import Foundation

/// A reactor (OpenDSS's Reactor class).
public struct Reactor: Sendable {
    /// How the impedance was given (OpenDSS's SpecType 1–4).
    public enum Specification: Sendable, Equatable {
        case kilovars, resistanceReactance, matrices, sequence
    }

    public var name: String
    public var bus1 = BusSpec(name: "")
    /// Nil until given: a shunt reactor to bus1's ground (wye) or no second terminal (delta).
    public var bus2: BusSpec?
    public var phases = 3
    public var kilovars = 100.0
    public var kilovolts = 12.47
    public var connection = Connection.wye
    public var resistanceOhms = 0.0
    public var reactanceOhms = 12.47 * 12.47 * 1000 / 100
    /// Parallel resistance in ohms (`Rp`), when given.
    public var parallelResistanceOhms: Double?
    public var isParallel = false
    public var rMatrix: [Double]?
    public var xMatrix: [Double]?
    /// Sequence impedances in ohms (Z1, Z2, Z0) for `specification == .sequence`.
    public var z1 = [0.0, 0.0], z2: [Double]?, z0: [Double]?
    public var specification = Specification.kilovars
    public var enabled = true
    public var baseFrequencyHertz: Double
    /// Ratings in amperes when given (`normamps`, `emergamps`); else OpenDSS derives them.
    public var normalAmps: Double?
    public var emergencyAmps: Double?

    public init(name: String, baseFrequencyHertz: Double = 60) {
        self.name = name
        self.baseFrequencyHertz = baseFrequencyHertz
    }

    static let propertyNames = ["bus1", "bus2", "phases", "kvar", "kv", "conn", "rmatrix", "xmatrix", "parallel",
                                "r", "x", "rp", "z1", "z2", "z0", "z", "rcurve", "lcurve", "lmh", "normamps",
                                "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "phases": phases = try r.int(in: 1...100)
        case "kvar": kilovars = try r.double(); specification = .kilovars
        case "kv": kilovolts = try r.double()
        case "conn": connection = try Connection.parse(r)
        case "rmatrix": rMatrix = try r.matrix(order: phases); specification = .matrices
        case "xmatrix": xMatrix = try r.matrix(order: phases); specification = .matrices
        case "parallel": isParallel = try r.bool()
        case "r": resistanceOhms = try r.double()
        case "x": reactanceOhms = try r.double(); specification = .resistanceReactance
        case "rp": parallelResistanceOhms = try r.double()
        case "z1": z1 = try Self.complex(r); specification = .sequence
        case "z2": z2 = try Self.complex(r)
        case "z0": z0 = try Self.complex(r)
        case "z":
            let z = try Self.complex(r)
            resistanceOhms = z[0]; reactanceOhms = z[1]; specification = .resistanceReactance
        case "lmh":
            // OpenDSS converts inductance at the element's base frequency.
            reactanceOhms = try r.double() * 1e-3 * 2 * Double.pi * baseFrequencyHertz
            specification = .resistanceReactance
        case "enabled": enabled = try r.bool()
        case "basefreq": baseFrequencyHertz = try r.double()
        case "normamps": normalAmps = try r.double()
        case "emergamps": emergencyAmps = try r.double()
        case "faultrate", "pctperm", "repair":
            break  // ratings and reliability data: no effect on a power-flow solution
        case "rcurve", "lcurve":
            throw r.fail("frequency-dependent reactor curves are not supported (they act in harmonics studies)")
        default:
            throw r.fail("property not supported for Reactor")
        }
    }

    static func complex(_ r: ValueReader) throws -> [Double] {
        let values = try r.doubles()
        guard values.count == 2 else { throw r.fail("expected [R X] in ohms") }
        return values
    }

    /// A shunt reactor (to ground or within one bus), which OpenDSS leaves out of circuit losses.
    public var isShunt: Bool {
        guard let bus2 else { return true }
        return bus2.name == bus1.name
    }

    /// Reactance per phase in ohms for the kvar/kV specification (OpenDSS's RecalcElementData).
    public var reactanceFromRatingOhms: Double {
        phaseKilovolts * phaseKilovolts * 1000 / (kilovars / Double(phases))
    }

    /// Voltage across one phase of the rating, kV: line-to-line for delta and for more than three
    /// phases or one, line-to-neutral for two and three phases in wye (OpenDSS).
    var phaseKilovolts: Double {
        connection == .delta ? kilovolts : (phases == 2 || phases == 3 ? kilovolts / 3.0.squareRoot() : kilovolts)
    }

    /// Normal and emergency ratings in amperes: as given, else OpenDSS's (kvar per phase over
    /// phase kV for the kvar specification; that of the creation defaults otherwise).
    public var ratingsAmps: (normal: Double, emergency: Double) {
        let derived: Double
        if specification == .kilovars {
            derived = kilovars / Double(phases) / phaseKilovolts
        } else {
            // The rating OpenDSS computes when it creates a reactor (100 kvar, 12.47 kV, 3 phases)
            // and keeps unless the reactor is given by kvar.
            derived = 100.0 / 3 / (12.47 / 3.0.squareRoot())
        }
        let normal = normalAmps ?? derived
        return (normal, emergencyAmps ?? normal * 1.35)
    }
}
