"""Geometric steps on chunked arrays: each output chunk reads only the input region it maps from.

Warps (``warp_affine``, ``rotate``, ``warp_perspective``): the output chunk's corners are mapped back through
the inverse transform; their bounding box, widened by the interpolation's tap reach (1 pixel for nearest and
bilinear, 2 for bicubic, 3 for Lanczos-3) plus one, is the input region. Where it leaves the image, the
region is completed by the step's border ``mode`` from the whole image's indices (so 'wrap' reads the far
side, 'reflect' the mirrored pixels, 'constant' is ``cval``), then the public warp runs on that region with
the matrix conjugated by the two offsets, ``M' = T(-o) M T(lo)``. Every tap of every output pixel then reads
the value it reads in memory; the sample points differ only by the rounding of the shifted matrix (about
1e-13 pixel): float outputs agree to ~1e-6 relative (the kernel's float32 arithmetic), nearest-neighbour
outputs exactly except at exact half-way ties that the rounding may move.

Resize/rescale: each axis's weight table is built for the whole image exactly as ``geometry.resize`` builds
it (the same centres ``x = (o + 0.5) n/m - 0.5``, kernels, antialiasing stretch, normalisation and border
indices); an output chunk gathers the input rows/columns its table rows name and applies the weights, axis
by axis, in float64 ('nearest' copies the pixel ``floor((o + 0.5) n/m)``: exact).

Interpolating warps or resizes into an integer ``dtype`` are not chunked (NotImplementedError: the in-memory
kernels round in fixed point from row-anchored coordinates, which a chunk cannot reproduce bit for bit); the
executor then runs them in memory.

References
----------
G. Wolberg, *Digital Image Warping*, IEEE Computer Society Press, 1990, ch. 3 (inverse mapping) and 5
(resampling). R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._global import filled, given, task

__all__ = ["HANDLERS"]

_REACH = {"nearest": 1, "bilinear": 1, "bicubic": 2, "lanczos": 3}


def _source_index(t: np.ndarray, n: int, mode: str) -> np.ndarray:
    """The index in [0, n) that integer position ``t`` reads under ``mode`` (scipy.ndimage's names; 'wrap' of
    period n); -1 outside for 'constant'."""
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


def _gather(data, index_lists):
    """Lazy ``data`` at the outer product of sorted unique per-axis indices (slices where contiguous)."""
    out = data
    for axis, idx in enumerate(index_lists):
        if idx is None:
            continue
        key = [slice(None)] * data.ndim
        if idx.size and idx[-1] - idx[0] + 1 == idx.size:
            key[axis] = slice(int(idx[0]), int(idx[-1]) + 1)
        else:
            key[axis] = idx
        out = out[tuple(key)]
    return out


def _extended(region, positions, cval, dtype):
    """The region's values at per-axis positions into it (-1: cval), as an array of ``dtype``."""
    arr = np.asarray(region)
    if arr.size == 0:  # the region lies wholly outside the image ('constant')
        shape = tuple(p.size if p is not None else arr.shape[a] for a, p in enumerate(positions))
        return np.full(shape + arr.shape[len(positions):], cval, dtype=dtype)
    out = arr
    for axis, pos in enumerate(positions):
        if pos is None:
            continue
        out = np.take(out, np.where(pos < 0, 0, pos), axis=axis)
    out = out.astype(dtype, copy=False)
    missing = [pos < 0 if pos is not None else None for pos in positions]
    if any(m is not None and m.any() for m in missing):
        out = out.copy()
        for axis, m in enumerate(missing):
            if m is not None and m.any():
                key = [slice(None)] * out.ndim
                key[axis] = m
                out[tuple(key)] = cval
    return out


def _out_chunks(data, out_spatial, n_spatial):
    """Output chunks: the input's chunk sizes on an output of ``out_spatial`` (+ the channel axis whole)."""
    from dask.array.core import normalize_chunks

    sizes = tuple(max(c) for c in data.chunks[:n_spatial])
    chunks = normalize_chunks(sizes, shape=tuple(out_spatial))
    return chunks + tuple((s,) for s in data.shape[n_spatial:])


def _channels_last(data, full):
    """(data with the channel axis last, the original axis or None)."""
    import dask.array as da

    axis = full.get("channel_axis")
    if axis is None:
        return data, None
    axis = int(axis) % data.ndim
    moved = da.moveaxis(data, axis, -1)
    return moved.rechunk({moved.ndim - 1: -1}), axis


def _restore(result, axis):
    import dask.array as da

    return result if axis is None else da.moveaxis(result, -1, axis)


def _translation(offsets):
    n = len(offsets)
    t = np.eye(n + 1)
    t[:n, n] = offsets
    return t


def _warp_chunks(data, forward, out_spatial, full, func, perspective=False):
    """The chunked warp (see the module docstring): ``forward`` maps input (row, col[, plane]) to output."""
    import dask.array as da
    from .. import geometry

    n = len(out_spatial)
    interpolation = full.get("interpolation", "bilinear")
    mode = full.get("mode", "constant")
    cval = float(full.get("cval", 0.0))
    reach = _REACH[interpolation] + 1
    inverse = np.linalg.inv(forward)
    in_spatial = data.shape[:n]
    want = np.dtype(full["_dtype"])
    # a cval the input dtype cannot hold exactly: the region goes to the kernel as float64
    region_dtype = data.dtype
    if data.dtype.kind in "ui" and (cval != round(cval) or not np.iinfo(data.dtype).min <= cval
                                    <= np.iinfo(data.dtype).max):
        region_dtype = np.dtype(np.float64)
    warp = geometry.warp_perspective if perspective else geometry.warp_affine
    chunks = _out_chunks(data, out_spatial, n)
    starts = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in chunks[:n]]
    blocks = np.empty(tuple(len(c) for c in chunks[:n]), dtype=object)
    extra = data.shape[n:]
    warp_block = task(_warp_block)
    for index in np.ndindex(blocks.shape):
        o = [int(starts[a][i]) for a, i in enumerate(index)]
        size = [int(chunks[a][i]) for a, i in enumerate(index)]
        corners = np.array([[o[a] + (size[a] - 1) * c[a] for a in range(n)] + [1.0]
                            for c in itertools.product((0, 1), repeat=n)], dtype=np.float64)
        mapped = corners @ inverse.T
        if perspective:
            mapped = mapped[:, :n] / mapped[:, n:n + 1]
        else:
            mapped = mapped[:, :n]
        lo = [int(math.floor(v)) - reach for v in mapped.min(axis=0)]
        hi = [int(math.floor(v)) + reach + 2 for v in mapped.max(axis=0)]
        lo = [max(l_, -(1 << 40)) for l_ in lo]
        index_lists, positions = [], []
        for a in range(n):
            src = _source_index(np.arange(lo[a], hi[a]), in_spatial[a], mode)
            valid = np.unique(src[src >= 0])
            index_lists.append(valid)
            positions.append(np.where(src >= 0, np.searchsorted(valid, np.where(src >= 0, src, 0)), -1))
        if any(v.size == 0 for v in index_lists):
            region = np.zeros((0,) * n + extra, data.dtype)
        else:
            region = _gather(data, index_lists + [None] * len(extra))
        matrix = _translation([-v for v in o]) @ forward @ _translation(lo)
        value = warp_block(region, positions, cval, region_dtype, warp, matrix, tuple(size), full, want)
        blocks[index] = da.from_delayed(value, shape=tuple(size) + extra, dtype=want)
    return da.block(blocks.reshape(blocks.shape + (1,) * len(extra)).tolist())


def _warp_block(region, positions, cval, region_dtype, warp, matrix, size, full, want):
    ext = _extended(region, positions, cval, region_dtype)
    kwargs = {"interpolation": full.get("interpolation", "bilinear"), "mode": "nearest", "cval": cval,
              "channel_axis": -1 if full.get("channel_axis") is not None else None, "dtype": want}
    return warp(ext, matrix, output_shape=size, **kwargs)


def _check(op, data, kwargs):
    """The in-memory function's own errors for bad parameters, and its output dtype, on a small image."""
    shape = list(data.shape)
    spatial = [min(s, 4) for s in shape]
    axis = kwargs.get("channel_axis")
    if axis is not None:
        spatial[int(axis) % len(shape)] = shape[int(axis) % len(shape)]
    small = np.zeros(spatial, dtype=data.dtype)
    probe = dict(kwargs)
    if "output_shape" in probe and probe["output_shape"] is not None:
        probe["output_shape"] = tuple(min(int(v), 4) for v in probe["output_shape"])
    return op.func(small, **probe).dtype


def _refuse_integer(full, want, name):
    if full.get("interpolation", "bilinear") != "nearest" and np.dtype(want).kind in "ui":
        raise NotImplementedError(f"geometry.{name} interpolating into an integer dtype is not chunked (the "
                                  "kernel's fixed-point rounding): it runs in memory")


def warp_affine(data, params, op):
    """geometry.warp_affine per output chunk from the input region its corners map back to (inverse mapping,
    Wolberg 1990), plus the interpolation margin, completed by the border mode.

    References
    ----------
    G. Wolberg, *Digital Image Warping*, IEEE Computer Society Press, 1990, ch. 3.
    """
    kwargs = given(params)
    want = _check(op, data, kwargs)
    full = filled(params, op)
    _refuse_integer(full, want, "warp_affine")
    moved, axis = _channels_last(data, full)
    n = moved.ndim - (axis is not None)
    forward = np.asarray(full["matrix"], dtype=np.float64)
    out_spatial = tuple(full["output_shape"]) if full.get("output_shape") is not None else moved.shape[:n]
    full["_dtype"] = want
    return _restore(_warp_chunks(moved, forward, out_spatial, full, "warp_affine"), axis)


def warp_perspective(data, params, op):
    """geometry.warp_perspective per output chunk (inverse mapping of the chunk's corners). Only when the
    whole output lies in front of the projection (the homogeneous divisor positive at its four corners, so a
    chunk's region is bounded by its corners' images); otherwise NotImplementedError.

    References
    ----------
    R. Hartley and A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed., Cambridge University
    Press, 2004, sec. 2.3.
    """
    kwargs = given(params)
    want = _check(op, data, kwargs)
    full = filled(params, op)
    _refuse_integer(full, want, "warp_perspective")
    moved, axis = _channels_last(data, full)
    forward = np.asarray(full["H"], dtype=np.float64)
    out_spatial = tuple(full["output_shape"]) if full.get("output_shape") is not None else moved.shape[:2]
    g = np.linalg.inv(forward)
    corners = np.array([[r, c, 1.0] for r in (0, out_spatial[0] - 1) for c in (0, out_spatial[1] - 1)])
    w = corners @ g[2]
    if not ((w > 0).all() or (w < 0).all()):
        raise NotImplementedError("geometry.warp_perspective whose output crosses the horizon is not chunked: "
                                  "it runs in memory")
    full["_dtype"] = want
    return _restore(_warp_chunks(moved, forward, out_spatial, full, "warp_perspective", perspective=True), axis)


def rotate(data, params, op):
    """geometry.rotate as a chunked affine warp: the same matrix as the in-memory function (rotation about the
    centre or ``center``; with ``reshape`` the enlarged output centred), then :func:`warp_affine`'s scheme.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 2.6.
    """
    from .. import geometry

    kwargs = given(params)
    want = _check(op, data, kwargs)
    full = filled(params, op)
    _refuse_integer(full, want, "rotate")
    moved, axis = _channels_last(data, full)
    shape = moved.shape[:2]
    angle = float(full["angle"])
    center = full.get("center")
    reshape = bool(full.get("reshape", False))
    ctr = geometry.image_center(shape) if center is None or reshape else tuple(float(v) for v in center)
    m = geometry.rotation(angle, ctr)
    out_shape = tuple(shape)
    if reshape:
        rows, cols = shape
        corners = np.array([[0, 0], [0, cols], [rows, 0], [rows, cols]], dtype=np.float64) - 0.5
        moved_c = corners @ m[:2, :2].T
        extent = moved_c.max(axis=0) - moved_c.min(axis=0)
        out_shape = tuple(max(1, int(e + 0.5)) for e in extent)
        out_center = (np.array(out_shape) - 1) / 2.0
        m = m.copy()
        m[:2, 2] = out_center - m[:2, :2] @ np.array(ctr)
    full["_dtype"] = want
    return _restore(_warp_chunks(moved, m, out_shape, full, "rotate"), axis)


# -- resize ------------------------------------------------------------------------------------------------------


def _kernel(name: str, d: np.ndarray) -> np.ndarray:
    a = np.abs(d)
    if name == "bilinear":
        return np.maximum(0.0, 1.0 - a)
    if name == "bicubic":
        k = -0.5
        near = ((k + 2.0) * a - (k + 3.0)) * a * a + 1.0
        far = ((k * a - 5.0 * k) * a + 8.0 * k) * a - 4.0 * k
        return np.where(a <= 1.0, near, np.where(a < 2.0, far, 0.0))
    out = np.sinc(d) * np.sinc(d / 3.0)
    return np.where((a < 3.0) & ((d != np.round(d)) | (d == 0)), out, 0.0)


_RADIUS = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}


def _table(n: int, m: int, interpolation: str, antialias: bool, mode: str):
    """(idx, w) of one axis resized from n to m samples: geometry.resize's weight table (see the module
    docstring); idx -1 reads cval."""
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
        return np.clip(t, 0, n - 1), w
    x = (o + 0.5) * ratio - 0.5
    scale = 1.0 / ratio if (antialias and ratio > 1.0) else 1.0
    support = _RADIUS[interpolation] / scale
    first = np.floor(x - support).astype(np.int64) + 1
    k = int(math.ceil(2 * support)) + 1
    t = first[:, None] + np.arange(k)[None, :]
    w = _kernel(interpolation, (t - x[:, None]) * scale)
    w /= w.sum(axis=1, keepdims=True)
    return _source_index(t, n, mode), w


def _resample_block(region, tables, cval, want, interpolation):
    """Apply per-axis (positions into the region, weights) tables in float64, then cast like the in-memory
    function."""
    from .._validate import cast_result

    y = np.asarray(region)
    if interpolation == "nearest":
        for a, (pos, _) in enumerate(tables):
            if pos is not None:
                y = np.take(y, pos, axis=a)
        return cast_result(np.ascontiguousarray(y), want)
    y = y.astype(np.float64)
    for a, (pos, w) in enumerate(tables):
        if pos is None:
            continue
        shape = y.shape
        y3 = y.reshape(math.prod(shape[:a]), shape[a], math.prod(shape[a + 1:]))
        acc = np.zeros((y3.shape[0], pos.shape[0], y3.shape[2]))
        for j in range(pos.shape[1]):
            p = pos[:, j]
            vals = y3[:, np.where(p < 0, 0, p), :]
            if (p < 0).any():
                vals = vals.copy()
                vals[:, p < 0, :] = cval
            acc += w[:, j][None, :, None] * vals
        y = acc.reshape(shape[:a] + (pos.shape[0],) + shape[a + 1:])
    return cast_result(y, want)


def _resize_chunks(data, out_spatial, full, want):
    import dask.array as da
    n = len(out_spatial)
    interpolation = full.get("interpolation", "bilinear")
    mode = full.get("mode", "reflect")
    cval = float(full.get("cval", 0.0))
    antialias = bool(full.get("antialias", True))
    in_spatial = data.shape[:n]
    tables = []
    for a in range(n):
        nn, m = in_spatial[a], out_spatial[a]
        if nn == m:
            tables.append(None)
        elif interpolation == "nearest":
            src = np.minimum(np.floor((np.arange(m) + 0.5) * (nn / m)).astype(np.int64), nn - 1)
            tables.append((src[:, None], np.ones((m, 1))))
        else:
            tables.append(_table(nn, m, interpolation, antialias, mode))
    chunks = _out_chunks(data, out_spatial, n)
    starts = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in chunks[:n]]
    blocks = np.empty(tuple(len(c) for c in chunks[:n]), dtype=object)
    extra = data.shape[n:]
    resample_block = task(_resample_block)
    for index in np.ndindex(blocks.shape):
        lists, local = [], []
        for a, i in enumerate(index):
            s0, s1 = int(starts[a][i]), int(starts[a][i + 1])
            if tables[a] is None:
                lists.append(np.arange(s0, s1))
                local.append((None, None))
                continue
            idx, w = tables[a]
            rows = idx[s0:s1]
            valid = np.unique(rows[rows >= 0])
            lists.append(valid)
            pos = np.where(rows >= 0, np.searchsorted(valid, np.where(rows >= 0, rows, 0)), -1)
            local.append((pos[:, 0] if interpolation == "nearest" else pos, w[s0:s1]))
        size = tuple(int(starts[a][i + 1] - starts[a][i]) for a, i in enumerate(index))
        if any(v.size == 0 for v in lists):  # every tap reads cval ('constant' far outside)
            region = np.zeros((1,) * n + extra, data.dtype)
        else:
            region = _gather(data, lists + [None] * len(extra))
        value = resample_block(region, local, cval, want, interpolation)
        blocks[index] = da.from_delayed(value, shape=size + extra, dtype=want)
    return da.block(blocks.reshape(blocks.shape + (1,) * len(extra)).tolist())


def _resize_common(data, params, op, shape_for):
    kwargs = given(params)
    want = _check(op, data, kwargs)
    full = filled(params, op)
    if full.get("interpolation", "bilinear") != "nearest" and np.dtype(want).kind in "ui":
        raise NotImplementedError(f"{op.name} interpolating into an integer dtype is not chunked (rounding of "
                                  "float32 sums): it runs in memory")
    moved, axis = _channels_last(data, full)
    n = moved.ndim - (axis is not None)
    out_spatial = shape_for(moved.shape[:n], full)
    return _restore(_resize_chunks(moved, out_spatial, full, want), axis)


def resize(data, params, op):
    """geometry.resize per output chunk: the whole image's separable weight tables (pixel-area alignment,
    antialiased shrinking), each chunk gathering the input rows and columns its table rows name.

    References
    ----------
    D. P. Mitchell and A. N. Netravali, "Reconstruction filters in computer graphics", SIGGRAPH 1988,
    doi:10.1145/54852.378514; Pillow's ``ImagingResample`` (the convolution form).
    """
    return _resize_common(data, params, op, lambda spatial, full: tuple(int(v) for v in full["output_shape"]))


def rescale(data, params, op):
    """geometry.rescale: :func:`resize` to the rounded shape ``round(n * scale)`` of each axis.

    References
    ----------
    D. P. Mitchell and A. N. Netravali, SIGGRAPH 1988, doi:10.1145/54852.378514.
    """
    def shape_for(spatial, full):
        scale = full["scale"]
        factors = (float(scale),) * len(spatial) if np.ndim(scale) == 0 else tuple(float(f) for f in scale)
        return tuple(max(1, int(round(s * f))) for s, f in zip(spatial, factors))

    return _resize_common(data, params, op, shape_for)


#: registry name -> handler(data, params, op) -> dask array
HANDLERS = {
    "geometry.warp_affine": warp_affine,
    "geometry.rotate": rotate,
    "geometry.warp_perspective": warp_perspective,
    "geometry.resize": resize,
    "geometry.rescale": rescale,
}
