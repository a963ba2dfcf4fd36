"""Density-peaks clustering (Rodriguez & Laio 2014) on k-d trees: exact, in O(n) memory beside the tree."""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .. import _validate
from .. import parallel as _parallel
from .._kernels import load as _kload

__all__ = ["DensityPeaks", "DecisionGraph"]

KERNELS = ("gaussian", "cutoff")
#: Points of the sample from which ``dc=None`` takes its quantile of pairwise distances (2·10⁶ pairs, 16 MB).
DC_SAMPLE = 2000
#: Points per leaf of the k-d tree (16: measured against 8, 32 and 40 on 10⁵ and 10⁶ 2-D points).
LEAF_SIZE = 16
#: Distinct points from which the density and nearest-denser walks run on threads (each point costs a tree
#: walk of several microseconds, so threads pay early).
PARALLEL_MIN_POINTS = 20_000
_UNIT = 4294967296.0  # Gaussian densities are integers in units of 2**-32 (see _kernels/density.py)


class DecisionGraph(NamedTuple):
    """The decision graph of a density-peaks fit: local density ``rho`` and distance to the nearest denser
    point ``delta``, one value per point (float64). Cluster centres stand out with both large."""

    rho: np.ndarray
    delta: np.ndarray

    def __str__(self) -> str:
        return (f"DecisionGraph of {self.rho.size} points: rho in [{self.rho.min():.4g}, {self.rho.max():.4g}], "
                f"delta in [{self.delta.min():.4g}, {self.delta.max():.4g}]")


def _points(X, func: str) -> np.ndarray:
    """(n, D) float64 C-contiguous finite points from an (n,) or (n, D) array."""
    arr = _validate.image(X, func, param="X", ndim=(1, 2), finite=True)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[1] == 0:
        _validate.fail(func, "X", arr, "an (n, D) array with D >= 1 features")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _distinct(x):
    """The distinct rows of ``x``: (rows, first index of each, multiplicity, inverse map). Rows in lexicographic
    order; a stable sort makes ``first`` the smallest index among the copies."""
    order = np.lexsort(x.T[::-1])
    xs = x[order]
    new = np.ones(len(x), bool)
    new[1:] = np.any(xs[1:] != xs[:-1], axis=1)
    if new.all():
        return x, np.arange(len(x)), np.ones(len(x), np.int64), None
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    inverse = np.empty(len(x), np.int64)
    inverse[order] = group
    counts = np.diff(np.append(starts, len(x))).astype(np.int64)
    return np.ascontiguousarray(xs[starts]), order[starts], counts, inverse


def cutoff_distance(x, percent: float) -> float:
    """The paper's rule for dc: the pairwise distance at position round(M·percent/100) (1-based, halves up) of
    the M sorted distances between the points of ``x``, or of a fixed sample of DC_SAMPLE of them (seed 0).
    A zero quantile (many copies of one point) falls back to the smallest positive distance; 1.0 if the points
    are all equal."""
    _k = _kload("density")

    n = x.shape[0]
    if n > DC_SAMPLE:
        pick = np.sort(np.random.default_rng(0).choice(n, DC_SAMPLE, replace=False))
        x = np.ascontiguousarray(x[pick])
        n = DC_SAMPLE
    m = n * (n - 1) // 2
    if m == 0:
        return 1.0
    d = np.empty(m)
    _k.pair_distances(x, d)
    pos = min(max(int(math.floor(m * percent / 100.0 + 0.5)), 1), m)
    dc = float(np.partition(d, pos - 1)[pos - 1])
    if dc == 0.0:
        positive = d[d > 0]
        dc = float(positive.min()) if positive.size else 1.0
    return dc


class _Tree:
    """A scikit-learn KDTree as the flat arrays the kernels walk (layout checked: node k's children are 2k+1
    and 2k+2 and split its slice of the index array)."""

    def __init__(self, x):
        from sklearn.neighbors import KDTree

        data, idx, nodes, bounds = KDTree(x, leaf_size=LEAF_SIZE).get_arrays()
        self.x = np.ascontiguousarray(data, dtype=np.float64)
        self.idx = np.ascontiguousarray(idx, dtype=np.int64)
        self.start = np.ascontiguousarray(nodes["idx_start"], dtype=np.int64)
        self.end = np.ascontiguousarray(nodes["idx_end"], dtype=np.int64)
        self.leaf = np.ascontiguousarray(nodes["is_leaf"], dtype=np.int64)
        self.lo = np.ascontiguousarray(bounds[0], dtype=np.float64)
        self.hi = np.ascontiguousarray(bounds[1], dtype=np.float64)
        inner = np.flatnonzero(self.leaf == 0)
        a, b = 2 * inner + 1, 2 * inner + 2
        if inner.size and (b.max() >= self.start.size or np.any(self.start[a] != self.start[inner])
                           or np.any(self.end[a] != self.start[b]) or np.any(self.end[b] != self.end[inner])):
            raise RuntimeError("DensityPeaks: scikit-learn's KDTree layout changed; please report this")

    @property
    def walk(self):
        return self.idx, self.start, self.end, self.leaf, self.lo, self.hi


def _below(radius: float) -> float:
    """The smallest double t with sqrt(t) >= radius: ``d2 < t`` is then exactly ``sqrt(d2) < radius``."""
    t = radius * radius
    while math.sqrt(t) >= radius:
        t = np.nextafter(t, 0.0)
    while math.sqrt(t) < radius:
        t = np.nextafter(t, np.inf)
    return float(t)


def _stacks(threads: int) -> np.ndarray:
    return np.empty((threads, 128), np.int64)


class DensityPeaks:
    """Clustering by fast search and find of density peaks (Rodriguez & Laio 2014).

    Parameters
    ----------
    dc : float or None, optional
        The cutoff distance d_c (> 0), in the units of the points. None applies the paper's rule: the
        distance below which ``percent`` % of all pairs of points lie, so that a point has on average about
        ``percent`` % of the others as neighbours (computed on all pairs up to 2,000 points, else on the pairs
        of a fixed sample of 2,000 points, seed 0; a zero quantile, from many copies of one point, falls back
        to the smallest positive distance, and all-equal points give 1.0). The value used is ``dc_``.
    n_clusters : int or None, optional
        The number of clusters: the densest point and the ``n_clusters - 1`` other points of largest
        γ = ρ·δ become the centres. None picks the centres on the decision graph instead: the densest point and
        every point with ρ ≥ ``min_density`` and δ > ``min_delta``. At most the number of distinct points.
    kernel : {'gaussian', 'cutoff'}, optional
        The local density: ``'cutoff'`` counts the points closer than d_c, ρ_i = Σ_j χ(d_ij < d_c) (the
        paper's eq. 1); ``'gaussian'`` sums ρ_i = Σ_j exp(-(d_ij / d_c)²) over the points closer than
        ``truncate``·d_c (the paper's variant for small data sets: it has no ties). j runs over the other
        points (a point's own copies count, the point itself does not).
    halo : bool, optional
        Also find each cluster's halo (the paper's border region): ``labels_`` is -1 on halo points and
        ``halo_`` marks them.
    percent : float, optional
        The average number of neighbours, in % of the points, that ``dc=None`` aims at (the paper: 1 to 2).
    truncate : float, optional
        The Gaussian kernel is summed over the points within ``truncate``·d_c (> 0); the default 3 leaves out
        terms below exp(-9) = 1.2e-4, at most 0.012 % of a point's kernel mass in a uniform 2-D neighbourhood.
        Unused for the cutoff kernel.
    min_density, min_delta : float or None, optional
        The decision-graph thresholds used when ``n_clusters`` is None: defaults are the median of ρ and
        4·d_c (a centre is at least as dense as half the points and lies farther than four cutoffs from any
        denser point: on colour images and Gaussian blobs the true peaks have δ of 5 to 200 d_c, the others
        mostly below 1). Unused otherwise.

    Returns
    -------
    DensityPeaks
        An unfitted estimator; ``fit(X)`` sets ``labels_`` ((n,) int32: 0..k-1 numbered from the densest
        centre on, -1 on halo points), ``rho_`` and ``delta_`` ((n,) float64), ``centers_`` ((k,) int64: the
        index of each cluster's centre point in X), ``nearest_denser_`` ((n,) int64, -1 for the densest
        point), ``dc_``, ``halo_`` ((n,) bool) and ``border_density_`` ((k,) float64 ρ_b per cluster, -inf
        where a cluster touches no other one; None without ``halo``).

    Raises
    ------
    ValueError
        If a parameter is out of range or X is not a finite (n,) or (n, D) array; TypeError for a wrong type.

    Notes
    -----
    δ_i is the distance to the nearest point of higher density, δ_i = min over ρ_j > ρ_i of d_ij; the densest
    point takes the largest d_ij. Ties are broken deterministically: of two points with equal ρ the one with
    the lower index in X counts as denser, and of two denser points at the same (squared) distance the denser
    one is the nearest. Every point but a centre joins the cluster of its nearest denser point, in decreasing
    density. With ``halo``, ρ_b of a cluster is the largest ρ of its points closer than d_c to another
    cluster's point, and its points with ρ ≤ ρ_b form the halo.

    Implementation: copies of a point are merged (with multiplicities), ρ is a radius search in a k-d tree
    (scikit-learn's KDTree walked by numba kernels; whole boxes inside the ball are counted at once for the
    cutoff kernel; the Gaussian kernel evaluates each pair's exponential once for both points) and δ a
    branch-and-bound nearest-neighbour search that skips every box without a denser
    point, so the result is exact and the memory O(n), where pydpc's distance matrix takes O(n²). Gaussian
    terms are rounded to multiples of 2⁻³² and summed as integers, so ρ does not depend on the order of
    summation (serial and threaded runs agree to the bit). The cost grows with the number of neighbours
    within d_c (2 % of n by the paper's rule).

    References
    ----------
    A. Rodriguez, A. Laio, "Clustering by fast search and find of density peaks", Science 344(6191),
    1492-1496, 2014, DOI 10.1126/science.1242072.
    J. L. Bentley, "Multidimensional binary search trees used for associative searching", Communications of the
    ACM 18(9), 509-517, 1975, DOI 10.1145/361002.361007.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5],
    ...               [10.0, 10.0], [10.0, 11.0], [11.0, 10.0], [10.5, 10.5]])
    >>> dp = DensityPeaks(dc=1.0, n_clusters=2, kernel="cutoff").fit(X)
    >>> dp.labels_
    array([0, 0, 0, 0, 1, 1, 1, 1], dtype=int32)
    >>> dp.centers_, dp.rho_[:4]
    (array([3, 7]), array([1., 1., 1., 3.]))
    >>> rho, delta = dp.decision_graph()
    >>> np.round(delta[[3, 7]], 3)  # the densest point takes its largest distance
    array([14.16 , 14.142])
    """

    def __init__(self, dc=None, n_clusters=None, *, kernel="cutoff", halo=False, percent=2.0, truncate=3.0,
                 min_density=None, min_delta=None):
        func = "DensityPeaks"
        self.dc = None if dc is None else _validate.number(dc, func, "dc", low=0, low_open=True)
        self.n_clusters = None if n_clusters is None else _validate.positive_int(n_clusters, func, "n_clusters")
        self.kernel = _validate.choice(kernel, func, "kernel", KERNELS)
        if not isinstance(halo, (bool, np.bool_)):
            _validate.fail(func, "halo", halo, "True or False", TypeError)
        self.halo = bool(halo)
        self.percent = _validate.number(percent, func, "percent", low=0, high=100, low_open=True)
        self.truncate = _validate.number(truncate, func, "truncate", low=0, low_open=True)
        self.min_density = None if min_density is None else _validate.number(min_density, func, "min_density")
        self.min_delta = None if min_delta is None else _validate.number(min_delta, func, "min_delta", low=0)

    def __repr__(self) -> str:
        return (f"DensityPeaks(dc={self.dc!r}, n_clusters={self.n_clusters!r}, kernel={self.kernel!r}, "
                f"halo={self.halo!r})")

    def fit(self, X, y=None):
        """Cluster the points ``X`` ((n,) or (n, D), finite); returns self with the fitted attributes set.

        ``y`` is ignored (scikit-learn's convention)."""
        func = "DensityPeaks.fit"
        x = _points(X, func)
        n = x.shape[0]
        xu, first, counts, inverse = _distinct(x)
        nu = xu.shape[0]
        if self.n_clusters is not None and self.n_clusters > nu:
            _validate.fail(func, "n_clusters", self.n_clusters, f"at most the number of distinct points ({nu})")
        dc = self.dc if self.dc is not None else cutoff_distance(x, self.percent)
        cutoff = self.kernel == "cutoff"
        radius = dc if cutoff else self.truncate * dc

        _k = _kload("density")

        tree = _Tree(xu)
        w = counts  # the tree's idx holds row numbers of xu: kernels index w, rank and labels by them
        node_w = np.empty(tree.start.size, np.int64)
        _k.node_sums(w, tree.idx, tree.start, tree.end, tree.leaf, node_w)
        acc = np.full(nu, -1 if cutoff else -(1 << 32), np.int64)  # minus each point's own term
        with _parallel._band_threads(nu, PARALLEL_MIN_POINTS) as threads:
            # leaves dealt to the threads in turn; Gaussian pair terms into one int64 row per thread
            parts = np.zeros((threads, 0 if cutoff else nu), np.int64)
            _parallel._run_blocks(_k.local_density, (tree.x, w, *tree.walk, node_w, _below(radius), dc * dc, cutoff,
                                                     _stacks(threads), acc, parts), threads, threads)
            if not cutoff:
                acc += parts.sum(axis=0)

        order = np.lexsort((first, -acc))  # decreasing density, then increasing index in X
        rank = np.empty(nu, np.int64)
        rank[order] = np.arange(nu)
        node_rank = np.empty(tree.start.size, np.int64)
        _k.node_min_rank(rank, tree.idx, tree.start, tree.end, tree.leaf, node_rank)
        delta2 = np.empty(nu)
        parent = np.empty(nu, np.int64)
        with _parallel._band_threads(nu, PARALLEL_MIN_POINTS) as threads:
            _parallel._run_blocks(_k.nearest_denser, (tree.x, rank, *tree.walk, node_rank, _stacks(threads), delta2,
                                                      parent), threads, threads)

        rho = acc.astype(np.float64) if cutoff else acc / _UNIT
        delta = np.sqrt(delta2)
        median_rho = float(np.median(rho if inverse is None else rho[inverse]))
        centres = self._centres(rho, delta, rank, order, dc, median_rho)
        centre_label = np.full(nu, -1, np.int32)
        centre_label[centres] = np.arange(centres.size, dtype=np.int32)
        labels = np.empty(nu, np.int32)
        _k.assign(order, parent, centre_label, labels)

        halo = np.zeros(nu, bool)
        border = None
        if self.halo:
            node_label = np.empty(tree.start.size, np.int32)
            _k.node_common_label(labels, tree.idx, tree.start, tree.end, tree.leaf, node_label)
            border_acc = np.full(centres.size, -1, np.int64)
            _k.border_density(tree.x, labels, acc, *tree.walk, node_label, dc, _stacks(1)[0], border_acc)
            halo = acc <= border_acc[labels]
            border = np.where(border_acc < 0, -np.inf, border_acc.astype(np.float64) if cutoff else
                              border_acc / _UNIT)
            labels = np.where(halo, np.int32(-1), labels)

        self.dc_ = float(dc)
        self.centers_ = first[centres]
        self.border_density_ = border
        if inverse is None:
            self.rho_, self.delta_, self.labels_, self.halo_ = rho, delta, labels, halo
            self.nearest_denser_ = np.where(parent < 0, -1, parent)
        else:
            # copies of a point: the first keeps the distinct point's delta and link, the others link to it at 0
            is_first = np.zeros(n, bool)
            is_first[first] = True
            self.rho_ = rho[inverse]
            self.delta_ = np.where(is_first, delta[inverse], 0.0)
            self.labels_ = labels[inverse]
            self.halo_ = halo[inverse]
            linked = np.where(parent < 0, -1, first[np.maximum(parent, 0)])
            self.nearest_denser_ = np.where(is_first, linked[inverse], first[inverse])
        return self

    def _centres(self, rho, delta, rank, order, dc, median_rho):
        """Indices (into the distinct points) of the centres, densest first."""
        densest = order[0]
        if self.n_clusters is not None:
            gamma = rho * delta
            by_gamma = np.lexsort((rank, -delta, -gamma))
            others = by_gamma[by_gamma != densest][: self.n_clusters - 1]
            chosen = np.concatenate(([densest], others))
        else:
            min_density = median_rho if self.min_density is None else self.min_density
            min_delta = 4.0 * dc if self.min_delta is None else self.min_delta
            chosen = np.flatnonzero((rho >= min_density) & (delta > min_delta))
            chosen = np.union1d(chosen, [densest])
        return chosen[np.argsort(rank[chosen])]

    def fit_predict(self, X, y=None) -> np.ndarray:
        """``fit(X)`` and return ``labels_``."""
        return self.fit(X).labels_

    def decision_graph(self) -> DecisionGraph:
        """The decision graph (ρ, δ) of the last fit, for plotting δ against ρ."""
        if not hasattr(self, "rho_"):
            raise ValueError("DensityPeaks.decision_graph: the estimator is not fitted yet; call fit(X) first")
        return DecisionGraph(self.rho_, self.delta_)
