// verify on copies of the trading reference trace edited and then re-hashed and re-sealed with the
// Trace module's own writer: the chain and seal check passes, so only the payload check can catch
// the edit, and it must name the edited seq (issue #15).
import Foundation
import Kernel
import Market
import PowerFlow
import Testing
import TestSupport
import Trace
@testable import Verify

@Suite struct ForgedPayloadTests {
    static let reference = SharedData.packageRoot.appendingPathComponent("traces/trading/p2p.gtrace").path

    /// Every event of the reference trace.
    static let events: [TraceEvent] = {
        var events: [TraceEvent] = []
        try? TraceReader(path: reference).forEachEvent { events.append($0); return true }
        return events
    }()

    /// Writes the reference trace again with `edit` applied to the event at `seq`; the writer
    /// computes every hash and the seal, exactly as a forger with this tool would.
    private func forge(_ name: String, at seq: Int64, _ edit: (inout TraceEvent) -> Void) throws -> String {
        let reader = try TraceReader(path: Self.reference)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-forged-\(getpid())-\(name).gtrace").path
        try? FileManager.default.removeItem(atPath: path)
        let writer = try TraceWriter(creatingAt: path, header: reader.header, files: try reader.storedFiles().get())
        for var event in Self.events {
            if event.seq == seq { edit(&event) }
            try writer.append(timeMilliseconds: event.timeMilliseconds, kind: event.kind, actor: event.actor, payload: event.payload)
        }
        try writer.seal()
        return path
    }

    private func firstSeq(_ kind: EventKind) throws -> Int64 {
        try #require(Self.events.first { $0.kind == kind.rawValue }).seq
    }

    /// The forged trace is sealed with an intact chain, and the payload check fails at `seq`.
    private func expectCaught(_ path: String, at seq: Int64, _ reason: String) throws {
        let report = try TraceVerifier.verify(path: path)
        #expect(report.checks[0].passed, "the forgery should pass the chain check: \(report.checks[0].summary)")
        let payloads = try #require(report.checks.first { $0.name == "payloads" })
        #expect(!payloads.passed && !report.passed)
        #expect(payloads.summary.hasPrefix("corrupt at seq \(seq): "), "\(payloads.summary)")
        #expect(payloads.summary.contains(reason), "\(payloads.summary)")
    }

    @Test func theReferenceTracesPassThePayloadCheck() throws {
        for name in ["trading/p2p.gtrace", "default-12/p2p.gtrace", "default-12/no-p2p.gtrace", "format-1/default-1-p2p.gtrace"] {
            let report = try TraceVerifier.verify(path: SharedData.packageRoot.appendingPathComponent("traces/" + name).path)
            let payloads = try #require(report.checks.first { $0.name == "payloads" })
            #expect(payloads.passed, "\(name): \(payloads.summary)")
        }
        let trading = try TraceVerifier.verify(path: Self.reference).checks.first { $0.name == "payloads" }
        #expect(trading?.summary.contains("13 participants, 6 chain nodes") == true, "\(trading?.summary ?? "")")
        // A format-1 trace of an OpenDSS feeder stored no files: its participants cannot be counted
        // here, which is said, and everything else is checked.
        let legacy = SharedData.packageRoot.appendingPathComponent("traces/format-1/mini-1-p2p.gtrace").path
        let report = try TraceVerifier.verify(path: legacy)
        let payloads = try #require(report.checks.first { $0.name == "payloads" })
        #expect(report.passed && payloads.summary.contains("participant ids not checked (the feeder cannot be read)"), "\(payloads.summary)")
    }

    @Test func aPayloadThatIsNotJSONFailsAtItsSeq() throws {
        let seq = try firstSeq(.orderRevealed)
        let path = try forge("notjson", at: seq) { $0.payload = "{\"participant\": 1," }
        try expectCaught(path, at: seq, #"field "payload" is not JSON"#)
    }

    @Test func aMeterReadingOfMinusTwoToTheSixtyThirdFailsAtItsSeq() throws {
        let seq = try firstSeq(.meterReading)
        let path = try forge("minint", at: seq) { $0.payload = #"{"interval":0,"net_wh":-9223372036854775808}"# }
        try expectCaught(path, at: seq, #"meter_reading field "net_wh" is −2^63"#)
    }

    @Test func aMeterReadingBeyondWhatAHomeCanDrawFailsAtItsSeq() throws {
        let seq = try firstSeq(.meterReading)
        let path = try forge("hugemeter", at: seq) { $0.payload = #"{"interval":0,"net_wh":5000000}"# }
        try expectCaught(path, at: seq, "is 5000000 Wh, beyond what a home can move in an interval")
    }

    @Test func aParticipantThatDoesNotExistFailsAtItsSeq() throws {
        let seq = try firstSeq(.orderCommitted)
        let original = try #require(Self.events.first { $0.seq == seq })
        var committed = try original.payload(as: OrderCommittedEvent.self)
        committed.participant = 2_147_483_647
        let forged = try forge("participant2", at: seq) { $0.payload = committed.canonical.text }
        try expectCaught(forged, at: seq, #"order_committed field "participant" is participant 2147483647; the run has 13"#)
    }

    @Test func aHomeActorThatDoesNotExistFailsAtItsSeq() throws {
        let seq = try firstSeq(.meterReading)
        let path = try forge("actor", at: seq) { $0.actor = "home:2147483647" }
        try expectCaught(path, at: seq, #"field "actor" is participant 2147483647"#)
    }

    @Test func aTimeGoingBackwardsFailsAtItsSeq() throws {
        let index = try #require(Self.events.indices.first { $0 > 0 && Self.events[$0].timeMilliseconds > Self.events[$0 - 1].timeMilliseconds + 1 && Self.events[$0 - 1].timeMilliseconds > 0 })
        let seq = Self.events[index].seq, previous = Self.events[index - 1].timeMilliseconds
        let path = try forge("backwards", at: seq) { $0.timeMilliseconds = previous - 1 }
        try expectCaught(path, at: seq, "is \(previous - 1), before the previous event's \(previous) (times go backwards)")
    }

    @Test func aTimeAfterTheRunFailsAtItsSeq() throws {
        let last = try #require(Self.events.last)
        let path = try forge("late", at: last.seq) { $0.timeMilliseconds = 132 * 300_000 + 1 }
        try expectCaught(path, at: last.seq, "outside the run (0…39600000 ms)")
    }

    @Test func aNonFiniteNumberFailsAtItsSeq() throws {
        let seq = try firstSeq(.powerFlowStep)
        let original = try #require(Self.events.first { $0.seq == seq })
        var step = try original.payload(as: PowerFlowStepEvent.self)
        step.lossesKilowatts = .nan
        let forged = try forge("nan2", at: seq) { $0.payload = step.canonical.text }
        try expectCaught(forged, at: seq, #"field "p_losses_kw" is not a finite number"#)
    }

    /// A header whose parameters claim a run of 10^12 intervals (re-hashed, so the chain holds) is
    /// refused by replay before it sizes anything, and verify says the header describes no run.
    @Test func aForgedIntervalCountIsRefused() throws {
        let reader = try TraceReader(path: Self.reference)
        var header = reader.header
        header.parameters = header.parameters.replacingOccurrences(of: #""intervals":132"#, with: #""intervals":1000000000000"#)
        #expect(header.parameters.contains("1000000000000"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gridtrace-forged-\(getpid())-intervals.gtrace").path
        try? FileManager.default.removeItem(atPath: path)
        let writer = try TraceWriter(creatingAt: path, header: header, files: try reader.storedFiles().get())
        for event in Self.events.prefix(10) {
            try writer.append(timeMilliseconds: event.timeMilliseconds, kind: event.kind, actor: event.actor, payload: event.payload)
        }
        try writer.seal()
        #expect(throws: (any Error).self) { try Replay.run(tracePath: path) }
        do { _ = try Replay.run(tracePath: path) } catch {
            #expect("\(error)".contains("the trace header records 1000000000000 intervals; a run has 1…288"), "\(error)")
        }
        let payloads = try #require(try TraceVerifier.verify(path: path).checks.first { $0.name == "payloads" })
        #expect(!payloads.passed && payloads.summary.contains("record 1000000000000 intervals"), "\(payloads.summary)")
    }

    /// The command line: exit 1 and the seq on stdout.
    @Test func verifyExitsOneNamingTheSeq() throws {
        let seq = try firstSeq(.meterReading)
        let path = try forge("cli", at: seq) { $0.payload = #"{"interval":0,"net_wh":-9223372036854775808}"# }
        let result = try CLI.run(["verify", path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("FAIL  payloads: corrupt at seq \(seq): meter_reading field \"net_wh\" is −2^63"), "\(result.stdout)")
        #expect(result.stdout.contains("PASS  hash chain and seal: sealed"), "\(result.stdout)")
    }
}
