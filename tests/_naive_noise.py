"""Slow, plainly correct references for fastdip.noise (never imported by fastdip)."""

from __future__ import annotations

import math

import numpy as np

IMMERKAER_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)


def immerkaer_sigma(image) -> float:
    """Immerkær (1996) as printed: sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N| over the valid 3x3 positions."""
    img = np.asarray(image, dtype=np.float64)
    rows, cols = img.shape
    total = 0.0
    for r in range(1, rows - 1):
        for c in range(1, cols - 1):
            acc = 0.0
            for i in range(3):
                for j in range(3):
                    acc += IMMERKAER_MASK[i, j] * img[r - 1 + i, c - 1 + j]
            total += abs(acc)
    return math.sqrt(math.pi / 2.0) * total / (6.0 * (rows - 2) * (cols - 2))


def haar_hh(image) -> np.ndarray:
    """The finest diagonal Haar detail band of a 2-D image, one 2x2 block at a time: (a - b - c + d) / 2."""
    img = np.asarray(image, dtype=np.float64)
    rows, cols = img.shape[0] // 2, img.shape[1] // 2
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            a, b = img[2 * i, 2 * j], img[2 * i, 2 * j + 1]
            c, d = img[2 * i + 1, 2 * j], img[2 * i + 1, 2 * j + 1]
            out[i, j] = (a - b - c + d) / 2.0
    return out


def mad_sigma(image) -> float:
    """Donoho & Johnstone: median(|HH|) / Phi^-1(3/4), with Phi^-1 from the error function's inverse."""
    from scipy.special import erfinv

    return float(np.median(np.abs(haar_hh(image)))) / (math.sqrt(2.0) * float(erfinv(0.5)))


def periodic(shape, frequencies, amplitudes, phases) -> np.ndarray:
    """Sum of A sin(2 pi (u x / M + v y / N) + phi), one pixel and one sinusoid at a time."""
    m, n = shape
    out = np.zeros((m, n))
    for (u, v), amp, phi in zip(frequencies, amplitudes, phases):
        for x in range(m):
            for y in range(n):
                out[x, y] += amp * math.sin(2.0 * math.pi * (u * x / m + v * y / n) + phi)
    return out
