// Owns the rows of the paper's Table 2 as the report shows them: which figure of a scenario's
// summary each row reads, its unit and precision, and the value the paper published (no P2P →
// P2P) where the paper gives one.
import CoSim

/// A value the paper published for both scenarios.
public struct PaperReference: Sendable, Equatable {
    public var noP2P: Double
    public var p2p: Double
    /// Decimal places the paper prints.
    public var decimals: Int
}

/// One row of the side-by-side table.
public struct Table2Row: Sendable {
    public var quantity: String
    public var unit: String
    public var decimals: Int
    public var value: @Sendable (VariantSummary) -> Double
    public var paper: PaperReference?
}

public enum PaperTable2 {
    /// The paper's Table 2 (no P2P → P2P): net export 40.06 → 59.12 kWh, reactive energy
    /// 41.07 → 34.85 kvarh, max complex power 148.73 → 149.32 kVA, active losses 3.33 → 3.40 %,
    /// voltage unbalance 8.866 → 8.665 % (the (Vmax−Vmin)/Vavg form reproduces its magnitude).
    public static let netExport = PaperReference(noP2P: 40.06, p2p: 59.12, decimals: 2)
    public static let reactiveEnergy = PaperReference(noP2P: 41.07, p2p: 34.85, decimals: 2)
    public static let maxComplexPower = PaperReference(noP2P: 148.73, p2p: 149.32, decimals: 2)
    public static let losses = PaperReference(noP2P: 3.33, p2p: 3.40, decimals: 2)
    public static let unbalance = PaperReference(noP2P: 8.866, p2p: 8.665, decimals: 3)

    /// The rows in display order: Table 2's quantities, the other two unbalance forms, the
    /// voltage extremes and the traded volume.
    public static let rows: [Table2Row] = [
        // The paper calls the energy that flows back upstream "net export"; it is summed per
        // interval, so it is the export, and net export (export − import) is a row of its own.
        Table2Row(quantity: "Export (reverse flow; the paper's net export)", unit: "kWh", decimals: 2,
                  value: { $0.metrics.energyExportedKilowattHours }, paper: netExport),
        Table2Row(quantity: "Import", unit: "kWh", decimals: 2,
                  value: { $0.metrics.energyImportedKilowattHours }, paper: nil),
        Table2Row(quantity: "Net export (export − import)", unit: "kWh", decimals: 2,
                  value: { -$0.metrics.energyNetKilowattHours }, paper: nil),
        Table2Row(quantity: "Reactive energy", unit: "kvarh", decimals: 2,
                  value: { $0.metrics.reactiveEnergyAbsoluteKilovarHours }, paper: reactiveEnergy),
        Table2Row(quantity: "Max complex power", unit: "kVA", decimals: 2,
                  value: { $0.metrics.maxApparentPowerKilovoltAmperes }, paper: maxComplexPower),
        Table2Row(quantity: "Active losses (of load energy)", unit: "%", decimals: 3,
                  value: { $0.metrics.lossesPercentOfLoadEnergy }, paper: losses),
        Table2Row(quantity: "Voltage unbalance (Vmax−Vmin)/Vavg", unit: "%", decimals: 3,
                  value: { $0.metrics.unbalanceSpread.value }, paper: unbalance),
        Table2Row(quantity: "Voltage unbalance max|V−Vavg|/Vavg (PVUR)", unit: "%", decimals: 3,
                  value: { $0.metrics.unbalanceMaxDeviation.value }, paper: nil),
        Table2Row(quantity: "Voltage unbalance |V2|/|V1| (VUF)", unit: "%", decimals: 3,
                  value: { $0.metrics.unbalanceVUF.value }, paper: nil),
        Table2Row(quantity: "Minimum voltage", unit: "pu", decimals: 4,
                  value: { $0.metrics.voltageMin.value }, paper: nil),
        Table2Row(quantity: "Maximum voltage", unit: "pu", decimals: 4,
                  value: { $0.metrics.voltageMax.value }, paper: nil),
        Table2Row(quantity: "P2P volume", unit: "kWh", decimals: 2,
                  value: { $0.p2pVolumeKilowattHours }, paper: nil),
    ]
}
