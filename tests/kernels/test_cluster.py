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
        g = np.empty((3, 0, 0), np.float32)
        if img.dtype == np.uint8:
            g = np.zeros((3, 14, 17 + 16), np.float32)
            g[:, :13, :17] = img
        parallel._run_blocks(k.mean_shift_filter, (img, g, 2.5, 40.0, 50, 1e-3, zero, value, pos), blocks, threads)
        outs.append((value, pos))
    assert np.isfinite(outs[0][0]).all() and np.isfinite(outs[0][1]).all()  # every pixel written
    for value, pos in outs[1:]:
        np.testing.assert_array_equal(value, outs[0][0])
        np.testing.assert_array_equal(pos, outs[0][1])


def _float32_distance(v, y):
    """The float32 squared range distances of uint8 triples ``v`` (n, 3) from ``y`` (3,), evaluated as the
    16-lane window does without fused multiply-adds (differences, products and sums each rounded to float32)."""
    t = (v.astype(np.float32) - y.astype(np.float32)).astype(np.float32)
    sq = (t * t).astype(np.float32)
    return ((sq[:, 0] + sq[:, 1]).astype(np.float32) + sq[:, 2]).astype(np.float32)


def _float64_distance(v, y):
    t = v.astype(np.float64) - y
    return (t[:, 0] * t[:, 0] + t[:, 1] * t[:, 1]) + t[:, 2] * t[:, 2]


@pytest.mark.parametrize("hr", [0.7, 5.0, 16.0, 16.3, 40.0, 150.0, 400.0])
def test_range_thresholds_never_decide_against_float64(rng, hr):
    # the float32 test is trusted below lo and above hi; in between the window is summed in float64 again.
    # Triples in a box around y reach the boundary from both sides; y fractional (later steps) or whole
    # (the first step: lo == hi, an exact test)
    hr2 = hr * hr
    undecided = 0
    for trial in range(60):
        y = rng.uniform(0, 255, 3)
        if trial % 4 == 0:
            y = np.floor(y)
        lo, hi = k.range_thresholds(y[0], y[1], y[2], hr2)
        assert lo <= hi and (lo == hi) == bool((y == np.floor(y)).all())
        half = int(hr) + 2
        v = np.clip(np.round(y + rng.integers(-half, half + 1, (20000, 3))), 0, 255).astype(np.uint8)
        d32 = _float32_distance(v, y)
        inside = _float64_distance(v, y) <= hr2
        assert inside[d32 <= lo].all()
        assert not inside[d32 > hi].any()
        undecided += int(((d32 > lo) & (d32 <= hi)).sum())
    assert undecided < 60 * 20000 // 1000  # the margins are thin


@pytest.mark.parametrize("hr2", [195075.0, 1e60, 1e300, np.inf])
def test_range_thresholds_past_every_byte_distance(hr2):
    # every squared distance of bytes is at most 3·255² = 195075: all inside, for whole and fractional centres
    # (huge radii once gave an int64 floor that wrapped, and hr2 = inf a NaN margin)
    for y in ((10.0, 3.0, 2.0), (10.5, 3.25, 254.9)):
        assert k.range_thresholds(*y, hr2) == (np.inf, np.inf)


@pytest.mark.parametrize("hs, hr", [(8.0, 16.0), (8.0, 16.3), (8.5, 30.0), (12.3, 9.5), (20.0, 25.0), (24.0, 60.0),
                                    (1.0, 400.0), (2.5, 441.0), (2.5, 1e30), (2.5, 1e200)])
def test_mean_shift_u8_window_sums_equal_the_float64_kernel(rng, hs, hr):
    # a colour uint8 image through the 16-lane float32 windows (chunks of 16 columns, a spilled 17th or 49th
    # column, two rows at a time, the last row alone) against the float64 windows of the same image as
    # float64: the same modes and positions bit for bit, borders included
    smooth = np.cumsum(np.cumsum(rng.integers(-3, 4, (3, 37, 51)), axis=1), axis=2)
    for img in (rng.integers(0, 256, (3, 37, 51)), np.clip(smooth - smooth.min(), 0, 255)):
        f8 = img.astype(np.uint8)
        g = np.zeros((3, 38, 51 + 16), np.float32)
        g[:, :37, :51] = f8
        fast = (np.full((37, 51, 3), np.nan), np.full((37, 51, 2), np.nan))
        k.mean_shift_filter(f8, g, hs, hr, 100, 1e-3, np.int64(0), fast[0], fast[1], 0, 1)
        ref = (np.full((37, 51, 3), np.nan), np.full((37, 51, 2), np.nan))
        k.mean_shift_filter(f8.astype(np.float64), np.empty((3, 0, 0), np.float32), hs, hr, 100, 1e-3, 0.0,
                            ref[0], ref[1], 0, 1)
        np.testing.assert_array_equal(fast[0], ref[0])
        np.testing.assert_array_equal(fast[1], ref[1])


def test_mean_shift_u8_window_undecided_falls_back_to_float64(rng):
    # y0 = 100.25 (not whole: the margins open) and a pixel at exactly the range radius, d2 = 15.75² = 248.0625:
    # the float32 test cannot decide it, the window says so, and the filter's sums (float64 again) still
    # equal the float64 kernel's
    f8 = np.full((3, 5, 6), 100, np.uint8)
    f8[0, 2, 4] = 116
    g = np.zeros((3, 6, 6 + 16), np.float32)
    g[:, :5, :6] = f8
    *sums, unsure = k._window_c3_u8(g, 2.0, 2.0, 100.25, 100.0, 100.0, 9.0, 248.0625, 0, 4, 0, 5)
    assert unsure
    exact = k._window_c3(f8, 2.0, 2.0, 100.25, 100.0, 100.0, 9.0, 248.0625, 0, 4, 0, 5, np.int64(0))
    assert exact[0] == 26  # the disc of radius 3 around (2, 2) inside the 5 x 6 image, 116 included
    *sums, unsure = k._window_c3_u8(g, 2.0, 2.0, 100.25, 100.0, 100.0, 9.0, 248.0, 0, 4, 0, 5)
    assert not unsure and tuple(sums) == k._window_c3(f8, 2.0, 2.0, 100.25, 100.0, 100.0, 9.0, 248.0, 0, 4, 0, 5,
                                                       np.int64(0))
    img = rng.choice(np.array([100, 101, 116, 117], np.uint8), (3, 23, 29))
    g = np.zeros((3, 24, 29 + 16), np.float32)
    g[:, :23, :29] = img
    fast = (np.empty((23, 29, 3)), np.empty((23, 29, 2)))
    ref = (np.empty((23, 29, 3)), np.empty((23, 29, 2)))
    k.mean_shift_filter(img, g, 3.0, 15.75, 100, 1e-3, np.int64(0), fast[0], fast[1], 0, 1)
    k.mean_shift_filter(img.astype(np.float64), np.empty((3, 0, 0), np.float32), 3.0, 15.75, 100, 1e-3, 0.0,
                        ref[0], ref[1], 0, 1)
    np.testing.assert_array_equal(fast[0], ref[0])
    np.testing.assert_array_equal(fast[1], ref[1])
