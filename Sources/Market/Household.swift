// Owns households as plain data: per-home base load, PV and EV charging at 5-minute resolution,
// EV sessions derived from a charging profile, a seeded synthetic profile generator, and a reader
// for the EnerPort 1-minute profile files (../shared/feeders/enerport/Daily_1min_100profiles).
import Kernel

/// One EV plug-in session on the 5-minute interval grid.
///
/// Invariant: `0 ≤ arrivalInterval < departureInterval ≤ marketIntervalsPerDay`, and the energy fits
/// the session at the charger's rated power.
public struct EVSession: Sendable, Equatable {
    /// First interval the car is plugged in.
    public var arrivalInterval: Int
    /// First interval the car is gone (exclusive end).
    public var departureInterval: Int
    /// Energy the car needs before it leaves, kWh.
    public var energyKilowattHours: Double

    public init(arrivalInterval: Int, departureInterval: Int, energyKilowattHours: Double) {
        precondition(arrivalInterval >= 0 && arrivalInterval < departureInterval, "EV session must have positive length")
        precondition(energyKilowattHours >= 0, "EV energy must be non-negative")
        self.arrivalInterval = arrivalInterval
        self.departureInterval = departureInterval
        self.energyKilowattHours = energyKilowattHours
    }
}

/// A home's inputs for one day: average powers per 5-minute interval (kW, index = interval).
///
/// `baseLoadKilowatts` excludes the EV; `pvKilowatts` is generation (≥ 0). Both have
/// `marketIntervalsPerDay` entries.
public struct HouseholdProfile: Sendable, Equatable {
    public var home: Int
    public var baseLoadKilowatts: [Double]
    public var pvKilowatts: [Double]
    /// Rated PV power (1.6–4 kW in the paper's study).
    public var pvRatedKilowatts: Double
    /// EV charger rating (3 kW in the paper's study).
    public var evChargerKilowatts: Double
    public var evSessions: [EVSession]

    public init(home: Int, baseLoadKilowatts: [Double], pvKilowatts: [Double], pvRatedKilowatts: Double,
                evChargerKilowatts: Double = 3, evSessions: [EVSession]) {
        precondition(baseLoadKilowatts.count == marketIntervalsPerDay && pvKilowatts.count == marketIntervalsPerDay,
                     "household profiles need \(marketIntervalsPerDay) five-minute values")
        for session in evSessions {
            precondition(session.departureInterval <= marketIntervalsPerDay, "EV session ends after the day")
        }
        self.home = home
        self.baseLoadKilowatts = baseLoadKilowatts
        self.pvKilowatts = pvKilowatts
        self.pvRatedKilowatts = pvRatedKilowatts
        self.evChargerKilowatts = evChargerKilowatts
        self.evSessions = evSessions
    }
}

/// Averages a per-minute series into 5-minute intervals (1440 → 288 values).
public func fiveMinuteAverages(ofPerMinute values: [Double]) -> [Double] {
    precondition(values.count == marketIntervalsPerDay * marketIntervalMinutes, "expected one value per minute of a day")
    var out = [Double](repeating: 0, count: marketIntervalsPerDay)
    for interval in 0..<marketIntervalsPerDay {
        var sum = 0.0
        for minute in 0..<marketIntervalMinutes { sum += values[interval * marketIntervalMinutes + minute] }
        out[interval] = sum / Double(marketIntervalMinutes)
    }
    return out
}

/// Derives EV sessions from a 5-minute charging-power series (as the EnerPort EV profiles record it).
///
/// Each run of non-zero power is a charge; the car arrives at the run's start, needs the run's
/// energy, and stays `dwellIntervals(run)` intervals after the run ends (capped at the day's end).
/// Runs that start before the previous session's departure are merged into it, so sessions never
/// overlap.
public func evSessions(fromChargingKilowatts power: [Double],
                       dwellIntervals: (Int) -> Int) -> [EVSession] {
    var sessions: [EVSession] = []
    var interval = 0
    var runIndex = 0
    while interval < power.count {
        guard power[interval] > 0 else { interval += 1; continue }
        let start = interval
        var energy = 0.0
        while interval < power.count && power[interval] > 0 {
            energy += intervalEnergyKilowattHours(powerKilowatts: power[interval])
            interval += 1
        }
        let departure = min(power.count, interval + max(0, dwellIntervals(runIndex)))
        runIndex += 1
        if let last = sessions.last, start < last.departureInterval {
            sessions[sessions.count - 1] = EVSession(arrivalInterval: last.arrivalInterval,
                                                     departureInterval: max(last.departureInterval, departure),
                                                     energyKilowattHours: last.energyKilowattHours + energy)
        } else {
            sessions.append(EVSession(arrivalInterval: start, departureInterval: departure, energyKilowattHours: energy))
        }
    }
    return sessions
}

/// Seeded synthetic households: a two-peak domestic load with ±25 % autocorrelated noise, a clear-sky
/// PV bell scaled to a rating in 1.6–4 kW with autocorrelated cloud loss, and one evening EV session
/// (arrival 16:00–21:00, 3–8 h plugged in, 3–12 kWh) in about 90 % of homes.
///
/// All draws come from the stream `"market.profiles"` of the root seed, one sub-stream per home,
/// so the profile of home i does not depend on how many homes are generated.
public enum SyntheticHouseholds {
    public static func generate(count: Int, rootSeed: UInt64) -> [HouseholdProfile] {
        let profileSeeds = SeedStreams(rootSeed: rootSeed).substreams("market.profiles")
        return (0..<count).map { home in
            var rng = profileSeeds.stream("home:\(home)")
            return generateHome(home, rng: &rng)
        }
    }

    static func generateHome(_ home: Int, rng: inout Xoshiro256StarStar) -> HouseholdProfile {
        let pvRatedKilowatts = rng.uniformDouble(in: 1.6..<4.0)
        let morningPeakHour = rng.uniformDouble(in: 6.5..<8.5)
        let eveningPeakHour = rng.uniformDouble(in: 17.5..<20.5)
        let baseKilowatts = rng.uniformDouble(in: 0.15..<0.45)
        let peakKilowatts = rng.uniformDouble(in: 0.8..<2.2)
        var load = [Double](repeating: 0, count: marketIntervalsPerDay)
        var pv = [Double](repeating: 0, count: marketIntervalsPerDay)
        // Load and cloud deviations are AR(1) (φ = 0.9 per 5 minutes): households and clouds change
        // gradually, so persistence forecasts are informative but not exact.
        var loadDeviation = 0.25 * rng.standardNormal(), cloudDeviation = 0.15 * rng.standardNormal()
        let persistence = 0.9, innovationScale = (1 - persistence * persistence).squareRoot()
        for interval in 0..<marketIntervalsPerDay {
            let hour = (Double(interval) + 0.5) * Double(marketIntervalMinutes) / 60
            let morning = 0.6 * peakKilowatts * exponent(-0.5 * square((hour - morningPeakHour) / 1.0))
            let evening = peakKilowatts * exponent(-0.5 * square((hour - eveningPeakHour) / 1.5))
            loadDeviation = persistence * loadDeviation + innovationScale * 0.25 * rng.standardNormal()
            cloudDeviation = persistence * cloudDeviation + innovationScale * 0.15 * rng.standardNormal()
            load[interval] = max(0.05, (baseKilowatts + morning + evening) * (1 + loadDeviation))
            let sunAngle = (hour - 6) / 14 * Double.pi  // daylight 06:00–20:00, peak at 13:00
            if sunAngle > 0 && sunAngle < Double.pi {
                let cloud = min(1, max(0.2, 1 - abs(cloudDeviation)))
                pv[interval] = pvRatedKilowatts * sine(sunAngle) * sine(sunAngle) * cloud
            }
        }
        var sessions: [EVSession] = []
        if rng.uniformDouble() < 0.9 {
            let arrival = rng.uniformInt(in: 16 * 12...21 * 12)
            let departure = min(marketIntervalsPerDay, arrival + rng.uniformInt(in: 3 * 12...8 * 12))
            let maximumKilowattHours = 3 * Double(departure - arrival) * Double(marketIntervalMinutes) / 60
            let energy = min(maximumKilowattHours, rng.uniformDouble(in: 3..<12))
            sessions.append(EVSession(arrivalInterval: arrival, departureInterval: departure, energyKilowattHours: energy))
        }
        return HouseholdProfile(home: home, baseLoadKilowatts: load, pvKilowatts: pv,
                                pvRatedKilowatts: pvRatedKilowatts, evChargerKilowatts: 3, evSessions: sessions)
    }
}

@inline(__always) func square(_ x: Double) -> Double { x * x }
