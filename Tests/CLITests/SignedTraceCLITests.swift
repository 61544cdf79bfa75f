// Signed traces through the built binary: the recorder signs with --signing-key (or the test key
// CLIRunner sets, or the installation's key, made once with mode 0600); `trace verify`, `verify` and
// `audit` take --trusted-key; forgeries (an edited payload with chain and seal recomputed, a trace
// cut in half and resealed, signatures stripped, another key) fail with exit 1 at their seq.
import Foundation
import TestSupport
import Testing
import Trace

@Suite struct SignedTraceCLITests {
    static let keys = SharedData.packageRoot.appendingPathComponent("Tests/Fixtures/signing")
    static let testPublicKey = "e3417d0a69fc04dde5c40add759ac79a3811b180fa007895761b0b1f6636627e"
    static func key(_ name: String) -> String { keys.appendingPathComponent(name).path }

    /// A signed selftest trace (2,000 events, 100 per commit) in a fresh folder.
    static func selftestTrace(_ name: String = #function, extra: [String] = []) throws -> (folder: URL, path: String) {
        let folder = try CLI.scratch(name)
        let path = folder.appendingPathComponent("t.gtrace").path
        let write = try CLI.run(["selftest-run", "--seed", "5", "--events", "2000", "--per-commit", "100", "--out", path] + extra)
        #expect(write.status == 0, "\(write.stderr)")
        return (folder, path)
    }

    @Test func signedTraceVerifiesAndSaysWhoSignedIt() throws {
        let (_, path) = try Self.selftestTrace()
        let plain = try CLI.run(["trace", "verify", path])
        #expect(plain.status == 0, "\(plain.stdout)\(plain.stderr)")
        #expect(plain.stdout.contains("public key \(Self.testPublicKey)): 22 signatures verified against it, "
                                      + "but it was not checked against a trusted key"), "\(plain.stdout)")
        let trusted = try CLI.run(["trace", "verify", path, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(trusted.status == 0, "\(trusted.stdout)")
        #expect(trusted.stdout.split(separator: "\n").last?.hasPrefix("signed by test-key (") == true, "\(trusted.stdout)")
        let ring = try CLI.run(["trace", "verify", path, "--trusted-key", Self.key("keyring"), "--json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(ring.stdout.utf8)) as? [String: Any])
        #expect(ring.status == 0 && object["trusted"] as? Bool == true && object["signed_by"] as? String == "test key (CI)")
        #expect((object["signer"] as? [String: Any])?["public_key"] as? String == Self.testPublicKey)
    }

    @Test func traceSignedByAnotherKeyIsNotTrusted() throws {
        let (_, path) = try Self.selftestTrace(extra: ["--signing-key", Self.key("other-signing-key")])
        let result = try CLI.run(["trace", "verify", path, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("NOT trusted: signed by an untrusted key "), "\(result.stdout)")
        #expect(try CLI.run(["trace", "verify", path, "--trusted-key", Self.key("other-signing-key.pub")]).status == 0)
    }

    @Test func editedAndRehashedTraceFailsTrustedVerification() throws {
        let (folder, path) = try Self.selftestTrace()
        let forged = folder.appendingPathComponent("forged.gtrace").path
        try TraceForgery.forge(source: path, destination: forged) { event in
            var event = event
            if event.seq == 1234 { event.payload = event.payload.replacingOccurrences(of: "\"n\":", with: "\"n\":1") }
            return event
        }
        let result = try CLI.run(["trace", "verify", forged, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("corrupt at seq 1300: signature at seq 1300 does not verify"), "\(result.stdout)")
        #expect(result.stdout.contains("NOT trusted"))
        // Stripped of its signatures, the forgery's unkeyed chain holds: only the key check refuses it.
        let stripped = folder.appendingPathComponent("stripped.gtrace").path
        try TraceForgery.forge(source: forged, destination: stripped, carry: .none)
        let untrusted = try CLI.run(["trace", "verify", stripped])
        #expect(untrusted.status == 0 && untrusted.stdout.contains("unsigned: nothing says who recorded it"), "\(untrusted.stdout)")
        let refused = try CLI.run(["trace", "verify", stripped, "--trusted-key", Self.key("keyring")])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("NOT trusted: unsigned: signature missing at seq 0"), "\(refused.stdout)")
    }

    @Test func truncatedAndResealedTraceFails() throws {
        let (folder, path) = try Self.selftestTrace()
        let forged = folder.appendingPathComponent("half.gtrace").path
        try TraceForgery.forge(source: path, destination: forged, keepThrough: 1000, carry: .upTo(seq: 1000))
        let result = try CLI.run(["trace", "verify", forged, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("corrupt at seq 1000: signature missing at seq 1000: the seal is not signed"), "\(result.stdout)")
        #expect(try CLI.run(["trace", "verify", forged]).status == 1, "the missing seal signature fails even without a trusted key")
    }

    /// A real run signed with --signing-key: `verify` and `audit` pass with the right key, and the
    /// edited and the truncated forgeries of it fail `verify --trusted-key` with exit 1.
    @Test func runTraceForgeriesFailVerifyAndAuditWithTheKeyCheck() throws {
        let folder = try CLI.scratch()
        let out = folder.appendingPathComponent("run").path
        let run = try CLI.run(["run", SharedData.packageRoot.appendingPathComponent("scenarios/default.toml").path, "--intervals", "3",
                               "--variant", "p2p", "--out", out, "--signing-key", Self.key("other-signing-key")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("signed by key ") && run.stdout.contains("from \(Self.key("other-signing-key"))"), "\(run.stdout)")
        let trace = out + "/p2p.gtrace"
        let good = try CLI.run(["verify", trace, "--trusted-key", Self.key("keyring")])
        #expect(good.status == 0 && good.stdout.contains("PASS  signature: signed by other-key ("), "\(good.stdout)")
        let wrong = try CLI.run(["verify", trace, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(wrong.status == 1 && wrong.stdout.contains("FAIL  signature: signed by an untrusted key"), "\(wrong.stdout)")

        let edited = folder.appendingPathComponent("edited.gtrace").path
        try TraceForgery.forge(source: trace, destination: edited) { event in
            var event = event
            if event.seq == 40 { event.actor += "x" }
            return event
        }
        let editedResult = try CLI.run(["verify", edited, "--trusted-key", Self.key("keyring")])
        #expect(editedResult.status == 1 && editedResult.stdout.contains("signature at seq"), "\(editedResult.stdout)")
        let info = try CLI.run(["trace", "info", trace, "--json"])
        let events = try #require((try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])?["events"] as? Int)
        let half = folder.appendingPathComponent("half.gtrace").path
        try TraceForgery.forge(source: trace, destination: half, keepThrough: Int64(events / 2), carry: .upTo(seq: Int64(events / 2)))
        let halfResult = try CLI.run(["verify", half, "--trusted-key", Self.key("keyring")])
        #expect(halfResult.status == 1 && halfResult.stdout.contains("FAIL  hash chain and seal: corrupt at seq"), "\(halfResult.stdout)")

        let refused = try CLI.run(["audit", trace, "--trusted-key", Self.key("test-signing-key.pub"), "--out", folder.appendingPathComponent("a.gtrace").path])
        #expect(refused.status == 1 && refused.stderr.contains("NOT trusted: signed by an untrusted key"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("a.gtrace").path))
        let auditedForgery = try CLI.run(["audit", edited, "--trusted-key", Self.key("keyring"), "--out", folder.appendingPathComponent("c.gtrace").path])
        #expect(auditedForgery.status == 1 && auditedForgery.stderr.contains("NOT trusted: corrupt at seq"), "\(auditedForgery.stderr)")
        let audited = try CLI.run(["audit", trace, "--trusted-key", Self.key("other-signing-key.pub"), "--out", folder.appendingPathComponent("b.gtrace").path])
        #expect(audited.status == 0, "\(audited.stderr)")
        let findings = try CLI.run(["trace", "verify", folder.appendingPathComponent("b.gtrace").path, "--trusted-key", Self.key("test-signing-key.pub")])
        #expect(findings.status == 0, "the findings trace is signed by the recording key: \(findings.stdout)")
    }

    @Test func unsignedFormatTwoReferenceTraceStillVerifiesButIsNeverTrusted() throws {
        let reference = SharedData.packageRoot.appendingPathComponent("traces/default-12/p2p.gtrace").path
        let plain = try CLI.run(["trace", "verify", reference])
        #expect(plain.status == 0 && plain.stdout.contains("unsigned"), "\(plain.stdout)")
        let trusted = try CLI.run(["verify", reference, "--trusted-key", Self.key("keyring")])
        #expect(trusted.status == 1)
        #expect(trusted.stdout.contains("FAIL  signature: unsigned: signature missing at seq 0"), "\(trusted.stdout)")
    }

    @Test func badKeyFilesExitTwoNamingTheFile() throws {
        let folder = try CLI.scratch()
        let bad = folder.appendingPathComponent("bad-key").path
        try "not a key\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let record = try CLI.run(["selftest-run", "--events", "10", "--out", folder.appendingPathComponent("t.gtrace").path, "--signing-key", bad])
        #expect(record.status == 2)
        #expect(record.stderr.contains("\(bad):1: not an Ed25519 seed"), "\(record.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("t.gtrace").path))
        let (_, path) = try Self.selftestTrace("badKeyTrace")
        let verify = try CLI.run(["trace", "verify", path, "--trusted-key", bad])
        #expect(verify.status == 2 && verify.stderr.contains("\(bad):1: not a public key"), "\(verify.stderr)")
        let privateKey = try CLI.run(["trace", "verify", path, "--trusted-key", Self.key("test-signing-key")])
        #expect(privateKey.status == 2 && privateKey.stderr.contains("this is a signing (private) key file"), "\(privateKey.stderr)")
        let fromEnvironment = try CLI.run(["selftest-run", "--events", "10", "--out", path + "2"], environment: ["GRIDTRACE_SIGNING_KEY": bad])
        #expect(fromEnvironment.status == 2 && fromEnvironment.stderr.contains(bad))
    }

    /// Without --signing-key or $GRIDTRACE_SIGNING_KEY, the installation's key is made once (0600)
    /// under $GRIDTRACE_HOME, reported, and reused.
    @Test func installationKeyIsMadeOnceAndReported() throws {
        let folder = try CLI.scratch()
        let home = folder.appendingPathComponent("home").path
        let environment = ["GRIDTRACE_SIGNING_KEY": "", "GRIDTRACE_HOME": home]
        let first = try CLI.run(["selftest-run", "--events", "50", "--out", folder.appendingPathComponent("a.gtrace").path, "--json"],
                                environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let signer = try #require((try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])?["signer"] as? [String: Any])
        #expect(signer["created"] as? Bool == true && signer["key_file"] as? String == home + "/signing-key")
        let attributes = try FileManager.default.attributesOfItem(atPath: home + "/signing-key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let second = try CLI.run(["selftest-run", "--events", "50", "--out", folder.appendingPathComponent("b.gtrace").path], environment: environment)
        #expect(second.status == 0 && second.stdout.contains("from \(home)/signing-key"), "\(second.stdout)")
        #expect(second.stdout.contains(signer["public_key"] as? String ?? "?"))
        let verify = try CLI.run(["trace", "verify", folder.appendingPathComponent("b.gtrace").path, "--trusted-key", home + "/signing-key.pub"])
        #expect(verify.status == 0 && verify.stdout.contains("signed by installation ("), "\(verify.stdout)")
    }

    @Test func keygenWritesAKeyPairAndNeverReplacesOne() throws {
        let folder = try CLI.scratch()
        let path = folder.appendingPathComponent("k").path
        let made = try CLI.run(["trace", "keygen", path, "--name", "lab"])
        #expect(made.status == 0 && made.stdout.hasPrefix("wrote \(path) and \(path).pub: public key "), "\(made.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: path + ".pub", encoding: .utf8).hasSuffix(" lab\n"))
        let again = try CLI.run(["trace", "keygen", path])
        #expect(again.status == 2 && again.stderr.contains("refusing to replace a key"))
        let (_, trace) = try Self.selftestTrace("keygenTrace", extra: ["--signing-key", path])
        #expect(try CLI.run(["trace", "verify", trace, "--trusted-key", path + ".pub"]).stdout.contains("signed by lab ("))
    }
}
