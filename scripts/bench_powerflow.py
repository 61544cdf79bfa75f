#!/usr/bin/env python3
"""Benchmark: European LV feeder, yearly mode, 1440 one-minute steps, gridtrace vs OpenDSS (dss-python).

Both engines start from a freshly compiled feeder; only the time-series solve is timed (compile is
reported separately). OpenDSS runs with meters and monitors off (the issue's reference setup) and,
like gridtrace, leaves all node voltages in memory after every step. Run from the package root
after `swift build -c release`:  python3 scripts/bench_powerflow.py [--repeat N]
"""
import argparse, json, os, statistics, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEEDER = os.path.join(ROOT, "..", "shared", "feeders", "european_lv", "Master.dss")
BINARY = os.path.join(ROOT, ".build", "release", "gridtrace")


def opendss(tolerance, steps, stepsize):
    from dss import DSS
    t = DSS.Text
    t.Command = "clear"
    c0 = time.perf_counter()
    t.Command = 'compile "%s"' % FEEDER
    compile_s = time.perf_counter() - c0
    t.Command = "set tolerance=%g" % tolerance
    t.Command = "set maxiterations=100"
    for m in DSS.ActiveCircuit.Meters.AllNames:
        pass
    t.Command = "set demand=false"
    t.Command = "set mode=yearly stepsize=%s number=%d hour=0 sec=0" % (stepsize, steps)
    # Meters and monitors off: disable every EnergyMeter and Monitor element.
    t.Command = "batchedit energymeter..* enabled=false"
    t.Command = "batchedit monitor..* enabled=false"
    s0 = time.perf_counter()
    DSS.ActiveCircuit.Solution.Solve()
    solve_s = time.perf_counter() - s0
    sol = DSS.ActiveCircuit.Solution
    return {"compile_seconds": compile_s, "solve_seconds": solve_s, "converged": bool(sol.Converged),
            "iterations_total": sol.Totaliterations, "nodes": DSS.ActiveCircuit.NumNodes}


def gridtrace(tolerance, steps, stepsize, metrics):
    command = [BINARY, "solve", FEEDER, "--mode", "yearly", "--step", stepsize, "--number", str(steps),
               "--tolerance", "%g" % tolerance, "--json"]
    if not metrics:
        command.append("--no-metrics")
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1440)
    parser.add_argument("--stepsize", default="1m")
    args = parser.parse_args()
    for tolerance in (1e-4, 1e-10):
        g, gm, o = [], [], []
        for _ in range(args.repeat):  # interleaved, so machine load affects all three alike
            g.append(gridtrace(tolerance, args.steps, args.stepsize, metrics=False))
            gm.append(gridtrace(tolerance, args.steps, args.stepsize, metrics=True))
            o.append(opendss(tolerance, args.steps, args.stepsize))
        gs = statistics.median(r["solve_seconds"] for r in g)
        gms = statistics.median(r["solve_seconds"] for r in gm)
        os_ = statistics.median(r["solve_seconds"] for r in o)
        print(json.dumps({
            "tolerance": tolerance, "steps": args.steps, "stepsize": args.stepsize,
            "gridtrace_solve_ms_median": round(gs * 1e3, 2),
            "gridtrace_solve_with_step_metrics_ms_median": round(gms * 1e3, 2),
            "opendss_solve_ms_median": round(os_ * 1e3, 2),
            "ratio_opendss_over_gridtrace": round(os_ / gs, 2),
            "ratio_opendss_over_gridtrace_with_metrics": round(os_ / gms, 2),
            "gridtrace_iterations": g[0]["iterations_total"],
            "gridtrace_compile_ms": round(statistics.median(r["compile_seconds"] for r in g) * 1e3, 1),
            "opendss_compile_ms": round(statistics.median(r["compile_seconds"] for r in o) * 1e3, 1),
            "both_converged": all(r["converged"] for r in g + o),
        }))


if __name__ == "__main__":
    main()
