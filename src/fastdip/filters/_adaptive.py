"""Adaptive median filter (Gonzalez & Woods; Hwang & Haddad): removes dense impulse noise while keeping the
pixels that are not impulses."""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import _docs, _modes, _validate, parallel
from ._networks import batcher_pairs
from .._kernels import load as _kload

__all__ = ["adaptive_median"]

#: dtypes the kernels are compiled for (a bounded set of numba signatures)
_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
#: how other dtypes reach a kernel dtype and come back, exactly (outputs are input values or cval):
#: an order-preserving unsigned view (bool as 0/1; int8/int16 with the sign bit flipped) or a wider float
_UNSIGNED_VIEW = {np.dtype(np.bool_): (np.uint8, 0), np.dtype(np.int8): (np.uint8, 0x80),
                  np.dtype(np.int16): (np.uint16, 0x8000)}
_WIDER_FLOAT = {np.dtype(np.int32): np.float64, np.dtype(np.uint32): np.float64, np.dtype(np.float16): np.float32}
#: two threads from this many pixels (2048² and up). Measured on this 2-core machine (camera tiled, 35 % salt
#: and pepper, S_max = 7, medians of 21): with the machine otherwise idle, two threads took 3.3 ms against 6.1 ms
#: serial at 2048² and 0.25 against 0.41 ms at 512²; but while another process kept the second core busy, every
#: parallel call waited 4-8 ms for its second thread (512²: 8 ms against 0.46 ms; 2048²: 12 against 6.4 ms).
#: Below 2 Mpx the possible gain (< 1.5 ms) does not pay that risk.
_PARALLEL_MIN_PIXELS = 1 << 21
#: windows of up to this many values are decided in batches by comparator networks (2-D: up to 9x9; 3-D: 3x3x3);
#: larger ones pixel by pixel (the network and the table grow as n log² n and n)
_BATCH_MAX_VALUES = 81


def _window(shape_padded: tuple[int, ...], r: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat offsets of the (2r+1)^d window in a C-contiguous array of ``shape_padded``, sorted ring by ring
    (3x3 first, then the ring that makes 5x5, ...), and ``bounds[L + 1]`` = element count of the (3 + 2L) window."""
    ndim = len(shape_padded)
    strides = np.cumprod((1,) + tuple(shape_padded[:0:-1]))[::-1]
    grids = np.meshgrid(*([np.arange(-r, r + 1)] * ndim), indexing="ij")
    deltas = np.stack([g.reshape(-1) for g in grids], axis=1)
    level = np.maximum(np.abs(deltas).max(axis=1) - 1, 0)
    order = np.argsort(level, kind="stable")
    offsets = (deltas[order] * strides).sum(axis=1).astype(np.int64)
    bounds = np.concatenate(([0], np.cumsum(np.bincount(level, minlength=r)))).astype(np.int64)
    return offsets, bounds


@functools.lru_cache(maxsize=None)
def _network(n: int) -> np.ndarray:
    """Comparator pairs (i, j), i < j, that leave the min, median and max of n values on wires 0, n // 2 and
    n - 1: Batcher's odd-even merge sort for the next power of two, with the comparators that touch the absent
    wires dropped (they would only meet +inf) and those that cannot reach the three wires pruned (25 values:
    118 comparators, 27 values: 131)."""
    needed = {0, n // 2, n - 1}
    kept = []
    for i, j in reversed(batcher_pairs(n)):
        if i in needed or j in needed:
            kept.append((i, j))
            needed |= {i, j}
    network = np.array(kept[::-1], dtype=np.int64).reshape(-1, 2)
    network.setflags(write=False)
    return network


@functools.lru_cache(maxsize=None)
def _networks(ndim: int, r: int) -> tuple[np.ndarray, np.ndarray]:
    """The networks of the levels decided in batches (windows of at most _BATCH_MAX_VALUES values, levels up to
    r - 1), concatenated, and their bounds: level L's pairs are networks[net_bounds[L]:net_bounds[L + 1]]."""
    sizes = [(3 + 2 * level) ** ndim for level in range(r)]
    sizes = [n for n in sizes if n <= _BATCH_MAX_VALUES] or sizes[:1]
    parts = [_network(n) for n in sizes]
    net_bounds = np.concatenate(([0], np.cumsum([len(p) for p in parts]))).astype(np.int64)
    networks = np.concatenate(parts).astype(np.int64)
    networks.setflags(write=False)
    net_bounds.setflags(write=False)
    return networks, net_bounds


def _to_kernel(arr: np.ndarray, cval: float, func: str):
    """(work, kernel cval, back): ``work`` a C-contiguous array of a kernel dtype with the same order as ``arr``,
    and ``back(result)`` the result in ``arr``'s dtype. For integer and bool images cval must lie in the dtype's
    range and is truncated toward zero (scipy's C cast of a double)."""
    dt = arr.dtype
    if dt.kind in "biu":
        lo, hi = (0, 1) if dt.kind == "b" else (int(np.iinfo(dt).min), int(np.iinfo(dt).max))
        if not lo <= cval <= hi:
            _validate.fail(func, "cval", cval, f"within the range [{lo}, {hi}] of the image dtype {dt.name}")
        cval = math.trunc(cval)
    if dt.type in _KERNEL_DTYPES:
        return np.ascontiguousarray(arr), dt.type(cval), lambda out: out
    if dt in _UNSIGNED_VIEW:
        unsigned, flip = _UNSIGNED_VIEW[dt]
        work = np.ascontiguousarray(arr).view(unsigned) ^ unsigned(flip)
        return work, unsigned(cval + flip), lambda out: (out ^ unsigned(flip)).view(dt)
    if dt in _WIDER_FLOAT:
        wide = _WIDER_FLOAT[dt]
        return np.ascontiguousarray(arr, dtype=wide), wide(dt.type(cval)), lambda out: out.astype(dt)
    _validate.fail(func, "image", arr, "an array of dtype uint8, uint16, float32 or float64 (also bool, int8, int16, "
                   "int32, uint32, float16; 64-bit integers: convert to float64 or int32)", TypeError)


def _filter_one(work: np.ndarray, max_size: int, mode: str, cval) -> np.ndarray:
    """One grey-level image (2-D or 3-D, a kernel dtype, C-contiguous) -> its adaptive median."""
    _k = _kload("adaptive")

    r = max_size // 2
    padded = np.ascontiguousarray(_modes.pad(work, r, mode, cval))
    offsets, bounds = _window(padded.shape, r)
    out = np.empty(work.shape, work.dtype)
    networks, net_bounds = _networks(work.ndim, r)
    args = (padded, r, offsets, bounds, networks, net_bounds, out)
    # interleaved rows (lines) per thread, on fastdip's worker threads: the serial kernel, no second compile
    with parallel._band_threads(work.size, _PARALLEL_MIN_PIXELS) as threads:
        parallel._run_blocks(_k.adaptive_2d if work.ndim == 2 else _k.adaptive_3d, args, threads, threads)
    return out


@_docs.fill
def adaptive_median(image, max_size=7, *, mode="reflect", cval=0.0, channel_axis=None):
    """Adaptive median filter: replaces impulses (salt and pepper) by a local median, keeps the other pixels.

    Parameters
    ----------
    image : (M, N) or (P, M, N) ndarray
        The input image (uint8, uint16, float32 or float64; bool, int8, int16, int32, uint32 and float16 are
        filtered exactly through one of those), never modified. With ``channel_axis``, one more axis for the
        channels.
    max_size : int, optional
        S_max, the largest window side: an odd int >= 3. Windows grow 3x3, 5x5, ..., S_max x S_max
        (3x3x3, ... in 3-D).
    {mode}
    {cval}
        For integer and bool images it must lie within the dtype's range; it is truncated toward zero (as
        scipy.ndimage does).
    {channel_axis}

    Returns
    -------
    ndarray
        The filtered image, same shape and dtype as ``image`` (every output value is a value of the pixel's
        S_max window: the pixel itself, a window median, or ``cval`` with ``mode='constant'``).

    Raises
    ------
    TypeError
        If ``image`` is not a real numeric or bool array (complex, int64 and uint64 are refused), or
        ``max_size`` is not an int.
    ValueError
        If ``image`` is empty, not 2-D or 3-D (besides the channel axis), or holds NaN; if ``max_size`` is not
        an odd int >= 3; if ``mode``, ``cval`` or ``channel_axis`` is not allowed.

    Notes
    -----
    At each pixel z_xy, with z_min, z_med, z_max the minimum, median and maximum of the window S_xy (3x3 first,
    3x3x3 in 3-D): *stage A*: if z_min < z_med < z_max go to stage B; else grow S_xy by 2 and repeat while its
    side is <= S_max; if even the S_max window fails, output its z_med (the median of the largest window).
    *Stage B*: output z_xy if z_min < z_xy < z_max, else z_med (of the window that passed stage A). Border pixels
    see windows extended by ``mode``.

    Speed: the 3x3 stage runs on whole rows through a branch-free sorting network (each column of three sorted
    once, Paeth's median of 9); pixels that need a larger window are queued per window size and decided in
    batches of about a thousand, by a comparator network (pruned Batcher) run across the batch. A pixel whose
    S_max window is constant keeps its value without growing. Beyond 9x9 (3x3x3 in 3-D) pixels grow one ring at
    a time, stage A being decided on counts (z_med > z_min iff at most n // 2 values equal z_min).

    NaN has no place in an order, so it is refused; +-inf are ordinary extreme values (impulses).

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.3
       (adaptive median filter).
    .. [2] H. Hwang and R. A. Haddad, "Adaptive median filters: new algorithms and results," IEEE Trans. Image
       Processing 4(4), 499-502, 1995. DOI: 10.1109/83.370679.
    .. [3] A. W. Paeth, "Median finding on a 3x3 grid," in *Graphics Gems*, Academic Press, 1990 (the 3x3
       network).
    .. [4] K. E. Batcher, "Sorting networks and their applications," AFIPS Spring Joint Computer Conference,
       307-314, 1968. DOI: 10.1145/1468075.1468121.

    Examples
    --------
    A salt pixel in a ramp is replaced by its 3x3 median; the ramp's own values (not impulses) are kept:

    >>> import numpy as np
    >>> from fastdip.filters import adaptive_median
    >>> a = np.array([[10, 20, 30, 40, 50],
    ...               [10, 20, 30, 40, 50],
    ...               [10, 20, 255, 40, 50],
    ...               [10, 20, 30, 40, 50],
    ...               [10, 20, 30, 40, 50]], dtype=np.uint8)
    >>> adaptive_median(a, 3)
    array([[10, 20, 30, 40, 50],
           [10, 20, 30, 40, 50],
           [10, 20, 30, 40, 50],
           [10, 20, 30, 40, 50],
           [10, 20, 30, 40, 50]], dtype=uint8)
    """
    func = "adaptive_median"
    arr = _validate.image(image, func, allow_bool=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial = arr.ndim - (axis is not None)
    if spatial not in (2, 3):
        allowed = "a 2-D or 3-D array" + ("" if axis is None else " besides the channel axis")
        _validate.fail(func, "image", arr, allowed)
    if isinstance(max_size, (int, np.integer)) and not isinstance(max_size, bool):
        max_size = int(max_size)
        if max_size < 3 or max_size % 2 == 0:
            _validate.fail(func, "max_size", max_size, "an odd int >= 3 (the largest window side S_max)")
    else:
        _validate.fail(func, "max_size", max_size, "an odd int >= 3 (the largest window side S_max)", TypeError)
    mode = _modes.check(mode, func)
    cval = _validate.number(cval, func, "cval")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        bad = int(np.count_nonzero(np.isnan(arr)))
        raise ValueError(f"{func}: image must not contain NaN (it has no place in an order), got {bad} NaN value(s)")

    if axis is None:
        work, kernel_cval, back = _to_kernel(arr, cval, func)
        return back(_filter_one(work, max_size, mode, kernel_cval))
    out = np.empty(arr.shape, arr.dtype)
    channels_first = np.moveaxis(out, axis, 0)
    for c in range(arr.shape[axis]):
        work, kernel_cval, back = _to_kernel(np.take(arr, c, axis=axis), cval, func)
        channels_first[c] = back(_filter_one(work, max_size, mode, kernel_cval))
    return out
