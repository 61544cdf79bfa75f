// Owns OpenDSS's control loop: after each converged solution every enabled RegControl and
// CapControl samples (queueing, updating or withdrawing its action), then the control mode executes
// queued actions: static the earliest ones (time stands still), event the earliest ones (time moves
// to them), time every action due at the present time (the rest wait for later steps).
import ComplexModule
import Feeder
import Kernel

/// The control loop's memory across control iterations and solves: queue, clock, control states.
struct ControlLoopState: Codable {
    var queue = ControlQueue()
    var clock: SolutionClock
    var regulators: [RegulatorState]
    var capacitorControls: [CapacitorControlState]
    /// In-service state of each capacitor step, by model index.
    var capacitorStates: [[Bool]]
    /// Each RegControl's transformer and windings, each CapControl's capacitor and monitored
    /// element (nil: disabled), resolved when the solver is set up.
    var regulatorGeometries: [RegulatorGeometry?] = []
    var capacitorTargets: [CapacitorTarget?] = []

    init(model: FeederModel) {
        capacitorStates = model.capacitors.map(\.states)
        clock = SolutionClock(hours: model.options.startHour, seconds: model.options.startSecond)
        regulators = model.regControls.map { _ in RegulatorState() }
        // OpenDSS sets LastOpenTime to −DeadTime when the control is created, i.e. with the default
        // dead time of 300 s, whatever `deadtime=` says later.
        capacitorControls = model.capControls.map { _ in CapacitorControlState(lastOpenSeconds: -300) }
    }
}

/// What one pass of the control loop did.
struct ControlPass {
    /// True when the loop is done (nothing queued in static/event mode, nothing due in time mode).
    var done: Bool
    /// Actions that moved a tap or switched a capacitor.
    var changes: Int
}

extension PowerFlowSolver {
    /// OpenDSS's Sample_DoControlActions, run after a converged solution.
    func sampleAndDoControlActions() throws -> ControlPass {
        guard settings.controlMode != .off else { return ControlPass(done: true, changes: 0) }
        try sampleControls()
        return try doControlActions()
    }

    /// Every enabled RegControl and CapControl samples the present voltages (queueing, updating or
    /// withdrawing its action). Changes nothing but `controls`.
    func sampleControls() throws {
        materializeVoltages()
        let model = network.model
        for k in model.regControls.indices where model.regControls[k].enabled { try sampleRegulator(k) }
        for k in model.capControls.indices where model.capControls[k].enabled { try sampleCapacitorControl(k) }
    }

    /// The second half of Sample_DoControlActions: executes what the control mode lets run now.
    func doControlActions() throws -> ControlPass {
        switch settings.controlMode {
        case .off:
            return ControlPass(done: true, changes: 0)
        case .static, .event:
            guard let first = controls.queue.entries.first else { return ControlPass(done: true, changes: 0) }
            if settings.controlMode == .event { controls.clock = SolutionClock(hour: first.hour, seconds: first.seconds) }
            let (_, changes) = try executeActions(dueBy: first.timeSeconds)
            return ControlPass(done: false, changes: changes)
        case .time:
            let (popped, changes) = try executeActions(dueBy: controls.clock.totalSeconds)
            return ControlPass(done: popped == 0, changes: changes)
        }
    }

    /// Pops and executes every queued action due by `timeSeconds` (including ones the executed
    /// actions queue for that time); returns how many ran and how many changed the network.
    func executeActions(dueBy timeSeconds: Double) throws -> (popped: Int, changes: Int) {
        var popped = 0, changes = 0
        while let entry = controls.queue.pop(dueBy: timeSeconds) {
            popped += 1
            let changed: Bool
            switch entry.owner {
            case let .regulator(k): changed = try executeRegulatorAction(k, entry.action)
            case let .capacitor(k): changed = try executeCapacitorAction(k)
            }
            if changed { changes += 1 }
        }
        return (popped, changes)
    }

    /// The solution clock the controls queue their actions on (daily/yearly runs advance it).
    public var solutionClock: SolutionClock {
        get { controls.clock }
        set { controls.clock = newValue }
    }

    /// Sets up the controls before the first solve: resolves what they act on, applies `tapnum=`.
    /// (Capacitor terminals start closed, as OpenDSS's CapControl set-up leaves them.)
    func initializeControls() throws {
        controls.regulatorGeometries = try network.model.regControls.map { try resolveRegulatorGeometry($0) }
        controls.capacitorTargets = try network.model.capControls.map { try resolveCapacitorTarget($0) }
        try applyInitialTapNumbers()
    }

    /// OpenDSS's DoResetControls, which `Set mode=` runs: every enabled RegControl drops its pending
    /// tap change and is disarmed; every enabled CapControl is reset (see `resetCapacitorControl`).
    /// The queue and the taps stay as they are. Daily and yearly runs start with it.
    public func resetControls() {
        let model = network.model
        for k in model.regControls.indices where model.regControls[k].enabled {
            controls.regulators[k].pendingTapChange = 0
            controls.regulators[k].armed = false
        }
        for k in model.capControls.indices where model.capControls[k].enabled { resetCapacitorControl(k) }
    }

    /// Whether the named capacitor's terminal is closed (its in-service steps then count).
    public func capacitorIsClosed(named name: String) -> Bool? {
        network.model.capacitors.firstIndex { $0.name == name.lowercased() }.map { capacitorClosed[$0] }
    }

    /// Present tap (per unit) of every winding of the named transformer.
    public func transformerTaps(named name: String) -> [Double]? {
        network.model.transformerIndex(named: name.lowercased()).map { taps[$0] }
    }
}
