// Owns what a checkpoint keeps of a market session: the ledger, each home's EV deliveries and
// forecaster, the open contracts, the interval state machine and the bid, nonce and adversary PRNG
// streams. Households, keys, the account registry and the overlay follow from the households,
// configuration and seed, which `init` rebuilds; they are never stored.
import Kernel

extension MarketSession {
    /// The session's changing state, in the canonical checkpoint encoding.
    public struct CheckpointState: Codable, Sendable {
        var ledger: TokenLedger
        var evDeliveredKilowattHours: [[Double]]
        var forecasters: [NetEnergyForecaster]
        var bidStream: Xoshiro256StarStar
        var nonceStream: Xoshiro256StarStar
        var adversaryStream: Xoshiro256StarStar
        var nextInterval: Int
        var phase: Phase
        var plan: IntervalPlan?
        var openContracts: [Contract]
        var nextContractID: Int
        var lastCommunitySurplus: Bool
        var lastSellerPrice: [Double]
    }

    /// The state to store; the event log must have been drained (a checkpoint sits between intervals).
    public var checkpointState: CheckpointState {
        precondition(log.records.isEmpty, "a market checkpoint is taken with its event log drained")
        return CheckpointState(
            ledger: ledger, evDeliveredKilowattHours: evControllers.map(\.deliveredKilowattHours), forecasters: forecasters,
            bidStream: bidStream, nonceStream: nonceStream, adversaryStream: adversaryStream, nextInterval: nextInterval,
            // Between intervals the last plan is dead (the next `planInterval` replaces it): not stored.
            phase: phase, plan: phase == .plan ? nil : plan, openContracts: openContracts, nextContractID: nextContractID,
            lastCommunitySurplus: lastCommunitySurplus, lastSellerPrice: lastSellerPrice)
    }

    /// Puts a stored state into a session built from the same households, configuration and seed.
    /// Throws `CheckpointCodingError` when the state does not fit them (another home count, a
    /// ledger that does not balance, a contract between homes that do not exist).
    public mutating func restore(_ state: CheckpointState) throws(CheckpointCodingError) {
        let homes = households.count
        guard state.evDeliveredKilowattHours.count == homes, state.forecasters.count == homes, state.lastSellerPrice.count == homes,
              state.ledger.homeBalancesMicroTokens.count == homes, state.ledger.biddingTokensLeft.count == homes else {
            throw CheckpointCodingError("market: the checkpoint's per-home state does not have \(homes) homes")
        }
        for (home, delivered) in state.evDeliveredKilowattHours.enumerated() where delivered.count != households[home].evSessions.count {
            throw CheckpointCodingError("market: home \(home) has \(households[home].evSessions.count) EV sessions, the checkpoint \(delivered.count)")
        }
        guard state.ledger.totalMicroTokens == ledger.totalMicroTokens, state.ledger.sumOfAccountsMicroTokens == state.ledger.totalMicroTokens else {
            throw CheckpointCodingError("market: the checkpoint's ledger does not hold the run's \(ledger.totalMicroTokens) µtoken")
        }
        for contract in state.openContracts where !(0..<homes).contains(contract.seller) || !(0..<homes).contains(contract.buyer)
            || contract.energyWattHours <= 0 {
            throw CheckpointCodingError("market: open contract \(contract.id) is malformed")
        }
        ledger = state.ledger
        for home in evControllers.indices { evControllers[home].deliveredKilowattHours = state.evDeliveredKilowattHours[home] }
        forecasters = state.forecasters
        bidStream = state.bidStream
        nonceStream = state.nonceStream
        adversaryStream = state.adversaryStream
        nextInterval = state.nextInterval
        phase = state.phase
        plan = state.plan
        openContracts = state.openContracts
        nextContractID = state.nextContractID
        lastCommunitySurplus = state.lastCommunitySurplus
        lastSellerPrice = state.lastSellerPrice
    }
}

extension EVChargingController {
    /// Puts back the energy delivered to each session so far (from a checkpoint).
    public mutating func restore(deliveredKilowattHours delivered: [Double]) throws(CheckpointCodingError) {
        guard delivered.count == sessions.count, delivered.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw CheckpointCodingError("EV: \(delivered.count) delivered energies for \(sessions.count) sessions, or not finite")
        }
        deliveredKilowattHours = delivered
    }
}
