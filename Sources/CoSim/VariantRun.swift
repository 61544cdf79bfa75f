// Owns the per-interval loop of one scenario of the pair (no P2P or P2P): forecasts and orders →
// signed commitments and reveals as chain transactions → clearing → contracts that must confirm
// before the interval ends (else the trade falls back to the grid) → delivery, through the power
// flow of the interval → meter readings (what each home drew at its solved voltage) → settlement.
// Each interval's events, merged in time order, go to a sink (the trace writer, or the replay
// comparator).
import Chain
import Feeder
import Kernel
import Market
import PowerFlow

/// Where a run's events go, interval by interval.
public protocol EventSink {
    /// Receives one interval's events in trace order; `interval` is 0-based.
    mutating func write(interval: Int, events: [EventRecord]) throws
    /// Receives one interval's events and, when its last event is a `checkpoint`, the state bytes it
    /// names (a trace stores them; a comparison has the event's digest and needs nothing more).
    mutating func write(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?) throws
}

extension EventSink {
    public mutating func write(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?) throws {
        try write(interval: interval, events: events)
    }
}

/// Hands each interval's events to another sink on a background thread, strictly in interval order,
/// so the sink's work (writing a trace, comparing with one) overlaps computing the next interval.
///
/// `inner` belongs to the background thread until `finish()` returns; read it only after that. The
/// inner sink's first error is rethrown by a later `write` or by `finish()`.
public final class BackgroundEventSink<Inner: EventSink>: EventSink {
    public private(set) var inner: Inner
    private var consumer: OrderedBackgroundConsumer<(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?)>?

    public init(_ inner: Inner) {
        self.inner = inner
        consumer = OrderedBackgroundConsumer { [unowned self] item in
            try self.inner.write(interval: item.interval, events: item.events, checkpoint: item.checkpoint)
        }
    }

    public func write(interval: Int, events: [EventRecord]) throws {
        try consumer?.submit((interval, events, nil))
    }

    public func write(interval: Int, events: [EventRecord], checkpoint: CheckpointBytes?) throws {
        try consumer?.submit((interval, events, checkpoint))
    }

    /// Waits until every interval handed over has been written; rethrows the inner sink's first error.
    public func finish() throws {
        try consumer?.finish()
    }

    deinit {
        try? consumer?.finish()  // the consumer refers to self: never leave it running
    }
}

extension Scenario.LimitStandard {
    /// The band this standard names.
    public var voltageLimits: VoltageLimits { self == .ansi ? .ansiRangeA : .en50160 }
}

/// Nominal bytes of the market's transactions on the chain, each including the sending account's
/// transaction signature as on Ethereum (the chain model carries but does not check it; the market
/// checks the commit's own order signature, and a reveal is checked against its commitment).
enum TransactionBytes {
    static let commit = 180
    static let reveal = 260
    static let contract = 320
}

/// Timing inside a five-minute interval (milliseconds after its start).
enum IntervalTiming {
    /// Commits are sent in minute 0–1 (spread over the first 50 s).
    static let commitWindowMilliseconds: Int64 = 50_000
    /// Reveals are sent from minute 1 (spread over 20 s).
    static let revealStartMilliseconds: Int64 = 60_000
    static let revealWindowMilliseconds: Int64 = 20_000
    /// Clearing uses what the chain holds at 2.5 minutes; contracts are sent then.
    static let clearingMilliseconds: Int64 = 150_000
    static let intervalMilliseconds: Int64 = Int64(marketIntervalMinutes) * 60_000
}

/// One interval's physical and market outcome, for the summary and the report.
public struct IntervalOutcome: Sendable {
    public var interval: Int
    public var step: StepRecord
    public var tradedKilowattHours: Double
    public var contracts: Int
    public var contractsFallenBack: Int
    public var auctionRounds: Int
    public var cumulativeTradesPerRound: [Int]
    /// Per-home net power drawn at the solved voltages, kW (+ import): what the meters read.
    public var homeNetKilowatts: [Double]
    /// Per-home voltage at the meter after the interval's solve, pu.
    public var homeVoltagesPerUnit: [Double]
    /// Matched energy after each auction round (kWh, cumulative; one entry per round run).
    public var cumulativeMatchedKilowattHoursPerRound: [Double] = []
    /// Per-home EV charging power placed on the feeder this interval, kW.
    public var homeEVKilowatts: [Double] = []
    /// Per-home consumption placed on the feeder (base load after price response, plus EV), kW.
    public var homeDemandKilowatts: [Double] = []
}

/// The state of one scenario's run.
public struct VariantRun {
    public let scenario: Scenario
    public let variant: Scenario.Variant
    public let feeder: PreparedFeeder
    public internal(set) var market: MarketSession
    public internal(set) var chain: ChainSimulator?
    let solver: PowerFlowSolver
    let area: MeasurementArea
    let limits: [VoltageLimits]
    /// Each home's load, EV charger and PV as the solver's element indices, resolved once.
    let homeElements: [(load: Int, ev: Int?, pv: Int?)]
    var shadowEV: [EVChargingController]
    var timing: Xoshiro256StarStar
    var gridLog = EventLog()
    public private(set) var outcomes: [IntervalOutcome] = []
    /// Each home's phase (1, 2, 3 for A, B, C; 0 when unknown), from the first solve's voltage angles.
    public internal(set) var homePhases: [Int] = []
    /// The first interval `run` executes: 0, or the interval of the checkpoint restored.
    public internal(set) var firstInterval = 0
    /// Whether an interval's signing and checking may use all cores beside this run's thread
    /// (`.allCores`) or stay on it (`.serial`: `replay --jobs`). The events do not depend on it.
    public let parallelism: Parallelism

    public init(scenario: Scenario, variant: Scenario.Variant, feeder: PreparedFeeder, parallelism: Parallelism = .allCores) throws {
        self.scenario = scenario
        self.variant = variant
        self.feeder = feeder
        self.parallelism = parallelism
        market = MarketSession(households: feeder.households, configuration: Self.marketConfiguration(scenario, variant),
                               rootSeed: scenario.subsystemSeed(.market), adversarySeed: scenario.subsystemSeed(.adversaries), log: EventLog())
        if variant == .p2p {
            do {
                chain = try ChainSimulator(configuration: scenario.chain.configuration, seed: scenario.subsystemSeed(.chain), log: EventLog())
            } catch {
                throw CoSimError.chain("\(error)")
            }
        }
        do {
            solver = try PowerFlowSolver(network: try Network(model: feeder.model), settings: SolveSettings(
                tolerance: scenario.gridTolerance, maxIterations: scenario.gridMaxIterations))
            if let name = scenario.sourceTransformer, solver.network.model.transformerIndex(named: name.lowercased()) == nil {
                throw CoSimError.grid("grid.source_transformer: the feeder has no Transformer.\(name)")
            }
            area = try solver.measurementArea(transformerName: scenario.sourceTransformer)
            homeElements = try feeder.homes.map { [solver] home in
                func index(_ name: String) throws -> Int {
                    guard let index = solver.conversionIndex(named: name) else { throw PowerFlowError.unknownElement(name) }
                    return index
                }
                return (try index(home.load), try home.ev.map(index), try home.pv.map(index))
            }
        } catch let error as CoSimError {
            throw error
        } catch {
            throw CoSimError.grid("\(error)")
        }
        // The chosen standard first (its violations become events), the other one measured too.
        limits = [scenario.limits.voltageLimits] + Scenario.LimitStandard.allCases.filter { $0 != scenario.limits }.map(\.voltageLimits)
        shadowEV = feeder.households.map { EVChargingController(sessions: $0.evSessions, chargerKilowatts: $0.evChargerKilowatts) }
        timing = SeedStreams(rootSeed: scenario.subsystemSeed(.market)).stream("cosim.timing")  // when orders go out: market
    }

    static func marketConfiguration(_ scenario: Scenario, _ variant: Scenario.Variant) -> MarketConfiguration {
        var configuration = MarketConfiguration()
        configuration.scenario = variant == .p2p ? .p2p : .noP2P
        configuration.mechanism = scenario.mechanism
        configuration.auction.rule = scenario.clearingRule
        configuration.auction.hopLimit = scenario.hopLimit
        configuration.prices = MarketPrices(
            gridBuyMicroTokensPerWattHour: Int64((scenario.retailPricePerKilowattHour * 1000).rounded()),
            gridSellMicroTokensPerWattHour: Int64((scenario.feedInPricePerKilowattHour * 1000).rounded()))
        configuration.dailyBiddingAllowance = scenario.dailyBidTokens
        configuration.adversaries = AdversaryConfiguration(
            fraction: scenario.adversaryFraction, strategies: scenario.adversaryStrategies,
            overstatementFactor: scenario.adversaryOverstatementFactor,
            phantomDemandKilowattHours: scenario.adversaryPhantomDemandKilowattHours,
            activityProbability: scenario.adversaryActivity)
        return configuration
    }

    /// The chain node a home's transactions start from: homes sit on the non-mining nodes first.
    func node(ofHome home: Int) -> Int {
        guard let chain else { return 0 }
        return (chain.configuration.minerCount + home) % chain.configuration.nodeCount
    }

    /// Runs every interval of the scenario from `firstInterval` (up to, not including, `endInterval`
    /// when given), handing each interval's events to `sink`. Every k-th interval
    /// (`checkpointEveryIntervals`) but the last closes with a `checkpoint` event; its state bytes go
    /// to the sink with it.
    public mutating func run<Sink: EventSink>(into sink: inout Sink, endInterval: Int? = nil,
                                              progress: (Int) -> Void = { _ in }) throws {
        let end = min(endInterval ?? scenario.intervals, scenario.intervals)
        guard firstInterval < end else { return }
        for interval in firstInterval..<end {
            var events = try runInterval(interval)
            var checkpoint: CheckpointBytes?
            if isCheckpointBoundary(interval + 1) {
                let bytes = try checkpointBytes(interval: interval + 1)
                events.append(checkpointEvent(interval: interval + 1, bytes: bytes))
                checkpoint = CheckpointBytes(interval: interval + 1, bytes: bytes)
            }
            try sink.write(interval: interval, events: events, checkpoint: checkpoint)
            progress(interval)
        }
    }

    /// Runs one interval; returns its events in trace order.
    public mutating func runInterval(_ interval: Int) throws -> [EventRecord] {
        let start = SimTime(milliseconds: Int64(interval) * IntervalTiming.intervalMilliseconds)
        let end = start + SimTime(milliseconds: IntervalTiming.intervalMilliseconds)
        _ = market.planInterval(interval)
        let shadow = shadowEV.indices.map { home in
            shadowEV[home].chargingKilowatts(interval: interval, scenario: .noP2P,
                                             signal: ChargingSignal(ownSurplusKilowatts: 0, communitySurplus: false))
        }
        let delivered = try submitOrders(interval, start: start)
        let clearing = market.clear(interval, checkedCommits: delivered.commits, reveals: delivered.reveals)
        let unconfirmed = try confirmContracts(clearing.contracts, start: start, deadline: end)
        let powers = deliveredPowers(interval: interval, plan: clearing.plan, shadowEV: shadow)
        // Delivery happens through the grid: the meters read what each home drew at its solved voltage.
        let step = try solveGrid(interval: interval, powers: powers, time: end)
        let drawn = solvedNetKilowatts()
        if homePhases.isEmpty { homePhases = homeElements.map { solver.terminalPhase(index: $0.load) ?? 0 } }
        let hours = Double(marketIntervalMinutes) / 60
        let settlement = market.settle(interval, meteredNetKilowattHours: drawn.map { $0 * hours },
                                       unconfirmedContractIDs: unconfirmed)
        _ = chain?.advance(until: end)
        outcomes.append(IntervalOutcome(
            interval: interval, step: step,
            tradedKilowattHours: Double(settlement.contracts.filter { !$0.cancelled }.reduce(0) { $0 + $1.deliveredWattHours }) / 1000,
            contracts: clearing.contracts.count, contractsFallenBack: unconfirmed.count, auctionRounds: clearing.rounds,
            cumulativeTradesPerRound: clearing.cumulativeTradesPerRound, homeNetKilowatts: drawn,
            homeVoltagesPerUnit: homeElements.map { solver.terminalVoltagePerUnit(index: $0.load) ?? 0 },
            cumulativeMatchedKilowattHoursPerRound: Self.cumulativeMatchedKilowattHours(clearing),
            homeEVKilowatts: powers.map(\.evKilowatts), homeDemandKilowatts: powers.map { $0.loadKilowatts + $0.evKilowatts }))
        return mergedEvents(interval: interval, start: start, end: end)
    }

    /// The matched energy after each round of the interval's auction, kWh (trades carry their 0-based round).
    static func cumulativeMatchedKilowattHours(_ clearing: ClearingReport) -> [Double] {
        var perRound = [Int64](repeating: 0, count: clearing.rounds)
        for trade in clearing.trades where trade.round >= 0 && trade.round < perRound.count { perRound[trade.round] += trade.energyWattHours }
        var total: Int64 = 0
        return perRound.map { total += $0; return Double(total) / 1000 }
    }

    /// Signs the interval's orders and puts their commits and reveals on the chain; returns those
    /// included by clearing time (all of them when there is no chain, as in the no-P2P scenario where
    /// there are no orders anyway), each commit with its signature checked.
    ///
    /// Signing and checking (Ed25519, most of a P2P interval's work) run on all cores while this
    /// thread runs the chain (`parallelism` `.allCores`; `.serial` signs first on this thread): the
    /// chain needs only who sends each transaction, which the prepared orders already say, and the
    /// checks are pure functions of the commits' bytes, so the events and the trace are those of
    /// signing first, sending, then checking on arrival.
    mutating func submitOrders(_ interval: Int, start: SimTime) throws
        -> (commits: [CheckedCommit], reveals: [RevealTransaction])
    {
        let prepared = market.prepareOrders(interval)
        guard !prepared.orders.isEmpty else { return ([], []) }
        let signer = market.orderSigner, parallelism = self.parallelism
        let signing = BackgroundValue(parallelism: parallelism) {  // determinism: pure, joined by value below
            signer.signAndCheck(prepared, parallelism: parallelism)
        }
        let senders = prepared.orders.map(\.order.participant)
        let onChain: (commits: [Bool], reveals: [Bool])
        do {
            onChain = try sendOrders(senders: senders, start: start)
        } catch {
            _ = signing.value  // never leave the job running past a failed interval
            throw error
        }
        let signed = signing.value
        return (zip(signed.checkedCommits, onChain.commits).filter(\.1).map(\.0),
                zip(signed.submission.reveals, onChain.reveals).filter(\.1).map(\.0))
    }

    /// Puts one commit and then one reveal per sender on the chain (senders in order; the timing
    /// draws in that order); returns which of each were included by clearing time (all without a chain).
    mutating func sendOrders(senders: [Int], start: SimTime) throws -> (commits: [Bool], reveals: [Bool]) {
        guard chain != nil else { return (senders.map { _ in true }, senders.map { _ in true }) }
        let clearingTime = start + SimTime(milliseconds: IntervalTiming.clearingMilliseconds)
        var commitIDs: [TransactionID] = [], revealIDs: [TransactionID] = []
        do {
            for sender in senders {
                let offset = Int64(timing.uniformInt(below: UInt64(IntervalTiming.commitWindowMilliseconds)))
                commitIDs.append(try submitToChain(bytes: TransactionBytes.commit, home: sender, at: start + SimTime(milliseconds: offset)))
            }
            for sender in senders {
                let offset = IntervalTiming.revealStartMilliseconds + Int64(timing.uniformInt(below: UInt64(IntervalTiming.revealWindowMilliseconds)))
                revealIDs.append(try submitToChain(bytes: TransactionBytes.reveal, home: sender, at: start + SimTime(milliseconds: offset)))
            }
        } catch {
            throw CoSimError.chain("\(error)")
        }
        _ = chain?.advance(until: clearingTime)
        func onChain(_ id: TransactionID) -> Bool { chain?.status(of: id).includedAt.map { $0 <= clearingTime } ?? false }
        return (commitIDs.map(onChain), revealIDs.map(onChain))
    }

    private mutating func submitToChain(bytes: Int, home: Int, at time: SimTime) throws -> TransactionID {
        let node = node(ofHome: home)
        // Optional chaining mutates the simulator in place (a local copy would copy its storage).
        guard let id = try chain?.submit(bytes: bytes, from: node, at: time, reference: UInt64(home)) else {
            throw CoSimError.chain("no chain in this scenario")
        }
        return id
    }

    /// Sends each contract from its buyer at clearing time; returns the ids of those not confirmed
    /// (k blocks deep at the buyer) by `deadline`.
    mutating func confirmContracts(_ contracts: [Contract], start: SimTime, deadline: SimTime) throws -> [Int] {
        guard chain != nil, !contracts.isEmpty else { return [] }
        let sent = start + SimTime(milliseconds: IntervalTiming.clearingMilliseconds)
        var ids: [TransactionID] = []
        do {
            for contract in contracts { ids.append(try submitToChain(bytes: TransactionBytes.contract, home: contract.buyer, at: sent)) }
        } catch {
            throw CoSimError.chain("\(error)")
        }
        _ = chain?.advance(until: deadline)
        return zip(contracts, ids).filter { _, id in
            guard let confirmed = chain?.status(of: id).confirmedAt else { return true }
            return confirmed > deadline
        }.map(\.0.id)
    }

    /// What each home really draws: the feeder's baseline plus what the market changed (EV timing
    /// relative to charging on arrival, and sellers' price response). No-P2P is the baseline itself.
    func deliveredPowers(interval: Int, plan: IntervalPlan, shadowEV: [Double]) -> [HomePower] {
        let baseline = feeder.baseline[interval]
        guard variant == .p2p else { return baseline }
        return baseline.indices.map { home in
            var power = baseline[home]
            let planned = plan.homes[home]
            let loadKilowatts = max(0, power.loadKilowatts + planned.consumptionAdjustmentKilowatts)
            power.loadKilovars = power.loadKilowatts > 0 ? power.loadKilovars * loadKilowatts / power.loadKilowatts : 0
            power.loadKilowatts = loadKilowatts
            let evKilowatts = max(0, power.evKilowatts + planned.evKilowatts - shadowEV[home])
            power.evKilovars = power.evKilowatts > 0 ? power.evKilovars * evKilowatts / power.evKilowatts : 0
            power.evKilowatts = evKilowatts
            return power
        }
    }

    /// Solves the interval's power flow (OpenDSS time stamping: interval k is step k + 1, solved at
    /// its end with the shapes' sample k + 1), with the homes' delivered powers in place.
    mutating func solveGrid(interval: Int, powers: [HomePower], time: SimTime) throws -> StepRecord {
        let step = interval + 1
        let hour = Double(step * marketIntervalMinutes) / 60
        do {
            try solver.applyShapes(mode: feeder.mode, hour: hour)
            // The controls' clock (time-type CapControls, queued delays) at the step's end.
            solver.solutionClock = SolutionClock(hours: hour)
            if variant == .p2p {
                for (home, elements) in homeElements.enumerated() {
                    let power = powers[home]
                    try solver.setLoad(index: elements.load, kilowatts: power.loadKilowatts, kilovars: power.loadKilovars)
                    if let ev = elements.ev { try solver.setLoad(index: ev, kilowatts: power.evKilowatts, kilovars: power.evKilovars) }
                }
            }
            recordInjections(step: step, powers: powers, time: time)
            let (outcome, measurement) = try solver.solveStep(step: step, time: time, area: area, limits: limits, log: &gridLog)
            recordViolations(step: step, time: time)
            return StepRecord(step: step, hour: hour, outcome: outcome, measurement: measurement)
        } catch {
            throw CoSimError.grid("interval \(interval): \(error)")
        }
    }

    /// Each home's net power (kW, + import) drawn in the last solve: load and EV charger minus PV,
    /// at the solved voltages. Equals the delivered schedule wherever the elements hold constant
    /// power; voltage-dependent models (outside vminpu…vmaxpu, ZIP) make it differ.
    func solvedNetKilowatts() -> [Double] {
        homeElements.map { home in
            var kilowatts = solver.solvedPower(index: home.load).kilowatts
            if let ev = home.ev { kilowatts += solver.solvedPower(index: ev).kilowatts }
            if let pv = home.pv { kilowatts += solver.solvedPower(index: pv).kilowatts }
            return kilowatts
        }
    }

    /// One event with every home's powers as placed on the feeder (kW, kvar; PV as output).
    mutating func recordInjections(step: Int, powers: [HomePower], time: SimTime) {
        gridLog.emit(time, actor: "grid", GridInjectionsEvent(
            step: step, loadKilowatts: powers.map(\.loadKilowatts), loadKilovars: powers.map(\.loadKilovars),
            evKilowatts: powers.map(\.evKilowatts), evKilovars: powers.map(\.evKilovars), pvKilowatts: powers.map(\.pvKilowatts)))
    }

    /// One event per LV node outside the scenario's voltage standard after the step's solve.
    mutating func recordViolations(step: Int, time: SimTime) {
        guard gridLog.isEnabled, let limit = limits.first else { return }
        for violation in solver.limitViolations(area: area, limit: limit) {
            gridLog.emit(time, actor: "node:" + violation.node, LimitViolationEvent(
                step: step, lowPerUnit: limit.lowPerUnit, highPerUnit: limit.highPerUnit,
                scope: .node(voltagePerUnit: violation.perUnit, standard: limit.name)))
        }
    }

    /// The interval's events from every engine, in (time, engine, emission) order, framed by
    /// interval start and end markers.
    mutating func mergedEvents(interval: Int, start: SimTime, end: SimTime) -> [EventRecord] {
        var sources: [[EventRecord]] = [market.log.drain()]
        if let records = chain?.log.drain() { sources.append(records) }
        sources.append(gridLog.drain())
        var merged: [EventRecord] = []
        merged.reserveCapacity(sources.reduce(2) { $0 + $1.count })
        merged.append(EventRecord(time: start, actor: "cosim", IntervalStartedEvent(interval: interval, variant: variant.rawValue)))
        Self.merge(sources, into: &merged)
        merged.append(EventRecord(time: end, actor: "cosim", IntervalEndedEvent(interval: interval, variant: variant.rawValue)))
        return merged
    }

    /// Appends the records of `sources` in (time, source, index) order: a k-way merge when every
    /// source is already in time order (each engine emits in time order), else a stable sort of all.
    static func merge(_ sources: [[EventRecord]], into merged: inout [EventRecord]) {
        let timeOrdered = sources.allSatisfy { records in
            zip(records, records.dropFirst()).allSatisfy { $0.time.milliseconds <= $1.time.milliseconds }
        }
        guard timeOrdered else {
            var keyed: [(time: Int64, source: Int, index: Int, record: EventRecord)] = []
            for (source, records) in sources.enumerated() {
                for (index, record) in records.enumerated() { keyed.append((record.time.milliseconds, source, index, record)) }
            }
            keyed.sort { ($0.time, $0.source, $0.index) < ($1.time, $1.source, $1.index) }
            merged += keyed.map(\.record)
            return
        }
        var next = [Int](repeating: 0, count: sources.count)
        while true {
            // The earliest head; ties go to the lower source, and within a source order is kept.
            var best = -1, bestTime = Int64.max
            for source in sources.indices where next[source] < sources[source].count {
                let time = sources[source][next[source]].time.milliseconds
                if time < bestTime { best = source; bestTime = time }
            }
            guard best >= 0 else { return }
            merged.append(sources[best][next[best]])
            next[best] += 1
        }
    }
}
