// Owns the building blocks of primitive admittance matrices (Yprim) that several element classes
// share — sequence-to-phase conversion and the two-terminal series/shunt form — and the shunt
// capacitor's primitive. Each class's own primitive lives with its stamping in Elements/
// (`Line+Network.swift`, `Transformer+Network.swift`, ...). Units: siemens, ohms, volts.
import ComplexModule
import Feeder
import Kernel

enum Primitives {
    static let sqrt3 = 3.0.squareRoot()

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
