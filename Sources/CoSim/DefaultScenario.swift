// Owns the embedded default scenario, so `gridtrace demo` needs nothing outside the binary. The
// text is identical to scenarios/default.toml (a test checks it).

extension Scenario {
    /// The text of scenarios/default.toml.
    public static let defaultText = #"""
# The embedded default scenario: the synthetic 55-home LV feeder, one day in 5-minute intervals,
# both scenarios (no P2P and P2P), the distributed double auction with McAfee's rule, a 200-node
# proof-of-work chain, and about 10 % adversarial homes so the audit has something to find.

[run]
name = "default"
seed = 20261125
variants = ["no-p2p", "p2p"]
interval_minutes = 5     # the market interval (fixed at 5 minutes)
intervals = 288

[feeder]
kind = "synthetic"

[profiles]
source = "synthetic"

[prices]
retail_per_kwh = 0.25    # p_gb: what buying from the grid costs
feed_in_per_kwh = 0.05   # p_gs: what the grid pays for exports

[market]
mechanism = "auction"    # or "game" (Stackelberg price game)
rule = "mcafee"          # or "midprice", "payasbid"
hop_limit = 6
daily_bid_tokens = 1000

[chain]
nodes = 200
miners = 40
degree = 8
delay_ms = 100
jitter_ms = 20
bandwidth_mbps = 20
block_bytes = 1000000
block_interval_s = 15
confirmations = 6

[adversaries]
fraction = 0.1
strategies = ["overstating_seller", "phantom_buyer"]
overstatement_factor = 1.5   # an overstating seller declares 1.5 × its forecast surplus
phantom_demand_kwh = 0.2     # a phantom buyer declares 0.2 kWh per interval it will not take
activity = 0.9               # share of intervals in which an adversary misdeclares

[grid]
tolerance = 1e-8
max_iterations = 100
limits = "en50160"

"""#

    /// The embedded default scenario.
    public static func embeddedDefault() -> Scenario {
        do {
            return try parse(defaultText, file: "scenarios/default.toml", baseFolder: nil)
        } catch {
            preconditionFailure("the embedded default scenario does not parse: \(error)")
        }
    }
}
