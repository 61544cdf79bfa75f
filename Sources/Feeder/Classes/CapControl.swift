// Owns the CapControl record: every property OpenDSS documents for a capacitor control, with its
// defaults (its action is PowerFlow's Controls).

/// What a capacitor control watches.
public enum CapControlType: String, Sendable {
    case current, voltage, kvar, time, powerFactor
}

/// A capacitor control: switches its capacitor in and out from a voltage, kvar, current, power
/// factor or the time of day measured at a terminal of another element, as OpenDSS's CapControl.
public struct CapControl: Sendable {
    public var name: String
    public var element = ""
    public var terminal = 1
    public var capacitor = ""
    /// OpenDSS's default type is current.
    public var type = CapControlType.current
    public var ptRatio = 60.0
    public var ctRatio = 60.0
    /// ON and OFF settings in the unit of the type (V, kvar, A, hour of day); for the power factor
    /// type, signed power factors (negative = leading).
    public var onSetting = 300.0
    public var offSetting = 200.0
    /// Power factor settings on OpenDSS's 0...2 scale (leading above 1); used by the PF type.
    public var powerFactorOn = 0.95
    public var powerFactorOff = 1.05
    /// Delay before switching on, seconds.
    public var delaySeconds = 15.0
    /// Delay before switching off, seconds.
    public var delayOffSeconds = 15.0
    /// Time after opening before the capacitor may close again, seconds.
    public var deadTimeSeconds = 300.0
    public var voltageOverride = false
    /// Bus whose node voltages the voltage override reads instead of the monitored terminal (`vbus=`).
    public var overrideBus: String?
    public var voltageMax = 126.0
    public var voltageMin = 115.0
    public var ptPhase = MonitoredPhase.phase(1)
    public var ctPhase = MonitoredPhase.phase(1)
    /// PF type: close only when the kvar exceeds this percentage of the capacitor's kvar.
    public var minimumKvarPercent = 50.0
    public var enabled = true

    static let propertyNames = ["element", "terminal", "capacitor", "type", "ptratio", "ctratio", "onsetting",
                                "offsetting", "delay", "voltoverride", "vmax", "vmin", "delayoff", "deadtime",
                                "ctphase", "ptphase", "vbus", "eventlog", "usermodel", "userdata", "pctminkvar",
                                "reset", "basefreq", "enabled", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        switch p {
        case "element": element = r.text.lowercased()
        case "terminal": terminal = try RegControl.positiveInt(r)
        case "capacitor": capacitor = r.text.lowercased()
        case "type": try setType(r)
        case "ptratio": ptRatio = try RegControl.positive(r)
        case "ctratio": ctRatio = try RegControl.positive(r)
        case "onsetting":
            onSetting = try RegControl.finite(r)
            if type == .powerFactor { powerFactorOn = try Self.powerFactorScale(onSetting, r) }
        case "offsetting":
            offSetting = try RegControl.finite(r)
            if type == .powerFactor { powerFactorOff = try Self.powerFactorScale(offSetting, r) }
        case "delay": delaySeconds = try RegControl.nonNegative(r)
        case "delayoff": delayOffSeconds = try RegControl.nonNegative(r)
        case "deadtime": deadTimeSeconds = try RegControl.nonNegative(r)
        case "voltoverride": voltageOverride = try r.bool()
        case "vmax": voltageMax = try RegControl.finite(r)
        case "vmin": voltageMin = try RegControl.finite(r)
        case "ptphase": ptPhase = try MonitoredPhase.parse(r, allowAverage: true)
        case "ctphase": ctPhase = try MonitoredPhase.parse(r, allowAverage: true)
        case "pctminkvar": minimumKvarPercent = try RegControl.finite(r)
        case "enabled": enabled = try r.bool()
        case "eventlog", "reset", "basefreq":
            break
        case "vbus":
            // OpenDSS takes the bus name (node designations dropped) and reads its first nodes.
            let bus = try BusSpec.parse(r.text, property: p, at: r.location)
            guard !bus.name.isEmpty else { throw r.fail("no bus name") }
            overrideBus = bus.name
        case "usermodel", "userdata":
            throw r.fail("user-written CapControl models are not supported")
        default:
            throw r.fail("property not supported for CapControl")
        }
    }

    /// OpenDSS matches the type by prefix and resets the PF settings when the type becomes PF.
    private mutating func setType(_ r: ValueReader) throws {
        let t = r.text.lowercased()
        if t.hasPrefix("c") { type = .current }
        else if t.hasPrefix("v") { type = .voltage }
        else if t.hasPrefix("k") { type = .kvar }
        else if t.hasPrefix("t") { type = .time }
        else if t.hasPrefix("p") {
            type = .powerFactor
            powerFactorOn = 0.95
            powerFactorOff = 1.05
        } else { throw r.fail("types: current, voltage, kvar, time, pf") }
    }

    /// A signed power factor (−1...1, negative leading) on OpenDSS's 0...2 scale.
    private static func powerFactorScale(_ value: Double, _ r: ValueReader) throws -> Double {
        guard value >= -1, value <= 1 else { throw r.fail("a power factor setting must be within -1...1") }
        return value < 0 ? 2 + value : value
    }
}
