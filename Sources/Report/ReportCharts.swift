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

    /// Named series of values over the day, x in hours on a 0–24 h axis.
    static func hourly(id: String, title: String, yLabel: String, series: [(name: String, color: String, points: [HourlyPoint])],
                       caption: String, wide: Bool = false, yIncludesZero: Bool = true) -> ReportFigure? {
        guard series.contains(where: { !$0.points.isEmpty }) else { return nil }
        var chart = LineChart(title: title, xLabel: "hour of day", yLabel: yLabel, series: series.map { item in
            PlotSeries(name: item.name, points: item.points.map { PlotPoint(x: $0.hour, y: $0.value) }, style: .line, color: item.color)
        })
        chart.yIncludesZero = yIncludesZero
        chart.useDayAxis()
        return ReportFigure(id: id, chart: chart, caption: caption, wide: wide)
    }

    /// Minimum, mean and maximum per-home voltage difference over the day.
    static func voltageDifference(_ points: [VoltageDifferencePoint], caption: String) -> ReportFigure {
        var chart = LineChart(title: "Home voltage, P2P − no P2P (paper Fig. 11)", xLabel: "hour of day",
                              yLabel: "voltage difference (% of nominal)", series: [
            PlotSeries(name: "max over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.maximumPercent) }, style: .line, color: "#ff7f0e"),
            PlotSeries(name: "mean over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.meanPercent) }, style: .line, color: "#333333"),
            PlotSeries(name: "min over homes", points: points.map { PlotPoint(x: $0.hour, y: $0.minimumPercent) }, style: .line, color: "#9467bd"),
        ])
        chart.useDayAxis()
        return ReportFigure(id: "voltage-difference", chart: chart, caption: caption, wide: true)
    }

    /// EV energy per hour of the day for each scenario (points at the middle of each hour).
    static func evEnergyByHour(_ series: [(name: String, color: String, kilowattHours: [Double])]) -> ReportFigure {
        var chart = LineChart(title: "EV charging energy by hour", xLabel: "hour of day", yLabel: "EV energy (kWh per hour)",
                              series: series.map { item in
            PlotSeries(name: item.name, points: item.kilowattHours.enumerated().map { PlotPoint(x: Double($0.offset) + 0.5, y: $0.element) },
                       style: .lineWithMarkers, color: item.color)
        })
        chart.useDayAxis()
        let totals = series.map { "\($0.name) \(HTMLText.fixed($0.kilowattHours.reduce(0, +), decimals: 1)) kWh" }.joined(separator: ", ")
        return ReportFigure(id: "ev-energy-by-hour", chart: chart,
                            caption: "EV energy charged in each hour (plotted at the hour’s middle); day totals: \(totals). "
                                   + "Without P2P cars charge on arrival; with P2P they wait until a staggered personal deadline.")
    }

    /// The auction's matched volume after each round: the busiest intervals and the mean.
    static func convergence(busiest: [(label: String, cumulativeKilowattHours: [Double])], mean: [Double], caption: String) -> ReportFigure {
        var series = [PlotSeries(name: "mean over trading intervals", points: mean.enumerated().map { PlotPoint(x: Double($0.offset + 1), y: $0.element) },
                                 style: .lineWithMarkers, color: "#333333")]
        for (index, item) in busiest.enumerated() {
            series.append(PlotSeries(name: item.label, points: item.cumulativeKilowattHours.enumerated().map { PlotPoint(x: Double($0.offset + 1), y: $0.element) },
                                     style: .lineWithMarkers, color: LineChartPalette.colors[(index + 1) % LineChartPalette.colors.count]))
        }
        let chart = LineChart(title: "Auction convergence: matched volume by round (paper Fig. 4)", xLabel: "auction round",
                              yLabel: "cumulative matched energy (kWh)", series: series)
        return ReportFigure(id: "auction-convergence", chart: chart, caption: caption)
    }

    /// Per interval of the day: rounds run and the round of the last match.
    static func auctionRounds(_ points: [AuctionIntervalPoint]) -> ReportFigure {
        let trading = points.filter { $0.matchedKilowattHours > 0 }
        var chart = LineChart(title: "Auction rounds per interval", xLabel: "hour of day", yLabel: "rounds", series: [
            PlotSeries(name: "rounds run", points: points.filter { $0.roundsRun > 0 }.map { PlotPoint(x: $0.hour, y: Double($0.roundsRun)) },
                       style: .scatter, color: "#7f7f7f"),
            PlotSeries(name: "round of the last match", points: trading.map { PlotPoint(x: $0.hour, y: Double($0.roundOfLastMatch)) },
                       style: .scatter, color: ReportCharts.p2pColor),
        ])
        chart.useDayAxis()
        let converged = trading.filter { $0.roundOfLastMatch < $0.roundsRun }.count
        return ReportFigure(id: "auction-rounds", chart: chart,
                            caption: "Per P2P interval, the rounds the auction ran (until no crossing pair remained or its hop limit/deadline) "
                                   + "and the round after which nothing more was matched: \(converged) of \(trading.count) trading intervals "
                                   + "made their last match before the final round.")
    }

    /// Matched energy per interval over the day.
    static func matchedVolume(_ points: [AuctionIntervalPoint]) -> ReportFigure {
        var chart = LineChart(title: "Matched energy per interval", xLabel: "hour of day", yLabel: "matched energy (kWh)", series: [
            PlotSeries(name: "matched", points: points.map { PlotPoint(x: $0.hour, y: $0.matchedKilowattHours) }, style: .line,
                       color: ReportCharts.p2pColor),
        ])
        chart.useDayAxis()
        let total = points.reduce(0) { $0 + $1.matchedKilowattHours }
        return ReportFigure(id: "matched-volume", chart: chart,
                            caption: "Energy the auction matched in each interval (\(HTMLText.fixed(total, decimals: 2)) kWh over the run; "
                                   + "delivered volume can be lower when contracts fall back to the grid).")
    }
}

/// The colours charts cycle through when a series has none of its own.
enum LineChartPalette {
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]
}

extension ReportCharts {
    /// Forks against the communication delay (paper Fig. 5).
    static func forks(_ rows: [ChainSweepRow]) -> ReportFigure {
        let chart = LineChart(title: "Forks vs communication delay (paper Fig. 5)", xLabel: "mean one-way link delay (ms)",
                              yLabel: "forks", series: [
            PlotSeries(name: "forks", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: Double($0.statistics.forks)) },
                       color: "#2ca02c"),
        ])
        return ReportFigure(id: "chain-forks", chart: chart, caption: "Forks over the sweep’s blocks against the mean one-way link delay (paper Fig. 5).")
    }

    /// Mean and 95th-percentile confirmation time against the communication delay (paper Fig. 6).
    static func confirmation(_ rows: [ChainSweepRow], depth: Int) -> ReportFigure {
        let chart = LineChart(title: "Confirmation time vs communication delay (paper Fig. 6)", xLabel: "mean one-way link delay (ms)",
                              yLabel: "confirmation time (s)", series: [
            PlotSeries(name: "mean", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationMeanSeconds) },
                       color: "#1f77b4"),
            PlotSeries(name: "95th percentile", points: rows.map { PlotPoint(x: $0.delayMilliseconds, y: $0.statistics.confirmationP95Seconds) },
                       color: "#9467bd"),
        ])
        return ReportFigure(id: "chain-confirmation", chart: chart,
                            caption: "Time from a transaction’s creation to \(depth) confirmations, mean and 95th percentile (paper Fig. 6).")
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced (unchanged when absent).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
