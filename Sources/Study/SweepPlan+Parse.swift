// Owns reading a sweep plan file: every key checked where it enters (unknown keys, wrong types,
// empty or oversized ranges), every swept value checked by the scenario parser itself, and every
// error named by the plan's file, line and key.
import CoSim
import Foundation
import Kernel
import TOMLKit

extension SweepPlan {
    /// The largest plan file read.
    public static let maximumFileBytes = 1 << 20
    /// The most values one range may expand to.
    public static let maximumRangeValues = 10_000

    /// Reads and expands the plan at `path`; the base scenario is resolved against the plan's folder.
    public static func load(path: String) throws(TOMLInputError) -> SweepPlan {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maximumFileBytes else {
            throw TOMLInputError(file: path, line: 0, key: nil, message: "the file is \(size) bytes; plans are limited to 1 MiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TOMLInputError(file: path, line: 0, key: nil, message: "cannot read the plan file")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses plan text; `path` names it in errors and anchors the base scenario's relative path.
    public static func parse(_ text: String, path: String) throws(TOMLInputError) -> SweepPlan {
        let document = try TOMLDocument(text: text, file: path)
        let sweep = try document.section("sweep"), seedsSection = try document.section("seeds")
        let parametersSection = try document.section("parameters")
        let scenarioText = try sweep.string("scenario", default: "")
        guard !scenarioText.isEmpty else { throw sweep.error("scenario", "name the base scenario file (relative to the plan)") }
        let folder = (path as NSString).deletingLastPathComponent
        let basePath = scenarioText.hasPrefix("/") ? scenarioText : ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(scenarioText)
        let variants = try parseVariants(sweep)
        let seeds = try parseSeeds(seedsSection)
        let parameters = try parseParameters(parametersSection, document: document)
        try document.rejectUnknown(sections: ["sweep", "parameters", "seeds"])

        let base: Scenario
        do {
            base = try Scenario.load(path: basePath)
        } catch {
            throw sweep.error("scenario", "the base scenario does not load: \(error)")
        }
        var plan = SweepPlan(planPath: path, planText: text, baseScenarioPath: basePath, baseScenarioText: base.sourceText,
                             parameters: parameters, seeds: seeds, variants: variants, runs: [])
        let prepared = try plan.preparedBaseText(base, sweep: sweep)
        try plan.checkEachValue(baseText: prepared, document: document)
        plan.runs = try plan.expand(baseText: prepared, document: document, sweep: sweep)
        return plan
    }

    private static func parseVariants(_ sweep: TOMLSection) throws(TOMLInputError) -> [Scenario.Variant] {
        let name = try sweep.string("variants", default: "pair")
        if name == "pair" { return [.noP2P, .p2p] }
        guard let variant = Scenario.Variant(argument: name) else {
            throw sweep.error("variants", "\"\(name)\" is not one of \"pair\", \"no-p2p\", \"p2p\"")
        }
        return [variant]
    }

    private static func parseSeeds(_ section: TOMLSection) throws(TOMLInputError) -> SeedPlan {
        let count = try section.optionalInt("count", in: 1...maximumRuns)
        let list = try section.optionalInts("values", in: 0...Int.max)
        let names = try section.strings("vary", default: ["root"])
        var vary: [SeedPlan.Target] = []
        for name in names {
            let target: SeedPlan.Target
            if name == "root" {
                target = .root
            } else if let subsystem = Scenario.SeedSubsystem(rawValue: name) {
                target = .subsystem(subsystem)
            } else {
                let allowed = (["root"] + Scenario.SeedSubsystem.allCases.map(\.rawValue)).map { "\"\($0)\"" }.joined(separator: ", ")
                throw section.error("vary", "\"\(name)\" is not one of \(allowed)")
            }
            guard !vary.contains(target) else { throw section.error("vary", "\"\(name)\" is named twice") }
            vary.append(target)
        }
        guard !vary.isEmpty else { throw section.error("vary", "name at least one of root and the subsystems") }
        switch (count, list) {
        case (.some, .some): throw section.error("values", "give count or values, not both")
        case (.some(let count), nil): return SeedPlan(values: (1...count).map { UInt64($0) }, vary: vary)
        case (nil, .some(let values)):
            guard !values.isEmpty else { throw section.error("values", "list at least one seed") }
            guard Set(values).count == values.count else { throw section.error("values", "a seed is listed twice") }
            return SeedPlan(values: values.map { UInt64($0) }, vary: vary)
        case (nil, nil):
            guard !section.isPresent else { throw section.error(nil, "give count = N or values = [...] for the seeds") }
            return SeedPlan(values: [], vary: vary)
        }
    }
}
