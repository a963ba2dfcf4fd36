"""Region growing from seeds: the running-mean criterion of the course, the fixed-seed criterion (a flood fill
with a tolerance) and ITK's confidence-connected criterion."""

from __future__ import annotations

import functools
import itertools
import math
import mmap
import numbers
import struct

import numpy as np

from .. import _validate
from .._docs import fill
from .._kernels import load as _kload

__all__ = ["region_growing"]

_CRITERIA = ("mean", "seed", "confidence")
_QUEUE_START = 4096  # entries of the first BFS queue (grown as needed; tests shrink it to exercise the growth)
_STACK_START = 1024  # span entries of the first flood-fill stack (doubled when full; tests shrink it)
# Results of at least this many bytes are fresh private anonymous pages: glibc serves a freed 1-32 MB block
# again from its heap and calloc must then clear it (np.zeros of 2048² int32: 1.0 ms, more than a small flood
# takes), while fresh pages are zeroed by the OS only where the fill touches them. Private, not shared: a
# shared anonymous mapping is shmem (no huge pages, slower faults; 64 MB touched: 126 ms against 73 ms).
_LAZY_ZEROS_BYTES = 1 << 22
# A flood that has filled this many pixels asks for transparent huge pages on its result: on this machine (a VM)
# a 4 KiB page costs ~1.5-5 µs at its first touch, a 2 MiB page ~0.1 ms (64 MB touched: 73 ms on 4 KiB pages,
# 12 ms on 2 MiB ones), but a small fill touching a few 4 KiB pages would pay a whole 2 MiB one.
_HUGE_AFTER = 1 << 15


def _lazy_zeros(shape: tuple):
    """``(array, mapping)``: int32 zeros of ``shape``; large ones on a fresh private anonymous mapping (zeroed
    page by page on first touch, ``mapping`` the mmap), small ones from numpy (``mapping`` None)."""
    size = 4 * math.prod(shape)
    if size < _LAZY_ZEROS_BYTES or not hasattr(mmap, "MAP_PRIVATE") or not hasattr(mmap, "MAP_ANONYMOUS"):
        return np.zeros(shape, dtype=np.int32), None
    mapping = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(mapping, dtype=np.int32).reshape(shape), mapping


def _zeros_int32(shape: tuple) -> np.ndarray:
    """int32 zeros of ``shape``; large ones on fresh anonymous memory (zeroed page by page on first touch)."""
    return _lazy_zeros(shape)[0]


def _huge_pages(mapping) -> None:
    """Ask for transparent huge pages on the untouched part of ``mapping`` (where the OS offers them)."""
    advice = getattr(mmap, "MADV_HUGEPAGE", None)
    if mapping is not None and advice is not None:
        try:
            mapping.madvise(advice)
        except (OSError, ValueError):  # pragma: no cover - kernels without THP
            pass


def _kernel_image(x: np.ndarray) -> np.ndarray:
    """``x`` as one of the 2-D kernels' types: uint8, uint16, float32 and float64 as they are (C-contiguous),
    int8/int16/float16 in float32 (exact), anything else in float64; read-only, so that writeable and read-only
    inputs (``fastdip.data`` images) share one compiled signature."""
    from .._kernels._config import readonly

    kind = x.dtype.type
    if kind in (np.uint8, np.uint16, np.float32, np.float64):
        return readonly(x)
    if kind in (np.int8, np.int16, np.float16):
        return readonly(x.astype(np.float32))
    return readonly(x.astype(np.float64))


_FLOAT_BITS = {4: ("<f", "<i", 0x7FFFFFFF), 8: ("<d", "<q", 0x7FFFFFFFFFFFFFFF)}


def _accepted_interval(ref: float, threshold: float, inside, dtype: np.dtype):
    """The smallest and largest values v of ``dtype`` with ``abs(ref - float(v)) <= threshold`` (the kernels'
    float64 test), given one accepted value ``inside``. The rounded difference ``ref - v`` is monotone in v,
    so the accepted values form an interval: for unsigned integers each end is stepped to from
    ceil(ref - threshold) / floor(ref + threshold), for floats found by bisection over the integers that
    order their bit patterns. Results are cached (a repeated flood with the same seed value and tolerance
    skips the ~3 µs search; the ends are numpy scalars, immutable)."""
    return _interval(float(ref), float(threshold), float(inside), dtype)


@functools.lru_cache(maxsize=1024)
def _interval(ref: float, threshold: float, inside: float, dtype: np.dtype):
    """_accepted_interval (``inside`` as a float: exact for the kernels' uint8/uint16/float32/float64)."""
    if dtype.kind == "u":
        k_min, k_max, k_in = 0, (1 << (8 * dtype.itemsize)) - 1, int(inside)
        if math.isfinite(ref - threshold) and math.isfinite(ref + threshold):
            # start next to ref -/+ threshold and step to the exact ends (a few steps at most)
            ends = []
            for guess, far, step in ((math.ceil(ref - threshold), k_min, -1),
                                     (math.floor(ref + threshold), k_max, 1)):
                v = min(max(guess, k_min), k_max)
                while not abs(ref - float(v)) <= threshold:  # rounding may reject the guess: step to inside
                    v += 1 if v < k_in else -1
                while v != far and abs(ref - float(v + step)) <= threshold:
                    v += step
                ends.append(v)
            return dtype.type(ends[0]), dtype.type(ends[1])
        to_value = int
    else:
        fmt, ifmt, mag = _FLOAT_BITS[dtype.itemsize]

        def to_key(v):
            bits = struct.unpack(ifmt, struct.pack(fmt, v))[0]
            return bits if bits >= 0 else -(bits & mag) - 1

        def to_value(key):
            return struct.unpack(fmt, struct.pack(ifmt, key if key >= 0 else (-key - 1) | ~mag))[0]

        big = float(np.finfo(dtype).max)
        k_min, k_max, k_in = to_key(-big), to_key(big), to_key(float(inside))

    def accepted(key):
        return abs(ref - float(to_value(key))) <= threshold

    ends = []
    for far in (k_min, k_max):  # bisect between an accepted key and a rejected one
        if accepted(far):
            ends.append(far)
            continue
        good, bad = k_in, far
        while abs(bad - good) > 1:
            mid = (good + bad) // 2
            if accepted(mid):
                good = mid
            else:
                bad = mid
        ends.append(good)
    return dtype.type(to_value(ends[0])), dtype.type(to_value(ends[1]))


def _flood_2d(image, seed_flat, connectivity, threshold):
    """criterion='seed' with one region on a 2-D grey image (H, W) of a kernel type: the scanline flood
    fill. Returns the labels, or None when a seed pixel fails the test itself (the breadth-first path then
    lets that pixel still pass its neighbours on, as it always has)."""
    _k = _kload("grow")

    flat = image.reshape(-1)
    if seed_flat.size == 1:
        inside = flat[seed_flat[0]]
        ref = float(inside)  # the region's mean of one seed, as _region_stats computes it
    else:
        ref = float(_region_stats(flat[seed_flat].reshape(-1, 1), np.ones(seed_flat.size, np.int64), 1)[0][1, 0])
        values = flat[seed_flat].astype(np.float64)
        if not np.all(np.abs(ref - values) <= threshold):
            return None
        inside = flat[seed_flat[0]]
    lo, hi = _accepted_interval(ref, threshold, inside, image.dtype)
    h, w = image.shape
    bits = np.empty((h, 2 * (w // 64 + 1)), np.uint64)  # per row: the test and the filled pixels as bits
    built = np.zeros(h, np.uint8)
    stack = np.empty(4 * _STACK_START, np.int32)
    state = np.zeros(3, np.int64)
    while _k.flood_2d(image, lo, hi, connectivity == 2, seed_flat, stack, state, bits, built):
        # a longer stack; once the fill is large, one as long as the image (up to 64 MB; numpy's fresh memory,
        # mapped lazily on huge pages): doubling it 9 times from 1024 entries cost 4 KiB page faults, ~10 % of
        # a 4096² fill
        size = 2 * stack.size
        if state[2] >= _HUGE_AFTER:
            size = max(size, min(image.size, 1 << 24))
        bigger = np.empty(size, np.int32)
        bigger[: state[0]] = stack[: state[0]]
        stack = bigger
    labels, mapping = _lazy_zeros(image.shape)
    if state[2] >= _HUGE_AFTER:
        _huge_pages(mapping)  # a large fill: its result on huge pages
    _k.flood_labels(bits, built, np.int32(1), labels)
    return labels


def _steps(padded: tuple, connectivity: int) -> np.ndarray:
    """Flat steps to the neighbours within ``connectivity`` (scipy's meaning) in a C-ordered array of shape
    ``padded``, in itertools.product order of the (d_0, d_1, ...) offsets."""
    ndim = len(padded)
    strides = np.cumprod((1,) + padded[:0:-1])[::-1]
    steps = [d for d in itertools.product((-1, 0, 1), repeat=ndim) if 0 < sum(map(abs, d)) <= connectivity]
    return np.array([int(np.dot(d, strides)) for d in steps], dtype=np.int64)


def _seed_labels(seeds, spatial: tuple, func: str):
    """Return (flat seed indices in queue order, their region labels, number of regions)."""
    ndim = len(spatial)
    if type(seeds) is tuple and len(seeds) == 2 == ndim:  # one (row, column) of plain ints inside the image,
        y, x = seeds  # the usual call: no generic checks
        if type(y) is int and type(x) is int and 0 <= y < spatial[0] and 0 <= x < spatial[1]:
            return np.array([y * spatial[1] + x], dtype=np.int64), np.array([1], dtype=np.int32), 1
    if type(seeds) is tuple and len(seeds) == ndim and all(type(v) is int and 0 <= v < n
                                                           for v, n in zip(seeds, spatial)):
        flat = 0  # one point of plain ints inside the image: no generic checks
        for v, n in zip(seeds, spatial):
            flat = flat * n + v
        return np.array([flat], dtype=np.int64), np.array([1], dtype=np.int32), 1
    if isinstance(seeds, np.ndarray) and seeds.shape == spatial and seeds.dtype.kind in "biu":
        mask = seeds.astype(np.int64)
        if np.any(mask < 0):
            _validate.fail(func, "seeds", seeds, "a seed mask of non-negative labels")
        flat = mask.reshape(-1)
        idx = np.flatnonzero(flat)
        if idx.size == 0:
            _validate.fail(func, "seeds", seeds, "a seed mask with at least one seed pixel")
        lab = flat[idx]
        # regions in label order, the pixels of each in raster order
        order = np.argsort(lab, kind="stable")
        return idx[order], lab[order].astype(np.int32), int(lab.max())
    if isinstance(seeds, tuple) and len(seeds) == ndim and all(isinstance(v, numbers.Integral) for v in seeds):
        if all(0 <= v < n for v, n in zip(seeds, spatial)):  # one point: no arrays to check
            flat = 0
            for v, n in zip(seeds, spatial):
                flat = flat * n + int(v)
            return np.array([flat], dtype=np.int64), np.ones(1, dtype=np.int32), 1
        seeds = [seeds]
    allowed = f"a point ({ndim} ints), a list of points, or a bool/label mask of shape {spatial}"
    try:
        pts = np.asarray(seeds)
    except (TypeError, ValueError):
        _validate.fail(func, "seeds", seeds, allowed, TypeError)
    if pts.dtype.kind not in "iu" or pts.ndim != 2 or pts.shape[1] != ndim or pts.shape[0] == 0:
        _validate.fail(func, "seeds", seeds, allowed)
    if np.any(pts < 0) or np.any(pts >= np.array(spatial)):
        _validate.fail(func, "seeds", seeds, f"points inside the image of shape {spatial}")
    flat = np.ravel_multi_index(tuple(pts.T), spatial)
    return flat.astype(np.int64), np.arange(1, len(flat) + 1, dtype=np.int32), len(flat)


def _box_stats(feat, spatial, seed_idx, seed_lab, n_regions, radius=1):
    """Mean and sample std (n - 1) per region over the (2r+1)^n boxes around its seed pixels (ITK's start)."""
    coords = np.unravel_index(seed_idx, spatial)
    # mark the neighbourhood of every seed with its region (earlier seeds win overlaps)
    steps = itertools.product(range(-radius, radius + 1), repeat=len(spatial))
    marks = np.zeros(spatial, dtype=np.int32)
    for step in steps:
        shifted = [np.clip(c + s, 0, n - 1) for c, s, n in zip(coords, step, spatial)]
        for r in range(n_regions, 0, -1):
            sel = seed_lab == r
            marks[tuple(a[sel] for a in shifted)] = r
    return _region_stats(feat, marks.reshape(-1).astype(np.int64), n_regions)


def _region_stats(feat, labels, n_regions):
    n = np.bincount(labels, minlength=n_regions + 1).astype(np.float64)
    mean = np.zeros((n_regions + 1, feat.shape[1]))
    std = np.zeros((n_regions + 1, feat.shape[1]))
    for c in range(feat.shape[1]):
        f = feat[:, c].astype(np.float64)
        s = np.bincount(labels, weights=f, minlength=n_regions + 1)
        ss = np.bincount(labels, weights=f * f, minlength=n_regions + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = s / n
            var = (ss - s * s / n) / (n - 1)
        mean[:, c] = np.nan_to_num(m)
        std[:, c] = np.sqrt(np.clip(np.nan_to_num(var), 0, None))
    return mean, std


def _grow_2d(x, seed_flat, seed_lab, n_regions, criterion, connectivity, threshold, size_limit, k, num_iter):
    """region_growing on a 2-D image ``x`` (H, W, C), H and W < 32768: the image is read in place (no padded
    copy), the label array handed to the kernel is the result, the queue holds packed (row, col) pairs, and
    uint8 grey images test 'seed'/'confidence' through a 256-entry table per region. The same breadth-first
    order (so the same regions) as the padded N-D path."""
    _k = _kload("grow")

    h, w, n_ch = x.shape
    kind = x.dtype.type
    image = _kernel_image(x)
    steps = [d for d in itertools.product((-1, 0, 1), repeat=2) if 0 < abs(d[0]) + abs(d[1]) <= connectivity]
    d_row = np.array([d[0] for d in steps], dtype=np.int64)
    d_col = np.array([d[1] for d in steps], dtype=np.int64)
    # a pixel seeded twice keeps its first region
    first = np.sort(np.unique(seed_flat, return_index=True)[1]) if seed_flat.size > 1 else np.zeros(1, np.int64)
    keep = seed_flat[first]
    keep_lab = seed_lab[first]
    labels = _zeros_int32((h, w))  # the result: only the pages the regions touch are ever zeroed
    flat_labels = labels.reshape(-1)
    # a small queue, compacted as it fills and doubled when full (a fresh H*W one costs page faults)
    queue = np.empty(max(_QUEUE_START, 2 * keep.size + 64), dtype=np.int32)
    feat = image.reshape(-1, n_ch)
    empty = np.zeros((n_regions + 1, n_ch))
    # uint8 grey: 'seed' and 'confidence' tabulated over the 256 levels with the kernel's float64 tests
    levels = np.arange(256.0) if kind is np.uint8 and n_ch == 1 else None

    def call(kernel, *args):
        nonlocal queue
        state = np.array([0, keep.size], dtype=np.int64)
        while kernel(*args[:4], queue, state, *args[4:]):
            live = queue[state[0]: state[1]]
            queue = np.empty(2 * queue.size, dtype=np.int32)
            queue[: live.size] = live
            state[:] = 0, live.size

    def run(rule, ref, lo, hi):
        if rule == 2:  # re-runs start from the seeds again
            labels.fill(0)
        flat_labels[keep] = keep_lab
        queue[: keep.size] = (keep // w) << 16 | (keep % w)
        counts = np.bincount(keep_lab, minlength=n_regions + 1).astype(np.int64)
        if levels is not None and rule == 1:
            lut = (np.abs(ref[:, :1] - levels) <= threshold).astype(np.uint8)
        elif levels is not None and rule == 2:
            lut = ((lo[:, :1] <= levels) & (levels <= hi[:, :1])).astype(np.uint8)
        else:
            sums = np.zeros((n_regions + 1, n_ch))
            if rule == 0:
                for c in range(n_ch):
                    sums[:, c] = np.bincount(keep_lab, weights=feat[keep, c], minlength=n_regions + 1)
            call(_k.grow_2d, image, d_row, d_col, labels, sums, counts, ref, lo, hi, rule, threshold, size_limit)
            return
        call(_k.grow_2d_lut, image.reshape(h, w), d_row, d_col, labels, counts, lut, size_limit)

    if criterion == "mean":
        run(0, empty, empty, empty)
    elif criterion == "seed":
        ref, _ = _region_stats(feat[seed_flat], seed_lab.astype(np.int64), n_regions)
        run(1, np.ascontiguousarray(ref), empty, empty)
    else:
        mean, std = _box_stats(feat, (h, w), seed_flat, seed_lab, n_regions)
        for it in range(num_iter + 1):
            run(2, empty, np.ascontiguousarray(mean - k * std), np.ascontiguousarray(mean + k * std))
            if it < num_iter:
                mean, std = _region_stats(feat, flat_labels.astype(np.int64), n_regions)
    return labels


@fill
def region_growing(image, seeds, threshold=None, *, connectivity=1, criterion="mean", max_size=None, k=2.5,
                   num_iter=4, channel_axis=None) -> np.ndarray:
    """Grow regions from seed points: add neighbours whose value is close to the region's.

    Parameters
    ----------
    {image}
        2-D or 3-D (planes, rows, cols), grey or colour; must be finite.
    seeds : tuple, list of tuples, or ndarray
        One point ``(row, col[, ...])`` or a list of points (``(plane, row, col)`` in 3-D): region i + 1 grows
        from the i-th point. Or a mask of the image's spatial shape: bool (one region, label 1, from all its
        True pixels) or integer labels (region L from the pixels labelled L > 0). An ndarray of the spatial
        shape is always read as a mask; pass points as a list.
    threshold : float
        The distance bound, in the image's value scale: ``criterion='mean'`` adds x when
        ||mu_R - I(x)|| < threshold; ``'seed'`` when ||I(seed) - I(x)|| <= threshold. Not used (None) by
        ``'confidence'``.
    connectivity : int, optional
        1 (4-neighbours in 2-D, 6 in 3-D) up to ndim (8 in 2-D, 26 in 3-D), as scipy.ndimage's
        ``generate_binary_structure``.
    criterion : {'mean', 'seed', 'confidence'}, optional
        'mean': the distance to the running mean of the region, updated after every added pixel (the
        course's algorithm). 'seed': the distance to the seed's value (the mean of a region's seed pixels),
        fixed: a flood fill with a tolerance, equal to ``skimage.segmentation.flood(image, seed,
        tolerance=threshold, connectivity=...)`` for one grey seed (both inclusive; on integer images only for
        a whole-number threshold: skimage casts seed -+ threshold to the image's type, which widens the
        interval by up to one level, fastdip keeps |I(seed) - I(x)| <= threshold exactly). 'confidence': ITK's
        ConfidenceConnected: every channel within mean_R +- k std_R, the statistics first taken over the 3^n
        boxes around the seeds, then recomputed from the grown region ``num_iter`` times.
    max_size : int, optional
        A region stops growing when it has this many pixels (None: no limit).
    k : float, optional
        The multiplier of ``'confidence'``.
    num_iter : int, optional
        The number of re-estimations of ``'confidence'`` (0: the seed boxes' statistics only).
    {channel_axis}

    Returns
    -------
    ndarray of int32, the spatial shape
        0 outside every region, i inside region i. Regions do not overlap: pixels are examined in
        breadth-first order from one queue shared by all regions, filled with the seed pixels in order
        (region 1's first), and a pixel belongs to the first region that accepts it.

    Raises
    ------
    ValueError
        For a bad criterion, connectivity, threshold, seed outside the image, or a non-finite image.

    Notes
    -----
    Breadth-first growth: pop a region pixel, test each unlabelled neighbour against the criterion, label and
    queue it when accepted. With ``'mean'`` the mean is that of all pixels added so far, so the test a pixel
    meets depends on when it is reached; a rejected pixel is tested again when reached from another region
    pixel (with the mean of that moment). Colour uses the Euclidean distance between vectors. 2-D images are
    grown in place (no padded copy, the result array is the visited map), 3-D ones on a padded copy; uint8
    grey images test 'seed' and 'confidence' through a 256-entry table per region; the queue starts small
    and grows. All paths visit pixels in the same order, so they give the same regions. One grey 2-D region
    with ``'seed'`` and no ``max_size`` (a flood fill: the region is the connected component(s) of
    {x : |I(x) - I(seed)| <= threshold} holding the seeds, whatever the order) is a scanline fill instead
    (Smith 1979; Heckbert 1990): spans filled left and right, the rows above and below scanned for new spans,
    a stack of spans; the test becomes lo <= I(x) <= hi with the exact ends of the accepted values of the
    image's type, made 64 pixels at a time into bit masks of the rows the fill reaches, so a span is found,
    widened and filled with a few word operations whatever its length. A large result (>= 4 MB) is fresh
    memory zeroed by the OS only where the fill reaches, on transparent huge pages when the fill holds 32768
    pixels or more (Linux).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 10.4.
    R. Adams and L. Bischof, "Seeded region growing", IEEE Trans. PAMI 16(6), 641-647, 1994.
    DOI 10.1109/34.295913.
    ITK ConfidenceConnectedImageFilter (L. Ibanez et al., *The ITK Software Guide*, 2005, sec. 9.1.3).
    A. R. Smith, "Tint fill", Computer Graphics (SIGGRAPH '79) 13(2), 276-283, 1979. DOI 10.1145/800249.807456.
    P. S. Heckbert, "A seed fill algorithm", in A. S. Glassner (ed.), *Graphics Gems*, Academic Press, 1990,
    pp. 275-277.

    Examples
    --------
    >>> img = np.array([[10, 11, 50], [12, 10, 52], [49, 51, 50]], dtype=np.uint8)
    >>> print(region_growing(img, [(0, 0), (2, 2)], threshold=5))
    [[1 1 2]
     [1 1 2]
     [2 2 2]]
    """
    func = "region_growing"
    # integer arrays are finite: the validator's fast path
    arr = _validate.image(image, func, finite=type(image) is not np.ndarray or image.dtype.kind not in "ui")
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    x = arr if axis is None else np.moveaxis(arr, axis, -1)
    spatial = x.shape if axis is None else x.shape[:-1]
    if len(spatial) not in (2, 3):
        _validate.fail(func, "image", arr, "a 2-D or 3-D image (plus a channel axis when channel_axis is set)")
    ndim = len(spatial)
    criterion = _validate.choice(criterion, func, "criterion", _CRITERIA)
    connectivity = _validate.number(connectivity, func, "connectivity", low=1, high=ndim, integer=True)
    if criterion == "confidence":
        if threshold is not None:
            _validate.fail(func, "threshold", threshold, "None with criterion='confidence' (k sets the interval)")
        threshold = 0.0
    elif threshold is None:
        _validate.fail(func, "threshold", threshold, f"a number >= 0 with criterion={criterion!r}", TypeError)
    threshold = _validate.number(threshold, func, "threshold", low=0)
    k = _validate.number(k, func, "k", low=0)
    num_iter = _validate.number(num_iter, func, "num_iter", low=0, integer=True)
    size_limit = 0 if max_size is None else _validate.positive_int(max_size, func, "max_size")
    seed_flat, seed_lab, n_regions = _seed_labels(seeds, tuple(spatial), func)
    n_ch = 1 if axis is None else x.shape[-1]
    if ndim == 2 and n_ch == 1 and criterion == "seed" and n_regions == 1 and size_limit == 0:
        labels = _flood_2d(_kernel_image(x.reshape(spatial)), seed_flat, connectivity, threshold)
        if labels is not None:
            return labels
    if ndim == 2 and max(spatial) < 32768:
        return _grow_2d(x.reshape(tuple(spatial) + (n_ch,)), seed_flat, seed_lab, n_regions, criterion,
                        connectivity, threshold, size_limit, k, num_iter)
    seed_idx = seed_flat

    padded = tuple(n + 2 for n in spatial)
    inner = tuple(slice(1, -1) for _ in spatial)
    # float32 holds uint8/uint16/int8/int16/float16/float32 values exactly (half the memory traffic); the
    # kernel compares and accumulates in float64
    exact32 = arr.dtype.type in (np.uint8, np.uint16, np.int8, np.int16, np.float16, np.float32)
    # uint8 grey: the padded grid stays uint8 and 'seed'/'confidence' go through 256-entry tables
    table = arr.dtype.type is np.uint8 and n_ch == 1 and criterion != "mean"
    grid_dtype = np.uint8 if table else (np.float32 if exact32 else np.float64)
    feat_grid = np.zeros(padded + (n_ch,), dtype=grid_dtype)
    feat_grid[inner] = x.reshape(tuple(spatial) + (n_ch,))
    feat = feat_grid.reshape(-1, n_ch)
    steps = _steps(padded, connectivity)
    # seed indices in the padded grid
    seed_idx = np.ravel_multi_index(tuple(c + 1 for c in np.unravel_index(seed_idx, spatial)), padded)
    _k = _kload("grow")

    label_grid = np.full(padded, -1, dtype=np.int32)
    labels = label_grid.reshape(-1)
    first = np.sort(np.unique(seed_idx, return_index=True)[1])  # a pixel seeded twice keeps its first region
    keep = seed_idx[first]
    # a small queue, compacted as it fills and doubled when full (a fresh N-long one costs page faults)
    queue = np.empty(max(_QUEUE_START, 2 * keep.size + 2 * steps.size), dtype=np.int64)
    levels = np.arange(256.0)

    def call(kernel, *args):
        nonlocal queue
        state = np.array([0, keep.size], dtype=np.int64)
        while kernel(*args[:3], queue, state, *args[3:]):
            live = queue[state[0]: state[1]]
            queue = np.empty(2 * queue.size, dtype=np.int64)
            queue[: live.size] = live
            state[:] = 0, live.size

    def run(rule, ref, lo, hi):
        label_grid[inner] = 0
        labels[keep] = seed_lab[first]
        queue[: keep.size] = keep
        counts = np.bincount(labels[keep], minlength=n_regions + 1).astype(np.int64)
        if table:
            if rule == 1:  # |ref - v| <= threshold for every level v, as the kernel computes it
                lut = (np.abs(ref[:, :1] - levels) <= threshold).astype(np.uint8)
            else:
                lut = ((lo[:, :1] <= levels) & (levels <= hi[:, :1])).astype(np.uint8)
            call(_k.grow_lut, feat_grid.reshape(-1), steps, labels, counts, lut, size_limit)
            return
        sums = np.zeros((n_regions + 1, n_ch))
        for c in range(n_ch):
            sums[:, c] = np.bincount(labels[keep], weights=feat[keep, c], minlength=n_regions + 1)
        call(_k.grow, feat, steps, labels, sums, counts, ref, lo, hi, rule, threshold, size_limit)

    empty = np.zeros((n_regions + 1, n_ch))
    if criterion == "mean":
        run(0, empty, empty, empty)
    elif criterion == "seed":
        ref, _ = _region_stats(feat[seed_idx], seed_lab.astype(np.int64), n_regions)
        run(1, np.ascontiguousarray(ref), empty, empty)
    else:
        mean, std = _box_stats(feat_grid[inner].reshape(-1, n_ch), tuple(spatial), seed_flat, seed_lab, n_regions)
        for it in range(num_iter + 1):
            run(2, empty, np.ascontiguousarray(mean - k * std), np.ascontiguousarray(mean + k * std))
            if it < num_iter:
                mean, std = _region_stats(feat, np.maximum(labels, 0).astype(np.int64), n_regions)
    return np.ascontiguousarray(label_grid[inner])
