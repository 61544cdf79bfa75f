// The synthetic feeder must be the documented network: 55 homes split 21/19/15, about 700 nodes,
// PV within 1.6–4 kW (≈180 kW in total), a radial tree, and a pure function of the seed.
import Testing
@testable import Feeder

@Suite struct SyntheticFeederTests {
    @Test func defaultFeederHasTheDocumentedShape() {
        let feeder = SyntheticFeeder(seed: 1)
        #expect(feeder.homes.count == 55)
        let perPhase = (1...3).map { phase in feeder.homes.filter { $0.phase == phase }.count }
        #expect(perPhase == [21, 19, 15])
        #expect(abs(feeder.nodeCount - 700) <= 30)
        let pvTotal = feeder.homes.reduce(0) { $0 + $1.pvKilowatts }
        #expect(pvTotal > 160 && pvTotal < 200, "PV total \(pvTotal) kW")
        #expect(feeder.homes.allSatisfy { (1.6...4.0).contains($0.pvKilowatts) && $0.evChargerKilowatts == 3 })
    }

    @Test func networkIsARadialTreeFromTheBusbar() {
        let feeder = SyntheticFeeder(seed: 9)
        var reached: Set<String> = ["lv0"]
        for line in feeder.lines {
            #expect(reached.contains(line.fromBus), "line \(line.name) starts at an unreached bus")
            #expect(!reached.contains(line.toBus), "line \(line.name) closes a loop")
            reached.insert(line.toBus)
        }
        #expect(reached.count == feeder.backboneBuses.count)
        #expect(feeder.homes.allSatisfy { reached.contains($0.backboneBus) })
    }

    @Test func feederIsAFunctionOfTheSeed() {
        #expect(SyntheticFeeder(seed: 4) == SyntheticFeeder(seed: 4))
        #expect(SyntheticFeeder(seed: 4).openDSSScript() == SyntheticFeeder(seed: 4).openDSSScript())
        #expect(SyntheticFeeder(seed: 4) != SyntheticFeeder(seed: 5))
    }

    @Test func scriptDeclaresEveryElement() {
        let feeder = SyntheticFeeder(seed: 1)
        let flat = [Double](repeating: 0.5, count: 288)
        let shapes = SyntheticShapes(intervalMinutes: 5, baseLoadKilowatts: Array(repeating: flat, count: 55),
                                     evKilowatts: Array(repeating: flat, count: 55), pvPerUnit: Array(repeating: flat, count: 55))
        let script = feeder.openDSSScript(shapes: shapes)
        let lines = script.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("New Line.") }.count == feeder.lines.count + 55)
        #expect(lines.filter { $0.hasPrefix("New Load.") }.count == 110)
        #expect(lines.filter { $0.hasPrefix("New PVSystem.") }.count == 55)
        #expect(lines.filter { $0.hasPrefix("New LoadShape.") }.count == 165)
        #expect(script.contains("kVs=[11 0.4]"))
    }
}
