// Owns the table of OpenDSS classes the importer knows: for each class its name, property order,
// whether it is a general object (may exist before `New Circuit` and survives it) and how its
// records are created, assigned, copied and listed. Adding a class is one record type plus one
// line here.

/// How the interpreter handles the objects of one OpenDSS class.
///
/// A class (a reference): the interpreter reads a class's table and closures for every parameter,
/// and a reference is shared where a struct of closures would be copied (each closure retained).
final class DSSClass {
    let name: String
    let propertyNames: [String]
    /// Lookups only (never iterated): `propertyNames`' first position of each name, found on a
    /// name's bytes.
    let propertyTable: PropertyTable
    /// General objects (codes, shapes, wire data) live outside the circuit, as in OpenDSS.
    let isGeneral: Bool
    let create: (inout FeederModel, _ objectName: String, _ context: CreationContext) -> Int
    /// The index `create` gives the next object of this class.
    let nextIndex: (inout FeederModel) -> Int
    let assign: (inout FeederModel, _ index: Int, _ property: String, _ value: ValueReader) throws -> Void
    let copy: (inout FeederModel, _ from: Int, _ to: Int) -> Void
    /// Ends an edit command on one object (derived values recomputed).
    let finishEdit: (inout FeederModel, _ index: Int) -> Void
    /// Indices and names of this class's objects, in creation order.
    let members: (FeederModel) -> [ClassMember]
    /// Copies this class's objects from an old model into a new one (general objects survive
    /// `New Circuit`).
    let carryOver: (inout FeederModel, _ from: FeederModel) -> Void

    /// A class whose records are stored in one array of the model.
    init<Record: DSSRecord>(_ name: String, _ store: WritableKeyPath<FeederModel, [Record]>, general: Bool = false,
                            reference: ((Int) -> ElementReference)? = nil,
                            make: @escaping (_ name: String, _ context: CreationContext) -> Record) {
        self.name = name
        propertyNames = Record.propertyNames
        propertyTable = PropertyTable(Record.propertyNames)
        isGeneral = general
        create = { model, objectName, context in
            model[keyPath: store].append(make(objectName, context))
            let index = model[keyPath: store].count - 1
            if let reference { model.creationOrder.append(reference(index)) }
            return index
        }
        nextIndex = { model in model[keyPath: store].count }
        assign = { model, index, property, value in
            if Record.readsLibrary(property) {
                let library = ObjectLibrary(xfmrCodes: model.xfmrCodes)
                try model[keyPath: store][index].set(property, value, library: library)
            } else {
                try model[keyPath: store][index].set(property, value)
            }
        }
        copy = { model, from, to in
            let keep = model[keyPath: store][to].name
            model[keyPath: store][to] = model[keyPath: store][from]
            model[keyPath: store][to].name = keep
        }
        finishEdit = { model, index in model[keyPath: store][index].finishEdit() }
        members = { model in model[keyPath: store].enumerated().map { ClassMember(index: $0.offset, name: $0.element.name) } }
        carryOver = { fresh, old in fresh[keyPath: store] = old[keyPath: store] }
    }

    /// A class OpenDSS has that does not change a power-flow solution: accepted and listed.
    init(unmodelled name: String, propertyNames: [String], general: Bool) {
        self.name = name
        self.propertyNames = propertyNames
        propertyTable = PropertyTable(propertyNames)
        isGeneral = general
        create = { model, objectName, _ in
            model.unmodelledObjects.append(UnmodelledObject(className: name, name: objectName))
            return model.unmodelledObjects.count - 1
        }
        nextIndex = { model in model.unmodelledObjects.count }
        assign = { model, index, property, value in try model.unmodelledObjects[index].set(property, value) }
        copy = { model, from, to in model.unmodelledObjects[to].properties = model.unmodelledObjects[from].properties }
        finishEdit = { _, _ in }
        members = { model in
            model.unmodelledObjects.enumerated().filter { $0.element.className == name }
                .map { ClassMember(index: $0.offset, name: $0.element.name) }
        }
        carryOver = { fresh, old in fresh.unmodelledObjects += old.unmodelledObjects.filter { $0.className == name } }
    }

    /// Resolves a possibly abbreviated property name: exact match, else the first prefix match in
    /// OpenDSS's order (its rule); `like` is accepted by every class.
    func resolveProperty(_ given: String) -> String? {
        resolvePropertyPosition(given)?.property
    }

    /// `resolveProperty` with the property's position in `propertyNames` (nil for a `like` the
    /// class does not list), found in the same search.
    func resolvePropertyPosition(_ given: String) -> (property: String, position: Int?)? {
        if let resolved = resolveASCIIPropertyPosition(given) { return resolved }
        let lower = given.lowercased()
        if let position = propertyNames.firstIndex(of: lower) { return (lower, position) }
        if lower == "like" { return (lower, nil) }
        if let position = propertyNames.firstIndex(where: { $0.hasPrefix(lower) }) { return (propertyNames[position], position) }
        return "like".hasPrefix(lower) ? ("like", nil) : nil
    }
}

extension DSSClass {
    /// `resolvePropertyPosition` for ASCII text naming a property in full (any case): one probe of
    /// the property table on the text's bytes, A–Z folded to a–z (for ASCII, `lowercased()` maps
    /// A–Z alone), no String built. Nil for anything else (non-ASCII text, abbreviations, `like`
    /// when the class does not list it, errors): the general path answers.
    func resolveASCIIPropertyPosition(_ given: String) -> (property: String, position: Int?)? {
        withUTF8Bytes(of: given) { bytes -> (property: String, position: Int?)? in
            guard let position = propertyTable.position(ofASCII: bytes) else { return nil }
            return (propertyNames[position], position)
        }
    }
}

/// A class's property names → their first position in the class's order, looked up on a name's
/// UTF-8 bytes with ASCII upper case folded to lower case (what a hash of the lower-cased String
/// would find, without building that String). A name is packed into two words (names of at most
/// 16 bytes: every property name the importer's classes use in practice); open addressing over a
/// power-of-two table. Longer names are not in the table: their lookups answer nil, and the
/// caller's general path finds them.
struct PropertyTable {
    /// One slot: a name's bytes packed little-endian into two words, its length and its position
    /// (−1: empty slot).
    private struct Slot {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var count = 0
        var position = -1
    }

    private let slots: [Slot]

    init(_ names: [String]) {
        var capacity = 16
        while capacity < 2 * names.count { capacity *= 2 }
        var table = [Slot](repeating: Slot(), count: capacity)
        for (position, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            guard let packed = bytes.withUnsafeBufferPointer({ Self.pack($0, fold: false) }) else { continue }
            var slot = Self.hash(packed.low, packed.high, bytes.count) & (capacity - 1)
            var isDuplicate = false
            while table[slot].position >= 0 {
                // Only a name's first position is kept (what `firstIndex(of:)` finds).
                if table[slot].low == packed.low && table[slot].high == packed.high && table[slot].count == bytes.count {
                    isDuplicate = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if !isDuplicate { table[slot] = Slot(low: packed.low, high: packed.high, count: bytes.count, position: position) }
        }
        slots = table
    }

    /// The bytes (A–Z folded to a–z when `fold`) in two words; nil when longer than 16 bytes or
    /// not ASCII.
    @inline(__always) static func pack(_ bytes: UnsafeBufferPointer<UInt8>, fold: Bool) -> (low: UInt64, high: UInt64)? {
        guard bytes.count <= 16 else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x80 else { return nil }
            let value = UInt64(fold && byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte)
            if index < 8 { low |= value << UInt64(8 * index) } else { high |= value << UInt64(8 * (index - 8)) }
        }
        return (low, high)
    }

    @inline(__always) static func hash(_ low: UInt64, _ high: UInt64, _ count: Int) -> Int {
        var h = low &* 0x9E37_79B9_7F4A_7C15 ^ (high &+ UInt64(count)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }

    /// The first position of the property whose name equals `bytes` with A–Z folded; nil when
    /// there is none, `bytes` is not ASCII, or longer than 16 bytes.
    func position(ofASCII bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let packed = Self.pack(bytes, fold: true) else { return nil }
        let count = bytes.count
        return slots.withUnsafeBufferPointer { slots -> Int? in
            let mask = slots.count - 1
            var slot = Self.hash(packed.low, packed.high, count) & mask
            while slots[slot].position >= 0 {
                if slots[slot].low == packed.low && slots[slot].high == packed.high && slots[slot].count == count {
                    return slots[slot].position
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }
}

/// OpenDSS classes that would change a power-flow solution and are not modelled, with why; a
/// script naming one is refused with this reason rather than solved without it.
enum UnsupportedClass {
    static let reasons: [(name: String, reason: String)] = [
        ("isource", "current sources are not modelled"),
        ("vccs", "voltage-controlled current sources are not modelled"),
        ("fault", "faults are not modelled (a fault object is part of every solution in OpenDSS)"),
        ("storage", "storage elements are not modelled"),
        ("storagecontroller", "storage controllers are not modelled"),
        ("upfc", "UPFC devices are not modelled"),
        ("upfccontrol", "UPFC controls are not modelled"),
        ("espvlcontrol", "ESPVL controls are not modelled"),
        ("indmach012", "induction machines are not modelled"),
        ("gicsource", "GIC sources are not modelled"),
        ("gicline", "GIC lines are not modelled"),
        ("gictransformer", "GIC transformers are not modelled"),
        ("autotrans", "autotransformers are not modelled"),
        ("invcontrol", "inverter controls (volt-var, volt-watt) are not modelled"),
        ("expcontrol", "exponential inverter controls are not modelled"),
        ("vsconverter", "voltage-source converters are not modelled"),
        ("gendispatcher", "generator dispatchers are not modelled"),
        ("dynamicexp", "dynamic expressions are not modelled"),
    ]

    static func reason(for className: String) -> String? {
        reasons.first { $0.name == className }?.reason
    }
}

/// What a new object takes from the interpreter's state when it is created (as OpenDSS fixes
/// these at creation, not when the model is solved).
struct CreationContext {
    var baseFrequencyHertz: Double
    var earthModel: EarthModel
}

/// One object of a class: where it is stored and its name.
struct ClassMember {
    var index: Int
    var name: String
}

extension DSSClass {
    /// Every class the importer reads, in a fixed order (names lower-case, as OpenDSS compares them).
    static func all() -> [DSSClass] {
        modelled() + UnmodelledObject.classes.map {
            DSSClass(unmodelled: $0.name, propertyNames: $0.propertyNames, general: $0.isGeneral)
        }
    }

    static func modelled() -> [DSSClass] {
        [
            DSSClass("vsource", \.vsources, reference: ElementReference.vsource) { name, context in
                var source = VoltageSource(name: name); source.frequencyHertz = context.baseFrequencyHertz; return source
            },
            DSSClass("linecode", \.lineCodes, general: true) { LineCode(name: $0, baseFrequencyHertz: $1.baseFrequencyHertz) },
            DSSClass("wiredata", \.wireData, general: true) { name, _ in WireData(name: name) },
            DSSClass("cndata", \.cnData, general: true) { name, _ in CNData(name: name) },
            DSSClass("tsdata", \.tsData, general: true) { name, _ in TSData(name: name) },
            DSSClass("linespacing", \.lineSpacings, general: true) { name, _ in LineSpacing(name: name) },
            DSSClass("linegeometry", \.lineGeometries, general: true) { name, _ in LineGeometry(name: name) },
            DSSClass("line", \.lines, reference: ElementReference.line) { name, context in
                // OpenDSS fixes a line's earth model when the line is created.
                var line = Line(name: name, baseFrequencyHertz: context.baseFrequencyHertz)
                line.earthModel = context.earthModel
                return line
            },
            DSSClass("xfmrcode", \.xfmrCodes, general: true) { name, _ in XfmrCode(name: name) },
            DSSClass("transformer", \.transformers, reference: ElementReference.transformer) { name, _ in Transformer(name: name) },
            DSSClass("reactor", \.reactors, reference: ElementReference.reactor) { Reactor(name: $0, baseFrequencyHertz: $1.baseFrequencyHertz) },
            DSSClass("load", \.loads, reference: ElementReference.load) { name, _ in Load(name: name) },
            DSSClass("generator", \.generators, reference: ElementReference.generator) { name, _ in Generator(name: name) },
            DSSClass("pvsystem", \.pvSystems, reference: ElementReference.pvSystem) { name, _ in PVSystem(name: name) },
            DSSClass("loadshape", \.loadShapes, general: true) { name, _ in LoadShape(name: name) },
            DSSClass("capacitor", \.capacitors, reference: ElementReference.capacitor) { name, _ in Capacitor(name: name) },
            DSSClass("regcontrol", \.regControls) { name, _ in RegControl(name: name) },
            DSSClass("capcontrol", \.capControls) { name, _ in CapControl(name: name) },
            DSSClass("energymeter", \.energyMeters) { name, _ in EnergyMeter(name: name) },
            DSSClass("monitor", \.monitors) { name, _ in Monitor(name: name) },
        ]
    }
}

extension VoltageSource: DSSRecord {}
extension LineCode: DSSRecord {}
extension WireData: DSSRecord {}
extension CNData: DSSRecord {}
extension TSData: DSSRecord {}
extension LineSpacing: DSSRecord {}
extension LineGeometry: DSSRecord {}
extension Line: DSSRecord {}
extension XfmrCode: DSSRecord {}
extension Transformer: DSSRecord {}
extension Reactor: DSSRecord {}
extension Load: DSSRecord {}
extension Generator: DSSRecord {}
extension PVSystem: DSSRecord {}
extension LoadShape: DSSRecord {}
extension Capacitor: DSSRecord {}
extension RegControl: DSSRecord {}
extension CapControl: DSSRecord {}
extension EnergyMeter: DSSRecord {}
extension Monitor: DSSRecord {}
