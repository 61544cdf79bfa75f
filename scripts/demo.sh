#!/usr/bin/env bash
# The README's main command: installs what is missing, builds in release mode and runs the demo on
# the embedded default scenario (synthetic 55-home feeder, no P2P and P2P) into ./out (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
swift build -c release
.build/release/gridtrace demo --out "${1:-out}"
