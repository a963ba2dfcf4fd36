"""Global thresholds: Otsu, multi-Otsu (exact, by dynamic programming), the mean, a percentile, and applying
thresholds to get a label image.

One convention throughout: a threshold ``t`` splits the levels into ``<= t`` (background, or the lower class)
and ``> t`` (foreground): ``image > otsu(image)`` is the foreground, exactly as scikit-image's
``threshold_otsu``. OpenCV's ``cv2.threshold(..., THRESH_OTSU)`` returns the same number for uint8 images
(its ``THRESH_BINARY`` output is ``src > t`` too).

Histograms. Integer images use one bin per integer level (the threshold is a level of the image, exact); float
images use ``bins`` equal bins over [min, max] (numpy.histogram's edges) and the thresholds are bin centres,
as scikit-image does. Empty bins never change a partition, so only the occupied levels enter the search.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import _validate
from .._docs import fill
from .._kernels import load as _kload
from ..intensity import _exceeds

__all__ = ["otsu", "multi_otsu", "apply_thresholds", "threshold_mean", "threshold_percentile", "binarize"]

#: relative closeness under which Otsu's float64 objective values are re-compared in exact integer arithmetic
_NEAR_TIE = 1e-9


def _occupied_levels(image, func: str, bins):
    """Check a grey image; return (counts int64, values float64, integer) over its occupied levels only."""
    arr = _validate.image(image, func, finite=True)
    n_bins = _validate.positive_int(bins, func, "bins", low=2)
    from .. import histogram as _histogram

    if arr.dtype.type in (np.uint8, np.uint16):
        counts = _histogram.histogram(arr).counts
        values = np.arange(counts.size, dtype=np.float64)
        integer = True
    elif arr.dtype.kind in "iu":
        levels, counts = np.unique(arr, return_counts=True)
        values = levels.astype(np.float64)
        counts = counts.astype(np.int64)
        integer = True
    else:
        x = arr.astype(np.float64) if arr.dtype == np.float16 else arr
        lo, hi = float(x.min()), float(x.max())
        if lo == hi:
            return np.array([arr.size], dtype=np.int64), np.array([lo]), False
        hist = _histogram.histogram(x, bins=n_bins)
        counts, values = hist.counts, hist.centers.astype(np.float64)
        integer = False
    keep = counts > 0
    return counts[keep], values[keep], integer


def _otsu_exact_key(n1: int, s1: int, n: int, s: int) -> Fraction:
    return Fraction((n * s1 - n1 * s) ** 2, n1 * (n - n1))


@fill
def otsu(image, *, bins=256) -> float:
    """Otsu's threshold: the level that maximises the between-class variance of the two classes it makes.

    Parameters
    ----------
    {image}
        Grey-level, any number of dimensions; float images must be finite.
    bins : int, optional
        Number of histogram bins for float images (equal bins over [min, max]); integer images always use one
        bin per integer level.

    Returns
    -------
    float
        The threshold ``t``: ``image > t`` is the foreground. For integer images it is an integer level of the
        image (the largest level of the background class); for float images a bin centre. A constant image
        returns its value (everything is background).

    Raises
    ------
    ValueError
        If ``bins`` < 2 or a float image holds NaN or inf.
    TypeError
        If the image is not numeric.

    Notes
    -----
    With n_1(t), S_1(t) the pixel count and sum of levels <= t, N and S the totals, the between-class variance
    is sigma_B^2(t) proportional to (N S_1 - n_1 S)^2 / (n_1 (N - n_1)). It is evaluated in float64 for every
    occupied level; for integer images the levels whose value is within 1e-9 (relative) of the best are
    compared again in exact integer arithmetic, so the result is the exact maximiser. Ties go to the smallest
    level (as skimage's argmax and OpenCV's strict comparison).

    References
    ----------
    N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans. Systems, Man, and
    Cybernetics 9(1), 62-66, 1979. DOI 10.1109/TSMC.1979.4310076.
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 10.3.

    Examples
    --------
    >>> img = np.array([[10, 12, 11], [200, 210, 205]], dtype=np.uint8)
    >>> otsu(img)
    12.0
    >>> print((img > otsu(img)).astype(int))
    [[0 0 0]
     [1 1 1]]
    """
    func = "otsu"
    counts, values, integer = _occupied_levels(image, func, bins)
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
        near = np.flatnonzero(objective >= objective[best] * (1.0 - _NEAR_TIE))
        if near.size > 1:
            ints = values.astype(np.int64)
            icounts = [int(c) for c in counts]
            ilevels = [int(v) for v in ints]
            prefix_n = np.cumsum(icounts).tolist()
            prefix_s = np.cumsum([c * v for c, v in zip(icounts, ilevels)], dtype=object).tolist()
            total_s = prefix_s[-1]
            keys = [_otsu_exact_key(prefix_n[i], prefix_s[i], n, total_s) for i in near]
            best = int(near[max(range(len(near)), key=lambda j: (keys[j], -near[j]))])
    return float(values[best])


@fill
def multi_otsu(image, *, classes=3, bins=256) -> np.ndarray:
    """Multi-level Otsu: the ``classes - 1`` thresholds that maximise the between-class variance, found exactly.

    Parameters
    ----------
    {image}
        Grey-level, any number of dimensions; float images must be finite.
    classes : int, optional
        Number of classes (2 to 256); ``classes=2`` is :func:`otsu`.
    bins : int, optional
        Number of histogram bins for float images (equal bins over [min, max]); integer images always use one
        bin per integer level.

    Returns
    -------
    ndarray of float64, shape (classes - 1,)
        Increasing thresholds t_1 < ... < t_(k-1); class j holds the levels in (t_j, t_(j+1)] (see
        :func:`apply_thresholds`). Integer images: levels of the image; float images: bin centres.

    Raises
    ------
    ValueError
        If ``classes`` is outside [2, 256], the image has fewer occupied levels (bins) than ``classes``, or a
        float image holds NaN or inf.

    Notes
    -----
    Maximising sigma_B^2 = sum_j w_j mu_j^2 - mu^2 is maximising sum_j S_j^2 / W_j (S_j, W_j the level sum
    and pixel count of class j, from prefix sums). The classes are contiguous runs of the n occupied levels,
    so a dynamic programme over suffixes, G_j(a) = max_b [S(a..b)^2 / W(a..b) + G_(j-1)(b + 1)], gives the
    exact optimum of the exhaustive search in O(k n^2) operations (about 0.3 M for 5 classes of 256 levels)
    instead of O(n^(k-1)). Each class term is computed identically for every partition and the terms are
    added right to left, so the optimum is the float64 maximum of the exhaustive search itself. Ties (equal
    float64 objectives) go to the smallest t_1, then the smallest t_2, ... (the first in the lexicographic
    order of skimage's search).

    References
    ----------
    N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans. SMC 9(1), 62-66, 1979.
    P.-S. Liao, T.-S. Chen and P.-C. Chung, "A fast algorithm for multilevel thresholding", J. Inf. Sci. Eng.
    17, 713-727, 2001 (the between-class form and its lookup tables).
    M. Luessi, M. Eichmann, G. M. Schuster and A. K. Katsaggelos, "Framework for efficient optimal multilevel
    image thresholding", J. Electronic Imaging 18(1), 013004, 2009. DOI 10.1117/1.3073891 (the dynamic
    programme).

    Examples
    --------
    >>> img = np.array([0, 1, 2, 50, 51, 52, 200, 201, 202], dtype=np.uint8)
    >>> print(multi_otsu(img, classes=3))
    [ 2. 52.]
    >>> print(apply_thresholds(img, multi_otsu(img, classes=3)))
    [0 0 0 1 1 1 2 2 2]
    """
    func = "multi_otsu"
    classes = _validate.number(classes, func, "classes", low=2, high=256, integer=True)
    counts, values, _ = _occupied_levels(image, func, bins)
    n = counts.size
    if n < classes:
        _validate.fail(func, "image", np.asarray(image),
                       f"an image with at least classes={classes} occupied levels (bins), it has {n}")
    if n == classes:
        return values[:-1].copy()
    _k = _kload("cluster")

    prefix_w = np.zeros(n + 1)
    prefix_s = np.zeros(n + 1)
    np.cumsum(counts, out=prefix_w[1:])
    np.cumsum(counts * values, out=prefix_s[1:])
    table = np.empty((classes, n))
    choice = np.empty((classes, n), dtype=np.int64)
    cuts = np.empty(classes - 1, dtype=np.int64)
    _k.multi_otsu_dp(prefix_w, prefix_s, table, choice, cuts)
    return values[cuts]


def apply_thresholds(image, thresholds) -> np.ndarray:
    """Label each pixel by the number of thresholds it exceeds: a class image 0..k.

    Parameters
    ----------
    image : ndarray
        Grey-level image, any number of dimensions, never modified.
    thresholds : float or sequence of float
        Increasing thresholds (e.g. from :func:`multi_otsu`), at most 255.

    Returns
    -------
    ndarray of uint8
        ``label = #{j : image > t_j}``: 0 for pixels <= t_1, k for pixels > t_k.

    Raises
    ------
    ValueError
        If the thresholds are not finite and non-decreasing, or more than 255.

    Notes
    -----
    The same convention as :func:`otsu` (``> t`` is above). ``np.digitize(image, t)`` (as skimage's examples
    use) puts a pixel equal to t_j in the upper class instead. uint8 images go through a 256-entry table.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 10.3 (multiple
    thresholds).

    Examples
    --------
    >>> print(apply_thresholds(np.array([0, 5, 6, 10, 11]), [5, 10]))
    [0 0 1 1 2]
    """
    func = "apply_thresholds"
    arr = _validate.image(image, func, allow_bool=True, finite=True)  # NaN belongs to no class
    try:
        t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    except (TypeError, ValueError):
        _validate.fail(func, "thresholds", thresholds, "a number or a sequence of numbers", TypeError)
    if t.ndim != 1 or t.size == 0 or t.size > 255 or not np.isfinite(t).all() or np.any(np.diff(t) < 0):
        _validate.fail(func, "thresholds", thresholds, "1 to 255 finite non-decreasing numbers")
    if arr.dtype == np.uint8:
        lut = np.searchsorted(t, np.arange(256, dtype=np.float64), side="left").astype(np.uint8)
        return lut[arr]
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8)
    out = np.searchsorted(t, arr.reshape(-1), side="left").astype(np.uint8)
    return out.reshape(arr.shape)


@fill
def threshold_mean(image) -> float:
    """The mean intensity as a threshold (``image > t`` is the foreground).

    Parameters
    ----------
    {image}
        Grey-level, any number of dimensions; must be finite.

    Returns
    -------
    float
        The mean of all pixels (float64 accumulation).

    Raises
    ------
    ValueError
        If the image holds NaN or inf.

    Notes
    -----
    t = (1/N) sum_x f(x): a crude but parameter-free split (skimage's ``threshold_mean``).

    References
    ----------
    C. A. Glasbey, "An analysis of histogram-based thresholding algorithms", CVGIP: Graphical Models and
    Image Processing 55(6), 532-537, 1993. DOI 10.1006/cgip.1993.1040.

    Examples
    --------
    >>> threshold_mean(np.array([[0, 2], [4, 10]], dtype=np.uint8))
    4.0
    """
    arr = _validate.image(image, "threshold_mean", finite=True)
    return float(np.mean(arr, dtype=np.float64))


@fill
def threshold_percentile(image, q) -> float:
    """The ``q``-th percentile of the intensities as a threshold (``image > t`` keeps about 100 - q %).

    Parameters
    ----------
    {image}
        Grey-level, any number of dimensions; must be finite.
    q : float
        Percentile in [0, 100].

    Returns
    -------
    float
        numpy.percentile's value (linear interpolation between order statistics).

    Raises
    ------
    ValueError
        If ``q`` is outside [0, 100] or the image holds NaN or inf.

    Notes
    -----
    The P-tile method: choose t so that a known fraction of the image lies above it.

    References
    ----------
    W. Doyle, "Operations useful for similarity-invariant pattern recognition", J. ACM 9(2), 259-267, 1962
    (the P-tile method). DOI 10.1145/321119.321123.

    Examples
    --------
    >>> threshold_percentile(np.arange(11, dtype=np.uint8), 90)
    9.0
    """
    func = "threshold_percentile"
    arr = _validate.image(image, func, finite=True)
    q = _validate.number(q, func, "q", low=0, high=100)
    return float(np.percentile(arr, q))


_BINARIZE_METHODS = ("otsu", "multi_otsu", "mean", "percentile")


@fill
def binarize(image, threshold="otsu", *, q=None, classes=3, bins=256, dark=False) -> np.ndarray:
    """A foreground mask from a global threshold: the image -> mask counterpart of the threshold functions.

    Parameters
    ----------
    {image}
        Grey-level, any number of dimensions; float images must be finite.
    threshold : {{'otsu', 'multi_otsu', 'mean', 'percentile'}} or float, optional
        How to find the threshold t: :func:`otsu`; the highest of :func:`multi_otsu`'s ``classes - 1``
        thresholds (the brightest class is the foreground); :func:`threshold_mean`;
        :func:`threshold_percentile` at ``q``; or the number t itself.
    q : float, optional
        The percentile in [0, 100] for ``threshold='percentile'`` (required there, refused elsewhere).
    classes : int, optional
        The number of classes for ``threshold='multi_otsu'`` (2 to 6).
    bins : int, optional
        Histogram bins for float images ('otsu', 'multi_otsu').
    dark : bool, optional
        False: pixels above t are the foreground (bright objects, ``image > t``, the convention of
        :func:`otsu`); True: pixels at or below t are (dark objects, ``image <= t``).

    Returns
    -------
    ndarray of bool
        The mask, the image's shape.

    Raises
    ------
    ValueError
        For an unknown method, a missing or misplaced ``q``, a non-finite number, or a float image with NaN.
    TypeError
        If the image is not numeric.

    Notes
    -----
    A constant image has no foreground with ``dark=False`` (every pixel equals t).

    References
    ----------
    N. Otsu, "A threshold selection method from gray-level histograms", IEEE Trans. Systems, Man, and
    Cybernetics 9(1), 62-66, 1979. DOI 10.1109/TSMC.1979.4310076.
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 10.3.

    Examples
    --------
    >>> img = np.array([[10, 12, 11], [200, 210, 205]], dtype=np.uint8)
    >>> print(binarize(img).astype(int))
    [[0 0 0]
     [1 1 1]]
    >>> print(binarize(img, 11, dark=True).astype(int))
    [[1 0 1]
     [0 0 0]]
    """
    func = "binarize"
    arr = _validate.image(image, func, finite=True)
    if not isinstance(dark, (bool, np.bool_)):
        _validate.fail(func, "dark", dark, "True or False", TypeError)
    if isinstance(threshold, str):
        _validate.choice(threshold, func, "threshold", _BINARIZE_METHODS)
        if (q is not None) != (threshold == "percentile"):
            _validate.fail(func, "q", q, "a percentile with threshold='percentile' and None otherwise")
        if threshold == "otsu":
            t = otsu(arr, bins=bins)
        elif threshold == "multi_otsu":
            classes = _validate.number(classes, func, "classes", low=2, high=6, integer=True)
            t = float(multi_otsu(arr, classes=classes, bins=bins)[-1])
        elif threshold == "mean":
            t = threshold_mean(arr)
        else:
            t = threshold_percentile(arr, q)
    else:
        if q is not None:
            _validate.fail(func, "q", q, "None when threshold is a number")
        t = _validate.number(threshold, func, "threshold")
    return _exceeds(arr, float(t), dark)
