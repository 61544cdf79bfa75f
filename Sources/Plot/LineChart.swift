// Owns a small, dependency-free SVG chart writer: line and scatter series on linear axes with
// "nice" ticks, a title, axis labels and a legend. Output is a pure function of the input (fixed
// number formatting, no dates, no randomness), so charts can be diffed and embedded in reports.

/// One (x, y) data point.
public struct PlotPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// How a series is drawn.
public enum PlotStyle: Sendable, Equatable {
    case line
    case scatter
    case lineWithMarkers
}

/// A named series of points; non-finite points are skipped.
public struct PlotSeries: Sendable, Equatable {
    public var name: String
    public var points: [PlotPoint]
    public var style: PlotStyle
    /// An SVG colour; `nil` picks the next colour of the palette.
    public var color: String?

    public init(name: String, points: [PlotPoint], style: PlotStyle = .lineWithMarkers, color: String? = nil) {
        self.name = name
        self.points = points
        self.style = style
        self.color = color
    }
}

/// A chart with linear x and y axes.
public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    /// Canvas size, px.
    public var width: Double = 640
    public var height: Double = 400
    /// Include y = 0 in the y range (usual for counts and rates).
    public var yIncludesZero = true
    /// Fixed axis ranges (lower < upper); `nil` fits the data and rounds out to ticks.
    public var xDomain: ClosedRange<Double>?
    public var yDomain: ClosedRange<Double>?
    /// Fixed x tick positions (used with `xDomain`, e.g. every 3 h of a 0–24 h day); nil: nice ticks.
    public var xTickValues: [Double]?

    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    static let margin = (left: 70.0, right: 20.0, top: 40.0, bottom: 55.0)

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let points = series.flatMap { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        var (xRange, xTicks) = Self.axis(points.map(\.x), includeZero: false, fixed: xDomain)
        if let xTickValues {
            xTicks = xTickValues.filter { $0.isFinite && $0 >= xRange.lower && $0 <= xRange.upper }
        }
        let (yRange, yTicks) = Self.axis(points.map(\.y), includeZero: yIncludesZero, fixed: yDomain)
        let frame = Frame(width: width, height: height, x: xRange, y: yRange)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" "
        out += "viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(fmt(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escapeXML(title))</text>\n"
        out += axes(frame, xTicks: xTicks, yTicks: yTicks)
        for (index, item) in series.enumerated() {
            out += draw(item, color: item.color ?? Self.palette[index % Self.palette.count], frame: frame)
        }
        out += legend(frame)
        out += "</svg>\n"
        return out
    }

    /// An axis's range and ticks: the fixed domain (ticks inside it), or the data range widened
    /// to the outermost ticks.
    static func axis(_ values: [Double], includeZero: Bool, fixed: ClosedRange<Double>?)
        -> (range: (lower: Double, upper: Double), ticks: [Double])
    {
        if let fixed, fixed.lowerBound < fixed.upperBound, fixed.lowerBound.isFinite, fixed.upperBound.isFinite {
            let slack = (fixed.upperBound - fixed.lowerBound) * 1e-9  // i · step is inexact in binary
            let ticks = NiceTicks.ticks(lower: fixed.lowerBound, upper: fixed.upperBound)
                .filter { $0 >= fixed.lowerBound - slack && $0 <= fixed.upperBound + slack }
            return ((fixed.lowerBound, fixed.upperBound), ticks)
        }
        let data = range(values, includeZero: includeZero)
        let ticks = NiceTicks.ticks(lower: data.lower, upper: data.upper)
        return ((min(data.lower, ticks.first ?? data.lower), max(data.upper, ticks.last ?? data.upper)), ticks)
    }

    /// Data range padded so a single value or an all-equal series still gets a visible span.
    static func range(_ values: [Double], includeZero: Bool) -> (lower: Double, upper: Double) {
        guard var lower = values.min(), var upper = values.max() else { return (0, 1) }
        if includeZero {
            lower = min(lower, 0)
            upper = max(upper, 0)
        }
        if lower == upper {
            let pad = lower == 0 ? 1 : abs(lower) * 0.1
            lower -= pad
            upper += pad
        }
        return (lower, upper)
    }

    private func axes(_ frame: Frame, xTicks: [Double], yTicks: [Double]) -> String {
        var out = "<g stroke=\"#ccc\" stroke-width=\"1\">\n"
        for tick in yTicks {
            let y = frame.py(tick)
            out += "<line x1=\"\(fmt(frame.left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(frame.right))\" y2=\"\(fmt(y))\"/>\n"
        }
        out += "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n"
        out += "<line x1=\"\(fmt(frame.left))\" y1=\"\(fmt(frame.bottom))\" x2=\"\(fmt(frame.right))\" y2=\"\(fmt(frame.bottom))\"/>\n"
        out += "<line x1=\"\(fmt(frame.left))\" y1=\"\(fmt(frame.top))\" x2=\"\(fmt(frame.left))\" y2=\"\(fmt(frame.bottom))\"/>\n"
        out += "</g>\n<g text-anchor=\"middle\">\n"
        let xDecimals = NiceTicks.decimals(xTicks), yDecimals = NiceTicks.decimals(yTicks)
        for tick in xTicks {
            out += "<text x=\"\(fmt(frame.px(tick)))\" y=\"\(fmt(frame.bottom + 18))\">\(formatFixed(tick, decimals: xDecimals))</text>\n"
        }
        out += "</g>\n<g text-anchor=\"end\">\n"
        for tick in yTicks {
            out += "<text x=\"\(fmt(frame.left - 6))\" y=\"\(fmt(frame.py(tick) + 4))\">\(formatFixed(tick, decimals: yDecimals))</text>\n"
        }
        out += "</g>\n"
        out += "<text x=\"\(fmt((frame.left + frame.right) / 2))\" y=\"\(fmt(height - 12))\" text-anchor=\"middle\">\(escapeXML(xLabel))</text>\n"
        let yMid = (frame.top + frame.bottom) / 2
        out += "<text x=\"16\" y=\"\(fmt(yMid))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(fmt(yMid)))\">\(escapeXML(yLabel))</text>\n"
        return out
    }

    private func draw(_ item: PlotSeries, color: String, frame: Frame) -> String {
        let finite = item.points.filter { $0.x.isFinite && $0.y.isFinite }
        var out = "<g class=\"series\" data-name=\"\(escapeXML(item.name))\">\n"
        if item.style != .scatter, finite.count > 1 {
            let coordinates = finite.map { "\(fmt(frame.px($0.x))),\(fmt(frame.py($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(escapeXML(color))\" stroke-width=\"2\" points=\"\(coordinates)\"/>\n"
        }
        if item.style != .line {
            for point in finite {
                out += "<circle cx=\"\(fmt(frame.px(point.x)))\" cy=\"\(fmt(frame.py(point.y)))\" r=\"3.5\" fill=\"\(escapeXML(color))\"/>\n"
            }
        }
        return out + "</g>\n"
    }

    private func legend(_ frame: Frame) -> String {
        guard series.count > 1 || !(series.first?.name.isEmpty ?? true) else { return "" }
        var out = "<g class=\"legend\">\n"
        for (index, item) in series.enumerated() {
            let y = frame.top + 8 + Double(index) * 16
            let color = item.color ?? Self.palette[index % Self.palette.count]
            out += "<rect x=\"\(fmt(frame.left + 10))\" y=\"\(fmt(y - 8))\" width=\"12\" height=\"4\" fill=\"\(escapeXML(color))\"/>\n"
            out += "<text x=\"\(fmt(frame.left + 28))\" y=\"\(fmt(y - 2))\">\(escapeXML(item.name))</text>\n"
        }
        return out + "</g>\n"
    }
}

extension LineChart {
    /// The x axis of a day: 0 to 24 h with a tick every 3 h (interval values at their start hour
    /// end at 23.92 h, which nice ticks would round out to 25).
    public mutating func useDayAxis() {
        xDomain = 0...24
        xTickValues = stride(from: 0.0, through: 24, by: 3).map { $0 }
    }

    /// The axis ranges the chart draws: (x lower, x upper, y lower, y upper).
    public var axisRanges: (xLower: Double, xUpper: Double, yLower: Double, yUpper: Double) {
        let points = series.flatMap { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let x = Self.axis(points.map(\.x), includeZero: false, fixed: xDomain).range
        let y = Self.axis(points.map(\.y), includeZero: yIncludesZero, fixed: yDomain).range
        return (x.lower, x.upper, y.lower, y.upper)
    }

    /// The chart's data as CSV, one row per point: `series,x,y` with the axis labels as the header's
    /// last two names (quoted when needed) and values in shortest round-trip form (full precision).
    public func csv() -> String {
        var out = "series," + csvField(xLabel) + "," + csvField(yLabel) + "\n"
        for item in series {
            for point in item.points where point.x.isFinite && point.y.isFinite {
                out += csvField(item.name) + "," + shortestText(point.x) + "," + shortestText(point.y) + "\n"
            }
        }
        return out
    }
}

/// A CSV field, quoted (with doubled quotes) when it holds a comma, quote or line break.
public func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    var out = "\""
    for character in text {
        if character == "\"" { out += "\"" }
        out.append(character)
    }
    return out + "\""
}

/// The shortest decimal text that reads back as the same Double ("0.1", "24", "-3.5e-05").
public func shortestText(_ value: Double) -> String {
    if value == value.rounded(), value.magnitude < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

/// Maps data coordinates into the plotting area (y grows upwards on the chart).
struct Frame {
    let left: Double, right: Double, top: Double, bottom: Double
    let x: (lower: Double, upper: Double), y: (lower: Double, upper: Double)

    init(width: Double, height: Double, x: (lower: Double, upper: Double), y: (lower: Double, upper: Double)) {
        left = LineChart.margin.left
        right = width - LineChart.margin.right
        top = LineChart.margin.top
        bottom = height - LineChart.margin.bottom
        self.x = x
        self.y = y
    }

    func px(_ value: Double) -> Double { left + (value - x.lower) / (x.upper - x.lower) * (right - left) }
    func py(_ value: Double) -> Double { bottom - (value - y.lower) / (y.upper - y.lower) * (bottom - top) }
}

/// Axis ticks at 1, 2 or 5 × 10ⁿ steps.
public enum NiceTicks {
    /// About `target` evenly spaced round values covering [lower, upper].
    public static func ticks(lower: Double, upper: Double, target: Int = 6) -> [Double] {
        guard lower.isFinite, upper.isFinite, upper > lower, target >= 2 else { return [] }
        let step = niceStep((upper - lower) / Double(target - 1))
        let first = (lower / step).rounded(.down)
        let last = (upper / step).rounded(.up)
        guard last - first < 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The smallest of 1, 2, 5 × 10ⁿ not below `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }

    /// Decimal places needed to print ticks spaced like `ticks` (0...6).
    static func decimals(_ ticks: [Double]) -> Int {
        guard ticks.count > 1 else { return 0 }
        var step = abs(ticks[1] - ticks[0])
        var places = 0
        while places < 6, (step - step.rounded()).magnitude > 1e-9 * max(1, step) {
            step *= 10
            places += 1
        }
        return places
    }
}

/// Pixel coordinates with two decimals.
func fmt(_ value: Double) -> String { formatFixed(value, decimals: 2) }

/// `value` rounded half away from zero to `decimals` places, without exponent notation and
/// without trailing zeros ("12.5", "3", "-0.25").
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
    var scale = 1.0
    for _ in 0..<max(0, decimals) { scale *= 10 }
    let scaled = (value.magnitude * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9e15 else { return value.description }
    let whole = UInt64(scaled)
    let divisor = UInt64(scale)
    var text = String(whole / divisor)
    if divisor > 1 {
        var fraction = String(whole % divisor)
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        if !fraction.isEmpty { text += "." + fraction }
    }
    return (value < 0 && whole != 0 ? "-" : "") + text
}

/// Escapes the five XML special characters.
public func escapeXML(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"  // valid in XML and in HTML (where &apos; is not in HTML 4)
        default: out.append(character)
        }
    }
    return out
}
