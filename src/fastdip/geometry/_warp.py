"""Warps by backward mapping: affine maps and homographies given as forward matrices, coordinate maps, rotation.

Every function here computes each *output* pixel ``q`` by sampling the input at the point ``p`` that maps to it:
``p = M⁻¹ q`` for a forward matrix ``M`` (which maps input coordinates to output coordinates, like the course's
``T``, ``cv2.warpAffine`` without ``WARP_INVERSE_MAP`` and ``skimage.transform.AffineTransform``), or ``p`` read
from a coordinate array in :func:`remap`. Coordinates are (row, col) [(plane, row, col)] with pixel centres at
integers, as in scipy.ndimage and OpenCV. Backward mapping leaves no holes in the output (forward mapping of
pixels would).

Interpolation (the tap weights are computed once per pixel and shared by all channels):

- 'nearest': the input pixel at ``floor(p + 0.5)`` (a half-way point goes to the larger index, as
  ``scipy.ndimage.map_coordinates(order=0)``); keeps the dtype;
- 'bilinear' (trilinear in 3-D): ``(1-t) f[i] + t f[i+1]`` along each axis;
- 'bicubic': Keys' cubic convolution with a = -0.5 (4 taps per axis; OpenCV's INTER_CUBIC uses a = -0.75);
- 'lanczos': Lanczos-3, 6 taps of ``sinc(x) sinc(x/3)`` per axis normalised to sum 1 (OpenCV's INTER_LANCZOS4
  has 8 taps).

Borders: a tap outside the image reads the image extended by ``mode`` (scipy.ndimage's names); with
'constant' every outside tap reads ``cval``, so the output fades to cval over one pixel at the border — this is
scipy's ``'grid-constant'`` and OpenCV's BORDER_CONSTANT (scipy's plain 'constant' stops interpolating at the
last sample instead). 'wrap' is periodic with period n (scipy's ``'grid-wrap'``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _modes, _validate, parallel
from .._docs import fill
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS
from ._matrices import image_center, inverse_of, matrix_array, rotation

__all__ = ["warp_affine", "warp_perspective", "remap", "rotate"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos")
_CODES = {name: k for k, name in enumerate(INTERPOLATIONS)}
_KERNEL_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)


def _kernels():
    return _kload("warp")  # numba is imported on first use only


class _Job:
    """A checked image in kernel layout (spatial..., C) and everything needed to allocate and return the result."""

    def __init__(self, image, func, channel_axis, interpolation, mode, cval, dtype, ndims=(2, 3)):
        arr = _validate.image(image, func)
        axis = _validate.channel_axis(channel_axis, arr.ndim, func)
        spatial = arr.ndim - (axis is not None)
        if spatial not in ndims:
            what = " or ".join(f"{n}-D" for n in ndims)
            extra = " plus a channel axis" if axis is not None else " (or pass channel_axis for colour)"
            _validate.fail(func, "image", arr, f"a {what} image{extra}")
        self.func = func
        self.axis = axis
        self.ndim = spatial
        self.order = _CODES[_validate.choice(interpolation, func, "interpolation", INTERPOLATIONS)]
        self.mode = _modes.check(mode, func)
        self.cval = _validate.number(cval, func, "cval")
        dt = arr.dtype
        kd = dt if dt.type in _KERNEL_DTYPES else np.dtype(np.float32 if dt == np.float16 else np.float64)
        x = arr[..., None] if axis is None else np.moveaxis(arr, axis, -1)
        x = np.ascontiguousarray(x, dtype=kd)
        if not x.flags.writeable:  # a read-only array is another numba signature
            x = x.copy()
        self.src = x
        self.shape = x.shape[:spatial]
        want = _validate.output_dtype(dtype, func)
        if want is None:
            want = dt if self.order == 0 else _validate.float_dtype_for(dt)
        self.dtype = np.dtype(want)
        self.kdtype = self.dtype if self.dtype.type in _KERNEL_DTYPES else np.dtype(np.float64)
        if self.kdtype.kind in "ui":
            info = np.iinfo(self.kdtype)
            self.is_int, self.lo, self.hi = True, float(info.min), float(info.max)
        else:
            self.is_int, self.lo, self.hi = False, 0.0, 0.0

    def output_shape(self, output_shape):
        if output_shape is None:
            return tuple(self.shape)
        n = self.ndim
        allowed = f"None or a tuple of {n} positive ints (the spatial shape of the output)"
        try:
            values = tuple(output_shape)
        except TypeError:
            _validate.fail(self.func, "output_shape", output_shape, allowed, TypeError)
        if len(values) != n or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in values
        ):
            _validate.fail(self.func, "output_shape", output_shape, allowed)
        return tuple(int(v) for v in values)

    def allocate(self, spatial_shape):
        return np.empty(tuple(spatial_shape) + (self.src.shape[-1],), dtype=self.kdtype)

    def args(self):
        return self.order, _modes.code(self.mode), self.cval, self.is_int, self.lo, self.hi

    def finish(self, y):
        result = y[..., 0] if self.axis is None else np.moveaxis(y, -1, self.axis)
        if self.axis is not None and self.axis != result.ndim - 1:
            result = np.ascontiguousarray(result)
        return _validate.cast_result(result, self.dtype)


_INVERSES: dict = {}


def _inverse(m: np.ndarray, func: str) -> np.ndarray:
    """``inverse_of(m)`` (the singularity check and np.linalg.inv, ~25 us) cached by the matrix's bytes: a
    batch warped by one matrix pays it once. Read-only results; at most 64 kept (cleared when full)."""
    key = m.tobytes()
    hit = _INVERSES.get(key)
    if hit is not None:
        return hit
    inverse = inverse_of(m, func, "matrix")
    inverse.setflags(write=False)
    if len(_INVERSES) >= 64:
        _INVERSES.clear()
    _INVERSES[key] = inverse
    return inverse


def _run(kernel, args: tuple, n: int, pixels: int, per_thread: int = 4) -> None:
    """``kernel(*args, lo, hi)`` over the rows (or points) [0, n): in one call, or above the threshold in
    ``per_thread`` bands per thread on fastdip's worker threads (``parallel._run_bands``)."""
    # compute-bound: a 512^2 float32 rotation takes 2.4 ms serial, far above the ~75 us thread wake-up
    with parallel._band_threads(pixels, PARALLEL_MIN_PIXELS // 4) as threads:
        parallel._run_bands(kernel, args, n, per_thread * threads, threads)


def _affine_run(job: _Job, inverse: np.ndarray, out_shape) -> np.ndarray:
    k = _kernels()
    out = job.allocate(out_shape)
    m = np.array(inverse[:-1])  # (a writeable copy: a read-only array is another numba signature)
    if job.ndim == 2:
        # bilinear interior: fixed point for an integer image into its own dtype, float32 arithmetic for
        # inputs of up to 32 bits, float64 otherwise
        if job.src.dtype == job.kdtype and job.is_int and np.abs(m[:, 1]).max() < 2.0 ** 20:
            variant = 2  # (32.32 fixed-point steps: below 2^20 pixels per output column)
        else:
            variant = 0 if np.float64 in (job.src.dtype, job.kdtype) else 1
    if job.ndim == 2:
        _run(k.affine2, (job.src, k.pair_view(job.src), m, *job.args(), out, variant, *k.AFFINE_TILE),
             out.shape[0], out.size // out.shape[-1])
    else:
        _run(k.affine3, (job.src, m, *job.args(), out), out.shape[0] * out.shape[1], out.size // out.shape[-1])
    return job.finish(out)


@fill
def warp_affine(image, matrix, *, output_shape=None, interpolation: str = "bilinear", mode: str = "constant",
                cval: float = 0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Apply an affine transform given by its forward matrix (input -> output coordinates), by backward mapping.

    Parameters
    ----------
    {image}
        2-D (rows, cols) or 3-D (planes, rows, cols), plus a channel axis when ``channel_axis`` is given.
    matrix : array_like
        3x3 (2-D image) or 4x4 (3-D) homogeneous matrix acting on (row, col, 1)ᵀ, last row ``[0, 0, 1]``: it
        maps input coordinates to output coordinates (build it with :func:`rotation`, :func:`compose`, ...).
        A 2x3 matrix is refused rather than completed, since OpenCV's 2x3 matrices are in (x, y) order.
    output_shape : tuple of int, optional
        Spatial shape of the output; the input's by default.
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        'nearest' keeps the dtype; 'bilinear' (trilinear in 3-D), 'bicubic' (Keys, a = -0.5, 4 taps) and
        'lanczos' (Lanczos-3, 6 taps) interpolate.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped by the kernel as it writes.

    Returns
    -------
    ndarray
        The warped image of ``output_shape`` (plus channels). dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        If ``matrix`` is not (ndim+1)x(ndim+1), has non-finite entries, is not affine (last row) or is
        singular.

    Notes
    -----
    ``out[q] = f(M⁻¹ q)`` for every output pixel ``q``; along an output row the sampled point moves by a
    constant step, so it is updated incrementally and the part of the row whose taps are all inside the image
    runs without border checks. The warp with ``cv2.warpAffine(f, A, (W, H))`` for a forward (x, y) matrix
    ``A`` is ``warp_affine(f, M)`` with ``M = from_row_convention(T)``, ``T`` = ``A`` transposed with a last
    column ``[0, 0, 1]``.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Sec. 2.6 (affine
    transformations, inverse mapping). R. Keys, "Cubic convolution interpolation for digital image processing",
    IEEE Trans. ASSP 29(6), 1981, doi:10.1109/TASSP.1981.1163711.

    Examples
    --------
    >>> from fastdip.geometry import translation
    >>> f = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> print(warp_affine(f, translation((1, 2)), interpolation='nearest'))
    [[0 0 0 0]
     [0 0 0 1]
     [0 0 4 5]]
    """
    func = "warp_affine"
    job = _Job(image, func, channel_axis, interpolation, mode, cval, dtype)
    n = job.ndim
    m = matrix_array(matrix, func, "matrix", ndim=n)
    if not np.array_equal(m[n], np.eye(n + 1)[n]):
        _validate.fail(func, "matrix", matrix, f"an affine matrix (last row {[0] * n + [1]}); use "
                       "warp_perspective for a homography")
    return _affine_run(job, _inverse(m, func), job.output_shape(output_shape))


@fill
def warp_perspective(image, H, *, output_shape=None, interpolation: str = "bilinear", mode: str = "constant",
                     cval: float = 0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Apply a projective transform (homography) given by its forward 3x3 matrix, by backward mapping.

    Parameters
    ----------
    {image}
        2-D, plus a channel axis when ``channel_axis`` is given.
    H : array_like
        3x3 homography acting on (row, col, 1)ᵀ, mapping input coordinates to output coordinates (up to the
        homogeneous divide).
    output_shape : tuple of int, optional
        (rows, cols) of the output; the input's by default.
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        As in :func:`warp_affine`.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped.

    Returns
    -------
    ndarray
        dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        If ``H`` is not 3x3, has non-finite entries or is singular.

    Notes
    -----
    With ``G = H⁻¹``, output pixel ``q = (i, j)`` samples ``(G q)[:2] / (G q)[2]``; where the divisor
    ``(G q)[2] <= 0`` the point lies behind the projection (on the other side of the horizon) and the output is
    ``cval`` whatever the mode.

    References
    ----------
    R. Hartley, A. Zisserman, *Multiple View Geometry in Computer Vision*, 2nd ed., Cambridge University
    Press, 2004, Sec. 2.3 and 2.7. Gonzalez & Woods, *Digital Image Processing*, 4th ed., 2018, Sec. 2.6.

    Examples
    --------
    >>> from fastdip.geometry import translation
    >>> f = np.arange(9, dtype=np.uint8).reshape(3, 3)
    >>> print(warp_perspective(f, 2 * translation((0, 1)), interpolation='nearest'))
    [[0 0 1]
     [0 3 4]
     [0 6 7]]
    """
    func = "warp_perspective"
    job = _Job(image, func, channel_axis, interpolation, mode, cval, dtype, ndims=(2,))
    h = matrix_array(H, func, "H", ndim=2)
    g = np.ascontiguousarray(inverse_of(h, func, "H"))
    if g[2, 2] < 0 or (g[2, 2] == 0 and g[2].sum() < 0):
        g = -g  # the same map; keep the divisor positive in front of the camera
    out_shape = job.output_shape(output_shape)
    out = job.allocate(out_shape)
    k = _kernels()
    _run(k.perspective2, (job.src, g, *job.args(), out), out.shape[0], out.size // out.shape[-1])
    return job.finish(out)


@fill
def remap(image, coords, *, interpolation: str = "bilinear", mode: str = "constant", cval: float = 0.0,
          channel_axis=None, dtype=None) -> np.ndarray:
    """Sample the image at given input coordinates, one point per output pixel (a general backward warp).

    Parameters
    ----------
    {image}
        2-D or 3-D, plus a channel axis when ``channel_axis`` is given.
    coords : array_like of float
        Shape ``(ndim, *output_shape)``: ``coords[:, q]`` is the input point (row, col) [(plane, row, col)]
        that output pixel ``q`` takes its value from, pixel centres at integers (the meaning of
        ``scipy.ndimage.map_coordinates(image, coords)``). NaN or |x| > 1e9 gives ``cval``. A float32 array
        is read as it is for a 2-D image (no float64 copy; the same result as its float64 values).
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        As in :func:`warp_affine`; 'nearest' rounds half-way points up (``floor(x + 0.5)``).
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped.

    Returns
    -------
    ndarray
        Shape ``coords.shape[1:]`` (plus channels). dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Raises
    ------
    ValueError
        If ``coords`` does not have one leading entry per spatial axis.

    Notes
    -----
    ``out[q] = sum_k w_k(coords[:, q]) f[n_k]`` over the interpolation taps ``n_k`` (extended by ``mode``).
    Equals ``scipy.ndimage.map_coordinates(f, coords, order=0 or 1, mode=m, prefilter=False)`` with
    m = 'grid-constant' for 'constant' and 'grid-wrap' for 'wrap' (the other modes have the same names).

    References
    ----------
    G. Wolberg, *Digital Image Warping*, IEEE Computer Society Press, 1990, Ch. 3 (spatial transformations,
    inverse mapping) and Ch. 5 (image resampling).

    Examples
    --------
    >>> f = np.array([[0., 10.], [20., 30.]])
    >>> print(remap(f, [[[0.5, 1.0]], [[0.5, 0.0]]]))
    [[15. 20.]]
    """
    func = "remap"
    job = _Job(image, func, channel_axis, interpolation, mode, cval, dtype)
    n = job.ndim
    try:
        c = np.asarray(coords)
        if not (n == 2 and c.dtype == np.float32):  # 2-D: float32 maps are read as they are (no copy)
            c = np.asarray(c, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "coords", coords, f"an array of shape ({n}, *output_shape) of real coordinates",
                       TypeError)
    if c.ndim < 2 or c.shape[0] != n or c[0].size == 0:
        _validate.fail(func, "coords", c, f"an array of shape ({n}, *output_shape), one coordinate array per "
                       f"spatial axis of the {n}-D image")
    out_shape = c.shape[1:]
    flat = [np.ascontiguousarray(c[a].reshape(-1)) for a in range(n)]
    out = job.allocate((flat[0].size,))
    k = _kernels()
    # one block per thread: at 2048^2 (2 cores) 6.3 ms against 12 ms serial on a quiet machine; with the other
    # core busy 13-15 ms against 16 ms for 8 blocks and 18 ms serial
    if n == 2:
        _run(k.remap2, (job.src, flat[0], flat[1], *job.args(), out), flat[0].size, flat[0].size, per_thread=1)
    else:
        k.remap3(job.src, flat[0], flat[1], flat[2], *job.args(), out)
    return job.finish(out.reshape(tuple(out_shape) + (out.shape[-1],)))


@fill
def rotate(image, angle, *, center=None, reshape: bool = False, interpolation: str = "bilinear",
           mode: str = "constant", cval: float = 0.0, channel_axis=None, dtype=None) -> np.ndarray:
    """Rotate a 2-D image by ``angle`` degrees (positive: counter-clockwise on screen) about a point.

    Parameters
    ----------
    {image}
        2-D, plus a channel axis when ``channel_axis`` is given.
    angle : float
        Angle in degrees; positive turns counter-clockwise as displayed (rows downwards), like
        ``skimage.transform.rotate`` and ``cv2.getRotationMatrix2D``.
    center : sequence of 2 floats, optional
        The fixed point (row, col); the image centre ``((rows-1)/2, (cols-1)/2)`` by default.
    reshape : bool
        False: keep the input's shape. True: enlarge (or shrink) the output to hold the whole rotated image,
        the input's centre mapped to the output's centre (``center`` then does not matter), with the output
        shape of ``scipy.ndimage.rotate(reshape=True)``.
    interpolation : {'nearest', 'bilinear', 'bicubic', 'lanczos'}, optional
        As in :func:`warp_affine`.
    {mode}
    {cval}
    {channel_axis}
    dtype : numpy dtype, optional
        Output dtype; integer dtypes are rounded (half to even) and clipped.

    Returns
    -------
    ndarray
        dtype: the input's for 'nearest'; otherwise
        {dtype_float}

    Notes
    -----
    ``warp_affine(image, rotation(angle, center))``; with ``reshape`` the output has the (rounded) extent of
    the rotated pixel area ``[-0.5, n - 0.5]`` and a translation centres the result.

    References
    ----------
    R. C. Gonzalez, R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, Sec. 2.6 and Table 2.3.

    Examples
    --------
    >>> f = np.arange(6, dtype=np.uint8).reshape(2, 3)
    >>> print(rotate(f, 90, reshape=True, interpolation='nearest'))
    [[2 5]
     [1 4]
     [0 3]]
    """
    func = "rotate"
    job = _Job(image, func, channel_axis, interpolation, mode, cval, dtype, ndims=(2,))
    angle = _validate.number(angle, func, "angle")
    if not isinstance(reshape, (bool, np.bool_)):
        _validate.fail(func, "reshape", reshape, "True or False", TypeError)
    if center is None or reshape:
        ctr = image_center(job.shape)
    else:
        ctr = center
    m = rotation(angle, ctr) if center is None or reshape else _rotation_about(angle, center, func)
    out_shape = job.shape
    if reshape:
        rows, cols = job.shape
        corners = np.array([[0, 0], [0, cols], [rows, 0], [rows, cols]], dtype=np.float64) - 0.5
        moved = corners @ m[:2, :2].T
        extent = moved.max(axis=0) - moved.min(axis=0)
        out_shape = tuple(max(1, int(e + 0.5)) for e in extent)
        out_center = (np.array(out_shape) - 1) / 2.0
        m = m.copy()
        m[:2, 2] = out_center - m[:2, :2] @ np.array(ctr)
    inverse = np.linalg.inv(m)
    return _affine_run(job, inverse, out_shape)


def _rotation_about(angle, center, func):
    try:
        values = tuple(float(v) for v in center)
    except (TypeError, ValueError):
        _validate.fail(func, "center", center, "None or a pair (row, col) of finite numbers", TypeError)
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        _validate.fail(func, "center", center, "None or a pair (row, col) of finite numbers")
    return rotation(angle, values)
