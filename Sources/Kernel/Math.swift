// Owns the few libm entry points the engine uses, so that every module calls them the same way.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ln(1 − x) for x in [0, 1).
@inline(__always) public func log1pNegative(_ x: Double) -> Double { log1p(-x) }
/// Natural logarithm.
@inline(__always) public func logarithm(_ x: Double) -> Double { log(x) }
/// Cosine of an angle in radians.
@inline(__always) public func cosine(_ x: Double) -> Double { cos(x) }
/// Sine of an angle in radians.
@inline(__always) public func sine(_ x: Double) -> Double { sin(x) }
/// exp(x).
@inline(__always) public func exponent(_ x: Double) -> Double { exp(x) }
/// atan2(y, x) in radians.
@inline(__always) public func arcTangent2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }
/// x raised to the power y.
@inline(__always) public func power(_ x: Double, _ y: Double) -> Double { pow(x, y) }
