"""fastdip.scale on big images: ``python -m benchmarks.scale [--big 20000] [--write]``.

Four measurements, each a ratio taken within one run (the timed variants interleaved, medians reported):

1. overhead: the same median 5x5 + Gaussian sigma 2 chain on a 4096^2 uint8 image, in memory (fastdip's own
   threads) and through ``scale.apply`` with 1024^2 chunks on Dask's threaded scheduler (target <= 20 %);
2. threads: ``scale.apply`` median 5x5 on an 8192^2 uint8 image with 1 and with 2 Dask threads (target >= 1.6x);
3. dask-image: the Gaussian + median chain with ``dask_image.ndfilters`` and with fastdip on the same Dask array
   and chunks (target fastdip >= 2x faster);
4. big chain: a synthetic N^2 uint8 image stored as zarr, median 5 + Gaussian 2 + Otsu binarisation + label +
   regionprops through ``scale.apply`` in a fresh process; its peak resident memory (``ru_maxrss``) and object
   count, and the object count of the same chain in memory and chunked on a crop (at most 8192^2).

The machine's cores may be shared with other work: the numbers carry its load average; compare ratios only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS-scale.md"

CHAIN = [("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 2.0, "dtype": "uint8"})]
BIG_CHAIN = CHAIN + [("segmentation.binarize", {"threshold": "otsu"}), ("segmentation.label", {}),
                     ("measure.regionprops", {"intensity": "@input"})]


def _image(side: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (side, side), dtype=np.uint8)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _interleaved(variants: dict, repeat: int) -> dict:
    """Median seconds of each variant (and the best, under ``best NAME``), the variants run in turn ``repeat``
    times after one warm-up each."""
    for fn in variants.values():
        fn()
    times = {name: [] for name in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            times[name].append(_timed(fn))
    return {**{name: statistics.median(t) for name, t in times.items()},
            **{f"best {name}": min(t) for name, t in times.items()}}


def overhead(side: int, chunk: int, repeat: int, one_thread: bool = False) -> dict:
    """``one_thread``: in memory with ``fastdip.threads(1)`` against one Dask thread: the cost of chunking
    alone, without the question of how two threads share two (possibly busy) cores."""
    import fastdip
    from fastdip import pipeline, scale

    img = _image(side)
    pipe = pipeline.Pipeline(CHAIN)

    def in_memory():
        if one_thread:
            with fastdip.threads(1):
                return pipe.run(img)
        return pipe.run(img)

    workers = 1 if one_thread else None
    t = _interleaved({
        "in memory": in_memory,
        "scale.apply": lambda: scale.apply(pipe, img, chunks=chunk, progress=False).compute(
            scheduler="threads", num_workers=workers),
    }, repeat)
    return {"size": side, "chunk": chunk, "threads": 1 if one_thread else fastdip.get_threads(), **t,
            "overhead": t["scale.apply"] / t["in memory"] - 1,
            "best overhead": t["best scale.apply"] / t["best in memory"] - 1}


def threads(side: int, chunk: int, repeat: int) -> dict:
    import dask

    from fastdip import scale

    img = _image(side, 1)
    arr = scale.apply("filters.median", img, params={"size": 5}, chunks=chunk, progress=False)
    t = _interleaved({
        "1 thread": lambda: dask.compute(arr, scheduler="threads", num_workers=1),
        "2 threads": lambda: dask.compute(arr, scheduler="threads", num_workers=2),
    }, repeat)
    return {"size": side, "chunk": chunk, **t, "speed-up": t["1 thread"] / t["2 threads"],
            "best speed-up": t["best 1 thread"] / t["best 2 threads"]}


def dask_image(side: int, chunk: int, repeat: int) -> dict:
    import dask.array as da
    from dask_image import ndfilters

    from fastdip import scale

    img = _image(side, 2)
    x = da.from_array(img, chunks=chunk)
    steps = [("filters.gaussian", {"sigma": 2.0, "dtype": "uint8"}), ("filters.median", {"size": 5})]
    ours = scale.apply(steps, x, chunks=chunk, progress=False)
    theirs = ndfilters.median_filter(ndfilters.gaussian_filter(x, 2.0, mode="reflect", truncate=4.0), size=5,
                                     mode="reflect")
    t = _interleaved({"fastdip": lambda: ours.compute(scheduler="threads"),
                      "dask-image": lambda: theirs.compute(scheduler="threads")}, repeat)
    a, b = ours.compute(), theirs.compute()
    return {"size": side, "chunk": chunk, **t, "ratio": t["dask-image"] / t["fastdip"],
            "best ratio": t["best dask-image"] / t["best fastdip"],
            "max |difference|": int(np.abs(a.astype(int) - b.astype(int)).max())}


_BIG_CHILD = """
import json, resource, sys, time, warnings
from fastdip import scale
path, chunk = sys.argv[1], int(sys.argv[2])
steps = json.loads(sys.argv[3])
import numpy as np
warm = np.random.default_rng(0).integers(0, 256, (300, 300), dtype=np.uint8)
scale.apply([tuple(s) for s in steps], warm, chunks=100, progress=False)  # kernels compiled or loaded first
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    table = scale.apply([tuple(s) for s in steps], path, chunks=chunk, progress=False)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"objects": len(table), "peak_rss": peak, "rss_before": before, "seconds": seconds,
                  "warnings": [str(w.message)[:200] for w in caught]}))
"""


def _synthetic(side: int, chunk: int):
    """Blobs on a lattice (about 1 per 64^2 pixels) plus noise, made chunk by chunk (never whole in memory)."""
    import dask.array as da

    def block(x, block_info=None):
        (r0, r1), (c0, c1) = block_info[None]["array-location"]
        rr, cc = np.mgrid[r0:r1, c0:c1].astype(np.float32)
        base = 128 + 90 * np.sin(rr / 10.3) * np.sin(cc / 10.1)
        noise = np.random.default_rng(r0 * 7919 + c0).normal(0, 30, base.shape)
        return np.clip(base + noise, 0, 255).astype(np.uint8)

    return da.zeros((side, side), np.uint8, chunks=chunk).map_blocks(block, dtype=np.uint8)


def big_chain(side: int, chunk: int, folder: Path) -> dict:
    from fastdip import pipeline, scale

    path = folder / f"big{side}.zarr"
    if not path.exists():
        scale.write(_synthetic(side, chunk), path, chunks=chunk)
    steps = json.dumps([list(s) for s in BIG_CHAIN])
    done = subprocess.run([sys.executable, "-c", _BIG_CHILD, str(path), str(chunk), steps], capture_output=True,
                          text=True, cwd=_ROOT, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr.strip().splitlines()[-1:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    crop_side = min(side, 8192)
    crop = np.asarray(scale.open_array(path)[:crop_side, :crop_side].compute())
    pipe = pipeline.Pipeline(BIG_CHAIN)
    result["crop"] = crop_side
    result["crop objects in memory"] = len(pipe.run(crop))
    result["crop objects chunked"] = len(scale.apply(pipe, crop, chunks=chunk, progress=False))
    result["size"], result["chunk"] = side, chunk
    return result


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def report(results: dict, args) -> str:
    import dask

    import fastdip

    lines = [f"## {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC — `python -m benchmarks.scale "
             f"{' '.join(args.argv)}`", "",
             f"cores: {len(os.sched_getaffinity(0))}, fastdip threads: {fastdip.get_threads()}, dask "
             f"{dask.__version__}, load average before/after: {results['load before']} / {results['load after']} "
             "(other work shared the cores: compare ratios, not seconds)", ""]
    rows = [o for o in (results.get("overhead"), results.get("overhead 1 thread")) if o]
    if rows:
        lines += ["| chunked vs in memory | in memory (s) | scale.apply (s) | overhead (medians) | overhead (bests) "
                  "| target |", "|---|---|---|---|---|---|"]
        for o in rows:
            lines.append(f"| median 5 + Gaussian 2, {o['size']}² uint8, {o['chunk']}² chunks, {o['threads']} "
                         f"thread(s) | {o['in memory']:.3f} | {o['scale.apply']:.3f} | {100 * o['overhead']:+.0f} % "
                         f"| {100 * o['best overhead']:+.0f} % | ≤ 20 % |")
        lines.append("")
    t = results.get("threads")
    if t:
        lines += ["| Dask threads | 1 thread (s) | 2 threads (s) | speed-up (medians) | speed-up (bests) | target |",
                  "|---|---|---|---|---|---|",
                  f"| median 5x5, {t['size']}² uint8, {t['chunk']}² chunks | {t['1 thread']:.3f} | {t['2 threads']:.3f} "
                  f"| {t['speed-up']:.2f}x | {t['best speed-up']:.2f}x | ≥ 1.6x |", ""]
    d = results.get("dask-image")
    if d:
        lines += ["| same chain, same chunks | fastdip (s) | dask-image (s) | dask-image / fastdip (medians) | (bests) "
                  "| target |", "|---|---|---|---|---|---|",
                  f"| Gaussian 2 (uint8) + median 5, {d['size']}² uint8, {d['chunk']}² chunks | {d['fastdip']:.3f} | "
                  f"{d['dask-image']:.3f} | {d['ratio']:.1f}x | {d['best ratio']:.1f}x | ≥ 2x |", "",
                  f"(outputs differ by at most {d['max |difference|']} grey level: Gaussian rounding of "
                  "scipy's uint8 output vs fastdip's)", ""]
    b = results.get("big")
    if b:
        lines += ["| big chain from zarr (fresh process) | objects | peak RSS | seconds | target |", "|---|---|---|---|---|",
                  f"| {b['size']}² uint8 ({b['size'] ** 2 / 1e6:.0f} MB), {b['chunk']}² chunks: median 5 + Gaussian 2 "
                  f"+ Otsu + label + regionprops | {b['objects']} | {b['peak_rss'] / 2**30:.2f} GiB | "
                  f"{b['seconds']:.1f} | < 1.5 GB |", "",
                  f"crop {b['crop']}²: {b['crop objects in memory']} objects in memory, {b['crop objects chunked']} "
                  f"chunked; fallback warnings in the big run: {b['warnings'] or 'none'}", ""]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=4096, help="side of the big-chain image (20000 for the "
                        "issue's 400 MB case; 0 to skip)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved timed runs per variant")
    parser.add_argument("--only", nargs="+", choices=("overhead", "threads", "dask-image", "big"))
    parser.add_argument("--small", action="store_true", help="quarter sizes (a quick check)")
    parser.add_argument("--write", action="store_true", help=f"append the table to {RESULTS_PATH.name}")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    k = 4 if args.small else 1
    only = set(args.only or ("overhead", "threads", "dask-image", "big"))
    results = {"load before": _load()}
    if "overhead" in only:
        results["overhead"] = overhead(4096 // k, 1024 // k, args.repeat)
        print("overhead", results["overhead"], flush=True)
        results["overhead 1 thread"] = overhead(4096 // k, 1024 // k, args.repeat, one_thread=True)
        print("overhead 1 thread", results["overhead 1 thread"], flush=True)
    if "threads" in only:
        results["threads"] = threads(8192 // k, 2048 // k, args.repeat)
        print("threads", results["threads"], flush=True)
    if "dask-image" in only:
        results["dask-image"] = dask_image(4096 // k, 1024 // k, args.repeat)
        print("dask-image", results["dask-image"], flush=True)
    if "big" in only and args.big:
        with tempfile.TemporaryDirectory(dir=_ROOT / "benchmarks") as folder:
            results["big"] = big_chain(args.big // k, 2048 // k if args.big >= 8192 else 1024 // k, Path(folder))
        print("big", results["big"], flush=True)
    results["load after"] = _load()
    text = report(results, args)
    print(text)
    if args.write:
        if not RESULTS_PATH.exists():
            RESULTS_PATH.write_text("# fastdip.scale benchmark results\n\nWritten by `python -m benchmarks.scale "
                                    "--write`; each section is one run.\n\n", encoding="utf-8")
        with open(RESULTS_PATH, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
