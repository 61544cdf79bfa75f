// Owns the Capacitor record: one or more steps (numsteps, kvar per step, states), as OpenDSS.

/// A shunt capacitor bank (wye, grounded unless bus2 names other nodes).
public struct Capacitor: Sendable {
    public var name: String
    public var bus1 = BusSpec(name: "")
    public var bus2: BusSpec?
    public var phases = 3
    /// Rating of each step, kvar (one entry per step; `numsteps` sets the count).
    public var stepKilovars = [1200.0]
    /// Whether each step is in service (`states=`).
    public var states = [true]
    public var kilovolts = 12.47
    public var connection = Connection.wye
    public var enabled = true

    /// Total rating of all steps, kvar.
    public var kilovars: Double { stepKilovars.reduce(0, +) }
    public var numberOfSteps: Int { stepKilovars.count }

    static let propertyNames = ["bus1", "bus2", "phases", "kvar", "kv", "conn", "cmatrix", "cuf", "r", "xl",
                                "harm", "numsteps", "states", "normamps", "emergamps", "faultrate", "pctperm",
                                "repair", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "phases": phases = try r.int(in: ValueReader.phaseRange)
        case "kvar":
            let values = try r.doubles()
            guard !values.isEmpty, values.allSatisfy(\.isFinite) else { throw r.fail("no value") }
            // OpenDSS fills the present number of steps; missing steps get 0, extra values are ignored.
            stepKilovars = (0..<numberOfSteps).map { $0 < values.count ? values[$0] : 0 }
        case "numsteps": try setNumberOfSteps(RegControl.positiveInt(r), r)
        case "states":
            let values = try r.doubles()
            states = (0..<numberOfSteps).map { $0 < values.count && values[$0] != 0 }
        case "kv": kilovolts = try RegControl.positive(r)
        case "conn": connection = try Connection.parse(r)
        case "enabled": enabled = try r.bool()
        case "normamps", "emergamps", "faultrate", "pctperm", "repair", "basefreq":
            break
        case "cmatrix", "cuf", "r", "xl", "harm":
            throw r.fail("only kvar/kV capacitors (without filter reactor) are supported")
        default:
            throw r.fail("property not supported for Capacitor")
        }
    }

    /// From one step OpenDSS splits the bank into equal steps, all in service.
    private mutating func setNumberOfSteps(_ steps: Int, _ r: ValueReader) throws {
        guard steps != numberOfSteps else { return }
        guard numberOfSteps == 1 else { throw r.fail("numsteps can be changed only from a one-step bank") }
        let total = stepKilovars[0]
        stepKilovars = Array(repeating: total / Double(steps), count: steps)
        states = Array(repeating: true, count: steps)
    }
}
