#!/usr/bin/env python3
"""Regenerates the element-class goldens of issue #10 with the real OpenDSS engine (PyPI dss-python).

For every case folder here with a Master.dss (reactors, XfmrCode and three-winding transformers,
every load model and rating form), a snapshot at tolerance 1e-10:
  snapshot/node_voltages.csv  bus,node,base_kv_ln,v_re,v_im,v_mag,v_angle_deg,v_pu (OpenDSS node order)
  snapshot/totals.json        source P/Q (kW, kvar; delivering positive), losses (kW, kvar), engine version
Usage: pip install dss-python==0.15.7; python3 golden/elements/regenerate.py
"""
import json, math, os
from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))


def r(x):
    """Shortest round-trip text of a double."""
    return repr(float(x))


def node_voltages(path):
    c = DSS.ActiveCircuit
    names, volts = c.AllNodeNames, c.AllBusVolts
    with open(path, "w") as f:
        f.write("bus,node,base_kv_ln,v_re,v_im,v_mag,v_angle_deg,v_pu\n")
        for i, name in enumerate(names):
            bus, node = name.rsplit(".", 1)
            c.SetActiveBus(bus)
            base = c.ActiveBus.kVBase
            re, im = volts[2 * i], volts[2 * i + 1]
            mag = math.hypot(re, im)
            f.write(",".join([bus, node] + [r(x) for x in (base, re, im, mag, math.degrees(math.atan2(im, re)),
                                                               mag / (base * 1000) if base > 0 else 0.0)]) + "\n")


def totals(path):
    c = DSS.ActiveCircuit
    total = c.TotalPower
    losses = c.Losses
    data = {
        "engine_version": DSS.Version,
        "tolerance": 1e-10,
        "converged": c.Solution.Converged,
        "iterations": c.Solution.Iterations,
        "source_p_kw": -total[0],
        "source_q_kvar": -total[1],
        "losses_kw": losses[0] / 1000,
        "losses_kvar": losses[1] / 1000,
    }
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    for case in sorted(os.listdir(HERE)):
        master = os.path.join(HERE, case, "Master.dss")
        if not os.path.isfile(master):
            continue
        T = DSS.Text
        T.Command = "clear"
        T.Command = 'compile "%s"' % master
        T.Command = "set tolerance=1e-10"
        T.Command = "set maxiterations=100"
        T.Command = "solve"
        assert DSS.ActiveCircuit.Solution.Converged, case
        out = os.path.join(HERE, case, "snapshot")
        os.makedirs(out, exist_ok=True)
        node_voltages(os.path.join(out, "node_voltages.csv"))
        totals(os.path.join(out, "totals.json"))
        print("regenerated", case)


if __name__ == "__main__":
    main()
