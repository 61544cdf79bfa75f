// Owns how numbers, quantities, times and participants are shown to people: rounded (no float
// noise), with their unit, clock times as HH:MM (with the day once a run passes one day), and one
// spelling of a participant's id. Machines get exact values instead (JSON numbers, `time_ms`).
// Every command's text output goes through here so the vocabulary stays one.

public enum HumanFormat {
    /// The id of a market participant everywhere it is shown or matched: `home:7` (0-based, as in
    /// traces, `replay --until actor=home:7`, audits, CSV and JSON).
    public static func participant(_ index: Int) -> String { "home:\(index)" }

    /// `value` rounded half away from zero to `decimals` places, trailing zeros kept so columns
    /// align ("0.028", "21.64", "-0.50"); NaN and infinities by name.
    public static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
        let places = max(0, min(decimals, 12))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return value.description }
        let whole = UInt64(scaled), divisor = UInt64(scale)
        var text = String(whole / divisor)
        if places > 0 {
            let fraction = String(whole % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return (value < 0 && whole != 0 ? "-" : "") + text
    }

    /// A quantity with its unit: "0.886 pu", "3.21 kWh".
    public static func quantity(_ value: Double, _ unit: String, decimals: Int = 2) -> String {
        number(value, decimals: decimals) + " " + unit
    }

    /// A whole quantity with its unit: "245 µtoken/Wh", "6751 µtoken".
    public static func quantity(_ value: Int64, _ unit: String) -> String { "\(value) \(unit)" }

    /// A price for people in the unit the scenario files use, token per kWh (1 µtoken/Wh =
    /// 0.001 token/kWh): 245 µtoken/Wh is "0.245 token/kWh".
    public static func price(microTokensPerWattHour: Int64) -> String {
        quantity(Double(microTokensPerWattHour) / 1000, "token/kWh", decimals: 3)
    }

    /// A simulated time for people: `HH:MM` within the first day, `HH:MM:SS` when not on a whole
    /// minute, and `day N HH:MM` (N from 1) once the run has passed its first day.
    public static func clock(milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let total = milliseconds.magnitude
        let day = total / 86_400_000, inDay = total % 86_400_000
        let hours = inDay / 3_600_000, minutes = inDay / 60_000 % 60, seconds = inDay / 1000 % 60, millis = inDay % 1000
        var text = pad(hours) + ":" + pad(minutes)
        if seconds != 0 || millis != 0 { text += ":" + pad(seconds) }
        if millis != 0 { text += "." + String(repeating: "0", count: 3 - String(millis).count) + String(millis) }
        return sign + (day > 0 ? "day \(day + 1) " : "") + text
    }

    /// `shown` of `total` items as a title: "55 revealed orders" when all are listed, else
    /// "first 20 of 55 revealed orders".
    public static func listTitle(shown: Int, total: Int, _ noun: String) -> String {
        shown >= total ? "\(total) \(noun)" : "first \(shown) of \(total) \(noun)"
    }

    private static func pad(_ value: UInt64) -> String { value < 10 ? "0\(value)" : String(value) }
}

extension CanonicalJSON {
    /// A 64-bit seed as a JSON number (every seed a run accepts fits a signed 64-bit integer; one
    /// that does not is kept exact as its decimal string).
    public static func seed(_ value: UInt64) -> CanonicalJSON {
        value <= UInt64(Int64.max) ? .int(Int64(value)) : .string(String(value))
    }
}
