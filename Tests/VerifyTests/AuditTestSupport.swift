// Test support for the audit: a fast mirror of MarketSession's declaration path (forecast → adversary
// distortion → revealed order; planned net power → meter reading) that skips signatures and
// clearing, and a runner that drains the real MarketSession's log for comparison.
import Kernel
import Market
import Verify

/// The market events the audit reads, for one simulated day, without Ed25519 or the auction.
///
/// Why a mirror: a real `MarketSession` day (55 homes, 288 intervals) costs ≈ 27 s in a debug build,
/// almost all of it signing and verifying commits and reveals, so 20 seeds would take ~9 minutes.
/// The mirror uses the same public pieces in the same order — `SyntheticHouseholds`,
/// `NetEnergyForecaster`, `EVChargingController` (P2P policy with the community-surplus signal from
/// the declared book), `chooseAdversaries`, the `"adversaries.behaviour"` stream drawn once per
/// adversary per interval, `adversarialDeclaration`, `wattHours` rounding — so the adversaries and
/// their active intervals are exactly the real session's. It leaves out the sellers' price response
/// (it needs trades); that changes honest consumption a little, not the forecast error's nature.
/// `realMarketSessionEvents` drains the real session; the opt-in test compares both.
enum MarketDeclarationMirror {
    static func events(seed: UInt64, homes: Int = 55, intervals: Int = marketIntervalsPerDay,
                       adversaries configuration: AdversaryConfiguration) -> (events: [AuditEvent], truth: [AdversaryAssignment]) {
        let households = SyntheticHouseholds.generate(count: homes, rootSeed: seed)
        let truth = chooseAdversaries(participantCount: homes, configuration: configuration, rootSeed: seed)
        var strategyOf = [AdversaryStrategy?](repeating: nil, count: homes)
        for assignment in truth { strategyOf[assignment.participant] = assignment.strategy }
        var behaviour = SeedStreams(rootSeed: seed).stream("adversaries.behaviour")
        var forecasters = households.map { _ in NetEnergyForecaster(smoothing: 0.7) }
        var chargers = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        var events: [AuditEvent] = []
        var seq: Int64 = 0
        var communitySurplus = false
        let hours = intervalEnergyKilowattHours(powerKilowatts: 1)
        for interval in 0..<intervals {
            let slot = interval % marketIntervalsPerDay
            var supply: Int64 = 0, demand: Int64 = 0
            var metered: [(kilowattHours: Double, evKilowattHours: Double)] = []
            for home in 0..<homes {
                let profile = households[home]
                let signal = ChargingSignal(ownSurplusKilowatts: -forecasters[home].forecast(plannedEVKilowattHours: 0) / hours,
                                            communitySurplus: communitySurplus)
                let ev = chargers[home].chargingKilowatts(interval: slot, scenario: .p2p, signal: signal)
                var declared = forecasters[home].forecast(plannedEVKilowattHours: ev * hours)
                if let strategy = strategyOf[home], behaviour.uniformDouble() < configuration.activityProbability {
                    declared = adversarialDeclaration(honestForecastKilowattHours: declared, strategy: strategy, configuration: configuration)
                }
                let energy = wattHours(fromKilowattHours: declared)
                if energy != 0 {
                    seq += 1
                    if energy > 0 { demand += energy } else { supply -= energy }
                    events.append(AuditEvent(seq: seq, timeMilliseconds: Int64(interval) * 300_000 + 60_000, kind: "order_revealed",
                                             actor: "home:\(home)", payload: orderPayload(home: home, interval: interval, energyWattHours: energy)))
                }
                let net = profile.baseLoadKilowatts[slot] + ev - profile.pvKilowatts[slot]
                metered.append((net * hours, ev * hours))
            }
            for home in 0..<homes {
                seq += 1
                events.append(AuditEvent(seq: seq, timeMilliseconds: Int64(interval + 1) * 300_000, kind: "meter_reading", actor: "home:\(home)",
                                         payload: #"{"interval":\#(interval),"net_wh":\#(wattHours(fromKilowattHours: metered[home].kilowattHours))}"#))
                forecasters[home].observe(meteredNetKilowattHours: metered[home].kilowattHours, evKilowattHours: metered[home].evKilowattHours)
            }
            communitySurplus = supply > 0 && supply >= demand
        }
        return (events, truth)
    }

    /// The canonical `order_revealed` payload for a signed declaration (+ buy, − sell), Wh.
    static func orderPayload(home: Int, interval: Int, energyWattHours energy: Int64, limitPrice: Int64 = 150) -> String {
        #"{"energy_wh":\#(abs(energy)),"interval":\#(interval),"limit_price":\#(limitPrice),"participant":\#(home),"side":"\#(energy > 0 ? "buy" : "sell")"}"#
    }
}

/// Runs the real `MarketSession` alone (no chain, no grid) and drains the events the audit reads.
func realMarketSessionEvents(seed: UInt64, homes: Int = 55, intervals: Int = marketIntervalsPerDay,
                             adversaries: AdversaryConfiguration) -> (events: [AuditEvent], truth: [AdversaryAssignment]) {
    var configuration = MarketConfiguration()
    configuration.mechanism = .auction
    configuration.adversaries = adversaries
    let households = SyntheticHouseholds.generate(count: homes, rootSeed: seed)
    var session = MarketSession(households: households, configuration: configuration, rootSeed: seed)
    var events: [AuditEvent] = []
    for interval in 0..<intervals {
        _ = session.runInterval(interval)
        for record in session.log.drain() where record.kind == .orderRevealed || record.kind == .meterReading {
            events.append(AuditEvent(seq: Int64(events.count + 1), timeMilliseconds: record.time.milliseconds,
                                     kind: record.kind.rawValue, actor: record.actor, payload: record.payload.text))
        }
    }
    return (events, session.adversaries)
}

/// The default scenario's adversaries (scenarios/default.toml), with an overridable magnitude.
func defaultAdversaries(overstatementFactor: Double = 1.5, phantomDemandKilowattHours: Double = 0.2,
                        activity: Double = 0.9) -> AdversaryConfiguration {
    AdversaryConfiguration(fraction: 0.1, strategies: [.overstatingSeller, .phantomBuyer], overstatementFactor: overstatementFactor,
                           phantomDemandKilowattHours: phantomDemandKilowattHours, activityProbability: activity)
}
