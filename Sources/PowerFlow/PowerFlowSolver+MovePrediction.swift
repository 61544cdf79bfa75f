// Owns the starting point of a control round. A tap or capacitor move shifts the fixed point by
// the network's response to it, which the fixed-point iteration otherwise has to find from scratch
// (five to eight iterations per round on IEEE 8500). That response is nearly linear in the move and
// nearly the same from one hour to the next, so it is learned: after a round that followed the move
// of one element, the change of the node voltages between the two rounds' ends, per unit of the
// move (taps per unit, capacitor steps), is that element's response. A later round after moves of
// known elements starts from the last round's end plus their responses times the moves. Likewise a
// time step's first round, when it starts where the last solve ended at the same Y: the change of
// the voltages over the last such first round per kW of total load is the load response, and the
// step starts from the last end plus that response times the change of the total load.
// Only the starting point changes: the fixed point, the stopping rule and the controls' decisions
// are the iteration's, as without it (a start the responses misjudge costs iterations, nothing
// else). Learned responses are kept from one solve to the next and are not part of a checkpoint, so
// they are off unless asked for (`SolveSettings.predictControlMoves`; the co-simulation, which
// restores checkpoints, leaves it off).
import ComplexModule
import Feeder
import Kernel

/// One element's move between two control rounds: a delivery element and by how much it moved
/// (tap per unit of its tapped winding, or in-service capacitor steps).
struct ControlMove: Equatable {
    var element: Int
    var amount: Double
}

/// What the prediction remembers: each delivery element's learned response (node voltages per unit
/// of its move; empty until learned), the voltages at the end of the last round, and the moves
/// made after it.
struct MovePredictor {
    var responses: [[CDouble]]
    var lastRoundEnd: [CDouble] = []
    var pendingMoves: [ControlMove] = []
    /// The voltages the last solve ended with and its total load (kW); the learned response of the
    /// voltages per kW of total load (empty until learned); the load change since the last solve
    /// when this solve starts from its end at the same Y (0 otherwise: nothing learned or predicted).
    var solveEnd: [CDouble] = []
    var solveEndKilowatts = 0.0
    var loadResponse: [CDouble] = []
    var loadChangeKilowatts = 0.0

    init(deliveryElements: Int) {
        responses = [[CDouble]](repeating: [], count: deliveryElements)
    }
}

/// The settings the control moves change, to tell the moves of one round from a copy taken before.
struct ControlSettingsSnapshot {
    var taps: [[Double]]
    var capacitorClosed: [Bool]
    var capacitorStates: [[Bool]]
}

extension PowerFlowSolver {
    /// The present taps and capacitor states.
    var controlSettingsSnapshot: ControlSettingsSnapshot {
        ControlSettingsSnapshot(taps: taps, capacitorClosed: capacitorClosed, capacitorStates: controls.capacitorStates)
    }

    /// The moves since `before` of the delivery elements `moved` (each once, in element order).
    func controlMoves(of moved: [Int], since before: ControlSettingsSnapshot) -> [ControlMove] {
        var moves: [ControlMove] = []
        for k in Set(moved).sorted() {
            let element = network.delivery[k]
            let amount: Double
            switch element.kind {
            case .transformer:
                let t = element.modelIndex
                amount = zip(taps[t], before.taps[t]).reduce(0) { $0 + ($1.0 - $1.1) }
            case .capacitor:
                let c = element.modelIndex
                func steps(_ closed: Bool, _ states: [Bool]) -> Int { closed ? states.reduce(0) { $0 + ($1 ? 1 : 0) } : 0 }
                amount = Double(steps(capacitorClosed[c], controls.capacitorStates[c])
                                - steps(before.capacitorClosed[c], before.capacitorStates[c]))
            default:
                continue
            }
            if amount != 0 { moves.append(ControlMove(element: k, amount: amount)) }
        }
        return moves
    }

    /// At a solve's start: sets the predictor up (or drops it when switched off); no moves pending.
    /// When the solve starts where the last one ended, at the same Y but another load, the start
    /// moves by the learned load response times the change of the total load; not when the step
    /// predictor already moved the start (`stepPredicted`: the voltages are no longer that end).
    func preparePrediction(stepPredicted: Bool = false) {
        guard settings.predictControlMoves else {
            movePredictor = nil
            return
        }
        if movePredictor?.responses.count != network.delivery.count {
            movePredictor = MovePredictor(deliveryElements: network.delivery.count)
        }
        guard var predictor = movePredictor.take() else { return }
        defer { movePredictor = predictor }
        predictor.pendingMoves = []
        predictor.loadChangeKilowatts = 0
        let change = activeKilowatts.reduce(0, +) - predictor.solveEndKilowatts
        guard iteratesFull, !stepPredicted, matrixIsCurrent, !voltagesStale, change != 0, change.isFinite,
              predictor.solveEnd == voltageStorage else { return }
        predictor.loadChangeKilowatts = change
        guard predictor.loadResponse.count == voltageStorage.count else { return }
        movePredictionCount += 1
        Self.addScaled(predictor.loadResponse, by: change, into: &voltageStorage)
    }

    /// After a solve's first round: learns the load response when the solve started from the last
    /// one's end at the same Y (`preparePrediction`); at a solve's end: keeps that end.
    func learnLoadResponse() {
        guard var predictor = movePredictor.take() else { return }
        defer { movePredictor = predictor }
        let change = predictor.loadChangeKilowatts
        guard change != 0, predictor.solveEnd.count == voltageStorage.count else { return }
        // Written over the last response's storage: no new array per step.
        Self.responseOfChange(from: predictor.solveEnd, to: voltageStorage, scale: 1 / change, into: &predictor.loadResponse)
    }

    /// `response` = (`end` − `start`) × `scale` elementwise (equal sizes), reusing its storage.
    static func responseOfChange(from start: [CDouble], to end: [CDouble], scale: Double, into response: inout [CDouble]) {
        precondition(start.count == end.count, "response sizes")
        if response.count != end.count { response = [CDouble](repeating: .zero, count: end.count) }
        start.withUnsafeBufferPointer { a in
            end.withUnsafeBufferPointer { b in
                response.withUnsafeMutableBufferPointer { r in
                    for i in r.indices { r[i] = (b[i] - a[i]) * scale }
                }
            }
        }
    }

    /// At a solve's end: keeps its voltages and total load for the next solve's start.
    func keepSolveEnd() {
        guard movePredictor != nil, !voltagesStale else { return }
        movePredictor?.solveEnd = voltageStorage
        movePredictor?.solveEndKilowatts = activeKilowatts.reduce(0, +)
    }

    /// At the end of a round (its voltages in `voltageStorage`): learns the response of the one
    /// element moved before it, if only one was.
    func learnMoveResponse() {
        guard var predictor = movePredictor.take() else { return }
        defer { movePredictor = predictor }
        guard predictor.pendingMoves.count == 1, predictor.lastRoundEnd.count == voltageStorage.count else { return }
        let move = predictor.pendingMoves[0]
        let scale = 1 / move.amount
        Self.responseOfChange(from: predictor.lastRoundEnd, to: voltageStorage, scale: scale,
                              into: &predictor.responses[move.element])
    }

    /// `target` += `vector` × `factor` elementwise (equal sizes).
    static func addScaled(_ vector: [CDouble], by factor: Double, into target: inout [CDouble]) {
        precondition(vector.count == target.count, "response sizes")
        vector.withUnsafeBufferPointer { x in
            target.withUnsafeMutableBufferPointer { y in
                for i in y.indices { y[i] = y[i] + x[i] * factor }
            }
        }
    }

    /// Before a round's actions: keeps its end voltages (after the actions, `noteMoves` keeps the moves).
    func keepRoundEnd() {
        movePredictor?.lastRoundEnd = voltageStorage
    }

    /// After a round's actions: the moves made, for the next round's start and what it learns.
    func noteMoves(since before: ControlSettingsSnapshot) {
        guard movePredictor != nil else { return }
        movePredictor?.pendingMoves = controlMoves(of: movedDeliveryElements, since: before)
    }

    /// At the start of a round after moves: the last round's end plus the learned responses of the
    /// moved elements times their moves (elements not learned yet add nothing).
    func predictMoveResponse() {
        guard let predictor = movePredictor, predictor.lastRoundEnd.count == voltageStorage.count else { return }
        let known = predictor.pendingMoves.filter { predictor.responses[$0.element].count == voltageStorage.count }
        guard !known.isEmpty else { return }
        movePredictionCount += 1
        for move in known { Self.addScaled(predictor.responses[move.element], by: move.amount, into: &voltageStorage) }
    }
}
