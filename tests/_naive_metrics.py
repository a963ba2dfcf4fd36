"""Slow, plainly correct references for fastdip.metrics and its kernels (never imported by fastdip)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage as ndi


def gaussian_window(sigma: float, truncate: float = 3.5) -> np.ndarray:
    """The normalised 1-D Gaussian of scipy.ndimage (radius int(truncate * sigma + 0.5))."""
    radius = int(truncate * sigma + 0.5)
    w = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return w / w.sum()


def ssim_windows(x, y, w, c1, c2) -> np.ndarray:
    """SSIM of every window wholly inside x, y (2-D or 3-D), one window at a time.

    Two-pass moments (mean first, then centred sums) of the n-fold outer product of ``w``: an independent
    formulation of the kernels' one-pass E[x^2] - E[x]^2.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    k = len(w)
    weights = np.asarray(w, dtype=np.float64)
    for _ in range(x.ndim - 1):
        weights = np.multiply.outer(weights, np.asarray(w, dtype=np.float64))
    valid = tuple(n - k + 1 for n in x.shape)
    out = np.empty(valid)
    for index in itertools.product(*(range(n) for n in valid)):
        window = tuple(slice(i, i + k) for i in index)
        a = x[window]
        b = y[window]
        mx = np.sum(weights * a)
        my = np.sum(weights * b)
        vx = np.sum(weights * (a - mx) ** 2)
        vy = np.sum(weights * (b - my) ** 2)
        cxy = np.sum(weights * (a - mx) * (b - my))
        out[index] = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return out


def ssim_map_filters(x, y, *, data_range, sigma=1.5, k1=0.01, k2=0.03) -> np.ndarray:
    """The full SSIM map from scipy.ndimage.gaussian_filter (mode 'reflect') in float64."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)

    def blur(a):
        return ndi.gaussian_filter(a, sigma, truncate=3.5, mode="reflect")

    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    return (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))


def ssim_filters(x, y, *, data_range, sigma=1.5, k1=0.01, k2=0.03) -> float:
    """Mean of ``ssim_map_filters`` without the border strip of the window radius."""
    radius = int(3.5 * sigma + 0.5)
    s = ssim_map_filters(x, y, data_range=data_range, sigma=sigma, k1=k1, k2=k2)
    inner = tuple(slice(radius, n - radius) for n in s.shape)
    return float(s[inner].mean())


def mse(x, y) -> float:
    d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.mean(d * d))


def dice_sets(a, b) -> float:
    """Dice from sets of inside coordinates."""
    sa = set(zip(*np.nonzero(a)))
    sb = set(zip(*np.nonzero(b)))
    return 1.0 if not sa and not sb else 2 * len(sa & sb) / (len(sa) + len(sb))


def iou_sets(a, b) -> float:
    sa = set(zip(*np.nonzero(a)))
    sb = set(zip(*np.nonzero(b)))
    return 1.0 if not sa | sb else len(sa & sb) / len(sa | sb)
