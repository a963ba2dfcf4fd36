"""Point-spread functions (Gaussian, linear motion, defocus disk, shift), blur simulation and edge tapering.

The degradation model is g = h * f + n: the image f blurred by the point-spread function (PSF) h plus
noise n (the course writes I = f * L + n). A PSF here is an array of any (odd or even) shape whose centre, the
pixel that multiplies f(x) when computing g(x), is at index ``shape // 2`` along each axis; turning it into
the optical transfer function (OTF) H moves that centre to the origin by a circular shift, so a centred delta
is the identity. FFT work uses real transforms, ``scipy.fft.rfftn`` / ``irfftn`` with ``workers``: fastdip's
FFT threads, see ``fastdip.fourier`` (scipy is a runtime dependency; float32 data stays float32 / complex64).

The private helpers below (argument checks, the OTF, circular convolution) are shared by the other
restoration families (``_linear``, ``_iterative``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _modes, _validate, parallel
from .._docs import fill

__all__ = ["psf_gaussian", "psf_motion", "psf_disk", "psf_shift", "blur", "edgetaper"]

#: ``blur`` modes: the FFT's own periodic extension plus scipy.ndimage's names (padded, then cropped)
BLUR_MODES = ("circular",) + _modes.MODES


# -- helpers shared by the restoration families ------------------------------------------------------------


def _prepare(image, func: str, channel_axis):
    """Check the image (finite values); return (x, axis, out_dtype): x a C-contiguous (B, *spatial) float32 or
    float64 array (a copy or view, never written) with the channels, or one batch of 1, first."""
    arr = _validate.image(image, func, finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    if axis is not None and arr.ndim < 2:
        _validate.fail(func, "image", arr, "an array with at least one spatial axis besides the channel axis")
    out_dtype = _validate.float_dtype_for(arr.dtype)
    x = arr[None] if axis is None else np.moveaxis(arr, axis, 0)
    return np.ascontiguousarray(x, dtype=out_dtype), axis, out_dtype


def _finish(y: np.ndarray, axis, dtype) -> np.ndarray:
    result = y[0] if axis is None else np.ascontiguousarray(np.moveaxis(y, 0, axis))
    return _validate.cast_result(result, dtype)


def _psf_array(psf, func: str, spatial, *, fits: bool = True) -> np.ndarray:
    """Check a PSF against the spatial shape of the image: same number of axes, finite, not all zero, and
    (when ``fits``) no larger than the image along any axis. Returns float64."""
    h = _validate.image(psf, func, param="psf", allow_bool=True, finite=True)
    n = len(spatial)
    if h.ndim != n:
        _validate.fail(func, "psf", h, f"a {n}-D array (one axis per spatial axis of the image)")
    if fits and any(s > m for s, m in zip(h.shape, spatial)):
        _validate.fail(func, "psf", h, f"no larger than the image's spatial shape {tuple(spatial)} along any axis")
    h = h.astype(np.float64)
    if not np.any(h):
        _validate.fail(func, "psf", h, "an array with at least one non-zero value")
    return h


def _otf(psf: np.ndarray, shape, dtype) -> np.ndarray:
    """The real-FFT half of the transfer function of ``psf`` on a grid of ``shape``: the DFT of the PSF
    zero-padded to ``shape`` and circularly shifted so that its centre (index psf.shape // 2) is at the origin;
    complex64 for float32 ``dtype``, complex128 for float64. The PSF must fit in ``shape``.

    A small PSF is transformed by one small DFT matrix per axis (exact phases from integer arithmetic,
    BLAS products in the result's precision), which costs about (side / log2 N) of an FFT of the whole grid; a large
    one by a zero-padded real FFT."""
    from scipy import fft

    complex_dtype = np.complex64 if np.dtype(dtype) == np.float32 else np.complex128
    if max(psf.shape) > 32:
        padded = np.zeros(shape, dtype=dtype)
        # the PSF's centre goes to index 0, the rest wraps around (index arrays: no rolled copy of the grid)
        where = np.ix_(*[(np.arange(s) - s // 2) % n for s, n in zip(psf.shape, shape)])
        padded[where] = psf
        return fft.rfftn(padded, workers=parallel._fft_workers(padded.size)).astype(complex_dtype, copy=False)
    out = psf.astype(complex_dtype)
    last = len(shape) - 1
    for ax in range(last, -1, -1):  # the last axis first: it has only n // 2 + 1 frequencies
        n, s = shape[ax], psf.shape[ax]
        freqs = np.arange(n // 2 + 1 if ax == last else n)
        taps = np.arange(s) - s // 2
        phase = np.outer(freqs, taps) % n  # exact integers: no loss for large u * k
        matrix = np.exp(-2j * np.pi * phase / n).astype(complex_dtype)
        # matrix @ (axis ax moved to the front, the rest flattened): a plain BLAS product
        front = np.moveaxis(out, ax, 0)
        out = np.moveaxis((matrix @ front.reshape(s, -1)).reshape((len(freqs),) + front.shape[1:]), 0, ax)
    return np.ascontiguousarray(out, dtype=complex_dtype)


def _rfft(x: np.ndarray, s=None):
    """rfftn over the spatial axes (all but the first) of a (B, *spatial) array, zero-padded to ``s``."""
    from scipy import fft

    axes = tuple(range(1, x.ndim))
    # C order, so that the kernels' reshaped views write into this very array
    values = x.size if s is None else x.shape[0] * int(np.prod(s))
    return np.ascontiguousarray(fft.rfftn(x, s=s, axes=axes, workers=parallel._fft_workers(max(x.size, values))))


def _irfft(spectrum: np.ndarray, shape):
    """irfftn over the spatial axes of a (B, *half) spectrum, back to the spatial ``shape``."""
    from scipy import fft

    axes = tuple(range(1, spectrum.ndim))
    workers = parallel._fft_workers(spectrum.shape[0] * int(np.prod(shape)))
    if len(axes) > 1 and tuple(shape[:-1]) == spectrum.shape[1:-1]:
        # The same transform in two calls, bit for bit: pocketfft's one-call c2r took 15-21 ms at 2048²
        # float32 against 5-9 ms for these two (in place), measured here.
        spectrum = fft.ifftn(spectrum, axes=axes[:-1], workers=workers, overwrite_x=True)
        return fft.irfft(spectrum, n=shape[-1], axis=-1, workers=workers, overwrite_x=True)
    return fft.irfftn(spectrum, s=tuple(shape), axes=axes, workers=workers, overwrite_x=True)


def _circular(x: np.ndarray, otf: np.ndarray) -> np.ndarray:
    """Circular convolution of each batch of x (B, *spatial) with the OTF ``otf`` (half-spectrum)."""
    spectrum = _rfft(x)
    spectrum *= otf
    return _irfft(spectrum, x.shape[1:])


def _float_shape(shape, func: str, param: str = "shape") -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),) * 2
    try:
        values = tuple(shape)
    except TypeError:
        _validate.fail(func, param, shape, "a positive int or a tuple of positive ints", TypeError)
    if not values or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
                             for v in values):
        _validate.fail(func, param, shape, "a positive int or a non-empty tuple of positive ints")
    return tuple(int(v) for v in values)


# -- point-spread functions ---------------------------------------------------------------------------------


def psf_gaussian(shape, sigma):
    """A sampled Gaussian point-spread function (atmospheric turbulence, out-of-focus approximation).

    Parameters
    ----------
    shape : int or tuple of int
        The PSF's shape: an int for a square 2-D PSF, or one side per axis (any number of axes, odd or
        even sides). The centre is at index ``shape // 2``.
    sigma : float or sequence of float
        Standard deviation in pixels, one for all axes or one per axis; 0 makes the PSF a delta along that
        axis.

    Returns
    -------
    ndarray of float64
        The PSF, non-negative and normalised to sum 1.

    Raises
    ------
    TypeError
        If ``shape`` or ``sigma`` has the wrong type.
    ValueError
        If a side is not positive, a sigma is negative or ``sigma`` has the wrong length.

    Notes
    -----
    h(x) ∝ Π_i exp(-(x_i - c_i)^2 / (2 sigma_i^2)) on the grid, c = shape // 2, divided by its sum (so the
    truncated tails are folded into the normalisation). The Gaussian is the long-exposure PSF of atmospheric
    turbulence (Hufnagel & Stanley), H(u, v) = exp(-k (u^2 + v^2)^(5/6)) in the course.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.6
       (estimating the degradation function). Pearson.

    Examples
    --------
    >>> from fastdip.restoration import psf_gaussian
    >>> h = psf_gaussian((1, 5), (0, 1))
    >>> print(h.round(3))
    [[0.054 0.244 0.403 0.244 0.054]]
    >>> print(round(h.sum(), 6))
    1.0
    """
    func = "psf_gaussian"
    shape = _float_shape(shape, func)
    n = len(shape)
    if isinstance(sigma, numbers.Real) and not isinstance(sigma, bool):
        sigmas = (_validate.number(sigma, func, "sigma", low=0),) * n
    else:
        try:
            if isinstance(sigma, (str, bytes)):
                raise TypeError
            values = tuple(sigma)
        except TypeError:
            _validate.fail(func, "sigma", sigma, f"a number >= 0 or a sequence of {n} of them", TypeError)
        if len(values) != n:
            _validate.fail(func, "sigma", sigma, f"a number >= 0 or a sequence of {n} of them (one per axis)")
        sigmas = tuple(_validate.number(v, func, "sigma", low=0) for v in values)
    factors = []
    for side, s in zip(shape, sigmas):
        d = np.arange(side, dtype=np.float64) - side // 2
        if s == 0:
            f = (d == 0).astype(np.float64)
        else:
            with np.errstate(over="ignore", under="ignore"):  # a tiny sigma: a delta, not a warning
                f = np.exp(-0.5 * (d / s) ** 2)
        factors.append(f / f.sum())
    h = math.prod(np.ix_(*factors))
    return h / h.sum()


def _clip_area(poly, x0: float, x1: float, y0: float, y1: float) -> float:
    """Area of a convex polygon (list of (x, y)) inside the box [x0, x1] x [y0, y1] (Sutherland-Hodgman)."""
    for axis, bound, keep_low in ((0, x0, False), (0, x1, True), (1, y0, False), (1, y1, True)):
        out = []
        m = len(poly)
        for i in range(m):
            p, q = poly[i], poly[(i + 1) % m]
            p_in = p[axis] <= bound if keep_low else p[axis] >= bound
            q_in = q[axis] <= bound if keep_low else q[axis] >= bound
            if p_in:
                out.append(p)
            if p_in != q_in:
                t = (bound - p[axis]) / (q[axis] - p[axis])
                out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
        poly = out
        if len(poly) < 3:
            return 0.0
    area = 0.0
    for i in range(len(poly)):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % len(poly)]
        area += ax * by - bx * ay
    return abs(area) / 2.0


def psf_motion(length, angle, *, shape=None):
    """The point-spread function of uniform linear motion during the exposure.

    Parameters
    ----------
    length : float
        The distance travelled, in pixels (> 0; 1 is a single pixel for angle 0).
    angle : float
        Direction in degrees, counter-clockwise from the +col axis as seen on screen (rows grow downwards, so
        45 degrees moves towards smaller rows and larger columns). The PSF is symmetric, so ``angle`` and
        ``angle + 180`` are the same.
    shape : tuple of 2 int, optional
        The PSF's (rows, cols); default: the smallest odd square-ish shape that holds the whole segment. A
        smaller shape cuts the segment (the rest is renormalised).

    Returns
    -------
    (M, N) ndarray of float64
        The PSF, non-negative and normalised to sum 1, centred at index ``shape // 2``.

    Raises
    ------
    TypeError
        If ``length`` or ``angle`` is not a number or ``shape`` is not a tuple of ints.
    ValueError
        If ``length`` is not positive or ``shape`` is not a pair of positive ints.

    Notes
    -----
    The segment of length ``length`` through the centre, drawn as a rectangle ``length`` x 1 pixel, is
    rasterised exactly: each pixel gets the area of its overlap with the rectangle (polygon clipping), so the
    PSF is anti-aliased and a horizontal or vertical motion of an integer length is a uniform run of
    ``length`` pixels (like MATLAB's ``fspecial('motion')``). The course's continuous model is
    H(u, v) = T sin(π(ua + vb)) e^(-jπ(ua + vb)) / (π(ua + vb)); this PSF is its centred, sampled version.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.6
       (estimation by modeling: uniform linear motion). Pearson.
    .. [2] Sutherland, I. E., & Hodgman, G. W. (1974). Reentrant polygon clipping. Communications of the ACM,
       17(1), 32-42. https://doi.org/10.1145/360767.360802

    Examples
    --------
    >>> from fastdip.restoration import psf_motion
    >>> print(psf_motion(3, 0).round(3))
    [[0.333 0.333 0.333]]
    >>> print(psf_motion(2, 90))
    [[0.25]
     [0.5 ]
     [0.25]]
    """
    func = "psf_motion"
    length = _validate.number(length, func, "length", low=0, low_open=True)
    angle = _validate.number(angle, func, "angle")
    theta = math.radians(angle)
    # unit vectors in (col, row) = (x, y) with y pointing down: counter-clockwise on screen is -row
    ux, uy = math.cos(theta), -math.sin(theta)
    vx, vy = -uy, ux
    hl = length / 2.0
    corners = [(sa * hl * ux + sb * 0.5 * vx, sa * hl * uy + sb * 0.5 * vy)
               for sa, sb in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    if shape is None:
        rx = max(abs(c[0]) for c in corners)
        ry = max(abs(c[1]) for c in corners)
        # pixel k covers [k - 0.5, k + 0.5]; drop the last ring when it would hold only rounding crumbs
        shape = (2 * max(0, math.ceil(ry - 0.5 - 1e-9)) + 1, 2 * max(0, math.ceil(rx - 0.5 - 1e-9)) + 1)
    else:
        shape = _float_shape(shape, func)
        if len(shape) != 2:
            _validate.fail(func, "shape", shape, "None or a tuple of 2 positive ints")
    rows, cols = shape
    cr, cc = rows // 2, cols // 2
    h = np.zeros(shape)
    for r in range(rows):
        y = r - cr
        for c in range(cols):
            x = c - cc
            # cheap reject: the pixel centre is farther than half a diagonal from the rectangle
            along = x * ux + y * uy
            across = x * vx + y * vy
            if abs(along) > hl + 0.75 or abs(across) > 1.25:
                continue
            h[r, c] = _clip_area(corners, x - 0.5, x + 0.5, y - 0.5, y + 0.5)
    total = h.sum()
    if total <= 0:
        _validate.fail(func, "shape", shape, "large enough to hold part of the motion segment")
    h /= total
    return h


def _disk_corner(a: np.ndarray, b: np.ndarray, r: float) -> np.ndarray:
    """Signed area of the disk of radius r inside the rectangle between the origin and the corner (a, b)."""
    sign = np.sign(a) * np.sign(b)
    a, b = np.abs(a), np.abs(b)
    a_in = np.minimum(a, r)
    x_cross = np.minimum(np.sqrt(np.maximum(r * r - b * b, 0.0)), a_in)  # the arc crosses y = b at x_cross

    def primitive(t):  # ∫ sqrt(r² - t²) dt
        return 0.5 * (t * np.sqrt(np.maximum(r * r - t * t, 0.0)) + r * r * np.arcsin(np.clip(t / r, -1, 1)))

    return sign * (b * x_cross + primitive(a_in) - primitive(x_cross))


def psf_disk(radius):
    """The uniform-disk point-spread function of a defocused lens (pillbox).

    Parameters
    ----------
    radius : float
        The disk's radius in pixels (> 0).

    Returns
    -------
    (M, M) ndarray of float64
        The PSF, M = 2 * ceil(radius + 0.5) - 1 (odd), normalised to sum 1; each pixel's value is proportional
        to the area of the pixel inside the disk (anti-aliased edge).

    Raises
    ------
    TypeError
        If ``radius`` is not a number.
    ValueError
        If ``radius`` is not positive.

    Notes
    -----
    Geometric optics: an out-of-focus point spreads into a uniform disk (circle of confusion) whose transfer
    function is the jinc 2 J1(ρ r)/(ρ r). Each pixel's area inside the disk is computed exactly, from the
    closed-form integral of sqrt(r² - x²) over the parts of the pixel in each quadrant.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.6. Pearson.
    .. [2] Hansen, P. C., Nagy, J. G., & O'Leary, D. P. (2006). Deblurring Images: Matrices, Spectra, and
       Filtering, section 3.1 (out-of-focus blur). SIAM. https://doi.org/10.1137/1.9780898718874

    Examples
    --------
    >>> from fastdip.restoration import psf_disk
    >>> h = psf_disk(1.0)
    >>> print(h.shape, (h / h.max()).round(2))
    (3, 3) [[0.08 0.46 0.08]
     [0.46 1.   0.46]
     [0.08 0.46 0.08]]
    """
    func = "psf_disk"
    radius = _validate.number(radius, func, "radius", low=0, low_open=True)
    k = max(0, math.ceil(radius + 0.5) - 1)
    d = np.arange(-k, k + 1, dtype=np.float64)
    y, x = np.meshgrid(d, d, indexing="ij")
    # exact area of each pixel square inside the disk, by inclusion-exclusion of corner rectangles
    h = (_disk_corner(x + 0.5, y + 0.5, radius) - _disk_corner(x - 0.5, y + 0.5, radius)
         - _disk_corner(x + 0.5, y - 0.5, radius) + _disk_corner(x - 0.5, y - 0.5, radius))
    np.maximum(h, 0, out=h)
    return h / h.sum()


def psf_shift(offset):
    """A shifted delta: the point-spread function that translates an image (the course's shift filter).

    Parameters
    ----------
    offset : sequence of float
        The displacement (drow, dcol) (or one value per axis for n-D), in pixels; ``blur`` with this PSF moves
        the image content by ``offset`` (towards larger indices for positive values).

    Returns
    -------
    ndarray of float64
        An array of odd sides 2 * ceil(|offset_i|) + 1 with the delta at ``shape // 2 + offset``: one 1 for
        integer offsets, a bilinear (n-linear) split over the neighbouring pixels for fractional ones; sums
        to 1.

    Raises
    ------
    TypeError
        If ``offset`` is not a sequence of numbers.
    ValueError
        If ``offset`` is empty or holds a non-finite value.

    Notes
    -----
    Convolution with δ(x - a) gives f(x - a). A fractional a = k + t (0 < t < 1) splits the weight into
    (1 - t) at k and t at k + 1 along each axis, which is linear interpolation of f between the two pixels.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 3.4 (shift as
       a convolution with a displaced impulse). Pearson.

    Examples
    --------
    >>> from fastdip.restoration import psf_shift
    >>> print(psf_shift((1, 0)))
    [[0.]
     [0.]
     [1.]]
    >>> print(psf_shift((0, 0.25)))
    [[0.   0.75 0.25]]
    """
    func = "psf_shift"
    allowed = "a non-empty sequence of finite numbers (drow, dcol)"
    if isinstance(offset, (str, bytes)) or np.ndim(offset) != 1:
        _validate.fail(func, "offset", offset, allowed, TypeError)
    values = tuple(offset)
    if not values:
        _validate.fail(func, "offset", offset, allowed)
    values = tuple(_validate.number(v, func, "offset") for v in values)
    radius = [math.ceil(abs(v)) for v in values]
    h = np.ones([1] * len(values))
    factors = []
    for v, r in zip(values, radius):
        f = np.zeros(2 * r + 1)
        lo = math.floor(v)
        t = v - lo
        f[r + lo] += 1.0 - t
        if t > 0:
            f[r + lo + 1] += t
        factors.append(f)
    h = math.prod(np.ix_(*factors)) * h
    return h / h.sum()


# -- blur simulation and edge tapering --------------------------------------------------------------------------


@fill
def blur(image, psf, *, mode="circular", cval=0.0, channel_axis=None, dtype=None):
    """Simulate a blur: the convolution g = h * f of the image with a point-spread function.

    Parameters
    ----------
    {image}
    psf : ndarray
        The point-spread function, one axis per spatial axis of the image, centred at index
        ``psf.shape // 2`` (any sides, odd or even). It is used as given (not normalised).
    mode : {'circular', 'reflect', 'mirror', 'nearest', 'wrap', 'constant'}, optional
        'circular' (default): circular convolution through the DFT, the model that inverse, Wiener, CLS and
        circular Richardson-Lucy filtering assume; the PSF must then be no larger than the image. The other
        names extend the image as scipy.ndimage does (``d c b a | a b c d`` for 'reflect', ``d c b | a b c d``
        for 'mirror', ``a a | a b`` for 'nearest', periodic for 'wrap' (= 'circular'), ``cval`` for
        'constant') by the PSF's half-size, convolve through the FFT and crop.
    {cval}
    {channel_axis}
        Every channel is blurred with the same PSF.
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The blurred image, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or PSF is not numeric, or ``dtype`` is not numeric.
    ValueError
        If the image holds NaN/inf, the PSF has the wrong number of axes, is all zero or holds NaN/inf, is
        larger than the image with mode 'circular', or ``mode``, ``cval`` or ``channel_axis`` is invalid.

    Notes
    -----
    g(x) = Σ_k h(k) f(x - (k - c)), c = psf.shape // 2: true convolution (PSF flipped), equal to
    scipy.ndimage.convolve(f, h, mode=mode) for the padded modes. Computed with real FFTs in float32 for
    inputs of up to 32 bits (float64 for float64 input); padded modes use an FFT size of at least the image
    plus the PSF minus 1, so nothing wraps around.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), sections 4.6-4.7
       (convolution theorem, wraparound error) and 5.5 (the degradation model). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blur
    >>> f = np.zeros((1, 5))
    >>> f[0, 0] = 4
    >>> print(blur(f, np.array([[0.25, 0.5, 0.25]])).round(6) + 0)
    [[2. 1. 0. 0. 1.]]
    >>> print(blur(f, np.array([[0.25, 0.5, 0.25]]), mode="constant").round(6) + 0)
    [[2. 1. 0. 0. 0.]]
    """
    func = "blur"
    mode = _validate.choice(mode, func, "mode", BLUR_MODES)
    cval = _validate.number(cval, func, "cval")
    dtype = _validate.output_dtype(dtype, func)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial, fits=mode == "circular")
    if mode == "circular":
        y = _circular(x, _otf(h, spatial, out_dtype))
        return _finish(y, axis, dtype)
    from scipy import fft

    before = [s - 1 - s // 2 for s in h.shape]
    after = [s // 2 for s in h.shape]
    padded = _modes.pad(x, [(0, 0)] + list(zip(before, after)), mode, cval)
    grid = tuple(fft.next_fast_len(n, real=True) for n in padded.shape[1:])
    spectrum = _rfft(padded, s=grid)
    spectrum *= _otf(h, grid, out_dtype)
    y = _irfft(spectrum, grid)
    # the circular result at index before + i is the linear one at i (the PSF's centre sits at the origin)
    y = y[(slice(None),) + tuple(slice(b, b + n) for b, n in zip(before, spatial))]
    return _finish(np.ascontiguousarray(y), axis, dtype)


@fill
def edgetaper(image, psf, *, channel_axis=None, dtype=None):
    """Taper the image's borders into a blurred copy so that circular deconvolution rings less.

    Parameters
    ----------
    {image}
    psf : ndarray
        The point-spread function (centred at ``psf.shape // 2``, one axis per spatial axis, no larger than
        the image).
    {channel_axis}
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        J = α f + (1 - α) (h ⊛ f), of the input's shape, with h ⊛ f the circular blur.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or PSF is not numeric.
    ValueError
        If the image holds NaN/inf or the PSF is invalid or larger than the image.

    Notes
    -----
    Frequency-domain deconvolution treats the image as periodic, so the jump between opposite borders rings
    through the whole result. Following MATLAB's ``edgetaper``: along each axis i the PSF is summed over the
    other axes to a 1-D profile p_i, its circular autocorrelation over n_i - 1 samples is normalised to 1 at
    lag 0 and closed periodically to n_i samples, giving β_i (1 at both ends, falling to 0 a PSF width
    inside); α = Π_i (1 - β_i). So J equals the blurred image at the borders (which is periodic-consistent)
    and the original inside.

    References
    ----------
    .. [1] Reeves, S. J. (2005). Fast image restoration without boundary artifacts. IEEE Transactions on
       Image Processing, 14(10), 1448-1453. https://doi.org/10.1109/TIP.2005.854474
    .. [2] The MathWorks. edgetaper: Taper discontinuities along image edges (Image Processing Toolbox
       documentation).

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import edgetaper
    >>> f = np.zeros((1, 7))
    >>> f[0, 0] = 7.0
    >>> print(edgetaper(f, np.array([[1/3, 1/3, 1/3]])).round(2))
    [[2.33 1.56 0.   0.   0.   0.   2.33]]
    """
    func = "edgetaper"
    dtype = _validate.output_dtype(dtype, func)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial)
    from scipy import fft

    alpha = np.ones((), dtype=np.float64)
    for i, n in enumerate(spatial):
        profile = h.sum(axis=tuple(j for j in range(h.ndim) if j != i))
        if n < 2:
            beta = np.zeros(n)  # nothing to taper along a single sample
        else:
            spectrum = fft.rfft(profile, n - 1)
            auto = fft.irfft(np.abs(spectrum) ** 2, n - 1)
            auto = np.append(auto, auto[0])
            beta = auto / auto.max()
        alpha = np.multiply.outer(alpha, 1.0 - beta)
    alpha = alpha.astype(out_dtype)
    blurred = _circular(x, _otf(h, spatial, out_dtype))
    # J = blurred + alpha (x - blurred)
    x = x - blurred
    x *= alpha
    x += blurred
    return _finish(x, axis, dtype)
