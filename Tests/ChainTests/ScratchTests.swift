import Testing
import Kernel
@testable import Chain

@Suite struct ScratchTests {
    @Test func scratchIdeal() throws {
        for ratio in [0.001, 0.01, 0.1] {
            var c = ChainConfiguration()
            c.nodeCount = 10; c.minerCount = 10; c.degree = 3
            c.delayMilliseconds = 1000
            c.blockIntervalSeconds = 1000 / ratio / 1000
            c = c.idealized()
            var sim = try ChainSimulator(configuration: c, seed: 1, log: EventLog(isEnabled: false))
            sim.stopMining(afterBlocks: 20000)
            sim.runToCompletion()
            let s = sim.statistics
            let theory = 1 - exponent(-ratio * 9 / 10)
            print(ratio, s.blocksMined, s.forks, s.orphans, s.forkRate, s.orphanRate, theory, s.nodeReorgs)
        }
    }
}
