// Owns `gridtrace verify TRACE`: integrity and seal, convergence, voltage limits, money and energy
// conservation, and optionally the grid side against OpenDSS results.
import ArgumentParser
import Foundation
import Kernel
import Verify

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a co-simulation trace: chain and seal, convergence, voltage limits, money and energy conservation.",
        discussion: "Exit 0 when every check passes, 1 when one fails, 2 when the file is not a readable trace.")

    @Argument(help: "The trace file.") var trace: String
    @Option(help: "A folder with OpenDSS's steps.csv for the same injections (see export-dss).") var golden: String?
    @Option(help: "Voltage band: en50160 (0.90–1.10 pu) or ansi (C84.1 Range A, 0.95–1.05 pu).") var limits: String = "en50160"
    @Flag(help: "Machine-readable output.") var json = false
    @Option(name: .customLong("trusted-key"), help: "Also check that the trace is signed by a key in this file (a public key or keyring: lines of `HEX [NAME]`).")
    var trustedKey: String?

    func validate() throws {
        guard LimitStandard(rawValue: limits) != nil else { throw ValidationError("--limits takes en50160 or ansi") }
    }

    func run() throws {
        let trusted = try loadTrustedKeys(trustedKey)
        let report = try reportingErrors {
            try TraceVerifier.verify(path: trace, limits: LimitStandard(rawValue: limits) ?? .en50160, goldenDirectory: golden,
                                     trustedKeys: trusted)
        }
        printChecks(report.checks, json: json)
        if !json {
            print(report.passed ? "verified: every check passed" : "NOT verified: \(report.checks.filter { !$0.passed }.count) check(s) failed")
        }
        if !report.passed { throw ExitCode(1) }
    }
}
