// Owns the random one-interval order book used by `gridtrace market clear` and the benchmarks.
import Kernel

/// One order per participant for a random 5-minute interval, from the stream `"market.book"`.
///
/// Each participant is a seller with probability 0.45 (surplus up to 4.8 kW · 5 min = 400 Wh) or a
/// buyer (demand up to 400 Wh); prices are drawn as the market session draws honest bids: buyers
/// in the upper 70 % of [p_gs, p_gb], sellers in the lower 70 %.
public func randomIntervalBook(participants: Int, rootSeed: UInt64, prices: MarketPrices = .standard) -> [BookOrder] {
    var rng = SeedStreams(rootSeed: rootSeed).stream("market.book")
    let low = prices.gridSellMicroTokensPerWattHour
    let spread = Double(prices.gridBuyMicroTokensPerWattHour - low)
    return (0..<participants).map { participant in
        let side: OrderSide = rng.uniformDouble() < 0.45 ? .sell : .buy
        let energy = Int64(rng.uniformInt(in: 10...400))
        let fraction = rng.uniformDouble()
        let price = side == .buy ? low + Int64((0.3 + 0.7 * fraction) * spread) : low + Int64(0.7 * fraction * spread)
        return BookOrder(order: participant, participant: participant, side: side, energyWattHours: energy,
                         limitPriceMicroTokensPerWattHour: price)
    }
}
