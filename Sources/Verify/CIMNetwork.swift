// Owns the network view of a CIM100 export: buses, line segments with their impedances,
// transformers with their ratings, and loads with their P/Q, in SI units as CIM states them.
// The verifier compares this view with the model our OpenDSS importer built.

/// A line segment: length and impedance per metre (sequence or phase-matrix form).
public struct CIMLineSegment: Sendable, Equatable {
    public var name: String
    public var lengthMeters: Double
    public var impedance: CIMLineImpedance?
}

/// Per-metre line impedance as the export gives it.
public enum CIMLineImpedance: Sendable, Equatable {
    /// Positive- and zero-sequence resistance and reactance, Ω/m.
    case sequence(r1OhmsPerMeter: Double, x1OhmsPerMeter: Double, r0OhmsPerMeter: Double, x0OhmsPerMeter: Double)
    /// Phase matrix entries (1-based row, column; the lower triangle as exported), Ω/m.
    case phase(entries: [(row: Int, column: Int, rOhmsPerMeter: Double, xOhmsPerMeter: Double)])

    public static func == (a: CIMLineImpedance, b: CIMLineImpedance) -> Bool {
        switch (a, b) {
        case let (.sequence(r1, x1, r0, x0), .sequence(s1, y1, s0, y0)): return r1 == s1 && x1 == y1 && r0 == s0 && x0 == y0
        case let (.phase(e), .phase(f)):
            return e.count == f.count && zip(e, f).allSatisfy { $0.row == $1.row && $0.column == $1.column && $0.rOhmsPerMeter == $1.rOhmsPerMeter && $0.xOhmsPerMeter == $1.xOhmsPerMeter }
        default: return false
        }
    }
}

/// One transformer winding as CIM rates it.
public struct CIMTransformerEnd: Sendable, Equatable {
    public var endNumber: Int
    public var ratedKVA: Double
    public var ratedKV: Double
}

/// A transformer (a `PowerTransformer` with ends, or a tank with end infos).
public struct CIMTransformer: Sendable, Equatable {
    public var name: String
    public var ends: [CIMTransformerEnd]
}

/// A load as exported (nominal P and Q).
public struct CIMLoad: Sendable, Equatable {
    public var name: String
    public var kilowatts: Double
    public var kilovars: Double
}

/// The parts of a CIM100 network the verifier cross-checks.
public struct CIMNetwork: Sendable, Equatable {
    public var busNames: [String]
    public var lines: [CIMLineSegment]
    public var transformers: [CIMTransformer]
    public var loads: [CIMLoad]

    /// Builds the view from parsed objects (ids resolve references; order follows the document).
    /// `file` names the document in errors: an index (phase-matrix row or column, winding end number)
    /// that is not a whole number in 0...`maximumIndex` is an error at its object's line.
    public init(objects: [CIMObject], file: String = "<CIM>") throws(XMLInputError) {
        var byID: [String: CIMObject] = [:]
        for object in objects { byID[object.id] = object }
        busNames = objects.filter { $0.className == "ConnectivityNode" }.compactMap(\.name)
        lines = try objects.filter { $0.className == "ACLineSegment" }.map { segment throws(XMLInputError) in
            var impedance: CIMLineImpedance?
            if let reference = segment.value("ACLineSegment.PerLengthImpedance")?.reference, let data = byID[reference] {
                impedance = try Self.impedance(data, objects: objects, file: file)
            }
            return CIMLineSegment(name: segment.name ?? segment.id, lengthMeters: segment.number("Conductor.length") ?? 0,
                                  impedance: impedance)
        }
        transformers = try Self.transformers(objects, byID: byID, file: file)
        loads = objects.filter { $0.className == "EnergyConsumer" }.map {
            CIMLoad(name: $0.name ?? $0.id, kilowatts: ($0.number("EnergyConsumer.p") ?? 0) / 1000,
                    kilovars: ($0.number("EnergyConsumer.q") ?? 0) / 1000)
        }
    }

    /// Reads a CIM100 file and builds its network view.
    public init(path: String) throws(XMLInputError) {
        try self.init(objects: try CIMReader.read(path: path), file: path)
    }

    /// The largest index (phase-matrix row or column, winding end number) a document may give.
    public static let maximumIndex = 1000

    /// A whole-number index property, 0 when absent, checked before it becomes an `Int`.
    static func index(_ object: CIMObject, _ name: String, file: String) throws(XMLInputError) -> Int {
        guard let value = object.number(name) else { return 0 }
        guard value.rounded() == value, value >= 0, value <= Double(maximumIndex) else {
            throw XMLInputError(file: file, line: object.line, column: 0, message:
                "\(object.className) \"\(object.id)\": \(name) = \(object.value(name)?.text ?? "") is not a whole number in 0...\(maximumIndex)")
        }
        return Int(value)
    }

    private static func impedance(_ object: CIMObject, objects: [CIMObject], file: String) throws(XMLInputError) -> CIMLineImpedance? {
        switch object.className {
        case "PerLengthSequenceImpedance":
            return .sequence(r1OhmsPerMeter: object.number("PerLengthSequenceImpedance.r") ?? 0,
                             x1OhmsPerMeter: object.number("PerLengthSequenceImpedance.x") ?? 0,
                             r0OhmsPerMeter: object.number("PerLengthSequenceImpedance.r0") ?? 0,
                             x0OhmsPerMeter: object.number("PerLengthSequenceImpedance.x0") ?? 0)
        case "PerLengthPhaseImpedance":
            let entries = try objects.filter {
                $0.className == "PhaseImpedanceData" && $0.value("PhaseImpedanceData.PhaseImpedance")?.reference == object.id
            }.map { data throws(XMLInputError) in
                (row: try index(data, "PhaseImpedanceData.row", file: file), column: try index(data, "PhaseImpedanceData.column", file: file),
                 rOhmsPerMeter: data.number("PhaseImpedanceData.r") ?? 0, xOhmsPerMeter: data.number("PhaseImpedanceData.x") ?? 0)
            }
            return .phase(entries: entries)
        default:
            return nil
        }
    }

    private static func transformers(_ objects: [CIMObject], byID: [String: CIMObject], file: String) throws(XMLInputError) -> [CIMTransformer] {
        var result: [CIMTransformer] = []
        for transformer in objects where transformer.className == "PowerTransformer" {
            let ends = try objects.filter {
                $0.className == "PowerTransformerEnd" && $0.value("PowerTransformerEnd.PowerTransformer")?.reference == transformer.id
            }.map { end throws(XMLInputError) in
                CIMTransformerEnd(endNumber: try index(end, "TransformerEnd.endNumber", file: file),
                                  ratedKVA: (end.number("PowerTransformerEnd.ratedS") ?? 0) / 1000,
                                  ratedKV: (end.number("PowerTransformerEnd.ratedU") ?? 0) / 1000)
            }
            if !ends.isEmpty { result.append(CIMTransformer(name: transformer.name ?? transformer.id, ends: ends)) }
        }
        // Single-phase tanks (e.g. regulators) carry their ratings in TransformerEndInfo.
        for tank in objects where tank.className == "TransformerTank" {
            guard let info = tank.value("TransformerTank.TransformerTankInfo")?.reference ?? tank.value("PowerSystemResource.AssetDatasheet")?.reference
            else { continue }
            let ends = try objects.filter {
                $0.className == "TransformerEndInfo" && $0.value("TransformerEndInfo.TransformerTankInfo")?.reference == info
            }.map { end throws(XMLInputError) in
                CIMTransformerEnd(endNumber: try index(end, "TransformerEndInfo.endNumber", file: file),
                                  ratedKVA: (end.number("TransformerEndInfo.ratedS") ?? 0) / 1000,
                                  ratedKV: (end.number("TransformerEndInfo.ratedU") ?? 0) / 1000)
            }
            if !ends.isEmpty { result.append(CIMTransformer(name: tank.name ?? tank.id, ends: ends)) }
        }
        return result
    }
}
