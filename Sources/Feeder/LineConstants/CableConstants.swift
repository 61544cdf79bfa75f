// Owns the cable part of the line-constants computation: concentric-neutral and tape-shield
// self and mutual impedances (the shields appended after the conductors, then Kron-eliminated)
// and the shunt admittance of each phase core through its insulation.
import ComplexModule
import RealModule

extension LineConstantsCalculator {
    /// Impedance and admittance of a cable arrangement: conductors first, one shield per phase
    /// appended and eliminated (the shields are grounded at both ends).
    func computeCable() -> LineConstantsResult {
        let n = conductors.count
        var z = ComplexSquareMatrix(order: n + phaseCount)
        for i in 0..<n { z[i, i] = coreSelfImpedance(i) }
        for i in 0..<phaseCount { z[n + i, n + i] = shieldSelfImpedance(i) }
        for i in 0..<n {
            for j in 0..<i {
                z.setSymmetric(i, j, inductanceFactor * Double.log(1 / distanceMetres(i, j)) + earthImpedance(i, j))
            }
        }
        for i in 0..<phaseCount {
            for j in 0..<i {
                z.setSymmetric(n + i, n + j, inductanceFactor * Double.log(1 / distanceMetres(i, j)) + earthImpedance(i, j))
            }
            for j in 0..<n {
                let distance = shieldToConductorDistanceMetres(shieldOf: i, conductor: j)
                z.setSymmetric(n + i, j, inductanceFactor * Double.log(1 / distance) + earthImpedance(i, j))
            }
        }
        var y = ComplexSquareMatrix(order: n)
        for i in 0..<phaseCount { y[i, i] = insulationAdmittance(i) }
        return LineConstantsResult(seriesImpedanceOhmsPerMetre: z.kronReduced(to: n), shuntAdmittanceSiemensPerMetre: y)
    }

    /// Self impedance of phase i's shield: its resistance, its GMR spacing term and the earth term.
    func shieldSelfImpedance(_ i: Int) -> Complex<Double> {
        let resistance: Double, gmr: Double
        switch conductors[i].shield {
        case let .concentricNeutral(insulation, neutral)?:
            let k = Double(neutral.strandCount)
            resistance = neutral.strandResistanceOhmsPerMetre / k
            let radius = 0.5 * (insulation.diameterOverCableMetres - neutral.strandDiameterMetres)
            gmr = Double.pow(neutral.strandGMRMetres * k * Double.pow(radius, k - 1), 1 / k)
        case let .tapeShield(_, tape)?:
            resistance = 0.3183 * Self.tapeShieldResistivityOhmMetres
                / (tape.shieldDiameterMetres * tape.tapeThicknessMetres * (50 / (100 - tape.tapeLapPercent)).squareRoot())
            gmr = 0.5 * (tape.shieldDiameterMetres - tape.tapeThicknessMetres)  // to the tape's centre (Kersting)
        case nil:
            return .zero  // not reached: phases of a cable arrangement are validated to be cables
        }
        return Complex(resistance, 0) + inductanceFactor * Double.log(1 / gmr) + earthImpedance(i, i)
    }

    /// Equivalent distance from phase i's shield to conductor j (its own core: the shield radius).
    func shieldToConductorDistanceMetres(shieldOf i: Int, conductor j: Int) -> Double {
        switch conductors[i].shield {
        case let .concentricNeutral(insulation, neutral)?:
            let radius = 0.5 * (insulation.diameterOverCableMetres - neutral.strandDiameterMetres)
            if i == j { return radius }
            let k = Double(neutral.strandCount)
            return Double.pow(Double.pow(distanceMetres(i, j), k) - Double.pow(radius, k), 1 / k)
        case let .tapeShield(_, tape)?:
            return i == j ? 0.5 * (tape.shieldDiameterMetres - tape.tapeThicknessMetres) : distanceMetres(i, j)
        case nil:
            return distanceMetres(i, j)
        }
    }

    /// jωC per metre of phase i's core to its grounded shield through the insulation.
    func insulationAdmittance(_ i: Int) -> Complex<Double> {
        guard let insulation = conductors[i].shield?.insulation else { return .zero }
        let factor = Self.twoPi * Self.permittivityOfFreeSpace * insulation.relativePermittivity * omega
        let outer = 0.5 * insulation.diameterOverInsulationMetres
        let inner = outer - insulation.thicknessMetres
        return Complex(0, factor / Double.log(outer / inner))
    }
}
