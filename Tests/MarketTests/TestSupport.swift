// Owns helpers shared by the Market tests: seeded random order books.
import Kernel
@testable import Market

/// A random book of `count` orders: sides 50/50, energy 50–1500 Wh, prices in [p_gs, p_gb] with
/// buyers skewed up and sellers down (as the market draws them), so books usually cross.
func randomBook(count: Int, seed: UInt64, prices: MarketPrices = .standard) -> [BookOrder] {
    var rng = Xoshiro256StarStar(seed: seed)
    let low = prices.gridSellMicroTokensPerWattHour, high = prices.gridBuyMicroTokensPerWattHour
    let spread = Double(high - low)
    return (0..<count).map { index in
        let side: OrderSide = rng.uniformDouble() < 0.5 ? .buy : .sell
        let energy = Int64(rng.uniformInt(in: 50...1500))
        let fraction = rng.uniformDouble()
        let price = side == .buy ? low + Int64((0.3 + 0.7 * fraction) * spread) : low + Int64(0.7 * fraction * spread)
        return BookOrder(order: index, participant: index, side: side, energyWattHours: energy, limitPriceMicroTokensPerWattHour: price)
    }
}

/// The efficient (welfare-maximising) traded volume and welfare of a book: the plain merge.
func efficientAllocation(_ orders: [BookOrder]) -> (volumeWattHours: Int64, welfareMicroTokens: Int64) {
    var trades: [Trade] = []
    let (buyers, sellers) = sortedBooks(orders)
    _ = clearSortedBook(buyers: buyers, sellers: sellers, rule: .midprice, auctioneer: -1, round: 0, trades: &trades)
    let summary = ClearingSummary(trades: trades)
    return (summary.volumeWattHours, summary.welfareMicroTokens)
}
