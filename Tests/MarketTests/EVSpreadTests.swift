// Tests that flexible (P2P) EV charging is spread over the sessions' windows instead of herding
// every home into the same late intervals, while every EV still gets its energy by departure.
import Kernel
import Testing
@testable import Market

@Suite struct EVSpreadTests {
    /// `count` homes without base load or PV, each with the same evening session.
    static func homes(count: Int, session: EVSession) -> [HouseholdProfile] {
        let flat = [Double](repeating: 0, count: marketIntervalsPerDay)
        return (0..<count).map {
            HouseholdProfile(home: $0, baseLoadKilowatts: flat, pvKilowatts: flat, pvRatedKilowatts: 0, evSessions: [session])
        }
    }

    /// Runs every controller through the day under `scenario` with no surplus signal; returns the
    /// total EV energy per interval (kWh).
    static func energyPerInterval(_ controllers: inout [EVChargingController], scenario: TradingScenario) -> [Double] {
        let quiet = ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false)
        return (0..<marketIntervalsPerDay).map { interval in
            var sum = 0.0
            for index in controllers.indices {
                sum += intervalEnergyKilowattHours(powerKilowatts: controllers[index].chargingKilowatts(interval: interval, scenario: scenario, signal: quiet))
            }
            return sum
        }
    }

    @Test func flexibleChargingOfManyHomesIsNotConcentratedInOneInterval() {
        // 200 cars plugged in 18:00–24:00 (72 intervals), each needing 1 kWh (4 intervals at 3 kW).
        let session = EVSession(arrivalInterval: 18 * 12, departureInterval: marketIntervalsPerDay, energyKilowattHours: 1)
        let households = Self.homes(count: 200, session: session)
        var flexible = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        let energy = Self.energyPerInterval(&flexible, scenario: .p2p)
        let total = energy.reduce(0, +)
        #expect(abs(total - 200) < 1e-6)
        // Least laxity would put 25 % of the energy into each of the last four intervals (150 kWh/h, 600 kW);
        // spread evenly, each of the 72 intervals carries 1/72 ≈ 1.4 % (≈ 33 kW).
        let maximumShare = (energy.max() ?? 0) / total
        #expect(maximumShare <= 0.02, "max interval share \(maximumShare)")
        #expect(energy[(18 * 12)...].allSatisfy { abs($0 - 200.0 / 72) < 1e-9 })
        #expect(energy[..<(18 * 12)].allSatisfy { $0 == 0 })
        for controller in flexible {
            #expect(abs(controller.delivered[0] - 1) < 1e-9)  // every EV gets its energy by departure
        }
        // Charging on arrival (no P2P) puts all of it into the first four intervals.
        var onArrival = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: 3) }
        let arrivalEnergy = Self.energyPerInterval(&onArrival, scenario: .noP2P)
        #expect(abs((arrivalEnergy.max() ?? 0) / total - 0.25) < 1e-9)
    }

    @Test func everySessionFinishesByDeparture() {
        let households = SyntheticHouseholds.generate(count: 55, rootSeed: 7)
        var controllers = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        let quiet = ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false)
        var sessions = 0
        for (home, household) in households.enumerated() {
            var delivered = [Double](repeating: 0, count: household.evSessions.count)
            for interval in 0..<marketIntervalsPerDay {
                let power = controllers[home].chargingKilowatts(interval: interval, scenario: .p2p, signal: quiet)
                #expect(power >= 0 && power <= 3)
                if let index = household.evSessions.firstIndex(where: { interval >= $0.arrivalInterval && interval < $0.departureInterval }) {
                    delivered[index] += intervalEnergyKilowattHours(powerKilowatts: power)
                } else {
                    #expect(power == 0, "home \(home) charges while unplugged at \(interval)")
                }
            }
            for (index, session) in household.evSessions.enumerated() {
                #expect(abs(delivered[index] - session.energyKilowattHours) < 1e-9, "home \(home) session \(index)")
                sessions += 1
            }
        }
        #expect(sessions > 40)
    }

    @Test func syntheticDayEVPeakIsNotRaisedByFlexibility() {
        // The symptom: deferral herded the day's EV load into a late peak far above charging on arrival.
        let households = SyntheticHouseholds.generate(count: 55, rootSeed: 1)
        var flexible = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        var onArrival = flexible
        let spread = Self.energyPerInterval(&flexible, scenario: .p2p)
        let arrival = Self.energyPerInterval(&onArrival, scenario: .noP2P)
        #expect(abs(spread.reduce(0, +) - arrival.reduce(0, +)) < 1e-6)
        #expect((spread.max() ?? 0) <= (arrival.max() ?? 0), "P2P peak \(spread.max() ?? 0) kWh vs \(arrival.max() ?? 0) per interval")
        // And the evening (17–21 h) carries less EV energy than when charging on arrival.
        let evening = (17 * 12)..<(21 * 12)
        #expect(spread[evening].reduce(0, +) < arrival[evening].reduce(0, +))
    }

    @Test func opportunisticChargingStillFinishesExactly() {
        let session = EVSession(arrivalInterval: 100, departureInterval: 160, energyKilowattHours: 6)
        var controller = EVChargingController(sessions: [session], chargerKilowatts: 3)
        var delivered = 0.0
        for interval in 0..<marketIntervalsPerDay {
            // Sunny at midday (own surplus 2 kW between 11:00 and 12:00), community surplus at 12:30.
            let signal = ChargingSignal(ownSurplusKilowatts: (132..<144).contains(interval) ? 2 : 0, communitySurplus: interval == 150)
            let power = controller.chargingKilowatts(interval: interval, scenario: .p2p, signal: signal)
            if (132..<144).contains(interval) { #expect(power >= 2 - 1e-12) }
            if interval == 150 { #expect(power == 3) }
            delivered += intervalEnergyKilowattHours(powerKilowatts: power)
        }
        #expect(abs(delivered - 6) < 1e-9)
    }
}
