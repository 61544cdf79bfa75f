// Owns a line's current ratings as OpenDSS resolves them: given on the line, else its line code's,
// its geometry's (which defaults to the first conductor's wire), or its spacing's first wire's,
// else OpenDSS's line defaults of 400 A normal and 600 A emergency.

/// Normal and emergency current ratings in amperes.
public struct CurrentRatings: Sendable, Equatable {
    public var normalAmps: Double
    public var emergencyAmps: Double
}

extension Line {
    /// The ratings OpenDSS would use for this line in `model` (Export Powers' excess kVA).
    public func ratingsAmps(in model: FeederModel) -> CurrentRatings {
        var ratings = CurrentRatings(normalAmps: 400, emergencyAmps: 600)
        if let code = lineCode.flatMap({ model.lineCode(named: $0) }) {
            ratings = CurrentRatings(normalAmps: code.normalAmps, emergencyAmps: code.emergencyAmps)
        }
        if let name = geometry, let g = model.lineGeometries.first(where: { $0.name == name }) {
            ratings = g.ratingsAmps(in: model)
        } else if spacing != nil, let first = spacingWires.first, let wire = model.wireData.first(where: { $0.name == first }) {
            ratings = wire.conductor.currentRatings
        }
        if let normalAmps { ratings.normalAmps = normalAmps }
        if let emergencyAmps { ratings.emergencyAmps = emergencyAmps }
        return ratings
    }
}

extension LineGeometry {
    /// The geometry's ratings, defaulting to its first conductor's record (OpenDSS).
    public func ratingsAmps(in model: FeederModel) -> CurrentRatings {
        var ratings = CurrentRatings(normalAmps: normalAmps, emergencyAmps: emergencyAmps)
        if let first = conductors.first?.conductor {
            let conductor: ConductorProperties?
            switch first.kind {
            case .wire: conductor = model.wireData.first { $0.name == first.name }?.conductor
            case .concentricNeutral: conductor = model.cnData.first { $0.name == first.name }?.conductor
            case .tapeShield: conductor = model.tsData.first { $0.name == first.name }?.conductor
            }
            if let wire = conductor?.currentRatings {
                if ratings.normalAmps == 0 { ratings.normalAmps = wire.normalAmps }
                if ratings.emergencyAmps == 0 { ratings.emergencyAmps = wire.emergencyAmps }
            }
        }
        return ratings
    }
}

extension ConductorProperties {
    /// A conductor record's ratings (OpenDSS's defaults when neither was given: 400 A and 600 A).
    var currentRatings: CurrentRatings {
        if normalAmps < 0 && emergencyAmps < 0 { return CurrentRatings(normalAmps: 400, emergencyAmps: 600) }
        return CurrentRatings(normalAmps: max(0, normalAmps), emergencyAmps: max(0, emergencyAmps))
    }
}
