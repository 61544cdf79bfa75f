// Owns the what-if of `replay TRACE --override key=value --out DIR`: re-run a recorded run with a
// changed scenario parameter, write the counterfactual trace (signed, like `run`), and compare it
// with the original by `TraceDiff` (the first difference, then kinds and run figures before and
// after). The original is only read. Where the re-run starts is one decision, `startInterval`.
import CoSim
import Foundation
import Kernel
import Market
import Trace

/// One override as it changed the scenario: the key and its value before and after (TOML text).
public struct WhatIfChange: Sendable, Equatable {
    public var key: String
    public var from: String
    public var to: String
}

/// What a what-if did and found.
public struct WhatIfResult: Sendable {
    /// The overrides that changed a value (one that set the value the run had is not listed).
    public var changes: [WhatIfChange]
    public var variant: Scenario.Variant
    /// The interval the re-run started from (0: the run's start).
    public var startInterval: Int
    /// The counterfactual trace.
    public var tracePath: String
    /// The original (A) against the counterfactual (B).
    public var diff: TraceDiffResult
    public var notes: [String]

    /// Header fields a re-run writes afresh whatever the change: the trace format and engine version of this build.
    public static let rerunHeaderFields = ["format_version", "engine_version"]

    /// The change leaves the run as recorded: every event the same, and the headers too but for
    /// the fields this build writes (a what-if of a format-2 trace is recorded in format 3).
    public var identical: Bool {
        diff.eventsIdentical && !diff.damaged && diff.headers.allSatisfy { Self.rerunHeaderFields.contains($0.field) }
    }
}

public enum WhatIf {
    /// The first interval a change of `overrides` can affect, where the counterfactual re-run starts.
    ///
    /// Every overridable key (`Scenario.overridableKeys`) is a scenario parameter the run reads from
    /// its first interval: tolerances and prices apply to interval 0, the adversaries are drawn
    /// before it, the chain's delays shape its first blocks. So this is 0, the run's start. With
    /// checkpoints in the trace (issue 13, items 1–2) a change that acts later can return a later
    /// interval here, and `rerun` restores the checkpoint at or before it.
    public static func startInterval(for overrides: [ScenarioOverride], recorded header: TraceHeader) -> Int {
        0
    }

    /// Re-runs the run recorded at `tracePath` with `overrides` into `outputFolder` (the trace
    /// `<variant>.gtrace`, signed with `signingKey`) and compares it with the original.
    ///
    /// The overrides get the scenario file's checks (an error names the key); the counterfactual's
    /// header holds the changed scenario text, so replaying it reproduces it. A corrupt original is
    /// refused; an incomplete one is compared over its committed prefix. The folder is locked like
    /// `run`'s, and a counterfactual that would replace the original is refused before anything is written.
    public static func run(tracePath: String, overrides: [ScenarioOverride], outputFolder: String,
                           signingKey: TraceSigningKey?, context: Int = 3) throws -> WhatIfResult {
        let reader = try TraceReader(path: tracePath)
        let status = reader.verify().status
        if case .corrupt = status { throw CoSimError.replay("the trace does not verify (\(status)); a what-if needs an intact chain") }
        var notes: [String] = []
        if case .incomplete(let seq) = status {
            notes.append("the original is incomplete at seq \(seq): the counterfactual runs the whole scenario, compared with its committed prefix")
        }
        var (scenario, variant) = try Replay.recordedRun(reader)
        // The counterfactual is a new trace: it checkpoints as its scenario text says, so that its own
        // replay reproduces it (a replay of an original older than checkpoints turns them off).
        scenario.checkpointEveryIntervals = try Scenario.parse(scenario.sourceText, file: "<trace header>", baseFolder: nil)
            .checkpointEveryIntervals
        let changed = try scenario.overriding(overrides)
        var changes: [WhatIfChange] = []
        for key in overrides.map(\.key) where !changes.contains(where: { $0.key == key }) {
            let from = scenario.overrideValueText(key), to = changed.overrideValueText(key)
            if from != to { changes.append(WhatIfChange(key: key, from: from, to: to)) }
        }
        let start = startInterval(for: overrides, recorded: reader.header)
        let output = (outputFolder as NSString).appendingPathComponent(CoSimulation.traceName(variant))
        try refuseReplacing(original: tracePath, with: output)
        let lock = try OutputFolderLock(folder: outputFolder)
        defer { withExtendedLifetime(lock) {} }
        try rerun(changed, variant: variant, from: start, into: output, signingKey: signingKey)
        let diff = try TraceDiff.compare(tracePath, output, context: context)
        return WhatIfResult(changes: changes, variant: variant, startInterval: start, tracePath: output, diff: diff, notes: notes)
    }

    /// Runs `scenario` from `interval` into a sealed trace at `path`. This build starts every re-run
    /// at the run's start; a later interval needs the checkpoint there (issue 13, items 1–2).
    private static func rerun(_ scenario: Scenario, variant: Scenario.Variant, from interval: Int, into path: String,
                              signingKey: TraceSigningKey?) throws {
        guard interval == 0 else {
            throw CoSimError.replay("re-running from interval \(interval) needs a checkpoint there; this build re-runs from the start")
        }
        let feeder = try PreparedFeeder.prepare(scenario)
        _ = try CoSimulation.runVariant(scenario, variant: variant, feeder: feeder, tracePath: path, signingKey: signingKey)
    }

    /// Refuses an output path that is the original trace itself (by path or by file identity).
    static func refuseReplacing(original: String, with output: String) throws {
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        var originalStat = stat(), outputStat = stat()
        let sameFile = stat(original, &originalStat) == 0 && stat(output, &outputStat) == 0
            && originalStat.st_dev == outputStat.st_dev && originalStat.st_ino == outputStat.st_ino
        if sameFile || resolved(original) == resolved(output) {
            throw CoSimError.replay("\(output) is the trace being compared: choose another --out (a what-if never replaces the original)")
        }
    }
}

/// How a what-if is shown: what changed and where the re-run started, then the diff against the original.
public enum WhatIfReport {
    public static func text(_ result: WhatIfResult) -> String {
        var lines = result.notes.map { "note: " + $0 }
        let changes = result.changes.isEmpty ? "no value changed"
            : result.changes.map { "\($0.key) \($0.from) → \($0.to)" }.joined(separator: ", ")
        let start = HumanFormat.clock(milliseconds: Int64(result.startInterval) * Int64(marketIntervalMinutes) * 60_000)
        lines.append("what-if: \(changes); re-ran \(result.variant.rawValue) from interval \(result.startInterval) (\(start)) "
                     + "into \(result.tracePath)")
        lines.append(TraceDiffReport.text(result.diff))
        if result.identical && !result.diff.identical {
            let fields = result.diff.headers.map(\.field).joined(separator: ", ")
            lines.append("identical: the change leaves all \(result.diff.b.events) events as recorded (only \(fields) differ, written by this build)")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"status": "identical"|"different", "changes": [{"key", "from", "to"}], "variant", "start_interval", "trace", "notes", "diff": {…}}`.
    public static func json(_ result: WhatIfResult) -> CanonicalJSON {
        [
            "status": .string(result.identical ? "identical" : "different"),
            "changes": .array(result.changes.map { ["key": .string($0.key), "from": .string($0.from), "to": .string($0.to)] }),
            "variant": .string(result.variant.rawValue), "start_interval": .int(Int64(result.startInterval)),
            "trace": .string(result.tracePath), "notes": .array(result.notes.map { .string($0) }),
            "diff": TraceDiffReport.json(result.diff),
        ]
    }
}
