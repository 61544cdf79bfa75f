#!/usr/bin/env bash
# Benchmarks the Chain simulator (release build) on the configurations SimBlock was measured on
# (issue 4) plus a simulated day, and prints a Markdown table with the median of R repetitions.
# Usage: scripts/bench_chain.sh [repetitions]   (run from the package root; default 5)
set -euo pipefail
repetitions="${1:-5}"
swift build -c release --product gridtrace >/dev/null
binary=".build/release/gridtrace"

# SimBlock-like network: 535 kB blocks, 20 Mbit/s links, 100 ± 50 ms latency, no transactions.
simblock=(--block-interval-s 15 --blocks 1000 --tx-per-second 0 --fixed-block-bytes 535000 --bandwidth-mbps 20 --delay-ms 100 --jitter-ms 50)

run_case() {  # name, then gridtrace chain run arguments
    local name="$1"; shift
    local walls=() line=""
    for _ in $(seq "$repetitions"); do
        line="$("$binary" chain run --json "$@")"
        walls+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["wall_seconds"])' "$line")")
    done
    python3 - "$name" "$line" "${walls[@]}" <<'PY'
import json, statistics, sys
name, line, walls = sys.argv[1], json.loads(sys.argv[2]), sorted(float(w) for w in sys.argv[3:])
median = statistics.median(walls)
sim = line["simulated_seconds"]
print(f"| {name} | {line['blocks_mined']} | {line['block_receptions']} | {line['orphan_rate']*100:.2f} % | "
      f"{sim:.0f} | {median:.3f} (min {walls[0]:.3f}) | {sim/median:,.0f} |")
PY
}

echo "| case | blocks | block receptions | stale rate | simulated s | wall s, median of $repetitions | simulated s per wall s |"
echo "|---|---|---|---|---|---|---|"
run_case "200 nodes, SimBlock-like, T = 15 s" --nodes 200 --miners 40 "${simblock[@]}"
run_case "1000 nodes, SimBlock-like, T = 15 s" --nodes 1000 --miners 40 "${simblock[@]}"
run_case "5000 nodes, SimBlock-like, T = 15 s" --nodes 5000 --miners 40 "${simblock[@]}"
run_case "200 nodes, one day, 2 tx/s workload" --nodes 200 --miners 40 --hours 24
run_case "200 nodes, one day, 2 tx/s, trace events built" --nodes 200 --miners 40 --hours 24 --log-events
