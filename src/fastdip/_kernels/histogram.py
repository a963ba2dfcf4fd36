"""Counting kernels: counts per integer level, and per bin for float data."""

import numpy as np

from ._config import SERIAL, njit


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


@njit(**SERIAL)
def count_bytes(words, tail, counts):
    """Level counts of uint8 data read as uint64 words (8 pixels per load) plus a uint8 ``tail``; eight
    private uint32 tables, one per byte lane, so neighbouring equal pixels never wait on one counter.
    Each table entry counts at most one lane of ``words``, so the caller keeps words.size < 2**32."""
    t = np.zeros((8, 256), np.uint32)
    for i in range(words.size):
        w = words[i]
        t[0, w & 0xFF] += 1
        t[1, (w >> 8) & 0xFF] += 1
        t[2, (w >> 16) & 0xFF] += 1
        t[3, (w >> 24) & 0xFF] += 1
        t[4, (w >> 32) & 0xFF] += 1
        t[5, (w >> 40) & 0xFF] += 1
        t[6, (w >> 48) & 0xFF] += 1
        t[7, w >> 56] += 1
    for k in range(256):
        acc = 0
        for j in range(8):
            acc += t[j, k]
        counts[k] += acc
    for i in range(tail.size):
        counts[tail[i]] += 1


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
