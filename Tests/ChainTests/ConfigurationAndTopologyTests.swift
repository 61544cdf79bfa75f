// Tests configuration validation errors, the random topology (degree, connectivity, latencies,
// determinism) and the flood's per-hop timing.
import Kernel
import Testing
@testable import Chain

@Suite struct ConfigurationTests {
    private func expectInvalid(_ parameter: String, _ edit: (inout ChainConfiguration) -> Void) {
        var configuration = ChainConfiguration()
        edit(&configuration)
        #expect {
            try configuration.validate()
        } throws: { error in
            guard case let ChainError.invalidConfiguration(name, _, reason) = error else { return false }
            return name == parameter && !reason.isEmpty && "\(error)".contains(parameter)
        }
    }

    @Test func rejectsInvalidParameters() {
        expectInvalid("minerCount") { $0.minerCount = 201 }
        expectInvalid("delayMilliseconds") { $0.delayMilliseconds = -1 }
        expectInvalid("blockIntervalSeconds") { $0.blockIntervalSeconds = 0 }
        expectInvalid("jitterMilliseconds") { $0.jitterMilliseconds = .nan }
        expectInvalid("bandwidthMegabitsPerSecond") { $0.bandwidthMegabitsPerSecond = 0 }
        expectInvalid("hashShares") { $0.hashShares = [1, 2] }
        expectInvalid("confirmationDepth") { $0.confirmationDepth = 0 }
        expectInvalid("degree") { $0.degree = 0 }
        expectInvalid("transactionBytes") { $0.transactionBytes = 2_000_000 }
        expectInvalid("explicitLinks") { $0.explicitLinks = [NetworkLink(0, 0)] }
    }

    /// Values that used to trap on conversion to the millisecond clock or run without end.
    @Test func rejectsValuesOutsideTheSimulatableRange() {
        expectInvalid("bandwidthMegabitsPerSecond") { $0.bandwidthMegabitsPerSecond = 1e-300 }
        expectInvalid("bandwidthMegabitsPerSecond") { $0.bandwidthMegabitsPerSecond = 0.01 }  // ran for hours: every block forked
        expectInvalid("blockIntervalSeconds") { $0.blockIntervalSeconds = 1e308 }
        expectInvalid("jitterMilliseconds") { $0.jitterMilliseconds = 1e300 }
        expectInvalid("delayMilliseconds") { $0.delayMilliseconds = 600_001 }
        expectInvalid("validationMilliseconds") { $0.validationMilliseconds = 1e300 }
        expectInvalid("workloadTransactionsPerSecond") { $0.workloadTransactionsPerSecond = 1e12 }
        expectInvalid("minerCount") { $0.nodeCount = 10_000; $0.minerCount = 10_000 }  // an 800 MB delay table
    }

    @Test func refusesRunsOverTheWorkBudget() throws {
        var configuration = ChainConfiguration.paperDefault
        configuration.workloadTransactionsPerSecond = 5_000
        #expect(throws: ChainError.invalidConfiguration(parameter: "workloadTransactionsPerSecond", value: "5000.0 tx/s for 86400.0 s",
                                                        reason: "exceeds the budget of 1e8 transactions per run; lower the rate or shorten the run")) {
            try configuration.validate(length: .duration(.fromSeconds(86_400)))
        }
        configuration.workloadTransactionsPerSecond = 0
        configuration.nodeCount = 10_000
        #expect(throws: ChainError.self) { try configuration.validate(length: .blocks(200_000)) }
        #expect(throws: ChainError.self) { try ChainRunLength.hours(1e16) }
        #expect(throws: ChainError.self) { try ChainRunLength.hours(.nan) }
        #expect(try ChainRunLength.hours(2) == .duration(.fromSeconds(7200)))
        try ChainConfiguration.paperDefault.validate(length: .duration(.fromSeconds(86_400)))
    }

    @Test func defaultsAndPresetsAreValid() throws {
        try ChainConfiguration().validate()
        try ChainConfiguration.paperDefault.validate()
        try ChainConfiguration.bitcoinLike.validate()
        try ChainConfiguration().idealized().validate()
    }

    @Test func simulatorRefusesInvalidConfigurationAtInit() {
        var configuration = ChainConfiguration()
        configuration.minerCount = 300
        #expect(throws: ChainError.self) { try ChainSimulator(configuration: configuration, seed: 1) }
    }

    @Test func explicitDisconnectedTopologyIsReported() {
        var configuration = ChainConfiguration()
        configuration.nodeCount = 6
        configuration.minerCount = 2
        configuration.explicitLinks = [NetworkLink(0, 1), NetworkLink(1, 2), NetworkLink(3, 4), NetworkLink(4, 5)]
        #expect(throws: ChainError.disconnectedTopology(nodeCount: 6, componentCount: 2, unreachableNode: 3)) {
            try ChainSimulator(configuration: configuration, seed: 1)
        }
    }

    @Test func degreeOneRandomTopologyIsDisconnected() {
        // Stub pairing with one stub per node is a perfect matching: 50 nodes → 25 components.
        var configuration = ChainConfiguration()
        configuration.nodeCount = 50
        configuration.minerCount = 5
        configuration.degree = 1
        #expect {
            try ChainSimulator(configuration: configuration, seed: 7)
        } throws: { error in
            guard case let ChainError.disconnectedTopology(_, components, _) = error else { return false }
            return components == 25 && "\(error)".contains("disconnected")
        }
    }
}

@Suite struct TopologyTests {
    private func build(_ configuration: ChainConfiguration, seed: UInt64) throws -> Topology {
        var random = SeedStreams(rootSeed: seed).stream("topology")
        return try Topology.build(configuration, random: &random)
    }

    @Test func randomTopologyIsConnectedNearRegularAndSeeded() throws {
        var configuration = ChainConfiguration()
        configuration.nodeCount = 500
        let topology = try build(configuration, seed: 3)
        let degrees = topology.degrees
        #expect(topology.components().count == 1)
        #expect(degrees.max() == 8)
        // Dropped self/duplicate links cost only a few stubs: mean degree within 0.2 of 8.
        let mean = Double(degrees.reduce(0, +)) / Double(degrees.count)
        #expect(mean > 7.8 && mean <= 8)
        #expect(degrees.min() ?? 0 >= 5)
        let again = try build(configuration, seed: 3)
        #expect(again.edgeTarget == topology.edgeTarget && again.edgeLatencyMilliseconds == topology.edgeLatencyMilliseconds)
        let other = try build(configuration, seed: 4)
        #expect(other.edgeTarget != topology.edgeTarget)
    }

    @Test func latenciesStayWithinDelayPlusMinusJitterAndAreSymmetric() throws {
        var configuration = ChainConfiguration()
        configuration.delayMilliseconds = 100
        configuration.jitterMilliseconds = 30
        let topology = try build(configuration, seed: 11)
        let latencies = topology.edgeLatencyMilliseconds
        #expect(latencies.min() ?? 0 >= 70 && latencies.max() ?? 0 <= 130)
        let mean = Double(latencies.reduce(0) { $0 + Int($1) }) / Double(latencies.count)
        #expect(abs(mean - 100) < 3)  // 1600 links, σ of the mean ≈ 0.6 ms
        for node in 0..<topology.nodeCount {
            for edge in Int(topology.edgeStart[node])..<Int(topology.edgeStart[node + 1]) {
                let peer = Int(topology.edgeTarget[edge])
                let back = (Int(topology.edgeStart[peer])..<Int(topology.edgeStart[peer + 1])).first { topology.edgeTarget[$0] == Int32(node) }
                #expect(back.map { topology.edgeLatencyMilliseconds[$0] } == topology.edgeLatencyMilliseconds[edge])
            }
        }
    }

    @Test func idealizedNetworkMeshesMinersWithConstantDelay() throws {
        var configuration = ChainConfiguration()
        configuration.delayMilliseconds = 40
        configuration = configuration.idealized()
        let topology = try build(configuration, seed: 5)
        #expect(Set(topology.edgeLatencyMilliseconds) == [40])
        for miner in 0..<configuration.minerCount {
            let peers = Set(topology.edgeTarget[Int(topology.edgeStart[miner])..<Int(topology.edgeStart[miner + 1])].map(Int.init))
            #expect(peers.isSuperset(of: Set(0..<configuration.minerCount).subtracting([miner])))
        }
    }
}

@Suite struct FloodTests {
    /// Line 0 – 1 – 2 – 3 with 10 ms links.
    private func line() throws -> Topology {
        var configuration = ChainConfiguration()
        configuration.nodeCount = 4
        configuration.minerCount = 1
        configuration.delayMilliseconds = 10
        configuration.jitterMilliseconds = 0
        configuration.explicitLinks = [NetworkLink(0, 1), NetworkLink(1, 2), NetworkLink(2, 3)]
        var random = SeedStreams(rootSeed: 1).stream("topology")
        return try Topology.build(configuration, random: &random)
    }

    private func flood(_ topology: Topology, cost: HopCost, prerequisite: [Int64]? = nil, start: Int64 = 1000) -> (accept: [Int64], order: [Int]) {
        var engine = FloodEngine()
        var accept = Array(repeating: Int64(0), count: topology.nodeCount)
        var order = Array(repeating: UInt64(0), count: topology.nodeCount)
        accept.withUnsafeMutableBufferPointer { a in
            order.withUnsafeMutableBufferPointer { o in
                if let prerequisite {
                    prerequisite.withUnsafeBufferPointer { p in
                        engine.flood(topology, origin: 0, startMilliseconds: start, cost: cost, prerequisite: p.baseAddress, accept: a.baseAddress!, order: o.baseAddress!)
                    }
                } else {
                    engine.flood(topology, origin: 0, startMilliseconds: start, cost: cost, prerequisite: nil, accept: a.baseAddress!, order: o.baseAddress!)
                }
            }
        }
        return (accept, order.map(PackedArrival.node))
    }

    @Test func pushHopCostsLatencyTransmissionAndValidation() throws {
        let result = flood(try line(), cost: HopCost(latenciesPerHop: 1, transmissionMilliseconds: 5, validationMilliseconds: 2))
        #expect(result.accept == [1000, 1017, 1034, 1051])
        #expect(result.order == [0, 1, 2, 3])
    }

    @Test func announceRequestPaysThreeLatenciesPerHop() throws {
        let result = flood(try line(), cost: HopCost(latenciesPerHop: 3, transmissionMilliseconds: 5, validationMilliseconds: 2))
        #expect(result.accept == [1000, 1037, 1074, 1111])
    }

    @Test func nodeWaitsForTheParentBlockBeforeValidating() throws {
        // Node 2 got the parent late (1100): the child arrives at 1020 but is accepted at 1100 + 2,
        // and node 3 hears of it only from node 2.
        let prerequisite: [Int64] = [0, 0, 1100, 0]
        let result = flood(try line(), cost: HopCost(latenciesPerHop: 1, transmissionMilliseconds: 0, validationMilliseconds: 2), prerequisite: prerequisite)
        #expect(result.accept == [1000, 1012, 1102, 1114])
    }

    @Test func shortestPathWinsOverFewerHops() throws {
        // Triangle with a slow direct link 0–2 (100 ms) and a fast detour 0–1–2 (10 + 10 ms).
        var configuration = ChainConfiguration()
        configuration.nodeCount = 3
        configuration.minerCount = 1
        configuration.delayMilliseconds = 10
        configuration.jitterMilliseconds = 0
        configuration.explicitLinks = [NetworkLink(0, 1), NetworkLink(1, 2)]
        var random = SeedStreams(rootSeed: 1).stream("topology")
        let fast = try Topology.build(configuration, random: &random)
        // Splice in the slow link by hand.
        let topology = Topology(nodeCount: 3, edgeStart: [0, 2, 4, 6], edgeTarget: [1, 2, 0, 2, 1, 0], edgeLatencyMilliseconds: [10, 100, 10, 10, 10, 100])
        #expect(fast.linkCount == 2)
        let result = flood(topology, cost: HopCost(latenciesPerHop: 1, transmissionMilliseconds: 0, validationMilliseconds: 0), start: 0)
        #expect(result.accept == [0, 10, 20])
    }

    @Test func floodMatchesBellmanFordOnARandomNetwork() throws {
        var configuration = ChainConfiguration()
        configuration.nodeCount = 300
        configuration.delayMilliseconds = 60
        configuration.jitterMilliseconds = 55
        var random = SeedStreams(rootSeed: 21).stream("topology")
        let topology = try Topology.build(configuration, random: &random)
        var prerequisiteRandom = SeedStreams(rootSeed: 22).stream("prerequisite")
        let prerequisite = (0..<300).map { _ in 1000 + Int64(prerequisiteRandom.uniformInt(below: 400)) }
        let cost = HopCost(latenciesPerHop: 3, transmissionMilliseconds: 7, validationMilliseconds: 4)
        let result = flood(topology, cost: cost, prerequisite: prerequisite, start: 1000)
        // Reference: relax every edge until nothing changes.
        var reference = Array(repeating: Int64.max, count: 300)
        reference[0] = 1000
        var changed = true
        while changed {
            changed = false
            for node in 0..<300 where reference[node] != Int64.max {
                for edge in Int(topology.edgeStart[node])..<Int(topology.edgeStart[node + 1]) {
                    let next = Int(topology.edgeTarget[edge])
                    let arrival = reference[node] + 7 + 3 * Int64(topology.edgeLatencyMilliseconds[edge])
                    let ready = max(arrival, prerequisite[next]) + 4
                    if ready < reference[next] { reference[next] = ready; changed = true }
                }
            }
        }
        #expect(result.accept == reference)
        #expect(Set(result.order) == Set(0..<300))
        let times = result.order.map { result.accept[$0] }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
