#!/usr/bin/env python3
"""Measures the P2P day on a large feeder (issue 11) and prints a Markdown table for BENCHMARKS.md.

Usage: python3 scripts/bench_p2p_day.py [--scenario scenarios/ieee8500-p2p.toml] [--seeds 5] [--binary PATH]
(package root; needs ../shared for the feeder). For each seed: `run` of the scenario (both
variants, 288 intervals, traces sealed) under /usr/bin/time -v for wall time and peak memory
(maximum resident set size), then the P2P trace's size and event count, `replay`, `verify` and
`audit --json` (precision and recall against the header's ground truth). Whole processes, process
start included; the machine has 2 cores and is shared with other work.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (result.returncode, " ".join(command), result.stderr[-3000:]))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    return wall, peak / 1024, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="scenarios/ieee8500-p2p.toml")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=20261125)
    parser.add_argument("--binary", default=".build/release/gridtrace")
    args = parser.parse_args()
    if args.binary == ".build/release/gridtrace":
        subprocess.run(["swift", "build", "-c", "release", "--product", "gridtrace"], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="gridtrace-p2pday-")
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        out = os.path.join(work, str(seed))
        run_wall, run_peak, stdout = timed([binary, "run", args.scenario, "--seed", str(seed), "--out", out, "--json"])
        summary = json.loads(stdout)
        trace = os.path.join(out, "p2p.gtrace")
        _, _, info = timed([binary, "trace", "info", trace, "--json"])
        events = json.loads(info)["events"]
        replay_wall, replay_peak, _ = timed([binary, "replay", trace])
        verify_wall, _, _ = timed([binary, "verify", trace])
        audit_wall, _, audit = timed([binary, "audit", trace, "--json", "--out", os.path.join(out, "audit.gtrace")])
        score = json.loads(audit)["score"]
        rows.append(dict(seed=seed, run=run_wall, peak=run_peak, size=os.path.getsize(trace) / 1e6, events=events,
                         replay=replay_wall, replay_peak=replay_peak, verify=verify_wall, audit=audit_wall,
                         precision=score["precision"], recall=score["recall"], contracts=summary["p2p"]["contracts"],
                         traded=summary["p2p"]["p2p_volume_kwh"]))
        print("seed %d: %s" % (seed, rows[-1]), file=sys.stderr)
        shutil.rmtree(out, ignore_errors=True)
    print("| seed | run (both variants) | peak memory | P2P trace | events | contracts | P2P kWh | replay | verify | audit | precision | recall |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %.1f s | %.0f MB | %.1f MB | %s | %s | %.0f | %.1f s | %.1f s | %.1f s | %.3f | %.3f |" % (
            r["seed"], r["run"], r["peak"], r["size"], format(r["events"], ","), format(r["contracts"], ","), r["traded"],
            r["replay"], r["verify"], r["audit"], r["precision"], r["recall"]))
    m = lambda key: statistics.median(r[key] for r in rows)
    print("| median | %.1f s | %.0f MB | %.1f MB | %s | | | %.1f s | %.1f s | %.1f s | %.3f | %.3f |" % (
        m("run"), m("peak"), m("size"), format(int(m("events")), ","), m("replay"), m("verify"), m("audit"),
        m("precision"), m("recall")))
    print("min precision %.3f, min recall %.3f over %d seeds" % (min(r["precision"] for r in rows),
                                                                 min(r["recall"] for r in rows), len(rows)))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
