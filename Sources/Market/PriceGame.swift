// Owns the Stackelberg price game of paper §3.2 (eqs. 7–10): regime selection, the buyers' optimal
// internalKilowattHours price with sellers' best-response consumption, and the allocation in proportion to demand.
import Kernel

/// A seller in the game: its declared surplus at baseline consumption and its consumption preferences.
public struct GameSeller: Sendable, Equatable {
    public var participant: Int
    /// Declared surplus at baseline consumption, kWh (> 0).
    public var surplusKilowattHours: Double
    public var consumption: SellerConsumption

    public init(participant: Int, surplusKilowattHours: Double, consumption: SellerConsumption) {
        self.participant = participant
        self.surplusKilowattHours = surplusKilowattHours
        self.consumption = consumption
    }

    /// Surplus offered at internalKilowattHours price p: declared surplus plus the consumption it sheds, kWh.
    public func supply(price: Double) -> Double {
        surplusKilowattHours + consumption.baselineKilowattHours - consumption.bestResponse(price: price)
    }
}

/// A buyer in the game: declared demand, kWh (> 0).
public struct GameBuyer: Sendable, Equatable {
    public var participant: Int
    public var demandKilowattHours: Double

    public init(participant: Int, demandKilowattHours: Double) {
        self.participant = participant
        self.demandKilowattHours = demandKilowattHours
    }
}

/// Paper eq. 7: which pricing applies in an interval.
public enum PriceRegime: String, Sendable, Equatable {
    /// e_TSP = 0: no sellers, everyone buys from the grid at p_gb.
    case noInternalTrade = "no_internal_trade"
    /// 0 < e_TSP < e_TBP: buyers lead with the internalKilowattHours price, sellers follow (Stackelberg).
    case stackelberg
    /// e_TSP ≥ e_TBP: all demand is met internally at the surplus price, the rest goes to the grid at p_gs.
    case surplus
}

/// The game's outcome; arrays follow the input order of sellers and buyers.
public struct PriceGameResult: Sendable, Equatable {
    public var regime: PriceRegime
    /// Internal price, µtoken/Wh (p_gb when there is no internalKilowattHours trade).
    public var price: Double
    public var sellerConsumptionKilowattHours: [Double]
    public var sellerSupplyKilowattHours: [Double]
    /// Paper eq. 10: w_j = e_TSP · d_j / e_TBP (Stackelberg), or d_j (surplus).
    public var buyerAllocationKilowattHours: [Double]
    /// Buyers' total cost R (eq. 9), µtoken.
    public var buyerCostMicroTokens: Double
    public var iterations: Int
}

/// Buyers' total cost at internalKilowattHours price p (paper eq. 9), µtoken: the sellers' supply at p (at most
/// the demand) is bought at p and the rest of the demand from the grid.
///
/// Eq. 9 in the paper prices the remainder at p_gs; buyers cannot import at the feed-in tariff, so
/// this uses the retail price p_gb (read as a typo), which is also what makes the game non-trivial.
public func buyersCost(price: Double, sellers: [GameSeller], totalDemandKilowattHours: Double, prices: MarketPrices) -> Double {
    var supply = 0.0
    for seller in sellers { supply += seller.supply(price: price) }
    let internalKilowattHours = min(supply, totalDemandKilowattHours)
    let gridBuy = Double(prices.gridBuyMicroTokensPerWattHour)
    return 1000 * (price * internalKilowattHours + gridBuy * (totalDemandKilowattHours - internalKilowattHours))
}

/// Solves the game for one interval.
///
/// Stackelberg regime: minimising R(p) over p ∈ [p_gs, p_gb] is maximising (p_gb − p)·min(S(p), D).
/// S is piecewise `A − B/p` between the prices where a seller's best response hits a bound, so each
/// piece is searched exactly: its ends, the stationary point √(p_gb·B/A), and the price where S
/// reaches D. Each piece is one solver iteration (one `game_iteration` event). Ties go to the lower
/// price. Surplus regime: price `surplusPrice` (µtoken/Wh), every buyer gets its demand and sellers
/// supply in proportion to their surplus.
public func solvePriceGame(sellers: [GameSeller], buyers: [GameBuyer], prices: MarketPrices, surplusPrice: Double,
                           time: SimTime, log: inout EventLog) -> PriceGameResult {
    var totalSurplus = 0.0, totalDemand = 0.0
    for seller in sellers { totalSurplus += seller.surplusKilowattHours }
    for buyer in buyers { totalDemand += buyer.demandKilowattHours }
    let gridBuy = Double(prices.gridBuyMicroTokensPerWattHour)
    if totalSurplus <= 0 {
        return PriceGameResult(regime: .noInternalTrade, price: gridBuy,
                               sellerConsumptionKilowattHours: sellers.map { $0.consumption.baselineKilowattHours },
                               sellerSupplyKilowattHours: sellers.map { _ in 0 }, buyerAllocationKilowattHours: buyers.map { _ in 0 },
                               buyerCostMicroTokens: 1000 * gridBuy * totalDemand, iterations: 0)
    }
    if totalSurplus >= totalDemand {
        let consumption = sellers.map { $0.consumption.baselineKilowattHours }
        let supply = sellers.map { totalDemand * $0.surplusKilowattHours / totalSurplus }
        return PriceGameResult(regime: .surplus, price: surplusPrice, sellerConsumptionKilowattHours: consumption,
                               sellerSupplyKilowattHours: supply, buyerAllocationKilowattHours: buyers.map { $0.demandKilowattHours },
                               buyerCostMicroTokens: 1000 * surplusPrice * totalDemand, iterations: 0)
    }
    let (price, iterations) = stackelbergPrice(sellers: sellers, totalDemand: totalDemand, prices: prices, time: time, log: &log)
    let consumption = sellers.map { $0.consumption.bestResponse(price: price) }
    let supply = sellers.map { $0.supply(price: price) }
    var totalSupply = 0.0
    for s in supply { totalSupply += s }
    let internalKilowattHours = min(totalSupply, totalDemand)
    let allocation = buyers.map { internalKilowattHours * $0.demandKilowattHours / totalDemand }
    return PriceGameResult(regime: .stackelberg, price: price, sellerConsumptionKilowattHours: consumption,
                           sellerSupplyKilowattHours: supply, buyerAllocationKilowattHours: allocation,
                           buyerCostMicroTokens: buyersCost(price: price, sellers: sellers, totalDemandKilowattHours: totalDemand, prices: prices),
                           iterations: iterations)
}

private func stackelbergPrice(sellers: [GameSeller], totalDemand: Double, prices: MarketPrices, time: SimTime,
                              log: inout EventLog) -> (price: Double, iterations: Int) {
    let low = Double(prices.gridSellMicroTokensPerWattHour), high = Double(prices.gridBuyMicroTokensPerWattHour)
    var breakpoints = [low, high]
    for seller in sellers {
        let c = seller.consumption
        for bound in [c.upperKilowattHours, c.lowerKilowattHours] {
            let p = c.preference / (1 + bound)
            if p > low && p < high { breakpoints.append(p) }
        }
    }
    breakpoints.sort()
    func objective(_ p: Double) -> Double {
        var supply = 0.0
        for seller in sellers { supply += seller.supply(price: p) }
        return (high - p) * min(supply, totalDemand)
    }
    var bestPrice = low, bestValue = objective(low)
    var iterations = 0
    for index in 0..<(breakpoints.count - 1) {
        let a = breakpoints[index], b = breakpoints[index + 1]
        guard b > a else { continue }
        iterations += 1
        let (constantPart, inversePart) = pieceCoefficients(sellers: sellers, at: 0.5 * (a + b))
        var candidates = [b]  // a is the starting best below
        if constantPart > 0 && inversePart > 0 {
            let stationary = (high * inversePart / constantPart).squareRoot()
            if stationary > a && stationary < b { candidates.append(stationary) }
            if constantPart > totalDemand {
                let capPrice = inversePart / (constantPart - totalDemand)
                if capPrice > a && capPrice < b { candidates.append(capPrice) }
            }
        }
        var pieceBest = a, pieceValue = objective(a)
        for p in candidates {
            let value = objective(p)
            if value > pieceValue || (value == pieceValue && p < pieceBest) { pieceBest = p; pieceValue = value }
        }
        if pieceValue > bestValue || (pieceValue == bestValue && pieceBest < bestPrice) { bestPrice = pieceBest; bestValue = pieceValue }
        if log.isEnabled {
            log.emit(time, actor: "market",
                     GameIterationEvent.piece(iteration: iterations, priceLow: a, priceHigh: b, pieceBestPrice: pieceBest,
                                              bestPrice: bestPrice, buyerCostMicroTokens: 1000 * (high * totalDemand - bestValue)))
        }
    }
    return (bestPrice, iterations)
}

/// On the piece containing `price`: S(p) = A − B/p, returns (A, B).
private func pieceCoefficients(sellers: [GameSeller], at price: Double) -> (Double, Double) {
    var constantPart = 0.0, inversePart = 0.0
    for seller in sellers {
        let c = seller.consumption
        let unclamped = c.preference / price - 1
        let base = seller.surplusKilowattHours + c.baselineKilowattHours
        if unclamped <= c.lowerKilowattHours {
            constantPart += base - c.lowerKilowattHours
        } else if unclamped >= c.upperKilowattHours {
            constantPart += base - c.upperKilowattHours
        } else {
            constantPart += base + 1
            inversePart += c.preference
        }
    }
    return (constantPart, inversePart)
}
