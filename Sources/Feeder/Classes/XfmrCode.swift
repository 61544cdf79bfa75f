// Owns the XfmrCode record: a named set of transformer data (windings, ratings, impedances, taps)
// that `Transformer ... XfmrCode=NAME` copies, as OpenDSS's FetchXfmrCode does: everything but the
// buses, the bank and the substation flag.

/// A transformer code (OpenDSS's XfmrCode class).
public struct XfmrCode: Sendable {
    public var name: String
    /// The code's data, held as a transformer without buses.
    public var data: Transformer

    public init(name: String) {
        self.name = name
        data = Transformer(name: name)
    }

    static let propertyNames = ["phases", "windings", "wdg", "conn", "kv", "kva", "tap", "%r", "rneut", "xneut",
                                "conns", "kvs", "kvas", "taps", "xhl", "xht", "xlt", "xscarray", "thermal", "n",
                                "m", "flrise", "hsrise", "%loadloss", "%noloadloss", "normhkva", "emerghkva",
                                "maxtap", "mintap", "numtaps", "%imag", "ppm_antifloat", "%rs", "x12", "x13", "x23",
                                "rdcohms", "seasons", "ratings", "like"]

    mutating func set(_ p: String, _ r: ValueReader) throws {
        // Every XfmrCode property is a Transformer property of the same name and meaning.
        try data.set(p, r)
    }
}

extension Transformer {
    static func readsLibrary(_ property: String) -> Bool { property == "xfmrcode" }

    mutating func set(_ p: String, _ r: ValueReader, library: ObjectLibrary) throws {
        guard p == "xfmrcode" else { return try set(p, r) }
        guard let code = library.xfmrCode(named: r.text.lowercased()) else {
            throw r.fail("no XfmrCode of that name is defined")
        }
        apply(code)
    }

    /// Takes the code's data and keeps this transformer's name, buses, bank and substation flag.
    mutating func apply(_ code: XfmrCode) {
        var copy = code.data
        copy.name = name
        copy.bank = bank
        copy.isSubstation = isSubstation
        copy.enabled = enabled
        for w in copy.windings.indices {
            copy.windings[w].bus = w < windings.count ? windings[w].bus : BusSpec(name: "")
        }
        copy.activeWinding = 0
        self = copy
    }
}
