// Owns the small chain experiments the report plots: the scenario's own chain settings swept over
// a few communication delays (paper Figs. 5–6) and the network-design loop (paper Fig. 7), with a
// synthetic transaction workload so that confirmation times exist, from streams of the scenario's seed.
import Chain
import CoSim
import Kernel

public enum ReportChainSweep {
    /// The paper's delay range (ms); the scenario's own delay is added to it.
    public static let defaultDelaysMilliseconds: [Double] = [10, 50, 100, 200, 400, 800]
    /// Blocks mined per delay: enough for a fork count that rises visibly with the delay, few
    /// enough that the whole sweep takes well under a second in a release build.
    public static let defaultBlocks = 1000
    /// Background transactions per second, so every run has confirmation times to average.
    public static let workloadTransactionsPerSecond = 1.0

    /// The chain configuration the co-simulation builds from the scenario's `[chain]` section.
    public static func configuration(_ settings: Scenario.ChainSettings) -> ChainConfiguration {
        var configuration = settings.configuration
        configuration.workloadTransactionsPerSecond = workloadTransactionsPerSecond
        return configuration
    }

    /// The delays swept for `scenario`: the default list plus the scenario's delay, ascending,
    /// without duplicates.
    public static func delays(for scenario: Scenario, base: [Double] = defaultDelaysMilliseconds) -> [Double] {
        var delays = base
        if !delays.contains(scenario.chain.delayMilliseconds) { delays.append(scenario.chain.delayMilliseconds) }
        return delays.sorted()
    }

    /// Runs the sweep on the scenario's chain settings (seed: stream "report.chain-sweep" of the
    /// scenario's seed, the same for every delay).
    public static func run(scenario: Scenario, delaysMilliseconds: [Double]? = nil,
                           blocks: Int = defaultBlocks) throws(ChainError) -> [ChainSweepRow] {
        let seed = SeedStreams(rootSeed: scenario.subsystemSeed(.chain)).streamSeed("report.chain-sweep")
        return try ChainExperiment.sweep(configuration(scenario.chain),
                                         delaysMilliseconds: delaysMilliseconds ?? delays(for: scenario),
                                         seed: seed, length: .blocks(blocks))
    }
}

/// The paper's Fig. 7 loop on the scenario's chain: candidate networks from the largest and
/// cheapest, simulated until one meets the targets (see `ChainExperiment.design`).
public enum ReportChainDesign {
    /// Candidate node counts (largest first) and link bandwidths (cheapest first).
    public static let nodeCounts = [200, 100, 50]
    public static let bandwidthsMegabitsPerSecond: [Double] = [1, 5, 20, 100]
    /// Blocks per trial: enough to separate a 1 % from a 10 % fork rate, cheap enough for a report.
    public static let blocks = 200

    /// Targets from the scenario: at most 3 % forks per block (the paper's 200-node network at 100 ms
    /// measures 2.5–3.5 % over 200 blocks depending on the seed, so the loop may have to search), and a
    /// mean confirmation within twice the time its confirmation depth takes at the block interval.
    public static func targets(_ settings: Scenario.ChainSettings) -> ChainDesignTargets {
        ChainDesignTargets(maxForkRate: 0.03, maxConfirmationSeconds: 2 * Double(settings.confirmations) * settings.blockIntervalSeconds)
    }

    /// Runs the loop (seed: stream "report.chain-design" of the scenario's seed, the same for every trial).
    public static func run(scenario: Scenario, blocks: Int = blocks) throws(ChainError) -> ChainDesignResult {
        let seed = SeedStreams(rootSeed: scenario.subsystemSeed(.chain)).streamSeed("report.chain-design")
        return try ChainExperiment.design(ReportChainSweep.configuration(scenario.chain), targets: targets(scenario.chain),
                                          nodeCounts: nodeCounts, bandwidthsMegabitsPerSecond: bandwidthsMegabitsPerSecond,
                                          seed: seed, length: .blocks(blocks))
    }
}
