// Owns where the importer reads scripts and data files from: the file system (remembering every
// file it read, so a trace can store them), or an in-memory file set (a trace's stored feeder).
//
// Why an in-memory map rather than extracting a trace's files to a temporary folder: nothing is
// written while replaying or verifying (a verifier never writes, and a crashed replay leaves no
// scratch files behind), the feeder compiled is exactly the bytes whose digests the trace's header
// hash covers (no other process can change a file between extraction and compilation), and two
// replays of the same trace see identical file names in error messages wherever they run.
import Foundation

/// One file a feeder's scripts read, named by its path relative to the entry script's folder
/// (`Loads.txt`, `Daily_1min_100profiles/Summer_profile_1.txt`, `../common/LineCodes.dss`).
public struct FeederFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// Every file a feeder needs: the entry script and what it reads (Redirect/Compile targets,
/// `mult=(file=…)`, `csvfile`, BusCoords files), sorted by path, each path unique.
public struct FeederFileSet: Sendable, Equatable {
    /// The entry script's path, relative to its own folder (its file name).
    public var entry: String
    /// Sorted by `path` (byte order), so storing and hashing them is deterministic.
    public var files: [FeederFile]

    /// Sorts `files` by path; a path given twice keeps its first contents.
    public init(entry: String, files: [FeederFile]) {
        self.entry = entry
        var unique: [FeederFile] = []
        for file in files.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) })
        where unique.last?.path != file.path {
            unique.append(file)
        }
        self.files = unique
    }

    /// The file at `path` (relative to the entry's folder), if the set holds it.
    public func file(_ path: String) -> FeederFile? {
        files.first { $0.path == path }
    }
}

/// Reads the importer's files and remembers what it read. Compilation is single-threaded; one
/// instance belongs to one compilation.
final class ScriptFiles {
    private enum Source {
        case fileSystem
        /// Files keyed by their path relative to `entryFolder` (a virtual absolute folder).
        case memory(entryFolder: String, byPath: [String: [UInt8]])
    }

    private let source: Source
    /// (lexically normalized absolute path, contents) of every file read, first read first.
    private(set) var reads: [(path: String, bytes: [UInt8])] = []

    /// Reads from the file system.
    init() { source = .fileSystem }

    /// Reads only `set`'s files. The entry's folder is a virtual absolute folder deep enough that
    /// every `../` in the stored paths stays below the root.
    init(memory set: FeederFileSet) {
        let ups = set.files.map { $0.path.split(separator: "/").prefix { $0 == ".." }.count }.max() ?? 0
        let folder = "/stored-feeder" + String(repeating: "/up", count: ups)
        var byPath: [String: [UInt8]] = [:]  // lookups only; never iterated
        for file in set.files { byPath[file.path] = file.bytes }
        source = .memory(entryFolder: folder, byPath: byPath)
    }

    /// The virtual path of a stored file (the entry script's path for `entry`); nil on the file system.
    func virtualPath(of relative: String) -> String? {
        guard case .memory(let folder, _) = source else { return nil }
        return FilePaths.normalize(folder + "/" + relative)
    }

    /// The largest file a script may read (the importer holds each file in memory at once).
    static let maximumFileBytes = 256 << 20

    /// The contents of `path`, or nil when it cannot be read (or the stored set lacks it); a file
    /// larger than `maximumFileBytes` is an error naming it, before anything is read.
    func contents(atPath path: String, at location: ScriptLocation?) throws -> [UInt8]? {
        let absolute = FilePaths.normalize(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
        let bytes: [UInt8]?
        switch source {
        case .fileSystem:
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
                throw FeederError.folderNotFile(path: path, at: location)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.maximumFileBytes else {
                throw FeederError.syntax("file '\(path)' is \(size) bytes; scripts and data files are limited to "
                                         + "\(Self.maximumFileBytes >> 20) MiB", at: location ?? ScriptLocation(file: path, line: 0))
            }
            bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        case .memory(let folder, let byPath):
            bytes = byPath[FilePaths.relative(absolute, from: folder)]
        }
        if let bytes, !reads.contains(where: { $0.path == absolute }) { reads.append((absolute, bytes)) }
        return bytes
    }

    /// The files read, relative to `entryPath`'s folder.
    func fileSet(entryPath: String) -> FeederFileSet {
        let absolute = FilePaths.normalize(entryPath.hasPrefix("/") ? entryPath : FileManager.default.currentDirectoryPath + "/" + entryPath)
        let folder = (absolute as NSString).deletingLastPathComponent
        return FeederFileSet(entry: FilePaths.relative(absolute, from: folder),
                             files: reads.map { FeederFile(path: FilePaths.relative($0.path, from: folder), bytes: $0.bytes) })
    }
}

/// Lexical path arithmetic (no file-system access, no symlink resolution).
public enum FilePaths {
    /// Removes empty and `.` components and folds `..` into the component before it.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        let absolute = path.hasPrefix("/")
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue  // "/.." is "/"
            } else {
                parts.append(part)
            }
        }
        return (absolute ? "/" : "") + parts.joined(separator: "/")
    }

    /// `path` relative to `folder` (both absolute and normalized), with `../` where needed.
    public static func relative(_ path: String, from folder: String) -> String {
        let target = path.split(separator: "/"), base = folder.split(separator: "/")
        var common = 0
        while common < target.count, common < base.count, target[common] == base[common] { common += 1 }
        let ups = Array(repeating: Substring(".."), count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }
}
