"""fastdip: fast digital image processing in Python, from pixels to U-Net.

Submodules load on first use (PEP 562), so ``import fastdip`` stays cheap::

    import fastdip
    img = fastdip.data.camera()
    eq = fastdip.histogram.equalize(img)
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
        "measure",
        "metrics",
        "morphology",
        "nn",
        "noise",
        "report",
        "restoration",
        "segmentation",
        "viz",
    }
)

__all__ = ["__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'fastdip' has no attribute {name!r}")


def __dir__():
    return __all__
