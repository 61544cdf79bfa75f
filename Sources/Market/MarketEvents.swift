// Owns the typed payloads of the market's trace events (orders, price game, contracts, meters):
// one type per kind that writes the canonical JSON the trace stores and reads it back strictly.
// Keys and number forms are part of the trace format: changing one changes every digest.
import Kernel

extension OrderSide {
    /// Reads "buy" / "sell".
    static func read(_ reader: PayloadReader, _ key: String) throws(PayloadError) -> OrderSide {
        switch try reader.string(key) {
        case "buy": return .buy
        case "sell": return .sell
        case let other: throw reader.invalid(key, "must be \"buy\" or \"sell\", got \"\(other)\"")
        }
    }
}

/// `order_committed`: a participant's signed commitment, accepted.
public struct OrderCommittedEvent: EventPayload {
    public static let kind = EventKind.orderCommitted
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("type", .string, "always \"commit\""),
        PayloadField("participant", .integer, "home index"),
        PayloadField("interval", .integer, "market interval (5 min each, from 0)"),
        PayloadField("commitment", .string, "SHA256(order ‖ nonce), hex"),
        PayloadField("signature", .string, "Ed25519 signature of the commit, hex"),
    ], emittedBy: "Market, T+30 s of the interval, actor home:i, one per accepted commit")
    public var participant: Int
    public var interval: Int
    public var commitmentHex: String
    public var signatureHex: String

    public init(participant: Int, interval: Int, commitmentHex: String, signatureHex: String) {
        self.participant = participant
        self.interval = interval
        self.commitmentHex = commitmentHex
        self.signatureHex = signatureHex
    }

    public init(_ commit: CommitTransaction) {
        self.init(participant: commit.participant, interval: commit.interval, commitmentHex: hexString(commit.commitment),
                  signatureHex: hexString(commit.signature))
    }

    public var canonical: CanonicalJSON {
        ["type": "commit", "participant": .int(Int64(participant)), "interval": .int(Int64(interval)),
         "commitment": .string(commitmentHex), "signature": .string(signatureHex)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        guard try r.string("type") == "commit" else { throw r.invalid("type", "must be \"commit\"") }
        self.init(participant: try r.index("participant"), interval: try r.index("interval"),
                  commitmentHex: try r.string("commitment"), signatureHex: try r.string("signature"))
    }
}

/// `order_revealed`: an accepted reveal, i.e. the order itself.
public struct OrderRevealedEvent: EventPayload {
    public static let kind = EventKind.orderRevealed
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("participant", .integer, "home index"),
        PayloadField("interval", .integer, "market interval"),
        PayloadField("side", .string, "\"buy\" or \"sell\""),
        PayloadField("energy_wh", .integer, unit: "Wh", "energy offered or asked (positive)"),
        PayloadField("limit_price", .integer, unit: "µtoken/Wh", "limit price"),
    ], emittedBy: "Market, T+1 min, actor home:i, one per accepted reveal")
    public var order: Order

    public init(_ order: Order) { self.order = order }

    public var canonical: CanonicalJSON {
        ["participant": .int(Int64(order.participant)), "interval": .int(Int64(order.interval)), "side": .string(order.side.name),
         "energy_wh": .int(order.energyWattHours), "limit_price": .int(order.limitPriceMicroTokensPerWattHour)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        let participant = try r.index("participant"), interval = try r.index("interval"), side = try OrderSide.read(r, "side")
        let energy = try r.int("energy_wh"), price = try r.int("limit_price")
        guard energy > 0 else { throw r.invalid("energy_wh", "must be positive (orders carry positive energy), got \(energy)") }
        guard price >= 0 else { throw r.invalid("limit_price", "must not be negative, got \(price)") }
        order = Order(participant: participant, interval: interval, side: side, energyWattHours: energy,
                      limitPriceMicroTokensPerWattHour: price)
    }
}

/// `order_rejected`: a refused commit or reveal and why.
public struct OrderRejectedEvent: EventPayload {
    public static let kind = EventKind.orderRejected
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("participant", .integer, "home index"),
        PayloadField("interval", .integer, "market interval"),
        PayloadField("phase", .string, "\"commit\" or \"reveal\""),
        PayloadField("reason", .string, "why: commitment_mismatch, unknown_account, bad_signature, replay_from_another_interval, no_commitment, duplicate_commitment, bidding_allowance_exhausted"),
    ], emittedBy: "Market, T+30 s (commit) or T+1 min (reveal), actor home:i")
    public var rejection: OrderRejection

    public init(_ rejection: OrderRejection) { self.rejection = rejection }

    public var canonical: CanonicalJSON {
        ["participant": .int(Int64(rejection.participant)), "interval": .int(Int64(rejection.interval)),
         "phase": .string(rejection.phase.rawValue), "reason": .string(rejection.reason.rawValue)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        rejection = OrderRejection(participant: try r.index("participant"), interval: try r.index("interval"),
                                   phase: try r.choice("phase", TransactionPhase.self), reason: try r.choice("reason", RejectionReason.self))
    }
}

/// `order_forwarded`: a distributed-auction node passes orders to its hypercube neighbour.
public struct OrderForwardedEvent: EventPayload {
    public static let kind = EventKind.orderForwarded
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("round", .integer, "auction round (hypercube dimension), from 0"),
        PayloadField("to", .integer, "receiving participant"),
        PayloadField("orders", .integerArray, "book indices of the forwarded orders"),
    ], emittedBy: "Market (distributed auction), from T+1 min, one round per 250 ms, actor home:j (the sender)")
    public var round: Int
    public var to: Int
    public var orders: [Int64]

    public init(round: Int, to: Int, orders: [Int64]) {
        self.round = round
        self.to = to
        self.orders = orders
    }

    public var canonical: CanonicalJSON {
        ["round": .int(Int64(round)), "to": .int(Int64(to)), "orders": .array(orders.map { .int($0) })]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(round: try r.index("round"), to: try r.index("to"), orders: try r.ints("orders"))
    }
}

/// `order_matched`: one bilateral trade.
public struct OrderMatchedEvent: EventPayload {
    public static let kind = EventKind.orderMatched
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("buyer", .integer, "buying home"),
        PayloadField("seller", .integer, "selling home"),
        PayloadField("buy_order", .integer, "book index of the buy order"),
        PayloadField("sell_order", .integer, "book index of the sell order"),
        PayloadField("energy_wh", .integer, unit: "Wh", "traded energy"),
        PayloadField("buyer_price", .integer, unit: "µtoken/Wh", "price the buyer pays"),
        PayloadField("seller_price", .integer, unit: "µtoken/Wh", "price the seller receives"),
        PayloadField("auctioneer", .integer, "participant that cleared it (−1: centralised or game)"),
        PayloadField("round", .integer, "auction round it cleared in (0: centralised or game)"),
    ], emittedBy: "Market, from T+1 min, actor home:j (auctioneer) or market (centralised)")
    public var buyer: Int
    public var seller: Int
    public var buyOrder: Int
    public var sellOrder: Int
    public var energyWattHours: Int64
    public var buyerPriceMicroTokensPerWattHour: Int64
    public var sellerPriceMicroTokensPerWattHour: Int64
    public var auctioneer: Int
    public var round: Int

    public init(_ trade: Trade) {
        buyer = trade.buyer
        seller = trade.seller
        buyOrder = trade.buyOrder
        sellOrder = trade.sellOrder
        energyWattHours = trade.energyWattHours
        buyerPriceMicroTokensPerWattHour = trade.buyerPriceMicroTokensPerWattHour
        sellerPriceMicroTokensPerWattHour = trade.sellerPriceMicroTokensPerWattHour
        auctioneer = trade.auctioneer
        round = trade.round
    }

    public var canonical: CanonicalJSON {
        ["buyer": .int(Int64(buyer)), "seller": .int(Int64(seller)), "buy_order": .int(Int64(buyOrder)),
         "sell_order": .int(Int64(sellOrder)), "energy_wh": .int(energyWattHours),
         "buyer_price": .int(buyerPriceMicroTokensPerWattHour), "seller_price": .int(sellerPriceMicroTokensPerWattHour),
         "auctioneer": .int(Int64(auctioneer)), "round": .int(Int64(round))]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        buyer = try r.index("buyer")
        seller = try r.index("seller")
        buyOrder = try r.index("buy_order")
        sellOrder = try r.index("sell_order")
        energyWattHours = try r.int("energy_wh")
        buyerPriceMicroTokensPerWattHour = try r.int("buyer_price")
        sellerPriceMicroTokensPerWattHour = try r.int("seller_price")
        auctioneer = try r.index("auctioneer")
        round = try r.index("round")
    }
}

/// `order_unmatched`: an order left without a trade (end of the auction, or no escrow funds).
public struct OrderUnmatchedEvent: EventPayload {
    public static let kind = EventKind.orderUnmatched
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("order", .integer, "book index of the order"),
        PayloadField("energy_wh", .integer, unit: "Wh", "energy left unmatched"),
        PayloadField("side", .string, optional: true, "\"buy\" or \"sell\" (absent for an escrow failure)"),
        PayloadField("held_by", .integer, optional: true, "participant holding the order when the distributed auction ended"),
        PayloadField("reason", .string, optional: true, "\"insufficient_funds_for_escrow\" when the buyer could not lock the price"),
    ], emittedBy: "Market, at the end of the auction (actor home:i), or T+2 min when escrow fails (actor home:buyer)")
    public var order: Int
    public var energyWattHours: Int64
    public var side: OrderSide?
    public var heldBy: Int?
    public var reason: String?

    public init(order: Int, energyWattHours: Int64, side: OrderSide? = nil, heldBy: Int? = nil, reason: String? = nil) {
        self.order = order
        self.energyWattHours = energyWattHours
        self.side = side
        self.heldBy = heldBy
        self.reason = reason
    }

    public var canonical: CanonicalJSON {
        var members: [String: CanonicalJSON] = ["order": .int(Int64(order)), "energy_wh": .int(energyWattHours)]
        if let side { members["side"] = .string(side.name) }
        if let heldBy { members["held_by"] = .int(Int64(heldBy)) }
        if let reason { members["reason"] = .string(reason) }
        return .object(members)
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(order: try r.index("order"), energyWattHours: try r.int("energy_wh"),
                  side: r.has("side") ? try OrderSide.read(r, "side") : nil,
                  heldBy: r.has("held_by") ? try r.index("held_by") : nil,
                  reason: r.has("reason") ? try r.string("reason") : nil)
    }
}

/// `meter_reading`: a home's metered net energy for an interval.
public struct MeterReadingEvent: EventPayload {
    public static let kind = EventKind.meterReading
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("interval", .integer, "market interval"),
        PayloadField("net_wh", .integer, unit: "Wh", "metered net energy (+ import, − export)"),
    ], emittedBy: "Market, T+5 min (end of the interval), actor home:i, one per home")
    public var interval: Int
    public var netWattHours: Int64

    public init(interval: Int, netWattHours: Int64) {
        self.interval = interval
        self.netWattHours = netWattHours
    }

    public var canonical: CanonicalJSON { ["interval": .int(Int64(interval)), "net_wh": .int(netWattHours)] }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(interval: try r.index("interval"), netWattHours: try r.int("net_wh"))
    }
}
