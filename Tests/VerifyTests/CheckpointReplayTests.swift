// Replay from checkpoints: every checkpoint of the reference traces restores and reproduces the
// events after it byte for byte (each stretch up to the next checkpoint, whose state digest must
// match too, and the last one to the end); `--from` starts at the last checkpoint at or before the
// time; `--jobs` reports what the sequential replay reports; a damaged checkpoint is named by seq
// and never used.
import CoSim
import Foundation
import Kernel
import Testing
import TestSupport
import Trace
@testable import Verify

@Suite(.serialized) struct CheckpointReplayTests {
    private static let intervalMilliseconds: Int64 = 300_000

    private func replayEveryCheckpoint(_ path: String) throws -> Int {
        let checkpoints = try TraceReader(path: path).checkpoints()
        for (index, checkpoint) in checkpoints.enumerated() {
            let start = SimTime(milliseconds: Int64(checkpoint.interval) * Self.intervalMilliseconds)
            let next = index + 1 < checkpoints.count ? checkpoints[index + 1] : nil
            let result = try Replay.run(tracePath: path, from: start, until: next.map { .seq($0.seq) })
            #expect(result.notes.contains { $0.contains("checkpoint at seq \(checkpoint.seq)") }, "\(result.notes)")
            switch result.outcome {
            case .stopped(let state):
                #expect(next != nil && state.stoppedAfter?.seq == next?.seq && state.stoppedAfter?.kind == "checkpoint")
            case .identical(let count):
                let total = try #require(TraceReader(path: path).storedSeal()?.events)
                #expect(next == nil && count == total - checkpoint.seq)
            default:
                Issue.record("checkpoint at seq \(checkpoint.seq) of \(path): \(ReplayReport.text(result))")
            }
        }
        return checkpoints.count
    }

    @Test(arguments: ["traces/trading/p2p.gtrace"])
    func everyCheckpointOfTheReferenceTracesReproducesTheRest(relative: String) throws {
        let path = SharedData.packageRoot.appendingPathComponent(relative).path
        let count = try replayEveryCheckpoint(path)
        #expect(count == 9)
    }

    @Test func fromStartsAtTheLastCheckpointAtOrBeforeTheTime() throws {
        let path = try recordShortRun("from", intervals: 14) { scenario in
            scenario = try! Scenario.parse(Scenario.defaultText + "\n[trace]\ncheckpoint_every_intervals = 6\n", file: "default.toml", baseFolder: nil)
            scenario.intervals = 14
            scenario.variants = [.p2p]
        }
        let checkpoints = try TraceReader(path: path).checkpoints()
        #expect(checkpoints.map(\.interval) == [6, 12])
        let late = try Replay.run(tracePath: path, from: SimTime(milliseconds: 13 * Self.intervalMilliseconds + 60_000))
        #expect(late.notes.contains { $0.contains("checkpoint at seq \(checkpoints[1].seq)") })
        guard case .identical(let count) = late.outcome else { Issue.record("\(ReplayReport.text(late))"); return }
        #expect(count == Int64(try events(path).count) - checkpoints[1].seq)
        let early = try Replay.run(tracePath: path, from: SimTime(milliseconds: 5 * Self.intervalMilliseconds))
        #expect(early.notes.contains { $0.contains("replayed from the start") })
        guard case .identical(let all) = early.outcome else { Issue.record("\(ReplayReport.text(early))"); return }
        #expect(all == Int64(try events(path).count))
    }

    @Test func parallelReplayReportsWhatTheSequentialOneDoes() throws {
        // The header stores the scenario's text: the checkpoint setting must be in it.
        let path = try recordShortRun("jobs", intervals: 20) { scenario in
            scenario = try! Scenario.parse(Scenario.defaultText + "\n[trace]\ncheckpoint_every_intervals = 2\n", file: "default.toml", baseFolder: nil)
            scenario.intervals = 20
            scenario.variants = [.p2p]
        }
        let sequential = try Replay.run(tracePath: path)
        for jobs in [2, 3, 8] {
            let parallel = try Replay.run(tracePath: path, jobs: jobs)
            guard case .identical(let a) = sequential.outcome, case .identical(let b) = parallel.outcome else {
                Issue.record("jobs \(jobs): \(ReplayReport.text(parallel))")
                continue
            }
            #expect(a == b)
        }
        // A changed engine setting behind the header's back: the same first divergence either way.
        let changedSequential = try Replay.run(tracePath: path) { try? $0.override("chain.delay_ms", value: "400") }
        let changedParallel = try Replay.run(tracePath: path, jobs: 2) { try? $0.override("chain.delay_ms", value: "400") }
        guard case .diverged(let expected) = changedSequential.outcome, case .diverged(let found) = changedParallel.outcome else {
            Issue.record("no divergence: \(ReplayReport.text(changedParallel))")
            return
        }
        #expect(found == expected)
        let checkpoints = try TraceReader(path: path).checkpoints()
        let parts = Replay.parts(checkpoints: checkpoints, lastSeq: try #require(checkpoints.last?.seq) + 100, intervals: 20, jobs: 3)
        #expect(parts.count == 3 && parts[0].start == nil && parts[2].endSeq == nil)
        #expect(parts[0].endSeq == parts[1].start?.seq && parts[1].endInterval == parts[2].start?.interval)
    }

    @Test func aDamagedCheckpointIsReportedAtItsSeqAndNeverUsed() throws {
        let original = try recordShortRun("damaged", intervals: 8) { scenario in
            scenario = try! Scenario.parse(Scenario.defaultText + "\n[trace]\ncheckpoint_every_intervals = 6\n", file: "default.toml", baseFolder: nil)
            scenario.intervals = 8
            scenario.variants = [.p2p]
        }
        let checkpoint = try #require(try TraceReader(path: original).checkpoints().first)
        let folder = URL(fileURLWithPath: original).deletingLastPathComponent()
        // The stored state altered (its event, and so the chain, intact).
        let state = folder.appendingPathComponent("state.gtrace").path
        try? FileManager.default.removeItem(atPath: state)
        try FileManager.default.copyItem(atPath: original, toPath: state)
        try TraceForgery.execute("UPDATE checkpoints SET zlib = zeroblob(length(zlib)) WHERE seq = \(checkpoint.seq)", on: state)
        let from = SimTime(milliseconds: 7 * Self.intervalMilliseconds)
        #expect { try Replay.run(tracePath: state, from: from) } throws: { ($0 as? CheckpointDamage)?.seq == checkpoint.seq }
        #expect { try Replay.run(tracePath: state, jobs: 2) } throws: { ($0 as? CheckpointDamage)?.seq == checkpoint.seq }
        // The checkpoint event altered: the chain breaks at its seq.
        let event = folder.appendingPathComponent("event.gtrace").path
        try? FileManager.default.removeItem(atPath: event)
        try FileManager.default.copyItem(atPath: original, toPath: event)
        try TraceForgery.execute("UPDATE events SET payload = replace(payload, '\"state_bytes\":', '\"state_bytes\":1') WHERE seq = \(checkpoint.seq)",
                                 on: event)
        #expect { try Replay.run(tracePath: event, from: from) } throws: { ($0 as? CheckpointDamage)?.seq == checkpoint.seq }
        // The full sequential replay does not use checkpoints: it refuses the broken chain as before.
        #expect(throws: CoSimError.self) { try Replay.run(tracePath: event) }
        let cli = try CLI.run(["replay", state, "--from", "00:35"])
        #expect(cli.status == 1)
        #expect(cli.stderr.contains("checkpoint at seq \(checkpoint.seq)"))
    }
}
