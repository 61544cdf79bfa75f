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
        #expect(changedParallel.notes.contains { $0.contains("parts on 2 threads") }, "\(changedParallel.notes)")
    }

    @Test func partsTileTheRunAndShrinkTowardsItsEnd() throws {
        // 29 checkpoints, 1,000 events apart: the demo's shape.
        let checkpoints = (1...29).map { CheckpointLocation(seq: Int64($0) * 1000, interval: $0 * 10) }
        for jobs in [2, 3, 8] {
            let parts = Replay.parts(checkpoints: checkpoints, lastSeq: 30_000, intervals: 300, jobs: jobs)
            #expect(parts.count > jobs && parts.count <= checkpoints.count + 1, "jobs \(jobs): \(parts.count) parts")
            #expect(parts.first?.start == nil && parts.last?.endSeq == nil && parts.last?.endInterval == 300)
            for (part, next) in zip(parts, parts.dropFirst()) {
                #expect(part.endSeq == next.start?.seq && part.endInterval == next.start?.interval)
            }
            // Each part's events, from its start to the next part's: the first is the largest, the last no larger than a quarter of it.
            let starts = parts.map { $0.start?.seq ?? 0 }
            let sizes = zip(starts, starts.dropFirst().map { $0 } + [30_000]).map { $1 - $0 }
            #expect(sizes.first == sizes.max() && (sizes.last ?? 0) * 2 <= (sizes.first ?? 0), "jobs \(jobs): \(sizes)")
        }
        // One job, or no checkpoints: a single part.
        #expect(Replay.parts(checkpoints: checkpoints, lastSeq: 30_000, intervals: 300, jobs: 1).count == 1)
        #expect(Replay.parts(checkpoints: [], lastSeq: 30_000, intervals: 300, jobs: 4)
                == [ReplayPart(start: nil, endInterval: 300, endSeq: nil)])
    }

    @Test func oneJobIsTheSequentialReplayOnOneThread() throws {
        let path = try recordShortRun("jobs1", intervals: 8) { scenario in
            scenario = try! Scenario.parse(Scenario.defaultText + "\n[trace]\ncheckpoint_every_intervals = 3\n", file: "default.toml", baseFolder: nil)
            scenario.intervals = 8
            scenario.variants = [.p2p]
        }
        let sequential = try Replay.run(tracePath: path)
        let before = ThreadHandOffs.onThisThread
        let serial = try Replay.run(tracePath: path, jobs: 1)
        // Nothing (signature checks, chain verification, comparison) left this thread.
        #expect(ThreadHandOffs.onThisThread == before)
        #expect(serial.notes.contains("re-executed on one thread (--jobs 1)"))
        guard case .identical(let a) = sequential.outcome, case .identical(let b) = serial.outcome else {
            Issue.record("--jobs 1: \(ReplayReport.text(serial))")
            return
        }
        let recorded = Int64(try events(path).count)
        #expect(a == b && a == recorded)
        // The same first divergence, also on one thread.
        let changed = try Replay.run(tracePath: path) { try? $0.override("chain.delay_ms", value: "400") }
        let beforeChanged = ThreadHandOffs.onThisThread
        let changedSerial = try Replay.run(tracePath: path, jobs: 1) { try? $0.override("chain.delay_ms", value: "400") }
        #expect(ThreadHandOffs.onThisThread == beforeChanged)
        guard case .diverged(let expected) = changed.outcome, case .diverged(let found) = changedSerial.outcome else {
            Issue.record("no divergence: \(ReplayReport.text(changedSerial))")
            return
        }
        #expect(found == expected)
        // With two jobs the caller hands parts to the pool once; what it runs itself stays serial.
        let beforePool = ThreadHandOffs.onThisThread
        let pooled = try Replay.run(tracePath: path, jobs: 2)
        #expect(ThreadHandOffs.onThisThread == beforePool + 1)
        guard case .identical(let c) = pooled.outcome else { Issue.record("--jobs 2: \(ReplayReport.text(pooled))"); return }
        #expect(c == a)
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
