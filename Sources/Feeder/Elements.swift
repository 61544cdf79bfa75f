// Owns the network element records the importer builds (the OpenDSS subset in DESIGN.md) with
// OpenDSS's defaults, and how each class applies one property assignment.
import Foundation

/// Length units of line codes and lines, as OpenDSS spells them.
public enum LengthUnit: String, Sendable, CaseIterable {
    case none, mi, kft, km, m, ft, `in`, cm, mm

    /// Metres per unit; nil for `none` (no conversion).
    public var metres: Double? {
        switch self {
        case .none: return nil
        case .mi: return 1609.344
        case .kft: return 304.8
        case .km: return 1000
        case .m: return 1
        case .ft: return 0.3048
        case .in: return 0.0254
        case .cm: return 0.01
        case .mm: return 0.001
        }
    }

    static func parse(_ r: ValueReader) throws -> LengthUnit {
        let lower = r.text.lowercased()
        if lower == "meter" || lower == "metre" { return .m }
        if lower == "miles" { return .mi }
        if lower == "feet" { return .ft }
        if let unit = LengthUnit(rawValue: lower) { return unit }
        throw r.fail("unknown length unit")
    }
}

/// Winding or element connection.
public enum Connection: Sendable, Equatable {
    case wye, delta

    static func parse(_ r: ValueReader) throws -> Connection {
        switch r.text.lowercased() {
        case "wye", "y", "ln": return .wye
        case "delta", "d", "ll": return .delta
        default: throw r.fail("expected wye or delta")
        }
    }
}

/// Which element classes exist and the property order OpenDSS uses for positional values.
public enum ElementClass: String, Sendable, CaseIterable {
    case vsource, linecode, line, transformer, load, generator, pvsystem, loadshape, capacitor
    case regcontrol, capcontrol, energymeter, monitor

    var propertyNames: [String] {
        switch self {
        case .vsource: return VoltageSource.propertyNames
        case .linecode: return LineCode.propertyNames
        case .line: return Line.propertyNames
        case .transformer: return Transformer.propertyNames
        case .load: return Load.propertyNames
        case .generator: return Generator.propertyNames
        case .pvsystem: return PVSystem.propertyNames
        case .loadshape: return LoadShape.propertyNames
        case .capacitor: return Capacitor.propertyNames
        case .regcontrol: return RegControl.propertyNames
        case .capcontrol: return CapControl.propertyNames
        case .energymeter: return EnergyMeter.propertyNames
        case .monitor: return Monitor.propertyNames
        }
    }

    /// Resolves a possibly abbreviated property name: exact match, else first prefix match (OpenDSS).
    func resolveProperty(_ name: String) -> String? {
        let lower = name.lowercased()
        let names = propertyNames  // every class also takes `like`, checked after its own names
        if lower == "like" || names.contains(lower) { return lower }
        return names.first { $0.hasPrefix(lower) } ?? ("like".hasPrefix(lower) ? "like" : nil)
    }
}


/// The circuit's voltage source (a Thevenin equivalent behind `bus1`).
public struct VoltageSource: Sendable {
    public var name: String
    public var bus1 = BusSpec(name: "sourcebus")
    public var bus2: BusSpec?
    public var baseKilovolts = 115.0
    public var perUnit = 1.0
    public var angleDegrees = 0.0
    public var frequencyHertz = 60.0
    public var phases = 3
    public var shortCircuitMVA3 = 2000.0
    public var shortCircuitMVA1 = 2100.0
    public var x1r1 = 4.0
    public var x0r0 = 3.0
    public var shortCircuitAmps3: Double?
    public var shortCircuitAmps1: Double?
    /// Explicit sequence impedances in ohms (R1 X1 R0 X0 or Z1/Z0), when given.
    public var r1: Double?, x1: Double?, r0: Double?, x0: Double?
    public var impedanceSpec = ImpedanceSpec.shortCircuitMVA

    public enum ImpedanceSpec: Sendable { case shortCircuitMVA, shortCircuitAmps, ohms }

    /// A source with OpenDSS's defaults (115 kV, 2000/2100 MVA short-circuit, at bus "sourcebus").
    public init(name: String) { self.name = name }

    static let propertyNames = ["bus1", "basekv", "pu", "angle", "frequency", "phases", "mvasc3", "mvasc1",
                                "x1r1", "x0r0", "isc3", "isc1", "r1", "x1", "r0", "x0", "scantype", "sequence",
                                "bus2", "z1", "z0", "z2", "puz1", "puz0", "puz2", "basemva", "yearly", "daily",
                                "duty", "model", "puzideal", "spectrum", "basefreq", "enabled"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "basekv": baseKilovolts = try r.double()
        case "pu": perUnit = try r.double()
        case "angle": angleDegrees = try r.double()
        case "frequency", "basefreq": frequencyHertz = try r.double()
        case "phases": phases = try r.int()
        case "mvasc3": shortCircuitMVA3 = try r.double(); impedanceSpec = .shortCircuitMVA; shortCircuitAmps3 = nil
        case "mvasc1": shortCircuitMVA1 = try r.double(); impedanceSpec = .shortCircuitMVA; shortCircuitAmps1 = nil
        case "x1r1": x1r1 = try r.double()
        case "x0r0": x0r0 = try r.double()
        case "isc3": shortCircuitAmps3 = try r.double(); impedanceSpec = .shortCircuitAmps
        case "isc1": shortCircuitAmps1 = try r.double(); impedanceSpec = .shortCircuitAmps
        case "r1": r1 = try r.double(); impedanceSpec = .ohms
        case "x1": x1 = try r.double(); impedanceSpec = .ohms
        case "r0": r0 = try r.double(); impedanceSpec = .ohms
        case "x0": x0 = try r.double(); impedanceSpec = .ohms
        case "z1":
            let v = try r.doubles(); guard v.count == 2 else { throw r.fail("expected [R X]") }
            r1 = v[0]; x1 = v[1]; impedanceSpec = .ohms
        case "z0":
            let v = try r.doubles(); guard v.count == 2 else { throw r.fail("expected [R X]") }
            r0 = v[0]; x0 = v[1]; impedanceSpec = .ohms
        case "sequence":
            guard r.text.lowercased().hasPrefix("pos") else { throw r.fail("only positive sequence is supported") }
        case "scantype", "yearly", "daily", "duty", "spectrum", "enabled", "basemva", "model", "puzideal", "z2":
            break
        default:
            throw r.fail("property not supported for Vsource")
        }
    }
}

/// A line impedance code: sequence values or full matrices, per length unit.
public struct LineCode: Sendable {
    public var name: String
    public var phases = 3
    /// Sequence values in ohms (R, X) and nanofarads (C) per unit length.
    public var r1 = 0.058, x1 = 0.1206, r0 = 0.1784, x0 = 0.4047, c1 = 3.4, c0 = 1.6
    public var units = LengthUnit.none
    /// Row-major phase matrices (ohms, ohms, nF per unit length) when given instead of sequence values.
    public var rMatrix: [Double]?
    public var xMatrix: [Double]?
    public var cMatrix: [Double]?
    public var baseFrequencyHertz: Double
    public var normalAmps = 400.0
    public var emergencyAmps = 600.0

    static let propertyNames = ["nphases", "r1", "x1", "r0", "x0", "c1", "c0", "units", "rmatrix", "xmatrix",
                                "cmatrix", "basefreq", "normamps", "emergamps", "faultrate", "pctperm", "repair",
                                "kron", "rg", "xg", "rho", "neutral", "b1", "b0", "seasons", "ratings",
                                "linetype", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "nphases": phases = try r.int()
        case "r1": r1 = try r.double(); rMatrix = nil; xMatrix = nil
        case "x1": x1 = try r.double(); rMatrix = nil; xMatrix = nil
        case "r0": r0 = try r.double(); rMatrix = nil; xMatrix = nil
        case "x0": x0 = try r.double(); rMatrix = nil; xMatrix = nil
        case "c1": c1 = try r.double(); cMatrix = nil
        case "c0": c0 = try r.double(); cMatrix = nil
        case "b1": c1 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; cMatrix = nil
        case "b0": c0 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; cMatrix = nil
        case "units": units = try LengthUnit.parse(r)
        case "rmatrix": rMatrix = try r.matrix(order: phases)
        case "xmatrix": xMatrix = try r.matrix(order: phases)
        case "cmatrix": cMatrix = try r.matrix(order: phases)
        case "basefreq": baseFrequencyHertz = try r.double()
        case "normamps": normalAmps = try r.double()
        case "emergamps": emergencyAmps = try r.double()
        case "faultrate", "pctperm", "repair", "rg", "xg", "rho", "seasons", "ratings", "linetype":
            break
        case "kron", "neutral":
            throw r.fail("Kron reduction is not supported")
        default:
            throw r.fail("property not supported for LineCode")
        }
    }
}

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

    static let propertyNames = ["bus1", "bus2", "linecode", "length", "phases", "r1", "x1", "r0", "x0", "c1", "c0",
                                "rmatrix", "xmatrix", "cmatrix", "switch", "rg", "xg", "rho", "geometry", "units",
                                "spacing", "wires", "earthmodel", "cncables", "tscables", "b1", "b0", "seasons",
                                "ratings", "linetype", "normamps", "emergamps", "faultrate", "pctperm", "repair",
                                "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "bus1": bus1 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "bus2": bus2 = try BusSpec.parse(r.text, property: p, at: r.location)
        case "linecode": lineCode = r.text.lowercased(); usesOwnImpedance = false; phasesOverrideCode = false
        case "length": length = try r.double()
        case "phases":
            phases = try r.int()
            // As OpenDSS: a line code sets the phase count; phases= given after it wins.
            phasesOverrideCode = lineCode != nil
        case "units": units = try LengthUnit.parse(r)
        case "r1": r1 = try r.double(); ownSequence()
        case "x1": x1 = try r.double(); ownSequence()
        case "r0": r0 = try r.double(); ownSequence()
        case "x0": x0 = try r.double(); ownSequence()
        case "c1": c1 = try r.double(); ownSequence()
        case "c0": c0 = try r.double(); ownSequence()
        case "b1": c1 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; ownSequence()
        case "b0": c0 = try r.double() / (2 * Double.pi * baseFrequencyHertz) * 1e3; ownSequence()
        case "rmatrix": rMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil
        case "xmatrix": xMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil
        case "cmatrix": cMatrix = try r.matrix(order: phases); usesOwnImpedance = true; lineCode = nil
        case "switch":
            isSwitch = try r.bool()
            if isSwitch {
                // OpenDSS's switch: a 1 ohm per unit impedance over 0.001 units, unless overridden.
                r1 = 1; x1 = 1; r0 = 1; x0 = 1; c1 = 1.1; c0 = 1; length = 0.001; units = .none
                rMatrix = nil; xMatrix = nil; cMatrix = nil
                usesOwnImpedance = true; lineCode = nil
            }
        case "enabled": enabled = try r.bool()
        case "basefreq": baseFrequencyHertz = try r.double()
        case "rg", "xg", "rho", "seasons", "ratings", "linetype", "normamps", "emergamps", "faultrate", "pctperm",
             "repair", "earthmodel":
            break
        case "geometry", "spacing", "wires", "cncables", "tscables":
            throw r.fail("line geometries are not supported; use a LineCode")
        default:
            throw r.fail("property not supported for Line")
        }
    }

    private mutating func ownSequence() {
        usesOwnImpedance = true
        lineCode = nil
        rMatrix = nil; xMatrix = nil; cMatrix = nil
    }
}

/// One winding of a transformer.
public struct Winding: Sendable {
    public var bus = BusSpec(name: "")
    public var connection = Connection.wye
    public var kilovolts = 12.47
    public var kilovoltAmperes = 1000.0
    public var tap = 1.0
    public var resistancePercent = 0.2
    public var neutralResistance = -1.0
    public var neutralReactance = 0.0
    public var maxTap = 1.10
    public var minTap = 0.90
    public var numberOfTaps = 32
}

/// A multi-winding transformer (one phase group; `phases` phases per winding).
public struct Transformer: Sendable {
    public var name: String
    public var phases = 3
    public var windings: [Winding] = [Winding(), Winding()]
    public var activeWinding = 0
    /// Short-circuit reactances in percent on winding 1's kVA base.
    public var xhlPercent = 7.0, xhtPercent = 35.0, xltPercent = 30.0
    public var noLoadLossPercent = 0.0
    public var magnetizingPercent = 0.0
    public var ppmAntifloat = 1.0
    public var isSubstation = false
    public var bank: String?
    public var enabled = true

    static let propertyNames = ["phases", "windings", "wdg", "bus", "conn", "kv", "kva", "tap", "%r", "rneut",
                                "xneut", "buses", "conns", "kvs", "kvas", "taps", "xhl", "xht", "xlt", "xscarray",
                                "thermal", "n", "m", "flrise", "hsrise", "%loadloss", "%noloadloss", "normhkva",
                                "emerghkva", "sub", "maxtap", "mintap", "numtaps", "subname", "%imag",
                                "ppm_antifloat", "%rs", "bank", "xfmrcode", "xrconst", "x12", "x13", "x23",
                                "leadlag", "wdgcurrents", "core", "rdcohms", "seasons", "ratings", "normamps",
                                "emergamps", "faultrate", "pctperm", "repair", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "phases": phases = try r.int()
        case "windings":
            let n = try r.int()
            guard n >= 2 && n <= 3 else { throw r.fail("only 2 or 3 windings are supported") }
            while windings.count < n { windings.append(windings[windings.count - 1]) }
            if windings.count > n { windings.removeLast(windings.count - n) }
        case "wdg":
            let w = try r.int()
            guard w >= 1 && w <= windings.count else { throw r.fail("winding out of range 1...\(windings.count)") }
            activeWinding = w - 1
        case "bus": windings[activeWinding].bus = try BusSpec.parse(r.text, property: p, at: r.location)
        case "conn": windings[activeWinding].connection = try Connection.parse(r)
        case "kv": windings[activeWinding].kilovolts = try r.double()
        case "kva": windings[activeWinding].kilovoltAmperes = try r.double()
        case "tap": windings[activeWinding].tap = try r.double()
        case "%r": windings[activeWinding].resistancePercent = try r.double()
        case "rneut": windings[activeWinding].neutralResistance = try r.double()
        case "xneut": windings[activeWinding].neutralReactance = try r.double()
        case "maxtap": windings[activeWinding].maxTap = try r.double()
        case "mintap": windings[activeWinding].minTap = try r.double()
        case "numtaps": windings[activeWinding].numberOfTaps = try r.int()
        case "buses":
            let items = r.strings()
            for (i, item) in items.prefix(windings.count).enumerated() {
                windings[i].bus = try BusSpec.parse(item, property: p, at: r.location)
            }
        case "conns":
            for (i, item) in r.strings().prefix(windings.count).enumerated() {
                windings[i].connection = try Connection.parse(ValueReader(property: p, text: item, location: r.location))
            }
        case "kvs": try setEach(r) { $0.kilovolts = $1 }
        case "kvas": try setEach(r) { $0.kilovoltAmperes = $1 }
        case "taps": try setEach(r) { $0.tap = $1 }
        case "%rs": try setEach(r) { $0.resistancePercent = $1 }
        case "xhl", "x12": xhlPercent = try r.double()
        case "xht", "x13": xhtPercent = try r.double()
        case "xlt", "x23": xltPercent = try r.double()
        case "xscarray":
            let v = try r.doubles()
            if v.count > 0 { xhlPercent = v[0] }
            if v.count > 1 { xhtPercent = v[1] }
            if v.count > 2 { xltPercent = v[2] }
        case "%loadloss":
            let value = try r.double()
            windings[0].resistancePercent = value / 2
            windings[1].resistancePercent = value / 2
        case "%noloadloss": noLoadLossPercent = try r.double()
        case "%imag": magnetizingPercent = try r.double()
        case "ppm_antifloat": ppmAntifloat = try r.double()
        case "sub": isSubstation = try r.bool()
        case "bank": bank = r.text
        case "enabled": enabled = try r.bool()
        case "leadlag":
            guard r.text.lowercased().hasPrefix("ansi") || r.text.lowercased().hasPrefix("lag") else {
                throw r.fail("only ANSI (lag) delta direction is supported")
            }
        case "thermal", "n", "m", "flrise", "hsrise", "normhkva", "emerghkva", "subname", "xrconst", "wdgcurrents",
             "core", "rdcohms", "seasons", "ratings", "normamps", "emergamps", "faultrate", "pctperm", "repair",
             "basefreq":
            break
        case "xfmrcode":
            throw r.fail("XfmrCode is not supported")
        default:
            throw r.fail("property not supported for Transformer")
        }
    }

    private mutating func setEach(_ r: ValueReader, _ apply: (inout Winding, Double) -> Void) throws {
        for (i, value) in try r.doubles().prefix(windings.count).enumerated() { apply(&windings[i], value) }
    }
}

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
        case "phases": phases = try r.int()
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
        case "dispmode", "status", "rneut", "xneut", "class", "vpu", "maxkvar", "minkvar", "pvfactor", "forceon",
             "kva", "mva", "xd", "xdp", "xdpp", "h", "d", "dutystart", "debugtrace", "balanced", "xrdp",
             "usefuel", "fuelkwh", "%fuel", "%reserve", "refuel", "dynamiceq", "dynout", "spectrum", "basefreq":
            break
        case "usermodel", "userdata", "shaftmodel", "shaftdata":
            throw r.fail("user models are not supported")
        default:
            throw r.fail("property not supported for Generator")
        }
    }

}

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

/// A load shape: multipliers at a fixed interval (hours), optionally with reactive multipliers.
public struct LoadShape: Sendable {
    public var name: String
    public var numberOfPoints = 0
    public var intervalHours = 1.0
    public var multipliers: [Double] = []
    public var reactiveMultipliers: [Double]?
    public var useActual = false

    static let propertyNames = ["npts", "interval", "mult", "hour", "mean", "stddev", "csvfile", "sngfile",
                                "dblfile", "action", "qmult", "useactual", "pmax", "qmax", "sinterval",
                                "minterval", "pbase", "qbase", "pmult", "pqcsvfile", "memorymapping", "like"]

    mutating func set(_ p: String, _ r: ValueReader, baseDirectory: String) throws {
        switch p {
        case "npts": numberOfPoints = try r.int()
        case "interval": intervalHours = try r.double()
        case "minterval": intervalHours = try r.double() / 60
        case "sinterval": intervalHours = try r.double() / 3600
        case "mult", "pmult": multipliers = try Self.readSeries(r, baseDirectory: baseDirectory)
        case "qmult": reactiveMultipliers = try Self.readSeries(r, baseDirectory: baseDirectory)
        case "csvfile":
            multipliers = try Self.readSeries(ValueReader(property: p, text: "file=" + r.text, location: r.location),
                                              baseDirectory: baseDirectory)
        case "useactual": useActual = try r.bool()
        case "action":
            guard r.text.lowercased().hasPrefix("norm") == false else { throw r.fail("action=normalize is not supported") }
        case "hour":
            throw r.fail("variable-interval load shapes (hour=) are not supported")
        case "mean", "stddev", "pmax", "qmax", "pbase", "qbase", "memorymapping":
            break
        case "sngfile", "dblfile", "pqcsvfile":
            throw r.fail("binary and PQ CSV shape files are not supported; use mult=(file=...)")
        default:
            throw r.fail("property not supported for LoadShape")
        }
    }

    /// Inline values, or `file=NAME` (one value per line, first column) relative to the script.
    static func readSeries(_ r: ValueReader, baseDirectory: String) throws -> [Double] {
        let trimmed = r.text.trimmedBlanks
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("file") else { return try r.doubles() }
        guard let eq = trimmed.firstIndex(of: "=") else { throw r.fail("expected file=NAME") }
        let fileName = trimmed[trimmed.index(after: eq)...].trimmedBlanks
        let path = ScriptPaths.resolve(fileName, relativeTo: baseDirectory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FeederError.fileNotReadable(path: path, at: r.location)
        }
        // Byte-level scan: one value per line, first field (separated by comma, blank or tab).
        let bytes = [UInt8](data)
        var values: [Double] = []
        values.reserveCapacity(bytes.count / 6)
        var i = 0
        while i < bytes.count {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
            guard i < bytes.count else { break }
            let start = i
            while i < bytes.count, bytes[i] != 44, bytes[i] != 32, bytes[i] != 9, bytes[i] != 10, bytes[i] != 13 { i += 1 }
            let field = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let value = ValueReader.parseNumber(field) else {
                throw FeederError.invalidValue(property: r.property, value: field, reason: "not a number in \(path)", at: r.location)
            }
            values.append(value)
            while i < bytes.count, bytes[i] != 10, bytes[i] != 13 { i += 1 }
        }
        return values
    }
}

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

/// A voltage regulator control on a transformer winding (static control mode).
public struct RegControl: Sendable {
    public var name: String
    public var transformer = ""
    public var winding = 1
    public var voltageSetting = 120.0
    public var bandwidth = 3.0
    public var ptRatio = 60.0
    public var ctPrimaryAmps = 300.0
    public var ldcResistance = 0.0
    public var ldcReactance = 0.0
    public var tapWinding: Int?
    public var maxTapChange = 16
    public var ptPhase = 1
    public var voltageLimit: Double?
    /// Delay before a tap change, seconds (static mode: the nearest delays act first).
    public var delaySeconds = 15.0
    public var enabled = true

    static let propertyNames = ["transformer", "winding", "vreg", "band", "ptratio", "ctprim", "r", "x", "bus",
                                "delay", "reversible", "revvreg", "revband", "revr", "revx", "tapdelay",
                                "debugtrace", "maxtapchange", "inversetime", "tapwinding", "vlimit", "ptphase",
                                "revthreshold", "revdelay", "revneutral", "eventlog", "remoteptratio", "tapnum",
                                "reset", "ldc_z", "rev_z", "cogen", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "transformer": transformer = r.text.lowercased()
        case "winding": winding = try r.int()
        case "vreg": voltageSetting = try r.double()
        case "band": bandwidth = try r.double()
        case "ptratio": ptRatio = try r.double()
        case "ctprim": ctPrimaryAmps = try r.double()
        case "r": ldcResistance = try r.double()
        case "x": ldcReactance = try r.double()
        case "tapwinding": tapWinding = try r.int()
        case "maxtapchange": maxTapChange = try r.int()
        case "ptphase":
            guard let phase = Int(r.text) else { throw r.fail("only a numbered PT phase is supported") }
            ptPhase = phase
        case "vlimit": voltageLimit = try r.double()
        case "enabled": enabled = try r.bool()
        case "delay": delaySeconds = try r.double()
        case "tapdelay", "debugtrace", "eventlog", "basefreq", "reset", "inversetime", "revthreshold",
             "revdelay", "remoteptratio":
            break
        case "reversible", "revneutral", "cogen":
            guard try r.bool() == false else { throw r.fail("reverse-power regulation is not supported") }
        case "revvreg", "revband", "revr", "revx", "rev_z":
            break
        case "bus", "tapnum", "ldc_z":
            throw r.fail("remote bus, tapnum and LDC_Z are not supported")
        default:
            throw r.fail("property not supported for RegControl")
        }
    }
}

/// What a capacitor control watches.
public enum CapControlType: String, Sendable { case voltage, kvar, current }

/// A capacitor control (static mode): switches its capacitor on below ONsetting / above it for
/// kvar and current, and off past OFFsetting, as OpenDSS's CapControl does.
public struct CapControl: Sendable {
    public var name: String
    public var element = ""
    public var terminal = 1
    public var capacitor = ""
    public var type = CapControlType.voltage
    public var ptRatio = 60.0
    public var ctRatio = 60.0
    public var onSetting = 120.0
    public var offSetting = 125.0
    public var delaySeconds = 15.0
    public var voltageOverride = false
    public var voltageMax = 126.0
    public var voltageMin = 115.0
    public var ptPhase = 1
    public var ctPhase = 1
    public var enabled = true

    static let propertyNames = ["element", "terminal", "capacitor", "type", "ptratio", "ctratio", "onsetting",
                                "offsetting", "delay", "voltoverride", "vmax", "vmin", "delayoff", "deadtime",
                                "ctphase", "ptphase", "vbus", "eventlog", "usermodel", "userdata", "pctminkvar",
                                "reset", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "element": element = r.text.lowercased()
        case "terminal": terminal = try r.int()
        case "capacitor": capacitor = r.text.lowercased()
        case "type":
            let t = r.text.lowercased()
            if t.hasPrefix("v") { type = .voltage } else if t.hasPrefix("k") { type = .kvar } else if t.hasPrefix("c") { type = .current }
            else { throw r.fail("supported types: voltage, kvar, current") }
        case "ptratio": ptRatio = try r.double()
        case "ctratio": ctRatio = try r.double()
        case "onsetting": onSetting = try r.double()
        case "offsetting": offSetting = try r.double()
        case "delay": delaySeconds = try r.double()
        case "voltoverride": voltageOverride = try r.bool()
        case "vmax": voltageMax = try r.double()
        case "vmin": voltageMin = try r.double()
        case "ptphase":
            guard let phase = Int(r.text) else { throw r.fail("only a numbered PT phase is supported") }
            ptPhase = phase
        case "ctphase":
            guard let phase = Int(r.text) else { throw r.fail("only a numbered CT phase is supported") }
            ctPhase = phase
        case "enabled": enabled = try r.bool()
        case "delayoff", "deadtime", "eventlog", "reset", "basefreq", "pctminkvar":
            break
        case "vbus", "usermodel", "userdata":
            throw r.fail("remote bus and user models are not supported")
        default:
            throw r.fail("property not supported for CapControl")
        }
    }
}

/// An energy meter definition (recorded; the metrics come from PowerFlow).
public struct EnergyMeter: Sendable {
    public var name: String
    public var element = ""
    public var terminal = 1

    static let propertyNames = ["element", "terminal", "action", "option", "kvanormal", "kvaemerg", "peakcurrent",
                                "zonelist", "localonly", "mask", "losses", "linelosses", "xfmrlosses",
                                "seqlosses", "3phaselosses", "vbaselosses", "phasevoltagereport", "int_rate",
                                "int_duration", "saifi", "saifikw", "saidi", "caidi", "custinterrupts",
                                "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "element": element = r.text.lowercased()
        case "terminal": terminal = try r.int()
        default: break
        }
    }
}

/// A monitor definition (recorded for monitor exports).
public struct Monitor: Sendable {
    public var name: String
    public var element = ""
    public var terminal = 1
    public var mode = 0
    public var polar = true

    static let propertyNames = ["element", "terminal", "mode", "action", "residual", "vipolar", "ppolar",
                                "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "element": element = r.text.lowercased()
        case "terminal": terminal = try r.int()
        case "mode": mode = try r.int()
        case "ppolar": polar = try r.bool()
        default: break
        }
    }
}
