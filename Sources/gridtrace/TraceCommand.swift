// Owns `gridtrace trace info|verify|export|schema|keygen`: inspect, check (with its signatures) and
// export a recorded trace, print the payload reference, and make a signing key.
import ArgumentParser
import Foundation
import Kernel
import Trace
import Verify

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Inspect, verify and export recorded traces (.gtrace).",
        subcommands: [Info.self, Verify.self, Export.self, Schema.self, Keygen.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show a trace's header, event counts by kind, whether it is sealed, and its final hash.")

        @Argument(help: "The trace file.") var file: String
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            let (reader, verification) = try reportingErrors {
                let reader = try TraceReader(path: file)
                return (reader, reader.verify())
            }
            let header = reader.header
            if json {
                var counts: [String: CanonicalJSON] = [:]
                for entry in verification.counts { counts[entry.kind] = .int(entry.count) }
                printJSON([
                    "sealed": .bool(verification.status.isSealed),
                    "status": .string(verification.status.description),
                    "events": .int(verification.verifiedEvents),
                    "counts": .object(counts),
                    "final_hash": .string(hexString(verification.finalHash)),
                    "seed": seedJSON(header.seed),
                    "format_version": .int(header.formatVersion),
                    "engine_version": .string(header.engineVersion),
                    "scenario_sha256": .string(header.scenarioSHA256),
                    "feeder_entry": .string(header.feederEntry),
                    "feeder_files": .int(Int64(header.feederFiles.count)),
                    "feeder_bytes": .int(header.feederFiles.reduce(0) { $0 + $1.byteCount }),
                    "signer": verification.signer.map(signerJSON) ?? .null,
                ])
                return
            }
            print("trace:           \(file)")
            print("format version:  \(header.formatVersion)")
            print("engine version:  \(header.engineVersion)")
            print("seed:            \(header.seed)")
            print("scenario sha256: \(header.scenarioSHA256)")
            if !header.feederDigest.isEmpty { print("feeder digest:   \(header.feederDigest)") }
            if !header.feederFiles.isEmpty {
                print("feeder stored:   \(header.feederEntry) and \(header.feederFiles.count - 1) more files, "
                      + "\(header.feederFiles.reduce(0) { $0 + $1.byteCount }) bytes uncompressed")
            }
            print("status:          \(verification.status)")
            print("events:          \(verification.verifiedEvents)")
            print("final hash:      \(hexString(verification.finalHash))")
            print("signer:          \(verification.signer.map { "key \($0.fingerprint) (public key \(hexString($0.publicKey)))" } ?? "unsigned")")
            print("counts by kind:")
            for entry in verification.counts {
                print("  " + entry.kind.padding(toLength: 22, withPad: " ", startingAt: 0) + String(entry.count))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Verify the hash chain, seal and signatures. Exit 0 only when the chain holds and the trace is sealed.",
            discussion: """
                Prints `sealed`, `incomplete at seq N` (N is the first seq the run did not write) or \
                `corrupt at seq N: reason` (N is the first event failing a check; 0 means the header), then \
                who signed it. A signed trace's signatures are always checked against the public key it \
                names; only --trusted-key FILE (a public key, or a keyring: lines of `HEX [NAME]`) says \
                whether that key is trusted: then an unsigned trace, or one signed by another key, fails.
                Exit codes: 0 sealed (and, with --trusted-key, signed by a trusted key), 1 incomplete, \
                corrupt or not trusted, 2 not a readable trace or key file.
                """)

        @Argument(help: "The trace file.") var file: String
        @Flag(help: "Machine-readable output.") var json = false
        @Option(name: .customLong("trusted-key"), help: "Public key or keyring file (lines of `HEX [NAME]`) the signer must be in.")
        var trustedKey: String?

        func run() throws {
            let trusted = try loadTrustedKeys(trustedKey)
            let verification = try reportingErrors { try TraceReader(path: file).verify() }
            let trust = trusted?.check(verification)
            if json {
                var object: [String: CanonicalJSON] = [
                    "sealed": .bool(verification.status.isSealed),
                    "events": .int(verification.verifiedEvents),
                    "final_hash": .string(hexString(verification.finalHash)),
                    "message": .string(verification.status.description),
                    "signer": verification.signer.map(signerJSON) ?? .null,
                ]
                switch verification.status {
                case .sealed: object["status"] = "sealed"
                case .incomplete(let seq): object["status"] = "incomplete"; object["seq"] = .int(seq)
                case .corrupt(let seq, let reason):
                    object["status"] = "corrupt"; object["seq"] = .int(seq); object["reason"] = .string(reason)
                }
                if let trust { object.merge(trustJSON(trust)) { $1 } }
                printJSON(.object(object))
            } else {
                print(verification.status.isSealed
                      ? "sealed: \(verification.verifiedEvents) events, final hash \(hexString(verification.finalHash))"
                      : verification.status.description)
                if let line = signatureLine(verification, trust: trust) { print(line) }
            }
            if !verification.status.isSealed || trust.map({ !$0.isTrusted }) == true { throw ExitCode(1) }
        }

        /// Who signed, and whether that was checked against a trusted key (nil when the status line says it all).
        private func signatureLine(_ verification: TraceVerification, trust: TraceTrust?) -> String? {
            switch trust {
            case .some(.trusted(_, _)): return trust?.description
            case .some(.notSealed): return "NOT trusted: the trace is not sealed and intact"
            case .some(let verdict): return "NOT trusted: \(verdict)"
            case .none:
                guard verification.status.isSealed else { return nil }
                guard let signer = verification.signer else { return "unsigned: nothing says who recorded it" }
                return "signed by key \(signer.fingerprint) (public key \(hexString(signer.publicKey))): \(signer.signatures) "
                    + "signatures verified against it, but it was not checked against a trusted key (pass --trusted-key FILE)"
            }
        }

        private func trustJSON(_ trust: TraceTrust) -> [String: CanonicalJSON] {
            var object: [String: CanonicalJSON] = ["trusted": .bool(trust.isTrusted), "trust": .string(trust.description)]
            if case .trusted(_, let name) = trust { object["signed_by"] = .string(name) }
            return object
        }
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Make a new Ed25519 trace signing key: FILE (the seed, mode 0600) and FILE.pub (`HEX NAME`, for --trusted-key).",
            discussion: "Refuses to replace an existing FILE. Exit codes: 0 written, 2 FILE exists or cannot be written.")

        @Argument(help: "The key file to create.") var file: String
        @Option(help: "The name written beside the public key in FILE.pub.") var name: String = "signer"
        @Flag(help: "Machine-readable output.") var json = false

        func validate() throws {
            guard !name.contains("\n"), !name.isEmpty else { throw ValidationError("--name must be one non-empty line") }
        }

        func run() throws {
            guard !FileManager.default.fileExists(atPath: file), !FileManager.default.fileExists(atPath: file + ".pub") else {
                throw failure("\(file) or \(file).pub already exists; refusing to replace a key")
            }
            let key = TraceSigningKey.generate()
            guard try writeNewKey(key, to: file, name: name) else { throw failure("\(file): already exists; refusing to replace a key") }
            if json {
                printJSON(["key_file": .string(file), "public_key_file": .string(file + ".pub"),
                           "public_key": .string(hexString(key.publicKey)), "fingerprint": .string(key.fingerprint), "name": .string(name)])
                return
            }
            print("wrote \(file) and \(file).pub: public key \(hexString(key.publicKey)) (fingerprint \(key.fingerprint))")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Export a trace as JSON Lines (header, events in seq order, seal) or as one CSV per event kind.",
            discussion: """
                --format jsonl (the default; --jsonl and --json say the same) writes JSON Lines to stdout or to \
                --out FILE: the header, every event, the seal, each a JSON object. --format csv writes \
                <kind>.csv (seq, time_ms, actor, one column per payload field with its unit) into --out DIR \
                (default: the trace's name without .gtrace, plus -csv). --kind limits either to some kinds.
                """)

        enum Format: String, ExpressibleByArgument { case jsonl, csv }

        @Argument(help: "The trace file.") var file: String
        @Option(help: "jsonl (default) or csv.") var format: Format?
        @Flag(help: "Same as --format jsonl.") var jsonl = false
        @Option(help: "Only events of this kind (repeatable).") var kind: [String] = []
        @Option(help: "jsonl: write to this file (atomically) instead of stdout; csv: the directory.") var out: String?
        @Flag(help: "Accepted for uniformity; the export is JSON already.") var json = false

        var chosen: Format { format ?? .jsonl }

        func validate() throws {
            if (jsonl || json) && format == .csv { throw ValidationError("--\(jsonl ? "jsonl" : "json") contradicts --format csv") }
            do { _ = try FlatExport.kinds(kind) } catch { throw ValidationError("--kind \(error.kind): \(error.why)") }
        }

        func run() throws {
            if chosen == .csv {
                let directory = out ?? ((file.hasSuffix(".gtrace") ? String(file.dropLast(7)) : file) + "-csv")
                let written = try reportingErrors {
                    try FlatExport.writeCSV(tracePath: file, kinds: kind.isEmpty ? nil : try FlatExport.kinds(kind), directory: directory)
                }
                for path in written { print(path) }
                return
            }
            let sink = try OutputSink(path: out)
            do {
                let reader = try TraceReader(path: file)
                try reader.exportJSONLines(kinds: kind.isEmpty ? nil : kind, sink.write)
                try sink.finish()
            } catch {
                sink.abandon()
                throw failure(errorMessage(error))
            }
        }
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema", abstract: "Print the reference of every event kind's payload (docs/trace-schema.md) as Markdown.")

        @Flag(help: "Machine-readable: one object per kind with its emitter and typed fields (key, type, unit, optional, meaning).")
        var json = false

        func run() throws {
            guard json else { return print(TraceSchemaDocument.markdown(), terminator: "") }
            printJSON(["kinds": .array(TracePayloads.schemas.map { schema in
                ["kind": .string(schema.kind.rawValue), "emitted_by": .string(schema.emittedBy),
                 "fields": .array(schema.fields.map { field in
                     ["key": .string(field.key), "type": .string(field.type.rawValue), "unit": field.unit.map { .string($0) } ?? .null,
                      "optional": .bool(field.optional), "meaning": .string(field.meaning)]
                 })]
            })])
        }
    }
}

/// `{"public_key", "fingerprint", "signatures"}` of a trace's verified signer.
func signerJSON(_ signer: TraceSigner) -> CanonicalJSON {
    ["public_key": .string(hexString(signer.publicKey)), "fingerprint": .string(signer.fingerprint),
     "signatures": .int(Int64(signer.signatures))]
}
