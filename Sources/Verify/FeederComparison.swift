// Owns saying whether the feeder a replay or an export used is the one the trace recorded: the
// feeder digests are compared, and for a substituted OpenDSS feeder (--feeder) the files that
// differ are named.
import CoSim
import Trace

enum FeederComparison {
    /// At most this many differing files are named in a note.
    static let namedFilesLimit = 6

    /// Nil when the recorded feeder was used unchanged; otherwise one line for the output.
    static func note(recorded header: TraceHeader, used feeder: PreparedFeeder, override: String?) -> String? {
        let recordedDigest = header.feederDigest
        let usedDigest = comparableDigest(feeder, formatVersion: header.formatVersion)
        let source = override.map { "--feeder \($0)" } ?? "the feeder used"
        if usedDigest == recordedDigest {
            return override.map { "--feeder \($0) is identical to the recorded feeder (digest \(recordedDigest.prefix(12))…)" }
        }
        var note = "the feeder differs from the recorded one: \(source) has digest \(usedDigest.prefix(12))…, "
            + "the trace recorded \(recordedDigest.prefix(12))…"
        let files = differingFiles(recorded: header.feederFiles, used: feeder)
        if !files.isEmpty {
            let named = files.prefix(namedFilesLimit).joined(separator: ", ")
            note += "; \(files.count == 1 ? "1 file differs" : "\(files.count) files differ"): \(named)\(files.count > namedFilesLimit ? ", …" : "")"
        }
        return note
    }

    /// The used feeder's digest as the trace's format version defined it: version 1 recorded the
    /// SHA-256 of the entry script's text only.
    static func comparableDigest(_ feeder: PreparedFeeder, formatVersion: Int64) -> String {
        guard formatVersion < 2, let files = feeder.files, let entry = files.file(files.entry) else { return feeder.digest }
        return StoredFile(path: entry.path, bytes: entry.bytes).digest.sha256
    }

    /// `changed X` and `added Y` (used, not recorded) in path order, then `missing Z` (recorded, not used).
    static func differingFiles(recorded: [StoredFileDigest], used feeder: PreparedFeeder) -> [String] {
        guard !recorded.isEmpty, let usedFiles = feeder.files else { return [] }
        let used = usedFiles.files.map { StoredFile(path: $0.path, bytes: $0.bytes).digest }
        var differences: [String] = []
        for file in used {
            if let match = recorded.first(where: { $0.path == file.path }) {
                if match != file { differences.append("changed \(file.path)") }
            } else {
                differences.append("added \(file.path)")
            }
        }
        for file in recorded where !used.contains(where: { $0.path == file.path }) {
            differences.append("missing \(file.path)")
        }
        return differences
    }
}
