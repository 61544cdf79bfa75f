// Owns the RegControl record: every property OpenDSS documents for a voltage regulator control
// (its action is PowerFlow's Controls).

/// Which phase of the controlled winding a control samples.
public enum MonitoredPhase: Sendable, Equatable {
    /// One phase (1-based).
    case phase(Int)
    /// The phase with the highest (lowest) voltage, chosen at every sample.
    case maximum, minimum
    /// The mean magnitude of all phases (CapControl only).
    case average

    /// Parses a number or MAX/MIN (and AVG when `allowAverage`), as OpenDSS's phase enum does.
    static func parse(_ r: ValueReader, allowAverage: Bool) throws -> MonitoredPhase {
        let lower = r.text.lowercased()
        if lower.hasPrefix("max") { return .maximum }
        if lower.hasPrefix("min") { return .minimum }
        if lower.hasPrefix("avg") || lower.hasPrefix("ave") {
            guard allowAverage else { throw r.fail("AVG is not a RegControl phase (number, MAX or MIN)") }
            return .average
        }
        let phase = try r.int()
        guard phase >= 1 else { throw r.fail("phase must be 1 or more, MAX or MIN") }
        return .phase(phase)
    }
}

/// A voltage regulator control on a transformer winding, with OpenDSS's defaults.
public struct RegControl: Sendable {
    public var name: String
    public var transformer = ""
    /// Monitored winding (1-based); also the tapped winding unless `tapWinding` is set.
    public var winding = 1
    public var voltageSetting = 120.0
    public var bandwidth = 3.0
    public var ptRatio = 60.0
    /// PT ratio for a remote regulated bus (`bus=`); set with `ptratio` unless given after it.
    public var remotePTRatio = 60.0
    public var ctPrimaryAmps = 300.0
    /// Line-drop compensator R and X in volts (on the 120 V base).
    public var ldcResistance = 0.0
    public var ldcReactance = 0.0
    /// Beckwith-style LDC: volts dropped per control ampere (0 = use R and X).
    public var ldcImpedance = 0.0
    /// Regulated remote bus (`bus=`), nil to regulate the winding terminal.
    public var regulatedBus: BusSpec?
    public var tapWinding: Int?
    public var maxTapChange = 16
    public var ptPhase = MonitoredPhase.phase(1)
    /// Upper limit on the local (winding) control voltage, volts; 0 = off.
    public var voltageLimit = 0.0
    /// Delay before the first tap change, seconds.
    public var delaySeconds = 15.0
    /// Delay between tap changes after the first, seconds (time and event modes).
    public var tapDelaySeconds = 2.0
    public var inverseTime = false
    public var reversible = false
    public var reverseVoltageSetting = 120.0
    public var reverseBandwidth = 3.0
    public var reverseResistance = 0.0
    public var reverseReactance = 0.0
    public var reverseLDCImpedance = 0.0
    /// Reverse power threshold, kW.
    public var reverseThresholdKilowatts = 100.0
    public var reverseDelaySeconds = 60.0
    public var reverseNeutral = false
    public var cogeneration = false
    /// Initial tap number (`tapnum=`), applied to the tapped winding before the first solve.
    public var tapNumber: Int?
    public var enabled = true

    static let propertyNames = ["transformer", "winding", "vreg", "band", "ptratio", "ctprim", "r", "x", "bus",
                                "delay", "reversible", "revvreg", "revband", "revr", "revx", "tapdelay",
                                "debugtrace", "maxtapchange", "inversetime", "tapwinding", "vlimit", "ptphase",
                                "revthreshold", "revdelay", "revneutral", "eventlog", "remoteptratio", "tapnum",
                                "reset", "ldc_z", "rev_z", "cogen", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "transformer": transformer = r.text.lowercased()
        case "winding": winding = try Self.positiveInt(r)
        case "tapwinding": tapWinding = try Self.positiveInt(r)
        case "vreg": voltageSetting = try Self.positive(r)
        case "band": bandwidth = try Self.positive(r)
        case "ptratio":
            ptRatio = try Self.positive(r)
            remotePTRatio = ptRatio
        case "remoteptratio": remotePTRatio = try Self.positive(r)
        case "ctprim": ctPrimaryAmps = try Self.positive(r)
        case "r": ldcResistance = try Self.finite(r)
        case "x": ldcReactance = try Self.finite(r)
        case "ldc_z": ldcImpedance = try Self.finite(r)
        case "bus": regulatedBus = r.text.isEmpty ? nil : try BusSpec.parse(r.text, property: p, at: r.location)
        case "maxtapchange":
            maxTapChange = try r.int()
            guard maxTapChange >= 0 else { throw r.fail("maxtapchange must not be negative") }
        case "ptphase": ptPhase = try MonitoredPhase.parse(r, allowAverage: false)
        case "vlimit": voltageLimit = try Self.finite(r)
        case "delay": delaySeconds = try Self.nonNegative(r)
        case "tapdelay": tapDelaySeconds = try Self.nonNegative(r)
        case "inversetime": inverseTime = try r.bool()
        case "reversible": reversible = try r.bool()
        case "revvreg": reverseVoltageSetting = try Self.positive(r)
        case "revband": reverseBandwidth = try Self.positive(r)
        case "revr": reverseResistance = try Self.finite(r)
        case "revx": reverseReactance = try Self.finite(r)
        case "rev_z": reverseLDCImpedance = try Self.finite(r)
        case "revthreshold": reverseThresholdKilowatts = try Self.finite(r)
        case "revdelay": reverseDelaySeconds = try Self.nonNegative(r)
        case "revneutral": reverseNeutral = try r.bool()
        case "cogen": cogeneration = try r.bool()
        case "tapnum": tapNumber = try r.int()
        case "enabled": enabled = try r.bool()
        case "debugtrace", "eventlog", "basefreq", "reset":
            break
        default:
            throw r.fail("property not supported for RegControl")
        }
    }

    static func finite(_ r: ValueReader) throws -> Double {
        let value = try r.double()
        guard value.isFinite else { throw r.fail("must be finite") }
        return value
    }

    static func positive(_ r: ValueReader) throws -> Double {
        let value = try finite(r)
        guard value > 0 else { throw r.fail("must be positive") }
        return value
    }

    static func nonNegative(_ r: ValueReader) throws -> Double {
        let value = try finite(r)
        guard value >= 0 else { throw r.fail("must not be negative") }
        return value
    }

    static func positiveInt(_ r: ValueReader) throws -> Int {
        let value = try r.int()
        guard value >= 1 else { throw r.fail("must be 1 or more") }
        return value
    }
}
