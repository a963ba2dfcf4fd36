"""Density-peaks clustering at scale: ``python -m benchmarks.density_peaks``.

``fastdip.learn.DensityPeaks`` on 10⁵ 2-D points (four Gaussian blobs of different sizes and spreads, plus a
uniform background of 5 %), with the paper's dc rule (2 % of the points as average neighbours), for the cutoff
and the Gaussian kernel; ``--million`` adds 10⁶ points (cutoff kernel; ``--million-gaussian`` also the
Gaussian one, minutes). Reported per run: the first call (numba compiles or loads its cache) separately, then
the best of ``--repeat`` calls, split into its phases, and the peak of Python-tracked memory (numpy arrays and
the k-d tree, by tracemalloc).

The memory of a distance-matrix implementation (pydpc, the paper's own code) is stated analytically: n² float64
distances, 8 n² bytes (80 GB at 10⁵ points, 8 TB at 10⁶), against O(n) here beside the tree.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
#: (centre, sigma, share of the points) of the blobs; the rest is a uniform background over [-6, 14]²
BLOBS = [((0.0, 0.0), 1.0, 0.40), ((5.0, 0.5), 0.3, 0.10), ((1.5, 6.0), 1.5, 0.30), ((6.0, 5.0), 0.4, 0.15)]


def points(n: int, seed: int = 0) -> np.ndarray:
    """n 2-D points: the blobs of BLOBS and a uniform background (the remaining 5 %)."""
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, s, (int(n * share), 2)) for c, s, share in BLOBS]
    rest = n - sum(len(p) for p in parts)
    parts.append(rng.uniform(-6, 14, (rest, 2)))
    return np.concatenate(parts)


def _run(x, kernel: str):
    from fastdip.learn import DensityPeaks

    start = time.perf_counter()
    dp = DensityPeaks(n_clusters=4, kernel=kernel).fit(x)
    return time.perf_counter() - start, dp


def _peak_bytes(x, kernel: str) -> int:
    tracemalloc.start()
    _run(x, kernel)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _human(nbytes: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if nbytes < 1000:
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    return f"{nbytes:.3g} PB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.density_peaks", description=__doc__.split("\n")[0],
                                     epilog="Example: python -m benchmarks.density_peaks --million --no-write")
    parser.add_argument("--million", action="store_true", help="also 10^6 points, cutoff kernel")
    parser.add_argument("--million-gaussian", action="store_true", help="also 10^6 points, Gaussian kernel (slow)")
    parser.add_argument("--repeat", type=int, default=2, help="timed calls after the first; best kept (default 2)")
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS_PATH.name}")
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")

    from fastdip import get_threads
    from sklearn.metrics import adjusted_rand_score

    runs = [(100_000, "cutoff"), (100_000, "gaussian")]
    if options.million:
        runs.append((1_000_000, "cutoff"))
    if options.million_gaussian:
        runs.append((1_000_000, "gaussian"))
    lines = ["| points | kernel | first call | best call | dc | ARI (blobs) | peak memory | distance matrix |",
             "|---|---|---|---|---|---|---|---|"]
    for n, kernel in runs:
        x = points(n)
        truth = np.repeat(np.arange(len(BLOBS) + 1), [int(n * s) for *_, s in BLOBS] + [0])[: n]
        blob = np.arange(n) < len(truth)
        first, dp = _run(x, kernel)
        best = min(_run(x, kernel)[0] for _ in range(options.repeat))
        ari = adjusted_rand_score(truth, dp.labels_[blob])
        peak = _peak_bytes(x, kernel)
        lines.append(f"| {n:,} | {kernel} | {first:.2f} s | {best:.2f} s | {dp.dc_:.3g} | {ari:.3f} | "
                     f"{_human(peak)} | {_human(8.0 * n * n)} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines)
    print()
    print(text)
    if not options.no_write:
        from benchmarks import _machine

        started = datetime.now(timezone.utc)
        with open(RESULTS_PATH, "a", encoding="utf-8") as fh:
            fh.write(f"## {started:%Y-%m-%d %H:%M} UTC · density peaks\n\n"
                     f"- **Command**: `python -m benchmarks.density_peaks {' '.join(argv or sys.argv[1:])}`\n"
                     f"- **Machine**: {_machine.machine()}, {get_threads()} threads\n"
                     "- **Work**: DensityPeaks(n_clusters=4) with the paper's dc rule (2 %) on four Gaussian "
                     "blobs plus 5 % uniform background; peak memory by tracemalloc; the last column is the "
                     "n² float64 distance matrix of pydpc-style implementations (analytic)\n\n"
                     f"{text}\n\n")
        print(f"appended to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
