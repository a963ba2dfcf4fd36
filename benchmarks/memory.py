"""Peak extra memory of fastdip and scipy.ndimage on one 3-D volume: ``python -m benchmarks.memory``.

Each measurement runs in a fresh process: the input is made and every kernel compiled (or loaded from the
cache) on a tiny volume first, the kernel's high-water mark of resident memory is reset (``/proc/self/clear_refs``,
Linux), the call is made once, and the peak resident memory above the resident memory just before the call is
reported (``VmHWM`` − ``VmRSS`` from ``/proc/self/status``). The result array itself is part of the peak, so
an operation writing float32 costs at least 4 bytes per voxel; compare fastdip with scipy for the same output
dtype. Memory is measured here and reported, never asserted in a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"

#: name -> (fastdip call, scipy call, description); ``v`` is the uint8 volume, ``m`` the mask v > 127
CASES = {
    "gaussian σ=2 float32": ("fastdip.filters.gaussian(v, 2.0)",
                             "ndi.gaussian_filter(v, 2.0, output=np.float32)", "float32 output"),
    "gaussian σ=2 uint8": ("fastdip.filters.gaussian(v, 2.0, dtype=np.uint8)", "ndi.gaussian_filter(v, 2.0)",
                           "uint8 output"),
    "mean 5 float32": ("fastdip.filters.mean(v, 5)", "ndi.uniform_filter(v, 5, output=np.float32)",
                       "float32 output"),
    "mean 5 uint8": ("fastdip.filters.mean(v, 5, dtype=np.uint8)", "ndi.uniform_filter(v, 5)", "uint8 output"),
    "median 3": ("fastdip.filters.median(v, 3)", "ndi.median_filter(v, 3)", "uint8 output"),
    "label": ("fastdip.segmentation.label(m)", "ndi.label(m)", "labels of v > 127, default connectivity"),
    "erode disk r=5 per plane": ("fastdip.morphology.erode(v, fastdip.morphology.disk(5)[None])",
                                 "ndi.grey_erosion(v, footprint=fastdip.morphology.disk(5)[None], mode='nearest')",
                                 "uint8 output, a (1, 11, 11) footprint"),
    "open disk r=2 2-D": ("fastdip.morphology.open(v.reshape(-1, v.shape[-1]), fastdip.morphology.disk(2))",
                          "ndi.grey_opening(v.reshape(-1, v.shape[-1]), footprint=fastdip.morphology.disk(2), "
                          "mode='nearest')",
                          "uint8 output, the volume as one (side**2, side) image"),
}

_CHILD = """
import sys, numpy as np
import scipy.ndimage as ndi
import fastdip

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
side, lib, case = int(sys.argv[1]), sys.argv[2], sys.argv[3]
code = CASES[case][0 if lib == "fastdip" else 1]
for side0 in (16, 128):                       # compile / load the kernels, serial and parallel twins
    v = np.random.default_rng(0).integers(0, 256, (side0,) * 3, dtype=np.uint8)
    m = v > 127
    eval(code)
del v, m
v = np.random.default_rng(1).integers(0, 256, (side, side, side), dtype=np.uint8)
m = v > 127
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                              # reset VmHWM to the current resident size
before = status("VmRSS")
result = eval(code)
print(status("VmHWM") - before)
"""


def measure(side: int, lib: str, case: str) -> int:
    """Peak extra bytes of one call in a fresh process."""
    code = f"CASES = {json.dumps({k: v[:2] for k, v in CASES.items()})}\n" + _CHILD
    done = subprocess.run([sys.executable, "-c", code, str(side), lib, case], capture_output=True, text=True,
                          check=False, cwd=_ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{lib} {case}: {done.stderr.strip().splitlines()[-1:]}")
    return int(done.stdout.split()[-1])


_CORPUS_CHILD = """
import sys
from pathlib import Path
from fastdip import io

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
path = Path(sys.argv[1])
io.imwrite(path.with_name("warm.png"), __import__("numpy").zeros((4, 4), "uint8"), overwrite=True)
io.imread(path.with_name("warm.png"))     # imports and codecs loaded
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS")
try:
    io.imread(path)
    outcome = "read"
except io.ImageReadError as exc:
    outcome = "refused"
print(status("VmHWM") - before, outcome)
"""


def corpus(argv) -> int:
    """Peak extra memory of ``io.imread`` on each decompression bomb of the hostile corpus."""
    import tempfile

    sys.path.insert(0, str(_ROOT))
    from tests._hostile import BOMBS

    lines = ["| file | size on disk | declared | outcome | peak extra memory |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        for ext, make in sorted(BOMBS.items()):
            path = make(Path(folder) / f"bomb.{ext}")
            done = subprocess.run([sys.executable, "-c", _CORPUS_CHILD, str(path)], capture_output=True,
                                  text=True, check=False, cwd=_ROOT)
            if done.returncode != 0:
                raise RuntimeError(f"{ext}: {done.stderr.strip().splitlines()[-1:]}")
            extra, outcome = done.stdout.split()
            line = (f"| bomb.{ext} | {path.stat().st_size:,} bytes | 30000 × 30000 | {outcome} | "
                    f"{int(extra) / 2**20:,.1f} MiB |")
            print(line, flush=True)
            lines.append(line)
    section = (f"## {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · memory · hostile corpus\n\n"
               f"- **Command**: `python -m benchmarks.memory --corpus`\n"
               f"- **Method**: `io.imread` with the default budget in a fresh process per file; peak resident "
               f"memory above the resident memory before the call\n\n" + "\n".join(lines) + "\n\n")
    if "--no-write" not in argv:
        with open(RESULTS_PATH, "a", encoding="utf-8") as f:
            f.write(section)
        print(f"appended to {RESULTS_PATH}")
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--corpus" in argv:
        return corpus(argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.split("\n")[0],
                                     epilog="Example: python -m benchmarks.memory --side 256 --filter gaussian")
    parser.add_argument("--side", type=int, default=512, help="the volume is side³ uint8 (default 512)")
    parser.add_argument("--filter", action="append", default=[], metavar="SUBSTR",
                        help="only cases whose name contains SUBSTR (repeatable)")
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS_PATH.name}")
    parser.add_argument("--corpus", action="store_true", help="instead: imread's peak on the decompression bombs")
    options = parser.parse_args(argv)
    if options.side < 16:
        parser.error(f"--side must be at least 16, got {options.side}")
    cases = [c for c in CASES if not options.filter or any(f.lower() in c.lower() for f in options.filter)]
    if not cases:
        parser.error(f"--filter {options.filter} matches no case; cases: {', '.join(CASES)}")
    volume_mb = options.side ** 3 / 2**20
    lines = ["| case | output | fastdip peak extra | scipy peak extra | fastdip / scipy | at most scipy's |",
             "|---|---|---|---|---|---|"]
    for case in cases:
        ours = measure(options.side, "fastdip", case)
        theirs = measure(options.side, "scipy", case)
        ratio = ours / theirs if theirs > 0 else float("inf")
        line = (f"| {case} | {CASES[case][2]} | {ours / 2**20:,.0f} MiB | {theirs / 2**20:,.0f} MiB | ×{ratio:.2f} | "
                f"{'yes' if ours <= theirs * 1.02 else '**NO**'} |")
        print(line, flush=True)
        lines.append(line)
    started = datetime.now(timezone.utc)
    section = (f"## {started:%Y-%m-%d %H:%M} UTC · memory\n\n"
               f"- **Command**: `python -m benchmarks.memory {' '.join(argv)}`\n"
               f"- **Input**: a {options.side}³ uint8 volume ({volume_mb:,.0f} MiB); peak resident memory above "
               f"the resident memory before the call, each in a fresh process, kernels (serial and parallel twins) compiled first on 16³ and 128³ "
               f"(\"at most scipy's\" allows 2 % for page-granularity noise)\n\n" + "\n".join(lines) + "\n\n")
    if not options.no_write:
        with open(RESULTS_PATH, "a", encoding="utf-8") as f:
            f.write(section)
        print(f"appended to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
