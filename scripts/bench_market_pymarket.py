#!/usr/bin/env python3
"""Times pymarket's Huang double auction on random books of the sizes gridtrace benchmarks.

Usage: bench_market_pymarket.py N [N ...]   (prints one JSON line per size)
Books mirror gridtrace's random interval book: 45 % sellers, 10-400 Wh, buyers bid in the upper
70 % of [50, 250] and sellers ask in the lower 70 % (the values are not the same draws: pymarket
gets its own numpy-seeded book). Time is the best of 3 runs of `Market.run('huang')`, including
pymarket's own DataFrame construction of the bids, as its users would call it.
"""
import json
import sys
import time

import numpy as np
import pymarket as pm


def book(n, seed):
    rng = np.random.default_rng(seed)
    market = pm.Market()
    for user in range(n):
        sell = rng.random() < 0.45
        energy = float(rng.integers(10, 401))
        fraction = rng.random()
        price = 50 + (0.7 * fraction * 200 if sell else (0.3 + 0.7 * fraction) * 200)
        market.accept_bid(energy, float(price), user, not sell)
    return market


def main():
    for n in map(int, sys.argv[1:]):
        best = float("inf")
        volume = 0.0
        for repeat in range(3):
            market = book(n, 1 + repeat)
            started = time.perf_counter()
            transactions, _ = market.run("huang")
            best = min(best, time.perf_counter() - started)
            frame = transactions.get_df()
            volume = float(frame["quantity"].sum()) / 2 / 1000
        print(json.dumps({"bids": n, "huang_seconds": best, "volume_kwh": volume}))


if __name__ == "__main__":
    main()
