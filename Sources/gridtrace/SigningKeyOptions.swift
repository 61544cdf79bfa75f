// Owns the signing options of the commands that record traces (`--signing-key FILE`, else
// $GRIDTRACE_SIGNING_KEY, else the installation's key, made once) and `--trusted-key` for the
// commands that check them; and writing a new key file without ever replacing one.
import ArgumentParser
import Foundation
import Kernel
import Trace

struct SigningKeyOptions: ParsableArguments {
    @Option(name: .customLong("signing-key"), help: ArgumentHelp(
        "Ed25519 key file signing the recorded traces (one line: the 32-byte seed as 64 hex digits).",
        discussion: "Default: $GRIDTRACE_SIGNING_KEY, else this installation's key $GRIDTRACE_HOME/signing-key "
            + "(GRIDTRACE_HOME defaults to ~/.config/gridtrace), created with mode 0600 on first use."))
    var signingKey: String?

    /// The key to sign with, and where it came from. Exit 2 naming the file when it is unusable.
    func resolve() throws -> ResolvedSigningKey {
        let environment = ProcessInfo.processInfo.environment
        if let path = signingKey ?? environment["GRIDTRACE_SIGNING_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return ResolvedSigningKey(key: try reportingErrors { try TraceSigningKey.load(path: path) }, path: path, created: false)
        }
        let home = environment["GRIDTRACE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".config/gridtrace")
        let path = (home as NSString).appendingPathComponent("signing-key")
        if FileManager.default.fileExists(atPath: path) {
            return ResolvedSigningKey(key: try reportingErrors { try TraceSigningKey.load(path: path) }, path: path, created: false)
        }
        do {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw failure("\(home): cannot create the folder for this installation's signing key (set GRIDTRACE_HOME or pass --signing-key)")
        }
        let created = try writeNewKey(TraceSigningKey.generate(), to: path, name: "installation")
        // Another process may have made the key first: use whichever key the file holds.
        return ResolvedSigningKey(key: try reportingErrors { try TraceSigningKey.load(path: path) }, path: path, created: created)
    }
}

/// A signing key and its file, as a recording command reports it.
struct ResolvedSigningKey {
    var key: TraceSigningKey
    var path: String
    /// True when this command made the installation's key.
    var created: Bool

    /// `signed by key FINGERPRINT (public key HEX, from FILE)`.
    var line: String {
        "signed by key \(key.fingerprint) (public key \(hexString(key.publicKey)), \(created ? "created" : "from") \(path))"
    }

    /// `{"public_key", "fingerprint", "key_file", "created"}`.
    var json: CanonicalJSON {
        ["public_key": .string(hexString(key.publicKey)), "fingerprint": .string(key.fingerprint),
         "key_file": .string(path), "created": .bool(created)]
    }
}

/// Writes `key` to `path` (mode 0600) and its public key to `path.pub`, never replacing an
/// existing key: the file is written under a private name and hard-linked into place. Returns
/// false when `path` already existed (another process won).
func writeNewKey(_ key: TraceSigningKey, to path: String, name: String) throws -> Bool {
    let temporary = path + ".new-\(getpid())"
    defer { unlink(temporary) }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { throw failure("\(path): cannot create the key file (\(String(cString: strerror(errno))))") }
    let bytes = Array(key.fileText.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor) == 0
    close(descriptor)
    guard written == bytes.count, synced else { throw failure("\(path): cannot write the key file") }
    guard link(temporary, path) == 0 else {
        if errno == EEXIST { return false }
        throw failure("\(path): cannot create the key file (\(String(cString: strerror(errno))))")
    }
    let publicPath = path + ".pub"
    if !FileManager.default.fileExists(atPath: publicPath) {
        try? Data(key.publicKeyLine(name: name).utf8).write(to: URL(fileURLWithPath: publicPath), options: .atomic)
    }
    return true
}

/// Reads a `--trusted-key` file (one public key, or a keyring); exit 2 naming the file when unusable.
func loadTrustedKeys(_ path: String?) throws -> TrustedKeyring? {
    guard let path else { return nil }
    return try reportingErrors { try TrustedKeyring.load(path: path) }
}
