// Owns checkpoints of a whole run: which interval boundaries get one, the engine state there (market,
// chain, grid, the shadow EV controllers and the co-simulation's timing stream) as canonical bytes,
// and putting such bytes back into a run freshly built from the same trace header.
import Chain
import Crypto
import Kernel
import Market
import PowerFlow

/// The state of a whole run between two intervals: what a replay needs to go on from there.
struct EngineCheckpoint: Codable {
    /// The version of this encoding; a reader refuses any other.
    static let encodingVersion = 1
    var encodingVersion: Int
    /// The interval that runs next.
    var interval: Int
    var variant: String
    var market: MarketSession.CheckpointState
    var chain: ChainSimulator.CheckpointState?
    var grid: PowerFlowSolver.CheckpointState
    var shadowEVDeliveredKilowattHours: [[Double]]
    var timing: Xoshiro256StarStar
    var homePhases: [Int]
}

/// A checkpoint's canonical bytes, handed to the sink with the interval whose `checkpoint` event names them.
public struct CheckpointBytes: Sendable {
    /// The interval that runs next from this state.
    public var interval: Int
    /// The canonical (uncompressed) state bytes.
    public var bytes: [UInt8]
}

/// Why a stored checkpoint cannot be used.
public struct CheckpointDamage: Error, CustomStringConvertible, Sendable {
    public var seq: Int64
    public var reason: String
    public var description: String { "checkpoint at seq \(seq): \(reason)" }

    public init(seq: Int64, reason: String) {
        self.seq = seq
        self.reason = reason
    }
}

extension VariantRun {
    /// Whether a checkpoint follows interval `boundary − 1` (never after the last one).
    func isCheckpointBoundary(_ boundary: Int) -> Bool {
        let every = scenario.checkpointEveryIntervals
        return every > 0 && boundary % every == 0 && boundary < scenario.intervals
    }

    /// The run's state now, before interval `interval` runs, as canonical bytes.
    func checkpointBytes(interval: Int) throws -> [UInt8] {
        let checkpoint = EngineCheckpoint(
            encodingVersion: EngineCheckpoint.encodingVersion, interval: interval, variant: variant.rawValue,
            market: market.checkpointState, chain: chain?.checkpointState, grid: solver.checkpointState,
            shadowEVDeliveredKilowattHours: shadowEV.map(\.delivered), timing: timing, homePhases: homePhases)
        return try CheckpointEncoder.encode(checkpoint)
    }

    /// The `checkpoint` event naming `bytes` (size and SHA-256), at the start of interval `interval`.
    func checkpointEvent(interval: Int, bytes: [UInt8]) -> EventRecord {
        let time = SimTime(milliseconds: Int64(interval) * IntervalTiming.intervalMilliseconds)
        return EventRecord(time: time, actor: "cosim", CheckpointEvent(
            interval: interval, variant: variant.rawValue, stateBytes: bytes.count,
            stateSHA256: hexString(Array(SHA256.hash(data: bytes)))))
    }

    /// Puts the state a `checkpoint` event (at `seq`) names into this run, which must be freshly built
    /// from the same trace header. `bytes` are the stored state, already decompressed. Throws
    /// `CheckpointDamage` when they do not match the event's digest or do not decode to this run's state.
    public mutating func restore(event: CheckpointEvent, bytes: [UInt8], seq: Int64) throws(CheckpointDamage) {
        func damage(_ reason: String) -> CheckpointDamage { CheckpointDamage(seq: seq, reason: reason) }
        guard bytes.count == event.stateBytes, hexString(Array(SHA256.hash(data: bytes))) == event.stateSHA256 else {
            throw damage("the stored state does not match the SHA-256 and size its event records")
        }
        guard event.variant == variant.rawValue, (1..<scenario.intervals).contains(event.interval) else {
            throw damage("it is of the \(event.variant) run at interval \(event.interval), not of this \(variant.rawValue) run")
        }
        let state: EngineCheckpoint
        do {
            state = try CheckpointDecoder.decode(EngineCheckpoint.self, from: bytes)
        } catch {
            throw damage("the state does not decode (\(error))")
        }
        guard state.encodingVersion == EngineCheckpoint.encodingVersion, state.interval == event.interval,
              state.variant == event.variant, (state.chain == nil) == (chain == nil),
              state.shadowEVDeliveredKilowattHours.count == shadowEV.count, state.homePhases.count <= homeElements.count else {
            throw damage("the state is not one of this run (encoding \(state.encodingVersion), interval \(state.interval))")
        }
        do {
            try market.restore(state.market)
            if let chainState = state.chain { try chain?.restore(chainState) }
            try solver.restore(state.grid)
            for home in shadowEV.indices { try shadowEV[home].restore(deliveredKilowattHours: state.shadowEVDeliveredKilowattHours[home]) }
        } catch {
            throw damage("\(error)")
        }
        timing = state.timing
        homePhases = state.homePhases
        firstInterval = state.interval
    }
}
