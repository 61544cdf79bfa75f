// Owns the vocabulary shared by element classes: length units, connections, and the class list
// with each class's property order (for positional values and abbreviations).

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
