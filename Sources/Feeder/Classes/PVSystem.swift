// Owns the PVSystem record (simple model: Pmpp × irradiance, kVA limit, pf).

/// A PV system, simple model: P = Pmpp × irradiance × shape, limited by kVA, at a fixed pf.
public struct PVSystem: Sendable, ConversionElementRecord {
    public var name: String
    public var phases = 3
    public var bus1 = BusSpec(name: "")
    public var kilovolts = 12.47
    public var irradiance = 1.0
    public var peakKilowatts = 500.0
    public var kilovoltAmperes = 500.0
    public var powerFactor = 1.0
    public var kilovars = 0.0
    public var reactiveSpec = ReactiveSpec.powerFactor
    public var connection = Connection.wye
    public var voltageMinPerUnit = 0.90
    public var voltageMaxPerUnit = 1.10
    /// Inverter turns on above this share of kVA (percent); OpenDSS's default 20.
    public var cutInPercent = 20.0
    /// Inverter turns off below this share of kVA (percent); OpenDSS's default 20. Different from
    /// %cutin (a hysteresis band) it is refused when the model is built.
    public var cutOutPercent = 20.0
    public var yearly: String?
    public var daily: String?
    public var duty: String?
    public var enabled = true

    static let propertyNames = ["phases", "bus1", "kv", "irradiance", "pmpp", "%pmpp", "temperature", "pf", "conn",
                                "kvar", "kva", "%cutin", "%cutout", "effcurve", "p-tcurve", "%r", "%x", "model",
                                "vminpu", "vmaxpu", "balanced", "limitcurrent", "yearly", "daily", "duty",
                                "tyearly", "tdaily", "tduty", "class", "usermodel", "userdata", "debugtrace",
                                "varfollowinverter", "dutystart", "wattpriority", "pfpriority", "%pminnovars",
                                "%pminkvarmax", "kvarmax", "kvarmaxabs", "kvdc", "kp", "pitol", "safevoltage",
                                "safemode", "dynamiceq", "dynout", "controlmode", "amplimit", "amplimitgain",
                                "spectrum", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if try setConversionShared(p, r) { return }
        switch p {
        case "irradiance": irradiance = try r.double()
        case "pmpp": peakKilowatts = try r.double()
        case "kva": kilovoltAmperes = try r.double()
        case "%cutin": cutInPercent = try r.double()
        case "%pmpp":
            guard try r.double() == 100 else { throw r.fail("an output limit below Pmpp (%Pmpp) is not modelled") }
        case "%cutout":
            cutOutPercent = try r.double(in: 0...100)
        case "model":
            guard try r.int() == 1 else { throw r.fail("only PVSystem model 1 (constant P and Q) is supported") }
        case "balanced", "limitcurrent", "wattpriority", "pfpriority", "varfollowinverter", "safemode":
            guard try r.bool() == false else { throw r.fail("\(p)=yes is not modelled") }
        case "kvarmax", "kvarmaxabs", "%pminnovars", "%pminkvarmax":
            throw r.fail("reactive-power limits of the inverter are not modelled")
        case "temperature", "tyearly", "tdaily", "tduty":
            break  // temperature acts only through a P-T curve, which is refused below
        case "%r", "%x", "spectrum", "kvdc", "kp", "pitol", "safevoltage", "dynamiceq", "dynout", "controlmode",
             "amplimit", "amplimitgain":
            break  // internal impedance, harmonics and dynamics: no effect on a power-flow solution
        case "class", "debugtrace", "dutystart", "basefreq":
            break
        case "effcurve", "p-tcurve", "usermodel", "userdata":
            throw r.fail("efficiency/temperature curves and user models are not supported")
        default:
            throw r.fail("property not supported for PVSystem")
        }
    }
}
