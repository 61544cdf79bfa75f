// Owns the `Set` command: every option OpenDSS 0.14.5 has, in its order (abbreviations resolve to
// the first option in that order, as in OpenDSS), each either applied to the model, accepted
// because it does not change a power-flow solution (reports, plots, meters, parallel runs), or
// refused with the reason. Nothing is silently dropped.

/// What `Set NAME=value` does here.
enum SetOptionEffect: Sendable {
    case apply(@Sendable (inout ScriptInterpreter, ValueReader) throws -> Void)
    /// Reports, plotting, meter bookkeeping, parallel processing, active-object selection.
    case noSolutionEffect
    /// An option that would change the solution in a way this engine does not model.
    case unsupported(@Sendable (ValueReader) -> String?)
}

struct SetOption: Sendable {
    var name: String
    var effect: SetOptionEffect
}

extension ScriptInterpreter {
    mutating func setOptions(_ parameters: [ScriptParameter], at location: ScriptLocation) throws {
        for parameter in parameters {
            guard let given = parameter.name else { throw FeederError.syntax("Set expects name=value", at: location) }
            let lower = given.lowercased()
            let options = Self.setOptions
            guard let option = options.first(where: { $0.name == lower }) ?? options.first(where: { $0.name.hasPrefix(lower) })
            else { throw FeederError.unknownOption(given, at: location) }
            let r = ValueReader(property: option.name, text: parameter.value, location: location)
            switch option.effect {
            case let .apply(body): try body(&self, r)
            case .noSolutionEffect: break
            case let .unsupported(reason): if let why = reason(r) { throw r.fail(why) }
            }
        }
    }

    /// Durations as OpenDSS writes them: seconds by default, or with an h/m/s suffix.
    static func parseDuration(_ r: ValueReader) throws -> Double {
        let lower = r.text.lowercased()
        let scale: Double
        var number = lower
        switch lower.last {
        case "h": scale = 3600; number.removeLast()
        case "m": scale = 60; number.removeLast()
        case "s": scale = 1; number.removeLast()
        default: scale = 1
        }
        guard let value = ValueReader.parseNumber(number), value.isFinite, value > 0 else { throw r.fail("not a positive duration") }
        return value * scale
    }

    static func option(_ name: String, _ body: @escaping @Sendable (inout ScriptInterpreter, ValueReader) throws -> Void) -> SetOption {
        SetOption(name: name, effect: .apply(body))
    }

    static func inert(_ names: String...) -> [SetOption] {
        names.map { SetOption(name: $0, effect: .noSolutionEffect) }
    }

    /// Refused unless the value is one of `allowed` (prefix match, lower-case).
    static func only(_ name: String, _ allowed: [String], _ reason: String) -> SetOption {
        SetOption(name: name, effect: .unsupported { r in
            let value = r.text.lowercased()
            return allowed.contains { value.hasPrefix($0) } ? nil : reason
        })
    }

    /// OpenDSS's options in its own order.
    static let setOptions: [SetOption] =
        inert("type", "element")
        + [option("hour") { $0.model.options.startHour = try $1.double(in: 0...1e6) },
           option("sec") { $0.model.options.startSecond = try $1.double(in: 0...1e9) },
           only("year", ["0"], "multi-year growth is not modelled (year must be 0)"),
           option("frequency") { interpreter, r in
               guard try r.double() == interpreter.defaultBaseFrequency else {
                   throw r.fail("solutions at other than the base frequency are not supported")
               }
           },
           option("stepsize") { $0.model.options.stepSizeSeconds = try parseDuration($1) },
           option("mode") { $0.model.options.mode = try solutionMode($1) },
           only("random", ["0", "none"], "Monte Carlo randomisation is not supported"),
           option("number") { $0.model.options.numberOfSteps = try $1.int(in: 1...100_000_000) },
           option("time") { interpreter, r in
               let values = try r.doubles()
               guard values.count == 2 else { throw r.fail("expected [hour seconds]") }
               interpreter.model.options.startHour = values[0]
               interpreter.model.options.startSecond = values[1]
           }]
        + inert("class", "object", "circuit", "editor")
        + [option("tolerance") { $0.model.options.tolerance = try $1.double(in: 1e-15...1) },
           option("maxiterations") { $0.model.options.maxIterations = try $1.int(in: 1...100_000) },
           option("h") { $0.model.options.stepSizeSeconds = try parseDuration($1) },
           only("loadmodel", ["p", "1"], "only the power-flow load model is supported (not admittance)"),
           option("loadmult") { $0.model.options.loadMultiplier = try $1.double(in: 0...1e6) }]
        + inert("normvminpu", "normvmaxpu", "emergvminpu", "emergvmaxpu", "%mean", "%stddev", "ldcurve", "%growth",
                "genkw", "genpf", "capkvar", "addtype")
        + [only("allowduplicates", ["n", "f"], "duplicate element names are not supported")]
        + inert("zonelock", "ueweight", "lossweight", "ueregs", "lossregs")
        + [option("voltagebases") { $0.model.voltageBasesKilovolts = try $1.doubles() },
           only("algorithm", ["n"], "only the normal (fixed-point) algorithm is supported")]
        + inert("trapezoidal", "autobuslist")
        + [option("controlmode") { $0.model.options.controlMode = try controlMode($1) }]
        + inert("tracecontrol")
        + [option("genmult") { $0.model.options.generatorMultiplier = try $1.double(in: 0...1e6) },
           only("defaultdaily", ["default"], "a default daily shape for every load is not supported"),
           only("defaultyearly", ["default"], "a default yearly shape for every load is not supported"),
           option("allocationfactors") { interpreter, r in try interpreter.setEveryLoad("allocationfactor", r) },
           only("cktmodel", ["m"], "only the multiphase circuit model is supported (not positive sequence)")]
        + inert("pricesignal", "pricecurve", "terminal")
        + [option("basefrequency") { $0.defaultBaseFrequency = try $1.double(in: 1...1e6) }]
        + inert("harmonics")
        + [option("maxcontroliter") { $0.model.options.maxControlIterations = try $1.int(in: 1...100_000) }]
        + inert("bus", "datapath", "keeplist", "reduceoption", "demandinterval", "%normal", "diverbose", "casename",
                "markercode", "nodewidth", "log", "recorder", "overloadreport", "voltexceptionreport")
        + [option("cfactors") { interpreter, r in try interpreter.setEveryLoad("cfactor", r) }]
        + inert("showexport", "numallociterations")
        + [option("defaultbasefrequency") { $0.defaultBaseFrequency = try $1.double(in: 1...1e6) }]
        + inert("markswitches", "switchmarkercode", "daisysize", "marktransformers", "transmarkercode",
                "transmarkersize", "loadshapeclass")
        + [option("earthmodel") { $0.model.options.earthModel = try EarthModel.parse($1) }]
        + inert("querylog", "markcapacitors", "markregulators", "markpvsystems", "markstorage", "capmarkercode",
                "regmarkercode", "pvmarkercode", "storemarkercode", "capmarkersize", "regmarkersize", "pvmarkersize",
                "storemarkersize", "neglectloady", "markfuses", "fusemarkercode", "fusemarkersize", "markreclosers",
                "reclosermarkercode", "reclosermarkersize", "registryupdate", "markrelays", "relaymarkercode",
                "relaymarkersize", "processtime", "totaltime", "steptime", "sampleenergymeters")
        + [option("miniterations") { $0.model.options.minIterations = try $1.int(in: 1...100_000) }]
        + inert("dssvisualizationtool", "keepload", "zmag", "seasonrating", "seasonsignal", "linetypes",
                "eventlogdefault")
        + [only("longlinecorrection", ["n", "f"], "the long-line correction of line impedances is not supported")]
        + inert("showreports", "numcpus", "numcores", "numactors", "activeactor", "cpu", "actorprogress", "parallel",
                "concatenatereports", "numanodes")

    static func solutionMode(_ r: ValueReader) throws -> SolutionMode {
        let v = r.text.lowercased()
        if v.hasPrefix("snap") { return .snapshot }
        if v.hasPrefix("daily") { return .daily }
        if v.hasPrefix("yearly") { return .yearly }
        throw r.fail("supported modes: snapshot, daily, yearly")
    }

    static func controlMode(_ r: ValueReader) throws -> ControlMode {
        let v = r.text.lowercased()
        if v.hasPrefix("off") { return .off }
        if v.hasPrefix("stat") { return .static }
        if v.hasPrefix("t") { return .time }
        if v.hasPrefix("e") { return .event }
        if v.hasPrefix("m") { throw r.fail("the multirate control mode is not supported") }
        throw r.fail("supported control modes: static, time, event, off")
    }

    /// `Set allocationfactors=` / `cfactors=`: the same assignment on every load defined so far.
    mutating func setEveryLoad(_ property: String, _ r: ValueReader) throws {
        for index in model.loads.indices {
            try model.loads[index].set(property, ValueReader(property: property, text: r.text, location: r.location))
            model.loads[index].finishEdit()
        }
    }
}
