// Owns trace signatures: the Ed25519 signing key and its file format, the trusted-key ring, what a
// signature covers (a committed interval's last chain hash, the header, the seal), and the verdict
// of a trace's signatures against a keyring. The hash chain and the seal's digest never depend on
// the key: signatures are stored beside them (`signer`, `signatures`), covered by no digest.
@preconcurrency import Crypto  // key types are immutable values; swift-crypto does not mark them Sendable yet
import Foundation
import Kernel

/// Why a key file or keyring could not be used (the CLI exits 2 naming the file).
public struct TraceKeyError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    /// The 1-based line, when the problem is on one.
    public var line: Int?
    public var why: String

    public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(why)" }
}

/// The Ed25519 key a recorder signs a trace with.
///
/// Key file format: one line holding the 32-byte Ed25519 seed (RFC 8032 private key) as 64 hex
/// digits; blank lines and lines starting with `#` are ignored. Signing is deterministic
/// (RFC 8032), so the same seed and the same key give a byte-identical trace.
public struct TraceSigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey
    /// The 32-byte public key that verifies this key's signatures.
    public let publicKey: [UInt8]

    /// A key from its 32-byte seed.
    public init(seed: [UInt8]) throws(TraceKeyError) {
        guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw TraceKeyError(path: "seed", line: nil, why: "an Ed25519 seed is 32 bytes (got \(seed.count))")
        }
        privateKey = key
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    /// Reads and validates a key file (see the type's format).
    public static func load(path: String) throws(TraceKeyError) -> TraceSigningKey {
        let lines = try keyFileLines(path: path, maxBytes: 4096)
        guard lines.count == 1, let line = lines.first else {
            throw TraceKeyError(path: path, line: lines.dropFirst().first?.number,
                                why: lines.isEmpty ? "no key: expected one line of 64 hex digits (an Ed25519 seed)"
                                                   : "expected one line of 64 hex digits (an Ed25519 seed), found \(lines.count) lines")
        }
        guard let seed = parseHex32(line.text) else {
            throw TraceKeyError(path: path, line: line.number, why: "not an Ed25519 seed: expected 64 hex digits")
        }
        do { return try TraceSigningKey(seed: seed) } catch { throw TraceKeyError(path: path, line: line.number, why: error.why) }
    }

    /// The key file's text for this key: a comment naming the public key, then the seed.
    public var fileText: String {
        "# gridtrace trace signing key (Ed25519 seed); public key \(hexString(publicKey))\n"
            + hexString(privateKey.rawRepresentation) + "\n"
    }

    /// Short name of the public key: see `TraceSigning.fingerprint`.
    public var fingerprint: String { TraceSigning.fingerprint(publicKey) }

    /// The 64-byte Ed25519 signature of `message`.
    func sign(_ message: [UInt8], tracePath: String) throws(TraceError) -> [UInt8] {
        guard let signature = try? privateKey.signature(for: message) else {
            throw .signing(path: tracePath, why: "Ed25519 signing by swift-crypto failed")
        }
        return Array(signature)
    }
}

/// Public keys a verifier trusts, each with a name.
///
/// File format: one key per line, `HEX [NAME]`: the 32-byte Ed25519 public key as 64 hex digits,
/// then an optional name (the rest of the line). Blank lines and lines starting with `#` are
/// ignored. A file with one line is a single trusted key.
public struct TrustedKeyring: Sendable {
    public struct Entry: Sendable, Equatable {
        public var publicKey: [UInt8]
        public var name: String
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Reads and validates a keyring (or single public key) file.
    public static func load(path: String) throws(TraceKeyError) -> TrustedKeyring {
        // A signing key file is 64 hex digits too: refuse it rather than read its seed as a public key.
        if let text = try? String(contentsOfFile: path, encoding: .utf8), text.count < 4096, text.contains("Ed25519 seed") {
            throw TraceKeyError(path: path, line: nil, why: "this is a signing (private) key file; trust its public key (the .pub file) instead")
        }
        var entries: [Entry] = []
        for line in try keyFileLines(path: path, maxBytes: 1 << 20) {
            let fields = line.text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard let first = fields.first, let key = parseHex32(String(first)),
                  (try? Curve25519.Signing.PublicKey(rawRepresentation: key)) != nil else {
                throw TraceKeyError(path: path, line: line.number,
                                    why: "not a public key: expected 64 hex digits (an Ed25519 public key), then an optional name")
            }
            let name = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : ""
            entries.append(Entry(publicKey: key, name: name.isEmpty ? TraceSigning.fingerprint(key) : name))
        }
        guard !entries.isEmpty else { throw TraceKeyError(path: path, line: nil, why: "no public key in the file") }
        return TrustedKeyring(entries: entries)
    }

    /// The entry for `publicKey`, if trusted.
    public func entry(for publicKey: [UInt8]) -> Entry? { entries.first { $0.publicKey == publicKey } }

    /// Whether `verification` is a sealed trace whose every signature verifies, by a trusted key.
    public func check(_ verification: TraceVerification) -> TraceTrust {
        guard verification.status.isSealed else { return .notSealed(verification.status) }
        guard let signer = verification.signer else { return .unsigned }
        guard let entry = entry(for: signer.publicKey) else { return .untrusted(signer) }
        return .trusted(signer, name: entry.name)
    }
}

/// The signer a trace names, once every signature it holds verified against that key.
public struct TraceSigner: Sendable, Equatable {
    public var publicKey: [UInt8]
    /// Signatures that verified (the header's, one per committed interval, the seal's).
    public var signatures: Int
    public var fingerprint: String { TraceSigning.fingerprint(publicKey) }
}

/// The verdict of `TrustedKeyring.check`.
public enum TraceTrust: Sendable, Equatable, CustomStringConvertible {
    case trusted(TraceSigner, name: String)
    case untrusted(TraceSigner)
    case unsigned
    case notSealed(TraceStatus)

    public var isTrusted: Bool { if case .trusted = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .trusted(let signer, let name):
            return "signed by \(name) (\(signer.fingerprint)): \(signer.signatures) signatures verified"
        case .untrusted(let signer):
            return "signed by an untrusted key \(signer.fingerprint) (public key \(hexString(signer.publicKey)))"
        case .unsigned: return "unsigned: signature missing at seq 0 (the trace holds no signature)"
        case .notSealed(let status): return "\(status)"
        }
    }
}

/// What a signature covers, and the fingerprint of a key.
public enum TraceSigning {
    /// The algorithm name stored in `signer.algorithm`.
    static let algorithm = "ed25519"

    enum Scope: String {
        /// The chain hash after a committed interval's last seq (seq 0: the header hash).
        case commit
        /// The seal hash (which binds the final hash, the event count, the seed and the counts).
        case seal
    }

    /// The signed message: a domain tag, the scope, the header hash (so a signature belongs to one
    /// trace), the seq and the 32-byte hash it vouches for.
    static func message(scope: Scope, headerHash: [UInt8], seq: Int64, hash: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.append("gridtrace-trace-signature-v1")
        encoder.append(scope.rawValue)
        encoder.append(bytesOf: headerHash)
        encoder.append(seq)
        encoder.append(bytesOf: hash)
        return encoder.bytes
    }

    static func isValid(_ signature: [UInt8], publicKey: Curve25519.Signing.PublicKey, scope: Scope,
                        headerHash: [UInt8], seq: Int64, hash: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message(scope: scope, headerHash: headerHash, seq: seq, hash: hash))
    }

    /// The first 8 bytes of the public key's SHA-256 as 16 hex digits (how messages name a key).
    public static func fingerprint(_ publicKey: [UInt8]) -> String {
        hexString(Array(SHA256.hash(data: publicKey)).prefix(8))
    }
}

/// A key file's meaningful lines (not blank, not `#` comments), trimmed, with 1-based numbers.
private func keyFileLines(path: String, maxBytes: Int) throws(TraceKeyError) -> [(number: Int, text: String)] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TraceKeyError(path: path, line: nil, why: "no such file")
    }
    guard !isDirectory.boolValue else { throw TraceKeyError(path: path, line: nil, why: "is a folder, not a key file") }
    guard let handle = FileHandle(forReadingAtPath: path) else { throw TraceKeyError(path: path, line: nil, why: "cannot be read") }
    defer { try? handle.close() }
    let data = (try? handle.read(upToCount: maxBytes + 1)) ?? Data()
    guard data.count <= maxBytes else { throw TraceKeyError(path: path, line: nil, why: "larger than \(maxBytes) bytes: not a key file") }
    guard let text = String(data: data, encoding: .utf8) else { throw TraceKeyError(path: path, line: nil, why: "not UTF-8 text") }
    var lines: [(number: Int, text: String)] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
        lines.append((index + 1, trimmed))
    }
    return lines
}

/// 32 bytes from exactly 64 hex digits, else nil.
private func parseHex32(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count == 64 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    for index in stride(from: 0, to: 64, by: 2) {
        guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
    }
    return bytes
}

private func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
    default: return nil
    }
}

extension TraceSigningKey {
    /// A new key from the system's randomness (for `trace keygen` and the installation key; never
    /// called while recording, so runs stay deterministic).
    public static func generate() -> TraceSigningKey {
        let seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)  // determinism: a new key, not a run
        guard let key = try? TraceSigningKey(seed: seed) else { preconditionFailure("a fresh Ed25519 seed is 32 bytes") }
        return key
    }

    /// The public-key file's line for this key: `HEX NAME` (a one-key keyring for `--trusted-key`).
    public func publicKeyLine(name: String) -> String { hexString(publicKey) + " " + name + "\n" }
}
