// Owns the CapControl record (its action is PowerFlow's Controls).

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
