// Owns OpenDSS's static control mode for RegControl and CapControl: each control samples the
// converged solution, out-of-band controls arm an action at their delay, the nearest armed actions
// execute (tap moves of 70 % of the proposal, at least one tap; capacitor switching), and the
// matrix is refactored before the next control iteration.
import ComplexModule
import Feeder
import Kernel

extension PowerFlowSolver {
    /// One control's pending action: which control, its delay, and what it would do.
    enum ControlAction {
        case tap(transformer: Int, winding: Int, pending: Double, maxSteps: Int)
        case capacitor(index: Int, closed: Bool)
    }

    /// Static control mode, as OpenDSS: sample every control; out-of-band controls arm an action at
    /// their delay; the armed actions with the nearest delay execute; back-in-band controls disarm.
    /// Returns the number of actions executed (0 = controls settled).
    func controlActions() throws -> Int {
        let model = network.model
        guard model.regControls.contains(where: \.enabled) || model.capControls.contains(where: \.enabled) else { return 0 }
        materializeVoltages()
        var proposals: [(key: Int, delay: Double, action: ControlAction)] = []
        for (k, rc) in model.regControls.enumerated() where rc.enabled {
            if let p = regulatorProposal(rc) { proposals.append((k, rc.delaySeconds, p)) }
        }
        for (k, cc) in model.capControls.enumerated() where cc.enabled {
            if let p = capacitorProposal(cc) { proposals.append((model.regControls.count + k, cc.delaySeconds, p)) }
        }
        // Controls no longer proposing disarm; new proposals arm.
        armedControls = armedControls.filter { key in proposals.contains { $0.key == key } }
        for p in proposals where !armedControls.contains(p.key) { armedControls.append(p.key) }
        guard let nearest = proposals.map(\.delay).min() else { return 0 }
        var executed = 0
        for p in proposals where p.delay == nearest {
            switch p.action {
            case let .tap(ti, winding, pending, maxSteps):
                let w = model.transformers[ti].windings[winding]
                let increment = (w.maxTap - w.minTap) / Double(w.numberOfTaps)
                // Static mode: 70 % of the proposed change, at least one tap, at most maxtapchange.
                var steps = Int((0.7 * abs(pending) / increment).rounded(.towardZero))
                if steps == 0 { steps = 1 }
                if steps > maxSteps { steps = maxSteps }
                let present = taps[ti][winding]
                let newTap = min(w.maxTap, max(w.minTap, present + Double(steps) * increment * (pending > 0 ? 1 : -1)))
                guard newTap != present else { continue }
                taps[ti][winding] = newTap
                try network.updateTransformer(modelIndex: ti, taps: taps[ti])
            case let .capacitor(ci, closed):
                capacitorClosed[ci] = closed
                network.setCapacitor(modelIndex: ci, closed: closed)
            }
            matrixIsCurrent = false
            armedControls.removeAll { $0 == p.key }
            executed += 1
        }
        return executed
    }

    /// The tap change a RegControl asks for (nil when in band or unable to move).
    func regulatorProposal(_ rc: RegControl) -> ControlAction? {
        let model = network.model
        guard let ti = model.transformerIndex(named: rc.transformer),
              let k = network.delivery.firstIndex(where: { $0.kind == .transformer && $0.modelIndex == ti }) else { return nil }
        let t = model.transformers[ti]
        let element = network.delivery[k]
        let winding = rc.winding - 1
        let tapWinding = (rc.tapWinding ?? rc.winding) - 1
        guard winding >= 0, winding < t.windings.count, tapWinding >= 0, tapWinding < t.windings.count else { return nil }
        let conductors = t.phases + 1
        let phase = max(0, min(t.phases - 1, rc.ptPhase - 1))
        let base = winding * conductors
        let vTerminal = element.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
        let vWinding: CDouble
        switch t.windings[winding].connection {
        case .wye: vWinding = vTerminal[base + phase] - vTerminal[base + t.phases]
        case .delta: vWinding = vTerminal[base + phase] - vTerminal[base + (phase + 1) % t.phases]
        }
        var vControl = vWinding / rc.ptRatio
        if rc.ldcResistance != 0 || rc.ldcReactance != 0 {
            var current = CDouble.zero
            for j in 0..<vTerminal.count { current = current + element.yPrim[base + phase, j] * vTerminal[j] }
            vControl = vControl + CDouble(rc.ldcResistance, rc.ldcReactance) * (current / rc.ctPrimaryAmps)
        }
        let vActual = vControl.length
        guard abs(rc.voltageSetting - vActual) > rc.bandwidth / 2 else { return nil }
        let w = t.windings[tapWinding]
        let increment = w.numberOfTaps > 0 ? (w.maxTap - w.minTap) / Double(w.numberOfTaps) : 0
        guard increment > 0 else { return nil }
        let vBaseWinding = t.windings[winding].connection == .wye && t.phases >= 2
            ? t.windings[winding].kilovolts * 1000 / Primitives.sqrt3 : t.windings[winding].kilovolts * 1000
        let boost = (rc.voltageSetting - vActual) * rc.ptRatio / vBaseWinding
        var pending = (boost / increment).rounded(.toNearestOrEven) * increment
        if tapWinding != winding { pending = -pending }
        guard pending != 0 else { return nil }
        let present = taps[ti][tapWinding]
        guard rc.maxTapChange > 0, (pending > 0 && present < w.maxTap) || (pending < 0 && present > w.minTap) else { return nil }
        return .tap(transformer: ti, winding: tapWinding, pending: pending, maxSteps: rc.maxTapChange)
    }

    /// The switching a CapControl asks for (nil when its capacitor should stay as it is).
    func capacitorProposal(_ cc: CapControl) -> ControlAction? {
        let model = network.model
        guard let ci = model.capacitors.firstIndex(where: { $0.name == cc.capacitor }),
              let d = network.delivery.firstIndex(where: { $0.name.lowercased() == cc.element }) else { return nil }
        let e = network.delivery[d]
        let k = e.conductorsPerTerminal
        let base = (max(1, cc.terminal) - 1) * k
        guard base + k <= e.conductorNodes.count else { return nil }
        let v = e.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
        func current(_ i: Int) -> CDouble { v.indices.reduce(CDouble.zero) { $0 + e.yPrim[i, $1] * v[$1] } }
        let vPhase = v[base + max(0, min(k - 1, cc.ptPhase - 1))].length / cc.ptRatio
        let closed = capacitorClosed[ci]
        var close = closed
        switch cc.type {
        case .voltage:
            if !closed && vPhase < cc.onSetting { close = true }
            if closed && vPhase > cc.offSetting { close = false }
        case .kvar:
            var q = 0.0
            let phases = e.kind == .transformer ? k - 1 : k
            for i in 0..<phases { q += (v[base + i] * current(base + i).conjugate).imaginary / 1000 }
            if !closed && q > cc.onSetting { close = true }
            if closed && q < cc.offSetting { close = false }
        case .current:
            let amps = current(base + max(0, min(k - 1, cc.ctPhase - 1))).length / cc.ctRatio
            if !closed && amps > cc.onSetting { close = true }
            if closed && amps < cc.offSetting { close = false }
        }
        if cc.voltageOverride {
            if close && vPhase > cc.voltageMax { close = false }
            if !close && vPhase < cc.voltageMin { close = true }
        }
        return close != closed ? .capacitor(index: ci, closed: close) : nil
    }

    /// Whether the named capacitor is in service.
    public func capacitorIsClosed(named name: String) -> Bool? {
        network.model.capacitors.firstIndex { $0.name == name.lowercased() }.map { capacitorClosed[$0] }
    }

    /// Present tap (per unit) of every winding of the named transformer.
    public func transformerTaps(named name: String) -> [Double]? {
        network.model.transformerIndex(named: name.lowercased()).map { taps[$0] }
    }
}
