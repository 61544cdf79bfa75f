// Owns the conductor records of line constants: bare wires (WireData), concentric-neutral cables
// (CNData) and tape-shielded cables (TSData), with OpenDSS's property order and the defaults one
// property implies for another (GMR from radius, Rac from Rdc, shared length units).

/// Resistance, GMR and radius of one conductor as given, each in its own unit (OpenDSS ConductorData).
///
/// A negative value means "not given"; OpenDSS derives it from another property where it can.
public struct ConductorProperties: Sendable, Equatable {
    public var dcResistance = -1.0
    public var acResistance = -1.0
    public var resistanceUnits = LengthUnit.none
    public var gmr = -1.0
    public var gmrUnits = LengthUnit.none
    public var radius = -1.0
    public var radiusUnits = LengthUnit.none
    /// Radius for the capacitance (bundled conductors); negative means "use the radius".
    public var capacitanceRadius = -1.0
    public var normalAmps = -1.0
    public var emergencyAmps = -1.0
    public var ratingsAmps: [Double] = [-1]

    /// OpenDSS's ConductorData property order (shared tail of WireData, CNData and TSData).
    static let propertyNames = ["rdc", "rac", "runits", "gmrac", "gmrunits", "radius", "radunits", "normamps",
                                "emergamps", "diam", "seasons", "ratings", "capradius"]

    /// Sets one ConductorData property; false when `p` is not one of them.
    mutating func set(_ p: String, _ r: ValueReader) throws -> Bool {
        switch p {
        case "rdc":
            dcResistance = try Self.nonNegative(r)
            if acResistance < 0 { acResistance = 1.02 * dcResistance }
        case "rac":
            acResistance = try Self.nonNegative(r)
            if dcResistance < 0 { dcResistance = acResistance / 1.02 }
        case "runits": resistanceUnits = try LengthUnit.parse(r)
        case "gmrac":
            gmr = try Self.positive(r)
            if radius < 0 { radius = gmr / 0.7788 }
        case "gmrunits":
            gmrUnits = try LengthUnit.parse(r)
            if radiusUnits == .none { radiusUnits = gmrUnits }
        case "radius": radius = try Self.positive(r); radiusDefaults()
        case "diam": radius = try Self.positive(r) / 2; radiusDefaults()
        case "radunits":
            radiusUnits = try LengthUnit.parse(r)
            if gmrUnits == .none { gmrUnits = radiusUnits }
        case "capradius": capacitanceRadius = try Self.positive(r)
        case "normamps":
            normalAmps = try Self.nonNegative(r)
            if emergencyAmps < 0 { emergencyAmps = 1.5 * normalAmps }
        case "emergamps":
            emergencyAmps = try Self.nonNegative(r)
            if normalAmps < 0 { normalAmps = emergencyAmps / 1.5 }
        case "seasons":
            let count = try r.int()
            guard count >= 1 && count <= 1000 else { throw r.fail("expected 1 to 1000 seasons") }
            // As OpenDSS: the ratings array takes the new length; new seasons are "not given" (-1).
            while ratingsAmps.count < count { ratingsAmps.append(-1) }
            ratingsAmps.removeLast(ratingsAmps.count - count)
        case "ratings":
            let values = try r.doubles()
            guard !values.isEmpty, values.allSatisfy({ $0.isFinite }) else { throw r.fail("expected one or more ratings in amps") }
            ratingsAmps = values
        default: return false
        }
        return true
    }

    /// As OpenDSS: a radius implies GMR = 0.7788 r (solid round conductor) and the capacitance radius.
    private mutating func radiusDefaults() {
        if gmr < 0 { gmr = 0.7788 * radius }
        if capacitanceRadius < 0 { capacitanceRadius = radius }
    }

    static func positive(_ r: ValueReader) throws -> Double {
        let value = try r.double()
        guard value.isFinite, value > 0 else { throw r.fail("must be a positive number") }
        return value
    }

    static func nonNegative(_ r: ValueReader) throws -> Double {
        let value = try r.double()
        guard value.isFinite, value >= 0 else { throw r.fail("must be zero or positive") }
        return value
    }
}

/// Insulation data shared by concentric-neutral and tape-shielded cables (OpenDSS CableData).
public struct CableInsulation: Sendable, Equatable {
    /// Relative permittivity of the insulation.
    public var relativePermittivity = 2.3
    /// Insulation thickness, diameter over insulation and over the whole cable, in the radius units.
    public var insulationThickness = -1.0
    public var diameterOverInsulation = -1.0
    public var diameterOverCable = -1.0

    static let propertyNames = ["epsr", "inslayer", "diains", "diacable"]

    mutating func set(_ p: String, _ r: ValueReader) throws -> Bool {
        switch p {
        case "epsr":
            let value = try r.double()
            guard value.isFinite, value >= 1 else { throw r.fail("insulation permittivity must be at least 1") }
            relativePermittivity = value
        case "inslayer": insulationThickness = try ConductorProperties.positive(r)
        case "diains": diameterOverInsulation = try ConductorProperties.positive(r)
        case "diacable": diameterOverCable = try ConductorProperties.positive(r)
        default: return false
        }
        return true
    }
}

/// A bare (overhead or buried neutral) wire.
public struct WireData: Sendable, Equatable {
    public var name: String
    public var conductor = ConductorProperties()

    public init(name: String) { self.name = name }

    static let propertyNames = ConductorProperties.propertyNames

    mutating func set(_ p: String, _ r: ValueReader) throws {
        guard try conductor.set(p, r) else { throw r.fail("property not supported for WireData") }
    }
}

/// A concentric-neutral cable: phase core (the ConductorData part) plus `k` neutral strands.
public struct CNData: Sendable, Equatable {
    public var name: String
    public var strandCount = 2
    /// Strand diameter and GMR in the radius and GMR units; strand resistance per resistance unit.
    public var strandDiameter = -1.0
    public var strandGMR = -1.0
    public var strandResistance = -1.0
    public var insulation = CableInsulation()
    public var conductor = ConductorProperties()

    public init(name: String) { self.name = name }

    static let propertyNames = ["k", "diastrand", "gmrstrand", "rstrand"] + CableInsulation.propertyNames
        + ConductorProperties.propertyNames

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "k":
            let k = try r.int()
            guard k >= 2 && k <= 1000 else { throw r.fail("a concentric neutral needs at least 2 strands") }
            strandCount = k
        case "diastrand":
            strandDiameter = try ConductorProperties.positive(r)
            if strandGMR <= 0 { strandGMR = 0.7788 * 0.5 * strandDiameter }
        case "gmrstrand": strandGMR = try ConductorProperties.positive(r)
        case "rstrand": strandResistance = try ConductorProperties.nonNegative(r)
        default:
            if try insulation.set(p, r) { return }
            guard try conductor.set(p, r) else { throw r.fail("property not supported for CNData") }
        }
    }
}

/// A tape-shielded cable: phase core plus a copper tape shield.
public struct TSData: Sendable, Equatable {
    public var name: String
    /// Shield diameter and tape thickness in the radius units; overlap in percent.
    public var shieldDiameter = -1.0
    public var tapeThickness = -1.0
    public var tapeLapPercent = 20.0
    public var insulation = CableInsulation()
    public var conductor = ConductorProperties()

    public init(name: String) { self.name = name }

    static let propertyNames = ["diashield", "tapelayer", "tapelap"] + CableInsulation.propertyNames
        + ConductorProperties.propertyNames

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "diashield": shieldDiameter = try ConductorProperties.positive(r)
        case "tapelayer": tapeThickness = try ConductorProperties.positive(r)
        case "tapelap":
            let value = try r.double()
            guard value.isFinite, value >= 0, value < 100 else { throw r.fail("tape lap must be in [0, 100) percent") }
            tapeLapPercent = value
        default:
            if try insulation.set(p, r) { return }
            guard try conductor.set(p, r) else { throw r.fail("property not supported for TSData") }
        }
    }
}
