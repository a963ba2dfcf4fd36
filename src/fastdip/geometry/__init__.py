"""Geometric transforms: transform matrices in (row, col) convention, affine / perspective / polynomial warps,
resize and rotate, point-based estimation and lens distortion.

The techniques live in private modules by family and are all public here: ``fastdip.geometry.warp_affine`` etc.
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "_matrices": ('identity', 'scaling', 'translation', 'shear', 'rotation', 'image_center', 'compose', 'invert', 'from_row_convention', 'to_row_convention', 'transform_points'),
    "_warp": ('warp_affine', 'warp_perspective', 'remap', 'rotate'),
    "_resize": ('resize', 'rescale'),
    "_estimate": ('estimate_affine', 'estimate_homography', 'estimate_polynomial', 'warp_polynomial', 'polynomial_terms'),
    "_distortion": ('Distortion', 'distort', 'undistort', 'estimate_distortion', 'distortion_map'),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.geometry' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
