// Owns what is read from a solved network: terminal powers, the distribution-transformer
// (source) element and its downstream LV area, LV min/max voltages, the three voltage-unbalance
// forms, element powers, and the public per-step API CoSim uses (set powers, solve, read).
import ComplexModule
import Feeder
import Kernel

/// Voltage limits for violation counting (per unit of the node's base).
public struct VoltageLimits: Sendable, Equatable {
    public var name: String
    public var lowPerUnit: Double
    public var highPerUnit: Double

    public init(name: String, lowPerUnit: Double, highPerUnit: Double) {
        self.name = name
        self.lowPerUnit = lowPerUnit
        self.highPerUnit = highPerUnit
    }

    /// EN 50160: ±10 % of nominal.
    public static let en50160 = VoltageLimits(name: "EN 50160", lowPerUnit: 0.90, highPerUnit: 1.10)
    /// ANSI C84.1 Range A: 0.95–1.05 pu.
    public static let ansiRangeA = VoltageLimits(name: "ANSI C84.1 Range A", lowPerUnit: 0.95, highPerUnit: 1.05)
}

/// The worst voltage unbalance of one step over the three-phase LV buses, in percent.
public struct UnbalanceAtStep: Sendable, Equatable {
    public var spreadPercent = 0.0, spreadBus = ""
    public var maxDeviationPercent = 0.0, maxDeviationBus = ""
    public var vufPercent = 0.0, vufBus = ""
}

/// Quantities of one solved step, as steps.csv and the step event carry them.
public struct StepMeasurement: Sendable, Equatable {
    public var sourceKilowatts: Double
    public var sourceKilovars: Double
    public var lossesKilowatts: Double
    public var lossesKilovars: Double
    public var loadKilowatts: Double
    public var generationKilowatts: Double
    public var voltageMinPerUnit: Double
    public var voltageMinNode: String
    public var voltageMaxPerUnit: Double
    public var voltageMaxNode: String
    public var unbalance: UnbalanceAtStep
    /// LV node count outside each configured limit band.
    public var violations: [Int]

    /// Placeholder for steps run without measurement (benchmarks): every quantity NaN.
    public static let notMeasured = StepMeasurement(
        sourceKilowatts: .nan, sourceKilovars: .nan, lossesKilowatts: .nan, lossesKilovars: .nan, loadKilowatts: .nan,
        generationKilowatts: .nan, voltageMinPerUnit: .nan, voltageMinNode: "", voltageMaxPerUnit: .nan,
        voltageMaxNode: "", unbalance: UnbalanceAtStep(), violations: [])
}

/// The area a time series and its metrics are measured on: the distribution transformer's HV
/// terminal and every bus reachable from its LV side without passing back through it.
public struct MeasurementArea {
    public var sourceElementName: String
    let deliveryIndex: Int
    let sourceConductors: Range<Int>
    /// Conversion elements inside the area.
    let conversionIndices: [Int]
    /// Shunt capacitors inside the area (OpenDSS leaves shunt elements out of losses).
    let capacitorIndices: [Int]
    /// LV nodes (base equal to the transformer's LV bus base).
    let lowVoltageNodes: [Int]
    /// Three-phase LV buses: node indices of phases 1, 2, 3.
    let threePhaseBuses: [(bus: Int, nodes: (Int, Int, Int))]
    public var lowVoltageNodeCount: Int { lowVoltageNodes.count }
    public var threePhaseBusCount: Int { threePhaseBuses.count }
}

extension PowerFlowSolver {
    /// The distribution transformer: the one named, else the one whose last winding has the lowest kV.
    public func measurementArea(transformerName: String? = nil) throws -> MeasurementArea {
        let model = network.model
        let index: Int
        if let name = transformerName?.lowercased() {
            guard let i = model.transformerIndex(named: name) else { throw PowerFlowError.unknownElement("Transformer.\(name)") }
            index = i
        } else {
            guard let i = model.transformers.indices.min(by: { a, b in
                (model.transformers[a].windings.last?.kilovolts ?? 0) < (model.transformers[b].windings.last?.kilovolts ?? 0)
            }) else { throw PowerFlowError.invalidElement("circuit", "no transformer to measure the LV area from") }
            index = i
        }
        guard let k = network.delivery.firstIndex(where: { $0.kind == .transformer && $0.modelIndex == index }) else {
            throw PowerFlowError.invalidElement("Transformer.\(model.transformers[index].name)", "disabled")
        }
        let element = network.delivery[k]
        // Buses reachable from the LV side without crossing the source transformer or the source.
        var adjacency = [[Int]](repeating: [], count: network.buses.count)
        for (d, e) in network.delivery.enumerated() where d != k && e.kind != .vsource {
            var buses: [Int] = []
            for node in e.conductorNodes where node >= 0 && !buses.contains(network.nodes[node].bus) {
                buses.append(network.nodes[node].bus)
            }
            for a in buses { for b in buses where a != b { adjacency[a].append(b) } }
        }
        let lvNodes = element.conductorNodes[element.conductorsPerTerminal...].filter { $0 >= 0 }
        guard let firstLV = lvNodes.first else { throw PowerFlowError.invalidElement(element.name, "LV side is grounded") }
        let startBus = network.nodes[firstLV].bus
        var inArea = [Bool](repeating: false, count: network.buses.count)
        var queue = [startBus]
        inArea[startBus] = true
        while let bus = queue.popLast() {
            for next in adjacency[bus] where !inArea[next] { inArea[next] = true; queue.append(next) }
        }
        let conversion = network.conversion.indices.filter { c in
            network.conversion[c].conductorNodes.contains { $0 >= 0 && inArea[network.nodes[$0].bus] }
        }
        let capacitors = network.delivery.indices.filter { d in
            network.delivery[d].kind == .capacitor
                && network.delivery[d].conductorNodes.contains { $0 >= 0 && inArea[network.nodes[$0].bus] }
        }
        let lvBase = network.buses[startBus].baseKilovoltsLineToNeutral
        let lv = network.nodes.indices.filter { abs(network.buses[network.nodes[$0].bus].baseKilovoltsLineToNeutral - lvBase) <= 1e-9 * lvBase }
        var threePhase: [(bus: Int, nodes: (Int, Int, Int))] = []
        for (b, bus) in network.buses.enumerated() where abs(bus.baseKilovoltsLineToNeutral - lvBase) <= 1e-9 * lvBase {
            if let i1 = bus.nodeNumbers.firstIndex(of: 1), let i2 = bus.nodeNumbers.firstIndex(of: 2), let i3 = bus.nodeNumbers.firstIndex(of: 3) {
                threePhase.append((b, (bus.nodeIndices[i1], bus.nodeIndices[i2], bus.nodeIndices[i3])))
            }
        }
        return MeasurementArea(sourceElementName: element.name, deliveryIndex: k,
                               sourceConductors: 0..<element.conductorsPerTerminal, conversionIndices: conversion,
                               capacitorIndices: capacitors,
                               lowVoltageNodes: lv, threePhaseBuses: threePhase)
    }

    /// Complex power flowing into a delivery element through the given conductors (VA).
    func terminalPower(deliveryIndex: Int, conductors: Range<Int>) -> CDouble {
        materializeVoltages()
        let e = network.delivery[deliveryIndex]
        let v = e.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
        var s = CDouble.zero
        for i in conductors {
            var current = CDouble.zero
            for j in v.indices { current = current + e.yPrim[i, j] * v[j] }
            s = s + v[i] * current.conjugate
        }
        return s
    }

    /// Complex power drawn by a conversion element at the present voltages (VA, consumption positive).
    func conversionPower(_ index: Int) -> CDouble {
        materializeVoltages()
        let e = network.conversion[index]
        let s = states[index]
        var total = CDouble.zero
        for (a, b) in e.branches {
            let v = (a >= 0 ? voltageStorage[a] : .zero) - (b >= 0 ? voltageStorage[b] : .zero)
            total = total + v * branchCurrent(e, s, v).conjugate
        }
        return total
    }

    /// Reads the step quantities on `area` (kW, kvar, pu).
    public func measure(_ area: MeasurementArea, limits: [VoltageLimits] = [.en50160, .ansiRangeA]) -> StepMeasurement {
        let source = terminalPower(deliveryIndex: area.deliveryIndex, conductors: area.sourceConductors)
        var pc = CDouble.zero
        var load = 0.0, generation = 0.0
        for c in area.conversionIndices {
            let s = conversionPower(c)
            pc = pc + s
            if network.conversion[c].kind == .load { load += s.real } else { generation -= s.real }
        }
        for d in area.capacitorIndices {
            let e = network.delivery[d]
            pc = pc + terminalPower(deliveryIndex: d, conductors: 0..<e.conductorNodes.count)
        }
        var vmin = Double.infinity, vmax = -Double.infinity
        var minNode = -1, maxNode = -1
        var violations = [Int](repeating: 0, count: limits.count)
        let lows = limits.map(\.lowPerUnit), highs = limits.map(\.highPerUnit)
        materializeVoltages()
        voltageStorage.withUnsafeBufferPointer { v in
            nodeBaseVolts.withUnsafeBufferPointer { base in
                // Squared per-unit magnitudes against squared limits: one square root per extreme.
                let lows2 = lows.map { $0 * $0 }, highs2 = highs.map { $0 * $0 }
                var min2 = Double.infinity, max2 = -Double.infinity
                for n in area.lowVoltageNodes {
                    let x = v[n]
                    let b = base[n]
                    let pu2 = (x.real * x.real + x.imaginary * x.imaginary) / (b * b)
                    if pu2 < min2 { min2 = pu2; minNode = n }
                    if pu2 > max2 { max2 = pu2; maxNode = n }
                    for k in 0..<lows2.count where pu2 < lows2[k] || pu2 > highs2[k] { violations[k] += 1 }
                }
                if minNode >= 0 { vmin = (v[minNode].real * v[minNode].real + v[minNode].imaginary * v[minNode].imaginary).squareRoot() / base[minNode] }
                if maxNode >= 0 { vmax = (v[maxNode].real * v[maxNode].real + v[maxNode].imaginary * v[maxNode].imaginary).squareRoot() / base[maxNode] }
            }
        }
        return StepMeasurement(
            sourceKilowatts: source.real / 1000, sourceKilovars: source.imaginary / 1000,
            lossesKilowatts: (source.real - pc.real) / 1000, lossesKilovars: (source.imaginary - pc.imaginary) / 1000,
            loadKilowatts: load / 1000, generationKilowatts: generation / 1000,
            voltageMinPerUnit: vmin, voltageMinNode: minNode >= 0 ? network.nodeName(minNode) : "",
            voltageMaxPerUnit: vmax, voltageMaxNode: maxNode >= 0 ? network.nodeName(maxNode) : "",
            unbalance: unbalance(area), violations: violations)
    }

    /// Worst unbalance over the three-phase LV buses in the three forms of DESIGN.md.
    func unbalance(_ area: MeasurementArea) -> UnbalanceAtStep {
        var spread = 0.0, deviation = 0.0, vuf2 = 0.0
        var spreadBus = -1, deviationBus = -1, vufBus = -1
        let h = Primitives.sqrt3 / 2
        materializeVoltages()
        voltageStorage.withUnsafeBufferPointer { v in
            for (bus, (n1, n2, n3)) in area.threePhaseBuses {
                let va = v[n1], vb = v[n2], vc = v[n3]
                let ma = (va.real * va.real + va.imaginary * va.imaginary).squareRoot()
                let mb = (vb.real * vb.real + vb.imaginary * vb.imaginary).squareRoot()
                let mc = (vc.real * vc.real + vc.imaginary * vc.imaginary).squareRoot()
                let avg = (ma + mb + mc) / 3
                guard avg > 0 else { continue }
                let s = (max(ma, mb, mc) - min(ma, mb, mc)) / avg * 100
                let d = max(abs(ma - avg), abs(mb - avg), abs(mc - avg)) / avg * 100
                // a = exp(j120°): V1 = (Va + a·Vb + a²·Vc)/3, V2 = (Va + a²·Vb + a·Vc)/3 (the 1/3 cancels).
                let bRe = vb.real, bIm = vb.imaginary, cRe = vc.real, cIm = vc.imaginary
                let aB = (-0.5 * bRe - h * bIm, -0.5 * bIm + h * bRe), a2B = (-0.5 * bRe + h * bIm, -0.5 * bIm - h * bRe)
                let aC = (-0.5 * cRe - h * cIm, -0.5 * cIm + h * cRe), a2C = (-0.5 * cRe + h * cIm, -0.5 * cIm - h * cRe)
                let v1 = (va.real + aB.0 + a2C.0, va.imaginary + aB.1 + a2C.1)
                let v2 = (va.real + a2B.0 + aC.0, va.imaginary + a2B.1 + aC.1)
                let u2 = (v2.0 * v2.0 + v2.1 * v2.1) / (v1.0 * v1.0 + v1.1 * v1.1)
                if s > spread { spread = s; spreadBus = bus }
                if d > deviation { deviation = d; deviationBus = bus }
                if u2 > vuf2 { vuf2 = u2; vufBus = bus }
            }
        }
        func name(_ b: Int) -> String { b >= 0 ? network.buses[b].name : "" }
        let vuf = vuf2.squareRoot() * 100
        return UnbalanceAtStep(spreadPercent: spread, spreadBus: name(spreadBus), maxDeviationPercent: deviation,
                               maxDeviationBus: name(deviationBus), vufPercent: vuf, vufBus: name(vufBus))
    }

    // MARK: Per-step API

    /// Index of a load, generator or PV element by its full name ("Load.load1") or bare load name.
    public func conversionIndex(named name: String) -> Int? {
        let lower = name.lowercased()
        return conversionIndexByName[lower] ?? conversionIndexByName["load." + lower]
    }

    /// Sets a load's demand for the next solve (kW, kvar; consumption positive).
    public func setLoad(named name: String, kilowatts: Double, kilovars: Double) throws {
        guard let i = conversionIndex(named: name), network.conversion[i].kind == .load else {
            throw PowerFlowError.unknownElement(name)
        }
        try setLoad(index: i, kilowatts: kilowatts, kilovars: kilovars)
    }

    /// `setLoad(named:)` by the load's index (`conversionIndex(named:)`).
    public func setLoad(index: Int, kilowatts: Double, kilovars: Double) throws {
        guard network.conversion.indices.contains(index), network.conversion[index].kind == .load else {
            throw PowerFlowError.unknownElement("conversion element \(index)")
        }
        try setPower(index: index, kilowatts: kilowatts, kilovars: kilovars)
    }

    /// Sets a generator's or PV system's output for the next solve (kW, kvar; generation positive).
    public func setGeneration(named name: String, kilowatts: Double, kilovars: Double = 0) throws {
        guard let i = conversionIndexByName[name.lowercased()], network.conversion[i].kind != .load else {
            throw PowerFlowError.unknownElement(name)
        }
        try setPower(index: i, kilowatts: -kilowatts, kilovars: -kilovars)
    }

    /// Names of the loads in element order ("Load.name").
    public var loadNames: [String] { network.conversion.filter { $0.kind == .load }.map(\.name) }
    /// Names of generators and PV systems in element order.
    public var generationNames: [String] { network.conversion.filter { $0.kind != .load }.map(\.name) }

    /// Node voltage magnitude in per unit of its bus base (NaN when the bus has no base).
    public func voltagePerUnit(node: Int) -> Double {
        materializeVoltages()
        return nodeBaseVolts[node] > 0 ? voltageStorage[node].length / nodeBaseVolts[node] : .nan
    }
}
