// Owns what every OpenDSS class record has in common: its property order, its name, and how it
// takes one property assignment. The interpreter creates, edits, copies (`like=`) and lists
// records only through this protocol and the class table (ClassRegistry.swift).

/// A record of one OpenDSS class (Line, Load, WireData, ...).
protocol DSSRecord: Sendable {
    /// Property names in OpenDSS's order, lower-cased: positional values take them in this order
    /// and abbreviations resolve against it (`like` is accepted by every class).
    static var propertyNames: [String] { get }
    var name: String { get set }
    /// Applies one assignment of a resolved (full, lower-cased) property name.
    mutating func set(_ property: String, _ value: ValueReader) throws
    /// Whether assigning `property` reads other objects (e.g. Transformer's `xfmrcode=`).
    static func readsLibrary(_ property: String) -> Bool
    /// Applies an assignment that reads other objects; only called when `readsLibrary` says so.
    mutating func set(_ property: String, _ value: ValueReader, library: ObjectLibrary) throws
    /// Makes derived values consistent once an edit command's assignments are applied (OpenDSS's
    /// RecalcElementData at EndEdit); most records derive nothing.
    mutating func finishEdit()
}

extension DSSRecord {
    static func readsLibrary(_ property: String) -> Bool { false }
    mutating func set(_ property: String, _ value: ValueReader, library: ObjectLibrary) throws {
        try set(property, value)
    }
    mutating func finishEdit() {}
}

/// The general objects an assignment may copy from (codes that elements name).
struct ObjectLibrary {
    var xfmrCodes: [XfmrCode]

    func xfmrCode(named name: String) -> XfmrCode? { xfmrCodes.first { $0.name == name } }
}
