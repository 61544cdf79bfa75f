// Tests of centralised clearing: hand-computed books for each rule, and McAfee's properties
// (individual rationality, budget balance, volume loss bounded by the marginal pair) over many seeded books.
import Kernel
import Testing
@testable import Market

private func order(_ id: Int, _ side: OrderSide, _ energy: Int64, _ price: Int64) -> BookOrder {
    BookOrder(order: id, participant: id, side: side, energyWattHours: energy, limitPriceMicroTokensPerWattHour: price)
}

@Suite struct AuctionTests {
    /// Buyers 200, 180, 120; sellers 60, 100, 150 (100 Wh each). Efficient: 2 pairs (b180 ≥ s100,
    /// b120 < s150). Next units: b120, s150 → p0 = 135; s_k = 100 ≤ 135 ≤ 180 = b_k → no reduction.
    @Test func mcafeeWithoutReductionClearsAllEfficientTradesAtP0() {
        let book = [order(0, .buy, 100, 200), order(1, .buy, 100, 180), order(2, .buy, 100, 120),
                    order(3, .sell, 100, 60), order(4, .sell, 100, 100), order(5, .sell, 100, 150)]
        let (trades, residual) = clearCentralised(book, rule: .mcafee)
        #expect(trades.count == 2)
        #expect(trades.allSatisfy { $0.buyerPriceMicroTokensPerWattHour == 135 && $0.sellerPriceMicroTokensPerWattHour == 135 })
        #expect(ClearingSummary(trades: trades).volumeWattHours == 200)
        #expect(residual.map(\.order).sorted() == [2, 5])
    }

    /// Buyers 200, 110, 90; sellers 60, 100, 300 (100 Wh each). Efficient: 2 pairs; next units b90,
    /// s300 → p0 = 195 > b_k = 110 → trade reduction:
    /// only pair 1 trades, buyer pays 110, seller gets 100, operator keeps 10 per Wh.
    @Test func mcafeeTradeReductionDropsMarginalPair() {
        let book = [order(0, .buy, 100, 200), order(1, .buy, 100, 110), order(2, .buy, 100, 90),
                    order(3, .sell, 100, 60), order(4, .sell, 100, 100), order(5, .sell, 100, 300)]
        let (trades, _) = clearCentralised(book, rule: .mcafee)
        #expect(trades.count == 1)
        #expect(trades[0].buyer == 0 && trades[0].seller == 3 && trades[0].energyWattHours == 100)
        #expect(trades[0].buyerPriceMicroTokensPerWattHour == 110)
        #expect(trades[0].sellerPriceMicroTokensPerWattHour == 100)
        let summary = ClearingSummary(trades: trades)
        #expect(summary.buyerPaymentsMicroTokens - summary.sellerReceiptsMicroTokens == 1000)
    }

    @Test func midpriceAndPayAsBidPrices() {
        let book = [order(0, .buy, 100, 200), order(1, .buy, 50, 110), order(2, .sell, 80, 60), order(3, .sell, 100, 100)]
        // Efficient merge: b200×s60 80 Wh, b200×s100 20 Wh, b110×s100 50 Wh; marginal pair b110, s100.
        let mid = clearCentralised(book, rule: .midprice).trades
        #expect(mid.map(\.energyWattHours) == [80, 20, 50])
        #expect(mid.allSatisfy { $0.buyerPriceMicroTokensPerWattHour == 105 && $0.sellerPriceMicroTokensPerWattHour == 105 })
        let bid = clearCentralised(book, rule: .payasbid).trades
        #expect(bid.map(\.buyerPriceMicroTokensPerWattHour) == [130, 150, 105])
    }

    @Test func noTradeWhenBookDoesNotCross() {
        let book = [order(0, .buy, 100, 90), order(1, .sell, 100, 100)]
        for rule in ClearingRule.allCases { #expect(clearCentralised(book, rule: rule).trades.isEmpty) }
    }

    /// Over 500 seeded books: every trade is individually rational (ask ≤ seller price ≤ buyer price ≤ bid),
    /// payments cover receipts (weak budget balance; exact for mid-price and pay-as-bid), energy balances,
    /// no participant trades more than it offered, and McAfee loses at most the marginal pair's energy.
    @Test func mcafeePropertiesOverManySeededBooks() {
        for seed in UInt64(1)...500 {
            let book = randomBook(count: 2 + Int(seed % 60), seed: seed)
            let efficient = efficientAllocation(book)
            for rule in ClearingRule.allCases {
                let (trades, residual) = clearCentralised(book, rule: rule)
                let summary = ClearingSummary(trades: trades)
                for trade in trades {
                    #expect(trade.sellerLimitMicroTokensPerWattHour <= trade.sellerPriceMicroTokensPerWattHour)
                    #expect(trade.sellerPriceMicroTokensPerWattHour <= trade.buyerPriceMicroTokensPerWattHour)
                    #expect(trade.buyerPriceMicroTokensPerWattHour <= trade.buyerLimitMicroTokensPerWattHour)
                }
                #expect(summary.buyerPaymentsMicroTokens >= summary.sellerReceiptsMicroTokens)
                if rule != .mcafee { #expect(summary.buyerPaymentsMicroTokens == summary.sellerReceiptsMicroTokens) }
                var traded = [Int64](repeating: 0, count: book.count)
                for trade in trades { traded[trade.buyOrder] += trade.energyWattHours; traded[trade.sellOrder] += trade.energyWattHours }
                var left = [Int64](repeating: 0, count: book.count)
                for r in residual { left[r.order] = r.energyWattHours }
                for o in book { #expect(traded[o.order] + left[o.order] == o.energyWattHours) }
                if rule == .mcafee {
                    #expect(summary.volumeWattHours <= efficient.volumeWattHours)
                    #expect(efficient.volumeWattHours - summary.volumeWattHours <= 2 * 1500)
                    #expect(summary.welfareMicroTokens <= efficient.welfareMicroTokens)
                } else {
                    #expect(summary.volumeWattHours == efficient.volumeWattHours)
                    #expect(summary.welfareMicroTokens == efficient.welfareMicroTokens)
                }
            }
        }
    }
}
