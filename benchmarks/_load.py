"""Background load for ``python -m benchmarks --contended KIND``: a second process that keeps the cores busy.

``fastdip``: another fastdip process calling parallel kernels in a loop with its default threads (what a
2-worker batch, a Dask process pool or two users of one server do to each other); ``busy``: a plain Python
busy loop on one core. The process stops itself after ``seconds`` even if the runner dies.
"""

from __future__ import annotations

import subprocess
import sys
import time

KINDS = ("fastdip", "busy")

_FASTDIP_LOOP = """
import sys, time
import numpy as np
import fastdip
from fastdip import filters, histogram, morphology
rng = np.random.default_rng(1)
small = rng.integers(0, 256, (512, 512), dtype=np.uint8)
large = rng.integers(0, 256, (2048, 2048), dtype=np.uint8)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    for image in (small, large):
        filters.median(image, 3)
        histogram.histogram(image)
        filters.gaussian(image, 2.0)
        morphology.erode(image, morphology.square(3))
"""

_BUSY_LOOP = """
import sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    pass
"""


def start(kind: str, seconds: float) -> subprocess.Popen:
    """Start the load process of ``kind`` for at most ``seconds``; wait until it is running its loop."""
    if kind not in KINDS:
        raise ValueError(f"start: kind must be one of {KINDS}, got {kind!r}")
    code = _FASTDIP_LOOP if kind == "fastdip" else _BUSY_LOOP
    proc = subprocess.Popen([sys.executable, "-c", code, str(seconds)], stdin=subprocess.DEVNULL)
    time.sleep(3.0 if kind == "fastdip" else 0.5)  # imports and the first (cached) kernel loads
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a load process started by :func:`start`."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
