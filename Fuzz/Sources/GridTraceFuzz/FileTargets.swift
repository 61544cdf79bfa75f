// Owns the targets whose reader takes a path: each input is written to a scratch folder that this
// process made (under TMPDIR) and removes nothing else.
import Foundation
import Trace
import Verify

/// The process's scratch folder, made once.
let scratchFolder: String = {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array((base as NSString).appendingPathComponent("gridtrace-fuzz-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("cannot make a scratch folder under \(base)") }
    return String(cString: made)
}()

/// Writes with plain POSIX calls: FileManager.createFile writes atomically (a temporary file, fsync,
/// rename), which on a busy disk made each input cost ~30 ms of waiting.
func writeScratch(_ bytes: [UInt8], to path: String) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { fatalError("cannot write \(path)") }
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    guard written == bytes.count else { fatalError("cannot write \(path)") }
}

enum TraceFuzz {
    /// Input: the bytes of a trace file.
    static func run(_ bytes: [UInt8]) {
        let path = (scratchFolder as NSString).appendingPathComponent("fuzz.gtrace")
        for suffix in ["-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        writeScratch(bytes, to: path)
        if let reader = try? TraceReader(path: path) {
            _ = reader.verify()
            _ = reader.storedFiles()
            _ = reader.storedSeal()
        }
        _ = try? TraceVerifier.verify(path: path)
    }
}

enum GoldenFuzz {
    /// Input: optionally `name:FILE\n` (the file name, which picks how values are compared), then the
    /// results file, optionally a NUL and the golden file (without one, the file is compared with itself).
    static func run(_ bytes: [UInt8]) {
        var body = bytes[...], name = "steps.csv"
        if body.starts(with: Array("name:".utf8)), let newline = body.firstIndex(of: 0x0A) {
            let given = String(decoding: body[(body.startIndex + 5)..<newline], as: UTF8.self)
            // Not "." or "..": those name the folder itself or its parent, which the harness cannot write.
            if (1...64).contains(given.utf8.count), given.utf8.allSatisfy(isNameByte), given.first != "." { name = given }
            body = body[(newline + 1)...]
        }
        let (results, golden) = splitAtNul(Array(body))
        let resultsFolder = (scratchFolder as NSString).appendingPathComponent("results")
        let goldenFolder = (scratchFolder as NSString).appendingPathComponent("golden")
        for folder in [resultsFolder, goldenFolder] {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            // The folders hold exactly this input's pair: drop the file the previous input wrote.
            for stale in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where stale != name {
                unlink((folder as NSString).appendingPathComponent(stale))
            }
        }
        writeScratch(results, to: (resultsFolder as NSString).appendingPathComponent(name))
        writeScratch(golden ?? results, to: (goldenFolder as NSString).appendingPathComponent(name))
        _ = try? GoldenCompare.compare(results: resultsFolder, golden: goldenFolder)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == 0x5F || byte == 0x2E || byte == 0x2D
    }
}
