"""Neighbourhood operations: linear filters (convolution, mean, Gaussian, derivatives) and order statistics
(median, rank, minimum, maximum, percentile, adaptive median).

The techniques live in private modules by family (``_linear``, ``_order``, ``_adaptive``) and are all
public here: ``fastdip.filters.median`` etc.
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "_linear": ("convolve", "correlate", "separable", "mean", "gaussian", "laplacian", "sobel", "prewitt",
                "unsharp_mask"),
    "_order": ("median", "rank", "minimum", "maximum", "percentile"),
    "_adaptive": ("adaptive_median",),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.filters' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
