"""fastdip: fast digital image processing in Python, from pixels to U-Net.

Submodules load on first use (PEP 562), so ``import fastdip`` stays cheap::

    import fastdip
    img = fastdip.data.camera()
    eq = fastdip.histogram.equalize(img)

Threads: ``fastdip.set_threads(n)``, ``with fastdip.threads(n):`` and ``fastdip.get_threads()`` (see
``fastdip.parallel``).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = frozenset(
    {
        "arithmetic",
        "cli",
        "data",
        "dtype",
        "filters",
        "fourier",
        "geometry",
        "hdr",
        "histogram",
        "intensity",
        "io",
        "learn",
        "measure",
        "metrics",
        "morphology",
        "nn",
        "noise",
        "parallel",
        "pipeline",
        "report",
        "restoration",
        "scale",
        "segmentation",
        "viz",
        "web",
    }
)

_THREAD_CONTROLS = frozenset({"get_threads", "set_threads", "threads"})  # from fastdip.parallel

__all__ = ["__version__", *sorted(_SUBMODULES | _THREAD_CONTROLS)]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _THREAD_CONTROLS:
        value = getattr(importlib.import_module(f"{__name__}.parallel"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fastdip' has no attribute {name!r}")


def __dir__():
    return __all__
