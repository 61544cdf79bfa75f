// Owns RegControl as OpenDSS samples and acts: the control voltage of the monitored winding (or a
// remote bus) by PT phase, line-drop compensation (R/X or LDC_Z), vlimit, band and the rounded tap
// proposal, reverse-power and cogeneration modes, the queued tap change with its delay (inverse
// time), and the tap arithmetic of each control mode (static: 70 % of the way but at least one tap;
// time and event: one tap per action, then again after tapdelay).
import ComplexModule
import Feeder
import Kernel

/// What a RegControl remembers between samples (OpenDSS's Armed, PendingTapChange, reverse flags).
struct RegulatorState: Codable {
    var armed = false
    var actionHandle = 0
    var pendingTapChange = 0.0
    var reversePending = false
    var inReverseMode = false
    var inCogenMode = false
    var reverseHandle = 0
    var reverseBackHandle = 0
}

/// Where a RegControl acts: the transformer (model and delivery index) and its windings (0-based).
struct RegulatorGeometry: Codable {
    var transformer: Int
    var element: Int
    var winding: Int
    var tapWinding: Int
}

/// The voltages a RegControl samples, volts on the 120 V base.
struct RegulatorReading {
    var controlVoltage: CDouble
    var controlledPhase: Int
    var localVoltage: Double
}

extension PowerFlowSolver {
    /// Where the RegControl acts; nil while its transformer is disabled (the control then rests).
    /// Resolved once when the solver is set up (see `controls.regulatorGeometries`).
    func resolveRegulatorGeometry(_ rc: RegControl) throws -> RegulatorGeometry? {
        let model = network.model
        guard let ti = model.transformerIndex(named: rc.transformer) else {
            throw PowerFlowError.invalidElement("RegControl.\(rc.name)", "no transformer \(rc.transformer)")
        }
        guard let k = network.delivery.firstIndex(where: { $0.kind == .transformer && $0.modelIndex == ti }) else {
            return nil
        }
        let windings = model.transformers[ti].windings.count
        let tapWinding = rc.tapWinding ?? rc.winding
        guard rc.winding <= windings, tapWinding <= windings else {
            throw PowerFlowError.invalidElement("RegControl.\(rc.name)", "winding out of range 1...\(windings)")
        }
        return RegulatorGeometry(transformer: ti, element: k, winding: rc.winding - 1, tapWinding: tapWinding - 1)
    }

    /// Tap step of a winding, per unit (OpenDSS's TapIncrement).
    func tapIncrement(_ w: Winding) -> Double {
        w.numberOfTaps > 0 ? (w.maxTap - w.minTap) / Double(w.numberOfTaps) : 0
    }

    /// Voltages of one element's conductors (ground = 0).
    func conductorVoltages(_ element: DeliveryElement) -> [CDouble] {
        element.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
    }

    /// Currents into one element's conductors (Yprim · V), amperes.
    func conductorCurrents(_ element: DeliveryElement, _ v: [CDouble]) -> [CDouble] {
        v.indices.map { i in v.indices.reduce(CDouble.zero) { $0 + element.yPrim[i, $1] * v[$1] } }
    }

    /// Complex power into one terminal, summed over its conductors, VA (OpenDSS's Power[terminal]).
    func terminalPower(_ element: DeliveryElement, terminal: Int, _ v: [CDouble], _ i: [CDouble]) -> CDouble {
        let k = element.conductorsPerTerminal
        var s = CDouble.zero
        for c in terminal * k..<(terminal + 1) * k where c < v.count { s = s + v[c] * i[c].conjugate }
        return s
    }

    /// Voltages across each phase of a winding (OpenDSS's GetWindingVoltages, ANSI delta rotation).
    func windingVoltages(_ t: Transformer, winding: Int, _ v: [CDouble]) -> [CDouble] {
        let k = winding * (t.phases + 1)
        return (0..<t.phases).map { i in
            switch t.windings[winding].connection {
            case .wye: return v[k + i] - v[k + t.phases]
            case .delta:
                // Next phase; a 1- or 2-phase delta closes on the winding's next conductor.
                let next = t.phases > 2 ? (i + 1) % t.phases : i + 1
                return v[k + i] - v[k + next]
            }
        }
    }

    /// The phase voltage a PT selects (number, or the highest/lowest magnitude), divided by the ratio.
    func selectPhase(_ phase: MonitoredPhase, _ v: [CDouble], ptRatio: Double) -> (CDouble, Int) {
        var chosen = 0
        switch phase {
        case .maximum:
            for i in v.indices.dropFirst() where v[i].length > v[chosen].length { chosen = i }
        case .minimum:
            for i in v.indices.dropFirst() where v[i].length < v[chosen].length { chosen = i }
        case let .phase(p):
            chosen = p <= v.count ? p - 1 : 0
        case .average:
            chosen = 0
        }
        return (v[chosen] / ptRatio, chosen)
    }
}

extension PowerFlowSolver {
    /// OpenDSS's RegControl.Sample: checks reverse power, reads the control voltage, and queues,
    /// updates or withdraws the tap change.
    func sampleRegulator(_ index: Int) throws {
        let rc = network.model.regControls[index]
        guard let g = controls.regulatorGeometries[index] else { return }
        var state = controls.regulators[index]
        defer { controls.regulators[index] = state }
        guard rc.maxTapChange > 0 else {
            state.pendingTapChange = 0
            return
        }
        let element = network.delivery[g.element]
        let t = network.model.transformers[g.transformer]
        let v = conductorVoltages(element)
        let currents = conductorCurrents(element, v)
        if rc.regulatedBus == nil && (rc.reversible || rc.cogeneration) {
            let forwardWatts = -terminalPower(element, terminal: g.winding, v, currents).real
            if checkReversePower(rc, index: index, g, t, forwardWatts: forwardWatts, state: &state) { return }
        }
        let reading = regulatorReading(rc, g, t, v, currents, state)
        decideTapChange(rc, index: index, g, t, reading, state: &state)
    }

    /// Reverse-power and cogeneration mode switching (queued after revdelay); true when a
    /// reverse-neutral regulator in reverse has handled this sample (it heads for tap 1.0).
    func checkReversePower(_ rc: RegControl, index: Int, _ g: RegulatorGeometry, _ t: Transformer,
                           forwardWatts: Double, state: inout RegulatorState) -> Bool {
        let threshold = rc.reverseThresholdKilowatts * 1000
        if !state.inReverseMode && !state.inCogenMode {
            if !state.reversePending && forwardWatts < -threshold {
                state.reversePending = true
                state.reverseHandle = controls.queue.push(at: controls.clock, delaySeconds: rc.reverseDelaySeconds,
                                                          owner: .regulator(index), action: .reversePowerToggle)
            }
            if state.reversePending && forwardWatts >= -threshold {
                state.reversePending = false
                if state.reverseHandle > 0 { controls.queue.delete(handle: state.reverseHandle) }
                state.reverseHandle = 0
            }
            return false
        }
        if !state.reversePending && forwardWatts > threshold {
            state.reversePending = true
            state.reverseBackHandle = controls.queue.push(at: controls.clock, delaySeconds: rc.reverseDelaySeconds,
                                                          owner: .regulator(index), action: .reversePowerToggle)
        }
        if state.reversePending && forwardWatts <= threshold {
            state.reversePending = false
            if state.reverseBackHandle > 0 { controls.queue.delete(handle: state.reverseBackHandle) }
            state.reverseBackHandle = 0
        }
        guard rc.reverseNeutral else { return false }
        if !state.armed {
            state.pendingTapChange = 0
            let present = taps[g.transformer][g.tapWinding]
            if abs(present - 1) > 1e-12 {
                let increment = tapIncrement(t.windings[g.tapWinding])
                state.pendingTapChange = ((1 - present) / increment).rounded(.toNearestOrEven) * increment
                if state.pendingTapChange != 0 {
                    // OpenDSS does not keep this handle: a later in-band sample cannot withdraw it.
                    _ = controls.queue.push(at: controls.clock, delaySeconds: rc.tapDelaySeconds,
                                            owner: .regulator(index), action: .tapChange)
                    state.armed = true
                }
            }
        }
        return true
    }

    /// The control voltage (after LDC) and the local voltage vlimit checks.
    func regulatorReading(_ rc: RegControl, _ g: RegulatorGeometry, _ t: Transformer, _ v: [CDouble],
                          _ currents: [CDouble], _ state: RegulatorState) -> RegulatorReading {
        let winding = windingVoltages(t, winding: g.winding, v)
        if let bus = rc.regulatedBus {
            let nodes = bus.resolvedNodes(conductors: 2, phases: 1)
            let first = busNodeVoltage(bus.name, nodes[0])
            let across = t.windings[g.winding].connection == .wye ? first : first - busNodeVoltage(bus.name, nodes[1])
            let local = rc.voltageLimit > 0 ? (winding[0] / rc.ptRatio).length : 0
            return RegulatorReading(controlVoltage: across / rc.remotePTRatio, controlledPhase: 0, localVoltage: local)
        }
        let (selected, phase) = selectPhase(rc.ptPhase, winding, ptRatio: rc.ptRatio)
        var control = selected
        let local = rc.voltageLimit > 0 ? control.length : 0
        if rc.ldcResistance != 0 || rc.ldcReactance != 0 || rc.ldcImpedance > 0 {
            let current = currents[network.delivery[g.element].conductorsPerTerminal * g.winding + phase] / rc.ctPrimaryAmps
            let reverse = state.inReverseMode || state.inCogenMode
            if rc.ldcImpedance == 0 {
                let z = reverse ? CDouble(rc.reverseResistance, rc.reverseReactance) : CDouble(rc.ldcResistance, rc.ldcReactance)
                control = control + z * current
            } else {
                // Beckwith LDC_Z: magnitudes only.
                let z = reverse ? rc.reverseLDCImpedance : rc.ldcImpedance
                control = CDouble(control.length - current.length * z, 0)
            }
        }
        return RegulatorReading(controlVoltage: control, controlledPhase: phase, localVoltage: local)
    }

    /// Voltage of one node of a bus by name (0 for ground or an unknown node).
    func busNodeVoltage(_ bus: String, _ node: Int) -> CDouble {
        guard node != 0, let b = network.busIndexByName[bus],
              let j = network.buses[b].nodeNumbers.firstIndex(of: node) else { return .zero }
        return voltageStorage[network.buses[b].nodeIndices[j]]
    }

    /// Base voltage of a winding, volts (OpenDSS's BaseVoltage: phase voltage of a polyphase wye).
    func windingBaseVolts(_ t: Transformer, _ winding: Int) -> Double {
        let w = t.windings[winding]
        return w.connection == .wye && t.phases >= 2 ? w.kilovolts * 1000 / Primitives.sqrt3 : w.kilovolts * 1000
    }
}

/// What a regulator compares with its band in its present mode: the control voltage (in reverse
/// mode referred through the present tap) and the forward or reverse setting and bandwidth.
struct RegulationTarget {
    var actualVolts: Double
    var settingVolts: Double
    var bandVolts: Double
}

extension PowerFlowSolver {
    /// The regulation target of `rc` at `reading` (shared by the control step and the early-decision margins).
    func regulationTarget(_ rc: RegControl, _ g: RegulatorGeometry, _ reading: RegulatorReading,
                          _ state: RegulatorState) -> RegulationTarget {
        let volts = reading.controlVoltage.length
        if state.inReverseMode {
            return RegulationTarget(actualVolts: volts / taps[g.transformer][g.tapWinding],
                                    settingVolts: rc.reverseVoltageSetting, bandVolts: rc.reverseBandwidth)
        }
        if state.inCogenMode {
            return RegulationTarget(actualVolts: volts, settingVolts: rc.reverseVoltageSetting, bandVolts: rc.reverseBandwidth)
        }
        return RegulationTarget(actualVolts: volts, settingVolts: rc.voltageSetting, bandVolts: rc.bandwidth)
    }
}

extension PowerFlowSolver {
    /// Band and vlimit test; queues the rounded tap change (at the delay, or inverse time) when the
    /// tap can still move that way, or withdraws a queued one when back in band.
    func decideTapChange(_ rc: RegControl, index: Int, _ g: RegulatorGeometry, _ t: Transformer,
                         _ reading: RegulatorReading, state: inout RegulatorState) {
        let target = regulationTarget(rc, g, reading, state)
        let vActual = target.actualVolts
        let regulate = (volts: target.settingVolts, band: target.bandVolts)
        let overLimit = rc.voltageLimit > 0 && reading.localVoltage > rc.voltageLimit
        guard abs(regulate.volts - vActual) > regulate.band / 2 || overLimit else {
            state.pendingTapChange = 0
            if state.armed {
                controls.queue.delete(handle: state.actionHandle)
                state.armed = false
                state.actionHandle = 0
            }
            return
        }
        let boostVolts = overLimit ? rc.voltageLimit - reading.localVoltage : regulate.volts - vActual
        let boostPerUnit = boostVolts * rc.ptRatio / windingBaseVolts(t, g.winding)
        let tapped = t.windings[g.tapWinding]
        let increment = tapIncrement(tapped)
        guard increment > 0 else { return }
        var pending = (boostPerUnit / increment).rounded(.toNearestOrEven) * increment
        // Taps on the other winding, or reverse power, move the other way for the same boost.
        if g.tapWinding != g.winding || state.inReverseMode { pending = -pending }
        state.pendingTapChange = pending
        guard pending != 0, !state.armed else { return }
        let present = taps[g.transformer][g.tapWinding]
        guard pending > 0 ? present < tapped.maxTap : present > tapped.minTap else { return }
        let delay = rc.inverseTime
            ? rc.delaySeconds / min(10, 2 * abs(rc.voltageSetting - vActual) / rc.bandwidth) : rc.delaySeconds
        state.actionHandle = controls.queue.push(at: controls.clock, delaySeconds: delay, owner: .regulator(index),
                                                 action: .tapChange)
        state.armed = true
    }

    /// OpenDSS's RegControl.DoPendingAction; returns whether a tap moved.
    func executeRegulatorAction(_ index: Int, _ action: QueuedAction) throws -> Bool {
        let rc = network.model.regControls[index]
        var state = controls.regulators[index]
        defer { controls.regulators[index] = state }
        if action == .reversePowerToggle {
            if state.reversePending {
                if rc.cogeneration { state.inCogenMode.toggle() } else { state.inReverseMode.toggle() }
                state.reversePending = false
            }
            return false
        }
        guard state.pendingTapChange != 0, let g = controls.regulatorGeometries[index] else {
            state.armed = false
            return false
        }
        let increment = tapIncrement(network.model.transformers[g.transformer].windings[g.tapWinding])
        let change: Double
        if settings.controlMode == .static {
            let steps = Self.staticTapSteps(pending: state.pendingTapChange, increment: increment, maxTapChange: rc.maxTapChange)
            change = state.pendingTapChange > 0 ? Double(steps) * increment : Double(-steps) * increment
            state.pendingTapChange = 0
            state.armed = false
        } else {
            // One tap toward the pending change, the rest after tapdelay.
            change = state.pendingTapChange > 0 ? increment : -increment
            state.pendingTapChange = state.pendingTapChange > 0
                ? state.pendingTapChange - increment : state.pendingTapChange + increment
            if abs(state.pendingTapChange) < 0.9 * increment { state.pendingTapChange = 0 }
            if state.pendingTapChange != 0 {
                _ = controls.queue.push(at: controls.clock, delaySeconds: rc.tapDelaySeconds, owner: .regulator(index),
                                        action: .tapChange)
            } else {
                state.armed = false
            }
        }
        return try setTap(g, taps[g.transformer][g.tapWinding] + change)
    }

    /// Taps a static-mode action moves for a pending change (non-zero): 70 % of the way, at least
    /// one, at most maxtapchange.
    static func staticTapSteps(pending: Double, increment: Double, maxTapChange: Int) -> Int {
        var steps = Int((0.7 * abs(pending) / increment).rounded(.towardZero))
        if steps == 0 { steps = 1 }
        if steps > maxTapChange { steps = maxTapChange }
        return steps
    }

    /// Sets a winding's tap within its range (OpenDSS's PresentTap); true when it changed.
    func setTap(_ g: RegulatorGeometry, _ value: Double) throws -> Bool {
        let w = network.model.transformers[g.transformer].windings[g.tapWinding]
        let clamped = value < w.minTap ? w.minTap : (value > w.maxTap ? w.maxTap : value)
        guard clamped != taps[g.transformer][g.tapWinding] else { return false }
        taps[g.transformer][g.tapWinding] = clamped
        try network.updateTransformer(modelIndex: g.transformer, taps: taps[g.transformer])
        movedDeliveryElements.append(g.element)
        matrixIsCurrent = false
        return true
    }

    /// Applies every RegControl's `tapnum=` to its tapped winding (before the first solve).
    func applyInitialTapNumbers() throws {
        for (rc, geometry) in zip(network.model.regControls, controls.regulatorGeometries) {
            guard let number = rc.tapNumber, let g = geometry else { continue }
            let w = network.model.transformers[g.transformer].windings[g.tapWinding]
            _ = try setTap(g, Double(number) * tapIncrement(w) + (w.maxTap + w.minTap) / 2)
        }
    }

    /// Tap number of the named RegControl's tapped winding (OpenDSS's TapNumber).
    public func regulatorTapNumber(named name: String) -> Int? {
        guard let index = network.model.regControls.firstIndex(where: { $0.name == name.lowercased() }),
              let g = controls.regulatorGeometries[index] else { return nil }
        let w = network.model.transformers[g.transformer].windings[g.tapWinding]
        let increment = tapIncrement(w)
        guard increment > 0 else { return nil }
        return Int(((taps[g.transformer][g.tapWinding] - (w.maxTap + w.minTap) / 2) / increment).rounded(.toNearestOrEven))
    }
}
