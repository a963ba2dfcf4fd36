"""Kernels of fastdip._kernels.adaptive against the slow reference, numpy, their own py_func, the 0-1 principle
for the comparator networks, and an inf case for the float kernels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import parallel
from fastdip._kernels import adaptive as K
from fastdip.filters._adaptive import _network, _networks, _window
from tests import _naive_adaptive as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")


def _impulsive(rng, shape, dtype, density=0.4, levels=4):
    grey = rng.integers(1, levels + 1, shape) / (levels + 1)
    if np.dtype(dtype).kind == "u":
        grey = np.rint(grey * np.iinfo(dtype).max)
    return naive.salt_and_pepper(grey.astype(dtype), density, rng)


def _args(image, max_size, mode="reflect"):
    """The kernel arguments the wrapper builds: padded image, r, offsets, bounds, networks, net_bounds, out."""
    r = max_size // 2
    padded = naive.pad(image, r, mode, 7)
    offsets, bounds = _window(padded.shape, r)
    networks, net_bounds = _networks(image.ndim, r)
    return padded, r, offsets, bounds, networks, net_bounds, np.zeros_like(image)


# -- selection ----------------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=60), data=st.data())
def test_select_kth_matches_sort(values, data):
    # few distinct values: many ties, the hard case for Hoare partitions
    buf = np.array(values, np.float32)
    k = data.draw(st.integers(0, buf.size - 1))
    expected = np.sort(buf)[k]
    assert K.select_kth(buf.copy(), buf.size, k) == expected
    assert K.select_kth.py_func(buf.copy(), buf.size, k) == expected


@pytest.mark.parametrize("n", [9, 25, 27, 49, 81, 121])
def test_networks_bring_min_median_max_to_their_wires(n):
    rng = np.random.default_rng(n)
    pairs = _network(n)
    assert (pairs[:, 0] < pairs[:, 1]).all() and pairs.max() < n
    for dtype in (np.uint8, np.float64):
        table = rng.integers(0, 5 if n < 50 else 50, (n, 256)).astype(dtype)  # ties on purpose
        expected = np.sort(table, axis=0)
        K.sort_columns(table, pairs, 200)  # runs to 256 columns (a multiple of 64)
        np.testing.assert_array_equal(table[[0, n // 2, n - 1]], expected[[0, n // 2, n - 1]])


def test_sort_columns_runs_to_a_multiple_of_64_and_py_func_agrees():
    rng = np.random.default_rng(1)
    pairs = _network(9)
    table = rng.integers(0, 255, (9, 128)).astype(np.uint8)
    twin = table.copy()
    K.sort_columns(table, pairs, 70)  # rounds up to 128 columns: all of them are sorted
    K.sort_columns.py_func(twin, pairs, 128)
    np.testing.assert_array_equal(table, twin)
    np.testing.assert_array_equal(table[[0, 4, 8]], np.sort(twin, axis=0)[[0, 4, 8]])


def _zero_one_check(pairs, n, chunk_bits=24):
    """The 0-1 principle: a comparator network leaves the k-th smallest on wire k for every input iff it does for
    every input of 0s and 1s. All 2**n such inputs, 64 to a word: input t has bit w on wire w."""
    k = n // 2
    total = 1 << n
    chunk = min(total, 1 << chunk_bits)
    low = [np.uint64(sum(1 << b for b in range(64) if (b >> w) & 1)) for w in range(6)]
    for start in range(0, total, chunk):
        words = chunk // 64
        index = (np.arange(words, dtype=np.uint64) * np.uint64(64) + np.uint64(start)) >> np.uint64(6)
        wires = []
        for w in range(n):
            if w < 6:
                wires.append(np.full(words, low[w], np.uint64))
            else:
                ones = ((index >> np.uint64(w - 6)) & np.uint64(1)).astype(bool)
                wires.append(np.where(ones, np.uint64(2**64 - 1), np.uint64(0)))
        for i, j in pairs:
            a, b = wires[i], wires[j]
            wires[i], wires[j] = a & b, a | b
        t = np.arange(start, start + chunk, dtype=np.uint64)
        count = np.bitwise_count(t)
        bits = {w: np.unpackbits(wires[w].view(np.uint8), bitorder="little").astype(bool) for w in (0, k, n - 1)}
        np.testing.assert_array_equal(bits[0], count == n)  # min is 1 iff all are 1
        np.testing.assert_array_equal(bits[k], count >= n - k)  # k-th smallest is 1 iff at most k zeros
        np.testing.assert_array_equal(bits[n - 1], count >= 1)  # max is 1 iff any is 1


@pytest.mark.parametrize("n", [9, 25, 27])
def test_networks_are_right_for_every_input(n):
    # 2**27 inputs in 8 chunks: about a second
    _zero_one_check(_network(n), n)


# -- the pixel-by-pixel growth -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), max_size=st.sampled_from((3, 5, 7, 9)), density=st.sampled_from((0.3, 0.7)))
def test_adaptive_pixel_matches_the_stages(seed, max_size, density):
    rng = np.random.default_rng(seed)
    window = _impulsive(rng, (max_size, max_size), np.uint8, density=density, levels=2)
    padded, r, offsets, bounds, *_ = _args(window, max_size)
    flat = padded.reshape(-1)
    q = (2 * r) * padded.shape[1] + 2 * r  # the padded pixel whose S_max window is ``window``
    buf = np.empty(offsets.size, np.uint8)
    expected = naive.stages(window, max_size)
    assert K.adaptive_pixel(flat, q, offsets, bounds, buf, 0) == expected
    assert K.adaptive_pixel.py_func(flat, q, offsets, bounds, buf, 0) == expected


def test_adaptive_pixel_first_level_skips_known_failures():
    # a 3x3 of 0s and 255s fails stage A anyway: starting at level 1 gives the same answer
    rng = np.random.default_rng(2)
    window = _impulsive(rng, (7, 7), np.uint8, density=0.3)
    window[2:5, 2:5] = np.array([[0, 255, 0], [255, 0, 255], [0, 255, 0]])
    padded, r, offsets, bounds, *_ = _args(window, 7)
    q = (2 * r) * padded.shape[1] + 2 * r
    buf = np.empty(offsets.size, np.uint8)
    expected = naive.stages(window, 7)
    for first in (0, 1):
        assert K.adaptive_pixel(padded.reshape(-1), q, offsets, bounds, buf, first) == expected


# -- row and line stages -------------------------------------------------------------------------------------------


def test_stage_3x3_row_matches_sorted_windows():
    rng = np.random.default_rng(3)
    image = _impulsive(rng, (6, 37), np.float32, density=0.5, levels=3)
    padded, r, *_ = _args(image, 5)
    width = image.shape[1]
    windows = np.lib.stride_tricks.sliding_window_view(naive.pad(image, 1, "reflect"), (3, 3)).reshape(6, width, 9)
    values = np.sort(windows, axis=-1)
    z_min, z_med, z_max = values[..., 0], values[..., 4], values[..., 8]
    passed = (z_min < z_med) & (z_med < z_max)
    for kernel in (K.stage_3x3_row, K.stage_3x3_row.py_func):
        for i in range(6):
            orow = np.empty(width, np.float32)
            work = np.empty((3, width + 2), np.float32)
            bad = np.empty(width, np.uint8)
            n_bad, n_const = kernel(padded, r, i, orow, work[0], work[1], work[2], bad)
            keep = passed[i] & (z_min[i] < image[i]) & (image[i] < z_max[i])
            np.testing.assert_array_equal(orow, np.where(keep, image[i], z_med[i]))
            np.testing.assert_array_equal(bad, ~passed[i])
            assert n_bad == np.count_nonzero(~passed[i])
            assert n_const == np.count_nonzero(~passed[i] & (z_min[i] == z_max[i]))


@pytest.mark.parametrize("r", [1, 2, 4])
def test_window_extremes_matches_numpy(r):
    rng = np.random.default_rng(r)
    block = rng.integers(0, 9, (2 * r + 1, 2 * r + 1, 30)).astype(np.uint16)
    width = 30 - 2 * r
    mn = np.empty(width, np.uint16)
    mx = np.empty(width, np.uint16)
    for kernel in (K.window_extremes, K.window_extremes.py_func):
        kernel(block, r, mn, mx, np.empty(30, np.uint16), np.empty(30, np.uint16))
        windows = np.lib.stride_tricks.sliding_window_view(block, 2 * r + 1, axis=2)
        np.testing.assert_array_equal(mn, windows.min(axis=(0, 1, 3)))
        np.testing.assert_array_equal(mx, windows.max(axis=(0, 1, 3)))


# -- whole kernels -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("max_size", [3, 5, 7, 11])
def test_2d_kernels_match_the_reference(dtype, max_size):
    # 3 grey levels in flat patches + 35 % impulses: every list (5x5, 7x7, 9x9) passes 1024 and cascades
    rng = np.random.default_rng(max_size)
    grey = np.kron(rng.integers(1, 4, (8, 9)), np.ones((12, 13), np.int64)) / 4
    if dtype == np.uint8:
        grey = np.rint(grey * 255)
    image = naive.salt_and_pepper(grey.astype(dtype), 0.35, rng)
    for mode in ("reflect", "constant"):
        expected = naive.adaptive_median_sorted(image, max_size, mode, 7)
        padded, r, offsets, bounds, networks, net_bounds, out = _args(image, max_size, mode)
        K.adaptive_2d(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
        np.testing.assert_array_equal(out, expected)
        for n_blocks in (1, 2, 3):
            out[:] = 0
            # blocks of interleaved rows on fastdip's worker threads (the wrapper's parallel call)
            parallel._run_blocks(K.adaptive_2d, (padded, r, offsets, bounds, networks, net_bounds, out), n_blocks, 3)
            np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("max_size", [3, 5, 7])
def test_3d_kernels_match_the_reference(dtype, max_size):
    rng = np.random.default_rng(max_size)
    grey = np.kron(rng.integers(1, 4, (3, 3, 4)), np.ones((5, 6, 7), np.int64)) / 4
    if dtype == np.uint8:
        grey = np.rint(grey * 255)
    image = naive.salt_and_pepper(grey.astype(dtype), 0.35, rng)
    for mode in ("wrap", "mirror"):
        expected = naive.adaptive_median_sorted(image, max_size, mode)
        padded, r, offsets, bounds, networks, net_bounds, out = _args(image, max_size, mode)
        K.adaptive_3d(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
        np.testing.assert_array_equal(out, expected)
        for n_blocks in (2, 5):
            out[:] = 0
            parallel._run_blocks(K.adaptive_3d, (padded, r, offsets, bounds, networks, net_bounds, out), n_blocks, 3)
            np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("mode", MODES)
def test_py_func_of_the_kernels_on_tiny_images(mode):
    rng = np.random.default_rng(4)
    image = _impulsive(rng, (6, 7), np.float64, density=0.5, levels=2)
    expected = naive.adaptive_median(image, 7, mode, 7)
    padded, r, offsets, bounds, networks, net_bounds, out = _args(image, 7, mode)
    K.adaptive_2d.py_func(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
    np.testing.assert_array_equal(out, expected)
    volume = _impulsive(rng, (3, 4, 5), np.float64, density=0.5, levels=2)
    expected = naive.adaptive_median(volume, 5, mode, 7)
    padded, r, offsets, bounds, networks, net_bounds, out = _args(volume, 5, mode)
    K.adaptive_3d.py_func(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
    np.testing.assert_array_equal(out, expected)


def test_float_kernels_take_infinities_as_impulses():
    rng = np.random.default_rng(5)
    image = _impulsive(rng, (40, 41), np.float64, density=0.0)
    salt = rng.random(image.shape)
    image[salt < 0.15] = -np.inf
    image[salt > 0.85] = np.inf
    expected = naive.adaptive_median_sorted(image, 7)
    padded, r, offsets, bounds, networks, net_bounds, out = _args(image, 7)
    K.adaptive_2d(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
    np.testing.assert_array_equal(out, expected)
    volume = image[:36].reshape(4, 9, 41)
    expected = naive.adaptive_median_sorted(volume, 5)
    padded, r, offsets, bounds, networks, net_bounds, out = _args(volume, 5)
    K.adaptive_3d(padded, r, offsets, bounds, networks, net_bounds, out, 0, 1)
    np.testing.assert_array_equal(out, expected)
