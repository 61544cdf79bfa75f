// Owns the step after reading a script that turns lines defined by conductor geometry
// (`geometry=`, or `spacing=` with `wires=`/`cncables=`/`tscables=`) into phase matrices on the Line
// (ohms and nF per the line's length unit), so that the power flow treats them like matrix lines.
import ComplexModule
import RealModule

/// The conductors of one line in SI units, and how to reduce them.
struct LineConstruction {
    var conductors: [ConductorInSI]
    var phaseCount: Int
    var reduce: Bool
    var earthResistivityOhmMetres: Double
}

extension FeederModel {
    /// Computes the phase matrices of every line that names a geometry or a spacing, at the
    /// circuit's base frequency, and stores them on the line (`rMatrix`, `xMatrix`, `cMatrix` per
    /// the line's length unit; `phases`; `usesOwnImpedance`).
    ///
    /// Earth model: a line's own `earthmodel=`, else `options.earthModel`. Two OpenDSS behaviours
    /// are reproduced so that results agree with it: a geometry's matrices are computed once, with
    /// the earth model of the first line (in creation order) that uses it; and a spacing line
    /// without a `rho` other than 100 is computed with the engine's "active" earth model, i.e. the
    /// model of the previous geometry or spacing line, or Deri for the first one.
    ///
    /// Throws when a line names an unknown geometry, spacing or conductor, or when the data cannot
    /// give an impedance (missing wire, fewer conductors than phases, overlapping conductors).
    public mutating func resolveLineConstants() throws {
        let frequency = baseFrequencyHertz
        guard frequency.isFinite, frequency > 0 else { throw FeederError.invalidModel("base frequency \(frequency) Hz") }
        let geometryResistivities = geometryEarthResistivities()
        var geometryResults = [LineConstantsResult?](repeating: nil, count: lineGeometries.count)
        var activeEarthModel = EarthModel.openDSSDefault
        for index in lines.indices where lines[index].geometry != nil || lines[index].spacing != nil {
            let line = lines[index]
            let element = line.scriptLocation.map { "\($0): Line.\(line.name)" } ?? "Line.\(line.name)"
            let lineEarthModel = line.earthModel ?? options.earthModel
            let computed: LineConstantsResult
            if let geometryName = line.geometry {
                guard let g = lineGeometries.firstIndex(where: { $0.name == geometryName }) else {
                    throw FeederError.unresolvedReference(element: element, reference: "geometry=\(geometryName)",
                                                          reason: "no such LineGeometry")
                }
                if let cached = geometryResults[g] {
                    computed = cached
                } else {
                    let construction = try geometryConstruction(lineGeometries[g], element: element,
                                                                earthResistivityOhmMetres: geometryResistivities[g])
                    computed = try compute(construction, earthModel: lineEarthModel, element: element, frequencyHertz: frequency)
                    geometryResults[g] = computed
                }
            } else if let spacingName = line.spacing {
                let construction = try spacingConstruction(of: line, spacingName: spacingName, element: element)
                let rhoChanged = (line.earthResistivityOhmMetres ?? 100) != 100
                computed = try compute(construction, earthModel: rhoChanged ? lineEarthModel : activeEarthModel,
                                       element: element, frequencyHertz: frequency)
            } else {
                continue
            }
            if line.enabled { activeEarthModel = lineEarthModel }
            try Self.store(computed, on: &lines[index], element: element, frequencyHertz: frequency)
        }
    }

    /// The matrices of one construction, reduced to its phases when asked.
    private func compute(_ construction: LineConstruction, earthModel: EarthModel, element: String,
                         frequencyHertz: Double) throws -> LineConstantsResult {
        try validate(construction, earthModel: earthModel, element: element)
        let calculator = LineConstantsCalculator(
            conductors: construction.conductors, phaseCount: construction.phaseCount,
            earthModel: earthModel, frequencyHertz: frequencyHertz,
            earthResistivityOhmMetres: construction.earthResistivityOhmMetres)
        return construction.reduce ? calculator.computeReduced() : calculator.compute()
    }

    /// The earth resistivity each geometry ends up with: OpenDSS writes a line's `rho` into the
    /// (shared) geometry, so the last line that gives one wins; 100 ohm-m otherwise.
    func geometryEarthResistivities() -> [Double] {
        lineGeometries.map { geometry in
            lines.last { $0.geometry == geometry.name && $0.earthResistivityOhmMetres != nil }?
                .earthResistivityOhmMetres ?? 100
        }
    }

    /// Stores one line's matrices, converted from per metre to per line length unit.
    private static func store(_ result: LineConstantsResult, on line: inout Line, element: String,
                       frequencyHertz: Double) throws {
        let phases = result.seriesImpedanceOhmsPerMetre.order
        if let requested = line.phasesAfterConstruction, requested != phases {
            throw FeederError.invalidModel("\(element): phases=\(requested) differs from its construction's \(phases)")
        }
        // Per metre to per line unit; a line without units takes its length in metres (as OpenDSS).
        let metresPerUnit = line.units.metres ?? 1
        let z = result.seriesImpedanceOhmsPerMetre.scaled(by: metresPerUnit)
        let y = result.shuntAdmittanceSiemensPerMetre.scaled(by: metresPerUnit)
        // PowerFlow scales X by (solution frequency / line base frequency); undo that for these
        // matrices, which are computed at the solution (circuit base) frequency itself.
        let reactanceScale = line.baseFrequencyHertz == frequencyHertz ? 1 : line.baseFrequencyHertz / frequencyHertz
        let omega = 2 * Double.pi * frequencyHertz
        let resistance = z.entries.map(\.real)
        let reactance = z.entries.map { $0.imaginary * reactanceScale }
        let capacitanceNanofarads = y.entries.map { $0.imaginary / omega * 1e9 }
        guard (resistance + reactance + capacitanceNanofarads).allSatisfy(\.isFinite) else {
            throw FeederError.invalidModel("\(element): line constants are not finite (check the conductor data)")
        }
        line.phases = phases
        line.rMatrix = resistance
        line.xMatrix = reactance
        line.cMatrix = capacitanceNanofarads
        line.usesOwnImpedance = true
        line.lineCode = nil
        line.phasesOverrideCode = false
    }

    /// Conductors of a LineGeometry, converted to SI.
    func geometryConstruction(_ geometry: LineGeometry, element: String,
                              earthResistivityOhmMetres: Double) throws -> LineConstruction {
        let owner = geometry.scriptLocation.map { "\($0): LineGeometry.\(geometry.name)" } ?? "LineGeometry.\(geometry.name)"
        guard !geometry.conductors.isEmpty else { throw FeederError.invalidModel("\(owner) (used by \(element)) has no conductors (nconds)") }
        var spacingRecord: LineSpacing?
        if let spacingName = geometry.spacing {
            guard let found = lineSpacings.first(where: { $0.name == spacingName }) else {
                throw FeederError.unresolvedReference(element: owner, reference: "spacing=\(spacingName)", reason: "no such LineSpacing")
            }
            guard found.conductorCount == geometry.conductors.count else {
                throw FeederError.invalidModel("\(owner): LineSpacing.\(spacingName) has \(found.conductorCount) conductors, the geometry \(geometry.conductors.count)")
            }
            spacingRecord = found
        }
        var conductors: [ConductorInSI] = []
        for (i, position) in geometry.conductors.enumerated() {
            guard let reference = position.conductor else {
                throw FeederError.invalidModel("\(owner) (used by \(element)): conductor \(i + 1) has no wire, cncable or tscable")
            }
            let units = position.units ?? spacingRecord?.units
            let x = position.x ?? spacingRecord?.x[i] ?? 0
            let height = position.height ?? spacingRecord?.height[i] ?? 0
            conductors.append(try conductorInSI(reference, x: x, height: height, metresPerUnit: units?.metres ?? 1,
                                                isPhase: i < geometry.phaseCount, owner: owner))
        }
        return LineConstruction(conductors: conductors, phaseCount: geometry.phaseCount, reduce: geometry.reduce,
                                earthResistivityOhmMetres: earthResistivityOhmMetres)
    }

    /// Conductors of a line's LineSpacing with its wires or cables; neutrals beyond the phases are
    /// always reduced (OpenDSS sets reduce when the spacing has more wires than phases).
    func spacingConstruction(of line: Line, spacingName: String, element: String) throws -> LineConstruction {
        guard let spacing = lineSpacings.first(where: { $0.name == spacingName }) else {
            throw FeederError.unresolvedReference(element: element, reference: "spacing=\(spacingName)", reason: "no such LineSpacing")
        }
        var references = line.spacingCables
        let wireStart = references.isEmpty ? 0 : spacing.phaseCount
        guard references.count <= spacing.phaseCount,
              line.spacingWires.count == spacing.conductorCount - wireStart,
              references.isEmpty || references.count == spacing.phaseCount else {
            throw FeederError.invalidModel("\(element): LineSpacing.\(spacingName) has \(spacing.conductorCount) conductors (\(spacing.phaseCount) phases); got \(references.count) cables and \(line.spacingWires.count) wires")
        }
        references += line.spacingWires.map { ConductorReference(kind: .wire, name: $0) }
        let metresPerUnit = spacing.units.metres ?? 1
        var conductors: [ConductorInSI] = []
        for (i, reference) in references.enumerated() {
            conductors.append(try conductorInSI(reference, x: spacing.x[i], height: spacing.height[i], metresPerUnit: metresPerUnit,
                                                isPhase: i < spacing.phaseCount, owner: element))
        }
        return LineConstruction(conductors: conductors, phaseCount: spacing.phaseCount,
                                reduce: spacing.conductorCount > spacing.phaseCount,
                                earthResistivityOhmMetres: line.earthResistivityOhmMetres ?? 100)
    }
}
