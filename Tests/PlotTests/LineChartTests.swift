// Tests the SVG chart writer: tick choice, number formatting, escaping, coordinates of drawn points.
import Testing
@testable import Plot

@Suite struct LineChartTests {
    @Test func niceTicksUseOneTwoFiveSteps() {
        #expect(NiceTicks.niceStep(0.13) == 0.2)
        #expect(NiceTicks.niceStep(3) == 5)
        #expect(NiceTicks.niceStep(7) == 10)
        #expect(NiceTicks.niceStep(100) == 100)
        #expect(NiceTicks.ticks(lower: 0, upper: 800) == [0, 200, 400, 600, 800])
        #expect(NiceTicks.ticks(lower: 3, upper: 3).isEmpty)
    }

    @Test func fixedFormattingHasNoExponentOrTrailingZeros() {
        #expect(formatFixed(12.5, decimals: 2) == "12.5")
        #expect(formatFixed(3, decimals: 2) == "3")
        #expect(formatFixed(-0.25, decimals: 2) == "-0.25")
        #expect(formatFixed(-0.001, decimals: 2) == "0")
        #expect(formatFixed(0.00001234, decimals: 6) == "0.000012")
        #expect(formatFixed(2.675, decimals: 0) == "3")
        #expect(formatFixed(1234567.891, decimals: 1) == "1234567.9")
    }

    @Test func escapesMarkupInLabels() {
        #expect(escapeXML("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
        let chart = LineChart(title: "R&D <test>", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "s", points: [PlotPoint(x: 0, y: 0), PlotPoint(x: 1, y: 1)])])
        let svg = chart.svg()
        #expect(svg.contains("R&amp;D &lt;test&gt;"))
        #expect(!svg.contains("<test>"))
    }

    @Test func pointsMapIntoThePlottingArea() {
        // x 0...800 and y 0...10 fill the area from (70, 345) to (620, 40) on a 640×400 canvas.
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "a", points: [PlotPoint(x: 0, y: 0), PlotPoint(x: 800, y: 10)], style: .lineWithMarkers)])
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("points=\"70,345 620,40\""))
        #expect(svg.contains("<circle cx=\"70\" cy=\"345\""))
        #expect(svg.contains("<circle cx=\"620\" cy=\"40\""))
    }

    @Test func scatterSkipsNonFinitePointsAndDrawsNoLine() {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "a", points: [PlotPoint(x: 1, y: 2), PlotPoint(x: 2, y: .nan), PlotPoint(x: 3, y: 4)], style: .scatter)])
        let svg = chart.svg()
        #expect(!svg.contains("polyline"))
        #expect(svg.split(separator: "<circle", omittingEmptySubsequences: false).count - 1 == 2)
        #expect(!svg.contains("NaN"))
    }

    @Test func sameInputGivesSameBytes() {
        let series = [PlotSeries(name: "a", points: (0..<20).map { PlotPoint(x: Double($0), y: Double($0 * $0) / 7) })]
        #expect(LineChart(title: "t", xLabel: "x", yLabel: "y", series: series).svg()
            == LineChart(title: "t", xLabel: "x", yLabel: "y", series: series).svg())
    }

    @Test func fixedDomainOverridesTheDataRange() {
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "a", points: [PlotPoint(x: 0, y: 0.9), PlotPoint(x: 10, y: 1.1)], style: .line)])
        chart.xDomain = 0...20
        chart.yDomain = 0.8...1.2
        let svg = chart.svg()
        // x = 10 is half of 0…20 → 345 px; y = 0.9 is a quarter of 0.8…1.2 → 345 − 0.25 · 305 = 268.75 px.
        #expect(svg.contains("points=\"70,268.75 345,116.25\""))
        #expect(svg.contains(">1.2</text>") && svg.contains(">0.8</text>"))
    }

    @Test func dayAxisRunsFromZeroTo24Hours() {
        // 288 five-minute intervals at their start hour end at 23.92 h; nice ticks alone would run to 25.
        let points = (0..<288).map { PlotPoint(x: Double($0) * 5 / 60, y: Double($0 % 7)) }
        var chart = LineChart(title: "t", xLabel: "hour of day", yLabel: "y", series: [PlotSeries(name: "a", points: points, style: .line)])
        #expect(chart.axisRanges.xUpper == 25)
        chart.useDayAxis()
        #expect(chart.axisRanges.xLower == 0 && chart.axisRanges.xUpper == 24)
        let svg = chart.svg()
        for tick in [0, 3, 6, 9, 12, 15, 18, 21, 24] { #expect(svg.contains(">\(tick)</text>"), "tick \(tick)") }
        #expect(!svg.contains(">25</text>"))
        // x = 24 sits on the right edge of the plotting area (640 − 20 px).
        #expect(svg.contains("<text x=\"620\" y=\"363\">24</text>"))
    }

    @Test func csvHoldsEverySeriesValueAtFullPrecision() {
        let chart = LineChart(title: "t", xLabel: "hour of day", yLabel: "P, kW", series: [
            PlotSeries(name: "No P2P", points: [PlotPoint(x: 0, y: 0.1), PlotPoint(x: 0.0833333333333333, y: -12.5)]),
            PlotSeries(name: "a \"quoted\" name", points: [PlotPoint(x: 1, y: .nan), PlotPoint(x: 2, y: 1e-7)]),
        ])
        #expect(chart.csv() == """
            series,hour of day,"P, kW"
            No P2P,0,0.1
            No P2P,0.0833333333333333,-12.5
            "a ""quoted"" name",2,1e-07

            """)
    }
}
