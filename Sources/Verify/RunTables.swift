// Owns the flat result tables `gridtrace run` writes beside summary.json, computed from the sealed
// traces with the typed payloads (so they say exactly what the traces say): `steps.csv`, the grid
// result of every interval, and `homes.csv`, every home's day (P2P energy and money, meters, PV, EV).
import Foundation
import Kernel
import Market
import PowerFlow
import Trace

public enum RunTables {
    /// Column names of `steps.csv` (units in the names).
    public static let stepsHeader = ["variant", "step", "time_ms", "converged", "iterations", "p_source_kw", "q_source_kvar",
                                     "p_losses_kw", "q_losses_kvar", "vmin_pu", "vmin_node", "vmax_pu", "vmax_node"]
    /// Column names of `homes.csv`.
    public static let homesHeader = ["variant", "home", "bought_wh", "sold_wh", "paid_utoken", "received_utoken", "refunded_utoken",
                                     "metered_import_wh", "metered_export_wh", "load_kwh", "pv_kwh", "ev_kwh"]

    /// One home's day.
    public struct Home: Sendable, Equatable {
        public var boughtWattHours: Int64 = 0
        public var soldWattHours: Int64 = 0
        /// Paid by the buyer for delivered energy (to the seller and the operator), µtoken.
        public var paidMicroTokens: Int64 = 0
        public var receivedMicroTokens: Int64 = 0
        public var refundedMicroTokens: Int64 = 0
        public var meteredImportWattHours: Int64 = 0
        public var meteredExportWattHours: Int64 = 0
        public var loadKilowattHours = 0.0
        public var pvKilowattHours = 0.0
        public var evKilowattHours = 0.0
    }

    /// Both tables of the traces at `tracePaths` (variant name, path), as CSV text.
    public static func tables(_ tracePaths: [(variant: String, path: String)]) throws -> (steps: String, homes: String) {
        var steps = [stepsHeader.joined(separator: ",")]
        var homes = [homesHeader.joined(separator: ",")]
        // The traces are independent files: read them side by side (results kept in their order).
        let scans = try deterministicJobMap(tracePaths.map(\.path)) { path in Result { try scan(path) } }.map { try $0.get() }
        for ((variant, _), scan) in zip(tracePaths, scans) {
            steps += scan.steps.map { step in
                [variant, String(step.event.step), String(step.timeMilliseconds), String(step.event.converged), String(step.event.iterations),
                 number(step.event.sourceKilowatts), number(step.event.sourceKilovars), number(step.event.lossesKilowatts),
                 number(step.event.lossesKilovars), number(step.event.voltageMinPerUnit), FlatExport.csvCell(step.event.voltageMinNode),
                 number(step.event.voltageMaxPerUnit), FlatExport.csvCell(step.event.voltageMaxNode)].joined(separator: ",")
            }
            homes += scan.homes.enumerated().map { index, h in
                [variant, String(index), String(h.boughtWattHours), String(h.soldWattHours), String(h.paidMicroTokens),
                 String(h.receivedMicroTokens), String(h.refundedMicroTokens), String(h.meteredImportWattHours),
                 String(h.meteredExportWattHours), number(h.loadKilowattHours), number(h.pvKilowattHours),
                 number(h.evKilowattHours)].joined(separator: ",")
            }
        }
        return (steps.joined(separator: "\n") + "\n", homes.joined(separator: "\n") + "\n")
    }

    /// Writes `steps.csv` and `homes.csv` into `directory`; returns their paths.
    public static func write(_ tracePaths: [(variant: String, path: String)], directory: String) throws -> [String] {
        let (steps, homes) = try tables(tracePaths)
        let paths = ["steps.csv", "homes.csv"].map { (directory as NSString).appendingPathComponent($0) }
        try Data(steps.utf8).write(to: URL(fileURLWithPath: paths[0]), options: .atomic)
        try Data(homes.utf8).write(to: URL(fileURLWithPath: paths[1]), options: .atomic)
        return paths
    }

    static func number(_ value: Double) -> String { FlatExport.cell(.double(value)) }

    /// One pass over a trace: its steps, and every home's totals.
    static func scan(_ path: String) throws -> (steps: [(event: PowerFlowStepEvent, timeMilliseconds: Int64)], homes: [Home]) {
        var scan = RunTableScan()
        try TraceReader(path: path).forEachEvent(ofKinds: RunTableScan.kinds.map(\.rawValue)) { event in
            try scan.add(event)
            return true
        }
        return (scan.steps, scan.homes)
    }
}

/// What the run tables (and the run metrics of `TraceMetrics`) gather from a trace, one event at a
/// time: every power-flow step, and every home's P2P energy and money, meters, load, PV and EV.
struct RunTableScan {
    private(set) var steps: [(event: PowerFlowStepEvent, timeMilliseconds: Int64)] = []
    private(set) var homes: [RunTables.Home] = []
    private var parties: [(contract: Int, seller: Int, buyer: Int)] = []
    private let hours = Double(marketIntervalMinutes) / 60
    /// The kinds `add` reads (a reader may skip every other kind).
    static let kinds: [EventKind] = [.powerFlowStep, .gridInjections, .meterReading, .contractCreated, .contractSettled, .contractRefunded]

    /// Adds one event (in seq order); a payload that does not read as its kind is an error naming seq, kind and field.
    mutating func add(_ event: TraceEvent) throws {
        switch EventKind(rawValue: event.kind) {
        case .powerFlowStep: steps.append((try event.payload(as: PowerFlowStepEvent.self), event.timeMilliseconds))
        case .gridInjections:
            let p = try event.payload(as: GridInjectionsEvent.self)
            grow(p.loadKilowatts.count)
            for home in p.loadKilowatts.indices {
                homes[home].loadKilowattHours += p.loadKilowatts[home] * hours
                homes[home].pvKilowattHours += p.pvKilowatts[home] * hours
                homes[home].evKilowattHours += p.evKilowatts[home] * hours
            }
        case .meterReading:
            let reading = try event.payload(as: MeterReadingEvent.self)
            guard event.actor.hasPrefix("home:"), let home = Int(event.actor.dropFirst(5)), home >= 0, home < 1_000_000 else {
                throw PayloadError(seq: event.seq, kind: event.kind, field: "actor", why: "must be home:<index>, got \(event.actor)")
            }
            grow(home + 1)
            if reading.netWattHours > 0 { homes[home].meteredImportWattHours += reading.netWattHours }
            else { homes[home].meteredExportWattHours -= reading.netWattHours }
        case .contractCreated:
            let contract = try event.payload(as: ContractCreatedEvent.self).contract
            grow(max(contract.seller, contract.buyer) + 1)
            parties.append((contract.id, contract.seller, contract.buyer))
        case .contractSettled: try settle(try event.payload(as: ContractSettledEvent.self).settlement, event)
        case .contractRefunded: try settle(try event.payload(as: ContractRefundedEvent.self).settlement, event)
        default: break
        }
    }

    private mutating func grow(_ count: Int) {
        if homes.count < count { homes += Array(repeating: RunTables.Home(), count: count - homes.count) }
    }

    private mutating func settle(_ s: ContractSettlement, _ event: TraceEvent) throws {
        guard let party = parties.last(where: { $0.contract == s.contract }) else {
            throw PayloadError(seq: event.seq, kind: event.kind, field: "contract", why: "\(s.contract) was never created")
        }
        homes[party.buyer].boughtWattHours += s.deliveredWattHours
        homes[party.seller].soldWattHours += s.deliveredWattHours
        homes[party.buyer].paidMicroTokens += s.paidToSellerMicroTokens + s.paidToOperatorMicroTokens
        homes[party.buyer].refundedMicroTokens += s.refundedToBuyerMicroTokens
        homes[party.seller].receivedMicroTokens += s.paidToSellerMicroTokens
    }
}
