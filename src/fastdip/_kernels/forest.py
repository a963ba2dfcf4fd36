"""Kernels for fastdip.learn: evaluating a fitted random forest / extra-trees ensemble on feature vectors.

Layout. The trees of a scikit-learn forest are packed into flat arrays (``fastdip.learn._forest.pack``),
each tree's nodes renumbered breadth-first so that the two children of a node are neighbours:

- ``roots`` (T,) uint32: the root node of each tree; ``depth`` (T,) int32: each tree's depth;
- ``child`` (N,) uint32: the left child of a node (global index); the right child is ``child + 1``; a leaf is
  its own child;
- ``feature`` (N,) uint32: the feature a node tests (0 at a leaf);
- ``threshold`` (N,) float32: sklearn's float64 threshold rounded *down* to float32 (for a float32 feature x,
  ``x <= t`` and ``x <= float32_down(t)`` decide the same way, so the walk is sklearn's exactly); +inf at a
  leaf, so that a finite x never leaves it;
- ``leaf_row`` (N,) int32: a leaf's row in ``leaf_value`` (-1 for inner nodes);
- ``leaf_value`` (L, k) float64: the class fractions of each leaf (sklearn's ``tree_.value`` row).

Features arrive planar, as a C-contiguous ``(F, P)`` float32 array (one row per feature, as the feature bank
computes them: no transpose). A pixel steps to ``child + (x > threshold)``: sklearn's "left when
x <= threshold". Class fractions are summed over the trees in tree order in float64 and divided by T at the
end, which is what sklearn's ``predict_proba`` does with ``n_jobs=1``; the label is the argmax of that float64
sum (first class on ties), before any rounding to float32.

Speed (measured on this project's 2-core VM, 262144 pixels x 49 features, 100 trees of depth <= 16, one
thread): the former per-pixel walk with four lanes took 0.70-0.80 s; this kernel 0.37-0.41 s for
probabilities and 0.22-0.26 s for labels alone.

- Pixels go in blocks (``block`` columns). Every tree walks the whole block before the next tree, so the
  tree's nodes stay in cache while the block's features stream through; all pixels of the block take one
  step of the tree before any takes the next (depth steps per tree, a leaf stepping onto itself): the steps
  of different pixels are independent, so the processor overlaps their loads instead of waiting for each
  load of one walk, and the left/right choice is an index, not a jump.
- Labels alone stop early: once T/2 trees are summed, a pixel whose leading class is ahead of every other
  by more than the trees left (each tree moves a difference by at most 1) keeps that class whatever the
  rest say, and leaves the block's active list (on the textures benchmark about 53 of 100 trees per pixel).
  The margin must exceed the trees left by 1e-9 (float64 sums of <= 1e4 fractions err by < 1e-11), so the
  label is the argmax of the full sum.
"""

import numpy as np

from ._config import SERIAL, njit


@njit(**SERIAL)
def _block(X, start, n, roots, depth, child, feature, threshold, leaf_row, leaf_value, early,
           acc, idx, pos, act, proba, labels):
    """Rows start..start+n-1 of the result: all trees over the block's pixels (``early``: labels only, with
    the early stop). ``acc`` (block, k), ``idx`` (block,) uint32, ``pos`` (block,) uint64 and ``act`` (block,)
    int64 are scratch."""
    k = leaf_value.shape[1]
    T = roots.shape[0]
    m = n
    for j in range(n):
        act[j] = j
        pos[j] = np.uint64(start + j)
        for c in range(k):
            acc[j, c] = 0.0
    for t in range(T):
        if m == 0:
            break
        root = roots[t]
        for j in range(m):
            idx[j] = root
        for _ in range(depth[t]):
            for j in range(m):
                a = idx[j]
                idx[j] = child[a] + np.uint32(X[feature[a], pos[j]] > threshold[a])
        for j in range(m):
            row = leaf_row[idx[j]]
            for c in range(k):
                acc[j, c] += leaf_value[row, c]
        left = T - 1 - t
        if early and 2 * left < T:
            kept = 0
            for j in range(m):
                best = 0
                for c in range(1, k):
                    if acc[j, c] > acc[j, best]:
                        best = c
                second = -1.0
                for c in range(k):
                    if c != best and acc[j, c] > second:
                        second = acc[j, c]
                if acc[j, best] - second > left + 1e-9:
                    labels[start + act[j]] = best
                else:
                    act[kept] = act[j]
                    pos[kept] = pos[j]
                    for c in range(k):
                        acc[kept, c] = acc[j, c]
                    kept += 1
            m = kept
    want_proba = proba.shape[0] > 0
    want_labels = labels.shape[0] > 0
    for j in range(m):
        # the argmax of the sums divided by T, as scikit-learn takes it: sums 1 ulp apart (of fractions added
        # in another order) can divide to one value, a tie that goes to the first class
        best = 0
        top = acc[j, 0] / T
        for c in range(k):
            q = acc[j, c] / T
            if q > top:
                best = c
                top = q
            if want_proba:
                proba[start + act[j], c] = q
        if want_labels:
            labels[start + act[j]] = best


@njit(**SERIAL)
def forest_predict(X, roots, depth, child, feature, threshold, leaf_row, leaf_value, block, proba, labels, b0, b1):
    """Class fractions averaged over the trees into ``proba`` (P, k) float32 and/or the argmax class index into
    ``labels`` (P,) int32, for the planar (F, P) float32 features ``X``; an output with 0 rows is not written.
    ``block`` pixels share one pass over each tree; this call does the blocks b0..b1 (pixels b0 * block to
    min(P, b1 * block); all: 0, ceil(P / block); bands of blocks on fastdip's worker threads:
    ``parallel._run_bands``)."""
    P = X.shape[1]
    k = leaf_value.shape[1]
    early = proba.shape[0] == 0
    acc = np.empty((block, k), np.float64)
    idx = np.empty(block, np.uint32)
    pos = np.empty(block, np.uint64)
    act = np.empty(block, np.int64)
    for start in range(b0 * block, min(P, b1 * block), block):
        n = min(block, P - start)
        _block(X, start, n, roots, depth, child, feature, threshold, leaf_row, leaf_value, early,
               acc, idx, pos, act, proba, labels)
