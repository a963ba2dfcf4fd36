"""All-finite tests for float data (the NaN/inf refusal of _validate.image with ``finite=True``).

For a finite IEEE value x, x - x is exactly +0; for ±inf and NaN it is NaN. So the data are all finite exactly
when the sum of x - x over them is 0: a NaN, once in the sum, stays there (NaN + anything is NaN) and no finite
partial sum can leave 0. The kernel allows the sum to be reassociated (``fastmath={"reassoc"}``, and nothing
else: no "no NaN/inf" assumption, so x - x is not folded to 0), which lets LLVM split it in vector lanes: 8
float32 or 4 float64 a vector, with no integer widening. 512² float32: 46 -> 23 µs, as fast as numpy's
``max`` (numpy's ``np.isfinite(a).all()`` writes a boolean array first: ~50 µs; the earlier test of the
exponent bits as integers was widened to int64 lanes by numba: 46 µs). 1024² float32 234 -> 77 µs.
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL, fastmath={"reassoc"})
def all_finite(values):
    """True when no value of the flat float32 or float64 array ``values`` (complex data: its real view) is NaN
    or ±inf; True for an empty array."""
    if values.size == 0:
        return True
    s = values[0] - values[0]
    for i in range(1, values.size):
        s += values[i] - values[i]
    return s == 0
