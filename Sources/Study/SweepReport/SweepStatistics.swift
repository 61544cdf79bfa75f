// Owns the statistics of the sweep report: the mean of a metric over seeds with its two-sided 95 %
// confidence interval from Student's t distribution (sample standard deviation, n − 1 degrees of
// freedom). The t quantile is computed here (regularized incomplete beta function, inverted by
// bisection) rather than looked up, so any number of seeds gets its exact interval.
import Foundation

/// Mean and confidence interval of a sample.
public struct MeanInterval: Sendable, Equatable {
    /// Values in the sample.
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (n − 1); nil for one value.
    public var standardDeviation: Double?
    /// Half the interval's width, t · s / √n; nil for one value (no interval without spread).
    public var halfWidth: Double?

    public var lower: Double? { halfWidth.map { mean - $0 } }
    public var upper: Double? { halfWidth.map { mean + $0 } }
}

public enum SweepStatistics {
    /// The mean and 95 % Student-t interval of `values` (all finite; the caller checked), nil when empty.
    public static func meanInterval(_ values: [Double], confidence: Double = 0.95) -> MeanInterval? {
        guard !values.isEmpty else { return nil }
        let count = Double(values.count)
        let mean = values.reduce(0, +) / count
        guard values.count > 1 else { return MeanInterval(count: 1, mean: mean, standardDeviation: nil, halfWidth: nil) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)
        let deviation = variance.squareRoot()
        let t = studentTQuantile(probability: 1 - (1 - confidence) / 2, degreesOfFreedom: values.count - 1)
        return MeanInterval(count: values.count, mean: mean, standardDeviation: deviation, halfWidth: t * deviation / count.squareRoot())
    }

    /// The `probability` quantile (0.5 < p < 1) of Student's t with `degreesOfFreedom` ≥ 1.
    public static func studentTQuantile(probability: Double, degreesOfFreedom: Int) -> Double {
        precondition(probability > 0.5 && probability < 1 && degreesOfFreedom >= 1, "t quantile of p in (0.5, 1), df ≥ 1")
        // Upper tail P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2 falls as t grows: bisect on it.
        let tail = 1 - probability
        var low = 0.0, high = 1.0
        while upperTail(high, degreesOfFreedom: degreesOfFreedom) > tail { high *= 2 }
        for _ in 0..<200 where high - low > 1e-13 * high {
            let middle = (low + high) / 2
            if upperTail(middle, degreesOfFreedom: degreesOfFreedom) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// P(T > t) for t ≥ 0.
    static func upperTail(_ t: Double, degreesOfFreedom: Int) -> Double {
        let nu = Double(degreesOfFreedom)
        return regularizedIncompleteBeta(x: nu / (nu + t * t), a: nu / 2, b: 0.5) / 2
    }

    /// I_x(a, b) by its continued fraction (modified Lentz), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logPowers - logBeta
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    }

    static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        var c = 1.0
        var d = 1 / awayFromZero(1 - (a + b) * x / (a + 1))
        var result = d
        for m in 1...300 {
            let mm = Double(m)
            let even = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            d = 1 / awayFromZero(1 + even * d)
            c = awayFromZero(1 + even / c)
            result *= d * c
            let odd = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            d = 1 / awayFromZero(1 + odd * d)
            c = awayFromZero(1 + odd / c)
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return result
    }

    /// Lentz's guard: a denominator that is (nearly) zero becomes tiny instead.
    static func awayFromZero(_ value: Double) -> Double { abs(value) < 1e-300 ? 1e-300 : value }
}
