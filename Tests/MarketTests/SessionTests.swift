// Tests of the per-interval market API over whole simulated days: money and energy conservation
// with adversaries, the P2P vs no-P2P flexibility, rejections recorded as events, determinism.
import Kernel
import Testing
@testable import Market

private func configuration(_ mechanism: MarketMechanism, scenario: TradingScenario = .p2p,
                           adversaryFraction: Double = 0.2) -> MarketConfiguration {
    var configuration = MarketConfiguration()
    configuration.mechanism = mechanism
    configuration.scenario = scenario
    configuration.adversaries = AdversaryConfiguration(fraction: adversaryFraction)
    return configuration
}

/// Runs a whole day; checks the ledger and energy identities after every interval.
private func runDay(homes: Int, seed: UInt64, configuration: MarketConfiguration,
                    logging: Bool = false) -> (MarketSession, [ClearingReport], [SettlementReport]) {
    let households = SyntheticHouseholds.generate(count: homes, rootSeed: seed)
    var session = MarketSession(households: households, configuration: configuration, rootSeed: seed,
                                log: EventLog(isEnabled: logging))
    var clearings: [ClearingReport] = [], settlements: [SettlementReport] = []
    for interval in 0..<marketIntervalsPerDay {
        let (clearing, settlement) = session.runInterval(interval)
        clearings.append(clearing); settlements.append(settlement)
    }
    return (session, clearings, settlements)
}

@Suite struct SessionTests {
    /// A day with 25 % adversaries (both strategies), for both mechanisms: after every interval the
    /// accounts sum to the initial money, escrow is empty, Σ bought = Σ sold, every home's meter equals
    /// bought − sold + import − export, and the grid's net money matches its net energy at the tariffs.
    @Test(arguments: [MarketMechanism.auction, .game])
    func moneyAndEnergyAreConservedOverADayWithAdversaries(mechanism: MarketMechanism) {
        let (session, clearings, settlements) = runDay(homes: 8, seed: 77, configuration: configuration(mechanism, adversaryFraction: 0.25))
        #expect(session.adversaries.count == 2)
        #expect(Set(session.adversaries.map(\.strategy)) == Set(AdversaryStrategy.allCases))
        let ledger = session.ledger
        #expect(ledger.sumOfAccountsMicroTokens == ledger.totalMicroTokens)
        #expect(ledger.escrowMicroTokens == 0)
        var gridExpected: Int64 = 0
        var traded: Int64 = 0, shortfalls = 0
        for (clearing, settlement) in zip(clearings, settlements) {
            var bought: Int64 = 0, sold: Int64 = 0
            for home in settlement.homes {
                bought += home.boughtWattHours; sold += home.soldWattHours
                #expect(home.meteredWattHours == home.boughtWattHours - home.soldWattHours + home.gridImportWattHours - home.gridExportWattHours)
                gridExpected += home.gridImportWattHours * 250 - home.gridExportWattHours * 50
            }
            #expect(bought == sold)
            traded += bought
            for (contract, result) in zip(clearing.contracts, settlement.contracts) {
                #expect(result.paidToSellerMicroTokens + result.refundedToBuyerMicroTokens + result.paidToOperatorMicroTokens
                        == contract.escrowMicroTokens)
                if result.deliveredWattHours < contract.energyWattHours { shortfalls += 1 }
            }
        }
        #expect(ledger.gridMicroTokens == gridExpected)
        #expect(traded > 300, "the day should trade energy internally (McAfee trade reduction bites hard with 8 homes)")
        #expect(shortfalls > 0, "adversaries and forecast error must leave some contracts short")
        // Sellers respond to the internal price (auction: last interval's price; game: this interval's).
        #expect(clearings.contains { $0.plan.homes.contains { $0.consumptionAdjustmentKilowatts < -1e-9 } })
    }

    @Test func evSessionsRecurEveryDayAndGroundTruthIsExposed() {
        var config = configuration(.auction, scenario: .noP2P, adversaryFraction: 0.5)
        config.dailyBiddingAllowance = 1
        let households = SyntheticHouseholds.generate(count: 4, rootSeed: 21)
        var session = MarketSession(households: households, configuration: config, rootSeed: 21)
        var evEnergy = [[Double]](repeating: [0, 0], count: 4)
        for interval in 0..<(2 * marketIntervalsPerDay) {
            let (clearing, _) = session.runInterval(interval)
            for home in clearing.plan.homes {
                evEnergy[home.home][interval / marketIntervalsPerDay] += intervalEnergyKilowattHours(powerKilowatts: home.evKilowatts)
            }
        }
        for home in households {
            let needed = home.evSessions.map(\.energyKilowattHours).reduce(0, +)
            #expect(abs(evEnergy[home.home][0] - needed) < 1e-9 && abs(evEnergy[home.home][1] - needed) < 1e-9)
        }
        #expect(session.adversaries.count == 2)
        #expect(session.adversaryGroundTruthJSON == .array(session.adversaries.map(\.json)))
        #expect(session.adversaryGroundTruthJSON.text.contains("\"strategy\":\"overstating_seller\""))
        #expect(config.json.text.contains("\"scenario\":\"no-p2p\""))
        #expect(config.json.text.contains("\"adversary_fraction\":0.5"))
    }

    @Test func adversariesAreChosenBySeedAndFraction() {
        let a = chooseAdversaries(participantCount: 55, configuration: AdversaryConfiguration(fraction: 0.1), rootSeed: 1)
        let b = chooseAdversaries(participantCount: 55, configuration: AdversaryConfiguration(fraction: 0.1), rootSeed: 1)
        let c = chooseAdversaries(participantCount: 55, configuration: AdversaryConfiguration(fraction: 0.1), rootSeed: 2)
        #expect(a == b && a.count == 6 && a != c)
        #expect(a.map(\.participant) == a.map(\.participant).sorted())
        #expect(chooseAdversaries(participantCount: 55, configuration: AdversaryConfiguration(fraction: 0), rootSeed: 1).isEmpty)
        let sellersOnly = AdversaryConfiguration(fraction: 0.5, strategies: [.overstatingSeller])
        #expect(chooseAdversaries(participantCount: 10, configuration: sellersOnly, rootSeed: 1).allSatisfy { $0.strategy == .overstatingSeller })
        #expect(adversarialDeclaration(honestForecastKilowattHours: -0.2, strategy: .overstatingSeller, configuration: sellersOnly) < -0.39)
        #expect(adversarialDeclaration(honestForecastKilowattHours: 0.1, strategy: .overstatingSeller, configuration: sellersOnly) == 0.1)
        #expect(abs(adversarialDeclaration(honestForecastKilowattHours: 0.1, strategy: .phantomBuyer, configuration: sellersOnly) - 0.3) < 1e-12)
    }

    /// No-P2P: EVs charge at full power from arrival and nobody trades. P2P: the same sessions get the
    /// same energy by departure, but charging moves later, and sellers shed consumption.
    @Test func p2pMovesEVChargingAndSellerConsumption() {
        let (noP2P, plainClearings, _) = runDay(homes: 12, seed: 5, configuration: configuration(.auction, scenario: .noP2P, adversaryFraction: 0))
        let (p2p, p2pClearings, _) = runDay(homes: 12, seed: 5, configuration: configuration(.game, adversaryFraction: 0))
        #expect(plainClearings.allSatisfy { $0.trades.isEmpty && $0.acceptedOrders.isEmpty })
        var movedSessions = 0
        for home in 0..<12 {
            let sessions = noP2P.households[home].evSessions
            for session in sessions {
                let window = session.arrivalInterval..<session.departureInterval
                let plainEnergy = window.map { intervalEnergyKilowattHours(powerKilowatts: plainClearings[$0].plan.homes[home].evKilowatts) }.reduce(0, +)
                let p2pEnergy = window.map { intervalEnergyKilowattHours(powerKilowatts: p2pClearings[$0].plan.homes[home].evKilowatts) }.reduce(0, +)
                #expect(abs(plainEnergy - session.energyKilowattHours) < 1e-9)
                #expect(abs(p2pEnergy - session.energyKilowattHours) < 1e-9)
                #expect(plainClearings[session.arrivalInterval].plan.homes[home].evKilowatts > 0)
                if window.contains(where: { plainClearings[$0].plan.homes[home].evKilowatts != p2pClearings[$0].plan.homes[home].evKilowatts }) {
                    movedSessions += 1
                }
            }
        }
        #expect(movedSessions >= 5)
        let shed = p2pClearings.flatMap { $0.plan.homes }.filter { $0.consumptionAdjustmentKilowatts < -1e-9 }
        #expect(!shed.isEmpty)
        #expect(plainClearings.flatMap { $0.plan.homes }.allSatisfy { $0.consumptionAdjustmentKilowatts == 0 })
        #expect(p2pClearings.contains { $0.regime == .stackelberg } && p2pClearings.contains { $0.regime == .surplus })
        _ = p2p
    }

    @Test func sameSeedGivesIdenticalEventsAndDifferentSeedDoesNot() {
        var config = configuration(.auction)
        config.dailyBiddingAllowance = 1000
        func events(seed: UInt64) -> [EventRecord] {
            var session = MarketSession(households: SyntheticHouseholds.generate(count: 6, rootSeed: seed), configuration: config,
                                        rootSeed: seed, log: EventLog())
            for interval in 0..<120 { _ = session.runInterval(interval) }
            return session.log.drain()
        }
        let a = events(seed: 8), b = events(seed: 8), c = events(seed: 9)
        #expect(a == b)
        #expect(a != c)
        func digest(_ records: [EventRecord]) -> String {
            var digest = MarketEventDigest()
            for record in records { digest.add(record) }
            return digest.hex
        }
        #expect(digest(a) == digest(b) && digest(a) != digest(c) && digest(a).count == 64)
        for kind in [EventKind.orderCommitted, .orderRevealed, .orderMatched, .orderForwarded, .contractCreated,
                     .contractSettled, .meterReading] {
            #expect(a.contains { $0.kind == kind }, "missing \(kind)")
        }
        #expect(zip(a, a.dropFirst()).allSatisfy { $0.time <= $1.time }, "events are emitted in simulated-time order")
    }

    @Test func gameAndCentralisedModesRecordTheirDecisions() {
        var game = MarketSession(households: SyntheticHouseholds.generate(count: 6, rootSeed: 4), configuration: configuration(.game, adversaryFraction: 0),
                                 rootSeed: 4, log: EventLog())
        for interval in 0..<120 { _ = game.runInterval(interval) }
        let finals = game.log.drain().filter {
            guard $0.kind == .gameIteration, case .object(let members) = $0.payload else { return false }
            return members["final"] == .bool(true)
        }
        #expect(finals.count == 120)
        #expect(finals.contains { $0.payload.text.contains("\"regime\":\"stackelberg\"") })
        #expect(finals.contains { $0.payload.text.contains("\"regime\":\"no_internal_trade\"") })

        var config = configuration(.auction, adversaryFraction: 0)
        config.distributed = false
        var central = MarketSession(households: SyntheticHouseholds.generate(count: 6, rootSeed: 4), configuration: config,
                                    rootSeed: 4, log: EventLog())
        var trades = 0, orders = 0
        for interval in 0..<120 {
            let (clearing, _) = central.runInterval(interval)
            trades += clearing.trades.count; orders += clearing.acceptedOrders.count
        }
        let events = central.log.drain()
        #expect(events.filter { $0.kind == .orderMatched }.count == trades)
        #expect(events.allSatisfy { $0.kind != .orderForwarded })
        #expect(events.contains { $0.kind == .orderUnmatched })
        #expect(orders > 0)
    }

    /// CoSim routes transactions through the chain; a commit with a malformed signature, a replayed
    /// reveal, a reveal without its commit and a tampered reveal are rejected and recorded.
    @Test func rejectedTransactionsAreRecordedInTheSession() throws {
        var session = MarketSession(households: SyntheticHouseholds.generate(count: 6, rootSeed: 3), configuration: configuration(.auction, adversaryFraction: 0),
                                    rootSeed: 3, log: EventLog())
        for interval in 0..<110 { _ = session.runInterval(interval) }  // into the afternoon, when homes trade
        _ = session.log.drain()
        let plan = session.planInterval(110)
        let first = session.submitOrders(110)
        #expect(first.reveals.count >= 2)
        _ = session.clear(110, commits: first.commits, reveals: first.reveals)
        _ = session.settle(110, meteredNetKilowattHours: plan.homes.map { intervalEnergyKilowattHours(powerKilowatts: $0.netKilowatts) })
        _ = session.planInterval(111)
        let second = session.submitOrders(111)
        try #require(second.reveals.count >= 3)
        var badCommit = second.commits[0]
        badCommit.signature.removeLast()  // malformed: its reveal then has no commitment
        var tampered = second.reveals[1]
        tampered.order.limitPriceMicroTokensPerWattHour += 1  // not what was committed
        let report = session.clear(111, commits: [badCommit] + second.commits.dropFirst(),
                                   reveals: [first.reveals[0], second.reveals[0], tampered] + second.reveals.dropFirst(2))
        #expect(report.rejections.map(\.reason) == [.badSignature, .replayFromAnotherInterval, .noCommitment, .commitmentMismatch])
        #expect(report.acceptedOrders.count == second.reveals.count - 2)
        let recorded = session.log.drain().filter { $0.kind == .orderRejected }
        #expect(recorded.count == 4)
    }
    /// Signing and checking off the session (as CoSim does, beside the chain) gives the same commits,
    /// the same clearing and the same events as `submitOrders` + `clear(commits:)`, and a commit whose
    /// check failed is rejected for its signature.
    @Test func signAndCheckOffTheSessionClearsAsSubmitAndClear() throws {
        func session() -> MarketSession {
            var session = MarketSession(households: SyntheticHouseholds.generate(count: 8, rootSeed: 5),
                                        configuration: configuration(.auction, adversaryFraction: 0), rootSeed: 5, log: EventLog())
            for interval in 0..<110 { _ = session.runInterval(interval) }  // into the afternoon, when homes trade
            _ = session.log.drain()
            return session
        }
        var reference = session(), split = session()
        _ = reference.planInterval(110)
        _ = split.planInterval(110)
        let submission = reference.submitOrders(110)
        let signed = split.orderSigner.signAndCheck(split.prepareOrders(110), parallelism: .allCores)
        try #require(submission.commits.count >= 2)
        #expect(signed.submission == submission)
        #expect(signed.checkedCommits.map { $0.commit } == submission.commits)
        #expect(signed.checkedCommits.allSatisfy { $0.signatureValid })
        let expected = reference.clear(110, commits: submission.commits, reveals: submission.reveals)
        let report = split.clear(110, checkedCommits: signed.checkedCommits, reveals: signed.submission.reveals)
        #expect(report == expected)
        #expect(split.log.drain() == reference.log.drain())
        var forged = submission.commits[0]
        forged.signature[0] ^= 1
        #expect(split.registry.check(forged).signatureValid == false)
        #expect(split.registry.check([forged, submission.commits[1]], parallelism: .serial).map { $0.signatureValid } == [false, true])
    }
}

