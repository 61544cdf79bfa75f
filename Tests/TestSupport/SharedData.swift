// Locates the read-only reference data in ../shared (feeders and OpenDSS goldens) for tests.
// Absent data skips a test with a message, except under CI (the `CI` variable set), where it fails.
import Foundation
import Testing

public enum SharedData {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` next to the package root.
    public static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// The path of `relative` under ../shared, or nil (after recording why) when it is absent.
    ///
    /// Under CI a missing file is a test failure; elsewhere the test prints a skip note and returns.
    public static func path(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let url = root.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let message = "reference data \(url.path) is absent"
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record(Comment(rawValue: message + " (required under CI)"), sourceLocation: sourceLocation)
        } else {
            print("skipping: \(message)")
        }
        return nil
    }
}
