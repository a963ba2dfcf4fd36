"""Blind deconvolution: estimate the point-spread function and the sharp image from the blurred image alone.

Two methods:

- ``'map'`` (default): coarse-to-fine maximum-a-posteriori kernel estimation with an L0 prior on the image
  gradients (Xu, Zheng & Jia 2013; Pan, Hu, Su & Yang 2014), then a non-blind total-variation deconvolution
  of the full-resolution image with the estimated kernel (Krishnan & Fergus 2009, half-quadratic splitting).
- ``'rl'``: alternating Richardson-Lucy updates of the image and of the PSF (Fish, Brinicombe, Pike & Walker
  1995; what MATLAB's ``deconvblind`` does).

All the work is done in float64 with real FFTs (scipy.fft, ``workers``: fastdip's FFT threads, see
``fastdip.fourier``): on the image as it is, a circular blur (``boundary='circular'``, the model of
``restoration.blur``), or on the image padded by a smooth periodic extension (``boundary='smooth'``, for
photographs blurred with no wrap-around). Values are divided by the image's range before the estimation (the MAP
weights below are for images in [0, 1]) and scaled back.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _validate, parallel
from .._docs import fill

__all__ = ["BlindResult", "blind_deconvolution"]

_METHODS = ("map", "rl")
_BOUNDARIES = ("circular", "smooth")

#: MAP defaults (images scaled to [0, 1]): the L0 gradient weight starts at _LAMBDA0 and is divided by 1.1
#: after each iteration down to _LAMBDA_MIN (Pan et al. 2014, section 4); the half-quadratic penalty beta
#: grows from 2*lambda by a factor _KAPPA up to _BETA_MAX (Xu et al. 2013, Algorithm 1).
_LAMBDA0 = 4e-3
_LAMBDA_MIN = 1e-4
#: noisier images start from lambda = max(_LAMBDA0, _LAMBDA_NOISE * sigma²) so that noise edges are not kept
#: (measured on camera 256², motion 15 px: sigma 10 gives NCC 0.70 with 4e-3, 0.83 with 1.6e-2)
_LAMBDA_NOISE = 8.0
_KAPPA = 2.0
_BETA_MAX = 1e5
#: the Tikhonov weight of the kernel step, relative to the mean of the data term's spectrum times the taps
_GAMMA = 2e-3
#: conjugate-gradient iterations of one kernel step
_CG_ITER = 25
#: kernel post-processing: values below this fraction of the maximum are dropped, then connected pieces
#: holding less than _MIN_PIECE of the mass (Pan et al.'s code uses 0.1)
_DROP = 1.0 / 20.0
_MIN_PIECE = 0.1
#: the coarsest pyramid level has a kernel of about this side; levels are sqrt(2) apart
_COARSEST = 5
#: image scale factor between pyramid levels
_STEP = 1.0 / math.sqrt(2.0)
#: the largest half-quadratic penalty of the final TV deconvolution
_TV_BETA_MAX = 256.0
#: the final TV data weight is _TV_C / sigma² (sigma: the noise std of the [0, 1]-scaled image, at least
#: _NOISE_FLOOR); tuned on camera 256² blurred by motion (15 px) and Gaussian (sigma 3) PSFs, sigma 1-10
_TV_C = 0.15
_NOISE_FLOOR = 2e-3


class BlindResult(NamedTuple):
    """What :func:`blind_deconvolution` returns.

    Attributes
    ----------
    image : ndarray
        The deconvolved image, float32 (float64 for float64 input), in the input's value scale.
    psf : ndarray of float64
        The estimated PSF, of shape ``psf_size``, non-negative, summing to 1, centre at ``shape // 2``.
    """

    image: np.ndarray
    psf: np.ndarray

    def __str__(self) -> str:
        return f"BlindResult(image {self.image.shape} {self.image.dtype}, psf {self.psf.shape})"


# -- Fourier helpers -------------------------------------------------------------------------------------------


def _rfft(a):
    from scipy import fft

    return fft.rfft2(a, workers=parallel._fft_workers(a.size))


def _irfft(a, shape):
    from scipy import fft

    # irfft2 in two calls (bit-identical, and faster than pocketfft's one-call c2r here; see _psf._irfft);
    # ``a`` is left intact, the intermediate is overwritten
    workers = parallel._fft_workers(shape[0] * shape[1])
    return fft.irfft(fft.ifft(a, axis=0, workers=workers), n=shape[1], axis=1, workers=workers, overwrite_x=True)


def _support(ksize, shape):
    """Row and column indices (wrapped) of a kernel of side ``ksize`` centred on index 0 of ``shape``."""
    rows = (np.arange(ksize[0]) - ksize[0] // 2) % shape[0]
    cols = (np.arange(ksize[1]) - ksize[1] // 2) % shape[1]
    return np.ix_(rows, cols)


def _embed(k, shape):
    full = np.zeros(shape)
    full[_support(k.shape, shape)] = k
    return full


def _otf(k, shape):
    """The transfer function (real FFT) of kernel ``k`` (centre at ``k.shape // 2``) on a grid of ``shape``."""
    return _rfft(_embed(k, shape))


def _grad_otfs(shape):
    """Transfer functions of the circular forward differences along rows (dy) and along columns (dx)."""
    wy = np.exp(2j * np.pi * np.fft.fftfreq(shape[0]))[:, None] - 1.0
    wx = np.exp(2j * np.pi * np.fft.rfftfreq(shape[1]))[None, :] - 1.0
    return wy, wx


def _grad(x):
    return np.roll(x, -1, axis=0) - x, np.roll(x, -1, axis=1) - x


# -- geometry helpers (scipy.ndimage, linear interpolation, centre maps to centre) --------------------------------


def _rescale(a, shape, prefilter_sigma=0.0, circular=False):
    from scipy import ndimage

    if prefilter_sigma > 0:
        a = ndimage.gaussian_filter(a, prefilter_sigma, mode="wrap" if circular else "reflect")
    if tuple(shape) == a.shape:
        return a.copy()
    scale = [(n_in - 1) / max(n_out - 1, 1) if n_out > 1 else 1.0 for n_in, n_out in zip(a.shape, shape)]
    c_in = [(n - 1) / 2 for n in a.shape]
    c_out = [(n - 1) / 2 for n in shape]
    offset = [ci - co * s for ci, co, s in zip(c_in, c_out, scale)]
    return ndimage.affine_transform(a, scale, offset=offset, output_shape=tuple(shape), order=1,
                                    mode="grid-wrap" if circular else "nearest")


def _resize_kernel(k, ksize):
    """Resample kernel ``k`` to side ``ksize`` (both odd) keeping its centre, then clip and normalise."""
    from scipy import ndimage

    if k.shape == tuple(ksize):
        return k.copy()
    # the kernel grows by the image's scale: the pixel pitch ratio is ksize/k.shape (approximately)
    scale = [(a - 1) / (b - 1) if b > 1 else 1.0 for a, b in zip(k.shape, ksize)]
    if max(scale) > 1:  # shrinking: low-pass first so that thin kernels keep their mass
        k = ndimage.gaussian_filter(k, [0.5 * math.sqrt(max(s * s - 1.0, 0.0)) for s in scale], mode="constant")
    c_in = [n // 2 for n in k.shape]
    c_out = [n // 2 for n in ksize]
    offset = [ci - co * s for ci, co, s in zip(c_in, c_out, scale)]
    out = ndimage.affine_transform(k, scale, offset=offset, output_shape=tuple(ksize), order=1, mode="constant")
    return _normalise(np.maximum(out, 0.0))


def _normalise(k):
    total = k.sum()
    if not total > 0:
        out = np.zeros_like(k)
        out[tuple(n // 2 for n in k.shape)] = 1.0
        return out
    return k / total


def _wrap_pad(y, pad):
    """Extend ``y`` by ``pad`` rows and columns after its end so that it is smooth when wrapped around.

    The extension blends linearly from the last row (column) to the first one, so the padded image has no
    jump at the circular border (a simple form of R. Liu and J. Jia, "Reducing boundary artifacts in image
    deconvolution", ICIP 2008).
    """
    m, n = y.shape
    pr, pc = pad
    t = (np.arange(1, pr + 1) / (pr + 1))[:, None]
    rows = np.concatenate([y, (1 - t) * y[-1:, :] + t * y[:1, :]], axis=0)
    t = (np.arange(1, pc + 1) / (pc + 1))[None, :]
    return np.concatenate([rows, (1 - t) * rows[:, -1:] + t * rows[:, :1]], axis=1)


def _pad_for(ksize, boundary):
    if boundary == "circular":
        return (0, 0)
    return tuple(max(2 * k, 8) for k in ksize)


# -- the MAP pieces -------------------------------------------------------------------------------------------


def _l0_latent(y, k, lam):
    """min_x ||k * x - y||² + lam ||∇x||_0 by half-quadratic splitting (Xu, Zheng & Jia 2013, Algorithm 1).

    Each step: g = ∇x where |∇x|² >= lam/beta (else 0), then x = F⁻¹[(K̄Y + beta D̄·G) / (|K|² + beta |D|²)].
    """
    shape = y.shape
    fk = _otf(k, shape)
    fy = _rfft(y)
    kty = np.conj(fk) * fy
    kk = (fk * np.conj(fk)).real
    wy, wx = _grad_otfs(shape)
    dd = (wy * np.conj(wy)).real + (wx * np.conj(wx)).real
    x = y
    beta = 2.0 * lam
    while beta < _BETA_MAX:
        gy, gx = _grad(x)
        small = gy * gy + gx * gx < lam / beta
        gy[small] = 0.0
        gx[small] = 0.0
        rhs = kty + beta * (np.conj(wy) * _rfft(gy) + np.conj(wx) * _rfft(gx))
        x = _irfft(rhs / (kk + beta * dd), shape)
        beta *= _KAPPA
    return x


def _estimate_kernel(x, y, k0):
    """min_k Σ_d ||∂_d x * k - ∂_d y||² + gamma ||k||² over kernels supported on ``k0.shape``.

    The normal equations (P Mᵀ M Pᵀ + gamma I) k = P Mᵀ b (P: restriction to the support) are solved by
    conjugate gradients from ``k0``; every product with M is two FFTs.
    """
    shape = y.shape
    wy, wx = _grad_otfs(shape)
    dd = (wy * np.conj(wy)).real + (wx * np.conj(wx)).real
    fx = _rfft(x)
    fy = _rfft(y)
    m = dd * (fx * np.conj(fx)).real
    sup = _support(k0.shape, shape)
    b = _irfft(dd * np.conj(fx) * fy, shape)[sup]
    gamma = _GAMMA * float(m.mean()) * k0.size

    def apply(k):
        return _irfft(m * _otf(k, shape), shape)[sup] + gamma * k

    k = k0.copy()
    r = b - apply(k)
    p = r.copy()
    rr = float(np.sum(r * r))
    for _ in range(_CG_ITER):
        if rr <= 1e-30:
            break
        ap = apply(p)
        alpha = rr / float(np.sum(p * ap))
        k += alpha * p
        r -= alpha * ap
        rr_new = float(np.sum(r * r))
        p = r + (rr_new / rr) * p
        rr = rr_new
    return k


def _clean_kernel(k, previous):
    """Zero negatives and values below max/20, drop weak connected pieces, normalise, re-centre by centroid."""
    from scipy import ndimage

    k = np.maximum(k, 0.0)
    peak = k.max()
    if not peak > 0:
        return previous
    k[k < _DROP * peak] = 0.0
    labels, count = ndimage.label(k > 0, structure=np.ones((3, 3)))
    if count > 1:
        mass = ndimage.sum(k, labels, index=np.arange(1, count + 1))
        weak = np.flatnonzero(mass < _MIN_PIECE * mass.sum()) + 1
        k[np.isin(labels, weak)] = 0.0
    k = k / k.sum()
    rows, cols = np.indices(k.shape)
    shift = (int(round(k.shape[0] // 2 - float(np.sum(rows * k)))),
             int(round(k.shape[1] // 2 - float(np.sum(cols * k)))))
    if shift != (0, 0):
        moved = np.zeros_like(k)
        src = tuple(slice(max(0, -s), n - max(0, s)) for s, n in zip(shift, k.shape))
        dst = tuple(slice(max(0, s), n - max(0, -s)) for s, n in zip(shift, k.shape))
        moved[dst] = k[src]
        if moved.sum() > 0:
            k = moved / moved.sum()
    return k


def _pyramid(ksize):
    """Kernel sides from the coarsest level to the finest (odd, about sqrt(2) apart) and image scales."""
    levels = max(1, int(math.floor(math.log(max(ksize) / _COARSEST) / math.log(math.sqrt(2.0)))) + 1)
    out = []
    for level in range(levels - 1, -1, -1):
        s = _STEP ** level
        side = tuple(max(3, int(round(k * s)) | 1) if level else k for k in ksize)
        out.append((s, side))
    return out


def _map_kernel(y, ksize, k_init, num_iter, lam0, boundary):
    """Coarse-to-fine kernel estimation (Pan et al. 2014, Algorithm 2 without the intensity term)."""
    k = None
    lam = lam0
    for s, side in _pyramid(ksize):
        shape = tuple(max(int(round(n * s)), 2 * max(side)) for n in y.shape)
        ys = _rescale(y, shape, 0.0 if s == 1 else 0.5 * math.sqrt(1.0 / (s * s) - 1.0), boundary == "circular")
        if k is None:
            k = _resize_kernel(k_init, side)
        else:
            k = _resize_kernel(k, side)
        pad = _pad_for(side, boundary)
        yp = _wrap_pad(ys, pad)
        lam = lam0
        for _ in range(num_iter):
            x = _l0_latent(yp, k, lam)
            k = _clean_kernel(_estimate_kernel(x, yp, k), k)
            lam = max(lam / 1.1, _LAMBDA_MIN)
    return k


def _tv_deconvolve(y, k, weight, iterations=2):
    """min_x (weight/2)||k * x - y||² + ||∇x||_1 by half-quadratic splitting (Krishnan & Fergus 2009, α = 1).

    w = shrink(∇x, 1/beta) then x = F⁻¹[(weight K̄Y + beta D̄·W) / (weight |K|² + beta |D|²)], beta from 1 up
    by 2√2 to 256.
    """
    shape = y.shape
    fk = _otf(k, shape)
    fy = _rfft(y)
    kty = weight * np.conj(fk) * fy
    kk = weight * (fk * np.conj(fk)).real
    wy, wx = _grad_otfs(shape)
    dd = (wy * np.conj(wy)).real + (wx * np.conj(wx)).real
    x = y
    beta = 1.0
    while beta <= _TV_BETA_MAX:
        for _ in range(iterations):
            gy, gx = _grad(x)
            gy = np.sign(gy) * np.maximum(np.abs(gy) - 1.0 / beta, 0.0)
            gx = np.sign(gx) * np.maximum(np.abs(gx) - 1.0 / beta, 0.0)
            rhs = kty + beta * (np.conj(wy) * _rfft(gy) + np.conj(wx) * _rfft(gx))
            x = _irfft(rhs / (kk + beta * dd), shape)
        beta *= 2.0 * math.sqrt(2.0)
    return x


def _tv_weight(noise):
    """Data weight of the TV deconvolution for a noise std ``noise`` (image in [0, 1])."""
    return _TV_C / max(noise, _NOISE_FLOOR) ** 2


# -- Richardson-Lucy ---------------------------------------------------------------------------------------------


def _rl_blind(y, ksize, k_init, num_iter):
    """Alternating Richardson-Lucy (Fish et al. 1995): one multiplicative PSF update, then one image update."""
    shape = y.shape
    eps = 1e-12
    x = np.maximum(y, eps)
    k = k_init
    sup = _support(ksize, shape)
    for _ in range(num_iter):
        fx = _rfft(x)
        fk = _otf(k, shape)
        ratio = y / np.maximum(_irfft(fx * fk, shape), eps)
        fr = _rfft(ratio)
        # PSF step: k <- k · (ratio ⋆ x) / Σx, restricted to the support, non-negative, unit sum
        k = k * _irfft(fr * np.conj(fx), shape)[sup] / x.sum()
        k = _normalise(np.maximum(k, 0.0))
        fk = _otf(k, shape)
        ratio = y / np.maximum(_irfft(fx * fk, shape), eps)
        x = x * _irfft(_rfft(ratio) * np.conj(fk), shape)
    return x, k


# -- the public function -----------------------------------------------------------------------------------------


def _centred_in(k, ksize):
    """``k`` (odd sides) cropped or zero-padded about its centre to ``ksize``."""
    out = np.zeros(ksize)
    src, dst = [], []
    for n_in, n_out in zip(k.shape, ksize):
        h = min(n_in, n_out) // 2
        src.append(slice(n_in // 2 - h, n_in // 2 + h + 1))
        dst.append(slice(n_out // 2 - h, n_out // 2 + h + 1))
    out[tuple(dst)] = k[tuple(src)]
    return out


def _initial_psf(initial_psf, ksize, method, func):
    if initial_psf is None:
        if method == "rl":
            # multiplicative updates keep zeros at zero: start flat over the whole support (as deconvblind)
            return np.full(ksize, 1.0 / (ksize[0] * ksize[1]))
        # a small Gaussian (sigma 0.5 px) at the kernel's centre: a "wrong", nearly delta start
        r = np.arange(3) - 1
        g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * 0.5 ** 2))
        return _centred_in(g / g.sum(), ksize)
    k = _validate.image(initial_psf, func, param="initial_psf", ndim=2, finite=True).astype(np.float64)
    if any(n % 2 == 0 for n in k.shape):
        _validate.fail(func, "initial_psf", k, "a 2-D array with odd sides (centre at shape // 2)")
    k = _centred_in(k, ksize)
    if (k < 0).any() or not k.sum() > 0:
        _validate.fail(func, "initial_psf", initial_psf,
                       "a non-negative 2-D array with a positive sum (within psf_size about its centre)")
    return k / k.sum()


@fill
def blind_deconvolution(image, psf_size, *, method="map", num_iter=None, initial_psf=None, noise=None,
                        sparsity=None, boundary="circular", channel_axis=None,
                        dtype=None) -> BlindResult:
    """Estimate the point-spread function and the sharp image from a blurred image alone.

    Parameters
    ----------
    image : (M, N) or (M, N, C) ndarray
        The blurred (and possibly noisy) image, never modified; finite values.
    psf_size : int or tuple of 2 ints
        The side(s) of the PSF to estimate: odd, at least 3, and at most a third of the image's side.
    method : {'map', 'rl'}, optional
        'map' (default): coarse-to-fine MAP estimation with an L0 gradient prior, then a total-variation
        deconvolution with the estimated PSF. 'rl': alternating Richardson-Lucy of image and PSF.
    num_iter : int, optional
        'map': alternations (latent image, kernel) per pyramid level (default 5). 'rl': alternations in
        all (default 50).
    initial_psf : (P, Q) ndarray, optional
        The starting PSF (non-negative, odd sides, centre at ``shape // 2``), cropped or zero-padded about
        its centre to ``psf_size``. Default: 'map' a small Gaussian (sigma 0.5 px), i.e. nearly no blur;
        'rl' a flat PSF over ``psf_size`` (its multiplicative updates keep zeros at zero).
    noise : float, optional
        The standard deviation of the noise, in the image's value scale; it sets the weight of the final
        TV deconvolution ('map'). Default: estimated from the image (``fastdip.noise.estimate_sigma``).
    sparsity : float, optional
        The initial weight lambda of the L0 gradient prior for an image scaled to [0, 1] ('map'); larger
        values keep only the strongest edges for the kernel estimation. Default: max(4e-3, 8 sigma²) with
        sigma the noise std of the scaled image.
    boundary : {'circular', 'smooth'}, optional
        'circular' (default): the image is taken as circularly blurred (``restoration.blur``'s default
        model). 'smooth': the image is first extended by 2 ``psf_size`` rows and columns that blend its last
        row (column) into its first, so that a photograph blurred with real borders shows no jump at the
        wrap-around; the result is cropped back.
    {channel_axis}
        The PSF is estimated on the luma (0.299 R + 0.587 G + 0.114 B, or the channel mean when C != 3) and
        each channel is deconvolved with it.
    dtype : numpy dtype, optional
        The dtype of the returned image (integer dtypes are rounded and clipped).

    Returns
    -------
    BlindResult
        ``image``: the deconvolved image, of the input's shape,
        {dtype_float}
        ``psf``: the estimated PSF, float64 of shape ``psf_size``, non-negative, summing to 1, centred (by its
        centroid, for 'map') at ``psf_size // 2``.

    Raises
    ------
    TypeError
        For a non-numeric image or initial PSF.
    ValueError
        For NaN/inf values, an image that is not 2-D (or 3-D with ``channel_axis``), an even or too large
        ``psf_size``, an unknown method or boundary, a negative ``noise``, or a non-positive ``num_iter`` or
        ``sparsity``.

    Notes
    -----
    'map' (Xu et al. 2013; Pan et al. 2014): on an image pyramid (sqrt(2) apart, the coarsest kernel about
    5 px), alternate x = argmin ||k * x - y||² + lambda ||∇x||_0 (half-quadratic splitting, FFT steps) and
    k = argmin Σ ||∂x * k - ∂y||² + gamma ||k||² (conjugate gradients on the PSF support); the kernel is then
    clipped at 0, thresholded at max/20, stripped of weak pieces, normalised and re-centred by its centroid.
    A blind kernel is known only up to a translation (the image shifts the other way).
    'rl' (Fish et al. 1995): k <- k · (y / (x * k)) ⋆ x / Σx and x <- x · (y / (x * k)) ⋆ k, alternately.
    Both use circular convolutions (FFTs) on the image, padded first for ``boundary='smooth'``.

    References
    ----------
    L. Xu, S. Zheng and J. Jia, "Unnatural L0 sparse representation for natural image deblurring", CVPR 2013,
    pp. 1107-1114, DOI 10.1109/CVPR.2013.147.
    J. Pan, Z. Hu, Z. Su and M.-H. Yang, "Deblurring text images via L0-regularized intensity and gradient
    prior", CVPR 2014, pp. 2901-2908, DOI 10.1109/CVPR.2014.371.
    D. Krishnan and R. Fergus, "Fast image deconvolution using hyper-Laplacian priors", NIPS 2009.
    D. A. Fish, A. M. Brinicombe, E. R. Pike and J. G. Walker, "Blind deconvolution by means of the
    Richardson-Lucy algorithm", J. Opt. Soc. Am. A 12(1), pp. 58-65, 1995, DOI 10.1364/JOSAA.12.000058.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blind_deconvolution
    >>> img = np.zeros((48, 48)); img[10:30, 12:36] = 1.0; img[20:40, 30:42] = 0.5
    >>> res = blind_deconvolution(img, 5)
    >>> res.image.shape, res.image.dtype, res.psf.shape
    ((48, 48), dtype('float64'), (5, 5))
    >>> bool((res.psf >= 0).all()), round(float(res.psf.sum()), 6)
    (True, 1.0)
    """
    func = "blind_deconvolution"
    arr = _validate.image(image, func, finite=True)
    axis = _validate.channel_axis(channel_axis, arr.ndim, func)
    if axis is None and arr.ndim != 2 or axis is not None and arr.ndim != 3:
        _validate.fail(func, "image", arr, "a 2-D array, or a 3-D array with channel_axis")
    method = _validate.choice(method, func, "method", _METHODS)
    boundary = _validate.choice(boundary, func, "boundary", _BOUNDARIES)
    ksize = _validate.sizes(psf_size, func, 2, param="psf_size", odd=True)
    if min(ksize) < 3:
        _validate.fail(func, "psf_size", psf_size, "an odd int >= 3 or a tuple of 2 of them")
    spatial = arr.shape if axis is None else tuple(n for i, n in enumerate(arr.shape) if i != axis)
    if any(3 * k > n for k, n in zip(ksize, spatial)):
        _validate.fail(func, "psf_size", psf_size,
                       f"odd sides of at most a third of the image's spatial shape {spatial}")
    if num_iter is None:
        num_iter = 5 if method == "map" else 50
    num_iter = _validate.positive_int(num_iter, func, "num_iter")
    if noise is not None:
        noise = _validate.number(noise, func, "noise", low=0)
    if sparsity is not None:
        sparsity = _validate.number(sparsity, func, "sparsity", low=0, low_open=True)
    k_init = _initial_psf(initial_psf, ksize, method, func)
    out_dtype = _validate.output_dtype(dtype, func)

    channels = arr[..., None] if axis is None else np.moveaxis(arr, axis, -1)
    channels = channels.astype(np.float64)
    if channels.shape[-1] == 3:
        luma = channels @ np.array([0.299, 0.587, 0.114])
    else:
        luma = channels.mean(axis=-1)
    lo, hi = float(luma.min()), float(luma.max())
    scale = hi - lo if hi > lo else 1.0
    y = (luma - lo) / scale
    pad = _pad_for(ksize, boundary)
    m, n = y.shape

    if method == "map":
        if noise is None:
            from .. import noise as _noise

            sigma = float(_noise.estimate_sigma(luma)) / scale
        else:
            sigma = noise / scale
        if sparsity is None:
            sparsity = max(_LAMBDA0, _LAMBDA_NOISE * sigma * sigma)
        k = _map_kernel(y, ksize, k_init, num_iter, sparsity, boundary)
        weight = _tv_weight(sigma)
        result = np.empty(channels.shape)
        for c in range(channels.shape[-1]):
            yc = (channels[..., c] - lo) / scale
            result[..., c] = _tv_deconvolve(_wrap_pad(yc, pad), k, weight)[:m, :n] * scale + lo
    else:
        result = np.empty(channels.shape)
        floor = min(float(channels.min()), 0.0)
        if channels.shape[-1] == 1:
            x, k = _rl_blind(_wrap_pad(channels[..., 0] - floor, pad), ksize, k_init, num_iter)
            result[..., 0] = x[:m, :n] + floor
        else:
            _, k = _rl_blind(_wrap_pad(luma - floor, pad), ksize, k_init, num_iter)
            for c in range(channels.shape[-1]):
                x = _rl_deconvolve(_wrap_pad(channels[..., c] - floor, pad), k, num_iter)
                result[..., c] = x[:m, :n] + floor

    image_out = result[..., 0] if axis is None else np.moveaxis(result, -1, axis)
    image_out = np.ascontiguousarray(image_out, dtype=_validate.float_dtype_for(arr.dtype))
    return BlindResult(_validate.cast_result(image_out, out_dtype), k)


def _rl_deconvolve(y, k, num_iter):
    """Non-blind Richardson-Lucy with a fixed PSF (for the channels of a colour image, 'rl')."""
    shape = y.shape
    eps = 1e-12
    fk = _otf(k, shape)
    x = np.maximum(y, eps)
    for _ in range(num_iter):
        ratio = y / np.maximum(_irfft(_rfft(x) * fk, shape), eps)
        x = x * _irfft(_rfft(ratio) * np.conj(fk), shape)
    return x
