"""Image restoration: point-spread functions, blur simulation, inverse, Wiener and constrained least-squares
filtering, Richardson-Lucy and blind deconvolution (model g = h * f + n).

The techniques live in private modules by family and are all public here: ``fastdip.restoration.wiener`` etc.
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "_psf": ('psf_gaussian', 'psf_motion', 'psf_disk', 'psf_shift', 'blur', 'edgetaper'),
    "_linear": ('inverse_filter', 'wiener', 'cls'),
    "_iterative": ('richardson_lucy',),
    "_blind": ('blind_deconvolution',),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.restoration' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
