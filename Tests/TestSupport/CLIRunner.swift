// Finds and runs the built `gridtrace` binary for tests that drive the command line, capturing
// output and exit code.
import Foundation

public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when a signal ended the process (`status` is then the signal's number).
    public var signalled = false
}

public enum CLI {
    /// The binary under test: $GRIDTRACE_BIN, else next to the test bundle, else .build/debug.
    public static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["GRIDTRACE_BIN"] { return URL(fileURLWithPath: path) }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [beside.appendingPathComponent("gridtrace"),
                          beside.deletingLastPathComponent().appendingPathComponent("gridtrace")]
        candidates.append(SharedData.packageRoot.appendingPathComponent(".build/debug/gridtrace"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// The fixed key every test run signs with (Tests/Fixtures/signing), so that no test depends on
    /// the machine's own installation key.
    public static let testSigningKey = SharedData.packageRoot.appendingPathComponent("Tests/Fixtures/signing/test-signing-key").path

    /// The child's environment: ours, with `GRIDTRACE_SIGNING_KEY` set to the test key, then `overrides`.
    static func environment(_ overrides: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GRIDTRACE_SIGNING_KEY"] = testSigningKey
        environment.merge(overrides) { $1 }
        return environment
    }

    /// Runs `gridtrace args…` to completion, in `directory` when given (else the test's own folder),
    /// with `environment` overriding variables of the default `environment(_:)`.
    public static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = Self.environment(environment)
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a large output cannot deadlock the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self), signalled: process.terminationReason == .uncaughtSignal)
    }

    /// Starts `gridtrace args…`, waits for its first stdout line, then kills it with SIGKILL.
    /// Returns that line.
    public static func runUntilFirstLineThenKill(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = Self.environment([:])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var received = Data()
        while !received.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the child exited without pausing
            received.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return String(decoding: received, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fresh scratch directory for one test.
    public static func scratch(_ name: String = #function) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gridtrace-cli-\(getpid())-\(name.filter { $0.isLetter || $0.isNumber })")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
