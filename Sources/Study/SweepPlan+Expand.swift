// Owns a plan's parameters (value lists, single values and `{from, to, step}` ranges over any
// scenario key) and their expansion into runs: each value is first checked alone by the scenario
// parser, then every run's complete scenario, so a bad value is reported at the plan line that
// gave it, before anything runs.
import CoSim
import Foundation
import TOMLKit

extension SweepPlan {
    static func parseParameters(_ section: TOMLSection, document: TOMLDocument) throws(TOMLInputError) -> [SweepParameter] {
        var parameters: [SweepParameter] = []
        for entry in section.entriesInFileOrder() {
            try collect(key: entry.key, raw: entry.value, section: section, document: document, into: &parameters)
        }
        parameters.sort { $0.line < $1.line }
        return parameters
    }

    /// Adds the parameter at `key` (nested tables are dotted keys: `chain.delay_ms = …` under [parameters]).
    private static func collect(key: String, raw: TOMLNode, section: TOMLSection, document: TOMLDocument,
                                into parameters: inout [SweepParameter]) throws(TOMLInputError) {
        let line = document.line(ofKey: key, inTable: section.path)
        func fail(_ message: String) -> TOMLInputError {
            TOMLInputError(file: document.file, line: line, key: section.qualified(key), message: message)
        }
        if let table = raw.table, table["from"] == nil {
            for name in table.keys.sorted() {  // order fixed by line below
                guard let value = table[name] else { continue }
                try collect(key: key + "." + name, raw: value, section: section, document: document, into: &parameters)
            }
            return
        }
        guard !parameters.contains(where: { $0.key == key }) else { throw fail("swept twice") }
        let values: [ParameterValue]
        if let table = raw.table {
            values = try rangeValues(table, fail: fail)
        } else if let array = raw.array {
            var list: [ParameterValue] = []
            for element in array {
                guard let value = ScenarioText.parameterValue(element) else { throw fail("expected numbers, strings or booleans") }
                if case .double(let number) = value, !number.isFinite { throw fail("\(number) is not a finite number") }
                list.append(value)
            }
            guard !list.isEmpty else { throw fail("list at least one value") }
            values = list
        } else if let value = ScenarioText.parameterValue(raw) {
            if case .double(let number) = value, !number.isFinite { throw fail("\(number) is not a finite number") }
            values = [value]
        } else {
            throw fail("expected a value, a list of values or {from, to, step}, found \(raw.type)")
        }
        parameters.append(SweepParameter(key: key, values: values, line: line))
    }

    /// `{from, to, step}`: from, from + step, … up to `to` (inclusive, to within a millionth of a
    /// step); integers when all three are integers.
    private static func rangeValues(_ table: TOMLNode, fail: (String) -> TOMLInputError) throws(TOMLInputError) -> [ParameterValue] {
        for name in table.keys.sorted() where !["from", "to", "step"].contains(name) { throw fail("unknown range key \"\(name)\" (from, to, step)") }
        var bounds: [Double] = []
        var integral = true
        for name in ["from", "to", "step"] {
            guard let raw = table[name], let number = raw.double ?? raw.int.map(Double.init) else {
                throw fail("a range needs numbers from, to and step")
            }
            guard number.isFinite else { throw fail("\(name) \(number) is not a finite number") }
            integral = integral && raw.int != nil
            bounds.append(number)
        }
        let (from, to, step) = (bounds[0], bounds[1], bounds[2])
        guard step > 0 else { throw fail("step must be positive, got \(step)") }
        guard to >= from else { throw fail("to \(to) is below from \(from)") }
        let steps = ((to - from) / step + 1e-6).rounded(.down)
        guard steps < Double(maximumRangeValues) else { throw fail("the range has more than \(maximumRangeValues) values") }
        return (0...Int(steps)).map { index in
            let value = from + Double(index) * step
            // Decimal steps (0.05) accumulate binary error; twelve significant digits give 0.15, not 0.15000000000000002.
            return integral ? .int(Int(value)) : .double(Double(String(format: "%.12g", value)) ?? value)
        }
    }

    /// The base text every run starts from: the variants set, a relative feeder path made absolute
    /// (run.toml lives elsewhere) and the scenario's name written out (it would default to "run.toml").
    func preparedBaseText(_ base: Scenario, sweep: TOMLSection) throws(TOMLInputError) -> String {
        var text = base.sourceText
        do {
            if base.name == (baseScenarioPath as NSString).lastPathComponent {
                text = try ScenarioText.setting("run.name", to: .string(base.name), in: text)
            }
            if case .openDSS(let path) = base.feeder {
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                text = try ScenarioText.setting("feeder.path", to: .string(absolute), in: text)
            }
            text = try ScenarioText.setting("run.variants", to: .strings(variants.map(\.rawValue)), in: text)
        } catch {
            throw sweep.error("scenario", "\(error.key): \(error.message)")
        }
        return text
    }
}

extension SweepPlan {
    /// Each value of each parameter, set alone in the base, must give a scenario the parser accepts.
    func checkEachValue(baseText: String, document: TOMLDocument) throws(TOMLInputError) {
        for parameter in parameters {
            for value in parameter.values {
                let text = try setting(parameter.key, to: value, in: baseText, line: parameter.line, document: document)
                try parseRun(text, line: parameter.line, key: "parameters." + parameter.key, prefix: "\(value.tomlText): ", document: document)
            }
        }
    }

    /// Every combination in order (first parameter slowest, seed fastest), each checked in full.
    func expand(baseText: String, document: TOMLDocument, sweep: TOMLSection) throws(TOMLInputError) -> [PlannedRun] {
        var total = seeds.values.isEmpty ? 1 : seeds.values.count
        for parameter in parameters {
            total = total.multipliedReportingOverflow(by: parameter.values.count).partialValue
            guard total <= Self.maximumRuns else {
                throw TOMLInputError(file: document.file, line: parameter.line, key: "parameters." + parameter.key,
                                     message: "the plan expands to more than \(Self.maximumRuns) runs")
            }
        }
        var combinations: [[PlannedRun.Assignment]] = [[]]
        for parameter in parameters {
            combinations = combinations.flatMap { prefix in parameter.values.map { prefix + [PlannedRun.Assignment(key: parameter.key, value: $0)] } }
        }
        let seedValues: [UInt64?] = seeds.values.isEmpty ? [nil] : seeds.values.map { $0 }
        var runs: [PlannedRun] = []
        runs.reserveCapacity(total)
        for assignments in combinations {
            var text = baseText
            for assignment in assignments {
                let line = parameters.first { $0.key == assignment.key }?.line ?? 0
                text = try setting(assignment.key, to: assignment.value, in: text, line: line, document: document)
            }
            for seedValue in seedValues {
                let index = runs.count
                var runText = text
                if let seedValue {
                    for target in seeds.vary {
                        let key = target == .root ? "run.seed" : "run.seeds." + target.name
                        runText = try setting(key, to: .int(Int(seedValue)), in: runText, line: document.line(ofTable: "seeds"), document: document)
                    }
                }
                let firstLine = parameters.first?.line ?? document.line(ofTable: "sweep")
                let scenario = try parseRun(runText, line: firstLine, key: nil, prefix: "run \(SweepLayout.folderName(index)): ", document: document)
                runs.append(PlannedRun(index: index, assignments: assignments, seedValue: seedValue, seeds: RunSeeds(scenario),
                                       scenarioText: runText))
            }
        }
        return runs
    }

    private func setting(_ key: String, to value: ParameterValue, in text: String, line: Int,
                         document: TOMLDocument) throws(TOMLInputError) -> String {
        do {
            return try ScenarioText.setting(key, to: value, in: text)
        } catch {
            throw TOMLInputError(file: document.file, line: line, key: "parameters." + key, message: error.message)
        }
    }

    /// Parses a run's scenario text as the scenario file would be read; its error is reported at
    /// the plan's `line` and `key`, naming the scenario key the parser named.
    @discardableResult
    private func parseRun(_ text: String, line: Int, key: String?, prefix: String, document: TOMLDocument) throws(TOMLInputError) -> Scenario {
        let folder = (baseScenarioPath as NSString).deletingLastPathComponent
        do {
            return try Scenario.parse(text, file: "run.toml", baseFolder: folder.isEmpty ? "." : folder)
        } catch {
            // The scenario's key is named unless it is the parameter's own.
            let scenarioKey = error.key.flatMap { "parameters." + $0 == key ? nil : "\($0): " } ?? ""
            throw TOMLInputError(file: document.file, line: line, key: key, message: prefix + scenarioKey + error.message)
        }
    }
}
