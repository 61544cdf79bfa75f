// Owns the sweep report's figure sections: each metric against each swept parameter, the paper's
// Figs. 5–6 (forks and confirmation time against the chain's communication delay, over chain
// seeds), the Fig. 7 design loop of the base scenario's chain, and the audit and Table 2 against the
// adversary fraction. Intervals are drawn as a band: the mean with markers between its 95 % bounds.
import Chain
import CoSim
import Foundation
import Plot
import Report

extension SweepReport {
    /// Metric names the chain's figures accept, first found wins (the sweep records summary.json keys).
    static let forkMetrics = ["chain.forks", "chain.fork_rate", "chain_forks", "forks", "chain_fork_rate", "fork_rate"]
    static let confirmationMetrics = ["chain.confirmation_mean_s", "chain_confirmation_mean_s", "confirmation_mean_s", "chain_confirmation_seconds"]
    static let precisionMetrics = ["audit_precision", "precision"]
    static let recallMetrics = ["audit_recall", "recall"]
    /// The paper's Table 2 quantities as summary.json keys: (key, name, unit).
    static let table2Metrics: [(key: String, name: String, unit: String)] = [
        ("export_kwh", "Export (the paper's net export)", "kWh"), ("reactive_kvarh", "Reactive energy", "kvarh"),
        ("max_kva", "Max complex power", "kVA"), ("losses_pct", "Active losses (of load energy)", "%"),
        ("unbalance_range_pct", "Voltage unbalance (Vmax−Vmin)/Vavg", "%"),
    ]
    static let colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    /// Series drawn in one chart at most; the table lists every setting.
    static let maximumSeries = 6

    static func metricsSection(_ model: SweepModel) -> String {
        var out = "<section id=\"metrics\">\n<h2>Metrics against the swept parameters</h2>\n"
        guard !model.sweptParameters.isEmpty else {
            out += "<p class=\"note\">The sweep varied no parameter (only seeds): each metric’s mean and interval over every finished run.</p>\n"
            let rows = model.variants.flatMap { variant in
                model.metricNames(variant: variant).compactMap { metric -> (String, SweepSeries)? in
                    let values = model.results.metrics.filter { $0.variant == variant && $0.metric == metric && model.isDone[$0.runIndex] }
                    guard let interval = SweepStatistics.meanInterval(values.map(\.value)) else { return nil }
                    return ("\(displayName(variant)): \(metric)", SweepSeries(others: "", points: [
                        SweepPoint(label: "all runs", x: nil, interval: interval, runIndices: values.map(\.runIndex))]))
                }
            }
            return out + intervalTable(rows, labels: ["all runs"], parameter: "") + "</section>\n"
        }
        for parameter in model.sweptParameters {
            out += "<h3>\(HTMLText.escape(parameter))</h3>\n"
            let numeric = model.isNumeric(parameter)
            if !numeric { out += "<p class=\"note\">Its values are not numbers, so it has a table but no charts.</p>\n" }
            var rows: [(String, SweepSeries)] = []
            var figures = ""
            for metric in uniqueSorted(model.variants.flatMap { model.metricNames(variant: $0) }) {
                var drawn: [(name: String, series: SweepSeries)] = []
                for variant in model.variants {
                    for series in model.series(metric: metric, variant: variant, against: parameter) where !series.points.isEmpty {
                        let name = displayName(variant) + (series.others.isEmpty ? "" : ", " + series.others)
                        rows.append(("\(metric) — \(name)", series))
                        drawn.append((name, series))
                    }
                }
                guard numeric, let figure = intervalFigure(id: "\(metric)-vs-\(parameter)", title: "\(metric) against \(parameter)",
                                                           xLabel: parameter, yLabel: metric, series: drawn) else { continue }
                figures += figure.html
            }
            if !figures.isEmpty { out += "<div class=\"figures\">\n" + figures + "</div>\n" }
            out += intervalTable(rows, labels: model.labels(of: parameter), parameter: parameter)
        }
        return out + "</section>\n"
    }

    /// A chart of series with their intervals (mean with markers, the 95 % bounds as lighter lines);
    /// nil when no point has a numeric x.
    static func intervalFigure(id: String, title: String, xLabel: String, yLabel: String,
                               series: [(name: String, series: SweepSeries)], caption: String? = nil) -> ReportFigure? {
        var plotted: [PlotSeries] = []
        for (index, item) in series.prefix(maximumSeries).enumerated() {
            let color = colors[index % colors.count]
            let points = item.series.points.filter { $0.x != nil }
            guard !points.isEmpty else { continue }
            plotted.append(PlotSeries(name: item.name + " (mean)", points: points.map { PlotPoint(x: $0.x ?? 0, y: $0.interval.mean) },
                                      style: .lineWithMarkers, color: color))
            let bounded = points.filter { $0.interval.halfWidth != nil }
            guard !bounded.isEmpty else { continue }
            plotted.append(PlotSeries(name: item.name + " (95 % upper)", points: bounded.map { PlotPoint(x: $0.x ?? 0, y: $0.interval.upper ?? 0) },
                                      style: .line, color: color + "70"))
            plotted.append(PlotSeries(name: item.name + " (95 % lower)", points: bounded.map { PlotPoint(x: $0.x ?? 0, y: $0.interval.lower ?? 0) },
                                      style: .line, color: color + "70"))
        }
        guard !plotted.isEmpty else { return nil }
        var chart = LineChart(title: title, xLabel: xLabel, yLabel: yLabel, series: plotted)
        chart.yIncludesZero = false
        let dropped = series.count > maximumSeries ? " The chart shows the first \(maximumSeries) of \(series.count) settings; the table lists all." : ""
        let text = (caption ?? "Mean over seeds of \(yLabel) at each value of \(xLabel), between the bounds of its 95 % Student-t "
                    + "confidence interval (lighter lines; none where a value has one run).") + dropped
        return ReportFigure(id: slug(id), chart: chart, caption: text)
    }

    /// Rows of series against the parameter's values: "mean ± half-width (n = …)" per cell.
    static func intervalTable(_ rows: [(String, SweepSeries)], labels: [String], parameter: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"note\">No finished run recorded a metric.</p>\n" }
        var out = "<table class=\"numbers compact\">\n<thead><tr><th>Metric</th>"
        out += labels.map { "<th>\(HTMLText.escape(parameter.isEmpty ? $0 : "\(parameter) = \($0)"))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (name, series) in rows {
            out += "<tr><th scope=\"row\">\(HTMLText.escape(name))</th>"
            for label in labels {
                out += "<td>\(series.points.first { $0.label == label }.map { HTMLText.escape(cell($0.interval)) } ?? "—")</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A file-name-safe id ("max_kva-vs-chain.delay_ms" → "max_kva-vs-chain-delay_ms").
    static func slug(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "-" })
    }
}
