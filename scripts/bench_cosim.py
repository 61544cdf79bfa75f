#!/usr/bin/env python3
"""Benchmarks the co-simulation commands (issue 6) and prints Markdown tables for BENCHMARKS.md.

Usage: python3 scripts/bench_cosim.py [--repeat N] [--binary PATH]   (package root; default N = 5)

Times, as whole processes (process start included), interleaved over N repetitions:
  demo (both scenarios, 288 intervals, traces sealed, audit, report), replay of the P2P trace,
  trace verify, verify and audit of the P2P trace.
Then the grid side of the P2P day, the same work in both engines in this run: `export-dss` writes
the recorded per-home powers as an OpenDSS script; gridtrace `solve` and OpenDSS (dss-python,
`pip install dss-python`) each compile it and solve its 288 five-minute steps at tolerance 1e-8.
Reports the median and the minimum; the machine has 2 cores and is shared, so ratios matter more.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (result.returncode, " ".join(command), result.stderr))
    return wall, result.stdout


def events_in(binary, trace):
    _, out = timed([binary, "trace", "info", trace])
    for line in out.splitlines():
        if line.startswith("events:"):
            return int(line.split()[1])
    sys.exit("no event count in trace info of " + trace)


def opendss_day(folder):
    from dss import DSS
    text, circuit = DSS.Text, DSS.ActiveCircuit
    here = os.getcwd()
    start = time.perf_counter()
    text.Command = "clear"
    text.Command = 'compile "%s"' % os.path.join(folder, "Master.dss")
    compiled = time.perf_counter()
    os.chdir(here)
    text.Command = "set tolerance=1e-8"
    text.Command = "set maxiterations=100"
    text.Command = "set mode=yearly stepsize=5m number=288 hour=0 sec=0"
    circuit.Solution.Solve()
    solved = time.perf_counter()
    return compiled - start, solved - compiled


def row(name, walls, events=None):
    median, best = statistics.median(walls), min(walls)
    rate = " | %s" % format(int(events / median), ",") if events else " | —"
    return "| %s | %.2f s | %.2f s%s |" % (name, median, best, rate)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--binary", default=".build/release/gridtrace")
    args = parser.parse_args()
    if args.binary == ".build/release/gridtrace":
        subprocess.run(["swift", "build", "-c", "release", "--product", "gridtrace"], check=True, stdout=subprocess.DEVNULL)
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="gridtrace-bench-")
    demo = os.path.join(work, "demo")
    p2p = os.path.join(demo, "p2p.gtrace")
    walls = {name: [] for name in ("demo", "replay", "trace verify", "verify", "audit")}
    for _ in range(args.repeat):
        shutil.rmtree(demo, ignore_errors=True)
        walls["demo"].append(timed([binary, "demo", "--out", demo])[0])
        walls["replay"].append(timed([binary, "replay", p2p])[0])
        walls["trace verify"].append(timed([binary, "trace", "verify", p2p])[0])
        walls["verify"].append(timed([binary, "verify", p2p])[0])
        walls["audit"].append(timed([binary, "audit", p2p])[0])
    events = events_in(binary, p2p)
    both = events + events_in(binary, os.path.join(demo, "no-p2p.gtrace"))
    print("| work | wall, median of %d | best | events/s (median) |" % args.repeat)
    print("|---|---|---|---|")
    print(row("`demo` (no-P2P + P2P, %s events, report, audit)" % format(both, ","), walls["demo"], both))
    print(row("`replay` of the P2P trace (%s events, full re-execution)" % format(events, ","), walls["replay"], events))
    print(row("`trace verify` of the P2P trace", walls["trace verify"], events))
    print(row("`verify` of the P2P trace", walls["verify"], events))
    print(row("`audit` of the P2P trace", walls["audit"], events))

    export = os.path.join(work, "export")
    timed([binary, "export-dss", p2p, export])
    ours_compile, ours_solve, theirs_compile, theirs_solve = [], [], [], []
    for _ in range(args.repeat):
        _, out = timed([binary, "solve", os.path.join(export, "Master.dss"), "--mode", "yearly", "--step", "5m",
                        "--number", "288", "--tolerance", "1e-8", "--no-metrics", "--json"])
        summary = json.loads(out)
        ours_compile.append(summary["compile_seconds"])
        ours_solve.append(summary["solve_seconds"])
        compile_seconds, solve_seconds = opendss_day(export)
        theirs_compile.append(compile_seconds)
        theirs_solve.append(solve_seconds)
    print()
    print("| grid side of the P2P day (export-dss script) | gridtrace, median | OpenDSS, median | ratio |")
    print("|---|---|---|---|")
    for name, ours, theirs in (("compile (script with 165 load shapes)", ours_compile, theirs_compile),
                               ("288 five-minute solves, tolerance 1e-8", ours_solve, theirs_solve)):
        a, b = statistics.median(ours), statistics.median(theirs)
        print("| %s | %.1f ms | %.1f ms | %.1f× |" % (name, a * 1000, b * 1000, b / a))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
