// Owns the report's text primitives: HTML escaping and fixed-decimal number formatting that does
// not depend on the process locale (so the same run always gives the same bytes).
import Plot

/// Text helpers for the HTML report.
public enum HTMLText {
    /// Escapes the HTML special characters `& < > " '` so any text can go into an element or a
    /// quoted attribute.
    public static func escape(_ text: String) -> String { escapeXML(text) }

    /// `value` with exactly `decimals` places, rounded half away from zero ("40.06", "3.330",
    /// "-0.50"); "—" for NaN or infinity (a missing figure, never a number).
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "—" }
        var text = formatFixed(value, decimals: decimals)
        guard decimals > 0 else { return text }
        if let dot = text.firstIndex(of: ".") {
            let present = text.distance(from: text.index(after: dot), to: text.endIndex)
            text += String(repeating: "0", count: max(0, decimals - present))
        } else {
            text += "." + String(repeating: "0", count: decimals)
        }
        return text
    }

    /// Like `fixed` with an explicit sign for non-zero values ("+19.06", "-6.22", "0.00").
    public static func signed(_ value: Double, decimals: Int) -> String {
        let text = fixed(value, decimals: decimals)
        guard value.isFinite, value > 0, text.contains(where: { $0 != "0" && $0 != "." }) else { return text }
        return "+" + text
    }

    /// The relative change from `base` to `value` in percent, signed ("+47.58 %", with a
    /// no-break space so the sign never parts from the unit); "—" when the base is zero or either
    /// value is missing.
    public static func relativeChange(from base: Double, to value: Double, decimals: Int = 2) -> String {
        guard base.isFinite, value.isFinite, base != 0 else { return "—" }
        return signed((value - base) / abs(base) * 100, decimals: decimals) + "\u{00A0}%"
    }
}
