// Owns a run's figures computed from its trace alone, for comparing two runs (`gridtrace diff`, the
// what-if of `replay --override --out`): the grid's day totals by the arithmetic summary.json uses
// (`TimeSeriesMetrics` over the recorded power-flow steps), the market's delivered energy and money
// and the homes' energy (the per-home totals of `RunTableScan`, as in homes.csv), and the market's
// and chain's counts (matches, contracts, blocks, forks, reorgs) from the events themselves.
import CoSim
import Kernel
import Market
import PowerFlow
import Trace

/// One figure of a run: its JSON key (unit in the name), how people read it, and its value.
public struct TraceMetric: Sendable, Equatable {
    /// `import_kwh`, `vmin_pu`, `forks`.
    public var key: String
    /// "energy imported", "lowest voltage".
    public var label: String
    /// "kWh", "pu"; empty for a count.
    public var unit: String
    /// Decimals shown to people (0 for counts, which JSON writes as integers).
    public var decimals: Int
    /// Nil when the trace holds nothing to compute it from (no power-flow step for the grid's figures).
    public var value: Double?

    public var isCount: Bool { decimals == 0 && unit.isEmpty }
}

/// Events counted by kind, listed in kind order.
struct KindCounts {
    private var countByKind: [String: Int64] = [:]

    mutating func add(_ kind: String) { countByKind[kind, default: 0] += 1 }

    subscript(kind: EventKind) -> Int64 { countByKind[kind.rawValue] ?? 0 }
    subscript(kind: String) -> Int64 { countByKind[kind] ?? 0 }

    /// Every kind seen, sorted by name.
    var kinds: [String] { countByKind.keys.sorted() }  // determinism: sorted
}

/// Gathers a run's figures one event at a time (events in seq order).
struct TraceMetricsScan {
    private var tables = RunTableScan()
    private(set) var kinds = KindCounts()
    private(set) var events: Int64 = 0
    /// The first payload that did not read as its kind (e.g. a kernel self-test trace's): the
    /// figures read from payloads are then not computed; the counts still are.
    private(set) var unreadable: String?

    mutating func add(_ event: TraceEvent) {
        kinds.add(event.kind)
        events += 1
        guard unreadable == nil else { return }
        do {
            try tables.add(event)
        } catch {
            unreadable = "\(error)"
        }
    }

    /// The figures, in a fixed order (grid, homes, market, chain).
    func metrics() -> [TraceMetric] {
        let grid = unreadable == nil ? gridMetrics() : nil
        let homes = unreadable == nil ? tables.homes : []
        func homeTotal(_ value: (RunTables.Home) -> Double) -> Double? { homes.isEmpty ? nil : homes.reduce(0) { $0 + value($1) } }
        func count(_ kind: EventKind) -> Double { Double(kinds[kind]) }
        func metric(_ key: String, _ label: String, _ unit: String, _ decimals: Int, _ value: Double?) -> TraceMetric {
            TraceMetric(key: key, label: label, unit: unit, decimals: decimals, value: value)
        }
        return [
            metric("events", "events", "", 0, Double(events)),
            metric("import_kwh", "energy imported", "kWh", 3, grid.map(\.energyImportedKilowattHours)),
            metric("export_kwh", "energy exported", "kWh", 3, grid.map(\.energyExportedKilowattHours)),
            metric("max_kva", "peak apparent power", "kVA", 3, grid.map(\.maxApparentPowerKilovoltAmperes)),
            metric("losses_kwh", "losses", "kWh", 3, grid.map(\.lossesKilowattHours)),
            metric("vmin_pu", "lowest voltage", "pu", 4, grid.map { $0.voltageMin.value }),
            metric("vmax_pu", "highest voltage", "pu", 4, grid.map { $0.voltageMax.value }),
            metric("node_steps_outside", "node-steps outside the voltage band", "", 0, grid.map { Double($0.violationNodeSteps.first ?? 0) }),
            metric("steps_not_converged", "steps not converged", "", 0,
                   grid.map { _ in Double(tables.steps.filter { !$0.event.converged }.count) }),
            metric("powerflow_iterations", "power-flow iterations", "", 0,
                   grid.map { _ in Double(tables.steps.reduce(0) { $0 + $1.event.iterations }) }),
            metric("load_kwh", "home load", "kWh", 3, homeTotal(\.loadKilowattHours)),
            metric("pv_kwh", "home PV", "kWh", 3, homeTotal(\.pvKilowattHours)),
            metric("ev_kwh", "home EV charging", "kWh", 3, homeTotal(\.evKilowattHours)),
            metric("traded_kwh", "P2P energy delivered", "kWh", 3, homeTotal { Double($0.boughtWattHours) / 1000 }),
            metric("paid_utoken", "P2P paid by buyers", "µtoken", 0, homeTotal { Double($0.paidMicroTokens) }),
            metric("refunded_utoken", "P2P refunded to buyers", "µtoken", 0, homeTotal { Double($0.refundedMicroTokens) }),
            metric("orders_matched", "orders matched", "", 0, count(.orderMatched)),
            metric("contracts", "contracts created", "", 0, count(.contractCreated)),
            metric("contracts_refunded", "contracts refunded", "", 0, count(.contractRefunded)),
            metric("blocks_mined", "blocks mined", "", 0, count(.blockMined)),
            metric("blocks_orphaned", "blocks orphaned", "", 0, count(.blockOrphaned)),
            metric("forks", "forks", "", 0, count(.fork)),
            metric("reorgs", "reorgs", "", 0, count(.reorg)),
        ]
    }

    /// The grid's day totals over the recorded steps, by `TimeSeriesMetrics` (as summary.json); nil
    /// without steps. The trace records no per-step load or unbalance, so those totals stay unused.
    private func gridMetrics() -> TimeSeriesMetrics? {
        guard !tables.steps.isEmpty else { return nil }
        let steps = tables.steps.map { recorded -> StepRecord in
            let e = recorded.event
            var measurement = StepMeasurement.notMeasured
            measurement.sourceKilowatts = e.sourceKilowatts
            measurement.sourceKilovars = e.sourceKilovars
            measurement.lossesKilowatts = e.lossesKilowatts
            measurement.lossesKilovars = e.lossesKilovars
            measurement.voltageMinPerUnit = e.voltageMinPerUnit
            measurement.voltageMinNode = e.voltageMinNode
            measurement.voltageMaxPerUnit = e.voltageMaxPerUnit
            measurement.voltageMaxNode = e.voltageMaxNode
            // The scenario's band first, as the run measures it (its count is the band's node-steps).
            measurement.violations = e.violations.map { Int(clamping: $0.nodes) }
            let outcome = SolveOutcome(converged: e.converged, iterations: e.iterations, controlIterations: e.controlIterations,
                                       lastMaxChangePerUnit: e.maxChangePerUnit)
            return StepRecord(step: e.step, hour: Double(recorded.timeMilliseconds) / 3_600_000, outcome: outcome, measurement: measurement)
        }
        return TimeSeriesMetrics(steps: steps, stepSeconds: Double(marketIntervalMinutes * 60),
                                 limitCount: steps.map(\.measurement.violations.count).max() ?? 0)
    }
}

public enum TraceMetrics {
    /// The figures of the trace at `path` (every stored event; call `TraceReader.verify` first to
    /// know whether to trust them). A payload that does not read as its kind is an error naming
    /// seq, kind and field.
    public static func of(path: String) throws -> [TraceMetric] {
        var scan = TraceMetricsScan()
        try TraceReader(path: path).forEachEvent { event in
            scan.add(event)
            return scan.unreadable == nil
        }
        if let unreadable = scan.unreadable { throw CoSimError.trace("\(path): \(unreadable)") }
        return scan.metrics()
    }
}
