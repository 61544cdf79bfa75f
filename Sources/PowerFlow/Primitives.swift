// Owns the primitive admittance matrices (Yprim) of the power-delivery elements, built the way
// OpenDSS builds them: sequence or matrix line codes with unit and frequency conversion, the
// Thevenin source from short-circuit data, n-winding transformers with taps and the 1 ppm
// anti-float admittance, and shunt capacitors. Units: siemens, ohms, volts.
import ComplexModule
import Feeder
import Kernel

enum Primitives {
    static let sqrt3 = 3.0.squareRoot()

    /// Series impedance matrix (ohms) of the Thevenin source.
    static func sourceImpedance(_ v: VoltageSource) -> DenseComplexMatrix {
        let (r1, x1, r0, x0) = sourceSequenceOhms(v)
        return sequenceMatrix(z1: CDouble(r1, x1), z0: CDouble(r0, x0), phases: v.phases)
    }

    /// Sequence impedances (R1, X1, R0, X0 in ohms) from ohms or short-circuit data, as OpenDSS.
    ///
    /// Ohm values not given keep what OpenDSS computed when the source was created (the defaults:
    /// 115 kV, 2000/2100 MVA, X1/R1 = 4, X0/R0 = 3).
    static func sourceSequenceOhms(_ v: VoltageSource) -> (Double, Double, Double, Double) {
        if v.impedanceSpec == .ohms {
            let d = sourceSequenceOhms(VoltageSource(name: "default"))
            return (v.r1 ?? d.0, v.x1 ?? d.1, v.r0 ?? d.2, v.x0 ?? d.3)
        }
        let kv = v.baseKilovolts
        let factor = v.phases == 1 ? 1.0 : sqrt3
        var mva3 = v.shortCircuitMVA3
        var mva1 = v.shortCircuitMVA1
        if let amps = v.shortCircuitAmps3 { mva3 = factor * kv * amps / 1000 }
        if let amps = v.shortCircuitAmps1 { mva1 = factor * kv * amps / 1000 }
        let x1 = kv * kv / mva3 / (1 + 1 / (v.x1r1 * v.x1r1)).squareRoot()
        let r1 = x1 / v.x1r1
        // |2 Z1 + Z0| = 3 V_ln / Isc1, with Z0 = R0 (1 + j X0/R0): a quadratic in R0.
        let isc1 = mva1 * 1000 / (factor * kv)
        let a = 1 + v.x0r0 * v.x0r0
        let b = 4 * (r1 + x1 * v.x0r0)
        let rhs = 3 * kv * 1000 / factor / isc1
        let c = 4 * (r1 * r1 + x1 * x1) - rhs * rhs
        let r0 = (-b + (b * b - 4 * a * c).squareRoot()) / (2 * a)
        return (r1, x1, r0, r0 * v.x0r0)
    }

    /// Phase matrix from sequence values: Zs = (2 Z1 + Z0)/3 on the diagonal, Zm = (Z0 − Z1)/3 off it.
    static func sequenceMatrix(z1: CDouble, z0: CDouble, phases: Int) -> DenseComplexMatrix {
        var m = DenseComplexMatrix(order: phases)
        let zs = (z1 * 2 + z0) / 3
        let zm = (z0 - z1) / 3
        for i in 0..<phases {
            for j in 0..<phases { m[i, j] = i == j ? zs : zm }
        }
        return m
    }

    static func sourcePhaseVoltages(_ v: VoltageSource) -> [CDouble] {
        let magnitude = v.baseKilovolts * 1000 * v.perUnit / (v.phases == 1 ? 1 : sqrt3)
        return (0..<v.phases).map { i in
            let angle = (v.angleDegrees - 360.0 * Double(i) / Double(v.phases)) * Double.pi / 180
            return CDouble(magnitude * cosine(angle), magnitude * sine(angle))
        }
    }

    /// Two-terminal primitive [[Y, −Y], [−Y, Y]] plus half the shunt `yShunt` at each end.
    static func twoTerminal(series y: DenseComplexMatrix, shunt yShunt: DenseComplexMatrix?) -> DenseComplexMatrix {
        let n = y.order
        var p = DenseComplexMatrix(order: 2 * n)
        for i in 0..<n {
            for j in 0..<n {
                let half = yShunt.map { $0[i, j] / 2 } ?? .zero
                p[i, j] = y[i, j] + half
                p[n + i, n + j] = y[i, j] + half
                p[i, n + j] = -y[i, j]
                p[n + i, j] = -y[i, j]
            }
        }
        return p
    }

    /// Line primitive from its own data or its line code, at `frequencyHertz`.
    static func line(_ line: Line, code: LineCode?, frequencyHertz: Double) throws -> DenseComplexMatrix {
        var phases = line.phases
        var r1 = line.r1, x1 = line.x1, r0 = line.r0, x0 = line.x0, c1 = line.c1, c0 = line.c0
        var rm = line.rMatrix, xm = line.xMatrix, cm = line.cMatrix
        var baseFrequency = line.baseFrequencyHertz
        var unitScale = 1.0
        if let code, !line.usesOwnImpedance {
            if line.phasesOverrideCode && line.phases != code.phases {
                guard code.rMatrix == nil && code.cMatrix == nil else {
                    throw PowerFlowError.invalidElement("Line.\(line.name)", "phases=\(line.phases) differs from matrix line code \(code.name) (\(code.phases) phases)")
                }
            } else {
                phases = code.phases
            }
            r1 = code.r1; x1 = code.x1; r0 = code.r0; x0 = code.x0; c1 = code.c1; c0 = code.c0
            rm = code.rMatrix; xm = code.xMatrix; cm = code.cMatrix
            baseFrequency = code.baseFrequencyHertz
            if let from = code.units.metres, let to = line.units.metres { unitScale = to / from }
        }
        let length = line.length * unitScale
        let xScale = frequencyHertz / baseFrequency
        var z = DenseComplexMatrix(order: phases)
        if let rm, let xm {
            guard rm.count == phases * phases, xm.count == phases * phases else {
                throw PowerFlowError.invalidElement("Line.\(line.name)", "impedance matrix order differs from \(phases) phases")
            }
            for k in 0..<(phases * phases) { z.entries[k] = CDouble(rm[k] * length, xm[k] * xScale * length) }
        } else if phases == 1 {
            // A single-phase line given by sequence data is its positive-sequence impedance (OpenDSS).
            z[0, 0] = CDouble(r1 * length, x1 * xScale * length)
        } else {
            z = sequenceMatrix(z1: CDouble(r1 * length, x1 * xScale * length),
                               z0: CDouble(r0 * length, x0 * xScale * length), phases: phases)
        }
        var shunt: DenseComplexMatrix?
        let omega = 2 * Double.pi * frequencyHertz
        if let cm {
            var y = DenseComplexMatrix(order: phases)
            for k in 0..<(phases * phases) { y.entries[k] = CDouble(0, omega * cm[k] * 1e-9 * length) }
            shunt = y
        } else if rm == nil && phases == 1 {
            if c1 != 0 { shunt = DenseComplexMatrix(order: 1); shunt?[0, 0] = CDouble(0, omega * c1 * 1e-9 * length) }
        } else if c1 != 0 || c0 != 0 {
            // Without a C matrix OpenDSS keeps the sequence capacitances (defaults 3.4 and 1.6 nF
            // per unit length), also when R and X were given as matrices.
            let cs = (2 * c1 + c0) / 3, cmut = (c0 - c1) / 3
            var y = DenseComplexMatrix(order: phases)
            for i in 0..<phases {
                for j in 0..<phases { y[i, j] = CDouble(0, omega * (i == j ? cs : cmut) * 1e-9 * length) }
            }
            shunt = y
        }
        if let s = shunt, s.entries.allSatisfy({ $0 == .zero }) { shunt = nil }
        guard let series = z.inverted() else {
            throw PowerFlowError.invalidElement("Line.\(line.name)", "series impedance matrix is singular")
        }
        return twoTerminal(series: series, shunt: shunt)
    }

    /// Transformer primitive, conductors ordered winding by winding (phases then neutral).
    ///
    /// With `noLoadBranchOnly`, only the no-load branch (%noloadloss, %imag) in the same layout:
    /// no series impedance, no neutral grounding, no anti-float admittance.
    static func transformer(_ t: Transformer, taps: [Double], noLoadBranchOnly: Bool = false) throws -> DenseComplexMatrix {
        let nw = t.windings.count
        let phases = t.phases
        let conductors = phases + 1
        let vaBase = t.windings[0].kilovoltAmperes * 1000
        let zBase = 1 / (vaBase / Double(phases))
        let rpu = t.windings.map { $0.resistancePercent / 100 }
        let xsc = [t.xhlPercent, t.xhtPercent, t.xltPercent].map { $0 / 100 }
        // ZB: (nw−1)×(nw−1) short-circuit impedances referred to winding 1, ohms on a 1 V base.
        var zb = DenseComplexMatrix(order: nw - 1)
        for i in 0..<(nw - 1) { zb[i, i] = CDouble(rpu[0] + rpu[i + 1], xsc[i]) * zBase }
        if nw == 3 {
            let z23 = CDouble(rpu[1] + rpu[2], xsc[2]) * zBase
            let off = (zb[0, 0] + zb[1, 1] - z23) / 2
            zb[0, 1] = off; zb[1, 0] = off
        }
        guard let yb = zb.inverted() else {
            throw PowerFlowError.invalidElement("Transformer.\(t.name)", "short-circuit impedance matrix is singular")
        }
        // Y_1volt = Aᵀ·ZB⁻¹·A with A = [−1 1 0; −1 0 1] (winding 1 is the reference).
        var y1 = DenseComplexMatrix(order: nw)
        func a(_ k: Int, _ w: Int) -> Double { w == 0 ? -1 : (w == k + 1 ? 1 : 0) }
        for i in 0..<nw {
            for j in 0..<nw {
                var sum = CDouble.zero
                for k in 0..<(nw - 1) {
                    for l in 0..<(nw - 1) where a(k, i) != 0 && a(l, j) != 0 {
                        sum = sum + yb[k, l] * (a(k, i) * a(l, j))
                    }
                }
                y1[i, j] = sum
            }
        }
        var y1NoLoad = DenseComplexMatrix(order: nw)
        y1NoLoad[1, 1] = CDouble(t.noLoadLossPercent / 100 / zBase, -t.magnetizingPercent / 100 / zBase)
        // Winding voltage bases (volts across one winding).
        let vBase = t.windings.map { w -> Double in
            switch w.connection {
            case .wye: return phases >= 2 ? w.kilovolts * 1000 / sqrt3 : w.kilovolts * 1000
            case .delta: return w.kilovolts * 1000
            }
        }
        let turns = (0..<nw).map { 1 / (vBase[$0] * (taps[$0] == 0 ? 0.0001 : taps[$0])) }
        // Terminal matrix: 2 conductors per winding (high and low side of the winding).
        var yTerm = DenseComplexMatrix(order: 2 * nw)
        for i in 0..<(2 * nw) {
            for j in 0..<(2 * nw) {
                let si = i % 2 == 0 ? turns[i / 2] : -turns[i / 2]
                let sj = j % 2 == 0 ? turns[j / 2] : -turns[j / 2]
                yTerm[i, j] = ((noLoadBranchOnly ? .zero : y1[i / 2, j / 2]) + y1NoLoad[i / 2, j / 2]) * (si * sj)
            }
        }
        let ppm = noLoadBranchOnly ? 0 : t.ppmAntifloat * 1e-6
        if ppm != 0 {
            for w in 0..<nw {
                let yPPM = -ppm / (vBase[w] * vBase[w] / (vaBase / Double(phases))) / 2
                yTerm[2 * w, 2 * w] = yTerm[2 * w, 2 * w] + CDouble(0, yPPM)
                yTerm[2 * w + 1, 2 * w + 1] = yTerm[2 * w + 1, 2 * w + 1] + CDouble(0, yPPM)
            }
        }
        let termRef = terminalReference(t)
        var p = DenseComplexMatrix(order: conductors * nw)
        for k in 0..<phases {
            for i in 0..<(2 * nw) {
                for j in 0..<(2 * nw) {
                    let a = termRef[i + k * 2 * nw], b = termRef[j + k * 2 * nw]
                    p[a, b] = p[a, b] + yTerm[i, j]
                }
            }
        }
        for (w, winding) in t.windings.enumerated() where winding.connection == .wye && !noLoadBranchOnly {
            let n = w * conductors + phases
            if winding.neutralResistance >= 0 {
                let y = (winding.neutralResistance == 0 && winding.neutralReactance == 0)
                    ? CDouble(1e6, 0) : CDouble.one / CDouble(winding.neutralResistance, winding.neutralReactance)
                p[n, n] = p[n, n] + y
            } else if ppm != 0 {
                let yPPM = -ppm / (vBase[w] * vBase[w] / (vaBase / Double(phases))) / 2
                p[n, n] = p[n, n] + CDouble(0, yPPM)
            }
        }
        return p
    }

    /// Maps the two ends of each phase winding to conductor indices (OpenDSS's TermRef).
    static func terminalReference(_ t: Transformer) -> [Int] {
        let nw = t.windings.count
        let phases = t.phases
        let conductors = phases + 1
        var direction = 1
        if t.windings[0].connection != t.windings[1].connection {
            let high = t.windings[0].kilovolts >= t.windings[1].kilovolts ? 0 : 1
            direction = t.windings[high].connection == .wye ? 1 : -1
        }
        var ref: [Int] = []
        if phases == 1 {
            for w in 0..<nw { ref.append(w * conductors); ref.append(w * conductors + conductors - 1) }
            return ref
        }
        for i in 0..<phases {
            for w in 0..<nw {
                ref.append(w * conductors + i)
                switch t.windings[w].connection {
                case .wye: ref.append(w * conductors + phases)
                case .delta:
                    var next = i + direction
                    if phases > 2 {
                        if next >= phases { next = 0 }
                        if next < 0 { next = phases - 1 }
                    } else if next < 0 {
                        next = 2
                    }
                    ref.append(w * conductors + next)
                }
            }
        }
        return ref
    }

    /// Capacitor primitive: wye (two terminals, bus2 usually ground) or delta (one terminal).
    /// A capacitor's primitive with the given steps in service. As OpenDSS, every step has the
    /// capacitance of the first step's rating, and the in-service steps' matrices add up.
    static func capacitor(_ c: Capacitor, states: [Bool], frequencyHertz: Double, baseFrequencyHertz: Double) -> DenseComplexMatrix {
        let step = capacitorStep(c, frequencyHertz: frequencyHertz, baseFrequencyHertz: baseFrequencyHertz)
        var y = DenseComplexMatrix(order: step.order)
        for on in states where on {
            for i in 0..<y.order { for j in 0..<y.order { y[i, j] = y[i, j] + step[i, j] } }
        }
        return y
    }

    static func capacitorStep(_ c: Capacitor, frequencyHertz: Double, baseFrequencyHertz: Double) -> DenseComplexMatrix {
        let phases = c.phases
        let perPhaseVars = c.stepKilovars[0] * 1000 / Double(phases)
        let freqScale = frequencyHertz / baseFrequencyHertz
        switch c.connection {
        case .wye:
            let vPhase = phases == 1 ? c.kilovolts * 1000 : c.kilovolts * 1000 / sqrt3
            let y = CDouble(0, perPhaseVars / (vPhase * vPhase) * freqScale)
            var series = DenseComplexMatrix(order: phases)
            for i in 0..<phases { series[i, i] = y }
            return twoTerminal(series: series, shunt: nil)
        case .delta:
            let vLine = c.kilovolts * 1000
            let y = CDouble(0, perPhaseVars / (vLine * vLine) * freqScale)
            var p = DenseComplexMatrix(order: phases)
            for i in 0..<phases {
                let j = (i + 1) % phases
                p[i, i] = p[i, i] + y; p[j, j] = p[j, j] + y
                p[i, j] = p[i, j] - y; p[j, i] = p[j, i] - y
            }
            return p
        }
    }
}
