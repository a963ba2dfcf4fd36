"""Slow, plainly correct adaptive median filters (Gonzalez & Woods, 4th ed., sec. 5.3), never imported by fastdip.

``adaptive_median`` follows the book word for word, one pixel at a time, on scipy.ndimage's own border handling:
``generic_filter`` hands each pixel's S_max window (row-major, float64) to a Python function, which cuts the
nested 3x3, 5x5, ... windows out of it and sorts each one.

``adaptive_median_sorted`` is the same definition for all pixels at once (numpy sliding windows, full sorts),
with the border written out as numpy.pad modes here (independent of fastdip._modes): fast enough for the
larger images that exercise fastdip's batches; the tests check it against ``adaptive_median``.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
from numpy.lib.stride_tricks import sliding_window_view

#: scipy.ndimage mode -> numpy.pad mode (scipy 'reflect' repeats the edge value; its 'mirror' does not)
NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def stages(window: np.ndarray, max_size: int):
    """The output for the centre of ``window`` (an S_max window of any dimension), by the book's stages."""
    r_max = max_size // 2
    z_xy = window[(r_max,) * window.ndim]
    size = 3
    while True:
        r = size // 2
        inner = window[tuple(slice(r_max - r, r_max + r + 1) for _ in range(window.ndim))]
        values = np.sort(inner.reshape(-1))
        z_min, z_med, z_max = values[0], values[values.size // 2], values[-1]
        if z_min < z_med < z_max:  # stage A passed -> stage B
            return z_xy if z_min < z_xy < z_max else z_med
        size += 2
        if size > max_size:  # S_max reached: the median of the largest window
            return z_med


def adaptive_median(image: np.ndarray, max_size: int, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """The adaptive median of a 2-D or 3-D grey image (same dtype), pixel by pixel."""
    shape = (max_size,) * image.ndim

    def function(values):
        return stages(values.reshape(shape), max_size)

    return ndi.generic_filter(image, function, size=max_size, mode=mode, cval=cval)


def pad(image: np.ndarray, r: int, mode: str, cval: float = 0.0) -> np.ndarray:
    if mode == "constant":
        return np.pad(image, r, mode="constant", constant_values=np.asarray(cval).astype(image.dtype))
    return np.pad(image, r, mode=NUMPY_PAD[mode])


def adaptive_median_sorted(image: np.ndarray, max_size: int, mode: str = "reflect", cval: float = 0.0) -> np.ndarray:
    """The same definition for every pixel at once: sorted windows of each size, then the stages as masks."""
    r_max = max_size // 2
    padded = pad(image, r_max, mode, cval)
    out = np.empty_like(image)
    undecided = np.ones(image.shape, bool)
    z_med = None
    for size in range(3, max_size + 1, 2):
        cut = r_max - size // 2
        inner = padded[tuple(slice(cut, n - cut) for n in padded.shape)]
        windows = sliding_window_view(inner, (size,) * image.ndim).reshape(image.shape + (-1,))
        values = np.sort(windows, axis=-1)
        z_min, z_med, z_max = values[..., 0], values[..., values.shape[-1] // 2], values[..., -1]
        passed = undecided & (z_min < z_med) & (z_med < z_max)
        keep = (z_min < image) & (image < z_max)
        out[passed] = np.where(keep, image, z_med)[passed]
        undecided &= ~passed
    out[undecided] = z_med[undecided]
    return out


def largest_window_values(image: np.ndarray, index: tuple[int, ...], max_size: int, mode: str = "reflect",
                          cval: float = 0.0) -> np.ndarray:
    """The values of the S_max window of one pixel, with the border extended as ``mode`` says."""
    r = max_size // 2
    padded = pad(image, r, mode, cval)
    return padded[tuple(slice(i, i + max_size) for i in index)].reshape(-1)


def salt_and_pepper(image: np.ndarray, density: float, rng: np.random.Generator, low=0, high=None) -> np.ndarray:
    """A copy with exactly round(density * size) pixels replaced: half (rounded down) by ``high`` (salt, default
    the dtype's maximum), the rest by ``low`` (pepper), at distinct positions chosen by ``rng``."""
    if high is None:
        high = np.iinfo(image.dtype).max if image.dtype.kind in "ui" else 1.0
    out = image.copy()
    n = int(round(density * image.size))
    where = rng.choice(image.size, n, replace=False)
    flat = out.reshape(-1)
    flat[where[: n // 2]] = high
    flat[where[n // 2:]] = low
    return out
