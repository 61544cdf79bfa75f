// Owns the typed payloads of the price game's iterations and of the contract life cycle (created,
// settled, refunded): one type per kind, writing and strictly reading the stored canonical JSON.
import Kernel

/// `game_iteration`: one piece of the price game's solver, or (with `final: true`) its result.
public struct GameIterationEvent: EventPayload {
    public static let kind = EventKind.gameIteration
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("buyer_cost", .number, unit: "µtoken", "buyers' total cost at the best price so far (final: at the price)"),
        PayloadField("iteration", .integer, optional: true, "solver piece, from 1 (pieces only)"),
        PayloadField("price_low", .number, unit: "µtoken/Wh", optional: true, "lower end of the piece (pieces only)"),
        PayloadField("price_high", .number, unit: "µtoken/Wh", optional: true, "upper end of the piece (pieces only)"),
        PayloadField("piece_best_price", .number, unit: "µtoken/Wh", optional: true, "best price within the piece (pieces only)"),
        PayloadField("best_price", .number, unit: "µtoken/Wh", optional: true, "best price so far (pieces only)"),
        PayloadField("final", .boolean, optional: true, "true on the result event (absent on pieces)"),
        PayloadField("regime", .string, optional: true, "no_internal_trade, stackelberg or surplus (final only)"),
        PayloadField("price", .number, unit: "µtoken/Wh", optional: true, "the game's price (final only)"),
        PayloadField("iterations", .integer, optional: true, "pieces examined (final only)"),
    ], emittedBy: "Market (price game), T+1 min, actor market")

    /// One solver piece.
    public struct Piece: Sendable, Equatable {
        public var iteration: Int
        public var priceLow: Double
        public var priceHigh: Double
        public var pieceBestPrice: Double
        public var bestPrice: Double
    }

    /// The game's result.
    public struct Result: Sendable, Equatable {
        public var regime: PriceRegime
        public var price: Double
        public var iterations: Int
    }

    public enum Stage: Sendable, Equatable {
        case piece(Piece)
        case final(Result)
    }

    public var stage: Stage
    public var buyerCostMicroTokens: Double

    public init(stage: Stage, buyerCostMicroTokens: Double) {
        self.stage = stage
        self.buyerCostMicroTokens = buyerCostMicroTokens
    }

    public static func piece(iteration: Int, priceLow: Double, priceHigh: Double, pieceBestPrice: Double, bestPrice: Double,
                             buyerCostMicroTokens: Double) -> GameIterationEvent {
        GameIterationEvent(stage: .piece(Piece(iteration: iteration, priceLow: priceLow, priceHigh: priceHigh,
                                               pieceBestPrice: pieceBestPrice, bestPrice: bestPrice)),
                           buyerCostMicroTokens: buyerCostMicroTokens)
    }

    public static func final(regime: PriceRegime, price: Double, iterations: Int, buyerCostMicroTokens: Double) -> GameIterationEvent {
        GameIterationEvent(stage: .final(Result(regime: regime, price: price, iterations: iterations)), buyerCostMicroTokens: buyerCostMicroTokens)
    }

    public var canonical: CanonicalJSON {
        switch stage {
        case .piece(let p):
            return ["iteration": .int(Int64(p.iteration)), "price_low": .double(p.priceLow), "price_high": .double(p.priceHigh),
                    "piece_best_price": .double(p.pieceBestPrice), "best_price": .double(p.bestPrice),
                    "buyer_cost": .double(buyerCostMicroTokens)]
        case .final(let f):
            return ["final": true, "regime": .string(f.regime.rawValue), "price": .double(f.price),
                    "iterations": .int(Int64(f.iterations)), "buyer_cost": .double(buyerCostMicroTokens)]
        }
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        buyerCostMicroTokens = try r.double("buyer_cost")
        if r.has("final") {
            guard try r.bool("final") else { throw r.invalid("final", "is only written as true") }
            for key in ["iteration", "price_low", "price_high", "piece_best_price", "best_price"] where r.has(key) {
                throw r.invalid(key, "belongs to a solver piece, not to the final event")
            }
            stage = .final(Result(regime: try r.choice("regime", PriceRegime.self), price: try r.double("price"),
                                  iterations: try r.index("iterations")))
        } else {
            for key in ["regime", "price", "iterations"] where r.has(key) {
                throw r.invalid(key, "belongs to the final event (\"final\": true is missing)")
            }
            stage = .piece(Piece(iteration: try r.index("iteration"), priceLow: try r.double("price_low"),
                                 priceHigh: try r.double("price_high"), pieceBestPrice: try r.double("piece_best_price"),
                                 bestPrice: try r.double("best_price")))
        }
    }
}

/// `contract_created`: an escrowed contract for one trade.
public struct ContractCreatedEvent: EventPayload {
    public static let kind = EventKind.contractCreated
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("contract", .integer, "contract id (dense from 0 over the run)"),
        PayloadField("interval", .integer, "market interval"),
        PayloadField("seller", .integer, "selling home"),
        PayloadField("buyer", .integer, "buying home"),
        PayloadField("energy_wh", .integer, unit: "Wh", "contracted energy"),
        PayloadField("buyer_price", .integer, unit: "µtoken/Wh", "price the buyer pays"),
        PayloadField("seller_price", .integer, unit: "µtoken/Wh", "price the seller receives"),
        PayloadField("escrow", .integer, unit: "µtoken", "locked by the buyer: energy × buyer price"),
    ], emittedBy: "Market, T+2 min, actor contract:n")
    public var contract: Contract

    public init(_ contract: Contract) { self.contract = contract }

    public var canonical: CanonicalJSON {
        ["contract": .int(Int64(contract.id)), "interval": .int(Int64(contract.interval)), "seller": .int(Int64(contract.seller)),
         "buyer": .int(Int64(contract.buyer)), "energy_wh": .int(contract.energyWattHours),
         "buyer_price": .int(contract.buyerPriceMicroTokensPerWattHour),
         "seller_price": .int(contract.sellerPriceMicroTokensPerWattHour), "escrow": .int(contract.escrowMicroTokens)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        let id = try r.index("contract"), interval = try r.index("interval"), seller = try r.index("seller"), buyer = try r.index("buyer")
        let energy = try r.int("energy_wh"), buyerPrice = try r.int("buyer_price"), sellerPrice = try r.int("seller_price")
        let escrow = try r.int("escrow")
        guard energy > 0 else { throw r.invalid("energy_wh", "must be positive, got \(energy)") }
        guard sellerPrice >= 0, sellerPrice <= buyerPrice else {
            throw r.invalid("seller_price", "must lie between 0 and buyer_price \(buyerPrice), got \(sellerPrice)")
        }
        let (expected, overflow) = energy.multipliedReportingOverflow(by: buyerPrice)
        guard !overflow, escrow == expected else {
            throw r.invalid("escrow", "is \(escrow), not energy_wh × buyer_price")
        }
        contract = Contract(id: id, interval: interval, seller: seller, buyer: buyer, energyWattHours: energy,
                            buyerPriceMicroTokensPerWattHour: buyerPrice, sellerPriceMicroTokensPerWattHour: sellerPrice)
    }
}

/// The shared shape of `contract_settled` and `contract_refunded`.
public protocol ContractSettlementPayload: EventPayload {
    var settlement: ContractSettlement { get }
    init(_ settlement: ContractSettlement)
}

extension ContractSettlementPayload {
    static var settlementFields: [PayloadField] {
        [PayloadField("contract", .integer, "contract id"),
         PayloadField("delivered_wh", .integer, unit: "Wh", "energy the seller delivered (≤ contracted)"),
         PayloadField("to_seller", .integer, unit: "µtoken", "paid to the seller"),
         PayloadField("refund", .integer, unit: "µtoken", "returned to the buyer"),
         PayloadField("to_operator", .integer, unit: "µtoken", "paid to the grid operator"),
         PayloadField("cancelled", .boolean, "true when never confirmed on chain (refunded in full)")]
    }

    public var canonical: CanonicalJSON {
        ["contract": .int(Int64(settlement.contract)), "delivered_wh": .int(settlement.deliveredWattHours),
         "to_seller": .int(settlement.paidToSellerMicroTokens), "refund": .int(settlement.refundedToBuyerMicroTokens),
         "to_operator": .int(settlement.paidToOperatorMicroTokens), "cancelled": .bool(settlement.cancelled)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(ContractSettlement(contract: try r.index("contract"), deliveredWattHours: try r.int("delivered_wh"),
                                     paidToSellerMicroTokens: try r.int("to_seller"), refundedToBuyerMicroTokens: try r.int("refund"),
                                     paidToOperatorMicroTokens: try r.int("to_operator"), cancelled: try r.bool("cancelled")))
    }
}

/// `contract_settled`: a contract paid out with nothing back to the buyer.
public struct ContractSettledEvent: ContractSettlementPayload {
    public static let kind = EventKind.contractSettled
    public static let schema = PayloadSchema(kind: kind, fields: settlementFields,
                                             emittedBy: "Market, T+5 min after the meter readings, actor contract:n")
    public var settlement: ContractSettlement
    public init(_ settlement: ContractSettlement) { self.settlement = settlement }
}

/// `contract_refunded`: a contract that returned money to the buyer (short delivery or cancelled).
public struct ContractRefundedEvent: ContractSettlementPayload {
    public static let kind = EventKind.contractRefunded
    public static let schema = PayloadSchema(kind: kind, fields: settlementFields,
                                             emittedBy: "Market, T+5 min after the meter readings, actor contract:n (refund > 0)")
    public var settlement: ContractSettlement
    public init(_ settlement: ContractSettlement) { self.settlement = settlement }
}
