"""Segmentation: thresholds (Otsu, multi-Otsu), region growing, mean shift, k-means, connected components.

The techniques live in private modules by family and are all public here: ``fastdip.segmentation.otsu`` etc.
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "_threshold": ('otsu', 'multi_otsu', 'apply_thresholds', 'threshold_mean', 'threshold_percentile', 'binarize'),
    "_grow": ('region_growing',),
    "_cluster": ('mean_shift', 'kmeans'),
    "_label": ('label', 'relabel_sequential', 'remove_small_objects', 'fill_holes', 'clear_border'),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.segmentation' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
