// Owns building a step's outcome from outside the solver: a trace records each step's convergence
// and iterations, and readers of a trace (Verify's run metrics) rebuild `StepRecord`s from them so
// the day's totals come from `TimeSeriesMetrics`, the arithmetic summary.json uses.

extension SolveOutcome {
    /// An outcome as recorded (no control actions counted: the trace does not record them per step).
    public init(converged: Bool, iterations: Int, controlIterations: Int, lastMaxChangePerUnit: Double) {
        self.init(converged: converged, iterations: iterations, controlIterations: controlIterations,
                  lastMaxChangePerUnit: lastMaxChangePerUnit, tapChanges: 0)
    }
}
