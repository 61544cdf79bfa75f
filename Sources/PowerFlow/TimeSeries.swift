// Owns daily/yearly time series with OpenDSS's time stamping (step k solved at t = k·Δt with
// shape sample k), the per-step solve that emits trace events, and the day metrics
// (energies, max kVA, losses, min/max voltage and where, unbalance, limit violations).
import ComplexModule
import Feeder
import Kernel

/// What a time series runs.
public struct TimeSeriesConfiguration: Sendable {
    public var mode: SolutionMode
    public var stepSeconds: Double
    public var numberOfSteps: Int
    public var startHour: Double
    /// Record the phase-to-ground voltage of every load conductor at every step.
    public var recordLoadVoltages: Bool
    public var limits: [VoltageLimits]
    /// Distribution transformer measured as the source (nil: the one with the lowest LV kV).
    public var sourceTransformer: String?
    /// Measure every step (source P/Q, losses, min/max, unbalance). Off only for pure-solve timing.
    public var measure = true
    /// Sample the script's monitors every step.
    public var recordMonitors = false

    public init(mode: SolutionMode = .yearly, stepSeconds: Double = 300, numberOfSteps: Int = 288, startHour: Double = 0,
                recordLoadVoltages: Bool = true, limits: [VoltageLimits] = [.en50160, .ansiRangeA],
                sourceTransformer: String? = nil) {
        self.mode = mode
        self.stepSeconds = stepSeconds
        self.numberOfSteps = numberOfSteps
        self.startHour = startHour
        self.recordLoadVoltages = recordLoadVoltages
        self.limits = limits
        self.sourceTransformer = sourceTransformer
    }
}

/// One solved step.
public struct StepRecord: Sendable, Equatable {
    public var step: Int
    public var hour: Double
    public var outcome: SolveOutcome
    public var measurement: StepMeasurement

    public init(step: Int, hour: Double, outcome: SolveOutcome, measurement: StepMeasurement) {
        self.step = step
        self.hour = hour
        self.outcome = outcome
        self.measurement = measurement
    }
}

/// Load conductor voltages of one step (volts), in load and conductor order.
public struct LoadVoltageRow: Sendable, Equatable {
    public var step: Int
    public var load: String
    public var busNode: String
    public var voltage: CDouble
}

/// A finished time series.
public struct TimeSeriesResult: Sendable {
    public var configuration: TimeSeriesConfiguration
    public var sourceElement: String
    public var steps: [StepRecord]
    public var loadVoltages: [LoadVoltageRow]
    /// Samples of the script's monitors (modes 0, 1, 2 on lines and transformers).
    public var monitors: [MonitorSeries]
    public var lowVoltageNodeCount: Int
    public var threePhaseBusCount: Int
    public var loadElementCount: Int
    public var generatorElementCount: Int

    public var allConverged: Bool { steps.allSatisfy(\.outcome.converged) }
    public var iterationsTotal: Int { steps.reduce(0) { $0 + $1.outcome.iterations } }
}

extension LoadShape {
    /// (P, Q) multipliers at `hour` as OpenDSS's GetMultAtHour for fixed-interval shapes.
    func multipliers(atHour hour: Double) -> (Double, Double) {
        let count = numberOfPoints > 0 ? min(numberOfPoints, multipliers.count) : multipliers.count
        guard count > 0 else { return (1, 1) }
        if count == 1 || intervalHours <= 0 {
            return (multipliers[0], reactiveMultipliers?.first ?? multipliers[0])
        }
        var index = Int((hour / intervalHours).rounded(.toNearestOrEven))
        if index > count { index = index % count }
        if index == 0 { index = count }
        if index < 0 { index = ((index % count) + count) % count; if index == 0 { index = count } }
        let p = multipliers[index - 1]
        let q = reactiveMultipliers.flatMap { index - 1 < $0.count ? $0[index - 1] : nil } ?? p
        return (p, q)
    }
}

/// One load shape's (P, Q) multipliers at one hour, and how they apply.
struct ShapeSample {
    var active: Double
    var reactive: Double
    var useActual: Bool
    var hasReactive: Bool

    init(_ shape: LoadShape, hour: Double) {
        (active, reactive) = shape.multipliers(atHour: hour)
        useActual = shape.useActual
        hasReactive = shape.reactiveMultipliers != nil
    }
}

extension PowerFlowSolver {
    /// Sets every load, generator and PV element from its shape at `hour` (daily or yearly mode).
    public func applyShapes(mode: SolutionMode, hour: Double) throws {
        let model = network.model
        // Each shape's multipliers at this hour, looked up once (thousands of loads share a few shapes).
        var samples = [ShapeSample?](repeating: nil, count: model.loadShapes.count)
        var refused: (index: Int, kilowatts: Double, kilovars: Double)?
        // One pass over raw buffers: no exclusivity check per element and array, and each element's
        // parameters read in place (not copied, about 250 bytes, per element and step).
        parameters.withUnsafeBufferPointer { parameters in
            activeKilowatts.withUnsafeMutableBufferPointer { kilowatts in
                activeKilovars.withUnsafeMutableBufferPointer { kilovars in
                    states.withUnsafeMutableBufferPointer { states in
                        precondition(kilowatts.count == parameters.count && kilovars.count == parameters.count
                                     && states.count == parameters.count, "element buffer sizes")
                        guard let first = parameters.baseAddress else { return }
                        for i in parameters.indices {
                            let e = first + i
                            let shapeIndex: Int
                            switch mode {
                            case .snapshot: shapeIndex = -1
                            case .daily: shapeIndex = e.pointee.dailyShape
                            case .yearly: shapeIndex = e.pointee.yearlyShape
                            }
                            var p = e.pointee.nominalKilowatts, q = e.pointee.nominalKilovars
                            if shapeIndex >= 0 {
                                let shape = samples[shapeIndex] ?? ShapeSample(model.loadShapes[shapeIndex], hour: hour)
                                samples[shapeIndex] = shape
                                (p, q) = shapedPower(index: i, e, shape)
                            }
                            guard p != kilowatts[i] || q != kilovars[i] else { continue }
                            guard p.isFinite, q.isFinite else { return refused = (i, p, q) }
                            kilowatts[i] = p
                            kilovars[i] = q
                            states[i] = Self.conversionState(e.pointee, kilowatts: p, kilovars: q)
                        }
                    }
                }
            }
        }
        if let refused {
            throw PowerFlowError.nonFiniteInput("\(network.conversion[refused.index].name): kW=\(refused.kilowatts) kvar=\(refused.kilovars)")
        }
        // A running series' predictor fits the next solution to the multipliers in use (shape order).
        if stepPredictor != nil {
            var multipliers: [Double] = []
            for case let sample? in samples {
                multipliers.append(sample.active)
                if sample.hasReactive { multipliers.append(sample.reactive) }
            }
            stepPredictor?.pendingDrivers = StepPredictor.drivers(multipliers)
        }
    }

    /// An element's (kW, kvar) from its shape's multipliers (as `setPower` takes them).
    @inline(__always)
    private func shapedPower(index: Int, _ e: UnsafePointer<ConversionParameters>, _ shape: ShapeSample) -> (Double, Double) {
        let (mp, mq) = (shape.active, shape.reactive)
        let (nominalKilowatts, nominalKilovars) = (e.pointee.nominalKilowatts, e.pointee.nominalKilovars)
        if shape.useActual {
            let sign = e.pointee.kind == .load ? 1.0 : -1.0
            let p = sign * mp
            return (p, shape.hasReactive ? sign * mq : (nominalKilowatts != 0 ? p * nominalKilovars / nominalKilowatts : 0))
        }
        if let peak = e.pointee.pvPeakKilowatts {
            let (kw, kvar) = network.conversion[index].pvOutput(availableKilowatts: peak * mp)
            return (-kw, -kvar)
        }
        return (nominalKilowatts * mp, nominalKilovars * mq)
    }

    /// Solves one step at the present powers, measures it and emits its events.
    ///
    /// Every fixed-point iteration becomes a `.powerFlowIteration` event (step, iteration, max ΔV pu);
    /// the step itself a `.powerFlowStep` event. Non-convergence is reported in both, never hidden.
    public func solveStep(step: Int, time: SimTime, area: MeasurementArea, limits: [VoltageLimits] = [.en50160, .ansiRangeA],
                          log: inout EventLog) throws -> (SolveOutcome, StepMeasurement) {
        eventStep = step
        eventTime = time
        let outcome = try solve(log: &log)
        let m = measureSteps ? measure(area, limits: limits) : StepMeasurement.notMeasured
        if log.isEnabled {
            let counted = limits.enumerated().filter { $0.offset < m.violations.count }
            log.emit(time, actor: "grid", PowerFlowStepEvent(
                step: step, converged: outcome.converged, iterations: outcome.iterations, controlIterations: outcome.controlIterations,
                maxChangePerUnit: outcome.lastMaxChangePerUnit, measurement: m,
                violations: counted.map { (limit: $0.element.name, nodes: Int64(m.violations[$0.offset])) }))
            // One limit-violation event per band that LV nodes left in this step.
            for (k, limit) in counted where m.violations[k] > 0 {
                log.emit(time, actor: "grid", LimitViolationEvent(
                    step: step, lowPerUnit: limit.lowPerUnit, highPerUnit: limit.highPerUnit,
                    scope: .band(limit: limit.name, nodes: Int64(m.violations[k]), voltageMinPerUnit: m.voltageMinPerUnit,
                                 voltageMinNode: m.voltageMinNode, voltageMaxPerUnit: m.voltageMaxPerUnit,
                                 voltageMaxNode: m.voltageMaxNode)))
            }
        }
        return (outcome, m)
    }

    /// Runs a daily or yearly series: step k (1-based) is solved at hour start + k·Δt.
    public func runTimeSeries(_ configuration: TimeSeriesConfiguration, log: inout EventLog) throws -> TimeSeriesResult {
        let area = try measurementArea(transformerName: configuration.sourceTransformer)
        measureSteps = configuration.measure
        defer { measureSteps = true }
        var steps: [StepRecord] = []
        steps.reserveCapacity(configuration.numberOfSteps)
        var rows: [LoadVoltageRow] = []
        let loads = network.conversion.indices.filter { network.conversion[$0].kind == .load }
        let stepHours = configuration.stepSeconds / 3600
        let probes = configuration.recordMonitors ? monitorProbes() : []
        var monitors = probes.map { p in
            MonitorSeries(name: network.model.monitors[p.index].name, channels: Self.channels(p), rows: [])
        }
        // Each load conductor's row labels, named once for the whole run.
        let loadNodes: [(load: String, busNode: String, node: Int)] = !configuration.recordLoadVoltages ? [] : loads.flatMap { l in
            let e = network.conversion[l]
            let load = String(e.name.dropFirst("Load.".count))
            return e.conductorNodes.filter { $0 >= 0 }.map { (load, network.nodeName($0), $0) }
        }
        // As `Set mode=daily|yearly hour=…`: controls reset, the clock at the start hour, then
        // advanced by one step before each solve.
        resetControls()
        controls.clock = SolutionClock(hours: configuration.startHour)
        stepPredictor = settings.stepPrediction ? StepPredictor() : nil
        defer { stepPredictor = nil }
        for k in 1...max(1, configuration.numberOfSteps) {
            controls.clock.advance(bySeconds: configuration.stepSeconds)
            // Event mode moves the clock to the actions it executes; the shapes follow the clock.
            let hour = settings.controlMode == .event ? controls.clock.hours : configuration.startHour + Double(k) * stepHours
            try applyShapes(mode: configuration.mode, hour: hour)
            let time = SimTime.fromSeconds(Double(k) * configuration.stepSeconds)
            let (outcome, m) = try solveStep(step: k, time: time, area: area, limits: configuration.limits, log: &log)
            steps.append(StepRecord(step: k, hour: hour, outcome: outcome, measurement: m))
            for (i, p) in probes.enumerated() {
                monitors[i].rows.append((configuration.startHour * 3600 + Double(k) * configuration.stepSeconds, sample(p)))
            }
            if configuration.recordLoadVoltages {
                materializeVoltages()
                for entry in loadNodes {
                    rows.append(LoadVoltageRow(step: k, load: entry.load, busNode: entry.busNode, voltage: voltageStorage[entry.node]))
                }
            }
        }
        return TimeSeriesResult(configuration: configuration, sourceElement: area.sourceElementName, steps: steps,
                                loadVoltages: rows, monitors: monitors, lowVoltageNodeCount: area.lowVoltageNodeCount,
                                threePhaseBusCount: area.threePhaseBusCount,
                                loadElementCount: area.conversionIndices.filter { network.conversion[$0].kind == .load }.count,
                                generatorElementCount: area.conversionIndices.filter { network.conversion[$0].kind != .load }.count)
    }
}

/// Day totals of a time series (rectangle rule: value(step) × Δt), as in the goldens' metrics.json.
public struct TimeSeriesMetrics: Sendable {
    public var energyImportedKilowattHours = 0.0
    public var energyExportedKilowattHours = 0.0
    public var reactiveEnergyAbsoluteKilovarHours = 0.0
    public var reactiveEnergySignedKilovarHours = 0.0
    public var maxApparentPowerKilovoltAmperes = -Double.infinity
    public var maxApparentPowerStep = 0
    public var maxSourceKilowatts = -Double.infinity
    public var minSourceKilowatts = Double.infinity
    public var loadEnergyKilowattHours = 0.0
    public var generationEnergyKilowattHours = 0.0
    public var lossesKilowattHours = 0.0
    public var reactiveLossesKilovarHours = 0.0
    public var voltageMin = (value: Double.infinity, node: "", step: 0)
    public var voltageMax = (value: -Double.infinity, node: "", step: 0)
    public var unbalanceSpread = (value: 0.0, bus: "", step: 0)
    public var unbalanceMaxDeviation = (value: 0.0, bus: "", step: 0)
    public var unbalanceVUF = (value: 0.0, bus: "", step: 0)
    /// Node-steps outside each limit band, and steps with at least one violation.
    public var violationNodeSteps: [Int] = []
    public var violationSteps: [Int] = []

    public var energyNetKilowattHours: Double { energyImportedKilowattHours - energyExportedKilowattHours }
    public var lossesPercentOfLoadEnergy: Double { lossesKilowattHours / loadEnergyKilowattHours * 100 }

    public init(_ result: TimeSeriesResult) {
        self.init(steps: result.steps, stepSeconds: result.configuration.stepSeconds, limitCount: result.configuration.limits.count)
    }

    /// Totals over steps solved `stepSeconds` apart (e.g. by a co-simulation that solves step by step).
    public init(steps: [StepRecord], stepSeconds: Double, limitCount: Int) {
        let h = stepSeconds / 3600
        violationNodeSteps = [Int](repeating: 0, count: limitCount)
        violationSteps = violationNodeSteps
        for s in steps {
            let m = s.measurement
            energyImportedKilowattHours += max(m.sourceKilowatts, 0) * h
            energyExportedKilowattHours += max(-m.sourceKilowatts, 0) * h
            reactiveEnergyAbsoluteKilovarHours += abs(m.sourceKilovars) * h
            reactiveEnergySignedKilovarHours += m.sourceKilovars * h
            let kva = (m.sourceKilowatts * m.sourceKilowatts + m.sourceKilovars * m.sourceKilovars).squareRoot()
            if kva > maxApparentPowerKilovoltAmperes { maxApparentPowerKilovoltAmperes = kva; maxApparentPowerStep = s.step }
            maxSourceKilowatts = max(maxSourceKilowatts, m.sourceKilowatts)
            minSourceKilowatts = min(minSourceKilowatts, m.sourceKilowatts)
            loadEnergyKilowattHours += m.loadKilowatts * h
            generationEnergyKilowattHours += m.generationKilowatts * h
            lossesKilowattHours += m.lossesKilowatts * h
            reactiveLossesKilovarHours += m.lossesKilovars * h
            if m.voltageMinPerUnit < voltageMin.value { voltageMin = (m.voltageMinPerUnit, m.voltageMinNode, s.step) }
            if m.voltageMaxPerUnit > voltageMax.value { voltageMax = (m.voltageMaxPerUnit, m.voltageMaxNode, s.step) }
            let u = m.unbalance
            if u.spreadPercent > unbalanceSpread.value { unbalanceSpread = (u.spreadPercent, u.spreadBus, s.step) }
            if u.maxDeviationPercent > unbalanceMaxDeviation.value { unbalanceMaxDeviation = (u.maxDeviationPercent, u.maxDeviationBus, s.step) }
            if u.vufPercent > unbalanceVUF.value { unbalanceVUF = (u.vufPercent, u.vufBus, s.step) }
            for k in violationNodeSteps.indices where k < m.violations.count {
                violationNodeSteps[k] += m.violations[k]
                if m.violations[k] > 0 { violationSteps[k] += 1 }
            }
        }
    }
}
