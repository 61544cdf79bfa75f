// Owns running a scenario end to end: prepare the feeder once, run each scenario of the pair into
// its own sealed trace (one commit per interval), and collect the day's figures for summary.json.
import Chain
import Foundation
import Kernel
import Market
import PowerFlow
import Trace

/// The engine version written into every trace header.
public enum EngineVersion {
    public static let current = "0.1.0"
}

/// Writes each interval's events to a trace and commits them (one commit per market interval).
public struct TraceSink: EventSink {
    public let writer: TraceWriter

    public init(writer: TraceWriter) { self.writer = writer }

    public mutating func write(interval: Int, events: [EventRecord]) throws {
        try write(interval: interval, events: events, checkpoint: nil)
    }

    /// Appends the events; a checkpoint's state is stored (compressed) under the seq of its event,
    /// the interval's last, in the same commit.
    public mutating func write(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?) throws {
        var lastSeq: Int64 = 0
        for event in events { lastSeq = try writer.append(event) }
        if let checkpoint { try writer.storeCheckpoint(seq: lastSeq, interval: checkpoint.interval, bytes: checkpoint.bytes) }
        try writer.commit()
    }
}

/// The day's figures of one scenario (the paper's Table 2 and more).
public struct VariantSummary: Sendable {
    public var variant: Scenario.Variant
    public var tracePath: String
    public var events: Int64
    public var finalHash: String
    public var metrics: TimeSeriesMetrics
    public var allConverged: Bool
    public var p2pVolumeKilowattHours: Double
    public var contracts: Int
    public var contractsFallenBack: Int
    public var adversaries: [AdversaryAssignment]
    public var outcomes: [IntervalOutcome]
    public var sourceElement: String
    /// The voltage band the scenario judges its nodes by (`[grid] limits`); the metrics' first
    /// violation counts are against it.
    public var limits: VoltageLimits

    /// Node-steps outside `limits` (a node outside the band at one step counts once).
    public var nodeStepsOutsideLimits: Int { metrics.violationNodeSteps.first ?? 0 }
    /// Each home's phase (1, 2, 3; 0 when unknown), in home order.
    public var homePhases: [Int] = []
    /// The chain's day (blocks, forks, reorgs, confirmation times); nil for the scenario without P2P.
    public var chain: ChainStatistics? = nil

    /// The summary.json object of this scenario.
    public var json: CanonicalJSON {
        [
            "trace": .string((tracePath as NSString).lastPathComponent),
            "events": .int(events), "final_hash": .string(finalHash),
            // Export and import are summed per interval (reverse and forward flow at the source);
            // net export is their difference (negative: the feeder drew more than it returned).
            "export_kwh": .double(metrics.energyExportedKilowattHours),
            "import_kwh": .double(metrics.energyImportedKilowattHours),
            "net_export_kwh": .double(-metrics.energyNetKilowattHours),
            "net_import_kwh": .double(metrics.energyNetKilowattHours),
            "reactive_kvarh": .double(metrics.reactiveEnergyAbsoluteKilovarHours),
            "max_kva": .double(metrics.maxApparentPowerKilovoltAmperes),
            "losses_kwh": .double(metrics.lossesKilowattHours),
            "losses_pct": .double(metrics.lossesPercentOfLoadEnergy),
            "load_energy_kwh": .double(metrics.loadEnergyKilowattHours),
            "unbalance_range_pct": .double(metrics.unbalanceSpread.value),
            "unbalance_dev_pct": .double(metrics.unbalanceMaxDeviation.value),
            "vuf_pct": .double(metrics.unbalanceVUF.value),
            "vmin_pu": .double(metrics.voltageMin.value), "vmax_pu": .double(metrics.voltageMax.value),
            "all_converged": .bool(allConverged),
            "p2p_volume_kwh": .double(p2pVolumeKilowattHours),
            "contracts": .int(Int64(contracts)), "contracts_fallen_back": .int(Int64(contractsFallenBack)),
            "source_element": .string(sourceElement),
            "voltage_limits": [
                "standard": .string(limits.name), "low_pu": .double(limits.lowPerUnit), "high_pu": .double(limits.highPerUnit),
                "node_steps_outside": .int(Int64(nodeStepsOutsideLimits)),
                "steps_outside": .int(Int64(metrics.violationSteps.first ?? 0)),
                "passed": .bool(nodeStepsOutsideLimits == 0),
            ],
            "chain": chain.map(Self.chainJSON) ?? .null,
        ]
    }

    /// The chain figures of the paper's Figs. 5–6 (a mean confirmation time without any confirmation is null).
    static func chainJSON(_ chain: ChainStatistics) -> CanonicalJSON {
        func seconds(_ value: Double) -> CanonicalJSON { value.isFinite ? .double(value) : .null }
        return [
            "blocks_mined": .int(Int64(chain.blocksMined)), "forks": .int(Int64(chain.forks)), "fork_rate": .double(chain.forkRate),
            "orphans": .int(Int64(chain.orphans)), "reorgs": .int(Int64(chain.reorgEvents)),
            "confirmation_mean_s": seconds(chain.confirmationMeanSeconds), "confirmation_p95_s": seconds(chain.confirmationP95Seconds),
        ]
    }
}

/// A finished scenario pair.
public struct RunSummary: Sendable {
    public var scenario: Scenario
    public var variants: [VariantSummary]

    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "scenario": .string(scenario.name), "seed": .seed(scenario.seed),
            "intervals": .int(Int64(scenario.intervals)), "engine_version": .string(EngineVersion.current),
        ]
        for variant in variants { members[variant.variant.rawValue] = variant.json }
        return .object(members)
    }
}

public enum CoSimulation {
    /// The trace file name of a scenario of the pair.
    public static func traceName(_ variant: Scenario.Variant) -> String { variant.rawValue + ".gtrace" }

    /// The header a run of `variant` writes (and a replay re-derives the run from).
    public static func header(scenario: Scenario, variant: Scenario.Variant, feeder: PreparedFeeder,
                              adversaries: [AdversaryAssignment]) -> TraceHeader {
        // The feeder is named by what it is, never by where it was read from: an OpenDSS feeder's
        // files are stored in the trace (their digests in the header), the synthetic one is re-derived.
        let feederParameter: CanonicalJSON = feeder.files == nil ? "synthetic" : "stored"
        return TraceHeader(engineVersion: EngineVersion.current, seed: scenario.seed, scenarioText: scenario.sourceText,
                           feederDigest: feeder.digest, feederEntry: feeder.files?.entry ?? "",
                           feederFiles: storedFiles(feeder).map(\.digest),
                           groundTruth: ["adversaries": .array(adversaries.map(\.json))],
                           parameters: ["variant": .string(variant.rawValue), "feeder": feederParameter,
                                        "intervals": .int(Int64(scenario.intervals))])
    }

    /// The feeder files a trace of `feeder` stores (none for the synthetic feeder).
    public static func storedFiles(_ feeder: PreparedFeeder) -> [StoredFile] {
        feeder.files?.files.map { StoredFile(path: $0.path, bytes: $0.bytes) } ?? []
    }

    /// Runs every scenario of the pair the scenario names, writing `<variant>.gtrace` and
    /// `summary.json` into `directory`. `progress(variant, interval)` is called after each interval,
    /// from the thread running that scenario.
    ///
    /// The scenarios of the pair share nothing but the prepared feeder, so they run at the same time
    /// on separate cores; each trace is what running it alone gives (tested by digest). With
    /// `signingKey` every trace is signed (`TraceWriter`); the traces' digests do not depend on it.
    public static func run(_ scenario: Scenario, directory: String, signingKey: TraceSigningKey? = nil,
                           progress: @escaping @Sendable (Scenario.Variant, Int) -> Void = { _, _ in }) throws -> RunSummary {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let feeder = try PreparedFeeder.prepare(scenario)
        let results = deterministicJobMap(scenario.variants) { variant in
            let path = (directory as NSString).appendingPathComponent(traceName(variant))
            return Result { try runVariant(scenario, variant: variant, feeder: feeder, tracePath: path, signingKey: signingKey) { progress(variant, $0) } }
        }
        let summary = RunSummary(scenario: scenario, variants: try results.map { try $0.get() })
        try writeAtomically(summary.json.text + "\n", to: (directory as NSString).appendingPathComponent("summary.json"))
        return summary
    }

    /// Runs one scenario of the pair into a sealed trace at `tracePath`.
    public static func runVariant(_ scenario: Scenario, variant: Scenario.Variant, feeder: PreparedFeeder,
                                  tracePath: String, signingKey: TraceSigningKey? = nil,
                                  progress: (Int) -> Void = { _ in }) throws -> VariantSummary {
        var run = try VariantRun(scenario: scenario, variant: variant, feeder: feeder)
        let header = header(scenario: scenario, variant: variant, feeder: feeder, adversaries: run.market.adversaries)
        let writer = try TraceWriter(creatingAt: tracePath, header: header, files: storedFiles(feeder), views: RunPayloads.schemas,
                                     signingKey: signingKey)
        // Writing interval k (payload text, SHA-256 chain, inserts, the commit's fsync) overlaps computing k + 1.
        var sink = BackgroundEventSink(TraceSink(writer: writer))
        do {
            try run.run(into: &sink, progress: progress)
        } catch {
            try? sink.finish()  // the trace stays unsealed: readers report it incomplete
            throw error
        }
        try sink.finish()
        let seal = try writer.seal()
        let steps = run.outcomes.map(\.step)
        return VariantSummary(
            variant: variant, tracePath: tracePath, events: seal.events, finalHash: hexString(seal.finalHash),
            metrics: TimeSeriesMetrics(steps: steps, stepSeconds: Double(marketIntervalMinutes * 60), limitCount: 2),
            allConverged: steps.allSatisfy(\.outcome.converged),
            p2pVolumeKilowattHours: run.outcomes.reduce(0) { $0 + $1.tradedKilowattHours },
            contracts: run.outcomes.reduce(0) { $0 + $1.contracts },
            contractsFallenBack: run.outcomes.reduce(0) { $0 + $1.contractsFallenBack },
            adversaries: run.market.adversaries, outcomes: run.outcomes, sourceElement: run.area.sourceElementName,
            limits: scenario.limits.voltageLimits, homePhases: run.homePhases, chain: run.chain?.statistics)
    }

    /// Writes `text` so that `path` is never seen half-written (Foundation writes a temporary file
    /// and renames it into place).
    public static func writeAtomically(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
