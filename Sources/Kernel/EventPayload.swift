// Owns the typed-payload contract: every event kind has one Swift type (in the module that emits
// it) that writes its canonical JSON payload and reads it back, and describes its fields (key, type,
// unit, meaning) for the schema reference, the per-kind SQLite views and the CSV export. Also the
// strict field reader those types use: a missing or mistyped field is an error naming seq, kind and
// field, never a silent default.

/// The JSON type of one payload field.
public enum PayloadFieldType: String, Sendable, Equatable, CaseIterable {
    case integer
    /// A double written in shortest round-trip form (non-finite values as "NaN", "Infinity", "-Infinity").
    case number
    case boolean
    case string
    case integerArray = "integer[]"
    case numberArray = "number[]"
    case stringArray = "string[]"
    /// A nested JSON value stored verbatim (documented in the field's meaning).
    case json
}

/// One field of a kind's payload.
public struct PayloadField: Sendable, Equatable {
    /// The key in the canonical JSON payload.
    public var key: String
    public var type: PayloadFieldType
    /// Unit of the value ("Wh", "kW", "pu", "ms", "µtoken", "µtoken/Wh", …), nil when dimensionless.
    public var unit: String?
    /// True when some events of the kind omit the field.
    public var optional: Bool
    /// What the value means (one line).
    public var meaning: String

    public init(_ key: String, _ type: PayloadFieldType, unit: String? = nil, optional: Bool = false, _ meaning: String) {
        self.key = key
        self.type = type
        self.unit = unit
        self.optional = optional
        self.meaning = meaning
    }

    /// The unit as a lower-case identifier suffix ("wh", "kw", "utoken_per_wh"), nil without a unit.
    public var unitSuffix: String? {
        guard let unit else { return nil }
        var out = ""
        for scalar in unit.split(separator: "/", omittingEmptySubsequences: false).joined(separator: "_per_").unicodeScalars {
            switch scalar {
            case "µ": out += "u"
            case "a"..."z", "0"..."9", "_": out.unicodeScalars.append(scalar)
            case "A"..."Z": out += String(scalar).lowercased()
            default: out += "_"
            }
        }
        return out
    }

    /// The flat column name (CSV export, SQLite view): the key made an identifier, with the unit
    /// appended unless the key already is or ends with it (`energy_wh` and `bytes` stay, `escrow`
    /// becomes `escrow_utoken`).
    public var column: String {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            case "A"..."Z": name += String(scalar).lowercased()
            default: if !name.hasSuffix("_") { name += "_" }
            }
        }
        while name.hasSuffix("_") { name.removeLast() }
        guard let suffix = unitSuffix, name != suffix, !name.hasSuffix("_" + suffix) else { return name }
        return name + "_" + suffix
    }
}

/// A kind's schema: its fields, and which module emits it and when (for the reference document).
public struct PayloadSchema: Sendable, Equatable {
    public var kind: EventKind
    public var fields: [PayloadField]
    /// The emitting module and the moment, e.g. "Market: T+5 min, one per home".
    public var emittedBy: String

    public init(kind: EventKind, fields: [PayloadField], emittedBy: String) {
        self.kind = kind
        self.fields = fields
        self.emittedBy = emittedBy
    }
}

/// A payload that is missing a field, has one of the wrong type, or is not an object.
public struct PayloadError: Error, CustomStringConvertible, Sendable, Equatable {
    public var seq: Int64
    public var kind: String
    /// The offending field's key ("payload" when the payload as a whole is unusable).
    public var field: String
    public var why: String

    public init(seq: Int64, kind: String, field: String, why: String) {
        self.seq = seq
        self.kind = kind
        self.field = field
        self.why = why
    }

    public var description: String { "seq \(seq) (\(kind)): field \"\(field)\" \(why)" }
}

/// The typed payload of one event kind: writes and reads its canonical JSON.
///
/// Adding a kind is adding one conforming type (and registering it in `TracePayloads.all`).
public protocol EventPayload: Sendable, Equatable {
    /// The kind whose payload this is.
    static var kind: EventKind { get }
    /// The fields, in documentation order, and who emits the kind.
    static var schema: PayloadSchema { get }
    /// The canonical JSON the trace stores (its bytes are part of the hash chain).
    var canonical: CanonicalJSON { get }
    /// Reads a stored payload; `seq` names the event in errors.
    init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError)
}

extension EventLog {
    /// Emits a typed payload under its own kind; actor and payload are only evaluated when enabled.
    public mutating func emit<P: EventPayload>(_ time: SimTime, actor: @autoclosure () -> String, _ payload: @autoclosure () -> P) {
        emit(time, P.kind, actor: actor(), payload().canonical)
    }
}

extension EventRecord {
    /// A record carrying a typed payload.
    public init<P: EventPayload>(time: SimTime, actor: String, _ payload: P) {
        self.init(time: time, kind: P.kind, actor: actor, payload: payload.canonical)
    }
}

/// Strict access to a payload object's fields for `EventPayload.init(reading:seq:)`.
public struct PayloadReader: Sendable {
    public let seq: Int64
    public let kind: EventKind
    public let members: [String: CanonicalJSON]

    /// Fails unless `payload` is a JSON object.
    public init(_ payload: CanonicalJSON, kind: EventKind, seq: Int64) throws(PayloadError) {
        self.seq = seq
        self.kind = kind
        guard case .object(let members) = payload else {
            throw PayloadError(seq: seq, kind: kind.rawValue, field: "payload", why: "is not a JSON object: \(payload.text.prefix(80))")
        }
        self.members = members
    }

    /// An error about `field`.
    public func invalid(_ field: String, _ why: String) -> PayloadError {
        PayloadError(seq: seq, kind: kind.rawValue, field: field, why: why)
    }

    private func required(_ key: String) throws(PayloadError) -> CanonicalJSON {
        guard let value = members[key] else { throw invalid(key, "is missing") }
        return value
    }

    /// Whether the payload has `key` (for optional fields).
    public func has(_ key: String) -> Bool { members[key] != nil }

    public func int(_ key: String) throws(PayloadError) -> Int64 {
        let value = try required(key)
        guard case .int(let number) = value else { throw invalid(key, "is not an integer: \(value.text)") }
        return number
    }

    /// An integer that must fit `Int`.
    public func index(_ key: String) throws(PayloadError) -> Int {
        let number = try int(key)
        guard let value = Int(exactly: number) else { throw invalid(key, "is out of range: \(number)") }
        return value
    }

    /// A number: a double, an integer, or a quoted "NaN" / "Infinity" / "-Infinity" as canonical JSON writes them.
    public func double(_ key: String) throws(PayloadError) -> Double {
        let value = try required(key)
        guard let number = Self.number(value) else { throw invalid(key, "is not a number: \(value.text)") }
        return number
    }

    public func bool(_ key: String) throws(PayloadError) -> Bool {
        let value = try required(key)
        guard case .bool(let flag) = value else { throw invalid(key, "is not true/false: \(value.text)") }
        return flag
    }

    public func string(_ key: String) throws(PayloadError) -> String {
        let value = try required(key)
        guard case .string(let text) = value else { throw invalid(key, "is not a string: \(value.text)") }
        return text
    }

    public func ints(_ key: String) throws(PayloadError) -> [Int64] {
        let value = try required(key)
        guard case .array(let items) = value else { throw invalid(key, "is not an array of integers") }
        var out: [Int64] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .int(let number) = item else { throw invalid(key, "is not an array of integers: \(item.text)") }
            out.append(number)
        }
        return out
    }

    public func doubles(_ key: String) throws(PayloadError) -> [Double] {
        let value = try required(key)
        guard case .array(let items) = value else { throw invalid(key, "is not an array of numbers") }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let number = Self.number(item) else { throw invalid(key, "is not an array of numbers: \(item.text)") }
            out.append(number)
        }
        return out
    }

    public func strings(_ key: String) throws(PayloadError) -> [String] {
        let value = try required(key)
        guard case .array(let items) = value else { throw invalid(key, "is not an array of strings") }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw invalid(key, "is not an array of strings: \(item.text)") }
            out.append(text)
        }
        return out
    }

    /// Any JSON value (a nested object stored verbatim).
    public func json(_ key: String) throws(PayloadError) -> CanonicalJSON { try required(key) }

    /// A string field that must be one of an enum's raw values.
    public func choice<T: RawRepresentable>(_ key: String, _ type: T.Type) throws(PayloadError) -> T where T.RawValue == String {
        let text = try string(key)
        guard let value = T(rawValue: text) else { throw invalid(key, "has an unknown value \"\(text)\"") }
        return value
    }

    /// Fails when the payload has a key that is not among `fields` (a field renamed by a writer).
    public func rejectUnknownKeys(_ fields: [PayloadField]) throws(PayloadError) {
        let unknown = members.keys.filter { key in !fields.contains { $0.key == key } }.sorted()  // determinism: sorted
        if let first = unknown.first { throw invalid(first, "is not a field of \(kind.rawValue)") }
    }

    /// Reads an optional field with `read`, nil when the key is absent.
    public func optional<T>(_ key: String, _ read: (String) throws(PayloadError) -> T) throws(PayloadError) -> T? {
        has(key) ? try read(key) : nil
    }

    static func number(_ value: CanonicalJSON) -> Double? {
        switch value {
        case .int(let integer): return Double(integer)
        case .double(let double): return double
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }
}
