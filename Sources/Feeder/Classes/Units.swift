// Owns the vocabulary shared by element classes: length units and connections.

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
