// Owns which figures the report draws from a run and with what captions: the grid's (substation
// P and Q, voltage difference, per-phase voltages, EV energy by hour, sample homes' demand as paper
// Fig. 8), the market's (matched volume by round, rounds and matched energy per interval), the
// per-home table, and the chain design loop (paper Fig. 7). `ReportFigures.all` lists every figure
// a report shows, for callers and tests that want the SVG and CSV files themselves.
import Chain
import CoSim
import Plot

public enum ReportFigures {
    /// Every figure the report of `summary` shows, in page order (figures without data left out).
    public static func all(summary: RunSummary, chainSweep: [ChainSweepRow]? = nil,
                           chainDesign: ChainDesignResult? = nil) -> [ReportFigure] {
        let pair = ScenarioPair(summary)
        let minutes = summary.scenario.intervalMinutes
        var figures: [ReportFigure?] = [GridFigures.substationPower(summary), GridFigures.substationReactivePower(summary)]
        if let base = pair.noP2P, let traded = pair.p2p {
            figures.append(GridFigures.voltageDifference(noP2P: base, p2p: traded, intervalMinutes: minutes))
        }
        figures += [GridFigures.phaseVoltages(summary), GridFigures.evEnergyByHour(summary)]
        figures += summary.variants.map { GridFigures.sampleHomesDemand($0, summary: summary) }
        if let traded = pair.p2p {
            figures += [MarketFigures.convergence(traded, intervalMinutes: minutes), MarketFigures.rounds(traded, intervalMinutes: minutes),
                        MarketFigures.matchedVolume(traded, intervalMinutes: minutes)]
        }
        if let rows = chainSweep, !rows.isEmpty {
            figures += [ReportCharts.forks(rows), ReportCharts.confirmation(rows, depth: summary.scenario.chain.confirmations)]
        }
        if let chainDesign { figures.append(ChainDesignFigure.figure(chainDesign)) }
        return figures.compactMap { $0 }
    }
}

enum GridFigures {
    static func scenarios(_ summary: RunSummary) -> [(name: String, color: String, variant: VariantSummary)] {
        summary.variants.map { (HTMLReport.displayName($0.variant), HTMLReport.color($0.variant), $0) }
    }

    static func substationPower(_ summary: RunSummary) -> ReportFigure? {
        let minutes = summary.scenario.intervalMinutes
        return ReportCharts.hourly(
            id: "substation-p", title: "Substation active power (paper Fig. 9)", yLabel: "P at the substation (kW, + import)",
            series: scenarios(summary).map { ($0.name, $0.color, ReportSeries.sourceKilowatts($0.variant, intervalMinutes: minutes)) },
            caption: "Active power drawn from the upstream grid per interval; negative values are net export at midday.")
    }

    static func substationReactivePower(_ summary: RunSummary) -> ReportFigure? {
        let minutes = summary.scenario.intervalMinutes
        return ReportCharts.hourly(
            id: "substation-q", title: "Substation reactive power (paper Fig. 10)", yLabel: "Q at the substation (kvar, + import)",
            series: scenarios(summary).map { ($0.name, $0.color, ReportSeries.sourceKilovars($0.variant, intervalMinutes: minutes)) },
            caption: "Reactive power at the substation per interval.")
    }

    static func voltageDifference(noP2P: VariantSummary, p2p: VariantSummary, intervalMinutes: Int) -> ReportFigure? {
        let points = ReportSeries.voltageDifference(noP2P: noP2P, p2p: p2p, intervalMinutes: intervalMinutes)
        guard !points.isEmpty else { return nil }
        return ReportCharts.voltageDifference(points, caption: "Per interval, the home voltage with P2P minus without, across the "
            + "\(p2p.outcomes.first?.homeVoltagesPerUnit.count ?? 0) homes (minimum, mean, maximum), in % of nominal voltage.")
    }

    /// The lowest home voltage on each phase over the day, for each scenario.
    static func phaseVoltages(_ summary: RunSummary) -> ReportFigure? {
        let minutes = summary.scenario.intervalMinutes
        let phaseColors = ["#1f77b4", "#2ca02c", "#d62728"], phaseNames = ["A", "B", "C"]
        var series: [(name: String, color: String, points: [HourlyPoint])] = []
        for variant in summary.variants {
            for (phase, points) in ReportSeries.minimumVoltageByPhase(variant, intervalMinutes: minutes) {
                let color = phaseColors[(phase - 1) % 3]
                series.append(("phase \(phaseNames[(phase - 1) % 3]), \(HTMLReport.displayName(variant.variant))",
                               variant.variant == .noP2P ? color + "80" : color, points))
            }
        }
        let counts = [1, 2, 3].map { phase in summary.variants.first?.homePhases.filter { $0 == phase }.count ?? 0 }
        return ReportCharts.hourly(
            id: "phase-voltages", title: "Lowest home voltage per phase", yLabel: "voltage (pu)", series: series,
            caption: "Per phase, the lowest voltage among its homes in each interval (phase A \(counts[0]), B \(counts[1]), C \(counts[2]) homes); "
                   + "no P2P drawn lighter. EN 50160 allows 0.90–1.10 pu.", wide: true, yIncludesZero: false)
    }

    static func evEnergyByHour(_ summary: RunSummary) -> ReportFigure? {
        let recorded = summary.variants.filter(ReportSeries.recordsEV)
        guard !recorded.isEmpty else { return nil }
        return ReportCharts.evEnergyByHour(recorded.map {
            (HTMLReport.displayName($0.variant), HTMLReport.color($0.variant),
             ReportSeries.evEnergyByHour($0, intervalMinutes: summary.scenario.intervalMinutes))
        })
    }

    /// "129.0 kW at 23:25" for a scenario's largest EV load.
    static func evPeak(_ variant: VariantSummary, intervalMinutes: Int) -> String {
        guard let peak = variant.outcomes.max(by: { $0.homeEVKilowatts.reduce(0, +) < $1.homeEVKilowatts.reduce(0, +) }) else { return "—" }
        let hour = ReportSeries.hour(ofInterval: peak.interval, intervalMinutes: intervalMinutes)
        return HTMLText.fixed(peak.homeEVKilowatts.reduce(0, +), decimals: 1) + " kW at " + HTMLReport.clockTime(hours: hour)
    }

    /// Paper Fig. 8: the demand of five sample homes over the day.
    static func sampleHomesDemand(_ variant: VariantSummary, summary: RunSummary) -> ReportFigure? {
        let homes = variant.outcomes.first?.homeDemandKilowatts.count ?? 0
        let sample = ReportSeries.sampleHomes(homeCount: homes)
        guard !sample.isEmpty else { return nil }
        let name = HTMLReport.displayName(variant.variant)
        return ReportCharts.hourly(
            id: "home-demand-" + variant.variant.rawValue, title: "Demand of sample homes, \(name) (paper Fig. 8)", yLabel: "demand (kW)",
            series: sample.enumerated().map { index, home in
                ("home \(home)", LineChartPalette.colors[index % LineChartPalette.colors.count],
                 ReportSeries.homeDemand(variant, home: home, intervalMinutes: summary.scenario.intervalMinutes))
            },
            caption: "Consumption placed on the feeder (base load after price response, plus EV charging) of homes "
                   + sample.map(String.init).joined(separator: ", ") + " in the \(name) scenario.")
    }
}

enum MarketFigures {
    /// Cumulative matched energy by round: the four busiest intervals and the mean over trading ones.
    static func convergence(_ traded: VariantSummary, intervalMinutes: Int) -> ReportFigure? {
        let trading = traded.outcomes.map(\.cumulativeMatchedKilowattHoursPerRound).filter { ($0.last ?? 0) > 0 }
        let rounds = trading.map(\.count).max() ?? 0
        guard rounds > 0 else { return nil }
        let mean = (0..<rounds).map { round in
            trading.reduce(0) { $0 + (round < $1.count ? $1[round] : ($1.last ?? 0)) } / Double(trading.count)
        }
        let busiest = ReportSeries.busiestAuctions(traded, count: 4).map { item in
            (label: HTMLReport.clockTime(hours: ReportSeries.hour(ofInterval: item.interval, intervalMinutes: intervalMinutes)),
             cumulativeKilowattHours: item.cumulativeKilowattHours)
        }
        return ReportCharts.convergence(busiest: busiest, mean: mean, caption: "Energy matched after each auction round, for the "
            + "four intervals that matched most (by start time) and the mean over the \(trading.count) intervals that traded: "
            + "a flat line means the auction had converged, whatever the hop limit let it run on.")
    }

    static func rounds(_ traded: VariantSummary, intervalMinutes: Int) -> ReportFigure? {
        let points = ReportSeries.auctionIntervals(traded, intervalMinutes: intervalMinutes)
        guard points.contains(where: { $0.roundsRun > 0 }) else { return nil }
        return ReportCharts.auctionRounds(points)
    }

    static func matchedVolume(_ traded: VariantSummary, intervalMinutes: Int) -> ReportFigure? {
        let points = ReportSeries.auctionIntervals(traded, intervalMinutes: intervalMinutes)
        guard points.contains(where: { $0.roundsRun > 0 }) else { return nil }
        return ReportCharts.matchedVolume(points)
    }
}

/// The per-home table: phase, EV energy and when it was charged, lowest voltage, in both scenarios.
enum HomeTable {
    static func html(_ summary: RunSummary, pair: ScenarioPair) -> String {
        let variants = summary.variants
        guard let first = variants.first, let homes = first.outcomes.first?.homeVoltagesPerUnit.count, homes > 0 else {
            return "<p class=\"note\">The run recorded no per-home values.</p>\n"
        }
        let hours = Double(summary.scenario.intervalMinutes) / 60
        let eveningStart = 17 * 60 / summary.scenario.intervalMinutes, eveningEnd = 21 * 60 / summary.scenario.intervalMinutes
        var out = "<table class=\"numbers compact homes\">\n<thead><tr><th>Home</th><th>Phase</th>"
        for variant in variants {
            let name = HTMLText.escape(HTMLReport.displayName(variant.variant))
            out += "<th>EV (kWh), \(name)</th><th>EV 17–21 h (kWh), \(name)</th><th>Lowest voltage (pu), \(name)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for home in 0..<homes {
            let phase = home < first.homePhases.count ? first.homePhases[home] : 0
            var cells = [String(home), phase >= 1 && phase <= 3 ? ["A", "B", "C"][phase - 1] : "—"]
            for variant in variants {
                var total = 0.0, evening = 0.0, lowest = Double.infinity
                for outcome in variant.outcomes {
                    if home < outcome.homeEVKilowatts.count {
                        total += outcome.homeEVKilowatts[home] * hours
                        let slot = outcome.interval % (24 * 60 / summary.scenario.intervalMinutes)
                        if slot >= eveningStart && slot < eveningEnd { evening += outcome.homeEVKilowatts[home] * hours }
                    }
                    if home < outcome.homeVoltagesPerUnit.count { lowest = min(lowest, outcome.homeVoltagesPerUnit[home]) }
                }
                cells += [HTMLText.fixed(total, decimals: 2), HTMLText.fixed(evening, decimals: 2), HTMLText.fixed(lowest, decimals: 4)]
            }
            out += "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}

/// Paper Fig. 7: the design loop's trials against its targets.
enum ChainDesignFigure {
    static func figure(_ result: ChainDesignResult) -> ReportFigure? {
        guard !result.trials.isEmpty else { return nil }
        let targets = result.targets
        let chart = LineChart(title: "Chain design loop (paper Fig. 7)", xLabel: "trial", yLabel: "% of target (≤ 100 meets it)", series: [
            PlotSeries(name: "fork rate", points: result.trials.enumerated().map {
                PlotPoint(x: Double($0.offset + 1), y: $0.element.statistics.forkRate / targets.maxForkRate * 100)
            }, color: "#2ca02c"),
            PlotSeries(name: "mean confirmation time", points: result.trials.enumerated().map {
                PlotPoint(x: Double($0.offset + 1), y: $0.element.statistics.confirmationMeanSeconds / targets.maxConfirmationSeconds * 100)
            }, color: "#1f77b4"),
            PlotSeries(name: "target", points: [PlotPoint(x: 1, y: 100), PlotPoint(x: Double(result.trials.count), y: 100)],
                       style: .line, color: "#7f7f7f"),
        ])
        return ReportFigure(id: "chain-design", chart: chart, caption: "Each trial simulates a candidate network (node count largest "
            + "first, bandwidth cheapest first) and compares its fork rate and mean confirmation time with the targets; the loop stops "
            + "at the first candidate that meets both.")
    }
}

extension HTMLReport {
    /// The Fig. 7 section: targets, the chosen network, the trials' chart and table (also used by the sweep report).
    public static func chainDesignSection(_ result: ChainDesignResult?) -> String {
        var out = "<section id=\"chain-design\">\n<h2>Choosing the chain network (paper Fig. 7)</h2>\n"
        guard let result, let figure = ChainDesignFigure.figure(result) else {
            return out + "<p class=\"note\">No chain design loop was passed to the report.</p>\n</section>\n"
        }
        let targets = result.targets
        out += "<p>Targets: fork rate ≤ \(HTMLText.fixed(targets.maxForkRate * 100, decimals: 1)) % per block, mean confirmation ≤ "
        out += "\(HTMLText.fixed(targets.maxConfirmationSeconds, decimals: 0)) s. "
        if let chosen = result.chosen {
            out += "Chosen: \(chosen.nodeCount) nodes, \(chosen.minerCount) miners, "
            out += "\(HTMLText.fixed(chosen.bandwidthMegabitsPerSecond, decimals: 0)) Mbit/s links.</p>\n"
        } else {
            out += "No candidate met the targets.</p>\n"
        }
        out += "<div class=\"figures\">\n" + figure.html + "<div class=\"panel\">\n<table class=\"compact\">\n<thead><tr><th>Trial</th>"
        out += "<th>Nodes</th><th>Miners</th><th>Bandwidth (Mbit/s)</th><th>Verdict</th></tr></thead>\n<tbody>\n"
        for (index, trial) in result.trials.enumerated() {
            let cells = [String(index + 1), String(trial.nodeCount), String(trial.minerCount),
                         HTMLText.fixed(trial.bandwidthMegabitsPerSecond, decimals: 0), trial.verdict]
            out += "<tr>" + cells.map { "<td>\(HTMLText.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n</div>\n</section>\n"
    }
}
