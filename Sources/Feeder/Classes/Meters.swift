// Owns the EnergyMeter and Monitor records.

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
