// Owns the distributed double auction: a seeded P2P overlay, rounds in which every participant
// holding crossing orders clears them locally, and forwarding of unmatched orders with a hop limit.
import Kernel

/// A seeded hypercube (XOR) overlay over the participants, in the spirit of Kademlia.
///
/// Each participant gets a seeded random position 0..<N; position x links to x ⊕ 2^d for every
/// dimension d with x ⊕ 2^d < N. In round r a participant whose position has bit r set forwards its
/// unmatched orders to its dimension-r neighbour x − 2^r, so orders from all participants meet in
/// at most ⌈log₂ N⌉ hops, and every round merges books pairwise.
public struct AuctionOverlay: Sendable {
    /// participantAtPosition[x] = the participant placed at overlay position x.
    public let participantAtPosition: [Int]
    /// positionOfParticipant[p] = overlay position of participant p.
    public let positionOfParticipant: [Int]

    /// A fresh overlay for `participantCount` participants, drawn from `rng`.
    public init(participantCount: Int, rng: inout Xoshiro256StarStar) {
        var order = Array(0..<participantCount)
        rng.shuffle(&order)
        participantAtPosition = order
        var inverse = [Int](repeating: 0, count: participantCount)
        for (position, participant) in order.enumerated() { inverse[participant] = position }
        positionOfParticipant = inverse
    }

    public var participantCount: Int { participantAtPosition.count }

    /// Rounds needed for every order to reach position 0: ⌈log₂ N⌉.
    public var dimensions: Int {
        var d = 0
        while (1 << d) < participantCount { d += 1 }
        return d
    }

    /// Overlay neighbours of a participant (as participants), by dimension.
    public func neighbours(of participant: Int) -> [Int] {
        let x = positionOfParticipant[participant]
        return (0..<dimensions).compactMap { d in
            let y = x ^ (1 << d)
            return y < participantCount ? participantAtPosition[y] : nil
        }
    }
}

/// Parameters of the distributed auction.
public struct DistributedAuctionConfiguration: Sendable, Equatable {
    public var rule: ClearingRule
    /// Orders that have travelled this many hops are not forwarded again.
    public var hopLimit: Int
    /// Deadline in rounds.
    public var maximumRounds: Int
    /// Simulated duration of one round (message delivery and local clearing), ms.
    public var roundMilliseconds: Int64

    public init(rule: ClearingRule = .mcafee, hopLimit: Int = 32, maximumRounds: Int = 40, roundMilliseconds: Int64 = 250) {
        precondition(hopLimit >= 0 && maximumRounds >= 1 && roundMilliseconds > 0, "bad distributed auction configuration")
        self.rule = rule
        self.hopLimit = hopLimit
        self.maximumRounds = maximumRounds
        self.roundMilliseconds = roundMilliseconds
    }
}

/// Why the distributed auction stopped.
public enum AuctionTermination: String, Sendable, Equatable {
    /// No crossing buyer–seller pair remains among live orders.
    case noCrossingPair = "no_crossing_pair"
    /// Orders that still cross cannot meet again (all at one participant, or held back by the hop limit).
    case nothingLeftToForward = "nothing_left_to_forward"
    /// The round deadline passed.
    case deadline
}

/// The result of a distributed auction.
public struct DistributedAuctionResult: Sendable, Equatable {
    public var trades: [Trade]
    /// Orders (or their remainders) left unmatched.
    public var unmatched: [BookOrder]
    /// Rounds executed (each round: local clearing everywhere, then forwarding).
    public var rounds: Int
    /// Cumulative trade count after each round (the convergence curve of paper Fig. 4).
    public var cumulativeTradesPerRound: [Int]
    public var forwardedMessages: Int
    public var termination: AuctionTermination
}

/// Runs the distributed double auction on one interval's orders.
///
/// Every participant starts holding its own orders. Each round: every holder of crossing orders
/// clears its local book with `configuration.rule` (one `order_matched` event per trade, actor =
/// the auctioneer); then holders whose overlay position has bit `round` set forward their unmatched
/// orders to their dimension-`round` neighbour (one `order_forwarded` event per message, listing
/// the orders). Orders at the hop limit stay where they are. Ends when no crossing pair remains,
/// nothing can move, or the deadline passes; leftovers get `order_unmatched` events.
/// Event times: `startTime + (round + 1) · roundMilliseconds`.
public func runDistributedAuction(orders: [BookOrder], overlay: AuctionOverlay,
                                  configuration: DistributedAuctionConfiguration,
                                  startTime: SimTime, log: inout EventLog) -> DistributedAuctionResult {
    let n = overlay.participantCount
    var heldBuyers = [[BookOrder]](repeating: [], count: n)  // by overlay position, sorted
    var heldSellers = [[BookOrder]](repeating: [], count: n)
    for order in orders {
        precondition(order.participant >= 0 && order.participant < n, "order from a participant outside the overlay")
        let position = overlay.positionOfParticipant[order.participant]
        if order.side == .buy { heldBuyers[position].append(order) } else { heldSellers[position].append(order) }
    }
    var holders: [Int] = []
    for position in 0..<n where !heldBuyers[position].isEmpty || !heldSellers[position].isEmpty {
        heldBuyers[position].sort(by: BookOrder.buyerPrecedes)
        heldSellers[position].sort(by: BookOrder.sellerPrecedes)
        holders.append(position)
    }
    var trades: [Trade] = []
    var cumulative: [Int] = []
    var forwarded = 0
    var round = 0
    var termination = AuctionTermination.deadline
    while round < configuration.maximumRounds {
        let time = startTime + SimTime(milliseconds: Int64(round + 1) * configuration.roundMilliseconds)
        clearLocally(holders: holders, overlay: overlay, rule: configuration.rule, round: round, time: time,
                     buyers: &heldBuyers, sellers: &heldSellers, trades: &trades, log: &log)
        cumulative.append(trades.count)
        round += 1
        if !anyCrossingPair(holders: holders, buyers: heldBuyers, sellers: heldSellers) { termination = .noCrossingPair; break }
        let moved = forward(round: round - 1, holders: &holders, overlay: overlay, hopLimit: configuration.hopLimit,
                            time: time, buyers: &heldBuyers, sellers: &heldSellers, log: &log)
        forwarded += moved
        if moved == 0 && (round - 1) >= overlay.dimensions { termination = .nothingLeftToForward; break }
    }
    var unmatched: [BookOrder] = []
    let endTime = startTime + SimTime(milliseconds: Int64(round + 1) * configuration.roundMilliseconds)
    for position in holders {
        for order in heldBuyers[position] + heldSellers[position] {
            unmatched.append(order)
            if log.isEnabled {
                log.emit(endTime, actor: "home:\(order.participant)",
                         OrderUnmatchedEvent(order: order.order, energyWattHours: order.energyWattHours, side: order.side,
                                             heldBy: overlay.participantAtPosition[position]))
            }
        }
    }
    return DistributedAuctionResult(trades: trades, unmatched: unmatched, rounds: round, cumulativeTradesPerRound: cumulative,
                                    forwardedMessages: forwarded, termination: termination)
}

private func clearLocally(holders: [Int], overlay: AuctionOverlay, rule: ClearingRule, round: Int, time: SimTime,
                          buyers: inout [[BookOrder]], sellers: inout [[BookOrder]], trades: inout [Trade], log: inout EventLog) {
    for position in holders {
        guard let bestBid = buyers[position].first, let bestAsk = sellers[position].first,
              bestBid.limitPriceMicroTokensPerWattHour >= bestAsk.limitPriceMicroTokensPerWattHour else { continue }
        let auctioneer = overlay.participantAtPosition[position]
        let before = trades.count
        let residual = clearSortedBook(buyers: buyers[position], sellers: sellers[position], rule: rule,
                                       auctioneer: auctioneer, round: round, trades: &trades)
        buyers[position] = residual.buyers
        sellers[position] = residual.sellers
        if log.isEnabled {
            for trade in trades[before...] {
                log.emit(time, actor: HumanFormat.participant(auctioneer), OrderMatchedEvent(trade))
            }
        }
    }
}

private func anyCrossingPair(holders: [Int], buyers: [[BookOrder]], sellers: [[BookOrder]]) -> Bool {
    var bestBid = Int64.min, bestAsk = Int64.max
    for position in holders {
        if let bid = buyers[position].first?.limitPriceMicroTokensPerWattHour { bestBid = max(bestBid, bid) }
        if let ask = sellers[position].first?.limitPriceMicroTokensPerWattHour { bestAsk = min(bestAsk, ask) }
    }
    return bestBid >= bestAsk
}

/// Moves the forwardable orders of every holder with bit `round` set to its neighbour; returns messages sent.
private func forward(round: Int, holders: inout [Int], overlay: AuctionOverlay, hopLimit: Int, time: SimTime,
                     buyers: inout [[BookOrder]], sellers: inout [[BookOrder]], log: inout EventLog) -> Int {
    guard round < overlay.dimensions else { return 0 }
    let bit = 1 << round
    var messages = 0
    var nextHolders: [Int] = []
    nextHolders.reserveCapacity(holders.count)
    for position in holders where position & bit == 0 { nextHolders.append(position) }
    for position in holders where position & bit != 0 {
        let target = position - bit
        let (movingBuyers, stayingBuyers) = partitionByHops(buyers[position], hopLimit: hopLimit)
        let (movingSellers, stayingSellers) = partitionByHops(sellers[position], hopLimit: hopLimit)
        buyers[position] = stayingBuyers
        sellers[position] = stayingSellers
        if !stayingBuyers.isEmpty || !stayingSellers.isEmpty { nextHolders.append(position) }
        guard !movingBuyers.isEmpty || !movingSellers.isEmpty else { continue }
        messages += 1
        if log.isEnabled {
            let ids = (movingBuyers + movingSellers).map { Int64($0.order) }
            log.emit(time, actor: HumanFormat.participant(overlay.participantAtPosition[position]),
                     OrderForwardedEvent(round: round, to: overlay.participantAtPosition[target], orders: ids))
        }
        let targetWasEmpty = buyers[target].isEmpty && sellers[target].isEmpty
        buyers[target] = mergeSorted(buyers[target], movingBuyers, by: BookOrder.buyerPrecedes)
        sellers[target] = mergeSorted(sellers[target], movingSellers, by: BookOrder.sellerPrecedes)
        if targetWasEmpty { nextHolders.append(target) }
    }
    nextHolders.sort()
    holders = nextHolders
    return messages
}

/// Orders that may travel one more hop (with their hop count incremented), and those that may not.
private func partitionByHops(_ orders: [BookOrder], hopLimit: Int) -> (moving: [BookOrder], staying: [BookOrder]) {
    var moving: [BookOrder] = [], staying: [BookOrder] = []
    for var order in orders {
        if order.hops < hopLimit { order.hops += 1; moving.append(order) } else { staying.append(order) }
    }
    return (moving, staying)
}

/// Merges two lists sorted by `precedes` into one sorted list (stable: ties keep `a` first).
private func mergeSorted(_ a: [BookOrder], _ b: [BookOrder], by precedes: (BookOrder, BookOrder) -> Bool) -> [BookOrder] {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    var out: [BookOrder] = []
    out.reserveCapacity(a.count + b.count)
    var i = 0, j = 0
    while i < a.count && j < b.count {
        if precedes(b[j], a[i]) { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1 }
    }
    out.append(contentsOf: a[i...])
    out.append(contentsOf: b[j...])
    return out
}
