// Owns the thin wrapper over the SQLite C API that the trace store uses: connections, prepared
// statements and typed errors. Only what the trace (and a sweep's results database) needs; no ORM.
import CSQLite

/// An error from SQLite, with the operation and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let operation: String
    public let message: String

    public var description: String { "\(operation): \(message) (SQLite code \(code))" }
}

// SQLite's SQLITE_TRANSIENT destructor: ask SQLite to copy bound buffers.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// One SQLite connection. Not thread-safe; owned by a single writer or reader.
public final class SQLiteConnection {
    let handle: OpaquePointer

    init(path: String, flags: Int32) throws(SQLiteError) {
        var db: OpaquePointer?
        // No SQLite mutexes: a connection is only ever used by one thread at a time (handed over, never shared).
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, operation: "open \(path)", message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, operation: "execute \(sql.prefix(60))", message: message)
        }
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, operation: "prepare \(sql.prefix(60))", message: lastMessage)
        }
        return SQLiteStatement(handle: statement, connection: self)
    }

    /// The integer result of a one-value query such as `PRAGMA user_version`.
    func scalarInt(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.int64(0)
    }

    /// Creates (or opens) a database file for reading and writing.
    public convenience init(creatingAt path: String) throws(SQLiteError) {
        try self.init(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    }

    /// Opens an existing database file read-only.
    public convenience init(readingAt path: String) throws(SQLiteError) {
        try self.init(path: path, flags: SQLITE_OPEN_READONLY)
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A prepared statement. Columns and parameters are 0-based (columns) and 1-based (parameters),
/// as in SQLite.
public final class SQLiteStatement {
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection

    init(handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once; true when a row is available, false when done.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw SQLiteError(code: rc, operation: "step", message: connection.lastMessage)
        }
    }

    /// Steps a statement that returns no rows, then resets it for reuse.
    public func run() throws(SQLiteError) {
        defer { reset() }
        _ = try step()
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    public func bind(_ index: Int32, _ value: String) { sqlite3_bind_text(handle, index, value, -1, transient) }

    public func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    public func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    func bind(_ index: Int32, bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transient)
    }

    /// Binds UTF-8 text without copying: the buffer must stay valid until the statement is reset.
    func bindStatic(_ index: Int32, text: UnsafeBufferPointer<UInt8>) {
        sqlite3_bind_text(handle, index, UnsafeRawPointer(text.baseAddress)?.assumingMemoryBound(to: CChar.self),
                          Int32(text.count), nil)
    }

    /// Binds a blob without copying: the buffer must stay valid until the statement is reset.
    func bindStatic(_ index: Int32, bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), nil)
    }

    func bind(_ index: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { bind(index, bytes: $0) }
    }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// The column's bytes, valid only until the next step: pass a closure.
    func withBytes<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func bytes(_ column: Int32) -> [UInt8] { withBytes(column) { Array($0) } }
}
