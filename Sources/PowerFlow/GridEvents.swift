// Owns the typed payloads of the grid's trace events (power-flow iterations and steps, limit
// violations, the per-home injections of an interval): one type per kind, writing and strictly
// reading the stored canonical JSON.
import Kernel

/// `powerflow_iteration`: one fixed-point iteration of a step's solve.
public struct PowerFlowIterationEvent: EventPayload {
    public static let kind = EventKind.powerFlowIteration
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("step", .integer, "power-flow step (one per market interval, from 1)"),
        PayloadField("iteration", .integer, "iteration within the step, from 1"),
        PayloadField("max_dv_pu", .number, unit: "pu", "largest node voltage change since the previous iteration"),
    ], emittedBy: "PowerFlow, at the interval's end time, actor grid, one per iteration")
    public var step: Int
    public var iteration: Int
    public var maxChangePerUnit: Double

    public init(step: Int, iteration: Int, maxChangePerUnit: Double) {
        self.step = step
        self.iteration = iteration
        self.maxChangePerUnit = maxChangePerUnit
    }

    public var canonical: CanonicalJSON {
        ["step": .int(Int64(step)), "iteration": .int(Int64(iteration)), "max_dv_pu": .double(maxChangePerUnit)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(step: try r.index("step"), iteration: try r.index("iteration"), maxChangePerUnit: try r.double("max_dv_pu"))
    }
}

/// `powerflow_step`: a solved step and its measurements.
public struct PowerFlowStepEvent: EventPayload {
    public static let kind = EventKind.powerFlowStep
    /// The prefix of the per-standard violation counts ("violations EN 50160").
    public static let violationsPrefix = "violations "
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("step", .integer, "power-flow step"),
        PayloadField("converged", .boolean, "whether the solve converged"),
        PayloadField("iterations", .integer, "fixed-point iterations"),
        PayloadField("control_iterations", .integer, "control (regulator, capacitor) iterations"),
        PayloadField("max_dv_pu", .number, unit: "pu", "voltage change of the last iteration"),
        PayloadField("p_source_kw", .number, unit: "kW", "active power through the source transformer (+ import)"),
        PayloadField("q_source_kvar", .number, unit: "kvar", "reactive power through the source transformer"),
        PayloadField("p_losses_kw", .number, unit: "kW", "active losses in the measured area"),
        PayloadField("q_losses_kvar", .number, unit: "kvar", "reactive losses in the measured area"),
        PayloadField("vmin_pu", .number, unit: "pu", "lowest LV node voltage"),
        PayloadField("vmin_node", .string, "where"),
        PayloadField("vmax_pu", .number, unit: "pu", "highest LV node voltage"),
        PayloadField("vmax_node", .string, "where"),
        PayloadField(violationsPrefix + VoltageLimits.en50160.name, .integer, optional: true, "LV nodes outside EN 50160 (0.90–1.10 pu)"),
        PayloadField(violationsPrefix + VoltageLimits.ansiRangeA.name, .integer, optional: true,
                     "LV nodes outside ANSI C84.1 Range A (0.95–1.05 pu)"),
    ], emittedBy: "PowerFlow, at the interval's end time, actor grid, after the step's iterations")
    public var step: Int
    public var converged: Bool
    public var iterations: Int
    public var controlIterations: Int
    public var maxChangePerUnit: Double
    public var sourceKilowatts: Double
    public var sourceKilovars: Double
    public var lossesKilowatts: Double
    public var lossesKilovars: Double
    public var voltageMinPerUnit: Double
    public var voltageMinNode: String
    public var voltageMaxPerUnit: Double
    public var voltageMaxNode: String
    /// Nodes outside each measured band, by the band's name.
    public var violations: [(limit: String, nodes: Int64)]

    public static func == (a: Self, b: Self) -> Bool {
        a.canonical == b.canonical
    }

    public init(step: Int, converged: Bool, iterations: Int, controlIterations: Int, maxChangePerUnit: Double,
                sourceKilowatts: Double, sourceKilovars: Double, lossesKilowatts: Double, lossesKilovars: Double,
                voltageMinPerUnit: Double, voltageMinNode: String, voltageMaxPerUnit: Double, voltageMaxNode: String,
                violations: [(limit: String, nodes: Int64)]) {
        self.step = step
        self.converged = converged
        self.iterations = iterations
        self.controlIterations = controlIterations
        self.maxChangePerUnit = maxChangePerUnit
        self.sourceKilowatts = sourceKilowatts
        self.sourceKilovars = sourceKilovars
        self.lossesKilowatts = lossesKilowatts
        self.lossesKilovars = lossesKilovars
        self.voltageMinPerUnit = voltageMinPerUnit
        self.voltageMinNode = voltageMinNode
        self.voltageMaxPerUnit = voltageMaxPerUnit
        self.voltageMaxNode = voltageMaxNode
        self.violations = violations
    }

    /// The event of a solved step from its measurement.
    public init(step: Int, converged: Bool, iterations: Int, controlIterations: Int, maxChangePerUnit: Double,
                measurement m: StepMeasurement, violations: [(limit: String, nodes: Int64)]) {
        self.init(step: step, converged: converged, iterations: iterations, controlIterations: controlIterations,
                  maxChangePerUnit: maxChangePerUnit, sourceKilowatts: m.sourceKilowatts, sourceKilovars: m.sourceKilovars,
                  lossesKilowatts: m.lossesKilowatts, lossesKilovars: m.lossesKilovars, voltageMinPerUnit: m.voltageMinPerUnit,
                  voltageMinNode: m.voltageMinNode, voltageMaxPerUnit: m.voltageMaxPerUnit, voltageMaxNode: m.voltageMaxNode,
                  violations: violations)
    }

    public var canonical: CanonicalJSON {
        var payload: [String: CanonicalJSON] = [
            "step": .int(Int64(step)), "converged": .bool(converged),
            "iterations": .int(Int64(iterations)), "control_iterations": .int(Int64(controlIterations)),
            "max_dv_pu": .double(maxChangePerUnit),
            "p_source_kw": .double(sourceKilowatts), "q_source_kvar": .double(sourceKilovars),
            "p_losses_kw": .double(lossesKilowatts), "q_losses_kvar": .double(lossesKilovars),
            "vmin_pu": .double(voltageMinPerUnit), "vmin_node": .string(voltageMinNode),
            "vmax_pu": .double(voltageMaxPerUnit), "vmax_node": .string(voltageMaxNode),
        ]
        for violation in violations { payload[Self.violationsPrefix + violation.limit] = .int(violation.nodes) }
        return .object(payload)
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        let fixedKeys = Self.schema.fields.map(\.key).filter { !$0.hasPrefix(Self.violationsPrefix) }
        for key in r.members.keys.sorted() where !key.hasPrefix(Self.violationsPrefix) && !fixedKeys.contains(key) {  // determinism: sorted
            throw r.invalid(key, "is not a field of \(Self.kind.rawValue)")
        }
        step = try r.index("step")
        converged = try r.bool("converged")
        iterations = try r.index("iterations")
        controlIterations = try r.index("control_iterations")
        maxChangePerUnit = try r.double("max_dv_pu")
        sourceKilowatts = try r.double("p_source_kw")
        sourceKilovars = try r.double("q_source_kvar")
        lossesKilowatts = try r.double("p_losses_kw")
        lossesKilovars = try r.double("q_losses_kvar")
        voltageMinPerUnit = try r.double("vmin_pu")
        voltageMinNode = try r.string("vmin_node")
        voltageMaxPerUnit = try r.double("vmax_pu")
        voltageMaxNode = try r.string("vmax_node")
        var counts: [(limit: String, nodes: Int64)] = []
        for key in r.members.keys.sorted() where key.hasPrefix(Self.violationsPrefix) {  // determinism: sorted
            counts.append((String(key.dropFirst(Self.violationsPrefix.count)), try r.int(key)))
        }
        violations = counts
    }
}

/// `limit_violation`: LV nodes outside a voltage band after a step's solve. Two shapes: per band
/// with the step's extremes (actor grid, from PowerFlow), and per node (actor node:name, from CoSim,
/// for the scenario's standard only).
public struct LimitViolationEvent: EventPayload {
    public static let kind = EventKind.limitViolation
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("step", .integer, "power-flow step"),
        PayloadField("low_pu", .number, unit: "pu", "the band's lower limit"),
        PayloadField("high_pu", .number, unit: "pu", "the band's upper limit"),
        PayloadField("limit", .string, optional: true, "band name (per-band events)"),
        PayloadField("nodes", .integer, optional: true, "LV nodes outside the band (per-band events)"),
        PayloadField("vmin_pu", .number, unit: "pu", optional: true, "lowest LV node voltage (per-band events)"),
        PayloadField("vmin_node", .string, optional: true, "where (per-band events)"),
        PayloadField("vmax_pu", .number, unit: "pu", optional: true, "highest LV node voltage (per-band events)"),
        PayloadField("vmax_node", .string, optional: true, "where (per-band events)"),
        PayloadField("v_pu", .number, unit: "pu", optional: true, "the node's voltage (per-node events)"),
        PayloadField("standard", .string, optional: true, "band name (per-node events)"),
    ], emittedBy: "PowerFlow after the powerflow_step (actor grid, one per band left), and CoSim (actor node:name, one per node outside the scenario's standard)")

    public enum Scope: Sendable, Equatable {
        /// Per band: how many nodes, and the step's extremes.
        case band(limit: String, nodes: Int64, voltageMinPerUnit: Double, voltageMinNode: String,
                  voltageMaxPerUnit: Double, voltageMaxNode: String)
        /// Per node: its voltage under the named standard.
        case node(voltagePerUnit: Double, standard: String)
    }

    public var step: Int
    public var lowPerUnit: Double
    public var highPerUnit: Double
    public var scope: Scope

    public init(step: Int, lowPerUnit: Double, highPerUnit: Double, scope: Scope) {
        self.step = step
        self.lowPerUnit = lowPerUnit
        self.highPerUnit = highPerUnit
        self.scope = scope
    }

    public var canonical: CanonicalJSON {
        var members: [String: CanonicalJSON] = ["step": .int(Int64(step)), "low_pu": .double(lowPerUnit), "high_pu": .double(highPerUnit)]
        switch scope {
        case .band(let limit, let nodes, let vmin, let vminNode, let vmax, let vmaxNode):
            members["limit"] = .string(limit)
            members["nodes"] = .int(nodes)
            members["vmin_pu"] = .double(vmin)
            members["vmin_node"] = .string(vminNode)
            members["vmax_pu"] = .double(vmax)
            members["vmax_node"] = .string(vmaxNode)
        case .node(let v, let standard):
            members["v_pu"] = .double(v)
            members["standard"] = .string(standard)
        }
        return .object(members)
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        step = try r.index("step")
        lowPerUnit = try r.double("low_pu")
        highPerUnit = try r.double("high_pu")
        if r.has("v_pu") || r.has("standard") {
            for key in ["limit", "nodes", "vmin_pu", "vmin_node", "vmax_pu", "vmax_node"] where r.has(key) {
                throw r.invalid(key, "belongs to a per-band event, not beside v_pu/standard")
            }
            scope = .node(voltagePerUnit: try r.double("v_pu"), standard: try r.string("standard"))
        } else {
            scope = .band(limit: try r.string("limit"), nodes: try r.int("nodes"), voltageMinPerUnit: try r.double("vmin_pu"),
                          voltageMinNode: try r.string("vmin_node"), voltageMaxPerUnit: try r.double("vmax_pu"),
                          voltageMaxNode: try r.string("vmax_node"))
        }
    }
}

/// `grid_injections`: every home's powers placed on the feeder in an interval (what a grid-only
/// re-run needs), one array element per home in home order.
public struct GridInjectionsEvent: EventPayload {
    public static let kind = EventKind.gridInjections
    public static let schema = PayloadSchema(kind: kind, fields: [
        PayloadField("step", .integer, "power-flow step"),
        PayloadField("load_kw", .numberArray, unit: "kW", "household load per home"),
        PayloadField("load_kvar", .numberArray, unit: "kvar", "household reactive load per home"),
        PayloadField("ev_kw", .numberArray, unit: "kW", "EV charging per home"),
        PayloadField("ev_kvar", .numberArray, unit: "kvar", "EV reactive power per home"),
        PayloadField("pv_kw", .numberArray, unit: "kW", "PV output per home"),
    ], emittedBy: "CoSim, at the interval's end time before the solve, actor grid")
    public var step: Int
    public var loadKilowatts: [Double]
    public var loadKilovars: [Double]
    public var evKilowatts: [Double]
    public var evKilovars: [Double]
    public var pvKilowatts: [Double]

    public init(step: Int, loadKilowatts: [Double], loadKilovars: [Double], evKilowatts: [Double], evKilovars: [Double],
                pvKilowatts: [Double]) {
        self.step = step
        self.loadKilowatts = loadKilowatts
        self.loadKilovars = loadKilovars
        self.evKilowatts = evKilowatts
        self.evKilovars = evKilovars
        self.pvKilowatts = pvKilowatts
    }

    public var canonical: CanonicalJSON {
        func column(_ values: [Double]) -> CanonicalJSON { .array(values.map { .double($0) }) }
        return ["step": .int(Int64(step)), "load_kw": column(loadKilowatts), "load_kvar": column(loadKilovars),
                "ev_kw": column(evKilowatts), "ev_kvar": column(evKilovars), "pv_kw": column(pvKilowatts)]
    }

    public init(reading payload: CanonicalJSON, seq: Int64) throws(PayloadError) {
        let r = try PayloadReader(payload, kind: Self.kind, seq: seq)
        try r.rejectUnknownKeys(Self.schema.fields)
        self.init(step: try r.index("step"), loadKilowatts: try r.doubles("load_kw"), loadKilovars: try r.doubles("load_kvar"),
                  evKilowatts: try r.doubles("ev_kw"), evKilovars: try r.doubles("ev_kvar"), pvKilowatts: try r.doubles("pv_kw"))
        for (key, values) in [("load_kvar", loadKilovars), ("ev_kw", evKilowatts), ("ev_kvar", evKilovars), ("pv_kw", pvKilowatts)]
        where values.count != loadKilowatts.count {
            throw r.invalid(key, "has \(values.count) homes, load_kw has \(loadKilowatts.count)")
        }
    }
}
