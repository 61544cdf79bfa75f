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
    ]

    /// Names declared in the file with a Dictionary or Set type (`var x: [K: V]`, `= [:]`, `Set<…>`).
    static func hashedNames(in text: String) -> [String] {
        let patterns = [
            #"(?:let|var)\s+(\w+)\s*:\s*(?:\[[^\[\]():]*:[^\[\]()]*\]|Set<|Dictionary<)"#,
            #"(?:let|var)\s+(\w+)\s*=\s*(?:\[[^\[\]():]*:[^\[\]()]*\]\(|Set<|Dictionary<|Set\(|\[:\])"#,
        ]
        var names: [String] = []
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.append(String(text[range])) }
            }
        }
        return names
    }

    /// Operations whose result depends on a Dictionary's or Set's (per-process) hash order.
    static let orderedOperations = [".keys", ".values", ".forEach", ".map", ".compactMap", ".flatMap", ".filter",
                                    ".reduce", ".first", ".enumerated", ".lazy", ".joined", ".description"]

    static func iteratesHashed(_ code: String, names: [String]) -> Bool {
        for name in names where code.contains(name) {
            let escaped = NSRegularExpression.escapedPattern(for: name)
            if code.range(of: #"\bfor\b.*\bin\s+(self\.)?"# + escaped + #"\s*\{"#, options: .regularExpression) != nil { return true }
            for operation in orderedOperations
            where code.range(of: #"\b"# + escaped + NSRegularExpression.escapedPattern(for: operation) + #"\b"#,
                             options: .regularExpression) != nil {
                return true
            }
        }
        return false
    }

    /// Lints one file's text; `name` is used in findings.
    /// `hashed` adds Dictionary/Set names declared in other files (properties used across files);
    /// for those only unmistakably dictionary-shaped iteration counts (`.keys`, `.values`, `for (k, v) in`),
    /// since the same name may be an array elsewhere.
    static func lint(_ text: String, name: String, hashed extra: [String] = []) -> [LintFinding] {
        var findings: [LintFinding] = []
        let local = Array(Set(hashedNames(in: text))).sorted()
        let crossFile = Array(Set(extra).subtracting(local)).sorted().filter { text.contains($0) }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            if line.contains("// determinism:") { continue }
            let code = stripComment(line)
            for (rule, needle) in forbidden where code.contains(needle) {
                findings.append(LintFinding(file: name, line: index + 1, rule: rule, text: line))
            }
            if iteratesHashed(code, names: local) || iteratesDictionaryShaped(code, names: crossFile) {
                findings.append(LintFinding(file: name, line: index + 1, rule: "hash-order iteration", text: line))
            }
        }
        return findings
    }

    static func iteratesDictionaryShaped(_ code: String, names: [String]) -> Bool {
        for name in names where code.contains(name) {
            let escaped = NSRegularExpression.escapedPattern(for: name)
            if code.range(of: #"\b"# + escaped + #"\.(keys|values)\b"#, options: .regularExpression) != nil { return true }
            if code.range(of: #"\bfor\s*\([^)]*,[^)]*\)\s*in\s+(\w+\.)*"# + escaped + #"\s*\{"#, options: .regularExpression) != nil {
                return true
            }
        }
        return false
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
        let texts = try files.map { try String(contentsOf: $0, encoding: .utf8) }
        let hashedEverywhere = texts.flatMap(DeterminismLint.hashedNames(in:))
        var findings: [LintFinding] = []
        for (file, text) in zip(files, texts) {
            findings += DeterminismLint.lint(text, name: file.lastPathComponent, hashed: hashedEverywhere)
        }
        #expect(findings.isEmpty, "nondeterminism in engine code:\n\(findings.map(\.description).joined(separator: "\n"))")
    }

    @Test func lintCatchesEachPattern() {
        let planted = """
            let now = Date()
            let id = UUID()
            var g = SystemRandomNumberGenerator()
            let x = Int.random(in: 0..<3)
            var table: [String: Int] = [:]
            for (name, value) in table { }
            for k in table.keys { }
            DispatchQueue.global().async { }
            let seen = Set<Int>()
            let doubled = seen.map { $0 * 2 }
            let ok = 1 // Date() in a comment is fine
            for (i, v) in items.enumerated() { }
            for k in table.keys.sorted() { } // determinism: sorted
            let n = matrix.values.count
            """
        let findings = DeterminismLint.lint(planted, name: "planted.swift")
        #expect(Set(findings.map(\.line)) == [1, 2, 3, 4, 6, 7, 8, 10])
    }
}
