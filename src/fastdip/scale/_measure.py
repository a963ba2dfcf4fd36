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
the same order, so the same numbers); for the objects that cross chunks a second pass over the chunks (each
with a 2-pixel halo) returns only their border pixels' perimeter codes and their rows' extents, from which
the perimeter (the codes' weights added in raster order, as the kernel adds them) and the convex-image count
(Andrew's monotone chain on the rows' end pixels, the kernel's arithmetic) are rebuilt exactly, without ever
holding an object's bounding box. The mean intensity of an object that crosses chunks is its merged sum over
its count: exact for integer intensities, within a few ulps for floats (the in-memory sum runs in raster
order).

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

#: the perimeter weight of each border-pixel code (skimage's perimeter estimator, as fastdip.measure uses it)
_PERIMETER_WEIGHTS = np.zeros(50)
_PERIMETER_WEIGHTS[[5, 7, 15, 17, 25, 27]] = 1.0
_PERIMETER_WEIGHTS[[21, 33]] = np.sqrt(2.0)
_PERIMETER_WEIGHTS[[13, 23]] = (1 + np.sqrt(2.0)) / 2


def _as_chunked(image, like):
    """``image`` (numpy or dask) as a dask array chunked like ``like``."""
    import dask.array as da

    if isinstance(image, da.Array):
        return image.rechunk(like.chunks)
    return da.from_array(np.asarray(image), chunks=like.chunks, name=False)


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


def _edge_shapes(padded, crossing, origin, width):
    """For the labels in ``crossing`` (sorted) found in one chunk given with a 2-pixel halo (0 beyond the
    image): the perimeter code of each of their border pixels in the chunk (fastdip.measure's rule: border
    if a 4-neighbour has another label or lies outside; code 1 + 2 x border 4-neighbours + 10 x border
    diagonal neighbours of the same label) with its global flat index, and each of their rows' leftmost and
    rightmost column in the chunk."""
    p = np.asarray(padded)
    core = p[2:-2, 2:-2]
    inside = np.isin(core, crossing)
    if not inside.any():
        return None
    c = p[1:-1, 1:-1]  # the chunk and a 1-pixel ring: where border flags are needed
    border = (c > 0) & ((p[:-2, 1:-1] != c) | (p[2:, 1:-1] != c) | (p[1:-1, :-2] != c) | (p[1:-1, 2:] != c))
    b = border[1:-1, 1:-1]
    code = np.ones(core.shape, np.int64)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == 0 and dx == 0:
                continue
            nb = border[1 + dy:border.shape[0] - 1 + dy, 1 + dx:border.shape[1] - 1 + dx]
            same = c[1 + dy:c.shape[0] - 1 + dy, 1 + dx:c.shape[1] - 1 + dx] == core
            code += (2 if dy == 0 or dx == 0 else 10) * (nb & same)
    rows, cols = np.nonzero(inside & b)  # raster order
    out = {"plab": np.searchsorted(crossing, core[rows, cols]).astype(np.int32),  # index into crossing
           "pidx": (rows + origin[0]).astype(np.int64) * width + cols + origin[1],
           "pcode": code[rows, cols].astype(np.uint8)}
    rows, cols = np.nonzero(inside)
    lab = np.searchsorted(crossing, core[rows, cols]).astype(np.int64)
    key = lab * core.shape[0] + rows
    _, first = np.unique(key, return_index=True)
    _, last = np.unique(key[::-1], return_index=True)
    last = key.size - 1 - last
    out.update(elab=lab[first], erow=(rows[first] + origin[0]).astype(np.int64),
               eleft=(cols[first] + origin[1]).astype(np.int64), eright=(cols[last] + origin[1]).astype(np.int64))
    return out


def _cross(o_r, o_c, a_r, a_c, b_r, b_c):
    return (a_r - o_r) * (b_c - o_c) - (a_c - o_c) * (b_r - o_r)


def _convex_count(r0, rows, left, right, width):
    """fastdip.measure's convex-image pixel count of one label from its rows' extents (``left``/``right``
    per bbox row, -1 right where a row is empty): the six half-pixel diamond points of each row's end pixels,
    sorted by the same key, Andrew's monotone chain, then each row's integer columns inside the polygon —
    the kernel's arithmetic step by step, so the same count."""
    pr, pc = [], []
    for j in range(rows):
        xl, xr = int(left[j]), int(right[j])
        if xr < 0:
            continue
        y = r0 + j
        for dr, dc, x in ((-0.5, 0.0, xl), (-0.5, 0.0, xr), (0.0, -0.5, xl), (0.0, 0.5, xr), (0.5, 0.0, xl),
                          (0.5, 0.0, xr)):
            pr.append(y + dr)
            pc.append(x + dc)
    pr, pc = np.array(pr), np.array(pc)
    order = np.argsort(pr * (2.0 * width + 8.0) + pc)
    sr, sc = pr[order].tolist(), pc[order].tolist()
    hull_r, hull_c = [], []
    for i in range(len(sr)):  # lower hull
        while len(hull_r) >= 2 and _cross(hull_r[-2], hull_c[-2], hull_r[-1], hull_c[-1], sr[i], sc[i]) <= 0:
            hull_r.pop()
            hull_c.pop()
        hull_r.append(sr[i])
        hull_c.append(sc[i])
    low = len(hull_r) + 1
    for i in range(len(sr) - 2, -1, -1):  # upper hull
        while len(hull_r) >= low and _cross(hull_r[-2], hull_c[-2], hull_r[-1], hull_c[-1], sr[i], sc[i]) <= 0:
            hull_r.pop()
            hull_c.pop()
        hull_r.append(sr[i])
        hull_c.append(sc[i])
    y = (r0 + np.arange(rows)).astype(np.float64)
    lo = np.full(rows, np.inf)
    hi = np.full(rows, -np.inf)
    for e in range(len(hull_r) - 1):  # the last point repeats the first
        ar, ac, br, bc = hull_r[e], hull_c[e], hull_r[e + 1], hull_c[e + 1]
        on = ((ar <= y) & (y <= br)) | ((br <= y) & (y <= ar))
        if not on.any():
            continue
        if ar == br:
            lo[on] = np.minimum(lo[on], min(ac, bc))
            hi[on] = np.maximum(hi[on], max(ac, bc))
        else:
            cval = ac + (y[on] - ar) * (bc - ac) / (br - ar)
            lo[on] = np.minimum(lo[on], cval)
            hi[on] = np.maximum(hi[on], cval)
    ok = hi >= lo
    first = np.ceil(lo[ok] - 1e-9)
    last = np.floor(hi[ok] + 1e-9)
    keep = last >= first
    return int(np.sum((last[keep] - first[keep]).astype(np.int64) + 1))


def _merge_thin(chunks, minimum: int) -> tuple:
    """Chunk sizes along one axis with every chunk thinner than ``minimum`` joined to its neighbour."""
    out = []
    for c in chunks:
        if out and (c < minimum or out[-1] < minimum):
            out[-1] += c
        else:
            out.append(c)
    return tuple(out)


def _crossing_shapes(data, g, table, spacing):
    """Perimeter and solidity of the objects that cross chunks, streamed: a second pass over the chunks that
    hold such objects, each with a 2-pixel halo, returns their border pixels' perimeter codes and their rows'
    extents; the perimeter is the codes' weights summed in raster order (the in-memory kernel's order, so
    the same float sum) and the solidity the pixel count over the convex-image count rebuilt from the rows'
    extents. Memory: the codes and extents of those objects only, never an object's bounding box."""
    import dask
    import dask.array as da

    crossing = np.flatnonzero(g["pieces"] > 1)
    if crossing.size == 0:
        return
    labels = g["label"][crossing]
    height, width = data.shape
    if min(min(c) for c in data.chunks) < 2:
        # every chunk at least as deep as the halo (dask's overlap would otherwise rechunk on its own and the
        # blocks would no longer start where ``starts`` says): a thin chunk joins its neighbour
        data = data.rechunk(tuple(_merge_thin(c, 2) for c in data.chunks))
    halo = da.overlap.overlap(data, depth={0: 2, 1: 2}, boundary={0: 0, 1: 0})
    starts = [np.concatenate([[0], np.cumsum(c)]).tolist() for c in data.chunks]
    blocks = halo.to_delayed()
    edge = task(_edge_shapes)
    n = labels.size
    running = np.zeros(n)  # each label's perimeter sum so far, in raster order
    box = g["bbox"][crossing]
    left = [np.full(int(b[2] - b[0]), width, np.int64) for b in box]
    right = [np.full(int(b[2] - b[0]), -1, np.int64) for b in box]
    # one band of chunk rows at a time: raster order is band after band, and only one band's codes are held
    for i in range(blocks.shape[0]):
        parts = dask.compute(*[edge(blocks[i, k], labels, (starts[0][i], starts[1][k]), width)
                               for k in range(blocks.shape[1])])
        parts = [p for p in parts if p is not None]
        if not parts:
            continue
        cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        order = np.lexsort((cat["pidx"], cat["plab"]))
        plab = cat["plab"][order]
        weights = _PERIMETER_WEIGHTS[cat["pcode"][order]]
        cuts = np.searchsorted(plab, np.arange(n + 1))
        for t in np.flatnonzero(np.diff(cuts)):
            # the kernel's sum: one weight after the other, continuing from the bands above
            running[t] = np.cumsum(np.concatenate([[running[t]], weights[cuts[t]:cuts[t + 1]]]))[-1]
        for t, row, lo_, hi_ in zip(cat["elab"], cat["erow"], cat["eleft"], cat["eright"]):
            r = row - box[t][0]
            left[t][r] = min(left[t][r], lo_)
            right[t][r] = max(right[t][r], hi_)
    sp = _spacing(spacing, 2)
    for t, j in enumerate(crossing):
        table["perimeter"][j] = running[t] * sp[0] if sp[0] == sp[1] else np.nan
        r0 = int(box[t][0])
        table["solidity"][j] = float(g["m"][j]) / float(_convex_count(r0, left[t].size, left[t], right[t], width))


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
