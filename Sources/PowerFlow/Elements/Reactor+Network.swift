// Owns how a Reactor stamps into the network: its primitive admittance (OpenDSS's CalcYPrim for
// the kvar, R+jX, matrix and sequence specifications, with the parallel resistance Rp) and its
// conductor nodes (bus2 defaults to bus1's ground; a delta reactor has one terminal).
import ComplexModule
import Feeder

extension Network {
    mutating func addReactor(_ i: Int) throws {
        let reactor = model.reactors[i]
        guard reactor.enabled else { return }
        let phases = reactor.phases
        var conductorNodes = nodeIndices(reactor.bus1, conductors: phases, phases: phases)
        if reactor.connection == .wye {
            let bus2 = reactor.bus2 ?? BusSpec(name: reactor.bus1.name, nodes: Array(repeating: 0, count: phases))
            conductorNodes += nodeIndices(bus2, conductors: phases, phases: phases)
        }
        let y = try Primitives.reactor(reactor)
        delivery.append(DeliveryElement(name: "Reactor.\(reactor.name)", kind: .reactor, modelIndex: i,
                                        conductorNodes: conductorNodes, conductorsPerTerminal: phases, yPrim: y))
    }
}

extension Primitives {
    /// Reactor primitive at its base frequency (power flow runs at the base frequency).
    static func reactor(_ reactor: Reactor) throws -> DenseComplexMatrix {
        let phases = reactor.phases
        let name = "Reactor.\(reactor.name)"
        switch reactor.specification {
        case .kilovars, .resistanceReactance:
            let x = reactor.specification == .kilovars ? reactor.reactanceFromRatingOhms : reactor.reactanceOhms
            guard x.isFinite else { throw PowerFlowError.invalidElement(name, "kvar=\(reactor.kilovars) gives no finite reactance") }
            let z = CDouble(reactor.resistanceOhms, x)
            guard z != .zero else { throw PowerFlowError.invalidElement(name, "zero impedance") }
            var y = CDouble.one / z
            if let rp = reactor.parallelResistanceOhms, rp != 0 { y = y + CDouble(1 / rp, 0) }
            return reactor.connection == .delta ? deltaShunt(y, phases: phases) : wyeSeries(y, phases: phases)
        case .matrices:
            guard let rm = reactor.rMatrix, let xm = reactor.xMatrix else {
                throw PowerFlowError.invalidElement(name, "rmatrix and xmatrix must both be given")
            }
            return try twoTerminal(series: matrixAdmittance(rm, xm, parallel: reactor.isParallel, phases: phases, name: name),
                                   shunt: nil)
        case .sequence:
            return try twoTerminal(series: sequenceAdmittance(reactor, name: name), shunt: nil)
        }
    }

    /// Y between each conductor and its counterpart on terminal 2.
    static func wyeSeries(_ y: CDouble, phases: Int) -> DenseComplexMatrix {
        var series = DenseComplexMatrix(order: phases)
        for k in 0..<phases { series[k, k] = y }
        return twoTerminal(series: series, shunt: nil)
    }

    /// Delta (one terminal): 2y on the diagonal, −y between every pair, as OpenDSS stamps it.
    static func deltaShunt(_ y: CDouble, phases: Int) -> DenseComplexMatrix {
        var p = DenseComplexMatrix(order: phases)
        for i in 0..<phases {
            for j in 0..<phases { p[i, j] = i == j ? y * 2 : -y }
        }
        return p
    }

    /// Series matrices R + jX inverted, or with `parallel` the elementwise G = R⁻¹, B = −X⁻¹ (OpenDSS).
    static func matrixAdmittance(_ rm: [Double], _ xm: [Double], parallel: Bool, phases: Int,
                                 name: String) throws -> DenseComplexMatrix {
        guard rm.count == phases * phases, xm.count == phases * phases else {
            throw PowerFlowError.invalidElement(name, "matrix order differs from \(phases) phases")
        }
        if parallel {
            let g = try realInverse(rm, phases: phases, name: name)
            let b = try realInverse(xm.map { -$0 }, phases: phases, name: name)
            var y = DenseComplexMatrix(order: phases)
            for k in 0..<(phases * phases) { y.entries[k] = CDouble(g[k], b[k]) }
            return y
        }
        var z = DenseComplexMatrix(order: phases)
        for k in 0..<(phases * phases) { z.entries[k] = CDouble(rm[k], xm[k]) }
        guard let y = z.inverted() else { throw PowerFlowError.invalidElement(name, "impedance matrix is singular") }
        return y
    }

    static func realInverse(_ values: [Double], phases: Int, name: String) throws -> [Double] {
        var m = DenseComplexMatrix(order: phases)
        for k in 0..<(phases * phases) { m.entries[k] = CDouble(values[k], 0) }
        guard let inverse = m.inverted() else { throw PowerFlowError.invalidElement(name, "matrix is singular") }
        return inverse.entries.map(\.real)
    }

    /// Phase impedances from Z1, Z2, Z0 (OpenDSS's SpecType 4; one phase takes Z1 alone).
    static func sequenceAdmittance(_ reactor: Reactor, name: String) throws -> DenseComplexMatrix {
        let phases = reactor.phases
        let z1 = CDouble(reactor.z1[0], reactor.z1[1])
        let z2 = reactor.z2.map { CDouble($0[0], $0[1]) } ?? z1
        let z0 = reactor.z0.map { CDouble($0[0], $0[1]) } ?? z1
        var z = DenseComplexMatrix(order: phases)
        let diagonal = phases == 1 ? z1 : (z2 + z1 + z0) / 3
        for k in 0..<phases { z[k, k] = diagonal }
        if phases == 3 {
            // a = 1∠120°; the two off-diagonal values differ when Z1 ≠ Z2.
            let a = CDouble(-0.5, 3.0.squareRoot() / 2)
            let a2 = a * a
            let lower = (a2 * z1 + a * z2 + z0) / 3
            let upper = (a2 * z2 + a * z1 + z0) / 3
            z[1, 0] = lower; z[2, 0] = upper; z[2, 1] = lower
            z[0, 1] = upper; z[0, 2] = lower; z[1, 2] = upper
        }
        guard let y = z.inverted() else { throw PowerFlowError.invalidElement(name, "impedance matrix is singular") }
        return y
    }
}
