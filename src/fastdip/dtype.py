"""Value-scale conversions: the only places in fastdip where pixel values change scale.

====================== ================================ ===================================
input dtype            ``to_float``                     ``to_uint8`` / ``to_uint16``
====================== ================================ ===================================
bool                   0.0 / 1.0                        0 / L-1
unsigned int (bits b)  x / (2**b - 1), in [0, 1]        round(x · (L-1) / (2**b - 1))
signed int             refused (TypeError)              refused: use ``rescale_intensity``
float                  unchanged (cast to ``dtype``)    round(clip(x, 0, 1) · (L-1)); NaN refused
====================== ================================ ===================================

Rounding is round-half-to-even (numpy's ``rint``); clipping is explicit and documented, never silent wrap-around.
"""

from __future__ import annotations

import numpy as np

from . import _docs, _validate

__all__ = ["to_float", "to_uint8", "to_uint16", "rescale_intensity", "dtype_range"]


def dtype_range(dtype) -> tuple[float, float]:
    """The intensity range of a dtype: [0, L-1] for integers (L = 2**bits), [0, 1] for floats and bool.

    Parameters
    ----------
    dtype : numpy dtype
        Any numpy dtype or type (``np.uint8``, ``'float32'``...).

    Returns
    -------
    (low, high) : tuple
        ints for integer dtypes (signed integers give their full ``iinfo`` range), floats otherwise.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.4.

    Examples
    --------
    >>> dtype_range(np.uint8)
    (0, 255)
    >>> dtype_range(np.float32)
    (0.0, 1.0)
    """
    dt = np.dtype(dtype)
    if dt.kind in "ui":
        info = np.iinfo(dt)
        return int(info.min), int(info.max)
    if dt.kind == "b":
        return 0, 1
    return 0.0, 1.0


def _check_convertible(image, func: str) -> np.ndarray:
    arr = _validate.image(image, func, allow_bool=True, allow_empty=True)
    if arr.dtype.kind == "i":
        _validate.fail(
            func, "image", arr,
            "bool, unsigned integer or float (signed integers have no agreed [0, 1] scale: "
            "use rescale_intensity(image, in_range=..., out_range=...) to say which)",
            TypeError,
        )
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        n = int(np.isnan(arr).sum())
        raise ValueError(f"{func}: image must not contain NaN, got {n} NaN value(s); replace them first "
                         "(e.g. numpy.nan_to_num)")
    return arr


@_docs.fill
def to_float(image, *, dtype=None) -> np.ndarray:
    """Convert an image to float intensities in [0, 1] (unsigned integers) or keep float values as they are.

    Parameters
    ----------
    {image}
    dtype : {None, numpy.float32, numpy.float64}, optional
        The output float dtype; None gives float32, or float64 for float64 input.

    Returns
    -------
    ndarray
        Unsigned integers divided by the dtype's maximum L-1; bool as 0.0/1.0; floats unchanged in value
        (the same array when no cast is needed).

    Raises
    ------
    TypeError
        For signed integer images (use ``rescale_intensity``) or a non-float ``dtype``.
    ValueError
        If a float image contains NaN.

    Notes
    -----
    r_float = r / (L - 1) with L = 2**bits. The inverse of ``to_uint8`` / ``to_uint16`` up to rounding.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.4
    (intensity levels, L = 2**k).

    Examples
    --------
    >>> to_float(np.array([0, 51, 255], dtype=np.uint8))
    array([0. , 0.2, 1. ], dtype=float32)
    """
    arr = _check_convertible(image, "to_float")
    out_dtype = _validate.output_dtype(dtype, "to_float")
    if out_dtype is None:
        out_dtype = _validate.float_dtype_for(arr.dtype)
    elif out_dtype.kind != "f":
        _validate.fail("to_float", "dtype", dtype, "None, numpy.float32 or numpy.float64", TypeError)
    if arr.dtype.kind == "f":
        return arr.astype(out_dtype, copy=False)
    if arr.dtype.kind == "b":
        return arr.astype(out_dtype)
    # Divide rather than multiply by a rounded reciprocal: r / (L-1) is then correctly rounded.
    return np.divide(arr, np.iinfo(arr.dtype).max, dtype=out_dtype)


def _to_uint(image, target, func: str) -> np.ndarray:
    arr = _check_convertible(image, func)
    tmax = np.iinfo(target).max
    if arr.dtype == target:
        return arr.copy()
    if arr.dtype.kind == "b":
        return arr.astype(target) * target(tmax)
    if arr.dtype.kind == "u":
        smax = np.iinfo(arr.dtype).max
        if (tmax + 1) % (smax + 1) == 0 and tmax >= smax:
            # Exact widening: uint8 -> uint16 is x * 257.
            return arr.astype(target) * target(tmax // smax)
        scaled = arr.astype(np.float64) * (tmax / smax)
        return np.rint(scaled).astype(target)
    work = np.clip(arr, 0.0, 1.0).astype(np.float64) * tmax
    return np.rint(work).astype(target)


@_docs.fill
def to_uint8(image) -> np.ndarray:
    """Convert an image to uint8 in [0, 255], rounding and clipping explicitly.

    Parameters
    ----------
    {image}

    Returns
    -------
    ndarray of uint8
        uint8 input is copied; uint16 becomes round(x / 257); floats are clipped to [0, 1] and become
        round(255·x); bool becomes 0/255.

    Raises
    ------
    TypeError
        For signed integer images (use ``rescale_intensity``).
    ValueError
        If a float image contains NaN.

    Notes
    -----
    s = round(255 · r / (L_in - 1)) for unsigned input, s = round(255 · clip(r, 0, 1)) for float input;
    rounding is half to even.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.4.

    Examples
    --------
    >>> to_uint8(np.array([-0.5, 0.0, 0.5, 1.0, 2.0]))
    array([  0,   0, 128, 255, 255], dtype=uint8)
    >>> to_uint8(np.array([0, 257, 65535], dtype=np.uint16))
    array([  0,   1, 255], dtype=uint8)
    """
    return _to_uint(image, np.uint8, "to_uint8")


@_docs.fill
def to_uint16(image) -> np.ndarray:
    """Convert an image to uint16 in [0, 65535], rounding and clipping explicitly.

    Parameters
    ----------
    {image}

    Returns
    -------
    ndarray of uint16
        uint8 input becomes x · 257 (exact, 255 -> 65535); floats are clipped to [0, 1] and become
        round(65535·x); bool becomes 0/65535; uint16 input is copied.

    Raises
    ------
    TypeError
        For signed integer images (use ``rescale_intensity``).
    ValueError
        If a float image contains NaN.

    Notes
    -----
    s = round(65535 · r / (L_in - 1)) for unsigned input, s = round(65535 · clip(r, 0, 1)) for float input.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.4.

    Examples
    --------
    >>> to_uint16(np.array([0, 1, 255], dtype=np.uint8))
    array([    0,   257, 65535], dtype=uint16)
    """
    return _to_uint(image, np.uint16, "to_uint16")


def _range_arg(value, arr: np.ndarray, func: str, param: str, allow_image: bool) -> tuple[float, float]:
    if isinstance(value, str):
        allowed = ("image", "dtype") if allow_image else ("dtype",)
        _validate.choice(value, func, param, allowed)
        if value == "image":
            finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
            if finite.size == 0:
                raise ValueError(f"{func}: image has no finite values, so in_range='image' is undefined")
            return float(finite.min()), float(finite.max())
        lo, hi = dtype_range(arr.dtype)
        return float(lo), float(hi)
    try:
        lo, hi = value
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        _validate.fail(func, param, value, "'image', 'dtype' or a pair (low, high)" if allow_image
                       else "'dtype' or a pair (low, high)", TypeError)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        _validate.fail(func, param, value, "a pair of finite numbers")
    return lo, hi


@_docs.fill
def rescale_intensity(image, in_range="image", out_range="dtype", *, dtype=None) -> np.ndarray:
    """Map intensities linearly from ``in_range`` onto ``out_range``, clipping values outside ``in_range``.

    Parameters
    ----------
    {image}
    in_range : 'image', 'dtype' or (low, high), optional
        The input interval: the image's own min and max, the dtype's range (see ``dtype_range``), or given.
    out_range : 'dtype' or (low, high), optional
        The output interval: the output dtype's range, or given (low > high inverts the image).
    dtype : numpy dtype, optional
        The output dtype. Default: the input dtype when ``out_range='dtype'``, otherwise float32
        (float64 for float64 input). Integer outputs are rounded (half to even) and clipped to their range.

    Returns
    -------
    ndarray
        s = out_lo + (clip(r, in_lo, in_hi) - in_lo) · (out_hi - out_lo) / (in_hi - in_lo). A constant
        image (in_lo == in_hi) maps to out_lo.

    Raises
    ------
    TypeError, ValueError
        For a bad range, dtype or an image without finite values.

    Notes
    -----
    This is the min-max contrast stretch of Gonzalez & Woods; NaN stays NaN in float outputs and is
    refused for integer outputs.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2
    (contrast stretching).

    Examples
    --------
    >>> rescale_intensity(np.array([50, 100, 150], dtype=np.uint8))
    array([  0, 128, 255], dtype=uint8)
    >>> rescale_intensity(np.array([0.0, 0.5, 1.0]), out_range=(0, 10))
    array([ 0.,  5., 10.])
    """
    func = "rescale_intensity"
    arr = _validate.image(image, func, allow_bool=False)
    out_dtype = _validate.output_dtype(dtype, func)
    if out_dtype is None:
        out_dtype = arr.dtype if isinstance(out_range, str) else _validate.float_dtype_for(arr.dtype)
    in_lo, in_hi = _range_arg(in_range, arr, func, "in_range", True)
    if isinstance(out_range, str):
        _validate.choice(out_range, func, "out_range", ("dtype",))
        out_lo, out_hi = (float(v) for v in dtype_range(out_dtype))
    else:
        out_lo, out_hi = _range_arg(out_range, arr, func, "out_range", False)
    if out_dtype.kind in "ui" and arr.dtype.kind == "f" and np.isnan(arr).any():
        raise ValueError(f"{func}: image contains NaN, which an integer dtype ({out_dtype.name}) cannot hold")
    work = np.clip(arr.astype(np.float64), min(in_lo, in_hi), max(in_lo, in_hi))
    if in_hi == in_lo:
        result = np.full(arr.shape, out_lo, dtype=np.float64)
        result[np.isnan(work)] = np.nan
    else:
        # Multiply before dividing so that exact halves stay exact (50 * 255 / 100 = 127.5).
        result = out_lo + (work - in_lo) * (out_hi - out_lo) / (in_hi - in_lo)
    return _validate.cast_result(result, out_dtype)
