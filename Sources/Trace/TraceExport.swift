// Owns exporting a trace as JSON Lines for diffing: one canonical JSON object per line, the header
// first, then every event in seq order, then the seal (when there is one).
import Kernel

extension TraceReader {
    /// Writes the JSON Lines export through `write` (one call per line, newline included).
    ///
    /// Event lines are `{"actor":…,"hash":hex,"kind":…,"payload":{…},"record":"event","seq":…,"time_ms":…}`
    /// with the stored payload embedded verbatim (it is already canonical JSON), so two runs can be
    /// compared with `diff`. With `kinds`, only events of those kinds are written (header and seal always).
    public func exportJSONLines(kinds: [String]? = nil, _ write: (String) throws -> Void) throws {
        try write(headerJSON.text + "\n")
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
                "seed": .string(String(seal.seed)), "counts": .string(seal.countsJSON),
            ]
            try write(line.text + "\n")
        }
    }

    /// The header as canonical JSON (the seed as a decimal string: JSON numbers lose 64-bit precision).
    public var headerJSON: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "record": "header",
            "format_version": .int(header.formatVersion),
            "engine_version": .string(header.engineVersion),
            "seed": .string(String(header.seed)),
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
