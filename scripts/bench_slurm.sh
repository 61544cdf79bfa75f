#!/usr/bin/env bash
# Measures the Slurm engine's overhead per run on the one-node cluster (scripts/slurm-local.sh):
# the same N short runs of the default scenario, first locally (P at once, xargs), then as one job
# array of N tasks (%P at once) through `sbatch --wait`, with the array script the Slurm engine
# writes (Sources/Study/Slurm/SlurmScript.swift, per-run command form). Each task also stamps its
# end time, so the array's own wall (submit → last task ended) is told apart from what sbatch --wait
# adds (it looks at 2, 10, 42 s after submission, then every 32 s). Overhead per run =
# (array wall − local wall) / N. Usage: scripts/bench_slurm.sh [BINARY] [N=6] [INTERVALS=12] [P=2] [RUNS_PER_TASK=1]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(readlink -f "${1:-.build/debug/gridtrace}"); N=${2:-6}; INTERVALS=${3:-12}; P=${4:-2}; RPT=${5:-1}
TASKS=$(( (N + RPT - 1) / RPT ))
KEY=$(readlink -f Tests/Fixtures/signing/test-signing-key)
DIR=$(mktemp -d /tmp/gridtrace-bench-slurm.XXXXXX)
for i in $(seq 0 $((N - 1))); do
  run=$(printf '%04d' "$i"); mkdir -p "$DIR/runs/$run" "$DIR/local/$run"
  sed -e "s/^seed = .*/seed = $((100 + i))/" -e "s/^intervals = .*/intervals = $INTERVALS/" scenarios/default.toml > "$DIR/runs/$run/run.toml"
done
now() { date +%s.%N; }

start=$(now)
seq 0 $((N - 1)) | xargs -P "$P" -I{} sh -c 'run=$(printf "%04d" {}); "$0" run "$1/runs/$run/run.toml" --out "$1/local/$run" --signing-key "$2" >/dev/null' "$BIN" "$DIR" "$KEY"
local_wall=$(echo "$(now) - $start" | bc -l)

mkdir -p "$DIR/slurm"; seq 0 $((N - 1)) | paste -d, $(printf -- "- %.0s" $(seq "$RPT")) | sed 's/,*$//' > "$DIR/slurm/shards.txt"
cat > "$DIR/slurm/array.sh" <<SCRIPT
#!/bin/bash
#SBATCH --job-name=gridtrace-sweep
#SBATCH --array=0-$((TASKS - 1))%$P
#SBATCH --output="$DIR/slurm/task-%A_%a.log"
#SBATCH --ntasks=1
set -uo pipefail
cd '$DIR' || exit 2
runs=\$(sed -n "\$((SLURM_ARRAY_TASK_ID + 1))p" '$DIR/slurm/shards.txt')
status=0
IFS=, read -ra indices <<< "\$runs"
for index in "\${indices[@]}"; do
  run=\$(printf '%04d' "\$index")
  '$BIN' 'run' 'runs/'"\${run}"'/run.toml' '--out' 'runs/'"\${run}" '--signing-key' '$KEY' >/dev/null || status=1
done
date +%s.%N >> '$DIR/slurm/ends.txt'
exit \$status
SCRIPT
start=$(now)
(cd "$DIR" && sbatch --parsable --wait slurm/array.sh >/dev/null)
wait_wall=$(echo "$(now) - $start" | bc -l)
slurm_wall=$(echo "$(sort -n "$DIR/slurm/ends.txt" | tail -1) - $start" | bc -l)

for i in $(seq 0 $((N - 1))); do
  run=$(printf '%04d' "$i")
  for t in no-p2p p2p; do cmp -s "$DIR/runs/$run/$t.gtrace" "$DIR/local/$run/$t.gtrace" || { echo "run $run $t differs" >&2; exit 1; }; done
done
printf 'runs %d in %d tasks, intervals %d, %d at once: local %.2f s, slurm array %.2f s (sbatch --wait returned at %.2f s), overhead per run %.2f s (traces identical)\n' \
  "$N" "$TASKS" "$INTERVALS" "$P" "$local_wall" "$slurm_wall" "$wait_wall" "$(echo "($slurm_wall - $local_wall) / $N" | bc -l)"
rm -rf "$DIR"
