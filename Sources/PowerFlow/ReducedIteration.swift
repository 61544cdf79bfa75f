// Owns the fast form of OpenDSS's fixed-point iteration. Only loads, generators and PV inject
// compensation currents, so with Y fixed every node voltage is V = V0 + Y⁻¹·d where V0 is the
// no-compensation solution and d is non-zero only at the m power-conversion nodes. The iteration
// runs on those m nodes with the dense m×m block Z = (Y⁻¹) restricted to them; the full voltage
// vector is formed once per converged solve. Convergence is tested on the m nodes (the only
// nodes whose injections change), with OpenDSS's measure |ΔV| / V_base.
import ComplexModule
import Kernel

/// Data of the reduced iteration, rebuilt after every (re)factorization.
struct ReducedSystem {
    /// Distinct non-ground nodes of conversion branches, and each branch's positions among them.
    var nodes: [Int]
    var branchPositions: [[(a: Int, b: Int)]]
    var z: (re: [Double], im: [Double])
    var v0: (re: [Double], im: [Double])
    var baseVolts: [Double]
    /// Pivot positions of `nodes` and the forward-solve reach from them.
    var pivotRows: [Int32]
    var reach: [Int32]

    var count: Int { nodes.count }
}

extension PowerFlowSolver {
    /// Expands the last reduced solve to every node (one sparse forward and a backward solve).
    func materializeVoltages() {
        guard voltagesStale else { return }
        voltagesStale = false
        guard let r = reduced, let factors else { return }
        let n = network.nodeCount
        if scratchRe.count != n { scratchRe = [Double](repeating: 0, count: n); scratchIm = scratchRe }
        factors.solveSparse(pivotRows: r.pivotRows, re: pendingInjection.re, im: pendingInjection.im, reach: r.reach,
                            outRe: &scratchRe, outIm: &scratchIm)
        voltageStorage.withUnsafeMutableBufferPointer { v in
            for i in 0..<n { v[i] = CDouble(r.v0.re[i] + scratchRe[i], r.v0.im[i] + scratchIm[i]) }
        }
    }

    static func conversionNodes(_ network: Network) -> ([Int], [[(a: Int, b: Int)]]) {
        var nodes: [Int] = []
        var position = [Int](repeating: -1, count: network.nodeCount)
        func slot(_ node: Int) -> Int {
            guard node >= 0 else { return -1 }
            if position[node] < 0 { position[node] = nodes.count; nodes.append(node) }
            return position[node]
        }
        let branches = network.conversion.map { e in e.branches.map { (slot($0.a), slot($0.b)) } }
        return (nodes, branches)
    }

    /// Builds V0 and the m×m transfer block from the present factors.
    func buildReducedSystem(_ factors: TriangularFactors) -> ReducedSystem {
        let (nodes, branches) = Self.conversionNodes(network)
        let n = network.nodeCount, m = nodes.count
        var re = [Double](repeating: 0, count: n), im = re
        for (node, current) in network.sourceCurrents { re[node] += current.real; im[node] += current.imaginary }
        factors.solve(re: &re, im: &im)
        let v0 = (re, im)
        var zr = [Double](repeating: 0, count: m * m), zi = zr
        for j in 0..<m {
            for k in 0..<n { re[k] = 0; im[k] = 0 }
            re[nodes[j]] = 1
            factors.solve(re: &re, im: &im)
            // Column-major: column j is the response of the reduced nodes to a unit injection at node j.
            for i in 0..<m { zr[j * m + i] = re[nodes[i]]; zi[j * m + i] = im[nodes[i]] }
        }
        return ReducedSystem(nodes: nodes, branchPositions: branches, z: (zr, zi), v0: v0,
                             baseVolts: nodes.map { nodeBaseVolts[$0] },
                             pivotRows: factors.pivotPositions(originalRows: nodes),
                             reach: factors.forwardReach(originalRows: nodes))
    }

    /// Fixed-point iteration on the conversion nodes; forms all node voltages at the end.
    func iterateReduced(_ r: ReducedSystem, _ factors: TriangularFactors, log: inout EventLog) -> (Bool, Int, Double) {
        let m = r.count
        var vr: [Double], vi: [Double]
        if voltagesStale && reducedVoltages.re.count == m {
            (vr, vi) = reducedVoltages
        } else {
            vr = r.nodes.map { voltageStorage[$0].real }
            vi = r.nodes.map { voltageStorage[$0].imaginary }
        }
        var dr = [Double](repeating: 0, count: m), di = dr
        var nr = dr, ni = dr
        let v0r = r.nodes.map { r.v0.re[$0] }, v0i = r.nodes.map { r.v0.im[$0] }
        var iteration = 0
        var maxChange = Double.infinity
        var converged = false
        var finite = true
        repeat {
            iteration += 1
            for k in 0..<m { dr[k] = 0; di[k] = 0 }
            for k in parameters.indices {
                let e = parameters[k]
                let s = states[k]
                for (pa, pb) in r.branchPositions[k] {
                    let va = pa >= 0 ? CDouble(vr[pa], vi[pa]) : .zero
                    let vb = pb >= 0 ? CDouble(vr[pb], vi[pb]) : .zero
                    let v = va - vb
                    let d = e.yBranch * v - branchCurrent(e, s, v)
                    if pa >= 0 { dr[pa] += d.real; di[pa] += d.imaginary }
                    if pb >= 0 { dr[pb] -= d.real; di[pb] -= d.imaginary }
                }
                // A wye element's neutral is its first branch's second node (see iterate()).
                if e.neutralShunt != .zero, let neutral = r.branchPositions[k].first?.1, neutral >= 0 {
                    let d = e.neutralShunt * CDouble(vr[neutral], vi[neutral])
                    dr[neutral] += d.real; di[neutral] += d.imaginary
                }
            }
            maxChange = 0
            // V_P = V0_P + Z·d as column updates (axpy over the rows: vectorizable, fixed order).
            for i in 0..<m { nr[i] = v0r[i]; ni[i] = v0i[i] }
            r.z.re.withUnsafeBufferPointer { zr in
                r.z.im.withUnsafeBufferPointer { zi in
                    nr.withUnsafeMutableBufferPointer { sr in
                        ni.withUnsafeMutableBufferPointer { si in
                            for j in 0..<m {
                                let xr = dr[j], xi = di[j]
                                if xr == 0 && xi == 0 { continue }
                                let column = j * m
                                for i in 0..<m {
                                    let a = zr[column + i], b = zi[column + i]
                                    sr[i] += a * xr - b * xi
                                    si[i] += a * xi + b * xr
                                }
                            }
                        }
                    }
                }
            }
            for i in 0..<m {
                let sr = nr[i], si = ni[i]
                let newMag = (sr * sr + si * si).squareRoot()
                let oldMag = (vr[i] * vr[i] + vi[i] * vi[i]).squareRoot()
                let change = Self.changePerUnit(new: newMag, old: oldMag, base: r.baseVolts[i])
                if change > maxChange { maxChange = change }
                if !newMag.isFinite { finite = false }
                vr[i] = sr
                vi[i] = si
            }
            recordIteration(iteration, maxChange: maxChange, log: &log)
            if !finite { break }
            converged = maxChange <= settings.tolerance && iteration >= settings.minIterations
        } while !converged && iteration < settings.maxIterations
        // All node voltages are V = V0 + Y⁻¹·d with d from the last iteration; formed on demand.
        pendingInjection = (dr, di)
        reducedVoltages = (vr, vi)
        voltagesStale = true
        return (converged && finite, iteration, finite ? maxChange : .infinity)
    }
}
