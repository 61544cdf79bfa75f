// Owns how a Load enters the network: its branches, base voltage, nominal power under the load
// multiplier and status, model data (CVR exponents, fixed kvar) and neutral admittance.
import ComplexModule
import Feeder
import Kernel

extension Network {
    mutating func addLoad(_ i: Int) throws {
        let l = model.loads[i]
        guard l.enabled else { return }
        let (n, branches, pairs) = conversionTopology(bus: l.bus1, phases: l.phases, connection: l.connection)
        let vBase = Self.baseVolts(kilovolts: l.kilovolts, phases: l.phases, connection: l.connection)
        // Set loadmult scales variable loads (OpenDSS's Factor); fixed and exempt loads ignore it.
        let factor = l.status == .variable ? model.options.loadMultiplier : 1
        let p = l.kilowatts * factor, q = l.nominalKilovars * factor
        let y = CDouble(p * 1000 / Double(l.phases), -q * 1000 / Double(l.phases)) / (vBase * vBase)
        var element = ConversionElement(
            name: "Load." + l.name, kind: .load, modelIndex: i, branches: branches, branchConductors: pairs, conductorNodes: n,
            phases: l.phases, baseVolts: vBase, loadModel: l.model, zipv: l.zipv ?? [],
            voltageMinPerUnit: l.voltageMinPerUnit, voltageMaxPerUnit: l.voltageMaxPerUnit,
            voltageLowPerUnit: l.voltageLowPerUnit, yBranch: y, nominalKilowatts: p, nominalKilovars: q,
            dailyShape: l.isFixed ? nil : shapeIndex(l.daily), yearlyShape: l.isFixed ? nil : shapeIndex(l.yearly ?? l.daily))
        element.cvrWatts = l.cvrWatts
        element.cvrVars = l.cvrVars
        element.fixedVarsPerBranch = l.kilovars * 1000 / Double(l.phases)
        if l.connection == .wye {
            element.neutralShunt = Self.neutralShunt(load: l, branchAdmittance: y)
        }
        conversion.append(element)
        if l.model == 8 && (l.zipv?.count ?? 0) != 7 {
            throw PowerFlowError.invalidElement("Load.\(l.name)", "model 8 needs ZIPV with 7 values")
        }
    }

    /// YNeut of a wye load, and the 1e-6 nudge OpenDSS gives a floating neutral's diagonal.
    static func neutralShunt(load l: Load, branchAdmittance y: CDouble) -> CDouble {
        if l.neutralResistanceOhms < 0 { return y * (Double(l.phases) * 1e-6) }
        if l.neutralResistanceOhms == 0 && l.neutralReactanceOhms == 0 { return CDouble(1e6, 0) }
        return CDouble.one / CDouble(l.neutralResistanceOhms, l.neutralReactanceOhms)
    }
}
