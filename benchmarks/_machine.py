"""What a results section records about the run: machine, library versions, threads, CPU noise."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import sys
import time
from dataclasses import dataclass

#: Distributions whose versions every results section records (display name, distribution name).
VERSIONED = (
    ("python", None),
    ("numpy", "numpy"),
    ("scipy", "scipy"),
    ("numba", "numba"),
    ("scikit-image", "scikit-image"),
    ("opencv", "opencv-python-headless"),
    ("pillow", "pillow"),
    ("fastdip", "fastdip"),
)

#: Environment variables set for ``--threads 1`` (before any library starts its thread pool).
SINGLE_THREAD_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMBA_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "OPENCV_FOR_THREADS_NUM",
)


def _cpuinfo_field(name: str) -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def machine() -> str:
    """Return a one-line description: CPU model, usable CPUs, memory, OS and load average."""
    cpu = _cpuinfo_field("model name") or platform.processor() or platform.machine()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [cpu, f"nproc {usable}"]
    memory = _memory_gib()
    if memory is not None:
        parts.append(f"RAM {memory:.1f} GiB")
    parts.append(platform.platform())
    if hasattr(os, "getloadavg"):
        parts.append("load average before the run " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return ", ".join(parts)


def versions() -> str:
    """Return ``"python 3.11.7, numpy 2.4.6, ..."`` for :data:`VERSIONED` (``absent`` if not installed)."""
    parts = []
    for label, distribution in VERSIONED:
        if distribution is None:
            parts.append(f"{label} {platform.python_version()}")
            continue
        try:
            parts.append(f"{label} {importlib.metadata.version(distribution)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{label} absent")
    return ", ".join(parts)


def limit_threads() -> None:
    """Make the libraries that thread run on one thread (``--threads 1``).

    The environment variables only take effect for libraries not imported yet (``python -m benchmarks``
    sets them before any import); OpenCV and fastdip are also set at run time (fastdip's kernels never use
    numba's own thread pool, which ``numba.set_num_threads`` would start).
    """
    for name in SINGLE_THREAD_ENV:
        os.environ[name] = "1"
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    import fastdip

    fastdip.set_threads(1)


def threads() -> str:
    """Return the thread settings in force, per library that threads."""
    parts = ["numpy, scipy.ndimage, scikit-image, pillow: 1 (no threading)"]
    try:
        import cv2

        parts.append(f"opencv cv2.getNumThreads()={cv2.getNumThreads()}")
    except ImportError:
        pass
    # (not numba.get_num_threads(): it would start numba's thread pool, which fastdip never uses)
    if "numba" in sys.modules:
        numba = sys.modules["numba"]
        parts.append(f"numba NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}")
    import fastdip

    info = fastdip.parallel.threading_info()
    parts.append(f"fastdip get_threads()={info['threads']} on its own worker threads (numba's thread pool: "
                 f"{'started, layer ' + info['layer'] if info['layer'] else 'not started'})")
    env = [f"{name}={os.environ[name]}" for name in SINGLE_THREAD_ENV if name in os.environ]
    parts.append("env: " + (" ".join(env) if env else "none of the thread variables set"))
    return "; ".join(parts)


@dataclass(frozen=True)
class _CpuSample:
    wall: float
    busy: float
    steal: float
    own: float


def _sample() -> _CpuSample | None:
    try:
        with open("/proc/stat", encoding="utf-8") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return _CpuSample(
        time.monotonic(),
        (user + nice + system + irq + softirq) / tick,
        steal / tick,
        usage.ru_utime + usage.ru_stime,
    )


class NoiseMeter:
    """Measures CPU time used by other processes, and hypervisor steal, between start and :meth:`report`.

    Parameters
    ----------
    warn_share : float
        Share of all CPUs used by other processes above which :meth:`report` adds a warning: threaded
        kernels wait for a busy core and their times become unreliable.
    """

    def __init__(self, warn_share: float = 0.05) -> None:
        self.warn_share = warn_share
        self._start = _sample()

    def report(self) -> str:
        """Return ``"other processes used X CPU-s (p% of N CPUs over T s); hypervisor steal S s"``."""
        end = _sample()
        if self._start is None or end is None:
            return "not measured (/proc/stat unavailable)"
        wall = end.wall - self._start.wall
        others = max(0.0, (end.busy - self._start.busy) - (end.own - self._start.own))
        cpus = os.cpu_count() or 1
        share = others / (cpus * wall) if wall > 0 else 0.0
        text = (
            f"other processes used {others:.1f} CPU-s ({100 * share:.1f}% of {cpus} CPUs over {wall:.0f} s); "
            f"hypervisor steal {end.steal - self._start.steal:.1f} s"
        )
        if share > self.warn_share:
            text += " — WARNING: a busy machine; threaded timings are unreliable, run again on a quiet one"
        return text
