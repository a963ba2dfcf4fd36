"""The morphology and labelling kernels (fastdip/_kernels/morphology.py and label.py) against the slow twins in
tests/_naive_morphology.py, compiled and as ``py_func`` on tiny inputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

from fastdip import morphology as M
from fastdip import parallel as fastdip_parallel
from fastdip._kernels import label as kl
from fastdip._kernels import morphology as km
from fastdip._kernels._config import readonly  # the wrappers' input type: one signature
from tests import _naive_morphology as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")


def _in_bands(kernel, n, blocks, *args):
    """``kernel`` over ``blocks`` bands of its n rows on three threads (the wrapper's parallel call)."""
    fastdip_parallel._run_bands(kernel, args, n, blocks, 3)


def _running(row, length, take_max):
    f = np.maximum if take_max else np.minimum
    out = row[: row.size - length + 1].copy()
    for k in range(1, length):
        out = f(out, row[k: k + out.size])
    return out


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("take_max", [False, True])
def test_runs_rows_all_lengths(compiled, take_max):
    rng = np.random.default_rng(0)
    src = readonly(rng.integers(0, 50, (3, 11)).astype(np.uint8))
    lengths = np.array([1, 2, 3, 5, 8], np.int64)
    left = 3
    table = M._table(11, left, 4, "constant")
    out = np.zeros((lengths.size, 3, table.size), np.uint8)
    fn = km.runs_rows if compiled else km.runs_rows.py_func
    fn(src, table, left, np.uint8(99), lengths, take_max, out, 0, 3)
    for r in range(3):
        ext = np.where(table < 0, 99, src[r][np.maximum(table, 0)]).astype(np.uint8)
        for li, length in enumerate(lengths):
            ref = _running(ext, length, take_max)
            assert np.array_equal(out[li, r, : ref.size], ref), (r, length)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("k", [1, 2, 3, 4, 7])
def test_vanherk_outer_matches_running_extreme(mode, k):
    rng = np.random.default_rng(1)
    src = rng.integers(0, 50, (2, 9, 4)).astype(np.uint8)
    table = M._table(9, k // 2, k - 1 - k // 2, mode)
    out = np.zeros_like(src)
    km.vanherk_outer(src, table, np.uint8(77), k, False, out)
    for a in range(2):
        ext = np.where(table[:, None] < 0, 77, src[a][np.maximum(table, 0)])
        ref = np.stack([ext[i: i + k].min(axis=0) for i in range(9)])
        assert np.array_equal(out[a], ref)


def test_vanherk_outer_py_func():
    rng = np.random.default_rng(2)
    src = rng.standard_normal((1, 7, 3))
    table = M._table(7, 2, 2, "reflect")
    out = np.zeros_like(src)
    km.vanherk_outer.py_func(src, table, 0.0, 5, True, out)
    ext = src[0][table]
    assert np.array_equal(out[0], np.stack([ext[i: i + 5].max(axis=0) for i in range(7)]))


def test_gather_lines_py_func_against_naive():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (6, 7)).astype(np.uint8)
    fp = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool)
    for mode in MODES:
        fp3 = fp[None]
        lz, ly, lx, ll, lengths = M._runs(fp3.shape, fp3.tobytes())
        tx = M._table(7, 1, 1, mode)
        runs = np.empty((lengths.size, 6, tx.size), np.uint8)
        km.runs_rows.py_func(image, tx, 1, np.uint8(5), lengths, False, runs, 0, 6)
        out = np.empty((1, 6, 7), np.uint8)
        km.gather_lines.py_func(runs, M._table(1, 0, 0, mode), M._table(6, 1, 1, mode), np.uint8(5),
                                lz, ly, lx, ll, False, out, 0, 6)
        assert np.array_equal(out[0], naive.extreme(image, fp, False, mode, 5)), mode


@pytest.mark.parametrize("conn", [1, 2])
def test_label_2d_kernels_py_func(conn):
    rng = np.random.default_rng(4)
    fg = rng.random((9, 10)) < 0.5
    image = np.zeros((10, 12), np.uint8)
    image[1:, 1:-1] = fg
    out = np.zeros((1, 9, 10), np.int32)
    parent = np.zeros(9 * 5 + 2, np.int32)
    fn = kl.label_2d_8 if conn == 2 else kl.label_2d_4
    n = fn.py_func(image, np.zeros(image.shape, np.int32), parent, out)
    ref = naive.label(fg, conn)
    assert n == ref.max() and np.array_equal(out[0], ref)


@pytest.mark.parametrize("conn", [1, 2, 3])
def test_label_flat_py_func(conn):
    from fastdip.segmentation._label import _offsets

    rng = np.random.default_rng(5)
    fg = rng.random((3, 4, 5)) < 0.5
    image = np.zeros((4, 6, 7), np.uint8)
    image[1:, 1:-1, 1:-1] = fg
    out = np.zeros(fg.shape, np.int32)
    parent = np.zeros(3 * 4 * 3 + 2, np.int32)
    n = kl.label_flat.py_func(image, _offsets(3, conn, image.shape), conn == 3, np.zeros(image.shape, np.int32),
                              parent, out)
    assert n == out.max() and np.array_equal(out, naive.label(fg, conn))


def test_moments_and_perimeter_py_func():
    lab = np.zeros((5, 6), np.int32)
    lab[1:3, 1:5] = 1
    lab[4, 0] = 2
    acc = np.zeros((3, 8))
    bbox = np.zeros((3, 4), np.int64)
    kl.moments_2d.py_func(lab, 2, acc, bbox)
    assert acc[1, 0] == 8 and acc[1, 6:].tolist() == [1, 1] and bbox[1].tolist() == [1, 1, 3, 5]
    # relative to the first pixel (1, 1): rows 0, 1 and columns 0..3
    assert acc[1, 1] == 4 and acc[1, 2] == 12 and acc[1, 5] == 6
    per = np.zeros(3)
    weights = np.zeros(50)
    weights[[5, 7, 15, 17, 25, 27]] = 1
    kl.perimeter_2d.py_func(lab, 2, weights, per)
    assert per[1] == 8 and per[2] == 0


def test_convex_counts_py_func_against_skimage():
    from skimage.morphology import convex_hull_image

    rng = np.random.default_rng(6)
    lab = np.zeros((9, 11), np.int32)
    lab[1:8, 1:10] = (rng.random((7, 9)) < 0.4).astype(np.int32)
    lab[4, 5] = 1
    from fastdip.segmentation import label

    lab = label(lab > 0)
    n = int(lab.max())
    bbox = np.zeros((n + 1, 4), np.int64)
    kl.moments_2d(lab, n, np.zeros((n + 1, 8)), bbox)
    starts = np.concatenate([[0], np.cumsum(bbox[:, 2] - bbox[:, 0])]).astype(np.int64)
    out = np.zeros(n + 1, np.int64)
    kl.convex_counts.py_func(lab, n, bbox, starts, out)
    for value in range(1, n + 1):
        assert out[value] == convex_hull_image(lab == value).sum(), value


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fh, fw", [(1, 1), (2, 3), (3, 2), (4, 5), (7, 1)])
def test_rect_2d_against_naive(mode, fh, fw):
    rng = np.random.default_rng(7)
    image = readonly(rng.integers(0, 256, (2, 9, 11)).astype(np.uint8))
    out = np.empty_like(image)
    tx = M._table(11, fw // 2, fw - 1 - fw // 2, mode)
    ty = M._table(9, fh // 2, fh - 1 - fh // 2, mode)
    km.rect_2d(image, tx, fw // 2, ty, np.uint8(4), fh, fw, False, out, 0, 18)
    for z in range(2):
        assert np.array_equal(out[z], naive.extreme(image[z], np.ones((fh, fw), bool), False, mode, 4))


@pytest.mark.parametrize("mode", ["nearest", "constant", "wrap"])
@pytest.mark.parametrize("fh, fw", [(6, 8), (9, 9), (10, 11), (13, 26), (25, 4), (31, 3), (2, 51), (1, 127)])
def test_rect_2d_chunks_and_long_windows(mode, fh, fw):
    # 37 rows cross the 32-row chunks; fw > 9 takes the five-operand passes (fw = 127: m = 1, 5, 25); fh 6-9
    # the nine-operand vertical pass, fh 10-25 five-row blocks, fh > 25 van Herk; windows longer than the image
    rng = np.random.default_rng(11)
    image = readonly(rng.integers(0, 256, (1, 37, 40)).astype(np.uint8))
    out = np.empty_like(image)
    tx = M._table(40, fw // 2, fw - 1 - fw // 2, mode)
    ty = M._table(37, fh // 2, fh - 1 - fh // 2, mode)
    for take_max in (False, True):
        km.rect_2d(image, tx, fw // 2, ty, np.uint8(200), fh, fw, take_max, out, 0, 37)
        # the kernel takes the extreme over x + b (origin shape // 2) either way: max f = 255 - min (255 - f)
        if take_max:
            expected = 255 - naive.extreme(255 - image[0], np.ones((fh, fw), bool), False, mode, 55)
        else:
            expected = naive.extreme(image[0], np.ones((fh, fw), bool), False, mode, 200)
        assert np.array_equal(out[0], expected), take_max
        parallel = np.empty_like(image)
        _in_bands(km.rect_2d, 37, 3, image, tx, fw // 2, ty, np.uint8(200), fh, fw, take_max, parallel)
        assert np.array_equal(parallel, out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_rect_2d_row_pairs_against_naive(mode, dtype):
    """Odd heights 3-9 (and the five-row blocks of 11 and 15) take the vertical windows in pairs sharing their
    middle rows (_vpairs) where a chunk's rows all lie in the image, the one-window pass elsewhere ('constant'
    near the top and bottom); chunks of an odd number of rows (37 = 32 + 5, and bands of 7, 5 and 25 rows)
    end with a lone window. Erosion and dilation against the naive extreme."""
    rng = np.random.default_rng(23)
    image = readonly(rng.integers(0, 250, (1, 37, 23)).astype(dtype))
    for fh in (3, 5, 7, 9, 11, 15):
        tx = M._table(23, 1, 1, mode)
        ty = M._table(37, fh // 2, fh - 1 - fh // 2, mode)
        for take_max in (False, True):
            out = np.empty_like(image)
            km.rect_2d(image, tx, 1, ty, dtype(200), fh, 3, take_max, out, 0, 37)
            if take_max:
                expected = 255 - naive.extreme(255 - image[0], np.ones((fh, 3), bool), False, mode, 55)
            else:
                expected = naive.extreme(image[0], np.ones((fh, 3), bool), False, mode, 200)
            assert np.array_equal(out[0], expected), (fh, take_max)
            banded = np.empty_like(image)
            for q0, q1 in ((0, 7), (7, 12), (12, 37)):
                km.rect_2d(image, tx, 1, ty, dtype(200), fh, 3, take_max, banded, q0, q1)
            assert np.array_equal(banded, out), (fh, take_max)


@pytest.mark.parametrize("mode", ["nearest", "constant"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rect_2d_flags_the_non_finite_rows_it_writes(mode, dtype):
    """rect_2d returns 0 when the image rows of the output rows it writes are all finite and NaN when one
    holds NaN or +-inf (the wrapper then tests for NaN exactly): windows in pairs (odd heights 3-9: the
    centre rows summed in the pass), a lone last row of a chunk, chunks with rows outside the image
    ('constant'), even heights, five-row blocks and van Herk (each chunk's rows summed after its pass), band by
    band; the first and last value of the image count; integers give 0."""
    rng = np.random.default_rng(29)
    image = rng.random((2, 23, 19)).astype(dtype)
    image[0, 0, 0] = np.nan  # first band (rows 0-4)
    image[0, 17, 18] = np.inf  # second band (5-22)
    image[1, 22, 18] = np.nan  # the last band (30-45), the image's last value
    src = readonly(image)
    rows = image.reshape(46, 19)
    bands = ((0, 5), (5, 23), (23, 30), (30, 46))
    finite = [bool(np.isfinite(rows[a:b]).all()) for a, b in bands]
    assert finite == [False, False, True, False]
    for fh, fw in ((3, 3), (5, 2), (7, 1), (9, 4), (2, 3), (4, 4), (15, 3), (31, 3)):
        tx = M._table(19, fw // 2, fw - 1 - fw // 2, mode)
        ty = M._table(23, fh // 2, fh - 1 - fh // 2, mode)
        out = np.empty_like(image)
        got = [km.rect_2d(src, tx, fw // 2, ty, dtype(0), fh, fw, False, out, a, b) for a, b in bands]
        assert [g == 0 for g in got] == finite, (fh, fw, got)
        assert all(np.isnan(g) for g, f in zip(got, finite) if not f), (fh, fw, got)
        # one call over every row: NaN; and an all-finite image: 0
        assert np.isnan(km.rect_2d(src, tx, fw // 2, ty, dtype(0), fh, fw, True, out, 0, 46))
        clean = readonly(np.nan_to_num(image, nan=0.5, posinf=2.0))
        assert km.rect_2d(clean, tx, fw // 2, ty, dtype(0), fh, fw, True, out, 0, 46) == 0
    ints = readonly(rng.integers(0, 9, (1, 5, 6)).astype(np.uint8))
    assert km.rect_2d(ints, M._table(6, 1, 1, "wrap"), 1, M._table(5, 1, 1, "wrap"), np.uint8(0), 3, 3, False,
                      np.empty_like(ints), 0, 5) == 0


def test_rect_2d_py_func_max():
    rng = np.random.default_rng(8)
    image = rng.standard_normal((1, 7, 6))
    out = np.empty_like(image)
    km.rect_2d.py_func(image, M._table(6, 1, 1, "mirror"), 1, M._table(7, 2, 2, "mirror"), 0.0, 5, 3, True, out,
                       0, 7)
    # max over x - b with a symmetric rectangle = max over x + b
    assert np.array_equal(out[0], naive.extreme(image[0], np.ones((5, 3), bool), True, "mirror"))


@pytest.mark.parametrize("fh, fw", [(3, 3), (5, 4)])
def test_bands_on_threads_equal_one_call(fh, fw):
    rng = np.random.default_rng(9)
    image = readonly(rng.integers(0, 256, (2, 13, 17)).astype(np.uint8))
    tx = M._table(17, fw // 2, fw - 1 - fw // 2, "reflect")
    ty = M._table(13, fh // 2, fh - 1 - fh // 2, "reflect")
    serial = np.empty_like(image)
    parallel = np.empty_like(image)
    km.rect_2d(image, tx, fw // 2, ty, np.uint8(0), fh, fw, True, serial, 0, 26)
    _in_bands(km.rect_2d, 26, 3, image, tx, fw // 2, ty, np.uint8(0), fh, fw, True, parallel)  # bands cross planes
    assert np.array_equal(serial, parallel)
    fp = M.disk(2)[None]
    lz, ly, lx, ll, lengths = M._runs(fp.shape, fp.tobytes())
    tx = M._table(17, 2, 2, "constant")
    runs_s = np.zeros((lengths.size, 26, tx.size), np.uint8)
    runs_p = np.zeros_like(runs_s)
    km.runs_rows(image.reshape(26, 17), tx, 2, np.uint8(9), lengths, False, runs_s, 0, 26)
    _in_bands(km.runs_rows, 26, 4, image.reshape(26, 17), tx, 2, np.uint8(9), lengths, False, runs_p)
    assert np.array_equal(runs_s, runs_p)
    tz, ty = M._table(2, 0, 0, "constant"), M._table(13, 2, 2, "constant")
    km.gather_lines(runs_s, tz, ty, np.uint8(9), lz, ly, lx, ll, False, serial, 0, 26)
    _in_bands(km.gather_lines, 26, 5, runs_s, tz, ty, np.uint8(9), lz, ly, lx, ll, False, parallel)
    assert np.array_equal(serial, parallel)
    for z in range(2):
        assert np.array_equal(serial[z], naive.extreme(image[z], M.disk(2), False, "constant", 9))


def test_public_path_above_parallel_threshold_matches_scipy(monkeypatch):
    import scipy.ndimage as ndi

    from fastdip import parallel

    monkeypatch.setattr(M, "_PARALLEL_MIN_PIXELS", 10_000)  # the threshold of the parallel twins, lowered
    monkeypatch.setattr(parallel, "_idle_cores", parallel._usable_cores)  # other tests keep the cores busy
    rng = np.random.default_rng(10)
    image = rng.integers(0, 256, (103, 107), dtype=np.uint8)
    with M._bands(image.size) as threads:
        assert threads > 1 or len(os.sched_getaffinity(0)) == 1
    assert np.array_equal(M.erode(image, size=3), ndi.grey_erosion(image, size=3, mode="nearest"))
    assert np.array_equal(M.dilate(image, M.disk(2)), ndi.grey_dilation(image, footprint=M.disk(2), mode="nearest"))


def _ring_args(image3, fp, mode, cval):
    """runs_ring_2d's arguments for a (P, H, W) image and a 2-D footprint (origin at its centre)."""
    f1, f2 = fp.shape
    fp3 = fp[None]
    _, ly, lx, ll, lengths = M._runs(fp3.shape, np.ascontiguousarray(fp3).tobytes())
    tx = M._table(image3.shape[2], f2 // 2, f2 - 1 - f2 // 2, mode)
    ty = M._table(image3.shape[1], f1 // 2, f1 - 1 - f1 // 2, mode)
    return (readonly(image3), tx, f2 // 2, ty, image3.dtype.type(cval), lengths), (ly, lx, ll, f1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_runs_ring_2d_against_naive(mode, dtype):
    """The ring kernel against the naive extreme over footprints with gaps, long runs, even sides and a single
    pixel, erosion and dilation (_combine: one pass of up to nine runs, or nine and more in further passes;
    2 to 11 runs)."""
    rng = np.random.default_rng(11)
    image = rng.integers(0, 200, (2, 15, 19)).astype(dtype)
    footprints = [M.disk(3), np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool), np.ones((1, 1), bool),
                  np.array([[1, 1, 1, 1], [0, 1, 1, 0]], bool), M.disk(5)]
    for fp in footprints:
        for take_max in (False, True):
            (src, tx, left, ty, cval, lengths), (ly, lx, ll, f1) = _ring_args(image, fp, mode, 7)
            out = np.full(image.shape, 255, dtype)
            km.runs_ring_2d(src, tx, left, ty, cval, lengths, take_max, ly, lx, ll, f1, out, 0, 30)
            # the naive twin: min over x + b, max over x - b, origin at shape // 2 (the tables' too); the
            # kernel's maximum is over x + b, i.e. the naive one of the reflected footprint (odd sides only:
            # reflecting an even side moves the origin)
            if take_max and not (fp.shape[0] % 2 and fp.shape[1] % 2):
                continue
            ref_fp = fp[::-1, ::-1] if take_max else fp
            for z in range(2):
                assert np.array_equal(out[z], naive.extreme(image[z], ref_fp, take_max, mode, 7)), (fp.shape, mode,
                                                                                                     take_max, z)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_runs_ring_2d_bands_and_py_func_equal_one_call(dtype):
    """Bands of rows on threads (crossing planes, each restarting its ring) and the Python twin give the one
    call's values."""
    rng = np.random.default_rng(12)
    image = rng.integers(0, 256, (3, 13, 17)).astype(dtype)
    (src, tx, left, ty, cval, lengths), (ly, lx, ll, f1) = _ring_args(image, M.disk(2), "constant", 9)
    one = np.empty_like(image)
    banded = np.empty_like(image)
    km.runs_ring_2d(src, tx, left, ty, cval, lengths, False, ly, lx, ll, f1, one, 0, 39)
    _in_bands(km.runs_ring_2d, 39, 5, src, tx, left, ty, cval, lengths, False, ly, lx, ll, f1, banded)
    assert np.array_equal(one, banded)
    small = np.empty_like(image)
    km.runs_ring_2d.py_func(src, tx, left, ty, cval, lengths, False, ly, lx, ll, f1, small, 0, 39)
    assert np.array_equal(one, small)
    for z in range(3):
        assert np.array_equal(one[z], naive.extreme(image[z], M.disk(2), False, "constant", 9))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
@pytest.mark.parametrize("chunk", [1, 4, 64])
def test_runs_chunks_2d_equals_the_ring_and_naive(mode, dtype, chunk):
    """Blocks of rows (a block's input rows back to back in one buffer, every doubling and run one pass over
    the block) give the ring kernel's values and the naive extreme: blocks of one row, blocks shorter than the
    footprint, one block larger than the image; erosion and dilation; integer (in place) and float
    (alternating scratch) gathers; 'constant' rows outside the image."""
    rng = np.random.default_rng(13)
    image = rng.integers(0, 200, (2, 15, 19)).astype(dtype)
    for fp in (M.disk(3), np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool), np.ones((1, 1), bool),
               np.array([[1, 1, 1, 1], [0, 1, 1, 0]], bool)):
        for take_max in (False, True):
            (src, tx, left, ty, cval, lengths), (ly, lx, ll, f1) = _ring_args(image, fp, mode, 7)
            ring = np.empty_like(image)
            km.runs_ring_2d(src, tx, left, ty, cval, lengths, take_max, ly, lx, ll, f1, ring, 0, 30)
            blocks = np.full(image.shape, 3, dtype)
            km.runs_chunks_2d(src, tx, left, ty, cval, lengths, take_max, ly, lx, ll, f1, chunk, blocks, 0, 30)
            assert np.array_equal(blocks, ring), (fp.shape, take_max)
            if not take_max:
                for z in range(2):
                    assert np.array_equal(blocks[z], naive.extreme(image[z], fp, False, mode, 7))


def test_runs_chunks_2d_bands_and_py_func_equal_one_call():
    rng = np.random.default_rng(14)
    image = rng.integers(0, 256, (3, 13, 17)).astype(np.uint8)
    (src, tx, left, ty, cval, lengths), (ly, lx, ll, f1) = _ring_args(image, M.disk(2), "reflect", 0)
    one = np.empty_like(image)
    banded = np.empty_like(image)
    km.runs_chunks_2d(src, tx, left, ty, cval, lengths, True, ly, lx, ll, f1, 5, one, 0, 39)
    _in_bands(km.runs_chunks_2d, 39, 4, src, tx, left, ty, cval, lengths, True, ly, lx, ll, f1, 5, banded)
    assert np.array_equal(one, banded)
    small = np.empty_like(image)
    km.runs_chunks_2d.py_func(src, tx, left, ty, cval, lengths, True, ly, lx, ll, f1, 5, small, 0, 39)
    assert np.array_equal(one, small)


def _taps_args(image3, fp, mode, cval):
    """taps_chunks_2d's arguments for a (P, H, W) image and a 2-D footprint (origin at its centre)."""
    f1, f2 = fp.shape
    tap_y, tap_x = M._taps((1,) + fp.shape, np.ascontiguousarray(fp).tobytes())
    tx = M._table(image3.shape[2], f2 // 2, f2 - 1 - f2 // 2, mode)
    ty = M._table(image3.shape[1], f1 // 2, f1 - 1 - f1 // 2, mode)
    return readonly(image3), tx, f2 // 2, ty, image3.dtype.type(cval), tap_y, tap_x, f1


def _with_taps(count, shape=(5, 5)):
    """A footprint of ``shape`` with ``count`` True elements scattered by a fixed permutation."""
    fp = np.zeros(shape, bool)
    fp.reshape(-1)[np.random.default_rng(count).permutation(fp.size)[:count]] = True
    return fp


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_taps_chunks_2d_against_naive(mode, dtype, chunk):
    """Small footprints read tap by tap against the naive extreme: every way the taps split into passes (one
    pass of 1, 5 or 9 taps; 9 then 1 to 4 more, read by the four-read pass with the last tap repeated; 9 + 8;
    9 + 8 + 1; 9 + 8 + 7), gaps, even sides, blocks of one row, shorter than the footprint and larger than the
    image, erosion and dilation, 'constant' rows and columns outside the image."""
    rng = np.random.default_rng(16)
    image = rng.integers(0, 200, (2, 15, 19)).astype(dtype)
    footprints = [np.ones((1, 1), bool), M.disk(1), M.disk(2), np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool),
                  np.array([[1, 1, 1, 1], [0, 1, 1, 0]], bool), np.ones((3, 3), bool)]
    footprints += [_with_taps(c) for c in (10, 12, 13, 14, 17, 18, 24)]
    for fp in footprints:
        for take_max in (False, True):
            src, tx, left, ty, cval, tap_y, tap_x, f1 = _taps_args(image, fp, mode, 7)
            out = np.full(image.shape, 3, dtype)
            km.taps_chunks_2d(src, tx, left, ty, cval, take_max, tap_y, tap_x, f1, chunk, out, 0, 30)
            for z in range(2):
                # take_max: the maximum over the same offsets x + b (the wrapper reflects the footprint for
                # dilation), i.e. minus the minimum of the negated image
                if take_max:
                    want = -naive.extreme(-image[z].astype(np.float64), fp, False, mode, -7.0)
                else:
                    want = naive.extreme(image[z], fp, False, mode, 7)
                assert np.array_equal(out[z], want), (fp.astype(int).tolist(), take_max, z)


def test_taps_chunks_2d_bands_and_py_func_equal_one_call():
    rng = np.random.default_rng(17)
    image = rng.random((3, 13, 17)).astype(np.float32)
    args = _taps_args(image, _with_taps(18), "reflect", 0)
    one = np.empty_like(image)
    banded = np.empty_like(image)
    km.taps_chunks_2d(*args[:5], True, *args[5:], 5, one, 0, 39)
    _in_bands(km.taps_chunks_2d, 39, 4, *args[:5], True, *args[5:], 5, banded)
    assert np.array_equal(one, banded)
    small = np.empty_like(image)
    km.taps_chunks_2d.py_func(*args[:5], True, *args[5:], 5, small, 0, 39)
    assert np.array_equal(one, small)


@pytest.mark.parametrize("shape, dtype", [((37, 41), np.uint8), ((6, 2100), np.float32), ((30, 300), np.float32)])
def test_public_disk_erosion_in_blocks_and_in_the_ring_matches_scipy(shape, dtype):
    """The wrapper's choice between taps (up to _TAPS_MAX of them), blocks of rows and the ring (by the scratch a
    block would need) gives scipy's values either way: a small uint8 image (blocks), wide float32 rows (the
    ring), and between; disk(2) (13 taps) read tap by tap, and a 25-element footprint by its runs."""
    import scipy.ndimage as ndi

    rng = np.random.default_rng(15)
    image = rng.integers(0, 256, shape).astype(dtype)
    for fp in (M.disk(5), M.disk(2), _with_taps(M._TAPS_MAX), _with_taps(M._TAPS_MAX + 1)):
        assert np.array_equal(M.erode(image, fp), ndi.grey_erosion(image, footprint=fp, mode="nearest"))
        assert np.array_equal(M.dilate(image, fp, mode="constant", cval=3),
                              ndi.grey_dilation(image, footprint=fp, mode="constant", cval=3))
