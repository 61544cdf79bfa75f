// Tests of the sweep report: the Student-t quantiles and intervals against published values, a
// sweep.sqlite built by hand with known numbers (the page shows their means and intervals, and the
// runs that failed or did not verify), and the refusal of a missing, foreign or NaN-holding file.
import CSQLite
import Foundation
import Testing
import TestSupport
@testable import Study

@Suite struct SweepStatisticsTests {
    /// t quantiles of 0.975 (two-sided 95 %) from scipy.stats.t.ppf.
    @Test func studentQuantilesMatchPublishedValues() {
        let known: [(Int, Double)] = [(1, 12.706204736174694), (2, 4.302652729749462), (3, 3.1824463052837078), (4, 2.7764451051977934),
                                      (9, 2.262157162798205), (29, 2.045229642132703), (100, 1.9839715185235518), (1000, 1.9623390808264083)]
        for (degrees, value) in known {
            let computed = SweepStatistics.studentTQuantile(probability: 0.975, degreesOfFreedom: degrees)
            #expect(abs(computed - value) < 1e-9 * value, "df \(degrees): \(computed) against \(value)")
        }
        #expect(abs(SweepStatistics.studentTQuantile(probability: 0.995, degreesOfFreedom: 7) - 3.4994832973504924) < 1e-9)
    }

    @Test func intervalOfKnownSamples() throws {
        let five = try #require(SweepStatistics.meanInterval([0.8, 0.9, 1.0, 0.7, 0.6]))
        #expect(five.count == 5)
        #expect(abs(five.mean - 0.8) < 1e-15)
        #expect(abs((five.standardDeviation ?? 0) - 0.15811388300841897) < 1e-15)
        #expect(abs((five.halfWidth ?? 0) - 0.1963243161477557) < 1e-12)
        let two = try #require(SweepStatistics.meanInterval([1, 3]))
        #expect(abs((two.halfWidth ?? 0) - 12.706204736174694) < 1e-9)
        #expect(abs((two.lower ?? 0) - (2 - 12.706204736174694)) < 1e-9)
        let one = try #require(SweepStatistics.meanInterval([4.5]))
        #expect(one.mean == 4.5 && one.halfWidth == nil && one.lower == nil)
        #expect(SweepStatistics.meanInterval([]) == nil)
    }
}

/// Builds SWEEPDIR/sweep.sqlite with the sweep contract's schema.
struct SweepFixture {
    let folder: URL
    var statements: [String] = []

    init(_ name: String) throws {
        folder = try CLI.scratch(name)
        statements = [
            "CREATE TABLE sweep(key TEXT PRIMARY KEY, value TEXT)",
            """
            CREATE TABLE runs(run_index INTEGER PRIMARY KEY, folder TEXT NOT NULL, status TEXT NOT NULL, error TEXT, wall_seconds REAL,
              engine TEXT, seed_root INTEGER, seed_grid INTEGER, seed_profiles INTEGER, seed_market INTEGER, seed_chain INTEGER,
              seed_adversaries INTEGER)
            """,
            "CREATE TABLE run_parameters(run_index INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, numeric_value REAL, PRIMARY KEY(run_index, key))",
            "CREATE TABLE run_metrics(run_index INTEGER NOT NULL, variant TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY(run_index, variant, metric))",
            """
            CREATE TABLE run_traces(run_index INTEGER NOT NULL, variant TEXT NOT NULL, path TEXT NOT NULL, header_digest TEXT,
              seal_digest TEXT, verified INTEGER, PRIMARY KEY(run_index, variant))
            """,
            "INSERT INTO sweep VALUES ('format', '1'), ('engine', 'local'), ('varied_seeds', 'market')",
        ]
    }

    mutating func run(_ index: Int, status: String = "done", error: String? = nil, seeds: (market: Int, chain: Int),
                      parameters: [(String, Double)], metrics: [(String, String, Double)], verified: Bool = true) {
        let folder = "runs/" + String(format: "%04d", index)
        statements.append("INSERT INTO runs VALUES (\(index), '\(folder)', '\(status)', \(error.map { "'\($0)'" } ?? "NULL"), 1.5, 'local', "
                          + "1, 7, 7, \(seeds.market), \(seeds.chain), 7)")
        for (key, value) in parameters {
            statements.append("INSERT INTO run_parameters VALUES (\(index), '\(key)', '\(value)', \(value))")
        }
        for (variant, metric, value) in metrics {
            statements.append("INSERT INTO run_metrics VALUES (\(index), '\(variant)', '\(metric)', \(value))")
        }
        if status == "done" {
            for variant in ["no-p2p", "p2p"] {
                let ok = variant == "no-p2p" || verified
                statements.append("INSERT INTO run_traces VALUES (\(index), '\(variant)', '\(folder)/\(variant).gtrace', 'aa', 'bb', \(ok ? 1 : 0))")
            }
        }
    }

    func write() throws {
        var db: OpaquePointer?
        let path = folder.appendingPathComponent("sweep.sqlite").path
        try? FileManager.default.removeItem(atPath: path)
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw SweepReportError(location: path, reason: "fixture: cannot open") }
        defer { sqlite3_close(db) }
        for statement in statements where sqlite3_exec(db, statement, nil, nil, nil) != SQLITE_OK {
            throw SweepReportError(location: path, reason: "fixture: \(String(cString: sqlite3_errmsg(db))) in \(statement)")
        }
    }
}

@Suite struct SweepReportTests {
    /// Adversary fraction {0, 0.1} × 5 market seeds, known audit and grid figures, one failed run
    /// and one run whose P2P trace did not verify.
    func adversarySweep(_ name: String) throws -> SweepFixture {
        var fixture = try SweepFixture(name)
        let precision = [[1.0, 1.0, 1.0, 1.0, 1.0], [0.8, 0.9, 1.0, 0.7, 0.6]]
        let maxKVA = [[100.0, 102, 98, 101, 99], [110.0, 111, 109, 112, 108]]
        for (group, fraction) in [0.0, 0.1].enumerated() {
            for seed in 0..<5 {
                let index = group * 5 + seed
                fixture.run(index, seeds: (market: 100 + seed, chain: 9), parameters: [("adversaries.fraction", fraction)],
                            metrics: [("p2p", "audit_precision", precision[group][seed]), ("p2p", "max_kva", maxKVA[group][seed]),
                                      ("no-p2p", "max_kva", 90)], verified: index != 3)
            }
        }
        // A failed run with a wild metric: it must be listed and left out of every mean.
        fixture.run(10, status: "failed", error: "feeder did not converge at step 12", seeds: (market: 105, chain: 9),
                    parameters: [("adversaries.fraction", 0.1)], metrics: [("p2p", "max_kva", 1e6)])
        return fixture
    }

    @Test func showsMeansIntervalsAndProblemRuns() throws {
        let fixture = try adversarySweep(#function)
        try fixture.write()
        let html = try SweepReport.render(sweepDirectory: fixture.folder.path)
        // Precision at fraction 0.1: mean 0.8, s = 0.1581, t(4) = 2.7764 → ± 0.196; at 0: no spread.
        #expect(html.contains("0.800 ± 0.196 (n = 5)"))
        #expect(html.contains("1.000 ± 0.000 (n = 5)"))
        // max_kva at 0.1: mean 110, s = 1.5811, ± 1.963 (the failed run's 1e6 left out).
        #expect(html.contains("110.000 ± 1.963 (n = 5)"))
        #expect(html.contains("100.000 ± 1.963 (n = 5)"))
        #expect(html.contains("feeder did not converge at step 12"))
        #expect(html.contains("<td>10</td><td>runs/0010</td>"))
        #expect(html.contains("<td>3</td><td>runs/0003</td>"))
        #expect(html.contains("p2p: NOT verified"))
        #expect(html.contains("2 of 11 runs"))
        #expect(html.contains("id=\"fig-audit-vs-fraction\""))
        #expect(html.contains("These figures need a sweep over chain.delay_ms"))
        #expect(html.contains("No run recorded the audit recall"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
        #expect(try SweepReport.render(sweepDirectory: fixture.folder.path) == html)
    }

    /// chain.delay_ms × chain seeds with a fork metric: the Fig. 5 chart is drawn with its band.
    @Test func drawsForksAgainstDelayOverChainSeeds() throws {
        var fixture = try SweepFixture(#function)
        fixture.statements.append("UPDATE sweep SET value = 'chain' WHERE key = 'varied_seeds'")
        for (group, delay) in [10.0, 100.0, 400.0].enumerated() {
            for seed in 0..<3 {
                fixture.run(group * 3 + seed, seeds: (market: 1, chain: 50 + seed), parameters: [("chain.delay_ms", delay)],
                            metrics: [("p2p", "chain_forks", delay / 10 + Double(seed))])
            }
        }
        try fixture.write()
        let html = try SweepReport.render(sweepDirectory: fixture.folder.path)
        #expect(html.contains("id=\"fig-fig5-forks\""))
        #expect(html.contains("No run recorded mean confirmation time"))
        // Forks at 100 ms: 10, 11, 12 → 11 ± t(2)·1/√3 = 11 ± 2.484.
        #expect(html.contains("11.000 ± 2.484 (n = 3)"))
        #expect(html.contains("All 9 runs finished and every trace verified."))
    }

    /// The base scenario's chain gives the Fig. 7 design loop, drawn as in the single-run report.
    @Test func drawsTheDesignLoopOfTheBaseScenario() throws {
        var fixture = try adversarySweep(#function)
        let base = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("scenarios/default.toml"), encoding: .utf8)
        fixture.statements.append("INSERT INTO sweep VALUES ('base_scenario', '\(base.replacingOccurrences(of: "'", with: "''"))')")
        try fixture.write()
        let html = try SweepReport.render(sweepDirectory: fixture.folder.path)
        #expect(html.contains("id=\"fig-chain-design\""))
        #expect(html.contains("Chosen: ") || html.contains("No candidate met the targets."))

        // As the sweep command records it: the base scenario's path.
        var byPath = try adversarySweep(#function + "path")
        byPath.statements.append("INSERT INTO sweep VALUES ('base_scenario', '\(SharedData.packageRoot.path)/scenarios/default.toml')")
        try byPath.write()
        #expect(try SweepReport.render(sweepDirectory: byPath.folder.path).contains("id=\"fig-chain-design\""))

        var unreadable = try adversarySweep(#function + "bad")
        unreadable.statements.append("INSERT INTO sweep VALUES ('base_scenario', 'absent.toml')")
        try unreadable.write()
        let note = try SweepReport.render(sweepDirectory: unreadable.folder.path)
        #expect(note.contains("The design loop runs on the sweep’s base scenario, which could not be read"))
        #expect(note.contains("runs/0000/run.toml"))
    }

    @Test func refusesMissingForeignAndNaNResults() throws {
        let empty = try CLI.scratch(#function + "empty")
        try expectRefusal(empty, "no sweep results here")

        let foreign = try CLI.scratch(#function + "foreign")
        try "run_index,status\n0,done\n".write(to: foreign.appendingPathComponent("sweep.sqlite"), atomically: true, encoding: .utf8)
        try expectRefusal(foreign, "file is not a database")

        var otherSchema = try SweepFixture(#function + "schema")
        otherSchema.statements = ["CREATE TABLE events(seq INTEGER)"]
        try otherSchema.write()
        try expectRefusal(otherSchema.folder, "not a sweep.sqlite: it has no table \"sweep\"")

        var newer = try adversarySweep(#function + "format")
        newer.statements.append("UPDATE sweep SET value = '2' WHERE key = 'format'")
        try newer.write()
        try expectRefusal(newer.folder, "format \"2\"; this gridtrace reads format 1")

        var notANumber = try adversarySweep(#function + "nan")
        notANumber.statements.append("UPDATE run_metrics SET value = 'NaN' WHERE run_index = 4 AND variant = 'p2p' AND metric = 'max_kva'")
        try notANumber.write()
        try expectRefusal(notANumber.folder, "(run_metrics, run 4, p2p, max_kva): the value \"NaN\" is not a number")

        var infinite = try adversarySweep(#function + "inf")
        infinite.statements.append("UPDATE run_parameters SET numeric_value = 9e999 WHERE run_index = 2")
        try infinite.write()
        try expectRefusal(infinite.folder, "(run_parameters, run 2, adversaries.fraction): the value inf is not a finite number")
    }

    func expectRefusal(_ folder: URL, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(sourceLocation: sourceLocation) {
            _ = try SweepReport.render(sweepDirectory: folder.path)
        } throws: { error in
            let text = String(describing: error)
            if !text.contains(message) { print("unexpected refusal: \(text)") }
            return error is SweepReportError && text.contains(message)
        }
    }
}
