"""Kernels for fastdip.segmentation's clustering: multi-Otsu's dynamic programme over a histogram, k-means
(assignment and update steps of Lloyd's algorithm), and mean-shift filtering with flat kernels.

Layout. Feature vectors reach these kernels as C-contiguous ``(N, C)`` float64 arrays (N pixels, C channels,
C = 1 for grey images); mean shift gets the image as ``(P, H, W, C)`` float64 (P = 1 for 2-D images).
"""

import math

import numpy as np
from numba import njit, prange

from ._config import PARALLEL, SERIAL


@njit(**SERIAL)
def multi_otsu_dp(prefix_w, prefix_s, table, choice, cuts):
    """Exact multi-level Otsu over n occupied levels by dynamic programming on suffixes.

    ``prefix_w[i]``, ``prefix_s[i]``: count and level sum of levels ``< i`` (length n + 1). ``table[j, a]`` is the
    best sum of S^2/W over the levels a..n-1 split into j + 1 classes, ``choice[j, a]`` the last level of the
    first of those classes (the smallest among exact ties). ``cuts`` (length k - 1) receives the last level
    index of classes 1..k-1 for the whole range. Terms are added right to left: c(a, b) + table[j - 1, b + 1].
    """
    n = prefix_w.shape[0] - 1
    k = table.shape[0]
    for a in range(n):
        w = prefix_w[n] - prefix_w[a]
        s = prefix_s[n] - prefix_s[a]
        table[0, a] = s * s / w
        choice[0, a] = n - 1
    for j in range(1, k):
        # a..n-1 split into j + 1 non-empty classes: a <= n - j - 1
        for a in range(n - j):
            best = -1.0
            arg = a
            wa = prefix_w[a]
            sa = prefix_s[a]
            for b in range(a, n - j):
                w = prefix_w[b + 1] - wa
                s = prefix_s[b + 1] - sa
                v = s * s / w + table[j - 1, b + 1]
                if v > best:
                    best = v
                    arg = b
            table[j, a] = best
            choice[j, a] = arg
    a = 0
    for i in range(k - 1):
        b = choice[k - 1 - i, a]
        cuts[i] = b
        a = b + 1


@njit(**SERIAL)
def kmeans_step(x, centers, labels, sums, counts):
    """One Lloyd pass: label every vector with its nearest centre (smallest index on ties) and accumulate the
    per-cluster sums and counts (``sums``/``counts`` are zeroed here). Returns the inertia (sum of squared
    distances to the assigned centres)."""
    n, n_ch = x.shape
    k = centers.shape[0]
    sums[:] = 0.0
    counts[:] = 0
    inertia = 0.0
    for i in range(n):
        best = np.inf
        arg = 0
        for j in range(k):
            d = 0.0
            for c in range(n_ch):
                t = x[i, c] - centers[j, c]
                d += t * t
            if d < best:
                best = d
                arg = j
        labels[i] = arg
        inertia += best
        counts[arg] += 1
        for c in range(n_ch):
            sums[arg, c] += x[i, c]
    return inertia


@njit(**PARALLEL)
def kmeans_step_parallel(x, centers, labels, sums, counts, inertia):
    """The parallel twin of :func:`kmeans_step`: block b of the vectors accumulates into ``sums[b]``,
    ``counts[b]``, ``inertia[b]`` (per-thread buffers; the wrapper reduces them)."""
    n, n_ch = x.shape
    k = centers.shape[0]
    n_blocks = sums.shape[0]
    step = (n + n_blocks - 1) // n_blocks
    for b in prange(n_blocks):
        for j in range(k):
            counts[b, j] = 0
            for c in range(n_ch):
                sums[b, j, c] = 0.0
        acc = 0.0
        for i in range(b * step, min(n, (b + 1) * step)):
            best = np.inf
            arg = 0
            for j in range(k):
                d = 0.0
                for c in range(n_ch):
                    t = x[i, c] - centers[j, c]
                    d += t * t
                if d < best:
                    best = d
                    arg = j
            labels[i] = arg
            acc += best
            counts[b, arg] += 1
            for c in range(n_ch):
                sums[b, arg, c] += x[i, c]
        inertia[b] = acc


@njit(**SERIAL)
def _shift_one(f, r, c, hs, hr, max_iter, tol, yr, acc):
    """Mean-shift one pixel's joint (position, value) point to its mode with flat kernels; ``yr`` (C,) leaves
    holding the mode's value, ``acc`` is scratch (C,). Returns the mode's (row, col)."""
    n_rows, n_cols, n_ch = f.shape
    hs2 = hs * hs
    hr2 = hr * hr
    ys_r = float(r)
    ys_c = float(c)
    for ch in range(n_ch):
        yr[ch] = f[r, c, ch]
    for _ in range(max_iter):
        r0 = max(0, int(math.ceil(ys_r - hs)))
        r1 = min(n_rows - 1, int(math.floor(ys_r + hs)))
        c0 = max(0, int(math.ceil(ys_c - hs)))
        c1 = min(n_cols - 1, int(math.floor(ys_c + hs)))
        count = 0
        sr = 0.0
        sc = 0.0
        for ch in range(n_ch):
            acc[ch] = 0.0
        for i in range(r0, r1 + 1):
            dr = i - ys_r
            dr2 = dr * dr
            for j in range(c0, c1 + 1):
                dc = j - ys_c
                if dr2 + dc * dc > hs2:
                    continue
                d2 = 0.0
                for ch in range(n_ch):
                    t = f[i, j, ch] - yr[ch]
                    d2 += t * t
                if d2 > hr2:
                    continue
                count += 1
                sr += i
                sc += j
                for ch in range(n_ch):
                    acc[ch] += f[i, j, ch]
        if count == 0:
            break
        inv = 1.0 / count
        nr = sr * inv
        nc = sc * inv
        shift = ((nr - ys_r) ** 2 + (nc - ys_c) ** 2) / hs2
        dv = 0.0
        for ch in range(n_ch):
            v = acc[ch] * inv
            dv += (v - yr[ch]) ** 2
            yr[ch] = v
        shift += dv / hr2
        ys_r = nr
        ys_c = nc
        if shift < tol * tol:
            break
    return ys_r, ys_c


@njit(**SERIAL)
def mean_shift_filter(f, hs, hr, max_iter, tol, out_value, out_pos):
    """Comaniciu-Meer filtering of an (H, W, C) float64 image: each pixel's mode value into ``out_value``
    (H, W, C) and its mode position into ``out_pos`` (H, W, 2)."""
    n_rows, n_cols, n_ch = f.shape
    yr = np.empty(n_ch)
    acc = np.empty(n_ch)
    for r in range(n_rows):
        for c in range(n_cols):
            pr, pc = _shift_one(f, r, c, hs, hr, max_iter, tol, yr, acc)
            out_pos[r, c, 0] = pr
            out_pos[r, c, 1] = pc
            for ch in range(n_ch):
                out_value[r, c, ch] = yr[ch]


@njit(**PARALLEL)
def mean_shift_filter_parallel(f, hs, hr, max_iter, tol, out_value, out_pos):
    """The parallel twin of :func:`mean_shift_filter` (rows split over threads; compute-bound)."""
    n_rows, n_cols, n_ch = f.shape
    for r in prange(n_rows):
        yr = np.empty(n_ch)
        acc = np.empty(n_ch)
        for c in range(n_cols):
            pr, pc = _shift_one(f, r, c, hs, hr, max_iter, tol, yr, acc)
            out_pos[r, c, 0] = pr
            out_pos[r, c, 1] = pc
            for ch in range(n_ch):
                out_value[r, c, ch] = yr[ch]


@njit(**SERIAL)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@njit(**SERIAL)
def mode_components(value, pos, hs, hr, parent, labels):
    """Join 8-neighbours whose modes are closer than ``hs`` in position and ``hr`` in value (union-find), then
    number the groups 1..n in raster order of their first pixel into ``labels`` (H, W) int32; return n.
    ``parent`` (H*W,) int64 is scratch."""
    n_rows, n_cols, n_ch = value.shape
    hs2 = hs * hs
    hr2 = hr * hr
    for i in range(n_rows * n_cols):
        parent[i] = i
    for r in range(n_rows):
        for c in range(n_cols):
            p = r * n_cols + c
            for k in range(4):
                if k == 0:
                    rr, cc = r, c + 1
                elif k == 1:
                    rr, cc = r + 1, c - 1
                elif k == 2:
                    rr, cc = r + 1, c
                else:
                    rr, cc = r + 1, c + 1
                if rr >= n_rows or cc < 0 or cc >= n_cols:
                    continue
                ds = (pos[r, c, 0] - pos[rr, cc, 0]) ** 2 + (pos[r, c, 1] - pos[rr, cc, 1]) ** 2
                if ds >= hs2:
                    continue
                dv = 0.0
                for ch in range(n_ch):
                    t = value[r, c, ch] - value[rr, cc, ch]
                    dv += t * t
                if dv >= hr2:
                    continue
                a = _find(parent, p)
                b = _find(parent, rr * n_cols + cc)
                if a != b:
                    if a < b:
                        parent[b] = a
                    else:
                        parent[a] = b
    n = 0
    flat = labels.reshape(-1)
    for i in range(n_rows * n_cols):
        root = _find(parent, i)
        if root == i:
            n += 1
            flat[i] = n
        else:
            flat[i] = flat[root]
    return n


@njit(**SERIAL)
def kmeans_step_weighted(x, weights, centers, labels, sums, counts):
    """:func:`kmeans_step` for distinct vectors ``x`` with multiplicities ``weights`` (a histogram of grey
    levels): ``counts`` (float64) and ``sums`` are weighted; returns the weighted inertia."""
    n, n_ch = x.shape
    k = centers.shape[0]
    sums[:] = 0.0
    counts[:] = 0.0
    inertia = 0.0
    for i in range(n):
        best = np.inf
        arg = 0
        for j in range(k):
            d = 0.0
            for c in range(n_ch):
                t = x[i, c] - centers[j, c]
                d += t * t
            if d < best:
                best = d
                arg = j
        labels[i] = arg
        w = weights[i]
        inertia += w * best
        counts[arg] += w
        for c in range(n_ch):
            sums[arg, c] += w * x[i, c]
    return inertia
