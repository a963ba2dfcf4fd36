"""Shared argument checks: every user mistake becomes a ValueError or TypeError that names the function,
the parameter, the value received and what is allowed. Messages are built only after a check fails."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

from ._kernels import load as _kload

#: dtypes fastdip images may have (bool is accepted where a function says so).
IMAGE_DTYPES = (
    np.uint8,
    np.uint16,
    np.uint32,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
)


def _show(value, limit: int = 60) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(func: str, param: str, value, allowed: str, exc=ValueError):
    """Raise ``exc`` with the standard message: "func: param must be allowed, got value"."""
    raise exc(f"{func}: {param} must be {allowed}, got {_show(value)}")


#: from this many values a C-contiguous float32/64 or complex array is checked for NaN/inf by the kernel
_FINITE_KERNEL_MIN = 1 << 16
#: the real dtype the kernel reads each float/complex dtype as
_FINITE_PARTS = {np.dtype(t): np.dtype(p) for t, p in ((np.float32, np.float32), (np.float64, np.float64),
                                                        (np.complex64, np.float32), (np.complex128, np.float64))}


#: a zero of each native unsigned kernel dtype, keyed by ``image.dtype`` (non-native byte orders do not match):
#: the cval of the wrappers' shortcuts for plain uint8/uint16 images (median, morphology)
UINT_ZERO = {np.dtype(np.uint8): np.uint8(0), np.dtype(np.uint16): np.uint16(0)}


def _all_finite(arr: np.ndarray) -> bool:
    """np.isfinite(arr).all() for a float or complex array; large C-contiguous float32/64 and complex64/128 ones
    through a kernel that sums x - x (0 exactly when every value is finite) without a boolean temporary (numba is
    imported here, on first use)."""
    part = _FINITE_PARTS.get(arr.dtype)
    if part is not None and arr.size >= _FINITE_KERNEL_MIN and arr.flags.c_contiguous:
        finite = _kload("finite")
        from ._kernels._config import readonly

        return bool(finite.all_finite(readonly(arr.reshape(-1).view(part))))
    return bool(np.isfinite(arr).all())


def image(
    image,
    func: str,
    *,
    param: str = "image",
    ndim: Iterable[int] | int | None = None,
    allow_bool: bool = False,
    allow_complex: bool = False,
    allow_empty: bool = False,
    finite: bool = False,
) -> np.ndarray:
    """Check an image argument and return it as an ndarray (never modified; copied only to convert a
    non-native byte order to native, the one normalisation every kernel relies on: arrays from FITS, some
    TIFFs and network formats are big-endian)."""
    if type(image) is np.ndarray and ndim is None and not finite:
        # the usual call, a plain native integer/float ndarray: the same checks as below in ~0.2 µs instead of
        # ~0.9 µs (small images lose a measurable share of their time to the wrapper)
        dt = image.dtype
        if dt.kind in "uif" and dt.isnative and (allow_empty or image.size):
            return image
    if isinstance(image, (str, bytes)) or image is None:
        fail(func, param, image, "a numpy array", TypeError)
    arr = np.asarray(image)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    kind = arr.dtype.kind
    if kind == "b":
        if not allow_bool:
            fail(func, param, arr, "a numeric array (bool is not accepted here; use .astype(np.uint8))", TypeError)
    elif kind == "c":
        if not allow_complex:
            fail(func, param, arr, "a real-valued array (complex is not accepted here)", TypeError)
    elif kind not in "uif":
        fail(func, param, arr, "a numeric array of an integer or float dtype", TypeError)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            names = " or ".join(f"{n}-D" for n in allowed)
            fail(func, param, arr, f"a {names} array")
    if arr.size == 0 and not allow_empty:
        fail(func, param, arr, "a non-empty array")
    if finite and kind in "fc" and not _all_finite(arr):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{func}: {param} must contain only finite values, got {bad} NaN or inf value(s)")
    return arr


def integer_image(image_, func: str, *, param: str = "image", dtypes=(np.uint8, np.uint16)) -> np.ndarray:
    """Check for an unsigned-integer image of the given dtypes."""
    arr = image(image_, func, param=param)
    if arr.dtype.type not in dtypes:
        names = ", ".join(np.dtype(d).name for d in dtypes)
        fail(func, param, arr, f"an image of dtype {names}", TypeError)
    return arr


def choice(value, func: str, param: str, allowed: Sequence):
    """Check that ``value`` is one of ``allowed``."""
    try:
        ok = value in allowed
    except TypeError:
        ok = False
    if not ok:
        fail(func, param, value, "one of " + ", ".join(repr(a) for a in allowed))
    return value


_EXACT_INT = 1 << 53  # plain ints below this in magnitude convert to float exactly


def number(
    value,
    func: str,
    param: str,
    *,
    low=None,
    high=None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float | int:
    """Check a real scalar within optional bounds and return it as float (or int when ``integer``)."""
    kind = type(value)
    if kind is float or kind is int:
        # the common calls (a plain finite float, or a plain int, within the bounds) without the ABC checks'
        # ~1.5-2.5 us; anything else (out of bounds included) takes the general path and its error message
        if kind is float:
            fast = not integer and math.isfinite(value)
        else:
            fast = integer or -_EXACT_INT < value < _EXACT_INT
        if fast and (low is None or (value > low if low_open else value >= low)) and (
                high is None or (value < high if high_open else value <= high)):
            return value if kind is float or integer else float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real if not integer else numbers.Integral):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return number(value.item(), func, param, low=low, high=high, low_open=low_open,
                          high_open=high_open, integer=integer)
        fail(func, param, value, "an integer" if integer else "a real number", TypeError)
    if not integer:
        # (through float: np.isfinite refused Python ints beyond 64 bits with a TypeError of its own, and an
        # int beyond float64's range is no usable real either)
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            fail(func, param, value, "a finite number")
    bad_low = low is not None and (value <= low if low_open else value < low)
    bad_high = high is not None and (value >= high if high_open else value > high)
    if bad_low or bad_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        fail(func, param, value, f"in {left}{lo}, {hi}{right}")
    return int(value) if integer else float(value)


def positive_int(value, func: str, param: str, *, low: int = 1) -> int:
    return number(value, func, param, low=low, integer=True)


def real_pair(value, func: str, param: str) -> tuple[float, float]:
    """Check a pair of finite reals (lo, hi) with lo < hi."""
    try:
        lo, hi = value
        lo = float(lo)
        hi = float(hi)
    except (TypeError, ValueError):
        fail(func, param, value, "a pair (low, high) of real numbers", TypeError)
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        fail(func, param, value, "a pair (low, high) of finite numbers with low < high")
    return lo, hi


def as_rng(rng, func: str) -> np.random.Generator:
    """Turn ``rng`` (None, an int seed or a Generator) into a numpy Generator."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    fail(func, "rng", rng, "None, an int seed or a numpy.random.Generator", TypeError)


def out_array(out, shape, dtype, func: str) -> np.ndarray:
    """Allocate the result, or check a user ``out`` buffer (shape, dtype, writeable, C-contiguous)."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        fail(func, "out", out, "None or a numpy array", TypeError)
    if out.shape != tuple(shape) or out.dtype != np.dtype(dtype):
        fail(func, "out", out, f"an array of shape {tuple(shape)} and dtype {np.dtype(dtype).name}")
    if not out.flags.writeable or not out.flags.c_contiguous:
        fail(func, "out", out, "a writeable C-contiguous array")
    return out


def channel_axis(value, ndim: int, func: str) -> int | None:
    """Check ``channel_axis`` (None or an axis of an ``ndim``-D array) and return it non-negative."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not -ndim <= value < ndim:
        fail(func, "channel_axis", value, f"None or an integer axis in [-{ndim}, {ndim - 1}]")
    return int(value) % ndim


def float_dtype_for(dtype) -> np.dtype:
    """The float dtype a linear operation returns: float64 for float64 input, float32 otherwise."""
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype(np.float32)


def output_dtype(dtype, func: str):
    """Check a ``dtype=`` argument (None or a numeric numpy dtype)."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        fail(func, "dtype", dtype, "None or a numpy numeric dtype", TypeError)
    if dt.kind not in "uif":
        fail(func, "dtype", dtype, "None or a numpy integer or float dtype", TypeError)
    return dt


def cast_result(result: np.ndarray, dtype) -> np.ndarray:
    """Convert a float result to ``dtype``: integer dtypes are rounded (half to even) and clipped to their range."""
    if dtype is None or result.dtype == dtype:
        return result
    dt = np.dtype(dtype)
    if dt.kind in "ui":
        info = np.iinfo(dt)
        rounded = np.rint(result)
        np.clip(rounded, info.min, info.max, out=rounded)
        return rounded.astype(dt)
    return result.astype(dt)


def sizes(size, func: str, ndim: int, *, param: str = "size", odd: bool = False, low: int = 1) -> tuple[int, ...]:
    """Check a window size: an int (the same on every axis) or one int per axis; returns a tuple of ``ndim`` ints."""
    allowed = f"{'an odd' if odd else 'a'} positive int or a tuple of {ndim} of them"
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        values = (int(size),) * ndim
    else:
        try:
            values = tuple(size)
        except TypeError:
            fail(func, param, size, allowed, TypeError)
        if len(values) != ndim or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values
        ):
            fail(func, param, size, allowed)
        values = tuple(int(v) for v in values)
    if any(v < low for v in values) or (odd and any(v % 2 == 0 for v in values)):
        fail(func, param, size, allowed)
    return values


def footprint(fp, func: str, ndim: int, *, param: str = "footprint", odd: bool = True) -> np.ndarray:
    """Check a footprint: a boolean-like array of ``ndim`` dimensions (odd sides when ``odd``) with a True."""
    arr = np.asarray(fp)
    if arr.dtype.kind not in "biu":
        fail(func, param, arr, f"a boolean array of {ndim} dimensions", TypeError)
    if arr.ndim != ndim or arr.size == 0 or (odd and any(s % 2 == 0 for s in arr.shape)):
        fail(func, param, arr, f"a non-empty boolean array of {ndim} dimensions{' with odd sides' if odd else ''}")
    mask = arr.astype(bool)
    if not mask.any():
        fail(func, param, arr, "a footprint with at least one True element")
    return mask
