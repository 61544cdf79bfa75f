#!/usr/bin/env python3
"""Regenerates the IEEE 8500 daily golden with the real OpenDSS engine (PyPI dss-python): the shared
feeder (../shared/feeders/ieee8500, read in place, not copied) with a 24-hour residential load shape
on every load, so that its four regulator banks and nine switched capacitor banks act during the day.

Usage: pip install dss-python==0.15.7; python3 golden/ieee8500_daily/regenerate.py
Writes, in this folder:
  steps.csv          step, hour, converged, iterations, control iterations, every RegControl's tap
                     (per unit) and tap number, every capacitor's step states (golden/controls layout)
  power.csv          step, source P and Q (kW, kvar; delivering positive), losses (kW, kvar)
  node_voltages.csv  the last step's node voltages (node, v_re, v_im in volts)
Commands: clear; compile Master.dss; SETUP (below, with maxcontroliter=40: the morning ramp takes
more than OpenDSS's default 10 control rounds); set tolerance=1e-10; set maxiterations=100;
set mode=daily stepsize=1h number=1 hour=0 sec=0; 24 single-step solves (step k at hour k).
"""
import importlib.util, os
from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))
MASTER = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "feeders", "ieee8500", "8500-Node", "Master.dss"))
# A residential day (per unit of the loads' kW): night valley, morning and evening peaks.
SETUP = [
    "New Loadshape.day npts=24 interval=1 mult=(0.45 0.40 0.37 0.36 0.37 0.42 0.55 0.70 0.75 0.72 0.70 0.70 "
    "0.72 0.70 0.72 0.78 0.90 1.05 1.15 1.12 1.02 0.88 0.70 0.55)",
    "BatchEdit Load..* daily=day",
    "set maxcontroliter=40",
]
STEPS = 24


def controls_module():
    """golden/controls/regenerate.py, for its steps.csv layout (header and row)."""
    spec = importlib.util.spec_from_file_location("controls_regenerate", os.path.join(HERE, "..", "controls", "regenerate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    layout = controls_module()
    T, c = DSS.Text, DSS.ActiveCircuit
    T.Command = "clear"
    T.Command = 'compile "%s"' % MASTER
    for command in SETUP:
        T.Command = command
    T.Command = "set tolerance=1e-10"
    T.Command = "set maxiterations=100"
    T.Command = "set mode=daily stepsize=1h number=1 hour=0 sec=0"
    with open(os.path.join(HERE, "steps.csv"), "w") as steps, open(os.path.join(HERE, "power.csv"), "w") as power:
        steps.write(layout.header(c))
        power.write("step,p_source_kw,q_source_kvar,p_losses_kw,q_losses_kvar\n")
        for k in range(1, STEPS + 1):
            c.Solution.Solve()
            steps.write(layout.row(c, k))
            total, losses = c.TotalPower, c.Losses
            power.write(",".join([str(k)] + [layout.r(x) for x in (-total[0], -total[1], losses[0] / 1000, losses[1] / 1000)]) + "\n")
    with open(os.path.join(HERE, "node_voltages.csv"), "w") as nv:
        nv.write("step,node,v_re,v_im\n")
        layout.voltages(c, STEPS, nv)
    print("regenerated ieee8500_daily")


if __name__ == "__main__":
    main()
