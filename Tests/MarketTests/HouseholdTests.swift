// Tests of households as data: EV sessions from charging profiles, synthetic profiles, the EnerPort
// profile reader, the EV charging policies, seller price response and the forecaster.
import Foundation
import Kernel
import Testing
@testable import Market

/// ../shared/feeders/enerport/Daily_1min_100profiles relative to the package root, if present.
private func enerPortDirectory() -> String? {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory = packageRoot.appendingPathComponent("../shared/feeders/enerport/Daily_1min_100profiles").standardized.path
    return FileManager.default.fileExists(atPath: directory) ? directory : nil
}

@Suite struct HouseholdTests {
    @Test func evSessionsFollowChargingRuns() {
        var power = [Double](repeating: 0, count: marketIntervalsPerDay)
        for i in 100..<104 { power[i] = 3 }
        for i in 110..<112 { power[i] = 3 }  // starts before the first session leaves: merged
        for i in 200..<203 { power[i] = 3 }
        let sessions = evSessions(fromChargingKilowatts: power) { _ in 12 }
        #expect(sessions == [EVSession(arrivalInterval: 100, departureInterval: 124, energyKilowattHours: 1.5),
                             EVSession(arrivalInterval: 200, departureInterval: 215, energyKilowattHours: 0.75)])
        let late = evSessions(fromChargingKilowatts: Array(repeating: 0, count: 280) + Array(repeating: 3, count: 8)) { _ in 50 }
        #expect(late.first?.departureInterval == marketIntervalsPerDay)
    }

    @Test func syntheticHouseholdsAreSeededAndInRange() {
        let homes = SyntheticHouseholds.generate(count: 55, rootSeed: 12)
        #expect(homes == SyntheticHouseholds.generate(count: 55, rootSeed: 12))
        #expect(homes[3] == SyntheticHouseholds.generate(count: 4, rootSeed: 12)[3])  // independent of the count
        #expect(homes != SyntheticHouseholds.generate(count: 55, rootSeed: 13))
        for home in homes {
            #expect(home.pvRatedKilowatts >= 1.6 && home.pvRatedKilowatts < 4)
            #expect(home.pvKilowatts.allSatisfy { $0 >= 0 && $0 <= home.pvRatedKilowatts })
            #expect(home.pvKilowatts[0] == 0 && home.pvKilowatts[12 * 13] > 0)  // night and 13:00
            #expect(home.baseLoadKilowatts.allSatisfy { $0 > 0 })
            for session in home.evSessions {
                #expect(session.energyKilowattHours <= 3 * Double(session.departureInterval - session.arrivalInterval) / 12 + 1e-12)
            }
        }
        #expect(homes.filter { !$0.evSessions.isEmpty }.count >= 40)
    }

    @Test func enerPortProfilesAreRead() throws {
        guard let directory = enerPortDirectory() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("../shared/feeders/enerport is missing under CI") }
            print("skipping: ../shared/feeders/enerport not found")
            return
        }
        let homes = try EnerPortProfiles.households(directory: directory, season: .base, count: 55, rootSeed: 1)
        #expect(homes.count == 55)
        // EV_profile_1: 51 minutes at 3 kW plus 2 × 2.688 and 2 × 1.944 kW = 2.75 kWh.
        let ev1 = try EnerPortProfiles.readPerMinute(path: directory + "/EV_profile_1.txt")
        #expect(abs(ev1.reduce(0, +) / 60 - 2.75) < 1e-9)
        #expect(abs(homes[0].evSessions.map(\.energyKilowattHours).reduce(0, +) - 2.75) < 1e-9)
        for home in homes {
            #expect(home.pvRatedKilowatts >= 1.6 && home.pvRatedKilowatts <= 5)
            #expect(home.evChargerKilowatts == 3)
        }
        // No P2P: charging on arrival reproduces each EV profile's energy, never later than the profile.
        var controllers = homes.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: 3) }
        for (index, home) in homes.enumerated() {
            let profile = fiveMinuteAverages(ofPerMinute: try EnerPortProfiles.readPerMinute(path: directory + "/EV_profile_\(index + 1).txt"))
            var profileEnergy = 0.0, chargedEnergy = 0.0
            for interval in 0..<marketIntervalsPerDay {
                profileEnergy += intervalEnergyKilowattHours(powerKilowatts: profile[interval])
                chargedEnergy += intervalEnergyKilowattHours(powerKilowatts: controllers[index].chargingKilowatts(
                    interval: interval, scenario: .noP2P, signal: ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false)))
                #expect(chargedEnergy >= profileEnergy - 1e-9, "home \(index + 1) charges later than its profile at \(interval)")
            }
            #expect(abs(chargedEnergy - profileEnergy) < 1e-9)
            #expect(abs(home.evSessions.map(\.energyKilowattHours).reduce(0, +) - profileEnergy) < 1e-9)
        }
        let summer = try EnerPortProfiles.households(directory: directory, season: .summer, count: 3, rootSeed: 1)
        #expect(summer[0].baseLoadKilowatts != homes[0].baseLoadKilowatts)
        #expect(throws: ProfileError.self) { try EnerPortProfiles.readPerMinute(path: directory + "/missing.txt") }
    }

    @Test func noP2PChargesOnArrivalAndP2PDefersButFinishes() {
        let session = EVSession(arrivalInterval: 10, departureInterval: 40, energyKilowattHours: 2.2)
        var plain = EVChargingController(sessions: [session], chargerKilowatts: 3)
        var flexible = EVChargingController(sessions: [session], chargerKilowatts: 3)
        let quiet = ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false)
        let plainPower = (0..<50).map { plain.chargingKilowatts(interval: $0, scenario: .noP2P, signal: quiet) }
        let flexiblePower = (0..<50).map { flexible.chargingKilowatts(interval: $0, scenario: .p2p, signal: quiet) }
        #expect(Array(plainPower[10..<18]) == Array(repeating: 3, count: 8))
        #expect(abs(plainPower[18] - 2.4) < 1e-9 && plainPower[19] == 0)  // 2.2 kWh = 8 × 0.25 + 0.2
        // Spread evenly over the 30 intervals until departure: 2.2 kWh / 2.5 h = 0.88 kW.
        #expect(flexiblePower[10..<40].allSatisfy { abs($0 - 0.88) < 1e-9 } && flexiblePower[40...].allSatisfy { $0 == 0 })
        #expect(abs(flexiblePower.map { intervalEnergyKilowattHours(powerKilowatts: $0) }.reduce(0, +) - 2.2) < 1e-9)
        #expect(abs(plain.delivered[0] - 2.2) < 1e-9 && abs(flexible.delivered[0] - 2.2) < 1e-9)
        var sunny = EVChargingController(sessions: [session], chargerKilowatts: 3)
        #expect(sunny.chargingKilowatts(interval: 10, scenario: .p2p, signal: ChargingSignal(ownSurplusKilowatts: 1.2, communitySurplus: false)) == 1.2)
        #expect(sunny.chargingKilowatts(interval: 11, scenario: .p2p, signal: ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: true)) == 3)
    }

    @Test func sellerConsumptionFallsWithPrice() {
        let seller = SellerConsumption(baselineKilowattHours: 0.2, surplusKilowattHours: 0.1, referencePrice: 50)
        #expect(abs(seller.bestResponse(price: 50) - 0.2) < 1e-12)
        #expect(abs(seller.bestResponse(price: 51) - (50 * 1.2 / 51 - 1)) < 1e-12)  // k/p − 1, inside the bounds
        #expect(abs(seller.bestResponse(price: 48) - 0.25) < 1e-12)
        #expect(abs(seller.bestResponse(price: 250) - 0.14) < 1e-12)  // floor: 70 % of baseline
        #expect(abs(seller.bestResponse(price: 10) - 0.3) < 1e-12)    // ceiling: baseline + surplus
    }

    @Test func forecasterSmoothsTheNonEVPart() {
        var forecaster = NetEnergyForecaster(smoothing: 0.5)
        #expect(forecaster.forecast(plannedEVKilowattHours: 0.25) == 0.25)
        forecaster.observe(meteredNetKilowattHours: 0.4, evKilowattHours: 0.25)
        #expect(abs(forecaster.forecast(plannedEVKilowattHours: 0) - 0.15) < 1e-12)
        forecaster.observe(meteredNetKilowattHours: -0.05, evKilowattHours: 0)
        #expect(abs(forecaster.forecast(plannedEVKilowattHours: 0.1) - (0.5 * -0.05 + 0.5 * 0.15 + 0.1)) < 1e-12)
    }
}
