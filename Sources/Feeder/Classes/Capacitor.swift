// Owns the Capacitor record.

/// A shunt capacitor bank (wye, grounded unless bus2 names other nodes).
public struct Capacitor: Sendable {
    public var name: String
    public var bus1 = BusSpec(name: "")
    public var bus2: BusSpec?
    public var phases = 3
    public var kilovars = 1200.0
    public var kilovolts = 12.47
    public var connection = Connection.wye
    public var enabled = true

    static let propertyNames = ["bus1", "bus2", "phases", "kvar", "kv", "conn", "cmatrix", "cuf", "r", "xl",
                                "harm", "numsteps", "states", "normamps", "emergamps", "faultrate", "pctperm",
                                "repair", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "phases": phases = try r.int()
        case "kvar":
            let values = try r.doubles()
            guard !values.isEmpty else { throw r.fail("no value") }
            kilovars = values.reduce(0, +)
        case "kv": kilovolts = try r.double()
        case "conn": connection = try Connection.parse(r)
        case "enabled": enabled = try r.bool()
        case "normamps", "emergamps", "faultrate", "pctperm", "repair", "basefreq":
            break
        case "numsteps", "states", "cmatrix", "cuf", "r", "xl", "harm":
            throw r.fail("only kvar/kV capacitors with one step are supported")
        default:
            throw r.fail("property not supported for Capacitor")
        }
    }
}
