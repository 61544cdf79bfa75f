// Owns the chain experiments behind the CLI and the report: a single run, the delay sweep of
// the paper's Figs. 5–6 (CSV and SVG), and the Fig. 7 design loop that searches node count and
// bandwidth until fork rate and confirmation time meet targets.
import Kernel
import Plot

/// How long a standalone run lasts.
public enum ChainRunLength: Sendable, Equatable {
    /// Simulate this much time.
    case duration(SimTime)
    /// Mine exactly this many blocks, then let the last ones finish propagating.
    case blocks(Int)

    /// A duration in hours, checked before it is converted to the millisecond clock.
    public static func hours(_ hours: Double) throws(ChainError) -> ChainRunLength {
        let limit = ChainConfiguration.maximumDurationSeconds / 3600
        guard hours > 0, hours <= limit else {
            throw .invalidConfiguration(parameter: "hours", value: "\(hours)", reason: "must be in (0, 87600] (ten years)")
        }
        return .duration(.fromSeconds(hours * 3600))
    }
}

/// Standalone experiments on the simulator.
public enum ChainExperiment {
    /// Simulates `configuration` from `seed` for `length` and returns its statistics.
    public static func run(_ configuration: ChainConfiguration, seed: UInt64, length: ChainRunLength,
                           log: EventLog = EventLog(isEnabled: false)) throws(ChainError) -> ChainStatistics {
        try configuration.validate(length: length)
        var simulator = try ChainSimulator(configuration: configuration, seed: seed, log: log)
        switch length {
        case .duration(let time):
            guard time > .zero else { throw .invalidConfiguration(parameter: "duration", value: "\(time)", reason: "must be positive") }
            _ = simulator.advance(until: time)
        case .blocks(let count):
            guard count >= 1 else { throw .invalidConfiguration(parameter: "blocks", value: "\(count)", reason: "must be ≥ 1") }
            simulator.stopMining(afterBlocks: count)
            simulator.runToCompletion()
        }
        return simulator.statistics
    }

    /// Runs `base` once per communication delay (same seed, so block times and workload are the
    /// same in every run and only the network differs: common random numbers).
    public static func sweep(_ base: ChainConfiguration, delaysMilliseconds: [Double], seed: UInt64,
                             length: ChainRunLength) throws(ChainError) -> [ChainSweepRow] {
        var rows: [ChainSweepRow] = []
        for delay in delaysMilliseconds {
            var configuration = base
            configuration.delayMilliseconds = delay
            let statistics = try run(configuration, seed: seed, length: length)
            rows.append(ChainSweepRow(delayMilliseconds: delay, statistics: statistics))
        }
        return rows
    }

    /// The sweep as CSV with a header line (fixed column order; '.' decimal separator).
    public static func sweepCSV(_ rows: [ChainSweepRow]) -> String {
        var out = "delay_ms,blocks_mined,forks,fork_rate,orphans,orphan_rate,reorgs,confirm_mean_s,confirm_p95_s,throughput_tx_s,propagation_all_ms\n"
        for row in rows {
            let s = row.statistics
            let fields = [row.delayMilliseconds.description, "\(s.blocksMined)", "\(s.forks)", s.forkRate.description,
                          "\(s.orphans)", s.orphanRate.description, "\(s.nodeReorgs)", s.confirmationMeanSeconds.description,
                          s.confirmationP95Seconds.description, s.throughputTransactionsPerSecond.description,
                          s.propagationToAllMeanMilliseconds.description]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Two SVG charts: forks against delay (paper Fig. 5) and confirmation time against delay
    /// (paper Fig. 6, mean and p95).
    public static func sweepCharts(_ rows: [ChainSweepRow], title: String) -> (forks: String, confirmation: String) {
        let forks = LineChart(
            title: "Forks vs communication delay (\(title))", xLabel: "communication delay (ms)", yLabel: "forks",
            series: [PlotSeries(name: "forks", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: Double($0.statistics.forks)) })])
        let confirmation = LineChart(
            title: "Confirmation time vs communication delay (\(title))", xLabel: "communication delay (ms)", yLabel: "confirmation time (s)",
            series: [
                PlotSeries(name: "mean", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationMeanSeconds) }),
                PlotSeries(name: "p95", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationP95Seconds) }),
            ])
        return (forks.svg(), confirmation.svg())
    }

    /// The paper's Fig. 7 loop: simulate a candidate network, compare its fork rate and mean
    /// confirmation time with the targets, and if they are not met change the node count or the
    /// bandwidth and repeat.
    ///
    /// Order: node counts from largest (most decentralised) to smallest, and for each, bandwidths
    /// from lowest (cheapest links) to highest; the first candidate meeting both targets is
    /// chosen. The miner share of nodes is kept (at least one miner).
    public static func design(_ base: ChainConfiguration, targets: ChainDesignTargets, nodeCounts: [Int],
                              bandwidthsMegabitsPerSecond: [Double], seed: UInt64, length: ChainRunLength) throws(ChainError) -> ChainDesignResult {
        guard !nodeCounts.isEmpty, !bandwidthsMegabitsPerSecond.isEmpty else {
            throw .invalidConfiguration(parameter: "design candidates", value: "none", reason: "needs at least one node count and one bandwidth")
        }
        let minerFraction = Double(base.minerCount) / Double(base.nodeCount)
        var trials: [ChainDesignTrial] = []
        for nodes in nodeCounts.sorted(by: >) {
            for bandwidth in bandwidthsMegabitsPerSecond.sorted() {
                var configuration = base
                configuration.nodeCount = nodes
                configuration.minerCount = max(1, min(nodes, Int((Double(nodes) * minerFraction).rounded(.toNearestOrAwayFromZero))))
                configuration.hashShares = nil
                configuration.bandwidthMegabitsPerSecond = bandwidth
                configuration.degree = min(base.degree, nodes - 1)
                let statistics = try run(configuration, seed: seed, length: length)
                let trial = ChainDesignTrial(nodeCount: nodes, minerCount: configuration.minerCount, bandwidthMegabitsPerSecond: bandwidth,
                                             statistics: statistics, targets: targets)
                trials.append(trial)
                if trial.meetsTargets { return ChainDesignResult(chosen: trial, trials: trials, targets: targets) }
            }
        }
        return ChainDesignResult(chosen: nil, trials: trials, targets: targets)
    }
}

/// One point of a delay sweep.
public struct ChainSweepRow: Sendable, Equatable {
    public var delayMilliseconds: Double
    public var statistics: ChainStatistics
}

/// What the design loop must achieve.
public struct ChainDesignTargets: Sendable, Equatable {
    /// Largest acceptable forks per mined block.
    public var maxForkRate: Double
    /// Largest acceptable mean confirmation time, s.
    public var maxConfirmationSeconds: Double
    public init(maxForkRate: Double, maxConfirmationSeconds: Double) {
        self.maxForkRate = maxForkRate
        self.maxConfirmationSeconds = maxConfirmationSeconds
    }
}

/// One simulated candidate network.
public struct ChainDesignTrial: Sendable, Equatable {
    public var nodeCount: Int
    public var minerCount: Int
    public var bandwidthMegabitsPerSecond: Double
    public var statistics: ChainStatistics
    public var meetsForkTarget: Bool
    public var meetsConfirmationTarget: Bool
    public var meetsTargets: Bool { meetsForkTarget && meetsConfirmationTarget }

    init(nodeCount: Int, minerCount: Int, bandwidthMegabitsPerSecond: Double, statistics: ChainStatistics, targets: ChainDesignTargets) {
        self.nodeCount = nodeCount
        self.minerCount = minerCount
        self.bandwidthMegabitsPerSecond = bandwidthMegabitsPerSecond
        self.statistics = statistics
        meetsForkTarget = statistics.forkRate <= targets.maxForkRate
        // No confirmed transaction means the confirmation time is unknown: not met.
        meetsConfirmationTarget = statistics.confirmationMeanSeconds <= targets.maxConfirmationSeconds
    }

    /// Why the trial was accepted or rejected, in words.
    public var verdict: String {
        let fork = "fork rate \(formatFixed(statistics.forkRate * 100, decimals: 2)) %"
        let confirm = "mean confirmation \(formatFixed(statistics.confirmationMeanSeconds, decimals: 1)) s"
        switch (meetsForkTarget, meetsConfirmationTarget) {
        case (true, true): return "meets both targets (\(fork), \(confirm))"
        case (false, true): return "rejected: \(fork) above target"
        case (true, false): return "rejected: \(confirm) above target"
        case (false, false): return "rejected: \(fork) and \(confirm) above targets"
        }
    }
}

/// The outcome of the design loop: the chosen network (if any) and every trial in order.
public struct ChainDesignResult: Sendable, Equatable {
    public var chosen: ChainDesignTrial?
    public var trials: [ChainDesignTrial]
    public var targets: ChainDesignTargets
}
