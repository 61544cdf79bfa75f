// Owns steps 3 and 4 of the per-interval market API: validating commits and reveals, clearing with
// the configured mechanism, creating escrowed contracts, and settling from meter readings.
import Kernel

extension MarketSession {
    // MARK: step 3 — validate, clear, contract

    /// Validates the delivered commits and reveals (rejections are recorded with their reason), clears
    /// the accepted orders, and creates one escrowed contract per trade.
    public mutating func clear(_ interval: Int, commits: [CommitTransaction], reveals: [RevealTransaction]) -> ClearingReport {
        // Signatures are independent of each other and of the book: check them on all cores first.
        clear(interval, checkedCommits: registry.check(commits, parallelism: .allCores), reveals: reveals)
    }

    /// `clear` with each delivered commit's signature already checked (`AccountRegistry.check`, e.g.
    /// by `OrderSigner.signAndCheck` while the chain carried the transactions).
    public mutating func clear(_ interval: Int, checkedCommits: [CheckedCommit], reveals: [RevealTransaction]) -> ClearingReport {
        precondition(interval == nextInterval && phase == .clear, "clear(\(interval)) out of order")
        guard var plan else { preconditionFailure("no plan for interval \(interval)") }
        phase = .settle
        ledger.startInterval(interval)
        let start = Self.intervalStart(interval)
        let accepted = validate(interval: interval, commits: checkedCommits, reveals: reveals, start: start)
        let bookOrders = accepted.accepted.enumerated().map { index, order in
            BookOrder(order: index, participant: order.participant, side: order.side, energyWattHours: order.energyWattHours,
                      limitPriceMicroTokensPerWattHour: order.limitPriceMicroTokensPerWattHour)
        }
        var report = ClearingReport(interval: interval, acceptedOrders: accepted.accepted, rejections: accepted.rejections,
                                    trades: [], contracts: [], regime: nil, gamePriceMicroTokensPerWattHour: nil, rounds: 0,
                                    cumulativeTradesPerRound: [], termination: nil, plan: plan)
        let clearingStart = start + .minutes(1)
        switch configuration.mechanism {
        case .auction:
            clearByAuction(bookOrders, time: clearingStart, report: &report)
        case .game:
            let game = playGame(orders: bookOrders, plan: &plan, time: clearingStart)
            report.trades = game.trades
            report.regime = game.result.regime
            report.gamePriceMicroTokensPerWattHour = game.result.price
            report.rounds = game.result.iterations
            report.plan = plan
            self.plan = plan
        }
        report.contracts = createContracts(interval: interval, trades: report.trades, time: start + .minutes(2))
        var demand: Int64 = 0, supply: Int64 = 0
        for order in bookOrders { if order.side == .buy { demand += order.energyWattHours } else { supply += order.energyWattHours } }
        lastCommunitySurplus = supply > 0 && supply >= demand
        return report
    }

    /// Distributed auction over the overlay, or the centralised reference; fills trades and rounds.
    private mutating func clearByAuction(_ bookOrders: [BookOrder], time: SimTime, report: inout ClearingReport) {
        if configuration.distributed {
            let result = runDistributedAuction(orders: bookOrders, overlay: overlay, configuration: configuration.auction,
                                               startTime: time, log: &log)
            report.trades = result.trades
            report.rounds = result.rounds
            report.cumulativeTradesPerRound = result.cumulativeTradesPerRound
            report.termination = result.termination
        } else {
            let (trades, residual) = clearCentralised(bookOrders, rule: configuration.auction.rule)
            report.trades = trades
            report.rounds = 1
            report.cumulativeTradesPerRound = [trades.count]
            if log.isEnabled {
                for trade in trades { log.emit(time, actor: "market", OrderMatchedEvent(trade)) }
                for order in residual.sorted(by: { $0.order < $1.order }) {
                    log.emit(time, actor: "home:\(order.participant)",
                             OrderUnmatchedEvent(order: order.order, energyWattHours: order.energyWattHours, side: order.side))
                }
            }
        }
        updateSellerPrices(trades: report.trades)
    }

    private mutating func validate(interval: Int, commits: [CheckedCommit], reveals: [RevealTransaction],
                                   start: SimTime) -> (accepted: [Order], rejections: [OrderRejection]) {
        var book = CommitRevealBook(interval: interval, participantCount: households.count)
        let registry = self.registry
        for checked in commits {
            let commit = checked.commit
            let reason = book.submit(commit, registry: registry, signatureValid: checked.signatureValid) { self.ledger.spendBiddingToken(home: $0) }
            recordValidation(reason, interval: interval, phase: .commit, time: start + .seconds(30), participant: commit.participant,
                             payload: OrderCommittedEvent(commit))
        }
        for reveal in reveals {
            let reason = book.submit(reveal, registry: registry)
            recordValidation(reason, interval: interval, phase: .reveal, time: start + .minutes(1), participant: reveal.order.participant,
                             payload: OrderRevealedEvent(reveal.order))
        }
        return (book.accepted, book.rejections)
    }

    /// One event per validated transaction, in submission order: accepted, or rejected with its reason.
    /// The payload is built only for an accepted transaction with the log on.
    private mutating func recordValidation<P: EventPayload>(_ reason: RejectionReason?, interval: Int, phase: TransactionPhase,
                                                            time: SimTime, participant: Int, payload: @autoclosure () -> P) {
        if let reason {
            log.emit(time, actor: "home:\(participant)",
                     OrderRejectedEvent(OrderRejection(participant: participant, interval: interval, phase: phase, reason: reason)))
        } else {
            log.emit(time, actor: "home:\(participant)", payload())
        }
    }

    private mutating func updateSellerPrices(trades: [Trade]) {
        var energy = [Int64](repeating: 0, count: households.count)
        var money = [Int64](repeating: 0, count: households.count)
        for trade in trades {
            energy[trade.seller] += trade.energyWattHours
            money[trade.seller] += trade.energyWattHours * trade.sellerPriceMicroTokensPerWattHour
        }
        for home in households.indices {
            lastSellerPrice[home] = energy[home] > 0
                ? Double(money[home]) / Double(energy[home]) : Double(configuration.prices.gridSellMicroTokensPerWattHour)
        }
    }

    /// Runs the price game on the revealed orders; sellers' consumption follows their best response.
    private mutating func playGame(orders: [BookOrder], plan: inout IntervalPlan,
                                   time: SimTime) -> (result: PriceGameResult, trades: [Trade]) {
        let sellOrders = orders.filter { $0.side == .sell }, buyOrders = orders.filter { $0.side == .buy }
        let sellers = sellOrders.map { order in
            GameSeller(participant: order.participant, surplusKilowattHours: Double(order.energyWattHours) / 1000,
                       consumption: sellerConsumption(baseKilowatts: plan.homes[order.participant].baseLoadKilowatts,
                                                      surplusKilowattHours: Double(order.energyWattHours) / 1000))
        }
        let buyers = buyOrders.map { GameBuyer(participant: $0.participant, demandKilowattHours: Double($0.energyWattHours) / 1000) }
        let result = solvePriceGame(sellers: sellers, buyers: buyers, prices: configuration.prices,
                                    surplusPrice: Double(configuration.surplusPrice), time: time, log: &log)
        if log.isEnabled {
            log.emit(time, actor: "market", GameIterationEvent.final(regime: result.regime, price: result.price,
                                                                     iterations: result.iterations,
                                                                     buyerCostMicroTokens: result.buyerCostMicroTokens))
        }
        for (index, seller) in sellers.enumerated() {
            let change = result.sellerConsumptionKilowattHours[index] - seller.consumption.baselineKilowattHours
            plan.homes[seller.participant].consumptionAdjustmentKilowatts = change / intervalEnergyKilowattHours(powerKilowatts: 1)
        }
        guard result.regime != .noInternalTrade else { return (result, []) }
        let price = Int64(result.price.rounded(.toNearestOrAwayFromZero))
        let supplies = result.sellerSupplyKilowattHours.map { max(0, wattHours(fromKilowattHours: $0)) }
        var totalSupply: Int64 = 0
        for s in supplies { totalSupply += s }
        let demands = buyOrders.map(\.energyWattHours)
        var totalDemand: Int64 = 0
        for d in demands { totalDemand += d }
        let traded = min(totalSupply, totalDemand)
        let allocations = largestRemainderSplit(total: traded, weights: demands)          // eq. 10
        let deliveries = largestRemainderSplit(total: traded, weights: supplies)
        let trades = pairSequentially(sellers: sellOrders, supplies: deliveries, buyers: buyOrders, allocations: allocations,
                                      price: price, prices: configuration.prices)
        return (result, trades)
    }

    private mutating func createContracts(interval: Int, trades: [Trade], time: SimTime) -> [Contract] {
        var contracts: [Contract] = []
        for trade in trades {
            let contract = Contract(id: nextContractID, interval: interval, seller: trade.seller, buyer: trade.buyer,
                                    energyWattHours: trade.energyWattHours,
                                    buyerPriceMicroTokensPerWattHour: trade.buyerPriceMicroTokensPerWattHour,
                                    sellerPriceMicroTokensPerWattHour: trade.sellerPriceMicroTokensPerWattHour)
            guard ledger.escrow(contract) else {
                if log.isEnabled {
                    log.emit(time, actor: "home:\(trade.buyer)",
                             OrderUnmatchedEvent(order: trade.buyOrder, energyWattHours: trade.energyWattHours,
                                                 reason: "insufficient_funds_for_escrow"))
                }
                continue
            }
            nextContractID += 1
            contracts.append(contract)
            log.emit(time, actor: "contract:\(contract.id)", ContractCreatedEvent(contract))
        }
        openContracts = contracts
        return contracts
    }

    // MARK: step 4 — settle

    /// Settles the interval's contracts from meter readings (kWh, + = import). Contracts listed in
    /// `unconfirmedContractIDs` were not confirmed on chain in time: they are refunded in full and
    /// their energy falls back to the grid.
    public mutating func settle(_ interval: Int, meteredNetKilowattHours: [Double],
                                unconfirmedContractIDs: [Int] = []) -> SettlementReport {
        precondition(interval == nextInterval && phase == .settle, "settle(\(interval)) out of order")
        precondition(meteredNetKilowattHours.count == households.count, "one meter reading per home")
        guard let plan else { preconditionFailure("no plan for interval \(interval)") }
        let end = Self.intervalStart(interval + 1)
        let metered = meteredNetKilowattHours.map { wattHours(fromKilowattHours: $0) }
        if log.isEnabled {
            for (home, energy) in metered.enumerated() {
                log.emit(end, actor: "home:\(home)", MeterReadingEvent(interval: interval, netWattHours: energy))
            }
        }
        let report = settleInterval(interval: interval, contracts: openContracts, cancelledContractIDs: unconfirmedContractIDs,
                                    meteredWattHours: metered, prices: configuration.prices, ledger: &ledger)
        if log.isEnabled {
            for settlement in report.contracts {
                if settlement.refundedToBuyerMicroTokens > 0 {
                    log.emit(end, actor: "contract:\(settlement.contract)", ContractRefundedEvent(settlement))
                } else {
                    log.emit(end, actor: "contract:\(settlement.contract)", ContractSettledEvent(settlement))
                }
            }
        }
        for home in households.indices {
            forecasters[home].observe(meteredNetKilowattHours: meteredNetKilowattHours[home],
                                      evKilowattHours: intervalEnergyKilowattHours(powerKilowatts: plan.homes[home].evKilowatts))
        }
        openContracts = []
        self.plan = nil
        phase = .plan
        nextInterval += 1
        return report
    }

    /// Plans, submits, clears and settles one interval, metering each home as its planned net power.
    public mutating func runInterval(_ interval: Int) -> (clearing: ClearingReport, settlement: SettlementReport) {
        _ = planInterval(interval)
        let submission = submitOrders(interval)
        let clearing = clear(interval, commits: submission.commits, reveals: submission.reveals)
        let metered = clearing.plan.homes.map { intervalEnergyKilowattHours(powerKilowatts: $0.netKilowatts) }
        return (clearing, settle(interval, meteredNetKilowattHours: metered))
    }
}

/// Splits `total` into integer parts proportional to `weights` (largest-remainder method; ties to the
/// lower index). The parts sum to `total` exactly.
func largestRemainderSplit(total: Int64, weights: [Int64]) -> [Int64] {
    var weightSum: Int64 = 0
    for w in weights { weightSum += w }
    guard weightSum > 0, total > 0 else { return weights.map { _ in 0 } }
    var parts: [Int64] = [], remainders: [Int64] = []
    for w in weights {
        let (quotient, remainder) = weightSum.dividingFullWidth(total.multipliedFullWidth(by: w))
        parts.append(quotient)
        remainders.append(remainder)
    }
    var assigned: Int64 = 0
    for p in parts { assigned += p }
    let order = remainders.indices.sorted { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
    var index = 0
    while assigned < total {
        parts[order[index % order.count]] += 1
        assigned += 1
        index += 1
    }
    return parts
}

/// Bilateral trades from per-seller deliveries and per-buyer allocations of equal totals, filled in order.
func pairSequentially(sellers: [BookOrder], supplies: [Int64], buyers: [BookOrder], allocations: [Int64],
                      price: Int64, prices: MarketPrices) -> [Trade] {
    var trades: [Trade] = []
    var i = 0, j = 0
    var sellerLeft = supplies.first ?? 0, buyerLeft = allocations.first ?? 0
    while i < sellers.count && j < buyers.count {
        if sellerLeft == 0 { i += 1; if i < sellers.count { sellerLeft = supplies[i] }; continue }
        if buyerLeft == 0 { j += 1; if j < buyers.count { buyerLeft = allocations[j] }; continue }
        let quantity = min(sellerLeft, buyerLeft)
        trades.append(Trade(buyer: buyers[j].participant, seller: sellers[i].participant, buyOrder: buyers[j].order,
                            sellOrder: sellers[i].order, energyWattHours: quantity, buyerPriceMicroTokensPerWattHour: price,
                            sellerPriceMicroTokensPerWattHour: price,
                            buyerLimitMicroTokensPerWattHour: prices.gridBuyMicroTokensPerWattHour,
                            sellerLimitMicroTokensPerWattHour: prices.gridSellMicroTokensPerWattHour, auctioneer: -1, round: 0))
        sellerLeft -= quantity
        buyerLeft -= quantity
    }
    return trades
}
