#!/usr/bin/env python3
"""Measures the P2P day on a large feeder (issue 11) and prints a Markdown table for BENCHMARKS.md.

Usage: python3 scripts/bench_p2p_day.py [--scenario scenarios/ieee8500-p2p.toml] [--seeds 5] [--binary PATH]
       [--baseline PATH] [--run-only]
(package root; needs ../shared for the feeder). For each seed: `run` of the scenario (both
variants, 288 intervals, traces sealed) under /usr/bin/time -v for wall time, CPU time (user +
system) and peak memory (maximum resident set size), then the P2P trace's size and event count,
`replay`, `verify` and `audit --json` (precision and recall against the header's ground truth).
Whole processes, process start included; the machine has 2 cores and is shared with other work, so
the 1-minute load average is printed beside every run. With --baseline, the same `run` of another
binary (e.g. a build of the previous commit) follows each run, in the same script run, and both
trace digests are compared. --run-only skips replay, verify and audit.
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


def timed(command, cpu=None):
    """Runs `command` under /usr/bin/time -v: wall s, peak RSS MiB, stdout; CPU s (user + sys) into `cpu`."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (result.returncode, " ".join(command), result.stderr[-3000:]))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    if cpu is not None:
        cpu.append(sum(float(re.search(r"%s time \(seconds\): ([\d.]+)" % k, result.stderr).group(1)) for k in ("User", "System")))
    return wall, peak / 1024, result.stdout


def timed_run(binary, scenario, seed, out):
    """One `run` of the pair: wall s, CPU s, peak MiB, summary JSON, load average before and after."""
    load_before = os.getloadavg()[0]
    cpu = []
    wall, peak, stdout = timed([binary, "run", scenario, "--seed", str(seed), "--out", out, "--json"], cpu)
    return wall, cpu[0], peak, json.loads(stdout), (load_before, os.getloadavg()[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="scenarios/ieee8500-p2p.toml")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=20261125)
    parser.add_argument("--binary", default=".build/release/gridtrace")
    parser.add_argument("--baseline", help="a second gridtrace binary whose run is timed right after each run")
    parser.add_argument("--run-only", action="store_true", help="time the run only (no replay, verify, audit)")
    args = parser.parse_args()
    if args.binary == ".build/release/gridtrace":
        subprocess.run(["swift", "build", "-c", "release", "--product", "gridtrace"], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="gridtrace-p2pday-")
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        out = os.path.join(work, str(seed))
        run_wall, run_cpu, run_peak, summary, load = timed_run(binary, args.scenario, seed, out)
        print("seed %d run: wall %.1f s, CPU %.1f s, peak %.0f MiB, load average %.1f → %.1f" % (
            seed, run_wall, run_cpu, run_peak, load[0], load[1]), file=sys.stderr)
        if args.baseline:
            base_out = out + "-baseline"
            b_wall, b_cpu, b_peak, b_summary, b_load = timed_run(os.path.abspath(args.baseline), args.scenario, seed, base_out)
            same = all(summary[v]["final_hash"] == b_summary[v]["final_hash"] for v in ("no-p2p", "p2p"))
            print("seed %d baseline run: wall %.1f s, CPU %.1f s, peak %.0f MiB, load average %.1f → %.1f; digests %s" % (
                seed, b_wall, b_cpu, b_peak, b_load[0], b_load[1], "identical" if same else "DIFFER"), file=sys.stderr)
            shutil.rmtree(base_out, ignore_errors=True)
        if args.run_only:
            shutil.rmtree(out, ignore_errors=True)
            continue
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
    if not rows:
        shutil.rmtree(work, ignore_errors=True)
        return
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
