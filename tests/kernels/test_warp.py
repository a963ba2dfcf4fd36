"""Kernels of fastdip.geometry: warp samplers, the interior span, the fixed-point path, resampling passes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import parallel
from fastdip._kernels import resample, warp
from fastdip._modes import CODES
from tests import _naive_geometry as naive

ORDERS = {"nearest": 0, "bilinear": 1, "bicubic": 2, "lanczos": 3}


def _affine2(src, m, *args, tile=warp.AFFINE_TILE):
    """warp.affine2 over every output row (the wrapper's call below the threading threshold)."""
    warp.affine2(src, warp.pair_view(src), m, *args, *tile, 0, args[6].shape[0])


def _affine3(src, m, *args):
    warp.affine3(src, m, *args, 0, args[6].shape[0] * args[6].shape[1])


def _remap2(src, rows, cols, *args):
    warp.remap2(src, rows, cols, *args, 0, rows.shape[0])


def _bands(kernel, n, blocks, *args):
    """``kernel`` over ``blocks`` bands of [0, n) on three threads (the wrappers' parallel call)."""
    parallel._run_bands(kernel, args, n, blocks, 3)


@pytest.mark.parametrize("interp", list(ORDERS))
def test_taps_match_the_kernels(interp):
    w = np.empty(6)
    for x in (-1.75, -0.5, 0.0, 0.3, 2.5, 7.99):
        first = warp.taps.py_func(x, ORDERS[interp], w)
        expect = naive.taps(x, interp)
        assert first == expect[0][0]
        assert np.allclose(w[: len(expect)], [wt for _, wt in expect], atol=1e-15)
        assert np.isclose(w[: len(expect)].sum(), 1.0)


@pytest.mark.parametrize("interp", list(ORDERS))
@pytest.mark.parametrize("mode", list(CODES))
def test_remap2_py_func_matches_naive(rng, interp, mode):
    f = rng.random((5, 6))
    coords = rng.uniform(-3, 8, (2, 12))
    out = np.empty((12, 1))
    warp.remap2.py_func(f[..., None], coords[0].copy(), coords[1].copy(), ORDERS[interp], CODES[mode], 0.25,
                        False, 0.0, 0.0, out, 0, 12)
    assert np.allclose(out[:, 0], naive.remap(f, coords, interp, mode, 0.25), atol=1e-12)


@settings(deadline=None, max_examples=25)
@given(st.floats(-50, 50), st.floats(-3, 3), st.integers(1, 40), st.integers(0, 1), st.integers(1, 60))
def test_span_is_exactly_the_fast_region(base, step, n, order, width):
    bases = np.array([base, 0.5 * base])
    steps = np.array([step, -0.3 * step])
    shape = np.array([float(n), float(n + 3)])
    j0, j1 = warp._span.py_func(bases, steps, shape, order, 0, width)
    lo = -0.5 if order == 0 else 0.0

    def fast(j):
        return all(lo <= bases[a] + steps[a] * j < (shape[a] - 0.5 if order == 0 else shape[a] - 1)
                   for a in range(2))

    inside = [j for j in range(width) if fast(j)]
    if inside:
        assert (j0, j1) == (inside[0], inside[-1] + 1)
    else:
        assert j1 <= j0


def test_fixed_point_interior_is_within_one_level(rng):
    f = rng.integers(0, 256, (40, 50), dtype=np.uint8)[..., None]
    th = np.deg2rad(31.0)
    m = np.array([[np.cos(th), -np.sin(th), 12.3], [np.sin(th), np.cos(th), -5.1]])
    exact = np.empty(f.shape[:2] + (1,), np.float64)
    _affine2(f, m, 1, CODES["constant"], 0.0, False, 0.0, 0.0, exact, 0)
    for variant in (1, 2):
        out = np.empty_like(f)
        _affine2(f, m, 1, CODES["constant"], 0.0, True, 0.0, 255.0, out, variant)
        diff = np.abs(out[..., 0].astype(int) - np.rint(exact[..., 0]))
        assert diff.max() <= 1 and np.mean(diff > 0) < 0.01


def test_float32_interior_keeps_float64_accuracy_along_long_rows(rng):
    # variant 1's fixed-point coordinates take each column's step k * step from float64 (floored to 2^-32), so
    # 4000 columns along, with a step that 32.32 cannot hold, the float32 result is still within the float32
    # arithmetic's few ulp of the float64 interior (k times the floored step drifted to 1.1e-4 here: 7 ulp)
    f = (rng.random((70, 4200)) * 255).astype(np.float32)[..., None]
    th = np.deg2rad(0.3)
    s = 1.0 / 1.0371
    m = np.array([[np.cos(th) * s, -np.sin(th) * s, 3.3], [np.sin(th) * s, np.cos(th) * s, 1.7]])
    fast = np.empty((60, 4000, 1), np.float32)
    exact = np.empty((60, 4000, 1), np.float64)
    _affine2(f, m, 1, CODES["constant"], 0.0, False, 0.0, 0.0, fast, 1)
    # (the float64 image: the same samples, and a signature the other tests compile too)
    _affine2(f.astype(np.float64), m, 1, CODES["constant"], 0.0, False, 0.0, 0.0, exact, 0)
    assert np.abs(fast - exact).max() <= 4 * np.spacing(np.float32(255))


def test_bands_on_threads_agree_with_one_call(rng):
    f = rng.random((30, 40, 2)).astype(np.float32)
    th = np.deg2rad(17.0)
    m = np.array([[np.cos(th), -np.sin(th), 3.0], [np.sin(th), np.cos(th), -2.0]])
    a = np.empty_like(f)
    b = np.empty_like(f)
    _affine2(f, m, 1, CODES["reflect"], 0.0, False, 0.0, 0.0, a, 1)
    _bands(warp.affine2, b.shape[0], 3, f, warp.pair_view(f), m, 1, CODES["reflect"], 0.0, False, 0.0, 0.0, b, 1,
           *warp.AFFINE_TILE)
    assert np.array_equal(a, b)
    # uint8 into uint8: the fixed-point interior (variant 2), whose span ends are re-checked per band row
    g = rng.integers(0, 256, (37, 41, 1), dtype=np.uint8)
    for mode in ("constant", "reflect"):
        a8 = np.empty_like(g)
        b8 = np.empty_like(g)
        _affine2(g, m, 1, CODES[mode], 7.0, True, 0.0, 255.0, a8, 2)
        _bands(warp.affine2, b8.shape[0], 5, g, warp.pair_view(g), m, 1, CODES[mode], 7.0, True, 0.0, 255.0, b8, 2,
               *warp.AFFINE_TILE)
        assert np.array_equal(a8, b8), mode
    v = rng.random((6, 7, 8, 1))
    m3 = np.array([[1.0, 0.1, 0, 0.2], [0, 0.9, 0.2, -0.3], [0.1, 0, 1.1, 0.5]])
    a3 = np.empty_like(v)
    b3 = np.empty_like(v)
    _affine3(v, m3, 1, CODES["wrap"], 0.0, False, 0.0, 0.0, a3)
    _bands(warp.affine3, b3.shape[0] * b3.shape[1], 4, v, m3, 1, CODES["wrap"], 0.0, False, 0.0, 0.0, b3)
    assert np.array_equal(a3, b3)


@pytest.mark.parametrize("post", [1, 3, 20])
def test_resample_axis_py_func(rng, post):
    src = rng.random((2, 7, post))
    idx = np.array([[0, 1, 2], [2, 3, -1], [6, 5, 4]])
    w = rng.random((3, 3))
    out = np.empty((2, 3, post))
    if post >= 16:
        resample._resample_rows.py_func(src, idx, w, 0.5, False, 0.0, 0.0, out, np.empty(post))
    else:
        resample._resample_points.py_func(src, idx, w, 0.5, False, 0.0, 0.0, out)
    padded = np.concatenate([src, np.full((2, 1, post), 0.5)], axis=1)
    expect = np.einsum("ot,potx->pox", w, padded[:, np.where(idx < 0, 7, idx).ravel()].reshape(2, 3, 3, post))
    assert np.allclose(out, expect)



def test_fixed_point_uint16_has_no_negative_weight_and_stays_in_range():
    # samples just below the next pixel (fractions ~1 - 2^-17): all weight on the far sample, none negative
    f = np.zeros((8, 8, 1), np.uint16)
    f[::2, ::2] = 65535
    eps = 2.0 ** -17
    m = np.array([[1.0, 0.0, 1.0 - eps], [0.0, 1.0, 1.0 - eps]])
    out = np.empty_like(f)
    _affine2(f, m, 1, CODES["nearest"], 0.0, True, 0.0, 65535.0, out, 2)
    exact = np.empty(f.shape, np.float64)
    _affine2(f, m, 1, CODES["nearest"], 0.0, False, 0.0, 0.0, exact, 0)
    assert np.abs(out.astype(float) - np.rint(exact)).max() <= 6  # 2^-14 weights of a 16-bit scale


def test_fixed_point_span_ends_are_inside_by_the_fixed_point_coordinates(rng):
    # rows whose coordinates end a hair below the last pixel centre: no tap may leave the image
    f = rng.integers(0, 256, (33, 47), dtype=np.uint8)[..., None]
    for step in (1.0 - 1e-12, 0.5 + 1e-13, 31 / 46):
        m = np.array([[0.0, 0.0, 32.0 - 1e-12], [0.0, step, 0.0]])
        out = np.empty_like(f)
        _affine2(f, m, 1, CODES["nearest"], 0.0, True, 0.0, 255.0, out, 2)
        exact = np.empty(f.shape, np.float64)
        _affine2(f, m, 1, CODES["nearest"], 0.0, False, 0.0, 0.0, exact, 0)
        assert np.abs(out[..., 0].astype(int) - np.rint(exact[..., 0])).max() <= 1


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_half_area_integer_kernels_round_half_to_even(rng, dtype):
    top = np.iinfo(dtype).max
    f = rng.integers(0, top + 1, (6, 10), dtype=dtype)
    f[:2, :6] = [[0, 1, 1, 1, 3, 2], [0, 1, 1, 3, 2, 3]]  # block sums 2, 6, 10: halves 0.5, 1.5, 2.5
    s = f.reshape(3, 2, 5, 2).astype(np.int64).sum(axis=(1, 3))
    expect = np.rint(s / 4.0).astype(dtype)
    assert list(expect[0, :3]) == [0, 2, 2]
    out = np.empty((3, 5, 1), dtype)
    resample.half_area_int.py_func(f[..., None], out)
    assert np.array_equal(out[..., 0], expect)
    pairs = f.view(np.uint16 if dtype == np.uint8 else np.uint32)
    out2 = np.empty((3, 5), dtype)
    resample.half_area_pairs.py_func(pairs, out2, 0, 3)
    assert np.array_equal(out2, expect)
    out3 = np.empty((3, 5), dtype)
    _bands(resample.half_area_pairs, 3, 2, pairs, out3)
    assert np.array_equal(out3, expect)


def test_half_area_float_kernel_is_the_block_mean(rng):
    f = rng.standard_normal((8, 6, 2)).astype(np.float32)
    out = np.empty((4, 3, 2), np.float32)
    resample.half_area.py_func(f, np.float32(0.5), False, 0.0, 0.0, out, 0, 4)
    h = np.float32(0.5)
    cols = h * f[0::2] + h * f[1::2]
    assert np.array_equal(out, h * cols[:, 0::2] + h * cols[:, 1::2])
    par = np.empty_like(out)
    _bands(resample.half_area, 4, 3, f, np.float32(0.5), False, 0.0, 0.0, par)
    assert np.array_equal(par, out)


def test_fixed_point_far_row_starts_and_huge_steps(rng):
    # a row that starts ~1e10 pixels away and crosses the image: the fixed point is anchored inside
    f = rng.integers(0, 256, (20, 30), dtype=np.uint8)[..., None]
    m = np.array([[0.0, 0.0, 7.25], [0.0, 1e7, -1e7 * 5 + 3.5]])
    out = np.empty_like(f)
    _affine2(f, m, 1, CODES["constant"], 0.0, True, 0.0, 255.0, out, 2)
    exact = np.empty(f.shape, np.float64)
    _affine2(f, m, 1, CODES["constant"], 0.0, False, 0.0, 0.0, exact, 0)
    assert np.abs(out.astype(int) - np.rint(exact)).max() <= 1


# every source dtype once and both output kinds from an integer and a float source (each pair is 3-4 compiled
# signatures; float32 -> uint8 and float64 -> float32 add no code path the others miss); the parallel twin
# (the same chunks, split by rows of points) for one integer and one float pair
@pytest.mark.parametrize(("dtype", "is_int"), [(np.uint8, True), (np.uint8, False), (np.float32, False),
                                               (np.float64, True)])
@pytest.mark.parametrize("channels", [1, 3])
def test_remap2_chunked_bilinear_equals_the_general_sampler(rng, dtype, channels, is_int):
    # remap2 runs bilinear chunks of 256 points whose taps are all inside without border checks: the values
    # must be those of _line2 exactly; chunks with an outside point, a NaN or a huge value go to _line2
    f = (rng.random((20, 23, channels)) * 255).astype(dtype)
    n = 1500
    rows = rng.uniform(0, 19, n)
    cols = rng.uniform(0, 22, n)
    rows[:256] = np.floor(rows[:256])  # integer positions (fraction 0) inside
    rows[300] = 19.0  # the last row: taps outside the image
    cols[600] = -1e-12
    rows[900] = np.nan
    cols[1200] = 1e12
    lo, hi = (0.0, 255.0) if is_int else (0.0, 0.0)
    out_dtype = np.uint8 if is_int else np.float32
    for mode in ("constant", "reflect", "wrap"):
        a = np.empty((n, channels), out_dtype)
        b = np.empty((n, channels), out_dtype)
        c = np.empty((n, channels), out_dtype)
        _remap2(f, rows, cols, 1, CODES[mode], 7.0, is_int, lo, hi, a)
        warp._line2(f, rows, cols, 0, n, 1, CODES[mode], 7.0, is_int, lo, hi, b, 0, np.empty(6), np.empty(6))
        assert np.array_equal(a, b)
        if (dtype, is_int) in ((np.uint8, True), (np.float32, False)):
            _bands(warp.remap2, n, 3, f, rows, cols, 1, CODES[mode], 7.0, is_int, lo, hi, c)
            assert np.array_equal(a, c)
        d = np.empty((n, channels), out_dtype)  # float32 coordinates: read as the float64 of the same values
        _remap2(f, rows.astype(np.float32), cols.astype(np.float32), 1, CODES[mode], 7.0, is_int, lo, hi, d)
        e = np.empty((n, channels), out_dtype)
        _remap2(f, rows.astype(np.float32).astype(np.float64), cols.astype(np.float32).astype(np.float64), 1,
                CODES[mode], 7.0, is_int, lo, hi, e)
        assert np.array_equal(d, e)


@pytest.mark.parametrize("dtype,variant",
                         [(np.float32, 1), (np.uint8, 1), (np.uint16, 1), (np.float64, 0), (np.float32, 0)])
def test_affine2_single_channel_interior_equals_the_multichannel_loop(rng, dtype, variant):
    # one channel: gathers then vectorised sums; several channels: the fused loop; same arithmetic, same values
    f = (rng.random((40, 45)) * 255).astype(dtype)
    th = np.deg2rad(23.0)
    m = np.array([[np.cos(th), -np.sin(th), 4.0], [np.sin(th), np.cos(th), -6.0]])
    out_dtype = np.float64 if variant == 0 else np.float32
    one = np.empty((37, 300, 1), out_dtype)
    two = np.empty((37, 300, 2), out_dtype)
    for mode in ("constant", "nearest"):
        _affine2(f[..., None], m, 1, CODES[mode], 0.5, False, 0.0, 0.0, one, variant)
        _affine2(np.ascontiguousarray(np.stack([f, f], axis=-1)), m, 1, CODES[mode], 0.5, False, 0.0, 0.0, two,
                 variant)
        assert np.array_equal(one[..., 0], two[..., 0])
        assert np.array_equal(one[..., 0], two[..., 1])


@pytest.mark.parametrize("dtype,bits", [(np.uint8, np.uint8), (np.uint16, np.uint16), (np.float32, np.uint32)])
def test_pair_view_reads_neighbouring_samples(rng, dtype, bits):
    f = (rng.random((7, 9, 1)) * 250).astype(dtype)
    f.setflags(write=False)
    pairs = warp.pair_view(f)
    flat = f.reshape(-1).view(bits).astype(np.uint64)
    shift = np.uint64(8 * np.dtype(dtype).itemsize)
    assert pairs.size == f.size - 1 and not pairs.flags.writeable
    assert np.array_equal(pairs.astype(np.uint64), flat[:-1] | (flat[1:] << shift))
    assert warp.pair_view(f.astype(np.float64)).size == 0  # other dtypes: not used


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("angle,scale", [(31.0, 1.0), (-117.0, 0.4), (8.0, 2.7)])
def test_fixed_point_pairs_equal_the_multichannel_loop(rng, dtype, angle, scale):
    # one channel: both samples of a row in one load from the pair view, 32-bit lanes; two channels: the
    # per-channel loop on the int64 coordinates; the same 32.32 arithmetic, so the same values
    top = np.iinfo(dtype).max
    f = rng.integers(0, top + 1, (41, 57), dtype=dtype)
    th = np.deg2rad(angle)
    m = np.array([[np.cos(th) / scale, -np.sin(th) / scale, 13.7], [np.sin(th) / scale, np.cos(th) / scale, -9.2]])
    for mode in ("constant", "reflect"):
        one = np.empty((53, 61, 1), dtype)
        two = np.empty((53, 61, 2), dtype)
        _affine2(f[..., None], m, 1, CODES[mode], 3.0, True, 0.0, float(top), one, 2)
        _affine2(np.ascontiguousarray(np.stack([f, f[::-1, ::-1]], axis=-1)), m, 1, CODES[mode], 3.0, True, 0.0,
                 float(top), two, 2)
        assert np.array_equal(one[..., 0], two[..., 0])
        banded = np.empty_like(one)
        g = f[..., None]
        _bands(warp.affine2, 53, 7, g, warp.pair_view(g), m, 1, CODES[mode], 3.0, True, 0.0, float(top), banded, 2,
               *warp.AFFINE_TILE)
        assert np.array_equal(one, banded)


@pytest.mark.parametrize("dtype,variant,channels", [(np.uint8, 2, 1), (np.uint16, 2, 2), (np.uint8, 1, 1),
                                                    (np.float32, 1, 1), (np.float32, 1, 3), (np.float64, 0, 1)])
def test_affine2_values_do_not_depend_on_the_tiles(rng, dtype, variant, channels):
    # the tiles only order the work: any tiling (one tile, the default, small and ragged ones, 1 x 1) gives the
    # same bits, for the fixed-point, float32 and float64 interiors, with border spans inside tiles and out
    f = (rng.random((61, 83, channels)) * 250).astype(dtype)
    is_int = variant == 2
    out_dtype = dtype if is_int else (np.float64 if variant == 0 else np.float32)
    top = 250.0 if is_int else 0.0
    for angle, scale, shift in ((35.0, 1.0, (20.0, -30.0)), (-160.0, 0.37, (70.0, 60.0)), (3.0, 2.2, (0.5, 0.25))):
        th = np.deg2rad(angle)
        m = np.array([[np.cos(th) / scale, -np.sin(th) / scale, shift[0]],
                      [np.sin(th) / scale, np.cos(th) / scale, shift[1]]])
        for mode in ("constant", "reflect"):
            results = []
            for tile in (warp.AFFINE_TILE, (1000, 1000), (32, 128), (5, 7), (1, 1), (13, 600)):
                out = np.empty((70, 140, channels), out_dtype)
                _affine2(f, m, 1, CODES[mode], 9.0, is_int, 0.0, top, out, variant, tile=tile)
                results.append(out)
            for other in results[1:]:
                assert np.array_equal(results[0], other)


@pytest.mark.parametrize("dtype,is_int,out_dtype", [(np.float32, False, np.float32), (np.uint8, True, np.uint8),
                                                    (np.uint16, False, np.float32), (np.float64, False, np.float64)])
@pytest.mark.parametrize("order", [0, 2])
def test_affine2_nearest_and_bicubic_interiors_equal_the_general_sampler(rng, dtype, is_int, out_dtype, order):
    # the interior spans of 'nearest' (offsets, then copies) and 'bicubic' (offsets and Keys weights, the 16
    # samples, then the sums, ``_cubic_points``) give the general sampler's values (``_line2``, reached through
    # remap2 for these orders) at the same coordinates, bit for bit: one and two channels, any tiling
    top = 255.0 if out_dtype == np.uint8 else 0.0
    for channels in (1, 2):
        f = (rng.random((29, 41, channels)) * 250).astype(dtype)
        for angle, scale in ((23.0, 1.0), (-71.0, 0.6), (180.0, 1.7), (0.0, 1.0)):
            th = np.deg2rad(angle)
            m = np.array([[np.cos(th) / scale, -np.sin(th) / scale, 5.3],
                          [np.sin(th) / scale, np.cos(th) / scale, -3.1]])
            i, j = np.indices((33, 47), dtype=np.float64)
            rows = ((m[0, 0] * i + m[0, 2]) + m[0, 1] * j).ravel()
            cols = ((m[1, 0] * i + m[1, 2]) + m[1, 1] * j).ravel()
            for mode in ("constant", "reflect"):
                ref = np.empty((33 * 47, channels), out_dtype)
                _remap2(f, rows, cols, order, CODES[mode], 6.0, is_int, 0.0, top, ref)
                for tile in (warp.AFFINE_TILE, (5, 7), (1, 1)):
                    out = np.empty((33, 47, channels), out_dtype)
                    variant = 0 if dtype == np.float64 else 2 if is_int and dtype == out_dtype else 1
                    _affine2(f, m, order, CODES[mode], 6.0, is_int, 0.0, top, out, variant, tile=tile)
                    assert np.array_equal(out.reshape(-1, channels), ref, equal_nan=True), (angle, mode, tile)


@pytest.mark.parametrize("dtype,is_int,out_dtype", [(np.float32, False, np.float32), (np.uint8, True, np.uint8),
                                                    (np.float64, False, np.float64)])
def test_remap2_bicubic_chunks_equal_the_general_sampler(rng, dtype, is_int, out_dtype):
    # chunks whose 16 taps are all inside go to _cubic_points, the others to _line2: the values of _line2 over
    # every point, bit for bit, for float64 and float32 coordinates (read as float64), with points outside, NaN
    f = (rng.random((31, 37, 1)) * 250).astype(dtype)
    n = 2000
    rows = np.concatenate([rng.uniform(1.0, 28.99, 1024), rng.uniform(-6.0, 37.0, n - 1024)])
    cols = np.concatenate([rng.uniform(1.0, 34.99, 1024), rng.uniform(-6.0, 43.0, n - 1024)])
    rows[1500] = np.nan
    top = 255.0 if is_int else 0.0
    for coords in ((rows, cols), (rows.astype(np.float32), cols.astype(np.float32))):
        for mode in ("constant", "reflect", "wrap"):
            got = np.empty((n, 1), out_dtype)
            _remap2(f, *coords, 2, CODES[mode], 4.0, is_int, 0.0, top, got)
            ref = np.empty((n, 1), out_dtype)
            warp._line2(f, *coords, 0, n, 2, CODES[mode], 4.0, is_int, 0.0, top, ref, 0, np.empty(6), np.empty(6))
            assert np.array_equal(got, ref, equal_nan=True), mode
