// Owns explaining a failed `golden compare` whose two sides were solved at different convergence
// tolerances: the results folder's tolerance (solve.json, written by `solve --export`) against the
// golden's (its metrics.json, or the "(tolerance X" of its section in the RUN.md beside it), and the
// option that fixes it.
import Foundation

/// The two tolerances of a comparison and, when the results were solved more loosely, what to do.
public struct ToleranceMismatch: Sendable, Equatable {
    /// The results' tolerance (pu voltage change); nil when the folder does not say.
    public var resultsTolerance: Double?
    public var goldenTolerance: Double
    /// One sentence naming the tolerances and `solve --tolerance`.
    public var hint: String
}

extension GoldenCompare {
    /// The file `solve --export` writes beside its results with the settings it solved with.
    public static let solveSettingsFile = "solve.json"

    /// A mismatch worth explaining: the golden states its tolerance, and the results were solved at
    /// a looser one or do not say. Nil when the tolerances agree or the golden does not state one.
    public static func toleranceMismatch(results: String, golden: String) -> ToleranceMismatch? {
        guard let goldenTolerance = goldenTolerance(folder: golden) else { return nil }
        let settings = (results as NSString).appendingPathComponent(solveSettingsFile)
        let resultsTolerance = (try? flatten(path: settings))?["tolerance"]
        if let resultsTolerance, resultsTolerance <= goldenTolerance { return nil }
        let fix = "re-solve with `gridtrace solve FEEDER --tolerance \(goldenTolerance) --export \(results)`"
        let hint = resultsTolerance.map {
            "the results were solved at tolerance \($0) and the golden at \(goldenTolerance): differences of that size "
                + "are the solver stopping early, not a modelling error; \(fix)"
        } ?? "the results folder does not say at what tolerance it was solved (no \(solveSettingsFile)); the golden was "
            + "solved at \(goldenTolerance) (`solve`'s default is the script's, usually 1e-4); \(fix)"
        return ToleranceMismatch(resultsTolerance: resultsTolerance, goldenTolerance: goldenTolerance, hint: hint)
    }

    /// The golden's tolerance: `tolerance` in its metrics.json, else the number after "(tolerance"
    /// in the heading of its section ("## snapshot/ (tolerance 1e-10, …") of the RUN.md beside it.
    static func goldenTolerance(folder: String) -> Double? {
        let metrics = (folder as NSString).appendingPathComponent("metrics.json")
        if FileManager.default.fileExists(atPath: metrics), let value = (try? flatten(path: metrics))?["tolerance"] { return value }
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        let runNotes = url.deletingLastPathComponent().appendingPathComponent("RUN.md")
        guard let text = try? String(contentsOf: runNotes, encoding: .utf8) else { return nil }
        let heading = "## " + url.lastPathComponent + "/"
        for line in text.split(separator: "\n") where line.hasPrefix(heading) {
            guard let start = line.range(of: "(tolerance ") else { continue }
            let number = line[start.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "-" || $0 == "+" }
            if let value = Double(number), value.isFinite, value > 0 { return value }
        }
        return nil
    }
}
