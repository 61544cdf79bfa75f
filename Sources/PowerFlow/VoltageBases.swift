// Owns OpenDSS's CalcVoltageBases: a zero-load solve with the series part of every power-delivery
// element only (OpenDSS's BuildYMatrix(SERIESONLY): no line charging, no transformer no-load
// branch, shunt capacitors and shunt reactors reduced to 1e-10 of their diagonal, loads likewise),
// then each bus takes the voltage base nearest its solved voltage.
import ComplexModule
import Feeder

extension PowerFlowSolver {
    /// Gives every bus and node the nearest `Set voltagebases` value to its zero-load voltage.
    func computeVoltageBases() throws {
        assemble(includeConversion: false, seriesOnly: true)
        try factorization.factor(values: matrixValues)
        loadSourceCurrents()
        factorization.solve(&rhs)
        let bases = network.model.voltageBasesKilovolts
        // Each bus's nearest base first (buses read by index, not copied), then stored in one
        // pass over the network's buses and one over the node bases.
        var bestByBus = [Double?](repeating: nil, count: network.buses.count)
        rhs.withUnsafeBufferPointer { rhs in
            for b in network.buses.indices {
                guard let first = network.buses[b].nodeIndices.first, !bases.isEmpty else { continue }
                let v = CDouble(rhs[2 * first], rhs[2 * first + 1]).length
                let kvLL = v * Primitives.sqrt3 / 1000
                var best = bases[0], bestDiff = Double.infinity
                for base in bases where abs(1 - kvLL / base) < bestDiff {
                    bestDiff = abs(1 - kvLL / base)
                    best = base
                }
                bestByBus[b] = best
            }
        }
        network.setBases(kilovoltsLineToLine: bestByBus)
        var volts = nodeBaseVolts
        nodeBaseVolts = []  // `volts` is then the only reference: written in place
        volts.withUnsafeMutableBufferPointer { volts in
            for b in network.buses.indices {
                guard let best = bestByBus[b] else { continue }
                for node in network.buses[b].nodeIndices { volts[node] = best / Primitives.sqrt3 * 1000 }
            }
        }
        nodeBaseVolts = volts
        matrixIsCurrent = false
    }

    /// The element's Yprim_Series as OpenDSS forms it for the zero-load solve.
    static func seriesOnlyPrimitive(_ e: DeliveryElement, model: FeederModel) -> DenseComplexMatrix {
        switch e.kind {
        case .vsource:
            return e.yPrim
        case .line:
            // Two-terminal [[Y+Ysh/2, −Y], [−Y, Y+Ysh/2]]: the off-diagonal block is −Yseries.
            // `twoTerminal(series: S, shunt: nil)` with S = −(that block), written in one matrix:
            // the same operations on the same values (S + 0 on the diagonal blocks, −S off them).
            let n = e.yPrim.order / 2
            var p = DenseComplexMatrix(order: 2 * n)
            for i in 0..<n {
                for j in 0..<n {
                    let s = -e.yPrim[i, n + j]
                    p[i, j] = s + .zero
                    p[n + i, n + j] = s + .zero
                    p[i, n + j] = -s
                    p[n + i, j] = -s
                }
            }
            return p
        case .transformer:
            guard let noLoad = e.yPrimNoLoad else { return e.yPrim }
            var series = e.yPrim
            for k in series.entries.indices { series.entries[k] = series.entries[k] - noLoad.entries[k] }
            return series
        case .reactor:
            let reactor = model.reactors[e.modelIndex]
            guard reactor.isShunt else { return e.yPrim }
            // A one-phase shunt reactor is taken for a neutral or grounding reactor and kept.
            return diagonalOnly(e.yPrim, scale: reactor.phases == 1 ? 1 : 1e-10)
        case .capacitor:
            return diagonalOnly(e.yPrim, scale: 1e-10)
        }
    }

    static func diagonalOnly(_ m: DenseComplexMatrix, scale: Double) -> DenseComplexMatrix {
        var d = DenseComplexMatrix(order: m.order)
        for i in 0..<m.order { d[i, i] = m[i, i] * scale }
        return d
    }
}
