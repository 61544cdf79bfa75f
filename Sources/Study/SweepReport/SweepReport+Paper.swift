// Owns the sweep report's paper sections: Figs. 5–6 (forks and confirmation time against the
// chain's communication delay, with intervals over chain seeds), the Fig. 7 design loop of the base
// scenario's chain (drawn by the Report module, as in the single-run report), and the audit's
// precision and recall with the Table 2 quantities against the adversary fraction.
import Chain
import CoSim
import Foundation
import Report

extension SweepReport {
    static let delayKey = "chain.delay_ms"
    static let fractionKey = "adversaries.fraction"

    static func chainDelaySection(_ model: SweepModel) -> String {
        var out = "<section id=\"chain-delay\">\n<h2>Forks and confirmation time against delay (paper Figs. 5–6)</h2>\n"
        let chainSeeds = uniqueSorted(model.results.runs.filter { $0.status == "done" }.compactMap { $0.seeds.chain.map(String.init) })
        let variesChainSeeds = (model.results.setting("varied_seeds") ?? "").split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "chain" }
            || chainSeeds.count > 1
        guard model.sweptParameters.contains(delayKey), model.isNumeric(delayKey), variesChainSeeds else {
            out += "<p class=\"note\">These figures need a sweep over \(delayKey) with several chain seeds, e.g. "
            out += "<code>\(HTMLText.escape("chain.delay_ms = [10, 50, 100, 200, 400, 800]"))</code> with the seeds varying the "
            out += "<code>chain</code> subsystem; this sweep " + (model.sweptParameters.contains(delayKey) ? "used one chain seed." : "did not vary \(delayKey).")
            return out + "</p>\n</section>\n"
        }
        let wanted = [(forkMetrics, "Forks", "fig5-forks"), (confirmationMetrics, "Mean confirmation time", "fig6-confirmation")]
        var figures = ""
        for (candidates, title, id) in wanted {
            guard let found = model.findMetric(candidates) else {
                out += "<p class=\"note\">No run recorded \(HTMLText.escape(title.lowercased())) (a metric named "
                out += candidates.map { "<code>\($0)</code>" }.joined(separator: ", ") + ").</p>\n"
                continue
            }
            let series = model.series(metric: found.metric, variant: found.variant, against: delayKey)
                .map { (name: displayName(found.variant) + ($0.others.isEmpty ? "" : ", " + $0.others), series: $0) }
            let caption = "\(title) (\(found.metric)) against the communication delay: mean over \(chainSeeds.count) chain seeds "
                + "with its 95 % Student-t interval (lighter lines)."
            if let figure = intervalFigure(id: id, title: "\(title) against delay (paper Fig. \(id.hasPrefix("fig5") ? 5 : 6))",
                                           xLabel: "communication delay (ms)", yLabel: found.metric, series: series, caption: caption) {
                figures += figure.html
            }
        }
        if !figures.isEmpty { out += "<div class=\"figures\">\n" + figures + "</div>\n" }
        return out + "</section>\n"
    }

    /// Fig. 7 for the base scenario's chain settings; a note when the base scenario cannot be read.
    static func chainDesignSection(_ model: SweepModel, sweepDirectory: String) -> String {
        let scenario: Scenario
        do {
            scenario = try baseScenario(model, sweepDirectory: sweepDirectory)
        } catch {
            return "<section id=\"chain-design\">\n<h2>Choosing the chain network (paper Fig. 7)</h2>\n<p class=\"note\">"
                + HTMLText.escape("The design loop runs on the sweep’s base scenario, which could not be read: \(error)") + "</p>\n</section>\n"
        }
        do {
            return HTMLReport.chainDesignSection(try ReportChainDesign.run(scenario: scenario))
        } catch {
            return "<section id=\"chain-design\">\n<h2>Choosing the chain network (paper Fig. 7)</h2>\n<p class=\"note\">"
                + HTMLText.escape("The design loop failed on the base scenario’s chain settings: \(error)") + "</p>\n</section>\n"
        }
    }

    /// The base scenario: sweep.base_scenario as scenario text, else as a path (as recorded, else
    /// relative to the sweep folder), else the first run's run.toml.
    static func baseScenario(_ model: SweepModel, sweepDirectory: String) throws -> Scenario {
        if let text = model.results.setting("base_scenario"), !text.isEmpty {
            if text.contains("\n"), let scenario = try? Scenario.parse(text, file: "sweep.sqlite (sweep.base_scenario)", baseFolder: nil) {
                return scenario
            }
            // A path as the sweep recorded it (absolute, or from where it ran), else from the sweep folder.
            let inFolder = (sweepDirectory as NSString).appendingPathComponent(text)
            if !text.contains("\n"), let path = [text, inFolder].first(where: { FileManager.default.fileExists(atPath: $0) }) {
                return try Scenario.load(path: path)
            }
        }
        guard let first = model.results.runs.first else {
            throw SweepReportError(location: "sweep.sqlite", reason: "no base_scenario and no runs")
        }
        return try Scenario.load(path: (sweepDirectory as NSString).appendingPathComponent(first.folder + "/run.toml"))
    }

    static func adversarySection(_ model: SweepModel) -> String {
        var out = "<section id=\"adversaries\">\n<h2>Audit and Table 2 against the adversary fraction</h2>\n"
        guard model.parameterKeys.contains(fractionKey) else {
            return out + "<p class=\"note\">The sweep did not set \(fractionKey) (sweeps/adversaries.toml does).</p>\n</section>\n"
        }
        let labels = model.labels(of: fractionKey)
        var rows: [(String, SweepSeries)] = []
        var auditSeries: [(name: String, series: SweepSeries)] = []
        for (candidates, name) in [(precisionMetrics, "audit precision"), (recallMetrics, "audit recall")] {
            guard let found = model.findMetric(candidates) else {
                out += "<p class=\"note\">No run recorded the \(name) (a metric named " + candidates.map { "<code>\($0)</code>" }.joined(separator: ", ") + ").</p>\n"
                continue
            }
            for series in model.series(metric: found.metric, variant: found.variant, against: fractionKey, poolingOthers: true) {
                rows.append((name, series))
                auditSeries.append((name, series))
            }
        }
        for quantity in table2Metrics {
            for variant in model.variants {
                for series in model.series(metric: quantity.key, variant: variant, against: fractionKey, poolingOthers: true) {
                    rows.append(("\(quantity.name) (\(quantity.unit)) — \(displayName(variant))", series))
                }
            }
        }
        let others = model.sweptParameters.filter { $0 != fractionKey }
        if !others.isEmpty {
            out += "<p class=\"note\">Each cell pools every run of that fraction, whatever its " + others.map(HTMLText.escape).joined(separator: ", ") + ".</p>\n"
        }
        if model.isNumeric(fractionKey),
           let figure = intervalFigure(id: "audit-vs-fraction", title: "Audit precision and recall against the adversary fraction",
                                       xLabel: fractionKey, yLabel: "precision, recall", series: auditSeries,
                                       caption: "The audit’s precision and recall against the planted adversaries, mean over seeds with its 95 % interval.") {
            out += "<div class=\"figures\">\n" + figure.html + "</div>\n"
        }
        return out + intervalTable(rows, labels: labels, parameter: fractionKey) + "</section>\n"
    }
}
