// Owns Export SeqVoltages in OpenDSS's layout: per bus, the symmetrical components of nodes 1-3,
// their ratios, the residual (sum of all node voltages) and the NEMA unbalance of the line voltages.
import ComplexModule
import Foundation

/// The sequence quantities of one bus, in volts and percent, as OpenDSS's ExportSeqVoltages computes them.
struct BusSequenceVoltages {
    var positiveVolts = 0.0, negativeVolts = 0.0, zeroVolts = 0.0
    var residualVolts = 0.0
    var nemaUnbalancePercent = 0.0

    /// `nodes` are the bus's (node number, voltage) pairs in the bus's own node order; the phases
    /// are nodes 1, 2 and 3 (an absent one reads as zero). A bus with fewer than three nodes has no
    /// sequence components (OpenDSS leaves them zero outside positive-sequence models, which
    /// gridtrace does not have); its residual is still printed.
    init(nodes: [(number: Int, volts: CDouble)]) {
        residualVolts = nodes.reduce(CDouble.zero) { $0 + $1.volts }.length
        guard nodes.count >= 3 else { return }
        func phase(_ number: Int) -> CDouble { nodes.first { $0.number == number }?.volts ?? .zero }
        let va = phase(1), vb = phase(2), vc = phase(3)
        let a = CDouble(-0.5, Primitives.sqrt3 / 2), a2 = CDouble(-0.5, -Primitives.sqrt3 / 2)
        zeroVolts = ((va + vb + vc) / 3).length
        positiveVolts = ((va + a * vb + a2 * vc) / 3).length
        negativeVolts = ((va + a2 * vb + a * vc) / 3).length
        nemaUnbalancePercent = Self.nemaUnbalancePercent([va - vb, vb - vc, vc - va])
    }

    /// NEMA unbalance: the largest deviation of a magnitude from the mean, in percent of the mean.
    static func nemaUnbalancePercent(_ phasors: [CDouble]) -> Double {
        let magnitudes = phasors.map(\.length)
        let mean = magnitudes.reduce(0, +) / Double(magnitudes.count)
        guard mean != 0 else { return 0 }
        return magnitudes.map { abs($0 - mean) }.reduce(0, max) / mean * 100
    }
}

extension OpenDSSExports {
    /// `Bus, V1, p.u., Base kV, V2, %V2/V1, V0, %V0/V1, Vresidual, %NEMA` (Export SeqVoltages), buses in OpenDSS order.
    public static func seqVoltagesCSV(_ solver: PowerFlowSolver) -> String {
        let v = solver.voltages
        var out = "Bus,  V1,  p.u.,Base kV, V2, %V2/V1, V0, %V0/V1, Vresidual, %NEMA\n"
        for bus in solver.network.buses {
            let s = BusSequenceVoltages(nodes: bus.nodeIndices.indices.map { (bus.nodeNumbers[$0], v[bus.nodeIndices[$0]]) })
            let baseLineToNeutralKilovolts = bus.baseKilovoltsLineToNeutral
            let perUnit = baseLineToNeutralKilovolts != 0 ? 0.001 * s.positiveVolts / baseLineToNeutralKilovolts : 0
            let v2Percent = s.positiveVolts > 0 ? 100 * s.negativeVolts / s.positiveVolts : 0
            let v0Percent = s.positiveVolts > 0 ? 100 * s.zeroVolts / s.positiveVolts : 0
            let cells = [
                PascalFormat.general(s.positiveVolts, width: 10, precision: 6),
                PascalFormat.general(perUnit, width: 9, precision: 5),
                PascalFormat.fixed(baseLineToNeutralKilovolts * Primitives.sqrt3, width: 8, decimals: 2),
                PascalFormat.general(s.negativeVolts, width: 10, precision: 6),
                PascalFormat.general(v2Percent, width: 8, precision: 4),
                PascalFormat.general(s.zeroVolts, width: 10, precision: 6),
                PascalFormat.general(v0Percent, width: 8, precision: 4),
                PascalFormat.general(s.residualVolts, width: 10, precision: 6),
                PascalFormat.general(s.nemaUnbalancePercent, width: 8, precision: 4),
            ]
            out += "\"\(bus.name.uppercased())\", " + cells.joined(separator: ", ") + "\n"
        }
        return out
    }
}
