// Owns OpenDSS monitors in time series: sampling a delivery element's terminal every step in
// mode 0 (voltages and currents, magnitude and angle), 1 (P and Q per conductor, or S and angle
// with ppolar) and 2 (transformer tap), and writing them in OpenDSS's monitor export layout.
import ComplexModule
import Feeder
import Foundation
import Kernel

/// The samples of one monitor over a time series.
public struct MonitorSeries: Sendable {
    public var name: String
    public var channels: [String]
    /// One row per step: simulated seconds since the start, then the channel values.
    public var rows: [(seconds: Double, values: [Double])]
}

struct MonitorProbe {
    var index: Int
    var deliveryIndex: Int
    var conductors: Range<Int>
    var mode: Int
    var polar: Bool
    var transformer: Int?
    var winding: Int
}

extension PowerFlowSolver {
    /// Probes for the script's monitors on lines and transformers with modes 0, 1 and 2.
    func monitorProbes() -> [MonitorProbe] {
        var probes: [MonitorProbe] = []
        for (m, monitor) in network.model.monitors.enumerated() where [0, 1, 2].contains(monitor.mode) {
            guard let d = network.delivery.firstIndex(where: { $0.name.lowercased() == monitor.element }) else { continue }
            let e = network.delivery[d]
            let k = e.conductorsPerTerminal
            let terminal = max(1, monitor.terminal) - 1
            guard (terminal + 1) * k <= e.conductorNodes.count else { continue }
            probes.append(MonitorProbe(index: m, deliveryIndex: d, conductors: (terminal * k)..<((terminal + 1) * k),
                                       mode: monitor.mode, polar: monitor.polar,
                                       transformer: e.kind == .transformer ? e.modelIndex : nil, winding: terminal))
        }
        return probes
    }

    static func channels(_ p: MonitorProbe) -> [String] {
        let n = p.conductors.count
        switch p.mode {
        case 0: return (1...n).flatMap { ["V\($0)", "VAngle\($0)"] } + (1...n).flatMap { ["I\($0)", "IAngle\($0)"] }
        case 1: return p.polar ? (1...n).flatMap { ["\"S\($0) (kVA)\"", "\"Ang\($0)\""] }
                               : (1...n).flatMap { ["\"P\($0) (kW)\"", "\"Q\($0) (kvar)\""] }
        default: return ["\"Tap (pu)\""]
        }
    }

    func sample(_ p: MonitorProbe) -> [Double] {
        materializeVoltages()
        let e = network.delivery[p.deliveryIndex]
        let v = e.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
        let currents = p.conductors.map { i in v.indices.reduce(CDouble.zero) { $0 + e.yPrim[i, $1] * v[$1] } }
        let volts = p.conductors.map { v[$0] }
        let degrees = OpenDSSExports.angleDegrees
        switch p.mode {
        case 0:
            return volts.flatMap { [$0.length, degrees($0)] } + currents.flatMap { [$0.length, degrees($0)] }
        case 1:
            return zip(volts, currents).flatMap { pair -> [Double] in
                let s = pair.0 * pair.1.conjugate / 1000
                return p.polar ? [s.length, degrees(s)] : [s.real, s.imaginary]
            }
        default:
            return [p.transformer.map { taps[$0][min(p.winding, taps[$0].count - 1)] } ?? 1]
        }
    }
}

extension OpenDSSExports {
    /// `hour,t(sec),channels...` with OpenDSS's split of time into whole hours and seconds.
    public static func monitorCSV(_ series: MonitorSeries) -> String {
        var out = "hour,t(sec)," + series.channels.joined(separator: ",") + "\n"
        for row in series.rows {
            let hour = (row.seconds / 3600).rounded(.down)
            let seconds = row.seconds - hour * 3600
            out += "\(Int(hour)), " + format("%.5f", seconds)
            for x in row.values { out += ", " + format("%.6g", x == 0 ? 0 : x) }
            out += "\n"
        }
        return out
    }
}
