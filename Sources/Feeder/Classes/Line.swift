// Owns the Line record: buses, impedance source (line code, own data, or a conductor geometry /
// spacing with wires that resolveLineConstants turns into matrices) and switch behaviour.

/// A line (or switch) between two buses.
public struct Line: Sendable {
    public var name: String
    public var bus1 = BusSpec(name: "")
    public var bus2 = BusSpec(name: "")
    public var lineCode: String?
    public var length = 1.0
    public var phases = 3
    public var units = LengthUnit.none
    /// Impedances given on the line itself (per unit length), overriding a line code.
    public var r1 = 0.058, x1 = 0.1206, r0 = 0.1784, x0 = 0.4047, c1 = 3.4, c0 = 1.6
    public var rMatrix: [Double]?
    public var xMatrix: [Double]?
    public var cMatrix: [Double]?
    public var usesOwnImpedance = false
    /// `phases=` was given after `linecode=` (so the line's phase count wins over the code's).
    public var phasesOverrideCode = false
    public var isSwitch = false
    public var enabled = true
    public var baseFrequencyHertz: Double
    /// A LineGeometry giving the conductors and positions (`geometry=`); phases come from it.
    public var geometry: String?
    /// A LineSpacing giving the positions (`spacing=`), with `spacingCables` and `spacingWires`.
    public var spacing: String?
    /// Phase cables for a spacing (`cncables=` / `tscables=`), in phase order.
    public var spacingCables: [ConductorReference] = []
    /// Wires for a spacing (`wires=`): all conductors, or the neutrals after the cables.
    public var spacingWires: [String] = []
    /// Set by `switch=y` until capacitances or units are given (see `units`).
    var switchCapacitancePerKilofoot = false
    /// c1 and c0 before that conversion (restored when the phase count changes).
    var unconvertedSwitchCapacitance: [Double]?
    /// Ratings given on the line itself (`normamps`, `emergamps`), amperes; see `ratingsAmps(in:)`.
    public var normalAmps: Double?
    public var emergencyAmps: Double?
    /// Earth model for geometry and spacing lines; nil: the circuit's (`Set earthmodel`).
    public var earthModel: EarthModel?
    /// Earth resistivity (`rho=`) in ohm-metres; nil when not given (then 100, or the geometry's).
    public var earthResistivityOhmMetres: Double?
    /// `phases=` given after `geometry=`/`spacing=` (checked against the construction when resolved).
    public var phasesAfterConstruction: Int?
    /// Where the line was first given a property (for errors found after reading).
    public var scriptLocation: ScriptLocation?

    static let propertyNames = ["bus1", "bus2", "linecode", "length", "phases", "r1", "x1", "r0", "x0", "c1", "c0",
                                "rmatrix", "xmatrix", "cmatrix", "switch", "rg", "xg", "rho", "geometry", "units",
                                "spacing", "wires", "earthmodel", "cncables", "tscables", "b1", "b0", "seasons",
                                "ratings", "linetype", "normamps", "emergamps", "faultrate", "pctperm", "repair",
                                "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        if scriptLocation == nil { scriptLocation = r.location }
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "linecode":
            clearConstruction()
            lineCode = r.text.lowercased(); usesOwnImpedance = false; phasesOverrideCode = false
        case "length": length = try r.double()
        case "phases" where geometry != nil || spacing != nil:
            // As OpenDSS: the construction fixes the phase count; a different one is an error.
            phasesAfterConstruction = try r.int(in: ValueReader.phaseRange)
        case "phases":
            let newPhases = try r.int(in: ValueReader.phaseRange)
            if newPhases != phases, let unconverted = unconvertedSwitchCapacitance {
                c1 = unconverted[0]; c0 = unconverted[1]
            }
            unconvertedSwitchCapacitance = nil
            phases = newPhases
            // As OpenDSS: a line code sets the phase count; phases= given after it wins.
            phasesOverrideCode = lineCode != nil
        case "units":
            let newUnits = try LengthUnit.parse(r)
            if switchCapacitancePerKilofoot, let to = newUnits.metres, let from = LengthUnit.kft.metres {
                // OpenDSS 0.14.5 treats a switch's default capacitances as per kft when units follow
                // switch=y (its Cmatrix is converted, its R and X are not); reproduced to match it.
                // A later change of the phase count rebuilds the matrix from c1 and c0 unconverted.
                unconvertedSwitchCapacitance = [c1, c0]
                c1 *= to / from
                c0 *= to / from
            }
            switchCapacitancePerKilofoot = false
            units = newUnits
        case "r1": r1 = try r.double(); ownSequence()
        case "x1": x1 = try r.double(); ownSequence()
        case "r0": r0 = try r.double(); ownSequence()
        case "x0": x0 = try r.double(); ownSequence()
        case "c1": c1 = try r.double(); ownSequence()
        case "c0": c0 = try r.double(); ownSequence()
        case "b1": c1 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; ownSequence()
        case "b0": c0 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; ownSequence()
        case "rmatrix": rMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil; clearConstruction()
        case "xmatrix": xMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil; clearConstruction()
        case "cmatrix": cMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil; clearConstruction()
        case "switch":
            isSwitch = try r.bool()
            if isSwitch {
                // OpenDSS's switch: a 1 ohm per unit impedance over 0.001 units, unless overridden.
                r1 = 1; x1 = 1; r0 = 1; x0 = 1; c1 = 1.1; c0 = 1; length = 0.001; units = .none
                rMatrix = nil; xMatrix = nil; cMatrix = nil
                usesOwnImpedance = true; lineCode = nil
                clearConstruction()
                switchCapacitancePerKilofoot = true
            }
        case "enabled": enabled = try r.bool()
        case "basefreq": baseFrequencyHertz = try r.double()
        case "normamps": normalAmps = try r.double(in: 0...1e9)
        case "emergamps": emergencyAmps = try r.double(in: 0...1e9)
        case "rg", "xg", "seasons", "ratings", "linetype", "faultrate", "pctperm", "repair":
            break
        case "earthmodel": earthModel = try EarthModel.parse(r)
        case "rho":
            let value = try r.double()
            guard value.isFinite, value > 0 else { throw r.fail("earth resistivity must be a positive number") }
            earthResistivityOhmMetres = value
        case "geometry":
            clearConstruction()
            geometry = r.text.lowercased()
            useConstruction()
        case "spacing":
            clearConstruction()
            spacing = r.text.lowercased()
            useConstruction()
        case "wires", "cncables", "tscables":
            try setSpacingConductors(p, r)
        default:
            throw r.fail("property not supported for Line")
        }
    }

    private mutating func ownSequence() {
        switchCapacitancePerKilofoot = false
        unconvertedSwitchCapacitance = nil
        usesOwnImpedance = true
        lineCode = nil
        rMatrix = nil; xMatrix = nil; cMatrix = nil
        clearConstruction()
    }

    /// A geometry or spacing replaces a line code and impedances given before it.
    private mutating func useConstruction() {
        lineCode = nil
        usesOwnImpedance = true
        phasesOverrideCode = false
        rMatrix = nil; xMatrix = nil; cMatrix = nil
    }

    private mutating func clearConstruction() {
        geometry = nil
        spacing = nil
        spacingCables = []
        spacingWires = []
        phasesAfterConstruction = nil
    }

    /// `wires=`, `cncables=`, `tscables=` after `spacing=` (OpenDSS needs the spacing first).
    private mutating func setSpacingConductors(_ p: String, _ r: ValueReader) throws {
        guard spacing != nil else { throw r.fail("assign spacing= before \(p)=") }
        let names = r.strings().map { $0.lowercased() }
        guard !names.isEmpty else { throw r.fail("expected at least one conductor name") }
        switch p {
        case "cncables": spacingCables = names.map { ConductorReference(kind: .concentricNeutral, name: $0) }
        case "tscables": spacingCables = names.map { ConductorReference(kind: .tapeShield, name: $0) }
        default: spacingWires = names
        }
    }
}
