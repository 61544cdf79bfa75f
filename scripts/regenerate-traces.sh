#!/usr/bin/env bash
# Regenerates the committed reference traces in traces/ after an intended change of engine
# behaviour (the replay test requires them to be reproduced exactly). Commit the result with a note
# saying what changed and why. traces/format-1/ holds format-1 fixtures written by an older
# gridtrace (33b7c6d) for the compatibility tests: they are never regenerated.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build
# The references are signed with the public test key (Tests/Fixtures/signing), not this machine's
# own: the files then do not depend on where they were regenerated.
export GRIDTRACE_SIGNING_KEY="$PWD/Tests/Fixtures/signing/test-signing-key"
rm -rf traces/default-12
.build/debug/gridtrace run scenarios/default.toml --intervals 12 --out traces/default-12
# The reference that trades (matches, contracts, settlements, refunds, fallbacks, forks, reorgs).
rm -rf traces/trading
.build/debug/gridtrace run scenarios/reference-trading.toml --out traces/trading

# The real OpenDSS engine re-solves the P2P trace's grid side: golden/synthetic-default-12/steps.csv.
pip install -q dss-python >/dev/null 2>&1 || true
scratch=$(mktemp -d)
.build/debug/gridtrace export-dss traces/default-12/p2p.gtrace "$scratch"
python3 scripts/opendss_steps.py "$scratch"
mkdir -p golden/synthetic-default-12
cp "$scratch/steps.csv" golden/synthetic-default-12/steps.csv
rm -rf "$scratch"
.build/debug/gridtrace verify traces/default-12/p2p.gtrace --golden golden/synthetic-default-12
