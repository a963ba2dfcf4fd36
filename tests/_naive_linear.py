"""Slow, plainly correct references for the linear filters (never imported by fastdip).

Everything works in float64 on small arrays: the border extension is built from its definition (the repeated
pattern of indices each mode reads), and correlation is a sum of shifted copies of the image, one per tap.
"""

from __future__ import annotations

import itertools

import numpy as np

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")


def extended_index(x: int, n: int, mode: str):
    """The index of the sample that position ``x`` of a length-``n`` line reads; None outside for 'constant'."""
    if 0 <= x < n:
        return x
    if mode == "constant":
        return None
    if mode == "nearest":
        return 0 if x < 0 else n - 1
    if mode == "wrap":
        pattern = list(range(n))
    elif mode == "reflect":  # d c b a | a b c d | d c b a: period a b c d d c b a
        pattern = list(range(n)) + list(range(n - 1, -1, -1))
    elif mode == "mirror":  # d c b | a b c d | c b a: period a b c d c b
        pattern = list(range(n)) + list(range(n - 2, 0, -1)) if n > 1 else [0]
    else:
        raise ValueError(mode)
    return pattern[x % len(pattern)]


def shifted(image: np.ndarray, offsets, mode: str, cval: float) -> np.ndarray:
    """s[i] = image_extended[i + offsets] (per axis), in float64."""
    f = np.asarray(image, np.float64)
    out = np.empty(f.shape)
    for idx in itertools.product(*(range(n) for n in f.shape)):
        src = [extended_index(i + o, n, mode) for i, o, n in zip(idx, offsets, f.shape)]
        out[idx] = cval if any(s is None for s in src) else f[tuple(src)]
    return out


def correlate(image, kernel, mode="reflect", cval=0.0, origin=0) -> np.ndarray:
    """g(i) = sum_s h(s) f(i + s - c), c = k // 2 + origin per axis (scipy.ndimage.correlate's convention)."""
    h = np.asarray(kernel, np.float64)
    origins = (origin,) * h.ndim if np.isscalar(origin) else tuple(origin)
    centres = [k // 2 + o for k, o in zip(h.shape, origins)]
    out = np.zeros(np.shape(image))
    for s in itertools.product(*(range(k) for k in h.shape)):
        if h[s] != 0:
            out += h[s] * shifted(image, [a - c for a, c in zip(s, centres)], mode, cval)
    return out


def convolve(image, kernel, mode="reflect", cval=0.0, origin=0) -> np.ndarray:
    """g(i) = sum_s h(s) f(i - (s - c)), c = k // 2 + origin per axis (scipy.ndimage.convolve's convention)."""
    h = np.asarray(kernel, np.float64)
    origins = (origin,) * h.ndim if np.isscalar(origin) else tuple(origin)
    centres = [k // 2 + o for k, o in zip(h.shape, origins)]
    out = np.zeros(np.shape(image))
    for s in itertools.product(*(range(k) for k in h.shape)):
        if h[s] != 0:
            out += h[s] * shifted(image, [c - a for a, c in zip(s, centres)], mode, cval)
    return out


def box_mean(image, size, mode="reflect", cval=0.0) -> np.ndarray:
    """Mean over the window [i - k // 2, i - k // 2 + k) per axis (sum of ones, then one division: exact
    for integer images)."""
    shape = np.shape(image)
    sizes = (size,) * len(shape) if np.isscalar(size) else tuple(size)
    return correlate(image, np.ones(sizes), mode, cval) / np.prod(sizes)


def gaussian_kernel1d(sigma: float, truncate: float = 4.0) -> np.ndarray:
    radius = int(truncate * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    w = np.exp(-(x**2) / (2.0 * sigma**2))
    return w / w.sum()
