"""Linear restoration in the frequency domain: inverse filtering, Wiener filtering and constrained least
squares (CLS) filtering of the model G = H F + N.

All three treat the image as one period of a periodic signal (circular convolution, the DFT's model): blur simulated
with ``blur(..., mode='circular')`` is undone exactly, while a real photograph rings at its borders unless tapered
first (``edgetaper``). FFT work uses real transforms, ``scipy.fft.rfftn`` / ``irfftn`` with ``workers``: fastdip's
FFT threads, see ``fastdip.fourier`` (scipy is a runtime dependency), in float32 / complex64 for inputs of up to 32
bits and in float64 for float64 input. The transfer function H is computed once per call and shared by all channels.

Relation to scikit-image: ``skimage.restoration.wiener(image, psf, balance)`` (default ``reg``, the Laplacian)
is ``cls(image, psf, gamma=balance).image``; with ``reg`` a transfer function of ones it is
``wiener(image, psf, nsr=balance)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _validate
from .._docs import fill
from ._psf import _finish, _irfft, _otf, _prepare, _psf_array, _rfft
from .._kernels import load as _kload

__all__ = ["inverse_filter", "wiener", "cls", "ClsResult"]


def _power(h: np.ndarray) -> np.ndarray:
    """|H|^2 as a real array of H's precision."""
    p = np.square(h.real)
    p += np.square(h.imag)
    return p


def _apply(x, out_shape_spatial, otf, inv_denominator, axis, dtype):
    """F = conj(H) * inv_denominator * G for each channel, back to the spatial domain."""
    w = np.conj(otf)
    w *= inv_denominator
    spectrum = _rfft(x)
    spectrum *= w
    return _finish(_irfft(spectrum, out_shape_spatial), axis, dtype)


def _half_grid(spatial):
    """1-D frequency vectors (cycles per sample) of the real-FFT half grid, shaped for broadcasting."""
    n = len(spatial)
    vectors = []
    for i, side in enumerate(spatial):
        f = np.fft.rfftfreq(side) if i == n - 1 else np.fft.fftfreq(side)
        vectors.append(f.reshape([-1 if j == i else 1 for j in range(n)]))
    return vectors


def _laplacian_factors(spatial, kind: str):
    """The Laplacian's real transfer function on the half grid in closed form, as per-axis factors for a
    4-D (B, D, R, C) layout (missing leading axes get a neutral factor): '4' is P = Σ_i (2 cos(2π u_i) - 2)
    (the kernel [1, -2, 1] on each axis, summed: [[0,1,0],[1,-4,1],[0,1,0]] in 2-D), '8' is
    P = Π_i (1 + 2 cos(2π u_i)) - 3^n (all ones with -(3^n - 1) at the centre). Exactly the DFT of the kernel
    placed at the origin with circular wrap-around, for any image size. Returns (f0, f1, f2, product, const)."""
    product = kind == "8"
    missing = [np.array([1.0 if product else 0.0])] * (3 - len(spatial))
    factors = []
    for f in _half_grid(spatial):
        c = np.cos(2 * np.pi * f.ravel())
        factors.append(1.0 + 2.0 * c if product else 2.0 * c - 2.0)
    f0, f1, f2 = missing + factors
    return f0, f1, f2, product, float(3 ** len(spatial))


def _laplacian_otf(spatial, kind: str, dtype) -> np.ndarray:
    """The Laplacian's transfer function on the half grid as a full array (for the γ search)."""
    vectors = [np.cos(2 * np.pi * f) for f in _half_grid(spatial)]
    if kind == "4":
        p = sum(2.0 * c - 2.0 for c in vectors)
    else:
        p = math.prod(1.0 + 2.0 * c for c in vectors) - 3.0 ** len(spatial)
    return np.ascontiguousarray(np.broadcast_to(p, tuple(spatial[:-1]) + (spatial[-1] // 2 + 1,)), dtype=dtype)


def _four_d(arr: np.ndarray) -> np.ndarray:
    """View a (B, *spatial) array with 1 to 3 spatial axes as (B, D, R, C)."""
    return arr.reshape(arr.shape[:1] + (1,) * (4 - arr.ndim) + arr.shape[1:])


def _spatial_rank(x: np.ndarray, image, func: str):
    if not 1 <= x.ndim - 1 <= 3:
        _validate.fail(func, "image", image, "an image with 1 to 3 spatial axes (2-D, 3-D, or colour)")


def _half_weights(spatial, dtype) -> np.ndarray:
    """How many times each column of the real-FFT half grid appears in the full spectrum (Parseval sums)."""
    n = spatial[-1]
    w = np.full(n // 2 + 1, 2.0, dtype=dtype)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    return w


def _spectrum_array(value, func: str, param: str, spatial, dtype) -> np.ndarray:
    """A power spectrum given as a scalar, a full uncentred array of the image's spatial shape, or its real-FFT
    half (last axis n // 2 + 1); returned as an array broadcastable to the half grid."""
    half = tuple(spatial[:-1]) + (spatial[-1] // 2 + 1,)
    allowed = (f"a number >= 0 or an array >= 0 of shape {tuple(spatial)} (uncentred, as np.abs(np.fft.fftn(x))**2) "
               f"or {half} (its real-FFT half)")
    if np.ndim(value) == 0:
        v = _validate.number(value, func, param, low=0)
        return np.asarray(v, dtype=dtype)
    arr = _validate.image(value, func, param=param, finite=True)
    if arr.shape == tuple(spatial):
        arr = arr[..., : spatial[-1] // 2 + 1]
    elif arr.shape != half:
        _validate.fail(func, param, arr, allowed)
    if arr.min() < 0:
        _validate.fail(func, param, arr, allowed)
    return np.ascontiguousarray(arr, dtype=dtype)


def _reciprocal(denominator: np.ndarray) -> np.ndarray:
    """1 / d where d > 0, else 0, in place."""
    positive = denominator > 0
    np.divide(1.0, denominator, out=denominator, where=positive)
    denominator[~positive] = 0
    return denominator


@fill
def inverse_filter(image, psf, *, eps=None, cutoff=None, channel_axis=None, dtype=None):
    """Direct inverse filtering F̂ = G / H, optionally guarded where H is small.

    Parameters
    ----------
    {image}
    psf : ndarray
        The point-spread function h (one axis per spatial axis, centred at index ``psf.shape // 2``, no
        larger than the image).
    eps : float, optional
        Pseudo-inverse threshold in [0, 1): frequencies where |H| < eps · max|H| are set to 0 in the result
        instead of divided.
    cutoff : float, optional
        Radial cut-off (> 0) in cycles per pixel: only frequencies u with sqrt(Σ_i u_i²) <= cutoff are kept
        (Nyquist is 0.5 along each axis). Gonzalez & Woods' radius D0 on an N x N spectrum is cutoff = D0 / N.
        With neither option, every frequency is divided by H; where H is exactly 0 the result is 0.
    {channel_axis}
        Each channel is deconvolved with the same transfer function.
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The estimate f̂, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or PSF is not numeric.
    ValueError
        If the image holds NaN/inf, the PSF is all zero or larger than the image, or ``eps`` / ``cutoff`` is
        out of range.

    Notes
    -----
    Without noise and with circular blur, G / H recovers f up to rounding where H != 0; with noise, N / H
    explodes where |H| is small, which the threshold or the cut-off (a low-pass ideal filter) limits.

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.7 (inverse
       filtering). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blur, inverse_filter
    >>> f = np.array([[0.0, 1.0, 4.0, 2.0, 0.0, 3.0]])
    >>> h = np.array([[0.2, 0.6, 0.2]])
    >>> print(inverse_filter(blur(f, h), h).round(6) + 0)
    [[0. 1. 4. 2. 0. 3.]]
    """
    func = "inverse_filter"
    dtype = _validate.output_dtype(dtype, func)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial)
    if eps is not None:
        eps = _validate.number(eps, func, "eps", low=0, high=1, high_open=True)
    if cutoff is not None:
        cutoff = _validate.number(cutoff, func, "cutoff", low=0, low_open=True)
    otf = _otf(h, spatial, out_dtype)
    power = _power(otf)
    if eps:
        power[power < (eps * eps) * power.max()] = 0
    if cutoff is not None:
        radius2 = sum(np.square(f) for f in _half_grid(spatial))
        power[np.broadcast_to(radius2 > cutoff * cutoff, power.shape)] = 0
    # 1/H = conj(H) / |H|^2
    return _apply(x, spatial, otf, _reciprocal(power), axis, dtype)


@fill
def wiener(image, psf, *, nsr=None, noise_power=None, signal_power=None, channel_axis=None, dtype=None):
    """Wiener (minimum mean-square error) deconvolution F̂ = H* / (|H|² + S_n / S_f) · G.

    Parameters
    ----------
    {image}
    psf : ndarray
        The point-spread function h (one axis per spatial axis, centred at index ``psf.shape // 2``, no
        larger than the image).
    nsr : float, optional
        The noise-to-signal power ratio K >= 0 as one constant (the course's parametric Wiener filter).
        nsr=0 is the inverse filter.
    noise_power, signal_power : float or ndarray, optional
        The power spectra S_n = |N(u)|² and S_f = |F(u)|², given together instead of ``nsr``: each a number
        (a white spectrum) or an array of the image's spatial shape in the DFT's own (uncentred) layout, as
        ``np.abs(np.fft.fftn(x)) ** 2`` gives it, or the real-FFT half of it (last axis n // 2 + 1, as
        ``np.abs(np.fft.rfftn(x)) ** 2``). Only that half of a full array is read: power spectra of real
        signals are symmetric, S(-u) = S(u). Where S_f is 0 the result's spectrum is 0.
    {channel_axis}
        Each channel is deconvolved with the same filter.
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The estimate f̂, of the input's shape.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image, PSF or a spectrum is not numeric.
    ValueError
        If the image holds NaN/inf, the PSF is all zero or larger than the image, the ratio is given in none
        or both of the two ways (or only one of the spectra), or a spectrum is negative or of the wrong shape.

    Notes
    -----
    Minimising E[(f - f̂)²] for signal and noise uncorrelated gives the filter above; with the ratio replaced
    by a constant K it is the parametric Wiener filter. A frequency where |H|² + ratio is 0 gets 0.
    ``skimage.restoration.wiener(image, psf, balance, reg=R)`` with R a transfer function of ones is
    ``wiener(image, psf, nsr=balance)`` (its default R, the Laplacian, is :func:`cls`).

    References
    ----------
    .. [1] Wiener, N. (1949). Extrapolation, Interpolation, and Smoothing of Stationary Time Series. MIT Press.
    .. [2] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.8 (minimum
       mean square error (Wiener) filtering). Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blur, wiener
    >>> f = np.array([[0.0, 1.0, 4.0, 2.0, 0.0, 3.0]])
    >>> h = np.array([[0.2, 0.6, 0.2]])
    >>> print(wiener(blur(f, h), h, nsr=0.0).round(6) + 0)
    [[0. 1. 4. 2. 0. 3.]]
    >>> print(wiener(blur(f, h), h, nsr=0.1).round(2))
    [[0.43 1.04 3.27 1.78 0.56 2.02]]
    """
    func = "wiener"
    dtype = _validate.output_dtype(dtype, func)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial)
    spectra = (noise_power is not None, signal_power is not None)
    if not (nsr is not None and spectra == (False, False) or nsr is None and spectra == (True, True)):
        _validate.fail(func, "nsr", nsr, "given alone, or replaced by both noise_power and signal_power "
                       f"(got noise_power {'given' if spectra[0] else 'None'}, signal_power "
                       f"{'given' if spectra[1] else 'None'})")
    otf = _otf(h, spatial, out_dtype)
    if nsr is not None:
        nsr = _validate.number(nsr, func, "nsr", low=0)
        _k = _kload("restoration")

        spectrum = _rfft(x)
        _k.wiener_scalar(spectrum.reshape(spectrum.shape[0], -1), otf.reshape(-1), nsr)
        return _finish(_irfft(spectrum, spatial), axis, dtype)
    denominator = _power(otf)
    s_n = _spectrum_array(noise_power, func, "noise_power", spatial, out_dtype)
    s_f = _spectrum_array(signal_power, func, "signal_power", spatial, out_dtype)
    signal = np.broadcast_to(s_f, denominator.shape)
    known = signal > 0
    ratio = np.divide(np.broadcast_to(s_n, denominator.shape), signal, where=known,
                      out=np.zeros(denominator.shape, out_dtype))
    denominator += ratio
    inv = _reciprocal(denominator)
    inv[~known] = 0
    return _apply(x, spatial, otf, inv, axis, dtype)


class ClsResult(NamedTuple):
    """The result of :func:`cls`: the estimate, the γ used and its residual."""

    #: The restored image f̂ (float32, or float64 for float64 input).
    image: np.ndarray
    #: The regularisation weight γ used (given, or found by the residual match).
    gamma: float
    #: ||g - h ⊛ f̂||², the squared residual norm of the estimate (summed over channels).
    residual: float

    def __str__(self) -> str:
        return f"ClsResult(image {self.image.shape} {self.image.dtype}, gamma={self.gamma:.6g}, " \
               f"residual={self.residual:.6g})"


def _cls_residual(gamma, weighted_g2, h2, p2, size):
    """||r||² = (1/MN) Σ |G|² (γ|P|² / (|H|² + γ|P|²))² over the full spectrum (Parseval), with the half-grid
    weights folded into ``weighted_g2``."""
    gp = gamma * p2
    denom = h2 + gp
    np.divide(gp, denom, out=gp, where=denom > 0)
    gp[denom == 0] = 0
    np.square(gp, out=gp)
    return float(np.vdot(weighted_g2.ravel(), gp.ravel())) / size


@fill
def cls(image, psf, *, gamma=None, noise_variance=None, noise_mean=0.0, laplacian="4", tol=0.01, max_iter=100,
        channel_axis=None, dtype=None):
    """Constrained least-squares (CLS) filtering F̂ = H* / (|H|² + γ|P|²) · G, γ given or matched to the noise.

    Parameters
    ----------
    {image}
    psf : ndarray
        The point-spread function h (one axis per spatial axis, centred at index ``psf.shape // 2``, no
        larger than the image).
    gamma : float, optional
        The regularisation weight γ >= 0 (gamma=0 is the inverse filter). None: γ is searched so that the
        residual matches the noise (Notes).
    noise_variance : float, optional
        σ² of the additive noise for the search, in the image's value scale squared (the same for every
        channel); None: estimated with :func:`fastdip.noise.estimate_sigma` per channel.
    noise_mean : float, optional
        μ, the noise mean, for the search.
    laplacian : {'4', '8'}, optional
        The smoothness operator p: '4' is the course's [[0, 1, 0], [1, -4, 1], [0, 1, 0]] (in n-D the sum of
        [1, -2, 1] along each axis), '8' is all ones with -8 at the centre (-(3^n - 1) in n-D); placed at
        the origin like the PSF.
    tol : float, optional
        Relative accuracy a/η of the residual match (0 < tol < 1).
    max_iter : int, optional
        The most residual evaluations of the search.
    {channel_axis}
        Every channel is filtered with the same γ; the search matches the residual summed over channels.
    dtype : numpy dtype, optional
        The output dtype of the image (default: see Returns).

    Returns
    -------
    ClsResult
        A NamedTuple ``(image, gamma, residual)``: the estimate f̂ of the input's shape, the γ used (float) and
        ||g - h ⊛ f̂||² (float, summed over channels). The image's dtype:
        {dtype_float}

    Raises
    ------
    TypeError
        If the image or PSF is not numeric.
    ValueError
        If the image holds NaN/inf, the PSF is invalid, or an option is out of range; from the noise
        estimate if it cannot run (spatial sides below 3 pixels).

    Notes
    -----
    CLS minimises ||p ⊛ f̂||² subject to ||g - h ⊛ f̂||² = ||η||². With γ=None the residual ||r||²(γ), which
    grows monotonically with γ, is matched to ||η||² = MN(σ² + μ²) (MN pixels, times the channels) within
    ±a = tol·||η||² by regula falsi (Illinois variant) on log γ, bracketed in [1e-15, 1e15]: Gonzalez & Woods'
    adjustment of γ, done by a root finder. ||r||² is computed in the frequency domain by Parseval, so one
    search costs no FFT. When no γ in the bracket reaches the target (the noise is larger than the image's
    high frequencies, or smaller than the inverse filter's residual) the nearest end is returned;
    ``residual`` tells how close the match is. ``skimage.restoration.wiener(image, psf, balance)`` is
    ``cls(image, psf, gamma=balance)`` (the same Laplacian up to sign, which |P|² removes).

    References
    ----------
    .. [1] Gonzalez, R. C., & Woods, R. E. (2018). Digital Image Processing (4th ed.), section 5.9
       (constrained least squares filtering). Pearson.
    .. [2] Hunt, B. R. (1973). The application of constrained least squares estimation to image restoration
       by digital computer. IEEE Transactions on Computers, C-22(9), 805-812.
       https://doi.org/10.1109/TC.1973.5009169

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blur, cls
    >>> f = np.array([[0.0, 1.0, 4.0, 2.0, 0.0, 3.0]])
    >>> h = np.array([[0.2, 0.6, 0.2]])
    >>> result = cls(blur(f, h), h, gamma=0.0)
    >>> print(result.image.round(6) + 0, result.gamma, round(result.residual, 6) + 0)
    [[0. 1. 4. 2. 0. 3.]] 0.0 0.0
    """
    func = "cls"
    dtype = _validate.output_dtype(dtype, func)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial)
    laplacian = _validate.choice(laplacian, func, "laplacian", ("4", "8"))
    if gamma is not None:
        gamma = _validate.number(gamma, func, "gamma", low=0)
    tol = _validate.number(tol, func, "tol", low=0, high=1, low_open=True, high_open=True)
    max_iter = _validate.positive_int(max_iter, func, "max_iter")
    noise_mean = _validate.number(noise_mean, func, "noise_mean")
    if noise_variance is not None:
        noise_variance = _validate.number(noise_variance, func, "noise_variance", low=0)

    _spatial_rank(x, image, func)
    otf = _otf(h, spatial, out_dtype)
    spectrum = _rfft(x)
    size = math.prod(spatial)
    if gamma is None:
        if noise_variance is None:
            from fastdip.noise import estimate_sigma

            sigma = estimate_sigma(image, channel_axis=channel_axis)
            variance_sum = float(np.sum(np.square(sigma)))
        else:
            variance_sum = noise_variance * x.shape[0]
        target = size * (variance_sum + x.shape[0] * noise_mean ** 2)
        # Σ over channels of |G|² times how often each half-grid column appears in the full spectrum (float64)
        weighted_g2 = _power(spectrum).sum(axis=0, dtype=np.float64) * _half_weights(spatial, np.float64)
        h2_64 = _power(otf).astype(np.float64)
        p2_64 = np.square(_laplacian_otf(spatial, laplacian, np.float64))
        gamma = _search_gamma(lambda t: _cls_residual(math.exp(t), weighted_g2, h2_64, p2_64, size) - target,
                              tol * target, max_iter)
    _k = _kload("restoration")

    f0, f1, f2, product, const = _laplacian_factors(spatial, laplacian)
    residual = _k.cls_apply(_four_d(spectrum), _four_d(otf[None])[0], f0, f1, f2, product, const, float(gamma),
                            spatial[-1] % 2 == 0) / size
    result = _finish(_irfft(spectrum, spatial), axis, dtype)
    return ClsResult(result, float(gamma), residual)


def _search_gamma(phi, accuracy: float, max_iter: int) -> float:
    """γ = exp(t) with |phi(t)| <= accuracy, phi increasing in t; regula falsi (Illinois) on a bracket found by
    stepping from t = log 1e-3 by factors of 1e3, within [log 1e-15, log 1e15]."""
    lo_end, hi_end = math.log(1e-15), math.log(1e15)
    t0 = math.log(1e-3)
    f0 = phi(t0)
    calls = 1
    if abs(f0) <= accuracy:
        return math.exp(t0)
    step = math.log(1e3) * (1 if f0 < 0 else -1)
    t1, f1 = t0, f0
    while calls < max_iter:
        t_next = min(max(t1 + step, lo_end), hi_end)
        f_next = phi(t_next)
        calls += 1
        if abs(f_next) <= accuracy:
            return math.exp(t_next)
        if (f_next > 0) != (f1 > 0):
            t0, f0, t1, f1 = t1, f1, t_next, f_next
            break
        t1, f1 = t_next, f_next
        if t_next in (lo_end, hi_end):
            return math.exp(t_next)  # the target is out of reach: the nearest end
    else:
        return math.exp(t1)
    # bracket [t0, t1] with f0, f1 of opposite signs
    side = 0
    while calls < max_iter:
        t = (t0 * f1 - t1 * f0) / (f1 - f0)
        f = phi(t)
        calls += 1
        if abs(f) <= accuracy:
            return math.exp(t)
        if (f > 0) == (f1 > 0):
            t1, f1 = t, f
            if side == 1:
                f0 /= 2
            side = 1
        else:
            t0, f0 = t, f
            if side == -1:
                f1 /= 2
            side = -1
    return math.exp(t0 if abs(f0) < abs(f1) else t1)
