// Owns setting keys in a scenario's TOML text: a run's scenario is the base file with each swept
// key's line replaced (or added under its table), so comments and everything else stay as written
// and `diff base.toml runs/0003/run.toml` shows exactly what the sweep changed. Every edit is read
// back with the TOML parser; an edit that does not land where it should is an error, never a guess.
import CoSim
import Foundation
import TOMLKit

enum ScenarioText {
    /// `text` with `key` (dotted, e.g. `chain.delay_ms` or `run.seeds.grid`) set to `value`.
    static func setting(_ key: String, to value: ParameterValue, in text: String) throws(ScenarioTextError) -> String {
        let parts = key.split(separator: ".").map(String.init)
        guard parts.count >= 2, parts.allSatisfy(isBareKey) else {
            throw ScenarioTextError(key: key, message: "not a scenario key (section.key, letters, digits, _ and -)")
        }
        let table = parts.dropLast().joined(separator: "."), name = parts[parts.count - 1]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let assignment = "\(name) = \(value.tomlText)"
        if let (first, last) = valueLines(of: key, in: lines) {
            let prefix = lines[first][..<(lines[first].firstIndex(of: "=") ?? lines[first].endIndex)]
            lines.replaceSubrange(first...last, with: [prefix.trimmingCharacters(in: .whitespaces) + " = " + value.tomlText])
        } else if let header = lines.firstIndex(where: { headerName($0) == table }) {
            lines.insert(assignment, at: header + 1)
        } else {
            if lines.last == "" { lines.removeLast() }
            lines += ["", "[\(table)]", assignment, ""]
        }
        let edited = lines.joined(separator: "\n")
        guard readBack(edited, parts: parts) == value else {
            throw ScenarioTextError(key: key, message: "the base scenario writes this key in a form the sweep cannot set "
                                    + "(write it as `\(name) = …` under [\(table)])")
        }
        return edited
    }

    private static func isBareKey(_ part: String) -> Bool {
        !part.isEmpty && part.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
    }

    /// The first and last line of `key`'s assignment (a multi-line array runs to its closing bracket).
    private static func valueLines(of key: String, in lines: [String]) -> (Int, Int)? {
        var current = ""
        for (index, line) in lines.enumerated() {
            if let name = headerName(line) { current = name; continue }
            guard let name = keyName(line), (current.isEmpty ? name : current + "." + name) == key else { continue }
            var depth = bracketDepth(line.split(separator: "=", maxSplits: 1).last.map(String.init) ?? "")
            var last = index
            while depth > 0, last + 1 < lines.count {
                last += 1
                depth += bracketDepth(lines[last])
            }
            return (index, last)
        }
        return nil
    }

    /// Opening minus closing brackets outside strings and comments.
    private static func bracketDepth(_ text: String) -> Int {
        var depth = 0, quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "#": return depth
            case "[", "{": depth += 1
            case "]", "}": depth -= 1
            default: break
            }
        }
        return depth
    }

    static func headerName(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), !trimmed.hasPrefix("[["), let close = trimmed.firstIndex(of: "]") else { return nil }
        return trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
    }

    private static func keyName(_ line: String) -> String? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let name = line[..<equals].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.hasPrefix("#"), !name.hasPrefix("[") else { return nil }
        return name.split(separator: ".").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")) }.joined(separator: ".")
    }

    /// The value at `parts` in `text` as the TOML parser reads it (nil when absent or unparsable).
    private static func readBack(_ text: String, parts: [String]) -> ParameterValue? {
        guard var table = TOMLNode.parse(text) else { return nil }
        for part in parts.dropLast() {
            guard let next = table[part]?.table else { return nil }
            table = next
        }
        guard let raw = table[parts[parts.count - 1]] else { return nil }
        return parameterValue(raw)
    }

    /// A TOML scalar as a parameter value (nil for arrays, tables, dates).
    static func parameterValue(_ raw: TOMLNode) -> ParameterValue? {
        if let value = raw.int { return .int(value) }
        if let value = raw.double { return .double(value) }
        if let value = raw.string { return .string(value) }
        if let value = raw.bool { return .bool(value) }
        if let array = raw.array {
            var strings: [String] = []
            for element in array {
                guard let text = element.string else { return nil }
                strings.append(text)
            }
            return .strings(strings)
        }
        return nil
    }
}

/// A key the sweep could not set in the base scenario's text.
struct ScenarioTextError: Error {
    var key: String
    var message: String
}
