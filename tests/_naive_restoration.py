"""Slow, plainly correct references for fastdip.restoration (never imported by fastdip)."""

from __future__ import annotations

import itertools
import math

import numpy as np


def circular_convolve(f: np.ndarray, h: np.ndarray) -> np.ndarray:
    """g(x) = Σ_k h(k) f((x - (k - c)) mod N), c = h.shape // 2, by explicit loops over the PSF's taps."""
    f = np.asarray(f, dtype=np.float64)
    g = np.zeros_like(f)
    centre = tuple(s // 2 for s in h.shape)
    for k in itertools.product(*[range(s) for s in h.shape]):
        if h[k] == 0:
            continue
        shift = tuple(kk - c for kk, c in zip(k, centre))
        g += h[k] * np.roll(f, shift, axis=tuple(range(f.ndim)))
    return g


def circular_correlate(f: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Σ_k h(k) f((x + (k - c)) mod N): convolution with the mirrored PSF h(-x) about its centre."""
    f = np.asarray(f, dtype=np.float64)
    g = np.zeros_like(f)
    centre = tuple(s // 2 for s in h.shape)
    for k in itertools.product(*[range(s) for s in h.shape]):
        if h[k] == 0:
            continue
        shift = tuple(c - kk for kk, c in zip(k, centre))
        g += h[k] * np.roll(f, shift, axis=tuple(range(f.ndim)))
    return g


def transfer_function(h: np.ndarray, shape) -> np.ndarray:
    """The full complex DFT of the PSF placed with its centre at the origin (np.roll of a zero-padded copy)."""
    padded = np.zeros(shape)
    padded[tuple(slice(0, s) for s in h.shape)] = h
    padded = np.roll(padded, [-(s // 2) for s in h.shape], axis=tuple(range(len(shape))))
    return np.fft.fftn(padded)


def frequency_filter(g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """real(IDFT(W · DFT(g))) with complex full-size numpy FFTs."""
    return np.fft.ifftn(np.fft.fftn(g) * w).real


def richardson_lucy_circular(g: np.ndarray, h: np.ndarray, num_iter: int, start: float) -> np.ndarray:
    """Richardson-Lucy by the textbook update with spatial-domain circular convolutions."""
    f = np.full(g.shape, float(start))
    for _ in range(num_iter):
        reblurred = circular_convolve(f, h)
        f = f * circular_correlate(g / reblurred, h)
    return f


def psf_motion_supersampled(length: float, angle: float, shape, samples: int = 64) -> np.ndarray:
    """Coverage of the rotated length x 1 rectangle per pixel by counting samples x samples sub-pixel points."""
    theta = math.radians(angle)
    ux, uy = math.cos(theta), -math.sin(theta)
    rows, cols = shape
    sub = (np.arange(samples) + 0.5) / samples - 0.5
    out = np.zeros(shape)
    for r in range(rows):
        for c in range(cols):
            y = r - rows // 2 + sub[:, None]
            x = c - cols // 2 + sub[None, :]
            along = x * ux + y * uy
            across = -x * uy + y * ux
            inside = (np.abs(along) <= length / 2) & (np.abs(across) <= 0.5)
            out[r, c] = inside.mean()
    return out / out.sum()


def psf_disk_supersampled(radius: float, samples: int = 256) -> np.ndarray:
    """Pixel-area coverage of the disk by counting sub-pixel points, on the same grid as psf_disk."""
    k = max(0, math.ceil(radius + 0.5) - 1)
    n = 2 * k + 1
    sub = (np.arange(samples) + 0.5) / samples - 0.5
    out = np.zeros((n, n))
    for r in range(n):
        for c in range(n):
            y = r - k + sub[:, None]
            x = c - k + sub[None, :]
            out[r, c] = (np.hypot(y, x) <= radius).mean()
    return out / out.sum()
