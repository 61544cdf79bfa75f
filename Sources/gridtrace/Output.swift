// Owns how commands print: JSON to stdout, errors to stderr with a non-zero exit, and writing
// files atomically so that an interrupted command never leaves output that looks complete.
import ArgumentParser
import Foundation
import Kernel
import Verify

/// Prints canonical JSON (one line) to stdout.
func printJSON(_ value: CanonicalJSON) {
    print(value.text)
}

/// Prints `message` to stderr prefixed with "error: " and returns the exit code to throw.
func failure(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    return ExitCode(code)
}

/// Runs `body`, turning any thrown error into a one-line message on stderr and exit code 2.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw failure(errorMessage(error))
    }
}

/// A one-line message for `error`. Foundation's file errors become "cannot write PATH: reason"
/// (or read) instead of their raw `NSCocoaErrorDomain` text; every other error is its description.
func errorMessage(_ error: any Error) -> String {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
    // Foundation numbers read errors 256…511 and write errors 512…767.
    let verb = (256..<512).contains(ns.code) ? "read" : (512..<768).contains(ns.code) ? "write" : "use"
    let reason: String
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(underlying.code))).lowercased()
    } else {
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
        case .fileWriteNoPermission, .fileReadNoPermission: reason = "permission denied"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        case .fileWriteVolumeReadOnly: reason = "the file system is read-only"
        case .fileWriteFileExists: reason = "something of that name is in the way"
        default: reason = "the folder is missing or not writable"
        }
    }
    return "cannot \(verb) \(path): \(reason)"
}

/// A duration in seconds (wall-clock figures are measured here in the CLI, never in the engine).
func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}

/// Seconds on the monotonic clock since an arbitrary origin: the clock the library modules are
/// handed (they never read one themselves; see the determinism lint).
@Sendable func monotonicSeconds() -> Double {
    seconds(ContinuousClock.now - processStartInstant)
}

private let processStartInstant = ContinuousClock.now

/// Runs `body` and returns its result with the elapsed wall time, s.
func measureWall<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    return (value, seconds(clock.now - start))
}

/// Prints checks as `{"passed", "checks"}` JSON, or one `PASS`/`FAIL` block per check.
func printChecks(_ checks: [VerificationCheck], json: Bool) {
    if json {
        printJSON(["passed": .bool(checks.allSatisfy(\.passed)), "checks": .array(checks.map(\.json))])
    } else {
        for check in checks { check.lines.forEach { print($0) } }
    }
}

/// A seed as JSON: a number when it fits a signed 64-bit integer, else its decimal string.
func seedJSON(_ seed: UInt64) -> CanonicalJSON {
    seed <= UInt64(Int64.max) ? .int(Int64(seed)) : .string(String(seed))
}

/// Buffers text and writes it to a file atomically (temporary file, then rename) or to stdout.
final class OutputSink {
    private let destination: String?
    private var buffer = Data()
    private let temporaryPath: String?

    /// Refuses (a one-line error, exit 2) when the temporary file beside `path` cannot be created.
    init(path: String?) throws {
        destination = path
        temporaryPath = path.map { $0 + ".partial" }
        if let temporaryPath, !FileManager.default.createFile(atPath: temporaryPath, contents: nil) {
            throw failure("cannot write \(path ?? temporaryPath): the folder is missing or not writable")
        }
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        if let temporaryPath {
            guard let handle = FileHandle(forWritingAtPath: temporaryPath) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporaryPath])
            }
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: buffer)
        } else {
            FileHandle.standardOutput.write(buffer)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and, for a file, moves the finished output into place.
    func finish() throws {
        try flush()
        if let temporaryPath, let destination {
            if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: destination)
        }
    }

    /// Removes a partial file after a failure.
    func abandon() {
        if let temporaryPath { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }
}
