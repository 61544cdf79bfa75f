// Owns what-if overrides as a whole: `key=value` arguments, applied to a scenario with the scenario
// file's checks (`override(_:value:)`), and written into the scenario's text, so that a trace
// recorded with the changed scenario describes the run it holds: its header's scenario text
// re-derives the changed run, and a replay of that trace reproduces it.
import Foundation

/// One `--override key=value`: a scenario-file key (`grid.tolerance`) and the value to give it.
public struct ScenarioOverride: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value`; nil without `=` or with an empty key or value.
    public init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(key: parts[0], value: parts[1])
    }

    /// `key=value`, as typed.
    public var text: String { key + "=" + value }
}

extension Scenario {
    /// The scenario with `overrides` applied in order, each checked like the scenario file's value
    /// (an unknown key or a value outside the file's range is a `TOMLInputError` naming the key),
    /// and `sourceText` rewritten to match: each changed key's line is replaced, or added under its
    /// table, with a comment naming the override. A value the scenario already has leaves the text
    /// untouched. The rewritten text is parsed again and must give the same scenario, so a trace
    /// header holding it re-derives exactly the changed run.
    public func overriding(_ overrides: [ScenarioOverride]) throws(TOMLInputError) -> Scenario {
        var changed = self
        for item in overrides {
            var next = changed
            try next.override(item.key, value: item.value)
            guard next != changed else { continue }  // the same value: nothing to write
            next.sourceText = try Self.writing(item, valueText: next.overrideValueText(item.key), into: changed.sourceText)
            changed = next
        }
        guard changed != self else { return self }
        var reparsed = try Scenario.parse(changed.sourceText, file: "--override", baseFolder: nil)
        // What the text does not decide: the header's seed and intervals, the feeder's source, the name.
        reparsed.name = changed.name
        reparsed.seed = changed.seed
        reparsed.intervals = changed.intervals
        reparsed.variants = changed.variants
        reparsed.feeder = changed.feeder
        guard reparsed == changed else {
            throw TOMLInputError(file: "--override", line: 0, key: overrides.last?.key,
                                 message: "the recorded scenario text is laid out so that the change cannot be written into it")
        }
        return changed
    }

    /// The TOML text of an overridable key's present value (integers as integers), e.g. `1e-08`.
    public func overrideValueText(_ key: String) -> String {
        switch key {
        case "grid.tolerance": return gridTolerance.description
        case "grid.max_iterations": return String(gridMaxIterations)
        case "market.hop_limit": return String(hopLimit)
        case "chain.delay_ms": return chain.delayMilliseconds.description
        case "chain.block_interval_s": return chain.blockIntervalSeconds.description
        case "chain.confirmations": return String(chain.confirmations)
        case "prices.retail_per_kwh": return retailPricePerKilowattHour.description
        default: return adversaryFraction.description  // "adversaries.fraction"
        }
    }

    /// `text` with `table.leaf = valueText` written in: over the line that sets it, else under the
    /// `[table]` header, else in a new `[table]` at the end.
    static func writing(_ item: ScenarioOverride, valueText: String, into text: String) throws(TOMLInputError) -> String {
        let parts = item.key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            throw TOMLInputError(file: "--override", line: 0, key: item.key, message: "not a table.key name")
        }
        let (table, leaf) = (parts[0], parts[1])
        let document = try TOMLDocument(text: text, file: "--override")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let note = "  # what-if: --override \(item.text)"
        if let at = document.writtenLine(ofKey: leaf, inTable: table) {
            let old = lines[at - 1]
            // Keep the key as the file spells it (`tolerance` in [grid], or a dotted `grid.tolerance`).
            let keyPart = old[..<(old.firstIndex(of: "=") ?? old.endIndex)].trimmingCharacters(in: .whitespaces)
            lines[at - 1] = "\(keyPart) = \(valueText)\(note); was: \(old.trimmingCharacters(in: .whitespaces))"
        } else if let header = document.headerLine(ofTable: table) {
            lines.insert("\(leaf) = \(valueText)\(note)", at: header)
        } else {
            if lines.last?.isEmpty == true { lines.removeLast() }
            lines += ["", "[\(table)]", "\(leaf) = \(valueText)\(note)", ""]
        }
        return lines.joined(separator: "\n")
    }
}
