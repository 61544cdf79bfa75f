// Owns the small chain experiment the report plots (paper Figs. 5–6): the scenario's own chain
// settings swept over a few communication delays, with a synthetic transaction workload so that
// confirmation times exist, from a stream of the scenario's seed.
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
        let seed = SeedStreams(rootSeed: scenario.seed).streamSeed("report.chain-sweep")
        return try ChainExperiment.sweep(configuration(scenario.chain),
                                         delaysMilliseconds: delaysMilliseconds ?? delays(for: scenario),
                                         seed: seed, length: .blocks(blocks))
    }
}
