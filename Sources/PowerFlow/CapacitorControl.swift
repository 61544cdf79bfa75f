// Owns CapControl as OpenDSS samples and acts: the voltage override, the voltage, kvar, current,
// power factor and time types with their ON/OFF settings, PT/CT phase selection (number, AVG, MAX,
// MIN), the queued switching at delay (closing) or delayoff (opening) with the dead time after an
// opening, and the switching itself.
import ComplexModule
import Feeder
import Kernel

/// The switching a CapControl has decided on (OpenDSS's PendingChange).
enum CapacitorSwitch: Codable {
    case none, open, close
}

/// What a CapControl remembers between samples.
struct CapacitorControlState: Codable {
    var armed = false
    var actionHandle = 0
    var pendingChange = CapacitorSwitch.none
    /// The capacitor's state at the last sample (OpenDSS's PresentState).
    var presentlyClosed = true
    /// When the capacitor was last opened by this control, seconds on the solution clock.
    var lastOpenSeconds: Double
}

/// What a CapControl acts on and watches (model capacitor index, delivery element index, and the
/// bus index of `vbus=`).
struct CapacitorTarget: Codable {
    var capacitor: Int
    var element: Int
    var overrideBus: Int?
}

/// What a CapControl measures: the monitored terminal's voltages and all the element's currents.
struct CapacitorControlReading {
    var terminalVoltages: [CDouble]
    var currents: [CDouble]
    /// Offset of the monitored terminal's first conductor in `currents`.
    var conductorOffset: Int
    var monitoredPhases: Int
    var terminalPower: CDouble
}

extension PowerFlowSolver {
    /// OpenDSS's CapControl.Sample: decides the pending change, queues it or withdraws it.
    func sampleCapacitorControl(_ index: Int) throws {
        let cc = network.model.capControls[index]
        guard let target = controls.capacitorTargets[index] else { return }
        let ci = target.capacitor
        let reading = capacitorControlReading(cc, target)
        let capacitor = network.model.capacitors[ci]
        var state = controls.capacitorControls[index]
        defer { controls.capacitorControls[index] = state }
        state.presentlyClosed = capacitorClosed[ci]
        let closed = state.presentlyClosed
        var shouldSwitch = false
        if cc.voltageOverride && cc.type != .voltage {
            var overrideReading = reading
            if let bus = target.overrideBus { overrideReading.terminalVoltages = overrideBusVoltages(bus, reading, phases: capacitor.phases) }
            let vTest = capacitorControlVoltage(cc, capacitor, overrideReading)
            if !closed && vTest < cc.voltageMin { state.pendingChange = .close; shouldSwitch = true }
            if closed && vTest > cc.voltageMax { state.pendingChange = .open; shouldSwitch = true }
        }
        if !shouldSwitch {
            shouldSwitch = decideCapacitorSwitch(cc, capacitor, reading, closed: closed,
                                                 availableSteps: availableSteps(ci), pending: &state.pendingChange)
        }
        if shouldSwitch && !state.armed {
            let delay: Double
            if state.pendingChange == .close {
                let sinceOpen = controls.clock.seconds + Double(controls.clock.hour) * 3600 - state.lastOpenSeconds
                delay = sinceOpen < cc.deadTimeSeconds
                    ? max(cc.delaySeconds, (cc.deadTimeSeconds + cc.delaySeconds) - sinceOpen) : cc.delaySeconds
            } else {
                delay = cc.delayOffSeconds
            }
            state.actionHandle = controls.queue.push(at: controls.clock, delaySeconds: delay, owner: .capacitor(index),
                                                     action: .capacitorSwitch)
            state.armed = true
        }
        if state.armed && state.pendingChange == .none {
            controls.queue.delete(handle: state.actionHandle)
            state.armed = false
        }
    }

    /// The type's test. A closed bank with steps left may add one; a closed bank without, with
    /// nothing to do, resets its pending change (a closed bank with steps left keeps it, as OpenDSS).
    func decideCapacitorSwitch(_ cc: CapControl, _ capacitor: Capacitor, _ reading: CapacitorControlReading,
                               closed: Bool, availableSteps: Int, pending: inout CapacitorSwitch) -> Bool {
        let wantsOn: Bool, wantsOff: Bool
        switch cc.type {
        case .voltage:
            let v = capacitorControlVoltage(cc, capacitor, reading)
            wantsOn = v < cc.onSetting
            wantsOff = v > cc.offSetting
        case .current:
            let amps = capacitorControlCurrent(cc, capacitor, reading)
            wantsOn = amps > cc.onSetting
            wantsOff = amps < cc.offSetting
        case .kvar:
            let kvar = reading.terminalPower.imaginary * 0.001
            wantsOn = kvar > cc.onSetting
            wantsOff = kvar < cc.offSetting
        case .powerFactor:
            let s = reading.terminalPower
            let magnitude = s.length
            var pf = magnitude != 0 ? abs(s.real) / magnitude : 1
            if s.imaginary < 0 { pf = 2 - pf }
            // Closing needs enough kvar (pctminkvar of the bank when open, half a step when closed).
            let minimumKvar = closed
                ? capacitor.kilovars / Double(capacitor.numberOfSteps) * 0.5 : capacitor.kilovars * cc.minimumKvarPercent * 0.01
            wantsOn = pf < cc.powerFactorOn && s.imaginary * 0.001 > minimumKvar
            wantsOff = pf > cc.powerFactorOff
        case .time:
            let hour = controls.clock.hourOfDay
            let onWindow = cc.offSetting > cc.onSetting
                ? hour >= cc.onSetting && hour < cc.offSetting : hour >= cc.onSetting && hour < 24
            wantsOn = onWindow
            wantsOff = cc.offSetting > cc.onSetting
                ? hour >= cc.offSetting || hour < cc.onSetting : hour >= cc.offSetting && hour < cc.onSetting
        }
        if !closed {
            pending = wantsOn ? .close : .none
            return wantsOn
        }
        if cc.type == .voltage { pending = .none }
        if wantsOff {
            pending = .open
            return true
        }
        if availableSteps > 0 {
            if wantsOn { pending = .close; return true }
            return false
        }
        pending = .none
        return false
    }
}

extension PowerFlowSolver {
    /// Resolves a CapControl's capacitor and monitored element (once, when the solver is set up);
    /// nil while the capacitor or the monitored element is disabled (the control then rests).
    func resolveCapacitorTarget(_ cc: CapControl) throws -> CapacitorTarget? {
        let model = network.model
        guard let ci = model.capacitors.firstIndex(where: { $0.name == cc.capacitor }) else {
            throw PowerFlowError.invalidElement("CapControl.\(cc.name)", "no capacitor \(cc.capacitor)")
        }
        guard model.capacitors[ci].enabled else { return nil }
        guard let d = network.firstDeliveryIndex(lowercasedName: cc.element) else {
            if Self.isDisabledDeliveryElement(cc.element, model) { return nil }
            throw PowerFlowError.invalidElement("CapControl.\(cc.name)", "monitored element \(cc.element) is not a line, transformer, capacitor or source")
        }
        let e = network.delivery[d]
        guard cc.terminal * e.conductorsPerTerminal <= e.conductorNodes.count else {
            throw PowerFlowError.invalidElement("CapControl.\(cc.name)", "terminal \(cc.terminal) does not exist on \(cc.element)")
        }
        var overrideBus: Int?
        if let name = cc.overrideBus {
            guard let b = network.busIndexByName[name] else {
                throw PowerFlowError.invalidElement("CapControl.\(cc.name)", "vbus \(name) is not a bus of the circuit")
            }
            overrideBus = b
        }
        return CapacitorTarget(capacitor: ci, element: d, overrideBus: overrideBus)
    }

    /// The override bus's first `phases` node voltages in the bus's node order (OpenDSS's
    /// GetBusVoltages); positions past them keep the monitored terminal's values, as OpenDSS's buffer does.
    func overrideBusVoltages(_ bus: Int, _ reading: CapacitorControlReading, phases: Int) -> [CDouble] {
        var v = reading.terminalVoltages
        let nodes = network.buses[bus].nodeIndices
        for j in 0..<min(phases, nodes.count) {
            if j < v.count { v[j] = voltageStorage[nodes[j]] } else { v.append(voltageStorage[nodes[j]]) }
        }
        return v
    }

    /// Reads the monitored terminal: its voltages, the element's currents, the terminal's power.
    func capacitorControlReading(_ cc: CapControl, _ target: CapacitorTarget) -> CapacitorControlReading {
        let e = network.delivery[target.element]
        let k = e.conductorsPerTerminal
        let terminal = cc.terminal - 1
        let v = conductorVoltages(e)
        let currents = conductorCurrents(e, v)
        return CapacitorControlReading(
            terminalVoltages: Array(v[terminal * k..<(terminal + 1) * k]), currents: currents, conductorOffset: terminal * k,
            monitoredPhases: e.kind == .transformer ? k - 1 : k,
            terminalPower: terminalPower(e, terminal: terminal, v, currents))
    }

    /// Whether `element` ("class.name") names a line, transformer or capacitor that is disabled.
    /// `name.lowercased() == lower`, without building the lower-cased copy when both are ASCII
    /// (the set-up scans every delivery element per control).
    static func lowercased(_ name: String, equals lower: String) -> Bool {
        var name = name, lower = lower
        // nil: a non-ASCII byte on either side, where only Unicode lower-casing decides.
        let asciiAnswer: Bool? = name.withUTF8 { a in
            lower.withUTF8 { b -> Bool? in
                var equal = a.count == b.count
                for byte in b where byte >= 0x80 { return nil }
                for (i, byte) in a.enumerated() {
                    guard byte < 0x80 else { return nil }
                    if equal && (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) != b[i] { equal = false }
                }
                return equal
            }
        }
        return asciiAnswer ?? (name.lowercased() == lower)
    }

    static func isDisabledDeliveryElement(_ element: String, _ model: FeederModel) -> Bool {
        let parts = element.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        switch parts[0] {
        case "line": return model.lines.contains { $0.name == parts[1] && !$0.enabled }
        case "transformer": return model.transformers.contains { $0.name == parts[1] && !$0.enabled }
        case "capacitor": return model.capacitors.contains { $0.name == parts[1] && !$0.enabled }
        default: return false
        }
    }

    /// Control voltage (OpenDSS's GetControlVoltage): AVG/MAX/MIN over the monitored element's
    /// phases, or one phase, line to line when the capacitor is delta connected.
    func capacitorControlVoltage(_ cc: CapControl, _ capacitor: Capacitor, _ reading: CapacitorControlReading) -> Double {
        let v = reading.terminalVoltages
        let phases = min(reading.monitoredPhases, v.count)
        switch cc.ptPhase {
        case .average:
            var sum = 0.0
            for i in 0..<phases { sum += v[i].length }
            return sum / Double(reading.monitoredPhases) / cc.ptRatio
        case .maximum:
            var value = 0.0
            for i in 0..<phases { value = max(value, v[i].length) }
            return value / cc.ptRatio
        case .minimum:
            var value = 1e50
            for i in 0..<phases { value = min(value, v[i].length) }
            return value / cc.ptRatio
        case let .phase(p):
            let i = p <= v.count ? p - 1 : 0
            guard capacitor.connection == .delta else { return v[i].length / cc.ptRatio }
            let next = p + 1 > capacitor.phases ? 0 : p
            return (v[i] - v[min(next, v.count - 1)]).length / cc.ptRatio
        }
    }

    /// Control current (OpenDSS's GetControlCurrent). AVG/MAX/MIN take the monitored terminal's
    /// first (capacitor phases) conductors; a numbered CT phase indexes the element's whole current
    /// list, i.e. terminal 1, whatever the monitored terminal (as OpenDSS does).
    func capacitorControlCurrent(_ cc: CapControl, _ capacitor: Capacitor, _ reading: CapacitorControlReading) -> Double {
        let i = reading.currents
        let range = reading.conductorOffset..<min(i.count, reading.conductorOffset + capacitor.phases)
        switch cc.ctPhase {
        case .average:
            var sum = 0.0
            for c in range { sum += i[c].length }
            return sum / Double(capacitor.phases) / cc.ctRatio
        case .maximum:
            var value = 0.0
            for c in range { value = max(value, i[c].length) }
            return value / cc.ctRatio
        case .minimum:
            var value = 1e50
            for c in range { value = min(value, i[c].length) }
            return value / cc.ctRatio
        case let .phase(p):
            return i[p <= i.count ? p - 1 : 0].length / cc.ctRatio
        }
    }

    /// OpenDSS's CapControl.DoPendingAction: opening takes a step out (the terminal opens with the
    /// last one), closing closes the terminal and adds a step; returns whether anything switched.
    func executeCapacitorAction(_ index: Int) throws -> Bool {
        guard let ci = controls.capacitorTargets[index]?.capacitor else { return false }
        var state = controls.capacitorControls[index]
        defer { controls.capacitorControls[index] = state }
        let before = (capacitorClosed[ci], controls.capacitorStates[ci])
        var closed = capacitorClosed[ci]
        switch state.pendingChange {
        case .open where state.presentlyClosed:
            let stepsRemain = subtractStep(ci)
            if network.model.capacitors[ci].numberOfSteps == 1 {
                closed = false
                state.presentlyClosed = false
                state.lastOpenSeconds = controls.clock.seconds + 3600 * Double(controls.clock.hour)
            } else if !stepsRemain {
                closed = false
                state.presentlyClosed = false
            }
        case .close:
            if !state.presentlyClosed {
                closed = true
                state.presentlyClosed = true
            }
            _ = addStep(ci)
        default:
            break
        }
        state.armed = false
        guard before != (closed, controls.capacitorStates[ci]) else { return false }
        capacitorClosed[ci] = closed
        network.setCapacitor(modelIndex: ci, closed: closed, states: controls.capacitorStates[ci])
        noteCapacitorMoved(ci)
        matrixIsCurrent = false
        return true
    }

    /// OpenDSS's LastStepInService: the highest step in service (0 = none).
    func lastStepInService(_ ci: Int) -> Int {
        (controls.capacitorStates[ci].lastIndex(of: true) ?? -1) + 1
    }

    func availableSteps(_ ci: Int) -> Int {
        controls.capacitorStates[ci].count - lastStepInService(ci)
    }

    /// Puts the next step in service; false when all are.
    func addStep(_ ci: Int) -> Bool {
        let last = lastStepInService(ci)
        guard last < controls.capacitorStates[ci].count else { return false }
        controls.capacitorStates[ci][last] = true
        return true
    }

    /// Takes the last step in service out; false when none is left in service.
    func subtractStep(_ ci: Int) -> Bool {
        let last = lastStepInService(ci)
        guard last > 0 else { return false }
        controls.capacitorStates[ci][last - 1] = false
        return last - 1 > 0
    }

    /// OpenDSS's CapControl.Reset: no pending change, the terminal back to its initial state, the
    /// dead time counted from −deadtime; the steps stay as they are and a queued action stays queued.
    /// The initial state is always closed: OpenDSS's set-up compares the control's own (never set)
    /// available-step count with the bank's step count, so it closes the terminal whatever the steps.
    func resetCapacitorControl(_ index: Int) {
        let cc = network.model.capControls[index]
        guard let ci = controls.capacitorTargets[index]?.capacitor else { return }
        var state = controls.capacitorControls[index]
        state.pendingChange = .none
        state.lastOpenSeconds = -cc.deadTimeSeconds
        state.presentlyClosed = true
        controls.capacitorControls[index] = state
        guard !capacitorClosed[ci] else { return }
        capacitorClosed[ci] = true
        network.setCapacitor(modelIndex: ci, closed: true, states: controls.capacitorStates[ci])
        noteCapacitorMoved(ci)
        matrixIsCurrent = false
    }

    /// In-service state of each step of the named capacitor (OpenDSS's Capacitors.States).
    public func capacitorStates(named name: String) -> [Bool]? {
        network.model.capacitors.firstIndex { $0.name == name.lowercased() }.map { controls.capacitorStates[$0] }
    }
}
