"""Counting kernels: counts per integer level, and per bin for float data."""

import numpy as np
from numba import njit, prange

from ._config import PARALLEL, SERIAL


@njit(**SERIAL)
def count_levels(image, counts):
    """counts[v] += 1 for each value v of a flat unsigned-integer image (counts zeroed by the caller)."""
    n = image.size
    # Four private tables break the store-to-load dependency when neighbouring pixels share a level.
    c1 = np.zeros(counts.size, np.int64)
    c2 = np.zeros(counts.size, np.int64)
    c3 = np.zeros(counts.size, np.int64)
    m = n - n % 4
    for i in range(0, m, 4):
        counts[image[i]] += 1
        c1[image[i + 1]] += 1
        c2[image[i + 2]] += 1
        c3[image[i + 3]] += 1
    for i in range(m, n):
        counts[image[i]] += 1
    for k in range(counts.size):
        counts[k] += c1[k] + c2[k] + c3[k]


@njit(**PARALLEL)
def count_levels_parallel(image, counts, n_blocks):
    n = image.size
    n_levels = counts.size
    step = (n + n_blocks - 1) // n_blocks
    partial = np.zeros((n_blocks, 4, n_levels), np.int64)
    for b in prange(n_blocks):
        start = b * step
        stop = min(n, start + step)
        mine = partial[b]
        m = start + (stop - start) - (stop - start) % 4
        for i in range(start, m, 4):
            mine[0, image[i]] += 1
            mine[1, image[i + 1]] += 1
            mine[2, image[i + 2]] += 1
            mine[3, image[i + 3]] += 1
        for i in range(m, stop):
            mine[0, image[i]] += 1
    for b in range(n_blocks):
        for j in range(4):
            for k in range(n_levels):
                counts[k] += partial[b, j, k]


@njit(**SERIAL)
def count_bins(values, edges, counts):
    """Counts over uniform ``edges`` (last bin closed), binned exactly as numpy.histogram does: the computed
    index is corrected against the edges themselves. Values outside [edges[0], edges[-1]] and NaN are skipped."""
    n_bins = counts.size
    lo = edges[0]
    hi = edges[n_bins]
    norm = n_bins / (hi - lo)
    for i in range(values.size):
        v = values[i]
        if v >= lo and v <= hi:
            k = int((v - lo) * norm)
            if k >= n_bins:
                k = n_bins - 1
            if v < edges[k]:
                k -= 1
            elif k + 1 < n_bins and v >= edges[k + 1]:
                k += 1
            counts[k] += 1
