// Owns the synthetic LV feeder generator: a seeded radial three-phase 400 V network with an
// 11/0.4 kV transformer and 55 single-phase homes (21/19/15 over phases A/B/C), written out as an
// OpenDSS script so that OpenDSS itself can run exactly the same network.
import Kernel

/// What to generate. Defaults reproduce the embedded demo's feeder (≈700 nodes).
public struct SyntheticFeederSpec: Sendable, Equatable {
    /// Homes per phase (A, B, C).
    public var homesPerPhase: [Int] = [21, 19, 15]
    /// Backbone buses per LV feeder (three-phase; laterals included).
    public var busesPerFeeder: [Int] = [80, 70, 63]
    /// PV sizes are drawn in this range (kW); the draw is skewed toward the top (mean ≈ 3.2 kW).
    public var pvKilowattsRange: ClosedRange<Double> = 1.6...4.0
    public var evChargerKilowatts: Double = 3.0
    public var transformerKVA: Double = 400
    public var sourcePerUnit: Double = 1.02

    public init() {}
}

/// One home: where it connects and what it owns.
public struct SyntheticHome: Sendable, Equatable {
    public var index: Int
    /// Bus of the home's meter (single-phase, node 1).
    public var bus: String
    /// The backbone bus its service cable leaves from.
    public var backboneBus: String
    /// 1 = A, 2 = B, 3 = C.
    public var phase: Int
    public var pvKilowatts: Double
    public var evChargerKilowatts: Double
    public var serviceLengthMeters: Double

    public var loadName: String { "home_\(index)" }
    public var evName: String { "ev_\(index)" }
    public var pvName: String { "pv_\(index)" }
}

/// A backbone segment (three-phase line).
public struct SyntheticLine: Sendable, Equatable {
    public var name: String
    public var fromBus: String
    public var toBus: String
    public var lineCode: String
    public var lengthMeters: Double
}

/// Per-home shapes for a daily run (all arrays have the same length; `intervalMinutes` apart).
public struct SyntheticShapes: Sendable, Equatable {
    public var intervalMinutes: Int
    /// Base load per home, kW.
    public var baseLoadKilowatts: [[Double]]
    /// EV charging per home, kW.
    public var evKilowatts: [[Double]]
    /// PV output per home, per unit of its rated power (the PVSystem's irradiance shape).
    public var pvPerUnit: [[Double]]

    public init(intervalMinutes: Int, baseLoadKilowatts: [[Double]], evKilowatts: [[Double]], pvPerUnit: [[Double]]) {
        self.intervalMinutes = intervalMinutes
        self.baseLoadKilowatts = baseLoadKilowatts
        self.evKilowatts = evKilowatts
        self.pvPerUnit = pvPerUnit
    }
}

/// The generated network.
public struct SyntheticFeeder: Sendable, Equatable {
    public var spec: SyntheticFeederSpec
    public var seed: UInt64
    public var lines: [SyntheticLine]
    public var homes: [SyntheticHome]
    /// Three-phase backbone buses in creation order (the LV busbar first).
    public var backboneBuses: [String]

    /// Electrical nodes: source (3) + backbone (3 each) + homes (1 each).
    public var nodeCount: Int { 3 + 3 * backboneBuses.count + homes.count }

    /// Generates the feeder from the "feeder" stream of `seed`.
    public init(seed: UInt64, spec: SyntheticFeederSpec = SyntheticFeederSpec()) {
        self.spec = spec
        self.seed = seed
        var random = SeedStreams(rootSeed: seed).stream("feeder")
        var backbone = ["lv0"]
        var lines: [SyntheticLine] = []
        var attachable: [String] = []
        for (feederIndex, busCount) in spec.busesPerFeeder.enumerated() {
            let built = Self.buildFeeder(number: feederIndex + 1, buses: busCount, random: &random)
            backbone += built.buses
            lines += built.lines
            attachable += built.attachable
        }
        backboneBuses = backbone
        self.lines = lines
        homes = Self.placeHomes(spec: spec, attachable: attachable, random: &random)
    }

    /// A main run from the busbar with occasional laterals; thick cable near the busbar.
    private static func buildFeeder(number: Int, buses: Int, random: inout Xoshiro256StarStar)
        -> (buses: [String], lines: [SyntheticLine], attachable: [String])
    {
        var names: [String] = [], lines: [SyntheticLine] = [], attachable: [String] = []
        var mainTip = "lv0"
        var mainLength = 0
        while names.count < buses {
            let bus = "f\(number)_\(names.count + 1)"
            let code = mainLength < 20 ? "4c_185" : "4c_95"
            lines.append(SyntheticLine(name: "f\(number)_\(names.count + 1)", fromBus: mainTip, toBus: bus,
                                       lineCode: code, lengthMeters: segmentLength(&random)))
            names.append(bus)
            if mainLength >= 3 { attachable.append(bus) }
            mainTip = bus
            mainLength += 1
            // A lateral of 3–8 buses leaves about one main bus in seven.
            guard mainLength >= 5, random.uniformDouble() < 0.15 else { continue }
            var lateralTip = bus
            let lateralBuses = min(random.uniformInt(in: 3...8), buses - names.count)
            for _ in 0..<lateralBuses {
                let lateralBus = "f\(number)_\(names.count + 1)"
                lines.append(SyntheticLine(name: "f\(number)_\(names.count + 1)", fromBus: lateralTip, toBus: lateralBus,
                                           lineCode: "4c_35", lengthMeters: segmentLength(&random)))
                names.append(lateralBus)
                attachable.append(lateralBus)
                lateralTip = lateralBus
            }
        }
        return (names, lines, attachable)
    }

    private static func segmentLength(_ random: inout Xoshiro256StarStar) -> Double {
        (random.uniformDouble(in: 6..<15) * 10).rounded() / 10
    }

    private static func placeHomes(spec: SyntheticFeederSpec, attachable: [String],
                                   random: inout Xoshiro256StarStar) -> [SyntheticHome] {
        precondition(!attachable.isEmpty, "synthetic feeder has no bus to attach homes to")
        var phases: [Int] = []
        for (index, count) in spec.homesPerPhase.enumerated() { phases += Array(repeating: index + 1, count: count) }
        random.shuffle(&phases)
        let span = spec.pvKilowattsRange.upperBound - spec.pvKilowattsRange.lowerBound
        return phases.enumerated().map { index, phase in
            let backbone = attachable[Int(random.uniformInt(below: UInt64(attachable.count)))]
            let pv = spec.pvKilowattsRange.lowerBound + span * random.uniformDouble().squareRoot()
            return SyntheticHome(index: index + 1, bus: "h\(index + 1)", backboneBus: backbone, phase: phase,
                                 pvKilowatts: (pv * 10).rounded() / 10, evChargerKilowatts: spec.evChargerKilowatts,
                                 serviceLengthMeters: (random.uniformDouble(in: 10..<30) * 10).rounded() / 10)
        }
    }
}
