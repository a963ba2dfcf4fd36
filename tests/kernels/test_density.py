"""The density-peaks kernels (fastdip/_kernels/density.py) against plain twins on tiny inputs, compiled and as
``py_func``: pairwise distances, per-node aggregates, local densities (serial and threaded), nearest denser
points, assignment and border densities; the box distances never exceed a member's distance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastdip import parallel
from fastdip._kernels import density as kd
from fastdip.learn import _density

from tests import _naive_learn as naive


def _kernel(name, compiled):
    k = getattr(kd, name)
    return k if compiled else k.py_func


def _tree(x):
    return _density._Tree(np.ascontiguousarray(x, dtype=np.float64))


def _random_points(seed, n=60, d=2, grid=False):
    rng = np.random.default_rng(seed)
    if grid:
        return np.unique(rng.integers(0, 5, (n, d)).astype(np.float64), axis=0)
    return rng.normal(size=(n, d))


@pytest.mark.parametrize("compiled", [True, False])
def test_pair_distances_in_condensed_order(compiled):
    x = _random_points(0, 9, 3)
    out = np.empty(36)
    _kernel("pair_distances", compiled)(x, out)
    d = np.sqrt(naive.squared_distances(x))
    np.testing.assert_array_equal(out, d[np.triu_indices(9, 1)])


def test_pair_distances_of_infinite_coordinates_are_infinite():
    out = np.empty(3)
    kd.pair_distances(np.array([[0.0], [np.inf], [1.0]]), out)
    assert out.tolist() == [np.inf, 1.0, np.inf]


@pytest.mark.parametrize("compiled", [True, False])
def test_node_aggregates_equal_slices_of_the_index_array(compiled):
    x = _random_points(1, 200, 2)
    t = _tree(x)
    rng = np.random.default_rng(1)
    w = rng.integers(1, 5, 200)
    rank = rng.permutation(200).astype(np.int64)
    labels = (x[:, 0] > 0).astype(np.int32)
    sums = np.empty(t.start.size, np.int64)
    ranks = np.empty(t.start.size, np.int64)
    common = np.empty(t.start.size, np.int32)
    _kernel("node_sums", compiled)(w, t.idx, t.start, t.end, t.leaf, sums)
    _kernel("node_min_rank", compiled)(rank, t.idx, t.start, t.end, t.leaf, ranks)
    _kernel("node_common_label", compiled)(labels, t.idx, t.start, t.end, t.leaf, common)
    for node in range(t.start.size):
        members = t.idx[t.start[node]: t.end[node]]
        assert sums[node] == w[members].sum() and ranks[node] == rank[members].min()
        assert common[node] == (labels[members[0]] if len(set(labels[members])) == 1 else -2)


def _naive_acc(x, w, radius, dc, cutoff):
    """Per point: Σ over j (itself included) with d < radius of w_j, or of w_j·round(exp(-d2/dc²)·2**32)."""
    d2 = naive.squared_distances(x)
    d = np.sqrt(d2)
    out = []
    for i in range(len(x)):
        total = 0
        for j in range(len(x)):
            if d[i, j] < radius:
                total += int(w[j]) * (1 if cutoff else math.floor(math.exp(-(d2[i, j] / (dc * dc))) * 2.0**32 + 0.5))
        out.append(total - (1 if cutoff else 2**32))
    return np.array(out)


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("cutoff", [True, False])
@pytest.mark.parametrize("grid", [True, False])
def test_local_density_equals_the_double_loop(compiled, cutoff, grid):
    x = _random_points(2, 120, 2, grid=grid)
    t = _tree(x)
    w = np.random.default_rng(2).integers(1, 4, len(x))
    node_w = np.empty(t.start.size, np.int64)
    kd.node_sums(w, t.idx, t.start, t.end, t.leaf, node_w)
    for radius, dc in ((0.8, 0.8), (2.0, 1.0), (1.0, 0.5)):
        results = []
        for blocks, threads in ((1, 1), (3, 3), (5, 2)):  # (one call; blocks of leaves on threads)
            out = np.full(len(x), -1 if cutoff else -(1 << 32), np.int64)  # the wrapper's start
            parts = np.zeros((blocks, 0 if cutoff else len(x)), np.int64)
            args = (t.x, w, *t.walk, node_w, _density._below(radius), dc * dc, cutoff,
                    np.empty((blocks, 128), np.int64), out, parts)
            if blocks == 1:
                _kernel("local_density", compiled)(*args, 0, 1)
            else:
                parallel._run_blocks(kd.local_density, args, blocks, threads)
            results.append(out + parts.sum(axis=0) if not cutoff else out)
        np.testing.assert_array_equal(results[0], _naive_acc(t.x, w, radius, dc, cutoff))
        for threaded in results[1:]:
            np.testing.assert_array_equal(threaded, results[0])


def test_below_makes_squared_comparison_exact():
    for r in (0.1, 1.0, 2.449489742783178, 3.0 * 0.29, 1e-300, 7.5e150):
        t = _density._below(r)
        assert math.sqrt(t) >= r and math.sqrt(np.nextafter(t, 0.0)) < r


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("grid", [True, False])
def test_nearest_denser_equals_the_double_loop(compiled, grid):
    x = _random_points(3, 150, 3, grid=grid)
    n = len(x)
    t = _tree(x)
    rng = np.random.default_rng(3)
    rank = rng.permutation(n).astype(np.int64)
    node_rank = np.empty(t.start.size, np.int64)
    kd.node_min_rank(rank, t.idx, t.start, t.end, t.leaf, node_rank)
    delta2 = np.empty(n)
    parent = np.empty(n, np.int64)
    _kernel("nearest_denser", compiled)(t.x, rank, *t.walk, node_rank, np.empty((1, 128), np.int64), delta2, parent,
                                        0, 1)
    d2 = naive.squared_distances(t.x)
    for i in range(n):
        if rank[i] == 0:
            assert parent[i] == -1 and delta2[i] == d2[i].max()
        else:
            best = min((j for j in range(n) if rank[j] < rank[i]), key=lambda j: (d2[i, j], rank[j]))
            assert parent[i] == best and delta2[i] == d2[i, best]
    d2_threads = np.full(n, np.nan)
    parent_threads = np.full(n, -7, np.int64)
    parallel._run_blocks(kd.nearest_denser, (t.x, rank, *t.walk, node_rank, np.empty((3, 128), np.int64),
                                             d2_threads, parent_threads), 3, 2)
    np.testing.assert_array_equal(d2_threads, delta2)
    np.testing.assert_array_equal(parent_threads, parent)


@pytest.mark.parametrize("compiled", [True, False])
def test_assign_follows_links_in_density_order(compiled):
    # density order 2, 0, 3, 1, 4; centres 2 (label 0) and 3 (label 1); 0 -> 2, 1 -> 3, 4 -> 1
    order = np.array([2, 0, 3, 1, 4])
    parent = np.array([2, 3, -1, 0, 1])
    centre = np.array([-1, -1, 0, 1, -1], np.int32)
    labels = np.full(5, -9, np.int32)
    _kernel("assign", compiled)(order, parent, centre, labels)
    assert labels.tolist() == [0, 1, 0, 1, 1]


@pytest.mark.parametrize("compiled", [True, False])
def test_border_density_equals_the_double_loop(compiled):
    x = _random_points(4, 120, 2)
    t = _tree(x)
    labels = ((x[:, 0] > 0).astype(np.int32) + 2 * (x[:, 1] > 0.5)).astype(np.int32)
    rho = np.random.default_rng(4).integers(0, 50, len(x))
    common = np.empty(t.start.size, np.int32)
    kd.node_common_label(labels, t.idx, t.start, t.end, t.leaf, common)
    dc = 0.4
    out = np.full(4, -1, np.int64)
    _kernel("border_density", compiled)(t.x, labels, rho, *t.walk, common, dc, np.empty(128, np.int64), out)
    d = np.sqrt(naive.squared_distances(t.x))
    want = [-1] * 4
    for i in range(len(x)):
        if np.any((labels != labels[i]) & (d[i] < dc)):
            want[labels[i]] = max(want[labels[i]], int(rho[i]))
    assert out.tolist() == want


# cost: 60 examples of a box and up to 30 points, microseconds each
@settings(max_examples=60, deadline=None)
@given(pts=hnp.arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 4)),
                      elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
       q=st.floats(-1e6, 1e6))
def test_box_distances_bound_every_member(pts, q):
    lo = pts.min(axis=0)[None]
    hi = pts.max(axis=0)[None]
    query = np.full((1, pts.shape[1]), q)
    both = np.concatenate([query, pts])
    low = kd._box_min2(both, 0, lo, hi, 0)
    high = kd._box_max2(both, 0, lo, hi, 0)
    d2 = naive.squared_distances(both)[0, 1:]
    assert np.all(low <= d2) and np.all(d2 <= high)
    lo2 = np.concatenate([query, lo])
    hi2 = np.concatenate([query, hi])
    assert kd._boxes_min2(lo2, hi2, 0, 1) == low and kd._boxes_max2(lo2, hi2, 0, 1) == high
