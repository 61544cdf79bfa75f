// Owns `gridtrace replay TRACE --override key=value --out DIR`: the what-if, which writes the
// counterfactual trace (signed like `run`) and prints its diff against the trace.
import ArgumentParser
import CoSim
import Verify

extension ReplayCommand {
    /// The options a what-if takes and refuses (checked before anything runs).
    func validateWhatIf() throws {
        guard (0...TraceDiff.maximumContext).contains(context) else {
            throw ValidationError("--context must be in 0…\(TraceDiff.maximumContext), got \(context)")
        }
        guard out != nil else { return }
        if until != nil { throw ValidationError("--out re-runs the whole scenario; it does not take --until") }
        if feeder != nil { throw ValidationError("--out does not take --feeder (the counterfactual uses the trace's feeder)") }
        for item in override where ScenarioOverride(argument: item) == nil {
            throw ValidationError("--override takes key=value, got \(item)")
        }
    }

    func runWhatIf(out: String) throws {
        let key = try signing.resolve()
        let overrides = override.compactMap(ScenarioOverride.init(argument:))
        let result = try reportingErrors {
            try WhatIf.run(tracePath: trace, overrides: overrides, outputFolder: out, signingKey: key.key, context: context)
        }
        if json {
            guard case .object(var members) = WhatIfReport.json(result) else { preconditionFailure("a what-if report is a JSON object") }
            members["signer"] = key.json
            printJSON(.object(members))
        } else {
            print(WhatIfReport.text(result))
            print(key.line)
        }
        if !result.identical { throw ExitCode(1) }
    }
}
