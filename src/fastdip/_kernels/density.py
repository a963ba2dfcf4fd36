"""Kernels for fastdip.learn's density-peaks clustering (Rodriguez & Laio 2014): local densities, distances to
the nearest denser point, assignment along nearest-denser links, and the border densities of the halo.

Layout. Points reach these kernels as a C-contiguous ``(n, D)`` float64 array ``x`` (distinct points; ``w``
holds their multiplicities, int64). The neighbour searches walk a k-d tree given as flat arrays, the layout of
scikit-learn's ``KDTree.get_arrays()``: ``idx`` (the points in tree order), and per node ``start``/``end``
(its slice of ``idx``), ``leaf`` (1 for a leaf) and ``lo``/``hi`` (``(n_nodes, D)`` bounding boxes of its
points); node ``k``'s children are ``2k + 1`` and ``2k + 2``. ``stack`` is scratch for the walk (one entry per
tree level is enough; 128 is plenty).

Exactness. Every distance is ``sqrt(d2)`` with ``d2`` summed over the coordinates in order, ``t = x[i, k] -
x[j, k]``, ``d2 += t * t``. A node's box distance is computed the same way with some terms smaller (or zero),
so, rounding being monotone, it never exceeds the distance of a point inside the node: pruning by it never
drops a point that the plain double loop of tests/_naive_learn.py would keep. Gaussian terms are rounded to
multiples of 2**-32 and summed as int64, so a density does not depend on the order of summation (one call,
blocks on threads and brute force agree to the bit, and equal densities stay exactly equal).
"""

import math

import numpy as np

from ._config import SERIAL, njit

#: Gaussian terms are summed in units of 2**-32 (int64: room for 2**31 unit terms).
FIXED = 4294967296.0


@njit(**SERIAL)
def pair_distances(x, out):
    """Condensed pairwise distances of the rows of ``x``: ``out[m]`` for i < j in row-major order (scipy's
    ``pdist`` layout), length n (n - 1) / 2."""
    n, dim = x.shape
    m = 0
    for i in range(n):
        for j in range(i + 1, n):
            d2 = 0.0
            for k in range(dim):
                t = x[i, k] - x[j, k]
                d2 += t * t
            out[m] = math.sqrt(d2)
            m += 1


@njit(**SERIAL)
def node_sums(w, idx, start, end, leaf, out):
    """``out[node]`` = the total multiplicity of the node's points, children before parents."""
    for node in range(start.shape[0] - 1, -1, -1):
        if leaf[node]:
            total = 0
            for p in range(start[node], end[node]):
                total += w[idx[p]]
            out[node] = total
        else:
            out[node] = out[2 * node + 1] + out[2 * node + 2]


@njit(**SERIAL)
def node_min_rank(rank, idx, start, end, leaf, out):
    """``out[node]`` = the smallest density rank among the node's points (its densest point)."""
    for node in range(start.shape[0] - 1, -1, -1):
        if leaf[node]:
            best = rank[idx[start[node]]]
            for p in range(start[node] + 1, end[node]):
                if rank[idx[p]] < best:
                    best = rank[idx[p]]
            out[node] = best
        else:
            out[node] = min(out[2 * node + 1], out[2 * node + 2])


@njit(**SERIAL)
def node_common_label(labels, idx, start, end, leaf, out):
    """``out[node]`` = the label all the node's points share, or -2 where they differ."""
    for node in range(start.shape[0] - 1, -1, -1):
        if leaf[node]:
            lab = labels[idx[start[node]]]
            for p in range(start[node] + 1, end[node]):
                if labels[idx[p]] != lab:
                    lab = -2
                    break
            out[node] = lab
        else:
            a = out[2 * node + 1]
            out[node] = a if a == out[2 * node + 2] else -2


@njit(**SERIAL)
def _box_min2(x, i, lo, hi, node):
    """Squared distance from point ``i`` to the box of ``node`` (0 inside), never above a member's d2."""
    s = 0.0
    for k in range(x.shape[1]):
        v = x[i, k]
        if v < lo[node, k]:
            t = v - lo[node, k]
            s += t * t
        elif v > hi[node, k]:
            t = v - hi[node, k]
            s += t * t
    return s


@njit(**SERIAL)
def _box_max2(x, i, lo, hi, node):
    """Squared distance from point ``i`` to the farthest corner of the box of ``node``, never below a
    member's d2."""
    s = 0.0
    for k in range(x.shape[1]):
        v = x[i, k]
        a = v - lo[node, k]
        b = v - hi[node, k]
        a = a * a
        b = b * b
        s += a if a > b else b
    return s


@njit(**SERIAL)
def _boxes_min2(lo, hi, a, b):
    """Squared distance between the boxes of nodes ``a`` and ``b`` (0 where they overlap), never above the d2 of
    a point of ``a`` and a point of ``b``."""
    s = 0.0
    for k in range(lo.shape[1]):
        if hi[a, k] < lo[b, k]:
            t = hi[a, k] - lo[b, k]
            s += t * t
        elif lo[a, k] > hi[b, k]:
            t = lo[a, k] - hi[b, k]
            s += t * t
    return s


@njit(**SERIAL)
def _boxes_max2(lo, hi, a, b):
    """Largest squared distance between the boxes of nodes ``a`` and ``b``, never below the d2 of a point of
    ``a`` and a point of ``b``."""
    s = 0.0
    for k in range(lo.shape[1]):
        u = hi[a, k] - lo[b, k]
        v = lo[a, k] - hi[b, k]
        u = u * u
        v = v * v
        s += u if u > v else v
    return s


@njit(**SERIAL)
def _leaf_density(x, w, query, idx, start, end, leaf, lo, hi, node_w, r2, stack, acc):
    """Add to ``acc[i]``, for every point i of the leaf ``query``, the sum of w_j over the points j with
    d_ij² < r2 (i and its copies included): the cutoff kernel. One walk per leaf: a node is dropped or counted
    whole for all of the leaf's points by box-to-box distances, then for each point by point-to-box distances,
    then point by point."""
    q0 = start[query]
    q1 = end[query]
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        if _boxes_min2(lo, hi, query, node) >= r2:
            continue
        if _boxes_max2(lo, hi, query, node) < r2:
            for qq in range(q0, q1):
                acc[idx[qq]] += node_w[node]
            continue
        if not leaf[node]:
            stack[top] = 2 * node + 2
            stack[top + 1] = 2 * node + 1
            top += 2
            continue
        for qq in range(q0, q1):
            i = idx[qq]
            if _box_min2(x, i, lo, hi, node) >= r2:
                continue
            if _box_max2(x, i, lo, hi, node) < r2:
                acc[i] += node_w[node]
                continue
            total = np.int64(0)
            for p in range(start[node], end[node]):
                j = idx[p]
                d2 = 0.0
                for k in range(x.shape[1]):
                    t = x[i, k] - x[j, k]
                    d2 += t * t
                if d2 < r2:
                    total += w[j]
            acc[i] += total


@njit(**SERIAL)
def _leaf_gaussian_pairs(x, w, query, idx, start, end, leaf, lo, hi, r2, dc2, stack, acc):
    """The Gaussian density terms of the pairs (i, j) with i in the leaf ``query`` and j in the same leaf or in
    a leaf after it in tree order (d_ij² < r2), each computed once and added to both points: acc[i] gets
    w_j·term, acc[j] gets w_i·term (the term, exp(-d²/dc2) in units of 2**-32, is the same both ways: d² sums
    the same squares). A point's own term (d = 0) is added once."""
    q0 = start[query]
    q1 = end[query]
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        if end[node] <= q0 or _boxes_min2(lo, hi, query, node) >= r2:
            continue
        if not leaf[node]:
            stack[top] = 2 * node + 2
            stack[top + 1] = 2 * node + 1
            top += 2
            continue
        if node == query:
            for qq in range(q0, q1):
                i = idx[qq]
                wi = w[i]
                acc[i] += wi * np.int64(4294967296)
                for p in range(qq + 1, q1):
                    j = idx[p]
                    d2 = 0.0
                    for k in range(x.shape[1]):
                        t = x[i, k] - x[j, k]
                        d2 += t * t
                    if d2 < r2:
                        term = np.int64(math.floor(math.exp(-(d2 / dc2)) * 4294967296.0 + 0.5))
                        acc[i] += w[j] * term
                        acc[j] += wi * term
            continue
        for qq in range(q0, q1):
            i = idx[qq]
            if _box_min2(x, i, lo, hi, node) >= r2:
                continue
            wi = w[i]
            total = np.int64(0)
            for p in range(start[node], end[node]):
                j = idx[p]
                d2 = 0.0
                for k in range(x.shape[1]):
                    t = x[i, k] - x[j, k]
                    d2 += t * t
                if d2 < r2:
                    term = np.int64(math.floor(math.exp(-(d2 / dc2)) * 4294967296.0 + 0.5))
                    total += w[j] * term
                    acc[j] += wi * term
            acc[i] += total


@njit(**SERIAL)
def local_density(x, w, idx, start, end, leaf, lo, hi, node_w, r2, dc2, cutoff, stacks, out, parts, b, blocks):
    """ρ in integer units (counts for ``cutoff``, 2**-32 for the Gaussian), the point's own copies but not
    itself counted, from the leaves b, b + blocks, ... of the tree (all: b, blocks = 0, 1; the blocks on
    fastdip's worker threads, ``parallel._run_blocks``, one row of ``stacks`` and of ``parts`` each). The
    wrapper sets ``out`` to minus the self term first. ``cutoff``: each point of the block's leaves is written
    into ``out``. Gaussian: each pair is visited once (its exp is the cost: half the exps of a walk per point)
    and its term added to both points in ``parts[b]`` (zeroed by the wrapper), which the wrapper adds to ``out``
    (integer sums: the same bits in any order). ``r2`` is the smallest double whose square root reaches the
    radius, so that ``d2 < r2`` is exactly ``sqrt(d2) < radius``."""
    stack = stacks[b]
    m = 0
    for node in range(start.shape[0]):
        if leaf[node]:
            if m % blocks == b:
                if cutoff:
                    _leaf_density(x, w, node, idx, start, end, leaf, lo, hi, node_w, r2, stack, out)
                else:
                    _leaf_gaussian_pairs(x, w, node, idx, start, end, leaf, lo, hi, r2, dc2, stack, parts[b])
            m += 1


@njit(**SERIAL)
def _nearest_denser_of(x, rank, i, idx, start, end, leaf, lo, hi, node_rank, stack):
    """(d2, j) of the nearest point j with rank[j] < rank[i]; equal d2 go to the smaller rank. Branch and
    bound: a node is skipped when it holds no denser point or its box is farther than the best so far; the
    nearer child is searched first."""
    r = rank[i]
    best2 = np.inf
    best_rank = np.int64(1) << 62
    best = -1
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        if node_rank[node] >= r or _box_min2(x, i, lo, hi, node) > best2:
            continue
        if leaf[node]:
            for p in range(start[node], end[node]):
                j = idx[p]
                rj = rank[j]
                if rj >= r:
                    continue
                d2 = 0.0
                for k in range(x.shape[1]):
                    t = x[i, k] - x[j, k]
                    d2 += t * t
                if d2 < best2 or (d2 == best2 and rj < best_rank):
                    best2 = d2
                    best_rank = rj
                    best = j
        else:
            a = 2 * node + 1
            b = a + 1
            if _box_min2(x, i, lo, hi, a) <= _box_min2(x, i, lo, hi, b):
                stack[top] = b
                stack[top + 1] = a
            else:
                stack[top] = a
                stack[top + 1] = b
            top += 2
    return best2, best


@njit(**SERIAL)
def nearest_denser(x, rank, idx, start, end, leaf, lo, hi, node_rank, stacks, delta2, parent, b, blocks):
    """For every point but the densest (rank 0): ``delta2[i]`` = squared distance to the nearest denser point,
    ``parent[i]`` = that point. The densest gets its largest squared distance to any point and parent -1.
    This call does block b of ``blocks`` contiguous blocks of the tree order (all: b, blocks = 0, 1; the blocks
    on fastdip's worker threads, ``parallel._run_blocks``, one row of ``stacks`` each)."""
    n = idx.shape[0]
    stack = stacks[b]
    step = (n + blocks - 1) // blocks
    for p in range(b * step, min(n, (b + 1) * step)):
        i = idx[p]
        if rank[i] == 0:
            far = 0.0
            for j in range(n):
                d2 = 0.0
                for k in range(x.shape[1]):
                    t = x[i, k] - x[j, k]
                    d2 += t * t
                if d2 > far:
                    far = d2
            delta2[i] = far
            parent[i] = -1
        else:
            d2, j = _nearest_denser_of(x, rank, i, idx, start, end, leaf, lo, hi, node_rank, stack)
            delta2[i] = d2
            parent[i] = j


@njit(**SERIAL)
def assign(order, parent, center_label, labels):
    """Labels along the nearest-denser links: in decreasing density (``order``), a centre takes its own label
    (``center_label[i] >= 0``), every other point its parent's, which is already set."""
    for m in range(order.shape[0]):
        i = order[m]
        c = center_label[i]
        labels[i] = c if c >= 0 else labels[parent[i]]


@njit(**SERIAL)
def border_density(x, labels, rho, idx, start, end, leaf, lo, hi, node_label, dc, stack, out):
    """``out[c]`` = the largest ρ among the points of cluster c that lie closer than ``dc`` to a point of
    another cluster (left unchanged where cluster c has no such point). Nodes whose points all share the
    querying point's cluster are skipped."""
    for p in range(idx.shape[0]):
        i = idx[p]
        c = labels[i]
        if rho[i] <= out[c]:
            continue  # cannot raise the maximum
        found = False
        stack[0] = 0
        top = 1
        while top > 0 and not found:
            top -= 1
            node = stack[top]
            if node_label[node] == c or math.sqrt(_box_min2(x, i, lo, hi, node)) >= dc:
                continue
            if leaf[node]:
                for q in range(start[node], end[node]):
                    j = idx[q]
                    if labels[j] == c:
                        continue
                    d2 = 0.0
                    for k in range(x.shape[1]):
                        t = x[i, k] - x[j, k]
                        d2 += t * t
                    if math.sqrt(d2) < dc:
                        found = True
                        break
            else:
                stack[top] = 2 * node + 2
                stack[top + 1] = 2 * node + 1
                top += 2
        if found:
            out[c] = rho[i]
