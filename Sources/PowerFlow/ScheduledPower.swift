// Owns reading back the powers the solver will use in its next solve, so a co-simulation can take
// a feeder's own load shapes as the baseline and change only what its market changes, and the
// powers elements drew in the last solve (what their meters measure).

extension PowerFlowSolver {
    /// The power element `name` ("Load.x", "Generator.x", "PVSystem.x", or a bare load name) will
    /// draw in the next solve: kW and kvar, consumption positive, generation negative.
    public func scheduledPower(named name: String) throws -> (kilowatts: Double, kilovars: Double) {
        guard let index = conversionIndex(named: name) else { throw PowerFlowError.unknownElement(name) }
        return (activeKilowatts[index], activeKilovars[index])
    }
}

extension PowerFlowSolver {
    /// The power element `name` drew in the last solve, at its solved voltages: kW and kvar,
    /// consumption positive, generation negative. It differs from `scheduledPower` where the
    /// element's model depends on voltage (constant impedance outside vminpu…vmaxpu, ZIP loads),
    /// which is what a meter at the element would measure.
    public func solvedPower(named name: String) throws -> (kilowatts: Double, kilovars: Double) {
        guard let index = conversionIndex(named: name) else { throw PowerFlowError.unknownElement(name) }
        return solvedPower(index: index)
    }

    /// `solvedPower(named:)` by the element's index (`conversionIndex(named:)`), for loops that
    /// resolve their elements once.
    public func solvedPower(index: Int) -> (kilowatts: Double, kilovars: Double) {
        let power = conversionPower(index)
        return (power.real / 1000, power.imaginary / 1000)
    }
}

extension PowerFlowSolver {
    /// Per-unit voltage magnitude at the first conductor of element `name` (a single-phase home's
    /// meter point), from the last solve.
    public func terminalVoltagePerUnit(named name: String) throws -> Double {
        guard let index = conversionIndex(named: name), let perUnit = terminalVoltagePerUnit(index: index) else {
            throw PowerFlowError.unknownElement(name)
        }
        return perUnit
    }

    /// `terminalVoltagePerUnit(named:)` by the element's index; nil for an element with no node.
    public func terminalVoltagePerUnit(index: Int) -> Double? {
        network.conversion[index].conductorNodes.first(where: { $0 >= 0 }).map(voltagePerUnit(node:))
    }

    /// The phase (1, 2, 3 for A, B, C) that element `index`'s first conductor sits on, from the last
    /// solve's voltage angles: how many steps of 120° it lags the source's first node. Works through
    /// single-phase service cables whose home bus is numbered `.1`; a transformer's ±30° shift and
    /// the angle of the voltage drop stay well inside ±60°. Nil before a solve or without a source.
    public func terminalPhase(index: Int) -> Int? {
        guard let node = network.conversion[index].conductorNodes.first(where: { $0 >= 0 }),
              let source = network.sourceCurrents.first?.node else { return nil }
        let voltages = self.voltages
        guard node < voltages.count, source < voltages.count, voltages[node].length > 0, voltages[source].length > 0 else { return nil }
        let lagSteps = (voltages[source].phase - voltages[node].phase) * 180 / Double.pi / 120
        guard lagSteps.isFinite else { return nil }
        return (Int(lagSteps.rounded()) % 3 + 3) % 3 + 1
    }
}

extension PowerFlowSolver {
    /// LV nodes of `area` whose voltage is outside `limit` after the last solve, in node order.
    public func limitViolations(area: MeasurementArea, limit: VoltageLimits) -> [(node: String, perUnit: Double)] {
        area.lowVoltageNodes.compactMap { node in
            let perUnit = voltagePerUnit(node: node)
            guard perUnit < limit.lowPerUnit || perUnit > limit.highPerUnit else { return nil }
            return (network.nodeName(node), perUnit)
        }
    }
}
