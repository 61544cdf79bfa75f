// Owns how a Line stamps into the network: its primitive from its own data or its line code
// (sequence or matrices, unit and frequency conversion, charging capacitance).
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addLine(_ i: Int) throws {
        let line = model.lines[i]
        guard line.enabled else { return }
        let codeIndex = line.lineCode.flatMap { lineCodeIndexByName[$0] }
        let code = codeIndex.map { model.lineCodes[$0] }
        let phases = (code != nil && !line.usesOwnImpedance && !line.phasesOverrideCode) ? (code?.phases ?? line.phases) : line.phases
        var conductorNodes: [Int] = []
        conductorNodes.reserveCapacity(2 * phases)
        appendNodeIndices(line.bus1, conductors: phases, phases: phases, to: &conductorNodes)
        appendNodeIndices(line.bus2, conductors: phases, phases: phases, to: &conductorNodes)
        // A run of lines of one code and length (e.g. service drops) shares one primitive.
        let key = PrimitiveCache.lineKey(line, codeIndex: codeIndex, frequencyHertz: frequencyHertz)
        let y: DenseComplexMatrix
        if let key, let last = primitiveCache.lastLine, last.key == key {
            y = last.primitive
        } else {
            y = try Primitives.line(line, code: code, frequencyHertz: frequencyHertz)
            if let key { primitiveCache.lastLine = (key, y) }
        }
        delivery.append(DeliveryElement(name: "Line." + line.name, kind: .line, modelIndex: i,
                                        conductorNodes: conductorNodes, conductorsPerTerminal: phases, yPrim: y))
    }
}

extension Primitives {
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
}
