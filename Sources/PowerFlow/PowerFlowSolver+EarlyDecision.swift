// Owns the early end of intermediate control rounds. A control round after which a control acts only
// provides the starting point of the next round, so it need not reach the full tolerance: once the
// iterate is close, every control's decision quantity (regulator control voltage, tap rounding,
// vlimit, reverse power; CapControl voltage, current, kvar, power factor and the voltage override)
// is compared with the nearest threshold it is tested against. When every margin exceeds a
// conservative bound on the quantity's remaining error, the decisions at the fixed point are the
// ones taken now: the controls sample and the round ends. A round in which no control would act is
// the last one and always runs to the full tolerance with OpenDSS's stopping rule. Only static
// control mode and the full iteration use it (the reduced iteration and its traces are untouched).
import ComplexModule
import Feeder
import Kernel

/// One quantity a control compares with thresholds: its value and its distance to the nearest one.
struct DecisionQuantity: Equatable {
    var value: Double
    var margin: Double
    /// Size of what the value is measured from (a control voltage for a tap change): its error
    /// scales with it and the per-unit change of the voltages.
    var scale: Double

    init(value: Double, thresholds: [Double], scale: Double? = nil) {
        self.value = value
        margin = thresholds.reduce(Double.infinity) { min($0, abs(value - $1)) }
        self.scale = scale ?? abs(value)
    }

    /// A value rounded to the nearest multiple of `step`: the thresholds are the odd half-steps.
    init(value: Double, roundedTo step: Double, scale: Double) {
        self.value = value
        let steps = value / step
        margin = abs(steps - steps.rounded(.down) - 0.5) * step
        self.scale = scale
    }

    /// A value whose count of `step`s (rounded to nearest) matters only through `outcome` of the
    /// count's magnitude: the thresholds are the half-steps k + ½ between counts k and k + 1 with
    /// different outcomes, for k up to `constantFrom` (from which on the outcome no longer changes).
    init(value: Double, roundedTo step: Double, scale: Double, constantFrom: Int, outcome: (Int) -> Int) {
        self.value = value
        self.scale = scale
        let steps = abs(value / step)
        var nearest = Double.infinity
        for k in 0..<max(0, constantFrom) where outcome(k) != outcome(k + 1) {
            nearest = min(nearest, abs(steps - (Double(k) + 0.5)))
        }
        margin = nearest * step
    }
}

/// How often the early end was tried, taken, or showed the round to be the last.
public struct EarlyDecisionCounts: Sendable, Equatable {
    /// Rounds ended early with the controls' decisions taken there.
    public var decided = 0
    /// Rounds found (robustly) to be the last: they ran on to the full tolerance.
    public var final = 0
    /// Checks at which some margin was below its error bound (the iteration went on).
    public var notRobust = 0
}

/// What one control round remembers about its early-decision checks.
struct EarlyDecisionRound {
    /// No further checks in this round (it is the last one, or its controls cannot be judged early).
    var stopAsking = false
    /// Each quantity's change at the last check (empty before the first).
    var lastChanges: [Double] = []
}

extension PowerFlowSolver {
    /// The largest max change at which a round may end early (below it the margins are checked).
    static let earlyDecisionChange = 1e-4
    /// Below this max change the iteration keeps the voltages before each iteration.
    static let earlyDecisionTrackingChange = 1e-2
    /// How many times its estimate (the larger of its last two changes plus the max change times
    /// its scale) a quantity's remaining error may be. Over every check of the IEEE 8500 day the
    /// error at the fixed point was at most 1.64 times the estimate: 100 leaves a factor of 60.
    static let earlyDecisionSafety = 100.0
    /// Up to this maxtapchange a regulator's tap counts are compared one by one (beyond it, with
    /// every half-step as a threshold).
    static let tapCountsJudgedSeparately = 64

    /// Whether this control round may end before the full tolerance.
    func mayDecideEarly(controlIteration: Int) -> Bool {
        settings.earlyControlDecisions && settings.controlMode == .static
            && controlIteration < settings.maxControlIterations
    }

    /// Asked by the full iteration after an iteration with max change `maxChange`: true when the
    /// controls have sampled robustly and will act (the round ends here). Leaves everything as it
    /// was when it answers false.
    func decideEarly(maxChange: Double, round: inout EarlyDecisionRound) -> Bool {
        guard !round.stopAsking, maxChange <= Self.earlyDecisionChange, maxChange.isFinite,
              previousVoltages.count == voltageStorage.count else { return false }
        guard let now = decisionQuantities() else {
            round.stopAsking = true
            return false
        }
        swap(&voltageStorage, &previousVoltages)
        let before = decisionQuantities()
        swap(&voltageStorage, &previousVoltages)
        guard let before else {
            round.stopAsking = true
            return false
        }
        // A different list (a regulator in band at one point, out at the other) is a threshold crossed.
        guard before.count == now.count else {
            earlyDecisionCounts.notRobust += 1
            return false
        }
        // The change since the previous iterate, or the one before when that was larger (an
        // accelerated step can leave a quantity nearly still once and move it again after): the
        // first check of a round only records its changes. Measured on the IEEE 8500 day, the
        // error at the fixed point never exceeded 1.7 × (that change + max change × scale).
        let changes = zip(now, before).map { abs($0.value - $1.value) }
        let earlierChanges = round.lastChanges
        round.lastChanges = changes
        guard earlierChanges.count == changes.count else {
            earlyDecisionCounts.notRobust += 1
            return false
        }
        for (i, q) in now.enumerated() {
            let earlier = earlierChanges[i]
            let bound = Self.earlyDecisionSafety * (max(changes[i], earlier) + maxChange * q.scale)
            guard q.margin > bound, bound.isFinite else {
                earlyDecisionCounts.notRobust += 1
                return false
            }
        }
        let saved = controls
        do {
            try sampleControls()
        } catch {
            controls = saved
            round.stopAsking = true
            return false
        }
        guard !controls.queue.isEmpty else {
            // The same decisions at the fixed point: nothing acts, this is the last round.
            controls = saved
            earlyDecisionCounts.final += 1
            round.stopAsking = true
            return false
        }
        earlyDecisionCounts.decided += 1
        return true
    }

    /// Every enabled control's decision quantities at the present voltages, in a fixed order; nil
    /// when some decision depends on the voltages other than through a threshold (inverse-time
    /// delay, or the phase a MAX/MIN PT selects for line-drop compensation).
    func decisionQuantities() -> [DecisionQuantity]? {
        var list: [DecisionQuantity] = []
        let model = network.model
        for k in model.regControls.indices where model.regControls[k].enabled {
            guard regulatorDecisionQuantities(k, into: &list) else { return nil }
        }
        for k in model.capControls.indices where model.capControls[k].enabled {
            capacitorDecisionQuantities(k, into: &list)
        }
        return list
    }

    /// What `sampleRegulator` and `decideTapChange` compare: forward power with the reverse
    /// thresholds, the control voltage with the band, the local voltage with vlimit, and (out of
    /// band) the tap change before rounding.
    func regulatorDecisionQuantities(_ index: Int, into list: inout [DecisionQuantity]) -> Bool {
        let rc = network.model.regControls[index]
        guard let g = controls.regulatorGeometries[index], rc.maxTapChange > 0 else { return true }
        if rc.inverseTime { return false }
        let hasLDC = rc.ldcResistance != 0 || rc.ldcReactance != 0 || rc.ldcImpedance > 0
        if hasLDC && rc.regulatedBus == nil && (rc.ptPhase == .maximum || rc.ptPhase == .minimum) { return false }
        let state = controls.regulators[index]
        let element = network.delivery[g.element]
        let t = network.model.transformers[g.transformer]
        let v = conductorVoltages(element)
        let currents = conductorCurrents(element, v)
        if rc.regulatedBus == nil && (rc.reversible || rc.cogeneration) {
            let forwardWatts = -terminalPower(element, terminal: g.winding, v, currents).real
            let threshold = rc.reverseThresholdKilowatts * 1000
            list.append(DecisionQuantity(value: forwardWatts, thresholds: [-threshold, threshold]))
        }
        let reading = regulatorReading(rc, g, t, v, currents, state)
        let target = regulationTarget(rc, g, reading, state)
        let vActual = target.actualVolts
        let regulate = (volts: target.settingVolts, band: target.bandVolts)
        let band = DecisionQuantity(value: vActual, thresholds: [regulate.volts - regulate.band / 2, regulate.volts + regulate.band / 2])
        list.append(band)
        let overLimit = rc.voltageLimit > 0 && reading.localVoltage > rc.voltageLimit
        if rc.voltageLimit > 0 { list.append(DecisionQuantity(value: reading.localVoltage, thresholds: [rc.voltageLimit])) }
        let increment = tapIncrement(t.windings[g.tapWinding])
        guard abs(regulate.volts - vActual) > regulate.band / 2 || overLimit, increment > 0 else { return true }
        let boostVolts = overLimit ? rc.voltageLimit - reading.localVoltage : regulate.volts - vActual
        let measured = overLimit ? reading.localVoltage : vActual
        list.append(tapCountQuantity(rc, windingBaseVolts(t, g.winding), increment: increment, boostVolts: boostVolts, measured: measured))
        return true
    }

    /// The tap change `decideTapChange` queues rounds boost/increment: in volts, thresholds every
    /// increment's worth of volts. In static mode only the taps the action will move count (70 % of
    /// the rounded change, at least one, at most maxtapchange: neighbouring counts often move the
    /// same taps), so only the half-steps between counts that move different taps are thresholds.
    func tapCountQuantity(_ rc: RegControl, _ windingBaseVolts: Double, increment: Double, boostVolts: Double,
                          measured: Double) -> DecisionQuantity {
        let stepVolts = increment * windingBaseVolts / rc.ptRatio
        let limit = rc.maxTapChange
        guard settings.controlMode == .static && limit <= Self.tapCountsJudgedSeparately else {
            return DecisionQuantity(value: boostVolts, roundedTo: stepVolts, scale: measured)
        }
        let constantFrom = Int((Double(limit) / 0.7).rounded(.up)) + 2
        return DecisionQuantity(value: boostVolts, roundedTo: stepVolts, scale: measured, constantFrom: constantFrom) { count in
            count == 0 ? 0 : Self.staticTapSteps(pending: Double(count) * increment, increment: increment, maxTapChange: limit)
        }
    }

    /// What `sampleCapacitorControl` and `decideCapacitorSwitch` compare with their settings.
    func capacitorDecisionQuantities(_ index: Int, into list: inout [DecisionQuantity]) {
        let cc = network.model.capControls[index]
        guard let target = controls.capacitorTargets[index] else { return }
        let reading = capacitorControlReading(cc, target)
        let capacitor = network.model.capacitors[target.capacitor]
        // Only the tests the bank's present state makes (`sampleCapacitorControl`,
        // `decideCapacitorSwitch`): an open bank only closes, a closed one opens, and adds a
        // step only while it has one left.
        let closed = capacitorClosed[target.capacitor]
        let stepsLeft = availableSteps(target.capacitor) > 0
        func tested(on: Double, off: Double) -> [Double] { !closed ? [on] : (stepsLeft ? [on, off] : [off]) }
        if cc.voltageOverride && cc.type != .voltage {
            var overrideReading = reading
            if let bus = target.overrideBus {
                overrideReading.terminalVoltages = overrideBusVoltages(bus, reading, phases: capacitor.phases)
            }
            let vTest = capacitorControlVoltage(cc, capacitor, overrideReading)
            list.append(DecisionQuantity(value: vTest, thresholds: [closed ? cc.voltageMax : cc.voltageMin]))
        }
        let settings = tested(on: cc.onSetting, off: cc.offSetting)
        switch cc.type {
        case .voltage:
            list.append(DecisionQuantity(value: capacitorControlVoltage(cc, capacitor, reading), thresholds: settings))
        case .current:
            list.append(DecisionQuantity(value: capacitorControlCurrent(cc, capacitor, reading), thresholds: settings))
        case .kvar:
            list.append(DecisionQuantity(value: reading.terminalPower.imaginary * 0.001, thresholds: settings))
        case .powerFactor:
            let s = reading.terminalPower
            let magnitude = s.length
            var pf = magnitude != 0 ? abs(s.real) / magnitude : 1
            if s.imaginary < 0 { pf = 2 - pf }
            list.append(DecisionQuantity(value: pf, thresholds: tested(on: cc.powerFactorOn, off: cc.powerFactorOff)))
            // The minimum kvar of the bank's state (closing only) and the sign of Q.
            let minimumKvar = closed
                ? capacitor.kilovars / Double(capacitor.numberOfSteps) * 0.5 : capacitor.kilovars * cc.minimumKvarPercent * 0.01
            list.append(DecisionQuantity(value: s.imaginary * 0.001, thresholds: !closed || stepsLeft ? [minimumKvar, 0] : [0]))
        case .time:
            break
        }
    }
}
