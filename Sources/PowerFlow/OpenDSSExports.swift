// Owns exports in OpenDSS's own CSV layouts (Export Voltages / Currents / Powers / Losses /
// Summary, and monitor exports of modes 0, 1 and 2), so results open in the tools users already
// have. Numbers are printed with OpenDSS's field formats (about 5–6 significant digits); the
// full-precision files are in ResultExports.
import ComplexModule
import Feeder
import Foundation
import Kernel

/// One element's terminal currents (amperes into the element) per terminal and conductor.
struct ElementCurrents {
    var name: String
    var isDelivery: Bool
    var terminals: [[CDouble]]
    var voltages: [[CDouble]]
    /// Power into a transformer's no-load branch (W, var); zero for other elements.
    var noLoadPower = CDouble.zero
}

public enum OpenDSSExports {
    /// `Format(spec, [value])` as OpenDSS's Free Pascal runtime prints it, for specs `%[W][.P]g`
    /// and `%[W][.D]f` (see PascalFormat for where that differs from printf).
    static func format(_ spec: String, _ value: Double) -> String {
        let body = spec.dropFirst().dropLast()
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let width = parts.first.flatMap { Int($0) } ?? 0
        let digits = parts.count > 1 ? Int(parts[1]) : nil
        if spec.hasSuffix("g") { return PascalFormat.general(value, width: width, precision: digits ?? 15) }
        return PascalFormat.fixed(value, width: width, decimals: digits ?? 6)
    }

    static func displayName(_ name: String) -> String {
        guard let dot = name.firstIndex(of: ".") else { return name }
        return String(name[...dot]) + name[name.index(after: dot)...].uppercased()
    }

    static func angleDegrees(_ z: CDouble) -> Double { arcTangent2(z.imaginary, z.real) * 180 / Double.pi }

    /// Terminal currents and voltages of every element: sources, delivery, then conversion elements.
    static func elementCurrents(_ solver: PowerFlowSolver) -> [ElementCurrents] {
        let v = solver.voltages
        let network = solver.network
        var result: [ElementCurrents] = []
        var sources: [ElementCurrents] = []
        for e in network.delivery {
            let vt = e.conductorNodes.map { $0 >= 0 ? v[$0] : CDouble.zero }
            var currents = (0..<vt.count).map { i in (0..<vt.count).reduce(CDouble.zero) { $0 + e.yPrim[i, $1] * vt[$1] } }
            if e.kind == .vsource {
                // The Norton source current leaves terminal 1's conductors.
                let source = Primitives.sourcePhaseVoltages(network.model.vsources[e.modelIndex])
                for i in 0..<e.conductorsPerTerminal {
                    var injected = CDouble.zero
                    for j in 0..<e.conductorsPerTerminal { injected = injected + e.yPrim[i, j] * source[j] }
                    currents[i] = currents[i] - injected
                    currents[e.conductorsPerTerminal + i] = currents[e.conductorsPerTerminal + i] + injected
                }
            }
            let k = e.conductorsPerTerminal
            let terminals = stride(from: 0, to: currents.count, by: k).map { Array(currents[$0..<min($0 + k, currents.count)]) }
            let volts = stride(from: 0, to: vt.count, by: k).map { Array(vt[$0..<min($0 + k, vt.count)]) }
            var item = ElementCurrents(name: e.name, isDelivery: e.kind != .vsource, terminals: terminals, voltages: volts)
            if let shunt = e.yPrimNoLoad {
                // OpenDSS: the sum over terminals of V · conj(Yprim_Shunt · V).
                for i in 0..<vt.count {
                    let current = (0..<vt.count).reduce(CDouble.zero) { $0 + shunt[i, $1] * vt[$1] }
                    item.noLoadPower = item.noLoadPower + vt[i] * current.conjugate
                }
            }
            if e.kind == .vsource { sources.append(item) } else { result.append(item) }
        }
        var conversion: [ElementCurrents] = []
        for (k, e) in network.conversion.enumerated() {
            let vt = e.conductorNodes.map { $0 >= 0 ? v[$0] : CDouble.zero }
            var currents = [CDouble](repeating: .zero, count: vt.count)
            for (b, branch) in e.branches.enumerated() {
                let vb = (branch.a >= 0 ? v[branch.a] : .zero) - (branch.b >= 0 ? v[branch.b] : .zero)
                let i = solver.branchCurrent(e, solver.states[k], vb)
                let (ca, cb) = e.branchConductors[b]
                currents[ca] = currents[ca] + i
                currents[cb] = currents[cb] - i
            }
            conversion.append(ElementCurrents(name: e.name, isDelivery: false, terminals: [currents], voltages: [vt]))
        }
        return sources + result + conversion
    }

    /// `Bus, BasekV, Node1, Magnitude1, Angle1, pu1, ...` (Export Voltages).
    public static func voltagesCSV(_ solver: PowerFlowSolver) -> String {
        let network = solver.network
        let v = solver.voltages
        let width = network.buses.map(\.nodeNumbers.count).max() ?? 0
        var out = "Bus, BasekV"
        for k in 1...max(1, width) { out += ", Node\(k), Magnitude\(k), Angle\(k), pu\(k)" }
        out += "\n"
        for bus in network.buses {
            let baseLL = bus.baseKilovoltsLineToNeutral * Primitives.sqrt3
            out += "\"\(bus.name.uppercased())\", " + format("%.5g", baseLL)
            // OpenDSS prints a bus's nodes in node-number order.
            for k in bus.nodeIndices.indices.sorted(by: { bus.nodeNumbers[$0] < bus.nodeNumbers[$1] }) {
                let node = bus.nodeIndices[k]
                let magnitude = v[node].length
                let pu = bus.baseKilovoltsLineToNeutral > 0 ? magnitude / (bus.baseKilovoltsLineToNeutral * 1000) : 0
                out += ", \(bus.nodeNumbers[k]), " + format("%10.6g", magnitude) + ", " + format("%6.1f", angleDegrees(v[node]))
                    + ", " + format("%9.5g", pu)
            }
            for _ in bus.nodeIndices.count..<width { out += ", 0, 0, 0, 0" }
            out += "\n"
        }
        return out
    }

    /// `Element, I1_1, Ang1_1, ..., Iresid1, AngResid1, I2_1, ...` (Export Currents).
    public static func currentsCSV(_ solver: PowerFlowSolver) -> String {
        let elements = elementCurrents(solver)
        let terminals = elements.map(\.terminals.count).max() ?? 1
        let conductors = elements.flatMap { $0.terminals.map(\.count) }.max() ?? 1
        var out = "Element"
        for t in 1...terminals {
            for c in 1...conductors { out += ", I\(t)_\(c), Ang\(t)_\(c)" }
            out += ", Iresid\(t), AngResid\(t)"
        }
        out += "\n"
        for e in elements {
            out += displayName(e.name)
            for t in 0..<terminals {
                let currents = t < e.terminals.count ? e.terminals[t] : []
                var residual = CDouble.zero
                for c in 0..<conductors {
                    let i = c < currents.count ? currents[c] : .zero
                    residual = residual + i
                    out += ", " + format("%10.6g", i.length) + ", " + format("%8.2f", i.length > 0 ? angleDegrees(i) : 0)
                }
                out += ", " + format("%10.6g", residual.length) + ", " + format("%8.2f", residual.length > 0 ? angleDegrees(residual) : 0)
            }
            out += "\n"
        }
        return out
    }

    /// `Element, Terminal, P(kW), Q(kvar), P_Normal, ...` (Export Powers): one row per terminal,
    /// delivery elements in creation order, then conversion elements (loads, generators, PV);
    /// the source is not listed. P and Q flow into the element at that terminal (all its conductors),
    /// so a load reads positive and the sending end of a line positive, its receiving end negative.
    public static func powersCSV(_ solver: PowerFlowSolver) -> String {
        var out = "Element, Terminal, P(kW), Q(kvar),  P_Normal, Q_Normal, P_Emergency, Q_Emergency\n"
        for e in elementCurrents(solver) where !e.name.hasPrefix("Vsource.") {
            for t in e.terminals.indices {
                let kilovoltAmperes = terminalPower(e, t) / 1000
                let name = "\"" + displayName(e.name) + "\""
                out += name.padding(toLength: max(24, name.count), withPad: " ", startingAt: 0) + ", " + String(format: "%3d", t + 1)
                out += ", " + PascalFormat.writeFixed(kilovoltAmperes.real, width: 11, decimals: 1)
                out += ", " + PascalFormat.writeFixed(kilovoltAmperes.imaginary, width: 11, decimals: 1)
                if e.isDelivery && t == 0 {
                    let (normalAmps, emergencyAmps) = ratingAmps(solver, e.name)
                    for amps in [normalAmps, emergencyAmps] {
                        let excess = excessKilovoltAmperes(e, kilovoltAmperes, ratingAmps: amps)
                        // OpenDSS prints the magnitudes of the excess's parts.
                        out += ", " + PascalFormat.writeFixed(abs(excess.real), width: 11, decimals: 1)
                        out += ", " + PascalFormat.writeFixed(abs(excess.imaginary), width: 11, decimals: 1)
                    }
                }
                out += "\n"
            }
        }
        return out
    }

    /// Complex power (W, var) into terminal `t` of `e`: the sum over its conductors of V · conj(I).
    static func terminalPower(_ e: ElementCurrents, _ t: Int) -> CDouble {
        var s = CDouble.zero
        for (c, i) in e.terminals[t].enumerated() { s = s + e.voltages[t][c] * i.conjugate }
        return s
    }

    /// The part of terminal 1's power above a current rating (OpenDSS's ExcesskVANorm/Emerg): the
    /// power times 1 - rating / (largest phase current of terminal 1); zero within the rating.
    static func excessKilovoltAmperes(_ e: ElementCurrents, _ kilovoltAmperes: CDouble, ratingAmps: Double) -> CDouble {
        guard ratingAmps > 0, let first = e.terminals.first else { return .zero }
        // Phase conductors only: a transformer's last conductor per terminal is its neutral.
        let phases = max(1, first.count - (e.name.hasPrefix("Transformer.") ? 1 : 0))
        let peakAmps = first.prefix(phases).map(\.length).max() ?? 0
        guard peakAmps > ratingAmps else { return .zero }
        return kilovoltAmperes * (1 - ratingAmps / peakAmps)
    }

    /// Normal and emergency current ratings (A) of a delivery element, with OpenDSS's defaults.
    static func ratingAmps(_ solver: PowerFlowSolver, _ name: String) -> (Double, Double) {
        let network = solver.network
        guard let e = network.delivery.first(where: { $0.name == name }) else { return (0, 0) }
        let model = network.model
        switch e.kind {
        case .line:
            let ratings = model.lines[e.modelIndex].ratingsAmps(in: model)
            return (ratings.normalAmps, ratings.emergencyAmps)
        case .transformer:
            let t = model.transformers[e.modelIndex]
            let w = t.windings[0]
            let vBase = w.connection == .wye && t.phases >= 2 ? w.kilovolts / Primitives.sqrt3 : w.kilovolts
            let vFactor = w.connection == .delta && t.phases >= 2 ? vBase / Primitives.sqrt3 : vBase
            let perPhase = Double(t.phases) * vFactor
            return (1.1 * w.kilovoltAmperes / perPhase, 1.5 * w.kilovoltAmperes / perPhase)
        case .reactor:
            let ratings = model.reactors[e.modelIndex].ratingsAmps
            return (ratings.normal, ratings.emergency)
        case .capacitor:
            let c = model.capacitors[e.modelIndex]
            let rated = c.phases == 1 ? c.kilovars / c.kilovolts : c.kilovars / (Primitives.sqrt3 * c.kilovolts)
            return (1.35 * rated, 1.8 * rated)
        case .vsource:
            return (0, 0)
        }
    }

    /// `Element, Total(W), Total(var), I2R(W), I2X(var), No-load(W), No-load(var)` (Export Losses).
    ///
    /// No-load is the power into a transformer's no-load branch; I2R/I2X are the rest of the total.
    public static func lossesCSV(_ solver: PowerFlowSolver) -> String {
        var out = "Element,  Total(W), Total(var),  I2R(W), I2X(var), No-load(W), No-load(var)\n"
        for e in elementCurrents(solver) where e.isDelivery {
            var s = CDouble.zero
            for (t, currents) in e.terminals.enumerated() {
                for (c, i) in currents.enumerated() { s = s + e.voltages[t][c] * i.conjugate }
            }
            let series = s - e.noLoadPower
            let columns = [s.real, s.imaginary, series.real, series.imaginary, e.noLoadPower.real, e.noLoadPower.imaginary]
            out += "\(displayName(e.name)), " + columns.map { format("%.7g", $0) }.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// One-line solution summary (Export Summary); `timestamp` is the caller's (no clock here).
    /// `circuitName` is the circuit as the script spells it (default: the importer's lowercased name).
    public static func summaryCSV(_ solver: PowerFlowSolver, outcome: SolveOutcome, timestamp: String, circuitName: String? = nil) -> String {
        let network = solver.network
        let v = solver.voltages
        var vmax = 0.0, vmin = Double.infinity
        for i in 0..<network.nodeCount where solver.nodeBaseVolts[i] > 0 {
            let pu = v[i].length / solver.nodeBaseVolts[i]
            vmax = max(vmax, pu)
            vmin = min(vmin, pu)
        }
        var sourceKW = 0.0, sourceKvar = 0.0, lossW = 0.0, lossVar = 0.0
        for e in elementCurrents(solver) {
            var s = CDouble.zero
            for (t, currents) in e.terminals.enumerated() where !(e.name.hasPrefix("Vsource.") && t > 0) {
                for (c, i) in currents.enumerated() { s = s + e.voltages[t][c] * i.conjugate }
            }
            if e.name.hasPrefix("Vsource.") { sourceKW -= s.real / 1000; sourceKvar -= s.imaginary / 1000 }
            if e.isDelivery && !e.name.hasPrefix("Capacitor.") { lossW += s.real; lossVar += s.imaginary }
        }
        let devices = network.delivery.count + network.conversion.count
        var out = "DateTime, CaseName, Status, Mode, Number, LoadMult, NumDevices, NumBuses, NumNodes, Iterations, ControlMode, ControlIterations, MostIterationsDone, Year, Hour, MaxPuVoltage, MinPuVoltage, TotalMW, TotalMvar, MWLosses, pctLosses, MvarLosses, Frequency\n"
        out += "\"\(timestamp)\", \(circuitName ?? network.model.circuitName), \(outcome.converged ? "SOLVED" : "UnSolved"), Snap, 1,    1.000, "
        out += "\(devices), \(network.buses.count), \(network.nodeCount), \(outcome.iterations), "
        out += "\(solver.settings.controlMode.rawValue.prefix(1).uppercased() + solver.settings.controlMode.rawValue.dropFirst()), \(outcome.controlIterations), \(outcome.iterations), 0, 0, "
        out += [format("%.5g", vmax), format("%.5g", vmin), format("%.6g", sourceKW / 1000), format("%.6g", sourceKvar / 1000),
                format("%.6g", lossW / 1e6), format("%.4g", sourceKW != 0 ? lossW / 1000 / sourceKW * 100 : 0),
                format("%.6g", lossVar / 1e6), format("%g", network.frequencyHertz)].joined(separator: ", ")
        return out + "\n"
    }

    /// Writes the OpenDSS-layout snapshot exports as `<circuit>_EXP_*.csv` into `directory`;
    /// `circuitName` is the circuit as the script spells it, which OpenDSS uses for the file names
    /// (default: the importer's lowercased name).
    public static func writeSnapshot(_ solver: PowerFlowSolver, outcome: SolveOutcome, timestamp: String, to directory: String,
                                     circuitName: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let prefix = circuitName ?? solver.network.model.circuitName
        let files: [(String, String)] = [
            ("VOLTAGES", voltagesCSV(solver)), ("SEQVOLTAGES", seqVoltagesCSV(solver)), ("CURRENTS", currentsCSV(solver)),
            ("POWERS", powersCSV(solver)), ("LOSSES", lossesCSV(solver)),
            ("Summary", summaryCSV(solver, outcome: outcome, timestamp: timestamp, circuitName: prefix)),
        ]
        for (suffix, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("\(prefix)_EXP_\(suffix).csv"))
        }
    }
}
