"""Clustering segmentations: k-means (k-means++ then Lloyd) over intensity/colour vectors, and Comaniciu-Meer
mean-shift filtering and segmentation."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate
from .. import parallel as _parallel
from .._docs import fill
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS

__all__ = ["mean_shift", "kmeans", "KMeansResult", "MeanShiftResult"]


class KMeansResult(NamedTuple):
    """k-means clusters: ``labels`` (int32, the spatial shape, 0..k-1), ``centers`` ((k, C) float64, in the
    image's value scale), ``inertia`` (sum of squared distances to the centres) and ``n_iter``."""

    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int


class MeanShiftResult(NamedTuple):
    """Mean-shift output: ``filtered`` (each pixel replaced by the value of its mode, the input's shape and
    value scale) and ``labels`` (int32, the spatial shape, regions 1..n)."""

    filtered: np.ndarray
    labels: np.ndarray

    @property
    def n_regions(self) -> int:
        """The number of regions."""
        return int(self.labels.max())


def _vectors(image, func, channel_axis, *, spatial_ndim=None):
    """Check; return (x (N, C) float64 C-contiguous, spatial shape, channel axis, input array)."""
    arr = _validate.image(image, func, finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    x = arr[..., None] if axis is None else np.moveaxis(arr, axis, -1)
    spatial = x.shape[:-1]
    if spatial_ndim is not None and len(spatial) != spatial_ndim:
        _validate.fail(func, "image", arr, f"a {spatial_ndim}-D image (plus a channel axis when channel_axis is set)")
    if len(spatial) == 0:
        _validate.fail(func, "image", arr, "an array with at least one spatial axis")
    return np.ascontiguousarray(x, dtype=np.float64), spatial, axis, arr


def _kmeans_plus_plus(x, k, rng):
    """k-means++ seeding: the first centre uniform, each next one drawn with probability proportional to the
    squared distance to the nearest centre chosen so far (Arthur & Vassilvitskii 2007)."""
    n = x.shape[0]
    centers = np.empty((k, x.shape[1]))
    first = int(rng.integers(n))
    centers[0] = x[first]
    d2 = np.sum((x - centers[0]) ** 2, axis=1)
    for j in range(1, k):
        total = d2.sum()
        if total <= 0:  # fewer distinct vectors than k: repeat a centre (its cluster stays empty)
            centers[j] = centers[0]
            continue
        pick = int(np.searchsorted(np.cumsum(d2), rng.random() * total, side="right"))
        pick = min(pick, n - 1)
        centers[j] = x[pick]
        np.minimum(d2, np.sum((x - centers[j]) ** 2, axis=1), out=d2)
    return centers


def _lloyd(x, centers, max_iter, tol_abs, kernels, weights=None):
    """Lloyd iterations; return (labels, centers, inertia, n_iter) with labels consistent with the centres.
    With ``weights``, ``x`` holds distinct vectors and ``weights`` their multiplicities."""
    work = x.shape[0] if weights is None else 0
    with _parallel._band_threads(work, PARALLEL_MIN_PIXELS) as threads:
        return _lloyd_run(x, centers, max_iter, tol_abs, kernels, weights, threads)


def _lloyd_run(x, centers, max_iter, tol_abs, kernels, weights, threads):
    n, n_ch = x.shape
    k = centers.shape[0]
    labels = np.empty(n, dtype=np.int32)
    # one block of the vectors per thread, each with its own sums (one block: the sums in raster order)
    sums_b = np.empty((threads, k, n_ch))
    counts_b = np.empty((threads, k), dtype=np.int64)
    inertia_b = np.empty(threads)

    def step(c):
        if weights is not None:
            sums = np.empty((k, n_ch))
            counts = np.empty(k)
            inertia = kernels.kmeans_step_weighted(x, weights, c, labels, sums, counts)
            return sums, counts, inertia
        _parallel._run_blocks(kernels.kmeans_step, (x, c, labels, sums_b, counts_b, inertia_b), threads, threads)
        return sums_b.sum(axis=0), counts_b.sum(axis=0), float(inertia_b.sum())

    centers = centers.copy()
    n_iter = 0
    previous = None
    for n_iter in range(1, max_iter + 1):
        sums, counts, inertia = step(centers)
        new = centers.copy()
        full = counts > 0
        new[full] = sums[full] / counts[full, None]
        shift = float(np.sum((new - centers) ** 2))
        converged = previous is not None and np.array_equal(previous, labels)
        previous = labels.copy()
        centers = new
        if converged or shift <= tol_abs:
            break
    _, _, inertia = step(centers)
    return labels, centers, inertia, n_iter


@fill
def kmeans(image, k, *, rng=None, max_iter=100, tol=1e-4, n_init=1, channel_axis=None) -> KMeansResult:
    """k-means clustering of the pixels' intensities or colours (k-means++ seeding, Lloyd iterations).

    Parameters
    ----------
    {image}
        Any number of spatial dimensions, grey or colour; must be finite.
    k : int
        The number of clusters (1 to the number of pixels).
    {rng}
    max_iter : int, optional
        The most Lloyd iterations per run.
    tol : float, optional
        Stop when the summed squared movement of the centres is at most ``tol`` times the mean variance of
        the channels (scikit-learn's rule), or when no label changes.
    n_init : int, optional
        The number of runs from different seedings; the one of least inertia is returned.
    {channel_axis}

    Returns
    -------
    KMeansResult
        ``labels`` (int32, the spatial shape, 0..k-1, each pixel's nearest centre; ties to the smaller
        index), ``centers`` ((k, C) float64, C = 1 for grey images, in the image's value scale),
        ``inertia`` and ``n_iter`` (of the returned run).

    Raises
    ------
    ValueError
        If ``k`` is not in [1, number of pixels], or the image holds NaN or inf.

    Notes
    -----
    Seeding (k-means++): c_1 is a uniformly random pixel, c_j a pixel drawn with probability D(x)^2 /
    sum D^2, D the distance to the nearest chosen centre. Lloyd: assign every vector to its nearest centre,
    move each centre to the mean of its vectors; an empty cluster keeps its centre. The inertia never
    increases. The final labels are recomputed from the final centres. Grey uint8/uint16 images iterate over
    their histogram (each level weighted by its count: the same sums, exactly, at a fraction of the cost).

    References
    ----------
    S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Information Theory 28(2), 129-137, 1982.
    DOI 10.1109/TIT.1982.1056489.
    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding", Proc. ACM-SIAM SODA,
    1027-1035, 2007.

    Examples
    --------
    >>> img = np.array([[0, 1, 100], [2, 101, 99]], dtype=np.uint8)
    >>> res = kmeans(img, 2, rng=0)
    >>> print(np.sort(res.centers.ravel()))
    [  1. 100.]
    >>> print(res.labels == res.labels[0, 0])
    [[ True  True False]
     [ True False False]]
    """
    func = "kmeans"
    x, spatial, axis, arr = _vectors(image, func, channel_axis)
    x = x.reshape(-1, x.shape[-1])
    k = _validate.number(k, func, "k", low=1, high=x.shape[0], integer=True)
    max_iter = _validate.positive_int(max_iter, func, "max_iter")
    tol = _validate.number(tol, func, "tol", low=0)
    n_init = _validate.positive_int(n_init, func, "n_init")
    gen = _validate.as_rng(rng, func)
    _k = _kload("cluster")

    tol_abs = tol * float(np.mean(np.var(x, axis=0)))
    levels = None
    if x.shape[1] == 1 and arr.dtype.type in (np.uint8, np.uint16):
        # grey levels: Lloyd over the histogram (integer sums, so the same centres as over the pixels)
        from .. import histogram as _histogram

        counts = _histogram.histogram(arr).counts
        levels = np.flatnonzero(counts)
        level_x = levels.astype(np.float64)[:, None]
        level_w = counts[levels].astype(np.float64)
    best = None
    for _ in range(n_init):
        init = _kmeans_plus_plus(x, k, gen)
        if levels is None:
            run = _lloyd(x, init, max_iter, tol_abs, _k)
        else:
            run = _lloyd(level_x, init, max_iter, tol_abs, _k, weights=level_w)
        if best is None or run[2] < best[2]:
            best = run
    labels, centers, inertia, n_iter = best
    if levels is not None:
        table = np.zeros(int(np.iinfo(arr.dtype).max) + 1, dtype=np.int32)
        table[levels] = labels
        labels = table[arr]
    return KMeansResult(labels.reshape(spatial), centers, float(inertia), int(n_iter))


# -- colour: sRGB <-> CIE L*u*v* (D65) ------------------------------------------------------------------------------

_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE = _RGB_TO_XYZ.sum(axis=1)  # D65, Y = 1
_KAPPA = 24389.0 / 27.0
_EPS = 216.0 / 24389.0


def _uv(x, y, z):
    den = x + 15.0 * y + 3.0 * z
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(den > 0, 4.0 * x / den, 0.0)
        v = np.where(den > 0, 9.0 * y / den, 0.0)
    return u, v


def _srgb_to_luv(rgb):
    """sRGB in [0, 1] (..., 3) -> CIE L*u*v* (L in [0, 100]), D65 white."""
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = lin @ _RGB_TO_XYZ.T
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    yr = y / _WHITE[1]
    lum = np.where(yr > _EPS, 116.0 * np.cbrt(yr) - 16.0, _KAPPA * yr)
    u, v = _uv(x, y, z)
    un, vn = _uv(*_WHITE)
    return np.stack([lum, 13.0 * lum * (u - un), 13.0 * lum * (v - vn)], axis=-1)


def _luv_to_srgb(luv):
    """CIE L*u*v* -> sRGB in [0, 1] (not clipped)."""
    lum, us, vs = luv[..., 0], luv[..., 1], luv[..., 2]
    un, vn = _uv(*_WHITE)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(lum > 0, us / (13.0 * lum) + un, un)
        v = np.where(lum > 0, vs / (13.0 * lum) + vn, vn)
        y = np.where(lum > _KAPPA * _EPS, ((lum + 16.0) / 116.0) ** 3, lum / _KAPPA) * _WHITE[1]
        x = np.where(v > 0, y * 9.0 * u / (4.0 * v), 0.0)
        z = np.where(v > 0, y * (12.0 - 3.0 * u - 20.0 * v) / (4.0 * v), 0.0)
    lin = np.stack([x, y, z], axis=-1) @ _XYZ_TO_RGB.T
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.abs(lin) ** (1 / 2.4) * np.sign(lin) - 0.055)


def _merge_small(labels, feat, min_size):
    """Merge every region smaller than ``min_size`` into its 8-adjacent region of closest mean value
    (ties to the smaller label), all small regions at once, repeatedly, then renumber 1..n in raster order."""
    _k = _kload("cluster")

    labels = np.ascontiguousarray(labels, dtype=np.int64)
    n_ch = feat.shape[-1]
    while True:
        n = int(labels.max())
        flat = labels.ravel()
        sizes = np.bincount(flat, minlength=n + 1)
        small = (sizes < min_size) & (sizes > 0)
        small[0] = False
        if not small.any():
            break
        means = np.stack([np.bincount(flat, weights=feat[..., c].ravel(), minlength=n + 1)
                          for c in range(n_ch)], axis=-1) / np.maximum(sizes, 1)[:, None]
        best_d = np.empty(n + 1)
        best_b = np.empty(n + 1, dtype=np.int64)
        if _k.closest_neighbours(labels, np.ascontiguousarray(means), small, best_d, best_b) == 0:
            break  # a small region alone in the image
        target = np.arange(n + 1)
        chosen = best_b >= 0
        target[chosen] = best_b[chosen]
        # resolve chains (a -> b -> c) by following them
        for _ in range(n):
            nxt = target[target]
            if np.array_equal(nxt, target):
                break
            # a 2-cycle (two small regions choosing each other): keep the smaller label as the root
            cyc = nxt == np.arange(n + 1)
            target = np.where(cyc, np.minimum(np.arange(n + 1), target), nxt)
        labels = target[labels]
    out = np.empty(labels.shape, dtype=np.int32)
    _k.renumber_raster(labels, int(labels.max()), out)
    return out


@fill
def mean_shift(image, *, spatial_radius, range_radius, max_iter=100, tol=1e-3, min_size=20, channel_axis=None,
               color_space="rgb") -> MeanShiftResult:
    """Mean-shift filtering and segmentation (Comaniciu & Meer) with flat spatial and range kernels.

    Parameters
    ----------
    {image}
        2-D, grey or colour (3 channels for ``color_space='luv'``); must be finite.
    spatial_radius : float
        h_s, the radius of the spatial window (a disc), in pixels.
    range_radius : float
        h_r, the radius of the range window: in the image's value scale for ``'rgb'`` (and grey), in
        L*u*v* units (L* in [0, 100]) for ``'luv'``.
    max_iter : int, optional
        The most mean-shift steps per pixel.
    tol : float, optional
        A pixel's iteration stops when its step, measured in radii (sqrt((dx/h_s)^2 + (df/h_r)^2)), is
        below ``tol``.
    min_size : int, optional
        Regions with fewer pixels are merged into their most similar neighbour (1: no merging).
    {channel_axis}
    color_space : {'rgb', 'luv'}, optional
        The space the range distance is measured in: the image's own channels (``'rgb'``, also for grey
        images), or CIE L*u*v* computed from sRGB (uint8 images are read as [0, 255], others as [0, 1]),
        as Comaniciu & Meer recommend (a roughly perceptually uniform space).

    Returns
    -------
    MeanShiftResult
        ``filtered``: every pixel replaced by the value of its mode, the input's shape, float32 (float64
        for float64 input) in the input's value scale (converted back from L*u*v* for ``'luv'``);
        ``labels``: int32 regions 1..n of the spatial shape (``n_regions`` property).

    Raises
    ------
    ValueError
        For non-positive radii, a colour space that needs 3 channels, or a non-finite image.

    Notes
    -----
    Filtering: from y_0 = (x_i, f_i), y_(t+1) is the mean of the joint points (x_j, f_j) with
    ||x_j - y^s|| <= h_s and ||f_j - y^r|| <= h_r (flat kernels), until the step is below ``tol``; z_i takes
    the range part of the mode. Segmentation: 8-neighbours whose modes are closer than h_s in position and
    h_r in value are joined (union-find), then regions under ``min_size`` pixels merge into the adjacent
    region of nearest mean (filtered) value, repeatedly. Each window row is scanned over the whole square
    (2 h_s + 1 wide) with the disc and range tests as branch-free masks, which vectorises; uint8/uint16
    images sum in integers (exact), other images in float64 in raster order, so every path gives the
    modes of float64 arithmetic; colour uint8 images test the range distance in 16 float32 lanes (a float32
    copy of the image, 12 bytes a pixel) between error margins and take the float64 test for the rare window
    with a pixel between them (camera in colour: 1.5x faster, the same modes). Rows are shared between
    threads from 64 Kpx (the filtering is compute-bound). OpenCV's ``pyrMeanShiftFiltering`` differs: a
    square window, at most 5 steps, a pyramid.

    References
    ----------
    D. Comaniciu and P. Meer, "Mean shift: a robust approach toward feature space analysis", IEEE Trans. PAMI
    24(5), 603-619, 2002. DOI 10.1109/34.1000236.

    Examples
    --------
    >>> img = np.array([[10, 12, 200, 202], [11, 10, 201, 199]], dtype=np.uint8)
    >>> res = mean_shift(img, spatial_radius=2, range_radius=20, min_size=1)
    >>> print(res.labels)
    [[1 1 2 2]
     [1 1 2 2]]
    >>> print(np.round(res.filtered).astype(int))
    [[ 11  11 200 200]
     [ 11  11 200 200]]
    """
    func = "mean_shift"
    x, spatial, axis, arr = _vectors(image, func, channel_axis, spatial_ndim=2)
    hs = _validate.number(spatial_radius, func, "spatial_radius", low=0, low_open=True)
    hr = _validate.number(range_radius, func, "range_radius", low=0, low_open=True)
    max_iter = _validate.positive_int(max_iter, func, "max_iter")
    tol = _validate.number(tol, func, "tol", low=0)
    min_size = _validate.positive_int(min_size, func, "min_size")
    space = _validate.choice(color_space, func, "color_space", ("rgb", "luv"))
    if space == "luv":
        if x.shape[-1] != 3:
            _validate.fail(func, "color_space", color_space, "'rgb' unless the image has 3 colour channels")
        scale = 255.0 if arr.dtype == np.uint8 else 1.0
        feat = np.ascontiguousarray(_srgb_to_luv(x / scale))
    else:
        feat = x
    _k = _kload("cluster")

    value = np.empty_like(feat)
    pos = np.empty(feat.shape[:2] + (2,))
    # planar (C, H, W) for the kernel; uint8/uint16 stay integers (exact integer sums, vectorised), the rest
    # float64 (sums in raster order): the modes are those of float64 arithmetic either way
    if space == "rgb" and arr.dtype.type in (np.uint8, np.uint16):
        src = np.moveaxis(arr, axis, -1) if axis is not None else arr[..., None]
        zero = np.int64(0)
    else:
        src, zero = feat, 0.0
    src = np.ascontiguousarray(np.moveaxis(src, -1, 0))
    # a 3-channel uint8 image also as float32, a row and 16 columns larger (read, masked off): the window sums
    # in 16 lanes, the same sums (see the kernel)
    fast = src.dtype == np.uint8 and src.shape[0] == 3
    g = np.empty((3, 0, 0), np.float32)
    if fast:
        g = np.zeros((3, src.shape[1] + 1, src.shape[2] + 16), np.float32)
        g[:, :-1, :-16] = src
    # compute-bound: threads pay early
    with _parallel._band_threads(feat.shape[0] * feat.shape[1], PARALLEL_MIN_PIXELS // 16) as threads:
        # interleaved rows in 4 blocks a thread (fastdip.parallel takes the next block as a thread frees)
        _parallel._run_blocks(_k.mean_shift_filter, (src, g, hs, hr, max_iter, tol, zero, value, pos),
                              4 * threads, threads)
    labels = np.empty(spatial, dtype=np.int32)
    parent = np.empty(labels.size, dtype=np.int64)
    _k.mode_components(value, pos, hs, hr, parent, labels)
    if min_size > 1:
        labels = _merge_small(labels, value, min_size)
    filtered = _luv_to_srgb(value) * scale if space == "luv" else value
    out_dtype = _validate.float_dtype_for(arr.dtype)
    filtered = filtered.astype(out_dtype)
    filtered = filtered[..., 0] if axis is None else np.moveaxis(filtered, -1, axis)
    return MeanShiftResult(np.ascontiguousarray(filtered), labels)
