"""Image arithmetic: saturating add/subtract/multiply/divide, blending, and averaging K images.

Integer images never wrap around: results are computed exactly (in a wider type), rounded half to even where
they are not integers, and clipped to the dtype's range [0, L-1] (saturation). Float images use plain float
arithmetic. The result has the dtype of the first image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _docs, _validate

__all__ = ["add", "subtract", "multiply", "divide", "blend", "average"]


def _operands(a, b, func: str):
    left = _validate.image(a, func, param="a", allow_empty=True)
    if np.isscalar(b) or (isinstance(b, np.ndarray) and b.ndim == 0):
        right = np.asarray(b)
        if right.dtype.kind not in "uif" or isinstance(b, bool):
            _validate.fail(func, "b", b, "a number or a numeric array", TypeError)
        if not np.isfinite(right):
            _validate.fail(func, "b", b, "a finite number")
    else:
        right = _validate.image(b, func, param="b", allow_empty=True)
        try:
            np.broadcast_shapes(left.shape, right.shape)
        except ValueError:
            raise ValueError(f"{func}: a and b must have broadcastable shapes, got {left.shape} and "
                             f"{right.shape}") from None
    return left, right


def _saturate(result: np.ndarray, dtype) -> np.ndarray:
    return _validate.cast_result(result, dtype)


def _wide(x: np.ndarray) -> np.ndarray:
    """A type wide enough for exact sums and products of integer images (float64 for floats)."""
    return x.astype(np.float64) if x.dtype.kind == "f" or x.dtype.itemsize >= 4 else x.astype(np.int64)


@_docs.fill
def add(a, b) -> np.ndarray:
    """Saturating addition: s = min(a + b, L - 1) for integer images, a + b for floats.

    Parameters
    ----------
    a : ndarray
        The first image; it sets the output dtype. Never modified.
    b : ndarray or number
        An image broadcastable to ``a`` or a scalar.

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If the shapes do not broadcast or ``b`` is not finite.

    Notes
    -----
    The sum is exact in a wider type, then clipped to [min, max] of ``a``'s dtype.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6
    (arithmetic operations).

    Examples
    --------
    >>> add(np.array([100, 200], dtype=np.uint8), 100)
    array([200, 255], dtype=uint8)
    """
    left, right = _operands(a, b, "add")
    if left.dtype.kind == "f":
        return np.add(left, right, dtype=left.dtype)
    return _saturate(_wide(left) + _wide(right), left.dtype)


@_docs.fill
def subtract(a, b) -> np.ndarray:
    """Saturating subtraction: s = max(a - b, 0) for unsigned images, a - b for floats.

    Parameters
    ----------
    a : ndarray
        The first image; it sets the output dtype. Never modified.
    b : ndarray or number
        An image broadcastable to ``a`` or a scalar.

    Returns
    -------
    ndarray
        {dtype_point}
        For a signed difference, convert first (e.g. ``fastdip.dtype.to_float``).

    Raises
    ------
    ValueError
        If the shapes do not broadcast or ``b`` is not finite.

    Notes
    -----
    The difference is exact in a wider type, then clipped to ``a``'s dtype range.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.

    Examples
    --------
    >>> subtract(np.array([100, 200], dtype=np.uint8), np.array([150, 50], dtype=np.uint8))
    array([  0, 150], dtype=uint8)
    """
    left, right = _operands(a, b, "subtract")
    if left.dtype.kind == "f":
        return np.subtract(left, right, dtype=left.dtype)
    return _saturate(_wide(left) - _wide(right), left.dtype)


@_docs.fill
def multiply(a, b) -> np.ndarray:
    """Saturating multiplication: s = min(round(a · b), L - 1) for integer images (masking, gain), a · b for floats.

    Parameters
    ----------
    a : ndarray
        The first image; it sets the output dtype. Never modified.
    b : ndarray or number
        An image or a scalar factor (may be fractional, e.g. 0.5).

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If the shapes do not broadcast or ``b`` is not finite.

    Notes
    -----
    Products are computed in float64 (exact for 8/16-bit operands), rounded half to even and clipped.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.

    Examples
    --------
    >>> multiply(np.array([10, 100, 200], dtype=np.uint8), 1.5)
    array([ 15, 150, 255], dtype=uint8)
    """
    left, right = _operands(a, b, "multiply")
    if left.dtype.kind == "f":
        return np.multiply(left, right, dtype=left.dtype)
    return _saturate(left.astype(np.float64) * right.astype(np.float64), left.dtype)


@_docs.fill
def divide(a, b) -> np.ndarray:
    """Saturating division: s = round(a / b), clipped to the dtype range, for integer images; a / b for floats.

    Parameters
    ----------
    a : ndarray
        The numerator image; it sets the output dtype. Never modified.
    b : ndarray or number
        The denominator image or scalar.

    Returns
    -------
    ndarray
        {dtype_point}
        Integer images: x / 0 saturates to the dtype maximum for x > 0 and gives 0 for 0 / 0
        (documented choice; no NaN can be stored). Floats follow IEEE rules (inf, NaN) without warnings.

    Raises
    ------
    ValueError
        If the shapes do not broadcast or ``b`` is not finite.

    Notes
    -----
    Used for shading correction g = f / h with h the shading pattern.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.

    Examples
    --------
    >>> divide(np.array([10, 100, 0], dtype=np.uint8), np.array([4, 0, 0], dtype=np.uint8))
    array([  2, 255,   0], dtype=uint8)
    """
    left, right = _operands(a, b, "divide")
    with np.errstate(divide="ignore", invalid="ignore"):
        if left.dtype.kind == "f":
            return np.divide(left, right, dtype=left.dtype)
        quotient = left.astype(np.float64) / right.astype(np.float64)
    quotient = np.where(np.isnan(quotient), 0.0, quotient)
    return _saturate(quotient, left.dtype)


@_docs.fill
def blend(a, b, alpha) -> np.ndarray:
    """Alpha blending: s = (1 - alpha) · a + alpha · b.

    Parameters
    ----------
    a, b : ndarray
        Two images of broadcastable shapes; ``a`` sets the output dtype. Never modified.
    alpha : float
        The weight of ``b``, in [0, 1].

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If ``alpha`` is outside [0, 1] or the shapes do not broadcast.

    Notes
    -----
    A convex combination, so integer results never leave the range; they are rounded half to even.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.

    Examples
    --------
    >>> blend(np.array([0, 100], dtype=np.uint8), np.array([255, 200], dtype=np.uint8), 0.5)
    array([128, 150], dtype=uint8)
    """
    left, right = _operands(a, b, "blend")
    w = _validate.number(alpha, "blend", "alpha", low=0.0, high=1.0)
    if left.dtype.kind == "f":
        return ((1.0 - w) * left + w * right).astype(left.dtype, copy=False)
    return _saturate((1.0 - w) * left.astype(np.float64) + w * right.astype(np.float64), left.dtype)


def average(images, *, dtype=None) -> np.ndarray:
    """Average K images pixel by pixel: g_bar = (1/K) Σ g_i, the classic noise reduction.

    Parameters
    ----------
    images : sequence of ndarray, or ndarray of shape (K, ...)
        K >= 1 images of one shape (a 3-D array is read as K 2-D images along axis 0).
    dtype : numpy dtype, optional
        The output dtype; default float32 (float64 if any input is float64). Integer dtypes are rounded
        half to even and clipped.

    Returns
    -------
    ndarray
        The mean image, in the inputs' value scale.

    Raises
    ------
    ValueError
        If there are no images or their shapes differ.

    Notes
    -----
    If g_i = f + η_i with independent zero-mean noise of variance σ², then E[g_bar] = f and
    Var[g_bar] = σ² / K: the noise standard deviation falls as σ / sqrt(K). Sums accumulate in float64.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6,
    eqs. (2-26)-(2-28).

    Examples
    --------
    >>> average([np.array([0, 10], dtype=np.uint8), np.array([1, 20], dtype=np.uint8)])
    array([ 0.5, 15. ], dtype=float32)
    """
    func = "average"
    if isinstance(images, np.ndarray):
        stack = [images[k] for k in range(images.shape[0])] if images.ndim >= 1 else []
    elif isinstance(images, Sequence) or hasattr(images, "__iter__"):
        stack = list(images)
    else:
        _validate.fail(func, "images", images, "a sequence of images or an array of shape (K, ...)", TypeError)
    if len(stack) == 0:
        _validate.fail(func, "images", images, "at least one image")
    first = _validate.image(stack[0], func, param="images[0]")
    out_dtype = _validate.output_dtype(dtype, func)
    total = np.zeros(first.shape, dtype=np.float64)
    any64 = False
    for k, img in enumerate(stack):
        arr = _validate.image(img, func, param=f"images[{k}]")
        if arr.shape != first.shape:
            raise ValueError(f"{func}: all images must have the shape of images[0] {first.shape}, "
                             f"got {arr.shape} for images[{k}]")
        any64 |= arr.dtype == np.float64
        total += arr
    total /= len(stack)
    if out_dtype is None:
        out_dtype = np.dtype(np.float64 if any64 else np.float32)
    return _validate.cast_result(total, out_dtype)
