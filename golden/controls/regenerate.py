#!/usr/bin/env python3
"""Regenerates the control goldens (RegControl, CapControl, OpenDSS's control loop) with the real
OpenDSS engine through dss-python.

Usage: pip install dss-python==0.15.7; python3 golden/controls/regenerate.py

For every circuit <case>.dss in this folder and every control mode in RUNS, writes <case>/<run>/:
  steps.csv          step, hour, converged, iterations, control iterations, then for every
                     RegControl its tap (per unit, full precision) and tap number, and for every
                     capacitor its in-service step states (';'-joined)
  node_voltages.csv  step, node (OpenDSS order), v_re, v_im in volts, full precision
Each run: compile, tolerance 1e-10, maxiterations 100, `set mode=daily stepsize=15m number=1`
(which resets the control mode to static), then `set controlmode=<run>`, then 96 single-step
`solve`s (step k at hour k*0.25, as OpenDSS's daily mode stamps it; in event mode the clock
moves to each executed action's time, so later steps are later than k*0.25). Step 0 is a snapshot solve
before the daily run (controlmode static, hour 0).
Runs in SKIP are not made: OpenDSS stops on them (see the reason given). EXTRA_RUNS start the
daily run at another hour (`set mode=daily stepsize=15m number=1 hour=H`) for a number of steps,
e.g. across midnight (hours past 24, the time of day wrapping).
"""
import os
from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = ["static", "time", "event"]
STEPS = 96
EXTRA_RUNS = {
    # folder: (case, control mode, start hour, steps)
    "time_from_20h": [("capcontrols", "time", 20, 16), ("capfeatures", "time", 20, 44)],
}
SKIP = {
    ("regfeatures", "event"): "the reverse-neutral regulator and the PV export oscillate at step 66 (hour 16.67); "
                              "OpenDSS exceeds the control iteration limit and refuses every later solve",
    ("regdelta", "event"): "the regulators oscillate in the first daily step; OpenDSS exceeds the control "
                           "iteration limit and refuses every later solve",
}


def r(x):
    """Shortest round-trip text of a double."""
    return repr(float(x))


def compile_case(path):
    T = DSS.Text
    T.Command = "clear"
    T.Command = 'set datapath="%s"' % os.environ.get("TMPDIR", "/tmp")
    T.Command = 'compile "%s"' % path
    T.Command = "set tolerance=1e-10"
    T.Command = "set maxiterations=100"


def header(c):
    cols = ["step", "hour", "converged", "iterations", "control_iterations"]
    if c.RegControls.Count > 0:
        for name in c.RegControls.AllNames:
            cols += ["tap_pu:" + name, "tapnum:" + name]
    if c.Capacitors.Count > 0:
        cols += ["states:" + name for name in c.Capacitors.AllNames]
    return ",".join(cols) + "\n"


def row(c, k):
    s = c.Solution
    cols = [str(k), r(s.dblHour), "1" if s.Converged else "0", str(s.Iterations), str(s.ControlIterations)]
    rc = c.RegControls
    ok = rc.First
    while ok:
        c.SetActiveElement("Transformer." + rc.Transformer)
        c.Transformers.Name = rc.Transformer
        c.Transformers.Wdg = rc.TapWinding
        cols += [r(c.Transformers.Tap), str(rc.TapNumber)]
        ok = rc.Next
    cap = c.Capacitors
    ok = cap.First
    while ok:
        cols.append(";".join(str(int(x)) for x in cap.States))
        ok = cap.Next
    return ",".join(cols) + "\n"


def voltages(c, k, f):
    volts = c.AllBusVolts
    for i, name in enumerate(c.AllNodeNames):
        f.write("%d,%s,%s,%s\n" % (k, name, r(volts[2 * i]), r(volts[2 * i + 1])))


def run(path, case, mode, folder=None, hour=0, count=STEPS):
    compile_case(path)
    c, T = DSS.ActiveCircuit, DSS.Text
    out = os.path.join(HERE, case, folder or mode)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "steps.csv"), "w") as steps, open(os.path.join(out, "node_voltages.csv"), "w") as nv:
        steps.write(header(c))
        nv.write("step,node,v_re,v_im\n")
        c.Solution.Solve()
        steps.write(row(c, 0))
        voltages(c, 0, nv)
        T.Command = "set mode=daily stepsize=15m number=1 hour=%d" % hour
        T.Command = "set controlmode=" + mode
        for k in range(1, count + 1):
            c.Solution.Solve()
            steps.write(row(c, k))
            voltages(c, k, nv)


def main():
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".dss"):
            continue
        for mode in RUNS:
            if (name[:-4], mode) in SKIP:
                continue
            run(os.path.join(HERE, name), name[:-4], mode)
            print("regenerated", name[:-4], mode)
    for folder, runs in EXTRA_RUNS.items():
        for case, mode, hour, steps in runs:
            run(os.path.join(HERE, case + ".dss"), case, mode, folder, hour, steps)
            print("regenerated", case, folder)


if __name__ == "__main__":
    main()
