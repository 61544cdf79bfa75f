// Owns `gridtrace diff A B`: compare two traces (two engine versions' runs of a scenario, or the two
// runs of a pair) and print where they first differ and what differs after it.
import ArgumentParser
import Verify

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two traces: differing headers, the first differing event with context, then kinds and run figures.",
        discussion: """
            Both traces are only read. Exit 0 when the headers and every event are the same, 1 when they \
            differ (or a trace is corrupt: it is compared only as far as it verifies), 2 when a trace \
            cannot be read.
            """)

    @Argument(help: "The first trace (A).") var a: String
    @Argument(help: "The second trace (B).") var b: String
    @Option(help: "Events shown on each side of the first difference (0–\(TraceDiff.maximumContext)).") var context = 3
    @Flag(help: "Machine-readable output.") var json = false

    func validate() throws {
        guard (0...TraceDiff.maximumContext).contains(context) else {
            throw ValidationError("--context must be in 0…\(TraceDiff.maximumContext), got \(context)")
        }
    }

    func run() throws {
        let result = try reportingErrors { try TraceDiff.compare(a, b, context: context) }
        if json { printJSON(TraceDiffReport.json(result)) } else { print(TraceDiffReport.text(result)) }
        if !result.identical { throw ExitCode(1) }
    }
}
