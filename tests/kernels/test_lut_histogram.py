"""The LUT and counting kernels against naive twins and their own ``py_func`` on tiny inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip._kernels import histogram as kh
from fastdip._kernels import lut as kl
from fastdip._kernels._config import readonly  # the wrappers' input type: one signature
from tests import _naive


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 17])
def test_apply_lut_kernel_and_py_func_every_tail_length(rng, n):
    image = readonly(rng.integers(0, 256, n, dtype=np.uint8))
    lut = readonly(rng.integers(0, 256, 256, dtype=np.uint8))
    for kernel in (kl.apply_lut, kl.apply_lut.py_func):
        out = np.empty_like(image)
        kernel(image, lut, out)
        np.testing.assert_array_equal(out, lut[image])


def test_apply_lut_float_table(rng):
    image = rng.integers(0, 65536, 101, dtype=np.uint16)
    lut = rng.random(65536)
    out = np.empty(101)
    kl.apply_lut(image, lut, out)
    np.testing.assert_array_equal(out, lut[image])


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 65, 1000])
def test_count_bytes_serial_parallel_and_py_func(rng, n):
    flat = readonly(rng.integers(0, 256, n, dtype=np.uint8))
    expected = _naive.level_counts(flat, 256)
    n_words = n // 8
    words, tail = flat[: n_words * 8].view(np.uint64), flat[n_words * 8:]
    half = n_words // 2  # two slices counted apart and added: what the wrapper does on two threads
    for call in (lambda c: kh.count_bytes(words, tail, c), lambda c: kh.count_bytes.py_func(words, tail, c),
                 lambda c: (kh.count_bytes(words[:half], tail, c), kh.count_bytes(words[half:], tail[:0], c))):
        counts = np.zeros(256, np.int64)
        call(counts)
        np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize("n", [0, 1, 5, 100])
def test_count_levels_serial_parallel_and_py_func(rng, n):
    flat = readonly(rng.integers(0, 65536, n, dtype=np.uint16))
    expected = _naive.level_counts(flat, 65536)
    for call in (lambda c: kh.count_levels(flat, c), lambda c: kh.count_levels.py_func(flat, c),
                 lambda c: (kh.count_levels(flat[: n // 3], c), kh.count_levels(flat[n // 3:], c))):
        counts = np.zeros(65536, np.int64)
        call(counts)
        np.testing.assert_array_equal(counts, expected)


def test_count_bins_nan_inf_and_edges():
    values = np.array([np.nan, -np.inf, np.inf, 0.0, 0.5, 1.0, 2.0])
    edges = np.linspace(0.0, 1.0, 3)
    for kernel in (kh.count_bins, kh.count_bins.py_func):
        counts = np.zeros(2, np.int64)
        kernel(values, edges, counts)
        assert counts.tolist() == [1, 2]  # NaN, inf and 2.0 are outside; 1.0 lands in the closed last bin


@pytest.mark.parametrize("n_words", [0, 1, 2, 3, 10])
def test_apply_lut_quads_kernel_and_py_func(rng, n_words):
    image = rng.integers(0, 256, 4 * n_words, dtype=np.uint8)
    lut = rng.integers(0, 256, 256, dtype=np.uint8)
    wide = lut.astype(np.uint16)
    pairs = ((wide[:, None] << 8) | wide[None, :]).reshape(-1)
    for kernel in (kl.apply_lut_quads, kl.apply_lut_quads.py_func):
        out = np.empty_like(image)
        kernel(readonly(image).view(np.uint32), readonly(pairs), out.view(np.uint32))
        np.testing.assert_array_equal(out, lut[image])


_PERMUTE = pytest.mark.skipif(not kl.byte_permute(), reason="needs AVX-512 VBMI (vpermi2b) and numba on the host CPU")


@_PERMUTE
@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 127, 128, 129, 1000, 4099])
def test_apply_lut_u8_permute_every_tail_length(rng, n):
    # every level, in random order, and random tables (all 256 entries reachable: indices 0-127 and 128-255 come
    # from the two permutes, the top bit chooses): against numpy's take and the plain kernel
    image = readonly(np.concatenate([rng.permutation(256).astype(np.uint8),
                                     rng.integers(0, 256, n, dtype=np.uint8)])[:n])
    for lut in (rng.integers(0, 256, 256, dtype=np.uint8), np.arange(256, dtype=np.uint8)[::-1].copy(),
                np.full(256, 7, np.uint8)):
        out = np.full(n, 0xAB, np.uint8)
        kl.apply_lut_u8_permute(image, readonly(lut), out)
        np.testing.assert_array_equal(out, lut[image])
        plain = np.empty_like(out)
        kl.apply_lut(image, readonly(lut), plain)
        np.testing.assert_array_equal(out, plain)


@_PERMUTE
def test_apply_lut_u8_permute_slices_leave_the_rest(rng):
    # offsets that are not multiples of 64 (unaligned loads and stores) and nothing written past the slice
    image = rng.integers(0, 256, 1000, dtype=np.uint8)
    lut = rng.integers(0, 256, 256, dtype=np.uint8)
    for lo, hi in ((1, 999), (3, 130), (64, 128), (65, 66)):
        out = np.zeros(1000, np.uint8)
        kl.apply_lut_u8_permute(readonly(image[lo:hi]), readonly(lut), out[lo:hi])
        np.testing.assert_array_equal(out[lo:hi], lut[image[lo:hi]])
        assert not out[:lo].any() and not out[hi:].any()


@_PERMUTE
@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=700), st.binary(min_size=256, max_size=256), st.integers(0, 63))
def test_apply_lut_u8_permute_equals_take(data, table, start):
    image = np.frombuffer(data, np.uint8)[min(start, len(data)):]
    lut = np.frombuffer(table, np.uint8)
    out = np.empty_like(image)
    kl.apply_lut_u8_permute(readonly(image), readonly(lut), out)
    np.testing.assert_array_equal(out, np.take(lut, image))


@_PERMUTE
def test_apply_lut_u8_permute_refuses_a_short_table():
    image = np.zeros(100, np.uint8)
    with pytest.raises(ValueError, match="256-entry"):
        kl.apply_lut_u8_permute(image, np.zeros(128, np.uint8), np.empty(100, np.uint8))


def test_byte_permute_off_for_a_portable_target(monkeypatch):
    import numba

    kl.byte_permute.cache_clear()
    try:
        monkeypatch.setattr(numba.config, "CPU_NAME", "generic")
        assert not kl.byte_permute()
        kl.byte_permute.cache_clear()
        monkeypatch.setattr(numba.config, "CPU_NAME", None)
        monkeypatch.setattr(numba.config, "CPU_FEATURES", "+avx512f,+avx512bw,-avx512vbmi")
        assert not kl.byte_permute()
    finally:
        kl.byte_permute.cache_clear()
