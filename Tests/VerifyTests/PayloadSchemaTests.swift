// The typed payloads: every kind has exactly one type, each round-trips (type → canonical JSON →
// type) in every shape it has, its field list is frozen here, the committed docs/trace-schema.md is
// what the types generate, and a bad field is an error naming seq, kind and field.
import Chain
import CoSim
import Foundation
import Kernel
@testable import Market
import PowerFlow
import Testing
import Trace
@testable import Verify

/// One sample of every shape of every kind (the optional fields of each shape set).
let payloadSamples: [any EventPayload] = [
    RunStartedEvent(), IntervalStartedEvent(interval: 3, variant: "p2p"), IntervalEndedEvent(interval: 3, variant: "no-p2p"),
    CheckpointEvent(interval: 6, variant: "p2p", stateBytes: 123_456, stateSHA256: String(repeating: "ab", count: 32)),
    SelftestEvent(n: 42, x: -1.25, tag: "beef"),
    OrderCommittedEvent(participant: 4, interval: 2, commitmentHex: "ab01", signatureHex: "cd02"),
    OrderRevealedEvent(Order(participant: 4, interval: 2, side: .sell, energyWattHours: 310, limitPriceMicroTokensPerWattHour: 120)),
    OrderRejectedEvent(OrderRejection(participant: 9, interval: 2, phase: .reveal, reason: .commitmentMismatch)),
    OrderForwardedEvent(round: 1, to: 6, orders: [3, 8]),
    OrderMatchedEvent(Trade(buyer: 1, seller: 4, buyOrder: 0, sellOrder: 2, energyWattHours: 200, buyerPriceMicroTokensPerWattHour: 130,
                            sellerPriceMicroTokensPerWattHour: 125, buyerLimitMicroTokensPerWattHour: 150,
                            sellerLimitMicroTokensPerWattHour: 100, auctioneer: 4, round: 1)),
    OrderUnmatchedEvent(order: 5, energyWattHours: 90, side: .buy, heldBy: 7),
    OrderUnmatchedEvent(order: 5, energyWattHours: 90, reason: "insufficient_funds_for_escrow"),
    GameIterationEvent.piece(iteration: 2, priceLow: 100, priceHigh: 150.5, pieceBestPrice: 120.25, bestPrice: 120.25, buyerCostMicroTokens: 5e4),
    GameIterationEvent.final(regime: .stackelberg, price: 120.25, iterations: 4, buyerCostMicroTokens: 5e4),
    ContractCreatedEvent(Contract(id: 7, interval: 2, seller: 4, buyer: 1, energyWattHours: 200, buyerPriceMicroTokensPerWattHour: 130,
                                  sellerPriceMicroTokensPerWattHour: 125)),
    ContractSettledEvent(ContractSettlement(contract: 7, deliveredWattHours: 200, paidToSellerMicroTokens: 25_000,
                                            refundedToBuyerMicroTokens: 0, paidToOperatorMicroTokens: 1_000, cancelled: false)),
    ContractRefundedEvent(ContractSettlement(contract: 8, deliveredWattHours: 0, paidToSellerMicroTokens: 0,
                                             refundedToBuyerMicroTokens: 26_000, paidToOperatorMicroTokens: 0, cancelled: true)),
    MeterReadingEvent(interval: 2, netWattHours: -143),
    TransactionCreatedEvent(tx: 11, bytes: 180, reference: -5),
    TransactionIncludedEvent(tx: 11, block: 3, height: 3, latencyMilliseconds: 4_100),
    TransactionConfirmedEvent(tx: 11, block: 3, height: 3, latencyMilliseconds: 61_000),
    BlockMinedEvent(block: 3, height: 3, parent: 2, transactions: 12, bytes: 2_400),
    BlockReceivedEvent(block: 3, reception: .atNode(afterMilliseconds: 230)),
    BlockReceivedEvent(block: 3, reception: .everywhere(nodes: 200, p50Milliseconds: 180, p90Milliseconds: 320, allMilliseconds: 510)),
    BlockOrphanedEvent(block: 4, height: 3, winner: 3),
    ForkEvent(block: 4, height: 3, competing: 3),
    ReorgEvent(block: 5, nodes: 17, maxDepth: 1, firstMilliseconds: 901_000),
    PowerFlowIterationEvent(step: 1, iteration: 2, maxChangePerUnit: 3.5e-5),
    PowerFlowStepEvent(step: 1, converged: true, iterations: 3, controlIterations: 0, maxChangePerUnit: 2e-9, sourceKilowatts: 41.5,
                       sourceKilovars: 7.25, lossesKilowatts: 0.75, lossesKilovars: 0.5, voltageMinPerUnit: 0.951,
                       voltageMinNode: "h17.1", voltageMaxPerUnit: 1.02, voltageMaxNode: "src.2",
                       violations: [(limit: "ANSI C84.1 Range A", nodes: 1), (limit: "EN 50160", nodes: 0)]),
    LimitViolationEvent(step: 1, lowPerUnit: 0.95, highPerUnit: 1.05,
                        scope: .band(limit: "ANSI C84.1 Range A", nodes: 1, voltageMinPerUnit: 0.949, voltageMinNode: "h17.1",
                                     voltageMaxPerUnit: 1.02, voltageMaxNode: "src.2")),
    LimitViolationEvent(step: 1, lowPerUnit: 0.9, highPerUnit: 1.1, scope: .node(voltagePerUnit: 0.87, standard: "EN 50160")),
    GridInjectionsEvent(step: 1, loadKilowatts: [1.5, 2], loadKilovars: [0.25, 0.5], evKilowatts: [0, 3], evKilovars: [0, 0],
                        pvKilowatts: [0.75, 0]),
    AuditFindingEvent(.participant(.init(participant: 3, declaredIntervals: 40, declaredWattHours: -9_000, meteredWhenDeclaredWattHours: -3_000,
                                         meteredWattHours: 1_200, meanErrorWattHours: -150.5, unmeteredDeclarations: 0, flagged: true,
                                         suspected: ["overstate_supply"], buy: nil, sell: ["mean_wh": 150.5]))),
    AuditFindingEvent(.participant(.init(participant: 4, declaredIntervals: 2, declaredWattHours: 900, meteredWhenDeclaredWattHours: 100,
                                         meteredWattHours: 100, meanErrorWattHours: 400, unmeteredDeclarations: 1, flagged: true,
                                         suspected: [], buy: ["mean_wh": 400.0], sell: nil))),
    AuditFindingEvent(.summary(.init(flagged: [3], participants: 55, ordersRevealed: 4_000, meterReadings: 15_840, note: nil))),
    AuditFindingEvent(.summary(.init(flagged: [], participants: 2, ordersRevealed: 1, meterReadings: 0, note: "no meter readings"))),
]

/// The frozen field list of every kind: changing a payload means changing this list on purpose.
let frozenFields: [(EventKind, [String])] = [
    (.runStarted, []),
    (.intervalStarted, ["interval", "variant"]),
    (.intervalEnded, ["interval", "variant"]),
    (.checkpoint, ["interval", "variant", "state_bytes", "state_sha256"]),
    (.selftest, ["n", "x", "tag"]),
    (.orderCommitted, ["type", "participant", "interval", "commitment", "signature"]),
    (.orderRevealed, ["participant", "interval", "side", "energy_wh", "limit_price"]),
    (.orderRejected, ["participant", "interval", "phase", "reason"]),
    (.orderForwarded, ["round", "to", "orders"]),
    (.orderMatched, ["buyer", "seller", "buy_order", "sell_order", "energy_wh", "buyer_price", "seller_price", "auctioneer", "round"]),
    (.orderUnmatched, ["order", "energy_wh", "side", "held_by", "reason"]),
    (.gameIteration, ["buyer_cost", "iteration", "price_low", "price_high", "piece_best_price", "best_price", "final", "regime", "price",
                      "iterations"]),
    (.contractCreated, ["contract", "interval", "seller", "buyer", "energy_wh", "buyer_price", "seller_price", "escrow"]),
    (.contractSettled, ["contract", "delivered_wh", "to_seller", "refund", "to_operator", "cancelled"]),
    (.contractRefunded, ["contract", "delivered_wh", "to_seller", "refund", "to_operator", "cancelled"]),
    (.meterReading, ["interval", "net_wh"]),
    (.transactionCreated, ["tx", "bytes", "reference"]),
    (.transactionIncluded, ["tx", "block", "height", "latency_ms"]),
    (.transactionConfirmed, ["tx", "block", "height", "latency_ms"]),
    (.blockMined, ["block", "height", "parent", "transactions", "bytes"]),
    (.blockReceived, ["block", "after_ms", "nodes", "p50_ms", "p90_ms", "all_ms"]),
    (.blockOrphaned, ["block", "height", "winner"]),
    (.fork, ["block", "height", "competing"]),
    (.reorg, ["block", "nodes", "max_depth", "first_ms"]),
    (.powerFlowIteration, ["step", "iteration", "max_dv_pu"]),
    (.powerFlowStep, ["step", "converged", "iterations", "control_iterations", "max_dv_pu", "p_source_kw", "q_source_kvar", "p_losses_kw",
                      "q_losses_kvar", "vmin_pu", "vmin_node", "vmax_pu", "vmax_node", "violations EN 50160",
                      "violations ANSI C84.1 Range A"]),
    (.limitViolation, ["step", "low_pu", "high_pu", "limit", "nodes", "vmin_pu", "vmin_node", "vmax_pu", "vmax_node", "v_pu", "standard"]),
    (.gridInjections, ["step", "load_kw", "load_kvar", "ev_kw", "ev_kvar", "pv_kw"]),
    (.auditFinding, ["flagged", "participant", "declared_intervals", "declared_wh", "metered_when_declared_wh", "metered_wh",
                     "mean_error_wh", "unmetered_declarations", "suspected", "buy", "sell", "participants", "orders_revealed",
                     "meter_readings", "note"]),
]

private func roundTrips<P: EventPayload>(_ sample: P) throws -> Bool {
    let text = sample.canonical.text
    let parsed = try parsePayloadJSON(text)
    let back = try P(reading: parsed, seq: 1)
    #expect(back.canonical.text == text)
    #expect(back == sample, "\(back) vs \(sample)")
    return back == sample && back.canonical.text == text
}

@Suite struct PayloadSchemaTests {
    @Test func everyKindHasExactlyOneTypeInKindOrder() {
        #expect(TracePayloads.types.map { $0.kind } == EventKind.allCases)
        #expect(TracePayloads.types.allSatisfy { $0.schema.kind == $0.kind })
    }

    @Test func everySampleRoundTripsAndEveryKindIsSampled() throws {
        for sample in payloadSamples { #expect(try roundTrips(sample), "\(type(of: sample).kind.rawValue): \(sample.canonical.text)") }
        #expect(EventKind.allCases.allSatisfy { kind in payloadSamples.contains { type(of: $0).kind == kind } })
    }

    @Test func samplesWriteOnlyDeclaredFieldsAndEveryRequiredOne() {
        for sample in payloadSamples {
            let schema = type(of: sample).schema
            guard case .object(let members) = sample.canonical else { Issue.record("not an object"); continue }
            let keys = members.keys.sorted()
            #expect(keys.allSatisfy { key in schema.fields.contains { $0.key == key } }, "\(schema.kind.rawValue): \(keys)")
            #expect(schema.fields.filter { !$0.optional }.allSatisfy { members[$0.key] != nil }, "\(schema.kind.rawValue)")
        }
        // Every declared field is written by some sample of its kind.
        for schema in TracePayloads.schemas {
            let written = payloadSamples.filter { type(of: $0).kind == schema.kind }.map { sample -> [String] in
                guard case .object(let members) = sample.canonical else { return [] }
                return members.keys.sorted()
            }.joined()
            #expect(schema.fields.allSatisfy { written.contains($0.key) }, "\(schema.kind.rawValue)")
        }
    }

    @Test func fieldListsAreFrozen() {
        #expect(frozenFields.map(\.0) == EventKind.allCases)
        for (kind, keys) in frozenFields {
            #expect(TracePayloads.type(of: kind.rawValue)?.schema.fields.map(\.key) == keys, "\(kind.rawValue)")
        }
    }

    @Test func columnsCarryTheirUnits() {
        let contract = ContractCreatedEvent.schema.fields
        #expect(contract.map(\.column) == ["contract", "interval", "seller", "buyer", "energy_wh", "buyer_price_utoken_per_wh",
                                           "seller_price_utoken_per_wh", "escrow_utoken"])
        #expect(PowerFlowStepEvent.schema.fields.map(\.column).suffix(2) == ["violations_en_50160", "violations_ansi_c84_1_range_a"])
        #expect(MeterReadingEvent.schema.fields.map(\.column) == ["interval", "net_wh"])
        #expect(BlockMinedEvent.schema.fields.map(\.column) == ["block", "height", "parent", "transactions", "bytes"])
        #expect(GameIterationEvent.schema.fields.first?.column == "buyer_cost_utoken")
        for schema in TracePayloads.schemas {
            let columns = ["seq", "time_ms", "actor"] + schema.fields.map(\.column)
            #expect(Set(columns).count == columns.count, "\(schema.kind.rawValue): duplicate columns \(columns)")
        }
    }

    @Test func committedReferenceMatchesTheTypes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/trace-schema.md"), encoding: .utf8)
        #expect(committed == TraceSchemaDocument.markdown(),
                "docs/trace-schema.md is stale: run `gridtrace trace schema > docs/trace-schema.md`")
    }

    @Test func badFieldsNameSeqKindAndField() {
        func error(_ json: CanonicalJSON) -> String {
            do { _ = try MeterReadingEvent(reading: json, seq: 12); return "accepted" } catch { return error.description }
        }
        #expect(error(["interval": 1]) == #"seq 12 (meter_reading): field "net_wh" is missing"#)
        #expect(error(["interval": 1, "net_wh": 1.5]) == #"seq 12 (meter_reading): field "net_wh" is not an integer: 1.5"#)
        #expect(error(["interval": 1, "net_wh": 2, "kwh": 1]) == #"seq 12 (meter_reading): field "kwh" is not a field of meter_reading"#)
        #expect(error([1, 2]) == #"seq 12 (meter_reading): field "payload" is not a JSON object: [1,2]"#)
        do {
            let payload: CanonicalJSON = ["contract": 1, "interval": 0, "seller": 1, "buyer": 2, "energy_wh": 10, "buyer_price": 5,
                                          "seller_price": 5, "escrow": 49]
            _ = try ContractCreatedEvent(reading: payload, seq: 3)
            Issue.record("accepted a wrong escrow")
        } catch {
            #expect(error.description == #"seq 3 (contract_created): field "escrow" is 49, not energy_wh × buyer_price"#)
        }
    }
}
