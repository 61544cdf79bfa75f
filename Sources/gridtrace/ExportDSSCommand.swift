// Owns `gridtrace export-dss TRACE DIR`: an OpenDSS script reproducing the trace's grid side.
import ArgumentParser
import Kernel
import Verify

struct ExportDSSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-dss",
        abstract: "Write an OpenDSS script (Master.dss) that reproduces a trace's grid side with the recorded per-home powers.",
        discussion: "Then: python3 scripts/opendss_steps.py DIR (dss-python) writes DIR/steps.csv, and gridtrace verify TRACE --golden DIR compares.")

    @Argument(help: "The trace file (sealed).") var trace: String
    @Argument(help: "Output folder.") var directory: String
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        let steps = try reportingErrors { try DSSExport.write(tracePath: trace, directory: directory) }
        if json {
            printJSON(["steps": .int(Int64(steps)), "directory": .string(directory)])
        } else {
            print("wrote \(directory)/Master.dss (\(steps) five-minute steps)")
        }
    }
}
