// Owns `gridtrace market clear`: clears one random interval's order book with the chosen rule,
// distributed over the seeded overlay or centralised, and prints volume, welfare, trades, rounds and
// the wall-clock clearing time (the CLI is the only place allowed to read a clock).
import ArgumentParser
import Kernel
import Market

struct MarketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "P2P market tools.",
        subcommands: [MarketClear.self, MarketDay.self]
    )
}

extension ClearingRule: ExpressibleByArgument {}
extension MarketMechanism: ExpressibleByArgument {}
extension TradingScenario: ExpressibleByArgument {}

struct MarketClear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Clear one random interval's order book and report volume, welfare, trades, rounds and time."
    )

    @Option(help: "Number of participants (one order each).")
    var participants: Int = 55

    @Option(help: "Root seed: determines the book and the overlay.")
    var seed: UInt64 = 1

    @Option(help: "Clearing rule: mcafee, midprice or payasbid.")
    var rule: ClearingRule = .mcafee

    @Flag(help: "Run the distributed auction over the seeded overlay (default: centralised).")
    var distributed = false

    @Option(help: "Clear the same book this many times and report the fastest (benchmarking).")
    var `repeat`: Int = 1

    @Flag(help: "Record every forward and match as an event while clearing (as CoSim does); adds an 'events' key.")
    var events = false

    @Flag(help: "Also print the convergence curve: cumulative trades after each round (paper Fig. 4); adds a 'cumulative_trades' key.")
    var curve = false

    @Flag(help: "Print one JSON object (keys volume_kwh, welfare_tokens (also as welfare), trades, rounds, clear_seconds).")
    var json = false

    func validate() throws {
        guard (2...10_000).contains(participants) else {
            throw ValidationError("--participants must be between 2 and 10000 (got \(participants))")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1 (got \(`repeat`))") }
    }

    func run() throws {
        let book = randomIntervalBook(participants: participants, rootSeed: seed)
        var overlayStream = SeedStreams(rootSeed: seed).stream("market.overlay")
        let overlay = AuctionOverlay(participantCount: participants, rng: &overlayStream)
        let auction = DistributedAuctionConfiguration(rule: rule)
        var trades: [Trade] = []
        var rounds = 1
        var eventCount = 0
        var cumulativeTrades: [Int] = []
        var fastest = Duration.seconds(1_000_000)
        let clock = ContinuousClock()
        for _ in 0..<`repeat` {
            var log = EventLog(isEnabled: events)
            let started = clock.now
            if distributed {
                let result = runDistributedAuction(orders: book, overlay: overlay, configuration: auction, startTime: .zero, log: &log)
                trades = result.trades
                rounds = result.rounds
                cumulativeTrades = result.cumulativeTradesPerRound
            } else {
                trades = clearCentralised(book, rule: rule).trades
                cumulativeTrades = [trades.count]
            }
            fastest = min(fastest, clock.now - started)
            eventCount = log.records.count
        }
        let seconds = Double(fastest.components.seconds) + Double(fastest.components.attoseconds) * 1e-18
        let summary = ClearingSummary(trades: trades)
        let volumeKilowattHours = Double(summary.volumeWattHours) / 1000
        let welfareTokens = Double(summary.welfareMicroTokens) / Double(microTokensPerToken)
        if json {
            var object: [String: CanonicalJSON] = [
                "volume_kwh": .double(volumeKilowattHours), "welfare": .double(welfareTokens), "welfare_tokens": .double(welfareTokens),
                "trades": .int(Int64(summary.tradeCount)), "rounds": .int(Int64(rounds)), "clear_seconds": .double(seconds)]
            if events { object["events"] = .int(Int64(eventCount)) }
            if curve { object["cumulative_trades"] = .array(cumulativeTrades.map { .int(Int64($0)) }) }
            printJSON(.object(object))
        } else {
            print("participants   \(participants) (\(distributed ? "distributed" : "centralised"), \(rule.rawValue), seed \(seed))")
            print("volume         \(HumanFormat.quantity(volumeKilowattHours, "kWh", decimals: 3))")
            print("welfare        \(HumanFormat.quantity(welfareTokens, "token", decimals: 6))")
            print("trades         \(summary.tradeCount)")
            print("rounds         \(rounds)")
            print("clear time     \(HumanFormat.quantity(seconds * 1000, "ms", decimals: 3))")
            if events { print("events         \(eventCount)") }
            if curve { print("trades by round \(cumulativeTrades.map(String.init).joined(separator: " "))") }
        }
    }
}

/// `gridtrace market day`: runs the market alone over one simulated day of synthetic households
/// (self-metered: each home's meter is its planned net power) and reports what it traded and how long it took.
struct MarketDay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "day",
        abstract: "Run the market over one day of synthetic households and report trade, settlement and run time."
    )

    @Option(help: "Number of homes.")
    var homes: Int = 55

    @Option(help: "Root seed.")
    var seed: UInt64 = 1

    @Option(help: "Price mechanism: auction or game.")
    var mechanism: MarketMechanism = .auction

    @Option(help: "Scenario: p2p or no-p2p (as `run --variant`; no_p2p is accepted as an alias).")
    var scenario: TradingScenario = .p2p

    @Option(help: "Clearing rule for the auction: mcafee, midprice or payasbid.")
    var rule: ClearingRule = .mcafee

    @Option(help: "Fraction of adversarial participants, 0…1.")
    var adversaries: Double = 0

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard homes >= 2 else { throw ValidationError("--homes must be at least 2 (got \(homes))") }
        guard adversaries >= 0 && adversaries <= 1 else { throw ValidationError("--adversaries must be in 0…1 (got \(adversaries))") }
    }

    func run() throws {
        var configuration = MarketConfiguration()
        configuration.mechanism = mechanism
        configuration.scenario = scenario
        configuration.auction.rule = rule
        configuration.adversaries = AdversaryConfiguration(fraction: adversaries)
        let clock = ContinuousClock()
        let started = clock.now
        var session = MarketSession(households: SyntheticHouseholds.generate(count: homes, rootSeed: seed),
                                    configuration: configuration, rootSeed: seed, log: EventLog())
        var tradedWattHours: Int64 = 0, deliveredWattHours: Int64 = 0, contracts = 0, orders = 0
        var importWattHours: Int64 = 0, exportWattHours: Int64 = 0
        var digest = MarketEventDigest()
        for interval in 0..<marketIntervalsPerDay {
            let (clearing, settlement) = session.runInterval(interval)
            orders += clearing.acceptedOrders.count
            contracts += clearing.contracts.count
            for contract in clearing.contracts { tradedWattHours += contract.energyWattHours }
            for result in settlement.contracts { deliveredWattHours += result.deliveredWattHours }
            for home in settlement.homes { importWattHours += home.gridImportWattHours; exportWattHours += home.gridExportWattHours }
            for record in session.log.drain() { digest.add(record) }
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let object: CanonicalJSON = [
            "orders": .int(Int64(orders)), "contracts": .int(Int64(contracts)),
            "contracted_kwh": .double(Double(tradedWattHours) / 1000), "delivered_kwh": .double(Double(deliveredWattHours) / 1000),
            "grid_import_kwh": .double(Double(importWattHours) / 1000), "grid_export_kwh": .double(Double(exportWattHours) / 1000),
            "operator_tokens": .double(Double(session.ledger.operatorMicroTokens) / Double(microTokensPerToken)),
            "events": .int(Int64(digest.count)), "events_sha256": .string(digest.hex), "day_seconds": .double(seconds)]
        if json {
            printJSON(object)
            return
        }
        let kilowattHours = { (wattHours: Int64) in HumanFormat.quantity(Double(wattHours) / 1000, "kWh", decimals: 3) }
        print("homes             \(homes) (\(scenario.rawValue), \(mechanism.rawValue), seed \(seed))")
        print("orders            \(orders)")
        print("contracts         \(contracts): \(kilowattHours(tradedWattHours)) contracted, \(kilowattHours(deliveredWattHours)) delivered")
        print("grid              \(kilowattHours(importWattHours)) import, \(kilowattHours(exportWattHours)) export")
        print("operator          \(HumanFormat.quantity(Double(session.ledger.operatorMicroTokens) / Double(microTokensPerToken), "token", decimals: 6))")
        print("events            \(digest.count) (sha256 \(digest.hex))")
        print("day run time      \(HumanFormat.quantity(seconds, "s", decimals: 3))")
    }
}
