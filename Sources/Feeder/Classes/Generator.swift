// Owns the Generator record (model 1).

/// A generator (model 1: constant P and Q injection).
public struct Generator: Sendable, PowerConversionRecord {
    public var name: String
    public var phases = 3
    public var bus1 = BusSpec(name: "")
    public var kilovolts = 12.47
    public var kilowatts = 1000.0
    public var powerFactor = 0.88
    public var kilovars = 60.0
    public var reactiveSpec = ReactiveSpec.powerFactor
    public var model = 1
    public var connection = Connection.wye
    public var voltageMinPerUnit = 0.90
    public var voltageMaxPerUnit = 1.10
    public var yearly: String?
    public var daily: String?
    public var duty: String?
    public var enabled = true
    /// status=fixed: ignores load shapes.
    public var isFixed = false

    static let propertyNames = ["phases", "bus1", "kv", "kw", "pf", "kvar", "model", "vminpu", "vmaxpu", "yearly",
                                "daily", "duty", "dispmode", "dispvalue", "conn", "rneut", "xneut", "status",
                                "class", "vpu", "maxkvar", "minkvar", "pvfactor", "forceon", "kva", "mva", "xd",
                                "xdp", "xdpp", "h", "d", "usermodel", "userdata", "shaftmodel", "shaftdata",
                                "dutystart", "debugtrace", "balanced", "xrdp", "usefuel", "fuelkwh", "%fuel",
                                "%reserve", "refuel", "dynamiceq", "dynout", "spectrum", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if try setShared(p, r) { return }
        switch p {
        case "model":
            model = try r.int()
            guard model == 1 else { throw r.fail("only generator model 1 is supported") }
        case "dispvalue":
            guard try r.double() == 0 else { throw r.fail("only dispvalue=0 (follow the shape) is supported") }
        case "status":
            let v = r.text.lowercased()
            guard v.hasPrefix("v") || v.hasPrefix("f") else { throw r.fail("status must be variable or fixed") }
            isFixed = v.hasPrefix("f")
        case "balanced", "usefuel":
            guard try r.bool() == false else { throw r.fail("\(p)=yes is not supported") }
        case "dispmode", "forceon":
            break  // dispatch: with dispvalue=0 (required above) the generator follows its shape
        case "vpu", "maxkvar", "minkvar", "pvfactor":
            break  // voltage regulation of model 3, which is refused above
        case "rneut", "xneut":
            break  // like a load's, compensated each iteration: no effect on the solution
        case "class", "kva", "mva", "xd", "xdp", "xdpp", "h", "d", "dutystart", "debugtrace", "xrdp", "fuelkwh",
             "%fuel", "%reserve", "refuel", "dynamiceq", "dynout", "spectrum", "basefreq":
            break  // ratings, dynamics, harmonics and fuel data: no effect on a power-flow solution
        case "usermodel", "userdata", "shaftmodel", "shaftdata":
            throw r.fail("user models are not supported")
        default:
            throw r.fail("property not supported for Generator")
        }
    }

}
