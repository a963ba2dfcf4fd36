"""Kernels of fastdip._kernels.metrics against naive twins, their own py_func, and NaN/inf cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import parallel
from fastdip._kernels import metrics as K
from tests._naive_metrics import gaussian_window, ssim_windows

DTYPES = [np.uint8, np.uint16, np.float32, np.float64]
C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2


def _pair(rng, shape, dtype):
    if np.dtype(dtype).kind == "u":
        x = rng.integers(0, 256, shape).astype(dtype)
        y = np.clip(x + rng.integers(-40, 41, shape), 0, 255).astype(dtype)
    else:
        x = (rng.random(shape) * 255).astype(dtype)
        y = (x + rng.normal(0, 20, shape)).astype(dtype)
    return x, y


def _run(kernel, x, y, w, c1=C1, c2=C2, blocks=0):
    """Call a kernel the way fastdip.metrics does, over every output row (plane in 3-D), or in ``blocks``
    bands on three threads (its parallel call); returns (rowsum, map)."""
    k = len(w)
    valid = tuple(n - k + 1 for n in x.shape)
    rowsum = np.full(int(np.prod(valid[:-1])), np.nan)
    smap = np.full(valid, np.nan)
    args = (x, y, w, c1, c2, rowsum, smap.reshape(-1, valid[-1]))
    if blocks:
        parallel._run_bands(kernel, args, valid[0], blocks, 3)
    else:
        kernel(*args, 0, valid[0])
    return rowsum, smap


# -- (a) tiny cases worked by hand ------------------------------------------------------------------------------


def test_constant_images_give_the_luminance_term():
    # variances and covariance are 0: SSIM = (2 a b + C1) / (a^2 + b^2 + C1) at every pixel
    x = np.full((12, 13), 100, np.uint8)
    y = np.full((12, 13), 110, np.uint8)
    rowsum, smap = _run(K.ssim_2d, x, y, gaussian_window(1.5))
    expected = (2 * 100 * 110 + C1) / (100**2 + 110**2 + C1)
    np.testing.assert_allclose(smap, expected, rtol=1e-12)
    np.testing.assert_allclose(rowsum, 3 * expected, rtol=1e-12)


def test_one_tap_window_is_per_pixel_ssim():
    # k = 1 (weights [1.0]): means are the pixels, variances 0
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    y = np.array([[0.0, 2.0], [2.0, 1.0]])
    _, smap = _run(K.ssim_2d, x, y, np.array([1.0]), c1=1.0, c2=1.0)
    np.testing.assert_allclose(smap, (2 * x * y + 1) / (x * x + y * y + 1))


def test_image_exactly_the_window_size():
    rng = np.random.default_rng(0)
    x, y = _pair(rng, (11, 11), np.uint8)
    w = gaussian_window(1.5)
    rowsum, smap = _run(K.ssim_2d, x, y, w)
    assert smap.shape == (1, 1)
    np.testing.assert_allclose(smap, ssim_windows(x, y, w, C1, C2), rtol=1e-10)
    assert rowsum[0] == smap[0, 0]


# -- (b) against the naive window-by-window twin ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("blocks", [0, 4])
def test_ssim_2d_matches_windows(blocks, dtype):
    rng = np.random.default_rng(1)
    x, y = _pair(rng, (37, 23), dtype)  # 27 output rows: not a multiple of the parallel block
    w = gaussian_window(1.5)
    rowsum, smap = _run(K.ssim_2d, x, y, w, blocks=blocks)
    expected = ssim_windows(x, y, w, C1, C2)
    np.testing.assert_allclose(smap, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(rowsum, expected.sum(axis=1), rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("blocks", [0, 2])
def test_ssim_3d_matches_windows(blocks, dtype):
    rng = np.random.default_rng(2)
    x, y = _pair(rng, (9, 8, 10), dtype)
    w = gaussian_window(0.8)  # radius 3: k = 7
    rowsum, smap = _run(K.ssim_3d, x, y, w, blocks=blocks)
    expected = ssim_windows(x, y, w, C1, C2)
    np.testing.assert_allclose(smap, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(rowsum, expected.sum(axis=2).ravel(), rtol=1e-9)


@pytest.mark.parametrize(("kernel", "shape"), [(K.ssim_2d, (80, 31)), (K.ssim_3d, (17, 14, 12))])
def test_bands_on_threads_are_identical(kernel, shape):
    rng = np.random.default_rng(3)
    x, y = _pair(rng, shape, np.float32)
    w = gaussian_window(1.5)
    a = _run(kernel, x, y, w)
    b = _run(kernel, x, y, w, blocks=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_empty_map_is_not_written():
    rng = np.random.default_rng(4)
    x, y = _pair(rng, (15, 16), np.uint8)
    w = gaussian_window(1.5)
    rowsum = np.empty(5)
    K.ssim_2d(x, y, w, C1, C2, rowsum, np.empty((0, 0)), 0, 5)
    np.testing.assert_allclose(rowsum, _run(K.ssim_2d, x, y, w)[0], rtol=0)


def test_py_func_agrees_on_a_tiny_input():
    rng = np.random.default_rng(5)
    w = gaussian_window(0.5)  # radius 2
    x, y = _pair(rng, (7, 6), np.float64)
    np.testing.assert_allclose(_run(K.ssim_2d.py_func, x, y, w)[1], _run(K.ssim_2d, x, y, w)[1], rtol=1e-12)
    x, y = _pair(rng, (6, 5, 7), np.float64)
    np.testing.assert_allclose(_run(K.ssim_3d.py_func, x, y, w)[1], _run(K.ssim_3d, x, y, w)[1], rtol=1e-12)
    np.testing.assert_allclose(K.squared_error_sum.py_func(x, y), np.sum((x - y) ** 2), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_error_sum_matches_numpy(dtype):
    rng = np.random.default_rng(6)
    x, y = _pair(rng, (1001,), dtype)  # odd length: the vector loop's remainder
    total = K.squared_error_sum(x, y)
    expected = np.sum((x.astype(np.float64) - y.astype(np.float64)) ** 2)
    np.testing.assert_allclose(total, expected, rtol=1e-12)
    if np.dtype(dtype) == np.uint8:
        assert total == expected  # integer terms: exact in any order


# -- (c) properties ------------------------------------------------------------------------------------------------


# 40 examples (about 0.1 s with a warm cache; the naive twin is O(pixels * window)) vary size, window, dtype.
@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 9),
    cols=st.integers(1, 9),
    radius=st.integers(0, 3),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_ssim_2d_random_shapes(rows, cols, radius, dtype, seed):
    rng = np.random.default_rng(seed)
    k = 2 * radius + 1
    x, y = _pair(rng, (rows + k - 1, cols + k - 1), dtype)
    w = rng.random(k) + 0.1
    w /= w.sum()
    _, smap = _run(K.ssim_2d, x, y, w)
    np.testing.assert_allclose(smap, ssim_windows(x, y, w, C1, C2), rtol=1e-8, atol=1e-10)


# -- pathological inputs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_reaches_the_sums(bad):
    rng = np.random.default_rng(7)
    x, y = _pair(rng, (20, 20), np.float64)
    x[0, 0] = bad  # a corner pixel still lies in one valid window
    rowsum, _ = _run(K.ssim_2d, x, y, gaussian_window(1.5))
    assert np.isnan(rowsum[0])
    assert np.isfinite(rowsum[1:]).all()


@pytest.mark.parametrize(("bad", "expected"), [(np.nan, np.nan), (np.inf, np.inf)])
def test_squared_error_sum_keeps_nan_and_inf(bad, expected):
    # the kernel uses SAFE_FASTMATH: NaN and inf must still propagate
    x = np.zeros(37)
    y = np.ones(37)
    x[17] = bad
    np.testing.assert_equal(K.squared_error_sum(x, y), expected)


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_squared_error_sum_u8_is_exact(n):
    from fastdip._kernels import metrics as km

    rng = np.random.default_rng(n)
    x = rng.integers(0, 256, n, dtype=np.uint8)
    y = rng.integers(0, 256, n, dtype=np.uint8)
    expected = int(((x.astype(np.int64) - y.astype(np.int64)) ** 2).sum())
    for kernel in (km.squared_error_sum_u8, km.squared_error_sum_u8.py_func):
        assert int(kernel(x, y)) == expected
        assert int(kernel(x.reshape(-1, 1), y.reshape(-1, 1))) == expected  # any number of dimensions


def test_squared_error_sum_u8_blocks_at_their_largest_sums():
    # every term 255**2: each full block of 2**15 terms sums to 2130739200, just below 2**31, in int32
    from fastdip._kernels import metrics as km

    for n in (32767, 32768, 32769, 3 * 32768 + 5):
        x = np.full(n, 255, np.uint8)
        y = np.zeros(n, np.uint8)
        assert km.squared_error_sum_u8(x, y) == n * 255**2
        assert km.squared_error_sum_u8(y, x) == n * 255**2
