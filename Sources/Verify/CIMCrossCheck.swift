// Owns cross-checking an imported OpenDSS model against OpenDSS's own CIM100 export of it: bus
// count, line impedances (sequence form), transformer ratings and load P/Q. A disagreement means
// our importer read a property differently from OpenDSS.
import Feeder

public enum CIMCrossCheck {
    /// Relative tolerance: the export prints about 8 significant digits.
    public static let relativeTolerance = 1e-6

    /// Compares `model` with `network`; one check per quantity.
    public static func compare(model: FeederModel, network: CIMNetwork) -> [VerificationCheck] {
        [busCheck(model, network), lineCheck(model, network), transformerCheck(model, network), loadCheck(model, network)]
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= relativeTolerance * max(abs(a), abs(b), 1e-12)
    }

    static func busCheck(_ model: FeederModel, _ network: CIMNetwork) -> VerificationCheck {
        var names: [String] = model.vsources.map(\.bus1.name) + model.lines.flatMap { [$0.bus1.name, $0.bus2.name] }
        names += model.transformers.flatMap { $0.windings.map(\.bus.name) }
        names += model.loads.map(\.bus1.name) + model.generators.map(\.bus1.name) + model.pvSystems.map(\.bus1.name)
        names += model.capacitors.map(\.bus1.name)
        let ours = Set(names.map { $0.lowercased() }).count
        let theirs = Set(network.busNames.map { $0.lowercased() }).count
        return VerificationCheck(name: "CIM bus count", passed: ours == theirs,
                                 summary: "\(ours) buses imported, \(theirs) in the CIM export", details: [])
    }

    /// Ω per metre of a line's sequence impedances as the importer holds them.
    static func sequencePerMeter(_ line: Line, _ model: FeederModel) -> (r1: Double, x1: Double, r0: Double, x0: Double)? {
        if let name = line.lineCode, let code = model.lineCode(named: name) {
            guard code.rMatrix == nil, let metres = code.units.metres ?? line.units.metres else { return nil }
            return (code.r1 / metres, code.x1 / metres, code.r0 / metres, code.x0 / metres)
        }
        guard line.rMatrix == nil, let metres = line.units.metres else { return nil }
        return (line.r1 / metres, line.x1 / metres, line.r0 / metres, line.x0 / metres)
    }

    static func lineCheck(_ model: FeederModel, _ network: CIMNetwork) -> VerificationCheck {
        var compared = 0, skipped = 0
        var details: [String] = []
        for segment in network.lines {
            guard let line = model.lines.first(where: { $0.name.lowercased() == segment.name.lowercased() }) else {
                details.append("line \(segment.name) is in the CIM export but was not imported")
                continue
            }
            guard case .sequence(let r1, let x1, let r0, let x0)? = segment.impedance, let ours = sequencePerMeter(line, model) else {
                skipped += 1
                continue
            }
            compared += 1
            let lengthMetres = line.length * (line.units.metres ?? 1)
            if !close(lengthMetres, segment.lengthMeters) { details.append("line \(segment.name): length \(lengthMetres) m vs \(segment.lengthMeters) m") }
            for (label, a, b) in [("r1", ours.r1, r1), ("x1", ours.x1, x1), ("r0", ours.r0, r0), ("x0", ours.x0, x0)] where !close(a, b) {
                details.append("line \(segment.name): \(label) \(a) Ω/m vs \(b) Ω/m")
            }
        }
        return VerificationCheck(name: "CIM line impedances", passed: details.isEmpty,
                                 summary: "\(compared) lines compared (sequence impedances and length, relative tolerance \(relativeTolerance)); \(skipped) with phase matrices not compared",
                                 details: Array(details.prefix(20)))
    }

    static func transformerCheck(_ model: FeederModel, _ network: CIMNetwork) -> VerificationCheck {
        var details: [String] = []
        for transformer in network.transformers {
            guard let ours = model.transformers.first(where: { $0.name.lowercased() == transformer.name.lowercased() }) else {
                details.append("transformer \(transformer.name) is in the CIM export but was not imported")
                continue
            }
            for end in transformer.ends where end.endNumber >= 1 && end.endNumber <= ours.windings.count {
                let winding = ours.windings[end.endNumber - 1]
                if !close(winding.kilovoltAmperes, end.ratedKVA) { details.append("\(transformer.name) winding \(end.endNumber): \(winding.kilovoltAmperes) kVA vs \(end.ratedKVA) kVA") }
                if !close(winding.kilovolts, end.ratedKV) { details.append("\(transformer.name) winding \(end.endNumber): \(winding.kilovolts) kV vs \(end.ratedKV) kV") }
            }
        }
        return VerificationCheck(name: "CIM transformer ratings", passed: details.isEmpty,
                                 summary: "\(network.transformers.count) transformers compared (kVA and kV per winding)", details: details)
    }

    static func loadCheck(_ model: FeederModel, _ network: CIMNetwork) -> VerificationCheck {
        var details: [String] = []
        for load in network.loads {
            guard let ours = model.loads.first(where: { $0.name.lowercased() == load.name.lowercased() }) else {
                details.append("load \(load.name) is in the CIM export but was not imported")
                continue
            }
            if !close(ours.kilowatts, load.kilowatts) { details.append("load \(load.name): \(ours.kilowatts) kW vs \(load.kilowatts) kW") }
            if !close(ours.nominalKilovars, load.kilovars) { details.append("load \(load.name): \(ours.nominalKilovars) kvar vs \(load.kilovars) kvar") }
        }
        return VerificationCheck(name: "CIM load P/Q", passed: details.isEmpty,
                                 summary: "\(network.loads.count) loads compared (nominal kW and kvar)", details: Array(details.prefix(20)))
    }
}
