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
        case "%pmpp", "temperature", "%cutout", "%r", "%x", "model", "balanced", "limitcurrent", "class",
             "debugtrace", "varfollowinverter", "dutystart", "wattpriority", "pfpriority", "%pminnovars",
             "%pminkvarmax", "kvarmax", "kvarmaxabs", "kvdc", "kp", "pitol", "safevoltage", "safemode",
             "dynamiceq", "dynout", "controlmode", "amplimit", "amplimitgain", "spectrum", "basefreq",
             "tyearly", "tdaily", "tduty":
            break
        case "effcurve", "p-tcurve", "usermodel", "userdata":
            throw r.fail("efficiency/temperature curves and user models are not supported")
        default:
            throw r.fail("property not supported for PVSystem")
        }
    }
}
