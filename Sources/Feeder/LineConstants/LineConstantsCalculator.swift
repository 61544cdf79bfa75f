// Owns the line-constants formulas: series impedance (conductor internal impedance, spacing term,
// earth return by Carson, Full Carson or Deri) and shunt admittance (potential coefficients with
// images for bare wires, the insulation for cables), per metre, as OpenDSS computes them.
import ComplexModule
import RealModule

/// One conductor in SI units, as the formulas use it.
public struct ConductorInSI: Sendable, Equatable {
    public var xMetres: Double
    public var heightMetres: Double
    public var radiusMetres: Double
    /// Negative: use the radius for the capacitance.
    public var capacitanceRadiusMetres: Double
    public var gmrMetres: Double
    public var dcResistanceOhmsPerMetre: Double
    public var acResistanceOhmsPerMetre: Double
    /// The shield around a cable's phase core; nil for a bare wire.
    public var shield: CableShieldInSI?
}

/// The shield of a cable and its insulation, in SI units.
public enum CableShieldInSI: Sendable, Equatable {
    case concentricNeutral(CableInsulationInSI, ConcentricNeutralInSI)
    case tapeShield(CableInsulationInSI, TapeShieldInSI)

    var insulation: CableInsulationInSI {
        switch self {
        case let .concentricNeutral(insulation, _), let .tapeShield(insulation, _): return insulation
        }
    }
}

public struct CableInsulationInSI: Sendable, Equatable {
    public var relativePermittivity: Double
    public var thicknessMetres: Double
    public var diameterOverInsulationMetres: Double
    public var diameterOverCableMetres: Double
}

public struct ConcentricNeutralInSI: Sendable, Equatable {
    public var strandCount: Int
    public var strandDiameterMetres: Double
    public var strandGMRMetres: Double
    public var strandResistanceOhmsPerMetre: Double
}

public struct TapeShieldInSI: Sendable, Equatable {
    public var shieldDiameterMetres: Double
    public var tapeThicknessMetres: Double
    public var tapeLapPercent: Double
}

/// Series impedance and shunt admittance matrices of a conductor arrangement.
public struct LineConstantsResult: Sendable, Equatable {
    /// Ohms per metre at the computed frequency.
    public var seriesImpedanceOhmsPerMetre: ComplexSquareMatrix
    /// Siemens per metre (jωC) at the computed frequency.
    public var shuntAdmittanceSiemensPerMetre: ComplexSquareMatrix
}

/// OpenDSS's line-constants computation for overhead wires and CN / TS cables.
public struct LineConstantsCalculator: Sendable {
    // OpenDSS's own (rounded) constants: matching its results to 1e-10 needs exactly these.
    static let permittivityOfFreeSpace = 8.854e-12   // F/m
    static let permeabilityOfFreeSpace = 12.56637e-7  // H/m
    static let twoPi = 6.283185307
    /// Copper tape shield resistivity, ohm-m.
    static let tapeShieldResistivityOhmMetres = 2.3718e-8

    public var conductors: [ConductorInSI]
    public var phaseCount: Int
    public var earthModel: EarthModel
    public var frequencyHertz: Double
    public var earthResistivityOhmMetres: Double

    public init(conductors: [ConductorInSI], phaseCount: Int, earthModel: EarthModel, frequencyHertz: Double,
                earthResistivityOhmMetres: Double) {
        self.conductors = conductors
        self.phaseCount = phaseCount
        self.earthModel = earthModel
        self.frequencyHertz = frequencyHertz
        self.earthResistivityOhmMetres = earthResistivityOhmMetres
    }

    var omega: Double { Self.twoPi * frequencyHertz }
    var mu0: Double { Self.permeabilityOfFreeSpace }
    /// Complex depth factor of Deri's model, sqrt(jωμ0/ρ).
    var earthFactor: Complex<Double> { Complex.sqrt(Complex(0, omega * mu0 / earthResistivityOhmMetres)) }
    /// jωμ0/2π, the factor of every logarithmic spacing term.
    var inductanceFactor: Complex<Double> { Complex(0, omega * mu0 / Self.twoPi) }
    /// Below 1 kHz (and above 40 Hz) OpenDSS uses the published GMR, to match published data.
    var isPowerFrequency: Bool { frequencyHertz < 1000 && frequencyHertz > 40 }

    /// Whether the phase conductors are cables (then every phase must be one, of one kind).
    var isCable: Bool { conductors.prefix(phaseCount).contains { $0.shield != nil } }

    /// The full (unreduced) matrices, one row per conductor.
    public func compute() -> LineConstantsResult {
        isCable ? computeCable() : computeOverhead()
    }

    /// The matrices Kron-reduced to the phases (neutrals at zero voltage); the admittance keeps the
    /// phase block of the nodal capacitance matrix, as OpenDSS does.
    public func computeReduced() -> LineConstantsResult {
        let full = compute()
        guard phaseCount < conductors.count else { return full }
        return LineConstantsResult(
            seriesImpedanceOhmsPerMetre: full.seriesImpedanceOhmsPerMetre.kronReduced(to: phaseCount),
            shuntAdmittanceSiemensPerMetre: full.shuntAdmittanceSiemensPerMetre.leadingBlock(phaseCount))
    }

    func distanceMetres(_ i: Int, _ j: Int) -> Double {
        let dx = conductors[i].xMetres - conductors[j].xMetres
        let dy = conductors[i].heightMetres - conductors[j].heightMetres
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Self impedance of a bare conductor or cable core: internal + spacing (GMR) + earth.
    func coreSelfImpedance(_ i: Int) -> Complex<Double> {
        var internalPart = internalImpedance(i)
        let spacing: Complex<Double>
        if isPowerFrequency {
            internalPart = Complex(internalPart.real, 0)
            spacing = inductanceFactor * Double.log(1 / conductors[i].gmrMetres)
        } else {
            spacing = inductanceFactor * Double.log(1 / conductors[i].radiusMetres)
        }
        return internalPart + spacing + earthImpedance(i, i)
    }

    func computeOverhead() -> LineConstantsResult {
        let n = conductors.count
        var z = ComplexSquareMatrix(order: n)
        for i in 0..<n { z[i, i] = coreSelfImpedance(i) }
        for i in 0..<n {
            for j in 0..<i {
                z.setSymmetric(i, j, inductanceFactor * Double.log(1 / distanceMetres(i, j)) + earthImpedance(i, j))
            }
        }
        return LineConstantsResult(seriesImpedanceOhmsPerMetre: z, shuntAdmittanceSiemensPerMetre: overheadAdmittance())
    }

    /// jωC per metre from the Maxwell potential coefficients with conductor images in the earth.
    func overheadAdmittance() -> ComplexSquareMatrix {
        let n = conductors.count
        let potentialFactor = -1.0 / Self.twoPi / Self.permittivityOfFreeSpace / omega
        var p = ComplexSquareMatrix(order: n)
        for i in 0..<n {
            let c = conductors[i]
            let radius = c.capacitanceRadiusMetres < 0 ? c.radiusMetres : c.capacitanceRadiusMetres
            p[i, i] = Complex(0, potentialFactor * Double.log(2 * c.heightMetres / radius))
        }
        for i in 0..<n {
            for j in 0..<i {
                let dx = conductors[i].xMetres - conductors[j].xMetres
                let sumOfHeights = conductors[i].heightMetres + conductors[j].heightMetres
                let toImage = (dx * dx + sumOfHeights * sumOfHeights).squareRoot()
                p.setSymmetric(i, j, Complex(0, potentialFactor * Double.log(toImage / distanceMetres(i, j))))
            }
        }
        // Validated geometries (positive heights, no overlaps) give an invertible P.
        return p.inverted() ?? ComplexSquareMatrix(order: n)
    }
}
