// Owns how a replay result is shown: readable text for people, canonical JSON for tools.
import Kernel

public enum ReplayReport {
    public static func text(_ result: ReplayResult) -> String {
        var lines = result.notes.map { "note: " + $0 }
        switch result.outcome {
        case .identical(let events): lines.append("identical: all \(events) recorded events reproduced")
        case .identicalPrefix(let events): lines.append("identical prefix: the \(events) recorded events reproduced (trace incomplete)")
        case .diverged(let d):
            let at = d.recorded ?? d.replayed
            lines.append("diverged at seq \(d.seq)" + (at.map { " (\(HumanFormat.clock(milliseconds: $0.timeMilliseconds)), \($0.kind))" } ?? "")
                         + ": " + d.fields.joined(separator: ", ") + " differ")
            lines.append("  recorded: " + (d.recorded?.description ?? "(trace ends here)"))
            lines.append("  replayed: " + (d.replayed?.description ?? "(replay ends here)"))
            if !d.before.isEmpty {
                lines.append("  before (identical):")
                lines += d.before.map { "    " + $0.description }
            }
        case .stopped(let state):
            lines += stoppedLines(state)
        }
        return lines.joined(separator: "\n")
    }

    /// The run's state where `--until` stopped: the order book (prices in token/kWh), open
    /// contracts, the chain, the grid and every home's voltage, each list titled with its length.
    static func stoppedLines(_ state: ReplayState) -> [String] {
        let shown = 20
        var lines = ["stopped after " + (state.stoppedAfter?.description ?? "the start") + " (interval \(state.interval))"]
        lines.append("  order book (\(HumanFormat.listTitle(shown: min(shown, state.orderBook.count), total: state.orderBook.count, "revealed orders")) this interval):")
        lines += state.orderBook.prefix(shown).map {
            "    \(HumanFormat.participant($0.participant)) \($0.side) \(HumanFormat.quantity($0.energyWattHours, "Wh")) "
                + "limit \(HumanFormat.price(microTokensPerWattHour: $0.limitPrice))"
        }
        lines.append("  open contracts (\(HumanFormat.listTitle(shown: min(shown, state.openContracts.count), total: state.openContracts.count, "contracts"))):")
        lines += state.openContracts.prefix(shown).map {
            "    contract:\($0.contract) seller \(HumanFormat.participant($0.seller)) → buyer \(HumanFormat.participant($0.buyer)) "
                + HumanFormat.quantity($0.energyWattHours, "Wh")
        }
        if let height = state.chainBestHeight {
            lines.append("  chain: best height \(height), \(state.chainBlocksMined ?? 0) blocks mined, \(state.chainOrphans ?? 0) orphaned")
        }
        if let p = state.sourceKilowatts, let q = state.sourceKilovars {
            lines.append("  grid: source \(HumanFormat.quantity(p, "kW")), \(HumanFormat.quantity(q, "kvar"))")
        }
        if !state.homeVoltagesPerUnit.isEmpty {
            lines.append("  home voltages (pu): " + state.homeVoltagesPerUnit.enumerated().map {
                "\(HumanFormat.participant($0.offset))=\(HumanFormat.number($0.element, decimals: 4))"
            }.joined(separator: " "))
        }
        return lines
    }

    public static func json(_ result: ReplayResult) -> CanonicalJSON {
        var object: [String: CanonicalJSON] = ["notes": .array(result.notes.map { .string($0) })]
        func event(_ e: ComparedEvent?) -> CanonicalJSON {
            guard let e else { return .null }
            return ["seq": .int(e.seq), "time_ms": .int(e.timeMilliseconds), "kind": .string(e.kind), "actor": .string(e.actor),
                    "payload": (try? parsePayloadJSON(e.payload)) ?? .string(e.payload)]
        }
        switch result.outcome {
        case .identical(let events): object["status"] = "identical"; object["events"] = .int(events)
        case .identicalPrefix(let events): object["status"] = "identical_prefix"; object["events"] = .int(events)
        case .diverged(let d):
            object["status"] = "diverged"
            object["seq"] = .int(d.seq)
            object["fields"] = .array(d.fields.map { .string($0) })
            object["recorded"] = event(d.recorded)
            object["replayed"] = event(d.replayed)
            object["before"] = .array(d.before.map { event($0) })
        case .stopped(let state):
            object["status"] = "stopped"
            object["stopped_after"] = event(state.stoppedAfter)
            object["interval"] = .int(Int64(state.interval))
            object["order_book"] = .int(Int64(state.orderBook.count))
            object["orders"] = .array(state.orderBook.map {
                ["participant": .string(HumanFormat.participant($0.participant)), "side": .string($0.side),
                 "energy_wh": .int($0.energyWattHours), "limit_price_utoken_per_wh": .int($0.limitPrice)]
            })
            object["open_contracts"] = .array(state.openContracts.map { .int(Int64($0.contract)) })
            object["chain_best_height"] = state.chainBestHeight.map { .int(Int64($0)) } ?? .null
            object["home_voltages_pu"] = .array(state.homeVoltagesPerUnit.map { .double($0) })
        }
        return .object(object)
    }

    static func format(_ value: Double, _ decimals: Int = 2) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return String((value * scale).rounded() / scale)
    }
}
