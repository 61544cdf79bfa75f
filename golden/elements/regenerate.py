#!/usr/bin/env python3
"""Regenerates the element-class goldens of issue #10 with the real OpenDSS engine (PyPI dss-python).

For every case folder here with a Master.dss (reactors, XfmrCode and three-winding transformers,
every load model and rating form), a snapshot at tolerance 1e-10:
  snapshot/node_voltages.csv  bus,node,base_kv_ln,v_re,v_im,v_mag,v_angle_deg,v_pu (OpenDSS node order)
  snapshot/totals.json        source P/Q (kW, kvar; delivering positive), losses (kW, kvar), engine version
Usage: pip install dss-python==0.15.7; python3 golden/elements/regenerate.py
"""
import json, os, sys
from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from regenerate import node_voltages  # golden/regenerate.py: the same node_voltages.csv layout


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
