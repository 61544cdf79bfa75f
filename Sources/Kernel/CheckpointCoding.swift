// Owns the canonical binary encoding of engine state for checkpoints: a Codable encoder and decoder
// whose bytes are a pure function of the values. Keyed containers are written sorted by key (so a
// Dictionary's hash order never reaches the bytes), numbers at fixed width, little-endian, doubles
// by bit pattern (NaN payloads and −0 survive), and arrays of plain numbers as one packed block.
//
// Integer arrays are zigzag varints of successive differences, other packed arrays fixed width.
// Format of a node: tag byte, then 0 nil | 1 leaf (uvarint length, bytes) | 2 keyed (uvarint count,
// then per entry uvarint key length, UTF-8 key, node; keys ascending by UTF-8 bytes) | 3 unkeyed
// (uvarint count, nodes).

/// An error decoding checkpoint bytes (damaged or of another engine version).
public struct CheckpointCodingError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Encodes `Encodable` values to canonical bytes (see the file comment).
public enum CheckpointEncoder {
    /// The canonical bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = NodeEncoder()
        try encoder.encodeValue(value)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        encoder.root.write(to: &out)
        return out
    }
}

/// Decodes values written by `CheckpointEncoder`.
public enum CheckpointDecoder {
    /// The value `bytes` encode; throws `CheckpointCodingError` when they are damaged or of another shape.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        var reader = NodeReader(bytes: bytes)
        let root = try reader.readNode(depth: 0)
        guard reader.offset == bytes.count else { throw CheckpointCodingError("\(bytes.count - reader.offset) bytes after the state") }
        return try NodeDecoder(node: root, codingPath: []).decodeValue(T.self)
    }
}

// MARK: - the node tree

final class NodeBox {
    var node: Node
    init(_ node: Node) { self.node = node }
}

enum Node {
    case null
    case leaf([UInt8])
    case keyed([String: NodeBox])
    case unkeyed([NodeBox])

    func write(to out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(0)
        case .leaf(let bytes):
            out.append(1)
            writeUVarint(UInt64(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .keyed(let members):
            out.append(2)
            writeUVarint(UInt64(members.count), to: &out)
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }  // determinism: sorted by key
            for key in keys {
                let utf8 = Array(key.utf8)
                writeUVarint(UInt64(utf8.count), to: &out)
                out.append(contentsOf: utf8)
                members[key]!.node.write(to: &out)
            }
        case .unkeyed(let elements):
            out.append(3)
            writeUVarint(UInt64(elements.count), to: &out)
            for element in elements { element.node.write(to: &out) }
        }
    }
}

func writeUVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(v & 0x7f) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

struct NodeReader {
    let bytes: [UInt8]
    var offset = 0
    static let maximumDepth = 64

    mutating func uvarint() throws -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw CheckpointCodingError("truncated at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw CheckpointCodingError("overlong number at byte \(offset)") }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func count() throws -> Int {
        let value = try uvarint()
        guard value <= UInt64(bytes.count - offset) else { throw CheckpointCodingError("length \(value) beyond the data at byte \(offset)") }
        return Int(value)
    }

    mutating func readNode(depth: Int) throws -> Node {
        guard depth < Self.maximumDepth else { throw CheckpointCodingError("nested too deeply at byte \(offset)") }
        guard offset < bytes.count else { throw CheckpointCodingError("truncated at byte \(offset)") }
        let tag = bytes[offset]
        offset += 1
        switch tag {
        case 0:
            return .null
        case 1:
            let n = try count()
            defer { offset += n }
            return .leaf(Array(bytes[offset..<offset + n]))
        case 2:
            let n = try count()
            var members: [String: NodeBox] = [:]
            for _ in 0..<n {
                let length = try count()
                guard let key = String(validating: bytes[offset..<offset + length], as: UTF8.self) else {
                    throw CheckpointCodingError("a key is not UTF-8 at byte \(offset)")
                }
                offset += length
                members[key] = NodeBox(try readNode(depth: depth + 1))
            }
            return .keyed(members)
        case 3:
            let n = try count()
            var elements: [NodeBox] = []
            elements.reserveCapacity(n)
            for _ in 0..<n { elements.append(NodeBox(try readNode(depth: depth + 1))) }
            return .unkeyed(elements)
        default:
            throw CheckpointCodingError("unknown node tag \(tag) at byte \(offset - 1)")
        }
    }
}

// MARK: - fixed-width scalars

protocol PackedScalar {
    static var byteWidth: Int { get }
    var packedBits: UInt64 { get }
    init(packedBits: UInt64)
}

extension Int: PackedScalar { static var byteWidth: Int { 8 }; var packedBits: UInt64 { UInt64(bitPattern: Int64(self)) }; init(packedBits: UInt64) { self = Int(Int64(bitPattern: packedBits)) } }
extension Int64: PackedScalar { static var byteWidth: Int { 8 }; var packedBits: UInt64 { UInt64(bitPattern: self) }; init(packedBits: UInt64) { self = Int64(bitPattern: packedBits) } }
extension Int32: PackedScalar { static var byteWidth: Int { 4 }; var packedBits: UInt64 { UInt64(UInt32(bitPattern: self)) }; init(packedBits: UInt64) { self = Int32(bitPattern: UInt32(truncatingIfNeeded: packedBits)) } }
extension UInt64: PackedScalar { static var byteWidth: Int { 8 }; var packedBits: UInt64 { self }; init(packedBits: UInt64) { self = packedBits } }
extension UInt32: PackedScalar { static var byteWidth: Int { 4 }; var packedBits: UInt64 { UInt64(self) }; init(packedBits: UInt64) { self = UInt32(truncatingIfNeeded: packedBits) } }
extension UInt8: PackedScalar { static var byteWidth: Int { 1 }; var packedBits: UInt64 { UInt64(self) }; init(packedBits: UInt64) { self = UInt8(truncatingIfNeeded: packedBits) } }
extension Double: PackedScalar { static var byteWidth: Int { 8 }; var packedBits: UInt64 { bitPattern }; init(packedBits: UInt64) { self = Double(bitPattern: packedBits) } }
extension Bool: PackedScalar { static var byteWidth: Int { 1 }; var packedBits: UInt64 { self ? 1 : 0 }; init(packedBits: UInt64) { self = packedBits != 0 } }

func packScalars<S: PackedScalar>(_ values: [S]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(values.count * S.byteWidth)
    for value in values {
        let bits = value.packedBits
        for byte in 0..<S.byteWidth { out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(byte)))) }
    }
    return out
}

func unpackScalars<S: PackedScalar>(_ bytes: [UInt8], as type: S.Type, path: [CodingKey]) throws -> [S] {
    guard bytes.count % S.byteWidth == 0 else {
        throw CheckpointCodingError("\(pathText(path)): \(bytes.count) bytes are no whole number of \(S.byteWidth)-byte values")
    }
    var out = [S]()
    out.reserveCapacity(bytes.count / S.byteWidth)
    var index = 0
    while index < bytes.count {
        var bits: UInt64 = 0
        for byte in 0..<S.byteWidth { bits |= UInt64(bytes[index + byte]) << (8 * UInt64(byte)) }
        out.append(S(packedBits: bits))
        index += S.byteWidth
    }
    return out
}

/// Integer arrays as zigzag varints of successive differences (wrapping): the engine's tables of
/// times, indices and counters are mostly sorted or small, so this is a few bytes per entry before
/// zlib, against 4 or 8.
func packDeltas<S: PackedScalar & FixedWidthInteger>(_ values: [S]) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(values.count * 2)
    var previous: UInt64 = 0
    for value in values {
        let bits = UInt64(truncatingIfNeeded: Int64(truncatingIfNeeded: value))
        let delta = Int64(bitPattern: bits &- previous)
        writeUVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &out)
        previous = bits
    }
    return out
}

func unpackDeltas<S: PackedScalar & FixedWidthInteger>(_ bytes: [UInt8], as type: S.Type, path: [CodingKey]) throws -> [S] {
    var reader = NodeReader(bytes: bytes)
    var out = [S]()
    var previous: UInt64 = 0
    while reader.offset < bytes.count {
        let zigzag: UInt64
        do { zigzag = try reader.uvarint() } catch { throw CheckpointCodingError("\(pathText(path)): \(error)") }
        let delta = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        previous = previous &+ UInt64(bitPattern: delta)
        let wide = Int64(bitPattern: previous)
        guard let value = S(exactly: wide) ?? (S.isSigned ? nil : S(exactly: previous)) else {
            throw CheckpointCodingError("\(pathText(path)): \(wide) does not fit \(S.self)")
        }
        out.append(value)
    }
    return out
}

func pathText(_ path: [CodingKey]) -> String {
    path.isEmpty ? "<root>" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
}

/// The packed leaf of an array of plain numbers, or nil for any other value. Decided by the static
/// type: an empty array of anything else would also cast to `[Int]`.
func packedLeaf<T>(_ value: T) -> [UInt8]? {
    guard isPackedArrayType(T.self) else { return nil }
    switch value {
    case let v as [Int]: return packDeltas(v)
    case let v as [Int64]: return packDeltas(v)
    case let v as [Int32]: return packDeltas(v)
    case let v as [UInt64]: return packDeltas(v)
    case let v as [UInt32]: return packDeltas(v)
    case let v as [UInt8]: return packScalars(v)
    case let v as [Double]: return packScalars(v)
    case let v as [Bool]: return packScalars(v)
    default: return nil
    }
}

/// The array of plain numbers a packed leaf holds, or nil when `T` is no such array type.
func unpackedLeaf<T>(_ type: T.Type, _ bytes: [UInt8], path: [CodingKey]) throws -> T? {
    if T.self == [Int].self { return try unpackDeltas(bytes, as: Int.self, path: path) as? T }
    if T.self == [Int64].self { return try unpackDeltas(bytes, as: Int64.self, path: path) as? T }
    if T.self == [Int32].self { return try unpackDeltas(bytes, as: Int32.self, path: path) as? T }
    if T.self == [UInt64].self { return try unpackDeltas(bytes, as: UInt64.self, path: path) as? T }
    if T.self == [UInt32].self { return try unpackDeltas(bytes, as: UInt32.self, path: path) as? T }
    if T.self == [UInt8].self { return try unpackScalars(bytes, as: UInt8.self, path: path) as? T }
    if T.self == [Double].self { return try unpackScalars(bytes, as: Double.self, path: path) as? T }
    if T.self == [Bool].self { return try unpackScalars(bytes, as: Bool.self, path: path) as? T }
    return nil
}

func isPackedArrayType<T>(_ type: T.Type) -> Bool {
    T.self == [Int].self || T.self == [Int64].self || T.self == [Int32].self || T.self == [UInt64].self
        || T.self == [UInt32].self || T.self == [UInt8].self || T.self == [Double].self || T.self == [Bool].self
}

// MARK: - encoding

final class NodeEncoder: Encoder {
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let box = NodeBox(.null)
    var root: Node { box.node }

    init(codingPath: [CodingKey] = []) { self.codingPath = codingPath }

    /// Encodes `value` into this encoder's node (packed arrays and scalars directly).
    func encodeValue<T: Encodable>(_ value: T) throws {
        if let packed = packedLeaf(value) {
            box.node = .leaf(packed)
        } else if let leaf = scalarLeaf(value) {
            box.node = .leaf(leaf)
        } else {
            try value.encode(to: self)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .keyed = box.node {} else { box.node = .keyed([:]) }
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .unkeyed = box.node {} else { box.node = .unkeyed([]) }
        return UnkeyedNodeEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleNodeEncoder(box: box, codingPath: codingPath) }
}

/// The leaf bytes of a scalar (numbers, Bool, String), or nil for any other value (decided by the
/// static type, so no bridging cast can turn one number type into another).
func scalarLeaf<T>(_ value: T) -> [UInt8]? {
    switch T.self {
    case is String.Type: return (value as? String).map { Array($0.utf8) }
    case is Int.Type: return (value as? Int).map { packScalars([$0]) }
    case is Int64.Type: return (value as? Int64).map { packScalars([$0]) }
    case is Int32.Type: return (value as? Int32).map { packScalars([$0]) }
    case is UInt64.Type: return (value as? UInt64).map { packScalars([$0]) }
    case is UInt32.Type: return (value as? UInt32).map { packScalars([$0]) }
    case is UInt8.Type: return (value as? UInt8).map { packScalars([$0]) }
    case is Double.Type: return (value as? Double).map { packScalars([$0]) }
    case is Bool.Type: return (value as? Bool).map { packScalars([$0]) }
    case is Int16.Type: return (value as? Int16).map { packScalars([Int32($0)]) }
    case is UInt16.Type: return (value as? UInt16).map { packScalars([UInt32($0)]) }
    case is Int8.Type: return (value as? Int8).map { packScalars([Int32($0)]) }
    case is Float.Type: return (value as? Float).map { packScalars([$0.bitPattern]) }
    case is UInt.Type: return (value as? UInt).map { packScalars([UInt64($0)]) }
    default: return nil
    }
}

func encodedNode<T: Encodable>(_ value: T, path: [CodingKey]) throws -> Node {
    let encoder = NodeEncoder(codingPath: path)
    try encoder.encodeValue(value)
    return encoder.root
}

struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: NodeBox
    var codingPath: [CodingKey]

    private func set(_ node: Node, _ key: Key) {
        guard case .keyed(var members) = box.node else { return }
        box.node = .null  // keep the dictionary uniquely referenced while it changes
        members[key.stringValue] = NodeBox(node)
        box.node = .keyed(members)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try encodedNode(value, path: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox(.keyed([:]))
        guard case .keyed(var members) = box.node else { preconditionFailure("keyed container over another node") }
        box.node = .null
        members[key.stringValue] = child
        box.node = .keyed(members)
        return KeyedEncodingContainer(KeyedNodeEncoder<NestedKey>(box: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = NodeBox(.unkeyed([]))
        guard case .keyed(var members) = box.node else { preconditionFailure("keyed container over another node") }
        box.node = .null
        members[key.stringValue] = child
        box.node = .keyed(members)
        return UnkeyedNodeEncoder(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> Encoder { NodeSuperEncoder(parent: self, key: "super") }
    mutating func superEncoder(forKey key: Key) -> Encoder { NodeSuperEncoder(parent: self, key: key.stringValue) }
}

/// An encoder whose node becomes a member of a keyed container (for class hierarchies).
final class NodeSuperEncoder<Key: CodingKey>: Encoder {
    let inner: NodeEncoder
    var codingPath: [CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(parent: KeyedNodeEncoder<Key>, key: String) {
        inner = NodeEncoder(codingPath: parent.codingPath)
        guard case .keyed(var members) = parent.box.node else { preconditionFailure("keyed container over another node") }
        parent.box.node = .null
        members[key] = inner.box
        parent.box.node = .keyed(members)
    }

    func container<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> { inner.container(keyedBy: type) }
    func unkeyedContainer() -> UnkeyedEncodingContainer { inner.unkeyedContainer() }
    func singleValueContainer() -> SingleValueEncodingContainer { inner.singleValueContainer() }
}

struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let box: NodeBox
    var codingPath: [CodingKey]
    var count: Int {
        guard case .unkeyed(let elements) = box.node else { return 0 }
        return elements.count
    }

    private func append(_ child: NodeBox) {
        guard case .unkeyed(var elements) = box.node else { return }
        box.node = .null
        elements.append(child)
        box.node = .unkeyed(elements)
    }

    mutating func encodeNil() throws { append(NodeBox(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        append(NodeBox(try encodedNode(value, path: codingPath + [IndexKey(count)])))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox(.keyed([:]))
        let key = IndexKey(count)
        append(child)
        return KeyedEncodingContainer(KeyedNodeEncoder<NestedKey>(box: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = NodeBox(.unkeyed([]))
        let key = IndexKey(count)
        append(child)
        return UnkeyedNodeEncoder(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> Encoder {
        let encoder = NodeEncoder(codingPath: codingPath + [IndexKey(count)])
        append(encoder.box)
        return encoder
    }
}

struct SingleNodeEncoder: SingleValueEncodingContainer {
    let box: NodeBox
    var codingPath: [CodingKey]

    mutating func encodeNil() throws { box.node = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { box.node = try encodedNode(value, path: codingPath) }
}

struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { guard let value = Int(stringValue) else { return nil }; intValue = value }
    init?(intValue: Int) { self.intValue = intValue }
}

// MARK: - decoding

struct NodeDecoder: Decoder {
    let node: Node
    var codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func mismatch(_ expected: String) -> CheckpointCodingError {
        CheckpointCodingError("\(pathText(codingPath)): expected \(expected)")
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if isPackedArrayType(T.self) {
            guard case .leaf(let bytes) = node else { throw mismatch("a packed array") }
            if let value = try unpackedLeaf(T.self, bytes, path: codingPath) { return value }
        }
        if let value = try scalarValue(T.self) { return value }
        return try T(from: self)
    }

    func leafBytes() throws -> [UInt8] {
        guard case .leaf(let bytes) = node else { throw mismatch("a value") }
        return bytes
    }

    func scalar<S: PackedScalar>(_ type: S.Type) throws -> S {
        let values = try unpackScalars(try leafBytes(), as: S.self, path: codingPath)
        guard values.count == 1 else { throw mismatch("one \(S.self)") }
        return values[0]
    }

    func scalarValue<T>(_ type: T.Type) throws -> T? {
        switch T.self {
        case is String.Type:
            guard let text = String(validating: try leafBytes(), as: UTF8.self) else { throw mismatch("UTF-8 text") }
            return text as? T
        case is Int.Type: return try scalar(Int.self) as? T
        case is Int64.Type: return try scalar(Int64.self) as? T
        case is Int32.Type: return try scalar(Int32.self) as? T
        case is UInt64.Type: return try scalar(UInt64.self) as? T
        case is UInt32.Type: return try scalar(UInt32.self) as? T
        case is UInt8.Type: return try scalar(UInt8.self) as? T
        case is Double.Type: return try scalar(Double.self) as? T
        case is Bool.Type: return try scalar(Bool.self) as? T
        case is Int16.Type: return Int16(exactly: try scalar(Int32.self)) as? T
        case is UInt16.Type: return UInt16(exactly: try scalar(UInt32.self)) as? T
        case is Int8.Type: return Int8(exactly: try scalar(Int32.self)) as? T
        case is Float.Type: return Float(bitPattern: try scalar(UInt32.self)) as? T
        case is UInt.Type: return UInt(exactly: try scalar(UInt64.self)) as? T
        default: return nil
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .keyed(let members) = node else { throw mismatch("a keyed container") }
        return KeyedDecodingContainer(KeyedNodeDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .unkeyed(let elements) = node else { throw mismatch("a list") }
        return UnkeyedNodeDecoder(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleNodeDecoder(decoder: self) }
}

struct KeyedNodeDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: NodeBox]
    var codingPath: [CodingKey]
    var allKeys: [Key] {
        members.keys.sorted().compactMap { Key(stringValue: $0) }  // determinism: sorted keys
    }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func child(_ key: Key) throws -> NodeDecoder {
        guard let box = members[key.stringValue] else {
            throw CheckpointCodingError("\(pathText(codingPath + [key])): missing")
        }
        return NodeDecoder(node: box.node, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try child(key).node { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(T.self) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { try child(Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
}

struct UnkeyedNodeDecoder: UnkeyedDecodingContainer {
    let elements: [NodeBox]
    var codingPath: [CodingKey]
    var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [NodeBox], codingPath: [CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw CheckpointCodingError("\(pathText(codingPath)): fewer elements than expected") }
        defer { currentIndex += 1 }
        return NodeDecoder(node: elements[currentIndex].node, codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw CheckpointCodingError("\(pathText(codingPath)): fewer elements than expected") }
        if case .null = elements[currentIndex].node {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

struct SingleNodeDecoder: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.node { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
}
