// Owns the access of PowerFlow tests to the shared feeder scripts (../shared), with the skip/fail rule.
import Foundation
import Testing

enum SharedData {
    /// Absolute path of `../shared/<relative>` from the package root, or nil when absent.
    static func path(_ relative: String) -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("../shared/" + relative).standardized.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// True when the shared data exists; records an issue (failure) when `CI` is set and it is absent.
    static func available(_ relative: String) -> Bool {
        if path(relative) != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("../shared/\(relative) is absent but CI is set")
        } else {
            print("skipping: ../shared/\(relative) is absent")
        }
        return false
    }
}
