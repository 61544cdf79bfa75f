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
    @Option(help: "Compile this OpenDSS feeder instead of the one the trace stores (the output says whether it differs).")
    var feeder: String?
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        let result = try reportingErrors { try DSSExport.write(tracePath: trace, directory: directory, feeder: feeder) }
        if json {
            var object: [String: CanonicalJSON] = ["steps": .int(Int64(result.steps)), "directory": .string(directory)]
            if let note = result.feederNote { object["feeder_note"] = .string(note) }
            printJSON(.object(object))
        } else {
            if let note = result.feederNote { print("note: " + note) }
            print("wrote \(directory)/Master.dss (\(result.steps) five-minute steps)")
        }
    }
}
