// Owns how a Transformer stamps into the network: the n-winding primitive with taps, the
// no-load branch, the 1 ppm anti-float admittance and neutral grounding, and re-stamping after a
// tap change.
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addTransformer(_ i: Int, taps: [Double]) throws {
        let t = model.transformers[i]
        guard t.enabled else { return }
        var conductorNodes: [Int] = []
        conductorNodes.reserveCapacity(t.windings.count * (t.phases + 1))
        for w in t.windings {
            appendNodeIndices(w.bus, conductors: t.phases + 1, phases: t.phases, to: &conductorNodes)
        }
        // Transformers of one code and taps (e.g. every service transformer) share one primitive.
        let key = PrimitiveCache.transformerKey(t, taps: taps)
        let y: TransformerPrimitives
        if let cached = primitiveCache.transformers[key] {
            y = cached
        } else {
            y = try Primitives.transformerPrimitives(t, taps: taps)
            primitiveCache.transformers.insert(y, for: key)
        }
        delivery.append(DeliveryElement(name: "Transformer." + t.name, kind: .transformer, modelIndex: i,
                                        conductorNodes: conductorNodes, conductorsPerTerminal: t.phases + 1, yPrim: y.full,
                                        yPrimNoLoad: y.noLoad))
    }

    /// Replaces a transformer's primitive after a tap change.
    mutating func updateTransformer(modelIndex: Int, taps: [Double]) throws {
        guard let k = delivery.firstIndex(where: { $0.kind == .transformer && $0.modelIndex == modelIndex }) else { return }
        let y = try Primitives.transformerPrimitives(model.transformers[modelIndex], taps: taps)
        delivery[k].yPrim = y.full
        delivery[k].yPrimNoLoad = y.noLoad
    }
}

/// A transformer's primitive and its no-load branch alone, in the same layout.
struct TransformerPrimitives {
    var full: DenseComplexMatrix
    var noLoad: DenseComplexMatrix
}

extension Primitives {
    /// Transformer primitive, conductors ordered winding by winding (phases then neutral).
    ///
    /// With `noLoadBranchOnly`, only the no-load branch (%noloadloss, %imag) in the same layout:
    /// no series impedance, no neutral grounding, no anti-float admittance.
    static func transformer(_ t: Transformer, taps: [Double], noLoadBranchOnly: Bool = false) throws -> DenseComplexMatrix {
        let y = try transformerPrimitives(t, taps: taps)
        return noLoadBranchOnly ? y.noLoad : y.full
    }

    /// Both of `transformer`'s matrices from one pass over the shared parts (short-circuit
    /// admittances, winding bases, turns, terminal map); each entry computed as it always was.
    static func transformerPrimitives(_ t: Transformer, taps: [Double]) throws -> TransformerPrimitives {
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
        // Terminal matrices: 2 conductors per winding (high and low side of the winding).
        var yTerm = DenseComplexMatrix(order: 2 * nw)
        var yTermNoLoad = DenseComplexMatrix(order: 2 * nw)
        for i in 0..<(2 * nw) {
            for j in 0..<(2 * nw) {
                let si = i % 2 == 0 ? turns[i / 2] : -turns[i / 2]
                let sj = j % 2 == 0 ? turns[j / 2] : -turns[j / 2]
                yTerm[i, j] = (y1[i / 2, j / 2] + y1NoLoad[i / 2, j / 2]) * (si * sj)
                yTermNoLoad[i, j] = (CDouble.zero + y1NoLoad[i / 2, j / 2]) * (si * sj)
            }
        }
        let ppm = t.ppmAntifloat * 1e-6
        if ppm != 0 {
            for w in 0..<nw {
                let yPPM = -ppm / (vBase[w] * vBase[w] / (vaBase / Double(phases))) / 2
                yTerm[2 * w, 2 * w] = yTerm[2 * w, 2 * w] + CDouble(0, yPPM)
                yTerm[2 * w + 1, 2 * w + 1] = yTerm[2 * w + 1, 2 * w + 1] + CDouble(0, yPPM)
            }
        }
        let termRef = terminalReference(t)
        var p = DenseComplexMatrix(order: conductors * nw)
        var pNoLoad = DenseComplexMatrix(order: conductors * nw)
        accumulateTerminals(yTerm, yTermNoLoad, termRef: termRef, phases: phases, into: &p, &pNoLoad)
        for (w, winding) in t.windings.enumerated() where winding.connection == .wye {
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
        return TransformerPrimitives(full: p, noLoad: pNoLoad)
    }

    /// Adds each phase's terminal matrices into the primitives at the conductors `termRef` names
    /// (p[a, b] += yTerm[i, j], phase by phase, in the order the entries always were added).
    static func accumulateTerminals(_ yTerm: DenseComplexMatrix, _ yTermNoLoad: DenseComplexMatrix, termRef: [Int], phases: Int,
                                    into p: inout DenseComplexMatrix, _ pNoLoad: inout DenseComplexMatrix) {
        let termOrder = yTerm.order, order = p.order
        // Sizes and every index checked once, so that the loops below can use raw buffers.
        precondition(yTermNoLoad.order == termOrder && pNoLoad.order == order && termRef.count == phases * termOrder
                     && termRef.allSatisfy { $0 >= 0 && $0 < order })
        p.entries.withUnsafeMutableBufferPointer { full in
            pNoLoad.entries.withUnsafeMutableBufferPointer { noLoad in
                yTerm.entries.withUnsafeBufferPointer { term in
                    yTermNoLoad.entries.withUnsafeBufferPointer { termNoLoad in
                        termRef.withUnsafeBufferPointer { ref in
                            for k in 0..<phases {
                                for i in 0..<termOrder {
                                    let a = ref[i + k * termOrder]
                                    for j in 0..<termOrder {
                                        let slot = a * order + ref[j + k * termOrder]
                                        full[slot] = full[slot] + term[i * termOrder + j]
                                        noLoad[slot] = noLoad[slot] + termNoLoad[i * termOrder + j]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
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
        ref.reserveCapacity(2 * nw * phases)
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
}
