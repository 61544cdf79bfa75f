#!/usr/bin/env python3
"""Benchmark: time series on the large shared feeders, gridtrace vs OpenDSS (dss-python), one run.

Cases (issue #11's reference runs):
  ckt5_yearly     EPRI ckt5, yearly mode, 1-hour steps (8,760 by default; its 8,760-point shapes)
  ieee8500_daily  IEEE 8500, daily mode, 1-hour steps over 24 h, every load on the 24-hour residential
                  shape of golden/ieee8500_daily (added in both engines by the same script lines)
Both engines compile the same wrapper script (written to a temporary folder: `Compile` of the
shared feeder plus the setup lines), solve at tolerance 1e-10 with at most 100 iterations, controls
in OpenDSS's default static mode, meters and monitors off in OpenDSS. Reported: compile and
time-series solve seconds (medians of N) and their ratio. That both engines take the same control
actions at every step is checked by the tests (DailyFeederGoldenTests, YearlyGoldenTests), not here. Run from the package root after `swift build -c release`:
  python3 scripts/bench_large.py [--repeat N] [--steps N] [CASE ...]
"""
import argparse, json, os, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "feeders"))
BINARY = os.path.join(ROOT, ".build", "release", "gridtrace")
DAY = ("New Loadshape.day npts=24 interval=1 mult=(0.45 0.40 0.37 0.36 0.37 0.42 0.55 0.70 0.75 0.72 0.70 0.70 "
       "0.72 0.70 0.72 0.78 0.90 1.05 1.15 1.12 1.02 0.88 0.70 0.55)")
CASES = {
    "ckt5_yearly": {"master": "ckt5/ckt5/Master_ckt5.dss", "setup": [], "mode": "yearly", "steps": 8760},
    "ieee8500_daily": {"master": "ieee8500/8500-Node/Master.dss",
                       "setup": [DAY, "BatchEdit Load..* daily=day", "set maxcontroliter=40"],
                       "mode": "daily", "steps": 24},
}


def wrapper(case, folder):
    path = os.path.join(folder, case + ".dss")
    spec = CASES[case]
    with open(path, "w") as f:
        f.write('Compile "%s"\n' % os.path.join(SHARED, spec["master"]))
        for line in spec["setup"]:
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
    s0 = time.perf_counter()
    c.Solution.Solve()
    solve_s = time.perf_counter() - s0
    return {"compile_seconds": compile_s, "solve_seconds": solve_s, "converged": bool(c.Solution.Converged),
            "nodes": c.NumNodes}


def gridtrace(script, mode, steps):
    out = subprocess.run([BINARY, "solve", script, "--mode", mode, "--step", "1h", "--number", str(steps),
                          "--tolerance", "1e-10", "--max-iterations", "100", "--json", "--no-metrics"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("gridtrace failed: " + out.stderr.strip())
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, help="override the number of steps (e.g. 24 for a quick ckt5 run)")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    print("| case | steps | nodes | OpenDSS compile s | OpenDSS solve s | gridtrace compile s | gridtrace solve s | ratio solve |")
    print("|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        spec = CASES[case]
        steps = args.steps or spec["steps"]
        script = wrapper(case, folder)
        ours = [gridtrace(script, spec["mode"], steps) for _ in range(args.repeat)]
        theirs = [opendss(script, spec["mode"], steps) for _ in range(args.repeat)]
        oc = statistics.median(r["compile_seconds"] for r in theirs)
        os_ = statistics.median(r["solve_seconds"] for r in theirs)
        gc = statistics.median(r["compile_seconds"] for r in ours)
        gs = statistics.median(r["solve_seconds"] for r in ours)
        print("| %s | %d | %d | %.3f | %.3f | %.3f | %.3f | **%.2f** |" % (
            case, steps, theirs[0]["nodes"], oc, os_, gc, gs, os_ / gs))


if __name__ == "__main__":
    main()
