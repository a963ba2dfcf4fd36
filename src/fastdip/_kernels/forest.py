"""Kernels for fastdip.learn: evaluating a fitted random forest / extra-trees ensemble on feature vectors.

Layout. The trees of a scikit-learn forest are packed into flat arrays (``fastdip.learn._forest.pack``):

- ``roots`` (T,) int32: the root node of each tree;
- ``children`` (N, 2) int32: left and right child of each node (global node indices); a leaf is its own
  children, so a finished walk stays where it is;
- ``feature`` (N,) int32: the feature a node tests (0 at a leaf, where the test is harmless);
- ``leaf_row`` (N,) int32: a leaf's row in ``leaf_value`` (-1 for inner nodes);
- ``threshold`` (N,) float32: sklearn's float64 threshold rounded *down* to float32; for a float32 feature x,
  ``x <= t`` and ``x <= float32_down(t)`` decide the same way, so the walk is sklearn's exactly;
- ``leaf_value`` (L, k) float64: the class fractions of each leaf (sklearn's ``tree_.value`` row).

Features arrive as C-contiguous ``(P, F)`` float32 rows. A pixel goes left when ``x <= threshold`` (sklearn's
rule). Class fractions are summed over the trees in tree order in float64 and divided by T at the end, which is
what sklearn's ``predict_proba`` does with ``n_jobs=1``; the label is the argmax of that float64 sum (first
class on ties), before any rounding to float32.

Speed. Pixels go in blocks of ``_BLOCK`` rows: every tree walks the whole block before the next tree, so a
tree's nodes stay in cache while its pixels stream through (per-pixel walks over all trees missed the cache on
every node of a 100-tree forest). Four pixels walk one tree in lockstep without a branch per node (a leaf
loops onto itself; one test per step asks whether all four stood still): their loads are independent, so
the processor overlaps their latencies, and the unpredictable left/right choice is a load index, not a jump.
"""

import numpy as np
from numba import njit, prange

from ._config import PARALLEL, SERIAL


@njit(**SERIAL)
def _walk_block(X, start, stop, roots, children, feature, threshold, leaf_row, leaf_value, acc):
    """Add the leaf fractions of every tree for rows start..stop-1 of ``X`` into ``acc`` (zeroed here)."""
    k = leaf_value.shape[1]
    n = stop - start
    acc[:n, :] = 0.0
    for t in range(roots.shape[0]):
        root = roots[t]
        i = 0
        while i + 4 <= n:
            r = start + i
            a = root
            b = root
            c = root
            d = root
            while True:
                na = children[a, np.int64(X[r, feature[a]] > threshold[a])]
                nb = children[b, np.int64(X[r + 1, feature[b]] > threshold[b])]
                nc = children[c, np.int64(X[r + 2, feature[c]] > threshold[c])]
                nd = children[d, np.int64(X[r + 3, feature[d]] > threshold[d])]
                if (na == a) & (nb == b) & (nc == c) & (nd == d):
                    break
                a = na
                b = nb
                c = nc
                d = nd
            la = leaf_row[a]
            lb = leaf_row[b]
            lc = leaf_row[c]
            ld = leaf_row[d]
            for j in range(k):
                acc[i, j] += leaf_value[la, j]
                acc[i + 1, j] += leaf_value[lb, j]
                acc[i + 2, j] += leaf_value[lc, j]
                acc[i + 3, j] += leaf_value[ld, j]
            i += 4
        while i < n:
            r = start + i
            a = root
            na = children[a, np.int64(X[r, feature[a]] > threshold[a])]
            while na != a:
                a = na
                na = children[a, np.int64(X[r, feature[a]] > threshold[a])]
            for j in range(k):
                acc[i, j] += leaf_value[leaf_row[a], j]
            i += 1


@njit(**SERIAL)
def _write_block(start, n, n_trees, acc, proba, labels):
    k = acc.shape[1]
    want_proba = proba.shape[0] > 0
    want_labels = labels.shape[0] > 0
    for i in range(n):
        best = 0
        for j in range(k):
            v = acc[i, j] / n_trees
            if want_proba:
                proba[start + i, j] = v
            if v > acc[i, best] / n_trees:
                best = j
        if want_labels:
            labels[start + i] = best


@njit(**SERIAL)
def forest_predict(X, roots, children, feature, threshold, leaf_row, leaf_value, block, proba, labels):
    """Class fractions averaged over the trees into ``proba`` (P, k) float32 and/or the argmax class index into
    ``labels`` (P,) int32; an output with 0 rows is not written. ``block`` rows share one pass over each tree."""
    P = X.shape[0]
    k = leaf_value.shape[1]
    acc = np.empty((block, k), np.float64)
    n_trees = roots.shape[0]
    for start in range(0, P, block):
        stop = min(start + block, P)
        _walk_block(X, start, stop, roots, children, feature, threshold, leaf_row, leaf_value, acc)
        _write_block(start, stop - start, n_trees, acc, proba, labels)


@njit(**PARALLEL)
def forest_predict_parallel(X, roots, children, feature, threshold, leaf_row, leaf_value, block, proba, labels):
    """``forest_predict`` with the blocks shared among threads (each block owns its accumulator)."""
    P = X.shape[0]
    k = leaf_value.shape[1]
    n_blocks = (P + block - 1) // block
    n_trees = roots.shape[0]
    for b in prange(n_blocks):
        start = b * block
        stop = min(start + block, P)
        acc = np.empty((block, k), np.float64)
        _walk_block(X, start, stop, roots, children, feature, threshold, leaf_row, leaf_value, acc)
        _write_block(start, stop - start, n_trees, acc, proba, labels)
