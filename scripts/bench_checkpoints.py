#!/usr/bin/env python3
"""Benchmarks checkpoints (issue 13) and prints the numbers for BENCHMARKS.md.

Usage: python3 scripts/bench_checkpoints.py [--repeat N] [--binary PATH]   (package root; default N = 5)

Times whole processes, interleaved over N repetitions, as wall time and as CPU time (user + sys of
the process and its threads), median and best:
  - the demo's work (`run scenarios/default.toml --report`: both scenarios, 288 intervals, traces
    sealed, audit, report) with the default checkpoints and with `[trace] checkpoint_every_intervals = 0`;
    and the two P2P traces' sizes;
  - `replay` of the demo's P2P trace with --jobs 1 (one thread), --jobs 2 (at most two) and without
    --jobs (all cores inside each interval) (events/s);
  - `replay --from 23:55` against the full replay.
The machine is shared with other builds: CPU time is the steadier measure of work, wall time of
parallel speed-up; both are printed. On a loaded machine run it as `chrt -f 1 python3 …` (real-time
priority: the replays get the cores as on an idle machine).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command):
    before = os.times()
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s%s" % (result.returncode, " ".join(command), result.stdout, result.stderr))
    return wall, cpu, result.stdout


def events_in(binary, trace):
    _, _, out = timed([binary, "trace", "info", trace])
    for line in out.splitlines():
        if line.startswith("events:"):
            return int(line.split()[1])
    sys.exit("no event count in trace info of " + trace)


def summary(name, samples, events=None):
    walls = [s[0] for s in samples]
    cpus = [s[1] for s in samples]
    rate = " | %s" % format(int(events / statistics.median(walls)), ",") if events else " | —"
    return "| %s | %.3f s (%.3f s) | %.3f s (%.3f s)%s |" % (
        name, statistics.median(walls), min(walls), statistics.median(cpus), min(cpus), rate)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--binary", default=".build/release/gridtrace")
    args = parser.parse_args()
    if args.binary == ".build/release/gridtrace":
        subprocess.run(["swift", "build", "-c", "release", "--product", "gridtrace"], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="gridtrace-bench-ckpt-")
    with open("scenarios/default.toml") as f:
        text = f.read()
    without = os.path.join(work, "no-checkpoints.toml")
    with open(without, "w") as f:
        f.write(text + "\n[trace]\ncheckpoint_every_intervals = 0\n")
    with_default = os.path.join(work, "default.toml")
    with open(with_default, "w") as f:
        f.write(text)
    runs = {"with": os.path.join(work, "with"), "without": os.path.join(work, "without")}
    samples = {name: [] for name in ("demo with", "demo without", "jobs 1", "jobs 2", "default", "from")}
    for _ in range(args.repeat):
        for name, scenario in (("with", with_default), ("without", without)):
            shutil.rmtree(runs[name], ignore_errors=True)
            samples["demo " + name].append(timed([binary, "run", scenario, "--report", "--out", runs[name]])[:2])
        trace = os.path.join(runs["with"], "p2p.gtrace")
        samples["jobs 1"].append(timed([binary, "replay", trace, "--jobs", "1"])[:2])
        samples["jobs 2"].append(timed([binary, "replay", trace, "--jobs", "2"])[:2])
        samples["default"].append(timed([binary, "replay", trace])[:2])
        samples["from"].append(timed([binary, "replay", trace, "--from", "23:55"])[:2])
    p2p_with = os.path.join(runs["with"], "p2p.gtrace")
    p2p_without = os.path.join(runs["without"], "p2p.gtrace")
    events = events_in(binary, p2p_with)
    print("| work | wall, median (best) | CPU user+sys, median (best) | events/s (wall) |")
    print("|---|---:|---:|---:|")
    print(summary("demo work, default checkpoints", samples["demo with"]))
    print(summary("demo work, no checkpoints", samples["demo without"]))
    print(summary("`replay` P2P trace `--jobs 1`", samples["jobs 1"], events))
    print(summary("`replay` P2P trace `--jobs 2`", samples["jobs 2"], events))
    print(summary("`replay` P2P trace, no `--jobs` (all cores)", samples["default"], events))
    print(summary("`replay --from 23:55`", samples["from"]))
    med = lambda key, i: statistics.median([s[i] for s in samples[key]])
    print()
    print("demo work with/without checkpoints: wall %.3f, CPU %.3f" % (med("demo with", 0) / med("demo without", 0),
                                                                       med("demo with", 1) / med("demo without", 1)))
    print("P2P trace size: %d bytes with, %d without (%.3f); no-P2P: %d / %d" % (
        os.path.getsize(p2p_with), os.path.getsize(p2p_without), os.path.getsize(p2p_with) / os.path.getsize(p2p_without),
        os.path.getsize(os.path.join(runs["with"], "no-p2p.gtrace")), os.path.getsize(os.path.join(runs["without"], "no-p2p.gtrace"))))
    print("--jobs 2 speed-up over --jobs 1: wall %.2fx (CPU %.2f)" % (med("jobs 1", 0) / med("jobs 2", 0), med("jobs 2", 1) / med("jobs 1", 1)))
    print("--jobs 2 against the default replay: wall %.2fx" % (med("default", 0) / med("jobs 2", 0)))
    print("--from 23:55 / full replay (no --jobs): wall %.3f, CPU %.3f" % (med("from", 0) / med("default", 0), med("from", 1) / med("default", 1)))
    print("P2P events: %d" % events)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
