#!/usr/bin/env python3
"""Solve an `gridtrace export-dss` folder with the real OpenDSS engine (dss-python) and write
steps.csv in the goldens' layout, so `gridtrace verify TRACE --golden DIR` can compare.

Usage: python3 scripts/opendss_steps.py DIR        (pip install dss-python)

DIR/export.json gives "steps", "tolerance" and optionally "mode" (yearly by default, as export-dss
writes yearly shapes; daily for scripts with daily shapes).

Definitions (as in ../shared/golden/*/README.md): step k is solved at hour k*5/60 (stepsize=5m); p/q_source = power into the distribution transformer (the one with the lowest winding
kV) at its HV terminal; p/q_losses = source power minus the power of every load, generator and PV
system (all of them sit downstream of it in gridtrace's feeders); vmin/vmax over LV nodes (buses at
the lowest voltage base).
"""
import csv
import json
import os
import sys

from dss import DSS


def main(directory):
    info = json.load(open(os.path.join(directory, "export.json")))
    text, circuit = DSS.Text, DSS.ActiveCircuit
    here = os.getcwd()
    text.Command = "clear"
    text.Command = 'compile "%s"' % os.path.abspath(os.path.join(directory, "Master.dss"))
    os.chdir(here)
    text.Command = "set tolerance=%r" % info["tolerance"]
    text.Command = "set maxiterations=100"
    text.Command = "set mode=%s stepsize=5m number=1 hour=0 sec=0" % info.get("mode", "yearly")

    transformers = []
    for name in circuit.Transformers.AllNames:
        circuit.Transformers.Name = name
        kvs = []
        for winding in range(1, circuit.Transformers.NumWindings + 1):
            circuit.Transformers.Wdg = winding
            kvs.append(circuit.Transformers.kV)
        transformers.append((min(kvs), name))
    source = "Transformer." + min(transformers)[1]
    bases = {}
    for bus in circuit.AllBusNames:
        circuit.SetActiveBus(bus)
        bases[bus.lower()] = circuit.ActiveBus.kVBase
    lv_base = min(b for b in bases.values() if b > 0)
    names = circuit.AllNodeNames
    lv_nodes = [i for i, n in enumerate(names) if abs(bases[n.split(".")[0].lower()] - lv_base) < 1e-9]
    # An empty class lists its names as ["NONE"]; naming it would leave the previous element active.
    conversion = ["Load." + n for n in circuit.Loads.AllNames if n.lower() != "none"]
    conversion += ["Generator." + n for n in circuit.Generators.AllNames if n.lower() != "none"]
    conversion += ["PVSystem." + n for n in circuit.PVSystems.AllNames if n.lower() != "none"]

    rows = []
    for step in range(1, info["steps"] + 1):
        circuit.Solution.Solve()
        circuit.SetActiveElement(source)
        conductors = circuit.ActiveCktElement.NumConductors
        powers = circuit.ActiveCktElement.Powers
        p = sum(powers[0:2 * conductors:2])
        q = sum(powers[1:2 * conductors:2])
        p_pc = q_pc = 0.0
        for element in conversion:
            if circuit.SetActiveElement(element) < 0:
                sys.exit("OpenDSS does not know %s" % element)
            values = circuit.ActiveCktElement.Powers
            p_pc += sum(values[0::2])
            q_pc += sum(values[1::2])
        vmag = circuit.AllBusVmagPu
        lv = [vmag[i] for i in lv_nodes]
        rows.append([step, step * 5 / 60, circuit.Solution.Iterations, int(circuit.Solution.Converged),
                     p, q, p - p_pc, q - q_pc, min(lv), max(lv)])

    with open(os.path.join(directory, "steps.csv"), "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["step", "hour", "iterations", "converged", "p_source_kw", "q_source_kvar",
                         "p_losses_kw", "q_losses_kvar", "vmin_pu_lv", "vmax_pu_lv"])
        for row in rows:
            writer.writerow([v if isinstance(v, int) else repr(float(v)) for v in row])
    print("wrote %s (%d steps, source %s)" % (os.path.join(directory, "steps.csv"), len(rows), source))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
