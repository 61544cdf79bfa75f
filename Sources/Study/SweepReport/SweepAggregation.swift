// Owns how the sweep report groups runs: which parameters a sweep varied, and for a metric against
// one parameter, the runs that share every parameter value pooled into one sample (they differ only
// in their seeds), summarised by mean and 95 % confidence interval. Only finished runs count.
import Foundation

/// One parameter value of a series: its sample's mean and interval.
public struct SweepPoint: Sendable, Equatable {
    /// The parameter's value as written in the plan, and as a number when it is one.
    public var label: String
    public var x: Double?
    public var interval: MeanInterval
    /// The runs pooled (their seeds differ).
    public var runIndices: [Int]
}

/// Points of one metric against one parameter, for one setting of the other swept parameters.
public struct SweepSeries: Sendable, Equatable {
    /// The other swept parameters' values ("chain.delay_ms=100, homes.pv_share=0.3"); "" when none.
    public var others: String
    public var points: [SweepPoint]
}

/// The sweep's results arranged for the report.
struct SweepModel {
    var results: SweepResults
    /// Runs whose status is done.
    var doneRuns: [Int]
    /// Parameter keys with at least two distinct values, sorted.
    var sweptParameters: [String]
    /// Every parameter key that appears, sorted.
    var parameterKeys: [String]
    /// By run index: whether the run is done, and its parameter rows (indices are 0…9999).
    var isDone: [Bool]
    var parametersByRun: [[SweepParameterValue]]

    init(_ results: SweepResults) {
        self.results = results
        doneRuns = results.runs.filter { $0.status == "done" }.map(\.index)
        let size = max(results.runs.map(\.index).max() ?? 0, results.parameters.map(\.runIndex).max() ?? 0,
                       results.metrics.map(\.runIndex).max() ?? 0) + 1
        isDone = [Bool](repeating: false, count: size)
        for index in doneRuns where index >= 0 { isDone[index] = true }
        parametersByRun = [[SweepParameterValue]](repeating: [], count: size)
        for row in results.parameters where row.runIndex >= 0 { parametersByRun[row.runIndex].append(row) }
        parameterKeys = uniqueSorted(results.parameters.map(\.key))
        sweptParameters = parameterKeys.filter { key in uniqueSorted(results.parameters.filter { $0.key == key }.map(\.value)).count > 1 }
    }

    /// The value rows of `key`, in run order.
    func values(of key: String) -> [SweepParameterValue] { results.parameters.filter { $0.key == key } }

    /// True when every value of `key` is a number.
    func isNumeric(_ key: String) -> Bool {
        let rows = values(of: key)
        return !rows.isEmpty && rows.allSatisfy { $0.numericValue != nil }
    }

    /// The distinct labels of `key` in plot order (numeric ascending, else text order).
    func labels(of key: String) -> [String] {
        let rows = values(of: key)
        var labels: [String] = []
        let ordered = rows.sorted { a, b in
            if let x = a.numericValue, let y = b.numericValue, x != y { return x < y }
            return a.value < b.value
        }
        for row in ordered where !labels.contains(row.value) { labels.append(row.value) }
        return labels
    }

    /// Metric names recorded for `variant`, sorted.
    func metricNames(variant: String) -> [String] {
        uniqueSorted(results.metrics.filter { $0.variant == variant }.map(\.metric))
    }

    /// Variants with metrics, P2P first.
    var variants: [String] {
        uniqueSorted(results.metrics.map(\.variant)).sorted { ($0 == "p2p" ? 0 : 1, $0) < ($1 == "p2p" ? 0 : 1, $1) }
    }

    /// `metric` of `variant` against `parameter`: one series per setting of the other swept
    /// parameters, each point pooling the finished runs that share it.
    /// With `poolingOthers` the other parameters are ignored: one series pools every run of a value.
    func series(metric: String, variant: String, against parameter: String, poolingOthers: Bool = false) -> [SweepSeries] {
        let others = poolingOthers ? [] : sweptParameters.filter { $0 != parameter }
        var samples: [(others: String, label: String, x: Double?, run: Int, value: Double)] = []
        for entry in results.metrics where entry.variant == variant && entry.metric == metric && entry.runIndex >= 0 && isDone[entry.runIndex] {
            let rows = parametersByRun[entry.runIndex]
            guard let own = rows.first(where: { $0.key == parameter }) else { continue }
            let description = others.map { key in key + "=" + (rows.first { $0.key == key }?.value ?? "—") }.joined(separator: ", ")
            samples.append((description, own.value, own.numericValue, entry.runIndex, entry.value))
        }
        let labelOrder = labels(of: parameter)
        return uniqueSorted(samples.map(\.others)).map { setting in
            let mine = samples.filter { $0.others == setting }
            let points = labelOrder.compactMap { label -> SweepPoint? in
                let pooled = mine.filter { $0.label == label }
                guard let interval = SweepStatistics.meanInterval(pooled.map(\.value)) else { return nil }
                return SweepPoint(label: label, x: pooled[0].x, interval: interval, runIndices: pooled.map(\.run))
            }
            return SweepSeries(others: setting, points: points)
        }
    }

    /// The first of `candidates` that some finished run recorded for `variant`, else for any variant.
    func findMetric(_ candidates: [String]) -> (variant: String, metric: String)? {
        for variant in variants {
            for name in candidates where results.metrics.contains(where: { $0.variant == variant && $0.metric == name }) {
                return (variant, name)
            }
        }
        return nil
    }
}

/// Ascending, each value once.
func uniqueSorted(_ values: [String]) -> [String] {
    var out: [String] = []
    for value in values.sorted() where out.last != value { out.append(value) }
    return out
}
