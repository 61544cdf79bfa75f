// Owns the targets whose reader takes bytes from memory: the OpenDSS script, CIM XML and payloads.
import Foundation
import Feeder
import Kernel
import Trace
import Verify

enum FeederFuzz {
    /// Input: the entry script, optionally a NUL and the text of a second file that the script may
    /// name as `extra.dss` (Redirect) or `extra.csv` (load-shape data).
    static func run(_ bytes: [UInt8]) {
        let (script, extra) = splitAtNul(bytes)
        var files = [FeederFile(path: "fuzz.dss", bytes: script)]
        if let extra {
            files += [FeederFile(path: "extra.dss", bytes: extra), FeederFile(path: "extra.csv", bytes: extra)]
        }
        _ = try? FeederImporter.compile(files: FeederFileSet(entry: "fuzz.dss", files: files))
    }
}

enum CIMFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let objects = try? CIMReader.read(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.xml") else { return }
        _ = try? CIMNetwork(objects: objects, file: "fuzz.xml")
    }
}

enum PayloadFuzz {
    /// Input: `KIND\nJSON`. An unknown kind still has its JSON parsed.
    static func run(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let kind = String(decoding: bytes[..<newline], as: UTF8.self)
        let payload = newline < bytes.endIndex ? String(decoding: bytes[(newline + 1)...], as: UTF8.self) : ""
        // The steps of TraceEvent.typedPayload(): parse the JSON, then the kind's strict reader.
        guard let json = try? parsePayloadJSON(payload), let type = TracePayloads.type(of: kind) else { return }
        _ = try? type.init(reading: json, seq: 1)
    }
}
