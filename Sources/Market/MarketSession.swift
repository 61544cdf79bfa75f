// Owns the per-interval market API CoSim drives: plan (EV charging, seller response, forecast),
// orders as signed commits and their reveals, validation and clearing (distributed auction or price
// game), contracts with escrow, and settlement from meter readings. Every step emits trace events.
import Kernel

/// Which mechanism sets internal prices.
public enum MarketMechanism: String, Sendable, CaseIterable {
    /// Distributed (or centralised) double auction.
    case auction
    /// Stackelberg price game (paper eqs. 7–10).
    case game
}

/// Everything that configures a market run.
public struct MarketConfiguration: Sendable, Equatable {
    public var scenario: TradingScenario = .p2p
    public var mechanism: MarketMechanism = .auction
    public var auction = DistributedAuctionConfiguration()
    /// False: clear each interval with the centralised reference instead of the overlay.
    public var distributed = true
    public var prices = MarketPrices.standard
    /// Internal price when supply covers demand (eq. 7, third case), µtoken/Wh; nil means p_gs.
    public var surplusPriceMicroTokensPerWattHour: Int64?
    public var adversaries = AdversaryConfiguration()
    public var initialBalanceMicroTokens: Int64 = 1_000 * microTokensPerToken
    /// Bidding tokens per participant per day; each commit spends one.
    public var dailyBiddingAllowance = marketIntervalsPerDay
    public var forecastSmoothing = 0.7
    /// Share of a seller's base load it can shed in response to price.
    public var sellerFlexibleShare = 0.3

    public init() {}

    var surplusPrice: Int64 { surplusPriceMicroTokensPerWattHour ?? prices.gridSellMicroTokensPerWattHour }

    /// Every setting as canonical JSON (for a trace header or a report).
    public var json: CanonicalJSON {
        ["scenario": .string(scenario.rawValue), "mechanism": .string(mechanism.rawValue), "rule": .string(auction.rule.rawValue),
         "distributed": .bool(distributed), "hop_limit": .int(Int64(auction.hopLimit)),
         "maximum_rounds": .int(Int64(auction.maximumRounds)), "round_ms": .int(auction.roundMilliseconds),
         "grid_buy_price": .int(prices.gridBuyMicroTokensPerWattHour), "grid_sell_price": .int(prices.gridSellMicroTokensPerWattHour),
         "surplus_price": .int(surplusPrice), "adversary_fraction": .double(adversaries.fraction),
         "adversary_strategies": .array(adversaries.strategies.map { .string($0.rawValue) }),
         "overstatement_factor": .double(adversaries.overstatementFactor),
         "overstatement_extra_kwh": .double(adversaries.overstatementExtraKilowattHours),
         "phantom_demand_kwh": .double(adversaries.phantomDemandKilowattHours),
         "adversary_activity": .double(adversaries.activityProbability),
         "initial_balance": .int(initialBalanceMicroTokens), "daily_bidding_allowance": .int(Int64(dailyBiddingAllowance)),
         "forecast_smoothing": .double(forecastSmoothing), "seller_flexible_share": .double(sellerFlexibleShare)]
    }
}

/// One home's plan for an interval: the powers CoSim should place on the feeder (kW) and the forecast.
public struct HomeIntervalPlan: Sendable, Equatable, Codable {
    public var home: Int
    public var baseLoadKilowatts: Double
    /// Change of the base load from seller price response (≤ 0 sheds), kW.
    public var consumptionAdjustmentKilowatts: Double
    public var evKilowatts: Double
    public var pvKilowatts: Double
    /// Honest forecast of the interval's net energy, kWh (+ = import).
    public var forecastNetKilowattHours: Double

    /// Total consumption to place as the home's load, kW.
    public var loadKilowatts: Double { baseLoadKilowatts + consumptionAdjustmentKilowatts + evKilowatts }
    /// Net power (load − PV), kW.
    public var netKilowatts: Double { loadKilowatts - pvKilowatts }
}

/// The plan of every home for one interval.
public struct IntervalPlan: Sendable, Equatable, Codable {
    public var interval: Int
    public var homes: [HomeIntervalPlan]
}

/// The transactions participants send in minute 0–1 (commits) and minute 1 (reveals).
public struct OrderSubmission: Sendable, Equatable {
    public var interval: Int
    public var commits: [CommitTransaction]
    public var reveals: [RevealTransaction]
    /// What each home declared, kWh (+ buy, − sell); adversaries' lies included.
    public var declaredNetKilowattHours: [Double]
}

/// The outcome of clearing one interval.
public struct ClearingReport: Sendable, Equatable {
    public var interval: Int
    public var acceptedOrders: [Order]
    public var rejections: [OrderRejection]
    public var trades: [Trade]
    public var contracts: [Contract]
    /// Game outcome, when the game set prices.
    public var regime: PriceRegime?
    public var gamePriceMicroTokensPerWattHour: Double?
    /// Distributed auction: rounds, convergence curve and why it stopped.
    public var rounds: Int
    public var cumulativeTradesPerRound: [Int]
    public var termination: AuctionTermination?
    /// The plan after clearing (the game may change sellers' consumption): what the feeder should see.
    public var plan: IntervalPlan
}

/// A market run: households, accounts, ledger and the per-interval state machine.
///
/// Call, for each interval k = 0, 1, 2, … in order: `planInterval(k)`, `submitOrders(k)`,
/// `clear(k, commits:reveals:)` (with the transactions the chain delivered), then
/// `settle(k, meteredNetKilowattHours:)`. `runInterval(k)` does all four with self-metering.
///
/// Events (drain `log` after each step; times are offsets from the interval start T = 5k min;
/// energy in Wh, prices in µtoken/Wh, money in µtoken; every payload is a typed `EventPayload` in
/// MarketEvents.swift and ContractEvents.swift, and docs/trace-schema.md lists their fields):
/// - T+30 s `order_committed` (actor `home:i`; `CommitTransaction.json`) or `order_rejected`
///   (`participant, interval, phase: commit, reason`).
/// - T+1 min `order_revealed` (`Order.json`: participant, interval, side, energy_wh, limit_price) or
///   `order_rejected` (`phase: reveal`).
/// - From T+1 min, one auction round per 250 ms: `order_matched` (actor `home:j`, the auctioneer, or
///   `market` when centralised; `Trade.json`), `order_forwarded` (actor `home:j`; round, to, orders),
///   `order_unmatched` (order, side, energy_wh, held_by). Game: `game_iteration` per solver piece
///   (iteration, price_low, price_high, piece_best_price, best_price, buyer_cost) and one with
///   `final: true` (regime, price, iterations, buyer_cost).
/// - T+2 min `contract_created` (actor `contract:n`; `Contract.json`), or `order_unmatched` with
///   `reason: insufficient_funds_for_escrow`.
/// - T+5 min `meter_reading` (actor `home:i`; interval, net_wh) for every home, then per contract
///   `contract_settled` or, when anything went back to the buyer, `contract_refunded`
///   (`ContractSettlement.json`: contract, delivered_wh, to_seller, refund, to_operator, cancelled).
public struct MarketSession: Sendable {
    public let households: [HouseholdProfile]
    public let configuration: MarketConfiguration
    public let rootSeed: UInt64
    /// Ground truth for the trace header. The audit must never read it.
    public let adversaries: [AdversaryAssignment]
    public internal(set) var registry = AccountRegistry()
    public internal(set) var ledger: TokenLedger
    public var log: EventLog
    public let overlay: AuctionOverlay

    let keys: [ParticipantKey]
    let adversaryByHome: [AdversaryStrategy?]
    var evControllers: [EVChargingController]
    var forecasters: [NetEnergyForecaster]
    var bidStream: Xoshiro256StarStar
    var nonceStream: Xoshiro256StarStar
    var adversaryStream: Xoshiro256StarStar
    var nextInterval = 0
    var phase = Phase.plan
    var plan: IntervalPlan?
    var openContracts: [Contract] = []
    var nextContractID = 0
    var lastCommunitySurplus = false
    var lastSellerPrice: [Double]

    enum Phase: String, Sendable, Codable { case plan, submit, clear, settle }

    /// `adversarySeed` (default: `rootSeed`) draws who the adversaries are and when they misdeclare,
    /// so they can be held fixed while the market's own draws vary (or the reverse).
    public init(households: [HouseholdProfile], configuration: MarketConfiguration, rootSeed: UInt64,
                adversarySeed: UInt64? = nil, log: EventLog = EventLog()) {
        for (index, home) in households.enumerated() { precondition(home.home == index, "households must be numbered 0..<N in order") }
        // Auction events must end before contracts are created at minute 2 so the log stays in time order.
        precondition(Int64(configuration.auction.maximumRounds + 1) * configuration.auction.roundMilliseconds < 60_000,
                     "the distributed auction's deadline must end within a minute")
        self.households = households
        self.configuration = configuration
        self.rootSeed = rootSeed
        self.log = log
        let streams = SeedStreams(rootSeed: rootSeed)
        adversaries = chooseAdversaries(participantCount: households.count, configuration: configuration.adversaries,
                                        rootSeed: adversarySeed ?? rootSeed,
                                        hasPV: households.map { $0.pvRatedKilowatts > 0 })
        var byHome = [AdversaryStrategy?](repeating: nil, count: households.count)
        for assignment in adversaries { byHome[assignment.participant] = assignment.strategy }
        adversaryByHome = byHome
        keys = households.indices.map { ParticipantKey(participant: $0, rootSeed: rootSeed) }
        ledger = TokenLedger(homeCount: households.count, initialBalanceMicroTokens: configuration.initialBalanceMicroTokens,
                             dailyBiddingAllowance: configuration.dailyBiddingAllowance)
        evControllers = households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        forecasters = households.map { _ in NetEnergyForecaster(smoothing: configuration.forecastSmoothing) }
        var overlayStream = streams.stream("market.overlay")
        overlay = AuctionOverlay(participantCount: households.count, rng: &overlayStream)
        bidStream = streams.stream("market.bids")
        nonceStream = streams.stream("market.nonces")
        adversaryStream = SeedStreams(rootSeed: adversarySeed ?? rootSeed).stream("adversaries.behaviour")
        lastSellerPrice = households.map { _ in Double(configuration.prices.gridSellMicroTokensPerWattHour) }
        for key in keys { registry.register(participant: key.participant, publicKey: key.publicKeyBytes) }
    }

    /// The adversary ground truth as canonical JSON, for the trace header (never for the audit).
    public var adversaryGroundTruthJSON: CanonicalJSON { .array(adversaries.map(\.json)) }

    /// A participant's signing key (for tests and tools that forge or replay transactions).
    public func key(of participant: Int) -> ParticipantKey { keys[participant] }

    static func intervalStart(_ interval: Int) -> SimTime { .minutes(Int64(interval * marketIntervalMinutes)) }

    // MARK: step 1 — plan

    /// Decides EV charging and sellers' price response for interval `interval` and forecasts net energy.
    public mutating func planInterval(_ interval: Int) -> IntervalPlan {
        precondition(interval == nextInterval && phase == .plan, "intervals must be planned in order (expected \(nextInterval))")
        let slot = interval % marketIntervalsPerDay
        if slot == 0 && interval > 0 {
            for index in evControllers.indices { evControllers[index].startDay() }  // profiles repeat daily
        }
        var homes: [HomeIntervalPlan] = []
        homes.reserveCapacity(households.count)
        for (index, home) in households.enumerated() {
            let base = home.baseLoadKilowatts[slot], pv = home.pvKilowatts[slot]
            let forecaster = forecasters[index]
            let nonEVForecast = forecaster.forecast(plannedEVKilowattHours: 0)
            let signal = ChargingSignal(ownSurplusKilowatts: -nonEVForecast / intervalEnergyKilowattHours(powerKilowatts: 1),
                                        communitySurplus: lastCommunitySurplus)
            let ev = evControllers[index].chargingKilowatts(interval: slot, scenario: configuration.scenario, signal: signal)
            var adjustment = 0.0
            var forecast = forecaster.forecast(plannedEVKilowattHours: intervalEnergyKilowattHours(powerKilowatts: ev))
            if configuration.scenario == .p2p && configuration.mechanism == .auction && forecast < 0 {
                adjustment = sellerAdjustmentKilowatts(home: index, baseKilowatts: base, surplusKilowattHours: -forecast,
                                                       price: lastSellerPrice[index])
                forecast += intervalEnergyKilowattHours(powerKilowatts: adjustment)
            }
            homes.append(HomeIntervalPlan(home: index, baseLoadKilowatts: base, consumptionAdjustmentKilowatts: adjustment,
                                          evKilowatts: ev, pvKilowatts: pv, forecastNetKilowattHours: forecast))
        }
        let result = IntervalPlan(interval: interval, homes: homes)
        plan = result
        phase = .submit
        return result
    }

    func sellerConsumption(baseKilowatts: Double, surplusKilowattHours: Double) -> SellerConsumption {
        SellerConsumption(baselineKilowattHours: intervalEnergyKilowattHours(powerKilowatts: baseKilowatts),
                          surplusKilowattHours: surplusKilowattHours,
                          referencePrice: Double(configuration.prices.gridSellMicroTokensPerWattHour),
                          flexibleShare: configuration.sellerFlexibleShare)
    }

    private func sellerAdjustmentKilowatts(home: Int, baseKilowatts: Double, surplusKilowattHours: Double, price: Double) -> Double {
        let consumption = sellerConsumption(baseKilowatts: baseKilowatts, surplusKilowattHours: surplusKilowattHours)
        let change = consumption.bestResponse(price: max(price, 1)) - consumption.baselineKilowattHours
        return change / intervalEnergyKilowattHours(powerKilowatts: 1)
    }

    // MARK: step 2 — orders

    /// Builds each home's signed commit and its reveal from its declaration (the plan's forecast unless
    /// `declaredNetKilowattHours` is given; adversaries distort it). No orders in the no-P2P scenario.
    public mutating func submitOrders(_ interval: Int, declaredNetKilowattHours: [Double]? = nil) -> OrderSubmission {
        orderSigner.sign(prepareOrders(interval, declaredNetKilowattHours: declaredNetKilowattHours), parallelism: .allCores)
    }

    /// The serial half of `submitOrders`: each home's declaration, order and nonce (the seeded draws,
    /// in home order), not yet signed. Sign them with `orderSigner` (a pure function, so it may run on
    /// other threads while the caller goes on).
    public mutating func prepareOrders(_ interval: Int, declaredNetKilowattHours: [Double]? = nil) -> PreparedOrders {
        precondition(interval == nextInterval && phase == .submit, "submitOrders(\(interval)) out of order")
        guard let plan else { preconditionFailure("no plan for interval \(interval)") }
        phase = .clear
        var declared = declaredNetKilowattHours ?? plan.homes.map(\.forecastNetKilowattHours)
        precondition(declared.count == households.count, "one declaration per home")
        guard configuration.scenario == .p2p else { return PreparedOrders(interval: interval, orders: [], declaredNetKilowattHours: declared) }
        let prices = configuration.prices
        let spread = Double(prices.gridBuyMicroTokensPerWattHour - prices.gridSellMicroTokensPerWattHour)
        var pending: [PendingOrder] = []
        for home in households.indices {
            var bidFraction = bidStream.uniformDouble()
            if let strategy = adversaryByHome[home], adversaryStream.uniformDouble() < configuration.adversaries.activityProbability {
                declared[home] = adversarialDeclaration(honestForecastKilowattHours: declared[home], strategy: strategy,
                                                        configuration: configuration.adversaries)
                bidFraction = strategy == .phantomBuyer ? 1 : 0  // bid to win
            }
            let energy = wattHours(fromKilowattHours: declared[home])
            guard energy != 0 else { continue }
            let side: OrderSide = energy > 0 ? .buy : .sell
            // Honest buyers bid in the upper 70 % of [p_gs, p_gb], sellers ask in the lower 70 %.
            let price = side == .buy
                ? prices.gridSellMicroTokensPerWattHour + Int64((0.3 + 0.7 * bidFraction) * spread)
                : prices.gridSellMicroTokensPerWattHour + Int64(0.7 * bidFraction * spread)
            let order = Order(participant: home, interval: interval, side: side, energyWattHours: abs(energy),
                              limitPriceMicroTokensPerWattHour: price)
            pending.append(PendingOrder(order: order, nonce: nonceStream.nextBytes(words: 4)))
        }
        return PreparedOrders(interval: interval, orders: pending, declaredNetKilowattHours: declared)
    }

    /// The participants' keys and the account registry: signs prepared orders and checks commits
    /// off the session (both pure functions of their inputs).
    public var orderSigner: OrderSigner { OrderSigner(keys: keys, registry: registry) }
}
