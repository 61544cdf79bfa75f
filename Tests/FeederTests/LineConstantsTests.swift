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

    mutating func add(_ cls: String, _ name: String, _ props: [(String, String)]) throws {
        let f = model.baseFrequencyHertz
        switch cls.lowercased() {
        case "wiredata":
            var record = WireData(name: name)
            for (k, v) in props { let p = Self.resolve(k, in: WireData.propertyNames); try record.set(p, reader(p, v)) }
            model.wireData.append(record)
        case "cndata":
            var record = CNData(name: name)
            for (k, v) in props { let p = Self.resolve(k, in: CNData.propertyNames); try record.set(p, reader(p, v)) }
            model.cnData.append(record)
        case "tsdata":
            var record = TSData(name: name)
            for (k, v) in props { let p = Self.resolve(k, in: TSData.propertyNames); try record.set(p, reader(p, v)) }
            model.tsData.append(record)
        case "linegeometry":
            var record = LineGeometry(name: name)
            for (k, v) in props { let p = Self.resolve(k, in: LineGeometry.propertyNames); try record.set(p, reader(p, v)) }
            model.lineGeometries.append(record)
        case "linespacing":
            var record = LineSpacing(name: name)
            for (k, v) in props { let p = Self.resolve(k, in: LineSpacing.propertyNames); try record.set(p, reader(p, v)) }
            model.lineSpacings.append(record)
        case "linecode":
            var record = LineCode(name: name, baseFrequencyHertz: f)
            for (k, v) in props { let p = Self.resolve(k, in: LineCode.propertyNames); try record.set(p, reader(p, v)) }
            model.lineCodes.append(record)
        case "line":
            var record = Line(name: name, baseFrequencyHertz: f)
            for (k, v) in props { let p = Self.resolve(k, in: Line.propertyNames); try record.set(p, reader(p, v)) }
            model.lines.append(record)
        default:
            Issue.record("unexpected class \(cls)")
        }
    }

    /// Adds the objects of script lines `New Class.name prop=value ...` (no continuation lines).
    mutating func add(script: String) throws {
        for rawLine in script.split(separator: "\n") {
            let fields = Self.fields(String(rawLine))
            guard fields.count >= 2, fields[0].lowercased() == "new" else { continue }
            let classAndName = fields[1].split(separator: ".", maxSplits: 1).map(String.init)
            let props = fields.dropFirst(2).map { field -> (String, String) in
                let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
            try add(classAndName[0], classAndName[1].lowercased(), props)
        }
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
        return fields
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

    @Test func earthModelNamesParse() throws {
        let builder = try LineConstantsModelBuilder(frequencyHertz: 60, earthModel: "FullCarson")
        #expect(builder.model.options.earthModel == .fullCarson)
        #expect(try EarthModel.parse(builder.reader("earthmodel", "DERI")) == .deri)
        #expect(throws: FeederError.self) { try EarthModel.parse(builder.reader("earthmodel", "flat")) }
        #expect(FeederModel().options.earthModel == .deri)
    }
}
