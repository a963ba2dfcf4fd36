"""Slow, plainly correct reference implementations used by the tests (never imported by fastdip)."""

from __future__ import annotations

import numpy as np


def level_counts(image: np.ndarray, n_levels: int) -> np.ndarray:
    counts = np.zeros(n_levels, dtype=np.int64)
    for v in image.reshape(-1):
        counts[int(v)] += 1
    return counts


def equalize_gonzalez(image: np.ndarray) -> np.ndarray:
    """Gonzalez & Woods eq. (3-15) level by level, with Python's round-half-to-even."""
    top = int(np.iinfo(image.dtype).max)
    counts = level_counts(image, top + 1)
    total = image.size
    out = np.empty_like(image)
    running = 0
    lut = {}
    for level in range(top + 1):
        running += int(counts[level])
        lut[level] = round(top * running / total)
    for idx, v in np.ndenumerate(image):
        out[idx] = lut[int(v)]
    return out


def match_levels(image: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Histogram specification by the textbook rule z = min{z : G(z) >= T(r)} with exact fractions."""
    from fractions import Fraction

    top = int(np.iinfo(image.dtype).max)
    src = level_counts(image, top + 1)
    ref = level_counts(reference, top + 1)
    src_cdf, ref_cdf = [], []
    s = r = 0
    for k in range(top + 1):
        s += int(src[k])
        r += int(ref[k])
        src_cdf.append(Fraction(s, image.size))
        ref_cdf.append(Fraction(r, reference.size))
    lut = np.zeros(top + 1, dtype=image.dtype)
    for level in range(top + 1):
        z = 0
        while ref_cdf[z] < src_cdf[level]:
            z += 1
        lut[level] = z
    return lut[image]


def imagej_stats(values: np.ndarray):
    """(count, min, mean, max, sample std, mode, mode count) computed plainly in Python floats."""
    flat = [float(v) for v in values.reshape(-1)]
    n = len(flat)
    mean = sum(flat) / n
    var = sum((v - mean) ** 2 for v in flat) / (n - 1)
    uniq, cnt = np.unique(values, return_counts=True)
    k = int(np.argmax(cnt))
    return n, min(flat), mean, max(flat), var**0.5, float(uniq[k]), int(cnt[k])
