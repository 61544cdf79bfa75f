// Owns `gridtrace feeder synth`: writes the seeded synthetic LV feeder as an OpenDSS script.
import ArgumentParser
import CoSim
import Feeder
import Foundation
import Kernel

struct FeederCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeder", abstract: "Feeder tools.", subcommands: [Synth.self])

    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synth", abstract: "Write the synthetic 55-home LV feeder for a seed as an OpenDSS script.")

        @Option(help: "Root seed.") var seed: UInt64 = 1
        @Option(help: "Output .dss file (stdout when omitted).") var out: String?
        @Flag(help: "Include the seed's household day as daily load, EV and PV shapes (the co-simulation's no-P2P day).")
        var profiles = false
        @Flag(help: "Machine-readable summary instead of the script.") var json = false

        func run() throws {
            let feeder = SyntheticFeeder(seed: seed)
            let script = profiles ? try reportingErrors { try PreparedFeeder.syntheticScript(seed: seed) } : feeder.openDSSScript()
            if let out {
                let sink = try OutputSink(path: out)
                try reportingErrors { try sink.write(script); try sink.finish() }
            } else if !json {
                print(script, terminator: "")
            }
            if json {
                printJSON(["seed": seedJSON(seed), "homes": .int(Int64(feeder.homes.count)),
                           "nodes": .int(Int64(feeder.nodeCount)), "lines": .int(Int64(feeder.lines.count + feeder.homes.count)),
                           "pv_kw_total": .double(feeder.homes.reduce(0) { $0 + $1.pvKilowatts })])
            }
        }
    }
}
