"""Point transforms: s = T(r), applied to every pixel independently.

uint8 and uint16 images go through a look-up table of all 2**bits levels built from the float formula, then
rounded (half to even) and clipped to [0, L-1]: exact and fast. Other integer dtypes use the same formula
elementwise with the same rounding; float images are transformed elementwise in their own value scale.
Every function keeps the input dtype unless its docstring says otherwise.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import _docs, _validate, parallel
from ._kernels import load as _kload
from ._kernels._config import readonly
from .dtype import dtype_range

__all__ = [
    "negative",
    "log_transform",
    "gamma",
    "contrast_stretch",
    "piecewise_linear",
    "threshold",
    "apply_lut",
    "bit_plane",
]

_LUT_DTYPES = (np.uint8, np.uint16)
# Below this many pixels a 65536-entry pair table costs more to build than it saves.
_PAIR_TABLE_MIN_PIXELS = 1 << 16
# float32 log1p kernel: serial 1.0-1.6 ns/px here (2048²: 4.3-5.1 ms), so threads pay from ~0.2 ms of serial work.
_LOG_PARALLEL_MIN_PIXELS = 1 << 17


def _kernels():
    """fastdip._kernels.lut, imported on first use (numba loads then)."""
    return _kload("lut")


_PERMUTE: list = []  # [whether uint8 tables go through the byte permutes], filled on first use


def _permute_bytes() -> bool:
    """Whether uint8 tables take the byte-permute kernel: fastdip._kernels.lut.byte_permute() and, the first
    time, the kernel compiled and checked on 200 pixels (its signature: the one the lookups use) -- a numba
    or LLVM that cannot lower the permute intrinsic leaves the pair table in use instead of failing every
    lookup. Kept here after the first call (a call through the kernel module and its cache cost ~0.25 us, a
    measurable share of a 512² table lookup's ~9 us)."""
    if not _PERMUTE:
        k = _kernels()
        ok = k.byte_permute()
        if ok:
            probe = readonly(np.arange(200, dtype=np.uint8))
            table = readonly(np.arange(255, -1, -1, dtype=np.uint8))
            out = np.empty(200, np.uint8)
            try:
                k.apply_lut_u8_permute(probe, table, out)
                ok = bool(np.array_equal(out, table[probe]))
            except Exception:  # noqa: BLE001 - any compile or lowering failure: the portable path
                ok = False
        _PERMUTE.append(ok)
    return _PERMUTE[0]


@functools.lru_cache(maxsize=None)
def _top(dtype: np.dtype) -> float | int:
    """L - 1 of an integer dtype (dtype_range's high end), 1.0 for floats; cached: np.iinfo costs ~1 µs."""
    return dtype_range(dtype)[1]


def _positive(value, func: str, param: str) -> float:
    """A finite number > 0. Plain Python floats and ints are checked here (the usual call, ~0.1 µs); anything
    else, and every failure, goes through _validate.number (~3 µs), which builds the message."""
    kind = type(value)
    if (kind is float and 0.0 < value < math.inf) or (kind is int and 0 < value < 1 << 53):
        return float(value)
    return _validate.number(value, func, param, low=0, low_open=True)


def _finish(values: np.ndarray, dtype) -> np.ndarray:
    """Round and clip float values into an integer dtype, or cast to a float dtype."""
    return _validate.cast_result(values, dtype)


def _pair_table(table: np.ndarray) -> np.ndarray:
    """The 65536-entry uint16 pair table of a uint8 LUT: entry (hi << 8 | lo) holds lut[hi] << 8 | lut[lo]."""
    wide = table.astype(np.uint16)
    return ((wide[:, None] << 8) | wide[None, :]).reshape(-1)


def _lookup(arr: np.ndarray, table: np.ndarray, pairs=None) -> np.ndarray:
    """out = table[arr] for a checked uint8/uint16 image and a 1-D table of 2**bits entries; ``pairs``: the
    pair table of a uint8 table when the caller has it already (built here when needed)."""
    _k = _kernels()
    work = np.ascontiguousarray(arr)
    out = np.empty(work.shape, dtype=table.dtype)
    flat_in = readonly(work.reshape(-1))  # one kernel signature for writeable and read-only inputs
    table = readonly(table)
    flat_out = out.reshape(-1)
    bytes_to_bytes = table.dtype.type is np.uint8 and arr.dtype.type is np.uint8  # (`is`: ~0.2 us less than ==)
    if bytes_to_bytes and _permute_bytes():
        # the table in vector registers, 64 pixels a step (AVX-512 VBMI): a memory copy's speed
        _k.apply_lut_u8_permute(flat_in, table, flat_out)
    elif (bytes_to_bytes and work.size >= _PAIR_TABLE_MIN_PIXELS and np.little_endian
            and work.ctypes.data % 4 == 0):
        # the kernel reads 4 pixels a word and maps them two at a time through the pair table
        pairs = readonly(_pair_table(table) if pairs is None else pairs)
        whole = work.size - work.size % 4
        _k.apply_lut_quads(flat_in[:whole].view(np.uint32), pairs, flat_out[:whole].view(np.uint32))
        _k.apply_lut(flat_in[whole:], table, flat_out[whole:])
    else:
        _k.apply_lut(flat_in, table, flat_out)
    return out


def _formula(r: np.ndarray, top: float, op: str, a: float, b: float) -> np.ndarray:
    """op "negative": a - r; "log": a · log1p(r); "gamma": top · b · (r / top)**a (float64 levels in and out)."""
    if op == "negative":
        return a - r
    if op == "log":
        return a * np.log1p(r)
    return top * b * np.power(r / top, a)


@functools.lru_cache(maxsize=64)
def _formula_table(dtype: np.dtype, op: str, a: float, b: float) -> np.ndarray:
    """The LUT of ``_formula`` over all levels of ``dtype``, rounded and clipped; cached, as building it costs
    10-40 µs for uint8 and ~1 ms for uint16 (the tables are private: read by the kernel, never handed out)."""
    top = _top(dtype)
    table = _finish(_formula(np.arange(top + 1, dtype=np.float64), float(top), op, a, b), dtype)
    return readonly(table)  # (cached and shared: read-only, which is also what the kernels take)


@functools.lru_cache(maxsize=64)
def _formula_pairs(dtype: np.dtype, op: str, a: float, b: float) -> np.ndarray:
    return _pair_table(_formula_table(dtype, op, a, b))


def _map_formula(arr: np.ndarray, op: str, a: float, b: float = 0.0) -> np.ndarray:
    """Apply ``_formula`` to an integer image: a cached table for uint8/uint16, elementwise otherwise."""
    dt = arr.dtype
    if dt.type in _LUT_DTYPES:
        pairs = (_formula_pairs(dt, op, a, b) if dt.type is np.uint8 and arr.size >= _PAIR_TABLE_MIN_PIXELS
                 and not _permute_bytes() else None)
        return _lookup(arr, _formula_table(dt, op, a, b), pairs)
    return _finish(_formula(arr.astype(np.float64), float(_top(dt)), op, a, b), dt)


def _map_integer(arr: np.ndarray, formula) -> np.ndarray:
    """Apply ``formula`` (float64 levels -> float64 values) to an integer image, through a LUT when possible."""
    if arr.dtype.type in _LUT_DTYPES:
        levels = np.arange(_top(arr.dtype) + 1, dtype=np.float64)
        return _lookup(arr, _finish(formula(levels), arr.dtype))
    return _finish(formula(arr.astype(np.float64)), arr.dtype)


def _refuse_negative(arr: np.ndarray, func: str) -> None:
    # min() rather than nanmin(): one vectorised pass; NaN pixels make min() NaN and simply stay NaN in the result
    if arr.dtype.kind != "u" and arr.size and arr.min() < 0:
        low = np.nanmin(arr).item()
        raise ValueError(f"{func}: image must have non-negative intensities, got a minimum of {low!r}")


def _log1p_float32(arr: np.ndarray, scale: float, func: str) -> np.ndarray:
    """scale · log1p(arr) for float32, through the vectorised kernel, which also flags any input with its sign
    bit set; only then is _refuse_negative's check made (negatives are refused unless a NaN makes min() NaN)."""
    _k = _kernels()
    work = np.ascontiguousarray(arr)
    out = np.empty(work.shape, dtype=np.float32)
    flat_in = readonly(work.reshape(-1))  # one kernel signature for writeable and read-only inputs
    flat_bits = flat_in.view(np.int32)
    flat_out = out.reshape(-1)
    factor = np.float32(scale)
    with parallel._band_threads(flat_in.size, _LOG_PARALLEL_MIN_PIXELS) as threads:  # (slices on threads)
        signs = parallel._run_bands(
            lambda lo, hi: _k.log1p_f32(flat_in[lo:hi], flat_bits[lo:hi], factor, flat_out[lo:hi]), (),
            flat_in.size, 4 * threads, threads)
    if any(signs):
        _refuse_negative(arr, func)
    return out


@_docs.fill
def apply_lut(image, lut) -> np.ndarray:
    """Map every pixel through a look-up table: out = lut[image].

    Parameters
    ----------
    image : ndarray of uint8 or uint16
        The input image, never modified.
    lut : (2**bits,) array_like
        One output value per input level: 256 entries for uint8 images, 65536 for uint16.

    Returns
    -------
    ndarray
        The image's shape, with the dtype of ``lut``.

    Raises
    ------
    TypeError
        If the image is not uint8/uint16 or ``lut`` is not numeric.
    ValueError
        If ``lut`` is not one-dimensional with 2**bits entries.

    Notes
    -----
    uint8 images with a uint8 table: on CPUs with AVX-512 VBMI the 256 entries are held in vector registers
    and 64 pixels are mapped at a time by byte permutes (the speed of a memory copy); elsewhere, from 65536
    pixels, pixels are read four at a time and mapped in pairs through a 65536-entry table built from ``lut``
    (one table read per two pixels). Every path gives ``lut[image]`` exactly.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2.

    Examples
    --------
    >>> lut = np.arange(256)[::-1].astype(np.uint8)
    >>> apply_lut(np.array([[0, 1], [254, 255]], dtype=np.uint8), lut)
    array([[255, 254],
           [  1,   0]], dtype=uint8)
    """
    func = "apply_lut"
    arr = _validate.integer_image(image, func)
    table = np.asarray(lut)
    if table.dtype.kind not in "buif":
        _validate.fail(func, "lut", table, "a numeric array", TypeError)
    n_levels = _top(arr.dtype) + 1
    if table.shape != (n_levels,):
        _validate.fail(func, "lut", table, f"a 1-D array of {n_levels} entries for a {arr.dtype.name} image")
    return _lookup(arr, np.ascontiguousarray(table))


@_docs.fill
def negative(image, *, max_value=None) -> np.ndarray:
    """Image negative: s = (L - 1) - r.

    Parameters
    ----------
    {image}
    max_value : float, optional
        The top of the intensity range, L - 1. Default: the dtype's maximum for unsigned integers
        (255 for uint8), 1.0 for floats; for signed integers the default maps min <-> max (s = -1 - r).

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    TypeError
        For a non-numeric image.

    Notes
    -----
    With a custom ``max_value`` an integer result below 0 is clipped to 0. negative(negative(r)) == r for
    the default range.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2, eq. (3-3).

    Examples
    --------
    >>> negative(np.array([0, 100, 255], dtype=np.uint8))
    array([255, 155,   0], dtype=uint8)
    >>> negative(np.array([0.0, 0.25, 1.0]))
    array([1.  , 0.75, 0.  ])
    """
    func = "negative"
    arr = _validate.image(image, func, allow_empty=True)
    if arr.dtype.kind == "f":
        top = 1.0 if max_value is None else _validate.number(max_value, func, "max_value")
        return np.subtract(arr.dtype.type(top), arr)
    if max_value is None:
        # lo + hi - r, exact in the dtype: (L-1) - r == ~r for unsigned, -1 - r == ~r for signed (two's
        # complement); np.invert is numpy's fastest pass (uint8 512²: 8 µs against 12 µs for np.subtract)
        return np.invert(arr)
    top = _validate.number(max_value, func, "max_value", low=0)
    return _map_formula(arr, "negative", top)


@_docs.fill
def log_transform(image, c=None) -> np.ndarray:
    """Log transform: s = c · log(1 + r), which expands dark levels and compresses bright ones.

    Parameters
    ----------
    {image}
    c : float, optional
        The scale. Default: (L - 1) / log(L) for integer images, so that L - 1 maps to L - 1; 1.0 for floats
        (for example to display a Fourier spectrum).

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If the image has negative intensities or ``c`` is not a positive finite number.

    Notes
    -----
    Integer images are mapped through a LUT of round(c · log(1 + r)) over all levels. float32 images: log(1 + r)
    is evaluated in float64 by a vectorised kernel and rounded once to float32 (correctly rounded on every value
    tested; numpy's float32 log1p is glibc's log1pf, up to 0.84 ulp off, or on AVX-512 CPUs its own SIMD loop,
    up to 2 ulp off, so the two differ by at most 2 ulp), then multiplied by c in float32.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2, eq. (3-4).

    Examples
    --------
    >>> log_transform(np.array([0, 1, 15, 255], dtype=np.uint8))
    array([  0,  32, 128, 255], dtype=uint8)
    """
    func = "log_transform"
    arr = _validate.image(image, func, allow_empty=True)
    if arr.dtype.kind == "f":
        scale = 1.0 if c is None else _positive(c, func, "c")
        if arr.dtype == np.float32:
            return _log1p_float32(arr, scale, func)
        _refuse_negative(arr, func)
        return (scale * np.log1p(arr)).astype(arr.dtype, copy=False)
    _refuse_negative(arr, func)
    top = _top(arr.dtype)
    scale = top / np.log1p(top) if c is None else _positive(c, func, "c")
    return _map_formula(arr, "log", float(scale))


def _sqrt_float32(arr: np.ndarray, func: str) -> np.ndarray:
    """sqrt(arr) for float32 through the 8-lane kernel (512²: 55 µs against numpy's 104 µs, which uses 4
    lanes here), with the same refusal of negatives as _refuse_negative: the kernel flags any sign bit and
    only then is the minimum taken."""
    work = np.ascontiguousarray(arr)
    out = np.empty(work.shape, dtype=np.float32)
    flat = work.reshape(-1)
    if _kernels().sqrt_f32(flat, flat.view(np.int32), out.reshape(-1)):
        _refuse_negative(arr, func)
    return out


def _power(arr: np.ndarray, g: float, scale: float) -> np.ndarray:
    """scale · arr**g for non-negative floats, in the array's dtype."""
    if g == 0.5:
        out = _sqrt_float32(arr, "gamma") if arr.dtype == np.float32 else np.sqrt(arr)
    elif g == 1.0:
        out = arr.copy()
    else:
        # exp(g·log r) with numpy's vectorised float32/float64 exp and log: 1.6x faster than np.power and
        # than cv2.pow on 2048² float32 here; log(0) = -inf gives exp(-inf) = 0 = 0**g for g > 0.
        out = np.empty_like(arr)
        with np.errstate(divide="ignore"):
            np.log(arr, out=out)
        np.multiply(out, arr.dtype.type(g), out=out)
        np.exp(out, out=out)
    if scale != 1.0:
        np.multiply(out, arr.dtype.type(scale), out=out)
    return out


@_docs.fill
def gamma(image, gamma, c=1.0) -> np.ndarray:
    """Power-law (gamma) transform: s = c · r^gamma on intensities normalised to [0, 1].

    Parameters
    ----------
    {image}
    gamma : float
        The exponent, > 0: below 1 brightens dark regions, above 1 darkens them.
    c : float, optional
        The scale, > 0.

    Returns
    -------
    ndarray
        {dtype_point}
        Integer images: s = (L - 1) · c · (r / (L - 1))^gamma. Floats: s = c · r^gamma.

    Raises
    ------
    ValueError
        If ``gamma`` or ``c`` is not positive, or the image has negative intensities.

    Notes
    -----
    Integer images use a LUT of the rounded formula over all levels (so the result equals the float formula
    rounded half to even).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2, eq. (3-5).

    Examples
    --------
    >>> gamma(np.array([0, 64, 128, 255], dtype=np.uint8), 0.5)
    array([  0, 128, 181, 255], dtype=uint8)
    """
    func = "gamma"
    arr = _validate.image(image, func, allow_empty=True)
    g = _positive(gamma, func, "gamma")
    scale = _positive(c, func, "c")
    if not (g == 0.5 and arr.dtype == np.float32):  # that path checks inside its kernel's pass
        _refuse_negative(arr, func)
    if arr.dtype.kind == "f":
        return _power(arr, g, scale)
    return _map_formula(arr, "gamma", g, scale)


def _order_statistics_percentiles(arr: np.ndarray, percentiles) -> tuple[float, float]:
    """numpy.percentile (linear method) of an integer image, from its level counts instead of a sort."""
    if arr.dtype.type in _LUT_DTYPES:
        from .histogram import histogram

        counts = histogram(arr).counts
        cum = np.cumsum(counts)
        n = int(cum[-1])
        result = []
        for p in percentiles:
            pos = p / 100.0 * (n - 1)
            k = int(np.floor(pos))
            frac = pos - k
            v0 = int(np.searchsorted(cum, k, side="right"))
            v1 = int(np.searchsorted(cum, min(k + 1, n - 1), side="right"))
            result.append(v0 + frac * (v1 - v0))
        return result[0], result[1]
    finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
    if finite.size == 0:
        raise ValueError("contrast_stretch: image has no finite values")
    lo, hi = np.percentile(finite, percentiles)
    return float(lo), float(hi)


@_docs.fill
def contrast_stretch(image, in_range=None, out_range=None, *, percentiles=None) -> np.ndarray:
    """Contrast stretching: map [r1, r2] linearly onto [s1, s2], clipping below r1 and above r2.

    Parameters
    ----------
    {image}
    in_range : (r1, r2), optional
        The input levels to stretch. Default: the image's minimum and maximum (min-max stretch), unless
        ``percentiles`` is given.
    out_range : (s1, s2), optional
        Where r1 and r2 go. Default: the dtype range ([0, L-1] for integers, [0, 1] for floats).
    percentiles : (p1, p2), optional
        Take r1, r2 as these percentiles of the image (e.g. (2, 98), robust to outliers; numpy's linear
        definition). Give either ``in_range`` or ``percentiles``, not both.

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If both ``in_range`` and ``percentiles`` are given, or a range is not increasing.

    Notes
    -----
    s = s1 + (clip(r, r1, r2) - r1) · (s2 - s1) / (r2 - r1); with r1 == r2 (constant image) every pixel maps
    to s1. The two-control-point form of Gonzalez & Woods with (r1, s1), (r2, s2).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2, fig. 3.10.

    Examples
    --------
    >>> contrast_stretch(np.array([100, 120, 140], dtype=np.uint8))
    array([  0, 128, 255], dtype=uint8)
    >>> contrast_stretch(np.array([0, 100, 200], dtype=np.uint8), in_range=(50, 150))
    array([  0, 128, 255], dtype=uint8)
    """
    func = "contrast_stretch"
    arr = _validate.image(image, func)
    if in_range is not None and percentiles is not None:
        raise ValueError(f"{func}: give in_range or percentiles, not both (got in_range={in_range!r}, "
                         f"percentiles={percentiles!r})")
    if percentiles is not None:
        p = _validate.real_pair(percentiles, func, "percentiles")
        if p[0] < 0 or p[1] > 100:
            _validate.fail(func, "percentiles", percentiles, "a pair (p1, p2) with 0 <= p1 < p2 <= 100")
        r1, r2 = _order_statistics_percentiles(arr, p)
    elif in_range is not None:
        r1, r2 = _validate.real_pair(in_range, func, "in_range")
    else:
        r1, r2 = _order_statistics_percentiles(arr, (0.0, 100.0))
    if out_range is None:
        s1, s2 = (float(v) for v in dtype_range(arr.dtype))
    else:
        try:
            s1, s2 = (float(v) for v in out_range)
        except (TypeError, ValueError):
            _validate.fail(func, "out_range", out_range, "a pair (s1, s2) of numbers", TypeError)

    def formula(r):
        if r2 == r1:
            return np.full_like(r, s1, dtype=np.float64)
        # Multiply before dividing so that exact halves stay exact.
        return s1 + (np.clip(r, r1, r2) - r1) * (s2 - s1) / (r2 - r1)

    if arr.dtype.kind == "f":
        return formula(arr.astype(np.float64)).astype(arr.dtype)
    return _map_integer(arr, formula)


@_docs.fill
def piecewise_linear(image, points) -> np.ndarray:
    """Piecewise-linear transform through control points (r_i, s_i).

    Parameters
    ----------
    {image}
    points : sequence of (r, s) pairs
        Control points with strictly increasing r. Unless given, (0, 0) and (L-1, L-1) are added at the ends
        (for floats (0, 0) and (1, 1)), so the curve covers the whole range, as in the textbook figure.

    Returns
    -------
    ndarray
        {dtype_point}

    Raises
    ------
    ValueError
        If ``points`` is empty, not (n, 2), not finite, or its r are not strictly increasing.

    Notes
    -----
    Linear interpolation between neighbouring points (numpy.interp); beyond the first and last point the
    end value is held.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2.

    Examples
    --------
    >>> piecewise_linear(np.array([0, 50, 100, 255], dtype=np.uint8), [(100, 50), (150, 200)])
    array([  0,  25,  50, 255], dtype=uint8)
    """
    func = "piecewise_linear"
    arr = _validate.image(image, func, allow_empty=True)
    try:
        pts = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "points", points, "a sequence of (r, s) pairs of numbers", TypeError)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        _validate.fail(func, "points", points, "a non-empty sequence of (r, s) pairs")
    if not np.isfinite(pts).all():
        _validate.fail(func, "points", points, "finite (r, s) pairs")
    if np.any(np.diff(pts[:, 0]) <= 0):
        _validate.fail(func, "points", points, "(r, s) pairs with strictly increasing r")
    lo, hi = (float(v) for v in dtype_range(arr.dtype))
    if pts[0, 0] > lo:
        pts = np.vstack([[lo, lo], pts])
    if pts[-1, 0] < hi:
        pts = np.vstack([pts, [hi, hi]])

    def formula(r):
        return np.interp(r, pts[:, 0], pts[:, 1])

    if arr.dtype.kind == "f":
        return formula(arr.astype(np.float64)).astype(arr.dtype)
    return _map_integer(arr, formula)


@_docs.fill
def threshold(image, t) -> np.ndarray:
    """Global threshold: True where r > t.

    Parameters
    ----------
    {image}
    t : float
        The threshold; pixels strictly above it are foreground.

    Returns
    -------
    ndarray of bool
        The binary image (multiply by L-1 to display it as an 8-bit image).

    Raises
    ------
    ValueError
        If ``t`` is not a finite number, or the image holds NaN or inf.

    Notes
    -----
    The limiting case of contrast stretching with r1 = r2 = t (Gonzalez & Woods, fig. 3.2(b)).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2 and 10.3.

    Examples
    --------
    >>> threshold(np.array([10, 128, 200], dtype=np.uint8), 127)
    array([False,  True,  True])
    """
    func = "threshold"
    arr = _validate.image(image, func, allow_empty=True, finite=True)  # NaN is neither above nor below t
    level = _validate.number(t, func, "t")
    return _exceeds(arr, level)


def _exceeds(arr: np.ndarray, t: float, dark: bool = False) -> np.ndarray:
    """``arr > t`` (``arr <= t`` when ``dark``) exactly, for a finite image and a finite Python number ``t``,
    compared in the image's own dtype.

    numpy 2 compares an array with a Python float in the array's float dtype (NEP 50), so a float32 image was
    compared with t rounded to float32: ``float32(0.1) > 0.1`` is True, numpy said False. Here t becomes the
    nearest value c of the dtype and ``> t`` becomes ``>= c`` when c rounded up (no value of the dtype lies in
    (t, c)). An integer image was converted to float64 for the comparison (1024² uint8: 320 us); ``x > t`` is
    ``x > floor(t)`` for integers x, compared in the image's dtype (25 us), with t beyond the dtype's range
    giving a constant mask.
    """
    dt = arr.dtype
    if dt.kind in "ui":
        info = np.iinfo(dt)
        if t < info.min or t >= info.max:
            return np.full(arr.shape, (t < info.min) != dark)
        c = dt.type(math.floor(t))
        return arr <= c if dark else arr > c
    if dt.kind == "f" and dt.itemsize < 8:
        with np.errstate(over="ignore"):
            c = np.array(t).astype(dt)[()]
        if float(c) > t:  # rounded up: > t is >= c
            return arr < c if dark else arr >= c
        return arr <= c if dark else arr > c
    return arr <= t if dark else arr > t


@_docs.fill
def bit_plane(image, k) -> np.ndarray:
    """Bit-plane slicing: bit ``k`` of every pixel (k = 0 is the least significant).

    Parameters
    ----------
    image : ndarray of unsigned integers
        The input image, never modified.
    k : int
        The bit, in [0, bits - 1] (7 is the most significant plane of a uint8 image).

    Returns
    -------
    ndarray of bool
        True where bit ``k`` is set.

    Raises
    ------
    TypeError
        If the image is not of an unsigned integer dtype.
    ValueError
        If ``k`` is outside [0, bits - 1].

    Notes
    -----
    The planes recombine exactly: image = sum_k 2**k · bit_plane(image, k).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2
    (bit-plane slicing).

    Examples
    --------
    >>> bit_plane(np.array([1, 2, 3, 128], dtype=np.uint8), 0)
    array([ True, False,  True, False])
    """
    func = "bit_plane"
    arr = _validate.image(image, func, allow_empty=True)
    if arr.dtype.kind != "u":
        _validate.fail(func, "image", arr, "an unsigned integer image", TypeError)
    bits = arr.dtype.itemsize * 8
    kk = _validate.number(k, func, "k", low=0, high=bits - 1, integer=True)
    return (arr >> arr.dtype.type(kk)) & arr.dtype.type(1) != 0
