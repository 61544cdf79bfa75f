// Owns adversarial participants: the strategies, the seeded choice of who misbehaves (the ground
// truth CoSim writes into the trace header; the audit must never read it), and how each strategy
// distorts a declaration.
import Kernel

/// How an adversary lies.
public enum AdversaryStrategy: String, Sendable, CaseIterable {
    /// Declares more surplus than it forecasts (and asks the feed-in price) to win trades it cannot deliver.
    case overstatingSeller = "overstating_seller"
    /// Declares demand it does not take (and bids the retail price) to win trades.
    case phantomBuyer = "phantom_buyer"
}

/// Which participants misbehave, and how hard.
public struct AdversaryConfiguration: Sendable, Equatable {
    /// Fraction of participants that are adversaries, 0…1 (rounded to the nearest count).
    public var fraction: Double
    /// Strategies handed out round-robin over the chosen participants.
    public var strategies: [AdversaryStrategy]
    /// An overstating seller declares `factor ·` its forecast surplus plus `extra` kWh.
    public var overstatementFactor: Double
    public var overstatementExtraKilowattHours: Double
    /// A phantom buyer adds this much demand, kWh per interval.
    public var phantomDemandKilowattHours: Double
    /// Probability that an adversary lies in a given interval (deliberate and repeated, not constant).
    public var activityProbability: Double

    public init(fraction: Double = 0, strategies: [AdversaryStrategy] = AdversaryStrategy.allCases,
                overstatementFactor: Double = 1.5, overstatementExtraKilowattHours: Double = 0.1,
                phantomDemandKilowattHours: Double = 0.2, activityProbability: Double = 0.9) {
        precondition(fraction >= 0 && fraction <= 1, "adversary fraction must be in 0…1")
        precondition(!strategies.isEmpty || fraction == 0, "adversaries need at least one strategy")
        precondition(activityProbability >= 0 && activityProbability <= 1, "activity probability must be in 0…1")
        self.fraction = fraction
        self.strategies = strategies
        self.overstatementFactor = overstatementFactor
        self.overstatementExtraKilowattHours = overstatementExtraKilowattHours
        self.phantomDemandKilowattHours = phantomDemandKilowattHours
        self.activityProbability = activityProbability
    }
}

/// Ground truth: one adversarial participant and its strategy.
public struct AdversaryAssignment: Sendable, Equatable {
    public var participant: Int
    public var strategy: AdversaryStrategy

    public var json: CanonicalJSON { ["participant": .int(Int64(participant)), "strategy": .string(strategy.rawValue)] }
}

/// Chooses the adversaries from the stream `"adversaries"` of the root seed, sorted by participant.
///
/// `hasPV[p]`, when given, says whether participant p can ever sell: one without PV has no surplus
/// to overstate, so where round-robin would make it an overstating seller it gets the next
/// configured strategy it can follow instead (or, with only that strategy configured, is not an
/// adversary) — an "adversary" that never lies would be ground truth no audit could find.
public func chooseAdversaries(participantCount: Int, configuration: AdversaryConfiguration,
                              rootSeed: UInt64, hasPV: [Bool]? = nil) -> [AdversaryAssignment] {
    let count = min(participantCount, Int((configuration.fraction * Double(participantCount)).rounded(.toNearestOrAwayFromZero)))
    guard count > 0 else { return [] }
    var rng = SeedStreams(rootSeed: rootSeed).stream("adversaries")
    var participants = Array(0..<participantCount)
    rng.shuffle(&participants)
    let chosen = participants.prefix(count).sorted()
    return chosen.enumerated().compactMap { index, participant in
        let strategy = configuration.strategies[index % configuration.strategies.count]
        guard strategy == .overstatingSeller, let hasPV, !hasPV[participant] else {
            return AdversaryAssignment(participant: participant, strategy: strategy)
        }
        return configuration.strategies.first { $0 != .overstatingSeller }.map { AdversaryAssignment(participant: participant, strategy: $0) }
    }
}

/// The declared net energy (kWh, + = buy) an adversary reports instead of its honest forecast.
public func adversarialDeclaration(honestForecastKilowattHours forecast: Double, strategy: AdversaryStrategy,
                                   configuration: AdversaryConfiguration) -> Double {
    switch strategy {
    case .overstatingSeller:
        guard forecast < 0 else { return forecast }
        return forecast * configuration.overstatementFactor - configuration.overstatementExtraKilowattHours
    case .phantomBuyer:
        return forecast + configuration.phantomDemandKilowattHours
    }
}
