// Validates the simulator against theory and the paper: the analytic fork rate of equal miners
// with uniform delay, a Bitcoin-like stale rate, and forks / confirmation time rising with delay.
import Kernel
import Testing
@testable import Chain

@Suite struct AnalyticForkRateTests {
    /// Stale-block rate of M equal, fully meshed miners with constant delay Δ and interval T
    /// against 1 − exp(−(Δ/T)·(M−1)/M).
    ///
    /// Block counts are chosen so the 95 % confidence interval of the measured rate
    /// (normal approximation to the stale count, ±1.96·√stale / blocks) is at most ±10 % of the
    /// theory; the test checks the point estimate is within 10 % of theory and prints the
    /// interval.
    /// Ten miners across the range, and two miners at Δ/T = 0.1, where (M − 1)/M halves the rate.
    @Test(arguments: [(10, 0.001, 480_000), (10, 0.003, 160_000), (10, 0.01, 60_000), (10, 0.03, 20_000), (10, 0.1, 12_000), (2, 0.1, 16_000)])
    func staleRateMatchesTheory(miners: Int, ratio: Double, blocks: Int) throws {
        var configuration = ChainConfiguration()
        configuration.nodeCount = miners
        configuration.minerCount = miners
        configuration.degree = min(3, miners - 1)
        configuration.delayMilliseconds = 1000
        configuration.blockIntervalSeconds = 1.0 / ratio  // Δ = 1 s, so Δ/T = ratio
        configuration = configuration.idealized()
        var chain = try ChainSimulator(configuration: configuration, seed: 2024, log: EventLog(isEnabled: false))
        chain.stopMining(afterBlocks: blocks)
        chain.runToCompletion()
        let statistics = chain.statistics
        let theory = 1 - exponent(-ratio * Double(miners - 1) / Double(miners))
        let measured = statistics.orphanRate
        let halfWidth = 1.96 * Double(statistics.orphans).squareRoot() / Double(blocks)
        print("M = \(miners), Δ/T = \(ratio): \(statistics.orphans) stale of \(blocks) blocks, rate \(measured) "
            + "(95 % CI \(measured - halfWidth) … \(measured + halfWidth)), theory \(theory), "
            + "error \((measured / theory - 1) * 100) %")
        #expect(halfWidth <= 0.105 * theory, "too few blocks for a ±10 % interval")
        #expect(abs(measured / theory - 1) <= 0.10)
        #expect(statistics.forks == statistics.orphans || abs(statistics.forks - statistics.orphans) <= 2)
    }
}

@Suite struct PresetAndSweepTests {
    @Test func bitcoinLikePresetHasStaleRateBetweenPointOneAndOnePercent() throws {
        var chain = try ChainSimulator(configuration: .bitcoinLike, seed: 8, log: EventLog(isEnabled: false))
        chain.stopMining(afterBlocks: 3000)
        chain.runToCompletion()
        let statistics = chain.statistics
        print("Bitcoin-like: \(statistics.orphans) stale of 3000, rate \(statistics.orphanRate), "
            + "propagation to all \(statistics.propagationToAllMeanMilliseconds) ms")
        #expect(statistics.orphanRate >= 0.001 && statistics.orphanRate <= 0.01)
    }

    @Test func forksAndConfirmationTimeRiseWithDelay() throws {
        var base = ChainConfiguration.paperDefault
        base.workloadTransactionsPerSecond = 0.5
        let rows = try ChainExperiment.sweep(base, delaysMilliseconds: [10, 200, 800], seed: 6, length: .blocks(1500))
        let forks = rows.map(\.statistics.forks)
        let confirmation = rows.map(\.statistics.confirmationMeanSeconds)
        print("sweep forks \(forks), mean confirmation \(confirmation)")
        #expect(forks[0] < forks[1] && forks[1] < forks[2])
        #expect(confirmation[0] < confirmation[1] && confirmation[1] < confirmation[2])
        let csv = ChainExperiment.sweepCSV(rows)
        #expect(csv.split(separator: "\n").count == 4)
        #expect(csv.hasPrefix("delay_ms,blocks_mined,forks,"))
        let charts = ChainExperiment.sweepCharts(rows, title: "test")
        #expect(charts.forks.contains("<polyline") && charts.confirmation.contains("data-name=\"p95\""))
    }

    @Test func designLoopPicksTheLargestNetworkMeetingTargets() throws {
        var base = ChainConfiguration.paperDefault
        base.fixedBlockBytes = 500_000
        base.workloadTransactionsPerSecond = 0.5
        base.delayMilliseconds = 20
        base.jitterMilliseconds = 5
        let targets = ChainDesignTargets(maxForkRate: 0.04, maxConfirmationSeconds: 120)
        let result = try ChainExperiment.design(base, targets: targets, nodeCounts: [40, 20], bandwidthsMegabitsPerSecond: [1, 10, 100],
                                                seed: 3, length: .blocks(400))
        let chosen = try #require(result.chosen)
        #expect(chosen.meetsTargets)
        #expect(result.trials.last == chosen)
        #expect(result.trials.dropLast().allSatisfy { !$0.meetsTargets })
        // 500 kB blocks over 1 Mbit/s links take 4 s per hop: far too many forks.
        #expect(!result.trials[0].meetsForkTarget && result.trials[0].bandwidthMegabitsPerSecond == 1)
    }
}
