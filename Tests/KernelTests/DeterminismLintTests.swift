// The determinism lint: scans the engine sources (every module but the CLI) for wall clocks, UUIDs,
// system randomness, concurrency, relaxed math and hash-ordered iteration, which would make two runs
// of the same seed differ. A line may opt out only with a `// determinism:` comment saying why.
import Foundation
import Testing

struct LintFinding: CustomStringConvertible, Equatable {
    var file: String
    var line: Int
    var rule: String
    var text: String
    var description: String { "\(file):\(line): \(rule): \(text.trimmingCharacters(in: .whitespaces))" }
}

enum DeterminismLint {
    /// (rule name, substring) pairs that are forbidden anywhere in engine code.
    static let forbidden: [(String, String)] = [
        ("wall clock", "Date()"), ("wall clock", "Date.now"), ("wall clock", "ContinuousClock"),
        ("wall clock", "SuspendingClock"), ("wall clock", "DispatchTime.now"), ("wall clock", "clock_gettime"),
        ("wall clock", "gettimeofday"), ("wall clock", "systemUptime"), ("wall clock", "CFAbsoluteTimeGetCurrent"),
        ("UUID", "UUID()"), ("system randomness", "SystemRandomNumberGenerator"),
        ("system randomness", ".random("), ("system randomness", "arc4random"),
        ("system randomness", ".shuffled()"), ("system randomness", ".randomElement()"),
        ("system randomness", "Int.random"), ("system randomness", "Double.random"),
        ("relaxed math", "Relaxed"), ("thread scheduling", "DispatchQueue"), ("thread scheduling", "Task {"),
        ("thread scheduling", "Task.detached"), ("thread scheduling", "Thread("),
        ("hash-order iteration", ".keys"), ("hash-order iteration", ".values"),
    ]

    /// Lints one file's text; `name` is used in findings.
    static func lint(_ text: String, name: String) -> [LintFinding] {
        var findings: [LintFinding] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            if line.contains("// determinism:") { continue }
            let code = stripComment(line)
            for (rule, needle) in forbidden where code.contains(needle) {
                findings.append(LintFinding(file: name, line: index + 1, rule: rule, text: line))
            }
            if isTupleIterationOverUnknown(code) {
                findings.append(LintFinding(file: name, line: index + 1, rule: "hash-order iteration", text: line))
            }
        }
        return findings
    }

    /// `for (a, b) in x` is how a Dictionary is iterated; allow it only over known ordered sequences.
    static func isTupleIterationOverUnknown(_ code: String) -> Bool {
        guard let forRange = code.range(of: #"for\s*\("#, options: .regularExpression),
              let inRange = code.range(of: " in ", range: forRange.upperBound..<code.endIndex) else { return false }
        let sequence = code[inRange.upperBound...]
        let ordered = ["enumerated()", "zip(", ".sorted", "indices", "stride(", "elements", ".pairs"]
        return !ordered.contains { sequence.contains($0) }
    }

    /// Drops a trailing `//` comment and the contents of string literals (roughly).
    static func stripComment(_ line: String) -> String {
        var out = ""
        var inString = false
        var previous: Character = " "
        for character in line {
            if character == "\"" && previous != "\\" { inString.toggle(); out.append(character); previous = character; continue }
            if !inString && character == "/" && previous == "/" { out.removeLast(); break }
            if !inString { out.append(character) }
            previous = character
        }
        return out
    }

    static func engineSourceFiles() throws -> [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift", !url.path.contains("/Sources/gridtrace/") else { continue }
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }
}

@Suite struct DeterminismLintTests {
    @Test func engineSourcesAreDeterministic() throws {
        let files = try DeterminismLint.engineSourceFiles()
        #expect(files.count >= 8, "the lint found too few engine sources; is the path right?")
        var findings: [LintFinding] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            findings += DeterminismLint.lint(text, name: file.lastPathComponent)
        }
        #expect(findings.isEmpty, "nondeterminism in engine code:\n\(findings.map(\.description).joined(separator: "\n"))")
    }

    @Test func lintCatchesEachPattern() {
        let planted = """
            let now = Date()
            let id = UUID()
            var g = SystemRandomNumberGenerator()
            let x = Int.random(in: 0..<3)
            for (name, value) in table { }
            for k in table.keys { }
            DispatchQueue.global().async { }
            let ok = 1 // Date() in a comment is fine
            for (i, v) in items.enumerated() { }
            for k in table.keys.sorted() { } // determinism: sorted
            """
        let findings = DeterminismLint.lint(planted, name: "planted.swift")
        #expect(Set(findings.map(\.line)) == [1, 2, 3, 4, 5, 6, 7])
    }
}
