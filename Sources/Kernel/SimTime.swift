// Owns simulated time: integer milliseconds since the start of a run (never the wall clock).

/// A point in simulated time, in integer milliseconds since the run's start (t = 0).
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static let zero = SimTime(milliseconds: 0)

    public static func seconds(_ s: Int64) -> SimTime { SimTime(milliseconds: s * 1000) }
    public static func minutes(_ m: Int64) -> SimTime { SimTime(milliseconds: m * 60_000) }
    public static func hours(_ h: Int64) -> SimTime { SimTime(milliseconds: h * 3_600_000) }

    /// Converts a duration in (fractional) seconds to the nearest millisecond, rounding half away
    /// from zero. Use for sampled delays; the rounding rule is part of the trace format.
    public static func fromSeconds(_ seconds: Double) -> SimTime {
        precondition(seconds.isFinite, "simulated time must be finite")
        return SimTime(milliseconds: Int64((seconds * 1000).rounded(.toNearestOrAwayFromZero)))
    }

    public var seconds: Double { Double(milliseconds) / 1000 }

    public static func < (a: SimTime, b: SimTime) -> Bool { a.milliseconds < b.milliseconds }
    public static func + (a: SimTime, b: SimTime) -> SimTime { SimTime(milliseconds: a.milliseconds + b.milliseconds) }
    public static func - (a: SimTime, b: SimTime) -> SimTime { SimTime(milliseconds: a.milliseconds - b.milliseconds) }

    /// `HH:MM:SS.mmm` (hours may exceed 24).
    public var description: String {
        let ms = milliseconds
        let sign = ms < 0 ? "-" : ""
        let a = ms.magnitude
        let h = a / 3_600_000, m = a / 60_000 % 60, s = a / 1000 % 60, r = a % 1000
        return sign + pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(r, 3)
    }
}

private func pad(_ v: UInt64, _ width: Int) -> String {
    let text = String(v)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}
