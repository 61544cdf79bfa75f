// Owns the Load record: ratings, load model, voltage band, shapes.

/// A load (PC element) with OpenDSS load models 1, 2, 5 and 8 (ZIPV).
public struct Load: Sendable, PowerConversionRecord {
    public var name: String
    public var phases = 3
    public var bus1 = BusSpec(name: "")
    public var kilovolts = 12.47
    public var kilowatts = 10.0
    public var powerFactor = 0.88
    public var kilovars = 5.39742
    public var reactiveSpec = ReactiveSpec.powerFactor
    public var model = 1
    public var connection = Connection.wye
    public var voltageMinPerUnit = 0.95
    public var voltageMaxPerUnit = 1.05
    public var voltageLowPerUnit = 0.50
    public var zipv: [Double]?
    /// status=fixed: ignores load shapes and the load multiplier.
    public var isFixed = false
    public var yearly: String?
    public var daily: String?
    public var duty: String?
    public var enabled = true

    static let propertyNames = ["phases", "bus1", "kv", "kw", "pf", "model", "yearly", "daily", "duty", "growth",
                                "conn", "kvar", "rneut", "xneut", "status", "class", "vminpu", "vmaxpu", "vminnorm",
                                "vminemerg", "xfkva", "allocationfactor", "kva", "%mean", "%stddev", "cvrwatts",
                                "cvrvars", "kwh", "kwhdays", "cfactor", "cvrcurve", "numcust", "zipv", "%seriesrl",
                                "relweight", "vlowpu", "puxharm", "xrharm", "spectrum", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if try setShared(p, r) { return }
        switch p {
        case "model":
            model = try r.int()
            guard [1, 2, 3, 4, 5, 8].contains(model) else { throw r.fail("load models 1, 2, 3, 4, 5 and 8 are supported") }
        case "vlowpu": voltageLowPerUnit = try r.double()
        case "zipv":
            let v = try r.doubles()
            guard v.count == 7 else { throw r.fail("ZIPV needs 7 values") }
            zipv = v
        case "status":
            let v = r.text.lowercased()
            guard v.hasPrefix("v") || v.hasPrefix("f") else { throw r.fail("status must be variable or fixed") }
            isFixed = v.hasPrefix("f")
        case "kva":
            throw r.fail("kVA-specified loads are not supported; give kW and pf or kvar")
        case "growth", "rneut", "xneut", "class", "vminnorm", "vminemerg", "xfkva", "allocationfactor", "%mean",
             "%stddev", "cvrwatts", "cvrvars", "kwh", "kwhdays", "cfactor", "cvrcurve", "numcust", "%seriesrl",
             "relweight", "puxharm", "xrharm", "spectrum", "basefreq":
            break
        default:
            throw r.fail("property not supported for Load")
        }
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
