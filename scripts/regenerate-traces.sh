#!/usr/bin/env bash
# Regenerates the committed reference traces in traces/ after an intended change of engine
# behaviour (the replay test requires them to be reproduced exactly). Commit the result with a note
# saying what changed and why.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build
rm -rf traces/default-12
.build/debug/gridtrace run scenarios/default.toml --intervals 12 --out traces/default-12
