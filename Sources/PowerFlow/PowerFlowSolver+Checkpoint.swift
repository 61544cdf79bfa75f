// Owns what a checkpoint keeps of the power-flow solver: the voltages the next solve starts from
// (and the pending reduced solve they may still be folded into), the element powers (each element's
// derived state is recomputed from them), transformer
// taps, capacitor steps, the control queue with its delays and clock, and the Anderson history
// carried between solves. The network, its pattern and the KLU symbolic analysis follow from the
// feeder; the numeric factorization is redone from the restored taps and capacitors with the
// pivot order the fresh solver fixed at set-up, so it equals the recorded run's bit for bit.
import Kernel

extension PowerFlowSolver {
    /// The solver's changing state, in the canonical checkpoint encoding.
    public struct CheckpointState: Codable, Sendable {
        /// Node voltages, interleaved real and imaginary parts (V).
        var voltagesInterleaved: [Double]
        var voltagesStale: Bool
        var pendingInjectionRe: [Double], pendingInjectionIm: [Double]
        var reducedVoltagesRe: [Double], reducedVoltagesIm: [Double]
        var activeKilowatts: [Double]
        var activeKilovars: [Double]
        var taps: [[Double]]
        var capacitorClosed: [Bool]
        var controls: ControlLoopState
        var carriedHistory: AndersonHistory?
        var matrixIsCurrent: Bool
        var factorizationCount: Int
    }

    /// The state to store (between time steps).
    public var checkpointState: CheckpointState {
        var interleaved = [Double]()
        interleaved.reserveCapacity(2 * voltageStorage.count)
        for v in voltageStorage { interleaved.append(v.real); interleaved.append(v.imaginary) }
        return CheckpointState(
            voltagesInterleaved: interleaved, voltagesStale: voltagesStale,
            pendingInjectionRe: pendingInjection.re, pendingInjectionIm: pendingInjection.im,
            reducedVoltagesRe: reducedVoltages.re, reducedVoltagesIm: reducedVoltages.im,
            activeKilowatts: activeKilowatts, activeKilovars: activeKilovars, taps: taps,
            capacitorClosed: capacitorClosed, controls: controls, carriedHistory: carriedHistory,
            matrixIsCurrent: matrixIsCurrent, factorizationCount: factorizationCount)
    }

    /// Puts a stored state into a solver freshly built from the same feeder and settings.
    /// Throws when the state does not fit the network (other sizes).
    public func restore(_ state: CheckpointState) throws {
        let n = network.nodeCount, m = network.conversion.count
        guard state.voltagesInterleaved.count == 2 * n, state.activeKilowatts.count == m,
              state.activeKilovars.count == m, state.taps.count == taps.count, state.capacitorClosed.count == capacitorClosed.count,
              zip(state.taps, taps).allSatisfy({ $0.count == $1.count }),
              state.controls.capacitorStates.count == controls.capacitorStates.count,
              state.controls.regulators.count == controls.regulators.count,
              state.controls.capacitorControls.count == controls.capacitorControls.count else {
            throw CheckpointCodingError("grid: the checkpoint's solver state does not fit this feeder's network")
        }
        for (transformer, windingTaps) in state.taps.enumerated() where windingTaps != taps[transformer] {
            taps[transformer] = windingTaps
            try network.updateTransformer(modelIndex: transformer, taps: windingTaps)
        }
        for capacitor in capacitorClosed.indices
        where state.capacitorClosed[capacitor] != capacitorClosed[capacitor]
            || state.controls.capacitorStates[capacitor] != controls.capacitorStates[capacitor] {
            capacitorClosed[capacitor] = state.capacitorClosed[capacitor]
            network.setCapacitor(modelIndex: capacitor, closed: state.capacitorClosed[capacitor],
                                 states: state.controls.capacitorStates[capacitor])
        }
        controls = state.controls
        activeKilowatts = state.activeKilowatts
        activeKilovars = state.activeKilovars
        // Each element's state is a function of its present power (`updateState` is its only writer).
        for index in 0..<m { updateState(index) }
        // Refactor now when the recorded run held a current factorization (same values, same pivots),
        // so that the history carried with it stays valid; otherwise the next solve refactors as it did.
        matrixIsCurrent = false
        stampCache = nil
        voltagesStale = false
        if state.matrixIsCurrent { try refreshMatrix() }
        voltageStorage = stride(from: 0, to: 2 * n, by: 2).map { CDouble(state.voltagesInterleaved[$0], state.voltagesInterleaved[$0 + 1]) }
        voltagesStale = state.voltagesStale
        pendingInjection = (state.pendingInjectionRe, state.pendingInjectionIm)
        reducedVoltages = (state.reducedVoltagesRe, state.reducedVoltagesIm)
        carriedHistory = state.carriedHistory
        factorizationCount = state.factorizationCount
    }
}
