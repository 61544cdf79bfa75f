// Owns result.json, what a run leaves when it ends (done or failed): its seeds, parameters, traces
// with their header and seal digests and whether they verified, and every metric per variant. The
// wall time is its only field that differs between two executions of the same run.
import Foundation
import Kernel
import Verify

public struct RunResult: Sendable, Equatable {
    public enum Status: String, Sendable { case done, failed }

    public struct TraceEntry: Sendable, Equatable {
        public var variant: String
        /// Relative to the sweep folder (`runs/0003/p2p.gtrace`).
        public var path: String
        public var headerDigest: String
        public var sealDigest: String
        public var verified: Bool
    }

    public struct Metric: Sendable, Equatable {
        public var variant: String
        public var name: String
        public var value: Double
    }

    public var runIndex: Int
    public var status: Status
    public var error: String?
    public var wallSeconds: Double
    public var engine: String
    public var seeds: RunSeeds
    public var parameters: [SweepManifest.Parameter]
    public var traces: [TraceEntry]
    /// Per variant in run order, each variant's metrics by name.
    public var metrics: [Metric]

    public var json: CanonicalJSON {
        var byVariant: [String: CanonicalJSON] = [:]
        for variant in traces.map(\.variant) {
            byVariant[variant] = .object(Dictionary(metrics.filter { $0.variant == variant }.map { ($0.name, CanonicalJSON.double($0.value)) },
                                                    uniquingKeysWith: { $1 }))
        }
        return [
            "run_index": .int(Int64(runIndex)), "status": .string(status.rawValue), "error": error.map(CanonicalJSON.string) ?? .null,
            "wall_seconds": .double(wallSeconds), "engine": .string(engine), "seeds": seeds.json,
            "parameters": .object(Dictionary(parameters.map { parameter in
                (parameter.key, parameter.numericValue.map(CanonicalJSON.double) ?? .string(parameter.value))
            }, uniquingKeysWith: { $1 })),
            "traces": .array(traces.map { trace in
                ["variant": .string(trace.variant), "path": .string(trace.path), "header_digest": .string(trace.headerDigest),
                 "seal_digest": .string(trace.sealDigest), "verified": .bool(trace.verified)]
            }),
            "metrics": .object(byVariant),
        ]
    }

    /// Writes result.json so it is never seen half-written.
    func write(_ layout: SweepLayout) throws {
        try Data((json.text + "\n").utf8).write(to: URL(fileURLWithPath: layout.resultPath(runIndex)), options: .atomic)
    }

    /// Reads a run's result.json; nil when there is none yet.
    public static func read(_ layout: SweepLayout, index: Int) throws(SweepError) -> RunResult? {
        guard let data = FileManager.default.contents(atPath: layout.resultPath(index)) else { return nil }
        let context = SweepLayout.runFolder(index) + "/result.json"
        do {
            return try RunResult(json: try parsePayloadJSON(String(decoding: data, as: UTF8.self)), context: context)
        } catch let error as SweepError {
            throw error
        } catch {
            throw .badResult("\(context): \(error)")
        }
    }

    init(json: CanonicalJSON, context: String) throws(SweepError) {
        let fields = JSONFields(json, context: context)
        runIndex = Int(try fields.int("run_index"))
        guard let status = Status(rawValue: try fields.string("status")) else { throw .badResult("\(context): unknown status") }
        self.status = status
        error = try fields.optionalString("error")
        wallSeconds = try fields.double("wall_seconds")
        engine = try fields.string("engine")
        seeds = try RunSeeds(json: try fields.member("seeds"))
        guard case .object(let parameterMembers) = try fields.member("parameters") else { throw .badResult("\(context): parameters") }
        parameters = parameterMembers.keys.sorted().compactMap { key in  // determinism: sorted
            switch parameterMembers[key] {
            case .int(let value): return SweepManifest.Parameter(key: key, value: String(value), numericValue: Double(value))
            case .double(let value): return SweepManifest.Parameter(key: key, value: value.description, numericValue: value)
            case .string(let text): return SweepManifest.Parameter(key: key, value: text, numericValue: nil)
            default: return nil
            }
        }
        var traces: [TraceEntry] = []
        for item in try fields.array("traces") {
            let trace = JSONFields(item, context: context + " traces")
            traces.append(TraceEntry(variant: try trace.string("variant"), path: try trace.string("path"),
                                     headerDigest: try trace.string("header_digest"), sealDigest: try trace.string("seal_digest"),
                                     verified: try trace.bool("verified")))
        }
        self.traces = traces
        let metricsByVariant = JSONFields(try fields.member("metrics"), context: context + " metrics")
        var metrics: [Metric] = []
        for variant in traces.map(\.variant) {
            let values = JSONFields(try metricsByVariant.member(variant), context: context + " metrics." + variant)
            for name in values.members.keys.sorted() {  // determinism: sorted
                metrics.append(Metric(variant: variant, name: name, value: try values.double(name)))
            }
        }
        self.metrics = metrics
    }

    init(runIndex: Int, status: Status, error: String?, wallSeconds: Double, engine: String, seeds: RunSeeds,
         parameters: [SweepManifest.Parameter], traces: [TraceEntry], metrics: [Metric]) {
        self.runIndex = runIndex; self.status = status; self.error = error; self.wallSeconds = wallSeconds; self.engine = engine
        self.seeds = seeds; self.parameters = parameters; self.traces = traces; self.metrics = metrics
    }
}
