"""Slow, plainly correct references for fastdip.geometry's warps and resize (tiny images only)."""

from __future__ import annotations

import math

import numpy as np


def extend(t: int, n: int, mode: str) -> int:
    """Index that integer position t reads in a line of n samples under ``mode``; -1 for 'constant' outside."""
    if 0 <= t < n:
        return t
    if mode == "constant":
        return -1
    if mode == "nearest":
        return 0 if t < 0 else n - 1
    if mode == "wrap":
        return t % n
    if mode == "reflect":  # d c b a | a b c d | d c b a
        r = t % (2 * n)
        return r if r < n else 2 * n - 1 - r
    if n == 1:  # mirror: d c b | a b c d | c b a
        return 0
    r = t % (2 * n - 2)
    return r if r < n else 2 * n - 2 - r


def keys(d: float, a: float = -0.5) -> float:
    """Keys' cubic convolution kernel."""
    d = abs(d)
    if d <= 1:
        return (a + 2) * d**3 - (a + 3) * d**2 + 1
    if d < 2:
        return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a
    return 0.0


def lanczos3(d: float) -> float:
    if abs(d) >= 3 or (d != 0 and d == round(d)):
        return 0.0
    return float(np.sinc(d) * np.sinc(d / 3))


def taps(x: float, interpolation: str):
    """[(index, weight), ...] of the 1-D interpolation of position x."""
    if interpolation == "nearest":
        return [(math.floor(x + 0.5), 1.0)]
    f = math.floor(x)
    if interpolation == "bilinear":
        return [(f, 1 - (x - f)), (f + 1, x - f)]
    if interpolation == "bicubic":
        return [(t, keys(x - t)) for t in range(f - 1, f + 3)]
    pairs = [(t, lanczos3(x - t)) for t in range(f - 2, f + 4)]
    s = sum(w for _, w in pairs)
    return [(t, w / s) for t, w in pairs]


def sample(image: np.ndarray, point, interpolation: str, mode: str, cval: float) -> float:
    """The image (any ndim, grey) interpolated at ``point``: the tensor product of 1-D taps over extended samples."""
    if not all(np.isfinite(point)):
        return cval
    per_axis = [taps(float(p), interpolation) for p in point]
    total = 0.0
    for combo in np.ndindex(*[len(t) for t in per_axis]):
        w = 1.0
        idx = []
        for a, k in enumerate(combo):
            t, wt = per_axis[a][k]
            w *= wt
            idx.append(extend(t, image.shape[a], mode))
        total += w * (cval if min(idx) < 0 else float(image[tuple(idx)]))
    return total


def remap(image, coords, interpolation="bilinear", mode="constant", cval=0.0) -> np.ndarray:
    """out[q] = sample(image, coords[:, q]) (float64)."""
    coords = np.asarray(coords, dtype=np.float64)
    out = np.empty(coords.shape[1:])
    for q in np.ndindex(*out.shape):
        out[q] = sample(image, coords[(slice(None),) + q], interpolation, mode, cval)
    return out


def warp_affine(image, matrix, output_shape=None, interpolation="bilinear", mode="constant", cval=0.0):
    """Backward mapping: out[q] = image at inv(matrix) @ (q, 1); also homographies (with the divide)."""
    inv = np.linalg.inv(np.asarray(matrix, dtype=np.float64))
    shape = image.shape if output_shape is None else tuple(output_shape)
    n = len(shape)
    out = np.empty(shape)
    for q in np.ndindex(*shape):
        h = inv @ np.array(list(q) + [1.0])
        if h[n] <= 0:
            out[q] = cval
            continue
        out[q] = sample(image, h[:n] / h[n], interpolation, mode, cval)
    return out


def resize_weights(n: int, m: int, interpolation: str, antialias: bool):
    """Row o: {input index: weight} by the definitions (before the border extension)."""
    ratio = n / m
    rows = []
    for o in range(m):
        if interpolation == "area":
            lo, hi = o * ratio, (o + 1) * ratio
            row = {}
            for t in range(int(math.floor(lo)), int(math.ceil(hi))):
                overlap = min(hi, t + 1) - max(lo, t)
                if overlap > 0:
                    row[t] = overlap / ratio
            rows.append(row)
            continue
        x = (o + 0.5) * ratio - 0.5
        scale = 1 / ratio if antialias and ratio > 1 else 1.0
        radius = {"bilinear": 1, "bicubic": 2, "lanczos": 3}[interpolation] / scale
        kern = {"bilinear": lambda d: max(0.0, 1 - abs(d)), "bicubic": keys, "lanczos": lanczos3}[interpolation]
        row = {t: kern((t - x) * scale) for t in range(math.floor(x - radius), math.ceil(x + radius) + 1)}
        s = sum(row.values())
        rows.append({t: w / s for t, w in row.items() if w != 0})
    return rows


def resize(image, output_shape, interpolation="bilinear", antialias=True, mode="reflect", cval=0.0):
    """Separable resampling of a grey 2-D image, axis 0 then axis 1, float64."""
    y = np.asarray(image, dtype=np.float64)
    for axis, m in enumerate(output_shape):
        n = y.shape[axis]
        rows = resize_weights(n, m, interpolation, antialias)
        moved = np.moveaxis(y, axis, 0)
        out = np.zeros((m,) + moved.shape[1:])
        for o, row in enumerate(rows):
            for t, w in row.items():
                s = extend(t, n, mode)
                out[o] += w * (cval if s < 0 else moved[s])
        y = np.moveaxis(out, 0, axis)
    return y
