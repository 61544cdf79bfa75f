// What-if end to end on a short run: the counterfactual of a changed parameter is the run recorded
// with that parameter from the start (event for event), it replays identically from its own header,
// the diff names the first differing seq found independently, and an override that sets the value
// the run had gives an identical trace. The original is never written to.
import CoSim
import Foundation
import Testing
import Trace
@testable import Verify

private func folder(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-whatif-\(getpid())-\(name)").path
}

private func fileDigest(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

@Suite(.serialized) struct WhatIfTests {
    @Test(arguments: [("adversaries.fraction", "0.5"), ("grid.tolerance", "1e-3")])
    func counterfactualIsTheChangedRunAndTheDiffFindsItsFirstDifference(key: String, value: String) throws {
        let original = try recordShortRun("whatif-base-\(key)", intervals: 4)
        let before = try fileDigest(original)
        let result = try WhatIf.run(tracePath: original, overrides: [ScenarioOverride(key: key, value: value)],
                                    outputFolder: folder("out-\(key)"), signingKey: nil)
        #expect(try fileDigest(original) == before, "the original trace was written to")
        #expect(result.startInterval == 0 && result.changes.count == 1 && result.changes.first?.key == key)
        // The same run recorded with the change made in memory: the counterfactual holds exactly its events.
        let direct = try recordShortRun("whatif-direct-\(key)", intervals: 4) { try? $0.override(key, value: value) }
        #expect(firstDifference(try events(direct), try events(result.tracePath)) == nil)
        // The diff's first difference is the one the events themselves show.
        let expected = try #require(firstDifference(try events(original), try events(result.tracePath)), "the change made no difference")
        #expect(result.diff.divergence?.seq == expected)
        #expect(result.diff.headers.map(\.field).contains("scenario"))
        if key == "adversaries.fraction" { #expect(result.diff.headers.map(\.field).contains("ground_truth")) }
        #expect(WhatIfReport.text(result).contains("first difference at seq \(expected)"))
        // The counterfactual's header describes its own run.
        guard case .identical = try Replay.run(tracePath: result.tracePath).outcome else {
            Issue.record("the counterfactual does not replay identically from its header")
            return
        }
    }

    @Test func anOverrideToTheRecordedValueIsIdentical() throws {
        let original = try recordShortRun("whatif-same", intervals: 2)
        let result = try WhatIf.run(tracePath: original, overrides: [ScenarioOverride(key: "grid.tolerance", value: "1e-8")],
                                    outputFolder: folder("same"), signingKey: nil)
        #expect(result.changes.isEmpty && result.diff.identical)
        #expect(WhatIfReport.text(result).hasSuffix("identical: the same header and the same \(result.diff.a.events) events"))
    }

    @Test func theOriginalIsNeverReplaced() throws {
        let original = try recordShortRun("whatif-self", intervals: 1)
        let before = try fileDigest(original)
        #expect(throws: CoSimError.self) {
            try WhatIf.run(tracePath: original, overrides: [ScenarioOverride(key: "grid.tolerance", value: "1e-3")],
                           outputFolder: (original as NSString).deletingLastPathComponent, signingKey: nil)
        }
        #expect(try fileDigest(original) == before)
    }

    @Test func startsAtTheRunsStartForScenarioKeys() throws {
        let header = try TraceReader(path: try recordShortRun("whatif-start", intervals: 1)).header
        for key in Scenario.overridableKeys {
            #expect(WhatIf.startInterval(for: [ScenarioOverride(key: key, value: "1")], recorded: header) == 0)
        }
    }
}
