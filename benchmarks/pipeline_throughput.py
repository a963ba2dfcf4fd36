"""Batch throughput of ``fastdip.pipeline.run_batch``: ``python -m benchmarks.pipeline_throughput``.

N camera-size PNG files (512², written once into a temporary folder) go through the pipeline
median 3x3 -> Otsu threshold (``segmentation.binarize``) -> PNG, three ways in one run:

- a bare Python loop calling the same public functions (imread, median, binarize, imwrite);
- ``run_batch`` with 1 worker (in-process): its overhead against the bare loop;
- ``run_batch`` with 2 (or ``--workers``) worker processes: the speed-up over 1 worker.

It also reports the registry's cost: one ``get`` lookup and the validation of a step (``Pipeline(...)``).
Each batch writes into a fresh folder; the best of ``--repeat`` runs is kept (the machine is shared).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
STEPS = [("filters.median", {"size": 3}), ("segmentation.binarize", {"threshold": "otsu"})]


def _bare(files, out: Path) -> None:
    from fastdip import filters, io, segmentation

    for path in files:
        image = io.imread(path)
        mask = segmentation.binarize(filters.median(image, 3), "otsu")
        io.imwrite(out / path.name, mask)


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pipeline_throughput",
                                     description=__doc__.split("\n")[0],
                                     epilog="Example: python -m benchmarks.pipeline_throughput --files 200 --no-write")
    parser.add_argument("--files", type=int, default=200, help="number of 512x512 PNG inputs (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel run (default 2)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each way; the best is kept (default 2)")
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS_PATH.name}")
    options = parser.parse_args(argv)
    if options.files < 2 or options.workers < 2 or options.repeat < 1:
        parser.error("--files and --workers must be at least 2, --repeat at least 1")

    from fastdip import data, io
    from fastdip.pipeline import Pipeline, get, run_batch

    get("filters.median")  # the registry is built on first use
    lookups = 20000
    start = time.perf_counter()
    for _ in range(lookups):
        get("filters.median")
    lookup_us = (time.perf_counter() - start) / lookups * 1e6
    start = time.perf_counter()
    for _ in range(2000):
        Pipeline(STEPS)
    validate_us = (time.perf_counter() - start) / 2000 / len(STEPS) * 1e6

    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        src = root / "in"
        src.mkdir()
        camera = data.camera()
        io.imwrite(src / "f0000.png", camera)
        for k in range(1, options.files):
            shutil.copyfile(src / "f0000.png", src / f"f{k:04d}.png")
        files = sorted(src.glob("*.png"))
        pipe = Pipeline(STEPS)
        run = {"n": 0}

        def fresh() -> Path:
            run["n"] += 1
            out = root / f"out{run['n']}"
            out.mkdir()
            return out

        _bare(files[:3], fresh())  # compile / load the kernels
        bare = _best(lambda: _bare(files, fresh()), options.repeat)
        one = _best(lambda: run_batch(pipe, [src], fresh(), workers=1, progress=False), options.repeat)
        many = _best(lambda: run_batch(pipe, [src], fresh(), workers=options.workers, progress=False),
                     options.repeat)
    n = options.files
    rows = [
        ("bare Python loop", bare, n / bare, "—"),
        ("run_batch, 1 worker", one, n / one, f"overhead {100 * (one / bare - 1):+.1f} % vs the bare loop"),
        (f"run_batch, {options.workers} workers", many, n / many, f"×{one / many:.2f} vs 1 worker"),
    ]
    lines = ["| way | seconds | files/s | note |", "|---|---|---|---|"]
    lines += [f"| {w} | {s:.2f} | {r:.1f} | {note} |" for w, s, r, note in rows]
    lines.append(f"| registry lookup (`get`) | {lookup_us:.2f} µs | | per call |")
    lines.append(f"| step validation (`Pipeline(...)`) | {validate_us:.1f} µs | | per step |")
    text = "\n".join(lines)
    print(text)
    if not options.no_write:
        from benchmarks import _machine

        started = datetime.now(timezone.utc)
        with open(RESULTS_PATH, "a", encoding="utf-8") as fh:
            fh.write(f"## {started:%Y-%m-%d %H:%M} UTC · pipeline throughput\n\n"
                     f"- **Command**: `python -m benchmarks.pipeline_throughput {' '.join(argv or sys.argv[1:])}`\n"
                     f"- **Machine**: {_machine.machine()}\n"
                     f"- **Work**: {n} PNG files of 512×512 uint8: read, median 3×3, Otsu binarize, write PNG; "
                     f"best of {options.repeat} runs each\n\n{text}\n\n")
        print(f"appended to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
