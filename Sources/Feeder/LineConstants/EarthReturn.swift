// Owns the conductor internal impedance and the earth-return impedance of the three earth models
// (Carson, Full Carson, Deri) and the Bessel series Deri's skin-effect term needs, per metre.
import ComplexModule
import RealModule

extension LineConstantsCalculator {
    /// Internal impedance of conductor i (ohm/m): AC resistance plus ωμ0/8π for the Carson models;
    /// a round conductor's skin-effect impedance from its DC resistance for Deri.
    func internalImpedance(_ i: Int) -> Complex<Double> {
        let c = conductors[i]
        switch earthModel {
        case .carson, .fullCarson:
            return Complex(c.acResistanceOhmsPerMetre, omega * mu0 / (8 * Double.pi))
        case .deri:
            let onePlusJ = Complex<Double>(1, 1)
            let alpha = onePlusJ * (frequencyHertz * mu0 / c.dcResistanceOhmsPerMetre).squareRoot()
            // Beyond |α| = 35 the ratio I0/I1 is 1 to double precision (and the series would overflow).
            let ratio = alpha.length > 35 ? Complex<Double>(1, 0) : Self.besselI0(alpha) / Self.besselI1(alpha)
            return onePlusJ * ratio * ((c.dcResistanceOhmsPerMetre * frequencyHertz * mu0).squareRoot() / 2)
        }
    }

    /// Earth-return impedance between conductors i and j (ohm/m); i == j for the self term.
    func earthImpedance(_ i: Int, _ j: Int) -> Complex<Double> {
        let yi = abs(conductors[i].heightMetres), yj = abs(conductors[j].heightMetres)
        switch earthModel {
        case .carson:
            return Complex(omega * mu0 / 8, (omega * mu0 / Self.twoPi)
                * Double.log(658.5 * (earthResistivityOhmMetres / frequencyHertz).squareRoot()))
        case .fullCarson:
            let dx = conductors[i].xMetres - conductors[j].xMetres
            let toImage = i == j ? 2 * yi : ((yi + yj) * (yi + yj) + dx * dx).squareRoot()
            let theta = i == j ? 0 : Double.acos((yi + yj) / toImage)
            return fullCarsonTerm(imageDistanceMetres: toImage, angle: theta)
        case .deri:
            let inverseDepth = Complex<Double>(1, 0) / earthFactor
            let lnArgument: Complex<Double>
            if i != j {
                let h = Complex(yi + yj, 0) + inverseDepth * 2
                let dx = Complex<Double>(conductors[i].xMetres - conductors[j].xMetres, 0)
                lnArgument = Complex.sqrt(h * h + dx * dx)
            } else {
                lnArgument = (Complex(yi, 0) + inverseDepth) * 2
            }
            return Complex(0, omega * mu0 / Self.twoPi) * Complex.log(lnArgument)
        }
    }

    /// Carson's series (Tleis' notation) for image distance D and angle θ, with OpenDSS's correction
    /// term 0.5 ln D so that it combines with the ln(1/D) spacing term.
    func fullCarsonTerm(imageDistanceMetres d: Double, angle theta: Double) -> Complex<Double> {
        let b1 = 1.0 / (3.0 * (2.0).squareRoot()), b2 = 1.0 / 16.0
        let b3 = b1 / 3.0 / 5.0, b4 = b2 / 4.0 / 6.0
        let d2 = b2 * Double.pi / 4.0, d4 = b4 * Double.pi / 4.0
        let c2 = 1.3659315, c4 = c2 + 1.0 / 4.0 + 1.0 / 6.0
        let m = 2.8099e-3 * d * (frequencyHertz / earthResistivityOhmMetres).squareRoot()
        let m2 = m * m, m3 = m * m * m, m4 = m * m * m * m
        let real = Double.pi / 8.0 - b1 * m * Double.cos(theta)
            + b2 * m2 * (Double.log(Double.exp(c2) / m) * Double.cos(2 * theta) + theta * Double.sin(2 * theta))
            + b3 * m3 * Double.cos(3 * theta) - d4 * m4 * Double.cos(4 * theta)
        let term1 = 0.5 * Double.log(1.85138 / m)
        let term2 = b1 * m * Double.cos(theta)
        let term3 = -d2 * m2 * Double.cos(2 * theta)
        let term4 = b3 * m3 * Double.cos(3 * theta)
        let term5 = -b4 * m4 * (Double.log(Double.exp(c4) / m) * Double.cos(4 * theta) + theta * Double.sin(4 * theta))
        let imaginary = term1 + term2 + term3 + term4 + term5 + 0.5 * Double.log(d)
        return Complex(real, imaginary) * (omega * mu0 / Double.pi)
    }

    /// Modified Bessel function I0 of a complex argument by its power series, stopped when a term's
    /// magnitude falls below 1e-10 (OpenDSS's stopping rule, kept so that results agree with it).
    static func besselI0(_ a: Complex<Double>) -> Complex<Double> {
        let quarterSquare = (a * a) * 0.25
        var term = quarterSquare
        var sum = Complex<Double>(1, 0) + quarterSquare
        var i = 1
        repeat {
            term = quarterSquare * term
            i += 1
            term = term / Double(i * i)
            sum = sum + term
        } while i <= 1000 && term.real * term.real + term.imaginary * term.imaginary >= 1e-20
        return sum
    }

    /// Modified Bessel function I1 of a complex argument by its power series (same stopping rule).
    static func besselI1(_ x: Complex<Double>) -> Complex<Double> {
        var term = x / 2
        var sum = term
        var previousFactor = term
        var i = 4
        repeat {
            let factor = x / Double(i)
            term = term * (previousFactor * factor)
            sum = sum + term
            previousFactor = factor
            i += 2
        } while i <= 1000 && term.real * term.real + term.imaginary * term.imaginary >= 1e-20
        return sum
    }
}
