"""Noise models and noise estimation (Gonzalez & Woods, sec. 5.2).

=================== ====================================== ========================================
function            model                                  parameters (in the image's value scale)
=================== ====================================== ========================================
``gaussian``        g = f + mean + sigma·n, n ~ N(0, 1)    ``sigma``, ``mean``
``uniform``         g = f + u, u ~ U[low, high)            ``low``, ``high``
``speckle``         g = f + f·n, n ~ N(0, sigma²)          ``sigma`` (relative, no unit)
``poisson``         g = Poisson(f·peak/max)·max/peak       ``peak`` photons at the dtype maximum
``salt_and_pepper`` exactly round(amount·N) pixels set to  ``amount``, ``salt_vs_pepper``
                    salt or pepper (impulse noise)
``periodic``        Σ A·sin(2π(u·x/M + v·y/N) + φ)         ``frequencies`` (u, v), ``amplitudes``
=================== ====================================== ========================================

The image generators take uint8, uint16, float32 and float64 images and return the input dtype. Noise is
added in the image's own value scale: ``sigma=25`` on a uint8 image means 25 grey levels, ``sigma=0.1`` on a
float image in [0, 1] means a tenth of the range. (Gaussian and speckle noise are computed in float32 for
uint8, uint16 and float32 images, which float32 holds exactly, and in float64 for float64 images; uniform
and Poisson noise in float64.) Integer results are rounded
(half to even) and clipped to [0, L-1]; an integer image cannot take ``clip=False`` (the values outside the
range could only wrap around). Float results are clipped to [0, 1] with ``clip=True`` (the default) and left
as they are with ``clip=False``. Every generator takes ``rng`` (None, an int seed or a numpy Generator), is
reproducible for a given seed, never touches numpy's global random state and never modifies its input.

``estimate_sigma`` estimates the standard deviation of additive Gaussian noise from a single image
(Immerkær's Laplacian-difference estimator, or the median absolute deviation of the finest diagonal Haar
wavelet band of Donoho & Johnstone).
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate
from ._docs import fill
from .dtype import dtype_range

__all__ = ["gaussian", "uniform", "speckle", "poisson", "salt_and_pepper", "periodic", "estimate_sigma"]

#: image dtypes the generators accept (and return)
_DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
#: Phi^-1(3/4): the median of |N(0, 1)|, the MAD -> sigma factor (about 0.6745)
_MAD_TO_SIGMA = 0.6744897501960817
#: numpy's Poisson sampler refuses larger means (its limit is about 9.2e18)
_POISSON_LAM_MAX = 1e18


# --- shared helpers -------------------------------------------------------------------------------------

def _check_image(image, func: str, *, finite: bool = False) -> np.ndarray:
    arr = _validate.image(image, func, finite=finite)
    if arr.dtype.type not in _DTYPES:
        _validate.fail(
            func, "image", arr,
            "an image of dtype uint8, uint16, float32 or float64 (convert other dtypes first, "
            "e.g. with fastdip.dtype.to_float or rescale_intensity)",
            TypeError,
        )
    return arr


def _check_clip(clip, arr: np.ndarray, func: str) -> bool:
    if not isinstance(clip, (bool, np.bool_)):
        _validate.fail(func, "clip", clip, "True or False", TypeError)
    if arr.dtype.kind == "u" and not clip:
        top = dtype_range(arr.dtype)[1]
        raise ValueError(
            f"{func}: clip=False is not allowed for a {arr.dtype.name} image: noisy values outside "
            f"[0, {top}] cannot be stored in {arr.dtype.name} without wrapping around; keep clip=True, or "
            "convert the image with fastdip.dtype.to_float first and pass clip=False to keep them"
        )
    return bool(clip)


def _work_dtype(arr: np.ndarray, *scalars: float) -> np.dtype:
    """float64 for float64 images (or parameters beyond float32); float32 otherwise: exact for every uint16
    level, and half the memory traffic (gaussian on 2048² uint8: 34 ms instead of 46 ms, most of it drawing
    the normals)."""
    if arr.dtype == np.float64 or any(abs(x) > 1e30 for x in scalars):
        return np.dtype(np.float64)
    return np.dtype(np.float32)


def _finish(values: np.ndarray, arr: np.ndarray, clip: bool) -> np.ndarray:
    """Bring float noisy ``values`` (a scratch array, overwritten) back to the dtype of ``arr``."""
    if arr.dtype.kind == "u":
        return _validate.cast_result(values, arr.dtype)  # rint (half to even) + clip to [0, L-1]
    if clip:
        np.clip(values, 0.0, 1.0, out=values)
    return values.astype(arr.dtype, copy=False)


def _level(value, arr: np.ndarray, func: str, param: str, default):
    """A salt/pepper value: any finite real for float images, an integer of the dtype's range otherwise."""
    if value is None:
        return default
    if arr.dtype.kind == "f":
        return _validate.number(value, func, param)
    lo, hi = dtype_range(arr.dtype)
    number = _validate.number(value, func, param, low=lo, high=hi)
    if number != int(number):
        _validate.fail(func, param, value, f"an integer in [{lo}, {hi}] for a {arr.dtype.name} image")
    return int(number)


# --- additive and multiplicative noise ------------------------------------------------------------------

@fill
def gaussian(image, sigma, *, mean=0.0, rng=None, clip=True) -> np.ndarray:
    """Add Gaussian noise: g = f + mean + sigma·n with n ~ N(0, 1) drawn independently for every element.

    Parameters
    ----------
    {image}
        uint8, uint16, float32 or float64, any shape (colour channels get independent noise).
    sigma : float
        The noise standard deviation (>= 0) in the image's value scale: grey levels for integer images
        (``sigma=25`` on uint8), a fraction of the range for float images in [0, 1] (``sigma=0.1``).
    mean : float, optional
        The noise mean, in the same scale (default 0).
    {rng}
    clip : bool, optional
        Integer images are always clipped to [0, L-1] (``clip=False`` is refused for them). Float results
        are clipped to [0, 1] when True (the default) and left unbounded when False.

    Returns
    -------
    ndarray
        The input's shape and dtype; integer results rounded half to even, then clipped.

    Raises
    ------
    TypeError
        For an image of another dtype, or an ``rng`` that is not None, an int or a Generator.
    ValueError
        For a negative or non-finite ``sigma``, or ``clip=False`` with an integer image.

    Notes
    -----
    The Gaussian noise model, p(z) = exp(-(z - mean)² / (2 sigma²)) / (sqrt(2π) sigma). Clipping at the
    range ends makes the noise of a near-black or near-white pixel smaller and biased.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2.

    Examples
    --------
    >>> img = np.full((64, 64), 128, dtype=np.uint8)
    >>> out = gaussian(img, 10, rng=0)
    >>> out.dtype, bool(abs(out.std() - 10) < 0.5), bool(abs(out.mean() - 128) < 0.5)
    (dtype('uint8'), True, True)
    """
    func = "gaussian"
    arr = _check_image(image, func)
    sigma = _validate.number(sigma, func, "sigma", low=0)
    mean = _validate.number(mean, func, "mean")
    clip = _check_clip(clip, arr, func)
    gen = _validate.as_rng(rng, func)
    work = _work_dtype(arr, sigma, mean)
    values = gen.standard_normal(arr.shape, dtype=work)
    values *= work.type(sigma)
    values += work.type(mean)
    values += arr
    return _finish(values, arr, clip)


@fill
def uniform(image, low, high, *, rng=None, clip=True) -> np.ndarray:
    """Add uniform noise: g = f + u with u ~ U[low, high) drawn independently for every element.

    Parameters
    ----------
    {image}
        uint8, uint16, float32 or float64, any shape.
    low, high : float
        The noise interval, low <= high, in the image's value scale (grey levels for integer images).
        The noise has mean (low + high)/2 and variance (high - low)²/12.
    {rng}
    clip : bool, optional
        As for :func:`gaussian`: integer images are always clipped; floats to [0, 1] when True.

    Returns
    -------
    ndarray
        The input's shape and dtype; integer results rounded half to even, then clipped.

    Raises
    ------
    TypeError
        For an image of another dtype or a bad ``rng``.
    ValueError
        For non-finite bounds, ``low > high``, or ``clip=False`` with an integer image.

    Notes
    -----
    The uniform noise model, p(z) = 1/(b - a) for a <= z < b.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2.

    Examples
    --------
    >>> img = np.full((32, 32), 100, dtype=np.uint8)
    >>> out = uniform(img, -5, 5, rng=1)
    >>> int(out.min()) >= 95, int(out.max()) <= 105
    (True, True)
    """
    func = "uniform"
    arr = _check_image(image, func)
    low = _validate.number(low, func, "low")
    high = _validate.number(high, func, "high")
    if low > high:
        _validate.fail(func, "high", high, f"greater than or equal to low={low!r}")
    clip = _check_clip(clip, arr, func)
    gen = _validate.as_rng(rng, func)
    values = gen.uniform(low, high, arr.shape)
    values += arr
    return _finish(values, arr, clip)


@fill
def speckle(image, sigma, *, rng=None, clip=True) -> np.ndarray:
    """Add multiplicative (speckle) noise: g = f + f·n with n ~ N(0, sigma²).

    Parameters
    ----------
    {image}
        uint8, uint16, float32 or float64, any shape.
    sigma : float
        The standard deviation (>= 0) of the relative noise n, without unit: the noise at a pixel of value f
        has standard deviation sigma·|f| (variance proportional to f²).
    {rng}
    clip : bool, optional
        As for :func:`gaussian`: integer images are always clipped; floats to [0, 1] when True.

    Returns
    -------
    ndarray
        The input's shape and dtype; integer results rounded half to even, then clipped.

    Raises
    ------
    TypeError
        For an image of another dtype or a bad ``rng``.
    ValueError
        For a negative ``sigma`` or ``clip=False`` with an integer image.

    Notes
    -----
    Speckle (as in coherent imaging: ultrasound, SAR, laser) multiplies the signal, so black pixels stay
    black and bright ones vary most. Approximated here by a Gaussian multiplier 1 + n.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2.

    Examples
    --------
    >>> img = np.array([[0, 0], [200, 200]], dtype=np.uint8)
    >>> out = speckle(img, 0.1, rng=2)
    >>> out[0].tolist()
    [0, 0]
    """
    func = "speckle"
    arr = _check_image(image, func)
    sigma = _validate.number(sigma, func, "sigma", low=0)
    clip = _check_clip(clip, arr, func)
    gen = _validate.as_rng(rng, func)
    work = _work_dtype(arr, sigma)
    values = gen.standard_normal(arr.shape, dtype=work)
    values *= work.type(sigma)
    values *= arr
    values += arr
    return _finish(values, arr, clip)


@fill
def poisson(image, *, peak=None, rng=None, clip=True) -> np.ndarray:
    """Poisson (shot, photon-counting) noise: g = Poisson(f·peak/max)·max/peak.

    Parameters
    ----------
    {image}
        uint8, uint16, float32 or float64 with non-negative finite values, any shape.
    peak : float, optional
        The mean photon count of a pixel at the top of the dtype range (max = L-1 for integer images, 1.0
        for float images); smaller means fewer photons and relatively stronger noise. Default: ``L-1`` for
        integer images, so that every grey level is one photon and g ~ Poisson(f) exactly; 255 for float
        images, the noise of the image's uint8 version.
    {rng}
    clip : bool, optional
        As for :func:`gaussian`: integer images are always clipped to [0, L-1]; floats to [0, 1] when True.

    Returns
    -------
    ndarray
        The input's shape and dtype; integer results rounded half to even, then clipped.

    Raises
    ------
    TypeError
        For an image of another dtype or a bad ``rng``.
    ValueError
        For negative or non-finite intensities, a ``peak`` that is not positive, expected counts beyond
        numpy's sampler (about 1e18), or ``clip=False`` with an integer image.

    Notes
    -----
    The count k at a pixel with expected count λ = f·peak/max has P(k) = λ^k e^(-λ)/k!: mean and variance
    both λ, so the noise standard deviation grows as sqrt(f) and the SNR as sqrt(peak).

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2 (noise
    models) and sec. 2.3 (photon sensing).

    Examples
    --------
    >>> img = np.full((100, 100), 50, dtype=np.uint16)
    >>> out = poisson(img, rng=3)
    >>> bool(abs(out.mean() - 50) < 0.5), bool(abs(out.var() - 50) < 5)
    (True, True)
    """
    func = "poisson"
    arr = _check_image(image, func, finite=True)
    if arr.dtype.kind == "f" and arr.min() < 0:
        raise ValueError(f"{func}: image must have non-negative intensities (expected photon counts), "
                         f"got a minimum of {arr.min()!r}")
    top = float(dtype_range(arr.dtype)[1])
    if peak is None:
        peak = top if arr.dtype.kind == "u" else 255.0
    else:
        peak = _validate.number(peak, func, "peak", low=0, low_open=True)
    clip = _check_clip(clip, arr, func)
    gen = _validate.as_rng(rng, func)
    gain = peak / top
    lam = arr.astype(np.float64)
    if gain != 1.0:
        lam *= gain
    if lam.max() > _POISSON_LAM_MAX:
        raise ValueError(f"{func}: the expected counts image·peak/max reach {lam.max():.3g}, beyond numpy's "
                         f"Poisson sampler (at most {_POISSON_LAM_MAX:.0e}); lower peak or the intensities")
    counts = gen.poisson(lam)  # int64
    if gain == 1.0 and arr.dtype.kind == "u":  # photon counts are grey levels: only the top clip remains
        np.minimum(counts, int(top), out=counts)
        return counts.astype(arr.dtype)
    values = counts.astype(np.float64)
    if gain != 1.0:
        values /= gain
    return _finish(values, arr, clip)


# --- impulse noise --------------------------------------------------------------------------------------

@fill
def salt_and_pepper(image, amount, *, salt_vs_pepper=0.5, salt=None, pepper=None, channel_axis=None,
                    rng=None) -> np.ndarray:
    """Impulse noise: set exactly round(amount·N) randomly chosen pixels to salt or pepper.

    Parameters
    ----------
    {image}
        uint8, uint16, float32 or float64, any shape.
    amount : float
        The fraction of the N pixels to corrupt, in [0, 1]. Exactly k = round(amount·N) distinct pixels
        (chosen without replacement, rounding half to even) are set.
    salt_vs_pepper : float, optional
        The fraction of the k pixels that become salt, in [0, 1]: round(salt_vs_pepper·k) salt pixels, the
        rest pepper (default 0.5).
    salt : float, optional
        The salt (bright impulse) value. Default: the top of the dtype range, 255 for uint8, 65535 for
        uint16, 1.0 for float images. Must be an integer of the dtype's range for integer images.
    pepper : float, optional
        The pepper (dark impulse) value, default 0.
    {channel_axis}
        With a channel axis a pixel is the vector of its channels: N counts pixels, not array elements, and
        a chosen pixel gets salt (or pepper) in every channel (white or black in a colour image). Without
        one, every array element is a pixel of its own.
    {rng}

    Returns
    -------
    ndarray
        A copy of the image (same shape and dtype) with the impulses set.

    Raises
    ------
    TypeError
        For an image of another dtype or a bad ``rng``.
    ValueError
        For ``amount`` or ``salt_vs_pepper`` outside [0, 1], salt/pepper values not representable in the
        dtype, or a bad ``channel_axis``.

    Notes
    -----
    The bipolar impulse model: P(g = salt) = Ps, P(g = pepper) = Pp, else g = f; here the counts are fixed
    (not only their expectation), so a test or an experiment gets exactly the fraction it asks for.
    Pixels whose value already equals the salt or pepper value do not change when chosen.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2.

    Examples
    --------
    >>> img = np.full((10, 10), 128, dtype=np.uint8)
    >>> out = salt_and_pepper(img, 0.1, rng=0)
    >>> int((out != img).sum()), int((out == 255).sum()), int((out == 0).sum())
    (10, 5, 5)
    """
    func = "salt_and_pepper"
    arr = _check_image(image, func)
    amount = _validate.number(amount, func, "amount", low=0, high=1)
    salt_vs_pepper = _validate.number(salt_vs_pepper, func, "salt_vs_pepper", low=0, high=1)
    salt = _level(salt, arr, func, "salt", dtype_range(arr.dtype)[1])
    pepper = _level(pepper, arr, func, "pepper", 0)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    gen = _validate.as_rng(rng, func)

    out = np.array(arr, order="C", copy=True)
    # a view with the channels last, so that indexing its leading axes selects whole pixels
    pixels = out if axis is None else np.moveaxis(out, axis, -1)
    pixel_shape = pixels.shape if axis is None else pixels.shape[:-1]
    n = math.prod(pixel_shape)
    k = round(amount * n)
    n_salt = round(salt_vs_pepper * k)
    chosen = gen.choice(n, size=k, replace=False, shuffle=True)  # distinct flat pixel indices, random order
    pixels[np.unravel_index(chosen[:n_salt], pixel_shape)] = salt
    pixels[np.unravel_index(chosen[n_salt:], pixel_shape)] = pepper
    return out


# --- periodic noise -------------------------------------------------------------------------------------

def _per_component(values, k: int, func: str, param: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, param, values, f"a real number or a sequence of {k} of them", TypeError)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, k)):
        _validate.fail(func, param, values, f"a real number or a sequence of {k} of them (one per frequency)")
    if not np.isfinite(arr).all():
        _validate.fail(func, param, values, "finite")
    return np.broadcast_to(arr.reshape(-1), (k,))


def periodic(shape, frequencies, amplitudes=1.0, phases=0.0) -> np.ndarray:
    """Periodic noise: a sum of 2-D sinusoids A·sin(2π(u·x/M + v·y/N) + φ).

    Parameters
    ----------
    shape : int or (M, N) tuple of int
        The output shape (rows, cols); an int gives a square.
    frequencies : (K, 2) array_like
        K pairs (u, v): cycles per image along the rows (x = 0..M-1) and the columns (y = 0..N-1). They may
        be negative or non-integer, but only integer frequencies give exact single-bin spectrum peaks.
    amplitudes : float or (K,) array_like, optional
        The amplitude A of each sinusoid (default 1.0 for all), in the value scale of the image it is added to.
    phases : float or (K,) array_like, optional
        The phase φ of each sinusoid in radians (default 0).

    Returns
    -------
    (M, N) ndarray of float64
        The noise pattern, to be added to an image (for example ``to_float(img) + periodic(...)``).

    Raises
    ------
    TypeError
        For frequencies, amplitudes or phases that are not numbers.
    ValueError
        For a bad ``shape``, frequencies not of shape (K, 2) with K >= 1, non-finite values, or amplitudes or
        phases that are neither one number nor one per frequency.

    Notes
    -----
    For integer (u, v) the DFT of A·sin(2π(u·x/M + v·y/N) + φ) is (A·MN/2i)·[e^(iφ) δ(k-u, l-v) -
    e^(-iφ) δ(k+u, l+v)]: two spikes of magnitude A·MN/2, at offsets (u, v) and (-u, -v) from the DC term,
    i.e. at numpy.fft.fft2 indices (u mod M, v mod N) and (-u mod M, -v mod N) (at (M/2 + u, N/2 + v) and
    (M/2 - u, N/2 - v) after fftshift). When the two coincide ((2u mod M, 2v mod N) = (0, 0)) they add up to
    a single value MN·A·sin φ (the sinusoid is then a constant or an alternating ±1 pattern). Spikes of
    different components that land on the same bin add as complex numbers. A notch filter at these
    positions removes the pattern.

    References
    ----------
    R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 5.2 (periodic
    noise) and sec. 5.4 (notch filtering); ch. 4 for the DFT of a sinusoid.

    Examples
    --------
    >>> noise = periodic((8, 8), [(1, 2)], amplitudes=2.0)
    >>> spectrum = np.abs(np.fft.fft2(noise))
    >>> [tuple(int(i) for i in idx) for idx in np.argwhere(spectrum > 1e-9)], float(spectrum[1, 2])
    ([(1, 2), (7, 6)], 64.0)
    """
    func = "periodic"
    m, n = _validate.sizes(shape, func, 2, param="shape")
    try:
        freqs = np.asarray(frequencies, dtype=np.float64)
    except (TypeError, ValueError):
        _validate.fail(func, "frequencies", frequencies, "a sequence of (u, v) pairs of numbers, "
                       "e.g. [(16, 0), (0, 32)]", TypeError)
    if freqs.ndim != 2 or freqs.shape[1] != 2 or freqs.shape[0] == 0:
        _validate.fail(func, "frequencies", frequencies, "a non-empty sequence of (u, v) pairs, shape (K, 2), "
                       "e.g. [(16, 0), (0, 32)]")
    if not np.isfinite(freqs).all():
        _validate.fail(func, "frequencies", frequencies, "finite")
    k = freqs.shape[0]
    amps = _per_component(amplitudes, k, func, "amplitudes")
    phis = _per_component(phases, k, func, "phases")
    x = np.arange(m, dtype=np.float64)
    y = np.arange(n, dtype=np.float64)
    out = np.zeros((m, n), dtype=np.float64)
    for (u, v), amp, phi in zip(freqs, amps, phis):
        # reduce u·x modulo M (exact for integer u) so the angles stay small and the result accurate;
        # sin(a + b) = sin a cos b + cos a sin b: two outer products instead of M·N sines
        a = (2.0 * np.pi / m) * np.mod(u * x, m) + phi
        b = (2.0 * np.pi / n) * np.mod(v * y, n)
        out += np.multiply.outer(amp * np.sin(a), np.cos(b))
        out += np.multiply.outer(amp * np.cos(a), np.sin(b))
    return out


# --- noise estimation -----------------------------------------------------------------------------------

def _immerkaer(arr: np.ndarray) -> float:
    # valid n-fold convolution with the separable [1, -2, 1] mask (Immerkær's 3x3 mask is its 2-D case);
    # for white noise the result has std 6**(ndim/2)·sigma (the mask's L2 norm) and E|X| = std·sqrt(2/π)
    d = arr
    for axis in range(arr.ndim):
        d = np.moveaxis(d, axis, 0)
        d = d[:-2] - 2.0 * d[1:-1] + d[2:]
        d = np.moveaxis(d, 0, axis)
    return math.sqrt(math.pi / 2.0) * float(np.abs(d).mean()) / 6.0 ** (arr.ndim / 2.0)


def _haar_mad(arr: np.ndarray) -> float:
    # finest all-diagonal Haar detail band: a (x0 - x1)/sqrt(2) difference along every axis (orthonormal,
    # so white noise keeps its sigma); odd trailing rows/cols are dropped
    d = arr[tuple(slice(0, s - s % 2) for s in arr.shape)]
    for axis in range(arr.ndim):
        d = np.moveaxis(d, axis, 0)
        d = (d[0::2] - d[1::2]) / math.sqrt(2.0)
        d = np.moveaxis(d, 0, axis)
    return float(np.median(np.abs(d))) / _MAD_TO_SIGMA


@fill
def estimate_sigma(image, *, method="immerkaer", channel_axis=None):
    """Estimate the standard deviation of additive Gaussian noise from a single image.

    Parameters
    ----------
    image : (M, N[, P, ...]) ndarray
        The noisy image (any integer or float dtype, finite values), never modified; at least 2-D.
    method : {'immerkaer', 'mad'}, optional
        'immerkaer' (default): the mean absolute response to Immerkær's 3x3 Laplacian-difference mask.
        'mad': the median absolute deviation of the finest diagonal Haar wavelet band.
    {channel_axis}
        Each channel is estimated on its own.

    Returns
    -------
    float or (C,) ndarray of float64
        The noise standard deviation in the image's value scale (grey levels for integer images): a float,
        or one estimate per channel when ``channel_axis`` is given.

    Raises
    ------
    TypeError
        For a non-numeric image.
    ValueError
        For an unknown method, NaN/inf values, fewer than 2 spatial axes, or spatial axes shorter than 3
        ('immerkaer') or 2 ('mad') pixels.

    Notes
    -----
    Immerkær: sigma = sqrt(π/2) · Σ|I * L| / (6 (M-2)(N-2)) over the valid convolution with
    L = [[1, -2, 1], [-2, 4, -2], [1, -2, 1]] (n-D: the n-fold product of [1, -2, 1], divided by 6**(n/2)).
    MAD: sigma = median(|HH|) / 0.6745 with HH = (a - b - c + d)/2 on each 2x2 block (odd edges dropped).
    Both cancel smooth structure (L removes planes and the Laplacian's response to them, HH removes planes),
    but edges and texture leak into them, so both over-estimate sigma on detailed images and are most
    reliable when the noise dominates the fine detail. Clipped noise (saturated pixels) is underestimated.

    References
    ----------
    J. Immerkær, "Fast noise variance estimation", *Computer Vision and Image Understanding* 64(2),
    pp. 300-302, 1996, DOI 10.1006/cviu.1996.0060.
    D. L. Donoho and I. M. Johnstone, "Ideal spatial adaptation by wavelet shrinkage", *Biometrika* 81(3),
    pp. 425-455, 1994, DOI 10.1093/biomet/81.3.425.

    Examples
    --------
    >>> noisy = 100.0 + 10.0 * np.random.default_rng(0).standard_normal((128, 128))
    >>> bool(abs(estimate_sigma(noisy) - 10) < 0.5), bool(abs(estimate_sigma(noisy, method='mad') - 10) < 0.5)
    (True, True)
    """
    func = "estimate_sigma"
    arr = _validate.image(image, func, finite=True)
    method = _validate.choice(method, func, "method", ("immerkaer", "mad"))
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    spatial = arr.shape if axis is None else arr.shape[:axis] + arr.shape[axis + 1:]
    smallest = 3 if method == "immerkaer" else 2
    if len(spatial) < 2:
        _validate.fail(func, "image", arr, "at least 2-D (not counting the channel axis)")
    if min(spatial) < smallest:
        _validate.fail(func, "image", arr, f"at least {smallest} pixels along every spatial axis for "
                       f"method={method!r}")
    estimator = _immerkaer if method == "immerkaer" else _haar_mad
    if axis is None:
        return estimator(arr.astype(np.float64))
    channels = np.moveaxis(arr, axis, 0)
    return np.array([estimator(c.astype(np.float64)) for c in channels], dtype=np.float64)
