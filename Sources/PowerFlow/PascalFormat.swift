// Owns printing numbers the way OpenDSS's Free Pascal runtime prints them in its export files:
// Format('%W.Pg'), Format('%W.Df') and WriteStr(x:W:D). C's printf differs in three places that
// show in the files: %g switches to scientific below 1e-5 (C: below 1e-4), the exponent has no
// '+' and no leading zeros ("4.3195E-6", C: "4.3195e-06"), and Format drops the sign of a value
// that prints as zero ("0.0", where WriteStr and C print "-0.0").
import Foundation

enum PascalFormat {
    /// `Format('%W.Pg', [value])`: `precision` significant digits, trailing zeros removed, fixed
    /// notation for decimal exponents -5 ... precision-1, else `d.dddE-n`; padded left to `width`.
    static func general(_ value: Double, width: Int = 0, precision: Int = 15) -> String {
        padded(withoutNegativeZero(generalText(value, precision: min(max(precision, 1), 18))), width)
    }

    /// `Format('%W.Df', [value])`: like C's %f, but a value that rounds to zero has no sign.
    static func fixed(_ value: Double, width: Int = 0, decimals: Int) -> String {
        padded(withoutNegativeZero(String(format: "%.\(decimals)f", value)), width)
    }

    /// `WriteStr(s, value:W:D)`: exactly C's `%W.Df` (a negative value rounding to zero keeps its "-").
    static func writeFixed(_ value: Double, width: Int, decimals: Int) -> String {
        String(format: "%\(width).\(decimals)f", value)
    }

    static func generalText(_ value: Double, precision: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "Nan" : (value > 0 ? "+Inf" : "-Inf") }
        // The digits and decimal exponent after rounding to `precision` significant digits.
        let scientific = String(format: "%.\(precision - 1)e", value)
        guard let e = scientific.firstIndex(of: "e"), let exponent = Int(scientific[scientific.index(after: e)...]) else {
            return scientific
        }
        let negative = scientific.hasPrefix("-")
        let digits = Array(scientific[..<e].filter(\.isNumber))
        let sign = negative ? "-" : ""
        if exponent > -6 && exponent < precision {
            let text: String
            if exponent >= 0 {
                text = String(digits[...exponent]) + "." + String(digits[(exponent + 1)...])
            } else {
                text = "0." + String(repeating: "0", count: -exponent - 1) + String(digits)
            }
            return sign + trimmedFraction(text)
        }
        let mantissa = trimmedFraction(String(digits[0]) + "." + String(digits[1...]))
        return sign + mantissa + "E" + (exponent < 0 ? "-" : "") + String(abs(exponent))
    }

    /// Drops trailing zeros after the decimal point, and the point when nothing follows it.
    static func trimmedFraction(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var out = Substring(text)
        while out.last == "0" { out = out.dropLast() }
        if out.last == "." { out = out.dropLast() }
        return out.isEmpty ? "0" : String(out)
    }

    /// Free Pascal's Format removes a leading "-" when only zeros follow it.
    static func withoutNegativeZero(_ text: String) -> String {
        guard text.hasPrefix("-"), text.dropFirst().allSatisfy({ "0.E+".contains($0) }) else { return text }
        return String(text.dropFirst())
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
