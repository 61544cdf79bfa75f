// Owns double-auction clearing of one order book: the rules (McAfee trade reduction, uniform
// mid-price, pay-as-bid), the trades they produce, and the centralised reference clearing.
import Kernel

/// How a book is priced once the crossing orders are known.
public enum ClearingRule: String, Sendable, CaseIterable {
    /// McAfee (1992) trade reduction, generalised to divisible orders (see `clearSortedBook`).
    case mcafee
    /// All efficient trades at one price, the midpoint of the marginal buyer's bid and seller's ask.
    case midprice
    /// Discriminatory: each bilateral trade at the midpoint of its own buyer's bid and seller's ask.
    case payasbid
}

/// An order as the auction holds it: what is left of it, and how far it has travelled.
public struct BookOrder: Sendable, Equatable {
    /// Index of the order in the interval's order list (stable identifier).
    public var order: Int
    public var participant: Int
    public var side: OrderSide
    public var energyWattHours: Int64
    public var limitPriceMicroTokensPerWattHour: Int64
    /// Overlay hops travelled so far.
    public var hops: Int

    public init(order: Int, participant: Int, side: OrderSide, energyWattHours: Int64,
                limitPriceMicroTokensPerWattHour: Int64, hops: Int = 0) {
        self.order = order
        self.participant = participant
        self.side = side
        self.energyWattHours = energyWattHours
        self.limitPriceMicroTokensPerWattHour = limitPriceMicroTokensPerWattHour
        self.hops = hops
    }

    /// Priority for buyers: higher bid first, then lower order index (deterministic ties).
    @inline(__always) static func buyerPrecedes(_ a: BookOrder, _ b: BookOrder) -> Bool {
        a.limitPriceMicroTokensPerWattHour != b.limitPriceMicroTokensPerWattHour
            ? a.limitPriceMicroTokensPerWattHour > b.limitPriceMicroTokensPerWattHour : a.order < b.order
    }

    /// Priority for sellers: lower ask first, then lower order index.
    @inline(__always) static func sellerPrecedes(_ a: BookOrder, _ b: BookOrder) -> Bool {
        a.limitPriceMicroTokensPerWattHour != b.limitPriceMicroTokensPerWattHour
            ? a.limitPriceMicroTokensPerWattHour < b.limitPriceMicroTokensPerWattHour : a.order < b.order
    }
}

/// A bilateral trade: the seller delivers `energyWattHours` to the buyer; the buyer pays
/// `buyerPrice` per Wh and the seller receives `sellerPrice` per Wh (equal except under McAfee's
/// trade reduction, where the difference goes to the market operator).
///
/// Invariants: `sellerLimit ≤ sellerPrice ≤ buyerPrice ≤ buyerLimit` (individual rationality and
/// weak budget balance).
public struct Trade: Sendable, Equatable {
    public var buyer: Int
    public var seller: Int
    public var buyOrder: Int
    public var sellOrder: Int
    public var energyWattHours: Int64
    public var buyerPriceMicroTokensPerWattHour: Int64
    public var sellerPriceMicroTokensPerWattHour: Int64
    public var buyerLimitMicroTokensPerWattHour: Int64
    public var sellerLimitMicroTokensPerWattHour: Int64
    /// Participant that cleared the trade (−1 for the centralised reference).
    public var auctioneer: Int
    /// Distributed-auction round in which it cleared (0 for the centralised reference).
    public var round: Int

    /// Gains from trade at declared valuations, µtoken: energy · (bid − ask).
    public var welfareMicroTokens: Int64 {
        energyWattHours * (buyerLimitMicroTokensPerWattHour - sellerLimitMicroTokensPerWattHour)
    }

    /// The `order_matched` payload.
    public var json: CanonicalJSON { OrderMatchedEvent(self).canonical }
}

/// Totals of a set of trades.
public struct ClearingSummary: Sendable, Equatable {
    public var volumeWattHours: Int64 = 0
    public var welfareMicroTokens: Int64 = 0
    public var buyerPaymentsMicroTokens: Int64 = 0
    public var sellerReceiptsMicroTokens: Int64 = 0
    public var tradeCount = 0

    public init(trades: [Trade]) {
        for trade in trades {
            volumeWattHours += trade.energyWattHours
            welfareMicroTokens += trade.welfareMicroTokens
            buyerPaymentsMicroTokens += trade.energyWattHours * trade.buyerPriceMicroTokensPerWattHour
            sellerReceiptsMicroTokens += trade.energyWattHours * trade.sellerPriceMicroTokensPerWattHour
            tradeCount += 1
        }
    }
}

/// Clears a book whose buyers are sorted by `buyerPrecedes` and sellers by `sellerPrecedes`.
///
/// First the efficient allocation is found by merging the two priority lists while the bid covers
/// the ask; it ends at the marginal buyer `kb` and marginal seller `ks`. Then:
/// - `.midprice`: every efficient trade at `⌊(b_kb + s_ks)/2⌋`.
/// - `.payasbid`: every efficient trade at `⌊(b_i + s_j)/2⌋` of its own pair.
/// - `.mcafee`: with `b'`, `s'` the first units that did not trade, `p0 = ⌊(b' + s')/2⌋`; if
///   `s_ks ≤ p0 ≤ b_kb` every efficient trade clears at p0 (no reduction). Otherwise the marginal
///   buyer and seller are excluded (trade reduction): buyers before `kb` pay `b_kb`, sellers before
///   `ks` receive `s_ks`, the shorter side is filled completely and the longer one in priority order.
///
/// Traded quantities are removed from the orders; the remainders (non-zero) are returned as residual
/// books, still sorted. Appends trades to `trades`.
public func clearSortedBook(buyers: [BookOrder], sellers: [BookOrder], rule: ClearingRule,
                            auctioneer: Int, round: Int, trades: inout [Trade]) -> (buyers: [BookOrder], sellers: [BookOrder]) {
    guard let firstBuyer = buyers.first, let firstSeller = sellers.first,
          firstBuyer.limitPriceMicroTokensPerWattHour >= firstSeller.limitPriceMicroTokensPerWattHour
    else { return (buyers, sellers) }
    // Efficient merge: walk both priority lists while the bid covers the ask.
    var i = 0, j = 0
    var buyerLeft = buyers[0].energyWattHours, sellerLeft = sellers[0].energyWattHours
    var marginalBuyer = 0, marginalSeller = 0
    while i < buyers.count && j < sellers.count
            && buyers[i].limitPriceMicroTokensPerWattHour >= sellers[j].limitPriceMicroTokensPerWattHour {
        marginalBuyer = i; marginalSeller = j
        let quantity = min(buyerLeft, sellerLeft)
        buyerLeft -= quantity; sellerLeft -= quantity
        if buyerLeft == 0 { i += 1; if i < buyers.count { buyerLeft = buyers[i].energyWattHours } }
        if sellerLeft == 0 { j += 1; if j < sellers.count { sellerLeft = sellers[j].energyWattHours } }
    }
    let marginalBid = buyers[marginalBuyer].limitPriceMicroTokensPerWattHour
    let marginalAsk = sellers[marginalSeller].limitPriceMicroTokensPerWattHour
    var residualBuyers = buyers, residualSellers = sellers
    switch rule {
    case .midprice:
        fill(&residualBuyers, 0...marginalBuyer, &residualSellers, 0...marginalSeller, auctioneer: auctioneer, round: round,
             trades: &trades) { _, _ in ((marginalBid + marginalAsk) / 2, (marginalBid + marginalAsk) / 2) }
    case .payasbid:
        fill(&residualBuyers, 0...marginalBuyer, &residualSellers, 0...marginalSeller, auctioneer: auctioneer, round: round,
             trades: &trades) { bid, ask in ((bid + ask) / 2, (bid + ask) / 2) }
    case .mcafee:
        let nextBid = i < buyers.count ? buyers[i].limitPriceMicroTokensPerWattHour : nil
        let nextAsk = j < sellers.count ? sellers[j].limitPriceMicroTokensPerWattHour : nil
        if let nextBid, let nextAsk, marginalAsk <= (nextBid + nextAsk) / 2, (nextBid + nextAsk) / 2 <= marginalBid {
            let price = (nextBid + nextAsk) / 2
            fill(&residualBuyers, 0...marginalBuyer, &residualSellers, 0...marginalSeller, auctioneer: auctioneer,
                 round: round, trades: &trades) { _, _ in (price, price) }
        } else if marginalBuyer > 0 && marginalSeller > 0 {
            fill(&residualBuyers, 0...(marginalBuyer - 1), &residualSellers, 0...(marginalSeller - 1), auctioneer: auctioneer,
                 round: round, trades: &trades) { _, _ in (marginalBid, marginalAsk) }
        }
    }
    residualBuyers.removeAll { $0.energyWattHours == 0 }
    residualSellers.removeAll { $0.energyWattHours == 0 }
    return (residualBuyers, residualSellers)
}

/// Pairs buyers in `buyerRange` with sellers in `sellerRange` in priority order until one side is
/// exhausted, pricing each pair with `price(bid, ask) → (buyerPrice, sellerPrice)`.
private func fill(_ buyers: inout [BookOrder], _ buyerRange: ClosedRange<Int>,
                  _ sellers: inout [BookOrder], _ sellerRange: ClosedRange<Int>,
                  auctioneer: Int, round: Int, trades: inout [Trade],
                  price: (Int64, Int64) -> (Int64, Int64)) {
    var i = buyerRange.lowerBound, j = sellerRange.lowerBound
    while i <= buyerRange.upperBound && j <= sellerRange.upperBound {
        let quantity = min(buyers[i].energyWattHours, sellers[j].energyWattHours)
        let bid = buyers[i].limitPriceMicroTokensPerWattHour, ask = sellers[j].limitPriceMicroTokensPerWattHour
        precondition(bid >= ask, "pairing a non-crossing buyer and seller")
        let (buyerPrice, sellerPrice) = price(bid, ask)
        precondition(ask <= sellerPrice && sellerPrice <= buyerPrice && buyerPrice <= bid,
                     "trade price breaks individual rationality or budget balance")
        trades.append(Trade(buyer: buyers[i].participant, seller: sellers[j].participant, buyOrder: buyers[i].order,
                            sellOrder: sellers[j].order, energyWattHours: quantity, buyerPriceMicroTokensPerWattHour: buyerPrice,
                            sellerPriceMicroTokensPerWattHour: sellerPrice, buyerLimitMicroTokensPerWattHour: bid,
                            sellerLimitMicroTokensPerWattHour: ask, auctioneer: auctioneer, round: round))
        buyers[i].energyWattHours -= quantity
        sellers[j].energyWattHours -= quantity
        if buyers[i].energyWattHours == 0 { i += 1 }
        if sellers[j].energyWattHours == 0 { j += 1 }
    }
}

/// Splits an order list into sorted buyer and seller books.
public func sortedBooks(_ orders: [BookOrder]) -> (buyers: [BookOrder], sellers: [BookOrder]) {
    var buyers = orders.filter { $0.side == .buy }
    var sellers = orders.filter { $0.side == .sell }
    buyers.sort(by: BookOrder.buyerPrecedes)
    sellers.sort(by: BookOrder.sellerPrecedes)
    return (buyers, sellers)
}

/// The centralised reference: one auctioneer sees the whole book and clears it once.
public func clearCentralised(_ orders: [BookOrder], rule: ClearingRule) -> (trades: [Trade], residual: [BookOrder]) {
    let (buyers, sellers) = sortedBooks(orders)
    var trades: [Trade] = []
    let residual = clearSortedBook(buyers: buyers, sellers: sellers, rule: rule, auctioneer: -1, round: 0, trades: &trades)
    return (trades, residual.buyers + residual.sellers)
}
