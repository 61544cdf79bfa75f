// Owns the market's integer units and price constants: energy in watt-hours, money in micro-tokens,
// prices in micro-tokens per watt-hour, and the 5-minute interval grid of a simulated day.
//
// Money is never a floating-point number: every payment is `energyWattHours · priceMicroTokensPerWattHour`,
// an exact Int64 product, so conservation can be checked with `==`.

/// Length of one market interval, in minutes.
public let marketIntervalMinutes = 5
/// Market intervals in one simulated day (24 h of 5-minute intervals).
public let marketIntervalsPerDay = 288
/// Micro-tokens per payment token.
public let microTokensPerToken: Int64 = 1_000_000

/// Converts kWh to whole watt-hours, rounding half away from zero (the one rounding rule the market uses).
@inline(__always)
public func wattHours(fromKilowattHours energyKilowattHours: Double) -> Int64 {
    precondition(energyKilowattHours.isFinite, "energy must be finite")
    return Int64((energyKilowattHours * 1000).rounded(.toNearestOrAwayFromZero))
}

/// Energy of an average power held for one market interval: kW · 5 min → kWh.
@inline(__always)
public func intervalEnergyKilowattHours(powerKilowatts: Double) -> Double {
    powerKilowatts * Double(marketIntervalMinutes) / 60
}

/// Grid tariffs that bound the internal market.
///
/// Invariants: `0 < gridSell ≤ gridBuy` (a feed-in price above retail would let anyone arbitrage the
/// grid; a positive feed-in price is the reference of the sellers' price response).
public struct MarketPrices: Sendable, Equatable {
    /// Retail price p_gb the grid charges for imports, µtoken/Wh.
    public var gridBuyMicroTokensPerWattHour: Int64
    /// Feed-in price p_gs the grid pays for exports, µtoken/Wh.
    public var gridSellMicroTokensPerWattHour: Int64

    public init(gridBuyMicroTokensPerWattHour: Int64, gridSellMicroTokensPerWattHour: Int64) {
        precondition(gridSellMicroTokensPerWattHour > 0, "feed-in price must be positive")
        precondition(gridSellMicroTokensPerWattHour <= gridBuyMicroTokensPerWattHour, "feed-in price above retail price")
        self.gridBuyMicroTokensPerWattHour = gridBuyMicroTokensPerWattHour
        self.gridSellMicroTokensPerWattHour = gridSellMicroTokensPerWattHour
    }

    /// 0.25 token/kWh retail, 0.05 token/kWh feed-in.
    public static let standard = MarketPrices(gridBuyMicroTokensPerWattHour: 250, gridSellMicroTokensPerWattHour: 50)
}
