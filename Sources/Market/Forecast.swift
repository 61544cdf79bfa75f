// Owns the deterministic next-interval net-energy forecaster each home's energy-management system runs.

/// Forecasts a home's next-interval net energy (kWh, + = import) from its meter history.
///
/// Method (documented because the audit must tell forecast error from lying):
/// the non-EV part of net energy `r = metered − evEnergy` is smoothed exponentially,
/// `s_k = α·r_{k−1} + (1 − α)·s_{k−1}` with `α = smoothing` (default 0.7), s = 0 before any reading and s = r after the first; the
/// forecast for interval k is `s_k + evPlanned_k`: the EV's own planned charge is known exactly,
/// the rest (base load − PV) is persistence with smoothing. Pure arithmetic in a fixed order, so
/// the same history gives the same bits.
public struct NetEnergyForecaster: Sendable, Equatable, Codable {
    public let smoothing: Double
    public private(set) var smoothedNonEVKilowattHours: Double = 0
    public private(set) var observations = 0

    public init(smoothing: Double = 0.7) {
        precondition(smoothing > 0 && smoothing <= 1, "smoothing must be in (0, 1]")
        self.smoothing = smoothing
    }

    /// Forecast for the coming interval given its planned EV energy (kWh).
    public func forecast(plannedEVKilowattHours: Double) -> Double {
        smoothedNonEVKilowattHours + plannedEVKilowattHours
    }

    /// Records the metered net energy and the EV energy of the interval that just ended.
    public mutating func observe(meteredNetKilowattHours: Double, evKilowattHours: Double) {
        let residual = meteredNetKilowattHours - evKilowattHours
        smoothedNonEVKilowattHours = observations == 0
            ? residual
            : smoothing * residual + (1 - smoothing) * smoothedNonEVKilowattHours
        observations += 1
    }
}
