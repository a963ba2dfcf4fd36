"""Global steps on chunked arrays in two passes: an exact statistic reduced over the chunks, then a blockwise apply.

Each handler takes ``(data, params, op)``: a dask array, the step's parameters as written in the pipeline
(defaults not filled) and the registry entry; it returns a lazy dask array equal to ``op.func`` on the whole
image. The statistic (level counts, a histogram with the in-memory function's very edges, a range, exact order
statistics) is computed from per-chunk partial results combined in a tree, so no chunk is held longer than its
own task and nothing of the image's size reaches the client. The second pass calls the public in-memory
function (or :func:`fastdip.intensity.apply_lut`) on each chunk with the global statistic fixed, so every
pixel goes through the same arithmetic as in memory.

A handler raises :class:`NotImplementedError` for parameters it cannot reproduce exactly (a colour
``channel_axis``; the mean of a float image, whose pairwise float sum depends on the memory order); the
executor then runs the step in memory when the array fits its memory budget.

References
----------
R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3 (histograms,
equalisation) and 10.3 (Otsu). N. Otsu, IEEE Trans. SMC 9(1), 62-66, 1979. C. A. R. Hoare, "Algorithm 65:
FIND", Comm. ACM 4(7), 321-322, 1961 (selection of an order statistic; here by radix digits, a histogram
refinement that needs one pass over the data per 16-bit digit).
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["HANDLERS", "tree_reduce", "filled", "task", "unique_name"]

#: bits of a sortable key resolved per pass of the exact order-statistic search (65536 counters per target)
_DIGIT = 16


# -- shared helpers (also used by _label and _measure) ----------------------------------------------------------


def filled(params: dict, op) -> dict:
    """The step's parameters with the registry's defaults filled in and named footprints built."""
    full = {p.name: p.default for p in op.params}
    full.update({k: (v.build() if hasattr(v, "build") else v) for k, v in params.items()})
    return full


def given(params: dict) -> dict:
    """The parameters as written (named footprints built), for calling the public function."""
    return {k: (v.build() if hasattr(v, "build") else v) for k, v in params.items()}


def unique_name(prefix: str) -> str:
    """A fresh dask key name: given to map_blocks and delayed so that dask does not hash (cloudpickle) the
    functions and arguments to name them, which cost more than the work on small chunks."""
    import uuid

    return f"fastdip-{prefix}-{uuid.uuid4().hex}"


def task(func):
    """``dask.delayed(func)`` without hashing: every call is a new task."""
    from dask import delayed

    return delayed(func, name=unique_name(getattr(func, "__name__", "task")), pure=False)


def tree_reduce(data, per_block, combine, *, split_every: int = 8):
    """Apply ``per_block(block, block_index)`` to every chunk of the dask array ``data`` and combine the
    results pairwise-ish in a tree of fan-in ``split_every`` (``combine(list) -> value``); computed with the
    current dask scheduler. Only the partial results travel, never the chunks.

    Examples
    --------
    >>> import dask.array as da
    >>> x = da.arange(10, chunks=3)
    >>> int(tree_reduce(x, lambda b, i: b.sum(), sum))
    45
    """
    import dask

    blocks = data.to_delayed()
    index = list(np.ndindex(blocks.shape))
    part = task(per_block)
    parts = [part(blocks[i], i) for i in index]
    comb = task(combine)
    while len(parts) > 1:
        parts = [comb(parts[i:i + split_every]) if len(parts[i:i + split_every]) > 1 else parts[i]
                 for i in range(0, len(parts), split_every)]
    return dask.compute(parts[0])[0]


def _sum(values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _validate_with_dummy(op, data, kwargs):
    """Run the public function on a small image of the data's dtype and ndim, so that bad parameters raise the
    in-memory function's own error before any chunk is read."""
    dt = data.dtype
    size = 256
    shape = {1: (size,), 2: (16, 16), 3: (4, 8, 8)}.get(data.ndim, (2,) * (data.ndim - 2) + (8, 8))
    n = int(np.prod(shape))
    if dt.kind == "f":
        dummy = (np.arange(n) / max(n - 1, 1)).astype(dt)
    elif dt.kind == "b":
        dummy = (np.arange(n) % 2).astype(bool)
    else:
        dummy = (np.arange(n) % min(int(np.iinfo(dt).max) + 1, 256)).astype(dt)
    op.func(dummy.reshape(shape), **kwargs)


def _finite_minmax(data):
    """(min, max, all finite) of a dask array, NaN-propagating (NaN/inf make ``all finite`` False)."""
    def part(block, _):
        if block.size == 0:
            return (math.inf, -math.inf, True)
        if block.dtype.kind == "f":
            fin = np.isfinite(block)
            ok = bool(fin.all())
            vals = block if ok else block[fin]
            if vals.size == 0:
                return (math.inf, -math.inf, False)
            return (vals.min().item(), vals.max().item(), ok)
        return (block.min().item(), block.max().item(), True)

    def comb(parts):
        return (min(p[0] for p in parts), max(p[1] for p in parts), all(p[2] for p in parts))

    return tree_reduce(data, part, comb)


def _level_counts(data) -> np.ndarray:
    """Counts per level of a uint8/uint16 dask array (int64, 2**bits entries)."""
    length = int(np.iinfo(data.dtype).max) + 1
    return tree_reduce(data, lambda b, _: np.bincount(b.reshape(-1), minlength=length).astype(np.int64), _sum)


def _unique_counts(data):
    """(values, counts) of the distinct values of an integer dask array."""
    def part(block, _):
        return np.unique(block.reshape(-1), return_counts=True)

    def comb(parts):
        values = np.concatenate([p[0] for p in parts])
        counts = np.concatenate([p[1] for p in parts])
        uniq, inverse = np.unique(values, return_inverse=True)
        return uniq, np.bincount(inverse.reshape(-1), weights=counts, minlength=uniq.size).astype(np.int64)

    return tree_reduce(data, part, comb)


def _bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """fastdip.histogram's binning rule (numpy.histogram's) vectorised: the index computed from the uniform
    edges in the values' float type, then corrected by one against the edges themselves; values outside and
    NaN skipped; the last bin closed."""
    n_bins = edges.size - 1
    lo, hi = edges[0], edges[n_bins]
    v = values.reshape(-1)
    v = v[(v >= lo) & (v <= hi)]
    norm = n_bins / float(hi - lo)  # the kernel: an integer over the (input-typed) width, in float64
    k = ((v - lo).astype(np.float64) * norm).astype(np.int64)
    k = np.minimum(k, n_bins - 1)
    below = v < edges[k]
    k1 = np.minimum(k + 1, n_bins)
    above = ~below & (k + 1 < n_bins) & (v >= edges[k1])
    k = k - below + above
    return np.bincount(k, minlength=n_bins).astype(np.int64)


def _float_histogram(data, bins: int, lo: float, hi: float):
    """(counts, edges) of ``fastdip.histogram.histogram(image, bins)`` for a float dask array whose finite
    minimum and maximum are ``lo``, ``hi`` (edges built exactly as the in-memory function builds them)."""
    work = np.float32 if data.dtype == np.float32 else np.float64
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    lo_w, hi_w = work(lo), work(hi)
    edges = np.linspace(lo_w, hi_w, bins + 1, dtype=work)
    counts = tree_reduce(data, lambda b, _: _bin_counts(np.asarray(b, dtype=work), edges), _sum)
    return counts, edges


# -- exact order statistics -------------------------------------------------------------------------------------


def _keys(values: np.ndarray) -> np.ndarray:
    """Unsigned integer keys whose order is the values' order (IEEE floats: sign-magnitude flipped)."""
    dt = values.dtype
    bits = dt.itemsize * 8
    utype = np.dtype(f"u{dt.itemsize}")
    raw = np.ascontiguousarray(values).view(utype)
    sign = utype.type(1 << (bits - 1))
    if dt.kind == "u":
        return raw
    if dt.kind == "i":
        return raw ^ sign
    negative = (raw & sign) != 0
    return np.where(negative, ~raw, raw | sign)


def _from_key(key: int, dt: np.dtype):
    bits = dt.itemsize * 8
    utype = np.dtype(f"u{dt.itemsize}")
    sign = 1 << (bits - 1)
    if dt.kind == "i":
        raw = key ^ sign
    elif dt.kind == "f":
        raw = (key ^ sign) if key & sign else (~key & ((1 << bits) - 1))
    else:
        raw = key
    return np.array([raw], dtype=utype).view(dt)[0]


def order_statistics(data, ranks) -> tuple[list, int]:
    """The exact ``ranks``-th smallest finite values (0-based) of a dask array and the number of finite values.

    Radix selection on order-preserving integer keys: each pass counts, per target, the next 16-bit digit of
    the keys that share the target's already-known leading digits (one read of the data per digit: 1 for
    uint8/uint16, 2 for float32, 4 for float64), so the result is the exact order statistic, as a sort gives.
    """
    dt = data.dtype
    if dt.kind == "b":
        data = data.astype(np.uint8)
        dt = data.dtype
    if dt == np.float16:
        data = data.astype(np.float32)
        dt = data.dtype
    bits = dt.itemsize * 8
    digit = min(_DIGIT, bits)
    n_targets = len(ranks)
    prefixes = [0] * n_targets
    remaining = [int(r) for r in ranks]
    total = None
    for shift in range(bits - digit, -1, -digit):
        known = tuple(prefixes)

        def part(block, _, shift=shift, known=known):
            b = np.asarray(block).reshape(-1)
            if b.dtype.kind == "f":
                b = b[np.isfinite(b)]
            keys = _keys(b).astype(np.uint64)
            out = np.zeros((n_targets, 1 << digit), np.int64)
            high = keys >> np.uint64(shift + digit) if shift + digit < 64 else np.zeros_like(keys)
            low = ((keys >> np.uint64(shift)) & np.uint64((1 << digit) - 1)).astype(np.int64)
            cache = {}
            for t, pre in enumerate(known):
                if pre not in cache:
                    cache[pre] = np.bincount(low[high == np.uint64(pre)], minlength=1 << digit)
                out[t] = cache[pre]
            return out

        counts = tree_reduce(data, part, _sum)
        if total is None:
            total = int(counts[0].sum())
            if total == 0:
                return [], 0
            remaining = [min(max(r, 0), total - 1) for r in remaining]
        for t in range(n_targets):
            cum = np.cumsum(counts[t])
            d = int(np.searchsorted(cum, remaining[t], side="right"))
            remaining[t] -= int(cum[d - 1]) if d else 0
            prefixes[t] = (prefixes[t] << digit) | d
    return [_from_key(p, dt) for p in prefixes], total


def _numpy_percentile(data, q: float, func: str, weak: bool = False):
    """``numpy.percentile(finite values, q)`` (linear method) computed exactly from two order statistics: the
    same virtual index (n - 1) * q / 100, and numpy's own interpolation between the two neighbours."""
    n = _count_finite(data)
    if n == 0:
        raise ValueError(f"{func}: image has no finite values")
    virtual = (n - 1) * (q / 100)
    below = math.floor(virtual)
    frac = virtual - below
    if virtual >= n - 1:
        below, frac = n - 1, 0.0
    (v0, v1), _ = order_statistics(data, [below, min(below + 1, n - 1)])
    # on [v0, v1] the virtual index is frac itself: numpy's lerp with numpy's dtype rules (``weak``: q was a
    # Python number, as in threshold_percentile; a tuple in contrast_stretch)
    pair = np.array([v0, v1]).astype(data.dtype)  # (float16 was searched as float32: exact, cast back)
    return float(np.quantile(pair, float(frac)) if weak else np.quantile(pair, np.array([frac]))[0])


def _count_finite(data) -> int:
    if data.dtype.kind != "f":
        return int(data.size)
    return int(tree_reduce(data, lambda b, _: int(np.isfinite(b).sum()), sum))


def _levels_percentiles(counts: np.ndarray, percentiles) -> tuple[float, float]:
    """fastdip.intensity.contrast_stretch's percentiles of a uint8/uint16 image from its level counts."""
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


# -- Otsu and multi-Otsu from a histogram -----------------------------------------------------------------------


def _occupied(data, bins: int, func: str):
    """(counts, values, integer) over the occupied levels, as fastdip.segmentation's thresholds see them."""
    dt = data.dtype
    if dt.type in (np.uint8, np.uint16):
        counts = _level_counts(data)
        values = np.arange(counts.size, dtype=np.float64)
        integer = True
    elif dt.kind in "iu":
        levels, counts = _unique_counts(data)
        values = levels.astype(np.float64)
        integer = True
    else:
        x = data.astype(np.float64) if dt == np.float16 else data
        lo, hi, ok = _finite_minmax(x)
        if not ok:
            raise ValueError(f"{func}: image must be finite (no NaN or inf)")
        if lo == hi:
            return np.array([data.size], dtype=np.int64), np.array([lo]), False
        counts, edges = _float_histogram(x, bins, lo, hi)
        values = ((edges[:-1] + edges[1:]) / 2).astype(np.float64)
        integer = False
    keep = counts > 0
    return counts[keep], values[keep], integer


def _otsu(counts, values, integer) -> float:
    """Otsu's threshold from occupied levels: fastdip.segmentation.otsu's objective and exact tie rule."""
    from fractions import Fraction

    if counts.size == 1:
        return float(values[0])
    n1 = np.cumsum(counts)[:-1]
    weighted = counts * values
    s1 = np.cumsum(weighted)[:-1]
    n = int(counts.sum())
    s = float(weighted.sum())
    n1f = n1.astype(np.float64)
    objective = (n * s1 - n1f * s) ** 2 / (n1f * (n - n1f))
    best = int(np.argmax(objective))
    if integer:
        near = np.flatnonzero(objective >= objective[best] * (1.0 - 1e-9))
        if near.size > 1:
            icounts = [int(c) for c in counts]
            ilevels = [int(v) for v in values.astype(np.int64)]
            prefix_n = np.cumsum(icounts).tolist()
            prefix_s = np.cumsum([c * v for c, v in zip(icounts, ilevels)], dtype=object).tolist()
            total_s = prefix_s[-1]

            def key(i):
                return Fraction((n * prefix_s[i] - prefix_n[i] * total_s) ** 2, prefix_n[i] * (n - prefix_n[i]))

            keys = [key(i) for i in near]
            best = int(near[max(range(len(near)), key=lambda j: (keys[j], -near[j]))])
    return float(values[best])


def _multi_otsu(counts, values, classes: int) -> np.ndarray:
    """The exact multi-Otsu thresholds from occupied levels: fastdip.segmentation.multi_otsu's dynamic
    programme over suffixes (the same terms added in the same order, the smallest cut on exact ties),
    vectorised over the cut position."""
    n = counts.size
    if n < classes:
        raise ValueError(f"multi_otsu: image must be an image with at least classes={classes} occupied levels "
                         f"(bins), it has {n}")
    if n == classes:
        return values[:-1].copy()
    prefix_w = np.zeros(n + 1)
    prefix_s = np.zeros(n + 1)
    np.cumsum(counts, out=prefix_w[1:])
    np.cumsum(counts * values, out=prefix_s[1:])
    table = np.empty((classes, n))
    choice = np.empty((classes, n), dtype=np.int64)
    w = prefix_w[n] - prefix_w[:n]
    s = prefix_s[n] - prefix_s[:n]
    table[0] = s * s / w
    choice[0] = n - 1
    rows = max(1, (1 << 22) // max(n, 1))
    for j in range(1, classes):
        last = n - j  # a <= n - j - 1, b in [a, n - j - 1]
        b = np.arange(last)
        for a0 in range(0, last, rows):
            a = np.arange(a0, min(a0 + rows, last))
            wb = prefix_w[b + 1][None, :] - prefix_w[a][:, None]
            sb = prefix_s[b + 1][None, :] - prefix_s[a][:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                v = sb * sb / wb + table[j - 1, b + 1][None, :]
            v[b[None, :] < a[:, None]] = -np.inf
            arg = np.argmax(v, axis=1)  # the first maximum: the kernel's strict '>' from the left
            table[j, a] = v[np.arange(a.size), arg]
            choice[j, a] = arg
    cuts = np.empty(classes - 1, dtype=np.int64)
    a = 0
    for i in range(classes - 1):
        b = choice[classes - 1 - i, a]
        cuts[i] = b
        a = b + 1
    return values[cuts]


# -- handlers -------------------------------------------------------------------------------------------------


def _map(data, func, out_dtype, **kwargs):
    return data.map_blocks(functools.partial(func, **kwargs), dtype=out_dtype, name=unique_name(func.__name__))


def _out_dtype(op, data, kwargs):
    """The dtype the public function returns for this input dtype and these parameters."""
    dummy = np.zeros((2,) * max(data.ndim, 1), dtype=data.dtype)
    try:
        return op.func(dummy, **kwargs).dtype
    except Exception:  # e.g. multi_otsu on a constant dummy: the dtype of a mask
        return np.dtype(bool)


def equalize(data, params, op):
    """histogram.equalize in two passes: the exact global histogram (per level for uint8/uint16, the in-memory
    function's 'bins' uniform bins over the global [min, max] for floats), then its CDF applied to each chunk
    as a look-up table (integers) or by interpolation at the bin centres (floats). With ``channel_axis`` and
    ``colour='channels'`` each channel is equalised alone, as in memory; ``colour='luminance'`` is not
    chunked (NotImplementedError).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3, eq. (3-15).
    """
    import dask.array as da

    kwargs = given(params)
    full = filled(params, op)
    axis = full.get("channel_axis")
    if axis is not None and full.get("colour", "channels") != "channels":
        raise NotImplementedError("histogram.equalize with colour='luminance' is not chunked: it runs in memory")
    _validate_with_dummy(op, data, kwargs)
    if axis is None:
        return _equalize_plane(data, full, op)
    axis = int(axis) % data.ndim
    moved = da.moveaxis(data, axis, -1)
    planes = [_equalize_plane(moved[..., c], full, op) for c in range(moved.shape[-1])]
    return da.moveaxis(da.stack(planes, axis=-1), -1, axis)


def _equalize_plane(data, full, op):
    from .. import intensity
    from .._validate import cast_result

    dt = data.dtype
    if dt.type in (np.uint8, np.uint16):
        counts = _level_counts(data)
        lut = cast_result(_equalize_lut(counts, full["definition"]), dt)
        return data.map_blocks(intensity.apply_lut, lut, dtype=dt, name=unique_name("equalize"))
    lo, hi, ok = _finite_minmax(data)
    if not ok:
        op.func(np.array([np.nan], dtype=dt))  # the in-memory error for NaN/inf
        raise ValueError("equalize: image must be finite (no NaN or inf)")
    counts, edges = _float_histogram(data, int(full["bins"]), lo, hi)
    cdf = np.cumsum(counts).astype(np.float64)
    cdf /= cdf[-1]
    centers = (edges[:-1] + edges[1:]) / 2

    def apply(block):
        return np.interp(block, centers, cdf).astype(block.dtype)

    return data.map_blocks(apply, dtype=dt, name=unique_name("equalize"))


def _equalize_lut(counts: np.ndarray, definition: str) -> np.ndarray:
    """fastdip.histogram.equalize's LUT from integer level counts (float64 before rounding)."""
    top = counts.size - 1
    cdf = np.cumsum(counts)
    total = cdf[-1]
    if definition == "gonzalez":
        return top * cdf.astype(np.float64) / total
    first = int(np.flatnonzero(counts)[0])
    if counts[first] == total:
        return np.full(counts.size, float(first))
    scale = np.float32(top) / np.float32(total - counts[first])
    lut = (cdf - counts[first]).astype(np.float32) * scale
    lut[: first + 1] = 0
    return lut.astype(np.float64)


def contrast_stretch(data, params, op):
    """intensity.contrast_stretch in two passes: [r1, r2] from the whole image — the minimum and maximum, or
    the percentiles from the exact global level counts (uint8/uint16, the in-memory formula) or from exact
    order statistics (other dtypes: radix selection, then numpy's linear interpolation) — then the stretch
    applied to each chunk with ``in_range=(r1, r2)``.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2, fig. 3.10.
    """
    kwargs = given(params)
    _validate_with_dummy(op, data, kwargs)
    func = op.func
    dt = data.dtype
    out_range = kwargs.get("out_range")
    if kwargs.get("in_range") is not None:
        return _map(data, func, dt, in_range=kwargs["in_range"], out_range=out_range)
    p = kwargs.get("percentiles")
    p = (0.0, 100.0) if p is None else tuple(float(v) for v in p)
    if dt.type in (np.uint8, np.uint16):
        r1, r2 = _levels_percentiles(_level_counts(data), p)
    elif p == (0.0, 100.0):
        r1, r2, _ = _finite_minmax(data)
        if r1 > r2:
            raise ValueError("contrast_stretch: image has no finite values")
        r1, r2 = float(r1), float(r2)
    else:
        r1 = _numpy_percentile(data, p[0], "contrast_stretch")
        r2 = _numpy_percentile(data, p[1], "contrast_stretch")
    if r1 == r2:
        # every pixel (NaN included) maps to s1: the in-memory result of a constant image
        value = func(np.zeros(1, dtype=dt), out_range=out_range)[0]
        return data.map_blocks(lambda b: np.full(b.shape, value, dtype=dt), dtype=dt,
                               name=unique_name("contrast_stretch"))
    return _map(data, func, dt, in_range=(r1, r2), out_range=out_range)


def rescale_intensity(data, params, op):
    """dtype.rescale_intensity in two passes: with ``in_range='image'`` (the default) the global finite
    minimum and maximum first, then the linear map on each chunk with that fixed range.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.2.
    """
    kwargs = given(params)
    _validate_with_dummy(op, data, kwargs)
    out_dtype = _out_dtype(op, data, kwargs)
    in_range = kwargs.get("in_range", "image")
    if isinstance(in_range, str) and in_range == "image":
        lo, hi, _ = _finite_minmax(data)
        if lo > hi:
            raise ValueError("rescale_intensity: image has no finite values, so in_range='image' is undefined")
        kwargs["in_range"] = (float(lo), float(hi))
    return _map(data, op.func, out_dtype, **kwargs)


def binarize(data, params, op):
    """segmentation.binarize in two passes: the threshold from the exact global histogram — Otsu (between-class
    variance, exact ties), multi-Otsu (the exact dynamic programme), the percentile (exact order statistics)
    or the mean (integer images: an exact integer sum) — then ``image > t`` (``<= t`` when dark) per chunk.
    A float image's mean is not chunked (NotImplementedError): numpy's pairwise float sum depends on the
    memory order, so only the in-memory run gives its exact value.

    References
    ----------
    N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans. SMC 9(1), 62-66, 1979.
    M. Luessi et al., "Framework for efficient optimal multilevel image thresholding", J. Electronic Imaging
    18(1), 013004, 2009 (the dynamic programme).
    """
    kwargs = given(params)
    full = filled(params, op)
    threshold = full["threshold"]
    dark = full.get("dark", False)
    func = op.func
    if not isinstance(threshold, str):
        _validate_with_dummy(op, data, kwargs)
        return _map(data, func, np.dtype(bool), threshold=threshold, dark=dark)
    if threshold == "mean" and data.dtype.kind == "f":
        raise NotImplementedError("segmentation.binarize threshold='mean' of a float image is not chunked "
                                  "(numpy's pairwise float sum depends on the memory order): it runs in memory")
    _validate_with_dummy(op, data, kwargs)
    if data.dtype.kind == "f":
        lo, hi, ok = _finite_minmax(data)
        if not ok:
            raise ValueError("binarize: image must be finite (no NaN or inf)")
    bins = int(full.get("bins") or 256)
    if threshold == "otsu":
        t = _otsu(*_occupied(data, bins, "otsu"))
    elif threshold == "multi_otsu":
        counts, values, _ = _occupied(data, bins, "multi_otsu")
        t = float(_multi_otsu(counts, values, int(full.get("classes", 3)))[-1])
    elif threshold == "mean":
        lo, hi, _ = _finite_minmax(data)
        if max(abs(int(lo)), abs(int(hi))) * data.size >= 2**53:
            raise NotImplementedError("segmentation.binarize threshold='mean': partial sums of this image may pass "
                                      "2**53, where numpy's pairwise float sum is no longer exact: it runs in memory")
        total = tree_reduce(data, lambda b, _: int(np.asarray(b).sum(dtype=np.int64 if b.dtype.kind != "u"
                                                                       else np.uint64)), sum)
        t = float(total) / data.size  # numpy's float64 sum of these integers is exact (below 2**53)
    else:
        t = _numpy_percentile(data, float(full["q"]), "threshold_percentile", weak=True)
    return _map(data, func, np.dtype(bool), threshold=t, dark=dark)


#: registry name -> handler(data, params, op) -> dask array
HANDLERS = {
    "histogram.equalize": equalize,
    "intensity.contrast_stretch": contrast_stretch,
    "dtype.rescale_intensity": rescale_intensity,
    "segmentation.binarize": binarize,
}
