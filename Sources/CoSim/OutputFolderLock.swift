// Owns the lock on a run's output folder: a second run into a folder in use is refused before it
// touches anything there (an advisory flock on `.gridtrace.lock`, released when the run ends or its
// process dies, so a killed run never leaves a folder locked).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a run could not take its output folder.
public struct OutputFolderError: Error, CustomStringConvertible, Sendable {
    public var folder: String
    public var reason: String
    public var description: String { "\(folder): \(reason)" }
}

/// An exclusive hold on an output folder for the lifetime of this object.
public final class OutputFolderLock {
    public let folder: String
    private let descriptor: Int32

    /// Creates `folder` if needed and locks it; throws at once when another run holds it.
    public init(folder: String) throws(OutputFolderError) {
        self.folder = folder
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OutputFolderError(folder: folder, reason: "cannot create the output folder: \(Self.whyNotCreatable(folder))")
        }
        let path = (folder as NSString).appendingPathComponent(".gridtrace.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputFolderError(folder: folder, reason: "cannot open its lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw OutputFolderError(folder: folder, reason: "in use by another gridtrace run (it holds \(path)); "
                                    + "wait for it or choose another --out")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }  // closing releases the flock

    /// Why `folder` cannot be made, in words: a file in the way, or the nearest existing folder
    /// is not writable (Foundation's own error text names neither).
    static func whyNotCreatable(_ folder: String) -> String {
        var ancestor = folder
        while !ancestor.isEmpty, ancestor != "/", !FileManager.default.fileExists(atPath: ancestor) {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        var isFolder: ObjCBool = false
        let existing = ancestor.isEmpty ? "." : ancestor
        if FileManager.default.fileExists(atPath: existing, isDirectory: &isFolder), !isFolder.boolValue {
            return "\(existing) is a file, not a folder"
        }
        return "\(existing) is not writable"
    }
}
