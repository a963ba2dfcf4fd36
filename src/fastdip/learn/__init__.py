"""Classical machine learning on images: a feature bank, a trainable pixel classifier, the course's
classifiers compared, and clusterings of pixels (k-means, GMM, DBSCAN, hierarchical, density peaks).

Built on scikit-learn (the ``learn`` extra), with fastdip's filters for the features and numba kernels for
forest inference and density peaks. The techniques live in private modules by family and are all public here.
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "_features": ("features", "feature_names", "features_radius"),
    "_classifier": ("PixelClassifier", "compare_classifiers"),
    "_cluster": ("cluster", "DensityPeaks"),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.learn' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
