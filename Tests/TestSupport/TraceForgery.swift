// Forges traces the way an attacker without the signing key can: rewrite events (or keep only a
// prefix), recompute the unkeyed SHA-256 chain and seal with the public writer, and carry over the
// signer and whichever signatures the attacker chooses. The forgery tests check that signatures
// catch every such trace.
import CSQLite
import Foundation
import Trace

public enum TraceForgery {
    /// Which of the original's signatures the forged trace keeps.
    public enum CarriedSignatures: Sendable {
        /// Every row, unchanged.
        case all
        /// Only those at or before seq `seq` (the seal's, if any, is dropped).
        case upTo(seq: Int64)
        /// Those up to `seq`, plus the original seal signature moved to `seq` (a replayed signature).
        case upToWithSealMoved(seq: Int64)
        /// None, and no signer (an "unsigned" forgery).
        case none
    }

    /// Writes `destination` from `source`: events up to `keepThrough` (all when nil), each passed
    /// through `edit`, rehashed and resealed; then signatures carried over as `carry` says.
    public static func forge(source: String, destination: String, keepThrough: Int64? = nil, carry: CarriedSignatures = .all,
                             edit: (TraceEvent) -> TraceEvent = { $0 }) throws {
        let reader = try TraceReader(path: source)
        let files = try reader.storedFiles().get()
        try? FileManager.default.removeItem(atPath: destination)
        let writer = try TraceWriter(creatingAt: destination, header: reader.header, files: files)
        try reader.forEachEvent { event in
            if let keepThrough, event.seq > keepThrough { return false }
            let forged = edit(event)
            try writer.append(timeMilliseconds: forged.timeMilliseconds, kind: forged.kind, actor: forged.actor, payload: forged.payload)
            return true
        }
        try writer.seal()
        let escaped = source.replacingOccurrences(of: "'", with: "''")
        var sql = "ATTACH DATABASE 'file:\(escaped)?mode=ro' AS original;"
        switch carry {
        case .all:
            sql += "INSERT INTO signer SELECT * FROM original.signer; INSERT INTO signatures SELECT * FROM original.signatures;"
        case .upTo(let seq):
            sql += "INSERT INTO signer SELECT * FROM original.signer;"
                + "INSERT INTO signatures SELECT * FROM original.signatures WHERE scope = 'commit' AND seq <= \(seq);"
        case .upToWithSealMoved(let seq):
            sql += "INSERT INTO signer SELECT * FROM original.signer;"
                + "INSERT INTO signatures SELECT * FROM original.signatures WHERE scope = 'commit' AND seq <= \(seq);"
                + "INSERT INTO signatures SELECT scope, \(seq), signature FROM original.signatures WHERE scope = 'seal';"
        case .none:
            break
        }
        try execute(sql, on: destination)
    }

    /// Runs `sql` on the SQLite file at `path` (read-write, URI names allowed).
    public static func execute(_ sql: String, on path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, nil) == SQLITE_OK else {
            sqlite3_close(handle)
            throw ForgeryError(message: "cannot open \(path)")
        }
        defer { sqlite3_close(handle) }
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw ForgeryError(message: message.map { String(cString: $0) } ?? "sqlite error")
        }
    }

    public struct ForgeryError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
