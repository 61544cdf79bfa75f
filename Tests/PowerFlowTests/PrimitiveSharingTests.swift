// Owns the check of primitive sharing while a network is built (Elements/PrimitiveCache.swift):
// every line and transformer primitive in a built network equals, bit for bit, the primitive
// computed for that element alone, on feeders where many elements share one.
import Foundation
import Testing
import TestSupport
import Feeder
@testable import PowerFlow

@Suite struct PrimitiveSharingTests {
    static func bits(_ m: DenseComplexMatrix) -> [UInt64] {
        m.entries.flatMap { [$0.real.bitPattern, $0.imaginary.bitPattern] }
    }

    /// Checks every line and transformer of `network` against its own computation; returns how
    /// many elements share their matrix storage with an earlier element.
    static func checkAgainstOwnPrimitives(_ network: Network, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let model = network.model
        var shared = 0
        var seen = Set<UnsafeRawPointer>()
        for e in network.delivery {
            switch e.kind {
            case .line:
                let line = model.lines[e.modelIndex]
                let code = line.lineCode.flatMap { name in model.lineCodes.first { $0.name == name } }
                let own = try Primitives.line(line, code: code, frequencyHertz: network.frequencyHertz)
                #expect(bits(e.yPrim) == bits(own), "\(e.name)", sourceLocation: sourceLocation)
            case .transformer:
                let t = model.transformers[e.modelIndex]
                let own = try Primitives.transformerPrimitives(t, taps: t.windings.map(\.tap))
                #expect(bits(e.yPrim) == bits(own.full), "\(e.name)", sourceLocation: sourceLocation)
                #expect(bits(try #require(e.yPrimNoLoad)) == bits(own.noLoad), "\(e.name)", sourceLocation: sourceLocation)
            default:
                continue
            }
            let storage = e.yPrim.entries.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
            if !seen.insert(storage).inserted { shared += 1 }
        }
        return shared
    }

    @Test func sharedPrimitivesEqualOwnOnIEEE8500() throws {
        guard let path = SharedData.path("feeders/ieee8500/8500-Node/Master.dss") else { return }
        let network = try Network(model: FeederImporter.compile(path: path))
        // The service transformers (one XfmrCode each) and drops (one code and length) share.
        #expect(try Self.checkAgainstOwnPrimitives(network) > 1_000)
    }

    @Test func elementsThatDifferInOneInputDoNotShare() throws {
        let script = """
            New Circuit.share basekv=12.47 bus1=src
            New Linecode.c nphases=1 r1=0.1 x1=0.2 units=km
            New Line.a bus1=src.1 bus2=b.1 phases=1 linecode=c length=1 units=km
            New Line.b bus1=b.1 bus2=c.1 phases=1 linecode=c length=1 units=km
            New Line.c bus1=c.1 bus2=d.1 phases=1 linecode=c length=1 units=m
            New Line.d bus1=d.1 bus2=e.1 phases=1 linecode=c length=2 units=km
            New Transformer.t1 phases=1 windings=2 buses=[src.2 g.1] kvs=[7.2 0.24] kvas=[25 25] xhl=2
            New Transformer.t2 phases=1 windings=2 buses=[src.2 h.1] kvs=[7.2 0.24] kvas=[25 25] xhl=2
            New Transformer.t3 phases=1 windings=2 buses=[src.2 i.1] kvs=[7.2 0.24] kvas=[25 25] xhl=2 taps=[1 1.0125]
            New Load.g bus1=g.1 phases=1 kv=0.24 kw=1
            New Load.h bus1=h.1 phases=1 kv=0.24 kw=1
            New Load.i bus1=i.1 phases=1 kv=0.24 kw=1
            Set voltagebases=[12.47 0.24]
            """
        let network = try Network(model: FeederImporter.compile(script: script, baseDirectory: NSTemporaryDirectory()))
        // a and b share (same code, length, units); t1 and t2 share; c, d and t3 differ in one input.
        #expect(try Self.checkAgainstOwnPrimitives(network) == 2)
    }
}
