// Owns `gridtrace bench`: wall-clock benchmarks (release builds), kept out of the engine so the
// engine never reads a clock. Figures go into BENCHMARKS.md.
import ArgumentParser
import Foundation
import Kernel
import Market
import Trace

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run in release mode: swift build -c release).",
        subcommands: [TraceBench.self, SignatureBench.self]
    )

    struct TraceBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace", abstract: "Trace append and chain-verify throughput (events per second).")

        @Option(help: "Events to append and verify.") var events: Int = 1_000_000
        @Option(name: .customLong("per-commit"), help: "Events per commit.") var perCommit: Int = 3_500
        @Option(help: "Repetitions; the best time is reported.") var repeats: Int = 3
        @Option(help: "Scratch directory for the trace file.") var dir: String = NSTemporaryDirectory()
        @Flag(help: "Machine-readable output.") var json = false

        func validate() throws {
            guard perCommit >= 1 else { throw ValidationError("--per-commit must be at least 1 (got \(perCommit))") }
            guard (1...100_000_000).contains(events) else { throw ValidationError("--events must be between 1 and 100000000 (got \(events))") }
        }

        func run() throws {
            let path = (dir as NSString).appendingPathComponent("gridtrace-bench-\(getpid()).gtrace")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let records = sampleRecords(count: events)
            var bestAppend = Double.infinity, bestVerify = Double.infinity
            for _ in 0..<max(1, repeats) {
                bestAppend = min(bestAppend, try reportingErrors { try timeAppend(records, path: path) })
                let (seconds, status) = try reportingErrors { try timeVerify(path: path) }
                guard status.isSealed else { throw failure("benchmark trace did not verify: \(status)") }
                bestVerify = min(bestVerify, seconds)
            }
            let appendRate = Double(events) / bestAppend, verifyRate = Double(events) / bestVerify
            let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if json {
                printJSON(["events": .int(Int64(events)), "append_seconds": .double(bestAppend),
                           "append_events_per_second": .double(appendRate.rounded()),
                           "verify_seconds": .double(bestVerify),
                           "verify_events_per_second": .double(verifyRate.rounded()),
                           "file_bytes": .int(Int64(fileBytes))])
            } else {
                print("events:  \(events) (\(fileBytes / 1_048_576) MiB trace, \(perCommit) events per commit)")
                print("append:  \(String(format: "%.3f", bestAppend)) s  \(Int(appendRate)) events/s")
                print("verify:  \(String(format: "%.3f", bestVerify)) s  \(Int(verifyRate)) events/s")
            }
        }

        /// Payloads are built before timing so the figure is the store's cost, not the payload builder's.
        private func sampleRecords(count: Int) -> [(Int64, String, String, String)] {
            var random = SeedStreams(rootSeed: 7).stream("bench")
            let kinds = EventKind.allCases
            return (0..<count).map { index in
                let payload: CanonicalJSON = ["bus": .int(Int64(random.uniformInt(below: 900))),
                                              "v_pu": .double(random.uniformDouble(in: 0.9..<1.1))]
                return (Int64(index) * 100, kinds[index % kinds.count].rawValue, "home:\(index % 55)", payload.text)
            }
        }

        private func timeAppend(_ records: [(Int64, String, String, String)], path: String) throws -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            let writer = try TraceWriter(creatingAt: path, header: TraceHeader(
                engineVersion: EngineInfo.version, seed: 7, scenarioText: "bench"))
            for (index, record) in records.enumerated() {
                try writer.append(timeMilliseconds: record.0, kind: record.1, actor: record.2, payload: record.3)
                if (index + 1) % perCommit == 0 { try writer.commit() }
            }
            try writer.seal()
            return seconds(clock.now - start)
        }

        private func timeVerify(path: String) throws -> (Double, TraceStatus) {
            let clock = ContinuousClock()
            let start = clock.now
            let status = try TraceReader(path: path).verify().status
            return (seconds(clock.now - start), status)
        }
    }

    /// The cost of the market's Ed25519 work: what bounds the demo and the replay from below.
    struct SignatureBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signatures",
            abstract: "Ed25519 sign and verify cost of commit transactions (swift-crypto), one core and all cores.")

        @Option(help: "Signatures to make and verify.") var count: Int = 10_000
        @Option(help: "Repetitions; the best time is reported.") var repeats: Int = 3
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            guard count > 0 else { throw failure("--count must be positive") }
            let participants = 55
            let keys = (0..<participants).map { ParticipantKey(participant: $0, rootSeed: 7) }
            var accounts = AccountRegistry()
            for key in keys { accounts.register(participant: key.participant, publicKey: key.publicKeyBytes) }
            let registry = accounts
            let orders = (0..<count).map { index in
                (Order(participant: index % participants, interval: index / participants, side: index % 2 == 0 ? .buy : .sell,
                       energyWattHours: Int64(100 + index % 900), limitPriceMicroTokensPerWattHour: 90),
                 (0..<32).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
            }
            var commits: [CommitTransaction] = []
            var best = (sign: Double.infinity, verify: Double.infinity, verifyAllCores: Double.infinity)
            let clock = ContinuousClock()
            for _ in 0..<max(1, repeats) {
                var start = clock.now
                commits = orders.map { makeCommitAndReveal(order: $0.0, nonce: $0.1, key: keys[$0.0.participant]).0 }
                best.sign = min(best.sign, seconds(clock.now - start))
                start = clock.now
                let valid = commits.map { registry.verifySignature(of: $0) }
                best.verify = min(best.verify, seconds(clock.now - start))
                start = clock.now
                let validParallel = deterministicParallelMap(commits, parallelism: .allCores) { registry.verifySignature(of: $0) }
                best.verifyAllCores = min(best.verifyAllCores, seconds(clock.now - start))
                guard valid.allSatisfy({ $0 }), validParallel == valid else { throw failure("a benchmark signature did not verify") }
            }
            let perOperation = (sign: best.sign / Double(count) * 1e6, verify: best.verify / Double(count) * 1e6,
                                verifyAllCores: best.verifyAllCores / Double(count) * 1e6)
            if json {
                printJSON(["count": .int(Int64(count)), "sign_microseconds": .double(perOperation.sign),
                           "verify_microseconds": .double(perOperation.verify),
                           "verify_all_cores_microseconds": .double(perOperation.verifyAllCores)])
            } else {
                print("signatures:           \(count) commit transactions, \(participants) keys")
                print("sign (one core):      \(String(format: "%.1f", perOperation.sign)) µs each")
                print("verify (one core):    \(String(format: "%.1f", perOperation.verify)) µs each")
                print("verify (all cores):   \(String(format: "%.1f", perOperation.verifyAllCores)) µs each (wall)")
            }
        }
    }
}

