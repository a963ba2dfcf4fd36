"""The median/rank kernels (fastdip/_kernels/median.py and rank.py) against slow twins in tests/_naive_order.py,
their parallel twins and their own ``py_func`` on tiny inputs; the generated networks against their generator.

Cost: uint8 and float64 only (the dtypes the public tests compile too), tiny arrays; py_func runs are a few
hundred pixels because they execute as plain Python.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from fastdip import parallel
from fastdip._kernels import median as km
from fastdip._kernels import rank as kr
from fastdip.filters import _order
from tests import _naive_order as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")


def _tables(shape, fp_shape, mode, extra=0):
    return [_order._table(n, s, mode, extra) for n, s in zip(shape, fp_shape)]


def _readonly(arr):
    """Inputs as the wrapper passes them (read-only views: one compiled signature shared with the public tests)."""
    arr = np.ascontiguousarray(arr)
    arr.setflags(write=False)
    return arr


def _image(rng, shape, dtype):
    if np.dtype(dtype).kind == "f":
        return _readonly(rng.standard_normal(shape).astype(dtype))
    return _readonly(rng.integers(0, 8, shape).astype(dtype))  # few levels: many ties


# --- generated networks ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(naive.NETWORKS))
def test_generated_network_source_is_unchanged(name):
    source = inspect.getsource(getattr(km, name).py_func)
    assert source == "@njit(**SERIAL)\n" + naive.network_source(name)


@pytest.mark.parametrize("name, rows, window", [("_median25_rows2", 6, 5), ("_median27_planes2", 4, 3)])
def test_network_dag_selects_the_median(rng, name, rows, window):
    dag, outs = naive.NETWORKS[name][0]()
    names = [node[1] for node in dag.nodes if node[0] == "in"]
    samples = 20000
    values = {nm: rng.integers(0, 4, samples) for nm in names}  # small range: ties everywhere
    got = dag.evaluate([n for _, n in outs], values)
    # group the inputs by source row / plane (its first index) and take each output's window
    first = sorted({nm.split(",")[0] for nm in names})
    assert len(first) == rows
    for o, result in enumerate(got):
        window_inputs = [values[nm] for nm in names if nm.split(",")[0] in first[o:o + window]]
        np.testing.assert_array_equal(result, np.sort(np.stack(window_inputs), axis=0)[len(window_inputs) // 2])


@pytest.mark.parametrize("n", range(1, 13))
def test_pruned_batcher_network_selects_every_rank_zero_one_principle(n):
    inputs = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.int8)  # every 0/1 vector
    expected = np.sort(inputs, axis=1)
    for k in range(n):
        kind, a, b = _order._selection_network(n, k)
        x = inputs.copy()
        for t, i, j in zip(kind, a, b):
            lo, hi = np.minimum(x[:, i], x[:, j]), np.maximum(x[:, i], x[:, j])
            if t != 2:
                x[:, i] = lo
            if t != 1:
                x[:, j] = hi
        np.testing.assert_array_equal(x[:, k], expected[:, k])


# --- 2-D and 3-D median networks ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 4), (7, 6), (9, 300)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_median_network_kernels_and_parallel_twins(rng, mode, size, shape, dtype):
    img = _image(rng, shape, dtype)
    cval = dtype(3)
    ty, tx = _order._table(shape[0], size, mode, 1), _order._table(shape[1], size, mode)
    kernel = km.median3x3 if size == 3 else km.median5x5
    expected = naive.median_filter(img, size, mode, cval)
    # 3x3: both ways of reading the rows (ring copy; in place where a row pair lies inside the image)
    variants = ((False,), (True,)) if size == 3 else ((),)
    for extra in variants:
        out = np.empty_like(img)
        kernel(img, ty, tx, cval, out, 0, shape[0], *extra)
        np.testing.assert_array_equal(out, expected)
        out = np.empty_like(img)  # bands of row pairs on three threads (the wrapper's parallel call)
        parallel._run_bands(_order._pairs(kernel, (img, ty, tx, cval, out), shape[0], extra), (),
                            (shape[0] + 1) // 2, 3, 3)
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("size", [3, 5])
def test_median_network_py_func(rng, size):
    img = _image(rng, (5, 7), np.uint8)
    ty, tx = _order._table(5, size, "mirror", 1), _order._table(7, size, "mirror")
    kernel = km.median3x3 if size == 3 else km.median5x5
    for extra in ((False,), (True,)) if size == 3 else ((),):
        out = np.empty_like(img)
        kernel.py_func(img, ty, tx, np.uint8(0), out, 0, 5, *extra)
        np.testing.assert_array_equal(out, naive.median_filter(img, size, "mirror"))


def test_network_span_py_func_against_the_jitted_span(rng):
    src = _image(rng, (6, 40), np.uint8)
    rows = [np.uint64(i) for i in range(6)]
    o0, o1 = np.uint64(0), np.uint64(1)
    for span, args, radius in ((km._median9_rows2, rows[:4], 1), (km._median25_rows2, rows, 2)):
        outs = [np.zeros((2, 40), np.uint8) for _ in range(2)]
        for func, out in zip((span, span.py_func), outs):
            func(src, *args, out, o0, o1, radius, 0, 40 - 2 * radius)
        np.testing.assert_array_equal(outs[0], outs[1])
        expected = naive.median_filter(src, 2 * radius + 1, "reflect")[radius:radius + 2, radius:-radius]
        np.testing.assert_array_equal(outs[0][:, radius:-radius], expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 3, 4), (5, 4, 3), (3, 4, 260)])
def test_median3x3x3_kernel_and_parallel_twin(rng, mode, shape):
    img = _image(rng, shape, np.uint8)
    padded = _readonly(naive.pad(img, ((1, 2), (1, 1), (1, 1)), mode, 5))
    expected = naive.median_filter(img, 3, mode, 5)
    def in_bands(o):  # bands of plane pairs on three threads (the wrapper's parallel call)
        parallel._run_bands(_order._pairs(km.median3x3x3, (padded, o), shape[0], ()), (), (shape[0] + 1) // 2, 2, 3)

    for run in (lambda o: km.median3x3x3(padded, o, 0, shape[0]), in_bands):
        out = np.empty_like(img)
        run(out)
        np.testing.assert_array_equal(out, expected)


def test_median3x3x3_py_func(rng):
    img = _image(rng, (3, 3, 4), np.uint8)
    padded = _readonly(naive.pad(img, ((1, 2), (1, 1), (1, 1)), "wrap", 0))
    out = np.empty_like(img)
    km.median3x3x3.py_func(padded, out, 0, 3)
    np.testing.assert_array_equal(out, naive.median_filter(img, 3, "wrap"))


# --- histograms ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sy, sx, shape", [(3, 3, (4, 5)), (7, 5, (9, 11)), (11, 11, (12, 530)), (1, 9, (3, 20)),
                                           (15, 1, (20, 3))])
def test_perreault_kernel_every_rank_and_parallel_twin(rng, mode, sy, sx, shape):
    img = rng.integers(0, 256, shape).astype(np.uint8)
    img[:, ::3] = 7  # ties
    img = _readonly(img)
    ty, tx = _order._table(shape[0], sy, mode), _order._table(shape[1], sx, mode)
    fp = np.ones((sy, sx), bool)
    for k in sorted({0, 1, sy * sx // 2, sy * sx - 1}):
        expected = naive.rank_filter(img, fp, k, mode, 200)
        out = np.empty_like(img)
        km.rank_u8_rect(img, ty, tx, np.uint8(200), sy, sx, k, out, 0, shape[0])
        np.testing.assert_array_equal(out, expected)
        out = np.empty_like(img)
        parallel._run_bands(km.rank_u8_rect, (img, ty, tx, np.uint8(200), sy, sx, k, out), shape[0], 3, 3)
        np.testing.assert_array_equal(out, expected)


def test_perreault_py_func(rng):
    img = _readonly(rng.integers(0, 256, (4, 6)).astype(np.uint8))
    ty, tx = _order._table(4, 3, "reflect"), _order._table(6, 5, "reflect")
    out = np.empty_like(img)
    with np.errstate(over="ignore"):  # the packed counts wrap around on purpose
        km.rank_u8_rect.py_func(img, ty, tx, np.uint8(0), 3, 5, 7, out, 0, 4)
    np.testing.assert_array_equal(out, naive.rank_filter(img, np.ones((3, 5), bool), 7, "reflect"))


def _footprint_args(fp):
    f = _order._Footprint(fp.reshape((1,) * (3 - fp.ndim) + fp.shape))
    return f, (f.line_z, f.line_y, f.all[0], f.all[1], f.enter[0], f.enter[1], f.leave[0], f.leave[1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_huang_kernel_footprints_ranks_and_parallel_twin(rng, mode, dtype):
    img = _readonly(rng.integers(0, 300 if dtype == np.uint16 else 256, (3, 7, 9)).astype(dtype))
    fp = rng.random((3, 5, 3)) > 0.3
    fp[1, 2, 1] = True
    f, args = _footprint_args(fp)
    tz, ty, tx = _tables(img.shape, f.shape, mode)
    shift = 4 if dtype == np.uint8 else 8
    for k in sorted({0, f.size // 3, f.size - 1}):
        expected = naive.rank_filter(img, fp, k, mode, 9)
        out = np.empty_like(img)
        km.rank_hist(img, tz, ty, tx, dtype(9), *args, k, shift, out, 0, 21)
        np.testing.assert_array_equal(out, expected)
        out = np.empty_like(img)
        parallel._run_bands(km.rank_hist, (img, tz, ty, tx, dtype(9), *args, k, shift, out), 21, 4, 3)
        np.testing.assert_array_equal(out, expected)


def test_huang_py_func_jumps_whole_coarse_bins():
    # values far apart force the tracked rank across many coarse bins in both directions
    img = _readonly(np.array([[[0, 65535, 0, 65535, 300, 40000, 2, 65000]]], np.uint16))
    f, args = _footprint_args(np.ones((1, 3), bool))
    tz, ty, tx = _tables(img.shape, f.shape, "nearest")
    out = np.empty_like(img)
    km.rank_hist.py_func(img, tz, ty, tx, np.uint16(0), *args, 1, 8, out, 0, 1)
    np.testing.assert_array_equal(out[0], naive.rank_filter(img[0], np.ones((1, 3), bool), 1, "nearest"))


# --- any footprint: networks on row chunks, gather-and-select ------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_network_and_select_kernels_footprints_and_parallel_twins(rng, mode, dtype):
    img = _image(rng, (2, 6, 75), dtype)
    fp = rng.random((3, 3, 5)) > 0.5
    fp[1, 1, 2] = True
    f = _order._Footprint(fp)
    tz, ty, tx = _tables(img.shape, f.shape, mode)
    cval = dtype(1)
    common = (img, tz, ty, tx, cval, f.line_z, f.line_y, f.all[0], f.all[1])
    for k in sorted({0, f.size // 2, f.size - 1}):
        expected = naive.rank_filter(img, fp, k, mode, cval)
        kind, a, b = _order._selection_network(f.size, k)
        runs = [lambda o: kr.rank_network(*common, kind, a, b, k, 64, o, 0, 12),
                lambda o: kr.rank_select(*common, k, o, 0, 12)]
        # bands of rows on three threads (the wrapper's parallel call; chunks of 32 columns there)
        runs += [lambda o: parallel._run_bands(kr.rank_network, (*common, kind, a, b, k, 32, o), 12, 5, 3),
                 lambda o: parallel._run_bands(kr.rank_select, (*common, k, o), 12, 5, 3)]
        for run in runs:
            out = np.empty_like(img)
            run(out)
            np.testing.assert_array_equal(out, expected)


def test_network_and_select_py_func_with_infinities():
    img = _readonly(np.array([[[np.inf, 1.0, -np.inf, 3.0, np.inf], [0.0, -np.inf, 2.0, np.inf, 5.0]]]))
    f = _order._Footprint(np.ones((1, 3, 3), bool))
    tz, ty, tx = _tables(img.shape, f.shape, "reflect")
    common = (img, tz, ty, tx, 0.0, f.line_z, f.line_y, f.all[0], f.all[1])
    for k in (0, 4, 8):
        expected = naive.rank_filter(img[0], np.ones((3, 3), bool), k, "reflect")
        kind, a, b = _order._selection_network(9, k)
        for func in (kr.rank_network, kr.rank_network.py_func):
            out = np.empty_like(img)
            func(*common, kind, a, b, k, 64, out, 0, 2)
            np.testing.assert_array_equal(out[0], expected)
        for func in (kr.rank_select, kr.rank_select.py_func):
            out = np.empty_like(img)
            func(*common, k, out, 0, 2)
            np.testing.assert_array_equal(out[0], expected)


@pytest.mark.parametrize("n", [1, 2, 5, 16, 17, 40])
def test_quickselect_every_rank(rng, n):
    for trial in range(3):
        values = rng.integers(0, 5, n).astype(np.float64) if trial else rng.standard_normal(n)
        for k in range(n):
            for select in (kr._select, kr._select.py_func):
                assert select(values.copy(), n, k) == np.sort(values)[k]


# --- separable minimum / maximum ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 16])
@pytest.mark.parametrize("take_max", [False, True])
def test_extreme_rows_and_outer_against_running_extremes(rng, mode, size, take_max):
    img = _image(rng, (3, 5, 13), np.float64)
    func = np.max if take_max else np.min
    r = size // 2
    for axis in (2, 1):
        n = img.shape[axis]
        table = _order._table(n, size, mode)  # n + 2r entries; the kernels read the first n + size - 1
        padded = naive.pad(img, [(0, 0)] * axis + [(r, size - 1 - r)] + [(0, 0)] * (2 - axis), mode, -2.5)
        expected = np.apply_along_axis(naive.running_extreme, axis, padded, size, func)
        out = np.empty_like(img)
        if axis == 2:
            kr.extreme_rows(img.reshape(-1, n), table, -2.5, size, take_max, out.reshape(-1, n))
        else:
            kr.extreme_outer(img, table, -2.5, size, take_max, out)
        np.testing.assert_array_equal(out, expected)


def test_extreme_py_func(rng):
    img = _image(rng, (1, 4, 6), np.uint8)
    table = _order._table(6, 3, "wrap")
    for func in (kr.extreme_rows, kr.extreme_rows.py_func):
        out = np.empty_like(img)
        func(img.reshape(4, 6), table, np.uint8(0), 3, True, out.reshape(4, 6))
        np.testing.assert_array_equal(out[0], naive.rank_filter(img[0], np.ones((1, 3), bool), 2, "wrap"))
    table = _order._table(4, 3, "constant")
    for func in (kr.extreme_outer, kr.extreme_outer.py_func):
        out = np.empty_like(img)
        func(img, table, np.uint8(9), 3, False, out)
        np.testing.assert_array_equal(out[0], naive.rank_filter(img[0], np.ones((3, 1), bool), 0, "constant", 9))


def test_footprint_enter_and_leave_lists_rebuild_each_window():
    fp = np.array([[[1, 0, 1], [0, 1, 1], [1, 1, 0]]], bool)
    f = _order._Footprint(fp)
    old = {(int(l), int(x)) for l, x in zip(*f.all)}  # the window at x = 0
    new = {(l, x + 1) for l, x in old}  # the window at x = 1
    leave = {(int(l), int(x)) for l, x in zip(*f.leave)}  # relative to the old position
    enter = {(int(l), int(x) + 1) for l, x in zip(*f.enter)}  # relative to the new position
    assert leave <= old and (old - leave) | enter == new and not (old - leave) & enter
    assert f.line_z.tolist() == [0, 0, 0] and f.line_y.tolist() == [0, 1, 2] and f.size == 6 and not f.full
