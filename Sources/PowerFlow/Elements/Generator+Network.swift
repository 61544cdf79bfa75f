// Owns how a Generator (model 1) enters the network, with Set genmult applied.
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addGenerator(_ i: Int) throws {
        var g = model.generators[i]
        guard g.enabled else { return }
        // Set genmult scales generators as OpenDSS's GenMultiplier does.
        g.kilowatts *= model.options.generatorMultiplier
        g.kilovars *= model.options.generatorMultiplier
        let (n, branches, pairs) = conversionTopology(bus: g.bus1, phases: g.phases, connection: g.connection)
        let vBase = Self.baseVolts(kilovolts: g.kilovolts, phases: g.phases, connection: g.connection)
        conversion.append(ConversionElement(
            name: "Generator.\(g.name)", kind: .generator, modelIndex: i, branches: branches, branchConductors: pairs, conductorNodes: n,
            phases: g.phases, baseVolts: vBase, loadModel: 1, zipv: [],
            voltageMinPerUnit: g.voltageMinPerUnit, voltageMaxPerUnit: g.voltageMaxPerUnit,
            voltageLowPerUnit: 0,
            // OpenDSS puts −Yeq of a model-1 generator into Y (Y := −Yeq, "negate for generation").
            yBranch: CDouble(-g.kilowatts * 1000 / Double(g.phases), g.nominalKilovars * 1000 / Double(g.phases)) / (vBase * vBase),
            nominalKilowatts: -g.kilowatts, nominalKilovars: -g.nominalKilovars,
            dailyShape: g.isFixed ? nil : shapeIndex(g.daily), yearlyShape: g.isFixed ? nil : shapeIndex(g.yearly ?? g.daily)))
    }
}
