// Owns `gridtrace chain run | sweep | design`: argument parsing and printing around the Chain
// module's experiments. Wall-clock timing lives here (the CLI is outside the determinism lint).
import ArgumentParser
import Chain
import Foundation
import Kernel
import Plot

struct ChainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Proof-of-work network simulation: single runs, delay sweeps, network design.",
        subcommands: [ChainRunCommand.self, ChainSweepCommand.self, ChainDesignCommand.self]
    )
}

/// Network and run-length options shared by the chain commands. Every network option is
/// optional: an absent one keeps the preset's value (defaults shown are the `paper` preset's).
struct ChainNetworkOptions: ParsableArguments {
    @Option(help: "Starting configuration: paper (200 nodes, 40 miners, T = 15 s, 2 tx/s) or bitcoin (T = 600 s, 1 MB blocks, 8 Mbit/s, 100 ± 50 ms).")
    var preset = "paper"
    @Option(help: "Number of nodes (200).") var nodes: Int?
    @Option(help: "Number of miners, equal hash shares (40).") var miners: Int?
    @Option(help: "Target neighbours per node in the random topology (8).") var degree: Int?
    @Option(name: .customLong("delay-ms"), help: "Mean one-way link delay, ms (50); `sweep` takes a comma-separated list.")
    var delay: String?
    @Option(name: .customLong("jitter-ms"), help: "Link delay jitter, uniform ± this, ms (10).") var jitterMilliseconds: Double?
    @Option(name: .customLong("bandwidth-mbps"), help: "Link bandwidth, Mbit/s (10).") var bandwidthMegabitsPerSecond: Double?
    @Option(name: .customLong("validation-ms"), help: "Block validation time per node, ms (10).") var validationMilliseconds: Double?
    @Option(name: .customLong("block-bytes"), help: "Block size limit, bytes (1000000).") var blockBytes: Int?
    @Option(name: .customLong("fixed-block-bytes"), help: "Send every block as this many bytes, SimBlock-style (off).") var fixedBlockBytes: Int?
    @Option(name: .customLong("block-interval-s"), help: "Mean block interval T, s (15).") var blockIntervalSeconds: Double?
    @Option(help: "Confirmation depth k (6).") var confirmations: Int?
    @Option(name: .customLong("tx-per-second"), help: "Synthetic transaction workload, tx/s (2).") var transactionsPerSecond: Double?
    @Option(name: .customLong("tx-bytes"), help: "Workload transaction size, bytes (250).") var transactionBytes: Int?
    @Option(help: "Relay protocol: push or announce-request (announce-request).") var propagation: String?
    @Flag(help: "Analytic-model assumptions: miners fully meshed, constant delay, no transmission or validation time, equal shares.")
    var ideal = false
    @Option(help: "Simulated hours (default 24 unless --blocks is given).") var hours: Double?
    @Option(help: "Mine exactly this many blocks instead of a fixed duration.") var blocks: Int?
    @Option(help: "Root seed.") var seed: UInt64 = 1

    func presetConfiguration() throws -> ChainConfiguration {
        switch preset {
        case "paper": return .paperDefault
        case "bitcoin": return .bitcoinLike
        default: throw ValidationError("--preset must be paper or bitcoin, not \(preset)")
        }
    }

    func chainConfiguration() throws -> ChainConfiguration {
        var c = try presetConfiguration()
        if let propagation {
            guard let relay = PropagationProtocol(rawValue: propagation) else {
                throw ValidationError("--propagation must be push or announce-request, not \(propagation)")
            }
            c.propagation = relay
        }
        c.delayMilliseconds = try delays(default: [c.delayMilliseconds]).first ?? c.delayMilliseconds
        if let nodes { c.nodeCount = nodes }
        if let miners { c.minerCount = miners }
        if let degree { c.degree = degree }
        if let jitterMilliseconds { c.jitterMilliseconds = jitterMilliseconds }
        if let bandwidthMegabitsPerSecond { c.bandwidthMegabitsPerSecond = bandwidthMegabitsPerSecond }
        if let validationMilliseconds { c.validationMilliseconds = validationMilliseconds }
        if let blockBytes { c.blockSizeLimitBytes = blockBytes }
        if let fixedBlockBytes { c.fixedBlockBytes = fixedBlockBytes }
        if let blockIntervalSeconds { c.blockIntervalSeconds = blockIntervalSeconds }
        if let confirmations { c.confirmationDepth = confirmations }
        if let transactionsPerSecond { c.workloadTransactionsPerSecond = transactionsPerSecond }
        if let transactionBytes { c.transactionBytes = transactionBytes }
        return ideal ? c.idealized() : c
    }

    /// The `--delay-ms` values, or `fallback` when it is absent.
    func delays(default fallback: [Double]) throws -> [Double] {
        guard let delay else { return fallback }
        let values = try delay.split(separator: ",").map { item -> Double in
            guard let value = Double(item.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else {
                throw ValidationError("--delay-ms: '\(item)' is not a delay ≥ 0 in ms")
            }
            return value
        }
        guard !values.isEmpty else { throw ValidationError("--delay-ms needs at least one value") }
        return values
    }

    /// The command-line option behind each configuration parameter, for error messages.
    static let optionNames = [
        "nodeCount": "--nodes", "minerCount": "--miners", "degree": "--degree", "delayMilliseconds": "--delay-ms",
        "jitterMilliseconds": "--jitter-ms", "bandwidthMegabitsPerSecond": "--bandwidth-mbps",
        "validationMilliseconds": "--validation-ms", "blockIntervalSeconds": "--block-interval-s",
        "blockSizeLimitBytes": "--block-bytes", "fixedBlockBytes": "--fixed-block-bytes", "confirmationDepth": "--confirmations",
        "workloadTransactionsPerSecond": "--tx-per-second", "transactionBytes": "--tx-bytes", "blocks": "--blocks",
        "duration": "--hours", "length": "--hours/--blocks",
    ]

    /// Runs `body`, prefixing a configuration error with the option that set the parameter.
    static func namingOptions<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let ChainError.invalidConfiguration(parameter, value, reason) {
            let error = ChainError.invalidConfiguration(parameter: parameter, value: value, reason: reason)
            guard let option = optionNames[parameter] else { throw error }
            throw ValidationError("\(option): \(error)")
        }
    }

    func runLength() throws -> ChainRunLength {
        if hours != nil, blocks != nil { throw ValidationError("give --hours or --blocks, not both") }
        if let blocks { return .blocks(blocks) }
        do { return try .hours(hours ?? 24) } catch { throw ValidationError("--hours must be in (0, 87600] (ten years), got \(hours ?? 24)") }
    }
}

struct ChainRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Simulate one network and print its forks, orphans and confirmation times.")

    @OptionGroup var network: ChainNetworkOptions
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(name: .customLong("log-events"), help: "Build every trace event in memory (as under CoSim) instead of only counting them.")
    var logEvents = false

    /// Errors become one line on stderr and exit code 2 (see README).
    func run() throws { try reportingErrors { try execute() } }

    func execute() throws {
        guard try network.delays(default: [0]).count == 1 else { throw ValidationError("chain run takes one --delay-ms value; use chain sweep for a list") }
        let configuration = try network.chainConfiguration()
        let length = try network.runLength()
        let log = EventLog(isEnabled: logEvents)
        let (statistics, wall) = try measureWall {
            try ChainNetworkOptions.namingOptions { try ChainExperiment.run(configuration, seed: network.seed, length: length, log: log) }
        }
        if json {
            printJSON(Self.json(statistics, wallSeconds: wall))
        } else {
            print(Self.text(statistics, wallSeconds: wall))
        }
    }

    static func json(_ s: ChainStatistics, wallSeconds: Double) -> CanonicalJSON {
        var members = statisticsJSON(s)
        members["wall_seconds"] = .double(wallSeconds)
        return .object(members)
    }

    /// A run's figures with units in their names (shared by run, sweep and design).
    static func statisticsJSON(_ s: ChainStatistics) -> [String: CanonicalJSON] {
        [
            "blocks_mined": .int(Int64(s.blocksMined)), "best_height": .int(Int64(s.bestHeight)),
            "orphans": .int(Int64(s.orphans)), "orphan_rate": .double(s.orphanRate),
            "forks": .int(Int64(s.forks)), "fork_rate": .double(s.forkRate),
            "reorgs": .int(Int64(s.nodeReorgs)), "reorg_events": .int(Int64(s.reorgEvents)), "max_reorg_depth": .int(Int64(s.maxReorgDepth)),
            "confirm_mean_s": .double(s.confirmationMeanSeconds), "confirm_p95_s": .double(s.confirmationP95Seconds),
            "transactions_created": .int(Int64(s.transactionsCreated)), "transactions_confirmed": .int(Int64(s.transactionsConfirmed)),
            "throughput_tx_s": .double(s.throughputTransactionsPerSecond),
            "propagation_all_mean_ms": .double(s.propagationToAllMeanMilliseconds),
            "block_receptions": .int(Int64(s.blockReceptions)), "events": .int(Int64(s.events)),
            "simulated_seconds": .double(s.simulatedSeconds),
        ]
    }

    static func text(_ s: ChainStatistics, wallSeconds: Double) -> String {
        let speed = wallSeconds > 0 ? formatFixed(s.simulatedSeconds / wallSeconds, decimals: 0) : "∞"
        return """
            blocks mined        \(s.blocksMined) (best height \(s.bestHeight))
            forks               \(s.forks) (\(formatFixed(s.forkRate * 100, decimals: 3)) % of blocks)
            orphans             \(s.orphans) (orphan rate \(formatFixed(s.orphanRate * 100, decimals: 3)) %)
            reorgs              \(s.nodeReorgs) node switches in \(s.reorgEvents) blocks, max depth \(s.maxReorgDepth)
            confirmation        mean \(formatFixed(s.confirmationMeanSeconds, decimals: 2)) s, p95 \(formatFixed(s.confirmationP95Seconds, decimals: 2)) s (\(s.transactionsConfirmed) tx)
            throughput          \(formatFixed(s.throughputTransactionsPerSecond, decimals: 3)) tx/s in the best chain
            propagation         \(formatFixed(s.propagationToAllMeanMilliseconds, decimals: 1)) ms mean to reach every node
            events              \(s.events) trace events, \(s.blockReceptions) block receptions
            simulated           \(formatFixed(s.simulatedSeconds, decimals: 1)) s in \(formatFixed(wallSeconds, decimals: 3)) s wall (\(speed) simulated s per wall s)
            """
    }
}

struct ChainSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep", abstract: "Sweep the communication delay (--delay-ms 10,50,...; 2000 blocks each unless --blocks/--hours); write CSV and SVG plots (paper Figs. 5–6).")

    @OptionGroup var network: ChainNetworkOptions
    @Option(help: "Output directory.") var out = "out/chain-sweep"
    @Flag(help: "Print one JSON object: one row per delay and the files written.") var json = false

    /// Errors become one line on stderr and exit code 2 (see README).
    func run() throws { try reportingErrors { try execute() } }

    func execute() throws {
        let delayList = try network.delays(default: [10, 50, 100, 200, 400, 800])
        let configuration = try network.chainConfiguration()
        let length: ChainRunLength = network.blocks == nil && network.hours == nil ? .blocks(2000) : try network.runLength()
        let rows = try ChainNetworkOptions.namingOptions { try ChainExperiment.sweep(configuration, delaysMilliseconds: delayList, seed: network.seed, length: length) }
        let csv = ChainExperiment.sweepCSV(rows)
        let charts = ChainExperiment.sweepCharts(rows, title: "\(configuration.nodeCount) nodes, \(configuration.minerCount) miners")
        let files = ["\(out)/chain-sweep.csv", "\(out)/forks-vs-delay.svg", "\(out)/confirmation-vs-delay.svg"]
        try writeFile(files[0], csv)
        try writeFile(files[1], charts.forks)
        try writeFile(files[2], charts.confirmation)
        if json {
            printJSON(["rows": .array(rows.map { row in
                var members = ChainRunCommand.statisticsJSON(row.statistics)
                members["delay_ms"] = .double(row.delayMilliseconds)
                return .object(members)
            }), "files": .array(files.map { .string($0) })])
            return
        }
        for row in rows {
            let s = row.statistics
            print("delay \(HumanFormat.quantity(row.delayMilliseconds, "ms", decimals: 0)): \(s.forks) forks in \(s.blocksMined) blocks "
                  + "(\(HumanFormat.quantity(s.forkRate * 100, "%", decimals: 3))), confirmation mean "
                  + "\(HumanFormat.quantity(s.confirmationMeanSeconds, "s")), p95 \(HumanFormat.quantity(s.confirmationP95Seconds, "s"))")
        }
        print("wrote \(files.joined(separator: ", "))")
    }
}

struct ChainDesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "design", abstract: "Search node count and bandwidth until fork rate and confirmation time meet targets (paper Fig. 7; 1000 blocks per trial unless --blocks/--hours).")

    @OptionGroup var network: ChainNetworkOptions
    @Option(name: .customLong("max-fork-rate"), help: "Largest acceptable forks per block (e.g. 0.02).") var maxForkRate: Double
    @Option(name: .customLong("max-confirm-s"), help: "Largest acceptable mean confirmation time, s.") var maxConfirmSeconds: Double
    @Option(name: .customLong("node-counts"), help: "Candidate node counts, comma-separated.") var nodeCounts = "200,150,100,50,25"
    @Option(name: .customLong("bandwidths-mbps"), help: "Candidate bandwidths, Mbit/s, comma-separated.") var bandwidths = "1,2,5,10,20,50,100"
    @Flag(help: "Print one JSON object: targets, every trial and the chosen design (null when none met the targets).") var json = false

    /// Errors become one line on stderr and exit code 2 (see README).
    func run() throws { try reportingErrors { try execute() } }

    func execute() throws {
        let counts = try parseList(nodeCounts) { Int($0) }
        let speeds = try parseList(bandwidths) { Double($0) }
        let configuration = try network.chainConfiguration()
        let length: ChainRunLength = network.blocks == nil && network.hours == nil ? .blocks(1000) : try network.runLength()
        let targets = ChainDesignTargets(maxForkRate: maxForkRate, maxConfirmationSeconds: maxConfirmSeconds)
        let result = try ChainExperiment.design(configuration, targets: targets, nodeCounts: counts, bandwidthsMegabitsPerSecond: speeds,
                                                seed: network.seed, length: length)
        if json {
            printJSON(["max_fork_rate": .double(maxForkRate), "max_confirm_s": .double(maxConfirmSeconds),
                       "trials": .array(result.trials.map(Self.json)), "chosen": result.chosen.map(Self.json) ?? .null])
            if result.chosen == nil { throw ExitCode(2) }
            return
        }
        print("targets: fork rate ≤ \(maxForkRate), mean confirmation ≤ \(maxConfirmSeconds) s; search: nodes largest first, bandwidth cheapest first")
        for trial in result.trials {
            print("  \(trial.nodeCount) nodes / \(trial.minerCount) miners @ \(formatFixed(trial.bandwidthMegabitsPerSecond, decimals: 2)) Mbit/s: \(trial.verdict)")
        }
        if let chosen = result.chosen {
            print("chosen: \(chosen.nodeCount) nodes, \(chosen.minerCount) miners, \(formatFixed(chosen.bandwidthMegabitsPerSecond, decimals: 2)) Mbit/s links — "
                + "the largest network that meets both targets at the lowest bandwidth tried")
        } else {
            print("no candidate met the targets; relax them or widen --node-counts / --bandwidths-mbps")
            throw ExitCode(2)
        }
    }

    static func json(_ trial: ChainDesignTrial) -> CanonicalJSON {
        var members = ChainRunCommand.statisticsJSON(trial.statistics)
        members["nodes"] = .int(Int64(trial.nodeCount))
        members["miners"] = .int(Int64(trial.minerCount))
        members["bandwidth_mbps"] = .double(trial.bandwidthMegabitsPerSecond)
        members["meets_fork_target"] = .bool(trial.meetsForkTarget)
        members["meets_confirmation_target"] = .bool(trial.meetsConfirmationTarget)
        return .object(members)
    }

    private func parseList<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
        try text.split(separator: ",").map { item in
            guard let value = parse(String(item)) else { throw ValidationError("bad list item '\(item)' in '\(text)'") }
            return value
        }
    }
}

/// Writes `text` to `path`, creating parent directories.
func writeFile(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}
