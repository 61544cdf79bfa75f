#!/usr/bin/env python3
"""Benchmark: compile and snapshot solve of every shared feeder, gridtrace vs OpenDSS (dss-python), one run.

For each case under ../shared/golden (entry script read from its RUN.md), at tolerance 1e-10 and
maxiterations 100, as the goldens were made:
  * OpenDSS: in a worker process of its own (so its peak RSS is per feeder), N times in-process:
    `clear`, `compile` (timed), `set tolerance`, `set maxiterations`, `solve` (timed); medians.
  * gridtrace: N runs of `.build/release/gridtrace solve FEEDER --tolerance 1e-10 --max-iterations 100
    --json`: its compile_seconds and solve_seconds, the whole process's wall time and peak RSS
    (os.wait4's rusage); medians.
A feeder gridtrace cannot load is reported with its error line, not skipped. Prints a Markdown
table; writes every figure as JSON (--output). Run from the package root after
`swift build -c release`:  python3 scripts/bench_feeders.py [--repeat N] [--output FILE] [CASE ...]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
BINARY = os.path.join(ROOT, ".build", "release", "gridtrace")
CASES = ["european_lv", "ieee13", "enerport_summer", "ieee37", "4bus_yy_bal", "4bus_dy_bal", "ieee8500", "nev", "ckt5"]
TOLERANCE, MAX_ITERATIONS = 1e-10, 100


def entry_script(case):
    """The feeder script RUN.md compiles (its path after 'feeders/')."""
    with open(os.path.join(SHARED, "golden", case, "RUN.md"), encoding="utf-8") as f:
        match = re.search(r"""compile "[^"]*?feeders/([^"]+)\"""", f.read())
    if not match:
        raise SystemExit("no compile command in golden/%s/RUN.md" % case)
    return os.path.join(SHARED, "feeders", match.group(1))


def opendss_worker(feeder, repeat):
    """Runs in a child process: N × (clear, compile, solve) in one engine; prints JSON."""
    import resource
    from dss import DSS
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = DSS.Text
    runs = []
    for _ in range(repeat):
        t.Command = "clear"
        c0, cpu0 = time.perf_counter(), time.process_time()
        t.Command = 'compile "%s"' % feeder
        compile_s, compile_cpu = time.perf_counter() - c0, time.process_time() - cpu0
        # Some entry scripts solve during compile (at their own tolerance): then compile includes
        # that solve and the timed solve restarts from its result.
        script_iterations = DSS.ActiveCircuit.Solution.Iterations
        t.Command = "set tolerance=%g" % TOLERANCE
        t.Command = "set maxiterations=%d" % MAX_ITERATIONS
        s0, cpu0 = time.perf_counter(), time.process_time()
        t.Command = "solve"
        solve_s, solve_cpu = time.perf_counter() - s0, time.process_time() - cpu0
        sol = DSS.ActiveCircuit.Solution
        runs.append({"compile_seconds": compile_s, "solve_seconds": solve_s, "converged": bool(sol.Converged),
                     "compile_cpu_seconds": compile_cpu, "solve_cpu_seconds": solve_cpu,
                     "script_solve_iterations": script_iterations,
                     "iterations": sol.Iterations, "nodes": DSS.ActiveCircuit.NumNodes})
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"runs": runs, "peak_rss_kib": peak_kib, "baseline_rss_kib": baseline_kib,
                      "version": DSS.Version.split(";")[0]}))


def opendss(feeder, repeat):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--opendss-worker", feeder, "--repeat", str(repeat)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]}
    report = json.loads(out.stdout)
    runs = report["runs"]
    return {"compile_ms": median_ms(runs, "compile_seconds"), "solve_ms": median_ms(runs, "solve_seconds"),
            "total_ms": median_ms(runs, "compile_seconds", "solve_seconds"),
            "total_cpu_ms": median_ms(runs, "compile_cpu_seconds", "solve_cpu_seconds"),
            "converged": all(r["converged"] for r in runs), "iterations": runs[0]["iterations"], "nodes": runs[0]["nodes"],
            "script_solve_iterations": runs[0]["script_solve_iterations"], "peak_rss_mib": report["peak_rss_kib"] / 1024, "python_baseline_rss_mib": report["baseline_rss_kib"] / 1024,
            "version": report["version"]}


def gridtrace_once(feeder):
    """One `gridtrace solve` process: its JSON (or its error line), wall time and peak RSS."""
    command = [BINARY, "solve", feeder, "--tolerance", "%g" % TOLERANCE, "--max-iterations", str(MAX_ITERATIONS), "--json"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        # Reap the child ourselves: wait4 returns its rusage (ru_maxrss = peak RSS in KiB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0); err.seek(0)
        stdout, stderr = out.read(), err.read()
    try:
        result = json.loads(stdout)
    except ValueError:
        return {"error": (stderr.strip().splitlines() or ["exit %d" % process.returncode])[0]}
    result["wall_seconds"] = wall
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_kib"] = usage.ru_maxrss
    return result


def gridtrace(feeder, repeat):
    runs = []
    for _ in range(repeat):
        run = gridtrace_once(feeder)
        if "error" in run:
            return run
        runs.append(run)
    rss = [r["peak_rss_kib"] for r in runs if r["peak_rss_kib"]]
    return {"compile_ms": median_ms(runs, "compile_seconds"), "solve_ms": median_ms(runs, "solve_seconds"),
            "total_ms": median_ms(runs, "compile_seconds", "solve_seconds"),
            "wall_ms": median_ms(runs, "wall_seconds"), "cpu_ms": median_ms(runs, "cpu_seconds"),
            "converged": all(r["converged"] for r in runs),
            "iterations": runs[0]["iterations_total"], "nodes": runs[0]["nodes"],
            "peak_rss_mib": statistics.median(rss) / 1024 if rss else None}


def median_ms(runs, *keys):
    """The median over runs of the sum of `keys` (seconds), in ms."""
    return statistics.median(sum(r[k] for k in keys) for r in runs) * 1e3


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def row(case, g, o):
    fmt = lambda x, d=1: "–" if x is None else ("%.*f" % (d, x))
    notes = []
    if o.get("script_solve_iterations"):
        notes.append("OpenDSS: the script solves during compile (%d it.), the timed solve restarts there" % o["script_solve_iterations"])
    if "error" in g:
        notes.append("gridtrace does not load it: `%s`" % g["error"])
        return "| %s | – / %s | – / %s | %s | %s | – | – | – | – | – | – | – / %s | %s |" % (
            case, o.get("nodes", "–"), o.get("iterations", "–"), fmt(o.get("compile_ms")), fmt(o.get("solve_ms"), 2),
            fmt(o.get("peak_rss_mib")), "; ".join(notes))
    if not (g["converged"] and o.get("converged")):
        notes.append("not converged (gridtrace %s, OpenDSS %s)" % (g["converged"], o.get("converged")))
    return "| %s | %s / %s | %s / %s | %s | %s | %s | %s | %s | %s | **%s** | %s | %s / %s | %s |" % (
        case, g["nodes"], o.get("nodes", "–"), g["iterations"], o.get("iterations", "–"), fmt(o.get("compile_ms")),
        fmt(o.get("solve_ms"), 2), fmt(g["compile_ms"]), fmt(g["solve_ms"], 2),
        fmt(ratio(o.get("compile_ms"), g["compile_ms"]), 2), fmt(ratio(o.get("solve_ms"), g["solve_ms"]), 2),
        fmt(ratio(o.get("total_ms"), g["total_ms"]), 2), fmt(g["wall_ms"]), fmt(g["peak_rss_mib"]), fmt(o.get("peak_rss_mib")),
        "; ".join(notes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", default="bench_feeders.json")
    parser.add_argument("--opendss-worker")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.opendss_worker:
        return opendss_worker(args.opendss_worker, args.repeat)
    if not os.access(BINARY, os.X_OK):
        raise SystemExit("build first: swift build -c release")
    results = []
    print("Ratios are OpenDSS time / gridtrace time (above 1: gridtrace is faster); iterations as each engine counts them.\n")
    print("| feeder | nodes gridtrace / OpenDSS | iterations gridtrace / OpenDSS | OpenDSS compile ms | OpenDSS solve ms "
          "| gridtrace compile ms | gridtrace solve ms | ratio compile | ratio solve | ratio compile + solve "
          "| gridtrace process wall ms | peak RSS MiB gridtrace / OpenDSS (with Python) | note |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases or CASES:
        feeder = entry_script(case)
        g = gridtrace(feeder, args.repeat)
        o = opendss(feeder, args.repeat)
        results.append({"case": case, "feeder": os.path.relpath(feeder, SHARED), "gridtrace": g, "opendss": o,
                        "ratio_compile": None if "error" in g else ratio(o.get("compile_ms"), g["compile_ms"]),
                        "ratio_solve": None if "error" in g else ratio(o.get("solve_ms"), g["solve_ms"]),
                        "ratio_total": None if "error" in g else ratio(o.get("total_ms"), g["total_ms"])})
        print(row(case, g, o), flush=True)
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump({"tolerance": TOLERANCE, "max_iterations": MAX_ITERATIONS, "repeat": args.repeat,
                   "load_average": os.getloadavg(), "cases": results}, f, indent=2)
        f.write("\n")
    print("\nWhole `gridtrace solve` process (start, compile, solve, output) against OpenDSS's in-process compile + solve:\n")
    print("| feeder | OpenDSS compile + solve wall ms | gridtrace process wall ms | ratio wall "
          "| OpenDSS compile + solve CPU ms | gridtrace process CPU ms | ratio CPU |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        g, o = r["gridtrace"], r["opendss"]
        if "error" in g or "error" in o:
            continue
        print("| %s | %.1f | %.1f | **%.2f** | %.1f | %.1f | **%.2f** |" % (
            r["case"], o["total_ms"], g["wall_ms"], o["total_ms"] / g["wall_ms"], o["total_cpu_ms"], g["cpu_ms"],
            o["total_cpu_ms"] / g["cpu_ms"]))
    print("\nJSON: %s (medians of %d; load average at the end %.1f)" % (args.output, args.repeat, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
