// Owns the compiled network: buses and nodes numbered as OpenDSS numbers them (buses in order of
// first reference by elements in creation order, nodes in order of first reference), the
// power-delivery primitives with their node maps, and the power-conversion elements (loads,
// generators, PV) with their branches. Built once from a `FeederModel`.
import ComplexModule
import Feeder

/// A bus: name, node numbers (OpenDSS order), global node indices, and its base voltage.
public struct BusInfo: Sendable {
    public var name: String
    public var nodeNumbers: [Int] = []
    public var nodeIndices: [Int] = []
    /// Line-to-neutral base voltage in kV from `Set voltagebases` (0 when none applies).
    public var baseKilovoltsLineToNeutral = 0.0
}

/// One non-ground node: which bus and which node number.
public struct NodeInfo: Sendable {
    public var bus: Int
    public var number: Int
}

/// Kind of power-delivery element a primitive belongs to.
public enum DeliveryKind: String, Sendable { case vsource, line, transformer, reactor, capacitor }

/// A power-delivery element: its primitive admittance and the node of each conductor (−1 = ground).
struct DeliveryElement {
    var name: String
    var kind: DeliveryKind
    var modelIndex: Int
    var conductorNodes: [Int]
    var conductorsPerTerminal: Int
    var yPrim: DenseComplexMatrix
    /// A transformer's no-load (core-loss and magnetizing) branch alone, in `yPrim`'s layout: what
    /// OpenDSS calls Yprim_Shunt, for the no-load column of Export Losses. Nil for other kinds.
    var yPrimNoLoad: DenseComplexMatrix? = nil
}

/// Kind of power-conversion element.
public enum ConversionKind: String, Sendable { case load, generator, pvSystem }

/// A load, generator or PV system reduced to what the iteration needs.
struct ConversionElement {
    var name: String
    var kind: ConversionKind
    var modelIndex: Int
    /// Each branch is a node pair (−1 = ground) the per-phase element is connected across.
    var branches: [(a: Int, b: Int)]
    /// Conductor indices (into `conductorNodes`) of each branch.
    var branchConductors: [(Int, Int)]
    var conductorNodes: [Int]
    var phases: Int
    /// Base voltage across one branch, volts.
    var baseVolts: Double
    var loadModel: Int
    var zipv: [Double]
    var voltageMinPerUnit: Double
    var voltageMaxPerUnit: Double
    var voltageLowPerUnit: Double
    /// Constant-impedance approximation put into the system matrix (per branch), siemens.
    var yBranch: CDouble
    /// Nominal (script) powers of the whole element, kW and kvar; consumption positive.
    var nominalKilowatts: Double
    var nominalKilovars: Double
    /// Shape used in daily and yearly modes (index into the model's load shapes).
    var dailyShape: Int?
    var yearlyShape: Int?
    /// For PV: peak kW × irradiance and kVA limit; generators and loads leave these nil.
    var pvPeakKilowatts: Double?
    var pvKilovoltAmperes: Double?
    var pvPowerFactor: Double?
    var pvKilovars: Double?
    var pvCutInPercent = 20.0
    /// Load model 4 exponents (P ∝ V^cvrWatts, Q ∝ V^cvrVars).
    var cvrWatts = 1.0
    var cvrVars = 2.0
    /// Base kvar per branch (vars) that load models 6 and 7 hold fixed, unscaled by shapes.
    var fixedVarsPerBranch = 0.0
    /// Admittance from a wye element's neutral node to ground (OpenDSS's YNeut, plus its 1e-6
    /// nudge of a floating neutral), siemens; stamped on the neutral's diagonal.
    var neutralShunt = CDouble.zero

    /// PV output (kW, kvar; generation positive) for an available DC power `available` kW:
    /// off below cut-in; kvar from the pf on the available power; P reduced to stay within kVA.
    func pvOutput(availableKilowatts available: Double) -> (Double, Double) {
        guard let kva = pvKilovoltAmperes else { return (0, 0) }
        guard available > 0, available >= pvCutInPercent / 100 * kva else { return (0, 0) }
        var q = pvKilovars ?? pvPowerFactor.map { Load.kilovars(kilowatts: available, powerFactor: $0) } ?? 0
        if abs(q) > kva { q = q < 0 ? -kva : kva }
        let p = available * available + q * q > kva * kva ? (kva * kva - q * q).squareRoot() : available
        return (p, q)
    }
}

/// What the load models read of a conversion element, as plain values (no reference-counted
/// fields), so the per-iteration loops over thousands of loads copy nothing that needs retaining.
struct ConversionParameters {
    var kind: ConversionKind
    var loadModel: Int
    var phases: Int
    var baseVolts: Double
    /// ZIPV coefficients (model 8), zero-padded.
    var zipv: SIMD8<Double>
    var voltageMinPerUnit: Double
    var voltageMaxPerUnit: Double
    var voltageLowPerUnit: Double
    var yBranch: CDouble
    var cvrWatts: Double
    var cvrVars: Double
    var fixedVarsPerBranch: Double
    var neutralShunt: CDouble
    /// What `applyShapes` reads: nominal powers, shapes (−1: none), PV peak.
    var nominalKilowatts: Double
    var nominalKilovars: Double
    var dailyShape: Int
    var yearlyShape: Int
    var pvPeakKilowatts: Double?

    init(_ e: ConversionElement) {
        kind = e.kind
        loadModel = e.loadModel
        phases = e.phases
        baseVolts = e.baseVolts
        var z = SIMD8<Double>()
        for (i, value) in e.zipv.prefix(8).enumerated() { z[i] = value }
        zipv = z
        voltageMinPerUnit = e.voltageMinPerUnit
        voltageMaxPerUnit = e.voltageMaxPerUnit
        voltageLowPerUnit = e.voltageLowPerUnit
        yBranch = e.yBranch
        cvrWatts = e.cvrWatts
        cvrVars = e.cvrVars
        fixedVarsPerBranch = e.fixedVarsPerBranch
        neutralShunt = e.neutralShunt
        nominalKilowatts = e.nominalKilowatts
        nominalKilovars = e.nominalKilovars
        dailyShape = e.dailyShape ?? -1
        yearlyShape = e.yearlyShape ?? -1
        pvPeakKilowatts = e.pvPeakKilowatts
    }
}

/// The compiled network.
public struct Network {
    public private(set) var buses: [BusInfo] = []
    public private(set) var nodes: [NodeInfo] = []
    var busIndexByName: [String: Int] = [:]
    var delivery: [DeliveryElement] = []
    var conversion: [ConversionElement] = []
    /// Norton source currents at the source nodes (amperes), constant.
    var sourceCurrents: [(node: Int, current: CDouble)] = []
    /// Line code name → index in `model.lineCodes` (the first of a name, as `lineCode(named:)`).
    var lineCodeIndexByName: [String: Int] = [:]
    public let model: FeederModel
    public let frequencyHertz: Double
    /// Primitives shared by identical elements while the network is built (emptied at its end).
    var primitiveCache = PrimitiveCache()

    public var nodeCount: Int { nodes.count }

    public init(model: FeederModel) throws {
        self.model = model
        frequencyHertz = model.baseFrequencyHertz
        // Room for every element's buses up front (a two-terminal element names at most two new
        // buses), so that the bus table is not rehashed as it grows.
        busIndexByName.reserveCapacity(2 * model.creationOrder.count)
        delivery.reserveCapacity(model.creationOrder.count)
        lineCodeIndexByName.reserveCapacity(model.lineCodes.count)
        for (index, code) in model.lineCodes.enumerated() where lineCodeIndexByName[code.name] == nil {
            lineCodeIndexByName[code.name] = index
        }
        for reference in model.creationOrder {
            try add(reference)
        }
        primitiveCache = PrimitiveCache()
        guard !nodes.isEmpty else { throw PowerFlowError.invalidElement("circuit", "no nodes") }
        renumberNodesByBus()
        try checkConnectivity()
    }

    /// Every bus must reach a source through lines and transformers (not through shunts or loads).
    ///
    /// Buses joined by a series element share a group (union–find); a group is energized when a
    /// source touches one of its buses. Linear in the elements' conductors.
    func checkConnectivity() throws {
        var parent = Array(buses.indices)
        var sourceBuses: [Int] = []
        // Raw buffers and elements read by index: a captured array and a `for e in delivery` copy
        // would check exclusivity and retain every element's arrays once per conductor / element.
        parent.withUnsafeMutableBufferPointer { parent in
            func root(_ bus: Int) -> Int {
                var b = bus
                while parent[b] != b { parent[b] = parent[parent[b]]; b = parent[b] }
                return b
            }
            nodes.withUnsafeBufferPointer { nodes in
                for k in delivery.indices {
                    let kind = delivery[k].kind
                    delivery[k].conductorNodes.withUnsafeBufferPointer { conductorNodes in
                        if kind == .vsource {
                            for n in conductorNodes where n >= 0 { sourceBuses.append(nodes[n].bus) }
                        } else if kind != .capacitor || conductorNodes.count == delivery[k].conductorsPerTerminal * 2 {
                            var first = -1
                            for n in conductorNodes where n >= 0 {
                                let b = root(nodes[n].bus)
                                if first < 0 { first = b } else if b != first { parent[b] = first }
                            }
                        }
                    }
                }
            }
        }
        func root(_ bus: Int) -> Int {
            var b = bus
            while parent[b] != b { parent[b] = parent[parent[b]]; b = parent[b] }
            return b
        }
        var energized = [Bool](repeating: false, count: buses.count)
        for b in sourceBuses { energized[root(b)] = true }
        let islanded = buses.indices.filter { !energized[root($0)] }.map { buses[$0].name }
        if !islanded.isEmpty { throw PowerFlowError.islanded(islanded) }
    }

    /// OpenDSS numbers nodes bus by bus (buses in order of first reference), not by first reference.
    mutating func renumberNodesByBus() {
        var newIndex = [Int](repeating: -1, count: nodes.count)
        var renumbered: [NodeInfo] = []
        for b in buses.indices {
            for k in buses[b].nodeIndices.indices {
                newIndex[buses[b].nodeIndices[k]] = renumbered.count
                buses[b].nodeIndices[k] = renumbered.count
                renumbered.append(NodeInfo(bus: b, number: buses[b].nodeNumbers[k]))
            }
        }
        nodes = renumbered
        func map(_ i: Int) -> Int { i >= 0 ? newIndex[i] : -1 }
        // In place: each element's arrays are its own, so no copies are made.
        for e in delivery.indices {
            for k in delivery[e].conductorNodes.indices { delivery[e].conductorNodes[k] = map(delivery[e].conductorNodes[k]) }
        }
        for c in conversion.indices {
            for k in conversion[c].conductorNodes.indices { conversion[c].conductorNodes[k] = map(conversion[c].conductorNodes[k]) }
            for k in conversion[c].branches.indices {
                conversion[c].branches[k] = (map(conversion[c].branches[k].a), map(conversion[c].branches[k].b))
            }
        }
        sourceCurrents = sourceCurrents.map { (map($0.node), $0.current) }
    }

    mutating func nodeIndices(_ spec: BusSpec, conductors: Int, phases: Int) -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(conductors)
        appendNodeIndices(spec, conductors: conductors, phases: phases, to: &indices)
        return indices
    }

    /// Appends the node index of each of `conductors` conductors at `spec`'s bus to `indices`
    /// (−1 for ground), adding the bus and its nodes when first named.
    mutating func appendNodeIndices(_ spec: BusSpec, conductors: Int, phases: Int, to indices: inout [Int]) {
        // One hash of the name: the lookup inserts the next index when the bus is new.
        let next = buses.count
        let busIndex = Self.value(of: &busIndexByName[spec.name, default: next])
        if busIndex == next {
            var bus = BusInfo(name: spec.name)
            // Room for a three-phase bus with its neutral (their arrays would grow 1, 2, 4).
            bus.nodeNumbers.reserveCapacity(4)
            bus.nodeIndices.reserveCapacity(4)
            buses.append(bus)
        }
        // The nodes of `spec.resolvedNodes(conductors:phases:)`, without building that array.
        for i in 0..<conductors {
            let number = i < spec.nodes.count ? spec.nodes[i] : (i < phases ? i + 1 : 0)
            guard number != 0 else {
                indices.append(-1)
                continue
            }
            if let position = buses[busIndex].nodeNumbers.firstIndex(of: number) {
                indices.append(buses[busIndex].nodeIndices[position])
                continue
            }
            let index = nodes.count
            nodes.append(NodeInfo(bus: busIndex, number: number))
            buses[busIndex].nodeNumbers.append(number)
            buses[busIndex].nodeIndices.append(index)
            indices.append(index)
        }
    }

    /// Reads an inout value (`dictionary[key, default: d]` through its in-place accessor, which
    /// stores `d` for a new key: the lookup and the insertion in one hash).
    @inline(__always) static func value(of slot: inout Int) -> Int { slot }

    mutating func add(_ reference: ElementReference) throws {
        switch reference {
        case let .vsource(i): try addSource(i)
        case let .line(i): try addLine(i)
        case let .transformer(i): try addTransformer(i, taps: model.transformers[i].windings.map(\.tap))
        case let .capacitor(i): addCapacitor(i)
        case let .reactor(i): try addReactor(i)
        case let .load(i): try addLoad(i)
        case let .generator(i): try addGenerator(i)
        case let .pvSystem(i): try addPV(i)
        }
    }

    mutating func addCapacitor(_ i: Int) {
        let c = model.capacitors[i]
        guard c.enabled else { return }
        let n1 = nodeIndices(c.bus1, conductors: c.phases, phases: c.phases)
        var conductorNodes = n1
        if c.connection == .wye {
            let bus2 = c.bus2 ?? BusSpec(name: c.bus1.name, nodes: Array(repeating: 0, count: c.phases))
            conductorNodes += nodeIndices(bus2, conductors: c.phases, phases: c.phases)
        }
        let y = Primitives.capacitor(c, states: c.states, frequencyHertz: frequencyHertz, baseFrequencyHertz: model.baseFrequencyHertz)
        delivery.append(DeliveryElement(name: "Capacitor.\(c.name)", kind: .capacitor, modelIndex: i,
                                        conductorNodes: conductorNodes, conductorsPerTerminal: c.phases, yPrim: y))
    }

    /// Conductor nodes and branches of a single-terminal element (OpenDSS's load conventions).
    mutating func conversionTopology(bus: BusSpec, phases: Int, connection: Connection) -> ([Int], [(a: Int, b: Int)], [(Int, Int)]) {
        let conductors: Int
        switch connection {
        case .wye: conductors = phases + 1
        case .delta: conductors = phases <= 2 ? phases + 1 : phases
        }
        let n = nodeIndices(bus, conductors: conductors, phases: phases)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(phases)
        for p in 0..<phases {
            switch connection {
            case .wye: pairs.append((p, conductors - 1))
            case .delta: pairs.append((p, (p + 1) % conductors))
            }
        }
        return (n, pairs.map { (n[$0.0], n[$0.1]) }, pairs)
    }

    static func baseVolts(kilovolts: Double, phases: Int, connection: Connection) -> Double {
        switch connection {
        case .wye: return phases == 1 ? kilovolts * 1000 : kilovolts * 1000 / Primitives.sqrt3
        case .delta: return kilovolts * 1000
        }
    }

    func shapeIndex(_ name: String?) -> Int? {
        guard let name else { return nil }
        return model.loadShapes.firstIndex { $0.name == name }
    }

    /// Switches a capacitor's terminal and steps (an open terminal contributes nothing to Y).
    mutating func setCapacitor(modelIndex: Int, closed: Bool, states: [Bool]) {
        guard let k = delivery.firstIndex(where: { $0.kind == .capacitor && $0.modelIndex == modelIndex }) else { return }
        let c = model.capacitors[modelIndex]
        delivery[k].yPrim = closed
            ? Primitives.capacitor(c, states: states, frequencyHertz: frequencyHertz, baseFrequencyHertz: model.baseFrequencyHertz)
            : DenseComplexMatrix(order: delivery[k].yPrim.order)
    }

    /// The first delivery element whose name, lower-cased, is `lower` (what
    /// `delivery.firstIndex { PowerFlowSolver.lowercased($0.name, equals: lower) }` finds).
    ///
    /// Lower-casing an ASCII name keeps its byte count, so an ASCII name of another length is
    /// passed over without comparing its bytes (thousands of lines per CapControl on large feeders).
    func firstDeliveryIndex(lowercasedName lower: String) -> Int? {
        let length = lower.utf8.count
        // By index: a closure over the elements would copy (retain) each element's arrays.
        for d in delivery.indices {
            if delivery[d].name.utf8.count != length, Self.isASCII(delivery[d].name) { continue }
            if PowerFlowSolver.lowercased(delivery[d].name, equals: lower) { return d }
        }
        return nil
    }

    @inline(__always) static func isASCII(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in !bytes.contains { $0 >= 0x80 } } ?? text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Full node name as OpenDSS prints it, e.g. "634.2".
    public func nodeName(_ index: Int) -> String {
        "\(buses[nodes[index].bus].name).\(nodes[index].number)"
    }

    mutating func setBase(bus: Int, kilovoltsLineToNeutral: Double) {
        buses[bus].baseKilovoltsLineToNeutral = kilovoltsLineToNeutral
    }

    /// Gives each bus with a base (line-to-line kV, nil: none) its line-to-neutral base, as
    /// `setBase(bus:kilovoltsLineToNeutral: base / √3)` bus by bus.
    mutating func setBases(kilovoltsLineToLine: [Double?]) {
        precondition(kilovoltsLineToLine.count == buses.count)
        for b in buses.indices {
            if let base = kilovoltsLineToLine[b] { buses[b].baseKilovoltsLineToNeutral = base / Primitives.sqrt3 }
        }
    }
}
