// Owns the full-precision result files in the goldens' layouts: node_voltages.csv, steps.csv,
// load_voltages.csv and metrics.json. Doubles are written in shortest round-trip form.
import ComplexModule
import Feeder
import Foundation
import Kernel

public enum ResultExports {
    /// `bus,node,base_kv_ln,v_re,v_im,v_mag,v_angle_deg,v_pu` in OpenDSS node order.
    public static func nodeVoltagesCSV(_ solver: PowerFlowSolver) -> String {
        var out = "bus,node,base_kv_ln,v_re,v_im,v_mag,v_angle_deg,v_pu\n"
        let network = solver.network
        let voltages = solver.voltages
        for (i, node) in network.nodes.enumerated() {
            let v = voltages[i]
            let base = network.buses[node.bus].baseKilovoltsLineToNeutral
            let magnitude = v.length
            let angle = OpenDSSExports.angleDegrees(v)
            let pu = base > 0 ? magnitude / (base * 1000) : 0
            out += "\(network.buses[node.bus].name),\(node.number),\(base),\(v.real),\(v.imaginary),\(magnitude),\(angle),\(pu)\n"
        }
        return out
    }

    /// `step,hour,iterations,converged,p_source_kw,q_source_kvar,p_losses_kw,q_losses_kvar,vmin_pu_lv,vmax_pu_lv`.
    public static func stepsCSV(_ result: TimeSeriesResult) -> String {
        var out = "step,hour,iterations,converged,p_source_kw,q_source_kvar,p_losses_kw,q_losses_kvar,vmin_pu_lv,vmax_pu_lv\n"
        for s in result.steps {
            let m = s.measurement
            out += "\(s.step),\(s.hour),\(s.outcome.iterations),\(s.outcome.converged ? 1 : 0),\(m.sourceKilowatts),"
            out += "\(m.sourceKilovars),\(m.lossesKilowatts),\(m.lossesKilovars),\(m.voltageMinPerUnit),\(m.voltageMaxPerUnit)\n"
        }
        return out
    }

    /// `step,load,bus_node,v_re,v_im` for every load conductor at every step.
    public static func loadVoltagesCSV(_ result: TimeSeriesResult) -> String {
        var out = "step,load,bus_node,v_re,v_im\n"
        for r in result.loadVoltages {
            out += "\(r.step),\(r.load),\(r.busNode),\(r.voltage.real),\(r.voltage.imaginary)\n"
        }
        return out
    }

    /// Day totals with the goldens' key names (canonical JSON, sorted keys).
    public static func metricsJSON(_ result: TimeSeriesResult, caseName: String) -> CanonicalJSON {
        let m = TimeSeriesMetrics(result)
        let h = result.configuration.stepSeconds / 3600
        let iterations = result.steps.map(\.outcome.iterations)
        func hourOf(_ step: Int) -> Double { result.configuration.startHour + Double(step) * h }
        func located(_ value: Double, _ key: String, _ where_: String, _ step: Int) -> CanonicalJSON {
            .object(["value": .double(value), key: .string(where_), "step": .int(Int64(step)), "hour": .double(hourOf(step))])
        }
        var violations: [CanonicalJSON] = []
        for (k, limit) in result.configuration.limits.enumerated() {
            violations.append(.object([
                "name": .string(limit.name), "low_pu": .double(limit.lowPerUnit), "high_pu": .double(limit.highPerUnit),
                "node_steps": .int(Int64(m.violationNodeSteps[k])), "steps": .int(Int64(m.violationSteps[k])),
            ]))
        }
        let mode: String
        switch result.configuration.mode {
        case .snapshot: mode = "snapshot"
        case .daily: mode = "daily"
        case .yearly: mode = "yearly"
        }
        return .object([
            "case": .string(caseName),
            "engine": .string("gridtrace PowerFlow (KLU)"),
            "solution_mode": .string(mode),
            "steps": .int(Int64(result.steps.count)),
            "step_hours": .double(h),
            "first_step_hour": .double(result.steps.first?.hour ?? 0),
            "last_step_hour": .double(result.steps.last?.hour ?? 0),
            "all_converged": .bool(result.allConverged),
            "iterations_total": .int(Int64(result.iterationsTotal)),
            "iterations_min": .int(Int64(iterations.min() ?? 0)),
            "iterations_max": .int(Int64(iterations.max() ?? 0)),
            "iterations_mean": .double(Double(result.iterationsTotal) / Double(max(1, result.steps.count))),
            "source": .string("\(result.sourceElement) terminal 1"),
            "energy_imported_kwh": .double(m.energyImportedKilowattHours),
            "energy_exported_kwh": .double(m.energyExportedKilowattHours),
            "energy_net_kwh": .double(m.energyNetKilowattHours),
            "reactive_energy_abs_kvarh": .double(m.reactiveEnergyAbsoluteKilovarHours),
            "reactive_energy_signed_kvarh": .double(m.reactiveEnergySignedKilovarHours),
            "max_apparent_power_kva": .double(m.maxApparentPowerKilovoltAmperes),
            "max_apparent_power_step": .int(Int64(m.maxApparentPowerStep)),
            "max_apparent_power_hour": .double(hourOf(m.maxApparentPowerStep)),
            "max_p_source_kw": .double(m.maxSourceKilowatts),
            "min_p_source_kw": .double(m.minSourceKilowatts),
            "load_energy_kwh": .double(m.loadEnergyKilowattHours),
            "n_load_elements": .int(Int64(result.loadElementCount)),
            "generation_energy_kwh": .double(m.generationEnergyKilowattHours),
            "n_generator_elements": .int(Int64(result.generatorElementCount)),
            "losses_kwh": .double(m.lossesKilowattHours),
            "losses_pct_of_load_energy": .double(m.lossesPercentOfLoadEnergy),
            "reactive_losses_kvarh": .double(m.reactiveLossesKilovarHours),
            "vmin_pu_lv": located(m.voltageMin.value, "node", m.voltageMin.node, m.voltageMin.step),
            "vmax_pu_lv": located(m.voltageMax.value, "node", m.voltageMax.node, m.voltageMax.step),
            "n_lv_nodes": .int(Int64(result.lowVoltageNodeCount)),
            "n_three_phase_lv_buses": .int(Int64(result.threePhaseBusCount)),
            "unbalance_spread_pct": located(m.unbalanceSpread.value, "bus", m.unbalanceSpread.bus, m.unbalanceSpread.step),
            "unbalance_max_dev_pct": located(m.unbalanceMaxDeviation.value, "bus", m.unbalanceMaxDeviation.bus, m.unbalanceMaxDeviation.step),
            "unbalance_vuf_pct": located(m.unbalanceVUF.value, "bus", m.unbalanceVUF.bus, m.unbalanceVUF.step),
            "limit_violations": .array(violations),
        ])
    }

    /// Writes the time-series files (and node_voltages.csv of the last state) into `directory`.
    public static func write(_ result: TimeSeriesResult?, solver: PowerFlowSolver, caseName: String, to directory: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
        try put("node_voltages.csv", nodeVoltagesCSV(solver))
        if let result {
            try put("steps.csv", stepsCSV(result))
            if result.configuration.recordLoadVoltages { try put("load_voltages.csv", loadVoltagesCSV(result)) }
            try put("metrics.json", metricsJSON(result, caseName: caseName).text + "\n")
            for monitor in result.monitors {
                try put("\(solver.network.model.circuitName)_Mon_\(monitor.name)_1.csv", OpenDSSExports.monitorCSV(monitor))
            }
        }
    }
}
