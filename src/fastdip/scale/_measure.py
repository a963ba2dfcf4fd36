"""Measurements streamed over chunks: region properties, object counts and histogram statistics, each returned
as the :class:`~fastdip.pipeline.Table` of the in-memory result.

Region properties. Every chunk is measured alone (one task each): exact integer sums per label — pixel count,
sums of coordinates, of their squares and cross products (float64 bincounts of chunk-local coordinates, exact
below 2**53, then shifted to image coordinates in int64), the bounding box, the first pixel in raster order
and the intensity sum, minimum and maximum — plus ``measure.regionprops`` of the chunk itself. The client merges
the rows of each label over the chunks and evaluates the in-memory formulas on the merged sums: area,
centroid, bbox, the second-moment columns (eccentricity, orientation, axis lengths), the equivalent diameter
and min/max intensity are then exactly the in-memory values (its moments are taken relative to the first
pixel, which the merged integer sums reproduce exactly). Perimeter and solidity depend on the object's shape
as a whole: an object inside one chunk takes them from that chunk's regionprops (the same pixels scanned in
the same order, so the same numbers); an object that crosses chunks is measured again on its bounding box
alone (read from the array, the other labels masked out). The mean intensity of an object that crosses
chunks is its merged sum over its count: exact for integer intensities, within a few ulps for floats (the
in-memory sum runs in raster order).

References
----------
W. Burger and M. J. Burge, *Digital Image Processing: An Algorithmic Introduction Using Java*, 2nd ed.,
Springer, 2016, chapter 10 (moments of regions). P. Pébay, "Formulas for robust, one-pass parallel computation
of covariances and arbitrary-order statistical moments", Sandia report SAND2008-6212, 2008 (merging moments of
parts; here exact integer sums).
"""

from __future__ import annotations

import numpy as np

from ._global import given, task, tree_reduce

__all__ = ["HANDLERS"]

#: bounding-box crops of objects crossing chunks read in one compute: at most this many, and at most this many
#: pixels together (a single larger box is read alone: it must fit in memory, with a bool mask of its size)
_CROPS_PER_BATCH = 32
_CROP_PIXELS_PER_BATCH = 1 << 24


def _as_chunked(image, like):
    """``image`` (numpy or dask) as a dask array chunked like ``like``."""
    import dask.array as da

    if isinstance(image, da.Array):
        return image.rechunk(like.chunks)
    return da.from_array(np.asarray(image), chunks=like.chunks)


def _unique(flat: np.ndarray):
    """np.unique(flat, return_index=True, return_inverse=True), in O(n) by counting when the values span a
    range of at most a few times their number (a chunk of sequential labels), by sorting otherwise."""
    if flat.size == 0:
        return flat[:0], np.zeros(0, np.intp), np.zeros(0, np.intp)
    lo, hi = int(flat.min()), int(flat.max())
    if hi - lo >= 4 * flat.size + 1024:
        u, first, inv = np.unique(flat, return_index=True, return_inverse=True)
        return u, first, inv.reshape(-1)
    idx = (flat - lo).astype(np.intp) if lo else flat.astype(np.intp, copy=False)
    counts = np.bincount(idx, minlength=hi - lo + 1)
    present = np.flatnonzero(counts)
    remap = np.zeros(hi - lo + 1, np.intp)
    remap[present] = np.arange(present.size)
    pos = np.full(hi - lo + 1, flat.size, np.intp)
    np.minimum.at(pos, idx, np.arange(flat.size))  # each value's first index
    return (present + lo).astype(flat.dtype), pos[present], remap[idx]


def _block_stats(block, ivals, index, starts, shape, spacing, want_intensity):
    """Per-label exact sums of one chunk (see the module docstring) and the chunk's own regionprops."""
    from .. import measure

    lab = np.asarray(block)
    origin = [s[i] for s, i in zip(starts, index)]
    flat = lab.reshape(-1)
    u, first, inv = _unique(flat)
    if u.size and u[0] < 0:
        raise ValueError(f"regionprops: labels must be a label image without negative labels, got a minimum of "
                         f"{u[0]}")
    if u.size and u[-1] > np.iinfo(np.int32).max:
        raise ValueError(f"regionprops: labels must be labels below 2**31, got a maximum of {u[-1]}")
    if u.size and u[0] == 0:
        u, first, shift = u[1:], first[1:], 1
    else:
        shift = 0
    if u.size == 0:
        return None
    k = u.size + shift
    grids = np.indices(lab.shape).reshape(lab.ndim, -1)
    m = np.bincount(inv, minlength=k)[shift:].astype(np.int64)
    s1, s2 = [], []
    for a in range(lab.ndim):
        x = grids[a].astype(np.float64)
        loc1 = np.bincount(inv, weights=x, minlength=k)[shift:].astype(np.int64)
        loc2 = np.bincount(inv, weights=x * x, minlength=k)[shift:].astype(np.int64)
        o = origin[a]
        s1.append(loc1 + m * o)
        s2.append(loc2 + 2 * o * loc1 + m * o * o)
    cross = None
    if lab.ndim == 2:
        xr = grids[0].astype(np.float64)
        xc = grids[1].astype(np.float64)
        loc = np.bincount(inv, weights=xr * xc, minlength=k)[shift:].astype(np.int64)
        loc_r = s1[0] - m * origin[0]
        loc_c = s1[1] - m * origin[1]
        cross = loc + origin[1] * loc_r + origin[0] * loc_c + m * origin[0] * origin[1]
    first_local = np.unravel_index(first, lab.shape)
    first_global = np.ravel_multi_index(tuple(c + o for c, o in zip(first_local, origin)), shape).astype(np.int64)
    # the chunk's labels renumbered 1..k in the same order (the global values can be large: the in-memory
    # function sizes its tables by the largest label); the rows come back in the order of ``u``
    compact = (inv if shift else inv + 1).astype(np.int32).reshape(lab.shape)
    props = measure.regionprops(compact, None if not want_intensity else np.asarray(ivals), spacing=spacing)
    out = {"label": u.astype(np.int64), "m": m, "s1": np.stack(s1, 1), "s2": np.stack(s2, 1), "cross": cross,
           "first": first_global, "bbox": props["bbox"] + np.array(origin * 2, dtype=np.int64)}
    if lab.ndim == 2:
        out["perimeter"] = props["perimeter"]
        out["solidity"] = props["solidity"]
    if want_intensity:
        v = np.asarray(ivals).reshape(-1).astype(np.float64)
        out["isum"] = np.bincount(inv, weights=v, minlength=k)[shift:]
        out["imin"] = props["min_intensity"]
        out["imax"] = props["max_intensity"]
        out["imean"] = props["mean_intensity"]
    return out


def _merge(parts):
    """Rows of the same label over the chunks merged: sums added, boxes joined, first pixels min'd."""
    parts = [p for p in parts if p is not None]
    cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0] if parts[0][key] is not None}
    labels, inv = np.unique(cat["label"], return_inverse=True)
    inv = inv.reshape(-1)
    n = labels.size
    nd = cat["s1"].shape[1]
    out = {"label": labels, "pieces": np.bincount(inv, minlength=n)}
    for key in ("m", "s1", "s2", "cross", "isum"):
        if key in cat:
            acc = np.zeros((n,) + cat[key].shape[1:], cat[key].dtype)
            np.add.at(acc, inv, cat[key])
            out[key] = acc
    first = np.full(n, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, inv, cat["first"])
    out["first"] = first
    lo = np.full((n, nd), np.iinfo(np.int64).max, np.int64)
    hi = np.full((n, nd), -1, np.int64)
    np.minimum.at(lo, inv, cat["bbox"][:, :nd])
    np.maximum.at(hi, inv, cat["bbox"][:, nd:])
    out["bbox"] = np.concatenate([lo, hi], axis=1)
    for key, how in (("imin", np.minimum), ("imax", np.maximum)):
        if key in cat:
            acc = np.full(n, np.inf if how is np.minimum else -np.inf)
            how.at(acc, inv, cat[key])
            out[key] = acc
    # values that only a single-piece label can take from its chunk
    for key in ("perimeter", "solidity", "imean"):
        if key in cat:
            acc = np.full(n, np.nan)
            acc[inv] = cat[key]  # the last piece's; used only where pieces == 1
            out[key] = acc
    return out


def _spacing(spacing, ndim):
    if spacing is None:
        return np.ones(ndim)
    return np.broadcast_to(np.atleast_1d(np.asarray(spacing, dtype=float)), (ndim,)).astype(float)


def regionprops(data, params, op):
    """measure.regionprops streamed over chunks and merged (see the module docstring): exact integer moment
    sums merged per label; perimeter and solidity of objects crossing chunks measured on their bounding box.

    References
    ----------
    W. Burger and M. J. Burge, *Digital Image Processing*, 2nd ed., Springer, 2016, chapter 10 (moments).
    """
    import dask

    from .. import measure
    from ..pipeline import Table

    kwargs = given(params)
    intensity = kwargs.pop("intensity", None)
    spacing = kwargs.get("spacing")
    small = np.zeros((3,) * data.ndim, dtype=data.dtype)
    op.func(small, None if intensity is None else np.zeros(small.shape), **kwargs)  # the in-memory errors
    if intensity is not None:
        if isinstance(intensity, str):
            raise ValueError(f"regionprops: intensity {intensity!r} must be bound to an image before the "
                             "chunked run")
        if tuple(intensity.shape) != tuple(data.shape):
            raise ValueError(f"regionprops: intensity must be an image of the labels' shape {tuple(data.shape)}, "
                             f"got shape {tuple(intensity.shape)}")
    shape = data.shape
    starts = [np.concatenate([[0], np.cumsum(c)]).tolist() for c in data.chunks]
    blocks = data.to_delayed()
    ivals = _as_chunked(intensity, data).to_delayed() if intensity is not None else None
    sp = _spacing(spacing, data.ndim)
    block_stats = task(_block_stats)
    # (one pass: negative labels and NaN intensities raise in the chunk that holds them)
    parts = [block_stats(blocks[i], None if ivals is None else ivals[i], i, starts, shape, spacing,
                         intensity is not None)
             for i in np.ndindex(blocks.shape)]
    merged = None
    nonempty = [p for p in dask.compute(*parts) if p is not None]
    if nonempty:
        merged = _merge(nonempty)
    if merged is None:  # no object: the in-memory table of an empty label image
        empty = measure.regionprops(np.zeros((1,) * data.ndim, np.int32),
                                    None if intensity is None else np.zeros((1,) * data.ndim), spacing=spacing)
        return Table.from_result(empty)
    merged["first_rc"] = tuple(c.astype(np.int64) for c in np.unravel_index(merged["first"], shape))
    table = _columns(merged, sp, data.ndim, intensity is not None)
    if data.ndim == 2:
        _crossing_shapes(data, merged, table, spacing)
    return Table.from_result(measure.RegionTable(table))


def _columns(g, sp, ndim, with_intensity):
    """The in-memory formulas (fastdip.measure.regionprops) evaluated on the merged exact sums."""
    present = g["label"]
    m_int = g["m"]
    m = m_int.astype(np.float64)
    data = {"label": present.astype(np.int64)}
    if ndim == 2:
        r0_i, c0_i = g["first_rc"]
        s1r, s1c = g["s1"][:, 0], g["s1"][:, 1]
        s2r, s2c = g["s2"][:, 0], g["s2"][:, 1]
        a1 = (s1r - m_int * r0_i).astype(np.float64)
        a2 = (s1c - m_int * c0_i).astype(np.float64)
        a3 = (s2r - 2 * r0_i * s1r + m_int * r0_i * r0_i).astype(np.float64)
        a4 = (s2c - 2 * c0_i * s1c + m_int * c0_i * c0_i).astype(np.float64)
        a5 = (g["cross"] - r0_i * s1c - c0_i * s1r + m_int * r0_i * c0_i).astype(np.float64)
        r0, c0 = r0_i.astype(np.float64), c0_i.astype(np.float64)
        mr, mc = a1 / m, a2 / m
        mu_rr = (a3 - a1 * mr) * sp[0] ** 2
        mu_cc = (a4 - a2 * mc) * sp[1] ** 2
        mu_rc = (a5 - a1 * mc) * sp[0] * sp[1]
        area = m * sp[0] * sp[1]
        data["area"] = area
        data["centroid"] = np.stack([(r0 + mr) * sp[0], (c0 + mc) * sp[1]], axis=1)
        data["bbox"] = g["bbox"]
        data["perimeter"] = g["perimeter"].copy()
        data["equivalent_diameter"] = np.sqrt(4 * area / np.pi)
        a, b, c = mu_rr / m, mu_rc / m, mu_cc / m
        half = np.sqrt(((a - c) / 2) ** 2 + b ** 2)
        l1 = np.maximum((a + c) / 2 + half, 0)
        l2 = np.maximum((a + c) / 2 - half, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            data["eccentricity"] = np.where(l1 > 0, np.sqrt(np.clip(1 - l2 / np.where(l1 > 0, l1, 1), 0, 1)), 0.0)
        orient = 0.5 * np.arctan2(2 * b, a - c)
        orient = np.where(orient <= -np.pi / 2, np.pi / 2, orient)
        orient = np.where(a - c == 0, np.where(b > 0, np.pi / 4, -np.pi / 4), orient)
        data["orientation"] = orient
        data["major_axis_length"] = 4 * np.sqrt(l1)
        data["minor_axis_length"] = 4 * np.sqrt(l2)
        data["solidity"] = g["solidity"].copy()
    else:
        mean = g["s1"].astype(np.float64) / m[:, None]
        vol = m * float(np.prod(sp))
        data["volume"] = vol
        data["centroid"] = mean * sp
        data["bbox"] = g["bbox"]
        data["equivalent_diameter"] = np.cbrt(6 * vol / np.pi)
    if with_intensity:
        single = g["pieces"] == 1
        data["mean_intensity"] = np.where(single, g["imean"], g["isum"] / m)
        data["min_intensity"] = g["imin"]
        data["max_intensity"] = g["imax"]
    return data


def _crossing_shapes(data, g, table, spacing):
    """Perimeter and solidity of the objects that cross chunks, each from its bounding box alone."""
    import dask

    from .. import measure

    crossing = np.flatnonzero(g["pieces"] > 1)
    box = g["bbox"][crossing]
    pixels = (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])
    batches, batch, held = [], [], 0
    for j, px in zip(crossing, pixels):
        if batch and (len(batch) == _CROPS_PER_BATCH or held + px > _CROP_PIXELS_PER_BATCH):
            batches.append(batch)
            batch, held = [], 0
        batch.append(j)
        held += int(px)
    if batch:
        batches.append(batch)
    for batch in batches:
        crops = []
        for j in batch:
            r0, c0, r1, c1 = (int(v) for v in g["bbox"][j])
            crops.append(data[r0:r1, c0:c1])
        for j, crop in zip(batch, dask.compute(*crops)):
            mask = (np.asarray(crop) == g["label"][j]).astype(np.int32)
            props = measure.regionprops(mask, spacing=spacing)
            table["perimeter"][j] = props["perimeter"][0]
            table["solidity"][j] = props["solidity"][0]


def count(data, params, op):
    """measure.count streamed: the distinct non-zero labels of every chunk, merged.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 9.5.
    """
    from ..pipeline import Table

    op.func(np.zeros((2,) * data.ndim, dtype=data.dtype))  # the in-memory dtype errors
    values = tree_reduce(data, lambda b, _: np.unique(np.asarray(b)),
                         lambda ps: np.unique(np.concatenate(ps)))
    if values.size and values[0] < 0:
        raise ValueError(f"count: labels must be a label image without negative labels, got a minimum of "
                         f"{values[0]}")
    return Table.from_result(int(np.count_nonzero(values)))


def stats(data, params, op):
    """histogram.stats of a uint8/uint16 image from its exact global level counts (the in-memory formulas on
    the same counts, so the same numbers). Other dtypes are not chunked (NotImplementedError): their mean and
    standard deviation are float sums whose in-memory order a chunked sum does not reproduce.

    References
    ----------
    W. S. Rasband, *ImageJ User Guide*, sec. 30.3 (Analyze > Histogram), U.S. NIH.
    """
    from .. import histogram
    from ..pipeline import Table
    from ._global import _level_counts

    if data.dtype.type not in (np.uint8, np.uint16):
        raise NotImplementedError(f"histogram.stats of a {data.dtype} image is not chunked (float sums in "
                                  "memory order): it runs in memory")
    op.func(np.zeros((2,) * data.ndim, dtype=data.dtype), **given(params))
    counts = _level_counts(data)
    levels = np.arange(counts.size, dtype=np.float64)
    n = int(data.size)
    nonzero = np.flatnonzero(counts)
    mean = float(counts @ levels) / n
    var = float(counts @ (levels - mean) ** 2) / (n - 1) if n > 1 else 0.0
    mode = int(np.argmax(counts))
    result = histogram.HistogramStats(n, float(nonzero[0]), mean, float(nonzero[-1]), var**0.5, float(mode),
                                      int(counts[mode]), counts.size, 1.0, False)
    return Table.from_result(result)


#: registry name -> handler(data, params, op) -> Table (computed)
HANDLERS = {
    "measure.regionprops": regionprops,
    "measure.count": count,
    "histogram.stats": stats,
}
