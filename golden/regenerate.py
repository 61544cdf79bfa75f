#!/usr/bin/env python3
"""Regenerates gridtrace's own golden results with the real OpenDSS engine (PyPI dss-python).

For every case folder here with a Master.dss:
  snapshot/node_voltages.csv  (tolerance 1e-10, full precision, OpenDSS node order)
  daily_15m/steps.csv, daily_15m/load_voltages.csv  (mode=daily, 96 steps of 15 min, step k at k*0.25 h)
The source element for steps.csv is the transformer's terminal 1 (HV side); losses are all
circuit losses (the cases have no PD element upstream of that transformer).
Usage: pip install dss-python==0.15.7; python3 golden/regenerate.py
"""
import math, os
from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))


def r(x):
    """Shortest round-trip text of a double (numpy scalars included)."""
    return repr(float(x))


def compile_case(master):
    T = DSS.Text
    T.Command = "clear"
    T.Command = 'compile "%s"' % master
    T.Command = "set tolerance=1e-10"
    T.Command = "set maxiterations=100"


def node_voltages(path):
    c = DSS.ActiveCircuit
    names = c.AllNodeNames
    volts = c.AllBusVolts
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


def lv_extremes(lv_base):
    c = DSS.ActiveCircuit
    names, pu = c.AllNodeNames, c.AllBusVmagPu
    values = []
    for name, v in zip(names, pu):
        c.SetActiveBus(name.rsplit(".", 1)[0])
        if abs(c.ActiveBus.kVBase - lv_base) < 1e-9:
            values.append(v)
    return min(values), max(values)


def daily(case_dir, master):
    compile_case(master)
    T, c = DSS.Text, DSS.ActiveCircuit
    T.Command = "set mode=daily stepsize=15m number=1 hour=0 sec=0"
    lv_base = 0.416 / math.sqrt(3)
    out = os.path.join(case_dir, "daily_15m")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "steps.csv"), "w") as steps, open(os.path.join(out, "load_voltages.csv"), "w") as lv:
        steps.write("step,hour,iterations,converged,p_source_kw,q_source_kvar,p_losses_kw,q_losses_kvar,vmin_pu_lv,vmax_pu_lv\n")
        lv.write("step,load,bus_node,v_re,v_im\n")
        for k in range(1, 97):
            c.Solution.Solve()
            c.SetActiveElement("Transformer.tx")
            powers = c.ActiveCktElement.Powers
            nc = c.ActiveCktElement.NumConductors
            p = sum(powers[2 * i] for i in range(nc))
            q = sum(powers[2 * i + 1] for i in range(nc))
            losses = c.Losses
            vmin, vmax = lv_extremes(lv_base)
            steps.write(",".join([str(k), r(c.Solution.dblHour), str(c.Solution.Iterations),
                                  "1" if c.Solution.Converged else "0"]
                                 + [r(x) for x in (p, q, losses[0] / 1000, losses[1] / 1000, vmin, vmax)]) + "\n")
            for name in c.Loads.AllNames:
                c.SetActiveElement("Load." + name)
                e = c.ActiveCktElement
                volts = e.Voltages
                for i, node in enumerate(e.NodeOrder):
                    if node == 0:
                        continue
                    bus = e.BusNames[0].split(".")[0]
                    lv.write("%d,%s,%s.%d,%s,%s\n" % (k, name, bus, node, r(volts[2 * i]), r(volts[2 * i + 1])))


def main():
    for case in sorted(os.listdir(HERE)):
        case_dir = os.path.join(HERE, case)
        master = os.path.join(case_dir, "Master.dss")
        if not os.path.isfile(master):
            continue
        compile_case(master)
        DSS.ActiveCircuit.Solution.Solve()
        assert DSS.ActiveCircuit.Solution.Converged
        os.makedirs(os.path.join(case_dir, "snapshot"), exist_ok=True)
        node_voltages(os.path.join(case_dir, "snapshot", "node_voltages.csv"))
        daily(case_dir, master)
        print("regenerated", case)


if __name__ == "__main__":
    main()
