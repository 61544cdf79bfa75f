// Owns how a Vsource (the circuit's Thevenin source) stamps into the network: its series
// impedance from short-circuit data or ohms, its Norton current, and its phase voltages.
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addSource(_ i: Int) throws {
        let v = model.vsources[i]
        let n1 = nodeIndices(v.bus1, conductors: v.phases, phases: v.phases)
        let bus2 = v.bus2 ?? BusSpec(name: v.bus1.name, nodes: Array(repeating: 0, count: v.phases))
        let n2 = nodeIndices(bus2, conductors: v.phases, phases: v.phases)
        guard let y = Primitives.sourceImpedance(v).inverted() else {
            throw PowerFlowError.invalidElement("Vsource.\(v.name)", "source impedance is singular")
        }
        delivery.append(DeliveryElement(name: "Vsource.\(v.name)", kind: .vsource, modelIndex: i,
                                        conductorNodes: n1 + n2, conductorsPerTerminal: v.phases,
                                        yPrim: Primitives.twoTerminal(series: y, shunt: nil)))
        let e = Primitives.sourcePhaseVoltages(v)
        for row in 0..<v.phases {
            var current = CDouble.zero
            for col in 0..<v.phases { current = current + y[row, col] * e[col] }
            if n1[row] >= 0 { sourceCurrents.append((n1[row], current)) }
            if n2[row] >= 0 { sourceCurrents.append((n2[row], -current)) }
        }
    }
}

extension Primitives {
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

    static func sourcePhaseVoltages(_ v: VoltageSource) -> [CDouble] {
        let magnitude = v.baseKilovolts * 1000 * v.perUnit / (v.phases == 1 ? 1 : sqrt3)
        return (0..<v.phases).map { i in
            let angle = (v.angleDegrees - 360.0 * Double(i) / Double(v.phases)) * Double.pi / 180
            return CDouble(magnitude * cosine(angle), magnitude * sine(angle))
        }
    }
}
