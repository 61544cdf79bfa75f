// Owns the conversion of conductor records to SI units (every unit conversion OpenDSS applies:
// radius, GMR and resistance units of the wire, position units of the geometry) and the checks
// that the resulting arrangement can be computed.

extension FeederModel {
    /// The named conductor record at a position, in SI units. A cable's shield counts only at a
    /// phase position (elsewhere OpenDSS uses just its core).
    func conductorInSI(_ reference: ConductorReference, x: Double, height: Double, metresPerUnit: Double,
                       isPhase: Bool, owner: String) throws -> ConductorInSI {
        let description = "\(reference.kind.className).\(reference.name)"
        let unresolved = FeederError.unresolvedReference(element: owner, reference: "\(reference.kind.rawValue)=\(reference.name)",
                                                         reason: "no such \(reference.kind.className)")
        var shield: CableShieldInSI?
        let properties: ConductorProperties
        switch reference.kind {
        case .wire:
            guard let wire = wireData.first(where: { $0.name == reference.name }) else { throw unresolved }
            properties = wire.conductor
        case .concentricNeutral:
            guard let cable = cnData.first(where: { $0.name == reference.name }) else { throw unresolved }
            properties = cable.conductor
            if isPhase { shield = try Self.concentricNeutralInSI(cable, description: description) }
        case .tapeShield:
            guard let cable = tsData.first(where: { $0.name == reference.name }) else { throw unresolved }
            properties = cable.conductor
            if isPhase { shield = try Self.tapeShieldInSI(cable, description: description) }
        }
        guard properties.radius > 0, properties.gmr > 0 else {
            throw FeederError.invalidModel("\(description) (used by \(owner)) has no GMRac, radius or diam")
        }
        guard properties.acResistance >= 0, properties.dcResistance >= 0 else {
            throw FeederError.invalidModel("\(description) (used by \(owner)) has no Rac or Rdc")
        }
        let radiusMetres = properties.radiusUnits.metres ?? 1
        let perMetre = 1 / (properties.resistanceUnits.metres ?? 1)
        return ConductorInSI(
            xMetres: x * metresPerUnit, heightMetres: height * metresPerUnit,
            radiusMetres: properties.radius * radiusMetres,
            capacitanceRadiusMetres: properties.capacitanceRadius * radiusMetres,
            gmrMetres: properties.gmr * (properties.gmrUnits.metres ?? 1),
            dcResistanceOhmsPerMetre: properties.dcResistance * perMetre,
            acResistanceOhmsPerMetre: properties.acResistance * perMetre,
            shield: shield)
    }

    static func insulationInSI(_ insulation: CableInsulation, metres: Double, description: String) throws -> CableInsulationInSI {
        guard insulation.insulationThickness > 0, insulation.diameterOverInsulation > 0, insulation.diameterOverCable > 0 else {
            throw FeederError.invalidModel("\(description) needs InsLayer, DiaIns and DiaCable")
        }
        guard insulation.diameterOverInsulation / 2 > insulation.insulationThickness else {
            throw FeederError.invalidModel("\(description): InsLayer must be less than DiaIns/2")
        }
        return CableInsulationInSI(relativePermittivity: insulation.relativePermittivity,
                                   thicknessMetres: insulation.insulationThickness * metres,
                                   diameterOverInsulationMetres: insulation.diameterOverInsulation * metres,
                                   diameterOverCableMetres: insulation.diameterOverCable * metres)
    }

    static func concentricNeutralInSI(_ cable: CNData, description: String) throws -> CableShieldInSI {
        let metres = cable.conductor.radiusUnits.metres ?? 1
        let insulation = try insulationInSI(cable.insulation, metres: metres, description: description)
        guard cable.strandDiameter > 0, cable.strandGMR > 0, cable.strandResistance >= 0 else {
            throw FeederError.invalidModel("\(description) needs DiaStrand, GmrStrand and Rstrand")
        }
        guard cable.insulation.diameterOverCable > cable.strandDiameter else {
            throw FeederError.invalidModel("\(description): DiaCable must exceed DiaStrand")
        }
        let neutral = ConcentricNeutralInSI(
            strandCount: cable.strandCount, strandDiameterMetres: cable.strandDiameter * metres,
            strandGMRMetres: cable.strandGMR * (cable.conductor.gmrUnits.metres ?? 1),
            strandResistanceOhmsPerMetre: cable.strandResistance * (1 / (cable.conductor.resistanceUnits.metres ?? 1)))
        return .concentricNeutral(insulation, neutral)
    }

    static func tapeShieldInSI(_ cable: TSData, description: String) throws -> CableShieldInSI {
        let metres = cable.conductor.radiusUnits.metres ?? 1
        let insulation = try insulationInSI(cable.insulation, metres: metres, description: description)
        guard cable.shieldDiameter > 0, cable.tapeThickness > 0, cable.shieldDiameter > cable.tapeThickness else {
            throw FeederError.invalidModel("\(description) needs DiaShield greater than TapeLayer (both positive)")
        }
        let tape = TapeShieldInSI(shieldDiameterMetres: cable.shieldDiameter * metres,
                                  tapeThicknessMetres: cable.tapeThickness * metres, tapeLapPercent: cable.tapeLapPercent)
        return .tapeShield(insulation, tape)
    }

    /// Checks that the arrangement can be computed: enough conductors, phases all wires or all
    /// cables of one kind, positive heights for overhead wires, no overlapping conductors, and a
    /// DC resistance where Deri's skin-effect term divides by it.
    func validate(_ construction: LineConstruction, earthModel: EarthModel, element: String) throws {
        let conductors = construction.conductors
        guard construction.phaseCount >= 1 else { throw FeederError.invalidModel("\(element): nphases must be at least 1") }
        guard conductors.count >= construction.phaseCount else {
            throw FeederError.invalidModel("\(element): nconds \(conductors.count) is less than nphases \(construction.phaseCount)")
        }
        let phases = conductors.prefix(construction.phaseCount)
        let cableKinds = phases.map { shieldKind($0.shield) }
        guard cableKinds.allSatisfy({ $0 == cableKinds[0] }) else {
            throw FeederError.invalidModel("\(element): the phase conductors must be all wires, all CN cables or all TS cables")
        }
        for (i, c) in conductors.enumerated() {
            if cableKinds[0] == 0 && c.heightMetres <= 0 {
                throw FeederError.invalidModel("\(element): conductor \(i + 1) height must be > 0")
            }
            for j in (i + 1)..<max(conductors.count, i + 1) {
                let dx = c.xMetres - conductors[j].xMetres, dy = c.heightMetres - conductors[j].heightMetres
                if (dx * dx + dy * dy).squareRoot() < c.radiusMetres + conductors[j].radiusMetres {
                    throw FeederError.invalidModel("\(element): conductors \(i + 1) and \(j + 1) occupy the same space")
                }
            }
        }
        if earthModel == .deri, let i = conductors.firstIndex(where: { $0.dcResistanceOhmsPerMetre <= 0 }) {
            // Deri's skin-effect term divides by the DC resistance.
            throw FeederError.invalidModel("\(element): conductor \(i + 1) needs a positive Rdc or Rac for the Deri earth model")
        }
    }

    private func shieldKind(_ shield: CableShieldInSI?) -> Int {
        switch shield {
        case nil: return 0
        case .concentricNeutral?: return 1
        case .tapeShield?: return 2
        }
    }
}
