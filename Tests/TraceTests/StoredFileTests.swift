// The feeder files a trace stores: they come back byte for byte, compressed with the real zlib, in
// path order; editing a stored file, its recorded digest or the set of rows breaks verification at
// seq 0; the writer refuses files that do not match the header.
import Foundation
import Kernel
import Testing
@testable import Trace

@Suite struct StoredFileTests {
    static let files = [
        StoredFile(path: "profiles/home.txt", bytes: Array(String(repeating: "0.25\n0.5\n", count: 400).utf8)),
        StoredFile(path: "Master.dss", bytes: Array("Clear\nRedirect lines.dss\n".utf8)),
        StoredFile(path: "../common/codes.dss", bytes: [0, 1, 2, 255, 254]),
    ]

    /// A sealed 50-event trace storing `files`.
    static func storingTrace(_ name: String = #function) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-stored-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name.filter { $0.isLetter } + ".gtrace").path
        let header = TraceHeader(engineVersion: "test", seed: 3, scenarioText: "s", feederDigest: "d", feederEntry: "Master.dss",
                                 feederFiles: files.map(\.digest))
        let writer = try TraceWriter(creatingAt: path, header: header, files: files)
        for index in 0..<50 {
            try writer.append(timeMilliseconds: Int64(index), kind: "run_started", actor: "test", payload: "{\"n\":\(index)}")
        }
        try writer.seal()
        return path
    }

    @Test func filesComeBackInPathOrderByteForByte() throws {
        let path = try Self.storingTrace()
        let reader = try TraceReader(path: path)
        #expect(reader.header.formatVersion == TraceFormat.version)
        #expect(reader.header.feederEntry == "Master.dss")
        #expect(reader.header.feederFiles.map(\.path) == ["../common/codes.dss", "Master.dss", "profiles/home.txt"])
        #expect(reader.header.feederFiles[2].byteCount == 3600)
        let stored = try reader.storedFiles().get()
        #expect(stored == Self.files.sorted { $0.path < $1.path })
        #expect(reader.verify().status == .sealed)
    }

    @Test func filesAreStoredCompressed() throws {
        let path = try Self.storingTrace()
        let connection = try SQLiteConnection(path: path, flags: 0x1 /* READONLY */)
        let size = try #require(try connection.scalarInt("SELECT length(zlib) FROM feeder_files WHERE path = 'profiles/home.txt'"))
        #expect(size < 100, "3,600 repetitive bytes compress to \(size)")
    }

    @Test func editedStoredFileFailsAtTheHeader() throws {
        let path = try Self.storingTrace()
        var edited = Self.files[0].bytes
        edited[0] = UInt8(ascii: "9")  // same size, other contents
        let hex = Zlib.compress(edited).map { String(format: "%02x", $0) }.joined()
        try tamper(path, "UPDATE feeder_files SET zlib = X'\(hex)' WHERE path = 'profiles/home.txt'")
        #expect(try status(path) == .corrupt(atSeq: 0, reason: "stored feeder file profiles/home.txt does not match its recorded SHA-256"))
    }

    @Test func editedDigestOrMissingFileFailsAtTheHeader() throws {
        let forged = try Self.storingTrace("forged")
        try tamper(forged, "UPDATE feeder_files SET sha256 = '00' || substr(sha256, 3) WHERE path = 'Master.dss'")
        #expect(try status(forged) == .corrupt(atSeq: 0, reason: "header does not match its recorded hash"))
        let removed = try Self.storingTrace("removed")
        try tamper(removed, "DELETE FROM feeder_files WHERE path = 'Master.dss'")
        #expect(try status(removed) == .corrupt(atSeq: 0, reason: "header does not match its recorded hash"))
        let damaged = try Self.storingTrace("damaged")
        try tamper(damaged, "UPDATE feeder_files SET zlib = X'789c0000' WHERE path = 'Master.dss'")
        #expect(try status(damaged) == .corrupt(atSeq: 0, reason: "stored feeder file Master.dss does not decompress to its recorded 25 bytes"))
    }

    @Test func writerRefusesFilesTheHeaderDoesNotRecord() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-mismatch-\(getpid()).gtrace").path
        let header = TraceHeader(engineVersion: "test", seed: 1, scenarioText: "", feederFiles: [Self.files[1].digest])
        #expect(throws: TraceError.self) { try TraceWriter(creatingAt: path, header: header, files: Self.files) }
    }

    @Test func zlibRoundTripsAndRejectsDamage() {
        let bytes = Array((0..<10_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let compressed = Zlib.compress(bytes)
        #expect(Zlib.decompress(compressed, byteCount: bytes.count) == bytes)
        #expect(Zlib.decompress(compressed, byteCount: bytes.count - 1) == nil)
        #expect(Zlib.decompress(compressed, byteCount: bytes.count + 1) == nil)
        #expect(Zlib.decompress(Array(compressed.dropLast(4)), byteCount: bytes.count) == nil)
        #expect(Zlib.decompress([], byteCount: 0) == nil)
    }

    /// Fuzzing (the trace target): a few stored bytes whose row claims up to 1 GiB made the reader
    /// allocate and zero that much. A size the bytes cannot expand to (deflate's best is 1032:1), or
    /// sizes that together pass the limit, are now refused before anything is allocated for them.
    @Test func recordedSizesTheBytesCannotHoldAreRefusedBeforeAllocating() throws {
        func damage(_ path: String) throws -> String? {
            if case .failure(let damage) = try TraceReader(path: path).storedFiles() { return damage.reason }
            return nil
        }
        let claimed = try Self.storingTrace("claimed")
        try tamper(claimed, "UPDATE feeder_files SET size_bytes = 536870912 WHERE path = 'Master.dss'")
        #expect(try damage(claimed) == "stored feeder file Master.dss does not decompress to its recorded 536870912 bytes")
        let summed = try Self.storingTrace("summed")
        try tamper(summed, "UPDATE feeder_files SET size_bytes = 629145600 WHERE path <> 'Master.dss'")
        #expect(try damage(summed) == "the stored feeder files record 1258291225 bytes together; at most 1024 MiB are read")
        #expect(try status(summed) == .corrupt(atSeq: 0, reason: "header does not match its recorded hash"))
    }

    @Test func zlibRefusesSizesBeyondDeflatesBestRatio() {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let compressed = Zlib.compress(zeros)  // about 1 KiB: near deflate's best ratio, still accepted
        #expect(Zlib.decompress(compressed, byteCount: zeros.count) == zeros)
        #expect(Zlib.maximumExpansion(of: compressed.count) >= zeros.count)
        #expect(Zlib.maximumExpansion(of: 16) == 17_536)
        #expect(Zlib.decompress(Array(compressed.prefix(16)), byteCount: 1 << 30) == nil)
    }

    @Test func headerHashCoversTheFileDigests() {
        var header = TraceHeader(engineVersion: "t", seed: 1, scenarioText: "", feederFiles: Self.files.map(\.digest))
        let original = header.hash
        header.feederFiles[0].sha256 = String(repeating: "0", count: 64)
        #expect(header.hash != original)
        header = TraceHeader(engineVersion: "t", seed: 1, scenarioText: "", feederFiles: Self.files.map(\.digest))
        header.feederEntry = "other.dss"
        #expect(header.hash != original)
    }
}
