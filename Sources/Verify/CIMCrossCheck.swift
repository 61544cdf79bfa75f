// Owns cross-checking an imported OpenDSS model against OpenDSS's own CIM100 export of it: bus
// count, line impedances (sequence form), transformer ratings and load P/Q. A disagreement means
// our importer read a property differently from OpenDSS.
import Feeder

public enum CIMCrossCheck {
    /// Relative tolerance: the export prints about 8 significant digits.
    public static let relativeTolerance = 1e-6

    /// Compares `model` with `network`; one check per quantity.
    /// A check that compared nothing fails: an export with no lines, transformers or loads cannot
    /// confirm the import.
    public static func compare(model: FeederModel, network: CIMNetwork) -> [VerificationCheck] {
        var checks = [busCheck(model, network), lineCheck(model, network), transformerCheck(model, network), loadCheck(model, network)]
        if network.lines.isEmpty && network.transformers.isEmpty && network.loads.isEmpty {
            checks.append(VerificationCheck(name: "CIM content", passed: false,
                                            summary: "the export has no lines, transformers or loads: nothing was compared", details: []))
        }
        return checks
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

    /// A line's series impedance per metre as the importer holds it: the phase matrices
    /// (row-major, `order`²) of its line code or its own data, or — for one given by sequence values —
    /// the matrix those values stand for (self (2Z1+Z0)/3, mutual (Z0−Z1)/3). Nil without a length unit.
    static func phaseMatrixPerMeter(_ line: Line, _ model: FeederModel) -> (order: Int, r: [Double], x: [Double])? {
        let code = line.lineCode.flatMap { model.lineCode(named: $0) }
        // Without a length unit anywhere OpenDSS's export writes the numbers as they are (per metre).
        let metres = (code?.units.metres ?? line.units.metres) ?? 1
        let order = line.phases
        if let rm = code?.rMatrix ?? (code == nil ? line.rMatrix : nil), let xm = code?.xMatrix ?? (code == nil ? line.xMatrix : nil) {
            let n = Int(Double(rm.count).squareRoot())
            guard n * n == rm.count, xm.count == rm.count else { return nil }
            return (n, rm.map { $0 / metres }, xm.map { $0 / metres })
        }
        let (r1, x1, r0, x0) = code.map { ($0.r1, $0.x1, $0.r0, $0.x0) } ?? (line.r1, line.x1, line.r0, line.x0)
        let selfR = (2 * r1 + r0) / 3 / metres, selfX = (2 * x1 + x0) / 3 / metres
        let mutualR = (r0 - r1) / 3 / metres, mutualX = (x0 - x1) / 3 / metres
        let entries = (0..<order * order).map { $0 / order == $0 % order }
        return (order, entries.map { $0 ? selfR : mutualR }, entries.map { $0 ? selfX : mutualX })
    }

    /// Ω per metre of a line's sequence impedances as the importer holds them (nil for matrices).
    static func sequencePerMeter(_ line: Line, _ model: FeederModel) -> (r1: Double, x1: Double, r0: Double, x0: Double)? {
        if let name = line.lineCode, let code = model.lineCode(named: name) {
            guard code.rMatrix == nil, let metres = code.units.metres ?? line.units.metres else { return nil }
            return (code.r1 / metres, code.x1 / metres, code.r0 / metres, code.x0 / metres)
        }
        guard line.rMatrix == nil, let metres = line.units.metres else { return nil }
        return (line.r1 / metres, line.x1 / metres, line.r0 / metres, line.x0 / metres)
    }

    /// Lines compared by length and series impedance, in whichever form the export gives (sequence
    /// values, or the phase matrix's lower triangle). Fails when a line differs or is missing, and
    /// when the export has lines but none could be compared. Lines the export gives no impedance for
    /// (wire and spacing data) and unitless lines with their own impedance (whose per-metre scale the
    /// export does not define) are listed as not comparable.
    static func lineCheck(_ model: FeederModel, _ network: CIMNetwork) -> VerificationCheck {
        var compared = 0, sequence = 0, phase = 0
        var differences: [String] = [], notComparable: [String] = []
        for segment in network.lines {
            guard let line = model.lines.first(where: { $0.name.lowercased() == segment.name.lowercased() }) else {
                differences.append("line \(segment.name) is in the CIM export but was not imported")
                continue
            }
            if line.lineCode == nil, line.units.metres == nil, segment.impedance != nil {
                notComparable.append("line \(segment.name): own impedance without a length unit, not comparable")
                continue
            }
            switch segment.impedance {
            case .sequence(let r1, let x1, let r0, let x0)?:
                guard let ours = sequencePerMeter(line, model) else {
                    differences.append("line \(segment.name): the export gives sequence impedances, the import a phase matrix")
                    continue
                }
                sequence += 1
                for (label, a, b) in [("r1", ours.r1, r1), ("x1", ours.x1, x1), ("r0", ours.r0, r0), ("x0", ours.x0, x0)] where !close(a, b) {
                    differences.append("line \(segment.name): \(label) \(a) Ω/m vs \(b) Ω/m")
                }
            case .phase(let entries)?:
                guard let ours = phaseMatrixPerMeter(line, model), !entries.isEmpty else {
                    differences.append("line \(segment.name): empty or malformed phase matrix")
                    continue
                }
                phase += 1
                differences += phaseDifferences(segment.name, ours: ours, exported: entries)
            case nil:
                notComparable.append("line \(segment.name): the export gives no impedance (wire data), not comparable")
                continue
            }
            compared += 1
            let lengthMetres = line.length * (line.units.metres ?? 1)
            if !close(lengthMetres, segment.lengthMeters) { differences.append("line \(segment.name): length \(lengthMetres) m vs \(segment.lengthMeters) m") }
        }
        let nothing = compared == 0 && !network.lines.isEmpty
        let details = differences + notComparable
        var summary = nothing ? "none of the export's \(network.lines.count) lines could be compared"
            : "\(compared) of \(network.lines.count) lines compared (\(sequence) by sequence impedances, "
            + "\(phase) by phase matrix, and length; relative tolerance \(relativeTolerance))"
        if !notComparable.isEmpty { summary += "; \(notComparable.count) not comparable" }
        return VerificationCheck(name: "CIM line impedances", passed: differences.isEmpty && !nothing, summary: summary,
                                 details: Array(details.prefix(20)), detailsTotal: details.count)
    }

    /// The entries of the export's phase matrix (1-based, lower triangle) that differ from ours.
    static func phaseDifferences(_ name: String, ours: (order: Int, r: [Double], x: [Double]),
                                 exported: [(row: Int, column: Int, rOhmsPerMeter: Double, xOhmsPerMeter: Double)]) -> [String] {
        var differences: [String] = []
        for entry in exported {
            guard (1...ours.order).contains(entry.row), (1...ours.order).contains(entry.column) else {
                differences.append("line \(name): the export's entry (\(entry.row),\(entry.column)) is outside the imported \(ours.order)×\(ours.order) matrix")
                continue
            }
            let index = (entry.row - 1) * ours.order + (entry.column - 1)
            // Tolerance relative to the matrix's largest self term: off-diagonal terms can be ~0.
            let scale = max(abs(ours.r[index]), abs(entry.rOhmsPerMeter), abs(ours.x[index]), abs(entry.xOhmsPerMeter),
                            ours.x.max() ?? 0, 1e-12)
            for (label, a, b) in [("r", ours.r[index], entry.rOhmsPerMeter), ("x", ours.x[index], entry.xOhmsPerMeter)]
            where abs(a - b) > relativeTolerance * scale {
                differences.append("line \(name): \(label)(\(entry.row),\(entry.column)) \(a) Ω/m vs \(b) Ω/m")
            }
        }
        return differences
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
        return VerificationCheck(name: "CIM transformer ratings", passed: details.isEmpty && !(network.transformers.isEmpty && !model.transformers.isEmpty),
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
        return VerificationCheck(name: "CIM load P/Q", passed: details.isEmpty && !(network.loads.isEmpty && !model.loads.isEmpty),
                                 summary: "\(network.loads.count) loads compared (nominal kW and kvar)", details: Array(details.prefix(20)))
    }
}
