// Owns the imported network model: every element in creation order, the solution options a
// script set, voltage bases and bus coordinates. PowerFlow builds its matrices from this.

/// Solution mode as `Set mode=` names it.
public enum SolutionMode: String, Sendable {
    case snapshot, daily, yearly
}

/// Control mode as `Set controlmode=` names it (static is OpenDSS's default).
///
/// static: each control iteration executes the queued actions with the earliest time, and the time
/// stays where it is; time: each control iteration executes every action whose time has come, and
/// pending actions wait for later time steps; event: like static, but the solution time advances
/// to the executed actions' time.
public enum ControlMode: String, Sendable {
    case off, `static`, time, event
}

/// Solution options a script can set (`Set ...`), with OpenDSS's defaults.
public struct SolutionOptions: Sendable, Equatable {
    public var mode = SolutionMode.snapshot
    public var stepSizeSeconds = 3600.0
    public var numberOfSteps = 1
    public var tolerance = 1e-4
    public var maxIterations = 15
    public var maxControlIterations = 10
    public var controlMode = ControlMode.static
    public var startHour = 0.0
    public var startSecond = 0.0
    public var loadMultiplier = 1.0
    /// `Set genmult`: scales every generator's kW and kvar.
    public var generatorMultiplier = 1.0
    /// `Set miniterations`: fewest fixed-point iterations of a solve (OpenDSS's default 2).
    public var minIterations = 2
    /// `Set earthmodel=`: earth return of lines built from conductor geometry (OpenDSS's default: Deri).
    public var earthModel = EarthModel.openDSSDefault

    public init() {}
}

/// Reference to an element in creation order (the order OpenDSS numbers buses and nodes in).
public enum ElementReference: Sendable, Equatable {
    case vsource(Int), line(Int), transformer(Int), reactor(Int), load(Int), generator(Int), pvSystem(Int), capacitor(Int)
}

/// The imported feeder.
public struct FeederModel: Sendable {
    public var circuitName = ""
    public var baseFrequencyHertz = 60.0
    public var vsources: [VoltageSource] = []
    public var lineCodes: [LineCode] = []
    public var lines: [Line] = []
    public var xfmrCodes: [XfmrCode] = []
    public var transformers: [Transformer] = []
    public var reactors: [Reactor] = []
    public var loads: [Load] = []
    public var generators: [Generator] = []
    public var pvSystems: [PVSystem] = []
    public var loadShapes: [LoadShape] = []
    public var capacitors: [Capacitor] = []
    public var regControls: [RegControl] = []
    public var capControls: [CapControl] = []
    public var energyMeters: [EnergyMeter] = []
    public var monitors: [Monitor] = []
    /// Objects of classes that do not change a power-flow solution (protection, curves, spectra).
    public var unmodelledObjects: [UnmodelledObject] = []
    /// Conductor and construction records of lines defined by geometry (see resolveLineConstants).
    public var wireData: [WireData] = []
    public var cnData: [CNData] = []
    public var tsData: [TSData] = []
    public var lineGeometries: [LineGeometry] = []
    public var lineSpacings: [LineSpacing] = []
    /// Power-delivery and power-conversion elements in creation order.
    public var creationOrder: [ElementReference] = []
    /// `Set voltagebases`, line-to-line kV.
    public var voltageBasesKilovolts: [Double] = []
    public var options = SolutionOptions()
    /// `BusCoords` entries in file order (lower-cased bus names).
    public var busCoordinates: [(bus: String, x: Double, y: Double)] = []
    /// Number of `Solve` commands the scripts contained (the solve itself is the caller's choice).
    public var solveCommandCount = 0
    /// Commands that were recognised and deliberately not acted on (e.g. `Show`), with location.
    public var ignoredCommands: [String] = []

    public init() {}

    public func lineCode(named name: String) -> LineCode? { lineCodes.first { $0.name == name } }
    public func loadShape(named name: String) -> LoadShape? { loadShapes.first { $0.name == name } }
    public func transformerIndex(named name: String) -> Int? { transformers.firstIndex { $0.name == name } }


    /// Objects accepted but not modelled, grouped by class in OpenDSS's class order.
    public var unmodelledByClass: [UnmodelledClassSummary] {
        UnmodelledObject.classes.compactMap { cls in
            let names = unmodelledObjects.filter { $0.className == cls.name }.map(\.name)
            return names.isEmpty ? nil : UnmodelledClassSummary(className: cls.name, names: names)
        }
    }
}

/// The objects of one accepted-but-not-modelled class.
public struct UnmodelledClassSummary: Sendable, Equatable {
    public var className: String
    public var names: [String]
}
