#!/usr/bin/env bash
# Benchmarks `gridtrace market clear` in a release build (distributed McAfee auction and the
# centralised reference) at 55, 1,000 and 10,000 participants, and pymarket's Huang mechanism at the
# same sizes when PYMARKET_PYTHON points at a Python with pymarket installed, and one market day (55 homes).
# Usage: scripts/bench_market.sh            (from the package root)
#        PYMARKET_PYTHON=/path/to/venv/bin/python scripts/bench_market.sh
# (pymarket 0.7.6 needs pandas < 3: pip install pymarket "pandas<3")
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gridtrace >/dev/null
bin=.build/release/gridtrace
for n in 55 1000 10000; do
  for mode in --distributed ""; do
    for seed in 1 2 3; do
      printf 'n=%-6s %-13s seed=%s ' "$n" "${mode:-centralised}" "$seed"
      $bin market clear --participants "$n" --seed "$seed" --rule mcafee $mode --repeat 20 --json
    done
  done
done
for mechanism in auction game; do
  printf "day %-8s " "$mechanism"; $bin market day --homes 55 --seed 1 --mechanism "$mechanism" --adversaries 0.1 --json
done
printf "day no_p2p   "; $bin market day --homes 55 --seed 1 --scenario no_p2p --json
if [[ -n "${PYMARKET_PYTHON:-}" ]]; then
  "$PYMARKET_PYTHON" -W ignore::FutureWarning scripts/bench_market_pymarket.py 55 1000 10000
else
  echo "pymarket: set PYMARKET_PYTHON to a python with 'pip install pymarket' to time it here"
fi
