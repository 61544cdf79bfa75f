// Owns the RegControl record (its action is PowerFlow's Controls).

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
