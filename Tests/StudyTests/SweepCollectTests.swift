// The pieces of collecting and showing a sweep that need no run: CSV quoting, metric flattening,
// run folder names and the progress display's durations.
import Kernel
import Testing
@testable import Study

@Suite struct SweepCollectTests {
    @Test func csvFieldsAreQuotedOnlyWhenNeeded() {
        #expect(SweepCollect.csvField("plain") == "plain")
        #expect(SweepCollect.csvField("a,b") == "\"a,b\"")
        #expect(SweepCollect.csvField("say \"no\"\nnow") == "\"say \"\"no\"\"\nnow\"")
    }

    @Test func summaryNumbersFlattenToDottedNamesWithoutNaN() {
        let summary: CanonicalJSON = ["max_kva": .double(16.5), "events": .int(745), "all_converged": .bool(true), "trace": "p2p.gtrace",
                                      "losses_pct": .double(.nan), "voltage_limits": ["passed": .bool(false), "low_pu": .double(0.9)]]
        let flat = SweepExec.flattenedNumbers(summary)
        #expect(flat.map(\.name) == ["all_converged", "events", "max_kva", "voltage_limits.low_pu", "voltage_limits.passed"])
        #expect(flat.map(\.value) == [1, 745, 16.5, 0.9, 0])
    }

    @Test func folderNamesAndDurations() {
        #expect(SweepLayout.folderName(3) == "0003" && SweepLayout.folderName(12345) == "12345")
        #expect(SweepLayout.runFolder(42) == "runs/0042")
        #expect(SweepProgress.duration(12.4) == "12s" && SweepProgress.duration(250) == "4m10s" && SweepProgress.duration(7500) == "2h05m")
        #expect(SweepProgress.duration(.infinity) == "0s")
    }
}
