// Owns the numbers behind the report's plots, computed from a run's per-interval outcomes: the
// substation power over the day, the per-home voltage difference between the two scenarios, and
// the auction's convergence over its rounds. Pure functions of the summary, so they can be tested.
import CoSim

/// A value over the day: the hour each interval starts at and the value.
public struct HourlyPoint: Sendable, Equatable {
    /// Hours since midnight at the start of the interval.
    public var hour: Double
    public var value: Double
}

/// Minimum, mean and maximum across homes of one interval's voltage difference, % of nominal.
public struct VoltageDifferencePoint: Sendable, Equatable {
    public var hour: Double
    public var minimumPercent: Double
    public var meanPercent: Double
    public var maximumPercent: Double
}

/// The auction's progress after each round, over the P2P intervals that traded.
public struct ConvergencePoint: Sendable, Equatable {
    /// Round number, 1-based.
    public var round: Int
    /// Mean over intervals of (trades after this round) / (trades after the last round), 0…1.
    public var meanFraction: Double
    /// The smallest such fraction over intervals (the slowest interval), 0…1.
    public var minimumFraction: Double
}

public enum ReportSeries {
    /// Hours since midnight at the start of `interval`.
    public static func hour(ofInterval interval: Int, intervalMinutes: Int) -> Double {
        Double(interval * intervalMinutes) / 60
    }

    /// Substation active power over the day, kW (+ import from the upstream grid).
    public static func sourceKilowatts(_ variant: VariantSummary, intervalMinutes: Int) -> [HourlyPoint] {
        variant.outcomes.map {
            HourlyPoint(hour: hour(ofInterval: $0.interval, intervalMinutes: intervalMinutes), value: $0.step.measurement.sourceKilowatts)
        }
    }

    /// Substation reactive power over the day, kvar (+ import).
    public static func sourceKilovars(_ variant: VariantSummary, intervalMinutes: Int) -> [HourlyPoint] {
        variant.outcomes.map {
            HourlyPoint(hour: hour(ofInterval: $0.interval, intervalMinutes: intervalMinutes), value: $0.step.measurement.sourceKilovars)
        }
    }

    /// Per interval, (P2P − no P2P) home voltage across homes, % of nominal (paper Fig. 11).
    /// Intervals are paired by index; an interval missing from either run, or with a different
    /// number of homes, is left out.
    public static func voltageDifference(noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> [VoltageDifferencePoint] {
        var points: [VoltageDifferencePoint] = []
        for (base, traded) in zip(noP2P.outcomes, p2p.outcomes) {
            let baseVoltages = base.homeVoltagesPerUnit, tradedVoltages = traded.homeVoltagesPerUnit
            guard base.interval == traded.interval, !baseVoltages.isEmpty, baseVoltages.count == tradedVoltages.count else { continue }
            var minimum = Double.infinity, maximum = -Double.infinity, sum = 0.0
            for (before, after) in zip(baseVoltages, tradedVoltages) {
                let differencePercent = (after - before) * 100
                minimum = min(minimum, differencePercent)
                maximum = max(maximum, differencePercent)
                sum += differencePercent
            }
            points.append(VoltageDifferencePoint(hour: hour(ofInterval: base.interval, intervalMinutes: intervalMinutes),
                                                 minimumPercent: minimum, meanPercent: sum / Double(baseVoltages.count),
                                                 maximumPercent: maximum))
        }
        return points
    }

    /// The auction's convergence (paper Fig. 4): after round r, the share of an interval's final
    /// trades already made, averaged over the intervals that traded. An interval that finished in
    /// fewer rounds counts as complete (1) in the later rounds. Empty when nothing traded.
    public static func auctionConvergence(_ variant: VariantSummary) -> [ConvergencePoint] {
        let traded = variant.outcomes.map(\.cumulativeTradesPerRound).filter { ($0.last ?? 0) > 0 }
        let rounds = traded.map(\.count).max() ?? 0
        guard rounds > 0 else { return [] }
        var points: [ConvergencePoint] = []
        for round in 1...rounds {
            var sum = 0.0, minimum = 1.0
            for cumulative in traded {
                let final = Double(cumulative.last ?? 0)
                let fraction = round <= cumulative.count ? Double(cumulative[round - 1]) / final : 1
                sum += fraction
                minimum = min(minimum, fraction)
            }
            points.append(ConvergencePoint(round: round, meanFraction: sum / Double(traded.count), minimumFraction: minimum))
        }
        return points
    }

    /// The number of intervals whose auction made at least one trade.
    public static func tradingIntervals(_ variant: VariantSummary) -> Int {
        variant.outcomes.reduce(0) { $0 + (($1.cumulativeTradesPerRound.last ?? 0) > 0 ? 1 : 0) }
    }
}
