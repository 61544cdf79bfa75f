// Owns the command-line entry point: the root command and the list of subcommands. Each command
// lives in its own file, parses arguments, calls a library function and prints. Nothing else.
import ArgumentParser
import CoSim

@main
struct GridTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridtrace",
        abstract: "Deterministic co-simulation of a blockchain P2P electricity market and an LV grid: record, replay, verify.",
        version: EngineInfo.version,
        subcommands: [
            // One line per command file; keep alphabetical.
            AuditCommand.self,
            BenchCommand.self,
            ChainCommand.self,
            DemoCommand.self,
            DiffCommand.self,
            ExportDSSCommand.self,
            FeederCommand.self,
            GoldenCommand.self,
            MarketCommand.self,
            ReplayCommand.self,
            RunCommand.self,
            SelftestRunCommand.self,
            SolveCommand.self,
            SweepCommand.self,
            TraceCommand.self,
            VerifyCommand.self,
        ]
    )
}

/// The engine version written into every trace header.
enum EngineInfo {
    static let version = EngineVersion.current
}
