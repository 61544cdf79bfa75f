// Tests of the HTML report: rendered from a short real co-simulation of the embedded default
// scenario (both scenarios of the pair), checked for the table's numbers, one SVG per plot, no
// external references, escaping, and the series behind the plots.
import Chain
import CoSim
import Foundation
import Report
import Testing

/// A short run of the default scenario with a hostile name, shared by the tests (run once).
enum Fixture {
    struct Failure: Error, Sendable, CustomStringConvertible { var description: String }

    static let hostileName = "day <script>alert(1)</script> & 'friends' \\\"quoted\\\""
    static let hostileNameEscaped = "day &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;friends&#39; &quot;quoted&quot;"
    /// The day starts at midnight and the first P2P trades of the default scenario happen at
    /// 08:10 (interval 98), so 104 intervals are the shortest run that trades.
    static let intervals = 104

    static let run: Result<RunSummary, Failure> = {
        var text = Scenario.defaultText
        text = text.replacingOccurrences(of: "intervals = 288", with: "intervals = \(intervals)")
        text = text.replacingOccurrences(of: "name = \"default\"", with: "name = \"\(hostileName)\"")
        let directory = NSTemporaryDirectory() + "gridtrace-report-tests-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let scenario = try Scenario.parse(text, file: "report-test.toml", baseFolder: nil)
            return .success(try CoSimulation.run(scenario, directory: directory))
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    static func summary() throws -> RunSummary { try run.get() }

    static let sweep: Result<[ChainSweepRow], Failure> = {
        do {
            return .success(try ReportChainSweep.run(scenario: try summary().scenario, delaysMilliseconds: [10, 800], blocks: 150))
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()
}

/// The `<tr>` of the Table 2 row whose label is `quantity` (escaped as the report escapes it).
func tableRow(_ html: String, quantity: String) -> String? {
    guard let start = html.range(of: "<tr><th scope=\"row\">\(HTMLText.escape(quantity))</th>") else { return nil }
    guard let end = html.range(of: "</tr>", range: start.upperBound..<html.endIndex) else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
}

func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

@Suite struct HTMLTextTests {
    @Test func fixedDecimalsKeepTrailingZeros() {
        #expect(HTMLText.fixed(40.06, decimals: 2) == "40.06")
        #expect(HTMLText.fixed(3.4, decimals: 2) == "3.40")
        #expect(HTMLText.fixed(8.8664, decimals: 3) == "8.866")
        #expect(HTMLText.fixed(-0.5, decimals: 2) == "-0.50")
        #expect(HTMLText.fixed(149.0, decimals: 0) == "149")
        #expect(HTMLText.fixed(.nan, decimals: 2) == "—")
        #expect(HTMLText.fixed(-.infinity, decimals: 2) == "—")
    }

    @Test func signedAndRelativeChange() {
        #expect(HTMLText.signed(19.06, decimals: 2) == "+19.06")
        #expect(HTMLText.signed(-6.22, decimals: 2) == "-6.22")
        #expect(HTMLText.signed(0.0001, decimals: 2) == "0.00")
        // Paper: 40.06 → 59.12 kWh is +47.58 %; 41.07 → 34.85 kvarh is −15.14 %.
        #expect(HTMLText.relativeChange(from: 40.06, to: 59.12) == "+47.58\u{00A0}%")
        #expect(HTMLText.relativeChange(from: 41.07, to: 34.85) == "-15.14\u{00A0}%")
        #expect(HTMLText.relativeChange(from: 0, to: 3) == "—")
    }

    @Test func escapesEveryHTMLSpecialCharacter() {
        #expect(HTMLText.escape("a<b>&\"c'd") == "a&lt;b&gt;&amp;&quot;c&#39;d")
        #expect(HTMLText.escape("plain − text") == "plain − text")
    }
}

@Suite struct ReportSeriesTests {
    @Test func substationSeriesFollowTheMeasurements() throws {
        let summary = try Fixture.summary()
        for variant in summary.variants {
            let power = ReportSeries.sourceKilowatts(variant, intervalMinutes: 5)
            let reactive = ReportSeries.sourceKilovars(variant, intervalMinutes: 5)
            #expect(power.count == Fixture.intervals && reactive.count == Fixture.intervals)
            #expect(power[12].hour == 1.0 && power[99].hour == 8.25)
            #expect(power[40].value == variant.outcomes[40].step.measurement.sourceKilowatts)
            #expect(reactive[40].value == variant.outcomes[40].step.measurement.sourceKilovars)
        }
    }

    @Test func voltageDifferenceIsP2PMinusNoP2PInPercent() throws {
        let summary = try Fixture.summary()
        let base = try #require(summary.variants.first { $0.variant == .noP2P })
        let traded = try #require(summary.variants.first { $0.variant == .p2p })
        let points = ReportSeries.voltageDifference(noP2P: base, p2p: traded, intervalMinutes: 5)
        #expect(points.count == Fixture.intervals)
        let k = 101
        let differences = zip(base.outcomes[k].homeVoltagesPerUnit, traded.outcomes[k].homeVoltagesPerUnit).map { ($1 - $0) * 100 }
        #expect(differences.count == 55)
        let mean = differences.reduce(0, +) / Double(differences.count)
        #expect(abs(points[k].meanPercent - mean) < 1e-12)
        #expect(points[k].minimumPercent == differences.min() && points[k].maximumPercent == differences.max())
        #expect(points[k].minimumPercent <= points[k].meanPercent && points[k].meanPercent <= points[k].maximumPercent)
        // The same homes with the same profiles: trading moves voltages by well under 5 % of nominal.
        #expect(points.allSatisfy { abs($0.minimumPercent) < 5 && abs($0.maximumPercent) < 5 })
    }

    @Test func auctionConvergenceReachesAllTradesInTheLastRound() throws {
        let summary = try Fixture.summary()
        let traded = try #require(summary.variants.first { $0.variant == .p2p })
        let points = ReportSeries.auctionConvergence(traded)
        let trading = traded.outcomes.filter { ($0.cumulativeTradesPerRound.last ?? 0) > 0 }
        try #require(!trading.isEmpty, "the short run must contain trading intervals")
        #expect(ReportSeries.tradingIntervals(traded) == trading.count)
        #expect(points.count == trading.map(\.cumulativeTradesPerRound.count).max())
        #expect(abs((points.last?.meanFraction ?? 0) - 1) < 1e-12 && points.last?.minimumFraction == 1)
        // Cumulative counts never fall, so neither do the fractions.
        for (earlier, later) in zip(points, points.dropFirst()) {
            #expect(later.meanFraction >= earlier.meanFraction - 1e-12 && later.minimumFraction >= earlier.minimumFraction)
        }
        let first = trading.map { Double($0.cumulativeTradesPerRound[0]) / Double($0.cumulativeTradesPerRound.last ?? 1) }
        #expect(abs(points[0].meanFraction - first.reduce(0, +) / Double(first.count)) < 1e-12)
        #expect(points[0].minimumFraction == first.min())
    }

    @Test func convergenceOnKnownRounds() throws {
        var traded = try #require(try Fixture.summary().variants.first { $0.variant == .p2p })
        for k in traded.outcomes.indices { traded.outcomes[k].cumulativeTradesPerRound = [] }
        traded.outcomes[0].cumulativeTradesPerRound = [0, 2, 4]
        traded.outcomes[1].cumulativeTradesPerRound = [1, 1]
        traded.outcomes[2].cumulativeTradesPerRound = [0, 0]  // no trade: not counted
        let points = ReportSeries.auctionConvergence(traded)
        #expect(points.map(\.round) == [1, 2, 3])
        #expect(points.map(\.meanFraction) == [0.5, 0.75, 1])
        #expect(points.map(\.minimumFraction) == [0, 0.5, 1])
        #expect(ReportSeries.tradingIntervals(traded) == 2)
        for k in traded.outcomes.indices { traded.outcomes[k].cumulativeTradesPerRound = [0] }
        #expect(ReportSeries.auctionConvergence(traded).isEmpty)
    }

    @Test func voltageDifferenceOnKnownVoltages() throws {
        let summary = try Fixture.summary()
        var base = try #require(summary.variants.first { $0.variant == .noP2P })
        var traded = try #require(summary.variants.first { $0.variant == .p2p })
        base.outcomes = Array(base.outcomes.prefix(3))
        traded.outcomes = Array(traded.outcomes.prefix(3))
        base.outcomes[0].homeVoltagesPerUnit = [1.0, 1.02]
        traded.outcomes[0].homeVoltagesPerUnit = [1.01, 1.0]
        traded.outcomes[1].homeVoltagesPerUnit = [1.0]  // a different home count: left out
        let points = ReportSeries.voltageDifference(noP2P: base, p2p: traded, intervalMinutes: 5)
        #expect(points.count == 2 && points[1].hour == 10.0 / 60)
        #expect(abs(points[0].minimumPercent + 2) < 1e-9 && abs(points[0].maximumPercent - 1) < 1e-9)
        #expect(abs(points[0].meanPercent + 0.5) < 1e-9)
    }

    @Test func chainSweepUsesTheScenarioSettings() throws {
        let summary = try Fixture.summary()
        let configuration = ReportChainSweep.configuration(summary.scenario.chain)
        #expect(configuration.nodeCount == 200 && configuration.minerCount == 40 && configuration.delayMilliseconds == 100)
        #expect(configuration.confirmationDepth == 6 && configuration.workloadTransactionsPerSecond > 0)
        #expect(ReportChainSweep.delays(for: summary.scenario) == [10, 50, 100, 200, 400, 800])
        let rows = try Fixture.sweep.get()
        #expect(rows.map(\.delayMilliseconds) == [10, 800])
        #expect(rows.allSatisfy { $0.statistics.blocksMined == 150 && $0.statistics.confirmationMeanSeconds.isFinite })
        // 80× the delay: more forks (common random numbers, so block times are identical).
        #expect(rows[1].statistics.forks > rows[0].statistics.forks)
    }
}

@Suite struct HTMLReportTests {
    static func render() throws -> (RunSummary, String) {
        let summary = try Fixture.summary()
        let checks = [
            ReportCheck(name: "hash chain & seal", status: .pass, detail: "2 traces, sealed"),
            ReportCheck(name: "voltage <limits>", status: .fail, detail: "bus \"n12\" at 07:05 below 0.9 pu"),
            ReportCheck(name: "golden comparison", status: .skipped, detail: "no golden folder"),
        ]
        let audit = ReportAudit(flaggedParticipants: [7, 3, 7], precision: 0.5, recall: 1.0 / 3,
                                notes: ["rule: z > 3 & repeated <always>"],
                                rows: [ReportAuditRow(participant: 3, declaredKilowattHours: 4.25, meteredKilowattHours: 1.5, score: 6.125, flagged: true)])
        let html = HTMLReport.render(summary: summary, verification: checks, audit: audit, chainSweep: try Fixture.sweep.get())
        return (summary, html)
    }

    @Test func tableRowsCarryTheSummaryNumbers() throws {
        let (summary, html) = try Self.render()
        let base = try #require(summary.variants.first { $0.variant == .noP2P })
        let traded = try #require(summary.variants.first { $0.variant == .p2p })
        let expected: [(String, (VariantSummary) -> Double, Int)] = [
            ("Export (reverse flow; the paper's net export)", { $0.metrics.energyExportedKilowattHours }, 2),
            ("Import", { $0.metrics.energyImportedKilowattHours }, 2),
            ("Net export (export − import)", { -$0.metrics.energyNetKilowattHours }, 2),
            ("Reactive energy", { $0.metrics.reactiveEnergyAbsoluteKilovarHours }, 2),
            ("Max complex power", { $0.metrics.maxApparentPowerKilovoltAmperes }, 2),
            ("Active losses (of load energy)", { $0.metrics.lossesPercentOfLoadEnergy }, 3),
            ("Voltage unbalance (Vmax−Vmin)/Vavg", { $0.metrics.unbalanceSpread.value }, 3),
            ("Voltage unbalance max|V−Vavg|/Vavg (PVUR)", { $0.metrics.unbalanceMaxDeviation.value }, 3),
            ("Voltage unbalance |V2|/|V1| (VUF)", { $0.metrics.unbalanceVUF.value }, 3),
            ("Minimum voltage", { $0.metrics.voltageMin.value }, 4),
            ("Maximum voltage", { $0.metrics.voltageMax.value }, 4),
            ("P2P volume", { $0.p2pVolumeKilowattHours }, 2),
        ]
        for (quantity, value, decimals) in expected {
            let row = try #require(tableRow(html, quantity: quantity), "no table row \(quantity)")
            let cells = row.components(separatedBy: "<td").dropFirst().map { cell -> String in
                let content = cell.drop { $0 != ">" }.dropFirst()
                return String(content.prefix { $0 != "<" })
            }
            #expect(cells.count == 9, "\(quantity): \(cells)")
            let before = value(base), after = value(traded)
            #expect(cells[1] == HTMLText.fixed(before, decimals: decimals), "\(quantity) no P2P")
            #expect(cells[2] == HTMLText.fixed(after, decimals: decimals), "\(quantity) P2P")
            #expect(cells[3] == HTMLText.signed(after - before, decimals: decimals), "\(quantity) change")
            #expect(cells[4] == HTMLText.relativeChange(from: before, to: after), "\(quantity) change %")
        }
        // The paper's published values sit beside the run's.
        let netExport = try #require(tableRow(html, quantity: "Export (reverse flow; the paper's net export)"))
        #expect(netExport.contains(">40.06<") && netExport.contains(">59.12<") && netExport.contains(">+47.58\u{00A0}%<"))
        let unbalance = try #require(tableRow(html, quantity: "Voltage unbalance (Vmax−Vmin)/Vavg"))
        #expect(unbalance.contains(">8.866<") && unbalance.contains(">8.665<"))
        for value in ["41.07", "34.85", "148.73", "149.32", "3.33", "3.40"] { #expect(html.contains(">\(value)<")) }
        // Sanity of the run itself: the P2P scenario traded in the morning, the other did not.
        #expect(traded.p2pVolumeKilowattHours > 0 && base.p2pVolumeKilowattHours == 0)
    }

    @Test func oneSVGPerPlotAndNothingExternal() throws {
        let (_, html) = try Self.render()
        // P, Q, voltage difference, per-phase voltage, EV by hour, sample homes ×2, auction convergence, rounds,
        // matched volume, forks, confirmation time.
        #expect(occurrences(of: "<svg", in: html) == 12)
        #expect(occurrences(of: "</svg>", in: html) == 12)
        for title in ["Substation active power", "Substation reactive power", "Home voltage, P2P − no P2P", "Lowest home voltage per phase",
                      "EV charging energy by hour", "Demand of sample homes, P2P (paper Fig. 8)", "Auction convergence: matched volume by round",
                      "Auction rounds per interval", "Forks vs communication delay", "Confirmation time vs communication delay"] {
            #expect(html.contains(title), "missing plot \(title)")
        }
        let lowered = html.lowercased()
        for forbidden in ["http", "<script", "src=", "@import", "url("] {
            #expect(!lowered.contains(forbidden), "found \(forbidden)")
        }
        // The only links are the figures' downloads, as data: URIs: one SVG and one CSV per figure.
        #expect(occurrences(of: "href=", in: html) == 24)
        #expect(occurrences(of: "href=\"data:image/svg+xml;charset=utf-8;base64,", in: html) == 12)
        #expect(occurrences(of: "href=\"data:text/csv;charset=utf-8;base64,", in: html) == 12)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    }

    @Test func everyTextIsEscaped() throws {
        let (_, html) = try Self.render()
        #expect(html.contains(Fixture.hostileNameEscaped))
        #expect(!html.contains("alert(1)</script>"))
        #expect(html.contains("hash chain &amp; seal") && html.contains("voltage &lt;limits&gt;"))
        #expect(html.contains("bus &quot;n12&quot; at 07:05"))
        #expect(html.contains("rule: z &gt; 3 &amp; repeated &lt;always&gt;"))
    }

    @Test func verificationAndAuditSections() throws {
        let (summary, html) = try Self.render()
        #expect(html.contains("1 of 3 checks passed; 1 failed, 1 skipped."))
        #expect(html.contains("<span class=\"status fail\">FAIL</span>"))
        #expect(html.contains("<dt>flagged</dt><dd>3, 7</dd>"))
        #expect(html.contains("<dt>precision</dt><dd>0.500</dd>") && html.contains("<dt>recall</dt><dd>0.333</dd>"))
        #expect(html.contains("<td>3</td><td>4.250</td><td>1.500</td><td>6.125</td><td>yes</td>"))
        // The ground truth of the run appears in the flagged-vs-truth table.
        let adversaries = try #require(summary.variants.first { $0.variant == .p2p }).adversaries
        #expect(adversaries.count == 6)
        let caught = adversaries.filter { [3, 7].contains($0.participant) }.count
        #expect(html.contains("Against the ground truth this run recorded: \(caught) of 2 flagged participants are adversaries "
                              + "(precision \(HTMLText.fixed(Double(caught) / 2, decimals: 3))), \(caught) of 6 adversaries were flagged "
                              + "(recall \(HTMLText.fixed(Double(caught) / 6, decimals: 3)))."))
        for adversary in adversaries {
            let flagged = [3, 7].contains(adversary.participant)
            #expect(html.contains("<tr><td>\(adversary.participant)</td><td>\(adversary.strategy.rawValue)</td><td>\(flagged ? "yes" : "no")</td>"))
        }
    }

    @Test func marketFactsComeFromTheP2PScenario() throws {
        let (summary, html) = try Self.render()
        let traded = try #require(summary.variants.first { $0.variant == .p2p })
        #expect(html.contains("<tr><th scope=\"row\">contracts</th><td>\(traded.contracts)</td></tr>"))
        #expect(html.contains("<tr><th scope=\"row\">P2P volume delivered</th><td>\(HTMLText.fixed(traded.p2pVolumeKilowattHours, decimals: 2)) kWh</td></tr>"))
        #expect(html.contains("<td>\(ReportSeries.tradingIntervals(traded)) of \(Fixture.intervals)</td>"))
        // The busiest interval of this short run lies in its last hour (08:10 onwards).
        #expect(html.contains("<tr><th scope=\"row\">busiest interval</th><td>08:"))
    }

    @Test func theGlanceStatesTheHeadlineFigures() throws {
        let (summary, html) = try Self.render()
        let base = try #require(summary.variants.first { $0.variant == .noP2P })
        let traded = try #require(summary.variants.first { $0.variant == .p2p })
        let exportChange = HTMLText.relativeChange(from: base.metrics.energyExportedKilowattHours, to: traded.metrics.energyExportedKilowattHours)
        #expect(html.contains("With P2P trading, \(HTMLText.fixed(traded.p2pVolumeKilowattHours, decimals: 2)) kWh were delivered in "
                              + "\(traded.contracts) contracts (\(traded.contractsFallenBack) fell back to the grid). Against no P2P, "
                              + "export changed by \(exportChange) (paper: +47.58\u{00A0}%), reactive energy changed by "))
        #expect(html.contains("1 of 3 verification checks FAILED."))
        #expect(html.contains("The audit flagged 2 participants against 6 planted adversaries."))
    }

    @Test func aSingleScenarioLeavesTheComparisonOut() throws {
        var summary = try Fixture.summary()
        summary.variants = summary.variants.filter { $0.variant == .p2p }
        let traded = try #require(summary.variants.first)
        let html = HTMLReport.render(summary: summary)
        let row = try #require(tableRow(html, quantity: "Export (reverse flow; the paper's net export)"))
        #expect(row.contains("<td>—</td><td>\(HTMLText.fixed(traded.metrics.energyExportedKilowattHours, decimals: 2))</td><td>—</td><td>—</td>"))
        #expect(row.contains(">40.06<"))
        // P, Q, per-phase voltage, EV by hour, sample homes and the auction's three; no voltage difference without the pair.
        #expect(occurrences(of: "<svg", in: html) == 8)
        #expect(html.contains("Needs both scenarios of the pair."))
    }

    @Test func withoutOptionalInputsTheSectionsSaySo() throws {
        let summary = try Fixture.summary()
        let html = HTMLReport.render(summary: summary)
        #expect(occurrences(of: "<svg", in: html) == 10)
        #expect(html.contains("No verification results were passed"))
        #expect(html.contains("No audit results were passed"))
        #expect(html.contains("No chain delay sweep was passed"))
        // Deterministic: the same inputs give the same bytes.
        #expect(html == HTMLReport.render(summary: summary))
    }
}
