#!/usr/bin/env bash
# The README's main command: installs what is missing, builds in release mode and runs the main job
# on the embedded default. Until the co-simulation lands this records a kernel-only trace, verifies
# it and prints its summary; it will become `gridtrace demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
swift build -c release
out="${1:-out}"
mkdir -p "$out"
.build/release/gridtrace selftest-run --seed 1 --events 100000 --out "$out/selftest.gtrace"
.build/release/gridtrace trace verify "$out/selftest.gtrace"
.build/release/gridtrace trace info "$out/selftest.gtrace"
