"""Resizing: separable resampling with pixel-area alignment, antialiased when shrinking.

Alignment (OpenCV, scikit-image, Pillow): output pixel ``o`` of an axis resized from ``n`` to ``m`` samples is
centred on the input coordinate ``x = (o + 0.5) · n/m - 0.5`` (pixel centres at integers, the image's outer
edges ``-0.5`` and ``n - 0.5`` kept in place).

Each axis is resampled in turn by a weight table, ``g[o] = sum_t w(t - x) f[t] / sum_t w(t - x)``:

- enlarging, or ``antialias=False``: ``w`` is the interpolation kernel itself (triangle for 'bilinear', Keys'
  cubic a = -0.5 for 'bicubic', Lanczos-3), i.e. plain interpolation at ``x``;
- shrinking by ``s = m/n < 1`` with ``antialias=True``: the kernel is stretched by ``1/s``, ``w(d) = k(s·d)``
  (support ``R/s``), a low-pass matched to the new sampling rate — for 'bilinear' a triangle of half-width
  ``1/s``. This is Pillow's convolution resampling (``Image.resize``, ``ImagingResample``);
- 'area': ``w`` is the overlap of input pixel ``[t - 0.5, t + 0.5)`` with the output pixel's footprint
  ``[o·n/m, (o + 1)·n/m) - 0.5``, divided by ``n/m`` (OpenCV's INTER_AREA when shrinking; for an integer factor
  the exact block mean);
- 'nearest': the input pixel ``floor((o + 0.5) · n/m)``, dtype kept.

Taps beyond the border read the image extended by ``mode`` (Pillow instead drops them and renormalises: the
two differ only within the kernel's support of the border).
"""

from __future__ import annotations

import functools
import math
import numbers
import sys

import numpy as np

from .. import _modes, _validate, parallel
from .._docs import fill
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS

__all__ = ["resize", "rescale"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos", "area")
_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
#: kernel half-widths (support radius) of the interpolating kernels
_RADIUS = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}


def _kernel(name: str, d: np.ndarray) -> np.ndarray:
    a = np.abs(d)
    if name == "bilinear":
        return np.maximum(0.0, 1.0 - a)
    if name == "bicubic":
        k = -0.5
        near = ((k + 2.0) * a - (k + 3.0)) * a * a + 1.0
        far = ((k * a - 5.0 * k) * a + 8.0 * k) * a - 4.0 * k
        return np.where(a <= 1.0, near, np.where(a < 2.0, far, 0.0))
    # Lanczos-3
    out = np.sinc(d) * np.sinc(d / 3.0)
    return np.where((a < 3.0) & ((d != np.round(d)) | (d == 0)), out, 0.0)


def _source_index(t: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Index in [0, n) that integer positions ``t`` read under ``mode``; -1 outside for 'constant'."""
    if mode == "constant":
        return np.where((t >= 0) & (t < n), t, -1)
    if mode == "nearest":
        return np.clip(t, 0, n - 1)
    if mode == "wrap":
        return np.mod(t, n)
    if mode == "reflect":
        r = np.mod(t, 2 * n)
        return np.where(r < n, r, 2 * n - 1 - r)
    if n == 1:
        return np.zeros_like(t)
    period = 2 * n - 2
    r = np.mod(t, period)
    return np.where(r < n, r, period - r)


@functools.lru_cache(maxsize=64)
def _table(n: int, m: int, interpolation: str, antialias: bool, mode: str):
    """(idx, w): int64 and float64 tables of shape (m, k) for one axis resized from n to m samples (cached,
    read-only: building them cost ~100 µs a call at 512^2)."""
    idx, w = _build_table(n, m, interpolation, antialias, mode)
    idx.setflags(write=False)
    w.setflags(write=False)
    return idx, w


#: the intermediate (bytes) from which a grey 2-D resize with its column pass first runs the two passes fused
#: by blocks of rows (``columns_first_fused``) instead of through the whole intermediate (module attribute:
#: tests and measurements change it). Serial, 1.37x (columns 0.93 of that), float32 / uint8: 768² (3 MB of
#: intermediate) fused 844 / 548 us against 694 / 510 for the two passes, 1024² (5 MB) 1277 / 936 against
#: 1387 / 908, 2048² (21 MB) 6.7 / 4.3 ms against 7.6 / 6.0
FUSED_MIN_INTERMEDIATE = 1 << 22

#: rows of the vertical pass that ``resample2_fused`` makes before one horizontal pass over them (a 16 x 4096
#: float32 block is 256 KB: in L2)
_FUSED_BLOCK = 16

#: the shortest run of outputs with regular (strided) taps that ``_plan`` takes over contiguous gathered ones
_REGULAR_MIN_RUN = 8


@functools.lru_cache(maxsize=64)
def _plan(n: int, m: int, interpolation: str, antialias: bool, mode: str, acc: str):
    """(idx, w, regular, wreg) for one axis, the weights in the accumulator dtype ``acc`` (cached, read-only)."""
    return _table_plan(*_table(n, m, interpolation, antialias, mode), n, acc)


def _table_plan(idx: np.ndarray, w: np.ndarray, n: int, acc: str):
    """(idx, w, regular, wreg, first, wt) of ``resample_axis`` for the table ``idx``/``w`` (m, k) of an axis of n
    samples: its regular (strided) run or its longest run of contiguous taps, the weights in ``acc`` (read-only)."""
    regular, wreg = _regular(idx, w, n)
    first, wt = np.zeros(1, np.int64), np.zeros((2, 1))
    if regular[3] - regular[2] < _REGULAR_MIN_RUN:
        # (no integer factor: the middle row's pattern may still repeat over a few outputs by chance, and
        # those few then left every other output to the per-point loop: 512 -> 300 columns 3 ns an output)
        regular, first, wt = _contiguous(idx, w, n)
    arrays = [np.ascontiguousarray(a, dtype=acc) for a in (w, wreg, wt)] + [first]
    for a in arrays:
        a.setflags(write=False)
    w, wreg, wt, first = arrays
    return idx, w, regular, wreg, first, wt


def _contiguous(idx: np.ndarray, w: np.ndarray, n: int):
    """((0, 0, o0, o1), first, wt): the longest run of outputs whose taps are ``first[o] + t``, all inside the
    image (also the zero-padded ones, to 2, 4 or 8 taps); weights transposed to (taps, m)."""
    m, k = idx.shape
    size = 2 if k <= 2 else 4 if k <= 4 else 8
    if k > 8 or m < 2:
        return (0, 0, 0, 0), np.zeros(1, np.int64), np.zeros((2, 1))
    first = np.ascontiguousarray(idx[:, 0])
    ok = (idx == first[:, None] + np.arange(k)[None, :]).all(axis=1) & (first >= 0) & (first + size - 1 < n)
    if not ok.any():
        return (0, 0, 0, 0), np.zeros(1, np.int64), np.zeros((2, 1))
    # longest run of True
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    best = int(np.argmax(ends - starts))
    wt = np.zeros((size, m))
    wt[:k] = w.T
    return (0, 0, int(starts[best]), int(ends[best])), first, wt


def _build_table(n: int, m: int, interpolation: str, antialias: bool, mode: str):
    ratio = n / m
    o = np.arange(m, dtype=np.float64)
    if interpolation == "area":
        lo = o * ratio
        first = np.floor(lo).astype(np.int64)
        k = int(math.ceil(ratio)) + 1
        t = first[:, None] + np.arange(k)[None, :]
        left = np.maximum(t, lo[:, None])
        right = np.minimum(t + 1, (o + 1)[:, None] * ratio)
        w = np.clip(right - left, 0.0, None) / ratio
        t = np.clip(t, 0, n - 1)  # zero-weight taps beyond the last pixel
        return np.ascontiguousarray(t), np.ascontiguousarray(w)
    x = (o + 0.5) * ratio - 0.5
    scale = 1.0 / ratio if (antialias and ratio > 1.0) else 1.0
    support = _RADIUS[interpolation] / scale
    first = np.floor(x - support).astype(np.int64) + 1
    k = int(math.ceil(2 * support)) + 1
    t = first[:, None] + np.arange(k)[None, :]
    w = _kernel(interpolation, (t - x[:, None]) * scale)
    w /= w.sum(axis=1, keepdims=True)
    live = np.flatnonzero((w != 0).any(axis=0))  # drop tap columns that are zero for every output
    t, w = t[:, live[0]:live[-1] + 1], w[:, live[0]:live[-1] + 1]
    return np.ascontiguousarray(_source_index(t, n, mode)), np.ascontiguousarray(w)


def _regular(idx: np.ndarray, w: np.ndarray, n: int):
    """((start, stride, o0, o1), weights): the longest run of outputs o0..o1 whose taps are
    ``start + stride*o + t`` (inside the image) with the weights of the middle row, zero-padded to 4 or 8
    (integer shrink factors away from the border); o1 = o0 when there is none."""
    m, k = idx.shape
    none = ((0, 0, 0, 0), w[0, :4])
    size = 4 if k <= 4 else 8
    if m < 8 or k > 8:
        return none
    mid = m // 2
    stride = int(idx[mid, 0] - idx[mid - 1, 0])
    if stride <= 0:
        return none
    start = int(idx[mid, 0]) - stride * mid
    o = np.arange(m)
    expect = start + stride * o[:, None] + np.arange(k)[None, :]
    ok = (idx == expect).all(axis=1) & (w == w[mid]).all(axis=1) & (idx >= 0).all(axis=1)
    ok &= start + stride * o + size - 1 < n  # the zero-padded taps are read too
    if not ok[mid]:
        return none
    bad = np.flatnonzero(~ok)
    o0 = int(bad[bad < mid].max()) + 1 if (bad < mid).any() else 0
    o1 = int(bad[bad > mid].min()) if (bad > mid).any() else m
    weights = np.zeros(size)
    weights[:k] = w[mid]
    return (start, stride, o0, o1), weights


@functools.lru_cache(maxsize=64)
def _paired(n: int, m: int, interpolation: str, antialias: bool, mode: str, acc: str) -> bool:
    """Whether the last-axis plan doubles the width with 2 contiguous taps ``(o - 1) // 2`` whose weights repeat
    with period 2 on its interior run (``columns_first_fused``'s paired column pass; cached)."""
    if m != 2 * n:
        return False
    _, _, (_, stride, o0, o1), _, first, wt = _plan(n, m, interpolation, antialias, mode, acc)
    if stride != 0 or o1 - o0 < 4 or wt.shape[0] != 2:
        return False
    return (np.array_equal(first[o0:o1], (np.arange(o0, o1) - 1) // 2)
            and np.array_equal(wt[:, o0 + 2:o1], wt[:, o0:o1 - 2]))


#: the cost of a gathered output of the last axis against a row-pass output, per tap (serial, this machine:
#: 512² float32, 2 taps, gathers ~0.28 ns a tap with ``_copy2``, the vectorised row pass ~0.06)
_GATHER_COST = 4.5


@functools.lru_cache(maxsize=256)
def _pass_order(spatial: tuple, out_shape: tuple, interpolation: str, antialias: bool, mode: str) -> tuple:
    """The axes to resample, in order (cached). 3-D: shrinking axes first (fewer samples for the later
    passes), except that a growing last axis goes first when another axis grows too (its scalar gathers,
    the costly pass, while the other axes are still small). 2-D: the order of the lower estimated cost,
    outputs times taps, the last axis's (gathered) ones weighted by ``_GATHER_COST``: 512² -> 358 x 333
    bilinear makes 183 K row-pass and 119 K gathered outputs rows first, 119 K and 170 K columns first.
    Colour images take their grey order (each channel then gets its grey resize's values)."""
    todo = [a for a in range(len(spatial)) if spatial[a] != out_shape[a]]
    if len(spatial) == 2 and len(todo) == 2:
        (n0, n1), (m0, m1) = spatial, out_shape
        k0 = _table(n0, m0, interpolation, antialias, mode)[0].shape[1]
        k1 = _table(n1, m1, interpolation, antialias, mode)[0].shape[1]
        rows_first = m0 * n1 * k0 + m0 * m1 * k1 * _GATHER_COST
        columns_first = n0 * m1 * k1 * _GATHER_COST + m0 * m1 * k0
        return (0, 1) if rows_first <= columns_first else (1, 0)
    ratios = [m / n for n, m in zip(spatial, out_shape)]
    order = sorted(range(len(spatial)), key=ratios.__getitem__)
    last = len(spatial) - 1
    if ratios[last] > 1.0 and any(r > 1.0 for r in ratios[:last]):
        order = [last] + [a for a in order if a != last]
    return tuple(a for a in order if a in todo)


def _output_shape(output_shape, spatial, func):
    n = len(spatial)
    if type(output_shape) is tuple and len(output_shape) == n:  # the common call, checked in ~0.3 us
        for v in output_shape:
            if type(v) is not int or v < 1:
                break
        else:
            return output_shape
    allowed = f"a tuple of {n} positive ints (the spatial shape of the output)"
    try:
        values = tuple(output_shape)
    except TypeError:
        _validate.fail(func, "output_shape", output_shape, allowed, TypeError)
    if len(values) != n or not all(
        (type(v) is int or (isinstance(v, numbers.Integral) and not isinstance(v, bool))) and v >= 1 for v in values
    ):
        _validate.fail(func, "output_shape", output_shape, allowed)
    return tuple(int(v) for v in values)


def _resize(image, output_shape, interpolation, antialias, mode, cval, channel_axis, dtype, func):
    try:
        return _resize_checked(image, output_shape, interpolation, antialias, mode, cval, channel_axis, dtype, func)
    except MemoryError as exc:  # an output (or intermediate) too large for this machine: say which call asked
        param = "scale" if callable(output_shape) else "output_shape"
        raise MemoryError(f"{func}: the result does not fit in memory ({exc}); ask for a smaller {param}") from exc


def _resize_checked(image, output_shape, interpolation, antialias, mode, cval, channel_axis, dtype, func):
    arr = _validate.image(image, func)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial_nd = arr.ndim - (axis is not None)
    if spatial_nd not in (2, 3):
        _validate.fail(func, "image", arr, "a 2-D or 3-D image (plus a channel axis when channel_axis is given)")
    interpolation = _validate.choice(interpolation, func, "interpolation", INTERPOLATIONS)
    if not isinstance(antialias, (bool, np.bool_)):
        _validate.fail(func, "antialias", antialias, "True or False", TypeError)
    mode = _modes.check(mode, func)
    # (a finite Python float, the default, as _validate.number returns it: ~7 us saved a call)
    cval = cval if type(cval) is float and math.isfinite(cval) else _validate.number(cval, func, "cval")
    want = _validate.output_dtype(dtype, func)
    # (np.moveaxis costs ~4 us a call: not for the channel-last layout it would return unchanged)
    x = arr[..., None] if axis is None else arr if axis == arr.ndim - 1 else np.moveaxis(arr, axis, -1)
    spatial = x.shape[:-1]
    out_shape = output_shape(spatial) if callable(output_shape) else _output_shape(output_shape, spatial, func)
    if want is None:
        want = arr.dtype if interpolation == "nearest" else _validate.float_dtype_for(arr.dtype)
    want = np.dtype(want)

    if interpolation == "nearest":
        y = x
        for a, (n, m) in enumerate(zip(spatial, out_shape)):
            if n != m:
                src = np.minimum(np.floor((np.arange(m) + 0.5) * (n / m)).astype(np.int64), n - 1)
                y = np.take(y, src, axis=a)
        return _finish(np.ascontiguousarray(y), axis, want)

    k = _kernels_module or _kernels()
    acc_dtype = np.float64 if arr.dtype == np.float64 or want == np.float64 else np.float32
    kd = arr.dtype if arr.dtype.type in _KERNEL_DTYPES else np.dtype(np.float64)
    y = np.ascontiguousarray(x, dtype=kd)
    if not y.flags.writeable:
        y = y.copy()
    # an axis of the same size is the identity (for 'area' too)
    todo = list(_pass_order(tuple(spatial), tuple(out_shape), interpolation, bool(antialias), mode))
    final_kd = want if want.type in _KERNEL_DTYPES else np.dtype(np.float64)
    if not todo:
        return _finish(y.astype(acc_dtype, copy=False), axis, want)
    halving = spatial_nd == 2 and kd == arr.dtype and all(n == 2 * m for n, m in zip(spatial, out_shape))
    if interpolation == "area" and halving:
        with _nblk(y.size) as threads:
            # shrinking by exactly 2: the 2x2 block mean in one pass (the values of the table passes)
            out = np.empty(tuple(out_shape) + (y.shape[-1],), dtype=final_kd)
            pairs = None
            if kd == final_kd and kd.kind == "u" and y.shape[-1] == 1:
                # (the view's aligned flag tells an odd address in ~0.4 us, y.ctypes.data in ~1)
                pairs = y.reshape(spatial).view(np.uint16 if kd == np.uint8 else np.uint32)
            if pairs is not None and pairs.flags.aligned:
                _bands(k.half_area_pairs, (pairs, out.reshape(out_shape)), out_shape[0], threads)
            elif kd == final_kd and kd.kind == "u":
                k.half_area_int(y, out)
            else:
                is_int, lo, hi = _int_range(final_kd)
                half = np.dtype(acc_dtype).type(0.5)
                _bands(k.half_area, (y, half, is_int, lo, hi, out), out_shape[0], threads)
            return _finish(out, axis, want)
    if spatial_nd == 2 and y.shape[-1] == 1 and todo == [0, 1]:
        with _nblk(y.size) as threads:
            # grey 2-D, rows first (_pass_order): both passes fused, a block of rows at a time
            acc_name = "float64" if acc_dtype is np.float64 else "float32"
            idx0, w0 = _plan(spatial[0], out_shape[0], interpolation, bool(antialias), mode, acc_name)[:2]
            idx1, w1, regular, wreg, first, wt = _plan(spatial[1], out_shape[1], interpolation, bool(antialias), mode,
                                                       acc_name)
            out = np.empty(out_shape, dtype=final_kd)
            is_int, lo, hi = _int_range(final_kd)
            args = (y.reshape(spatial), idx0, w0, idx1, w1, regular, wreg, first, wt, cval, is_int, lo, hi, out)
            if (halving and interpolation == "bilinear" and antialias and kd == np.uint8 and min(out_shape) >= 3
                    and sys.byteorder == "little" and idx0.shape[1] == 4 and idx1.shape[1] == 4):
                # [1, 3, 3, 1] / 8 in integers, the same values (uint8 makes the float passes exact); the
                # image read as uint16 pairs of columns (an odd address: one aligned copy; the view's flag
                # tells it in ~1 us, y.ctypes.data in ~5)
                image2 = y.reshape(spatial)
                pairs = image2.view(np.uint16)
                if not pairs.flags.aligned:
                    image2 = image2.copy()
                    pairs = image2.view(np.uint16)
                args = (image2, pairs) + args[1:]
                _bands(k.half_triangle_u8, args, out_shape[0], threads,  # scratch: acc, even, odd
                       ((spatial[1], acc_dtype), (out_shape[1], np.uint16), (out_shape[1], np.uint16)))
                return _finish(out[..., None], axis, want)
            _bands(k.resample2_fused, args, out_shape[0], threads, (((_FUSED_BLOCK, spatial[1]), acc_dtype),))
            return _finish(out[..., None], axis, want)
    if (spatial_nd == 2 and y.shape[-1] == 1 and interpolation == "bilinear" and kd == np.uint8
            and final_kd == np.uint8 and mode in ("reflect", "nearest")
            and out_shape[0] == 2 * spatial[0] and out_shape[1] == 2 * spatial[1]):
        # grey uint8 enlarged by exactly 2: weights 1/4 and 3/4, the sums in integers (the values of the two
        # float32 table passes below, which are exact here); 'reflect' and 'nearest' both clamp the taps
        out = np.empty(out_shape, dtype=np.uint8)
        image2 = y.reshape(spatial)
        with _nblk(out.size) as threads:  # (output pixels: 512^2 -> 1024^2 runs on threads, 0.85 of one)
            # bands of input rows, scratch ve, vo
            _bands(k.double_u8, (image2, out), spatial[0], threads, ((spatial[1], np.uint16),) * 2)
        return _finish(out[..., None], axis, want)
    acc_name = "float64" if acc_dtype is np.float64 else "float32"
    paired = (spatial_nd == 2 and y.shape[-1] == 1 and todo == [1, 0] and out_shape[0] > spatial[0]
              and out_shape[1] >= 16 and _paired(spatial[1], out_shape[1], interpolation, bool(antialias), mode,
                                                 acc_name))
    if paired or (spatial_nd == 2 and y.shape[-1] == 1 and todo == [1, 0] and out_shape[1] >= 16
                  and spatial[0] * out_shape[1] * np.dtype(acc_dtype).itemsize >= FUSED_MIN_INTERMEDIATE):
        # grey 2-D, columns first (growing, or shrinking more than the rows): the column pass of a block's input
        # rows into a buffer, the row pass of the block from it (the values of the table passes below, without
        # their full-size intermediate; a row pass of >= 16 columns is theirs by _resample_rows); below
        # FUSED_MIN_INTERMEDIATE bytes of intermediate the two passes win, except for the paired doubling
        idx0, w0 = _plan(spatial[0], out_shape[0], interpolation, bool(antialias), mode, acc_name)[:2]
        idx1, w1, regular, wreg, first, wt = _plan(spatial[1], out_shape[1], interpolation, bool(antialias), mode,
                                                   acc_name)
        out = np.empty(out_shape, dtype=final_kd)
        is_int, lo, hi = _int_range(final_kd)
        with _nblk(out.size) as threads:  # (output pixels, as double_u8's)
            args = (y.reshape(spatial), idx0, w0, idx1, w1, regular, wreg, first, wt, paired, cval, is_int, lo, hi,
                    out)
            _bands(k.columns_first_fused, args, out_shape[0], threads, ((out_shape[1], acc_dtype),))  # scratch: acc
        return _finish(out[..., None], axis, want)
    channels = y.shape[-1]
    if (spatial_nd == 2 and channels > 1 and halving and interpolation == "bilinear" and antialias and kd == np.uint8
            and min(out_shape) >= 3 and spatial[1] * channels >= 16):
        acc_name = "float64" if acc_dtype is np.float64 else "float32"
        idx0, w0 = _plan(spatial[0], out_shape[0], interpolation, bool(antialias), mode, acc_name)[:2]
        idx1, w1 = _plan(spatial[1], out_shape[1], interpolation, bool(antialias), mode, acc_name)[:2]
        if idx0.shape[1] == 4 and idx1.shape[1] == 4:
            # interleaved colour: [1, 3, 3, 1] / 8 in integers on all channels at once (the values of the
            # table passes below)
            width = spatial[1] * channels
            out = np.empty(tuple(out_shape) + (channels,), dtype=final_kd)
            is_int, lo, hi = _int_range(final_kd)
            with _nblk(y.size) as threads:
                args = (y.reshape(spatial[0], width), channels, idx0, w0, idx1, w1, cval, is_int, lo, hi,
                        out.reshape(out_shape[0], out_shape[1] * channels), np.empty(width, dtype=acc_dtype),
                        np.empty(width, dtype=acc_dtype))
                _bands(k.half_triangle_u8_colour, args, out_shape[0], threads, ((width, np.uint16),) * 2)
            return _finish(out, axis, want)
    for step, a in enumerate(todo):
        idx, w, regular, wreg, first, wt = _plan(spatial[a], out_shape[a], interpolation, bool(antialias), mode,
                                                 np.dtype(acc_dtype).name)
        shape = list(y.shape)
        pre = math.prod(shape[:a])
        post = math.prod(shape[a + 1:])
        last = step == len(todo) - 1
        od = final_kd if last else np.dtype(acc_dtype)
        out = np.empty((pre, out_shape[a], post), dtype=od)
        if od.kind in "ui":
            info = np.iinfo(od)
            is_int, lo, hi = True, float(info.min), float(info.max)
        else:
            is_int, lo, hi = False, 0.0, 0.0
        if post != 1 and regular[1] != 0:  # (interleaved channels: gathered runs only, see resample_axis)
            regular = (0, 0, 0, 0)
        _axis_pass(k, y.reshape(pre, shape[a], post), idx, w, cval, is_int, lo, hi, out, regular, wreg, first, wt,
                   acc_dtype)
        shape[a] = out_shape[a]
        y = out.reshape(shape)
    return _finish(y, axis, want)


def _axis_pass(k, src, idx, w, cval, is_int, lo, hi, out, regular, wreg, first, wt, acc_dtype) -> None:
    """``resample_axis`` of (pre, n, post) ``src`` into (pre, m, post) ``out``, on fastdip's threads above the
    threshold (output values): bands of output lines o (``idx``/``w`` rows, ``out[:, o]``) for a pass of long
    lines over a single ``pre`` (post >= 16, whole rows a tap: the row pass of a 2-D image), else bands of
    ``pre`` (column passes, whose ``regular`` run counts in absolute outputs, and passes over several planes).
    Every output is computed as in one call: the same values."""
    m = out.shape[1]
    with _nblk(out.size) as threads:
        if threads <= 1:
            k.resample_axis(src, idx, w, cval, is_int, lo, hi, out, np.empty(max(src.shape[2], m), acc_dtype),
                            regular, wreg, first, wt)
            return
        lines = src.shape[2] >= 16 and src.shape[0] == 1  # (out[:, r0:r1] stays C-contiguous: one signature)

        def band(r0, r1):
            acc = np.empty(max(src.shape[2], m), acc_dtype)
            if lines:
                k.resample_axis(src, idx[r0:r1], w[r0:r1], cval, is_int, lo, hi, out[:, r0:r1], acc, regular, wreg,
                                first, wt)
            else:
                k.resample_axis(src[r0:r1], idx, w, cval, is_int, lo, hi, out[r0:r1], acc, regular, wreg, first,
                                wt)

        parallel._run_bands(band, (), m if lines else src.shape[0], 4 * threads, threads)


def _table_passes(x: np.ndarray, rows: tuple, cols: tuple) -> np.ndarray:
    """``x`` (H, W, C), float32 or float64 and C-contiguous, resampled along its rows then its columns by the
    plans ``rows`` and ``cols`` (``_table_plan``'s, weights in x's dtype): out[i, j] = sum_s sum_t
    rows.w[i, s] cols.w[j, t] x[rows.idx[i, s], cols.idx[j, t]], summed in x's dtype, (m0, m1, C)."""
    k = _kernels_module or _kernels()
    h, w, c = x.shape
    m0 = rows[0].shape[0]
    m1 = cols[0].shape[0]
    mid = np.empty((1, m0, w * c), x.dtype)
    # (channels interleaved in the column pass: gathered runs only, as resize's passes)
    for src, plan, out in ((x.reshape(1, h, w * c), rows, mid), (mid.reshape(m0, w, c), cols, None)):
        idx, wt, regular, wreg, first, wtt = plan
        if out is None:
            out = np.empty((m0, m1, c), x.dtype)
        if src.shape[2] != 1 and regular[1] != 0:
            regular = (0, 0, 0, 0)
        _axis_pass(k, src, idx, wt, 0.0, False, 0.0, 0.0, out, regular, wreg, first, wtt, x.dtype)
    return out


def _nblk(pixels: int):
    """Threads for bands of rows (1: one call below PARALLEL_MIN_PIXELS input pixels; fastdip.parallel decides)."""
    return parallel._band_threads(pixels, PARALLEL_MIN_PIXELS)


def _bands(kernel, args: tuple, n: int, threads: int, scratch: tuple = (), tail: tuple = ()) -> None:
    """``kernel(*args, *scratch arrays, *tail, r0, r1)`` over the rows [0, n): one call, or 4 bands per
    thread on fastdip's worker threads (``parallel._run_bands``: the serial kernel, nothing more to compile);
    every call gets its own scratch arrays, made from ``scratch``'s (shape, dtype) pairs."""
    if threads <= 1 and not scratch:  # one call, without the closure and the band machinery (~1 us)
        kernel(*args, *tail, 0, n)
        return

    def band(r0, r1):
        kernel(*args, *(np.empty(shape, dtype) for shape, dtype in scratch), *tail, r0, r1)

    parallel._run_bands(band, (), n, 4 * threads, threads)


def _kernels():
    resample = _kload("resample")

    global _kernels_module
    _kernels_module = resample
    return resample


_kernels_module = None


_INT_RANGES = {np.dtype(np.uint8): (True, 0.0, 255.0), np.dtype(np.uint16): (True, 0.0, 65535.0)}


def _int_range(dt):
    """(is_int, lo, hi) of a kernel output dtype: its range as floats for integers."""
    if dt in _INT_RANGES:  # (np.iinfo costs ~3 us a call)
        return _INT_RANGES[dt]
    if dt.kind in "ui":
        info = np.iinfo(dt)
        return True, float(info.min), float(info.max)
    return False, 0.0, 0.0


def _finish(y, axis, dtype):
    result = y[..., 0] if axis is None else y if axis == y.ndim - 1 else np.moveaxis(y, -1, axis)
    if axis is not None and axis != result.ndim - 1:
        result = np.ascontiguousarray(result)
    return _validate.cast_result(result, dtype)


@fill
def resize(image, output_shape, *, interpolation: str = "bilinear", antialias: bool = True,
           mode: str = "reflect", cval: float = 0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Resize an image to ``output_shape`` by separable resampling, with a low-pass when shrinking.

    Parameters
    ----------
    {image}
        2-D or 3-D, plus a channel axis when ``channel_axis`` is given.
    output_shape : tuple of int
        The spatial shape of the result.
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos', 'area'}, optional
        The resampling kernel (see Notes). 'nearest' keeps the dtype.
    antialias : bool, optional
        When shrinking an axis by ``s < 1``, stretch the kernel by ``1/s`` so that it averages over the input
        pixels that fall into an output pixel (no aliasing, e.g. no moiré when shrinking to half). No effect
        when enlarging, nor for 'area' (antialiased by construction) and 'nearest'.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped as the last pass writes them.

    Returns
    -------
    ndarray
        Shape ``output_shape`` (plus channels). dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        For an ``output_shape`` that is not positive ints of the image's spatial rank, or a bad
        ``interpolation``, ``mode``, ``cval``, ``channel_axis`` or image.
    TypeError
        For a non-boolean ``antialias`` or a non-numeric image or ``dtype``.
    MemoryError
        When the result does not fit in memory (named for the call and ``output_shape``).

    Notes
    -----
    Output pixel ``o`` is centred at input coordinate ``x = (o + 0.5)·n/m - 0.5``; each axis in turn gives
    ``g[o] = sum_t w(t - x) f[t] / sum_t w(t - x)`` with ``w`` the kernel, stretched by ``n/m`` when shrinking
    with antialias (Pillow's method: for 'bilinear' a triangle of half-width ``n/m``). 'area' weights are the
    overlaps of the input pixels with the output pixel (OpenCV's INTER_AREA when shrinking; the block mean for
    integer factors).

    References
    ----------
    Pillow, ``libImaging/Resample.c`` (convolution-based resampling with a kernel stretched by the scale
    factor). D. P. Mitchell, A. N. Netravali, "Reconstruction filters in computer graphics", SIGGRAPH 1988,
    doi:10.1145/54852.378514. R. Keys, "Cubic convolution interpolation for digital image processing",
    IEEE Trans. ASSP 29(6), 1981, doi:10.1109/TASSP.1981.1163711.

    Examples
    --------
    >>> f = np.array([[0, 2, 4, 6], [2, 4, 6, 8]], dtype=np.uint8)
    >>> print(resize(f, (1, 2), interpolation='area'))
    [[2. 6.]]
    """
    return _resize(image, output_shape, interpolation, antialias, mode, cval, channel_axis, dtype, "resize")


@fill
def rescale(image, scale, *, interpolation: str = "bilinear", antialias: bool = True, mode: str = "reflect",
            cval: float = 0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Resize an image by a factor: the output side is ``round(side · scale)`` (at least 1).

    Parameters
    ----------
    {image}
        2-D or 3-D, plus a channel axis when ``channel_axis`` is given.
    scale : float or sequence of float
        One factor for every spatial axis, or one per axis (> 0).
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos', 'area'}, optional
        As in :func:`resize`.
    antialias : bool, optional
        As in :func:`resize`.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped.

    Returns
    -------
    ndarray
        dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError, TypeError
        As :func:`resize`, and for a ``scale`` that is not one positive number or one per spatial axis.
    MemoryError
        When the result does not fit in memory (named for the call and ``scale``).

    Notes
    -----
    :func:`resize` to the rounded shape; the pixel alignment uses the actual ratio of the sides.

    References
    ----------
    Pillow, ``libImaging/Resample.c``; D. P. Mitchell, A. N. Netravali, SIGGRAPH 1988,
    doi:10.1145/54852.378514.

    Examples
    --------
    >>> f = np.arange(16, dtype=np.uint8).reshape(4, 4)
    >>> print(rescale(f, 0.5, interpolation='area'))
    [[ 2.5  4.5]
     [10.5 12.5]]
    """
    func = "rescale"

    def shape_for(spatial):
        n = len(spatial)
        if isinstance(scale, numbers.Real) and not isinstance(scale, bool):
            factors = (_validate.number(scale, func, "scale", low=0, low_open=True),) * n
        else:
            try:
                factors = tuple(scale)
            except TypeError:
                _validate.fail(func, "scale", scale, f"a positive number or a sequence of {n} of them", TypeError)
            if len(factors) != n:
                _validate.fail(func, "scale", scale, f"a positive number or a sequence of {n} of them")
            factors = tuple(_validate.number(f, func, "scale", low=0, low_open=True) for f in factors)
        return tuple(max(1, int(round(s * f))) for s, f in zip(spatial, factors))

    return _resize(image, shape_for, interpolation, antialias, mode, cval, channel_axis, dtype, func)
