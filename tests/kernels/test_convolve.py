"""Kernels of fastdip._kernels.convolve against the naive twins (tests/_naive_linear.py), their own py_func on
tiny inputs, serial against parallel twins, and NaN/inf cases."""

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import parallel
from fastdip._kernels import convolve as K
from fastdip._modes import CODES
from fastdip.filters import _linear
from tests import _naive_linear as naive

MODES = naive.MODES
NO_BOUNDS = np.empty(0)  # ``bounds`` of a float output: a plain store


def _range_of(kernel, args):
    """The rows (planes of the 3-D kernels) a convolve kernel's [q0, q1) counts: those of its ``out``."""
    at = list(inspect.signature(getattr(kernel, "py_func", kernel)).parameters).index("out")
    return args[at].shape[0] * args[at].shape[1]


def _whole(kernel):
    """``kernel`` over every row in one call (the wrappers' call below the threading threshold)."""
    return lambda *args: kernel(*args, 0, _range_of(kernel, args))


def _bands(kernel):
    """``kernel`` in ``nblk`` bands of rows on three threads (the wrappers' parallel call; nblk is the last
    argument); returns the sum of the bands' return values."""
    def call(*args):
        *args, nblk = args
        return sum(r or 0 for r in parallel._run_bands(kernel, tuple(args), _range_of(kernel, args), nblk, 3))
    return call


def _taps(w2):
    """The direct kernel's tap tables (kernel row d * KH + r, column, weight) for a kernel reshaped to 2-D."""
    tap_dr, tap_c = np.nonzero(w2)
    return tap_dr.astype(np.int64), tap_c.astype(np.int64), w2[tap_dr, tap_c]


def _direct(kernel, src, w2, ah, aw, mode, cval, *extra):
    P, H, W = src.shape
    planes = np.arange(P, dtype=np.int64)[:, None]
    out = np.full(src.shape, np.nan)
    kernel(src, planes, *_taps(w2), w2.shape[0], ah, aw, w2.shape[1], CODES[mode], cval, NO_BOUNDS, out, *extra)
    return out


def _separable(kernel, src, wv, av, wh, ah, mode, cval, *extra):
    out = np.full(src.shape, np.nan)
    kernel(src, wv, av, wh, ah, CODES[mode], cval, cval * wv.sum(), NO_BOUNDS, out, *extra)
    return out


def _box(kernel, src, kv, av, kh, ah, mode, cval, proto, *extra):
    out = np.full(src.shape, np.nan)
    t = proto.dtype.type
    bad = kernel(src, kv, av, kh, ah, CODES[mode], t(cval), t(cval * kv), t(kv * kh), np.empty(0, _work(proto)),
                 out, proto, *extra)
    return out, bad


def _work(proto):
    return np.float64 if proto.dtype.kind == "i" else proto.dtype


def _reference_2d(src, w2, ah, aw, mode, cval):
    origin = (ah - w2.shape[0] // 2, aw - w2.shape[1] // 2)
    return np.stack([naive.correlate(p, w2, mode, cval, origin) for p in src])


# -- border index ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_source_index_matches_the_definition(mode):
    for n in range(1, 6):
        for x in range(-23, 24):
            expected = naive.extended_index(x, n, mode)
            expected = -1 if expected is None else expected
            assert K.source_index(x, n, CODES[mode]) == expected, (n, x)
            assert K.source_index.py_func(x, n, CODES[mode]) == expected, (n, x)


def test_index_map_table():
    out = np.empty((4, 3), np.int64)
    K.index_map(4, 3, 1, CODES["reflect"], out)
    np.testing.assert_array_equal(out, [[0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 3]])


@pytest.mark.parametrize("mode", MODES)
def test_fill_and_extend_line(mode):
    src = np.array([1.0, 2.0, 3.0])
    for fn in (K._fill_line, K._fill_line.py_func):
        dst = np.zeros(3 + 4 + 5)
        fn(src, dst, 4, CODES[mode], -1.0)
        expected = [-1.0 if (s := naive.extended_index(p - 4, 3, mode)) is None else src[s] for p in range(12)]
        np.testing.assert_array_equal(dst, expected)
        line = dst.copy()
        line[:4] = line[7:] = 99.0
        K._extend_line.py_func(line, 4, 3, CODES[mode], -1.0)
        np.testing.assert_array_equal(line, expected)


# -- separable -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_separable_2d_against_naive(rng, mode, dtype):
    src = (rng.random((2, 5, 7)) * 200).astype(dtype)
    wv = rng.random(4) - 0.3
    wh = rng.random(3) - 0.5
    expected = _reference_2d(src, np.outer(wv, wh), 2, 0, mode, 1.5)
    got = _separable(_whole(K.separable_2d), src, wv, 2, wh, 0, mode, 1.5)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-10)


def test_separable_rows_py_func(rng):
    src = rng.random((2, 4, 5))
    wv, wh = rng.random(3), rng.random(2)
    expected = _reference_2d(src, np.outer(wv, wh), 1, 1, "constant", 2.0)
    out = np.full(src.shape, np.nan)
    line = np.empty(5 + 1)
    acc = np.empty(2)  # a chunk shorter than the row: two chunks and a tail
    K._separable_rows.py_func(src, wv, 1, wh, 1, CODES["constant"], 2.0, 2.0 * wv.sum(), NO_BOUNDS, out, 0, 8, line,
                              acc)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_correlate_axis_against_naive(rng, mode):
    src = rng.random((2, 6, 3))
    w = rng.random(4)
    expected = np.stack([naive.correlate(p, w[:, None], mode, 0.5, (1 - 2, 0)) for p in src])
    for fn in (K.correlate_axis, K.correlate_axis.py_func):
        out = np.full(src.shape, np.nan)
        fn(src, w, 1, CODES[mode], 0.5, out)
        np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_separable_float32_accumulation_stays_within_tolerance(rng):
    src = rng.random((1, 40, 50)).astype(np.float32)
    w = naive.gaussian_kernel1d(3.0)
    expected = _reference_2d(src.astype(np.float64), np.outer(w, w), w.size // 2, w.size // 2, "reflect", 0.0)
    got = np.empty(src.shape, np.float32)
    _whole(K.separable_2d)(src, w.astype(np.float32), w.size // 2, w.astype(np.float32), w.size // 2, 0, 0.0, 0.0,
                   np.empty(0, np.float32), got)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sigma_v, sigma_h", [(2.0, 1.0), (0.5, 3.0), (1.0, 0.0)])
@pytest.mark.parametrize("width", [41, 800])
def test_separable_float32_folded_passes(rng, mode, sigma_v, sigma_h, width):
    """float32 weights into float32: two output rows a vertical pass (``_pairs_2d``), a symmetric horizontal
    kernel four pairs a sweep; an integer output the one-row passes and the rounding store. Against the naive
    float64 correlation, and bands against one call bit for bit."""
    src = (rng.random((2, 23, width)) * 255).astype(np.float32)
    wv = naive.gaussian_kernel1d(sigma_v)
    wh = naive.gaussian_kernel1d(sigma_h) if sigma_h else np.array([-1.0, 0.0, 2.0])
    av, ah = wv.size // 2, wh.size // 2
    expected = _reference_2d(src.astype(np.float64), np.outer(wv, wh), av, ah, mode, 4.0)
    args = (src, wv.astype(np.float32), av, wh.astype(np.float32), ah, CODES[mode], 4.0,
            4.0 * float(wv.astype(np.float32).sum()))
    got = np.full(src.shape, np.nan, np.float32)
    _whole(K.separable_2d)(*args, np.empty(0, np.float32), got)
    np.testing.assert_allclose(got, expected, rtol=0, atol=3e-7 * 255 * np.abs(wh).sum())
    for nblk in (3, 46):
        banded = np.full(src.shape, np.nan, np.float32)
        _bands(K.separable_2d)(*args, np.empty(0, np.float32), banded, nblk)
        np.testing.assert_array_equal(banded, got)
    as_int = np.empty(src.shape, np.int16)
    _whole(K.separable_2d)(*args, np.array([-300, 300], np.float32), as_int)
    # the one-pair sweep's own float32 sum, rounded: within half a unit (and float32 slack) of the result
    np.testing.assert_allclose(as_int, np.clip(expected, -300, 300), rtol=0, atol=0.5 + 1e-3)


@pytest.mark.parametrize("width", [30, 800])
def test_separable_float32_keeps_nan_and_inf_local(width):
    src = np.ones((1, 30, width), np.float32)
    src[0, 15, 15] = np.nan
    src[0, 5, 22] = np.inf
    w = naive.gaussian_kernel1d(1.0).astype(np.float32)  # 9 taps: reach 4
    got = np.empty(src.shape, np.float32)
    _whole(K.separable_2d)(src, w, 4, w, 4, CODES["reflect"], 0.0, 0.0, np.empty(0, np.float32), got)
    nan = np.zeros((30, width), bool)
    nan[11:20, 11:20] = True
    inf = np.zeros((30, width), bool)
    inf[1:10, 18:27] = True
    np.testing.assert_array_equal(np.isnan(got[0]), nan)
    np.testing.assert_array_equal(np.isposinf(got[0]), inf & ~nan)
    np.testing.assert_allclose(got[0][~nan & ~inf], 1, rtol=2e-6)


# -- direct ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(3, 3), (4, 6), (1, 9), (7, 2), (2, 2)])
def test_correlate_direct_against_naive(rng, mode, shape):
    src = rng.random((2, 6, 8))
    w2 = rng.random(shape) - 0.5
    w2[0, 0] = 0.0  # zero taps are skipped
    ah, aw = shape[0] // 2, (shape[1] - 1) // 2
    expected = _reference_2d(src, w2, ah, aw, mode, -0.5)
    got = _direct(_whole(K.correlate_direct), src, w2, ah, aw, mode, -0.5)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(3, 3), (1, 3), (3, 1), (2, 2), (1, 1), (2, 3), (3, 3, "sobel")])
def test_correlate_small_is_correlate_direct(rng, mode, shape):
    # kernels of up to 3 x 3: every tap of a row in one loop, the taps past the kernel's read zeros with weight
    # -0.0: the values of correlate_direct bit for bit (NaN, inf, -0.0 and zero weights included), the naive
    # correlation, any band of rows, float and rounded integer outputs; 8 taps (nine-tap loop), 5 ((2, 3):
    # five-tap loop), 6 (a Sobel-like kernel without its middle row: six-tap loop) and fewer
    sobel = shape[-1] == "sobel"
    shape = shape[:2]
    for acc in (np.float32, np.float64):
        src = (rng.standard_normal((2, 9, 11)) * 50).astype(acc)
        src[0, 2, 3], src[1, 5, 0], src[0, 7, 10], src[1, 0, 4] = np.nan, np.inf, -np.inf, -0.0
        w2 = rng.standard_normal(shape)
        w2[0, 0] = 0.0
        if sobel:
            w2[0, 0] = 1.0
            w2[1] = 0.0
        if not w2.any():
            w2[0, 0] = -1.0
        ah, aw = shape[0] // 2, (shape[1] - 1) // 2
        taps = _taps(w2)
        taps = taps[:2] + (taps[2].astype(acc),)
        planes = np.arange(2, dtype=np.int64)[:, None]
        for bounds, odt in ((np.empty(0, acc), acc), (np.array([0, 255], acc), np.uint8)):
            args = (src, planes, *taps, shape[0], ah, aw, shape[1], CODES[mode], -0.5, bounds)
            ref = np.empty(src.shape, odt)
            K.correlate_direct(*args, ref, 0, 18)
            for cuts in ((0, 18), (0, 5, 9, 18), (0, 1, 2, 17, 18)):
                got = np.empty(src.shape, odt)
                for q0, q1 in zip(cuts[:-1], cuts[1:]):
                    K.correlate_small(*args, got, q0, q1)
                assert np.array_equal(got, ref, equal_nan=True), (acc, odt, cuts)
                assert np.array_equal(np.signbit(got), np.signbit(ref))
        finite = np.nan_to_num(src, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float64)
        got = _direct(_whole(K.correlate_small), finite, w2, ah, aw, mode, -0.5)
        np.testing.assert_allclose(got, _reference_2d(finite, w2, ah, aw, mode, -0.5), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["full", "cross", "sobel", "seven"])
def test_correlate_small_wide_rows_read_straight(rng, mode, kind):
    # rows whose three padded copies pass 16 KiB are read straight from the planes (9, 5 or 6 taps of a float
    # plane of the weights' dtype; the end columns one by one): correlate_direct's values bit for bit, NaN,
    # inf and -0.0 included, at the row ends, for any band of rows and for rounded integer outputs; 7 taps
    # (a kernel with zeros) take the ring
    w2 = {"full": rng.standard_normal((3, 3)), "cross": np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
          "sobel": np.array([[1.0, 2, 1], [0, 0, 0], [-1, -2, -1]]), "seven": rng.standard_normal((3, 3))}[kind]
    if kind == "seven":
        w2[0, 0] = w2[2, 2] = 0.0
    for acc, width in ((np.float32, 1400), (np.float64, 700)):
        src = (rng.standard_normal((2, 6, width)) * 50).astype(acc)
        for p, i, j in ((0, 0, 0), (0, 2, 1), (1, 5, width - 1), (1, 3, width - 2), (0, 4, 600), (1, 1, 17)):
            src[p, i, j] = (np.nan, np.inf, -np.inf, -0.0, np.nan, np.inf)[(p + i + j) % 6]
        taps = _taps(w2)
        taps = taps[:2] + (taps[2].astype(acc),)
        planes = np.array([[1], [0]], np.int64)  # output plane 0 from input plane 1
        for bounds, odt in ((np.empty(0, acc), acc), (np.array([0, 255], acc), np.uint8)):
            # centred anchors, and shifted ones (an origin): both end columns on one side
            for ah, aw in ((1, 1), (0, 2), (2, 0)):
                args = (src, planes, *taps, 3, ah, aw, 3, CODES[mode], -0.5, bounds)
                ref = np.empty(src.shape, odt)
                K.correlate_direct(*args, ref, 0, 12)
                for cuts in ((0, 12), (0, 1, 7, 12)):
                    got = np.empty(src.shape, odt)
                    for q0, q1 in zip(cuts[:-1], cuts[1:]):
                        K.correlate_small(*args, got, q0, q1)
                    assert np.array_equal(got, ref, equal_nan=True), (acc, odt, ah, aw, cuts)
                    assert np.array_equal(np.signbit(got), np.signbit(ref))
        # and against the naive correlation on finite values, every column
        finite = np.nan_to_num(src, nan=1.0, posinf=2.0, neginf=-3.0)
        got = np.empty(src.shape, acc)
        K.correlate_small(finite, planes, *taps, 3, 1, 1, 3, CODES[mode], -0.5, np.empty(0, acc), got, 0, 12)
        expected = _reference_2d(finite[::-1].astype(np.float64), w2, 1, 1, mode, -0.5)
        tol = 2e-3 if acc == np.float32 else 1e-9
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode", MODES)
def test_separable_small_is_the_outer_product_kernel(rng, mode):
    # outer(wv, wh) (Sobel-like: a zero middle tap) against the naive 2-D correlation, any band of rows, float32
    # and float64, and py_func; NaN and inf spread over their whole 3 x 3 window (0 * inf is NaN), as through
    # the nine taps of correlate_direct
    wv = np.array([-1.0, 0.0, 1.0])
    for wh in (np.array([1.0, 2.0, 1.0]), rng.standard_normal(3)):
        w2 = np.multiply.outer(wv, wh)
        for acc in (np.float32, np.float64):
            # 1-2 columns: every row through the padded line; 3 and more: the interior read from the row
            for shape in ((1, 5, 1), (1, 5, 2), (1, 4, 3)):
                small = rng.standard_normal(shape).astype(acc)
                got = np.empty(shape, acc)
                K.separable_small(small, wv.astype(acc), wh.astype(acc), CODES[mode], -0.5, got, 0, shape[1])
                np.testing.assert_allclose(got, _reference_2d(small.astype(np.float64), w2, 1, 1, mode, -0.5),
                                           rtol=1e-5, atol=1e-5)
            src = (rng.standard_normal((2, 9, 11)) * 50).astype(acc)
            ref = _reference_2d(src.astype(np.float64), w2, 1, 1, mode, -0.5)
            for cuts in ((0, 18), (0, 5, 9, 18), (0, 1, 2, 17, 18)):
                got = np.empty(src.shape, acc)
                for q0, q1 in zip(cuts[:-1], cuts[1:]):
                    K.separable_small(src, wv.astype(acc), wh.astype(acc), CODES[mode], -0.5, got, q0, q1)
                tol = 1e-4 if acc == np.float32 else 1e-11
                np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * 50)
            bad = src.copy()
            bad[0, 4, 5], bad[1, 6, 2] = np.nan, np.inf
            got = np.empty(src.shape, acc)
            K.separable_small(bad, wv.astype(acc), wh.astype(acc), CODES[mode], -0.5, got, 0, 18)
            direct = np.empty(src.shape, acc)
            every = [a.astype(np.int64) for a in np.nonzero(np.ones((3, 3)))]  # zero weights multiply too
            K.correlate_direct(bad, np.arange(2, dtype=np.int64)[:, None], *every, w2.ravel().astype(acc), 3, 1, 1, 3,
                               CODES[mode], -0.5, np.empty(0, acc), direct, 0, 18)
            np.testing.assert_array_equal(np.isnan(got), np.isnan(direct))
            assert np.isnan(got[0, 3:6, 4:7]).all()
    # uint8 planes into float32: the products convert each value as the padded line does
    u8 = rng.integers(0, 256, (1, 6, 7)).astype(np.uint8)
    got = np.empty(u8.shape, np.float32)
    K.separable_small(u8, wv.astype(np.float32), np.float32([1, 2, 1]), CODES[mode], 0.0, got, 0, 6)
    np.testing.assert_array_equal(got, _reference_2d(u8.astype(np.float64), np.multiply.outer(wv, [1, 2, 1]), 1, 1,
                                                     mode, 0.0))
    tiny = rng.standard_normal((1, 3, 4))
    out = np.empty_like(tiny)
    K.separable_small.py_func(tiny, wv, wh, CODES[mode], 0.0, out, 0, 3)
    np.testing.assert_allclose(out, _reference_2d(tiny, np.multiply.outer(wv, wh), 1, 1, mode, 0.0),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kshape", [(2, 3, 3), (3, 1, 4), (2, 4, 1)])
def test_correlate_direct_3d_kernel_through_plane_map(rng, kshape):
    # planes[p, d]: the source plane of output plane p for kernel plane d; -1 reads cval
    src = rng.random((3, 5, 6))
    w = rng.random(kshape)
    KD, KH, KW = kshape
    table = np.empty((3, KD), np.int64)
    K.index_map(3, KD, 1, CODES["constant"], table)
    out = np.empty(src.shape)
    _whole(K.correlate_direct)(src, table, *_taps(w.reshape(-1, KW)), KH, KH // 2, KW // 2, KW, CODES["constant"],
                               0.25, NO_BOUNDS, out)
    expected = naive.correlate(src, w, "constant", 0.25, (1 - KD // 2, 0, 0))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_pair_lists_partition_the_taps(rng):
    # every tap once for the first row and once for the second, at the offset one ring row further on, in ring
    # order; kinds by membership (a zero weight keeps its place); runs cover the entries and change kind
    KD, KH, KW, Wp = 2, 3, 4, 9
    w = rng.random((KD * KH, KW)) * (rng.random((KD * KH, KW)) < 0.6)
    tap_dr, tap_c, tap_w = _taps(w)
    tap_w = tap_w.copy()
    tap_w[0] = 0.0
    off, wa, wb, starts, runs = K._pair_lists.py_func(tap_dr, tap_c, tap_w, KH, KD, KW, Wp)
    assert np.all(np.diff(off) > 0)  # ring order: each row meets its taps in kernel order
    kinds = np.repeat(runs, np.diff(starts))
    assert starts[0] == 0 and starts[-1] == off.size and np.all(runs[1:] != runs[:-1])
    first = {o: x for o, x, k in zip(off.tolist(), wa.tolist(), kinds) if k in (0, 1)}
    second = {o: x for o, x, k in zip(off.tolist(), wb.tolist(), kinds) if k in (0, 2)}
    assert len(first) == len(second) == tap_w.size
    for dr, c, wt in zip(tap_dr, tap_c, tap_w):
        d, r = divmod(int(dr), KH)
        o = (d * 2 * (KH + 1) + r) * Wp + int(c)
        assert first[o] == wt and second[o + Wp] == wt


def test_direct_and_separable_float32_values_do_not_depend_on_the_crop(rng):
    # a row is the first of its pair or the second depending on its parity: its taps come in one order either
    # way, so a crop that shifts the pairing by one row (or a narrower image) gives the same bits inside
    image = (rng.random((40, 37)) * 255).astype(np.float32)
    sparse = rng.random((3, 4)) * (rng.random((3, 4)) < 0.7)
    sparse[1, 1] = 1.0
    for w2 in (rng.random((5, 3)) - 0.5, sparse):
        w2 = w2.astype(np.float32)
        full = _direct(_whole(K.correlate_direct), image[None], w2, 1, 1, "reflect", 0.0)[0]
        for r0 in (7, 8):
            part = _direct(_whole(K.correlate_direct), image[None, r0:r0 + 20, 3:30], w2, 1, 1, "reflect", 0.0)[0]
            np.testing.assert_array_equal(part[5:15, 5:20], full[r0 + 5:r0 + 15, 8:23])
    wv = naive.gaussian_kernel1d(1.5).astype(np.float32)
    args = (wv, 6, wv, 6, CODES["reflect"], 0.0, 0.0, np.empty(0, np.float32))
    full = np.empty(image.shape, np.float32)
    _whole(K.separable_2d)(image[None], *args, full[None])
    for r0 in (7, 8):
        crop = np.ascontiguousarray(image[r0:r0 + 25, 2:35])
        part = np.empty(crop.shape, np.float32)
        _whole(K.separable_2d)(crop[None], *args, part[None])
        np.testing.assert_array_equal(part[7:18, 7:26], full[r0 + 7:r0 + 18, 9:28])


@pytest.mark.parametrize("q0, q1", [(0, 5), (1, 5), (1, 4), (3, 4), (4, 5), (4, 7), (0, 10)])
def test_pair_rows_py_func(rng, q0, q1):
    # a range that starts on the second row of a pair or ends on the first computes the pair, keeps its own row
    src = rng.random((2, 5, 6))
    w2 = rng.random((3, 6))
    out = np.full(src.shape, -7.0)
    ring = np.empty((1, 2 * 4, 6 + 5))  # the doubled ring: 2 (KH + 1) slots
    acc0, acc1 = np.empty(4), np.empty(4)  # chunks of 4 columns: 4 and 2
    tap_dr, tap_c, tap_w = _taps(w2)  # 18 taps: both rows 12 (groups of 4, 4, 4), each alone 6 (4 and 2)
    lists = K._pair_lists.py_func(tap_dr, tap_c, tap_w, 3, 1, 6, 6 + 5)
    planes = np.arange(2, dtype=np.int64)[:, None]
    K._pair_rows.py_func(src, planes, *lists, 3, 1, 2, CODES["mirror"], 0.0, NO_BOUNDS, out, q0, q1, ring, acc0,
                         acc1)
    expected = np.stack([_reference_2d(src[p:p + 1], w2, 1, 2, "mirror", 0.0)[0] for p in range(2)])
    rows = np.zeros(10, bool)
    rows[q0:q1] = True
    rows = rows.reshape(2, 5)
    np.testing.assert_allclose(out[rows], expected[rows], rtol=1e-12)
    assert np.all(out[~rows] == -7.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_correlate_direct_bands_equal_serial_bit_for_bit(rng, dtype):
    # bands that split pairs (odd rows per band, odd planes) still sum every row's taps in one order
    src = (rng.random((3, 9, 37)) * 255).astype(dtype)
    w2 = (rng.random((5, 4)) - 0.5).astype(dtype)
    serial = _direct(_whole(K.correlate_direct), src, w2, 2, 1, "reflect", 0.0)
    for nblk in (2, 3, 7, 27):
        np.testing.assert_array_equal(_direct(_bands(K.correlate_direct), src, w2, 2, 1, "reflect", 0.0, nblk),
                                      serial)


# -- box -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(1, 1), (3, 3), (2, 5), (6, 4), (9, 13)])
def test_box_2d_integer_sums_exact(rng, mode, size):
    src = rng.integers(0, 256, (2, 7, 9)).astype(np.uint8)
    kv, kh = size
    expected = np.stack([naive.box_mean(p, size, mode, 3) for p in src])
    got, bad = _box(_whole(K.box_2d), src, kv, kv // 2, kh, kh // 2, mode, 3, np.empty(0, np.int64))
    assert bad == 0
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=1e-13)


@pytest.mark.parametrize("mode", MODES)
def test_box_2d_float_sums(rng, mode):
    src = rng.random((1, 6, 11)).astype(np.float32)
    expected = naive.box_mean(src[0], (3, 4), mode, 0.5)[None]
    got, bad = _box(_whole(K.box_2d), src, 3, 1, 4, 2, mode, 0.5, np.empty(0))
    assert bad == 0
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_box_rows_and_running_line_py_func(rng):
    src = rng.integers(0, 65536, (1, 5, 9)).astype(np.uint16)
    out = np.empty(src.shape)
    for kh in (4, 7):  # summed and running rows
        colsum = np.empty(9, np.int64)
        line = np.zeros(9 + kh, np.int64)
        bad = K._box_rows.py_func(src, 3, 1, kh, kh // 2, CODES["wrap"], 0, 0, np.int64(3 * kh), NO_BOUNDS, out, 0,
                                  5, colsum, line, np.empty(9, np.int64))
        assert bad == 0
        np.testing.assert_allclose(out[0], naive.box_mean(src[0], (3, kh), "wrap"), rtol=1e-15)
    for n in range(0, 11):  # four chains of n // 4 and a tail
        line = np.arange(n + 3.0)
        out = np.full(n, np.nan)
        K._running_line.py_func(line, 3, out)
        np.testing.assert_array_equal(out, 3 * np.arange(n) + 3)
        out = np.full(n, np.nan)
        K._summed_line.py_func(line, 3, out)
        np.testing.assert_array_equal(out, 3 * np.arange(n) + 3)



def _fused(kernel, src, kv, av, kh, ah, mode, cval, running, out, bounds=None, scale=None, clip=True):
    f32 = np.float32
    count = kv * kh
    divide = bounds is not None and scale is None
    scale = f32(1) / f32(count) if scale is None else scale
    bounds = np.empty(0, f32) if bounds is None else np.asarray(bounds, f32)
    kernel(src, kv, av, kh, ah, CODES[mode], f32(cval), f32(cval) * f32(kv), scale, f32(count), divide, running,
           bounds, clip, out)
    return out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(1, 1), (3, 3), (2, 5), (6, 4), (9, 13), (5, 8), (4, 9), (3, 25), (2, 16),
                                  (2, 23), (3, 21)])
def test_box_2d_fused_integer_sums_exact(rng, mode, size):
    # kh <= 8: shifted views; larger: blocks where kh has a divisor 2-8 (9 = 3 x 3, 16 = 4 x 4, 21 = 3 x 7,
    # 25 = 5 x 5), else doubling (13 = 8 + 4 + 1, 23 = 16 + 4 + 2 + 1)
    src = rng.integers(0, 256, (2, 7, 30)).astype(np.uint8)
    kv, kh = size
    sums = np.stack([naive.box_mean(p, size, mode, 3) for p in src]) * (kv * kh)
    whole = _whole(K.box_2d_fused)
    for kernel in (whole, lambda *a: _bands(K.box_2d_fused)(*a, 3)):  # three bands of the 14 rows
        got = _fused(kernel, src, kv, kv // 2, kh, kh // 2, mode, 3, True, np.full(src.shape, np.nan, np.float32))
        np.testing.assert_array_equal(got, np.rint(sums).astype(np.float32) * (np.float32(1) / np.float32(kv * kh)))
        if kernel is not whole:
            continue  # the same kernel in bands: its rounding store is tested once
        q, r = np.divmod(np.rint(sums).astype(np.int64), kv * kh)
        exact = q + ((2 * r > kv * kh) | ((2 * r == kv * kh) & (q % 2 == 1)))
        # a division, and the product by the wrapper's checked reciprocal (None: that count divides)
        for scale in {None, _linear._rounding_reciprocal(kv * kh, 255)}:
            for clip in (True, False) if scale is not None else (True,):  # cval 3: every mean in range
                got = _fused(kernel, src, kv, kv // 2, kh, kh // 2, mode, 3, True, np.empty(src.shape, np.uint8),
                             [0, 255], scale, clip)
                np.testing.assert_array_equal(got, exact)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(3, 3), (4, 5), (9, 7)])  # kh 3 / 5 / 7; kv odd, even, beyond the 7 rows
def test_box_2d_exact_equals_exact_rounding_and_fused(rng, mode, size):
    # the one-pass kernel for kh = 3, 5, 7: the fused kernel's float values, and for uint8 outputs the exact
    # rational mean rounded half to even, clipped or not (cval 3 in range; cval -40 makes negative means)
    f32 = np.float32
    src = rng.integers(0, 256, (2, 7, 30)).astype(np.uint8)
    kv, kh = size
    count = kv * kh
    for cval in (3, -40):
        sums = np.rint(np.stack([naive.box_mean(p, size, mode, cval) for p in src]) * count).astype(np.int64)
        q, r = np.divmod(sums, count)
        exact = np.clip(q + ((2 * r > count) | ((2 * r == count) & (q % 2 == 1))), 0, 255)
        args = (kv, kv // 2, kh, kh // 2, CODES[mode], f32(cval), f32(cval) * f32(kv))
        whole = _whole(K.box_2d_exact)
        for kernel, extra in ((whole, ()), (_bands(K.box_2d_exact), (3,))):  # three bands of the 14 rows
            got = np.full(src.shape, np.nan, f32)
            kernel(src, *args, f32(1) / f32(count), f32(count), False, np.empty(0, f32), True, got, *extra)
            ref = _fused(_whole(K.box_2d_fused), src, kv, kv // 2, kh, kh // 2, mode, cval, True,
                         np.empty(src.shape, f32))
            np.testing.assert_array_equal(got, ref)
            for scale in {None, _linear._rounding_reciprocal(count, 255)}:
                for clip in (True, False) if cval >= 0 and scale is not None else (True,):
                    got = np.empty(src.shape, np.uint8)
                    divide = scale is None
                    kernel(src, *args, f32(1) / f32(count) if divide else scale, f32(count), divide,
                           np.array([0, 255], f32), clip, got, *extra)
                    np.testing.assert_array_equal(got, exact)
                    if not clip:  # the uint16 sums of the same means (count * 255 < 2**16, cval 3)
                        u16 = _whole(K.box_2d_exact_u16) if kernel is whole else _bands(K.box_2d_exact_u16)
                        got = np.empty(src.shape, np.uint8)
                        u16(src, *args[:5], f32(cval), scale, got, *extra)
                        np.testing.assert_array_equal(got, exact)


def test_box_2d_exact_py_func_tiny():
    # the rows function itself (not compiled) on a tiny image: the lines the compiled kernel runs
    f32 = np.float32
    src = np.arange(20, dtype=np.uint8).reshape(1, 4, 5)
    out = np.empty(src.shape, f32)
    K._exact_rows.py_func(src, 3, 1, 3, 1, CODES["nearest"], f32(0), f32(0), f32(1) / f32(9), f32(9), False,
                          np.empty(0, f32), True, out, 0, 4)
    np.testing.assert_allclose(out[0], naive.box_mean(src[0], 3, "nearest"), rtol=1e-6)
    out16 = np.empty(src.shape, np.uint8)
    K._exact_rows_u16.py_func(src, 3, 1, 3, 1, CODES["nearest"], f32(0), _linear._rounding_reciprocal(9, 255),
                              out16, 0, 4)
    q, r = np.divmod(np.rint(naive.box_mean(src[0], 3, "nearest") * 9).astype(np.int64), 9)
    np.testing.assert_array_equal(out16[0], q + (2 * r > 9))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(1, 1), (3, 3), (5, 5), (2, 7), (8, 8)])
def test_box_2d_fused_float_direct_sums(rng, mode, size):
    src = (rng.random((2, 9, 21)) * 100 - 20).astype(np.float32)
    kv, kh = size
    expected = np.stack([naive.box_mean(p, size, mode, 0.5) for p in src])
    for kernel in (_whole(K.box_2d_fused), lambda *a: _bands(K.box_2d_fused)(*a, 4)):
        got = _fused(kernel, src, kv, kv // 2, kh, kh // 2, mode, 0.5, False, np.empty(src.shape, np.float32))
        np.testing.assert_allclose(got, expected, rtol=0, atol=(kv + kh) * 2**-24 * 100)


def test_box_2d_fused_keeps_nan_and_inf_local():
    src = np.ones((1, 9, 12), np.float32)
    src[0, 4, 5] = np.nan
    src[0, 1, 9] = np.inf
    out = _fused(_whole(K.box_2d_fused), src, 3, 1, 3, 1, "reflect", 0.0, False, np.empty(src.shape, np.float32))
    nan = np.zeros(src.shape[1:], bool)
    nan[3:6, 4:7] = True
    inf = np.zeros(src.shape[1:], bool)
    inf[0:3, 8:11] = True
    np.testing.assert_array_equal(np.isnan(out[0]), nan)
    np.testing.assert_array_equal(np.isposinf(out[0]), inf)
    np.testing.assert_array_equal(out[0][~nan & ~inf], 1)


def test_box_fused_helpers_py_func(rng):
    src = rng.integers(0, 256, (1, 5, 11)).astype(np.uint8)
    out = np.empty(src.shape, np.float32)
    line = np.zeros(11 + 8, np.float32)
    acc = np.empty(4, np.float32)  # chunks of 4 columns (and a tail of 3)
    b0, b1 = np.empty(4 + 9, np.float32), np.empty(4 + 9, np.float32)
    for kh, running in ((3, False), (9, True)):
        K._box_fused_rows.py_func(src, 3, 1, kh, kh // 2, CODES["wrap"], np.float32(0), np.float32(0),
                                  np.float32(1), np.float32(3 * kh), False, running, np.empty(0, np.float32), True,
                                  out, 0, 5, line[:11 + kh - 1], acc, b0, b1, np.empty(3, np.int64))
        np.testing.assert_array_equal(out[0], np.rint(naive.box_mean(src[0], (3, kh), "wrap") * 3 * kh))
    x = np.arange(80, dtype=np.float32) % 7
    for k in range(1, 20):
        for fn in (K._doubling_sums, K._doubling_sums.py_func, K._shifted_sums, K._shifted_sums.py_func):
            a = np.full(13, np.nan, np.float32)
            args = (x[:13 + k - 1], k, a) + ((np.empty(13 + k, np.float32),) * 2 if "doubling" in fn.__name__ else ())
            v = fn(*args)
            np.testing.assert_array_equal(a + v, [x[j:j + k].sum() for j in range(13)], err_msg=f"k={k}")
    for k in range(1, 65):
        f = K._factor(k)
        assert f == max([d for d in range(2, 9) if k % d == 0 and d * d <= k], default=1)
        if f > 1:  # blocks of f columns (the one-pass sums of 2-8 neighbours: 25, 36, 49, 64 for 5-8)
            for fn in (K._block_sums, K._block_sums.py_func):
                a = np.full(13, np.nan, np.float32)
                v = fn(x[:13 + k - 1], k, f, a, np.full(13 + k, np.nan, np.float32))
                np.testing.assert_array_equal(a + v, [x[j:j + k].sum() for j in range(13)], err_msg=f"k={k}")

@pytest.mark.parametrize("mode", MODES)
def test_box_axis_against_naive(rng, mode):
    src = rng.integers(0, 100, (2, 7, 3)).astype(np.uint8)
    for fn in (K.box_axis, K.box_axis.py_func):
        out = np.empty(src.shape, np.int64)
        fn(src, 4, 2, CODES[mode], 5, out)
        expected = np.stack([naive.box_mean(p, (4, 1), mode, 5) * 4 for p in src])
        np.testing.assert_allclose(out, expected, rtol=1e-14)


# -- integer outputs and exact rounding --------------------------------------------------------------------------


def test_store_rounds_half_to_even_and_clips():
    a = np.array([-3.5, -0.5, 0.5, 1.5, 2.5, 2.4999, 254.5, 255.5, 300.0])
    for fn in (K._store, K._store.py_func):
        out = np.empty(a.size, np.uint8)
        fn(a, out, np.array([0.0, 255.0]))
        np.testing.assert_array_equal(out, [0, 0, 0, 2, 2, 2, 254, 255, 255])
        out = np.empty(a.size, np.float32)
        fn(a, out, np.empty(0))
        np.testing.assert_array_equal(out, a.astype(np.float32))


@pytest.mark.parametrize("sum_dtype", [np.float32, np.int64, np.float64])
def test_mean_store_is_the_exactly_rounded_quotient(rng, sum_dtype):
    for count in (1, 2, 4, 6, 9, 10, 25, 256, 625, 4096, 32768):
        sums = np.concatenate([rng.integers(0, 256 * count, 500), np.arange(0, 4 * count + 1),
                               256 * count - 1 - np.arange(3 * count)]).astype(sum_dtype)
        sums = sums[(sums >= 0) & (sums < 256 * count)]
        q, r = np.divmod(sums.astype(np.int64), count)
        expected = np.minimum(q + ((2 * r > count) | ((2 * r == count) & (q % 2 == 1))), 255)
        work = np.float64 if np.dtype(sum_dtype).kind == "i" else sum_dtype
        for fn in (K._mean_store, K._mean_store.py_func):
            out = np.empty(sums.size, np.uint8)
            fn(sums, np.dtype(sum_dtype).type(count), out, np.array([0, 255], work))
            np.testing.assert_array_equal(out, expected, err_msg=f"count {count}")
        out = np.empty(sums.size, np.float64)
        K._mean_store(sums, np.dtype(sum_dtype).type(count), out, np.empty(0, work))
        np.testing.assert_allclose(out, sums / count, rtol=2e-7 if sum_dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("mode", MODES)
def test_separable_2d_writes_rounded_integers(rng, mode):
    src = rng.integers(0, 256, (2, 6, 9)).astype(np.uint8)
    wv, wh = rng.random(3), rng.random(4)
    expected = _reference_2d(src, np.outer(wv, wh), 1, 2, mode, 300.0)
    out = np.empty(src.shape, np.uint8)
    _whole(K.separable_2d)(src, wv, 1, wh, 2, CODES[mode], 300.0, 300.0 * wv.sum(), np.array([0.0, 255.0]), out)
    np.testing.assert_array_equal(out, np.clip(np.rint(expected), 0, 255))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kv, kh", [(5, 3), (4, 1), (1, 6), (7, 7)])
def test_pixel_value_is_the_float64_kernel_bit_for_bit(rng, mode, kv, kh):
    src = rng.integers(0, 256, (1, 6, 9)).astype(np.uint8)
    wv = naive.gaussian_kernel1d(1.0)[:kv] if kv % 2 else rng.random(kv)
    wh = rng.random(kh)
    wh = (wh + wh[::-1]) if kh % 2 else wh  # symmetric (folded) and plain rows
    av, ah = kv // 2, (kh - 1) // 2
    out = np.empty(src.shape)
    _whole(K.separable_2d)(src, wv, av, wh, ah, CODES[mode], 3.0, 3.0 * wv.sum(), NO_BOUNDS, out)
    fv, fh = K._symmetric(wv), K._symmetric(wh)
    for i in range(6):
        ridx = np.array([K.source_index(i + t - av, 6, CODES[mode]) for t in range(kv)], np.int64)
        got = [K._pixel_value(src[0], wv, ridx, fv, wh, fh, ah, CODES[mode], 3.0, 3.0 * wv.sum(), j)
               for j in range(9)]
        np.testing.assert_array_equal(got, out[0, i])
    ridx = np.array([K.source_index(t - av, 6, CODES[mode]) for t in range(kv)], np.int64)
    assert K._pixel_value.py_func(src[0], wv, ridx, fv, wh, fh, ah, CODES[mode], 3.0, 3.0 * wv.sum(), 0) == \
        out[0, 0, 0]


def test_pixel_value_inside_is_the_float64_kernel_bit_for_bit(rng):
    # the recomputation's fast path (symmetric kernels, every tap inside the image) against the float64
    # kernel and the general _pixel_value, on random and on tie-making (dyadic weights, ramp) inputs
    for wv, wh, src in ((naive.gaussian_kernel1d(2.0), naive.gaussian_kernel1d(1.5),
                         rng.integers(0, 256, (1, 30, 40)).astype(np.uint8)),
                        (np.array([0.25, 0.5, 0.25]), np.array([0.125, 0.75, 0.125]),
                         (np.arange(30 * 40) % 256).astype(np.uint8).reshape(1, 30, 40))):
        av, ah = wv.size // 2, wh.size // 2
        out = np.empty(src.shape)
        _whole(K.separable_2d)(src, wv, av, wh, ah, CODES["reflect"], 0.0, 0.0, NO_BOUNDS, out)
        cols = np.empty(wh.size)
        for i in range(av, 30 - av):
            ridx = np.arange(i - av, i + av + 1, dtype=np.int64)
            for j in range(ah, 40 - ah):
                got = K._pixel_value_inside(src[0], wv, ridx, wh, j - ah, cols)
                assert got == out[0, i, j]
                assert got == K._pixel_value(src[0], wv, ridx, True, wh, True, ah, CODES["reflect"], 0.0, 0.0, j)


@pytest.mark.parametrize("mode", MODES)
def test_checked_float32_equals_the_rounded_float64_kernel(rng, mode):
    src = rng.integers(0, 256, (2, 40, 70)).astype(np.uint8)
    src[0, :, :10] = np.arange(10, dtype=np.uint8) * 3  # ramps: many exact ties for dyadic weights
    for wv, wh in ((naive.gaussian_kernel1d(2.0), naive.gaussian_kernel1d(1.5)),
                   (np.array([0.25, 0.5, 0.25]), np.array([0.5, 0.5])), (rng.random(4) / 2, rng.random(3))):
        av, ah = wv.size // 2, wh.size // 2
        cv_h = 3.0 * wv.sum()
        f64 = np.empty(src.shape)
        _whole(K.separable_2d)(src, wv, av, wh, ah, CODES[mode], 3.0, cv_h, NO_BOUNDS, f64)
        expected = np.clip(np.rint(f64), 0, 255)
        top = 255.0 * wv.sum() * wh.sum()
        # a working bound, the wrapper's (per pixel for convex kernels: k (v + eps)), and a bound so wide that
        # (most) pixels go through the float64 fallback
        for eps in (top * 1e-6, _linear._float32_error_bound(wv, wh, 255.0), 1.0):
            args = (src, wv.astype(np.float32), av, wh.astype(np.float32), ah, CODES[mode], 3.0, cv_h,
                    np.array([0, 255], np.float32))
            out = np.empty(src.shape, np.uint8)
            _whole(K.separable_2d_checked)(*args, out, wv, wh, eps)
            np.testing.assert_array_equal(out, expected)
            out = np.empty(src.shape, np.uint8)
            _bands(K.separable_2d_checked)(*args, out, wv, wh, eps, 3)
            np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_separable_2d_int_against_naive(rng, mode, dtype):
    """uint8/uint16 into float32 with float32 weights: the naive float64 correlation to float32 accuracy, for
    symmetric weights (folded in integers) and others, rows inside and at the border, in one call and in
    bands on threads."""
    top = float(np.iinfo(dtype).max)
    src = rng.integers(0, int(top) + 1, (2, 23, 70)).astype(dtype)
    src[1, :, :3] = int(top)  # extremes: the integer pair sums at their largest
    for wv, wh, av, ah in ((naive.gaussian_kernel1d(2.0), naive.gaussian_kernel1d(1.5), 8, 6),
                           (np.array([1.0, 2.0, 1.0]) / 4, np.array([-1.0, 0.0, 1.0]), 1, 1),
                           (rng.random(4) - 0.3, rng.random(5) - 0.5, 1, 3)):
        expected = _reference_2d(src.astype(np.float64), np.outer(wv, wh), av, ah, mode, 7.0)
        args = (src, wv.astype(np.float32), av, wh.astype(np.float32), ah, CODES[mode], 7.0,
                7.0 * float(wv.astype(np.float32).sum()))
        scale = (top + 7.0) * np.abs(wv).sum() * np.abs(wh).sum()
        for run in (_whole(K.separable_2d_int), lambda *a: _bands(K.separable_2d_int)(*a, 5)):
            out = np.full(src.shape, np.nan, np.float32)
            run(*args, out)
            np.testing.assert_allclose(out, expected, rtol=0, atol=5e-7 * scale)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("H", [3, 17, 40])
def test_separable_2d_int_ring_any_split(rng, mode, H):
    """The ring of converted rows (a slot per window position, refilled at a range's or a plane's first row):
    images shorter than the kernel (rows read several times), and bands of every length give the serial
    result bit for bit, which matches the naive correlation."""
    src = rng.integers(0, 256, (3, H, 37)).astype(np.uint8)
    wv, wh = naive.gaussian_kernel1d(2.0), naive.gaussian_kernel1d(1.0)
    args = (src, wv.astype(np.float32), 8, wh.astype(np.float32), 4, CODES[mode], 5.0,
            5.0 * float(wv.astype(np.float32).sum()))
    serial = np.full(src.shape, np.nan, np.float32)
    _whole(K.separable_2d_int)(*args, serial)
    expected = _reference_2d(src.astype(np.float64), np.outer(wv, wh), 8, 4, mode, 5.0)
    np.testing.assert_allclose(serial, expected, rtol=0, atol=1e-6 * 260)
    for nblk in (2, 5, 3 * H):
        out = np.full(src.shape, np.nan, np.float32)
        _bands(K.separable_2d_int)(*args, out, nblk)
        np.testing.assert_array_equal(out, serial)
    # the pair function itself (not compiled): a fresh pair, then the next one entering two rows; only the rows
    # asked for are written
    k = wv.size
    ring = np.empty((k + 1, 37), np.float32)
    lists = K._vertical_lists(args[1])
    cur = K._offset_scratch(lists)  # one ring offset per tap entry
    lines = np.empty((2, 37 + wh.size - 1), np.float32)
    rows = np.empty((2, 37), np.float32)
    for e, fresh in ((0, True), (2, False)):
        rows[:] = -7.0
        second = e + 1 < H
        K._int_pair.py_func(src, 1, e, args[1], 8, args[3], 4, True, CODES[mode], 5.0, args[7], ring, lists, cur,
                            lines[0], lines[1], np.empty(37, np.float32), rows[0], rows[1], True, second, fresh)
        if e >= H:
            break
        np.testing.assert_allclose(rows[0], serial[1, e], rtol=0, atol=1e-4)
        if second:
            np.testing.assert_allclose(rows[1], serial[1, e + 1], rtol=0, atol=1e-4)
        else:
            assert np.all(rows[1] == -7.0)


# -- 3-D: plane by plane ------------------------------------------------------------------------------------------


def _volume_reference(src, kernel, anchors, mode, cval):
    origin = tuple(a - k // 2 for a, k in zip(anchors, kernel.shape))
    return np.stack([naive.correlate(v, kernel, mode, cval, origin) for v in src])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_separable_3d_against_naive(rng, mode, dtype):
    src = (rng.random((2, 5, 4, 6)) * 200).astype(dtype)
    wd, wv, wh = rng.random(3) - 0.2, rng.random(2), naive.gaussian_kernel1d(1.0)
    kernel = np.einsum("i,j,k->ijk", wd, wv, wh)
    anchors = (2, 0, wh.size // 2)
    expected = _volume_reference(src, kernel, anchors, mode, 1.5)
    cv = 1.5 * wd.sum()
    args = (src.reshape(2, 5, 24), wd, anchors[0], wv, anchors[1], wh, anchors[2], CODES[mode], 1.5, cv,
            cv * wv.sum(), NO_BOUNDS)
    out = np.full(src.shape, np.nan)
    _whole(K.separable_3d)(*args, out)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-10)
    for nblk in (1, 3, 10):  # blocks of planes; more blocks than planes
        out = np.full(src.shape, np.nan)
        _bands(K.separable_3d)(*args, out, nblk)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8])  # (uint16 takes the same branch: one compile spared)
def test_separable_3d_integer_volume_in_float32(rng, mode, dtype):
    """uint8 volumes with float32 weights (a float32 result): the depth pass converts each sample before adding
    the pair; the naive float64 correlation to float32 accuracy."""
    top = float(np.iinfo(dtype).max)
    src = rng.integers(0, int(top) + 1, (2, 7, 5, 6)).astype(dtype)
    wd, wv, wh = naive.gaussian_kernel1d(1.0), rng.random(2), rng.random(3) - 0.4
    kernel = np.einsum("i,j,k->ijk", wd, wv, wh)
    anchors = (wd.size // 2, 0, 1)
    expected = _volume_reference(src.astype(np.float64), kernel, anchors, mode, 3.0)
    f32 = [w.astype(np.float32) for w in (wd, wv, wh)]
    cv = 3.0 * float(f32[0].sum())
    args = (src.reshape(2, 7, 30), f32[0], anchors[0], f32[1], anchors[1], f32[2], anchors[2], CODES[mode], 3.0, cv,
            cv * float(f32[1].sum()), np.empty(0, np.float32))
    scale = (top + 3.0) * np.abs(wd).sum() * np.abs(wv).sum() * np.abs(wh).sum()
    for run in (_whole(K.separable_3d), lambda *a: _bands(K.separable_3d)(*a, 3)):
        out = np.full(src.shape, np.nan, np.float32)
        run(*args, out)
        np.testing.assert_allclose(out, expected, rtol=0, atol=5e-7 * scale)


def test_separable_planes_py_func(rng):
    src = rng.random((1, 3, 2, 4))
    wd, wv, wh = rng.random(2), rng.random(3), rng.random(2)
    expected = _volume_reference(src, np.einsum("i,j,k->ijk", wd, wv, wh), (1, 1, 0), "wrap", 0.0)
    out = np.full(src.shape, np.nan)
    K._separable_planes.py_func(src.reshape(1, 3, 8), wd, 1, wv, 1, wh, 0, CODES["wrap"], 0.0, 0.0, 0.0, NO_BOUNDS,
                                out, 0, 3, np.empty(8), np.empty(4 + 1), np.empty(3))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(3, 3, 3), (2, 1, 5), (4, 3, 1), (7, 2, 2)])
def test_box_3d_against_naive(rng, mode, size):
    src = rng.integers(0, 256, (2, 5, 4, 6)).astype(np.uint8)
    kd, kv, kh = size
    expected = np.stack([naive.box_mean(v, size, mode, 3) for v in src])
    sums = np.stack([naive.correlate(v, np.ones(size), mode, 3) for v in src])
    # the signatures mean() compiles for a uint8 volume (float32 sums into float32, int64 sums into float64);
    # the parallel twin (the same code split into blocks) with the float32 sums only: fewer cold compilations
    for proto, work in ((np.empty(0, np.float32), np.float32), (np.empty(0, np.int64), np.float64)):
        t = proto.dtype.type
        args = (src.reshape(2, 5, 24), kd, kd // 2, kv, kv // 2, kh, kh // 2, CODES[mode], t(3), t(3 * kd),
                t(3 * kd * kv), t(kd * kv * kh))
        out = np.full(src.shape, np.nan, work)
        assert _whole(K.box_3d)(*args, np.empty(0, work), out, proto) == 0
        np.testing.assert_allclose(out, expected, rtol=1e-6 if work == np.float32 else 1e-15)
        if work == np.float64:
            continue
        for nblk in (2, 7, 20):
            rounded = np.empty(src.shape, np.uint8)
            assert _bands(K.box_3d)(*args, np.array([0, 255], work), rounded, proto, nblk) == 0
            q, r = np.divmod(sums.astype(np.int64), kd * kv * kh)
            exact = q + ((2 * r > kd * kv * kh) | ((2 * r == kd * kv * kh) & (q % 2 == 1)))
            np.testing.assert_array_equal(rounded, exact)


def test_box_3d_reports_nan_planes():
    src = np.ones((1, 4, 3, 3))
    src[0, 1, 1, 1] = np.nan
    out = np.empty(src.shape)
    bad = _whole(K.box_3d)(src.reshape(1, 4, 9), 3, 1, 3, 1, 3, 1, CODES["nearest"], 0.0, 0.0, 0.0, 27.0, np.empty(0),
                           out, np.empty(0))
    assert bad >= 1


# -- parallel twins (float64 only: each signature of a parallel kernel costs 1-2 s to compile) -----------------


@pytest.mark.parametrize("mode", ["reflect", "constant"])
@pytest.mark.parametrize("nblk", [1, 2, 3, 40])
def test_parallel_twins_against_naive(rng, mode, nblk):
    src = rng.random((2, 5, 7)) * 10
    wv, wh = rng.random(3), rng.random(4) - 0.5
    w2 = rng.random((3, 2))
    expected = _reference_2d(src, np.outer(wv, wh), 1, 2, mode, 1.5)
    np.testing.assert_allclose(_separable(_bands(K.separable_2d), src, wv, 1, wh, 2, mode, 1.5, nblk), expected,
                               rtol=1e-12)
    expected = _reference_2d(src, w2, 1, 0, mode, 1.5)
    np.testing.assert_allclose(_direct(_bands(K.correlate_direct), src, w2, 1, 0, mode, 1.5, nblk), expected,
                               rtol=1e-12)
    expected = np.stack([naive.box_mean(p, (3, 4), mode, 1.5) for p in src])
    got, bad = _box(_bands(K.box_2d), src, 3, 1, 4, 2, mode, 1.5, np.empty(0), nblk)
    assert bad == 0
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# -- non-finite values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("kh", [3, 9])
def test_box_2d_reports_blocks_that_met_nan_or_inf(bad_value, kh):
    # once in the running column sums a NaN or inf never leaves (inf - inf = NaN): one check per block
    src = np.ones((2, 6, 12))
    src[0, 2, 5] = bad_value
    out, bad = _box(_whole(K.box_2d), src, 3, 1, kh, 1, "reflect", 0.0, np.empty(0))
    assert bad == 1
    assert np.isfinite(out[0, 0]).all() and np.isfinite(out[1]).all()
    out, bad = _box(_bands(K.box_2d), src, 3, 1, kh, 1, "reflect", 0.0, np.empty(0), 4)  # rows 0-2 | 3-5 | ...
    assert bad == 2
    src[0, 2, 5] = 1.0
    assert _box(_whole(K.box_2d), src, 3, 1, kh, 1, "reflect", 0.0, np.empty(0))[1] == 0


def test_direct_and_separable_keep_nan_local():
    src = np.zeros((1, 7, 7))
    src[0, 3, 3] = np.nan
    w = np.ones((3, 3))
    direct = _direct(_whole(K.correlate_direct), src, w, 1, 1, "reflect", 0.0)
    sep = _separable(_whole(K.separable_2d), src, np.ones(3), 1, np.ones(3), 1, "reflect", 0.0)
    for got in (direct, sep):
        assert np.isnan(got[0, 2:5, 2:5]).all()
        assert np.count_nonzero(np.isnan(got)) == 9
    src[0, 3, 3] = np.inf
    got = _separable(_whole(K.separable_2d), src, np.ones(3), 1, np.ones(3), 1, "reflect", 0.0)
    assert np.isposinf(got[0, 2:5, 2:5]).all() and np.count_nonzero(~np.isfinite(got)) == 9


# -- properties ------------------------------------------------------------------------------------------------


# ~60 tiny cases, each a few ms once compiled (compilation happens in the tests above)
@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 9), kw=st.integers(1, 9),
    mode=st.sampled_from(MODES), seed=st.integers(0, 2**32 - 1),
)
def test_direct_equals_separable_for_outer_products(h, w, kh, kw, mode, seed):
    rng = np.random.default_rng(seed)
    src = rng.random((1, h, w))
    wv, wh = rng.random(kh) - 0.5, rng.random(kw) - 0.5
    ah, aw = rng.integers(0, kh), rng.integers(0, kw)
    direct = _direct(_whole(K.correlate_direct), src, np.outer(wv, wh), ah, aw, mode, 0.75)
    sep = _separable(_whole(K.separable_2d), src, wv, ah, wh, aw, mode, 0.75)
    np.testing.assert_allclose(direct, sep, rtol=1e-10, atol=1e-12)
