"""Measuring labelled objects: region properties (a table), counting, and tracking across frames.

Every per-object quantity comes from a few numba passes over the label image (moments and bounding
boxes; perimeter; convex hulls for solidity; intensity sums), never from a Python loop over objects.

Property definitions follow skimage.measure.regionprops (same moments, same perimeter estimator, same
orientation convention), so the numbers can be compared one to one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate
from ._kernels import load as _kload

__all__ = ["RegionTable", "Tracks", "regionprops", "count", "track"]

_PERIMETER_WEIGHTS = np.zeros(50)
_PERIMETER_WEIGHTS[[5, 7, 15, 17, 25, 27]] = 1.0
_PERIMETER_WEIGHTS[[21, 33]] = np.sqrt(2.0)
_PERIMETER_WEIGHTS[[13, 23]] = (1 + np.sqrt(2.0)) / 2


def _kernels():
    return _kload("label")  # numba is imported on first use only


@dataclass(frozen=True)
class RegionTable:
    """A column table of per-object measurements (one row per object).

    ``table[name]`` is a read-only ndarray (n,) or, for vector properties such as ``centroid`` and
    ``bbox``, (n, k); ``table.columns`` lists the names in order; ``len(table)`` is the number of rows;
    ``table.records()`` gives one dict per row; ``table.to_pandas()`` a DataFrame (vector columns split as
    ``centroid-0``, ``centroid-1``, ...; needs pandas).
    """

    data: dict

    def __post_init__(self):
        for value in self.data.values():
            value.setflags(write=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.data)

    def __getitem__(self, column: str) -> np.ndarray:
        if column not in self.data:
            _validate.fail("RegionTable", "column", column, "one of " + ", ".join(map(repr, self.data)), KeyError)
        return self.data[column]

    def __len__(self) -> int:
        first = next(iter(self.data.values()), None)
        return 0 if first is None else len(first)

    def __iter__(self):
        return iter(self.records())

    def records(self) -> list[dict]:
        """One dict per row: scalars as Python numbers, vector properties as tuples."""
        rows = []
        for i in range(len(self)):
            row = {}
            for name, col in self.data.items():
                v = col[i]
                row[name] = tuple(x.item() for x in v) if col.ndim > 1 else v.item()
            rows.append(row)
        return rows

    def to_pandas(self):
        """The table as a pandas.DataFrame (vector columns split into ``name-0``, ``name-1``, ...)."""
        try:
            import pandas as pd
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("RegionTable.to_pandas needs pandas: pip install pandas "
                              "(or pip install 'fastdip[learn]')") from err
        flat = {}
        for name, col in self.data.items():
            if col.ndim > 1:
                for j in range(col.shape[1]):
                    flat[f"{name}-{j}"] = col[:, j]
            else:
                flat[name] = col
        return pd.DataFrame(flat)

    def __str__(self) -> str:
        head = []
        for name, col in self.data.items():
            head += [f"{name}-{j}" for j in range(col.shape[1])] if col.ndim > 1 else [name]
        lines = ["  ".join(head)]
        for i in range(min(len(self), 20)):
            cells = []
            for col in self.data.values():
                values = col[i] if col.ndim > 1 else [col[i]]
                cells += [f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v) for v in values]
            lines.append("  ".join(cells))
        if len(self) > 20:
            lines.append(f"... ({len(self)} rows)")
        return "\n".join(lines)


@dataclass(frozen=True)
class Tracks:
    """The result of ``track``: ``labels`` (T, ...) int32 images of track ids (0 = background) and ``table``,
    a RegionTable with columns frame, label, track and centroid (one row per object per frame)."""

    labels: np.ndarray
    table: RegionTable


def _label_image(labels, func: str, ndim=(2, 3), param: str = "labels") -> np.ndarray:
    arr = _validate.image(labels, func, param=param, ndim=ndim)
    if arr.dtype.kind not in "iu":
        _validate.fail(func, param, arr, "an integer label image", TypeError)
    if arr.dtype.kind == "i" and arr.min() < 0:
        _validate.fail(func, param, arr, "a label image without negative labels")
    if arr.max() > np.iinfo(np.int32).max:
        _validate.fail(func, param, arr, "labels below 2**31")
    return np.ascontiguousarray(arr, dtype=np.int32)


def _spacing(spacing, ndim: int, func: str) -> np.ndarray:
    if spacing is None:
        return np.ones(ndim)
    values = np.atleast_1d(np.asarray(spacing, dtype=float)) if not isinstance(spacing, str) else None
    if values is None or values.ndim != 1 or values.size not in (1, ndim) or not np.all(np.isfinite(values)) \
            or np.any(values <= 0):
        _validate.fail(func, "spacing", spacing, f"a positive number or {ndim} of them")
    return np.broadcast_to(values, (ndim,)).astype(float)


def _moments(lab: np.ndarray):
    """(present labels, count, sums (rows of acc), bbox) from one pass."""
    k = _kernels()
    n = int(lab.max()) if lab.size else 0
    if lab.ndim == 2:
        acc = np.zeros((n + 1, 8))
        bbox = np.zeros((n + 1, 4), np.int64)
        k.moments_2d(lab, n, acc, bbox)
    else:
        acc = np.zeros((n + 1, 4))
        bbox = np.zeros((n + 1, 6), np.int64)
        k.moments_3d(lab, n, acc, bbox)
    present = np.nonzero(acc[:, 0] > 0)[0]
    present = present[present > 0]
    return present, acc[present], bbox[present]


def _convex_areas(lab: np.ndarray, present: np.ndarray, bbox: np.ndarray) -> np.ndarray:
    """Per present label, the pixels whose centres lie in or on the convex hull of the label's pixels widened
    by half-pixel diamonds (skimage's convex_image definition), from one numba pass."""
    n = int(present[-1]) if present.size else 0
    full = np.zeros((n + 1, 4), np.int64)
    full[present] = bbox
    # starts[l]: the bounding-box rows of the labels before l (starts[n + 1]: all of them)
    starts = np.concatenate([[0], np.cumsum(full[:, 2] - full[:, 0])]).astype(np.int64)
    counts = np.zeros(n + 1, np.int64)
    _kernels().convex_counts(lab, n, full, starts, counts)
    return counts[present].astype(float)


def regionprops(labels, intensity=None, *, spacing=None):
    """Measure every labelled object: size, position, shape and intensity, as a table.

    Parameters
    ----------
    labels : (M, N) or (P, M, N) ndarray of int
        Label image (0 = background, objects > 0, e.g. from ``fastdip.segmentation.label``); never
        modified. Labels that do not occur get no row.
    intensity : ndarray, optional
        A grey image of the same shape for the intensity columns.
    spacing : float or sequence of float, optional
        Physical size of a pixel along each axis (default 1): scales area/volume, centroid, axis lengths,
        equivalent diameter and (for equal spacings) perimeter.

    Returns
    -------
    RegionTable
        One row per label, in increasing label order, with the columns (2-D): ``label``, ``area``,
        ``centroid`` (row, col), ``bbox`` (min_row, min_col, max_row, max_col; half-open),
        ``perimeter``, ``equivalent_diameter``, ``eccentricity``, ``orientation``, ``major_axis_length``,
        ``minor_axis_length``, ``solidity``; (3-D): ``label``, ``volume``, ``centroid``, ``bbox`` (6
        values), ``equivalent_diameter``; with ``intensity``: ``mean_intensity``, ``min_intensity``,
        ``max_intensity`` (float64).

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array.
    ValueError
        If ``labels`` has negative values, is not 2-D or 3-D, ``intensity`` has another shape or holds NaN,
        or ``spacing`` is not positive.

    Notes
    -----
    One numba pass sums, per label, the pixel count and the first and second moments (row, col, row²,
    col², row·col; coordinates relative to the object's first pixel, so the central moments mu_rr, mu_cc,
    mu_rc keep their precision) and the bounding box. From the covariance C = [[mu_rr, mu_rc],
    [mu_rc, mu_cc]] / area with eigenvalues l1 >= l2: major/minor axis lengths 4 sqrt(l1), 4 sqrt(l2)
    (the ellipse with the same second moments), eccentricity sqrt(1 - l2 / l1), orientation the angle in
    (-pi/2, pi/2] between the row axis (axis 0) and the major axis, 0.5 atan2(2 mu_rc, mu_rr - mu_cc)
    (skimage's convention: positive towards the +col axis). Perimeter: skimage's 4-neighbourhood estimator
    (border pixels weighted 1, sqrt 2 or (1 + sqrt 2) / 2 by their border neighbours' pattern).
    Solidity: area / the number of pixel centres inside the convex hull of the pixels' half-pixel diamonds
    (skimage's convex image; the hull by Andrew's monotone chain on each row's end pixels, in numba).
    Equivalent diameter: that of the disk (ball) of the same area (volume).

    References
    ----------
    .. [1] Burger, W., & Burge, M. J. (2016). Digital Image Processing: An Algorithmic Introduction Using
       Java (2nd ed.), chapter 10 (regions in binary images: moments, orientation, eccentricity). Springer.
       https://doi.org/10.1007/978-1-4471-6684-9
    .. [2] Benkrid, K., Crookes, D., & Benkrid, A. (2000). Design and FPGA implementation of a perimeter
       estimator. Proceedings of the Irish Machine Vision and Image Processing Conference (the weights).
    .. [3] Andrew, A. M. (1979). Another efficient algorithm for convex hulls in two dimensions. Information
       Processing Letters, 9(5), 216-219. https://doi.org/10.1016/0020-0190(79)90072-3
    .. [4] van der Walt, S., et al. (2014). scikit-image: image processing in Python. PeerJ 2:e453.
       https://doi.org/10.7717/peerj.453 (regionprops, whose definitions these follow)

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.measure import regionprops
    >>> labels = np.zeros((5, 6), dtype=np.int32)
    >>> labels[1:3, 1:5] = 1
    >>> labels[4, 0] = 2
    >>> table = regionprops(labels)
    >>> print(table["area"], table["centroid"][0], table["bbox"][0])
    [8. 1.] [1.5 2.5] [1 1 3 5]
    >>> round(float(table["eccentricity"][0]), 3), round(float(table["orientation"][0]), 3)
    (0.894, 1.571)
    """
    func = "regionprops"
    lab = _label_image(labels, func)
    sp = _spacing(spacing, lab.ndim, func)
    present, acc, bbox = _moments(lab)
    m = acc[:, 0]
    data: dict = {"label": present.astype(np.int64)}
    if lab.ndim == 2:
        r0, c0 = acc[:, 6], acc[:, 7]
        mr, mc = acc[:, 1] / m, acc[:, 2] / m
        mu_rr = (acc[:, 3] - acc[:, 1] * mr) * sp[0] ** 2
        mu_cc = (acc[:, 4] - acc[:, 2] * mc) * sp[1] ** 2
        mu_rc = (acc[:, 5] - acc[:, 1] * mc) * sp[0] * sp[1]
        area = m * sp[0] * sp[1]
        data["area"] = area
        data["centroid"] = np.stack([(r0 + mr) * sp[0], (c0 + mc) * sp[1]], axis=1)
        data["bbox"] = bbox
        if sp[0] == sp[1]:
            per = np.zeros(int(present[-1]) + 1 if present.size else 1)
            _kernels().perimeter_2d(lab, int(per.size - 1), _PERIMETER_WEIGHTS, per)
            data["perimeter"] = per[present] * sp[0]
        else:
            data["perimeter"] = np.full(present.size, np.nan)
        data["equivalent_diameter"] = np.sqrt(4 * area / np.pi)
        a, b, c = mu_rr / m, mu_rc / m, mu_cc / m
        half = np.sqrt(((a - c) / 2) ** 2 + b ** 2)
        l1 = np.maximum((a + c) / 2 + half, 0)
        l2 = np.maximum((a + c) / 2 - half, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            data["eccentricity"] = np.where(l1 > 0, np.sqrt(np.clip(1 - l2 / np.where(l1 > 0, l1, 1), 0, 1)), 0.0)
        orient = 0.5 * np.arctan2(2 * b, a - c)
        orient = np.where(orient <= -np.pi / 2, np.pi / 2, orient)  # (-pi/2, pi/2], whatever the sign of a zero
        orient = np.where(a - c == 0, np.where(b > 0, np.pi / 4, -np.pi / 4), orient)
        data["orientation"] = orient
        data["major_axis_length"] = 4 * np.sqrt(l1)
        data["minor_axis_length"] = 4 * np.sqrt(l2)
        data["solidity"] = m / _convex_areas(lab, present, bbox)
    else:
        mean = acc[:, 1:4] / m[:, None]
        vol = m * float(np.prod(sp))
        data["volume"] = vol
        data["centroid"] = mean * sp
        data["bbox"] = bbox
        data["equivalent_diameter"] = np.cbrt(6 * vol / np.pi)
    if intensity is not None:
        img = _validate.image(intensity, func, param="intensity", allow_bool=True)
        if img.shape != lab.shape:
            _validate.fail(func, "intensity", img, f"an image of the labels' shape {lab.shape}")
        values = np.ascontiguousarray(img, dtype=np.float64).reshape(-1)
        if np.isnan(values.min()):  # min is NaN iff a NaN is present
            _validate.fail(func, "intensity", img, "an image without NaN")
        n = int(present[-1]) if present.size else 0
        stats = np.zeros((n + 1, 3))
        stats[:, 1] = np.inf
        stats[:, 2] = -np.inf
        _kernels().intensity_stats(lab.reshape(-1), values, n, stats)
        stats = stats[present]
        data["mean_intensity"] = stats[:, 0] / m
        data["min_intensity"] = stats[:, 1]
        data["max_intensity"] = stats[:, 2]
    return RegionTable(data)


def count(labels) -> int:
    """The number of objects in a label image: the distinct non-zero labels.

    Parameters
    ----------
    labels : ndarray of int
        A label image (0 = background); never modified.

    Returns
    -------
    int
        The number of distinct labels other than 0 (equal to ``labels.max()`` for ``label``'s output).

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array.
    ValueError
        If it holds negative values.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 9.5. Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.measure import count
    >>> count(np.array([[0, 3, 3], [7, 0, 0]]))
    2
    """
    arr = _validate.image(labels, "count", param="labels", allow_empty=True)
    if arr.dtype.kind not in "iu":
        _validate.fail("count", "labels", arr, "an integer label image", TypeError)
    if arr.size == 0:
        return 0
    if arr.dtype.kind == "i" and arr.min() < 0:
        _validate.fail("count", "labels", arr, "a label image without negative labels")
    return int(np.count_nonzero(np.unique(arr)))


def track(label_sequence, *, max_distance):
    """Link the objects of a sequence of label images into tracks by nearest centroids.

    Parameters
    ----------
    label_sequence : sequence of ndarray of int, or (T, M, N) / (T, P, M, N) ndarray
        One label image per frame (e.g. from ``fastdip.segmentation.label``), all of one shape; never
        modified.
    max_distance : float
        The largest centroid displacement (pixels) between consecutive frames that may link two objects.

    Returns
    -------
    Tracks
        ``labels``: (T, ...) int32 array of track ids (1, 2, ... in order of first appearance; 0 =
        background); ``table``: a RegionTable with columns ``frame``, ``label``, ``track`` and ``centroid``.

    Raises
    ------
    TypeError
        If a frame is not an integer array, or ``max_distance`` is not a number.
    ValueError
        If the sequence is empty, frames differ in shape, have negative labels, or ``max_distance`` is
        negative.

    Notes
    -----
    Frame t's objects are matched to frame t-1's by the assignment that minimises the sum of centroid
    distances (Hungarian algorithm, scipy.optimize.linear_sum_assignment); a matched pair farther apart than
    ``max_distance`` is refused. Matched objects continue their track; the others (appearing, or refused)
    start a new track; tracks whose object vanishes end (no gap closing).

    References
    ----------
    .. [1] Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research Logistics
       Quarterly, 2(1-2), 83-97. https://doi.org/10.1002/nav.3800020109
    .. [2] Jaqaman, K., et al. (2008). Robust single-particle tracking in live-cell time-lapse sequences.
       Nature Methods, 5(8), 695-702. https://doi.org/10.1038/nmeth.1237 (frame-to-frame linking by LAP)

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.measure import track
    >>> frames = np.zeros((3, 4, 8), dtype=np.int32)
    >>> frames[0, 1, 1] = 1; frames[1, 1, 2] = 5; frames[2, 1, 3] = 2; frames[2, 3, 7] = 1
    >>> result = track(frames, max_distance=2)
    >>> print(result.labels[2])
    [[0 0 0 0 0 0 0 0]
     [0 0 0 1 0 0 0 0]
     [0 0 0 0 0 0 0 0]
     [0 0 0 0 0 0 0 2]]
    >>> print(result.table["track"])
    [1 1 2 1]
    """
    from scipy.optimize import linear_sum_assignment

    func = "track"
    if isinstance(label_sequence, np.ndarray):
        frames = list(label_sequence)
    else:
        try:
            frames = list(label_sequence)
        except TypeError:
            _validate.fail(func, "label_sequence", label_sequence, "a sequence of label images", TypeError)
    if not frames:
        _validate.fail(func, "label_sequence", label_sequence, "a non-empty sequence of label images")
    limit = _validate.number(max_distance, func, "max_distance", low=0)
    labs = [_label_image(f, func, param="label_sequence") for f in frames]
    if any(f.shape != labs[0].shape for f in labs):
        _validate.fail(func, "label_sequence", label_sequence, "frames of one shape")
    out = np.zeros((len(labs),) + labs[0].shape, np.int32)
    rows_frame, rows_label, rows_track, rows_centroid = [], [], [], []
    prev_cent = np.zeros((0, labs[0].ndim))
    prev_ids = np.zeros(0, np.int64)
    next_id = 1
    for t, lab in enumerate(labs):
        present, acc, _ = _moments(lab)
        m = acc[:, 0]
        if lab.ndim == 2:
            cent = np.stack([acc[:, 6] + acc[:, 1] / m, acc[:, 7] + acc[:, 2] / m], axis=1)
        else:
            cent = acc[:, 1:4] / m[:, None]
        ids = np.zeros(present.size, np.int64)
        if prev_cent.shape[0] and present.size:
            dist = np.sqrt(((prev_cent[:, None, :] - cent[None, :, :]) ** 2).sum(axis=2))
            big = dist.max() * 2 + limit * 2 + 1.0
            cost = np.where(dist <= limit, dist, big)
            rows, cols = linear_sum_assignment(cost)
            ok = dist[rows, cols] <= limit
            ids[cols[ok]] = prev_ids[rows[ok]]
        for j in range(present.size):
            if ids[j] == 0:
                ids[j] = next_id
                next_id += 1
        lut = np.zeros(int(lab.max()) + 1, np.int32)
        lut[present] = ids
        out[t] = lut[lab]
        rows_frame += [t] * present.size
        rows_label += list(present)
        rows_track += list(ids)
        rows_centroid.append(cent)
        prev_cent, prev_ids = cent, ids
    table = RegionTable({
        "frame": np.array(rows_frame, np.int64),
        "label": np.array(rows_label, np.int64),
        "track": np.array(rows_track, np.int64),
        "centroid": np.concatenate(rows_centroid, axis=0) if rows_centroid else np.zeros((0, labs[0].ndim)),
    })
    return Tracks(out, table)
