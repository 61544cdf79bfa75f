// Owns the circuit-wide totals OpenDSS reports after a solve: the power the voltage sources
// deliver and the losses of the power-delivery elements (series elements; shunt capacitors and
// shunt reactors are not losses in OpenDSS's Losses).
import ComplexModule
import Feeder

/// Source power and losses of the whole circuit after a solve (kW, kvar; source delivering positive).
public struct CircuitTotals: Sendable, Equatable {
    public var sourceKilowatts: Double
    public var sourceKilovars: Double
    public var lossesKilowatts: Double
    public var lossesKilovars: Double
}

extension PowerFlowSolver {
    /// Totals as OpenDSS's `TotalPower` (negated) and `Losses` report them.
    public func circuitTotals() -> CircuitTotals {
        materializeVoltages()
        var source = CDouble.zero
        var losses = CDouble.zero
        for (d, e) in network.delivery.enumerated() {
            switch e.kind {
            case .vsource:
                source = source + sourceTerminalPower(e)
            case .capacitor:
                continue
            case .reactor where network.model.reactors[e.modelIndex].isShunt:
                continue
            default:
                losses = losses + terminalPower(deliveryIndex: d, conductors: 0..<e.conductorNodes.count)
            }
        }
        return CircuitTotals(sourceKilowatts: source.real / 1000, sourceKilovars: source.imaginary / 1000,
                             lossesKilowatts: losses.real / 1000, lossesKilovars: losses.imaginary / 1000)
    }

    /// Power a Vsource delivers through terminal 1: V·conj(I) with I = E·Y − Y·V (its Norton form).
    func sourceTerminalPower(_ e: DeliveryElement) -> CDouble {
        let v = e.conductorNodes.map { $0 >= 0 ? voltageStorage[$0] : CDouble.zero }
        let sourceVolts = Primitives.sourcePhaseVoltages(network.model.vsources[e.modelIndex])
        let k = e.conductorsPerTerminal
        var s = CDouble.zero
        for i in 0..<k {
            var current = CDouble.zero
            for j in 0..<k { current = current + e.yPrim[i, j] * sourceVolts[j] }
            for j in v.indices { current = current - e.yPrim[i, j] * v[j] }
            s = s + v[i] * current.conjugate
        }
        return s
    }
}
