"""Lens distortion: the Brown–Conrady model (radial k1, k2, k3 and tangential p1, p2), its coordinate maps,
distorting and undistorting images, and estimating the coefficients from point correspondences.

The model (OpenCV's, with fx = fy = ``focal``, cx = ``center[1]``, cy = ``center[0]``): an ideal pixel (row, col)
has normalised coordinates x = (col - cc)/f, y = (row - cr)/f, r² = x² + y², and is seen at

    x_d = x (1 + k1 r² + k2 r⁴ + k3 r⁶) + 2 p1 x y + p2 (r² + 2 x²)
    y_d = y (1 + k1 r² + k2 r⁴ + k3 r⁶) + p1 (r² + 2 y²) + 2 p2 x y

i.e. at (row_d, col_d) = (cr + f y_d, cc + f x_d). k1 < 0 is barrel distortion (points pulled towards the
centre, straight lines near the border bow outwards), k1 > 0 pincushion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate, parallel
from .._docs import fill
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS

__all__ = ["Distortion", "distort", "undistort", "estimate_distortion", "distortion_map"]

_COEFFS = ("k1", "k2", "k3", "p1", "p2")
#: Newton iterations of the inverse model, and the residual |Δx| + |Δy| (normalised units) they must reach
_MAX_ITER = 30
# distort/undistort compute the coordinate map this many points at a time (see _apply)
_MAP_CHUNK_POINTS = 1 << 16
_TOL = 1e-12


@dataclass(frozen=True)
class Distortion:
    """Brown–Conrady lens distortion coefficients (OpenCV's model with fx = fy = focal), as one value.

    Parameters
    ----------
    k1, k2, k3 : float, optional
        Radial coefficients (k1 < 0 barrel, k1 > 0 pincushion).
    p1, p2 : float, optional
        Tangential (decentring) coefficients.
    center : (float, float) or None, optional
        The distortion centre (row, col) in pixels; None means the image centre ((rows - 1)/2, (cols - 1)/2).
    focal : float or None, optional
        The normalising focal length in pixels; None means half the image diagonal hypot(rows, cols)/2, so
        that r ≈ 1 at the corners.

    Returns
    -------
    Distortion
        A frozen dataclass, accepted by ``distort``, ``undistort`` and ``distortion_map`` and returned by
        ``estimate_distortion``.

    References
    ----------
    D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 444-462, 1966.

    Examples
    --------
    >>> from fastdip import geometry
    >>> print(geometry.Distortion(k1=-0.2))
    Distortion(k1=-0.2, k2=0, k3=0, p1=0, p2=0; center image centre, focal half diagonal)
    """

    k1: float = 0.0
    k2: float = 0.0
    k3: float = 0.0
    p1: float = 0.0
    p2: float = 0.0
    center: tuple[float, float] | None = None
    focal: float | None = None

    def __str__(self) -> str:
        terms = ", ".join(f"{n}={getattr(self, n):.6g}" for n in _COEFFS)
        center = "image centre" if self.center is None else f"({self.center[0]:.6g}, {self.center[1]:.6g})"
        focal = "half diagonal" if self.focal is None else f"{self.focal:.6g}"
        return f"Distortion({terms}; center {center}, focal {focal})"


# -- argument handling ---------------------------------------------------------------------------------------


def _model(func: str, model, k1, k2, k3, p1, p2, center, focal) -> Distortion:
    """One Distortion from either ``model`` or the keyword coefficients (not both)."""
    given = {"k1": k1, "k2": k2, "k3": k3, "p1": p1, "p2": p2, "center": center, "focal": focal}
    if model is not None:
        if not isinstance(model, Distortion):
            _validate.fail(func, "model", model, "None or a geometry.Distortion", TypeError)
        clash = [k for k, v in given.items() if v is not None and (k in ("center", "focal") or v != 0)]
        if clash:
            _validate.fail(func, clash[0], given[clash[0]],
                           "left at its default when a Distortion model is given (set it in the model)")
        given = {k: getattr(model, k) for k in given}
    coeffs = {k: _validate.number(given[k], func, k) for k in _COEFFS}
    c = given["center"]
    if c is not None:
        try:
            c = tuple(float(v) for v in c)
        except (TypeError, ValueError):
            _validate.fail(func, "center", c, "None or a pair (row, col) of real numbers", TypeError)
        if len(c) != 2 or not all(math.isfinite(v) for v in c):
            _validate.fail(func, "center", given["center"], "None or a pair (row, col) of finite numbers")
    f = given["focal"]
    if f is not None:
        f = _validate.number(f, func, "focal", low=0, low_open=True)
    return Distortion(**coeffs, center=c, focal=f)


def _resolved(d: Distortion, shape) -> tuple[float, float, float]:
    """(cr, cc, f) for an image of ``shape``."""
    rows, cols = shape
    cr, cc = d.center if d.center is not None else ((rows - 1) / 2.0, (cols - 1) / 2.0)
    f = d.focal if d.focal is not None else math.hypot(rows, cols) / 2.0
    return float(cr), float(cc), float(f)


def _shape(shape, func: str) -> tuple[int, int]:
    return _validate.sizes(shape, func, 2, param="shape")


# -- public functions ------------------------------------------------------------------------------------------


_PARAMS = """model : Distortion, optional
        The coefficients as one object (e.g. from ``estimate_distortion``); or give them as keywords.
    k1, k2, k3 : float, optional
        Radial coefficients (k1 < 0 barrel, k1 > 0 pincushion).
    p1, p2 : float, optional
        Tangential (decentring) coefficients.
    center : (float, float), optional
        The distortion centre (row, col) in pixels; the image centre ((rows - 1)/2, (cols - 1)/2) by default.
    focal : float, optional
        The focal length f in pixels that normalises coordinates; half the image diagonal by default."""


def distortion_map(shape, model=None, *, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, center=None, focal=None,
                   inverse=False) -> np.ndarray:
    """Coordinates for ``geometry.remap``: where each output pixel reads the input to (un)distort an image.

    Parameters
    ----------
    shape : tuple of 2 ints
        (rows, cols) of the output (also what ``center`` and ``focal`` default from).
    MODEL_PARAMS
    inverse : bool, optional
        False (default): the map that *undistorts*: output pixel (r, c), an ideal position, gets the
        forward-distorted position (closed form). True: the map that *distorts*: output pixel (r, c), a distorted
        position, gets the ideal position the model sends there (the inverse model, solved by Newton's method).

    Returns
    -------
    (2, rows, cols) ndarray of float64
        The input (row, col) to sample for each output pixel (scipy.ndimage.map_coordinates' meaning). With
        ``inverse=True``, pixels the model cannot reach (past the fold of a strong barrel distortion) are NaN.

    Raises
    ------
    ValueError
        Bad ``shape``, non-finite or out-of-range coefficients, ``focal`` <= 0, or keyword coefficients given
        together with ``model``.

    Notes
    -----
    The inverse is solved per pixel by Newton's method on the 2x2 system, started at the distorted point divided
    by the radial factor at its own radius (one fixed-point step, as OpenCV's ``undistortPoints`` does), until
    the residual |Δx_d| + |Δy_d| is below 1e-12 (normalised units, about 1e-9 px; typically 3 to 6 steps); a
    pixel is NaN if that takes more than 30 steps or if the model's Jacobian stops being positive definite
    (past the fold of a strong barrel, where the model has no inverse). (OpenCV's ``undistortPoints``
    iterates the fixed point, which converges linearly and by default stops after 5 steps.)

    References
    ----------
    D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 444-462, 1966.
    A. E. Conrady, "Decentred lens-systems", Monthly Notices of the Royal Astronomical Society 79, 384-390,
    1919. DOI: 10.1093/mnras/79.5.384. OpenCV, "Camera calibration and 3D reconstruction" (calib3d) docs.

    Examples
    --------
    >>> from fastdip import geometry
    >>> coords = geometry.distortion_map((5, 5), k1=-0.25, focal=2.0)   # centre (2, 2), corner at r² = 2
    >>> print(np.round(coords[:, 0, 0], 3))     # barrel: the ideal corner is seen halfway to the centre
    [1. 1.]
    """
    func = "distortion_map"
    rows, cols = _shape(shape, func)
    d = _model(func, model, k1, k2, k3, p1, p2, center, focal)
    if not isinstance(inverse, (bool, np.bool_)):
        _validate.fail(func, "inverse", inverse, "True or False", TypeError)
    xs, ys, coeffs = _map_inputs(d, rows, cols)
    out = np.empty((2, rows, cols))
    _k = _kload("distortion")

    if not inverse:  # memory-bound (16 bytes written per pixel): serial at every size
        _k.forward_map(out, xs, ys, *coeffs)
        return out
    with parallel._band_threads(rows * cols, PARALLEL_MIN_PIXELS) as threads:  # compute-bound Newton steps
        parallel._run_bands(_k.inverse_map, (out, xs, ys, *coeffs, _MAX_ITER, _TOL), rows, 4 * threads, threads)
    return out


def _map_inputs(d, rows: int, cols: int):
    """The map kernels' inputs for model ``d`` on a (rows, cols) grid: the normalised column and row coordinates
    (j - cc)/f and (i - cr)/f, and the coefficients (k1, k2, k3, p1, p2, cr, cc, f) as floats."""
    cr, cc, f = _resolved(d, (rows, cols))
    ys = (np.arange(rows, dtype=np.float64) - cr) / f
    xs = (np.arange(cols, dtype=np.float64) - cc) / f
    return xs, ys, tuple(float(v) for v in (d.k1, d.k2, d.k3, d.p1, d.p2, cr, cc, f))


def _apply(func: str, image, d_args, inverse, interpolation, mode, cval, channel_axis, dtype):
    """``remap(image, distortion_map(shape, d, inverse=inverse))`` without the whole map: bands of output rows
    (on fastdip's worker threads) each compute the map of a few rows at a time into a small buffer (about
    1 MB) and remap those rows from it (the same kernels on the same values, so the same bits as the
    two-step form). The full float64 map was 16 bytes a pixel (256 MB at 4096²) written and read back, and its
    fresh pages were faulted in on every call: float32 4096² undistort, one thread 158 -> 115 ms, peak extra
    memory 319 -> 62 MB (the output); default threads 99 -> 64 ms, 2048² 26 -> 17 ms."""
    arr = _validate.image(image, func)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial = arr.shape if axis is None else arr.shape[:axis] + arr.shape[axis + 1:]
    if len(spatial) != 2:
        _validate.fail(func, "image", arr, "a 2-D image (plus an optional channel axis)")
    d = _model(func, *d_args)
    from ._warp import _Job, _kernels as _warp_kernels

    job = _Job(arr, func, channel_axis, interpolation, mode, cval, dtype, ndims=(2,))
    rows, cols = spatial
    xs, ys, coeffs = _map_inputs(d, rows, cols)
    dk = _kload("distortion")
    wk = _warp_kernels()
    out = job.allocate((rows * cols,))
    step = max(1, _MAP_CHUNK_POINTS // cols)
    args = job.args()

    def band(r0, r1):
        buf = np.empty(2 * min(step, r1 - r0) * cols)
        for s0 in range(r0, r1, step):
            s1 = min(s0 + step, r1)
            part = buf[: 2 * (s1 - s0) * cols].reshape(2, s1 - s0, cols)  # NaN where unreachable: cval there
            if inverse:
                dk.inverse_map(part, xs, ys[s0:s1], *coeffs, _MAX_ITER, _TOL, 0, s1 - s0)
            else:
                dk.forward_map(part, xs, ys[s0:s1], *coeffs)
            n = (s1 - s0) * cols
            wk.remap2(job.src, part[0].reshape(-1), part[1].reshape(-1), *args, out[s0 * cols: s1 * cols], 0, n)

    with parallel._band_threads(rows * cols, PARALLEL_MIN_PIXELS // 4) as threads:
        parallel._run_bands(band, (), rows, 4 * threads, threads)
    return job.finish(out.reshape(rows, cols, out.shape[-1]))


def undistort(image, model=None, *, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, center=None, focal=None,
              interpolation="bilinear", mode="constant", cval=0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Correct lens distortion: each output (ideal) pixel reads the input at its forward-distorted position.

    Parameters
    ----------
    {image}
        2-D, plus a channel axis when ``channel_axis`` is given.
    MODEL_PARAMS
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        How the input is sampled between pixels (``geometry.remap``'s choices).
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (see Returns).

    Returns
    -------
    ndarray of the input's shape
        As ``geometry.remap``: the input dtype for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        The errors of ``distortion_map`` and ``geometry.remap``.

    Notes
    -----
    ``remap(image, distortion_map(shape, ...))``: the forward model in closed form, as OpenCV's
    ``initUndistortRectifyMap`` with newCameraMatrix = K = [[f, 0, cc], [0, f, cr], [0, 0, 1]] and
    distCoeffs = (k1, k2, p1, p2, k3).

    References
    ----------
    D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 444-462, 1966.
    A. E. Conrady, "Decentred lens-systems", Monthly Notices of the Royal Astronomical Society 79, 384-390,
    1919. DOI: 10.1093/mnras/79.5.384.

    Examples
    --------
    >>> from fastdip import geometry
    >>> image = np.zeros((9, 9), np.uint8); image[1, :] = 1    # a straight line near the top
    >>> seen = geometry.distort(image, k1=0.3, interpolation='nearest')   # bent by a pincushion lens
    >>> print(geometry.undistort(seen, k1=0.3, interpolation='nearest')[:3])   # straight again
    [[0 0 0 0 0 0 0 0 0]
     [0 1 1 1 1 1 1 1 0]
     [0 0 0 0 0 0 0 0 0]]
    """
    return _apply("undistort", image, (model, k1, k2, k3, p1, p2, center, focal), False, interpolation, mode,
                  cval, channel_axis, dtype)


def distort(image, model=None, *, k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0, center=None, focal=None,
            interpolation="bilinear", mode="constant", cval=0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Simulate lens distortion: each output (distorted) pixel reads the input at its ideal position.

    Parameters
    ----------
    {image}
        2-D, plus a channel axis when ``channel_axis`` is given.
    MODEL_PARAMS
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        How the input is sampled between pixels (``geometry.remap``'s choices).
    {mode}
    {cval}
        Also the value of the pixels the model cannot reach.
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (see Returns).

    Returns
    -------
    ndarray of the input's shape
        As ``geometry.remap``: the input dtype for 'nearest'; otherwise
        {dtype_float}
        Pixels with no preimage under the model (past the fold of a strong barrel) are ``cval``.

    Raises
    ------
    ValueError
        The errors of ``distortion_map`` and ``geometry.remap``.

    Notes
    -----
    ``remap(image, distortion_map(shape, ..., inverse=True))``: the inverse model solved by Newton's method
    (see ``distortion_map``), so that ``undistort(distort(image))`` gives the image back up to interpolation.

    References
    ----------
    D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 444-462, 1966.
    A. E. Conrady, "Decentred lens-systems", Monthly Notices of the Royal Astronomical Society 79, 384-390,
    1919. DOI: 10.1093/mnras/79.5.384.

    Examples
    --------
    >>> from fastdip import geometry
    >>> image = np.zeros((9, 9), np.uint8); image[1, :] = 1    # a straight line near the top
    >>> print(geometry.distort(image, k1=0.3, interpolation='nearest')[:3])   # pincushion: ends pulled out
    [[1 0 0 0 0 0 0 0 1]
     [1 1 1 1 1 1 1 1 1]
     [0 0 0 0 0 0 0 0 0]]
    """
    return _apply("distort", image, (model, k1, k2, k3, p1, p2, center, focal), True, interpolation, mode,
                  cval, channel_axis, dtype)


def estimate_distortion(distorted_points, ideal_points, *, shape=None, center=None, focal=None,
                        model=("k1", "k2", "p1", "p2")) -> Distortion:
    """Brown–Conrady coefficients from point correspondences (e.g. a photographed grid and the ideal grid).

    Parameters
    ----------
    distorted_points : (n, 2) array_like
        Where the points are seen, (row, col) in pixels.
    ideal_points : (n, 2) array_like
        Where they would be without distortion.
    shape : tuple of 2 ints, optional
        The image's (rows, cols): gives the default ``center`` and ``focal`` (as in ``distort``). Needed unless
        both ``center`` and ``focal`` are given.
    center : (float, float), optional
        The distortion centre (row, col), kept fixed.
    focal : float, optional
        The normalising focal length in pixels, kept fixed.
    model : sequence of str, optional
        The coefficients to estimate, among 'k1', 'k2', 'k3', 'p1', 'p2'; the others are 0.

    Returns
    -------
    Distortion
        The estimated coefficients with the ``center`` and ``focal`` used (as numbers), ready for
        ``undistort(image, model)``.

    Raises
    ------
    ValueError
        Shapes that differ or are not (n, 2), NaN or inf, fewer points than 2 x (number of coefficients),
        points that do not determine the coefficients (rank test, 1e-9 relative), unknown names in ``model``,
        or neither ``shape`` nor both ``center`` and ``focal``.

    Notes
    -----
    With the ideal points known, the model is *linear* in (k1, k2, k3, p1, p2): x_d - x = x (k1 r² + k2 r⁴ +
    k3 r⁶) + 2 p1 x y + p2 (r² + 2x²) and likewise for y, so the coefficients are the linear least-squares
    solution (``numpy.linalg.lstsq``) of the 2n equations. It is exact for exact points and the maximum
    likelihood estimate under Gaussian noise in the distorted points.

    References
    ----------
    D. C. Brown, "Close-range camera calibration", Photogrammetric Engineering 37(8), 855-866, 1971.
    Z. Zhang, "A flexible new technique for camera calibration", IEEE Trans. PAMI 22(11), 1330-1334, 2000.
    DOI: 10.1109/34.888718.

    Examples
    --------
    >>> from fastdip import geometry
    >>> ideal = np.array([[r, c] for r in range(0, 101, 20) for c in range(0, 101, 20)], float)
    >>> coords = geometry.distortion_map((101, 101), k1=-0.1, p2=0.01)
    >>> seen = np.stack([coords[0][tuple(ideal.astype(int).T)], coords[1][tuple(ideal.astype(int).T)]], 1)
    >>> d = geometry.estimate_distortion(seen, ideal, shape=(101, 101))
    >>> print(round(d.k1, 9), round(d.k2, 9), round(d.p1, 9), round(d.p2, 9))
    -0.1 0.0 0.0 0.01
    """
    func = "estimate_distortion"
    from ._estimate import _points

    dist = _points(distorted_points, func, "distorted_points")
    ideal = _points(ideal_points, func, "ideal_points")
    if dist.shape != ideal.shape:
        _validate.fail(func, "ideal_points", ideal, f"an array of the same shape as distorted_points {dist.shape}")
    if isinstance(model, str):
        model = (model,)
    try:
        names = tuple(model)
    except TypeError:
        _validate.fail(func, "model", model, "a sequence of names among 'k1', 'k2', 'k3', 'p1', 'p2'", TypeError)
    if not names or len(set(names)) != len(names) or not all(n in _COEFFS for n in names):
        _validate.fail(func, "model", model, "a non-empty sequence of distinct names among 'k1', 'k2', 'k3', "
                       "'p1', 'p2'")
    if shape is None and (center is None or focal is None):
        _validate.fail(func, "shape", shape, "the image's (rows, cols) unless both center and focal are given")
    base = _model(func, None, 0.0, 0.0, 0.0, 0.0, 0.0, center, focal)
    size = (1, 1) if shape is None else _shape(shape, func)
    cr, cc, f = _resolved(base, size)
    if 2 * len(dist) < len(names):
        _validate.fail(func, "distorted_points", dist, f"at least {(len(names) + 1) // 2} points for {names}")
    x = (ideal[:, 1] - cc) / f
    y = (ideal[:, 0] - cr) / f
    xd = (dist[:, 1] - cc) / f
    yd = (dist[:, 0] - cr) / f
    r2 = x * x + y * y
    columns = {
        "k1": (x * r2, y * r2),
        "k2": (x * r2 ** 2, y * r2 ** 2),
        "k3": (x * r2 ** 3, y * r2 ** 3),
        "p1": (2.0 * x * y, r2 + 2.0 * y * y),
        "p2": (r2 + 2.0 * x * x, 2.0 * x * y),
    }
    design = np.stack([np.concatenate(columns[n]) for n in names], axis=1)
    target = np.concatenate([xd - x, yd - y])
    norms = np.linalg.norm(design, axis=0)
    if (norms == 0).any():
        _validate.fail(func, "ideal_points", ideal, "points that determine every coefficient of the model "
                       "(some away from the centre)")
    scaled = design / norms
    sv = np.linalg.svd(scaled, compute_uv=False)
    if sv[-1] <= 1e-9 * sv[0]:
        _validate.fail(func, "ideal_points", ideal, f"points that determine the coefficients {names} (the "
                       "design matrix is rank deficient)")
    sol, *_ = np.linalg.lstsq(scaled, target, rcond=None)
    values = dict.fromkeys(_COEFFS, 0.0)
    values.update({n: float(v) for n, v in zip(names, sol / norms)})
    return Distortion(**values, center=(cr, cc), focal=f)


for _f in (distortion_map, undistort, distort):
    _f.__doc__ = _f.__doc__.replace("MODEL_PARAMS", _PARAMS)
    fill(_f)
del _f
