// The hash chain verified in stretches (as the parts of `replay --jobs N` do, each on its own
// thread) joins into exactly the verdict of `verify()`: on an intact trace and on each kind of
// damage, whichever stretch it falls in, and wherever the stretches are cut.
import Foundation
import Kernel
import Testing
@testable import Trace

@Suite struct ChainStretchTests {
    /// The trace verified in stretches cut after each of `cuts`, each stretch by its own reader.
    private func verifyInStretches(_ path: String, cuts: [Int64]) throws -> TraceVerification {
        let bounds: [Int64?] = cuts.map { $0 } + [nil]
        var after: Int64 = 0
        var stretches: [ChainStretch] = []
        for bound in bounds {
            stretches.append(try TraceReader(path: path).verifyStretch(after: after, through: bound))
            after = bound ?? after
        }
        return try TraceReader(path: path).verify(stretches: stretches, parallelism: .serial)
    }

    private func expectSameVerdict(_ path: String, cuts: [Int64], _ comment: String) throws {
        let whole = try TraceReader(path: path).verify()
        let joined = try verifyInStretches(path, cuts: cuts)
        #expect(joined.status == whole.status, "\(comment), cuts \(cuts)")
        #expect(joined.verifiedEvents == whole.verifiedEvents, "\(comment), cuts \(cuts)")
        #expect(joined.finalHash == whole.finalHash, "\(comment), cuts \(cuts)")
        #expect(joined.counts.map(\.kind) == whole.counts.map(\.kind) && joined.counts.map(\.count) == whole.counts.map(\.count),
                "\(comment), cuts \(cuts)")
    }

    private static let cutSets: [[Int64]] = [[], [1], [1999, 2000], [1000, 2500, 4000], [4999]]

    @Test func intactTraceJoinsToSealed() throws {
        let path = try makeTrace()
        for cuts in Self.cutSets { try expectSameVerdict(path, cuts: cuts, "intact") }
        #expect(try verifyInStretches(path, cuts: [2500]).status == .sealed)
        #expect(try verifyInStretches(path, cuts: [2500]).verifiedEvents == 5000)
    }

    @Test(arguments: [
        ("flipped payload", "UPDATE events SET payload = replace(payload, '\"tag\":\"', '\"tag\":\"Z') WHERE seq = 2000"),
        ("deleted row", "DELETE FROM events WHERE seq = 2000"),
        ("deleted first row", "DELETE FROM events WHERE seq = 1"),
        ("deleted last row", "DELETE FROM events WHERE seq = 5000"),
        ("altered seal", "UPDATE seal SET events = 4999"),
        ("row at seq 0", "INSERT INTO events (seq, time_ms, kind, actor, payload, hash) SELECT 0, time_ms, kind, actor, payload, hash FROM events WHERE seq = 1"),
    ])
    func damageIsReportedWhereVerifyReportsIt(name: String, sql: String) throws {
        let path = try makeTrace(name: "stretch-" + name)
        try tamper(path, sql)
        for cuts in Self.cutSets { try expectSameVerdict(path, cuts: cuts, name) }
    }

    @Test func aCrashedRunsPrefixJoinsToIncomplete() throws {
        let path = try makeTrace()
        try tamper(path, "DELETE FROM seal; DELETE FROM events WHERE seq > 3000")
        // A cut beyond the stored events (a checkpoint the crashed run never reached) is passed over.
        for cuts in Self.cutSets + [[3500], [2000, 4000]] { try expectSameVerdict(path, cuts: cuts, "prefix") }
        #expect(try verifyInStretches(path, cuts: [2000, 4000]).status == .incomplete(atSeq: 3001))
    }
}
