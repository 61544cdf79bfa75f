#!/usr/bin/env python3
"""Benchmark: time series on the large shared feeders, gridtrace vs OpenDSS (dss-python), one run.

Cases (issue #11's reference runs):
  ckt5_yearly     EPRI ckt5, yearly mode, 1-hour steps (8,760 by default; its 8,760-point shapes)
  ieee8500_daily  IEEE 8500, daily mode, 1-hour steps over 24 h, every load on the 24-hour residential
                  shape of golden/ieee8500_daily (added in both engines by the same script lines)
Both engines compile the same wrapper script (written to a temporary folder: `Compile` of the
shared feeder plus the setup lines), solve at tolerance 1e-10 with at most 100 iterations, controls
in OpenDSS's default static mode, meters and monitors off in OpenDSS. Runs are interleaved
(gridtrace, then OpenDSS, N times). Reported: compile and time-series solve seconds (medians of N),
wall and CPU (the machine is shared: CPU seconds are the steadier figure), iterations, and the
ratios OpenDSS / gridtrace. That both engines take the same control actions at every step is
checked by the tests (DailyFeederGoldenTests, YearlyGoldenTests), not here.

--scaling: per-step time against node count over every shared feeder (the cases of
../shared/golden, entry script from RUN.md): 24 one-hour daily steps with the same 24-hour shape
on every load, in both engines.

--startup: issue #11 item 3 on the tiny feeders: the whole `gridtrace solve` process (wall and CPU,
os.wait4) against a bare Python start (`python3 -c pass`) plus OpenDSS's in-process compile + solve.

Run from the package root after `swift build -c release`:
  python3 scripts/bench_large.py [--repeat N] [--steps N] [--scaling] [--startup] [--output FILE] [CASE ... | none]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
BINARY = os.path.join(ROOT, ".build", "release", "gridtrace")
DAY = ("New Loadshape.day npts=24 interval=1 mult=(0.45 0.40 0.37 0.36 0.37 0.42 0.55 0.70 0.75 0.72 0.70 0.70 "
       "0.72 0.70 0.72 0.78 0.90 1.05 1.15 1.12 1.02 0.88 0.70 0.55)")
DAY_SETUP = [DAY, "BatchEdit Load..* daily=day"]
CASES = {
    "ckt5_yearly": {"master": "feeders/ckt5/ckt5/Master_ckt5.dss", "setup": [], "mode": "yearly", "steps": 8760},
    "ieee8500_daily": {"master": "feeders/ieee8500/8500-Node/Master.dss",
                       "setup": DAY_SETUP + ["set maxcontroliter=40"], "mode": "daily", "steps": 24},
}
STARTUP = ["4bus_yy_bal", "4bus_dy_bal", "ieee13"]
SCALING = ["4bus_yy_bal", "4bus_dy_bal", "ieee13", "ieee37", "nev", "european_lv", "enerport_summer", "ckt5", "ieee8500"]


def entry_script(case):
    """The feeder script golden/CASE/RUN.md compiles (relative to ../shared)."""
    with open(os.path.join(SHARED, "golden", case, "RUN.md"), encoding="utf-8") as f:
        match = re.search(r"""compile "[^"]*?(feeders/[^"]+)\"""", f.read())
    if not match:
        raise SystemExit("no compile command in golden/%s/RUN.md" % case)
    return match.group(1)


def wrapper(name, master, setup, folder):
    path = os.path.join(folder, name + ".dss")
    with open(path, "w") as f:
        f.write('Compile "%s"\n' % os.path.join(SHARED, master))
        for line in setup:
            f.write(line + "\n")
    return path


def opendss(script, mode, steps):
    from dss import DSS
    t, c = DSS.Text, DSS.ActiveCircuit
    t.Command = "clear"
    c0 = time.perf_counter()
    t.Command = 'compile "%s"' % script
    compile_s = time.perf_counter() - c0
    t.Command = "set tolerance=1e-10"
    t.Command = "set maxiterations=100"
    t.Command = "batchedit energymeter..* enabled=false"
    t.Command = "batchedit monitor..* enabled=false"
    t.Command = "set mode=%s stepsize=1h number=%d hour=0 sec=0" % (mode, steps)
    s0, p0 = time.perf_counter(), time.process_time()
    c.Solution.Solve()
    solve_s, solve_cpu = time.perf_counter() - s0, time.process_time() - p0
    return {"compile_seconds": compile_s, "solve_seconds": solve_s, "solve_cpu_seconds": solve_cpu,
            "converged": bool(c.Solution.Converged), "nodes": c.NumNodes}


def gridtrace(script, mode, steps):
    command = [BINARY, "solve", script, "--mode", mode, "--step", "1h", "--number", str(steps),
               "--tolerance", "1e-10", "--max-iterations", "100", "--json", "--no-metrics"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0), err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("gridtrace failed on %s: %s" % (script, err.read().strip()))
        report = json.loads(out.read())
    report["process_wall_seconds"] = wall
    report["process_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    report["peak_rss_mib"] = usage.ru_maxrss / 1024
    return report


def process(command):
    """Wall and CPU seconds of one child process (os.wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("failed: %s" % " ".join(command))
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def startup(case, repeat):
    """Median wall/CPU ms of a tiny feeder's `gridtrace solve` process, of `python3 -c pass`, and
    OpenDSS's in-process compile + solve of the same script."""
    script = os.path.join(SHARED, entry_script(case))
    from dss import DSS
    ours, python, theirs = [], [], []
    for _ in range(repeat):
        ours.append(process([BINARY, "solve", script, "--tolerance", "1e-10", "--max-iterations", "100", "--json"]))
        python.append(process([sys.executable, "-c", "pass"]))
        t = DSS.Text
        t.Command = "clear"
        s0 = time.perf_counter()
        t.Command = 'compile "%s"' % script
        t.Command = "set tolerance=1e-10"
        t.Command = "solve"
        theirs.append(time.perf_counter() - s0)
    med = lambda runs, k: 1000 * statistics.median(r[k] for r in runs)
    return {"gridtrace_process_wall_ms": med(ours, 0), "gridtrace_process_cpu_ms": med(ours, 1),
            "python_start_wall_ms": med(python, 0), "python_start_cpu_ms": med(python, 1),
            "opendss_compile_solve_ms": 1000 * statistics.median(theirs)}


def measure(script, mode, steps, repeat):
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(gridtrace(script, mode, steps))
        theirs.append(opendss(script, mode, steps))
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    row = {"steps": steps, "nodes": theirs[0]["nodes"], "gridtrace_nodes": ours[0]["nodes"],
           "opendss_compile_s": med(theirs, "compile_seconds"), "opendss_solve_s": med(theirs, "solve_seconds"),
           "opendss_solve_cpu_s": med(theirs, "solve_cpu_seconds"),
           "gridtrace_compile_s": med(ours, "compile_seconds"), "gridtrace_solve_s": med(ours, "solve_seconds"),
           "gridtrace_process_cpu_s": med(ours, "process_cpu_seconds"), "gridtrace_peak_rss_mib": med(ours, "peak_rss_mib"),
           "gridtrace_iterations": ours[0]["iterations_total"],
           "converged": all(r["converged"] for r in ours) and all(r["converged"] for r in theirs)}
    row["ratio_solve"] = row["opendss_solve_s"] / row["gridtrace_solve_s"]
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, help="override the number of steps (e.g. 24 for a quick ckt5 run)")
    parser.add_argument("--scaling", action="store_true", help="also per-step time vs node count over every shared feeder")
    parser.add_argument("--startup", action="store_true", help="also start-up on the tiny feeders (item 3)")
    parser.add_argument("--feeders", nargs="+", help="restrict --scaling to these shared feeders")
    parser.add_argument("--output", help="write every figure as JSON")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    with open("/proc/loadavg") as f:
        results = {"load_average_start": f.read().split()[:3], "cases": {}, "scaling": {}}
    print("| case | steps | nodes | OpenDSS compile s | OpenDSS solve s | gridtrace compile s | gridtrace solve s "
          "| gridtrace iterations | ratio solve |")
    print("|---|---|---|---|---|---|---|---|---|")
    for case in [c for c in args.cases if c != "none"]:
        spec = CASES[case]
        script = wrapper(case, spec["master"], spec["setup"], folder)
        row = measure(script, spec["mode"], args.steps or spec["steps"], args.repeat)
        results["cases"][case] = row
        print("| %s | %d | %d | %.3f | %.3f | %.3f | %.3f | %d | **%.2f** |" % (
            case, row["steps"], row["nodes"], row["opendss_compile_s"], row["opendss_solve_s"],
            row["gridtrace_compile_s"], row["gridtrace_solve_s"], row["gridtrace_iterations"], row["ratio_solve"]))
    if args.scaling:
        print()
        print("| feeder | nodes | OpenDSS ms/step | gridtrace ms/step | ratio | gridtrace iterations/step |")
        print("|---|---|---|---|---|---|")
        for case in args.feeders or SCALING:
            # IEEE 8500 needs more than OpenDSS's default 10 control rounds on some hours (as above).
            script = wrapper("scaling_" + case, entry_script(case), DAY_SETUP + ["set maxcontroliter=40"], folder)
            row = measure(script, "daily", 24, args.repeat)
            results["scaling"][case] = row
            print("| %s | %d | %.3f | %.3f | **%.2f** | %.1f |" % (
                case, row["nodes"], 1000 * row["opendss_solve_s"] / 24, 1000 * row["gridtrace_solve_s"] / 24,
                row["ratio_solve"], row["gridtrace_iterations"] / 24))
    if args.startup:
        print()
        print("| feeder | gridtrace solve process wall ms (CPU ms) | python3 -c pass wall ms (CPU ms) "
              "| OpenDSS compile + solve ms | budget: Python start + OpenDSS, wall ms |")
        print("|---|---|---|---|---|")
        for case in STARTUP:
            row = startup(case, args.repeat)
            results.setdefault("startup", {})[case] = row
            print("| %s | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.1f |" % (
                case, row["gridtrace_process_wall_ms"], row["gridtrace_process_cpu_ms"], row["python_start_wall_ms"],
                row["python_start_cpu_ms"], row["opendss_compile_solve_ms"],
                row["python_start_wall_ms"] + row["opendss_compile_solve_ms"]))
    with open("/proc/loadavg") as f:
        results["load_average_end"] = f.read().split()[:3]
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
