// Owns turning the report's series into inline SVG charts (via Plot's LineChart) sized and coloured
// for the page, without the XML namespace URL so the HTML holds no address at all.
import Chain
import Foundation
import Plot

enum ReportCharts {
    static let noP2PColor = "#1f77b4"
    static let p2pColor = "#d62728"

    /// A LineChart's SVG made fit for inline HTML: HTML5 parsers put <svg> in the SVG namespace
    /// themselves, so the namespace URL is dropped.
    static func inline(_ svg: String) -> String {
        svg.replacingFirst("<svg xmlns=\"http://www.w3.org/2000/svg\" ", with: "<svg role=\"img\" ")
    }

    /// The chart sized for the page (340 px high) as inline SVG.
    static func render(_ chart: LineChart, width: Double = 560) -> String {
        var chart = chart
        chart.width = width
        chart.height = 340
        return inline(chart.svg())
    }

    /// Named series of values over the day, x in hours.
    static func hourly(title: String, yLabel: String, series: [(name: String, color: String, points: [HourlyPoint])]) -> String? {
        guard series.contains(where: { !$0.points.isEmpty }) else { return nil }
        let chart = LineChart(title: title, xLabel: "hour of day", yLabel: yLabel, series: series.map { item in
            PlotSeries(name: item.name, points: item.points.map { PlotPoint(x: $0.hour, y: $0.value) }, style: .line, color: item.color)
        })
        return render(chart)
    }

    /// Minimum, mean and maximum per-home voltage difference over the day.
    static func voltageDifference(_ points: [VoltageDifferencePoint]) -> String {
        let chart = LineChart(title: "Home voltage, P2P − no P2P (paper Fig. 11)", xLabel: "hour of day",
                              yLabel: "voltage difference (% of nominal)", series: [
            PlotSeries(name: "max over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.maximumPercent) }, style: .line, color: "#ff7f0e"),
            PlotSeries(name: "mean over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.meanPercent) }, style: .line, color: "#333333"),
            PlotSeries(name: "min over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.minimumPercent) }, style: .line, color: "#9467bd"),
        ])
        return render(chart, width: 1100)
    }

    /// The auction's convergence over its rounds.
    static func convergence(_ points: [ConvergencePoint]) -> String {
        let chart = LineChart(title: "Auction convergence (paper Fig. 4)", xLabel: "auction round",
                              yLabel: "share of final trades made (%)", series: [
            PlotSeries(name: "mean over intervals", points: points.map { PlotPoint(x: Double($0.round), y: $0.meanFraction * 100) },
                       style: .lineWithMarkers, color: ReportCharts.p2pColor),
            PlotSeries(name: "slowest interval", points: points.map { PlotPoint(x: Double($0.round), y: $0.minimumFraction * 100) },
                       style: .lineWithMarkers, color: "#7f7f7f"),
        ])
        return render(chart)
    }
}

extension ReportCharts {
    /// Forks against the communication delay (paper Fig. 5).
    static func forks(_ rows: [ChainSweepRow]) -> String {
        let chart = LineChart(title: "Forks vs communication delay (paper Fig. 5)", xLabel: "mean one-way link delay (ms)",
                              yLabel: "forks", series: [
            PlotSeries(name: "forks", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: Double($0.statistics.forks)) },
                       color: "#2ca02c"),
        ])
        return render(chart)
    }

    /// Mean and 95th-percentile confirmation time against the communication delay (paper Fig. 6).
    static func confirmation(_ rows: [ChainSweepRow]) -> String {
        let chart = LineChart(title: "Confirmation time vs communication delay (paper Fig. 6)", xLabel: "mean one-way link delay (ms)",
                              yLabel: "confirmation time (s)", series: [
            PlotSeries(name: "mean", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationMeanSeconds) },
                       color: "#1f77b4"),
            PlotSeries(name: "95th percentile", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationP95Seconds) },
                       color: "#9467bd"),
        ])
        return render(chart)
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced (unchanged when absent).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
