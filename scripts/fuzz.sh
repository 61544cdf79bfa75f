#!/usr/bin/env bash
# Fuzzes one of gridtrace's input readers with libFuzzer + AddressSanitizer for SECONDS seconds:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
# TARGET: feeder | scenario | golden | cim | trace | payload | until | all (each in turn).
# Builds the harness in Fuzz/ once (release, -sanitize=fuzzer,address; later runs are incremental),
# seeds each target from the repository's own inputs (scenarios/, golden/, traces/, the synthetic
# feeder, ../shared CIM files when present, Fuzz/seeds/), keeps the growing corpus and any crashing
# input under .build-fuzz/, prints executions per target, and exits 1 when any target found a crash,
# hang or memory blow-up (the input is kept under .build-fuzz/crashes/TARGET/).
# Reproduce a finding: GRIDTRACE_FUZZ_TARGET=TARGET Fuzz/.build/release/GridTraceFuzz CRASH_FILE
# (SWIFT_BACKTRACE=enable=no for a quick report without Swift's backtrace).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGETS=(feeder scenario golden cim trace payload until)
usage() { echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]; TARGET: ${TARGETS[*]} all" >&2; exit 64; }
[ $# -ge 2 ] || usage
TARGET=$1; SECONDS_EACH=$2; shift 2
[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || usage
if [ "$TARGET" = all ]; then RUN=("${TARGETS[@]}"); else
  [[ " ${TARGETS[*]} " == *" $TARGET "* ]] || usage
  RUN=("$TARGET")
fi

source scripts/bootstrap.sh
WORK=$ROOT/.build-fuzz
# GRIDTRACE_FUZZ_BINARY=PATH runs a harness built before (e.g. a copy, while Fuzz/ is rebuilt).
BIN=${GRIDTRACE_FUZZ_BINARY:-$ROOT/Fuzz/.build/release/GridTraceFuzz}
if [ -z "${GRIDTRACE_FUZZ_BINARY:-}" ]; then
  build_started=$(date +%s)
  swift build -c release --package-path Fuzz --product GridTraceFuzz -Xswiftc -sanitize=fuzzer,address 2>&1 \
    | grep -v "Cannot export local symbol" || true
  echo "fuzz: harness built in $(( $(date +%s) - build_started )) s"
fi
[ -x "$BIN" ] || { echo "fuzz: no harness at $BIN (the build failed?)" >&2; exit 1; }

# Seeds, remade each time from the repository (small: big files are cut or left out).
mkdir -p "$WORK"
SEEDS=$(mktemp -d "$WORK/seeds.XXXXXX")
trap 'rm -rf "$SEEDS"' EXIT
for t in "${TARGETS[@]}"; do
  mkdir -p "$SEEDS/$t"
  [ -d "Fuzz/seeds/$t" ] && cp Fuzz/seeds/$t/* "$SEEDS/$t/" 2>/dev/null || true
done
cp scenarios/*.toml "$SEEDS/scenario/"
n=0; for f in $(find golden -name '*.dss' | sort); do n=$((n+1)); cp "$f" "$SEEDS/feeder/golden-$n.dss"; done
n=0; for f in $(find golden -name '*.csv' | sort); do
  n=$((n+1)); { echo "name:$(basename "$f")"; head -n 60 "$f"; } > "$SEEDS/golden/golden-$n.txt"
done
small_traces=$(find traces -name '*.gtrace' -size -64k | sort)
n=0; for f in $small_traces; do n=$((n+1)); cp "$f" "$SEEDS/trace/trace-$n.gtrace"; done
if [ -d ../shared/golden ]; then
  n=0; for f in $(find ../shared/golden -name '*CIM100x.xml' -size -128k | sort); do n=$((n+1)); cp "$f" "$SEEDS/cim/shared-$n.xml"; done
else
  echo "fuzz: ../shared absent; CIM seeds are the handmade ones in Fuzz/seeds/cim only"
fi
GRIDTRACE_FUZZ_MAKE_SEEDS=$SEEDS GRIDTRACE_FUZZ_SEED_TRACES=$(echo $small_traces | tr ' ' ':') "$BIN" 2>&1 | grep '^seeds:' || true

failed=()
for t in "${RUN[@]}"; do
  corpus=$WORK/corpus/$t; crashes=$WORK/crashes/$t; log=$WORK/logs/$t.log
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  started=$(date +%s)
  status=0
  # One process (no -jobs/-workers: the machine is shared). -timeout: an input taking 20 s is a hang;
  # -rss_limit_mb / -malloc_limit_mb: an input wanting more than 2 GiB is a memory blow-up.
  # SWIFT_BACKTRACE=enable=no: libFuzzer's own handler records a Swift trap at once (Swift's
  # backtracer would first spend minutes symbolicating).
  GRIDTRACE_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 "$BIN" \
    -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$@" "$corpus" "$SEEDS/$t" > "$log" 2>&1 || status=$?
  seconds=$(( $(date +%s) - started )); [ "$seconds" -gt 0 ] || seconds=1
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  execs=${execs:-0}
  files=$(find "$corpus" -type f | wc -l)
  found=$(find "$crashes" -type f | wc -l)
  echo "fuzz: $t: $execs executions in $seconds s ($(( execs / seconds )) exec/s), corpus $files files, exit $status, $found crashing input(s) kept"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    grep -E '^==[0-9]+==|SUMMARY|Fatal error|ERROR: libFuzzer|Test unit written' "$log" | head -n 12 >&2 || true
    echo "fuzz: $t: full log $log" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash in ${RUN[*]}"
