// Owns the demand flexibility that makes P2P trading change the physical power flow: EV charging
// that moves within its session, and sellers' consumption that responds to the internal price.
import Kernel

/// The two scenarios the paper compares.
public enum TradingScenario: String, Sendable, CaseIterable {
    /// No internal market: everyone trades with the grid, EVs charge on arrival.
    case noP2P = "no-p2p"
    /// Internal market with flexible EV charging and price-responsive sellers.
    case p2p

    /// A scenario as typed on a command line: `no-p2p` or `p2p`; `no_p2p` (the spelling of
    /// versions before 0.2) is accepted as an alias of `no-p2p`.
    public init?(argument: String) {
        self.init(rawValue: argument == "no_p2p" ? "no-p2p" : argument)
    }
}

/// What a home's EV controller sees when it decides this interval's charging power.
public struct ChargingSignal: Sendable, Equatable {
    /// The home's forecast surplus without the EV (PV − base load, kW; ≤ 0 means no surplus).
    public var ownSurplusKilowatts: Double
    /// True when the previous interval's community had more supply than demand (internal energy is cheap).
    public var communitySurplus: Bool

    public init(ownSurplusKilowatts: Double, communitySurplus: Bool) {
        self.ownSurplusKilowatts = ownSurplusKilowatts
        self.communitySurplus = communitySurplus
    }
}

/// A home's EV charger: tracks the energy still owed to the current session and picks a power.
///
/// No-P2P: full power from arrival until the session's energy is delivered. P2P: the energy still
/// owed is spread evenly over the intervals left until departure (the lowest constant power that
/// finishes in time), plus opportunistic charging from the home's own PV surplus, or at full power
/// while the community has surplus. Both policies deliver each session's energy by departure
/// whenever it fits at rated power.
///
/// Why spread evenly rather than defer: a least-laxity policy (charge only what must be charged
/// now to finish by departure) puts all flexible charging into the last intervals before
/// departure, and since many sessions end at the same time (the end of the simulated day), every
/// home then charges at full power in the same late intervals (EnerPort: 129 kW of EV load at 23:25
/// with P2P against 63 kW without, max kVA +73 %). Spreading keeps each home's EV at one constant,
/// low power over its session, so the community's EV load is the sum of those powers and never a
/// herd at rated power. It needs no coordination and no random numbers (deterministic by
/// construction). Other options and why not: seeded per-home deadlines spread the herd but their
/// random overlaps still peaked above charging on arrival on the synthetic day (≈ 99 against 90 kW);
/// price-aware scheduling has nothing to choose between because retail and feed-in prices are flat
/// within the day here (the community-surplus signal is the price signal that exists); a market-wide
/// cap would need a central scheduler the distributed market does not have. docs/ev-flexibility.md
/// has the measured effect on Table 2.
public struct EVChargingController: Sendable {
    public let sessions: [EVSession]
    public let chargerKilowatts: Double
    var deliveredKilowattHours: [Double]

    public init(sessions: [EVSession], chargerKilowatts: Double) {
        self.sessions = sessions
        self.chargerKilowatts = chargerKilowatts
        deliveredKilowattHours = [Double](repeating: 0, count: sessions.count)
    }

    /// Energy delivered so far to each session, kWh.
    public var delivered: [Double] { deliveredKilowattHours }

    /// Starts a new day: the same sessions recur, nothing delivered yet.
    public mutating func startDay() {
        for index in deliveredKilowattHours.indices { deliveredKilowattHours[index] = 0 }
    }

    /// Decides and records this interval's charging power (kW, 0…rated).
    public mutating func chargingKilowatts(interval: Int, scenario: TradingScenario, signal: ChargingSignal) -> Double {
        guard let index = sessions.firstIndex(where: { interval >= $0.arrivalInterval && interval < $0.departureInterval })
        else { return 0 }
        let session = sessions[index]
        let remaining = max(0, session.energyKilowattHours - deliveredKilowattHours[index])
        guard remaining > 1e-12 else { return 0 }
        let perIntervalMaximum = intervalEnergyKilowattHours(powerKilowatts: chargerKilowatts)
        let remainingPower = remaining / intervalEnergyKilowattHours(powerKilowatts: 1)
        var power: Double
        switch scenario {
        case .noP2P:
            power = min(chargerKilowatts, remainingPower)
        case .p2p:
            let intervalsLeft = session.departureInterval - interval  // ≥ 1 inside the session
            let evenPower = remainingPower / Double(intervalsLeft)
            // The least-laxity floor only binds when the even share exceeds the charger (energy that
            // no longer fits); it keeps the policy finishing whenever finishing is possible.
            let mustNowKilowattHours = max(0, remaining - Double(intervalsLeft - 1) * perIntervalMaximum)
            let floorPower = mustNowKilowattHours / intervalEnergyKilowattHours(powerKilowatts: 1)
            let opportunistic = signal.communitySurplus ? chargerKilowatts : max(0, signal.ownSurplusKilowatts)
            power = min(chargerKilowatts, remainingPower, max(evenPower, floorPower, opportunistic))
        }
        power = max(0, power)
        deliveredKilowattHours[index] += intervalEnergyKilowattHours(powerKilowatts: power)
        return power
    }
}

/// A seller's price-responsive consumption: utility `k·ln(1 + e) − p·e` over e ∈ [lower, upper] kWh.
///
/// `k = referencePrice · (1 + baselineKilowattHours)`, so at the reference price the best response
/// is the baseline consumption. The market uses the feed-in price p_gs as the reference (without P2P a
/// seller's marginal kWh is worth p_gs), so an internal price above p_gs makes the seller shed
/// flexible consumption (down to `lower`) and sell more.
/// Prices are µtoken/Wh; `k` has units of price × kWh.
public struct SellerConsumption: Sendable, Equatable {
    public var preference: Double
    public var lowerKilowattHours: Double
    public var upperKilowattHours: Double
    public var baselineKilowattHours: Double

    /// `flexibleShare` of the baseline can be shed; consumption can rise until the surplus is used up.
    public init(baselineKilowattHours: Double, surplusKilowattHours: Double, referencePrice: Double,
                flexibleShare: Double = 0.3) {
        precondition(baselineKilowattHours >= 0 && surplusKilowattHours >= 0 && referencePrice > 0, "bad seller data")
        self.baselineKilowattHours = baselineKilowattHours
        preference = referencePrice * (1 + baselineKilowattHours)
        lowerKilowattHours = (1 - flexibleShare) * baselineKilowattHours
        upperKilowattHours = baselineKilowattHours + surplusKilowattHours
    }

    /// The utility-maximising consumption at internal price `price` (µtoken/Wh), kWh.
    public func bestResponse(price: Double) -> Double {
        precondition(price > 0, "price must be positive")
        return min(upperKilowattHours, max(lowerKilowattHours, preference / price - 1))
    }

    /// The seller's utility at consumption `consumption` kWh and price `price`.
    public func utility(consumption: Double, price: Double) -> Double {
        preference * logarithm(1 + consumption) - price * consumption
    }
}
