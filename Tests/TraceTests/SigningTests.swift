// Signed traces: what the writer signs, that the same seed and key give the same bytes and that the
// chain's digests do not depend on the key, key and keyring files, and forgeries an attacker
// without the key can make (an edited payload with the chain and seal recomputed, a trace cut
// short and resealed, signatures removed, moved or damaged), each caught at its first seq.
import Foundation
import Kernel
import TestSupport
import Testing
@testable import Trace

enum TestKeys {
    static let folder = SharedData.packageRoot.appendingPathComponent("Tests/Fixtures/signing")
    static func key(_ name: String) throws -> TraceSigningKey { try TraceSigningKey.load(path: folder.appendingPathComponent(name).path) }
    static func keyring(_ name: String) throws -> TrustedKeyring { try TrustedKeyring.load(path: folder.appendingPathComponent(name).path) }
}

/// A sealed synthetic trace (5,000 events, 500 per commit) signed with the fixed test key.
func makeSignedTrace(seal: Bool = true, key: String = "test-signing-key", name: String = #function) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-signing-tests-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + "-\(key).gtrace").path
    try? FileManager.default.removeItem(atPath: path)
    _ = try SyntheticTrace.write(path: path, seed: 42, events: 5000, eventsPerCommit: 500, seal: seal, engineVersion: "test",
                                 signingKey: try TestKeys.key(key))
    return path
}

private func verification(_ path: String) throws -> TraceVerification { try TraceReader(path: path).verify() }

private func scratchPath(_ name: String = #function) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
        "gridtrace-signing-tests-\(getpid())/forged-\(name.filter { $0.isLetter || $0.isNumber }).gtrace").path
}

@Suite struct SigningTests {
    @Test func signedTraceVerifiesAndNamesItsSigner() throws {
        let result = try verification(try makeSignedTrace())
        #expect(result.status == .sealed)
        let key = try TestKeys.key("test-signing-key")
        #expect(result.signer?.publicKey == key.publicKey)
        #expect(hexString(key.publicKey) == "e3417d0a69fc04dde5c40add759ac79a3811b180fa007895761b0b1f6636627e")
        // The header (seq 0), ten commits of 500 events, the seal.
        #expect(result.signer?.signatures == 12)
        #expect(try TestKeys.keyring("test-signing-key.pub").check(result) == .trusted(try #require(result.signer), name: "test-key"))
        #expect(try TestKeys.keyring("keyring").check(result).description.hasPrefix("signed by test key (CI) ("))
        #expect(try TestKeys.keyring("other-signing-key.pub").check(result) == .untrusted(try #require(result.signer)))
    }

    @Test func sameSeedAndKeyGiveIdenticalBytesAndDigestsIgnoreTheKey() throws {
        let first = try makeSignedTrace(name: "one"), second = try makeSignedTrace(name: "two")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        let other = try verification(try makeSignedTrace(key: "other-signing-key"))
        let unsigned = try verification(try makeTrace())
        let signed = try verification(first)
        #expect(unsigned.signer == nil && unsigned.status == .sealed)
        #expect(signed.finalHash == other.finalHash && signed.finalHash == unsigned.finalHash)
        #expect(try TraceReader(path: first).header.hash == TraceReader(path: try makeTrace()).header.hash)
        #expect(try TestKeys.keyring("test-signing-key.pub").check(unsigned) == .unsigned)
    }

    @Test func editedPayloadWithChainAndSealRecomputedFailsAtTheNextSignedCommit() throws {
        let forged = scratchPath()
        try TraceForgery.forge(source: try makeSignedTrace(), destination: forged) { event in
            var event = event
            if event.seq == 1234 { event.payload = event.payload.replacingOccurrences(of: "\"tag\":\"", with: "\"tag\":\"Z") }
            return event
        }
        let result = try verification(forged)
        // The chain and the seal alone were recomputed and hold: only the signature at seq 1500 catches it.
        guard case .corrupt(let seq, let reason) = result.status else { Issue.record("forgery passed: \(result.status)"); return }
        #expect(seq == 1500)
        #expect(reason.hasPrefix("signature at seq 1500 does not verify"))
        #expect(try !TestKeys.keyring("keyring").check(result).isTrusted)
    }

    @Test func forgeryWithoutSignaturesIsUnsignedAndNeverTrusted() throws {
        let forged = scratchPath()
        try TraceForgery.forge(source: try makeSignedTrace(), destination: forged, carry: .none) { event in
            var event = event
            if event.seq == 10 { event.actor = "home:99" }
            return event
        }
        let result = try verification(forged)
        #expect(result.status == .sealed && result.signer == nil)
        #expect(try TestKeys.keyring("keyring").check(result) == .unsigned)
    }

    @Test func truncatedAndResealedFailsAtTheUnsignedSeal() throws {
        let source = try makeSignedTrace()
        let kept = scratchPath("kept"), all = scratchPath("all"), moved = scratchPath("moved")
        try TraceForgery.forge(source: source, destination: kept, keepThrough: 2500, carry: .upTo(seq: 2500))
        try TraceForgery.forge(source: source, destination: all, keepThrough: 2500, carry: .all)
        try TraceForgery.forge(source: source, destination: moved, keepThrough: 2500, carry: .upToWithSealMoved(seq: 2500))
        #expect(try verification(kept).status == .corrupt(atSeq: 2500, reason: "signature missing at seq 2500: the seal is not signed "
                                                           + "(the trace was cut short and resealed, or its seal signature removed)"))
        #expect(try verification(all).status == .corrupt(atSeq: 3000, reason: "signature for seq 3000, after the last event"))
        guard case .corrupt(2500, let reason) = try verification(moved).status else { Issue.record("moved seal signature passed"); return }
        #expect(reason.hasPrefix("seal signature at seq 2500 does not verify"))
    }

    @Test func damagedOrMissingSignaturesAreFoundAtTheirSeq() throws {
        let flipped = try makeSignedTrace(name: "flipped")
        try tamper(flipped, "UPDATE signatures SET signature = zeroblob(64) WHERE seq = 2000")
        #expect(try verification(flipped).status.description.hasPrefix("corrupt at seq 2000: signature at seq 2000 does not verify"))
        let headless = try makeSignedTrace(name: "headless")
        try tamper(headless, "DELETE FROM signatures WHERE seq = 0")
        #expect(try verification(headless).status == .corrupt(atSeq: 0, reason: "signature missing at seq 0 (the header is not signed)"))
        let keyless = try makeSignedTrace(name: "keyless")
        try tamper(keyless, "DELETE FROM signer")
        #expect(try verification(keyless).status == .corrupt(atSeq: 0, reason: "signature without a signer public key"))
        let swapped = try makeSignedTrace(name: "swapped")
        let other = try TestKeys.key("other-signing-key")
        try tamper(swapped, "UPDATE signer SET public_key = x'\(hexString(other.publicKey))'")
        #expect(try verification(swapped).status.description.hasPrefix("corrupt at seq 0: signature at seq 0 does not verify"))
    }

    @Test func unsealedSignedTraceNeedsItsLastCommitSigned() throws {
        let path = try makeSignedTrace(seal: false)
        let result = try verification(path)
        #expect(result.status == .incomplete(atSeq: 5001) && result.signer?.signatures == 11)
        try tamper(path, "DELETE FROM signatures WHERE seq = 5000")
        #expect(try verification(path).status == .corrupt(
            atSeq: 4501, reason: "signature missing at seq 4501: events from it on are signed by no commit"))
    }

    @Test func keyFilesAreValidatedNamingFileAndLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-signing-tests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let short = try write("short", "# comment\n0123\n")
        #expect(throws: TraceKeyError(path: short, line: 2, why: "not an Ed25519 seed: expected 64 hex digits")) {
            try TraceSigningKey.load(path: short)
        }
        let empty = try write("empty", "\n# only a comment\n")
        #expect(throws: TraceKeyError.self) { try TraceSigningKey.load(path: empty) }
        let missing = directory.appendingPathComponent("absent").path
        #expect(throws: TraceKeyError(path: missing, line: nil, why: "no such file")) { try TraceSigningKey.load(path: missing) }
        let ring = try write("ring", "e3417d0a69fc04dde5c40add759ac79a3811b180fa007895761b0b1f6636627e a\n\nnot-hex b\n")
        #expect(throws: TraceKeyError(path: ring, line: 3,
                                      why: "not a public key: expected 64 hex digits (an Ed25519 public key), then an optional name")) {
            try TrustedKeyring.load(path: ring)
        }
        // A key written as its file text reads back as the same key; an unnamed keyring entry is named by fingerprint.
        let key = TraceSigningKey.generate()
        #expect(try TraceSigningKey.load(path: try write("round", key.fileText)).publicKey == key.publicKey)
        let unnamed = try TrustedKeyring.load(path: try write("unnamed", hexString(key.publicKey) + "\n"))
        #expect(unnamed.entries == [TrustedKeyring.Entry(publicKey: key.publicKey, name: key.fingerprint)])
    }
}
