"""Kernels of fastdip.segmentation's clustering run in blocks on fastdip's worker threads: the blocks agree with
one call over everything, and k-means' block sums with a plain numpy Lloyd step."""

from __future__ import annotations

import numpy as np
import pytest

from fastdip import parallel
from fastdip._kernels import cluster as k


@pytest.mark.parametrize("blocks", [1, 2, 5])
def test_kmeans_step_blocks_equal_a_numpy_lloyd_step(rng, blocks):
    x = rng.random((1003, 3)) * 100
    centers = x[[3, 500, 900, 17]].copy()
    centers[3] = centers[0]  # a duplicate centre: ties go to the smaller index, cluster 3 stays empty
    labels = np.full(x.shape[0], -1, np.int32)
    sums = np.full((blocks, 4, 3), np.nan)
    counts = np.full((blocks, 4), -1, np.int64)
    inertia = np.full(blocks, np.nan)
    parallel._run_blocks(k.kmeans_step, (x, centers, labels, sums, counts, inertia), blocks, min(blocks, 3))
    d2 = ((x[:, None, :] - centers[None]) ** 2).sum(axis=2)
    expect = d2.argmin(axis=1)  # (first minimum: the smaller index on ties)
    np.testing.assert_array_equal(labels, expect)
    np.testing.assert_array_equal(counts.sum(axis=0), np.bincount(expect, minlength=4))
    ref = np.stack([x[expect == j].sum(axis=0) if (expect == j).any() else np.zeros(3) for j in range(4)])
    np.testing.assert_allclose(sums.sum(axis=0), ref, rtol=1e-12)
    np.testing.assert_allclose(inertia.sum(), d2.min(axis=1).sum(), rtol=1e-12)
    assert counts[:, 3].sum() == 0


@pytest.mark.parametrize("zero", [np.int64(0), 0.0])
def test_mean_shift_blocks_on_threads_equal_one_call(rng, zero):
    img = rng.integers(0, 200, (3, 13, 17)).astype(np.uint8 if isinstance(zero, np.int64) else np.float64)
    outs = []
    for blocks, threads in ((1, 1), (5, 3), (13, 2)):
        value = np.full((13, 17, 3), np.nan)
        pos = np.full((13, 17, 2), np.nan)
        parallel._run_blocks(k.mean_shift_filter, (img, 2.5, 40.0, 50, 1e-3, zero, value, pos), blocks, threads)
        outs.append((value, pos))
    assert np.isfinite(outs[0][0]).all() and np.isfinite(outs[0][1]).all()  # every pixel written
    for value, pos in outs[1:]:
        np.testing.assert_array_equal(value, outs[0][0])
        np.testing.assert_array_equal(pos, outs[0][1])
