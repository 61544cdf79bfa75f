// Owns gathering a sweep's results: every run's result.json (or its absence: pending) into
// sweep.sqlite (the schema of docs/sweeps.md, which the sweep report reads) and sweep.csv (one wide
// row per run). Both are rebuilt from the run folders each time and put in place by rename.
import Foundation
import Kernel
import Trace

/// How many runs of a sweep are in each state.
public struct SweepCounts: Sendable, Equatable {
    public var total = 0
    public var done = 0
    public var failed = 0
    public var pending = 0

    public var json: CanonicalJSON {
        ["total": .int(Int64(total)), "done": .int(Int64(done)), "failed": .int(Int64(failed)), "pending": .int(Int64(pending))]
    }
}

public enum SweepCollect {
    /// The database schema (contract with the sweep report).
    static let schema = """
        CREATE TABLE sweep(key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE runs(run_index INTEGER PRIMARY KEY, folder TEXT NOT NULL, status TEXT NOT NULL,
          error TEXT, wall_seconds REAL, engine TEXT,
          seed_root INTEGER, seed_grid INTEGER, seed_profiles INTEGER, seed_market INTEGER, seed_chain INTEGER, seed_adversaries INTEGER);
        CREATE TABLE run_parameters(run_index INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, numeric_value REAL,
          PRIMARY KEY(run_index, key));
        CREATE TABLE run_metrics(run_index INTEGER NOT NULL, variant TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
          PRIMARY KEY(run_index, variant, metric));
        CREATE TABLE run_traces(run_index INTEGER NOT NULL, variant TEXT NOT NULL, path TEXT NOT NULL, header_digest TEXT,
          seal_digest TEXT, verified INTEGER, PRIMARY KEY(run_index, variant));
        """

    /// One run as collected: the manifest's entry and its result, if it has one.
    struct Row {
        var run: SweepManifest.Run
        var result: RunResult?
        var status: String { result?.status.rawValue ?? "pending" }
    }

    /// Rebuilds sweep.sqlite and sweep.csv from the folder; returns the counts.
    @discardableResult
    public static func collect(sweepDirectory: String) throws(SweepError) -> SweepCounts {
        let layout = SweepLayout(directory: sweepDirectory)
        let manifest = try SweepManifest.read(layout)
        let rows = try readRows(layout, manifest: manifest)
        do {
            try writeDatabase(layout, manifest: manifest, rows: rows)
            try Data(csv(manifest: manifest, rows: rows).utf8).write(to: URL(fileURLWithPath: layout.csvPath), options: .atomic)
        } catch {
            throw .unusableFolder("\(sweepDirectory): cannot write the results: \(error)")
        }
        return counts(rows)
    }

    /// The counts from the result files alone (what `sweep status` shows).
    public static func counts(sweepDirectory: String) throws(SweepError) -> SweepCounts {
        let layout = SweepLayout(directory: sweepDirectory)
        return counts(try readRows(layout, manifest: try SweepManifest.read(layout)))
    }

    static func readRows(_ layout: SweepLayout, manifest: SweepManifest) throws(SweepError) -> [Row] {
        var rows: [Row] = []
        for run in manifest.runs { rows.append(Row(run: run, result: try RunResult.read(layout, index: run.index))) }
        return rows
    }

    static func counts(_ rows: [Row]) -> SweepCounts {
        var counts = SweepCounts()
        counts.total = rows.count
        for row in rows {
            switch row.result?.status {
            case .done: counts.done += 1
            case .failed: counts.failed += 1
            case nil: counts.pending += 1
            }
        }
        return counts
    }

    private static func writeDatabase(_ layout: SweepLayout, manifest: SweepManifest, rows: [Row]) throws {
        let temporary = layout.databasePath + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let database = try SQLiteConnection(creatingAt: temporary)
            try database.execute(schema)
            try database.execute("BEGIN")
            let sweep = try database.prepare("INSERT INTO sweep(key, value) VALUES (?, ?)")
            let entries: [(String, String?)] = [("format", String(SweepManifest.format)), ("plan", manifest.plan),
                                                ("base_scenario", manifest.baseScenario), ("engine", manifest.engine),
                                                ("slurm_job", manifest.slurmJob), ("varied_seeds", manifest.variedSeeds.joined(separator: ","))]
            for (key, value) in entries {
                sweep.bind(1, key)
                if let value { sweep.bind(2, value) } else { sweep.bindNull(2) }
                try sweep.run()
            }
            for row in rows { try insert(row, into: database) }
            try database.execute("COMMIT")
        }
        try? FileManager.default.removeItem(atPath: layout.databasePath)
        try FileManager.default.moveItem(atPath: temporary, toPath: layout.databasePath)
    }

    private static func insert(_ row: Row, into database: SQLiteConnection) throws {
        let runs = try database.prepare("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        runs.bind(1, Int64(row.run.index))
        runs.bind(2, SweepLayout.runFolder(row.run.index))
        runs.bind(3, row.status)
        if let error = row.result?.error { runs.bind(4, error) } else { runs.bindNull(4) }
        if let result = row.result { runs.bind(5, result.wallSeconds); runs.bind(6, result.engine) } else { runs.bindNull(5); runs.bindNull(6) }
        let seeds = row.result?.seeds ?? row.run.seeds
        for (offset, entry) in seeds.named.enumerated() { runs.bind(Int32(7 + offset), Int64(bitPattern: entry.seed)) }
        try runs.run()
        let parameters = try database.prepare("INSERT INTO run_parameters VALUES (?, ?, ?, ?)")
        for parameter in row.run.parameters {
            parameters.bind(1, Int64(row.run.index))
            parameters.bind(2, parameter.key)
            parameters.bind(3, parameter.value)
            if let number = parameter.numericValue { parameters.bind(4, number) } else { parameters.bindNull(4) }
            try parameters.run()
        }
        guard let result = row.result else { return }
        let metrics = try database.prepare("INSERT INTO run_metrics VALUES (?, ?, ?, ?)")
        for metric in result.metrics {
            metrics.bind(1, Int64(row.run.index))
            metrics.bind(2, metric.variant)
            metrics.bind(3, metric.name)
            metrics.bind(4, metric.value)
            try metrics.run()
        }
        let traces = try database.prepare("INSERT INTO run_traces VALUES (?, ?, ?, ?, ?, ?)")
        for trace in result.traces {
            traces.bind(1, Int64(row.run.index))
            traces.bind(2, trace.variant)
            traces.bind(3, trace.path)
            traces.bind(4, trace.headerDigest)
            traces.bind(5, trace.sealDigest)
            traces.bind(6, Int64(trace.verified ? 1 : 0))
            try traces.run()
        }
    }

    /// One row per run: its place, status and seeds, the parameters in plan order, then per variant
    /// (no-p2p, p2p) every metric any run recorded (sorted by name) and the trace's digests.
    static func csv(manifest: SweepManifest, rows: [Row]) -> String {
        let variants = ["no-p2p", "p2p"].filter { variant in rows.contains { $0.result?.traces.contains { $0.variant == variant } ?? false } }
        let metricNames = variants.map { variant in
            Array(Set(rows.flatMap { $0.result?.metrics.filter { $0.variant == variant }.map(\.name) ?? [] })).sorted()
        }
        var header = ["run_index", "folder", "status", "error", "wall_seconds", "engine"] + RunSeeds.columnNames + manifest.parameterKeys
        for (variant, names) in zip(variants, metricNames) {
            header += names.map { variant + "." + $0 } + ["header_digest", "seal_digest", "verified"].map { variant + "." + $0 }
        }
        var lines = [header.map(csvField).joined(separator: ",")]
        for row in rows {
            let result = row.result
            var fields = [String(row.run.index), SweepLayout.runFolder(row.run.index), row.status, result?.error ?? "",
                          result.map { String(format: "%.3f", $0.wallSeconds) } ?? "", result?.engine ?? ""]
            fields += (result?.seeds ?? row.run.seeds).named.map { String($0.seed) }
            fields += manifest.parameterKeys.map { key in row.run.parameters.first { $0.key == key }?.value ?? "" }
            for (variant, names) in zip(variants, metricNames) {
                fields += names.map { name in
                    result?.metrics.first { $0.variant == variant && $0.name == name }.map { CanonicalJSON.format($0.value) } ?? ""
                }
                let trace = result?.traces.first { $0.variant == variant }
                fields += [trace?.headerDigest ?? "", trace?.sealDigest ?? "", trace.map { $0.verified ? "1" : "0" } ?? ""]
            }
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension RunSeeds {
    /// The CSV's and the database's seed columns, in `named` order.
    public static let columnNames = ["seed_root", "seed_grid", "seed_profiles", "seed_market", "seed_chain", "seed_adversaries"]
}
