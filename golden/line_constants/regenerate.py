#!/usr/bin/env python3
"""Golden line constants from the real OpenDSS engine, for Tests/FeederTests/LineConstantsTests.swift.

How to run (from the package root):
    pip install dss-python==0.15.7        # DSS C-API 0.14.5, the engine of ../shared/golden
    python3 golden/line_constants/regenerate.py

With ../shared/feeders present it also writes ckt5_geometries.json and nev_geometries.json: for
each LineGeometry those feeders' lines use (Deri, 60 Hz; ckt5: 33, NEV: 4), the R, X, C matrices
of the first line that uses it.

Writes golden/line_constants/cases.json: for every case, the OpenDSS objects it defines (class,
name and properties in the order given, so that the Swift test builds the same records through
`set`), the circuit frequency and earth model, and what OpenDSS reports for the line under test:
phases, length and units, Lines.Rmatrix / Xmatrix (ohms per length unit) and Cmatrix (nF per
length unit), and the element's YPrim (siemens, interleaved re/im, row-major). Floats are written
by json (shortest round-trip repr), i.e. at full precision.
"""
import json
import os

from dss import DSS

HERE = os.path.dirname(os.path.abspath(__file__))

# Conductors of the 4-bus test feeders (../shared/feeders/4bus_yy_bal).
WIRES_4BUS = [
    ("wiredata", "conductor", [("runits", "mi"), ("rac", "0.306"), ("gmrunits", "ft"), ("gmrac", "0.0244"),
                               ("radunits", "in"), ("diam", "0.721"), ("normamps", "530")]),
    ("wiredata", "neutral", [("runits", "mi"), ("rac", "0.592"), ("gmrunits", "ft"), ("gmrac", "0.00814"),
                             ("radunits", "in"), ("diam", "0.563"), ("normamps", "340")]),
]


def geometry_4wire(name, reduce):
    props = [("nconds", "4"), ("nphases", "3"), ("reduce", reduce)]
    for cond, wire, x, h in [(1, "conductor", "-4", "28"), (2, "conductor", "-1.5", "28"),
                             (3, "conductor", "3", "28"), (4, "neutral", "0", "24")]:
        props += [("cond", str(cond)), ("wire", wire), ("units", "ft"), ("x", x), ("h", h)]
    return ("linegeometry", name, props)


def line(props):
    return ("line", "under_test", [("bus1", "sourcebus"), ("bus2", "b2")] + props)


# NEV test case (../shared/feeders/nev/NEVTestCase/LineGeometry.DSS): 17 conductors, 12 phases, no reduction.
NEV_WIRES = [
    ("wiredata", "acsr477", [("gmrac", "0.0304000"), ("diam", "0.8830000"), ("rac", "0.2160000"), ("normamps", "670"),
                             ("runits", "mi"), ("radunits", "in"), ("gmrunits", "ft")]),
    ("wiredata", "acsr2", [("gmrac", "0.0050400"), ("diam", "0.3250000"), ("rac", "1.650000"), ("normamps", "180"),
                           ("runits", "mi"), ("radunits", "in"), ("gmrunits", "ft")]),
]
NEV_POSITIONS = [("acsr477", "-1.25", "10"), ("acsr477", "-0.25", "10"), ("acsr477", "1.25", "10"),
                 ("acsr477", "-1.25", "11"), ("acsr477", "-0.25", "11"), ("acsr477", "1.25", "11"),
                 ("acsr477", "-1.25", "12"), ("acsr477", "-0.25", "12"), ("acsr477", "1.25", "12"),
                 ("acsr477", "-1.25", "13"), ("acsr477", "-0.00", "13.25"), ("acsr477", "1.25", "13"),
                 ("acsr477", "-0.1", "9.0"), ("acsr2", "-0.1", "8.0"), ("acsr2", "-0.1", "7.5"),
                 ("acsr2", "-0.1", "7.0"), ("acsr2", "-0.1", "6.5")]


def nev_geometry():
    props = [("nconds", "17"), ("nphases", "12")]
    for i, (wire, x, h) in enumerate(NEV_POSITIONS):
        props += [("cond", str(i + 1)), ("wire", wire), ("x", x), ("h", h), ("units", "m")]
    return ("linegeometry", "quadcircuit", props)


# ckt5 (../shared/feeders/ckt5): Radius/GMRac in cm, Rac per km, positions in m.
CKT5 = [
    ("wiredata", "al_4/0_7str", [("rac", "0.301986"), ("runits", "km"), ("gmrac", "0.48006"), ("gmrunits", "cm"),
                                 ("radius", "0.66294"), ("radunits", "cm"), ("normamps", "338"), ("emergamps", "406")]),
    ("wiredata", "acsr_1/0_6/1", [("rac", "0.695936"), ("runits", "km"), ("gmrac", "0.13462"), ("gmrunits", "cm"),
                                  ("radius", "0.50546"), ("radunits", "cm"), ("normamps", "271"), ("emergamps", "325")]),
    ("linegeometry", "3ph_horiz", [("nconds", "4"), ("nphases", "3"),
                                   ("cond", "1"), ("wire", "al_4/0_7str"), ("x", "-1.39598"), ("h", "12.192"), ("units", "m"),
                                   ("cond", "2"), ("wire", "al_4/0_7str"), ("x", "0"), ("h", "12.192"), ("units", "m"),
                                   ("cond", "3"), ("wire", "al_4/0_7str"), ("x", "1.39598"), ("h", "12.192"), ("units", "m"),
                                   ("cond", "4"), ("wire", "acsr_1/0_6/1"), ("x", "0"), ("h", "10.9728"), ("units", "m"),
                                   ("reduce", "y")]),
]

# Kersting's concentric-neutral and tape-shield examples (Distribution System Modeling and Analysis).
CN_CABLE = ("cndata", "250_1/3", [("k", "13"), ("diastrand", "0.064"), ("rstrand", "2.816666667"), ("epsr", "2.3"),
                                  ("inslayer", "0.220"), ("diains", "1.06"), ("diacable", "1.16"), ("rac", "0.076705"),
                                  ("gmrac", "0.20568"), ("diam", "0.573"), ("runits", "kft"), ("radunits", "in"),
                                  ("gmrunits", "in")])
TS_CABLE = ("tsdata", "1/0", [("diashield", "0.88"), ("tapelayer", "0.005"), ("tapelap", "20"), ("epsr", "2.3"),
                              ("inslayer", "0.220"), ("diains", "0.85"), ("diacable", "1.06"), ("rac", "0.97"),
                              ("gmrac", "0.111"), ("diam", "0.368"), ("runits", "mi"), ("radunits", "in"),
                              ("gmrunits", "in")])
CU_NEUTRAL = ("wiredata", "1/0_cu", [("rac", "0.607"), ("gmrac", "0.01113"), ("diam", "0.368"), ("runits", "mi"),
                                     ("gmrunits", "ft"), ("radunits", "in")])

CASES = [
    dict(name="geometry_carson", frequency=60, earth_model="carson",
         objects=WIRES_4BUS + [geometry_4wire("4wire", "yes"),
                               line([("geometry", "4wire"), ("length", "2000"), ("units", "ft")])]),
    dict(name="geometry_fullcarson", frequency=60, earth_model="fullcarson",
         objects=WIRES_4BUS + [geometry_4wire("4wire", "yes"),
                               line([("geometry", "4wire"), ("length", "2000"), ("units", "ft")])]),
    dict(name="geometry_deri", frequency=60, earth_model="deri",
         objects=WIRES_4BUS + [geometry_4wire("4wire", "yes"),
                               line([("geometry", "4wire"), ("length", "2000"), ("units", "ft")])]),
    dict(name="geometry_deri_50hz_rho_km", frequency=50, earth_model="deri",
         objects=WIRES_4BUS + [geometry_4wire("4wire", "yes"),
                               line([("geometry", "4wire"), ("rho", "300"), ("length", "0.8"), ("units", "km")])]),
    dict(name="geometry_not_reduced_fullcarson", frequency=60, earth_model="fullcarson",
         objects=WIRES_4BUS + [geometry_4wire("4wire", "no"),
                               line([("geometry", "4wire"), ("length", "0.5"), ("units", "mi")])]),
    dict(name="nev_17_conductors_deri", frequency=60, earth_model="deri",
         objects=NEV_WIRES + [nev_geometry(), line([("geometry", "quadcircuit"), ("length", "75"), ("units", "m")])]),
    dict(name="ckt5_units_cm_km_deri", frequency=60, earth_model="deri",
         objects=CKT5 + [line([("geometry", "3ph_horiz"), ("length", "0.1161288"), ("units", "km")])]),
    dict(name="spacing_wires_line_earthmodel", frequency=60, earth_model="deri",
         objects=WIRES_4BUS + [
             ("linespacing", "4wire_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "ft"),
                                               ("x", "[-4 -1.5 3 0]"), ("h", "[28 28 28 24]")]),
             line([("spacing", "4wire_spacing"), ("wires", "[conductor conductor conductor neutral]"),
                   ("earthmodel", "fullcarson"), ("rho", "50"), ("length", "1.5"), ("units", "kft")])]),
    dict(name="cn_cable_geometry_carson", frequency=60, earth_model="carson",
         objects=[CN_CABLE, CU_NEUTRAL,
                  ("linegeometry", "cn3", [("nconds", "3"), ("nphases", "3"),
                                           ("cond", "1"), ("cncable", "250_1/3"), ("x", "-0.5"), ("h", "-4"), ("units", "ft"),
                                           ("cond", "2"), ("cncable", "250_1/3"), ("x", "0"), ("h", "-4"),
                                           ("cond", "3"), ("cncable", "250_1/3"), ("x", "0.5"), ("h", "-4")]),
                  line([("geometry", "cn3"), ("length", "500"), ("units", "ft")])]),
    dict(name="cn_cable_spacing_neutral_deri", frequency=60, earth_model="deri",
         objects=[CN_CABLE, CU_NEUTRAL,
                  ("linespacing", "cn_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "in"),
                                                 ("x", "[-6 0 6 12]"), ("h", "[-48 -48 -48 -48]")]),
                  line([("spacing", "cn_spacing"), ("cncables", "[250_1/3 250_1/3 250_1/3]"), ("wires", "[1/0_cu]"),
                        ("length", "0.2"), ("units", "mi")])]),
    dict(name="cn_cable_geometry_deri", frequency=60, earth_model="deri",
         objects=[CN_CABLE,
                  ("linegeometry", "cn3", [("nconds", "3"), ("nphases", "3"),
                                           ("cond", "1"), ("cncable", "250_1/3"), ("x", "-0.5"), ("h", "-4"), ("units", "ft"),
                                           ("cond", "2"), ("cncable", "250_1/3"), ("x", "0"), ("h", "-4"),
                                           ("cond", "3"), ("cncable", "250_1/3"), ("x", "0.5"), ("h", "-4")]),
                  line([("geometry", "cn3"), ("length", "500"), ("units", "ft")])]),
    dict(name="cn_cable_spacing_neutral_carson", frequency=60, earth_model="carson",
         objects=[CN_CABLE, CU_NEUTRAL,
                  ("linespacing", "cn_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "in"),
                                                 ("x", "[-6 0 6 12]"), ("h", "[-48 -48 -48 -48]")]),
                  line([("spacing", "cn_spacing"), ("cncables", "[250_1/3 250_1/3 250_1/3]"), ("wires", "[1/0_cu]"),
                        ("length", "0.2"), ("units", "mi")])]),
    # OpenDSS computes a spacing line (without rho) with the earth model of the line computed before it.
    dict(name="cn_cable_spacing_after_geometry_line_carson", frequency=60, earth_model="carson",
         objects=[CN_CABLE, CU_NEUTRAL] + WIRES_4BUS + [
             geometry_4wire("4wire", "yes"),
             ("line", "before", [("bus1", "sourcebus"), ("bus2", "b1"), ("geometry", "4wire"), ("length", "1"), ("units", "kft")]),
             ("linespacing", "cn_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "in"),
                                            ("x", "[-6 0 6 12]"), ("h", "[-48 -48 -48 -48]")]),
             line([("spacing", "cn_spacing"), ("cncables", "[250_1/3 250_1/3 250_1/3]"), ("wires", "[1/0_cu]"),
                   ("length", "0.2"), ("units", "mi")])]),
    dict(name="geometry_from_spacing_and_wires_array_carson", frequency=60, earth_model="carson",
         objects=WIRES_4BUS + [
             ("linespacing", "4wire_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "ft"),
                                               ("x", "[-4 -1.5 3 0]"), ("h", "[28 28 28 24]")]),
             ("linegeometry", "g_sp", [("nconds", "4"), ("nphases", "3"), ("reduce", "yes"), ("spacing", "4wire_spacing"),
                                       ("wires", "[conductor conductor conductor neutral]")]),
             line([("geometry", "g_sp"), ("length", "300"), ("units", "m")])]),
    dict(name="cn_cable_geometry_array_deri", frequency=60, earth_model="deri",
         objects=[CN_CABLE,
                  ("linegeometry", "cn3a", [("nconds", "3"), ("nphases", "3"),
                                            ("cncables", "[250_1/3 250_1/3 250_1/3]"),
                                            ("cond", "1"), ("units", "in"), ("x", "-6"), ("h", "-48"),
                                            ("cond", "2"), ("x", "0"), ("h", "-48"),
                                            ("cond", "3"), ("x", "6"), ("h", "-48")]),
                  line([("geometry", "cn3a"), ("length", "0.2"), ("units", "mi")])]),
    dict(name="ts_cable_spacing_deri", frequency=50, earth_model="deri",
         objects=[TS_CABLE, CU_NEUTRAL,
                  ("linespacing", "ts_spacing", [("nconds", "4"), ("nphases", "3"), ("units", "m"),
                                                 ("x", "[-0.1 0 0.1 0.2]"), ("h", "[-1 -1 -1 -1.1]")]),
                  line([("spacing", "ts_spacing"), ("tscables", "[1/0 1/0 1/0]"), ("wires", "[1/0_cu]"),
                        ("length", "0.35"), ("units", "km")])]),
    # OpenDSS computes a shared geometry once, with the earth model of the first line using it.
    dict(name="shared_geometry_first_line_model_wins", frequency=60, earth_model="deri",
         objects=WIRES_4BUS + [
             geometry_4wire("4wire", "yes"),
             ("line", "first", [("bus1", "sourcebus"), ("bus2", "b1"), ("geometry", "4wire"), ("earthmodel", "carson"),
                                ("length", "1"), ("units", "kft")]),
             line([("geometry", "4wire"), ("earthmodel", "fullcarson"), ("length", "2"), ("units", "kft")])]),
    dict(name="ts_cable_neutral_fullcarson", frequency=60, earth_model="fullcarson",
         objects=[TS_CABLE, CU_NEUTRAL,
                  ("linegeometry", "ts1", [("nconds", "2"), ("nphases", "1"), ("reduce", "yes"),
                                           ("cond", "1"), ("tscable", "1/0"), ("x", "0"), ("h", "-4"), ("units", "ft"),
                                           ("cond", "2"), ("wire", "1/0_cu"), ("x", "0.25"), ("h", "-4")]),
                  line([("geometry", "ts1"), ("length", "500"), ("units", "ft")])]),
    dict(name="linecode_kron", frequency=60, earth_model="deri",
         objects=[("linecode", "k4", [("nphases", "4"),
                                      ("rmatrix", "[0.3465 | 0.1560 0.3375 | 0.1580 0.1535 0.3414 | 0.1590 0.1550 0.1570 0.6000]"),
                                      ("xmatrix", "[1.0179 | 0.5017 1.0478 | 0.4236 0.3849 1.0348 | 0.4100 0.4000 0.3900 1.1000]"),
                                      ("cmatrix", "[10 | -2 11 | -3 -2.5 12 | -1 -1.5 -2 9]"),
                                      ("units", "mi"), ("kron", "yes")]),
                  line([("linecode", "k4"), ("length", "300"), ("units", "ft")])]),
    dict(name="linecode_kron_neutral_first", frequency=50, earth_model="deri",
         objects=[("linecode", "k4n", [("nphases", "4"), ("units", "km"),
                                       ("rmatrix", "[0.6 | 0.1560 0.3375 | 0.1580 0.1535 0.3414 | 0.1590 0.1550 0.1570 0.3465]"),
                                       ("xmatrix", "[1.1 | 0.5017 1.0478 | 0.4236 0.3849 1.0348 | 0.4100 0.4000 0.3900 1.0179]"),
                                       ("cmatrix", "[9 | -2 11 | -3 -2.5 12 | -1 -1.5 -2 10]"),
                                       ("neutral", "1"), ("kron", "yes")]),
                  line([("linecode", "k4n"), ("length", "0.4"), ("units", "km")])]),
]


def command(cls, name, props):
    return "New {}.{} ".format(cls, name) + " ".join("{}={}".format(k, v) for k, v in props)


def run_case(case):
    # A fresh engine context per case: OpenDSS keeps an engine-wide "active" earth model across
    # `clear`, which a spacing line without rho uses (see resolveLineConstants).
    engine = DSS.NewContext()
    text = engine.Text
    text.Command = "clear"
    text.Command = "set DefaultBaseFrequency={}".format(case["frequency"])
    text.Command = "new circuit.lc basekv=12.47 phases=3 bus1=sourcebus"
    text.Command = "set earthmodel={}".format(case["earth_model"])
    for cls, name, props in case["objects"]:
        text.Command = command(cls, name, props)
    text.Command = "set voltagebases=[12.47]"
    text.Command = "calcvoltagebases"
    text.Command = "solve"
    lines = engine.ActiveCircuit.Lines
    lines.Name = "under_test"
    engine.ActiveCircuit.SetActiveElement("Line.under_test")
    expected = dict(phases=lines.Phases, length=lines.Length, units=lines.Units,
                    rmatrix=[float(v) for v in lines.Rmatrix], xmatrix=[float(v) for v in lines.Xmatrix],
                    cmatrix=[float(v) for v in lines.Cmatrix],
                    yprim=[float(v) for v in engine.ActiveCircuit.ActiveCktElement.Yprim])
    objects = [dict(cls=cls, name=name, props=[[k, v] for k, v in props]) for cls, name, props in case["objects"]]
    return dict(name=case["name"], frequency=case["frequency"], earth_model=case["earth_model"],
                objects=objects, line="under_test", expected=expected)


SHARED_FEEDERS = os.path.join(HERE, "..", "..", "..", "shared", "feeders")
FEEDER_GEOMETRIES = [("ckt5_geometries.json", os.path.join(SHARED_FEEDERS, "ckt5", "ckt5", "Master_ckt5.dss")),
                     ("nev_geometries.json", os.path.join(SHARED_FEEDERS, "nev", "NEVTestCase", "NEVMASTER.DSS"))]


def feeder_geometries(master):
    """For every LineGeometry a feeder's lines use (Deri, 60 Hz), the matrices of the first such line."""
    engine = DSS.NewContext()
    engine.Text.Command = 'compile "{}"'.format(os.path.abspath(master))
    engine.Text.Command = "solve"
    lines = engine.ActiveCircuit.Lines
    seen, entries = set(), []
    index = lines.First
    while index > 0:
        geometry = lines.Geometry.lower()
        if geometry and geometry not in seen:
            seen.add(geometry)
            entries.append(dict(geometry=geometry, line=lines.Name, length=lines.Length, units=lines.Units,
                                phases=lines.Phases, rmatrix=[float(v) for v in lines.Rmatrix],
                                xmatrix=[float(v) for v in lines.Xmatrix], cmatrix=[float(v) for v in lines.Cmatrix]))
        index = lines.Next
    return entries


def main():
    for output, master in FEEDER_GEOMETRIES:
        if not os.path.exists(master):
            print("skipping {}: {} is absent".format(output, master))
            continue
        with open(os.path.join(HERE, output), "w") as f:
            json.dump(dict(engine=DSS.Version.splitlines()[0], earth_model="deri", frequency=60,
                           lines=feeder_geometries(master)), f, indent=1)
            f.write("\n")
    results = [run_case(case) for case in CASES]
    document = dict(engine=DSS.Version.splitlines()[0], cases=results)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    for r in results:
        print(r["name"], r["expected"]["phases"], r["expected"]["rmatrix"][:2])


if __name__ == "__main__":
    main()
