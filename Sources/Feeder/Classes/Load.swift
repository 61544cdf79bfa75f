// Owns the Load record: ratings given in any of OpenDSS's five ways (kW and pf, kW and kvar, kVA
// and pf, connected kVA × allocation factor, kWh over days × Cfactor), the load model (1–8), the
// voltage band, neutral impedance, status and shapes, with OpenDSS's rules for which given value
// wins (PropertySideEffects, then RecalcElementData at the end of each edit command).

/// A load (OpenDSS's Load class).
public struct Load: Sendable, PowerConversionRecord {
    /// How the rating was given (OpenDSS's LoadSpecType).
    public enum Specification: Sendable, Equatable {
        case kilowattsPowerFactor, kilowattsKilovars, kilovoltAmperesPowerFactor
        case connectedKilovoltAmperes, kilowattHours
    }

    /// `status=`: variable follows shapes and the load multiplier; fixed follows neither; exempt
    /// follows shapes but not the load multiplier.
    public enum Status: Sendable, Equatable { case variable, fixed, exempt }

    public var name: String
    public var phases = 3
    public var bus1 = BusSpec(name: "")
    public var kilovolts = 12.47
    /// Base kW and kvar (OpenDSS's kWBase, kvarBase), kept consistent with the specification.
    public var kilowatts = 10.0
    public var kilovars = 10.0 * (1 / (0.88 * 0.88) - 1).squareRoot()
    public var powerFactor = 0.88
    public var kilovoltAmperes = 10.0 / 0.88
    public var specification = Specification.kilowattsPowerFactor
    /// Always `.kilovars` once an edit ends: `kilovars` then holds the base kvar.
    public var reactiveSpec = ReactiveSpec.kilovars
    public var connectedKilovoltAmperes = 0.0
    public var allocationFactor = 0.5
    public var kilowattHours = 0.0
    public var kilowattHourDays = 30.0
    public var cFactor = 4.0
    public var model = 1
    public var connection = Connection.wye
    public var voltageMinPerUnit = 0.95
    public var voltageMaxPerUnit = 1.05
    public var voltageLowPerUnit = 0.50
    public var zipv: [Double]?
    /// CVR exponents of load model 4: P ∝ V^cvrWatts, Q ∝ V^cvrVars.
    public var cvrWatts = 1.0
    public var cvrVars = 2.0
    /// Neutral impedance in ohms; a negative resistance is an open (floating) neutral.
    public var neutralResistanceOhms = -1.0
    public var neutralReactanceOhms = 0.0
    public var status = Status.variable
    public var yearly: String?
    public var daily: String?
    public var duty: String?
    public var growth: String?
    public var enabled = true
    /// pf was given since the last end of edit (OpenDSS's PFChanged).
    var powerFactorChanged = false

    public init(name: String) { self.name = name }

    /// status=fixed: ignores load shapes and the load multiplier.
    public var isFixed: Bool { status == .fixed }

    static let propertyNames = ["phases", "bus1", "kv", "kw", "pf", "model", "yearly", "daily", "duty", "growth",
                                "conn", "kvar", "rneut", "xneut", "status", "class", "vminpu", "vmaxpu", "vminnorm",
                                "vminemerg", "xfkva", "allocationfactor", "kva", "%mean", "%stddev", "cvrwatts",
                                "cvrvars", "kwh", "kwhdays", "cfactor", "cvrcurve", "numcust", "zipv", "%seriesrl",
                                "relweight", "vlowpu", "puxharm", "xrharm", "spectrum", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        // Ratings first: kW, pf and kvar have side effects of their own on a load (OpenDSS).
        if try setRating(p, r) { return }
        if try setShared(p, r) { return }
        switch p {
        case "model":
            model = try r.int(in: 1...8)
        case "vlowpu": voltageLowPerUnit = try r.double()
        case "zipv":
            let v = try r.doubles()
            guard v.count == 7 else { throw r.fail("ZIPV needs 7 values") }
            zipv = v
        case "status":
            let v = r.text.lowercased()
            if v.hasPrefix("v") { status = .variable } else if v.hasPrefix("f") { status = .fixed }
            else if v.hasPrefix("e") { status = .exempt } else { throw r.fail("status must be variable, fixed or exempt") }
        case "cvrwatts": cvrWatts = try r.double()
        case "cvrvars": cvrVars = try r.double()
        case "rneut": neutralResistanceOhms = try r.double()
        case "xneut": neutralReactanceOhms = try r.double()
        case "growth": growth = Self.shapeName(r.text)
        case "class", "numcust", "relweight", "vminnorm", "vminemerg", "%mean", "%stddev", "basefreq":
            break  // reliability, reporting and Monte Carlo data: no effect on a power-flow solution
        case "%seriesrl", "puxharm", "xrharm", "spectrum":
            break  // harmonics-mode data: no effect at the fundamental frequency
        case "cvrcurve":
            throw r.fail("CVR curves are not supported")
        default:
            throw r.fail("property not supported for Load")
        }
    }

    /// The rating properties and their side effects; false when `p` is not one of them.
    mutating func setRating(_ p: String, _ r: ValueReader) throws -> Bool {
        switch p {
        case "kw": kilowatts = try r.double(); specification = .kilowattsPowerFactor
        case "pf":
            powerFactor = try r.double()
            guard powerFactor != 0, abs(powerFactor) <= 1 else { throw r.fail("pf must be in -1...1 and not 0") }
            powerFactorChanged = true
        case "kvar": kilovars = try r.double(); specification = .kilowattsKilovars
        case "kva": kilovoltAmperes = try r.double(); specification = .kilovoltAmperesPowerFactor
        case "xfkva":
            connectedKilovoltAmperes = try r.double(); specification = .connectedKilovoltAmperes; allocate()
        case "allocationfactor":
            allocationFactor = try r.double(); specification = .connectedKilovoltAmperes; allocate()
        case "kwh": kilowattHours = try r.double(); specification = .kilowattHours; allocate()
        case "kwhdays":
            kilowattHourDays = try r.double()
            guard kilowattHourDays > 0 else { throw r.fail("kWhdays must be positive") }
            specification = .kilowattHours; allocate()
        case "cfactor": cFactor = try r.double(); specification = .kilowattHours; allocate()
        default: return false
        }
        return true
    }

    /// kW and kvar from connected kVA or energy, at the pf of the moment (OpenDSS's ComputeAllocatedLoad).
    mutating func allocate() {
        switch specification {
        case .connectedKilovoltAmperes where connectedKilovoltAmperes > 0:
            kilowatts = connectedKilovoltAmperes * allocationFactor * abs(powerFactor)
            kilovars = Self.kilovars(kilowatts: kilowatts, powerFactor: powerFactor)
        case .kilowattHours:
            kilowatts = kilowattHours / (kilowattHourDays * 24) * cFactor
            kilovars = Self.kilovars(kilowatts: kilowatts, powerFactor: powerFactor)
        default:
            break
        }
    }

    /// Makes kW, kvar, kVA and pf consistent at the end of an edit (OpenDSS's RecalcElementData).
    mutating func finishEdit() {
        switch specification {
        case .kilowattsPowerFactor:
            kilovars = Self.kilovars(kilowatts: kilowatts, powerFactor: powerFactor)
            kilovoltAmperes = (kilowatts * kilowatts + kilovars * kilovars).squareRoot()
        case .kilowattsKilovars:
            kilovoltAmperes = (kilowatts * kilowatts + kilovars * kilovars).squareRoot()
            if kilovoltAmperes > 0 {
                powerFactor = kilowatts / kilovoltAmperes
                if kilovars != 0 { powerFactor *= (kilowatts * kilovars).sign == .minus ? -1 : 1 }
            }
        case .kilovoltAmperesPowerFactor:
            kilowatts = kilovoltAmperes * abs(powerFactor)
            kilovars = Self.kilovars(kilowatts: kilowatts, powerFactor: powerFactor)
        case .connectedKilovoltAmperes, .kilowattHours:
            if powerFactorChanged { kilovars = Self.kilovars(kilowatts: kilowatts, powerFactor: powerFactor) }
        }
        reactiveSpec = .kilovars
        powerFactorChanged = false
    }

    static func shapeName(_ text: String) -> String? {
        let lower = text.lowercased()
        return lower.isEmpty || lower == "none" ? nil : lower
    }

    /// kvar for a kW value at a power factor (negative pf = opposite sign), OpenDSS convention.
    public static func kilovars(kilowatts: Double, powerFactor: Double) -> Double {
        guard powerFactor != 0, abs(powerFactor) < 1 else { return 0 }
        let q = kilowatts * (1 / (powerFactor * powerFactor) - 1).squareRoot()
        return powerFactor < 0 ? -q : q
    }
}
