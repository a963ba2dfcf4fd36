"""Random forests as plain arrays: taken from a fitted scikit-learn forest, checked, packed for the numba
inference kernel (fastdip._kernels.forest), and evaluated in parallel over pixels.

The raw arrays are sklearn's own ``tree_`` arrays, concatenated over the trees: ``node_counts`` (T,),
``children_left``, ``children_right``, ``feature`` (N,) int64, ``threshold`` (N,) float64 and ``value``
(N, k) float64, the class fractions of each node. They are what a model file stores, and ``check`` proves
them safe before the kernel sees them: every child index lies after its parent inside its own tree (no cycle,
no read outside the arrays), features exist, thresholds and fractions are finite.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import parallel
from .._kernels import load as _kload
from .._kernels._config import PARALLEL_MIN_PIXELS

RAW_KEYS = ("node_counts", "children_left", "children_right", "feature", "threshold", "value")
_BLOCK = 1024  # pixels per pass over a tree: 1024 x 49 float32 features = 200 KB, in L2 beside the tree


@dataclasses.dataclass(frozen=True)
class Packed:
    """The kernel's arrays (see fastdip._kernels.forest)."""

    roots: np.ndarray
    depth: np.ndarray
    child: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    leaf_row: np.ndarray
    leaf_value: np.ndarray

    @property
    def n_classes(self) -> int:
        return self.leaf_value.shape[1]

    def kernel_args(self) -> tuple:
        """The forest's arguments of ``forest_predict`` after the features, in order."""
        return (self.roots, self.depth, self.child, self.feature, self.threshold, self.leaf_row, self.leaf_value)


def is_forest(estimator) -> bool:
    """A fitted single-output RandomForestClassifier or ExtraTreesClassifier (the kernel's domain)."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    return (isinstance(estimator, (RandomForestClassifier, ExtraTreesClassifier))
            and hasattr(estimator, "estimators_") and getattr(estimator, "n_outputs_", 1) == 1)


def from_sklearn(forest) -> dict:
    """The raw arrays of a fitted forest. ``tree_.value`` holds class fractions in scikit-learn >= 1.4
    (counts before): rows that do not sum to 1 are divided by their sum, as older ``predict_proba`` did."""
    trees = [est.tree_ for est in forest.estimators_]
    value = np.concatenate([t.value[:, 0, :] for t in trees]).astype(np.float64)
    sums = value.sum(axis=1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        value = value / np.where(sums == 0, 1.0, sums)[:, None]
    return {
        "node_counts": np.array([t.node_count for t in trees], np.int64),
        "children_left": np.concatenate([t.children_left for t in trees]).astype(np.int64),
        "children_right": np.concatenate([t.children_right for t in trees]).astype(np.int64),
        "feature": np.concatenate([t.feature for t in trees]).astype(np.int64),
        "threshold": np.concatenate([t.threshold for t in trees]).astype(np.float64),
        "value": value,
    }


def check(raw: dict, n_features: int, n_classes: int) -> str | None:
    """Why ``raw`` is not a valid forest for ``n_features`` features and ``n_classes`` classes (None: valid)."""
    counts = raw["node_counts"]
    if counts.ndim != 1 or counts.size == 0 or counts.dtype.kind != "i" or (counts < 1).any():
        return "node_counts must be a non-empty list of positive tree sizes"
    total = int(counts.sum())
    for key in ("children_left", "children_right", "feature", "threshold"):
        arr = raw[key]
        if arr.shape != (total,) or arr.dtype.kind != ("f" if key == "threshold" else "i"):
            return f"{key} must have one entry per node ({total})"
    value = raw["value"]
    if value.shape != (total, n_classes) or value.dtype.kind != "f":
        return f"value must have shape ({total}, {n_classes})"
    start = np.repeat(np.cumsum(counts) - counts, counts)
    local = np.arange(total) - start
    size = np.repeat(counts, counts)
    left, right = raw["children_left"], raw["children_right"]
    leaf = left == -1
    if not np.array_equal(leaf, right == -1):
        return "a node has exactly one child"
    inner = ~leaf
    for child in (left, right):
        if ((child[inner] <= local[inner]) | (child[inner] >= size[inner])).any():
            return "a child index does not lie after its parent inside its tree"
    feat = raw["feature"][inner]
    if ((feat < 0) | (feat >= n_features)).any():
        return f"a node tests a feature outside 0..{n_features - 1}"
    if not np.isfinite(raw["threshold"][inner]).all():
        return "a threshold is not finite"
    if not np.isfinite(value[leaf]).all() or (value[leaf] < 0).any():
        return "a leaf's class fractions are not finite and non-negative"
    return None


def pack(raw: dict) -> Packed:
    """The kernel arrays from checked raw arrays: each tree's nodes renumbered breadth-first with siblings
    side by side (right child = left child + 1), global indices, leaves their own child with threshold +inf,
    float32 thresholds rounded down (x <= t and x <= round_down(t) agree for every float32 x)."""
    counts = raw["node_counts"]
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    tree = np.repeat(np.arange(counts.size), counts)
    start = offsets[tree]
    left = np.where(raw["children_left"] == -1, -1, raw["children_left"] + start)
    right = np.where(raw["children_right"] == -1, -1, raw["children_right"] + start)
    leaf = left == -1
    # depth of every node, one level at a time (parents come before children: check() proved it)
    depth = np.zeros(total, np.int64)
    level = offsets.copy()
    d = 0
    while level.size:
        depth[level] = d
        inner = level[~leaf[level]]
        level = np.concatenate([left[inner], right[inner]])
        d += 1
    # breadth-first order inside each tree: inner nodes ranked by (tree, depth, old index); the children of
    # the inner node of rank r get the local numbers 1 + 2r and 2 + 2r, the root 0
    inner = np.flatnonzero(~leaf)
    order = inner[np.lexsort((inner, depth[inner], tree[inner]))]
    first_inner = np.searchsorted(tree[order], np.arange(counts.size))
    rank = np.arange(order.size) - first_inner[tree[order]]
    new = np.empty(total, np.int64)
    new[offsets] = offsets
    new[left[order]] = offsets[tree[order]] + 1 + 2 * rank
    new[right[order]] = offsets[tree[order]] + 2 + 2 * rank
    child = np.empty(total, np.uint32)
    feature = np.zeros(total, np.uint32)
    threshold = np.full(total, np.inf, np.float32)
    leaf_row = np.full(total, -1, np.int32)
    child[new[leaf]] = new[leaf]
    child[new[inner]] = new[left[inner]]
    feature[new[inner]] = raw["feature"][inner]
    t64 = raw["threshold"][inner]
    with np.errstate(over="ignore"):
        t32 = t64.astype(np.float32)
    up = t32.astype(np.float64) > t64
    t32[up] = np.nextafter(t32[up], np.float32(-np.inf))
    threshold[new[inner]] = t32
    leaves = np.flatnonzero(leaf)
    leaf_row[new[leaves]] = np.arange(leaves.size, dtype=np.int32)
    tree_depth = np.zeros(counts.size, np.int32)
    np.maximum.at(tree_depth, tree, depth.astype(np.int32))
    return Packed(offsets.astype(np.uint32), tree_depth, child, feature, threshold, leaf_row,
                  np.ascontiguousarray(raw["value"][leaves], np.float64))


def predict(packed: Packed, X: np.ndarray, *, proba: bool, labels: bool):
    """(P, F) float32 feature rows -> (class fractions (P, k) float32 or None, class indices (P,) int32 or
    None); see ``predict_planar``."""
    return predict_planar(packed, np.ascontiguousarray(X.T, np.float32), proba=proba, labels=labels)


def predict_planar(packed: Packed, X: np.ndarray, *, proba: bool, labels: bool):
    """(F, P) C-contiguous float32 planar features -> (class fractions (P, k) float32 or None, class indices
    (P,) int32 or None). Labels asked for alone may stop early per pixel (same labels, fewer trees)."""
    k = _kload("forest")

    P = X.shape[1]
    out_p = np.empty((P if proba else 0, packed.n_classes), np.float32)
    out_l = np.empty(P if labels else 0, np.int32)
    args = (X, *packed.kernel_args(), _BLOCK, out_p, out_l)
    # compute-bound: threads pay from a few blocks of a 100-tree forest on
    work = P * packed.roots.shape[0]
    n_blocks = -(-P // _BLOCK)
    with parallel._band_threads(work if P > 2 * _BLOCK else 0, PARALLEL_MIN_PIXELS // 16) as n:
        parallel._run_bands(k.forest_predict, args, n_blocks, min(n_blocks, 4 * n), n)
    return (out_p if proba else None), (out_l if labels else None)
