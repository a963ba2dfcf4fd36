"""All-finite tests for float data (the NaN/inf refusal of _validate.image with ``finite=True``).

An IEEE value is NaN or ±inf exactly when its exponent bits are all ones, so the tests take the largest
exponent field over the raw bits (a maximum of unsigned integers: vectorised on 8 lanes for 32-bit words)
instead of numpy's ``np.isfinite(a).all()``, which writes a boolean array first and is ~5x slower for
complex input (2048 x 1025 complex64: 6.3 ms against 1.4 ms here).
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _no_full_exponent(bits, exponent):
    """True when no word of ``bits`` has all the bits of ``exponent`` (the exponent field mask, of the same
    unsigned dtype as ``bits``) set: the largest exponent field over the words, one maximum per lane."""
    top = exponent ^ exponent
    for i in range(bits.size):
        e = bits[i] & exponent
        top = e if e > top else top
    return top != exponent


def all_finite_32(bits):
    """True when no float32 among ``bits`` (the uint32 view of float32 or complex64 data) is NaN or inf."""
    return _no_full_exponent(bits, np.uint32(0x7F80_0000))


def all_finite_64(bits):
    """True when no float64 among ``bits`` (the uint64 view of float64 or complex128 data) is NaN or inf."""
    return _no_full_exponent(bits, np.uint64(0x7FF0_0000_0000_0000))
