// Tests of the distributed double auction: the differential test against centralised McAfee with its
// stated bound, events for every forward and match, hop limit, deadline, convergence and determinism.
import Kernel
import Testing
@testable import Market

private func run(_ book: [BookOrder], seed: UInt64, configuration: DistributedAuctionConfiguration = .init(),
                 logging: Bool = false) -> (DistributedAuctionResult, [EventRecord], AuctionOverlay) {
    var rng = Xoshiro256StarStar(seed: seed)
    let overlay = AuctionOverlay(participantCount: book.count, rng: &rng)
    var log = EventLog(isEnabled: logging)
    let result = runDistributedAuction(orders: book, overlay: overlay, configuration: configuration, startTime: .minutes(1), log: &log)
    return (result, log.drain(), overlay)
}

@Suite struct DistributedAuctionTests {
    /// The stated bound (BENCHMARKS.md, market section): on the same book, the distributed auction's welfare is
    /// at least 80 % of centralised McAfee's for 55 participants and at least 90 % for 200, never more
    /// than 5 % above it, and its volume is 90–140 % of McAfee's. Local auctioneers see only part of
    /// the book, so they sometimes pair orders that would not trade centrally (welfare loss), and the
    /// marginal pairs that one local trade reduction excludes often trade at the next auctioneer
    /// (volume gain). Measured over 1,000 books per size: welfare ratio ≥ 0.827 (55), ≥ 0.924 (100), ≥ 0.954 (500).
    @Test(arguments: [(55, 0.80), (200, 0.90)])
    func differentialAgainstCentralisedMcAfee(participants: Int, welfareFloor: Double) {
        for seed in UInt64(1)...150 {
            let book = randomBook(count: participants, seed: seed &* 7919)
            let central = ClearingSummary(trades: clearCentralised(book, rule: .mcafee).trades)
            guard central.volumeWattHours > 0 else { continue }
            let (result, _, _) = run(book, seed: seed)
            let distributed = ClearingSummary(trades: result.trades)
            let welfareRatio = Double(distributed.welfareMicroTokens) / Double(central.welfareMicroTokens)
            let volumeRatio = Double(distributed.volumeWattHours) / Double(central.volumeWattHours)
            #expect(welfareRatio >= welfareFloor && welfareRatio <= 1.05, "seed \(seed): welfare ratio \(welfareRatio)")
            #expect(volumeRatio >= 0.90 && volumeRatio <= 1.40, "seed \(seed): volume ratio \(volumeRatio)")
            #expect(distributed.welfareMicroTokens <= efficientAllocation(book).welfareMicroTokens)
        }
    }

    @Test func everyForwardMatchAndLeftoverIsAnEvent() {
        let book = randomBook(count: 55, seed: 42)
        let (result, events, overlay) = run(book, seed: 7, logging: true)
        let matched = events.filter { $0.kind == .orderMatched }
        let forwarded = events.filter { $0.kind == .orderForwarded }
        let unmatched = events.filter { $0.kind == .orderUnmatched }
        #expect(!result.trades.isEmpty)
        #expect(matched.count == result.trades.count)
        #expect(forwarded.count == result.forwardedMessages)
        #expect(unmatched.count == result.unmatched.count)
        #expect(zip(matched, result.trades).allSatisfy { $0.payload == $1.json && $0.actor == "home:\($1.auctioneer)" })
        // Every message goes to an overlay neighbour of its sender.
        for event in forwarded {
            guard case .object(let members) = event.payload, case .int(let to)? = members["to"] else { Issue.record("bad payload"); continue }
            let from = Int(event.actor.dropFirst("home:".count)) ?? -1
            #expect(overlay.neighbours(of: from).contains(Int(to)))
        }
        #expect(result.rounds <= overlay.dimensions + 1)
        #expect(result.cumulativeTradesPerRound.count == result.rounds)
        #expect(result.cumulativeTradesPerRound.last == result.trades.count)
    }

    @Test func energyIsConservedAndLeftoversDoNotCrossAfterConvergence() {
        for seed in UInt64(1)...100 {
            let book = randomBook(count: 40, seed: seed)
            let (result, _, _) = run(book, seed: seed)
            var traded = [Int64](repeating: 0, count: book.count)
            for trade in result.trades { traded[trade.buyOrder] += trade.energyWattHours; traded[trade.sellOrder] += trade.energyWattHours }
            for left in result.unmatched { traded[left.order] += left.energyWattHours }
            #expect(zip(traded, book).allSatisfy { $0 == $1.energyWattHours }, "seed \(seed)")
            if result.termination == .noCrossingPair {
                let bestBid = result.unmatched.filter { $0.side == .buy }.map(\.limitPriceMicroTokensPerWattHour).max() ?? .min
                let bestAsk = result.unmatched.filter { $0.side == .sell }.map(\.limitPriceMicroTokensPerWattHour).min() ?? .max
                #expect(bestBid < bestAsk)
            }
        }
    }

    @Test func hopLimitZeroKeepsOrdersHomeAndNothingTrades() {
        let book = randomBook(count: 55, seed: 3)
        let (result, _, _) = run(book, seed: 3, configuration: .init(hopLimit: 0))
        #expect(result.trades.isEmpty)
        #expect(result.forwardedMessages == 0)
        #expect(result.termination == .nothingLeftToForward)
        #expect(result.unmatched.count == book.count)
    }

    @Test func hopLimitCapsTravel() {
        let book = randomBook(count: 200, seed: 5)
        let (limited, _, _) = run(book, seed: 5, configuration: .init(hopLimit: 2))
        #expect(limited.unmatched.allSatisfy { $0.hops <= 2 })
        let (free, _, _) = run(book, seed: 5)
        #expect(free.unmatched.contains { $0.hops > 2 })
        #expect(ClearingSummary(trades: limited.trades).volumeWattHours < ClearingSummary(trades: free.trades).volumeWattHours)
    }

    @Test func deadlineStopsTheAuction() {
        let book = randomBook(count: 55, seed: 11)
        let (result, _, _) = run(book, seed: 11, configuration: .init(maximumRounds: 2))
        #expect(result.rounds == 2)
        #expect(result.termination == .deadline)
    }

    @Test func sameSeedSameTradesAndEvents() {
        let book = randomBook(count: 300, seed: 99)
        let (a, eventsA, _) = run(book, seed: 1, logging: true)
        let (b, eventsB, _) = run(book, seed: 1, logging: true)
        #expect(a == b)
        #expect(eventsA == eventsB)
        let (c, _, _) = run(book, seed: 2)
        #expect(a.trades != c.trades)
    }

    @Test(arguments: ClearingRule.allCases)
    func everyRuleIsIndividuallyRationalAndBudgetBalanced(rule: ClearingRule) {
        for seed in UInt64(1)...50 {
            let (result, _, _) = run(randomBook(count: 55, seed: seed), seed: seed, configuration: .init(rule: rule))
            let summary = ClearingSummary(trades: result.trades)
            #expect(result.trades.allSatisfy {
                $0.sellerLimitMicroTokensPerWattHour <= $0.sellerPriceMicroTokensPerWattHour
                    && $0.sellerPriceMicroTokensPerWattHour <= $0.buyerPriceMicroTokensPerWattHour
                    && $0.buyerPriceMicroTokensPerWattHour <= $0.buyerLimitMicroTokensPerWattHour
            })
            #expect(summary.buyerPaymentsMicroTokens >= summary.sellerReceiptsMicroTokens)
        }
    }
}
