"""The one border vocabulary (scipy.ndimage's ``mode`` names) and its private translations.

=========== ==================== ========================== ===================
fastdip     numpy.pad            dask ``boundary``          torch padding_mode
=========== ==================== ========================== ===================
'reflect'   'symmetric'          'reflect' (a b | b a)      — (torch 'reflect' is our 'mirror')
'mirror'    'reflect'            —                          'reflect'
'nearest'   'edge'               'nearest'                  'replicate'
'wrap'      'wrap'               'periodic'                 'circular'
'constant'  'constant'           a number (cval)            'zeros' (cval = 0 only)
=========== ==================== ========================== ===================
"""

from __future__ import annotations

from . import _validate

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")

#: integer codes passed to kernels (kernels never see strings).
CODES = {name: i for i, name in enumerate(MODES)}

_NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def check(mode, func: str) -> str:
    """Check a ``mode`` argument and return it."""
    return _validate.choice(mode, func, "mode", MODES)


def code(mode: str) -> int:
    return CODES[mode]


def numpy_pad_mode(mode: str) -> str:
    """numpy.pad's name for a fastdip mode."""
    return _NUMPY_PAD[mode]


def pad(image, pad_width, mode: str, cval: float = 0.0):
    """numpy.pad with a fastdip mode name (``cval`` for 'constant'); the simple, always-correct border path."""
    import numpy as np

    if mode == "constant":
        return np.pad(image, pad_width, mode="constant", constant_values=cval)
    return np.pad(image, pad_width, mode=_NUMPY_PAD[mode])
