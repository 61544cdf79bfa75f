// Owns exporting a trace as JSON Lines for diffing: one canonical JSON object per line, the header
// first, then every event in seq order, then the seal (when there is one).
import Foundation
import Kernel

extension TraceReader {
    /// Writes the JSON Lines export through `write` (one call per line, newline included).
    ///
    /// Event lines are `{"actor":…,"hash":hex,"kind":…,"payload":{…},"record":"event","seq":…,"time_ms":…}`
    /// with the stored payload embedded verbatim (it is already canonical JSON), so two runs can be
    /// compared with `diff`. With `kinds`, only events of those kinds are written (header and seal always).
    public func exportJSONLines(kinds: [String]? = nil, _ write: (String) throws -> Void) throws {
        try write(Self.objectText(headerJSON, embedding: headerEmbeddedJSON) + "\n")
        try forEachEvent { event in
            if let kinds, !kinds.contains(event.kind) { return true }
            var line = "{\"actor\":"
            CanonicalJSON.writeString(event.actor, to: &line)
            line += ",\"hash\":\"" + hexString(event.hash) + "\",\"kind\":"
            CanonicalJSON.writeString(event.kind, to: &line)
            line += ",\"payload\":" + event.payload + ",\"record\":\"event\",\"seq\":" + String(event.seq)
            line += ",\"time_ms\":" + String(event.timeMilliseconds) + "}\n"
            try write(line)
            return true
        }
        if let seal = storedSeal() {
            let line: CanonicalJSON = [
                "record": "seal", "events": .int(seal.events), "final_hash": .string(hexString(seal.finalHash)),
                "seed": .seed(seal.seed),
            ]
            try write(Self.objectText(line, embedding: ["counts": seal.countsJSON]) + "\n")
        }
    }

    /// The header's members that are stored as canonical JSON text (ground truth, parameters): the
    /// export embeds them as JSON values, never as JSON inside strings.
    var headerEmbeddedJSON: [String: String] {
        ["ground_truth": header.groundTruth, "parameters": header.parameters]
    }

    /// `object`'s canonical text with `embedding`'s members added as the JSON text they hold (each
    /// already canonical; an empty text is `null`, and a text that is not JSON — a damaged trace — is
    /// kept as a string so the line stays valid JSON), keys in canonical order.
    static func objectText(_ object: CanonicalJSON, embedding: [String: String]) -> String {
        guard case .object(let members) = object else { return object.text }
        var ordered: [(key: String, text: String)] = []
        for key in members.keys.sorted() where embedding[key] == nil {  // determinism: sorted
            ordered.append((key, members[key]?.text ?? "null"))
        }
        for key in embedding.keys.sorted() {  // determinism: sorted
            let value = embedding[key] ?? ""
            if value.isEmpty { ordered.append((key, "null")); continue }
            let isJSON = (try? JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])) != nil
            ordered.append((key, isJSON ? value : CanonicalJSON.string(value).text))
        }
        ordered.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }  // canonical order: by UTF-8 bytes
        var text = "{"
        for (index, member) in ordered.enumerated() {
            if index > 0 { text += "," }
            CanonicalJSON.writeString(member.key, to: &text)
            text += ":" + member.text
        }
        return text + "}"
    }

    /// The header as canonical JSON, the seed a number (see `CanonicalJSON.seed`); ground truth and
    /// parameters as their stored JSON text (`exportJSONLines` embeds them as values).
    public var headerJSON: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "record": "header",
            "format_version": .int(header.formatVersion),
            "engine_version": .string(header.engineVersion),
            "seed": .seed(header.seed),
            "scenario_sha256": .string(header.scenarioSHA256),
            "scenario_text": .string(header.scenarioText),
            "feeder_digest": .string(header.feederDigest),
            "ground_truth": .string(header.groundTruth),
            "parameters": .string(header.parameters),
        ]
        if header.formatVersion >= 2 {
            members["feeder_entry"] = .string(header.feederEntry)
            members["feeder_files"] = .array(header.feederFiles.map {
                ["path": .string($0.path), "sha256": .string($0.sha256), "size_bytes": .int($0.byteCount)]
            })
        }
        return .object(members)
    }
}
