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
        subcommands: [MarketClear.self]
    )
}

extension ClearingRule: ExpressibleByArgument {}

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

    @Flag(help: "Print one JSON object (keys volume_kwh, welfare, trades, rounds, clear_seconds).")
    var json = false

    func validate() throws {
        guard participants >= 2 else { throw ValidationError("--participants must be at least 2 (got \(participants))") }
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
        var fastest = Duration.seconds(1_000_000)
        let clock = ContinuousClock()
        for _ in 0..<`repeat` {
            var log = EventLog(isEnabled: events)
            let started = clock.now
            if distributed {
                let result = runDistributedAuction(orders: book, overlay: overlay, configuration: auction, startTime: .zero, log: &log)
                trades = result.trades
                rounds = result.rounds
            } else {
                trades = clearCentralised(book, rule: rule).trades
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
                "volume_kwh": .double(volumeKilowattHours), "welfare": .double(welfareTokens),
                "trades": .int(Int64(summary.tradeCount)), "rounds": .int(Int64(rounds)), "clear_seconds": .double(seconds)]
            if events { object["events"] = .int(Int64(eventCount)) }
            print(CanonicalJSON.object(object).text)
        } else {
            print("participants   \(participants) (\(distributed ? "distributed" : "centralised"), \(rule.rawValue), seed \(seed))")
            print("volume         \(volumeKilowattHours) kWh")
            print("welfare        \(welfareTokens) tokens")
            print("trades         \(summary.tradeCount)")
            print("rounds         \(rounds)")
            print("clear time     \(seconds * 1000) ms")
            if events { print("events         \(eventCount)") }
        }
    }
}
