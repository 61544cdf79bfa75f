// Owns how a PVSystem (simple model) enters the network: available power, kVA limit, pf.
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addPV(_ i: Int) throws {
        let p = model.pvSystems[i]
        guard p.enabled else { return }
        guard p.cutOutPercent == p.cutInPercent else {
            throw PowerFlowError.invalidElement("PVSystem.\(p.name)", "%cutout different from %cutin (a hysteresis band) is not modelled")
        }
        let (n, branches, pairs) = conversionTopology(bus: p.bus1, phases: p.phases, connection: p.connection)
        let vBase = Self.baseVolts(kilovolts: p.kilovolts, phases: p.phases, connection: p.connection)
        var element = ConversionElement(
            name: "PVSystem.\(p.name)", kind: .pvSystem, modelIndex: i, branches: branches, branchConductors: pairs, conductorNodes: n,
            phases: p.phases, baseVolts: vBase, loadModel: 1, zipv: [],
            voltageMinPerUnit: p.voltageMinPerUnit, voltageMaxPerUnit: p.voltageMaxPerUnit,
            voltageLowPerUnit: 0, yBranch: .zero, nominalKilowatts: 0, nominalKilovars: 0,
            dailyShape: shapeIndex(p.daily), yearlyShape: shapeIndex(p.yearly ?? p.daily),
            pvPeakKilowatts: p.peakKilowatts * p.irradiance, pvKilovoltAmperes: p.kilovoltAmperes,
            pvPowerFactor: p.reactiveSpec == .kilovars ? nil : p.powerFactor,
            pvKilovars: p.reactiveSpec == .kilovars ? p.kilovars : nil, pvCutInPercent: p.cutInPercent)
        let (kw, kvar) = element.pvOutput(availableKilowatts: p.peakKilowatts * p.irradiance)
        element.nominalKilowatts = -kw
        element.nominalKilovars = -kvar
        conversion.append(element)
    }
}
