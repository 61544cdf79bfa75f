// Owns the numbers behind the report's answers to the paper's questions, computed from a run's
// per-interval outcomes: EV energy by hour of day, per-phase home voltages, sample homes' demand
// (paper Fig. 8), the auction's rounds and matched volume per interval, and the peak of the
// substation's complex power. Pure functions of the summary, so they can be tested.
import CoSim

/// One interval of the P2P auction: how many rounds it ran, when its last match happened and
/// how much it matched.
public struct AuctionIntervalPoint: Sendable, Equatable {
    public var hour: Double
    /// Rounds the auction ran (to its deadline, hop limit or an empty book).
    public var roundsRun: Int
    /// Round (1-based) after which nothing more was matched; 0 when nothing matched.
    public var roundOfLastMatch: Int
    /// Energy matched over all rounds, kWh.
    public var matchedKilowattHours: Double
}

/// The moment of a scenario's largest substation complex power.
public struct ComplexPowerPeak: Sendable, Equatable {
    public var hour: Double
    public var kilovoltAmperes: Double
    /// EV charging on the feeder in that interval, kW (NaN when the run did not record it).
    public var evKilowatts: Double
}

extension ReportSeries {
    /// EV energy charged in each hour of the day, kWh (24 values; a run longer than a day folds
    /// onto the same 24 hours). Zero everywhere when the run recorded no EV powers.
    public static func evEnergyByHour(_ variant: VariantSummary, intervalMinutes: Int) -> [Double] {
        var hours = [Double](repeating: 0, count: 24)
        let intervalHours = Double(intervalMinutes) / 60
        for outcome in variant.outcomes {
            let hourOfDay = (outcome.interval * intervalMinutes / 60) % 24
            hours[hourOfDay] += outcome.homeEVKilowatts.reduce(0, +) * intervalHours
        }
        return hours
    }

    /// EV energy charged in the hours of day `from..<to` (0…24), kWh.
    public static func evEnergy(_ variant: VariantSummary, intervalMinutes: Int, fromHour: Int, toHour: Int) -> Double {
        let byHour = evEnergyByHour(variant, intervalMinutes: intervalMinutes)
        return byHour[max(0, fromHour)..<min(24, max(fromHour, toHour))].reduce(0, +)
    }

    /// True when the run recorded per-home EV powers (runs from before they were recorded have none).
    public static func recordsEV(_ variant: VariantSummary) -> Bool {
        variant.outcomes.contains { !$0.homeEVKilowatts.isEmpty }
    }

    /// Per phase (1, 2, 3 as in `VariantSummary.homePhases`), the lowest home voltage of each
    /// interval on that phase, pu. Phases without homes are left out.
    public static func minimumVoltageByPhase(_ variant: VariantSummary, intervalMinutes: Int) -> [(phase: Int, points: [HourlyPoint])] {
        let phases = variant.homePhases
        let present = [1, 2, 3].filter { phases.contains($0) }
        return present.map { phase in
            let points = variant.outcomes.compactMap { outcome -> HourlyPoint? in
                let voltages = zip(phases, outcome.homeVoltagesPerUnit).filter { $0.0 == phase }.map(\.1)
                guard let lowest = voltages.min() else { return nil }
                return HourlyPoint(hour: hour(ofInterval: outcome.interval, intervalMinutes: intervalMinutes), value: lowest)
            }
            return (phase, points)
        }
    }

    /// The homes shown as paper Fig. 8's sample: `count` homes spread evenly over the feeder.
    public static func sampleHomes(homeCount: Int, count: Int = 5) -> [Int] {
        guard homeCount > 0 else { return [] }
        let shown = min(count, homeCount)
        return (0..<shown).map { $0 * homeCount / shown }
    }

    /// One home's consumption placed on the feeder (base load after price response, plus EV), kW.
    public static func homeDemand(_ variant: VariantSummary, home: Int, intervalMinutes: Int) -> [HourlyPoint] {
        variant.outcomes.compactMap { outcome in
            guard home < outcome.homeDemandKilowatts.count else { return nil }
            return HourlyPoint(hour: hour(ofInterval: outcome.interval, intervalMinutes: intervalMinutes), value: outcome.homeDemandKilowatts[home])
        }
    }

    /// Per interval of the P2P scenario: rounds run, round of the last match, matched energy.
    public static func auctionIntervals(_ variant: VariantSummary, intervalMinutes: Int) -> [AuctionIntervalPoint] {
        variant.outcomes.map { outcome in
            let cumulative = outcome.cumulativeTradesPerRound
            let final = cumulative.last ?? 0
            let last = final > 0 ? (cumulative.firstIndex(of: final) ?? 0) + 1 : 0
            return AuctionIntervalPoint(hour: hour(ofInterval: outcome.interval, intervalMinutes: intervalMinutes),
                                        roundsRun: outcome.auctionRounds, roundOfLastMatch: last,
                                        matchedKilowattHours: outcome.cumulativeMatchedKilowattHoursPerRound.last ?? 0)
        }
    }

    /// The trading intervals with the most matched energy (at most `count`, largest first, ties by
    /// time), each with its matched energy after every round, kWh.
    public static func busiestAuctions(_ variant: VariantSummary, count: Int) -> [(interval: Int, cumulativeKilowattHours: [Double])] {
        let trading = variant.outcomes.filter { ($0.cumulativeMatchedKilowattHoursPerRound.last ?? 0) > 0 }
        let ranked = trading.sorted {
            let a = $0.cumulativeMatchedKilowattHoursPerRound.last ?? 0, b = $1.cumulativeMatchedKilowattHoursPerRound.last ?? 0
            return a != b ? a > b : $0.interval < $1.interval
        }
        return ranked.prefix(count).map { ($0.interval, $0.cumulativeMatchedKilowattHoursPerRound) }
    }

    /// The interval with the largest substation complex power |P + jQ| (the first one on a tie).
    public static func complexPowerPeak(_ variant: VariantSummary, intervalMinutes: Int) -> ComplexPowerPeak? {
        var best: ComplexPowerPeak?
        for outcome in variant.outcomes {
            let measurement = outcome.step.measurement
            let apparent = (measurement.sourceKilowatts * measurement.sourceKilowatts
                + measurement.sourceKilovars * measurement.sourceKilovars).squareRoot()
            guard apparent.isFinite, apparent > (best?.kilovoltAmperes ?? -1) else { continue }
            let ev = outcome.homeEVKilowatts.isEmpty ? Double.nan : outcome.homeEVKilowatts.reduce(0, +)
            best = ComplexPowerPeak(hour: hour(ofInterval: outcome.interval, intervalMinutes: intervalMinutes),
                                    kilovoltAmperes: apparent, evKilowatts: ev)
        }
        return best
    }

    /// Energy the homes consumed (base load plus EV) in the intervals where the substation
    /// exported (P < 0), kWh.
    public static func consumptionWhileExporting(_ variant: VariantSummary, intervalMinutes: Int) -> Double {
        let intervalHours = Double(intervalMinutes) / 60
        return variant.outcomes.filter { $0.step.measurement.sourceKilowatts < 0 }
            .reduce(0) { $0 + $1.homeDemandKilowatts.reduce(0, +) * intervalHours }
    }
}
