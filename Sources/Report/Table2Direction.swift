// Owns the comparison of each Table 2 change (no P2P → P2P) with the direction the paper
// published, and, where the directions differ, the reason read from the run's own trace: where EV
// charging moved, when the complex-power peak happened and what the homes consumed while the feeder
// exported. The reason is built from the recorded numbers, never from a fixed text.
import CoSim

/// Which way a quantity moved from no P2P to P2P.
public enum ChangeDirection: String, Sendable, Equatable {
    case up
    case down
    case unchanged

    /// From a change, treating anything that rounds to zero at `decimals` places as unchanged.
    init(change: Double, decimals: Int) {
        var half = 0.5
        for _ in 0..<max(0, decimals) { half /= 10 }
        self = abs(change) < half ? .unchanged : (change > 0 ? .up : .down)
    }

    var arrow: String {
        switch self {
        case .up: return "↑"
        case .down: return "↓"
        case .unchanged: return "="
        }
    }
}

/// One Table 2 row's direction against the paper's.
public struct Table2Comparison: Sendable, Equatable {
    public var quantity: String
    public var run: ChangeDirection
    public var paper: ChangeDirection
    /// Why the run moved the other way, from the trace; nil when the directions agree.
    public var reason: String?

    public var agrees: Bool { run == paper }

    /// The Direction cell: "same ↑" or "differs: run ↓, paper ↑".
    public var label: String {
        agrees ? "same \(run.arrow)" : "differs: run \(run.arrow), paper \(paper.arrow)"
    }
}

extension PaperTable2 {
    /// The comparison of every row that has a paper value, for a summary holding both scenarios
    /// (empty otherwise).
    public static func comparisons(_ summary: RunSummary) -> [Table2Comparison] {
        guard let base = summary.variants.first(where: { $0.variant == .noP2P }),
              let traded = summary.variants.first(where: { $0.variant == .p2p }) else { return [] }
        let minutes = summary.scenario.intervalMinutes
        return rows.compactMap { row in
            guard let paper = row.paper else { return nil }
            let run = ChangeDirection(change: row.value(traded) - row.value(base), decimals: row.decimals)
            let published = ChangeDirection(change: paper.p2p - paper.noP2P, decimals: paper.decimals)
            let reason = run == published ? nil : Table2Reasons.reason(row: row, noP2P: base, p2p: traded, intervalMinutes: minutes)
            return Table2Comparison(quantity: row.quantity, run: run, paper: published, reason: reason)
        }
    }
}

/// The sentences that explain a direction from the trace.
enum Table2Reasons {
    static func reason(row: Table2Row, noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> String {
        var sentences: [String] = []
        switch row.paper {
        case PaperTable2.maxComplexPower?, PaperTable2.losses?:
            if let peak = peaks(noP2P: noP2P, p2p: p2p, intervalMinutes: intervalMinutes) { sentences.append(peak) }
        case PaperTable2.netExport?, PaperTable2.reactiveEnergy?:
            sentences.append(exportHours(noP2P: noP2P, p2p: p2p, intervalMinutes: intervalMinutes))
        default:
            break
        }
        sentences.append(evShift(noP2P: noP2P, p2p: p2p, intervalMinutes: intervalMinutes))
        return sentences.joined(separator: "; ") + "."
    }

    /// "EV energy moved out of the evening: 120.4 kWh 17–21 h → 40.2 kWh; after 21 h 10.0 → 90.1 kWh".
    static func evShift(noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> String {
        guard ReportSeries.recordsEV(noP2P), ReportSeries.recordsEV(p2p) else {
            return "the run recorded no per-home EV powers to explain it"
        }
        func energy(_ variant: VariantSummary, _ from: Int, _ to: Int) -> Double {
            ReportSeries.evEnergy(variant, intervalMinutes: intervalMinutes, fromHour: from, toHour: to)
        }
        let eveningBefore = energy(noP2P, 17, 21), eveningAfter = energy(p2p, 17, 21)
        let lateBefore = energy(noP2P, 21, 24), lateAfter = energy(p2p, 21, 24)
        let verb = eveningAfter < eveningBefore ? "moved out of" : "moved into"
        return "EV energy \(verb) the evening: \(kWh(eveningBefore)) 17–21 h without P2P → \(kWh(eveningAfter)) with P2P; "
            + "after 21 h \(kWh(lateBefore)) → \(kWh(lateAfter))"
    }

    /// When each scenario's complex-power peak happened and what the EVs drew then.
    static func peaks(noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> String? {
        guard let before = ReportSeries.complexPowerPeak(noP2P, intervalMinutes: intervalMinutes),
              let after = ReportSeries.complexPowerPeak(p2p, intervalMinutes: intervalMinutes) else { return nil }
        func describe(_ peak: ComplexPowerPeak) -> String {
            var text = "\(HTMLText.fixed(peak.kilovoltAmperes, decimals: 1)) kVA at \(HTMLReport.clockTime(hours: peak.hour))"
            if peak.evKilowatts.isFinite { text += " with \(HTMLText.fixed(peak.evKilowatts, decimals: 1)) kW of EV charging" }
            return text
        }
        return "the substation peak is \(describe(before)) without P2P and \(describe(after)) with P2P"
    }

    /// What the homes consumed while the feeder exported, in both scenarios.
    static func exportHours(noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> String {
        let before = ReportSeries.consumptionWhileExporting(noP2P, intervalMinutes: intervalMinutes)
        let after = ReportSeries.consumptionWhileExporting(p2p, intervalMinutes: intervalMinutes)
        return "while the feeder exported, the homes consumed \(kWh(before)) without P2P and \(kWh(after)) with P2P"
    }

    static func kWh(_ value: Double) -> String { HTMLText.fixed(value, decimals: 1) + " kWh" }
}
