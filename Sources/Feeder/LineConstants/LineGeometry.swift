// Owns the LineGeometry and LineSpacing records: conductor positions and the conductor record each
// position holds, set one conductor at a time (`cond=` then `wire= x= h= units=`) or as arrays.

/// Which conductor class a geometry position refers to.
public enum ConductorKind: String, Sendable, Equatable {
    case wire, concentricNeutral, tapeShield

    /// The OpenDSS class name, for messages.
    public var className: String {
        switch self {
        case .wire: return "WireData"
        case .concentricNeutral: return "CNData"
        case .tapeShield: return "TSData"
        }
    }
}

/// A named conductor record of a given class.
public struct ConductorReference: Sendable, Equatable {
    public var kind: ConductorKind
    public var name: String
}

/// One position of a line geometry. Coordinates are in `units`; nil values come from the spacing.
public struct GeometryConductor: Sendable, Equatable {
    public var conductor: ConductorReference?
    public var x: Double?
    public var height: Double?
    /// nil: not given (OpenDSS then converts with factor 1, i.e. metres) or, with a spacing, the spacing's.
    public var units: LengthUnit?
}

/// A line construction: conductor positions and wires, optionally Kron-reduced to its phases.
public struct LineGeometry: Sendable, Equatable {
    public var name: String
    public var conductors: [GeometryConductor] = []
    public var phaseCount = 0
    /// Eliminate the conductors beyond `phaseCount` (neutrals) by Kron reduction.
    public var reduce = false
    /// A LineSpacing whose positions the conductors take (`spacing=`).
    public var spacing: String?
    public var normalAmps = 0.0
    public var emergencyAmps = 0.0
    /// 0-based conductor that `wire=`, `x=`, `h=`, `units=` apply to (`cond=`, 1-based in scripts).
    public var activeConductor = 0
    /// The units the next `cond=` gives a conductor without units (OpenDSS makes them sticky; feet first).
    var lastUnits = LengthUnit.ft
    /// Where the geometry was first given a property (for errors found after reading).
    public var scriptLocation: ScriptLocation?

    public init(name: String) { self.name = name }

    static let propertyNames = ["nconds", "nphases", "cond", "wire", "x", "h", "units", "normamps", "emergamps",
                                "reduce", "spacing", "wires", "cncable", "tscable", "cncables", "tscables",
                                "seasons", "ratings", "linetype"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if scriptLocation == nil { scriptLocation = r.location }
        switch p {
        case "nconds":
            let count = try r.int()
            guard count >= 1 && count <= 1000 else { throw r.fail("nconds must be 1 to 1000") }
            guard count >= phaseCount else { throw r.fail("nconds \(count) is less than nphases \(phaseCount)") }
            if count != conductors.count {
                conductors = [GeometryConductor](repeating: GeometryConductor(), count: count)
                activeConductor = 0
                lastUnits = .ft
            }
        case "nphases":
            let count = try r.int()
            guard count >= 1 && count <= 1000 else { throw r.fail("nphases must be 1 to 1000") }
            guard conductors.isEmpty || count <= conductors.count else {
                throw r.fail("nphases \(count) exceeds nconds \(conductors.count)")
            }
            phaseCount = count
        case "cond":
            let index = try r.int()
            guard index >= 1 && index <= conductors.count else {
                throw r.fail("conductor out of range 1...\(conductors.count) (set nconds first)")
            }
            activeConductor = index - 1
            if conductors[activeConductor].units == nil && spacing == nil { conductors[activeConductor].units = lastUnits }
        case "wire": try setActive(r) { $0.conductor = ConductorReference(kind: .wire, name: r.text.lowercased()) }
        case "cncable": try setActive(r) { $0.conductor = ConductorReference(kind: .concentricNeutral, name: r.text.lowercased()) }
        case "tscable": try setActive(r) { $0.conductor = ConductorReference(kind: .tapeShield, name: r.text.lowercased()) }
        case "x": let value = try Self.finite(r); try setActive(r) { $0.x = value }
        case "h": let value = try Self.finite(r); try setActive(r) { $0.height = value }
        case "units":
            let unit = try LengthUnit.parse(r)
            try setActive(r) { $0.units = unit }
            lastUnits = unit
        case "normamps": normalAmps = try ConductorProperties.nonNegative(r)
        case "emergamps": emergencyAmps = try ConductorProperties.nonNegative(r)
        case "reduce": reduce = try r.bool()
        case "spacing":
            spacing = r.text.lowercased()
            // The spacing's positions replace those given so far (OpenDSS copies them in).
            for i in conductors.indices { conductors[i].x = nil; conductors[i].height = nil; conductors[i].units = nil }
        case "wires": try setWires(r)
        case "cncables": try setCables(r, kind: .concentricNeutral)
        case "tscables": try setCables(r, kind: .tapeShield)
        case "seasons", "ratings", "linetype": break
        default: throw r.fail("property not supported for LineGeometry")
        }
    }

    private mutating func setActive(_ r: ValueReader, _ change: (inout GeometryConductor) -> Void) throws {
        guard conductors.indices.contains(activeConductor) else { throw r.fail("set nconds before conductor data") }
        change(&conductors[activeConductor])
    }

    /// `wires=[...]`: all conductors, or only the neutrals after the phases when the phases are cables.
    private mutating func setWires(_ r: ValueReader) throws {
        let names = r.strings().map { $0.lowercased() }
        let phasesAreCables = conductors.indices.contains(activeConductor)
            && (conductors[activeConductor].conductor.map { $0.kind != .wire } ?? false)
        let start = phasesAreCables ? phaseCount : 0
        guard names.count == conductors.count - start else {
            throw r.fail("expected \(conductors.count - start) wires, got \(names.count)")
        }
        for (offset, name) in names.enumerated() {
            conductors[start + offset].conductor = ConductorReference(kind: .wire, name: name)
        }
        activeConductor = conductors.count - 1
    }

    /// `cncables=[...]` / `tscables=[...]`: one cable per conductor. (A shorter list followed by
    /// `wires=` gives OpenDSS a singular matrix, so it is refused; set such mixes with `cond=`.)
    private mutating func setCables(_ r: ValueReader, kind: ConductorKind) throws {
        let names = r.strings().map { $0.lowercased() }
        guard names.count == conductors.count else {
            throw r.fail("expected \(conductors.count) cables (nconds), got \(names.count); use cond= and cncable=/tscable= to mix with wires")
        }
        for (offset, name) in names.enumerated() {
            conductors[offset].conductor = ConductorReference(kind: kind, name: name)
        }
    }

    static func finite(_ r: ValueReader) throws -> Double {
        let value = try r.double()
        guard value.isFinite else { throw r.fail("must be a finite number") }
        return value
    }
}

/// Conductor positions without wires; a Line combines it with `wires=`/`cncables=`/`tscables=`.
public struct LineSpacing: Sendable, Equatable {
    public var name: String
    public var conductorCount = 3
    public var phaseCount = 3
    /// Horizontal positions and heights, one per conductor, in `units`.
    public var x: [Double] = [0, 0, 0]
    public var height: [Double] = [0, 0, 0]
    public var units = LengthUnit.ft

    public init(name: String) { self.name = name }

    static let propertyNames = ["nconds", "nphases", "x", "h", "units"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "nconds":
            let count = try r.int()
            guard count >= 1 && count <= 1000 else { throw r.fail("nconds must be 1 to 1000") }
            if count != conductorCount {
                conductorCount = count
                x = [Double](repeating: 0, count: count)
                height = [Double](repeating: 0, count: count)
            }
        case "nphases":
            let count = try r.int()
            guard count >= 1 && count <= 1000 else { throw r.fail("nphases must be 1 to 1000") }
            phaseCount = count
        case "x": x = try coordinates(r)
        case "h": height = try coordinates(r)
        case "units": units = try LengthUnit.parse(r)
        default: throw r.fail("property not supported for LineSpacing")
        }
    }

    private func coordinates(_ r: ValueReader) throws -> [Double] {
        let values = try r.doubles()
        guard values.count == conductorCount else { throw r.fail("expected \(conductorCount) values (nconds)") }
        return values
    }
}
