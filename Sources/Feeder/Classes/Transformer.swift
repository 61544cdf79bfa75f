// Owns the Transformer record: windings set one by one or as arrays, reactances, taps.

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
        case "phases": phases = try r.int(in: ValueReader.phaseRange)
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
        case "numtaps": windings[activeWinding].numberOfTaps = try r.int(in: 1...10_000)
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
