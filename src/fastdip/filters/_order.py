"""Order-statistic filters: median, rank, minimum, maximum and percentile over a window or footprint.

Results equal scipy.ndimage's median_filter / rank_filter / minimum_filter / maximum_filter /
percentile_filter exactly, for every border mode, and keep the input dtype. The algorithm is chosen per case
(the kernels are in fastdip/_kernels/median.py and rank.py):

========================================== ===================================================================
case                                       algorithm
========================================== ===================================================================
rank 0 / last of a rectangle (min, max)    separable running passes: doubling along rows, van Herk /
                                           Gil-Werman along columns and planes (O(1) per pixel)
median 3x3, 5x5 (2-D), 3x3x3               selection networks with column sorts shared by two output rows,
                                           vectorised across columns
uint8 2-D rectangle, 100+ elements         Perreault & Hébert's constant-time histogram (packed counts)
uint8 footprint 150+, uint16 200+, n-D     Huang's sliding histogram (coarse + fine bins)
float, 225+ elements, <= 65536 distinct    the same histograms on the ranks of the distinct values
values
any other footprint of <= 1024 elements    Batcher's sorting network pruned to the wanted rank, applied to row
                                           chunks (vector min/max across columns)
larger                                     gather the window, quickselect
========================================== ===================================================================

One exception to "exactly scipy": with mode 'reflect' and a window radius of at least twice the image side,
scipy's n-D rank filters read outside the array (they map the reflected index -2n*m to -1); fastdip keeps the
periodic extension ``d c b a | a b c d | d c b a`` there, as numpy.pad('symmetric') and scipy's correlate do.

Other dtypes are mapped to these monotonically (int8/int16 by flipping the sign bit, int32/uint32 to float64,
float16 to float32) and back, which commutes with order statistics; bool is viewed as uint8. NaN is refused:
scipy's result for NaN depends on its internal algorithm, so there is nothing exact to match.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import _docs, _modes, _validate, parallel
from .._kernels import load as _kload
from .._kernels._config import readonly
from ._networks import batcher_pairs

__all__ = ["median", "rank", "minimum", "maximum", "percentile"]

# Integer windows of at least this many elements use histograms rather than a network (measured, 1024^2 serial:
# uint8 9x9 network 13.5 ms vs Perreault 20 ms, 11x11 28.6 vs 18.6; uint16 13x13 71 vs Huang 99, 15x15 133 vs 99).
_PERREAULT_MIN_SIZE = 100  # uint8 rectangles
_HUANG_MIN_SIZE = {1: 150, 2: 200}  # other uint8 footprints, uint16
# Float windows of at least this many elements first try the ranks of their distinct values (if there are at
# most 65536) through the uint8/uint16 histograms; networks up to _NETWORK_MAX_SIZE elements, then quickselect.
_CODES_MIN_SIZE = 225
_NETWORK_MAX_SIZE = 1024
# Perreault's packed 16-bit lanes keep a free sign bit: window area at most 2**15 - 1.
_PACKED_MAX_SIZE = (1 << 15) - 1
# Pixels from which the kernels run in bands on fastdip's worker threads (fastdip.parallel decides how many).
# Waking the sleeping worker threads costs tens of us (fastdip.parallel), so the thresholds sit where
# the serial call takes about 0.3 ms or more. Serial calls measured (kernel only: uint8 3x3 512^2 0.032 ms,
# 1024^2 0.107; 5x5 512^2 0.116; 15x15 histogram 256^2 1.05; whole call, float32 3x3 1024^2 0.85 ms).
# "network" and "select" count pixels times operations per pixel / 64.
_PARALLEL_MIN_PIXELS = {"net3": 1 << 20, "net5": 1 << 18, "net27": 1 << 18, "hist": 1 << 15, "network": 1 << 17,
                        "select": 1 << 15}


# --------------------------------------------------------------------------------------- input normalisation

class _Work:
    """The input mapped to a kernel dtype (uint8, uint16, float32, float64), the matching cval, and the way
    back to the input dtype."""

    def __init__(self, arr: np.ndarray, cval, func: str):
        dt = arr.dtype
        self.dtype = dt
        cval = _validate.number(cval, func, "cval")
        if dt.kind in "biu":
            lo, hi = _int_range(dt)
            if not lo <= cval <= hi:
                _validate.fail(func, "cval", cval, f"within the range [{lo}, {hi}] of the image dtype {dt.name}")
            cval = math.trunc(cval)  # what scipy's C cast of the double cval gives
        t = dt.type
        if dt.isnative and (t is np.uint8 or t is np.uint16 or t is np.float32 or t is np.float64):
            self.array, self.cval = arr, t(cval)  # (identity: dtype == type comparisons cost ~0.5 us each)
        elif dt == np.bool_:
            self.array, self.cval = arr.view(np.uint8), np.uint8(cval)
        elif dt in (np.uint8, np.uint16, np.float32, np.float64):
            self.array, self.cval = arr, dt.type(cval)
        elif dt == np.int8:
            self.array, self.cval = arr.view(np.uint8) ^ np.uint8(0x80), np.uint8(cval + 0x80)
        elif dt == np.int16:
            self.array, self.cval = arr.view(np.uint16) ^ np.uint16(0x8000), np.uint16(cval + 0x8000)
        elif dt in (np.int32, np.uint32):
            self.array, self.cval = arr.astype(np.float64), np.float64(cval)
        elif dt == np.float16:
            self.array, self.cval = arr.astype(np.float32), np.float32(np.float16(cval))
        else:
            _validate.fail(func, "image", arr, "an array of dtype bool, uint8, uint16, uint32, int8, int16, int32, "
                           "float16, float32 or float64 (64-bit integers: convert to float64 or int32)", TypeError)
        if dt.kind == "f" and np.isnan(arr.min()):  # min() is NaN iff there is a NaN: one pass, no temporary
            raise ValueError(f"{func}: image must not contain NaN (order statistics of NaN are undefined), got "
                             f"{int(np.count_nonzero(np.isnan(arr)))} NaN value(s)")
        self.array = readonly(self.array)

    def back(self, out: np.ndarray) -> np.ndarray:
        dt = self.dtype
        if out.dtype == dt:
            return out
        if dt == np.bool_:
            return out.view(np.bool_)
        if dt == np.int8:
            return (out ^ np.uint8(0x80)).view(np.int8)
        if dt == np.int16:
            return (out ^ np.uint16(0x8000)).view(np.int16)
        return out.astype(dt)


@functools.lru_cache(maxsize=16)
def _int_range(dt: np.dtype) -> tuple[int, int]:
    if dt.kind == "b":
        return 0, 1
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


@functools.lru_cache(maxsize=128)
def _table(n: int, size: int, mode: str, extra: int = 0) -> np.ndarray:
    """Extended index -> image index for one axis (-1 outside with mode 'constant'): extended index k stands
    for image index k - size // 2; ``extra`` spare entries at the end (kernels that work on pairs of rows)."""
    r = size // 2
    table = _modes.pad(np.arange(n, dtype=np.int64), (r, r + extra), mode, cval=-1)
    table.setflags(write=False)
    return table


def _parallel(kind: str, pixels: int):
    """Threads for bands of the serial kernel on fastdip's worker threads (``parallel._run_bands``; 1: one
    call), above the kind's threshold (fastdip.parallel decides)."""
    return parallel._band_threads(pixels, _PARALLEL_MIN_PIXELS[kind])


# ----------------------------------------------------------------------------------------------- footprints

class _Footprint:
    """A footprint as the kernels want it: lines (dz, dy) and elements as (line, dx), plus the elements that
    enter and leave when the window moves one column right. ``shape`` is always 3-D. Immutable and cached
    (the lists are built on first use), so repeated calls cost nothing here."""

    def __init__(self, mask: np.ndarray):
        mask.setflags(write=False)
        self.mask = mask
        self.shape = mask.shape
        self.size = int(mask.sum())
        self.full = self.size == mask.size

    @functools.cached_property
    def _lines(self):
        lines = sorted({(int(z), int(y)) for z, y in zip(*np.nonzero(self.mask.any(axis=2)))})
        return lines, {line: i for i, line in enumerate(lines)}

    @property
    def line_z(self):
        return np.array([z for z, _ in self._lines[0]], dtype=np.int64)

    @property
    def line_y(self):
        return np.array([y for _, y in self._lines[0]], dtype=np.int64)

    def _pairs(self, sel):
        index = self._lines[1]
        z, y, x = np.nonzero(sel)
        return (np.array([index[(int(a), int(b))] for a, b in zip(z, y)], dtype=np.int64), x.astype(np.int64))

    @functools.cached_property
    def all(self):
        return self._pairs(self.mask)

    @functools.cached_property
    def enter(self):
        right = np.zeros_like(self.mask)
        right[:, :, :-1] = self.mask[:, :, 1:]  # right[d] == mask[d + 1]
        return self._pairs(self.mask & ~right)

    @functools.cached_property
    def leave(self):
        left = np.zeros_like(self.mask)
        left[:, :, 1:] = self.mask[:, :, :-1]  # left[d] == mask[d - 1]
        return self._pairs(self.mask & ~left)


@functools.lru_cache(maxsize=64)
def _cached_footprint(shape: tuple, bits: bytes | None) -> _Footprint:
    if bits is None:
        return _Footprint(np.ones(shape, dtype=bool))
    return _Footprint(np.frombuffer(bits, dtype=bool).reshape(shape).copy())


@functools.lru_cache(maxsize=64)
def _square_footprint(size: int, ndim: int) -> _Footprint:
    return _cached_footprint((1,) * (3 - ndim) + (size,) * ndim, None)


def _footprint(size, footprint, ndim: int, func: str) -> _Footprint:
    if footprint is None and type(size) is int and size > 0 and size % 2 == 1:
        return _square_footprint(size, ndim)  # the common call, without the ~3 us of the general check
    if footprint is not None:
        mask = _validate.footprint(footprint, func, ndim)
        shape = (1,) * (3 - ndim) + mask.shape
        return _cached_footprint(shape, None if mask.all() else np.ascontiguousarray(mask).tobytes())
    if size is None:
        _validate.fail(func, "size", size, "an odd positive int or a tuple of them when footprint is None",
                       TypeError)
    return _cached_footprint((1,) * (3 - ndim) + _validate.sizes(size, func, ndim, odd=True), None)


# -------------------------------------------------------------------------------------------------- kernels

def _extreme(work: np.ndarray, fp: _Footprint, take_max: bool, mode: str, cval) -> np.ndarray:
    """Minimum/maximum of a full rectangle: separable passes, the last axis first."""
    _k = _kload("rank")

    cur = work
    for axis in (2, 1, 0):
        size = fp.shape[axis]
        if size == 1:
            continue
        n = cur.shape[axis]
        table = _table(n, size, mode)
        nxt = np.empty_like(cur)
        if axis == 2:
            _k.extreme_rows(cur.reshape(-1, n), table, cval, size, take_max, nxt.reshape(-1, n))
        else:
            shape3 = (int(np.prod(cur.shape[:axis])), n, int(np.prod(cur.shape[axis + 1:])))
            _k.extreme_outer(cur.reshape(shape3), table, cval, size, take_max, nxt.reshape(shape3))
        cur = readonly(nxt)
    return nxt if cur is not work else work.copy()


def _tables3(shape, fp: _Footprint, mode: str):
    return tuple(_table(n, s, mode) for n, s in zip(shape, fp.shape))


@functools.lru_cache(maxsize=64)
def _selection_network(n: int, k: int):
    """Batcher's odd-even merge sort for n inputs (the next power of two, padded with +inf: comparators that
    touch the padding are no-ops and dropped), pruned backwards to what output position k depends on.
    Returns int64 arrays (kind, a, b): kind 0 = sort the pair, 1 = a = min(a, b), 2 = b = max(a, b)."""
    needed = {k}
    ops = []
    for a, b in reversed(batcher_pairs(n)):
        need_a, need_b = a in needed, b in needed
        if need_a or need_b:
            ops.append((0 if need_a and need_b else 1 if need_a else 2, a, b))
            needed.update((a, b))
    ops.reverse()
    table = np.array(ops, dtype=np.int64).reshape(-1, 3)
    result = tuple(np.ascontiguousarray(table[:, i]) for i in range(3))
    for arr in result:
        arr.setflags(write=False)
    return result


def _network_any(work, fp: _Footprint, k: int, mode: str, cval) -> np.ndarray:
    """Any footprint and rank: a pruned Batcher network applied to row chunks (vectorised across columns)."""
    _k = _kload("rank")

    out = np.empty_like(work)
    tz, ty, tx = _tables3(work.shape, fp, mode)
    kind, op_a, op_b = _selection_network(fp.size, k)
    chunk = max(64, min(work.shape[2], (1 << 18) // (fp.size * work.itemsize)) // 64 * 64)
    args = (work, tz, ty, tx, cval, fp.line_z, fp.line_y, fp.all[0], fp.all[1], kind, op_a, op_b, k, chunk, out)
    with _parallel("network", work.size * max(1, kind.size // 64)) as threads:
        parallel._run_bands(_k.rank_network, args, work.shape[0] * work.shape[1], 4 * threads, threads)
    return out


def _select(work, fp: _Footprint, k: int, mode: str, cval) -> np.ndarray:
    _k = _kload("rank")

    out = np.empty_like(work)
    tz, ty, tx = _tables3(work.shape, fp, mode)
    args = (work, tz, ty, tx, cval, fp.line_z, fp.line_y, fp.all[0], fp.all[1], k, out)
    with _parallel("select", work.size * max(1, fp.size // 64)) as threads:
        parallel._run_bands(_k.rank_select, args, work.shape[0] * work.shape[1], 4 * threads, threads)
    return out


def _histogram(codes, fp: _Footprint, k: int, mode: str, cval) -> np.ndarray:
    """Rank through histograms of uint8/uint16 codes: Perreault for 2-D uint8 rectangles, Huang otherwise."""
    _k = _kload("median")

    out = np.empty_like(codes)
    if (codes.dtype == np.uint8 and fp.full and fp.shape[0] == 1 and fp.size <= _PACKED_MAX_SIZE
            and fp.size >= _PERREAULT_MIN_SIZE):
        _, sy, sx = fp.shape
        ty = _table(codes.shape[1], sy, mode)
        tx = _table(codes.shape[2], sx, mode)
        with _parallel("hist", codes.shape[1] * codes.shape[2]) as threads:
            for plane, res in zip(codes, out):
                # (each band builds its own column histograms)
                parallel._run_bands(_k.rank_u8_rect, (plane, ty, tx, cval, sy, sx, k, res), plane.shape[0],
                                    2 * threads, threads)
        return out
    tz, ty, tx = _tables3(codes.shape, fp, mode)
    shift = 4 if codes.dtype == np.uint8 else 8
    args = (codes, tz, ty, tx, cval, fp.line_z, fp.line_y, fp.all[0], fp.all[1], fp.enter[0], fp.enter[1],
            fp.leave[0], fp.leave[1], k, shift, out)
    with _parallel("hist", codes.size) as threads:
        parallel._run_bands(_k.rank_hist, args, codes.shape[0] * codes.shape[1], 4 * threads, threads)
    return out


def _float_codes(work, fp: _Footprint, k: int, mode: str, cval):
    """Ranks of the distinct values (with cval) as uint8/uint16 codes, or None if there are more than 65536
    (a sample of 65536 pixels with 32768 distinct values or more says so without sorting the whole image)."""
    if work.size > 1 << 17:
        sample = work.reshape(-1)[:: work.size >> 16]
        if np.unique(sample).size >= 1 << 15:
            return None
    values, codes = np.unique(work, return_inverse=True)
    if mode == "constant":
        at = int(np.searchsorted(values, cval))
        if at == values.size or values[at] != cval:
            values = np.insert(values, at, cval)
            codes = codes + (codes >= at)
        code = at
    else:
        code = 0
    if values.size > 65536:
        return None
    dtype = np.uint8 if values.size <= 256 else np.uint16
    codes = readonly(codes.reshape(work.shape).astype(dtype))
    return values[_histogram(codes, fp, k, mode, dtype(code))]


_DIRECT_BYTES = 8 << 20  # median3x3 reads planes of at least this size in place (measured: 16 MB yes, 4 MB no)


def _pairs(kernel, args: tuple, n: int, extra: tuple):
    """``kernel(*args, y0, y1, *extra)`` for the rows (planes) of the pairs [lo, hi): y0 = 2 lo, y1 = 2 hi
    (at most n)."""
    return lambda lo, hi: kernel(*args, 2 * lo, min(2 * hi, n), *extra)


def _network(work, fp: _Footprint, mode: str, cval):
    """3x3 / 5x5 (per plane) and 3x3x3 medians, or None if the footprint is none of these."""
    _k = _kload("median")

    shape = fp.shape if fp.full else None
    if shape in ((1, 3, 3), (1, 5, 5)):
        size = shape[1]
        kernel, kind = (_k.median3x3, "net3") if size == 3 else (_k.median5x5, "net5")
        out = np.empty_like(work)
        h, w = work.shape[1:]
        ty = _table(h, size, mode, extra=1)
        tx = _table(w, size, mode)
        # 3x3: planes far larger than the caches are read in place (see median3x3)
        extra = (h * w * work.itemsize >= _DIRECT_BYTES,) if size == 3 else ()
        with _parallel(kind, h * w) as threads:
            for p in range(work.shape[0]):  # (indexing: half the cost of zip over the arrays)
                plane, res = work[p], out[p]
                if threads == 1:
                    kernel(plane, ty, tx, cval, res, 0, h, *extra)
                else:  # bands of row pairs (the kernels work two rows at a time)
                    parallel._run_bands(_pairs(kernel, (plane, ty, tx, cval, res), h, extra), (), (h + 1) // 2,
                                        threads, threads)
        return out
    if shape == (3, 3, 3):
        padded = readonly(_modes.pad(work, ((1, 2), (1, 1), (1, 1)), mode, cval))
        out = np.empty_like(work)
        with _parallel("net27", work.size) as threads:  # (bands of plane pairs)
            parallel._run_bands(_pairs(_k.median3x3x3, (padded, out), work.shape[0], ()), (),
                                (work.shape[0] + 1) // 2, threads, threads)
        return out
    return None


def _rank(work: np.ndarray, fp: _Footprint, k: int, mode: str, cval) -> np.ndarray:
    """The k-th smallest (0 <= k < fp.size) under the footprint, for a 3-D array of a kernel dtype."""
    n = fp.size
    if k in (0, n - 1) and fp.full:
        return _extreme(work, fp, k > 0, mode, cval)
    if k == n // 2 and n in (9, 25, 27):
        out = _network(work, fp, mode, cval)
        if out is not None:
            return out
    if work.dtype.kind == "u" and 0 < k < n - 1:
        rect_u8 = work.dtype == np.uint8 and fp.full and fp.shape[0] == 1 and n <= _PACKED_MAX_SIZE
        if n >= (_PERREAULT_MIN_SIZE if rect_u8 else _HUANG_MIN_SIZE[work.dtype.itemsize]):
            return _histogram(work, fp, k, mode, cval)
    if work.dtype.kind == "f" and n >= _CODES_MIN_SIZE:
        out = _float_codes(work, fp, k, mode, cval)
        if out is not None:
            return out
    if n <= _NETWORK_MAX_SIZE:
        return _network_any(work, fp, k, mode, cval)
    return _select(work, fp, k, mode, cval)


def _filter(image, size, footprint, k_of, mode, cval, channel_axis, func: str) -> np.ndarray:
    """Validate, normalise to 3-D arrays of a kernel dtype (one per channel), rank, and map back."""
    arr = _validate.image(image, func, allow_bool=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    ndim = arr.ndim - (axis is not None)
    if ndim not in (1, 2, 3):
        what = "a 1-D, 2-D or 3-D array" + ("" if axis is None else " plus the channel axis")
        _validate.fail(func, "image", arr, what)
    mode = _modes.check(mode, func)
    fp = _footprint(size, footprint, ndim, func)
    k = k_of(fp.size)
    work = _Work(arr, cval, func)
    data = work.array
    if axis is None:
        out = _rank(data.reshape((1,) * (3 - ndim) + data.shape), fp, k, mode, work.cval).reshape(data.shape)
    else:
        channels = np.moveaxis(data, axis, 0)
        out = np.empty(channels.shape, dtype=data.dtype)
        for channel, res in zip(channels, out):
            vol = readonly(channel.reshape((1,) * (3 - ndim) + channel.shape))
            res[...] = _rank(vol, fp, k, mode, work.cval).reshape(channel.shape)
        out = np.ascontiguousarray(np.moveaxis(out, 0, axis))
    return work.back(out)


def _check_rank(value, n: int, func: str) -> int:
    k = _validate.number(value, func, "rank", integer=True)
    if not -n <= k < n:
        _validate.fail(func, "rank", value, f"an integer in [-{n}, {n - 1}] for a footprint of {n} elements")
    return k + n if k < 0 else k


# ------------------------------------------------------------------------------------------------ public API

@_docs.fill
def median(image, size=3, *, footprint=None, mode="reflect", cval=0.0, channel_axis=None) -> np.ndarray:
    """Median filter: every pixel becomes the median of its window (exactly scipy.ndimage.median_filter).

    Parameters
    ----------
    {image}
        1-D, 2-D or 3-D (plus a channel axis if ``channel_axis`` is given); bool, uint8, uint16, uint32, int8,
        int16, int32, float16, float32 or float64.
    size : int or tuple of int, optional
        Odd window side(s), one per spatial axis or one for all. Ignored when ``footprint`` is given.
    footprint : array_like of bool, optional
        The window's shape (odd sides, one dimension per spatial axis); replaces ``size``.
    {mode}
    {cval}
        For integer images it must lie in the dtype's range and is truncated toward zero, as scipy does.
    {channel_axis}

    Returns
    -------
    ndarray
        The input's shape and dtype (order statistics keep the dtype); for an even number of footprint
        elements the upper median, element n // 2 of the sorted window, as scipy.

    Raises
    ------
    TypeError
        For complex, 64-bit integer or non-array input, or a non-numeric footprint.
    ValueError
        For an even or non-positive size, a bad footprint, mode, channel_axis or cval, an empty image, or NaN in
        the image.

    Notes
    -----
    3x3 and 5x5 (2-D) and 3x3x3 windows use pruned sorting networks: columns sorted once and shared between two
    output rows, branch-free min/max over whole rows (vectorised). uint8 rectangles of 49 pixels or more use
    Perreault & Hébert's constant-time histogram median (100+ pixels); larger integer footprints Huang's sliding
    histogram; other windows a Batcher sorting network pruned to the median, run across whole rows. Equal to
    scipy for every mode, except that 'reflect' stays periodic where scipy reads outside the array (a radius
    of twice the image side or more).

    References
    ----------
    T. S. Huang, G. J. Yang and G. Y. Tang, "A fast two-dimensional median filtering algorithm", IEEE Trans.
    Acoustics, Speech, and Signal Processing 27(1), 13-18, 1979, DOI 10.1109/TASSP.1979.1163188.
    S. Perreault and P. Hébert, "Median Filtering in Constant Time", IEEE Trans. Image Processing 16(9),
    2389-2394, 2007, DOI 10.1109/TIP.2007.902329.
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.6.

    Examples
    --------
    Salt (255) and pepper (0) noise removed from a flat patch:

    >>> image = np.array([[10, 10, 10, 10],
    ...                   [10, 255, 10, 10],
    ...                   [10, 10, 0, 10],
    ...                   [10, 10, 10, 10]], dtype=np.uint8)
    >>> median(image)
    array([[10, 10, 10, 10],
           [10, 10, 10, 10],
           [10, 10, 10, 10],
           [10, 10, 10, 10]], dtype=uint8)
    """
    if (type(image) is np.ndarray and image.ndim == 2 and footprint is None and channel_axis is None
            and type(size) is int and (size == 3 or size == 5) and type(mode) is str and mode in _modes.CODES
            and (type(cval) is float or type(cval) is int) and cval == 0 and image.size):
        zero = _validate.UINT_ZERO.get(image.dtype)
        if zero is not None:
            # the usual call (a plain uint8/uint16 image, a 3x3 or 5x5 square, cval 0): what _filter decides for
            # it, without its general checks (~6 us a call: 512^2 3x3 50 -> 43 us)
            return _network(readonly(image).reshape((1,) + image.shape), _square_footprint(size, 2), mode,
                            zero).reshape(image.shape)
    return _filter(image, size, footprint, lambda n: n // 2, mode, cval, channel_axis, "median")


@_docs.fill
def rank(image, size, rank, *, footprint=None, mode="reflect", cval=0.0, channel_axis=None) -> np.ndarray:  # noqa: A002
    """Rank filter: every pixel becomes the ``rank``-th smallest value of its window (scipy.ndimage.rank_filter).

    Parameters
    ----------
    {image}
        1-D, 2-D or 3-D (plus a channel axis if ``channel_axis`` is given); bool, uint8, uint16, uint32, int8,
        int16, int32, float16, float32 or float64.
    size : int or tuple of int or None
        Odd window side(s), one per spatial axis or one for all; None (or ignored) when ``footprint`` is given.
    rank : int
        0 for the minimum, n - 1 for the maximum of n window elements; negative values count from the top
        (-1 is the maximum), as in scipy.
    footprint : array_like of bool, optional
        The window's shape (odd sides, one dimension per spatial axis); replaces ``size``.
    {mode}
    {cval}
        For integer images it must lie in the dtype's range and is truncated toward zero, as scipy does.
    {channel_axis}

    Returns
    -------
    ndarray
        The input's shape and dtype.

    Raises
    ------
    TypeError
        For complex, 64-bit integer or non-array input, or a non-integer rank.
    ValueError
        For a rank outside [-n, n - 1], an even size, a bad footprint, mode, channel_axis or cval, an empty
        image, or NaN in the image.

    Notes
    -----
    Rank 0 and n - 1 of a rectangle are separable running minima/maxima (van Herk / Gil-Werman, O(1) per
    pixel). Other ranks use the median's machinery: histograms for large integer windows (Perreault & Hébert
    for uint8 rectangles, Huang otherwise), a Batcher sorting network pruned to the wanted rank and run across
    whole rows for windows up to 1024 elements, gather-and-select (quickselect) beyond.

    References
    ----------
    T. S. Huang, G. J. Yang and G. Y. Tang, "A fast two-dimensional median filtering algorithm", IEEE Trans.
    Acoustics, Speech, and Signal Processing 27(1), 13-18, 1979, DOI 10.1109/TASSP.1979.1163188.
    C. A. R. Hoare, "Algorithm 65: Find", Communications of the ACM 4(7), 321-322, 1961,
    DOI 10.1145/366622.366647.

    Examples
    --------
    >>> image = np.array([[5, 1, 4],
    ...                   [2, 8, 3],
    ...                   [9, 7, 6]], dtype=np.uint8)
    >>> rank(image, 3, 1, mode="nearest")
    array([[1, 1, 1],
           [2, 2, 3],
           [2, 3, 3]], dtype=uint8)
    """
    func = "rank"
    return _filter(image, size, footprint, lambda n: _check_rank(rank, n, func), mode, cval, channel_axis, func)


@_docs.fill
def minimum(image, size=3, *, footprint=None, mode="reflect", cval=0.0, channel_axis=None) -> np.ndarray:
    """Minimum filter: every pixel becomes the smallest value of its window (scipy.ndimage.minimum_filter).

    Parameters
    ----------
    {image}
        1-D, 2-D or 3-D (plus a channel axis if ``channel_axis`` is given); bool, uint8, uint16, uint32, int8,
        int16, int32, float16, float32 or float64.
    size : int or tuple of int, optional
        Odd window side(s), one per spatial axis or one for all. Ignored when ``footprint`` is given.
    footprint : array_like of bool, optional
        The window's shape (odd sides, one dimension per spatial axis); replaces ``size``.
    {mode}
    {cval}
        For integer images it must lie in the dtype's range and is truncated toward zero, as scipy does.
    {channel_axis}

    Returns
    -------
    ndarray
        The input's shape and dtype.

    Raises
    ------
    TypeError
        For complex, 64-bit integer or non-array input.
    ValueError
        For an even size, a bad footprint, mode, channel_axis or cval, an empty image, or NaN in the image.

    Notes
    -----
    Rectangles are separable: one running minimum per axis. Along rows windows of 1, 2, 4, ... are combined
    (log2(size) + 1 vectorised passes); along columns and planes van Herk / Gil-Werman's block prefix/suffix
    minima cost three operations per pixel whatever the size. Other footprints gather each window.

    References
    ----------
    M. van Herk, "A fast algorithm for local minimum and maximum filters on rectangular and octagonal kernels",
    Pattern Recognition Letters 13(7), 517-521, 1992, DOI 10.1016/0167-8655(92)90069-C.
    J. Gil and M. Werman, "Computing 2-D min, median, and max filters", IEEE Trans. Pattern Analysis and Machine
    Intelligence 15(5), 504-507, 1993, DOI 10.1109/34.211471.

    Examples
    --------
    >>> minimum(np.array([[5, 1, 4, 6],
    ...                   [2, 8, 3, 7]], dtype=np.uint8), (1, 3))
    array([[1, 1, 1, 4],
           [2, 2, 3, 3]], dtype=uint8)
    """
    return _filter(image, size, footprint, lambda n: 0, mode, cval, channel_axis, "minimum")


@_docs.fill
def maximum(image, size=3, *, footprint=None, mode="reflect", cval=0.0, channel_axis=None) -> np.ndarray:
    """Maximum filter: every pixel becomes the largest value of its window (scipy.ndimage.maximum_filter).

    Parameters
    ----------
    {image}
        1-D, 2-D or 3-D (plus a channel axis if ``channel_axis`` is given); bool, uint8, uint16, uint32, int8,
        int16, int32, float16, float32 or float64.
    size : int or tuple of int, optional
        Odd window side(s), one per spatial axis or one for all. Ignored when ``footprint`` is given.
    footprint : array_like of bool, optional
        The window's shape (odd sides, one dimension per spatial axis); replaces ``size``.
    {mode}
    {cval}
        For integer images it must lie in the dtype's range and is truncated toward zero, as scipy does.
    {channel_axis}

    Returns
    -------
    ndarray
        The input's shape and dtype.

    Raises
    ------
    TypeError
        For complex, 64-bit integer or non-array input.
    ValueError
        For an even size, a bad footprint, mode, channel_axis or cval, an empty image, or NaN in the image.

    Notes
    -----
    The mirror image of ``minimum``: separable running maxima (doubling along rows, van Herk / Gil-Werman
    along columns and planes) for rectangles, gather-and-reduce for other footprints.

    References
    ----------
    M. van Herk, "A fast algorithm for local minimum and maximum filters on rectangular and octagonal kernels",
    Pattern Recognition Letters 13(7), 517-521, 1992, DOI 10.1016/0167-8655(92)90069-C.
    J. Gil and M. Werman, "Computing 2-D min, median, and max filters", IEEE Trans. Pattern Analysis and Machine
    Intelligence 15(5), 504-507, 1993, DOI 10.1109/34.211471.

    Examples
    --------
    >>> maximum(np.array([[5, 1, 4, 6],
    ...                   [2, 8, 3, 7]], dtype=np.uint8), (1, 3), mode="constant")
    array([[5, 5, 6, 6],
           [8, 8, 8, 7]], dtype=uint8)
    """
    return _filter(image, size, footprint, lambda n: n - 1, mode, cval, channel_axis, "maximum")


@_docs.fill
def percentile(image, size, percentile, *, footprint=None, mode="reflect", cval=0.0,  # noqa: A002
               channel_axis=None) -> np.ndarray:
    """Percentile filter: the ``percentile``-th percentile of every window (scipy.ndimage.percentile_filter).

    Parameters
    ----------
    {image}
        1-D, 2-D or 3-D (plus a channel axis if ``channel_axis`` is given); bool, uint8, uint16, uint32, int8,
        int16, int32, float16, float32 or float64.
    size : int or tuple of int or None
        Odd window side(s), one per spatial axis or one for all; None (or ignored) when ``footprint`` is given.
    percentile : float
        In [-100, 100]; negative values count from the top (-20 is the 80th percentile), as in scipy.
    footprint : array_like of bool, optional
        The window's shape (odd sides, one dimension per spatial axis); replaces ``size``.
    {mode}
    {cval}
        For integer images it must lie in the dtype's range and is truncated toward zero, as scipy does.
    {channel_axis}

    Returns
    -------
    ndarray
        The input's shape and dtype: a window element, never an interpolated value.

    Raises
    ------
    TypeError
        For complex, 64-bit integer or non-array input, or a non-numeric percentile.
    ValueError
        For a percentile outside [-100, 100], an even size, a bad footprint, mode, channel_axis or cval, an
        empty image, or NaN in the image.

    Notes
    -----
    scipy's rule: for n window elements the rank is int(n * p / 100) (n - 1 for p = 100), then the rank
    filter. So the 50th percentile of an even count is the upper median.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.6.
    S. Perreault and P. Hébert, "Median Filtering in Constant Time", IEEE Trans. Image Processing 16(9),
    2389-2394, 2007, DOI 10.1109/TIP.2007.902329.

    Examples
    --------
    >>> percentile(np.array([[5, 1, 4, 6, 2, 8, 3]], dtype=np.uint8), (1, 5), 75)
    array([[5, 5, 5, 6, 6, 6, 8]], dtype=uint8)
    """
    func = "percentile"
    p = _validate.number(percentile, func, "percentile", low=-100, high=100)
    p = p + 100.0 if p < 0 else p

    def k_of(n):
        return n - 1 if p == 100.0 else int(float(n) * p / 100.0)

    return _filter(image, size, footprint, k_of, mode, cval, channel_axis, func)
