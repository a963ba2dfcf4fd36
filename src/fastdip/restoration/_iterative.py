"""Iterative restoration: Richardson-Lucy deconvolution, optionally with total-variation regularisation.

Convolutions go through real FFTs (``scipy.fft.rfftn`` / ``irfftn`` with ``workers``: fastdip's FFT threads, see
``fastdip.fourier``; scipy is a runtime dependency), in float32 / complex64 for inputs of up to 32 bits and float64
for float64 input, with the transfer function and its conjugate computed once per call.
"""

from __future__ import annotations

import numpy as np

from .. import _validate
from .._docs import fill
from ._linear import _four_d, _spatial_rank
from ._psf import _finish, _irfft, _otf, _prepare, _psf_array, _rfft
from .._kernels import load as _kload

__all__ = ["richardson_lucy"]

BOUNDARIES = ("circular", "linear")


def _tv_divergence(f: np.ndarray) -> np.ndarray:
    """div(∇f / |∇f|) over the spatial axes (1, 2, ...) of a (B, *spatial) array: forward differences with a
    zero difference past the last sample (Neumann), the divergence by the matching backward differences, and
    0 where the gradient is 0."""
    spatial = range(1, f.ndim)
    grads = []
    for ax in spatial:
        d = np.zeros_like(f)
        lead = [slice(None)] * f.ndim
        lead[ax] = slice(0, -1)
        d[tuple(lead)] = np.diff(f, axis=ax)
        grads.append(d)
    norm = np.sqrt(sum(np.square(d) for d in grads))
    nonzero = norm > 0
    div = np.zeros_like(f)
    for ax, d in zip(spatial, grads):
        np.divide(d, norm, out=d, where=nonzero)
        d[~nonzero] = 0
        # backward difference, the negative adjoint of the forward difference above
        div += d
        lead = [slice(None)] * f.ndim
        lead[ax] = slice(1, None)
        prev = [slice(None)] * f.ndim
        prev[ax] = slice(0, -1)
        div[tuple(lead)] -= d[tuple(prev)]
    return div


@fill
def richardson_lucy(image, psf, *, num_iter=30, initial=None, boundary="circular", regularization=None,
                    clip=False, eps=1e-12, channel_axis=None, dtype=None):
    """Richardson-Lucy deconvolution: the multiplicative maximum-likelihood iteration for Poisson noise.

    Parameters
    ----------
    {image}
        Non-negative (a photon count or intensity).
    psf : ndarray
        The point-spread function h (one axis per spatial axis, centred at index ``psf.shape // 2``, values
        >= 0; normally normalised to sum 1, no larger than the image for 'circular').
    num_iter : int, optional
        The number of iterations (>= 0; 0 returns the start estimate).
    initial : float or ndarray, optional
        The start estimate f_0 > 0: a number, or an array of the image's shape. Default: the image's mean
        everywhere (any positive constant gives the same first iterate h̃ ⊛ g up to ``eps``;
        skimage.restoration.richardson_lucy starts from 0.5).
    boundary : {'circular', 'linear'}, optional
        'circular' (default): periodic convolutions (the total flux Σ f is then kept equal to Σ g when the PSF
        sums to 1). 'linear': zero-padded 'same'-size convolutions, as scipy.signal.fftconvolve(mode='same')
        and scikit-image compute them (for even PSF sides fastdip's centre ``shape // 2`` is one pixel from
        scipy's ``(shape - 1) // 2``).
    regularization : float, optional
        λ of the total-variation term (Dey et al.), 0 <= λ < 1 / (2 n) for n spatial axes (so the update's
        denominator stays positive); None or 0: plain Richardson-Lucy. Values around 0.002 are typical.
    clip : bool, optional
        Clip the result to the input's range [min(g), max(g)] (default False: nothing clips).
    eps : float, optional
        Where the re-blurred estimate h ⊛ f is below ``eps`` the ratio g / (h ⊛ f) is taken as 0.
    {channel_axis}
        Every channel is deconvolved with the same PSF.
    dtype : numpy dtype, optional
        The output dtype (default: see Returns).

    Returns
    -------
    ndarray
        The estimate f̂, of the input's shape, non-negative.
        {dtype_float}

    Raises
    ------
    TypeError
        If the image, PSF or ``initial`` is not numeric.
    ValueError
        If the image holds NaN/inf or negative values, the PSF is all zero, negative or (for 'circular')
        larger than the image, ``initial`` has the wrong shape or a non-positive value, or an option is out
        of range.

    Notes
    -----
    f_{k+1} = f_k · (h̃ ⊛ (g / (h ⊛ f_k))) with h̃(x) = h(-x) (in the frequency domain: H* instead of H).
    With TV, the correction is divided by 1 - λ div(∇f_k / |∇f_k|) (forward differences, Neumann border).
    The correction is clamped at 0 against FFT rounding, so the estimate stays non-negative.

    References
    ----------
    .. [1] Richardson, W. H. (1972). Bayesian-based iterative method of image restoration. Journal of the
       Optical Society of America, 62(1), 55-59. https://doi.org/10.1364/JOSA.62.000055
    .. [2] Lucy, L. B. (1974). An iterative technique for the rectification of observed distributions. The
       Astronomical Journal, 79, 745-754. https://doi.org/10.1086/111605
    .. [3] Dey, N., Blanc-Féraud, L., Zimmer, C., et al. (2006). Richardson-Lucy algorithm with total
       variation regularization for 3D confocal microscope deconvolution. Microscopy Research and Technique,
       69(4), 260-266. https://doi.org/10.1002/jemt.20294

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.restoration import blur, richardson_lucy
    >>> f = np.array([[0.0, 0.0, 8.0, 0.0, 0.0, 0.0]])
    >>> h = np.array([[0.25, 0.5, 0.25]])
    >>> g = blur(f, h)
    >>> print(g.round(3) + 0)
    [[0. 2. 4. 2. 0. 0.]]
    >>> print(richardson_lucy(g, h, num_iter=200).round(2) + 0)
    [[0. 0. 8. 0. 0. 0.]]
    """
    func = "richardson_lucy"
    dtype = _validate.output_dtype(dtype, func)
    boundary = _validate.choice(boundary, func, "boundary", BOUNDARIES)
    x, axis, out_dtype = _prepare(image, func, channel_axis)
    if x.min() < 0:
        _validate.fail(func, "image", image, "non-negative (Richardson-Lucy models counts)")
    _spatial_rank(x, image, func)
    spatial = x.shape[1:]
    h = _psf_array(psf, func, spatial, fits=boundary == "circular")
    if h.min() < 0:
        _validate.fail(func, "psf", psf, "non-negative")
    num_iter = _validate.positive_int(num_iter, func, "num_iter", low=0)
    eps = _validate.number(eps, func, "eps", low=0)
    lam = 0.0
    if regularization is not None:
        lam = _validate.number(regularization, func, "regularization", low=0, high=1 / (2 * len(spatial)),
                               high_open=True)
    if not isinstance(clip, (bool, np.bool_)):
        _validate.fail(func, "clip", clip, "True or False", TypeError)

    if initial is None:
        f = np.empty_like(x)
        f[...] = x.mean(axis=tuple(range(1, x.ndim)), keepdims=True)
        f[f <= 0] = 1  # an all-zero channel: any positive start stays at 0 after the first update
    elif np.ndim(initial) == 0:
        f = np.full_like(x, _validate.number(initial, func, "initial", low=0, low_open=True))
    else:
        start = _validate.image(initial, func, param="initial", finite=True)
        if start.shape != np.shape(image):
            _validate.fail(func, "initial", start, f"a number or an array of the image's shape {np.shape(image)}")
        if start.min() <= 0:
            _validate.fail(func, "initial", start, "positive everywhere")
        start = start[None] if axis is None else np.moveaxis(start, axis, 0)
        f = np.array(start, dtype=out_dtype, order="C")

    if boundary == "circular":
        grid = spatial
    else:
        from scipy import fft

        grid = tuple(fft.next_fast_len(n + s - 1, real=True) for n, s in zip(spatial, h.shape))
    otf = _otf(h, grid, out_dtype)
    otf_conj = np.conj(otf)
    _k = _kload("restoration")

    # the estimate and the ratio live in zero-padded grids (for 'linear'; the grid is the image for
    # 'circular'): the kernels write only the image's extent, so the padding stays 0 and no copy is padded
    estimate = np.zeros(x.shape[:1] + grid, dtype=out_dtype)
    ratio = np.zeros_like(estimate)
    crop = (slice(None),) + tuple(slice(0, n) for n in spatial)
    estimate[crop] = f
    g4, e4, r4 = _four_d(x), _four_d(estimate), _four_d(ratio)
    for _ in range(num_iter):
        spectrum = _rfft(estimate)
        spectrum *= otf
        _k.rl_ratio(g4, _four_d(_irfft(spectrum, grid)), eps, r4)
        spectrum = _rfft(ratio)
        spectrum *= otf_conj
        correction = _irfft(spectrum, grid)
        if lam:
            denominator = _tv_divergence(estimate[crop])
            denominator *= -lam
            denominator += 1
            correction[crop] /= denominator
        _k.rl_update(e4, _four_d(correction), *g4.shape)
    f = estimate[crop]
    if clip:
        np.clip(f, x.min(), x.max(), out=f)
    return _finish(np.ascontiguousarray(f), axis, dtype)
