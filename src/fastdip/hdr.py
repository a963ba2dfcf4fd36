"""High dynamic range from bracketed exposures: exposure fusion (Mertens, Kautz & Van Reeth) and the Gaussian /
Laplacian pyramids (Burt & Adelson) it blends with.

Pyramids use the 5-tap binomial kernel [1, 4, 6, 4, 1] / 16 with the 'mirror' border (``d c b | a b c d``,
OpenCV's BORDER_REFLECT_101): a level is the previous one filtered and subsampled by 2 (odd sides round up),
and expanding a level inserts zeros (to twice its size), filters with 4x the kernel and crops an odd side,
as OpenCV's ``pyrDown``/``pyrUp``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from . import _validate
from ._docs import fill

__all__ = ["exposure_fusion", "gaussian_pyramid", "laplacian_pyramid", "collapse"]

#: Burt & Adelson's generating kernel with a = 0.375 (the binomial [1, 4, 6, 4, 1] / 16)
_KERNEL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
#: luma weights of the grey image the contrast measure is taken on (ITU-R BT.601, as OpenCV's RGB2GRAY)
_LUMA = np.array([0.299, 0.587, 0.114])


def _prepare(image, func, channel_axis, param="image"):
    arr = _validate.image(image, func, param=param, finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    x = arr if axis is None else np.moveaxis(arr, axis, -1)
    spatial = x.ndim if axis is None else x.ndim - 1
    if spatial != 2:
        _validate.fail(func, param, arr, "a 2-D image (plus a channel axis when channel_axis is set)")
    dt = _validate.float_dtype_for(arr.dtype)
    return np.ascontiguousarray(x, dtype=dt), axis


@functools.lru_cache(maxsize=128)
def _axis_plan(n: int, m: int, up: bool, acc: str):
    """The resampling plan of one axis (``geometry._resize._table_plan``): pyrDown from n to m = ceil(n / 2)
    samples, out[o] = sum_a k[a] x[mirror(2o + a - 2)], or pyrUp from n to m (2n, or 2n - 1 cropped),
    out[t] = sum_a 2 k[a] u[mirror(t + a - 2)] over u, x with zeros inserted (2n samples; mirrored on that
    grid, so the zeros' positions decide which taps live near the ends). Only live taps are kept, those that
    read one sample merged (the mirror folds the border's taps onto each other), sorted by sample and padded
    with zero weights on the following samples: pyrDown 5 taps an output, pyrUp 3 or 2 (cached)."""
    from .geometry._resize import _source_index, _table_plan

    a = np.arange(-2, 3)[None, :]
    if up:
        s = _source_index(np.arange(m)[:, None] + a, 2 * n, "mirror")
        w = np.where(s % 2 == 0, 2.0 * _KERNEL[None, :], 0.0)
        s = s // 2
    else:
        s = _source_index(2 * np.arange(m)[:, None] + a, n, "mirror")
        w = np.broadcast_to(_KERNEL[None, :], s.shape)
    s = np.where(w != 0, s, n + 5)  # dead taps sort last
    order = np.argsort(s, axis=1, kind="stable")
    s = np.take_along_axis(s, order, 1)
    w = np.take_along_axis(w, order, 1)
    group = np.concatenate([np.zeros((m, 1), np.int64), np.cumsum(s[:, 1:] != s[:, :-1], axis=1)], axis=1)
    rows = np.repeat(np.arange(m), 5)
    merged = np.zeros((m, 5))
    np.add.at(merged, (rows, group.ravel()), w.ravel())
    src = np.full((m, 5), -1, np.int64)
    src[rows, group.ravel()] = s.ravel()
    live = (src >= 0) & (src < n)
    k = int(live.sum(axis=1).max())
    count = live.sum(axis=1)[:, None]
    j = np.arange(k)[None, :]
    last = src[np.arange(m), count[:, 0] - 1][:, None]
    idx = np.where(j < count, src[:, :k], np.minimum(last + (j - count + 1), n - 1))
    w = np.where(j < count, merged[:, :k], 0.0)
    idx = np.ascontiguousarray(idx)
    idx.setflags(write=False)
    return _table_plan(idx, np.ascontiguousarray(w), n, acc)


def _pyramid_pass(x, shape, up: bool, channels: bool):
    """pyrDown (``up`` False) or pyrUp of the float image ``x`` to the spatial ``shape``, by rows then columns:
    only the outputs kept are computed, from their live taps (a filter over the whole image then subsampled,
    or over the image with zeros inserted, took 4x the multiply-adds)."""
    from .geometry._resize import _table_passes

    acc = x.dtype.name
    y = x if channels else x[..., None]
    out = _table_passes(np.ascontiguousarray(y), _axis_plan(x.shape[0], shape[0], up, acc),
                        _axis_plan(x.shape[1], shape[1], up, acc))
    return out if channels else out[..., 0]


def _reduce(x, channels):
    return _pyramid_pass(x, ((x.shape[0] + 1) // 2, (x.shape[1] + 1) // 2), False, channels)


def _expand(x, shape, channels):
    # as pyrUp: zeros inserted to twice the coarse size, filtered, an odd side's last row/column dropped
    return _pyramid_pass(x, shape[:2], True, channels)


def _gauss(x, n: int, channels: bool) -> list:
    """The n levels of the Gaussian pyramid of the float image ``x`` (level 0 is ``x`` itself)."""
    out = [x]
    for _ in range(n - 1):
        out.append(_reduce(out[-1], channels))
    return out


def _laplace(x, n: int, channels: bool) -> list:
    """The n levels of the Laplacian pyramid of the float image ``x`` (the coarsest is the Gaussian level; each
    band is written over its expanded coarser level: no other array)."""
    gauss = _gauss(x, n, channels)
    out = []
    for fine, coarse in zip(gauss, gauss[1:]):
        band = _expand(coarse, fine.shape, channels)
        np.subtract(fine, band, out=band)
        out.append(band)
    return out + [gauss[-1]]


def _collapse(levels: list, channels: bool):
    """f = L_0 + expand(L_1 + expand(L_2 + ...)), each sum added into the expanded array."""
    acc = levels[-1]
    for band in reversed(levels[:-1]):
        acc = _expand(acc, band.shape, channels)
        acc += band
    return acc


def _levels(levels, shape, func):
    most = int(math.floor(math.log2(min(shape[:2])))) + 1
    if levels is None:
        return most
    return _validate.number(levels, func, "levels", low=1, high=most, integer=True)


def _abs_laplacian(grey):
    """|4-neighbour Laplacian| with the mirror border, in float64: exact for float32 data, so flat areas get
    exactly 0 (a rounding residue there would outweigh the 1e-12 floor of the weights). fastdip's five-tap
    Laplacian written in float64 (a padded float64 copy and five numpy passes took 12x as long)."""
    from . import filters

    return np.abs(filters.laplacian(grey, mode="mirror", dtype=np.float64)).astype(np.float32)


def _restore(x, axis):
    return x if axis is None else np.ascontiguousarray(np.moveaxis(x, -1, axis))


@fill
def gaussian_pyramid(image, levels=None, *, channel_axis=None) -> list:
    """The Gaussian pyramid: the image, then repeatedly filtered with the 5-tap binomial and halved.

    Parameters
    ----------
    {image}
        2-D, grey or colour.
    levels : int, optional
        The number of levels, the image included (default and most: floor(log2(min side)) + 1).
    {channel_axis}

    Returns
    -------
    list of ndarray
        ``levels`` arrays, level i of side ceil(side / 2^i); float32 (float64 for float64 input) in the
        input's value scale.

    Raises
    ------
    ValueError
        If ``levels`` is outside [1, floor(log2(min side)) + 1] or the image is not 2-D and finite.

    Notes
    -----
    g_0 = f, g_(l+1) = (w * g_l) subsampled by 2, w = [1, 4, 6, 4, 1]^T [1, 4, 6, 4, 1] / 256, the border
    mirrored (OpenCV's pyrDown).

    References
    ----------
    P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE Trans. Communications
    31(4), 532-540, 1983. DOI 10.1109/TCOM.1983.1095851.

    Examples
    --------
    >>> pyr = gaussian_pyramid(np.ones((8, 6), np.uint8))
    >>> [p.shape for p in pyr], float(pyr[-1][0, 0])
    ([(8, 6), (4, 3), (2, 2)], 1.0)
    """
    func = "gaussian_pyramid"
    x, axis = _prepare(image, func, channel_axis)
    n = _levels(levels, x.shape, func)
    channels = axis is not None
    if np.shares_memory(x, image):
        x = x.copy()  # level 0 is the caller's data: never hand out a view of it
    return [_restore(p, axis) for p in _gauss(x, n, channels)]


@fill
def laplacian_pyramid(image, levels=None, *, channel_axis=None) -> list:
    """The Laplacian pyramid: band-pass differences of the Gaussian pyramid, and its coarsest level.

    Parameters
    ----------
    {image}
        2-D, grey or colour.
    levels : int, optional
        The number of levels (default and most: floor(log2(min side)) + 1).
    {channel_axis}

    Returns
    -------
    list of ndarray
        L_i = g_i - expand(g_(i+1)) for i < levels - 1, and L_(levels-1) = g_(levels-1); float32 (float64
        for float64 input), the shapes of :func:`gaussian_pyramid`. :func:`collapse` inverts it.

    Raises
    ------
    ValueError
        If ``levels`` is out of range or the image is not 2-D and finite.

    Notes
    -----
    expand inserts zeros between samples and filters with 4 w (OpenCV's pyrUp); collapse adds the levels
    back from the coarsest, so the image is recovered up to float rounding.

    References
    ----------
    P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE Trans. Communications
    31(4), 532-540, 1983. DOI 10.1109/TCOM.1983.1095851.

    Examples
    --------
    >>> img = np.arange(48, dtype=np.float64).reshape(6, 8)
    >>> pyr = laplacian_pyramid(img, 3)
    >>> [p.shape for p in pyr]
    [(6, 8), (3, 4), (2, 2)]
    >>> bool(np.allclose(collapse(pyr), img))
    True
    """
    func = "laplacian_pyramid"
    x, axis = _prepare(image, func, channel_axis)
    n = _levels(levels, x.shape, func)
    channels = axis is not None
    out = _laplace(x, n, channels)
    if n == 1 and np.shares_memory(out[0], image):
        out[0] = out[0].copy()  # the one level is the caller's data: never hand out a view of it
    return [_restore(p, axis) for p in out]


def collapse(pyramid, *, channel_axis=None) -> np.ndarray:
    """Rebuild an image from its Laplacian pyramid: f = L_0 + expand(L_1 + expand(L_2 + ...)).

    Parameters
    ----------
    pyramid : list of ndarray
        Levels as :func:`laplacian_pyramid` returns them, finest first, each side half the previous one
        (rounded up).
    channel_axis : int or None, optional
        The axis that holds colour channels in every level (usually -1), or None for grey levels.

    Returns
    -------
    ndarray
        The image, of the first level's shape and float dtype (float32 unless the levels are float64).

    Raises
    ------
    ValueError
        If the pyramid is empty or its shapes do not halve.

    Notes
    -----
    The inverse of :func:`laplacian_pyramid`: each band was the difference with the expanded coarser level.

    References
    ----------
    P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE Trans. Communications
    31(4), 532-540, 1983. DOI 10.1109/TCOM.1983.1095851.

    Examples
    --------
    >>> pyr = laplacian_pyramid(np.eye(4))
    >>> print(np.round(collapse(pyr), 6))
    [[1. 0. 0. 0.]
     [0. 1. 0. 0.]
     [0. 0. 1. 0.]
     [0. 0. 0. 1.]]
    """
    func = "collapse"
    if not isinstance(pyramid, (list, tuple)) or len(pyramid) == 0:
        _validate.fail(func, "pyramid", pyramid, "a non-empty list of arrays", TypeError)
    levels = [_prepare(p, func, channel_axis, param="pyramid")[0] for p in pyramid]
    axis = _validate.channel_axis(channel_axis, np.asarray(pyramid[0]).ndim, func)
    for fine, coarse in zip(levels, levels[1:]):
        if coarse.shape[:2] != tuple((s + 1) // 2 for s in fine.shape[:2]) or coarse.shape[2:] != fine.shape[2:]:
            _validate.fail(func, "pyramid", pyramid, "levels whose sides halve (rounded up) from one to the next")
    acc = _collapse(levels, axis is not None)
    if len(levels) == 1 and np.shares_memory(acc, pyramid[0]):
        acc = acc.copy()  # the one level is the caller's data
    return _restore(acc, axis)


def exposure_fusion(images, *, contrast=1.0, saturation=1.0, exposedness=1.0, sigma=0.2, levels=None,
                    channel_axis=None) -> np.ndarray:
    """Fuse bracketed exposures into one well-exposed image (Mertens, Kautz & Van Reeth), no HDR radiance map.

    Parameters
    ----------
    images : sequence of ndarray
        Two or more images of the same shape and dtype: uint8 (read as [0, 255] and scaled to [0, 1]) or
        float in [0, 1]; grey 2-D or colour (``channel_axis``).
    contrast, saturation, exposedness : float, optional
        The exponents w_C, w_S, w_E of the three quality measures (0 ignores a measure).
    sigma : float, optional
        Width of the well-exposedness Gaussian around 0.5 (on the [0, 1] scale).
    levels : int, optional
        Pyramid levels (default and most: floor(log2(min side)) + 1, as OpenCV).
    channel_axis : int or None, optional
        The axis that holds colour channels (usually -1), or None for grey images.

    Returns
    -------
    ndarray of float32
        The fused image, the inputs' shape, on the [0, 1] scale whatever the input dtype (the inputs may be
        of several exposures and the blend is a new image, so it is not cast back); values can fall slightly
        outside [0, 1] (the pyramid blend is not clipped; clip before converting to uint8).

    Raises
    ------
    ValueError
        If fewer than two images are given, their shapes or dtypes differ, or a parameter is negative.

    Notes
    -----
    For image k: C = |Laplacian of its luma| (4-neighbour kernel), S = the standard deviation over R, G, B
    (not used for grey images), E = prod_c exp(-(I_c - 0.5)^2 / (2 sigma^2)); W_k = C^w_C S^w_S E^w_E + 1e-12,
    normalised so that sum_k W_k = 1 at every pixel. The result collapses the Laplacian pyramid
    sum_k G{W_k}_l L{I_k}_l: blending band by band avoids the seams a per-pixel blend leaves.
    The pyramids equal OpenCV's pyrDown/pyrUp (to float32 rounding). Against OpenCV's
    ``createMergeMertens(1, 1, 1).process`` (its defaults are 1, 1, 0) on three uint8 exposures of astronaut
    the fused images differ by 1e-7 with the well-exposedness weight alone, 3e-6 on average with contrast
    alone, and 1.1e-3 on average (99th percentile 0.017, max 0.14) with all three. The larger differences
    (1.5 % of the pixels above 0.02) sit on pixels that are grey (R = G = B) in every exposure: S = 0 there
    and the weights rest on the 1e-12 floor, where OpenCV's float32 mean of three equal values leaves a
    rounding residue that decides its blend. Here C and S are evaluated in float64, so flat or grey areas get
    exactly 0 and such pixels are blended with equal weights.

    References
    ----------
    T. Mertens, J. Kautz and F. Van Reeth, "Exposure fusion", Proc. Pacific Graphics 2007, 382-390.
    DOI 10.1109/PG.2007.17.
    P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE Trans. Communications
    31(4), 532-540, 1983. DOI 10.1109/TCOM.1983.1095851.

    Examples
    --------
    >>> dark = np.full((8, 8), 0.1)
    >>> mid = np.full((8, 8), 0.5)
    >>> fused = exposure_fusion([dark, mid], contrast=0.0)
    >>> round(float(fused.mean()), 3)
    0.452
    """
    func = "exposure_fusion"
    if isinstance(images, np.ndarray) or not isinstance(images, (list, tuple)) or len(images) < 2:
        _validate.fail(func, "images", images, "a list of two or more images", TypeError)
    w_c = _validate.number(contrast, func, "contrast", low=0)
    w_s = _validate.number(saturation, func, "saturation", low=0)
    w_e = _validate.number(exposedness, func, "exposedness", low=0)
    sigma = _validate.number(sigma, func, "sigma", low=0, low_open=True)
    first = _validate.image(images[0], func, param="images[0]", finite=True)
    prepared = []
    for i, im in enumerate(images):
        arr = _validate.image(im, func, param=f"images[{i}]", finite=True)
        if arr.shape != first.shape or arr.dtype != first.dtype:
            _validate.fail(func, f"images[{i}]", arr,
                           f"an image of the first one's shape {first.shape} and dtype {first.dtype}")
        x, axis = _prepare(arr, func, channel_axis, param=f"images[{i}]")
        # float32, a copy of its own (scaled in place below; _prepare's uint8 -> float32 conversion is one)
        x = x.astype(np.float32, copy=x.dtype != np.float32 or np.may_share_memory(x, arr))
        if arr.dtype == np.uint8:
            x *= np.float32(1.0 / 255.0)
        elif arr.dtype.kind in "iu":
            x /= np.float32(np.iinfo(arr.dtype).max)
        prepared.append(x)
    channels = axis is not None
    weights = []
    for x in prepared:
        grey = x @ _LUMA.astype(np.float32) if channels and x.shape[-1] == 3 else (
            x.mean(axis=-1) if channels else x)
        w = _abs_laplacian(grey) ** w_c if w_c else np.ones(grey.shape, np.float32)
        if channels and w_s:
            w = w * x.astype(np.float64).std(axis=-1).astype(np.float32) ** w_s
        if w_e:
            e = np.exp(-((x - 0.5) ** 2) / (2.0 * sigma * sigma))
            w = w * (np.prod(e, axis=-1) if channels else e) ** w_e
        weights.append(w.astype(np.float32) + np.float32(1e-12))
    total = np.sum(weights, axis=0)
    n = _levels(levels, prepared[0].shape, func)
    result = None
    for x, w in zip(prepared, weights):
        w /= total
        gw = _gauss(w, n, False)
        lx = _laplace(x, n, channels)
        for band, g in zip(lx, gw):
            np.multiply(band, g[..., None] if channels else g, out=band)
        if result is None:
            result = lx
        else:
            for r, b in zip(result, lx):
                r += b
    fused = _collapse(result, channels).astype(np.float32, copy=False)
    return _restore(fused, axis)
