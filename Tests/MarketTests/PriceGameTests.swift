// Tests of the Stackelberg price game: the three regimes of eq. 7, sellers' best responses, the
// buyers' optimal price against a fine price grid, and the eq. 10 allocation.
import Kernel
import Testing
@testable import Market

private let prices = MarketPrices.standard

private func seller(_ participant: Int, surplus: Double, baseline: Double) -> GameSeller {
    GameSeller(participant: participant, surplusKilowattHours: surplus,
               consumption: SellerConsumption(baselineKilowattHours: baseline, surplusKilowattHours: surplus,
                                              referencePrice: Double(prices.gridSellMicroTokensPerWattHour)))
}

private func randomGame(seed: UInt64) -> ([GameSeller], [GameBuyer]) {
    var rng = Xoshiro256StarStar(seed: seed)
    let sellers = (0..<(1 + Int(rng.uniformInt(below: 12)))).map {
        seller($0, surplus: rng.uniformDouble(in: 0.01..<0.25), baseline: rng.uniformDouble(in: 0.02..<0.3))
    }
    var buyers: [GameBuyer] = []
    var supply = 0.0
    for s in sellers { supply += s.surplusKilowattHours + s.consumption.baselineKilowattHours }
    // Demand above the most sellers could ever offer keeps the game in the Stackelberg regime.
    var demand = 0.0
    var index = 100
    while demand <= supply * 1.05 || buyers.count < 2 {
        let d = rng.uniformDouble(in: 0.05..<0.4)
        buyers.append(GameBuyer(participant: index, demandKilowattHours: d))
        demand += d; index += 1
    }
    return (sellers, buyers)
}

@Suite struct PriceGameTests {
    @Test func regimesFollowEquationSeven() {
        var log = EventLog()
        let buyers = [GameBuyer(participant: 5, demandKilowattHours: 0.3), GameBuyer(participant: 6, demandKilowattHours: 0.1)]
        let none = solvePriceGame(sellers: [], buyers: buyers, prices: prices, surplusPrice: 50, time: .zero, log: &log)
        #expect(none.regime == .noInternalTrade)
        #expect(none.price == 250)
        #expect(abs(none.buyerCostMicroTokens - 250 * 400) < 1e-6)

        let rich = solvePriceGame(sellers: [seller(0, surplus: 0.5, baseline: 0.1), seller(1, surplus: 0.3, baseline: 0.1)],
                                  buyers: buyers, prices: prices, surplusPrice: 50, time: .zero, log: &log)
        #expect(rich.regime == .surplus)
        #expect(rich.buyerAllocationKilowattHours == [0.3, 0.1])
        #expect(abs(rich.sellerSupplyKilowattHours[0] - 0.25) < 1e-12 && abs(rich.sellerSupplyKilowattHours[1] - 0.15) < 1e-12)

        let middle = solvePriceGame(sellers: [seller(0, surplus: 0.1, baseline: 0.2)], buyers: buyers, prices: prices,
                                    surplusPrice: 50, time: .zero, log: &log)
        #expect(middle.regime == .stackelberg)
        #expect(middle.price > 50 && middle.price <= 250)
        #expect(middle.iterations > 0)
        #expect(log.records.filter { $0.kind == .gameIteration }.count == middle.iterations)
    }

    /// At the computed price each seller's consumption maximises its utility over a fine grid of its
    /// feasible consumptions (tolerance 1e-9 relative), and no price on a 0.01 µtoken/Wh grid over
    /// [p_gs, p_gb] gives the buyers a lower cost (tolerance 1e-9 relative).
    @Test func bestResponsesAndBuyerOptimalityOverFineGrids() {
        var interiorPrices = 0
        defer { #expect(interiorPrices >= 20, "most games should price strictly inside (p_gs, p_gb)") }
        for seed in UInt64(1)...40 {
            let (sellers, buyers) = randomGame(seed: seed)
            var log = EventLog(isEnabled: false)
            let result = solvePriceGame(sellers: sellers, buyers: buyers, prices: prices, surplusPrice: 50, time: .zero, log: &log)
            #expect(result.regime == .stackelberg)
            if result.price > 50.5 && result.price < 249.5 { interiorPrices += 1 }
            for (index, s) in sellers.enumerated() {
                let chosen = result.sellerConsumptionKilowattHours[index]
                let best = s.consumption.utility(consumption: chosen, price: result.price)
                let c = s.consumption
                for step in 0...1000 {
                    let e = c.lowerKilowattHours + (c.upperKilowattHours - c.lowerKilowattHours) * Double(step) / 1000
                    #expect(c.utility(consumption: e, price: result.price) <= best + 1e-9 * abs(best) + 1e-12, "seed \(seed) seller \(index)")
                }
            }
            var demand = 0.0
            for b in buyers { demand += b.demandKilowattHours }
            let cost = result.buyerCostMicroTokens
            var p = 50.0
            while p <= 250 {
                #expect(buyersCost(price: p, sellers: sellers, totalDemandKilowattHours: demand, prices: prices) >= cost * (1 - 1e-9),
                        "seed \(seed): price \(p) beats \(result.price)")
                p += 0.01
            }
        }
    }

    @Test func allocationIsProportionalToDemand() {
        let buyers = [GameBuyer(participant: 3, demandKilowattHours: 0.3), GameBuyer(participant: 4, demandKilowattHours: 0.1)]
        var log = EventLog()
        let result = solvePriceGame(sellers: [seller(0, surplus: 0.05, baseline: 0.2), seller(1, surplus: 0.02, baseline: 0.1)],
                                    buyers: buyers, prices: prices, surplusPrice: 50, time: .zero, log: &log)
        let total = result.sellerSupplyKilowattHours.reduce(0, +)
        #expect(abs(result.buyerAllocationKilowattHours[0] - total * 0.75) < 1e-12)
        #expect(abs(result.buyerAllocationKilowattHours[1] - total * 0.25) < 1e-12)
        // A price above p_gs makes sellers shed consumption: supply exceeds the declared surplus.
        #expect(total > 0.07)
        #expect(result.sellerConsumptionKilowattHours[0] < 0.2)
    }

    @Test func largestRemainderSplitSumsExactly() {
        #expect(largestRemainderSplit(total: 10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(largestRemainderSplit(total: 7, weights: [0, 5, 2]) == [0, 5, 2])
        #expect(largestRemainderSplit(total: 0, weights: [3, 4]) == [0, 0])
        var rng = Xoshiro256StarStar(seed: 3)
        for _ in 0..<200 {
            let weights = (0..<(1 + Int(rng.uniformInt(below: 20)))).map { _ in Int64(rng.uniformInt(below: 5000)) }
            let total = Int64(rng.uniformInt(below: 100_000))
            let parts = largestRemainderSplit(total: total, weights: weights)
            if weights.reduce(0, +) > 0 { #expect(parts.reduce(0, +) == total) }
            #expect(parts.allSatisfy { $0 >= 0 })
        }
    }
}
