"""Slow, plainly correct references for fastdip.learn's clusterings (never imported by fastdip).

``density_peaks`` is Rodriguez & Laio's algorithm on the full O(n²) distance matrix, written from the paper's
definitions with fastdip's documented conventions (tie rules, the dc rule, Gaussian terms in units of 2**-32,
halo by the paper's text), so that fastdip's tree-based version must agree with it exactly.
"""

from __future__ import annotations

import math

import numpy as np

UNIT = 2**32


def squared_distances(x):
    """(n, n) squared distances, summed over the coordinates in order: d2 += (x_ik - x_jk)²."""
    d2 = np.zeros((x.shape[0], x.shape[0]))
    for k in range(x.shape[1]):
        t = x[:, None, k] - x[None, :, k]
        d2 += t * t
    return d2


def cutoff_distance(d, percent):
    """The paper's rule: the distance at position round(M·percent/100) (1-based, halves up) among the M sorted
    distances of the pairs i < j; zero falls back to the smallest positive distance, no pair or all-zero to 1."""
    n = d.shape[0]
    pairs = np.sort(d[np.triu_indices(n, 1)])
    m = pairs.size
    if m == 0:
        return 1.0
    pos = min(max(int(math.floor(m * percent / 100.0 + 0.5)), 1), m)
    dc = float(pairs[pos - 1])
    if dc == 0.0:
        positive = pairs[pairs > 0]
        dc = float(positive[0]) if positive.size else 1.0
    return dc


def density_peaks(X, dc=None, n_clusters=None, kernel="cutoff", halo=False, percent=2.0, truncate=3.0,
                  min_density=None, min_delta=None):
    """Density peaks by brute force; returns a dict with rho, delta, centers, labels, parent, dc, halo, border."""
    x = np.asarray(X, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    d2 = squared_distances(x)
    d = np.sqrt(d2)
    if dc is None:
        dc = cutoff_distance(d, percent)
    # local density, as exact integers (counts, or Gaussian terms in units of 2**-32)
    acc = []
    for i in range(n):
        if kernel == "cutoff":
            acc.append(sum(1 for j in range(n) if j != i and d[i, j] < dc))
        else:
            radius = truncate * dc
            acc.append(sum(math.floor(math.exp(-(d2[i, j] / (dc * dc))) * 4294967296.0 + 0.5)
                           for j in range(n) if j != i and d[i, j] < radius))
    rho = np.array([float(a) if kernel == "cutoff" else float(a) / 4294967296.0 for a in acc])
    # density order: higher rho first, then lower index
    order = sorted(range(n), key=lambda i: (-acc[i], i))
    rank = [0] * n
    for r, i in enumerate(order):
        rank[i] = r
    delta = np.empty(n)
    parent = np.full(n, -1, np.int64)
    for i in range(n):
        if rank[i] == 0:
            delta[i] = d[i].max()
            continue
        best = min((j for j in range(n) if rank[j] < rank[i]), key=lambda j: (d2[i, j], rank[j]))
        delta[i] = d[i, best]
        parent[i] = best
    # centres
    densest = order[0]
    if n_clusters is not None:
        gamma = rho * delta
        by_gamma = sorted((i for i in range(n) if i != densest), key=lambda i: (-gamma[i], -delta[i], rank[i]))
        centres = [densest] + by_gamma[: n_clusters - 1]
    else:
        lo_rho = float(np.median(rho)) if min_density is None else min_density
        lo_delta = 4.0 * dc if min_delta is None else min_delta
        centres = [i for i in range(n) if i == densest or (rho[i] >= lo_rho and delta[i] > lo_delta)]
    centres = sorted(centres, key=lambda i: rank[i])
    labels = np.full(n, -1, np.int64)
    for c, i in enumerate(centres):
        labels[i] = c
    for i in order:
        if labels[i] < 0:
            labels[i] = labels[parent[i]]
    in_halo = np.zeros(n, bool)
    border = None
    if halo:
        k = len(centres)
        best = [-1] * k
        for i in range(n):
            if any(labels[j] != labels[i] and d[i, j] < dc for j in range(n)):
                best[labels[i]] = max(best[labels[i]], acc[i])
        in_halo = np.array([acc[i] <= best[labels[i]] for i in range(n)], bool)
        border = np.array([-np.inf if b < 0 else (float(b) if kernel == "cutoff" else float(b) / 4294967296.0)
                           for b in best])
        labels = np.where(in_halo, -1, labels)
    return {"rho": rho, "delta": delta, "centers": np.array(centres, np.int64), "labels": labels,
            "parent": parent, "dc": float(dc), "halo": in_halo, "border": border}
