// Owns the audit's statistical rule: per participant and side, the mean over-declaration (declared
// minus metered energy, signed so that positive means "declared more than it delivered or took"),
// compared with the population by median and MAD, with a minimum count, a t-statistic and a sign
// test. Pure arithmetic on a `DeclarationLedger`; never sees the ground truth.
import Kernel

/// Which side of the book a declaration was on.
public enum DeclarationSide: String, Sendable, CaseIterable {
    case buy, sell

    /// The strategy an over-declaration on this side serves: overstated surplus shows in sells,
    /// demand that is not taken shows in buys.
    public var suspectedStrategy: String { self == .sell ? "overstating_seller" : "phantom_buyer" }
}

/// The thresholds that separate deliberate, repeated misdeclaration from honest forecast error.
///
/// Per participant i and side s, over the intervals k in which i declared on side s and was
/// metered, the over-declaration is `o_k = D_k − M_k` for buys and `M_k − D_k` for sells (Wh;
/// D = declared, + buy / − sell; M = metered net, + import). Positive o means the participant
/// claimed more demand than it took, or more surplus than it exported — the only direction in which
/// a lie wins trades that cannot be honoured. Honest forecasters err both ways; the liar's o is
/// positive in most of its intervals. A side is flagged when all of these hold:
///
/// 1. `n ≥ minimumIntervals` (12 = one hour of 5-minute declarations): "repeated", and the
///    least sample on which the sign test below can reach its threshold (12 of 12 above → 3.46).
/// 2. excess `x = mean(o) − c_s ≥ minimumExcessWattHours` (20 Wh per interval, a sustained
///    0.24 kW): practical significance. `c_s` is the population median of the participants' mean
///    over-declaration on side s (robust to the liars, who are a minority). Honest per-participant
///    means stayed within 6 Wh of `c_s` in every measured run (BENCHMARKS-audit.md).
/// 3. robust z `x / max(1.4826·MAD_s, spreadFloorWattHours) ≥ robustZThreshold` (5): far outside the
///    population. The floor (4 Wh) stops a very tight honest population (MAD under 1 Wh was seen)
///    from turning a few Wh into a large z.
/// 4. t-statistic `x / (sd(o)/√n) ≥ tThreshold` (4, one-sided p ≈ 3·10⁻⁵ for normal errors): the
///    bias is consistent against the participant's own noise, not a few outliers. sd is floored
///    at 0.5 Wh (the meter's and the order's rounding to whole Wh).
/// 5. sign test `(above − below)/√(above + below) ≥ signZThreshold` (3, p ≈ 1.3·10⁻³), counting
///    intervals whose o lies more than `signDeadBandWattHours` (20 Wh) above / below `c_s`: the
///    misdeclaration recurs in many intervals ("deliberate and repeated") rather than a few huge
///    misses. Small deviations count as ties: honest errors are not symmetric about a centre that
///    is a median of means (persistence forecasts lag PV ramps), so "above the centre" is not a
///    fair coin for them. Measured: without the dead band, sellers lying in 30 % of their intervals
///    reached sign z ≈ 1–2 and were missed; with it, recall at that activity is 0.95 (BENCHMARKS-audit.md).
///
/// With fewer than `minimumPopulation` participants having enough intervals on a side, the median
/// is not trustworthy and `c_s` = 0 (an unbiased forecaster) with the floor as spread.
public struct AuditRule: Sendable, Equatable {
    public var minimumIntervals = 12
    public var minimumExcessWattHours = 20.0
    public var robustZThreshold = 5.0
    public var spreadFloorWattHours = 4.0
    public var tThreshold = 4.0
    public var standardDeviationFloorWattHours = 0.5
    public var signZThreshold = 3.0
    public var signDeadBandWattHours = 20.0
    public var minimumPopulation = 5

    public init() {}

    public static let standard = AuditRule()

    /// When a participant's side is flagged, in words (for reports).
    public var thresholdsText: String {
        func number(_ value: Double) -> String { String(format: "%g", value) }
        return "robust z ≥ \(number(robustZThreshold)), t ≥ \(number(tThreshold)), a sign test z ≥ \(number(signZThreshold)), "
            + "an excess of at least \(number(minimumExcessWattHours)) Wh and at least \(minimumIntervals) intervals"
    }

    public var json: CanonicalJSON {
        ["minimum_intervals": .int(Int64(minimumIntervals)), "minimum_excess_wh": .double(minimumExcessWattHours),
         "robust_z": .double(robustZThreshold), "spread_floor_wh": .double(spreadFloorWattHours),
         "t": .double(tThreshold), "sd_floor_wh": .double(standardDeviationFloorWattHours),
         "sign_z": .double(signZThreshold), "sign_dead_band_wh": .double(signDeadBandWattHours), "minimum_population": .int(Int64(minimumPopulation))]
    }
}

/// The population reference of one side: median and scaled MAD of participants' mean over-declaration.
public struct PopulationBaseline: Sendable, Equatable {
    public var side: DeclarationSide
    /// Participants with at least `minimumIntervals` declarations on this side.
    public var participants: Int
    public var centreWattHours: Double
    /// `max(1.4826·MAD, floor)`, Wh.
    public var spreadWattHours: Double
    /// False when the population was too small and the centre fell back to 0.
    public var fromPopulation: Bool

    public var json: CanonicalJSON {
        ["side": .string(side.rawValue), "participants": .int(Int64(participants)), "centre_wh": .double(centreWattHours),
         "spread_wh": .double(spreadWattHours), "from_population": .bool(fromPopulation)]
    }
}

/// One participant's statistics on one side.
public struct SideStatistics: Sendable, Equatable {
    public var side: DeclarationSide
    public var intervals: Int
    /// Mean over-declaration o (Wh per interval; see `AuditRule`).
    public var meanOverdeclarationWattHours: Double
    public var standardDeviationWattHours: Double
    /// mean − population centre, Wh.
    public var excessWattHours: Double
    public var robustZ: Double
    public var tStatistic: Double
    public var intervalsAbove: Int
    public var intervalsBelow: Int
    public var signZ: Double
    public var flagged: Bool

    public var json: CanonicalJSON {
        ["side": .string(side.rawValue), "intervals": .int(Int64(intervals)),
         "mean_overdeclaration_wh": .double(meanOverdeclarationWattHours), "sd_wh": .double(standardDeviationWattHours),
         "excess_wh": .double(excessWattHours), "robust_z": .double(robustZ), "t": .double(tStatistic),
         "above": .int(Int64(intervalsAbove)), "below": .int(Int64(intervalsBelow)), "sign_z": .double(signZ),
         "flagged": .bool(flagged)]
    }
}

/// Per-side sample: the over-declarations of one participant.
struct SideSample {
    var values: [Double] = []

    var mean: Double {
        var sum = 0.0
        for value in values { sum += value }
        return values.isEmpty ? 0 : sum / Double(values.count)
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    var standardDeviation: Double {
        guard values.count > 1 else { return 0 }
        let centre = mean
        var sum = 0.0
        for value in values { sum += (value - centre) * (value - centre) }
        return (sum / Double(values.count - 1)).squareRoot()
    }

    func statistics(side: DeclarationSide, baseline: PopulationBaseline, rule: AuditRule) -> SideStatistics {
        let n = values.count
        let mean = self.mean, sd = standardDeviation
        let excess = mean - baseline.centreWattHours
        var above = 0, below = 0
        for value in values {
            if value > baseline.centreWattHours + rule.signDeadBandWattHours { above += 1 }
            if value < baseline.centreWattHours - rule.signDeadBandWattHours { below += 1 }
        }
        let robustZ = excess / baseline.spreadWattHours
        let t = n > 0 ? excess / (max(sd, rule.standardDeviationFloorWattHours) / Double(n).squareRoot()) : 0
        let signZ = above + below > 0 ? Double(above - below) / Double(above + below).squareRoot() : 0
        let flagged = n >= rule.minimumIntervals && excess >= rule.minimumExcessWattHours && robustZ >= rule.robustZThreshold
            && t >= rule.tThreshold && signZ >= rule.signZThreshold
        return SideStatistics(side: side, intervals: n, meanOverdeclarationWattHours: mean, standardDeviationWattHours: sd,
                              excessWattHours: excess, robustZ: robustZ, tStatistic: t, intervalsAbove: above,
                              intervalsBelow: below, signZ: signZ, flagged: flagged)
    }
}

/// Median of a non-empty array (mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of nothing")
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The side's baseline from the participants' samples (those with enough intervals).
func populationBaseline(side: DeclarationSide, samples: [SideSample], rule: AuditRule) -> PopulationBaseline {
    let means = samples.filter { $0.values.count >= rule.minimumIntervals }.map(\.mean)
    guard means.count >= rule.minimumPopulation else {
        return PopulationBaseline(side: side, participants: means.count, centreWattHours: 0,
                                  spreadWattHours: rule.spreadFloorWattHours, fromPopulation: false)
    }
    let centre = median(means)
    let mad = median(means.map { abs($0 - centre) })
    return PopulationBaseline(side: side, participants: means.count, centreWattHours: centre,
                              spreadWattHours: max(1.4826 * mad, rule.spreadFloorWattHours), fromPopulation: true)
}
