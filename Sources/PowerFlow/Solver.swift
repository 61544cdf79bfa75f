// Owns the power-flow solution: the system admittance matrix (delivery primitives plus the
// constant-impedance part of loads, as OpenDSS builds it), its KLU factorization, OpenDSS's
// fixed-point current-injection iteration with loads as compensation currents, load models
// 1/2/5/8 with the vminpu/vmaxpu switch, generator model 1, simple PV, and
// OpenDSS's control loop around it (the controls themselves are in Controls.swift).
import ComplexModule
import Feeder
import Kernel

/// Convergence settings of a solve.
public struct SolveSettings: Sendable, Equatable {
    /// Convergence tolerance on the per-unit change of node voltage magnitudes between iterations.
    public var tolerance: Double
    public var maxIterations: Int
    /// Fewest iterations before convergence may be declared (OpenDSS's MinIterations, default 2).
    public var minIterations = 2
    public var maxControlIterations: Int
    public var controlMode: ControlMode
    /// Iterate on the load/generator nodes only (exact same fixed point; see ReducedIteration.swift).
    public var reducedIteration: Bool
    /// Anderson-accelerate the full-network iteration (same fixed point and stopping rule; see
    /// FullIteration.swift). The reduced iteration is never accelerated.
    public var acceleration = true
    /// End a control round after which a control acts as soon as every control's decision is
    /// robust, before the full tolerance (static mode, full iteration; see
    /// PowerFlowSolver+EarlyDecision.swift). The last round always runs to the full tolerance.
    public var earlyControlDecisions = true
    /// Let the Anderson step of the full iteration move every node, not only the load nodes: the
    /// other nodes' voltages are extrapolated with the same coefficients, so the next iteration's
    /// change there measures the step's remaining error instead of the last plain iteration's. Same
    /// fixed point and stopping rule; fewer iterations (ckt5 yearly: see BENCHMARKS.md). Off by
    /// default, so the co-simulation's traces and checkpoints stay as recorded; on in settings made
    /// from a feeder's options (the `solve` command, the golden tests).
    public var accelerateEveryNode = false
    /// In the full iteration's back substitution, multiply by the pivots' reciprocals instead of
    /// dividing by the pivots (KLUFactorization.solveInPivotOrder): each solve's voltages move by
    /// about an ulp, the fixed point and the stopping rule stay. The division is the longest step
    /// of the chain from row to row (ckt5 yearly: the U solve 16 → 12 % of the run). Off by
    /// default, so the co-simulation's traces stay bit for bit what they were; on in settings made
    /// from a feeder's options.
    public var pivotReciprocals = false
    /// Keep the Anderson history of the full iteration when a control move changes Y.
    public var keepAccelerationAcrossMoves = true
    /// Start each time step's full iteration from a prediction made from the recent steps'
    /// solutions and shape multipliers (same fixed point and stopping rule; see
    /// PowerFlowSolver+Prediction.swift).
    public var stepPrediction = true
    /// Start a control round after a tap or capacitor move from the moved elements' learned
    /// responses, and a time step from the learned response to the change of total load (full
    /// iteration; PowerFlowSolver+MovePrediction.swift). Learned responses are not checkpointed, so
    /// it is off by default (the co-simulation restores checkpoints) and on in settings made from a
    /// feeder's options (the `solve` command, the golden tests).
    public var predictControlMoves = false

    public init(tolerance: Double = 1e-4, maxIterations: Int = 15, maxControlIterations: Int = 10,
                controlMode: ControlMode = .static, reducedIteration: Bool = true) {
        self.reducedIteration = reducedIteration
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.maxControlIterations = maxControlIterations
        self.controlMode = controlMode
    }

    public init(_ options: SolutionOptions) {
        self.init(tolerance: options.tolerance, maxIterations: options.maxIterations,
                  maxControlIterations: options.maxControlIterations, controlMode: options.controlMode)
        minIterations = options.minIterations
        predictControlMoves = true
        accelerateEveryNode = true
        pivotReciprocals = true
    }
}

/// Outcome of one solve (one snapshot or one time step).
public struct SolveOutcome: Sendable, Equatable {
    public var converged: Bool
    /// Fixed-point iterations summed over control iterations.
    public var iterations: Int
    public var controlIterations: Int
    /// Largest per-unit magnitude change in the last iteration.
    public var lastMaxChangePerUnit: Double
    /// Control actions executed during this solve (regulator tap moves and capacitor switchings).
    public var tapChanges: Int
    /// False when the control iteration limit ended the loop before the controls were done
    /// (OpenDSS's "Max Control Iterations Exceeded").
    public var controlsSettled = true
}

/// Per-branch quantities of a power-conversion element at its present power (OpenDSS's SetNominal).
///
/// Stored: what every iteration reads (the power, Yeq, the band's edges). The admittances and
/// currents used only outside the constant-power band (below vminpu, above vmaxpu) are formed
/// when asked, from the element's parameters, with the same expressions: a time step sets every
/// element's power, while an iteration asks for them only for the few elements outside the band
/// (ckt5 yearly: five of the seven divisions per load and step saved).
struct ConversionState: Codable {
    var watts = 0.0
    var vars = 0.0
    var yeq = CDouble.zero
    var vBaseLow = 0.0
    var vBase95 = 0.0
    var vBase105 = 0.0

    @inline(__always)
    private static func divided(_ z: CDouble, _ d: Double) -> CDouble {
        let q = SIMD2(z.real, z.imaginary) / SIMD2(repeating: d)
        return CDouble(q.x, q.y)
    }

    /// Yeq at vminpu, for element `e` (whose parameters made this state).
    func yeq95(_ e: ConversionParameters) -> CDouble {
        let vmin = e.voltageMinPerUnit
        return vmin != 0 ? Self.divided(yeq, vmin * vmin) : .zero
    }
    /// Yeq at vmaxpu.
    func yeq105(_ e: ConversionParameters) -> CDouble {
        let vmax = e.voltageMaxPerUnit
        return vmax != 0 ? Self.divided(yeq, vmax * vmax) : yeq
    }
    /// Yeq scaled for constant current above vmaxpu.
    func yeq105I(_ e: ConversionParameters) -> CDouble {
        let vmax = e.voltageMaxPerUnit
        return vmax != 0 ? Self.divided(yeq, vmax) : yeq
    }
    /// The current at vlowpu.
    var iLow: CDouble { yeq * vBaseLow }
    /// Slope of the constant-power ramp between vlowpu and vminpu.
    func m95(_ e: ConversionParameters) -> CDouble {
        let span = vBase95 - vBaseLow
        return span != 0 ? Self.divided(yeq95(e) * vBase95 - iLow, span) : .zero
    }
    /// Slope of the constant-current ramp between vlowpu and vminpu.
    func m95I(_ e: ConversionParameters) -> CDouble {
        let span = vBase95 - vBaseLow
        return span != 0 ? Self.divided(yeq * e.baseVolts - iLow, span) : .zero
    }
}

/// A solvable network: matrices, factorization, voltages and element powers. Not thread-safe.
public final class PowerFlowSolver {
    public internal(set) var network: Network
    public var settings: SolveSettings
    let pattern: SparsePattern
    let factorization: KLUFactorization
    var matrixValues: [Double]
    var matrixIsCurrent = false
    /// Node voltages (volts, phase to ground) by node index; see `voltages`.
    var voltageStorage: [CDouble]
    /// The full iteration's other voltage buffer: each iteration writes the new voltages here and
    /// swaps (`acceptSolution`), so keeping the previous ones (`previousVoltages`) copies nothing.
    var voltageScratch: [CDouble] = []
    /// True when the last reduced solve has not yet been expanded to all nodes.
    var voltagesStale = false
    /// Compensation injections (at the reduced nodes) and reduced-node voltages of the last solve.
    var pendingInjection: (re: [Double], im: [Double]) = ([], [])
    var reducedVoltages: (re: [Double], im: [Double]) = ([], [])

    /// Node voltages (volts, phase to ground) by node index, formed on first use after a solve.
    ///
    /// A time step only needs the load/generator nodes to converge; the other node voltages are
    /// one sparse triangular solve away and are computed when something reads them.
    public var voltages: [CDouble] {
        materializeVoltages()
        return voltageStorage
    }
    /// Line-to-neutral base voltage per node in volts (0 = none).
    public internal(set) var nodeBaseVolts: [Double]
    var states: [ConversionState]
    /// Each conversion element's plain parameters, in `network.conversion` order.
    var parameters: [ConversionParameters]
    /// Present power per conversion element (kW, kvar; consumption positive).
    var activeKilowatts: [Double]
    var activeKilovars: [Double]
    var taps: [[Double]]
    /// Capacitor switch states (true = in service), by model index.
    var capacitorClosed: [Bool]
    /// OpenDSS's control queue, solution clock and control states (see Controls.swift).
    var controls: ControlLoopState
    var rhs: [Double]
    var conversionIndexByName: [String: Int] = [:]
    var factors: TriangularFactors?
    var reduced: ReducedSystem?
    /// Whether solves take the full iteration (not the reduced one: off, or nothing reduced yet).
    var iteratesFull: Bool { !(settings.reducedIteration && reduced != nil && factors != nil) }
    /// Conversion branches flattened for the full iteration (built on first use).
    var branchTable: BranchTable?
    /// Anderson history of the last full solve, kept while Y is unchanged (nil after a refactor).
    var carriedHistory: AndersonHistory?
    /// Recent time-step solutions for the next step's starting point (set while a series runs).
    var stepPredictor: StepPredictor?
    /// How the time steps' starting points were chosen so far (PowerFlowSolver+Prediction.swift).
    public internal(set) var stepPredictionCounts = StepPredictionCounts()
    /// The last full assembly's stamps, and the delivery elements moved since (tap and capacitor moves).
    var stampCache: StampCache?
    var movedDeliveryElements: [Int] = []
    /// Node voltages before the last full iteration, kept while a round may end early.
    var previousVoltages: [CDouble] = []
    /// How the early ends of control rounds went so far (see PowerFlowSolver+EarlyDecision.swift).
    public internal(set) var earlyDecisionCounts = EarlyDecisionCounts()
    var measureSteps = true
    /// Number of (re)factorizations of the system matrix so far (changes only when Y changes).
    public internal(set) var factorizationCount = 0
    /// Learned responses to control moves (nil while `settings.predictControlMoves` is off).
    var movePredictor: MovePredictor?
    /// Rounds started from a predicted point so far.
    public internal(set) var movePredictionCount = 0
    var scratchRe: [Double] = []
    var scratchIm: [Double] = []
    /// Set while a time step runs, for the iteration events.
    var eventStep = 0
    var eventTime = SimTime.zero

    public convenience init(model: FeederModel) throws {
        try self.init(network: Network(model: model), settings: SolveSettings(model.options))
    }

    public init(network: Network, settings: SolveSettings) throws {
        self.network = network
        self.settings = settings
        var triplets: [(row: Int, column: Int)] = []
        // Room for every stamp at once: each delivery element's square, four per branch, the diagonal.
        var capacity = network.nodeCount
        for e in network.delivery { capacity += e.conductorNodes.count * e.conductorNodes.count }
        for c in network.conversion { capacity += 4 * c.branches.count + 1 }
        triplets.reserveCapacity(capacity)
        for e in network.delivery {
            for a in e.conductorNodes where a >= 0 {
                for b in e.conductorNodes where b >= 0 { triplets.append((a, b)) }
            }
        }
        for c in network.conversion {
            for (a, b) in c.branches {
                // The branch's 2×2 block in the order (a, a), (a, b), (b, a), (b, b), ground left out.
                if a >= 0 {
                    triplets.append((a, a))
                    if b >= 0 { triplets.append((a, b)) }
                }
                if b >= 0 {
                    if a >= 0 { triplets.append((b, a)) }
                    triplets.append((b, b))
                }
            }
            if let neutral = c.conductorNodes.last, neutral >= 0, c.neutralShunt != .zero {
                triplets.append((neutral, neutral))
            }
        }
        let n = network.nodeCount
        for i in 0..<n { triplets.append((i, i)) }
        pattern = SparsePattern(order: n, triplets: triplets)
        factorization = try KLUFactorization(pattern: pattern)
        matrixValues = [Double](repeating: 0, count: 2 * pattern.nonZeros)
        voltageStorage = [CDouble](repeating: .zero, count: n)
        nodeBaseVolts = [Double](repeating: 0, count: n)
        states = [ConversionState](repeating: ConversionState(), count: network.conversion.count)
        parameters = network.conversion.map(ConversionParameters.init)
        activeKilowatts = network.conversion.map(\.nominalKilowatts)
        activeKilovars = network.conversion.map(\.nominalKilovars)
        taps = network.model.transformers.map { $0.windings.map(\.tap) }
        capacitorClosed = network.model.capacitors.map { _ in true }
        controls = ControlLoopState(model: network.model)
        rhs = [Double](repeating: 0, count: 2 * n)
        for (i, c) in network.conversion.enumerated() { conversionIndexByName[c.name.lowercased()] = i }
        for i in 0..<network.conversion.count { updateState(i) }
        try computeVoltageBases()
        try initializeControls()
    }

    // MARK: Matrix

    /// Assembles Y values in triplet order (same order as the pattern was built, so every slot sums
    /// its contributions in the same order on every call: the values are bit-for-bit reproducible).
    /// `stamps`, when given (two per triplet), receives every added value: the cache a refactorization
    /// after a control move re-sums from (PowerFlowSolver+Assembly.swift); without it, that cache is dropped.
    func assemble(includeConversion: Bool, seriesOnly: Bool = false, stamps: UnsafeMutableBufferPointer<Double>? = nil) {
        var t = 0
        let model = network.model
        if stamps == nil { stampCache = nil }
        pattern.slotOfTriplet.withUnsafeBufferPointer { slots in
            matrixValues.withUnsafeMutableBufferPointer { values in
                for k in values.indices { values[k] = 0 }
                @inline(__always) func add(_ re: Double, _ im: Double) {
                    let slot = slots[t]
                    values[2 * slot] += re
                    values[2 * slot + 1] += im
                    if let stamps {
                        stamps[2 * t] = re
                        stamps[2 * t + 1] = im
                    }
                    t += 1
                }
                network.delivery.withUnsafeBufferPointer { delivery in
                    for k in delivery.indices {
                        let y = seriesOnly ? Self.seriesOnlyPrimitive(delivery[k], model: model) : delivery[k].yPrim
                        let order = y.order
                        delivery[k].conductorNodes.withUnsafeBufferPointer { nodes in
                            y.entries.withUnsafeBufferPointer { entries in
                                for i in nodes.indices where nodes[i] >= 0 {
                                    for j in nodes.indices where nodes[j] >= 0 {
                                        add(entries[i * order + j].real, entries[i * order + j].imaginary)
                                    }
                                }
                            }
                        }
                    }
                }
                // Without conversion elements (the zero-load solve of CalcVoltageBases) OpenDSS keeps their
                // diagonals scaled by 1e-10, so that a node reached only through a load stays defined.
                let scale = includeConversion ? 1.0 : 1e-10
                network.conversion.withUnsafeBufferPointer { conversion in
                    for k in conversion.indices {
                        let y = conversion[k].yBranch * scale
                        let off = includeConversion ? -y : .zero
                        conversion[k].branches.withUnsafeBufferPointer { branches in
                            for branch in branches {
                                let pair = (branch.a, branch.b)
                                for p in 0..<2 {
                                    let row = p == 0 ? pair.0 : pair.1
                                    guard row >= 0 else { continue }
                                    for q in 0..<2 {
                                        let column = q == 0 ? pair.0 : pair.1
                                        guard column >= 0 else { continue }
                                        let v = row == column ? y : off
                                        add(v.real, v.imaginary)
                                    }
                                }
                            }
                        }
                        let shunt = conversion[k].neutralShunt
                        if let neutral = conversion[k].conductorNodes.last, neutral >= 0, shunt != .zero {
                            let v = shunt * scale
                            add(v.real, v.imaginary)
                        }
                    }
                }
                for _ in 0..<network.nodeCount { add(0, 0) }
            }
        }
    }

    func refreshMatrix() throws {
        guard !matrixIsCurrent else { return }
        materializeVoltages()
        let changedSlots = assembleForFactorization()
        try factorization.factor(values: matrixValues, changedSlots: changedSlots)
        factorizationCount += 1
        matrixIsCurrent = true
        // A tap or capacitor move shifts the map by a nearly constant injection: its differences,
        // the secant model the history holds, stay valid (a step that grows the residual resets it).
        if !settings.keepAccelerationAcrossMoves { carriedHistory = nil }
        factors = nil
        reduced = nil
        if settings.reducedIteration {
            if branchTable == nil { branchTable = BranchTable(network) }
            let m = branchTable?.loadNodes.count ?? 0
            // The dense m×m block pays off only while it is small next to the factors (strictly
            // lower L and strictly upper U); the factors are copied only when it is used.
            let offDiagonal = try factorization.offDiagonalFactorEntries()
            if m > 0 && m * m <= 2 * offDiagonal {
                let f = try factorization.extractFactors()
                factors = f
                reduced = buildReducedSystem(f)
            }
        }
    }


    func loadSourceCurrents() {
        for k in rhs.indices { rhs[k] = 0 }
        for (node, current) in network.sourceCurrents {
            rhs[2 * node] += current.real
            rhs[2 * node + 1] += current.imaginary
        }
    }

    // MARK: Element powers

    /// Sets the present power of a load, generator or PV element (kW, kvar; consumption positive).
    func setPower(index: Int, kilowatts: Double, kilovars: Double) throws {
        guard kilowatts.isFinite, kilovars.isFinite else {
            throw PowerFlowError.nonFiniteInput("\(network.conversion[index].name): kW=\(kilowatts) kvar=\(kilovars)")
        }
        activeKilowatts[index] = kilowatts
        activeKilovars[index] = kilovars
        // From the arguments, not read back: two fewer checked accesses per load and step.
        states[index] = Self.conversionState(parameters[index], kilowatts: kilowatts, kilovars: kilovars)
    }

    /// OpenDSS's SetNominalLoad: per-branch powers, equivalent admittances and the low-voltage ramp.
    func updateState(_ index: Int) {
        // The plain parameters, not the element: no reference counting per load and step.
        states[index] = Self.conversionState(parameters[index], kilowatts: activeKilowatts[index],
                                             kilovars: activeKilovars[index])
    }

    /// The state `updateState` stores, from the element's parameters and present power. The real
    /// and imaginary parts of each complex-by-real quotient are divided in two SIMD lanes: the
    /// same quotients as one division each, half the division instructions.
    @inline(__always)
    static func conversionState(_ e: ConversionParameters, kilowatts: Double, kilovars: Double) -> ConversionState {
        var s = ConversionState()
        let power = SIMD2(kilowatts, kilovars) * 1000 / SIMD2(repeating: Double(e.phases))
        s.watts = power.x
        s.vars = power.y
        let vb = e.baseVolts
        let q = SIMD2(s.watts, -s.vars) / SIMD2(repeating: vb * vb)
        s.yeq = CDouble(q.x, q.y)
        s.vBaseLow = e.voltageLowPerUnit * vb
        s.vBase95 = e.voltageMinPerUnit * vb
        s.vBase105 = e.voltageMaxPerUnit * vb
        return s
    }

    /// The convergence measure of one node between iterations, as OpenDSS defines it: the change of
    /// the voltage magnitude in per unit of the node's base (relative when it has no base).
    @inline(__always)
    static func changePerUnit(new: Double, old: Double, base: Double) -> Double {
        base > 0 ? abs(new - old) / base : (new != 0 ? abs(1 - old / new) : 0)
    }

    /// One `powerflow_iteration` event for the step being solved.
    func recordIteration(_ iteration: Int, maxChange: Double, log: inout EventLog) {
        log.emit(eventTime, actor: "grid", PowerFlowIterationEvent(step: eventStep, iteration: iteration, maxChangePerUnit: maxChange))
    }

    /// Current drawn by one branch at voltage `v` across it (amperes, into the element).
    func branchCurrent(_ e: ConversionElement, _ s: ConversionState, _ v: CDouble) -> CDouble {
        branchCurrent(ConversionParameters(e), s, v)
    }

    /// Current drawn by one branch at voltage `v` across it (amperes, into the element), from the
    /// element's plain parameters (what the iterations use: no reference counting per call).
    @inline(__always)
    func branchCurrent(_ e: ConversionParameters, _ s: ConversionState, _ v: CDouble) -> CDouble {
        let vmag = v.length
        if e.kind != .load {
            // Generator model 1 and simple PV: constant PQ between vminpu and vmaxpu, else constant Z.
            if vmag <= s.vBase95 { return s.yeq95(e) * v }
            if vmag > s.vBase105 { return s.yeq105(e) * v }
            return (CDouble(s.watts, s.vars) / v).conjugate
        }
        switch e.loadModel {
        case 2:
            return s.yeq * v
        case 5:
            if vmag <= s.vBaseLow { return s.yeq * v }
            if vmag <= s.vBase95 { return (s.iLow + s.m95I(e) * (vmag - s.vBaseLow)) / vmag * v }
            if vmag > s.vBase105 { return s.yeq105I(e) * v }
            return (CDouble(s.watts, s.vars) / (v / vmag * e.baseVolts)).conjugate
        case 8:
            return zipvCurrent(e, s, v, vmag)
        case 3:
            // Constant P, quadratic Q (motor).
            if vmag <= s.vBaseLow { return s.yeq * v }
            if vmag <= s.vBase95 { return (s.iLow + s.m95(e) * (vmag - s.vBaseLow)) / vmag * v }
            if vmag > s.vBase105 { return s.yeq105(e) * v }
            return (CDouble(s.watts, 0) / v).conjugate + CDouble(0, s.yeq.imaginary) * v
        case 4:
            return cvrCurrent(e, s, v, vmag)
        case 6, 7:
            return fixedReactiveCurrent(e, s, v, vmag)
        default:
            if vmag <= s.vBaseLow { return s.yeq * v }
            if vmag <= s.vBase95 { return (s.iLow + s.m95(e) * (vmag - s.vBaseLow)) / vmag * v }
            if vmag > s.vBase105 { return s.yeq105(e) * v }
            return (CDouble(s.watts, s.vars) / v).conjugate
        }
    }

    /// Load model 4 (CVR): P ∝ (V/Vbase)^CVRwatts, Q ∝ (V/Vbase)^CVRvars, as OpenDSS's DoCVRModel.
    func cvrCurrent(_ e: ConversionParameters, _ s: ConversionState, _ v: CDouble, _ vmag: Double) -> CDouble {
        if vmag <= s.vBaseLow { return s.yeq * v }
        if vmag <= s.vBase95 { return (s.iLow + s.m95(e) * (vmag - s.vBaseLow)) / vmag * v }
        if vmag > s.vBase105 { return s.yeq105(e) * v }
        let ratio = vmag / e.baseVolts
        let wattFactor = e.cvrWatts != 1 ? power(ratio, e.cvrWatts) : ratio
        var current = wattFactor > 0 ? (CDouble(s.watts * wattFactor, 0) / v).conjugate : .zero
        if vmag == 0 { return current }
        if e.cvrVars == 2 {
            current = current + CDouble(0, s.yeq.imaginary) * v
        } else {
            let varFactor = e.cvrVars == 3 ? ratio * ratio * ratio : power(ratio, e.cvrVars)
            current = current + (CDouble(0, s.vars * varFactor) / v).conjugate
        }
        return current
    }

    /// Load models 6 (constant P, fixed Q) and 7 (constant P, fixed impedance Q): the reactive part
    /// comes from the base kvar, unscaled by shapes (OpenDSS's DoFixedQ and DoFixedQZ).
    func fixedReactiveCurrent(_ e: ConversionParameters, _ s: ConversionState, _ v: CDouble, _ vmag: Double) -> CDouble {
        let yqFixed = -e.fixedVarsPerBranch / (e.baseVolts * e.baseVolts)
        if vmag <= s.vBaseLow { return s.yeq * v }
        if vmag <= s.vBase95 { return CDouble(s.yeq95(e).real, yqFixed) * v }
        if vmag > s.vBase105 { return CDouble(s.yeq105(e).real, yqFixed) * v }
        if e.loadModel == 6 { return (CDouble(s.watts, e.fixedVarsPerBranch) / v).conjugate }
        return (CDouble(s.watts, 0) / v).conjugate + CDouble(0, yqFixed) * v
    }

    func zipvCurrent(_ e: ConversionParameters, _ s: ConversionState, _ v: CDouble, _ vmag: Double) -> CDouble {
        let z = e.zipv
        if vmag <= s.vBaseLow { return s.yeq * v }
        var current: CDouble
        if vmag <= s.vBase95 {
            let yp = (s.iLow + s.m95(e) * (vmag - s.vBaseLow)) / vmag
            let yi = (s.iLow + s.m95I(e) * (vmag - s.vBaseLow)) / vmag
            let y = CDouble(s.yeq.real * z[0], s.yeq.imaginary * z[3]) + CDouble(yi.real * z[1], yi.imaginary * z[4])
                + CDouble(yp.real * z[2], yp.imaginary * z[5])
            current = y * v
        } else if vmag > s.vBase105 {
            let (y105I, y105) = (s.yeq105I(e), s.yeq105(e))
            let y = CDouble(s.yeq.real * z[0], s.yeq.imaginary * z[3]) + CDouble(y105I.real * z[1], y105I.imaginary * z[4])
                + CDouble(y105.real * z[2], y105.imaginary * z[5])
            current = y * v
        } else {
            current = CDouble(s.yeq.real * z[0], s.yeq.imaginary * z[3]) * v
            if z[1] != 0 || z[4] != 0 {
                current = current + (CDouble(s.watts * z[1], s.vars * z[4]) / (v / vmag * e.baseVolts)).conjugate
            }
            if z[2] != 0 || z[5] != 0 {
                current = current + (CDouble(s.watts * z[2], s.vars * z[5]) / v).conjugate
            }
        }
        if z[6] > 0 {
            // Smooth drop-out below the cut-off voltage (OpenDSS's tanh ramp).
            let vx = 500 * (vmag / e.baseVolts - z[6])
            if vx < 20 {
                let evx = exponent(2 * vx)
                current = current * (0.5 * (1 + (evx - 1) / (evx + 1)))
            }
        }
        return current
    }

    // MARK: Iteration

    /// Solves at the present element powers, then runs OpenDSS's control loop (SolveSnap): solve,
    /// sample the controls and execute actions, until the controls are done or the control
    /// iteration limit is reached (controls are not sampled in the last allowed iteration).
    public func solve(log: inout EventLog) throws -> SolveOutcome {
        var total = 0
        var controlIteration = 0
        var tapChanges = 0
        var settled = true
        var result = (false, 0, Double.infinity)
        var lastRoundWasFull = false
        defer { finishPrediction(record: result.0 && lastRoundWasFull) }
        // The step prediction first (it needs the Y of its kept solutions, so a current matrix);
        // when it predicts, the load-response start does not apply (the voltages no longer are
        // the last solve's end), and nothing is learned from this step's first round.
        preparePrediction(stepPredicted: matrixIsCurrent && iteratesFull && startFromPrediction())
        while true {
            controlIteration += 1
            try refreshMatrix()
            var sampledEarly = false
            let full = iteratesFull
            if full && controlIteration > 1 { predictMoveResponse() }
            if settings.reducedIteration, let r = reduced, let f = factors {
                result = iterateReduced(r, f, log: &log)
            } else if mayDecideEarly(controlIteration: controlIteration) {
                var round = EarlyDecisionRound()
                result = iterate(log: &log) { change in
                    sampledEarly = self.decideEarly(maxChange: change, round: &round)
                    return sampledEarly
                }
                previousVoltages = []
            } else {
                result = iterate(log: &log)
            }
            total += result.1
            lastRoundWasFull = full
            guard result.0 else { break }
            if full { controlIteration > 1 ? learnMoveResponse() : learnLoadResponse() }
            guard controlIteration < settings.maxControlIterations else {
                settled = settings.controlMode == .off
                break
            }
            let before = movePredictor != nil ? controlSettingsSnapshot : nil
            keepRoundEnd()
            let pass = sampledEarly ? try doControlActions() : try sampleAndDoControlActions()
            if let before { noteMoves(since: before) }
            tapChanges += pass.changes
            if pass.done { break }
        }
        keepSolveEnd()
        return SolveOutcome(converged: result.0, iterations: total, controlIterations: controlIteration,
                            lastMaxChangePerUnit: result.2, tapChanges: tapChanges, controlsSettled: settled)
    }
}
