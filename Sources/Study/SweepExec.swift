// Owns executing runs of a prepared sweep folder (`gridtrace sweep exec`, what every engine
// starts): each run is skipped when its result says done and its sealed traces still carry the
// recorded header digests, else run as `gridtrace run` would run its run.toml, then verified and
// audited in process, and its result.json written whether it succeeded or failed.
import CoSim
import Foundation
import Kernel
import Trace
import Verify

public enum SweepExec {
    /// What `exec` did with one run.
    public enum Outcome: String, Sendable { case skipped, done, failed }

    /// Runs `runIndices` one after another, recording the engine manifest.json names. Throws only when the folder itself is unusable; a run's
    /// failure is in its result.json.
    /// `clock` times each run for its result.json.
    public static func execute(sweepDirectory: String, runIndices: [Int], signingKey: TraceSigningKey?,
                               clock: @escaping MonotonicSeconds, report: (Int, Outcome) -> Void = { _, _ in }) throws(SweepError) {
        let layout = SweepLayout(directory: sweepDirectory)
        let manifest = try SweepManifest.read(layout)
        for index in runIndices {
            guard let run = manifest.runs.first(where: { $0.index == index }) else {
                throw .unusableFolder("\(sweepDirectory): the sweep has no run \(index) (runs 0…\(manifest.runs.count - 1))")
            }
            if isDone(layout, index: index) {
                report(index, .skipped)
                continue
            }
            let result = executeOne(layout, run: run, engine: manifest.engine, signingKey: signingKey, clock: clock)
            do {
                try result.write(layout)
            } catch {
                throw .unusableFolder("\(layout.resultPath(index)): cannot write: \(error)")
            }
            report(index, result.status == .done ? .done : .failed)
        }
    }

    /// Whether run `index` is done: result.json says so, and every trace it names is sealed, was
    /// written from the run's current run.toml and has the recorded header digest.
    public static func isDone(_ layout: SweepLayout, index: Int) -> Bool {
        guard let result = try? RunResult.read(layout, index: index), result.status == .done, !result.traces.isEmpty,
              let scenario = FileManager.default.contents(atPath: layout.scenarioPath(index)) else { return false }
        let scenarioText = String(decoding: scenario, as: UTF8.self)
        return result.traces.allSatisfy { trace in
            guard let reader = try? TraceReader(path: layout.path(trace.path)) else { return false }
            return hexString(reader.header.hash) == trace.headerDigest && reader.header.scenarioText == scenarioText
                && reader.verify().status.isSealed
        }
    }

    private static func executeOne(_ layout: SweepLayout, run: SweepManifest.Run, engine: String,
                                   signingKey: TraceSigningKey?, clock: @escaping MonotonicSeconds) -> RunResult {
        let elapsed = Elapsed(clock)
        var result = RunResult(runIndex: run.index, status: .failed, error: nil, wallSeconds: 0, engine: engine, seeds: run.seeds,
                               parameters: run.parameters, traces: [], metrics: [])
        do {
            let folder = layout.runFolder(run.index)
            let lock = try OutputFolderLock(folder: folder)
            defer { withExtendedLifetime(lock) {} }
            try clearOutputs(folder)
            let scenario = try Scenario.load(path: layout.scenarioPath(run.index))
            result.seeds = RunSeeds(scenario)
            let summary = try CoSimulation.run(scenario, directory: folder, signingKey: signingKey)
            _ = try RunTables.write(summary.variants.map { ($0.variant.rawValue, $0.tracePath) }, directory: folder)
            for variant in summary.variants {
                let measured = try measure(variant, layout: layout, runIndex: run.index, signingKey: signingKey)
                result.traces.append(measured.trace)
                result.metrics += measured.metrics
            }
            result.status = .done
        } catch {
            result.error = "\(error)"
        }
        result.wallSeconds = elapsed.seconds
        return result
    }

    /// Removes what an earlier, unfinished execution of the run left (everything but run.toml and the lock).
    private static func clearOutputs(_ folder: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name != "run.toml" && name != ".gridtrace.lock" {
            try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }

    /// One variant's trace entry and metrics: summary.json's numbers, whether the trace verifies,
    /// and for a trace with orders the audit's precision and recall against the header's ground truth.
    private static func measure(_ variant: VariantSummary, layout: SweepLayout, runIndex: Int,
                                signingKey: TraceSigningKey?) throws -> (trace: RunResult.TraceEntry, metrics: [RunResult.Metric]) {
        let name = variant.variant.rawValue
        let reader = try TraceReader(path: variant.tracePath)
        let verified = try TraceVerifier.verify(path: variant.tracePath).passed
        var metrics = flattenedNumbers(variant.json).map { RunResult.Metric(variant: name, name: $0.name, value: $0.value) }
        metrics.append(RunResult.Metric(variant: name, name: "verified", value: verified ? 1 : 0))
        if variant.variant == .p2p {
            let audit = try TraceAudit.run(tracePath: variant.tracePath, signingKey: signingKey)
            metrics.append(RunResult.Metric(variant: name, name: "audit_flagged", value: Double(audit.report.flagged.count)))
            if let score = audit.score {
                metrics += [("audit_precision", score.precision), ("audit_recall", score.recall),
                            ("audit_true_positives", Double(score.truePositives)), ("audit_false_positives", Double(score.falsePositives)),
                            ("audit_false_negatives", Double(score.falseNegatives))].map { RunResult.Metric(variant: name, name: $0.0, value: $0.1) }
            }
        }
        let trace = RunResult.TraceEntry(variant: name, path: SweepLayout.runFolder(runIndex) + "/" + CoSimulation.traceName(variant.variant),
                                         headerDigest: hexString(reader.header.hash), sealDigest: variant.finalHash, verified: verified)
        return (trace, metrics.sorted { $0.name < $1.name })
    }

    /// Every number and boolean (as 0 or 1) of a JSON object, nested objects as dotted names, sorted by name.
    static func flattenedNumbers(_ json: CanonicalJSON, prefix: String = "") -> [(name: String, value: Double)] {
        guard case .object(let members) = json else { return [] }
        var out: [(name: String, value: Double)] = []
        for key in members.keys.sorted() {  // determinism: sorted
            let name = prefix + key
            switch members[key] {
            case .int(let value): out.append((name, Double(value)))
            case .double(let value) where value.isFinite: out.append((name, value))  // NaN has no place in a REAL NOT NULL column
            case .bool(let value): out.append((name, value ? 1 : 0))
            case .some(.object(let nested)): out += flattenedNumbers(.object(nested), prefix: name + ".")
            default: break
            }
        }
        return out
    }
}

/// Monotonic seconds from an arbitrary origin, supplied by the caller (the CLI reads the clock), so
/// that no library module reads one: a sweep reports elapsed time beside its results (result.json's
/// wall_seconds, the progress ETA), never in a trace.
public typealias MonotonicSeconds = @Sendable () -> Double

/// Seconds elapsed since it was made, on the caller's clock.
struct Elapsed {
    private let now: MonotonicSeconds
    private let start: Double

    init(_ now: @escaping MonotonicSeconds) {
        self.now = now
        start = now()
    }

    var seconds: Double { now() - start }
}
