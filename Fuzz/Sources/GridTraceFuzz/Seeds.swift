// Owns the seeds that only the library can make: the synthetic feeder's script (what `gridtrace
// feeder synth` writes) and payloads taken from real traces. scripts/fuzz.sh runs the harness once
// with GRIDTRACE_FUZZ_MAKE_SEEDS=FOLDER (and GRIDTRACE_FUZZ_SEED_TRACES=a.gtrace:b.gtrace); the seeds
// go to FOLDER/feeder and FOLDER/payload, then the process exits before any fuzzing.
import Foundation
import Feeder
import CoSim
import Trace

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    guard let folder = environment["GRIDTRACE_FUZZ_MAKE_SEEDS"] else { return 0 }
    let traces = (environment["GRIDTRACE_FUZZ_SEED_TRACES"] ?? "").split(separator: ":").map(String.init)
    SeedWriter.write(to: folder, traces: traces)
    exit(0)
}

enum SeedWriter {
    /// Payloads kept per kind: enough variety of values, few enough to keep the corpus small.
    static let payloadsPerKind = 4

    static func write(to folder: String, traces: [String]) {
        let feeders = (folder as NSString).appendingPathComponent("feeder")
        let payloads = (folder as NSString).appendingPathComponent("payload")
        for made in [feeders, payloads] { try? FileManager.default.createDirectory(atPath: made, withIntermediateDirectories: true) }
        for seed: UInt64 in [1, 7] {
            save(Array(SyntheticFeeder(seed: seed).openDSSScript().utf8), in: feeders, name: "synthetic-\(seed).dss")
        }
        var kept: [String: Int] = [:]
        var written = 0
        for path in traces {
            guard let reader = try? TraceReader(path: path) else { continue }
            try? reader.forEachEvent { event in
                let count = kept[event.kind, default: 0]
                if count < payloadsPerKind {
                    kept[event.kind] = count + 1
                    written += 1
                    save(Array("\(event.kind)\n\(event.payload)".utf8), in: payloads, name: "trace-\(written).txt")
                }
                return true
            }
        }
        print("seeds: 2 synthetic feeder scripts, \(written) payloads from \(traces.count) traces")
    }

    static func save(_ bytes: [UInt8], in folder: String, name: String) {
        let path = (folder as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fatalError("cannot write \(path)") }
    }
}
