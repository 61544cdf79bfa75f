// Owns the scenario-test helper every CoSim suite uses to see how a scenario text is refused.
@testable import CoSim

/// The error `Scenario.parse` reports for `text` read as file `s.toml`; nil when the text parses.
func scenarioError(_ text: String, baseFolder: String? = nil) -> TOMLInputError? {
    do {
        _ = try Scenario.parse(text, file: "s.toml", baseFolder: baseFolder)
        return nil
    } catch {
        return error
    }
}
