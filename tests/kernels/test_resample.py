"""Kernels of fastdip.geometry.resize: the integer [1, 3, 3, 1] / 8 halving kernels against the naive resize."""

from __future__ import annotations

import numpy as np
import pytest

from fastdip._kernels import resample
from fastdip._modes import CODES
from fastdip.geometry import _resize
from tests import _naive_geometry as naive

MODES = tuple(CODES)


def _tables(n, m, mode):
    idx, w = _resize._plan(n, m, "bilinear", True, mode, "float32")[:2]
    return idx, w


def _naive_halving(f, mode, cval):
    """float64 reference of each channel of the (rows, cols, C) image f, shrunk to half with the triangle."""
    m0, m1 = f.shape[0] // 2, f.shape[1] // 2
    return np.stack([naive.resize(f[..., c], (m0, m1), "bilinear", True, mode, cval) for c in range(f.shape[2])],
                    axis=-1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("channels", [2, 3, 4])
@pytest.mark.parametrize("is_int", [True, False])
def test_half_triangle_colour_matches_naive(rng, mode, channels, is_int):
    # uint8 values and an integer cval make every float step exact: the rounded (or exact) naive values
    f = rng.integers(0, 256, (14, 18, channels), dtype=np.uint8)
    m0, m1 = 7, 9
    idx0, w0 = _tables(14, m0, mode)
    idx1, w1 = _tables(18, m1, mode)
    width = 18 * channels
    out = np.empty((m0, m1 * channels), np.uint8 if is_int else np.float32)
    lo, hi = (0.0, 255.0) if is_int else (0.0, 0.0)
    scratch = [np.empty(width, np.float32), np.empty(width, np.float32)]
    sums = [np.empty(width, np.uint16), np.empty(width, np.uint16)]
    resample.half_triangle_u8_colour(f.reshape(14, width), channels, idx0, w0, idx1, w1, 7.0, is_int, lo, hi, out,
                                     *scratch, *sums, 0, m0)
    exact = _naive_halving(f, mode, 7.0).reshape(m0, m1 * channels)
    assert np.array_equal(out, np.rint(exact) if is_int else exact.astype(np.float32))
    par = np.empty_like(out)  # bands of rows on three threads, each with its own sums (the wrapper's call)
    _resize._bands(resample.half_triangle_u8_colour, (f.reshape(14, width), channels, idx0, w0, idx1, w1, 7.0,
                                                      is_int, lo, hi, par, *scratch), m0, 3, ((width, np.uint16),) * 2)
    assert np.array_equal(par, out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("is_int", [True, False])
def test_half_triangle_grey_matches_naive(rng, mode, is_int):
    f = rng.integers(0, 256, (16, 22), dtype=np.uint8)
    m0, m1 = 8, 11
    idx0, w0 = _tables(16, m0, mode)
    args = (f, f.view(np.uint16), idx0, w0) + _resize._plan(22, m1, "bilinear", True, mode, "float32")
    out = np.empty((m0, m1), np.uint8 if is_int else np.float32)
    lo, hi = (0.0, 255.0) if is_int else (0.0, 0.0)
    resample.half_triangle_u8(*args, 7.0, is_int, lo, hi, out, np.empty(22, np.float32), np.empty(m1, np.uint16),
                              np.empty(m1, np.uint16), 0, m0)
    exact = naive.resize(f, (m0, m1), "bilinear", True, mode, 7.0)
    assert np.array_equal(out, np.rint(exact) if is_int else exact.astype(np.float32))
    par = np.empty_like(out)  # (as above)
    _resize._bands(resample.half_triangle_u8, (*args, 7.0, is_int, lo, hi, par), m0, 3,
                   ((22, np.float32), (m1, np.uint16), (m1, np.uint16)))
    assert np.array_equal(par, out)


def test_half_triangle_colour_saturated_and_tied_sums():
    # all 255 (the largest sums, 64 x 255) and values whose sums end in exactly .5 after / 64 (half to even)
    f = np.full((8, 12, 3), 255, np.uint8)
    f[2:6, 2:10, 1] = 0
    f[2:6, 2:10, 1][::2, ::2] = 1  # sparse ones: sums of 1, 3, 9 -> ties and near-ties
    idx0, w0 = _tables(8, 4, "reflect")
    idx1, w1 = _tables(12, 6, "reflect")
    out = np.empty((4, 18), np.uint8)
    resample.half_triangle_u8_colour(f.reshape(8, 36), 3, idx0, w0, idx1, w1, 0.0, True, 0.0, 255.0, out,
                                     np.empty(36, np.float32), np.empty(36, np.float32), np.empty(36, np.uint16),
                                     np.empty(36, np.uint16), 0, 4)
    exact = _naive_halving(f, "reflect", 0.0).reshape(4, 18)
    assert np.array_equal(out, np.rint(exact))


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (5, 1), (9, 14)])
def test_double_u8_matches_naive(rng, shape):
    # enlarging by 2: weights 1/4, 3/4 on each axis, s / 16 rounded half to even; random values, all 255 (the
    # largest sums) and sparse ones (sums 1, 3, 9: ties and near-ties of s / 16)
    sparse = np.zeros(shape, np.uint8)
    sparse[::2, ::3] = 1
    for f in (rng.integers(0, 256, shape, dtype=np.uint8), np.full(shape, 255, np.uint8), sparse):
        out = np.empty((2 * shape[0], 2 * shape[1]), np.uint8)
        resample.double_u8(f, out, np.empty(shape[1], np.uint16), np.empty(shape[1], np.uint16), 0, shape[0])
        for mode in ("reflect", "nearest"):
            exact = naive.resize(f, out.shape, "bilinear", True, mode, 0.0)
            assert np.array_equal(out, np.rint(exact)), mode
    par = np.empty_like(out)
    _resize._bands(resample.double_u8, (f, par), shape[0], 3, ((shape[1], np.uint16),) * 2)  # bands on threads
    assert np.array_equal(par, out)


def _table_passes(f, out_shape, interp, mode, cval):
    """The general path's two passes for a grey float32 image: columns into a float32 image, then rows."""
    n0, n1 = f.shape
    m0, m1 = out_shape
    idx1, w1, regular, wreg, first, wt = _resize._plan(n1, m1, interp, True, mode, "float32")
    mid = np.empty((n0, m1, 1), np.float32)
    resample.resample_axis(f.reshape(n0, n1, 1), idx1, w1, cval, False, 0.0, 0.0, mid, np.empty(m1, np.float32),
                           regular, wreg, first, wt)
    idx0, w0 = _resize._plan(n0, m0, interp, True, mode, "float32")[:2]
    out = np.empty((1, m0, m1), np.float32)
    resample.resample_axis(mid.reshape(1, n0, m1), idx0, w0, cval, False, 0.0, 0.0, out, np.empty(m1, np.float32),
                           (0, 0, 0, 0), wreg, first, wt)
    return out[0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("interp", ["bilinear", "bicubic"])
def test_columns_first_fused_general_gives_the_table_passes(rng, mode, interp):
    # any column plan (gathered non-integer factors, strided integer shrinks, no run at all) with rows growing
    # or shrinking less: the ring's rows are resample_axis's column pass, so the two table passes bit for bit,
    # in one call and in bands on threads; uint8 images read as they are
    for dtype in (np.float32, np.uint8):
        f = (rng.random((23, 60)) * 255).astype(dtype)
        for shape in ((41, 97), (23 * 2 + 1, 37), (30, 20), (17, 16), (12, 18), (60, 31)):
            ref = _table_passes(f, shape, interp, mode, 0.5)
            idx0, w0 = _resize._plan(23, shape[0], interp, True, mode, "float32")[:2]
            idx1, w1, regular, wreg, first, wt = _resize._plan(60, shape[1], interp, True, mode, "float32")
            args = (f, idx0, w0, idx1, w1, regular, wreg, first, wt, False, 0.5, False, 0.0, 0.0)
            out = np.empty(shape, np.float32)
            resample.columns_first_fused(*args, out, np.empty(shape[1], np.float32), 0, shape[0])
            assert np.array_equal(out, ref), (dtype, shape)
            par = np.empty_like(out)
            _resize._bands(resample.columns_first_fused, (*args, par), shape[0], 3, ((shape[1], np.float32),))
            assert np.array_equal(par, out), (dtype, shape)


@pytest.mark.parametrize("mode", MODES)
def test_columns_first_fused_paired_gives_the_table_passes(rng, mode):
    # the ring of paired column-pass rows: the two table passes' float32 values bit for bit, NaN and inf
    # included (compared as values: which NaN's sign survives where two meet is the code generator's)
    f = rng.standard_normal((9, 12)).astype(np.float32) * np.float32(1e3)
    f[4, 5] = np.inf
    f[2, 7] = np.nan
    for shape in ((18, 24), (31, 24)):
        assert _resize._paired(12, shape[1], "bilinear", True, mode, "float32")
        ref = _table_passes(f, shape, "bilinear", mode, 0.5)
        idx0, w0 = _resize._plan(9, shape[0], "bilinear", True, mode, "float32")[:2]
        idx1, w1, regular, wreg, first, wt = _resize._plan(12, shape[1], "bilinear", True, mode, "float32")
        args = (f, idx0, w0, idx1, w1, regular, wreg, first, wt, True, 0.5, False, 0.0, 0.0)
        out = np.empty(shape, np.float32)
        resample.columns_first_fused(*args, out, np.empty(shape[1], np.float32), 0, shape[0])
        assert np.array_equal(out, ref, equal_nan=True)
        par = np.empty_like(out)
        _resize._bands(resample.columns_first_fused, (*args, par), shape[0], 3, ((shape[1], np.float32),))
        assert np.array_equal(par, out, equal_nan=True)
    assert not _resize._paired(12, 25, "bilinear", True, mode, "float32")
    assert not _resize._paired(12, 24, "bicubic", True, mode, "float32")


def _products(w, x):
    """w * x as the kernels' numba types it: float32 weights times uint8 or float32 samples in float32, times
    uint16 or float64 samples in float64."""
    if x.dtype in (np.uint16, np.float64) or w.dtype == np.float64:
        return w.astype(np.float64) * x.astype(np.float64)
    return w * x.astype(np.float32)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("k", [2, 4])
def test_gather_copies_each_run_of_taps_at_any_offset(rng, dtype, k):
    # _gather copies each output's k neighbouring samples by one unaligned load (_copy2 / _copy4) from any
    # offset, the last run ending at the row's end: the sums w0 s0 + w1 s1 [+ w2 s2 + w3 s3] of the samples
    # read one by one, in that order, float and rounded-and-clipped integer outputs (NaN to the low bound)
    n, m = 37, 29
    acc = np.float64 if dtype == np.float64 else np.float32
    src = (rng.random((5, n)) * 300 - 20).astype(dtype)
    if dtype in (np.float32, np.float64):
        src[2, 10] = np.nan
    first = rng.integers(0, n - k + 1, m)
    first[0], first[-1] = n - k, 0
    wt = rng.standard_normal((k, m)).astype(acc)
    ref = _products(wt[0], src[:, first])
    for t in range(1, k):
        ref = ref + _products(wt[t], src[:, first + t])
    ref = ref.astype(acc)
    gq = np.empty((4, m), dtype)
    out = np.empty((5, m), acc)
    resample._gather(src, first, wt, 0, m, False, 0.0, 0.0, out, gq)
    assert np.array_equal(out, ref, equal_nan=True)
    u8 = np.empty((5, m), np.uint8)
    resample._gather(src, first, wt, 0, m, True, 0.0, 255.0, u8, gq)
    expect = np.where(np.isnan(ref), 0, np.clip(np.rint(np.nan_to_num(ref)), 0, 255))
    assert np.array_equal(u8, expect)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_row_pass_sums_equal_tap_by_tap_accumulation(rng, dtype):
    # _resample_rows sums output lines with 2 or 4 live taps in one pass, others tap by tap: either way the
    # float32 accumulator is rounded after every tap (numba's products of float32 weights and uint16 / float64
    # samples are float64), as here (zero weights and cval taps included)
    n, post = 12, 40
    src = (rng.random((1, n, post)) * 300).astype(dtype)
    for k in (2, 3, 4):
        idx = rng.integers(0, n, (9, k))
        w = rng.standard_normal((9, k)).astype(np.float32)
        w[1, 0] = 0.0
        idx[2, 1] = -1
        acc = np.zeros((9, post), np.float32)
        for o in range(9):
            for t in range(k):
                if w[o, t] == 0:
                    continue
                if idx[o, t] < 0:  # cval, a Python float: a float64 product
                    term = np.float64(w[o, t]) * 2.5
                else:
                    term = _products(w[o, t:t + 1], src[0, idx[o, t]])
                acc[o] = (acc[o].astype(np.result_type(term)) + term).astype(np.float32)
        out = np.empty((1, 9, post), np.float32)
        resample._resample_rows(src, idx, w, 2.5, False, 0.0, 0.0, out, np.empty(post, np.float32))
        assert np.array_equal(out[0], acc), (dtype, k)
