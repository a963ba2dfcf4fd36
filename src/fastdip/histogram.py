"""Histograms: counts, ImageJ-style statistics, equalisation and matching (specification).

Integer images (uint8, uint16) are counted per level with a numba kernel; equalisation and matching then build a
LUT over all levels and apply it with ``fastdip.intensity.apply_lut``, so both are exact on integer levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _docs, _validate, parallel
from ._kernels import load as _kload
from ._kernels._config import readonly
from .intensity import _lookup

__all__ = ["Histogram", "HistogramStats", "histogram", "stats", "equalize", "match"]

_LEVEL_DTYPES = (np.uint8, np.uint16)
# uint16 data: two threads above this many pixels (measured with the same kernel on 4096² levels: 3.1 vs 3.9 ms).
_PARALLEL_MIN_PIXELS = 1 << 22
# uint8 data is counted eight pixels per 64-bit load; two threads paid from 512² up on idle cores (0.037 vs
# 0.056 ms), but waking them costs ~75 us (fastdip.parallel): parallel from 1024² (0.36 ms serial per call).
_BYTES_PARALLEL_MIN_PIXELS = 1 << 20


class Histogram(NamedTuple):
    """Counts per bin and the bin edges (len(edges) == len(counts) + 1); unpacks as ``counts, edges``."""

    counts: np.ndarray
    edges: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        """The centre of each bin."""
        return (self.edges[:-1] + self.edges[1:]) / 2


def _level_counts(arr: np.ndarray) -> np.ndarray:
    """Counts per level of a uint8/uint16 image (int64, 2**bits entries)."""
    _k = _kload("histogram")

    flat = readonly(arr.reshape(-1))  # one kernel signature for read-only inputs too
    n_levels = int(np.iinfo(arr.dtype).max) + 1
    # slices of the image on fastdip's worker threads, each counted into tables of its own, summed here
    if arr.dtype == np.uint8:
        n_words = flat.size // 8
        words = flat[: n_words * 8].view(np.uint64)
        tail = flat[n_words * 8:]

        def count(lo, hi):  # (the uint8 tail goes with the first slice)
            mine = np.zeros(n_levels, np.int64)
            _k.count_bytes(words[lo:hi], tail if lo == 0 else tail[:0], mine)
            return mine

        # uint32 tables inside count_bytes: every slice under 2**32 words, with threads or without
        with parallel._band_threads(flat.size, _BYTES_PARALLEL_MIN_PIXELS) as threads:
            blocks = max(threads, -(-n_words // (1 << 31)))
            if threads > 1:
                parts = parallel._run_bands(count, (), n_words, blocks, threads)
            else:
                parts = [count(b * n_words // blocks, (b + 1) * n_words // blocks) for b in range(blocks)]
    else:
        def count(lo, hi):
            mine = np.zeros(n_levels, np.int64)
            _k.count_levels(flat[lo:hi], mine)
            return mine

        with parallel._band_threads(flat.size, _PARALLEL_MIN_PIXELS) as threads:
            parts = parallel._run_bands(count, (), flat.size, threads, threads)
    counts = parts[0] if len(parts) == 1 else np.sum(parts, axis=0)
    return counts


def _finite_range(arr: np.ndarray, func: str) -> tuple[float, float]:
    finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
    if finite.size == 0:
        raise ValueError(f"{func}: image has no finite values to take a range from")
    return float(finite.min()), float(finite.max())


def _bins_and_range(bins, range_, arr, func):
    n_bins = _validate.positive_int(bins, func, "bins")
    if range_ is None:
        lo, hi = _finite_range(arr, func)
    else:
        try:
            lo, hi = (float(v) for v in range_)
        except (TypeError, ValueError):
            _validate.fail(func, "range", range_, "None or a pair (low, high) of numbers", TypeError)
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
            _validate.fail(func, "range", range_, "a pair (low, high) of finite numbers with low <= high")
    if lo == hi:
        # numpy's convention for a degenerate range
        lo, hi = lo - 0.5, hi + 0.5
    return n_bins, lo, hi


@_docs.fill
def histogram(image, bins=None, range=None) -> Histogram:  # noqa: A002 - numpy's name for the argument
    """Histogram of intensities: counts per level (integer images) or per uniform bin.

    Parameters
    ----------
    {image}
    bins : int, optional
        Number of uniform bins. Default: one bin per level for uint8/uint16 images (256 or 65536 bins with
        edges 0, 1, ..., L), 256 for other dtypes.
    range : (low, high), optional
        The binned interval. Default: the dtype range for uint8/uint16 with default bins, otherwise the
        image's finite minimum and maximum. Values outside are not counted.

    Returns
    -------
    Histogram
        ``(counts, edges)``: int64 counts and float64 edges; every bin is half-open [e_i, e_(i+1)) except the
        last, which is closed, exactly as numpy.histogram. NaN pixels are not counted.

    Raises
    ------
    ValueError
        If ``bins`` is not a positive int, the range is invalid, or the image has no finite values.

    Notes
    -----
    h(r_k) = n_k, the number of pixels of level r_k; p(r_k) = n_k / MN is the normalised histogram.
    Levels are counted in one pass with four interleaved tables (two threads above 4 Mpx).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3.

    Examples
    --------
    >>> counts, edges = histogram(np.array([0, 1, 1, 255], dtype=np.uint8))
    >>> counts[:3], counts[255], len(edges)
    (array([1, 2, 0]), np.int64(1), 257)
    >>> histogram(np.array([0.0, 0.5, 1.0]), bins=2).counts
    array([1, 2])
    """
    func = "histogram"
    arr = _validate.image(image, func)
    if arr.dtype.type in _LEVEL_DTYPES:
        levels = _level_counts(arr)
        n_levels = levels.size
        if bins is None and range is None:
            return Histogram(levels, np.arange(n_levels + 1, dtype=np.float64))
        n_bins, lo, hi = _bins_and_range(256 if bins is None else bins, range, arr, func)
        # Bin the levels themselves, weighted by their counts: the same edges and rule as numpy.histogram.
        counts, edges = np.histogram(np.arange(n_levels), bins=n_bins, range=(lo, hi), weights=levels)
        return Histogram(counts.astype(np.int64), edges)
    n_bins, lo, hi = _bins_and_range(256 if bins is None else bins, range, arr, func)
    # numpy.histogram's rule: edges in the input's float type (float32 stays float32), compared in that type.
    work_dtype = np.float32 if arr.dtype == np.float32 else np.float64
    # (an automatic range is computed in the input's type, a given one in float64, as numpy does)
    if range is None:
        lo, hi = work_dtype(lo), work_dtype(hi)
    edges = np.linspace(lo, hi, n_bins + 1, dtype=work_dtype)
    counts = np.zeros(n_bins, dtype=np.int64)
    _k = _kload("histogram")

    values = np.ascontiguousarray(arr, dtype=work_dtype).reshape(-1)
    _k.count_bins(values, edges, counts)
    return Histogram(counts, edges)


@dataclass(frozen=True)
class HistogramStats:
    """ImageJ's histogram statistics (Analyze > Histogram); ``str()`` prints them in ImageJ's layout."""

    count: int
    min: float
    mean: float
    max: float
    std: float
    mode: float
    mode_count: int
    bins: int
    bin_width: float
    is_float: bool

    def __str__(self) -> str:
        def num(v):
            return f"{v:.3f}" if self.is_float else f"{v:g}"

        lines = [
            f"Count: {self.count}  Min: {num(self.min)}",
            f"Mean: {self.mean:.3f}  Max: {num(self.max)}",
            f"StdDev: {self.std:.3f}  Mode: {num(self.mode)} ({self.mode_count})",
        ]
        if self.is_float:
            lines.append(f"Bins: {self.bins}  Bin Width: {self.bin_width:.4g}")
        return "\n".join(lines)


@_docs.fill
def stats(image, bins=256) -> HistogramStats:
    """ImageJ-style histogram statistics: count, min, mean, max, standard deviation and mode.

    Parameters
    ----------
    {image}
    bins : int, optional
        Bins for float images (uniform over [min, max]); integer images always use one bin per level.

    Returns
    -------
    HistogramStats
        ``std`` is the sample standard deviation (n - 1), as ImageJ. ``mode`` is the most frequent level
        (the lowest on a tie) for integer images, the centre of the fullest bin for float images. NaN
        pixels are excluded from every statistic.

    Raises
    ------
    ValueError
        If the image has no finite values.

    Notes
    -----
    mean = Σ r / n, std = sqrt(Σ (r - mean)² / (n - 1)), computed in float64.

    References
    ----------
    W. S. Rasband, *ImageJ User Guide*, sec. 30.3 (Analyze > Histogram), U.S. NIH, https://imagej.net/ij/docs/guide/

    Examples
    --------
    >>> print(stats(np.array([[0, 10], [10, 20]], dtype=np.uint8)))
    Count: 4  Min: 0
    Mean: 10.000  Max: 20
    StdDev: 8.165  Mode: 10 (2)
    """
    func = "stats"
    arr = _validate.image(image, func, allow_bool=False)
    if arr.dtype.type in _LEVEL_DTYPES:
        counts = _level_counts(arr)
        levels = np.arange(counts.size, dtype=np.float64)
        n = int(arr.size)
        nonzero = np.flatnonzero(counts)
        mean = float(counts @ levels) / n
        var = float(counts @ (levels - mean) ** 2) / (n - 1) if n > 1 else 0.0
        mode = int(np.argmax(counts))
        return HistogramStats(n, float(nonzero[0]), mean, float(nonzero[-1]), var**0.5, float(mode),
                              int(counts[mode]), counts.size, 1.0, False)
    values = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr.reshape(-1)
    if values.size == 0:
        raise ValueError(f"{func}: image has no finite values")
    n_bins = _validate.positive_int(bins, func, "bins")
    values64 = values.astype(np.float64)
    n = int(values64.size)
    mean = float(values64.mean())
    std = float(values64.std(ddof=1)) if n > 1 else 0.0
    lo, hi = float(values64.min()), float(values64.max())
    if arr.dtype.kind in "ui":
        # other integer dtypes: one bin per level, as for uint8/uint16
        uniq, cnt = np.unique(values, return_counts=True)
        k = int(np.argmax(cnt))
        return HistogramStats(n, lo, mean, hi, std, float(uniq[k]), int(cnt[k]), uniq.size, 1.0, False)
    counts, edges = histogram(values64, bins=n_bins)
    k = int(np.argmax(counts))
    width = float(edges[1] - edges[0])
    return HistogramStats(n, lo, mean, hi, std, float((edges[k] + edges[k + 1]) / 2), int(counts[k]),
                          n_bins, width, True)


def _equalize_lut(counts: np.ndarray, definition: str) -> np.ndarray:
    """The equalisation LUT for integer level counts (len L), as float64 before rounding."""
    top = counts.size - 1
    cdf = np.cumsum(counts)
    total = cdf[-1]
    if definition == "gonzalez":
        return top * cdf.astype(np.float64) / total
    # OpenCV's equalizeHist: levels below the first occupied one -> 0, the rest scaled by
    # (L-1) / (total - h[first]) in float32, rounded half to even.
    first = int(np.flatnonzero(counts)[0])
    if counts[first] == total:
        return np.full(counts.size, float(first))
    scale = np.float32(top) / np.float32(total - counts[first])
    lut = (cdf - counts[first]).astype(np.float32) * scale
    lut[: first + 1] = 0
    return lut.astype(np.float64)


_YCBCR = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]])


def _per_channel(arr, axis, func_one):
    moved = np.moveaxis(arr, axis, -1)
    outs = [func_one(moved[..., c]) for c in range(moved.shape[-1])]
    return np.moveaxis(np.stack(outs, axis=-1), -1, axis)


def _equalize_one(arr: np.ndarray, bins: int, definition: str) -> np.ndarray:
    if arr.dtype.type in _LEVEL_DTYPES:
        lut = _equalize_lut(_level_counts(arr), definition)
        # _lookup: the table is built here with 2**bits entries of the image's dtype, so apply_lut's checks
        # (~3-5 µs of a ~250 µs call at 512²) have nothing to find
        return _lookup(arr, _validate.cast_result(lut, arr.dtype))
    if arr.dtype.kind in "iu":
        raise TypeError(f"equalize: image must be uint8, uint16 or float, got dtype {arr.dtype.name}")
    counts, edges = histogram(arr, bins=bins)
    cdf = np.cumsum(counts).astype(np.float64)
    cdf /= cdf[-1]
    centers = (edges[:-1] + edges[1:]) / 2
    return np.interp(arr, centers, cdf).astype(arr.dtype)


@_docs.fill
def equalize(image, bins=256, *, channel_axis=None, colour="channels", definition="gonzalez") -> np.ndarray:
    """Histogram equalisation: s = T(r) = (L - 1) · CDF(r), spreading the levels over the whole range.

    Parameters
    ----------
    {image}
    bins : int, optional
        Bins for float images; uint8/uint16 images always use one bin per level (exact).
    {channel_axis}
    colour : {'channels', 'luminance'}, optional
        With ``channel_axis``: equalise each channel independently, or equalise the luma Y of an RGB image
        in YCbCr (ITU-R BT.601, full range) and convert back, which keeps the hues.
    definition : {'gonzalez', 'opencv'}, optional
        'gonzalez': s_k = round((L-1) · Σ_(j<=k) n_j / MN) (Gonzalez & Woods eq. 3-15). 'opencv': as
        cv2.equalizeHist, s_k = round((L-1) · (cdf_k - n_first) / (MN - n_first)), so the darkest occupied
        level maps to 0 (identical to OpenCV on uint8). Integer images only; floats use the CDF
        interpolated at the bin centres, as scikit-image.

    Returns
    -------
    ndarray
        uint8/uint16: the input dtype, exact. Float input: floats in [0, 1] (the CDF), same dtype.

    Raises
    ------
    TypeError
        For signed or other integer dtypes.
    ValueError
        For a bad ``colour``, ``definition`` or a luminance request without 3 channels, or an image holding
        NaN or inf.

    Notes
    -----
    The output histogram is only approximately flat for discrete levels; the mapping is monotone.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3, eq. (3-15).

    Examples
    --------
    >>> equalize(np.array([[50, 50], [51, 52]], dtype=np.uint8))
    array([[128, 128],
           [191, 255]], dtype=uint8)
    >>> equalize(np.array([[50, 50], [51, 52]], dtype=np.uint8), definition="opencv")
    array([[  0,   0],
           [128, 255]], dtype=uint8)
    """
    func = "equalize"
    arr = _validate.image(image, func, finite=True)  # NaN has no place in a cumulative histogram
    _validate.choice(definition, func, "definition", ("gonzalez", "opencv"))
    _validate.choice(colour, func, "colour", ("channels", "luminance"))
    n_bins = _validate.positive_int(bins, func, "bins")
    if arr.dtype.kind == "f" and definition == "opencv":
        raise ValueError(f"{func}: definition='opencv' applies to uint8/uint16 images, got dtype {arr.dtype.name}")
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    if axis is None:
        return _equalize_one(arr, n_bins, definition)
    if colour == "channels":
        return _per_channel(arr, axis, lambda ch: _equalize_one(np.ascontiguousarray(ch), n_bins, definition))
    if arr.shape[axis] != 3:
        raise ValueError(f"{func}: colour='luminance' needs 3 channels along channel_axis={channel_axis}, "
                         f"got {arr.shape[axis]}")
    rgb = np.moveaxis(arr, axis, -1).astype(np.float64)
    ycc = rgb @ _YCBCR.T
    top = 1.0 if arr.dtype.kind == "f" else float(np.iinfo(arr.dtype).max)
    if arr.dtype.kind == "f":
        y_eq = _equalize_one(ycc[..., 0], n_bins, definition)
    else:
        y_int = _validate.cast_result(ycc[..., 0], arr.dtype)
        y_eq = _equalize_one(y_int, n_bins, definition).astype(np.float64)
    ycc[..., 0] = y_eq
    back = ycc @ np.linalg.inv(_YCBCR).T
    np.clip(back, 0, top, out=back)
    return np.moveaxis(_validate.cast_result(back, arr.dtype), -1, axis)


def _match_one(src: np.ndarray, ref: np.ndarray) -> np.ndarray:
    if src.dtype.type in _LEVEL_DTYPES and ref.dtype == src.dtype:
        src_cdf = np.cumsum(_level_counts(src)) / src.size
        ref_cdf = np.cumsum(_level_counts(ref)) / ref.size
        # z = G^-1(T(r)): the smallest reference level whose CDF reaches the source level's CDF. The
        # tolerance absorbs the rounding of the two divisions (CDFs that are equal in exact arithmetic).
        lut = np.searchsorted(ref_cdf, src_cdf - 1e-12, side="left")
        np.clip(lut, 0, ref_cdf.size - 1, out=lut)
        return _lookup(src, lut.astype(src.dtype))  # a table of 2**bits levels of src's dtype, as built here
    src_values, src_idx, src_counts = np.unique(src.reshape(-1), return_inverse=True, return_counts=True)
    ref_values, ref_counts = np.unique(ref.reshape(-1), return_counts=True)
    src_q = np.cumsum(src_counts) / src.size
    ref_q = np.cumsum(ref_counts) / ref.size
    mapped = np.interp(src_q, ref_q, ref_values.astype(np.float64))
    return _validate.cast_result(mapped[src_idx].reshape(src.shape), src.dtype)


@_docs.fill
def match(image, reference, *, channel_axis=None) -> np.ndarray:
    """Histogram matching (specification): remap ``image`` so its histogram follows ``reference``'s.

    Parameters
    ----------
    {image}
    reference : ndarray
        The image whose histogram is wanted (any shape; with ``channel_axis`` the same number of channels).
    {channel_axis}

    Returns
    -------
    ndarray
        The input dtype. For uint8/uint16 images with a reference of the same dtype the mapping is exact on
        levels; otherwise quantiles are interpolated (as scikit-image) and integers rounded.

    Raises
    ------
    ValueError
        If the channel counts differ, an input is empty, or an input holds NaN or inf.

    Notes
    -----
    With T the image's CDF and G the reference's, each level r maps to z = G⁻¹(T(r)), the smallest
    reference level with G(z) >= T(r). The mapping is monotone in r.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3
    (histogram matching), eqs. (3-17)-(3-20).

    Examples
    --------
    >>> img = np.array([0, 0, 1, 1], dtype=np.uint8)
    >>> ref = np.array([10, 10, 200, 200], dtype=np.uint8)
    >>> match(img, ref)
    array([ 10,  10, 200, 200], dtype=uint8)
    """
    func = "match"
    arr = _validate.image(image, func, finite=True)  # a NaN pixel would be mapped to an arbitrary level
    ref = _validate.image(reference, func, param="reference", finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    if axis is None:
        return _match_one(arr, ref)
    ref_axis = axis - arr.ndim + ref.ndim if channel_axis < 0 else axis
    if not 0 <= ref_axis < ref.ndim or ref.shape[ref_axis] != arr.shape[axis]:
        raise ValueError(f"{func}: reference must have {arr.shape[axis]} channels along channel_axis="
                         f"{channel_axis}, got shape {ref.shape}")
    ref_moved = np.moveaxis(ref, ref_axis, -1)
    moved = np.moveaxis(arr, axis, -1)
    outs = [_match_one(np.ascontiguousarray(moved[..., c]), np.ascontiguousarray(ref_moved[..., c]))
            for c in range(moved.shape[-1])]
    return np.moveaxis(np.stack(outs, axis=-1), -1, axis)
