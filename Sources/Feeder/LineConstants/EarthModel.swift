// Owns the earth-return model choice (`Set earthmodel=`, `Line.earthmodel=`) and its parser.

/// How the earth return path enters a conductor geometry's impedance matrix (OpenDSS's `earthmodel`).
public enum EarthModel: String, Sendable, Equatable, CaseIterable {
    /// Carson's equations reduced to their first terms (OpenDSS `Carson`).
    case carson
    /// Carson's series with the terms OpenDSS keeps (`FullCarson`, notation of Tleis).
    case fullCarson = "fullcarson"
    /// Deri's complex-depth approximation with a skin-effect internal impedance (`Deri`, OpenDSS's default).
    case deri

    /// OpenDSS's default earth model.
    public static let openDSSDefault = EarthModel.deri

    /// Parses an OpenDSS earth-model name: full name or unique prefix, any case.
    static func parse(_ r: ValueReader) throws -> EarthModel {
        let lower = r.text.trimmedBlanks.lowercased()
        guard !lower.isEmpty else { throw r.fail("expected Carson, FullCarson or Deri") }
        let matches = EarthModel.allCases.filter { $0.rawValue.hasPrefix(lower) }
        guard matches.count == 1, let model = matches.first else { throw r.fail("expected Carson, FullCarson or Deri") }
        return model
    }
}
