"""Input normalisation for the networks: standardisation fitted on the training data only, and local
contrast normalisation of an image. numpy in, numpy out; nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastdip import _validate

__all__ = ["Standardizer", "standardize", "local_contrast_normalize"]


@dataclass(frozen=True)
class Standardizer:
    """A fitted standardisation x ↦ (x − mean) / std (see :func:`standardize`).

    Attributes
    ----------
    mean, std : ndarray
        Statistics of the training data, shaped to broadcast against a batch (std never 0).
    """

    mean: np.ndarray
    std: np.ndarray

    def apply(self, x) -> np.ndarray:
        """(x − mean) / std as float32 (float64 for float64 input)."""
        x = np.asarray(x)
        dtype = np.float64 if x.dtype == np.float64 else np.float32
        return ((x - self.mean) / self.std).astype(dtype)

    __call__ = apply

    def invert(self, z) -> np.ndarray:
        """The inverse map z ↦ z·std + mean."""
        z = np.asarray(z)
        dtype = np.float64 if z.dtype == np.float64 else np.float32
        return (z * self.std + self.mean).astype(dtype)


def standardize(train, *, axis=None, eps=1e-8) -> Standardizer:
    """Fit a standardisation on the training data; apply the returned object to train, validation and test.

    Parameters
    ----------
    train : array_like
        The training samples, (N, ...).
    axis : None, 0 or tuple of int, optional
        Axes the statistics are taken over: None, one mean and std for everything (per-dataset, right for
        images); 0, one per feature (per-pixel or per-column, right for tabular data).
    eps : float, optional
        Lower bound of the std (a constant feature is centred, not divided by 0).

    Returns
    -------
    Standardizer
        Frozen: ``mean`` and ``std`` (float64, broadcastable), ``apply(x)`` / ``obj(x)`` giving
        (x − mean) / std as float32 (float64 for float64 input), and ``invert``.

    Raises
    ------
    ValueError
        If ``train`` is empty or not finite.

    Notes
    -----
    Fitting on the training part only keeps the validation and test parts unseen: their statistics must
    not leak into the model (LeCun et al. 1998b recommend zero-mean, unit-variance inputs).

    References
    ----------
    Y. LeCun, L. Bottou, G. B. Orr, K.-R. Müller, "Efficient BackProp", in Neural Networks: Tricks of the
    Trade, LNCS 1524, 9-50, 1998, DOI 10.1007/3-540-49430-8_2.

    Examples
    --------
    >>> import numpy as np
    >>> s = standardize(np.array([1.0, 2.0, 3.0]))
    >>> round(float(s.mean), 3), round(float(s.std), 3)
    (2.0, 0.816)
    >>> s.apply(np.array([2.0, 4.0])).round(3).tolist()
    [0.0, 2.449]
    """
    x = _validate.image(train, "standardize", param="train", finite=True).astype(np.float64)
    eps = _validate.number(eps, "standardize", "eps", low=0)
    mean = x.mean(axis=axis, keepdims=axis is not None)
    std = np.maximum(x.std(axis=axis, keepdims=axis is not None), eps)
    if axis is not None:
        mean, std = mean[0], std[0]  # drop the sample axis so a single sample broadcasts too
    return Standardizer(np.asarray(mean), np.asarray(std))


def local_contrast_normalize(image, sigma, *, eps=1e-2) -> np.ndarray:
    """Local contrast normalisation: subtract a Gaussian-weighted local mean, divide by the local standard
    deviation.

    Parameters
    ----------
    image : (M, N[, P]) ndarray
        Grey image (2-D or 3-D), any numeric dtype.
    sigma : float
        Standard deviation in pixels of the Gaussian window.
    eps : float, optional
        Added to the local standard deviation (in the image's value units) so flat regions are not blown
        up to noise.

    Returns
    -------
    ndarray
        v = (x − G_σ * x) / (sqrt(G_σ * (x − G_σ * x)²) + eps), float32 (float64 for float64 input), of the
        image's shape, zero-mean locally.

    Raises
    ------
    ValueError
        If ``sigma`` is not positive or the image is empty, not finite or not 2-D / 3-D.

    References
    ----------
    N. Pinto, D. D. Cox, J. J. DiCarlo, "Why is real-world visual object recognition hard?", PLoS Comput.
    Biol. 4(1), e27, 2008, DOI 10.1371/journal.pcbi.0040027. K. Jarrett, K. Kavukcuoglu, M. Ranzato,
    Y. LeCun, "What is the best multi-stage architecture for object recognition?", ICCV 2009,
    DOI 10.1109/ICCV.2009.5459469.

    Examples
    --------
    >>> import numpy as np
    >>> flat = np.full((5, 5), 7.0)
    >>> float(np.abs(local_contrast_normalize(flat, 1.0)).max())
    0.0
    >>> ramp = np.tile(np.arange(8.0), (8, 1))
    >>> float(local_contrast_normalize(10 * ramp, 2.0)[4, 4].round(3)) == float(local_contrast_normalize(ramp, 2.0, eps=1e-3)[4, 4].round(3))
    True
    """
    func = "local_contrast_normalize"
    x = _validate.image(image, func, ndim=(2, 3), finite=True)
    sigma = _validate.number(sigma, func, "sigma", low=0, low_open=True)
    eps = _validate.number(eps, func, "eps", low=0)
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    from fastdip import filters

    x = x.astype(np.float64)
    centred = x - filters.gaussian(x, sigma)
    local_std = np.sqrt(np.maximum(filters.gaussian(centred * centred, sigma), 0.0))
    return (centred / (local_std + eps)).astype(dtype)
