// Owns the tests of line constants: records built through `set` as a script would, the phase
// matrices resolveLineConstants computes, compared with the real OpenDSS (golden/line_constants),
// and the errors for incomplete or inconsistent conductor data.
import Foundation
import Testing
import TestSupport
@testable import Feeder

/// One case of golden/line_constants/cases.json (see regenerate.py there).
struct LineConstantsGoldenCase: Decodable {
    struct Object: Decodable {
        var cls: String
        var name: String
        var props: [[String]]
    }
    struct Expected: Decodable {
        var phases: Int
        var length: Double
        var rmatrix: [Double]
        var xmatrix: [Double]
        var cmatrix: [Double]
        /// Interleaved re/im, row-major, order 2 × phases.
        var yprim: [Double]
    }
    var name: String
    var frequency: Double
    var earth_model: String
    var objects: [Object]
    var line: String
    var expected: Expected
}

struct LineConstantsGoldenFile: Decodable {
    var engine: String
    var cases: [LineConstantsGoldenCase]
}

/// Builds a FeederModel from (class, name, properties) as the interpreter would, through each
/// record's `set` with abbreviations resolved against its `propertyNames`.
struct LineConstantsModelBuilder {
    var model = FeederModel()
    let location = ScriptLocation(file: "line-constants-test", line: 1)

    init(frequencyHertz: Double, earthModel: String) throws {
        model.baseFrequencyHertz = frequencyHertz
        model.options.earthModel = try EarthModel.parse(reader("earthmodel", earthModel))
    }

    func reader(_ property: String, _ text: String) -> ValueReader {
        // The lexer strips array brackets before a value reaches `set`.
        var value = text
        if let first = value.first, let last = value.last, "[(\"'".contains(first), "])\"'".contains(last) {
            value = String(value.dropFirst().dropLast())
        }
        return ValueReader(property: property, text: value, location: location)
    }

    static func resolve(_ name: String, in names: [String]) -> String {
        let lower = name.lowercased()
        if names.contains(lower) { return lower }
        return names.first { $0.hasPrefix(lower) } ?? lower
    }

    /// Resolves each property (abbreviation, or positional: the one after the last used) and sets it.
    func apply(_ props: [(String, String)], names: [String], _ set: (String, ValueReader) throws -> Void) throws {
        var next = 0
        for (k, v) in props {
            let p = k.isEmpty ? (next < names.count ? names[next] : "?") : Self.resolve(k, in: names)
            next = (names.firstIndex(of: p) ?? next) + 1
            try set(p, reader(p, v))
        }
    }

    mutating func add(_ cls: String, _ name: String, _ props: [(String, String)]) throws {
        let f = model.baseFrequencyHertz
        switch cls.lowercased() {
        case "wiredata":
            var record = WireData(name: name)
            try apply(props, names: WireData.propertyNames) { try record.set($0, $1) }
            model.wireData.append(record)
        case "cndata":
            var record = CNData(name: name)
            try apply(props, names: CNData.propertyNames) { try record.set($0, $1) }
            model.cnData.append(record)
        case "tsdata":
            var record = TSData(name: name)
            try apply(props, names: TSData.propertyNames) { try record.set($0, $1) }
            model.tsData.append(record)
        case "linegeometry":
            var record = LineGeometry(name: name)
            try apply(props, names: LineGeometry.propertyNames) { try record.set($0, $1) }
            model.lineGeometries.append(record)
        case "linespacing":
            var record = LineSpacing(name: name)
            try apply(props, names: LineSpacing.propertyNames) { try record.set($0, $1) }
            model.lineSpacings.append(record)
        case "linecode":
            var record = LineCode(name: name, baseFrequencyHertz: f)
            try apply(props, names: LineCode.propertyNames) { try record.set($0, $1) }
            model.lineCodes.append(record)
        case "line":
            var record = Line(name: name, baseFrequencyHertz: f)
            try apply(props, names: Line.propertyNames) { try record.set($0, $1) }
            model.lines.append(record)
        default:
            Issue.record("unexpected class \(cls)")
        }
    }

    /// Adds the objects of `New Class.name prop=value ...` lines and their `~` continuations
    /// (`!` comments dropped; other commands ignored).
    mutating func add(script: String) throws {
        var pending: (cls: String, name: String, props: [(String, String)])?
        for rawLine in script.split(whereSeparator: \.isNewline) {
            let fields = Self.fields(String(rawLine.split(separator: "!", maxSplits: 1, omittingEmptySubsequences: false)[0]))
            guard let word = fields.first?.lowercased() else { continue }
            let props = fields.dropFirst(word == "new" ? 2 : 1).map { field -> (String, String) in
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count > 1 ? (parts[0], parts[1]) : ("", parts[0])
            }
            if word == "~" || word == "more" {
                pending?.props += props
                continue
            }
            if let object = pending { try add(object.cls, object.name, object.props) }
            pending = nil
            guard word == "new", fields.count >= 2 else { continue }
            let classAndName = fields[1].split(separator: ".", maxSplits: 1).map(String.init)
            pending = (classAndName[0], classAndName[1].lowercased(), props)
        }
        if let object = pending { try add(object.cls, object.name, object.props) }
    }
}

extension LineConstantsModelBuilder {
    /// Blank-separated fields, keeping `[...]` arrays (which contain blanks) whole.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", depth = 0
        for character in line {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1 }
            if (character == " " || character == "\t") && depth == 0 {
                if !current.isEmpty { fields.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { fields.append(current) }
        // `x= -1.25`: a value may follow its `=` after blanks (as the OpenDSS lexer allows).
        var joined: [String] = []
        for field in fields {
            if let last = joined.last, last.hasSuffix("=") { joined[joined.count - 1] = last + field } else { joined.append(field) }
        }
        return joined
    }
}

/// Largest absolute difference divided by the largest magnitude of the expected matrix.
func normwiseRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
    guard actual.count == expected.count else { return .infinity }
    let scale = expected.map(abs).max() ?? 0
    let difference = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    return scale == 0 ? difference : difference / scale
}

@Suite struct LineConstantsTests {
    /// Relative to the largest entry of each matrix; OpenDSS agrees to rounding (about 1e-15).
    static let tolerance = 1e-9

    static func loadGolden() throws -> LineConstantsGoldenFile {
        let url = SharedData.packageRoot.appendingPathComponent("golden/line_constants/cases.json")
        return try JSONDecoder().decode(LineConstantsGoldenFile.self, from: Data(contentsOf: url))
    }

    static func build(_ golden: LineConstantsGoldenCase) throws -> FeederModel {
        var builder = try LineConstantsModelBuilder(frequencyHertz: golden.frequency, earthModel: golden.earth_model)
        for object in golden.objects {
            try builder.add(object.cls, object.name, object.props.map { ($0[0], $0[1]) })
        }
        try builder.model.resolveLineConstants()
        return builder.model
    }

    /// R, X, C per the line's length unit; a line code's matrices converted to the line's unit.
    static func matrices(of line: Line, in model: FeederModel) -> (r: [Double], x: [Double], c: [Double])? {
        if let code = line.lineCode.flatMap({ model.lineCode(named: $0) }) {
            guard let r = code.rMatrix, let x = code.xMatrix, let c = code.cMatrix else { return nil }
            let scale = (line.units.metres ?? 1) / (code.units.metres ?? 1)
            return (r.map { $0 * scale }, x.map { $0 * scale }, c.map { $0 * scale })
        }
        guard let r = line.rMatrix, let x = line.xMatrix, let c = line.cMatrix else { return nil }
        return (r, x, c)
    }

    @Test func matchesOpenDSSForEveryGoldenCase() throws {
        let golden = try Self.loadGolden()
        #expect(golden.cases.count >= 10)
        for goldenCase in golden.cases {
            let model = try Self.build(goldenCase)
            guard let line = model.lines.first(where: { $0.name == goldenCase.line }),
                  let (r, x, c) = Self.matrices(of: line, in: model) else {
                Issue.record("\(goldenCase.name): line or its matrices missing")
                continue
            }
            let phases = line.lineCode.flatMap { model.lineCode(named: $0)?.phases } ?? line.phases
            #expect(phases == goldenCase.expected.phases, "\(goldenCase.name): phases")
            let errors = [normwiseRelativeError(r, goldenCase.expected.rmatrix),
                          normwiseRelativeError(x, goldenCase.expected.xmatrix),
                          normwiseRelativeError(c, goldenCase.expected.cmatrix)]
            print("line constants \(goldenCase.name) [\(goldenCase.earth_model)]: max relative error R \(errors[0]) X \(errors[1]) C \(errors[2])")
            #expect(errors.allSatisfy { $0 <= Self.tolerance }, "\(goldenCase.name): errors \(errors)")
        }
    }

    /// The 4-bus test feeders' conductors and geometry, as ../shared/feeders/4bus_yy_bal writes them.
    static let fourBusScript = """
    new wiredata.conductor Runits=mi Rac=0.306 GMRunits=ft GMRac=0.0244  Radunits=in Diam=0.721 normamps=530
    new wiredata.neutral   Runits=mi Rac=0.592 GMRunits=ft GMRac=0.00814 Radunits=in Diam=0.563 normamps=340
    new linegeometry.4wire nconds=4 nphases=3 reduce=yes cond=1 wire=conductor units=ft x=-4 h=28 cond=2 wire=conductor units=ft x=-1.5 h=28 cond=3 wire=conductor units=ft x=3 h=28 cond=4 wire=neutral units=ft x=0 h=24
    new line.line1 geometry=4wire length=2000 units=ft bus1=sourcebus bus2=n2
    """

    @Test func fourBusGeometryGivesOpenDSSMatrices() throws {
        // The inline values are those of the shared feeder (checked when it is present).
        if let path = SharedData.path("feeders/4bus_yy_bal/4Bus-YY-Bal/4Bus-YY-Bal.DSS") {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("new wiredata.conductor Runits=mi Rac=0.306 GMRunits=ft GMRac=0.0244"))
            #expect(text.contains("~ cond=4 wire=neutral   units=ft x=0    h=24"))
            #expect(text.contains("set earthmodel=carson"))
        }
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "carson")
        try builder.add(script: Self.fourBusScript)
        try builder.model.resolveLineConstants()
        let line = try #require(builder.model.lines.first)
        #expect(line.phases == 3 && line.usesOwnImpedance && line.units == .ft)
        let golden = try #require(try Self.loadGolden().cases.first { $0.name == "geometry_carson" })
        let errors = [normwiseRelativeError(line.rMatrix ?? [], golden.expected.rmatrix),
                      normwiseRelativeError(line.xMatrix ?? [], golden.expected.xmatrix),
                      normwiseRelativeError(line.cMatrix ?? [], golden.expected.cmatrix)]
        print("4-bus geometry (Carson): max relative error R \(errors[0]) X \(errors[1]) C \(errors[2])")
        #expect(errors.allSatisfy { $0 <= Self.tolerance })
    }

    /// The primitive admittance the stored matrices give, built as the power flow builds a line's
    /// (series inverse of Z·length, half of jωC·length at each end), interleaved re/im.
    static func primitiveAdmittance(r: [Double], x: [Double], c: [Double], length: Double,
                                    frequencyHertz: Double) -> [Double]? {
        let n = Int(Double(r.count).squareRoot())
        var z = ComplexSquareMatrix(order: n)
        for k in 0..<(n * n) { z.entries[k] = .init(r[k] * length, x[k] * length) }
        guard let series = z.inverted() else { return nil }
        let omega = 2 * Double.pi * frequencyHertz
        var values = [Double](repeating: 0, count: 8 * n * n)
        for i in 0..<(2 * n) {
            for j in 0..<(2 * n) {
                let s = series[i % n, j % n]
                let sign: Double = (i < n) == (j < n) ? 1 : -1
                var im = sign * s.imaginary
                if (i < n) == (j < n) { im += omega * c[(i % n) * n + j % n] * 1e-9 * length / 2 }
                values[2 * (i * 2 * n + j)] = sign * s.real
                values[2 * (i * 2 * n + j) + 1] = im
            }
        }
        return values
    }

    @Test func primitiveAdmittanceMatchesOpenDSSYPrim() throws {
        for goldenCase in try Self.loadGolden().cases {
            let model = try Self.build(goldenCase)
            let line = try #require(model.lines.first { $0.name == goldenCase.line })
            let (r, x, c) = try #require(Self.matrices(of: line, in: model))
            let yprim = try #require(Self.primitiveAdmittance(r: r, x: x, c: c, length: line.length,
                                                              frequencyHertz: goldenCase.frequency))
            let error = normwiseRelativeError(yprim, goldenCase.expected.yprim)
            print("line constants \(goldenCase.name): YPrim max relative error \(error)")
            #expect(error <= Self.tolerance, "\(goldenCase.name): YPrim error \(error)")
        }
    }

    struct SharedGeometriesGolden: Decodable {
        struct Entry: Decodable {
            var geometry: String
            var length: Double
            var units: Int
            var phases: Int
            var rmatrix: [Double]
            var xmatrix: [Double]
            var cmatrix: [Double]
        }
        var lines: [Entry]
    }

    /// Builds a shared feeder's wires and geometries from its own script files, gives each golden
    /// entry a line (geometry, length, units) and returns the largest error against OpenDSS.
    static func sharedGeometriesError(files: [String], golden goldenFile: String, expectedCount: Int) throws -> Double? {
        let paths = files.compactMap { SharedData.path($0) }
        guard paths.count == files.count else { return nil }
        let url = SharedData.packageRoot.appendingPathComponent("golden/line_constants/\(goldenFile)")
        let golden = try JSONDecoder().decode(SharedGeometriesGolden.self, from: Data(contentsOf: url))
        #expect(golden.lines.count == expectedCount)
        var builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "deri")
        for path in paths { try builder.add(script: try String(contentsOfFile: path, encoding: .utf8)) }
        let unitNames = ["none", "mi", "kft", "km", "m", "ft", "in", "cm", "mm"]
        let firstLine = builder.model.lines.count
        for (i, entry) in golden.lines.enumerated() {
            try builder.add("line", "l\(i)", [("geometry", entry.geometry), ("length", "\(entry.length)"),
                                              ("units", unitNames[entry.units])])
        }
        try builder.model.resolveLineConstants()
        var worst = 0.0
        for (i, entry) in golden.lines.enumerated() {
            let line = builder.model.lines[firstLine + i]
            #expect(line.phases == entry.phases, "\(entry.geometry): phases")
            let error = max(normwiseRelativeError(line.rMatrix ?? [], entry.rmatrix),
                            normwiseRelativeError(line.xMatrix ?? [], entry.xmatrix),
                            normwiseRelativeError(line.cMatrix ?? [], entry.cmatrix))
            #expect(error <= Self.tolerance, "\(entry.geometry): error \(error)")
            worst = max(worst, error)
        }
        return worst
    }

    /// ckt5: Radius/GMRac in cm, Rac per km, busbars and 1e-9 "NONE" wires (Deri's |α| > 35 branch).
    @Test func ckt5GeometriesMatchOpenDSS() throws {
        guard let worst = try Self.sharedGeometriesError(
            files: ["feeders/ckt5/ckt5/WireData_ckt5.dss", "feeders/ckt5/ckt5/LineGeometry_ckt5.dss"],
            golden: "ckt5_geometries.json", expectedCount: 33) else { return }
        print("line constants ckt5 (33 geometries, Deri): max relative error \(worst)")
    }

    /// NEV: abbreviated properties (GMR=, DIAM=), up to 17 conductors, no reduction.
    @Test func nevGeometriesMatchOpenDSS() throws {
        guard let worst = try Self.sharedGeometriesError(
            files: ["feeders/nev/NEVTestCase/LineGeometry.DSS"], golden: "nev_geometries.json", expectedCount: 4) else { return }
        print("line constants NEV (4 geometries, Deri): max relative error \(worst)")
    }

    @Test func earthModelNamesParse() throws {
        let builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "FullCarson")
        #expect(builder.model.options.earthModel == .fullCarson)
        #expect(try EarthModel.parse(builder.reader("earthmodel", "DERI")) == .deri)
        #expect(throws: FeederError.self) { try EarthModel.parse(builder.reader("earthmodel", "flat")) }
        #expect(FeederModel().options.earthModel == .deri)
    }
}
