// Owns the scenario inputs fuzzing found (scripts/fuzz.sh scenario, RELIABILITY.md): each aborted
// the process inside the bundled toml++ and is now refused by TOMLPrecheck with file, line and column.
import Testing
@testable import CoSim

@Suite struct FuzzRegressionTests {
    private func error(_ text: String) -> TOMLInputError? {
        do {
            _ = try Scenario.parse(text, file: "s.toml", baseFolder: nil)
            return nil
        } catch {
            return error
        }
    }

    /// Found after 659,491 executions: `strategies = [}}}}…` (toml++'s assertion `!is_value_terminator`
    /// in parse_value: an array expecting a value met '}'). The full input is Fuzz/seeds/scenario/found-brace-in-array.toml.
    @Test func braceWhereAnArrayExpectsAValueIsAnError() {
        #expect(error("[adversaries]\nstrategies = [}]\n")?.description
            == "s.toml:2: '}' cannot close the '[' opened before it (column 15)")
        #expect(error("[adversaries]\nstrategies = [\"phantom_buyer\", # comment\n }\n")?.description
            == "s.toml:3: '}' cannot close the '[' opened before it (column 2)")
        #expect(error("[market]\nx = { a = [1 }\n")?.description
            == "s.toml:2: '}' cannot close the '[' opened before it (column 14)")
    }

    @Test func matchedArraysAndInlineTablesPassThePrecheck() throws {
        try TOMLPrecheck.check("a = [ { b = [1, 2] }, { c = \"}]\" } ]\nd = { e = [ [ ] ] }\n", file: "s.toml")
    }
}
