"""Image quality and mask overlap metrics: mse, psnr, ssim, ssim_map, dice, iou.

Every metric compares a ``reference`` with an ``image`` of the same shape and returns a Python float
(``ssim_map`` returns the local SSIM image). Quality metrics take integer or float images and never rescale
them: ``data_range`` is the span of possible values, taken from the dtype for integer images and required
for float images.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate, parallel
from ._docs import fill
from ._kernels import load as _kload
from ._kernels._config import PARALLEL_MIN_PIXELS

__all__ = ["mse", "psnr", "ssim", "ssim_map", "dice", "iou"]

#: dtypes the kernels are compiled for; other inputs, and pairs of different dtypes, go as float64
_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
#: Gaussian window radius int(truncate * sigma + 0.5): 5 for sigma 1.5, the 11x11 window of Wang et al.
_TRUNCATE = 3.5


def _pair(reference, image, func: str) -> tuple[np.ndarray, np.ndarray]:
    ref = _validate.image(reference, func, param="reference")
    img = _validate.image(image, func, param="image")
    if img.shape != ref.shape:
        _validate.fail(func, "image", img, f"an array of the reference's shape {ref.shape}")
    return ref, img


def _kernel_pair(ref: np.ndarray, img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both as C-contiguous, writeable arrays of one kernel dtype (a bounded set of numba signatures)."""
    same = ref.dtype == img.dtype and ref.dtype.type in _KERNEL_DTYPES
    if same and ref.flags.c_contiguous and img.flags.c_contiguous and ref.flags.writeable and img.flags.writeable:
        return ref, img  # the usual pair: no conversion (~0.3 µs of a 512² uint8 psnr's ~10 µs)
    dtype = ref.dtype if same else np.dtype(np.float64)
    return _kernel_array(ref, dtype), _kernel_array(img, dtype)


def _kernel_array(arr: np.ndarray, dtype) -> np.ndarray:
    arr = np.ascontiguousarray(arr, dtype=dtype)
    return arr if arr.flags.writeable else arr.copy()


def _not_finite(func: str, ref: np.ndarray, img: np.ndarray, data_range=None):
    """Explain a NaN/inf result: non-finite input values, else values too extreme for float64."""
    _validate.image(ref, func, param="reference", finite=True)
    _validate.image(img, func, param="image", finite=True)
    limit = "" if data_range is None else f" for data_range={data_range!r}"
    raise ValueError(f"{func}: the result is not finite; the image values are too large or too close{limit}")


def _data_range(data_range, ref: np.ndarray, img: np.ndarray, func: str) -> float:
    if data_range is not None:
        return _validate.number(data_range, func, "data_range", low=0, low_open=True)
    if ref.dtype.kind == "f" or img.dtype.kind == "f":
        _validate.fail(
            func,
            "data_range",
            data_range,
            "given for float images (the span of possible values, e.g. 1.0 for images in [0, 1])",
        )
    if ref.dtype != img.dtype:
        _validate.fail(
            func,
            "data_range",
            data_range,
            f"given when reference and image have different dtypes ({ref.dtype.name} and {img.dtype.name})",
        )
    info = np.iinfo(ref.dtype)
    return float(info.max) - float(info.min)


def _squared_error(ref: np.ndarray, img: np.ndarray, func: str) -> float:
    x, y = _kernel_pair(ref, img)
    _k = _kload("metrics")

    if x.dtype.type is np.uint8:
        return _k.squared_error_sum_u8(x, y) / x.size
    total = _k.squared_error_sum(x, y)
    if not math.isfinite(total):
        _not_finite(func, ref, img)
    return total / x.size


def mse(reference, image) -> float:
    """Mean squared error between two images.

    Parameters
    ----------
    reference : ndarray
        The reference image (any shape, integer or float dtype), never modified.
    image : ndarray
        The image to compare, of the reference's shape; its dtype may differ.

    Returns
    -------
    float
        The mean of ``(reference - image) ** 2``, computed in float64 from the original values (nothing is
        rescaled, integers never wrap).

    Raises
    ------
    TypeError
        If an input is not a numeric array (bool and complex are refused).
    ValueError
        If the shapes differ, an input is empty, or an input holds NaN or inf.

    Notes
    -----
    MSE = (1/N) sum_i (r_i - x_i)^2 over all N elements.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 8.1
       (fidelity criteria: root-mean-square error). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import mse
    >>> a = np.array([[0, 10], [20, 30]], dtype=np.uint8)
    >>> b = np.array([[0, 12], [20, 26]], dtype=np.uint8)
    >>> mse(a, b)
    5.0
    """
    ref, img = _pair(reference, image, "mse")
    return _squared_error(ref, img, "mse")


def psnr(reference, image, *, data_range=None) -> float:
    """Peak signal-to-noise ratio of an image against a reference, in decibels.

    Parameters
    ----------
    reference : ndarray
        The reference image (any shape, integer or float dtype), never modified.
    image : ndarray
        The image to compare, of the reference's shape; its dtype may differ (then ``data_range`` is needed).
    data_range : float, optional
        The span of possible values, L - 1 for integer images: by default the integer dtype's span
        (255 for uint8, 65535 for uint16 and int16). Required for float images (e.g. 1.0 for images in
        [0, 1]) and for a pair of different dtypes.

    Returns
    -------
    float
        ``10 log10(data_range**2 / MSE)``; ``inf`` for identical images (MSE = 0).

    Raises
    ------
    TypeError
        If an input is not a numeric array (bool and complex are refused).
    ValueError
        If the shapes differ, an input is empty or holds NaN or inf, or ``data_range`` is missing for a float
        image (or for different dtypes) or is not a positive number.

    Notes
    -----
    PSNR = 10 log10(R^2 / MSE) with R = ``data_range``; the MSE is computed in float64 (see ``mse``).
    Unlike scikit-image, no data range is guessed for float images.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 8.1
       (fidelity criteria: mean-square signal-to-noise ratio). Pearson.
    .. [2] Huynh-Thu, Q., & Ghanbari, M. (2008). Scope of validity of PSNR in image/video quality assessment.
       Electronics Letters, 44(13), 800-801. DOI:10.1049/el:20080522

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import psnr
    >>> a = np.array([[0, 10], [20, 30]], dtype=np.uint8)
    >>> b = np.array([[0, 12], [20, 26]], dtype=np.uint8)
    >>> round(psnr(a, b), 3)
    41.141
    >>> psnr(a, a)
    inf
    >>> round(psnr(a / 255, b / 255, data_range=1.0), 3)
    41.141
    """
    ref, img = _pair(reference, image, "psnr")
    peak = _data_range(data_range, ref, img, "psnr")
    error = _squared_error(ref, img, "psnr")
    if error == 0.0:
        return math.inf
    return 10.0 * math.log10(peak * peak / error)


def _gaussian_weights(sigma: float, radius: int) -> np.ndarray:
    """The normalised 1-D Gaussian window, as scipy.ndimage.gaussian_filter1d builds it."""
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    return weights / weights.sum()


def _ssim_channels(reference, image, func, data_range, channel_axis, sigma, k1, k2, full_map):
    """Check the arguments, then run the SSIM kernel on each channel.

    Returns (sum of local SSIM over the cropped interior of every channel, number of those pixels, map);
    the map is None unless ``full_map``, when it is the float64 SSIM image of the input's shape.
    """
    ref, img = _pair(reference, image, func)
    axis = _validate.channel_axis(channel_axis, ref.ndim, func)
    spatial = ref.ndim - (axis is not None)
    if spatial not in (2, 3):
        allowed = "a 2-D image or 3-D volume" + (" plus the channel axis" if axis is not None else "")
        _validate.fail(func, "reference", ref, allowed)
    sigma = _validate.number(sigma, func, "sigma", low=0, low_open=True)
    k1 = _validate.number(k1, func, "k1", low=0, low_open=True)
    k2 = _validate.number(k2, func, "k2", low=0, low_open=True)
    radius = int(_TRUNCATE * sigma + 0.5)
    size = 2 * radius + 1
    shape = tuple(n for d, n in enumerate(ref.shape) if d != axis)
    if min(shape) < size:
        hint = " (for a colour image pass channel_axis)" if axis is None and spatial == 3 else ""
        _validate.fail(
            func,
            "image",
            img,
            f"at least {size} pixels along each spatial axis, the Gaussian window for sigma={sigma:g}{hint}",
        )
    peak = _data_range(data_range, ref, img, func)
    weights = _gaussian_weights(sigma, radius)
    c1 = (k1 * peak) ** 2
    c2 = (k2 * peak) ** 2

    _k = _kload("metrics")

    kernel = _k.ssim_2d if spatial == 2 else _k.ssim_3d
    result = np.empty(ref.shape, dtype=np.float64) if full_map else None
    total = 0.0
    count = 0
    for c in range(1 if axis is None else ref.shape[axis]):
        x = ref if axis is None else np.take(ref, c, axis=axis)
        y = img if axis is None else np.take(img, c, axis=axis)
        x, y = _kernel_pair(x, y)
        if full_map:
            # scipy's 'reflect' border (skimage's full map); the valid part of the padded input is the full map
            x = np.pad(x, radius, mode="symmetric")
            y = np.pad(y, radius, mode="symmetric")
        valid = tuple(n - size + 1 for n in x.shape)
        rowsum = np.empty(math.prod(valid[:-1]))
        # the kernels take the map as 2-D (rows of the last axis) and skip it when it has no rows
        if not full_map:
            smap = np.empty((0, 0))
        else:
            smap = result if axis is None else np.empty(valid)
        # threads gave 2.0x from 512^2 up on an idle 2-core machine, but with the other core busy a parallel
        # call waited 4-8 ms for its second thread (camera: 8 ms parallel vs 2.4 ms serial); so the common
        # threshold, where the gain (25 ms at 2048^2) outweighs that risk
        # (bands of output rows, 2-D, or planes, 3-D, on fastdip's worker threads: the serial kernel)
        with parallel._band_threads(math.prod(valid), PARALLEL_MIN_PIXELS) as threads:
            parallel._run_bands(kernel, (x, y, weights, c1, c2, rowsum,
                                         smap.reshape(-1, smap.shape[-1]) if full_map else smap),
                                valid[0], 4 * threads, threads)
        channel_sum = float(rowsum.sum())
        if not math.isfinite(channel_sum):
            _not_finite(func, ref, img, peak)
        if full_map:
            if axis is not None:
                np.moveaxis(result, axis, 0)[c] = smap
        else:
            total += channel_sum
            count += math.prod(valid)
    return total, count, result


@fill
def ssim(reference, image, *, data_range=None, channel_axis=None, sigma=1.5, k1=0.01, k2=0.03) -> float:
    """Mean structural similarity (SSIM) index between two images or volumes.

    Parameters
    ----------
    reference : (M, N[, P]) ndarray
        The reference image (2-D) or volume (3-D), with one more axis for colour channels; never modified.
    image : ndarray
        The image to compare, of the reference's shape; its dtype may differ (then ``data_range`` is needed).
    data_range : float, optional
        The span L of possible values: by default the integer dtype's span (255 for uint8, 65535 for uint16).
        Required for float images (e.g. 1.0 for images in [0, 1]) and for a pair of different dtypes.
    {channel_axis}
        The result is the mean of the channels' SSIM values.
    sigma : float, optional
        The standard deviation of the Gaussian window, truncated at radius ``int(3.5 * sigma + 0.5)``
        (the 11x11 window of Wang et al. for the default 1.5).
    k1, k2 : float, optional
        The positive constants of the formula: C1 = (k1 L)^2, C2 = (k2 L)^2.

    Returns
    -------
    float
        The mean local SSIM, at most 1 (1 for identical images), computed in float64.

    Raises
    ------
    TypeError
        If an input is not a numeric array (bool and complex are refused) or an option has the wrong type.
    ValueError
        If the shapes differ; an input is empty or holds NaN or inf; the image is not 2-D or 3-D (besides
        ``channel_axis``) or is smaller than the window along an axis; ``data_range`` is missing for float
        images or different dtypes; ``data_range``, ``sigma``, ``k1`` or ``k2`` is not positive.

    Notes
    -----
    With Gaussian-weighted local means mu, population variances s^2 and covariance s_xy,
    SSIM = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2)), averaged over the
    pixels at least the window radius from every border (as Wang et al.'s code and scikit-image's
    ``structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)``). Only those
    windows are computed, so no border mode is involved.

    References
    ----------
    .. [1] Wang, Z., Bovik, A. C., Sheikh, H. R., & Simoncelli, E. P. (2004). Image quality assessment:
       from error visibility to structural similarity. IEEE Transactions on Image Processing, 13(4),
       600-612. DOI:10.1109/TIP.2003.819861

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import ssim
    >>> ref = np.add.outer(np.arange(16), np.arange(16)).astype(np.uint8) * 6
    >>> ssim(ref, ref)
    1.0
    >>> noisy = ref.copy()
    >>> noisy[::2, ::2] += 20
    >>> round(ssim(ref, noisy), 4)
    0.8344
    """
    total, count, _ = _ssim_channels(reference, image, "ssim", data_range, channel_axis, sigma, k1, k2, False)
    return total / count


@fill
def ssim_map(reference, image, *, data_range=None, channel_axis=None, sigma=1.5, k1=0.01, k2=0.03) -> np.ndarray:
    """Local structural similarity (SSIM) at every pixel, as an image.

    Parameters
    ----------
    reference : (M, N[, P]) ndarray
        The reference image (2-D) or volume (3-D), with one more axis for colour channels; never modified.
    image : ndarray
        The image to compare, of the reference's shape; its dtype may differ (then ``data_range`` is needed).
    data_range : float, optional
        The span L of possible values: by default the integer dtype's span (255 for uint8, 65535 for uint16).
        Required for float images (e.g. 1.0 for images in [0, 1]) and for a pair of different dtypes.
    {channel_axis}
        Each channel's map is computed on its own.
    sigma : float, optional
        The standard deviation of the Gaussian window, truncated at radius ``int(3.5 * sigma + 0.5)``.
    k1, k2 : float, optional
        The positive constants of the formula: C1 = (k1 L)^2, C2 = (k2 L)^2.

    Returns
    -------
    ndarray
        float64, of the input's shape: the SSIM of the window centred on each pixel, at most 1.

    Raises
    ------
    TypeError, ValueError
        As ``ssim``.

    Notes
    -----
    The formula is that of ``ssim``. Windows that cross the border see the image extended by reflection,
    ``d c b a | a b c d | d c b a`` (scipy's 'reflect', the map of scikit-image's ``full=True``);
    ``ssim`` is the mean of this map without the border strip of the window radius, where it is exact.

    References
    ----------
    .. [1] Wang, Z., Bovik, A. C., Sheikh, H. R., & Simoncelli, E. P. (2004). Image quality assessment:
       from error visibility to structural similarity. IEEE Transactions on Image Processing, 13(4),
       600-612. DOI:10.1109/TIP.2003.819861

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import ssim, ssim_map
    >>> ref = np.add.outer(np.arange(16), np.arange(16)).astype(np.uint8) * 6
    >>> noisy = ref.copy()
    >>> noisy[::2, ::2] += 20
    >>> m = ssim_map(ref, noisy)
    >>> m.shape, m.dtype
    ((16, 16), dtype('float64'))
    >>> bool(np.isclose(m[5:-5, 5:-5].mean(), ssim(ref, noisy)))
    True
    """
    _, _, result = _ssim_channels(reference, image, "ssim_map", data_range, channel_axis, sigma, k1, k2, True)
    return result


def _masks(a, b, func: str) -> tuple[np.ndarray, np.ndarray]:
    masks = []
    for value, name in ((a, "a"), (b, "b")):
        arr = _validate.image(value, func, param=name, allow_bool=True)
        if arr.dtype.kind == "f":
            _validate.fail(func, name, arr, "a bool or integer mask (threshold a float map first, e.g. p > 0.5)",
                           TypeError)
        masks.append(arr if arr.dtype == bool else arr != 0)
    if masks[1].shape != masks[0].shape:
        _validate.fail(func, "b", masks[1], f"an array of the shape of a, {masks[0].shape}")
    return masks[0], masks[1]


def _overlap(a, b, func: str) -> tuple[int, int, int]:
    """(|A and B|, |A|, |B|) for two masks, nonzero meaning inside."""
    ma, mb = _masks(a, b, func)
    return int(np.count_nonzero(ma & mb)), int(np.count_nonzero(ma)), int(np.count_nonzero(mb))


def dice(a, b) -> float:
    """Dice coefficient (F1 score) of two masks: twice the overlap over the total size.

    Parameters
    ----------
    a, b : ndarray
        Masks of one shape, bool or integer; nonzero means inside (for one label of a label image pass
        ``labels == k``). Float arrays are refused. Never modified.

    Returns
    -------
    float
        2 |A and B| / (|A| + |B|), in [0, 1]; 1.0 when both masks are empty (they agree everywhere).

    Raises
    ------
    TypeError
        If a mask is not an array of bool or integer dtype.
    ValueError
        If the shapes differ or a mask is empty (has no elements).

    Notes
    -----
    Dice = 2 |A n B| / (|A| + |B|) = 2 IoU / (1 + IoU).

    References
    ----------
    .. [1] Dice, L. R. (1945). Measures of the amount of ecologic association between species. Ecology,
       26(3), 297-302. DOI:10.2307/1932409

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import dice
    >>> a = np.array([[1, 1, 0], [0, 1, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0], [0, 1, 1]], dtype=bool)
    >>> round(dice(a, b), 4)
    0.6667
    >>> dice(np.zeros((2, 2), bool), np.zeros((2, 2), bool))
    1.0
    """
    both, na, nb = _overlap(a, b, "dice")
    return 1.0 if na + nb == 0 else 2.0 * both / (na + nb)


def iou(a, b) -> float:
    """Intersection over union (Jaccard index) of two masks.

    Parameters
    ----------
    a, b : ndarray
        Masks of one shape, bool or integer; nonzero means inside (for one label of a label image pass
        ``labels == k``). Float arrays are refused. Never modified.

    Returns
    -------
    float
        |A and B| / |A or B|, in [0, 1]; 1.0 when both masks are empty (they agree everywhere).

    Raises
    ------
    TypeError
        If a mask is not an array of bool or integer dtype.
    ValueError
        If the shapes differ or a mask is empty (has no elements).

    Notes
    -----
    IoU = |A n B| / |A u B| = Dice / (2 - Dice).

    References
    ----------
    .. [1] Jaccard, P. (1912). The distribution of the flora in the alpine zone. New Phytologist, 11(2),
       37-50. DOI:10.1111/j.1469-8137.1912.tb05611.x

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.metrics import iou
    >>> a = np.array([[1, 1, 0], [0, 1, 0]], dtype=bool)
    >>> b = np.array([[1, 0, 0], [0, 1, 1]], dtype=bool)
    >>> iou(a, b)
    0.5
    """
    both, na, nb = _overlap(a, b, "iou")
    union = na + nb - both
    return 1.0 if union == 0 else both / union
