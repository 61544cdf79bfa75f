// Owns the scenario inputs fuzzing found (scripts/fuzz.sh scenario, RELIABILITY.md): each aborted
// the process inside the bundled toml++ and is now refused by TOMLPrecheck with file, line and column;
// and the trace target's memory growth: every parsed scenario stayed allocated (a reference cycle
// between a document and its sections, and TOMLKit freeing nothing it parses), so a process that
// reads many traces ran out of memory.
import Testing
@testable import CoSim

@Suite struct FuzzRegressionTests {
    private func error(_ text: String) -> TOMLInputError? { scenarioError(text) }

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

    /// The trace target passed 2 GiB after 129,900 traces: each scenario read from a header stayed.
    @Test func aParsedDocumentIsFreedWithItsSections() throws {
        weak var freed: TOMLDocument?
        weak var tree: TOMLTree?
        do {
            let document = try TOMLDocument(text: "[run]\nseed = 7\n[market]\nx = [1, 2]\n", file: "s.toml")
            let run = try document.section("run"), market = try document.section("market")
            #expect(try run.int("seed", default: 0, in: 0...10) == 7)
            #expect(try market.ints("x", default: [], count: 2, in: 0...9) == [1, 2])
            try document.rejectUnknown(sections: ["run", "market"])
            freed = document
            tree = try TOMLTree(text: "a = 1\n")
        }
        #expect(freed == nil)
        #expect(tree == nil)
    }

    @Test func treeReadsValuesKeysAndSyntaxErrors() throws {
        let root = try TOMLTree(text: "b = \"text\"\na = [1.5, 2]\n[t]\nc = true\n").root
        #expect(root.keys == ["a", "b", "t"])
        #expect(root["b"]?.string == "text")
        #expect(root["a"]?.elements?.map(\.type) == [.double, .int])
        #expect(root["a"]?.elements?.first?.double == 1.5)
        #expect(root["t"]?.isTable == true)
        #expect(root["t"]?["c"]?.type == .bool)
        #expect(root["t"]?["c"]?.int == nil)
        #expect(root["missing"] == nil)
        #expect(error("[run]\nseed = = 1\n")?.description.hasPrefix("s.toml:2: ") == true)
    }

    /// A scenario is text of at most 1 MiB, wherever it comes from (a file, or a trace's header).
    @Test func scenarioTextOverOneMebibyteIsRefusedBeforeParsing() {
        let text = "# " + String(repeating: "x", count: 1 << 20) + "\n"
        #expect(error(text)?.description == "s.toml:0: the TOML text is 1048579 bytes; scenarios are limited to 1 MiB")
    }

    @Test func matchedArraysAndInlineTablesPassThePrecheck() throws {
        try TOMLPrecheck.check("a = [ { b = [1, 2] }, { c = \"}]\" } ]\nd = { e = [ [ ] ] }\n", file: "s.toml")
    }
}
