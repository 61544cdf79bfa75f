#!/usr/bin/env python3
"""Times `gridtrace diff` on the demo pair against dumping both traces' events with the sqlite3
shell and comparing them with GNU diff (BENCHMARKS.md, "Trace diff and what-if").

Usage: scripts/bench_diff.py DEMO_DIR [REPEATS]   (DEMO_DIR from `gridtrace demo --out DEMO_DIR`;
the release binary at .build/release/gridtrace). Prints the median and best wall time of each.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRIDTRACE = os.path.join(ROOT, ".build", "release", "gridtrace")
DUMP = "SELECT time_ms, kind, actor, payload FROM events ORDER BY seq"


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, shell=isinstance(command, str), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def sqlite_diff(a, b, scratch):
    return (f"sqlite3 {a} '{DUMP}' > {scratch}/a.txt && sqlite3 {b} '{DUMP}' > {scratch}/b.txt"
            f" && diff {scratch}/a.txt {scratch}/b.txt | head -1")


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    no_p2p, p2p = os.path.join(folder, "no-p2p.gtrace"), os.path.join(folder, "p2p.gtrace")
    copy = os.path.join(folder, "p2p-copy.gtrace")
    shutil.copyfile(p2p, copy)
    jobs = {
        "gridtrace diff no-p2p p2p": [GRIDTRACE, "diff", no_p2p, p2p],
        "gridtrace diff p2p p2p-copy": [GRIDTRACE, "diff", p2p, copy],
        "sqlite3 + diff no-p2p p2p": sqlite_diff(no_p2p, p2p, folder),
        "sqlite3 + diff p2p p2p-copy": sqlite_diff(p2p, copy, folder),
        "gridtrace trace verify p2p": [GRIDTRACE, "trace", "verify", p2p],
    }
    walls = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, command in jobs.items():
            walls[name].append(timed(command))
    for name, values in walls.items():
        print(f"{name}: median {statistics.median(values):.3f} s, best {min(values):.3f} s")


if __name__ == "__main__":
    main()
