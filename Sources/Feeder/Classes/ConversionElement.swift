// Owns what loads, generators and PV systems share: the properties they parse in one place.

/// Which of kvar or power factor was given last (OpenDSS keeps the last one).
public enum ReactiveSpec: Sendable { case powerFactor, kilovars }

/// The properties loads and generators share (both are OpenDSS power-conversion elements with a
/// kW rating, a reactive spec, a voltage band and load shapes), parsed in one place.
/// What loads, generators and PV systems share: connection, reactive power, voltage band, shapes.
public protocol ConversionElementRecord {
    var phases: Int { get set }
    var bus1: BusSpec { get set }
    var kilovolts: Double { get set }
    var powerFactor: Double { get set }
    var kilovars: Double { get set }
    var reactiveSpec: ReactiveSpec { get set }
    var connection: Connection { get set }
    var voltageMinPerUnit: Double { get set }
    var voltageMaxPerUnit: Double { get set }
    var yearly: String? { get set }
    var daily: String? { get set }
    var duty: String? { get set }
    var enabled: Bool { get set }
}

/// A load or generator: a conversion element with a nominal kW.
public protocol PowerConversionRecord: ConversionElementRecord {
    var kilowatts: Double { get set }
}

extension ConversionElementRecord {
    /// Applies a shared property; false when `p` is not one of them (the element's own `set` goes on).
    mutating func setConversionShared(_ p: String, _ r: ValueReader) throws -> Bool {
        switch p {
        case "phases": phases = try r.int(in: ValueReader.phaseRange)
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "kv": kilovolts = try r.double()
        case "pf": powerFactor = try r.double(); reactiveSpec = .powerFactor
        case "kvar": kilovars = try r.double(); reactiveSpec = .kilovars
        case "conn": connection = try Connection.parse(r)
        case "vminpu": voltageMinPerUnit = try r.double()
        case "vmaxpu": voltageMaxPerUnit = try r.double()
        case "yearly": yearly = Load.shapeName(r.text)
        case "daily": daily = Load.shapeName(r.text)
        case "duty": duty = Load.shapeName(r.text)
        case "enabled": enabled = try r.bool()
        default: return false
        }
        return true
    }
}

extension PowerConversionRecord {
    /// Applies a shared property, `kw` included; false when `p` is not one of them.
    mutating func setShared(_ p: String, _ r: ValueReader) throws -> Bool {
        guard p == "kw" else { return try setConversionShared(p, r) }
        kilowatts = try r.double()
        return true
    }

    /// Nominal reactive power in kvar, from the last of kvar or pf given.
    public var nominalKilovars: Double {
        switch reactiveSpec {
        case .kilovars: return kilovars
        case .powerFactor: return Load.kilovars(kilowatts: kilowatts, powerFactor: powerFactor)
        }
    }
}
