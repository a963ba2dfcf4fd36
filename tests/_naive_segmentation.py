"""Slow, plainly correct twins of fastdip.segmentation's algorithms (test references only)."""

from __future__ import annotations

import itertools
from collections import deque
from fractions import Fraction

import numpy as np


def otsu_exact(levels, counts):
    """Otsu's level by exhaustive search in exact rational arithmetic (integer levels and counts).

    Returns the smallest level t maximising n1 n2 (mu1 - mu2)^2 over the classes <= t and > t.
    """
    levels = [int(v) for v in levels]
    counts = [int(c) for c in counts]
    best, arg = None, None
    for i in range(len(levels) - 1):
        n1 = sum(counts[: i + 1])
        n2 = sum(counts[i + 1:])
        if n1 == 0 or n2 == 0:
            continue
        m1 = Fraction(sum(c * v for c, v in zip(counts[: i + 1], levels[: i + 1])), n1)
        m2 = Fraction(sum(c * v for c, v in zip(counts[i + 1:], levels[i + 1:])), n2)
        value = n1 * n2 * (m1 - m2) ** 2
        if best is None or value > best:
            best, arg = value, levels[i]
    return arg


def class_term(counts, values, a, b):
    """S^2 / W of the levels a..b, from float64 sums (the same value every partition sees)."""
    w = float(np.sum(counts[a: b + 1], dtype=np.float64))
    s = float(np.sum(np.asarray(counts[a: b + 1], np.float64) * values[a: b + 1]))
    return s * s / w


def multi_otsu_objectives(counts, values, classes):
    """Every partition of the occupied levels into ``classes`` non-empty runs and its objective.

    Returns a dict ``{cut tuple: sum_j S_j^2 / W_j}`` (terms added right to left, as fastdip does), the cut
    being the index of the last level of classes 1..k-1. O(n^(k-1)) partitions: small n only.
    """
    counts = np.asarray(counts)
    values = np.asarray(values, dtype=np.float64)
    n = counts.size
    terms = {}

    def term(a, b):
        if (a, b) not in terms:
            terms[a, b] = class_term(counts, values, a, b)
        return terms[a, b]

    out = {}
    for cuts in itertools.combinations(range(n - 1), classes - 1):
        bounds = (-1, *cuts, n - 1)
        parts = [term(bounds[i] + 1, bounds[i + 1]) for i in range(classes)]
        total = parts[-1]
        for p in reversed(parts[:-1]):
            total = p + total
        out[cuts] = total
    return out


def multi_otsu_brute(counts, values, classes):
    """The lexicographically first cut tuple of maximal objective, and that objective."""
    objectives = multi_otsu_objectives(counts, values, classes)
    best = max(objectives.values())
    first = min(c for c, v in objectives.items() if v == best)
    return first, best


def between_class_variance(image, thresholds):
    """sigma_B^2 = sum_j w_j (mu_j - mu)^2 of the classes <= t_1 < ... (float64)."""
    x = np.asarray(image, dtype=np.float64).ravel()
    labels = np.searchsorted(np.asarray(thresholds, np.float64), x, side="left")
    mu = x.mean()
    total = 0.0
    for j in range(len(thresholds) + 1):
        part = x[labels == j]
        if part.size:
            total += part.size / x.size * (part.mean() - mu) ** 2
    return total


def _neighbours(shape, connectivity):
    ndim = len(shape)
    offs = []
    for d in itertools.product((-1, 0, 1), repeat=ndim):
        k = sum(abs(v) for v in d)
        if 0 < k <= connectivity:
            offs.append(d)
    return offs


def flood_seed(image, seed, tolerance, connectivity):
    """Pixels connected to ``seed`` through pixels with |I(x) - I(seed)| <= tolerance (grey), BFS."""
    image = np.asarray(image, dtype=np.float64)
    ref = image[seed]
    mask = np.zeros(image.shape, bool)
    mask[seed] = True
    queue = deque([seed])
    offs = _neighbours(image.shape, connectivity)
    while queue:
        p = queue.popleft()
        for d in offs:
            q = tuple(a + b for a, b in zip(p, d))
            if all(0 <= v < s for v, s in zip(q, image.shape)) and not mask[q]:
                if abs(image[q] - ref) <= tolerance:
                    mask[q] = True
                    queue.append(q)
    return mask


def region_grow_mean(image, seed, threshold, connectivity):
    """Single-seed region growing, the mean updated after each added pixel, in FIFO order (grey or colour).

    A pixel x is added when ||mu_R - I(x)|| < threshold at the moment it is examined from a region pixel;
    a rejected pixel may be examined again later from another neighbour (with the then-current mean).
    """
    img = np.asarray(image, dtype=np.float64)
    colour = img.ndim == len(seed) + 1
    spatial = img.shape[:-1] if colour else img.shape
    vec = img if colour else img[..., None]
    mask = np.zeros(spatial, bool)
    mask[seed] = True
    total = vec[seed].copy()
    count = 1
    queue = deque([seed])
    offs = _neighbours(spatial, connectivity)
    while queue:
        p = queue.popleft()
        for d in offs:
            q = tuple(a + b for a, b in zip(p, d))
            if all(0 <= v < s for v, s in zip(q, spatial)) and not mask[q]:
                mu = total / count
                if np.sqrt(np.sum((vec[q] - mu) ** 2)) < threshold:
                    mask[q] = True
                    total += vec[q]
                    count += 1
                    queue.append(q)
    return mask


def lloyd(x, centers, max_iter):
    """Plain Lloyd iterations from given centres (x: (N, C) float64); empty clusters keep their centre."""
    c = np.array(centers, dtype=np.float64)
    for _ in range(max_iter):
        d = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
        lab = np.argmin(d, axis=1)
        new = c.copy()
        for j in range(len(c)):
            if np.any(lab == j):
                new[j] = x[lab == j].mean(axis=0)
        if np.array_equal(new, c):
            break
        c = new
    d = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)
    return np.argmin(d, axis=1), c


def mean_shift_modes(image, hs, hr, max_iter, tol):
    """Comaniciu-Meer filtering with flat kernels, vectorised per pixel: (values (H, W, C), positions (H, W, 2)).

    From (x_i, f_i), repeatedly move to the mean of the joint points with ||x_j - y_s|| <= hs and
    ||f_j - y_r|| <= hr, until the step in radii is below ``tol``.
    """
    f = np.asarray(image, dtype=np.float64)
    if f.ndim == 2:
        f = f[..., None]
    h, w, _ = f.shape
    rr, cc = np.indices((h, w))
    pts_s = np.stack([rr.ravel(), cc.ravel()], axis=1).astype(np.float64)
    pts_r = f.reshape(h * w, -1)
    values = np.empty_like(f)
    pos = np.empty((h, w, 2))
    for i in range(h * w):
        ys, yr = pts_s[i].copy(), pts_r[i].copy()
        for _ in range(max_iter):
            inside = (np.sum((pts_s - ys) ** 2, axis=1) <= hs * hs) & (np.sum((pts_r - yr) ** 2, axis=1) <= hr * hr)
            ns, nr = pts_s[inside].mean(axis=0), pts_r[inside].mean(axis=0)
            step = np.sum((ns - ys) ** 2) / hs**2 + np.sum((nr - yr) ** 2) / hr**2
            ys, yr = ns, nr
            if step < tol * tol:
                break
        values.flat[i * f.shape[2]:(i + 1) * f.shape[2]] = yr
        pos[i // w, i % w] = ys
    return values, pos
