// Tests the simulator's behaviour: determinism (same seed, any advance granularity), the CoSim
// transaction API, trace events, longest-chain convergence and the block size limit.
import Kernel
import Testing
@testable import Chain

/// A small network that runs fast in debug builds.
func smallNetwork(nodes: Int = 60, miners: Int = 12, delayMilliseconds: Double = 80) -> ChainConfiguration {
    var configuration = ChainConfiguration()
    configuration.nodeCount = nodes
    configuration.minerCount = miners
    configuration.degree = 6
    configuration.delayMilliseconds = delayMilliseconds
    configuration.jitterMilliseconds = 30
    configuration.blockIntervalSeconds = 10
    configuration.confirmationDepth = 3
    configuration.workloadTransactionsPerSecond = 1
    return configuration
}

@Suite struct SimulatorTests {
    @Test func sameSeedGivesSameEventsWhateverTheAdvanceSteps() throws {
        func run(step: Int64) throws -> ([EventRecord], [TransactionNotice], ChainStatistics) {
            var chain = try ChainSimulator(configuration: smallNetwork(), seed: 42)
            var notices: [TransactionNotice] = []
            for second in stride(from: Int64(0), to: 3600, by: 60) {
                try chain.submit(bytes: 300, from: Int(second / 60) % 60, at: .seconds(second), reference: UInt64(second))
            }
            var time: Int64 = 0
            while time < 3_600_000 {
                time += step
                notices += chain.advance(until: SimTime(milliseconds: time))
            }
            return (chain.log.drain(), notices, chain.statistics)
        }
        let (events, notices, statistics) = try run(step: 300_000)
        let (events2, notices2, statistics2) = try run(step: 7_200)
        #expect(events.count == events2.count)
        #expect(events == events2, "first difference at \(String(describing: events.indices.first { $0 < events2.count && events[$0] != events2[$0] }))")
        #expect(notices == notices2, "notices differ")
        #expect(notices.count == 120)
        #expect(statistics == statistics2)
        #expect(statistics.blocksMined > 300)
        let (otherEvents, _, _) = try {
            var chain = try ChainSimulator(configuration: smallNetwork(), seed: 43)
            _ = chain.advance(until: .hours(1))
            return (chain.log.drain(), 0, 0)
        }()
        #expect(otherEvents != events, "another seed must give another run")
    }

    @Test func submittedTransactionIsIncludedThenConfirmedAtDepthK() throws {
        var chain = try ChainSimulator(configuration: smallNetwork(), seed: 9)
        _ = chain.advance(until: .minutes(5))
        let start = SimTime.minutes(5) + SimTime(milliseconds: 1234)
        let id = try chain.submit(bytes: 400, from: 17, at: start, reference: 777)
        var notices: [TransactionNotice] = []
        var minute: Int64 = 6
        while notices.count < 2, minute < 60 {
            notices += chain.advance(until: .minutes(minute))
            minute += 1
        }
        #expect(notices.map(\.kind) == [.included, .confirmed])
        guard notices.count == 2 else { return }
        let (included, confirmed) = (notices[0], notices[1])
        #expect(included.transaction == id && included.reference == 777)
        #expect(included.time > start && confirmed.time >= included.time)
        #expect(confirmed.block == included.block)
        // Confirmed when node 17's tip is k − 1 = 2 blocks above the including block.
        let tip = Int(chain.nodeTipForTesting(17))
        #expect(Int(chain.blocks.height[tip]) >= confirmed.height + 2)
        #expect(chain.status(of: id) == TransactionStatus(submittedAt: start, includedAt: included.time, confirmedAt: confirmed.time))
        let records = chain.log.drain().filter { [.transactionCreated, .transactionIncluded, .transactionConfirmed].contains($0.kind) }
        #expect(records.map(\.kind) == [.transactionCreated, .transactionIncluded, .transactionConfirmed])
        #expect(records.map(\.time) == [start, included.time, confirmed.time])
        #expect(records.allSatisfy { $0.actor == "node:17" })
    }

    @Test func refusesTransactionsInThePastOrFromUnknownNodes() throws {
        var chain = try ChainSimulator(configuration: smallNetwork(), seed: 1)
        _ = chain.advance(until: .seconds(100))
        #expect(throws: ChainError.self) { try chain.submit(bytes: 100, from: 0, at: .seconds(99)) }
        #expect(throws: ChainError.self) { try chain.submit(bytes: 100, from: 60, at: .seconds(100)) }
        #expect(throws: ChainError.self) { try chain.submit(bytes: 2_000_000, from: 0, at: .seconds(100)) }
    }

    @Test func traceEventsMatchTheStatisticsAndStayInTimeOrder() throws {
        var chain = try ChainSimulator(configuration: smallNetwork(delayMilliseconds: 400), seed: 5)
        chain.stopMining(afterBlocks: 600)
        chain.runToCompletion()
        let records = chain.log.drain()
        let statistics = chain.statistics
        func count(_ kind: EventKind) -> Int { records.filter { $0.kind == kind }.count }
        #expect(count(.blockMined) == 600)
        #expect(count(.blockReceived) == 600)  // one aggregate per block, not one per node
        #expect(count(.fork) == statistics.forks && statistics.forks > 0)
        #expect(count(.reorg) == statistics.reorgEvents && statistics.reorgEvents > 0)
        #expect(count(.blockOrphaned) <= statistics.orphans)
        #expect(count(.blockOrphaned) >= statistics.orphans - 2)  // only the last k heights are unsettled
        #expect(statistics.events == records.count)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(statistics.blockReceptions == 600 * 60)
        // Every fork, orphan and reception names a block whose block_mined came earlier.
        var minedSoFar = Set<Int64>()
        for record in records {
            guard case let .object(payload) = record.payload, case let .int(block)? = payload["block"] else { continue }
            if record.kind == .blockMined { minedSoFar.insert(block) }
            if [.fork, .blockOrphaned, .blockReceived, .reorg].contains(record.kind) { #expect(minedSoFar.contains(block)) }
        }
        // Workload transactions are background load: counted, never logged.
        #expect(count(.transactionCreated) == 0 && statistics.transactionsCreated > 0)
    }

    @Test func nodesConvergeOnTheLongestChainOnceMiningStops() throws {
        var chain = try ChainSimulator(configuration: smallNetwork(delayMilliseconds: 800), seed: 12)
        chain.stopMining(afterBlocks: 400)
        chain.runToCompletion()
        let statistics = chain.statistics
        #expect(statistics.forks > 5)
        for node in 0..<60 {
            #expect(Int(chain.blocks.height[Int(chain.nodeTipForTesting(node))]) == statistics.bestHeight)
        }
        #expect(statistics.orphans == statistics.blocksMined - statistics.bestHeight)
    }

    @Test func blockSizeLimitCapsThroughput() throws {
        var configuration = smallNetwork()
        configuration.workloadTransactionsPerSecond = 20
        configuration.transactionBytes = 500
        configuration.blockSizeLimitBytes = 50_080  // 100 transactions per block
        var chain = try ChainSimulator(configuration: configuration, seed: 3)
        _ = chain.advance(until: .hours(1))
        let blocks = chain.blocks
        #expect((1..<blocks.count).allSatisfy { blocks.bytes[$0] <= 50_080 })
        #expect((1..<blocks.count).contains { blocks.bytes[$0] == 50_080 })
        // Capacity is 100 tx per 10 s block = 10 tx/s, below the offered 20 tx/s.
        let throughput = chain.statistics.throughputTransactionsPerSecond
        #expect(throughput > 8 && throughput <= 10.5)
    }

    @Test func hashSharesSetWhoMines() throws {
        var configuration = smallNetwork()
        configuration.minerCount = 4
        configuration.hashShares = [0.7, 0.1, 0.1, 0.1]
        configuration.workloadTransactionsPerSecond = 0
        var chain = try ChainSimulator(configuration: configuration, seed: 2)
        chain.stopMining(afterBlocks: 2000)
        chain.runToCompletion()
        let byMiner0 = (1..<chain.blocks.count).filter { chain.blocks.miner[$0] == 0 }.count
        // Binomial(2000, 0.7): σ ≈ 20.5 blocks; allow 4σ.
        #expect(abs(byMiner0 - 1400) < 82)
    }

    @Test func perNodeReceptionEventsListEveryAcceptance() throws {
        var configuration = smallNetwork(nodes: 20, miners: 4)
        configuration.receptionEvents = .perNode
        var chain = try ChainSimulator(configuration: configuration, seed: 4)
        chain.stopMining(afterBlocks: 30)
        chain.runToCompletion()
        let receptions = chain.log.drain().filter { $0.kind == .blockReceived }
        // 20 per-node records per block plus the per-block aggregate.
        #expect(receptions.count == 30 * 21)
        #expect(receptions.filter { $0.actor == "node:7" }.count >= 30)
    }
}

extension ChainSimulator {
    func nodeTipForTesting(_ node: Int) -> Int32 { nodeTips[node] }
}
