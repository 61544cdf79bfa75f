// Owns the `[homes]` rule of a scenario: which loads of an OpenDSS feeder are homes (every enabled
// load at or below a rated voltage), where their day's demand comes from, and which of them get a
// PV system and an EV charger of what size. The draws come from the seed (stream "cosim.homes",
// one sub-stream per home), so the same scenario text and seed give the same homes in every process.
import Kernel

/// Which loads of an OpenDSS feeder are the market's homes, and what PV and EV they are given.
public struct HomeRule: Sendable, Equatable {
    /// Where a home's demand over the day comes from.
    public enum LoadProfile: String, CaseIterable, Sendable {
        /// The load's own shapes in the feeder (a load without one draws its rated kW all day).
        case feeder
        /// A seeded synthetic household day (two peaks, autocorrelated noise) whose peak is the
        /// load's rated kW: for feeders whose loads are one snapshot (IEEE 8500).
        case synthetic
    }

    /// A load is a home when its rated kV (as written: line-to-line for two- and three-phase loads)
    /// is at most this.
    public var maximumKilovolts: Double
    public var loadProfile: LoadProfile
    /// Share of homes given a PV system, 0…1.
    public var pvShare: Double
    /// PV ratings are drawn uniformly from this range, kW.
    public var pvKilowatts: ClosedRange<Double>
    /// Share of homes given an EV, 0…1.
    public var evShare: Double
    /// EV charger ratings are drawn uniformly from this range, kW.
    public var evChargerKilowatts: ClosedRange<Double>

    public init(maximumKilovolts: Double = 1.0, loadProfile: LoadProfile = .feeder, pvShare: Double = 0.3,
                pvKilowatts: ClosedRange<Double> = 2...6, evShare: Double = 0.2, evChargerKilowatts: ClosedRange<Double> = 3...7.2) {
        self.maximumKilovolts = maximumKilovolts
        self.loadProfile = loadProfile
        self.pvShare = pvShare
        self.pvKilowatts = pvKilowatts
        self.evShare = evShare
        self.evChargerKilowatts = evChargerKilowatts
    }

    /// The rule a `[homes]` table writes, or nil when the scenario has none.
    static func parse(_ section: TOMLSection, feederIsSynthetic: Bool) throws(TOMLInputError) -> HomeRule? {
        guard section.isPresent else { return nil }
        guard !feederIsSynthetic else {
            throw section.error(nil, "[homes] chooses homes among an OpenDSS feeder's loads; the synthetic feeder's homes are [feeder] homes_per_phase")
        }
        let defaults = HomeRule()
        return HomeRule(
            maximumKilovolts: try section.double("max_kv", default: defaults.maximumKilovolts, in: 0.05...50),
            loadProfile: try section.choice("load_profile", default: defaults.loadProfile),
            pvShare: try section.double("pv_share", default: defaults.pvShare, in: 0...1),
            pvKilowatts: try section.numberRange("pv_kw", default: defaults.pvKilowatts, in: 0.1...1000),
            evShare: try section.double("ev_share", default: defaults.evShare, in: 0...1),
            evChargerKilowatts: try section.numberRange("ev_kw", default: defaults.evChargerKilowatts, in: 0.1...1000))
    }

    /// One home's draw: whether it has PV and an EV and their sizes.
    struct Assignment: Sendable, Equatable {
        var pvKilowatts: Double?
        var evChargerKilowatts: Double?
    }

    /// The draws of homes 0..<count. Each home draws the same four numbers whatever the shares, so
    /// raising a share adds PV or EVs without resizing the others.
    func assignments(count: Int, seed: UInt64) -> [Assignment] {
        let streams = SeedStreams(rootSeed: seed).substreams("cosim.homes")
        return (0..<count).map { home in
            var rng = streams.stream("home:\(home)")
            let pvDraw = rng.uniformDouble(), pvSize = rng.uniformDouble()
            let evDraw = rng.uniformDouble(), evSize = rng.uniformDouble()
            func size(_ range: ClosedRange<Double>, _ unit: Double) -> Double {
                range.lowerBound + unit * (range.upperBound - range.lowerBound)
            }
            return Assignment(pvKilowatts: pvDraw < pvShare ? size(pvKilowatts, pvSize) : nil,
                              evChargerKilowatts: evDraw < evShare ? size(evChargerKilowatts, evSize) : nil)
        }
    }
}
