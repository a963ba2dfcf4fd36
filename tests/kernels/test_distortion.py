"""Kernels of fastdip.geometry's lens distortion: the forward map against the model's formula, the inverse
(Newton) map against a point-by-point Python twin (same iteration, so the same numbers and the same NaN), the
vectorised row sweep against its scalar list twin, and the parallel kernel against the serial one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import parallel
from fastdip._kernels import distortion as k
from tests import _naive_geometry_model as naive

MAX_ITER, TOL = 30, 1e-12


def _grid(shape, center=None, focal=None):
    (cr, cc), f = naive.default_center_focal(shape)
    if center is not None:
        cr, cc = center
    f = f if focal is None else focal
    ys = (np.arange(shape[0], dtype=np.float64) - cr) / f
    xs = (np.arange(shape[1], dtype=np.float64) - cc) / f
    return xs, ys, (cr, cc), f


def _naive_inverse(shape, coeffs, max_iter=MAX_ITER, center=None, focal=None):
    _, _, c, f = _grid(shape, center, focal)
    out = np.empty((2,) + shape)
    for i in range(shape[0]):
        for j in range(shape[1]):
            out[:, i, j] = naive.newton_undistort_point(i, j, *coeffs, center=c, focal=f, max_iter=max_iter)
    return out


def _inverse(shape, coeffs, kernel=k.inverse_map, max_iter=MAX_ITER, center=None, focal=None):
    xs, ys, (cr, cc), f = _grid(shape, center, focal)
    out = np.full((2,) + shape, -7.0)
    kernel(out, xs, ys, *coeffs, cr, cc, f, max_iter, TOL, 0, shape[0])
    return out


def test_forward_map_py_func_matches_the_formula():
    shape = (6, 9)
    coeffs = (-0.2, 0.05, 0.01, 0.004, -0.003)
    xs, ys, (cr, cc), f = _grid(shape, center=(2.5, 3.0), focal=4.0)
    out = np.full((2,) + shape, -7.0)
    k.forward_map.py_func(out, xs, ys, *coeffs, cr, cc, f)
    for i in range(shape[0]):
        for j in range(shape[1]):
            np.testing.assert_allclose(out[:, i, j], naive.distort_point(i, j, *coeffs, center=(cr, cc), focal=f),
                                       rtol=0, atol=1e-12)
    compiled = np.empty_like(out)
    k.forward_map(compiled, xs, ys, *coeffs, cr, cc, f)
    np.testing.assert_allclose(compiled, out, rtol=0, atol=1e-12)


def test_forward_map_with_zero_coefficients_is_the_identity_grid():
    xs, ys, (cr, cc), f = _grid((5, 7))
    out = np.empty((2, 5, 7))
    k.forward_map(out, xs, ys, 0.0, 0.0, 0.0, 0.0, 0.0, cr, cc, f)
    rows, cols = np.mgrid[:5, :7]
    np.testing.assert_allclose(out[0], rows, atol=1e-13)
    np.testing.assert_allclose(out[1], cols, atol=1e-13)


@pytest.mark.parametrize("coeffs", [(-0.2, 0.05, 0.01, 0.004, -0.003), (-0.6, 0.0, 0.0, 0.0, 0.0),
                                    (0.3, 0.0, 0.0, 0.01, 0.0), (-0.35, -0.02, 0.0, 0.01, -0.01)])
def test_inverse_map_py_func_matches_the_newton_twin(coeffs):
    # 7 x 41: strong barrels leave a few slow or failing columns per row, so the rows switch from the
    # vectorised sweeps to the scalar list (fewer than 1/8 of the columns live)
    shape = (7, 41)
    expect = _naive_inverse(shape, coeffs)
    with np.errstate(all="ignore"):  # py_func runs on numpy scalars
        got = _inverse(shape, coeffs, k.inverse_map.py_func)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expect))
    np.testing.assert_allclose(got, expect, rtol=0, atol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(_inverse(shape, coeffs), got)
    if coeffs[0] == -0.6:
        assert np.isnan(got).any() and not np.isnan(got).all()


@pytest.mark.parametrize("max_iter", [0, 1, 2, 3, 5])
def test_inverse_map_obeys_the_iteration_limit(max_iter):
    coeffs = (-0.45, 0.02, 0.0, 0.01, 0.005)
    shape = (5, 64)
    expect = _naive_inverse(shape, coeffs, max_iter)
    got = _inverse(shape, coeffs, max_iter=max_iter)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expect))
    np.testing.assert_allclose(got, expect, rtol=0, atol=1e-9, equal_nan=True)
    if max_iter == 0:  # one evaluation: only points whose start is already the solution (the centre row/col)
        assert np.isnan(got).mean() > 0.5


def test_sweep_and_list_steps_agree():
    """One vectorised sweep over all columns equals one scalar step over the same live columns."""
    coeffs = (-0.5, 0.03, 0.0, 0.01, -0.01)
    xs = np.linspace(-1.2, 1.2, 37)
    ty = 0.7
    px, py = xs / 0.8, np.full(37, ty / 0.8)
    live = np.ones(37, np.int64)
    live[::5] = 0  # some columns already finished
    rr, rc = np.full(37, np.nan), np.full(37, np.nan)
    a = [px.copy(), py.copy(), live.copy(), rr.copy(), rc.copy()]
    n_live = k._newton_sweep(xs, ty, *coeffs, TOL, a[0], a[1], a[2], a[3], a[4])
    act = np.flatnonzero(live).astype(np.int64)
    b = [px.copy(), py.copy(), act.copy(), rr.copy(), rc.copy()]
    m = k._newton_list(xs, ty, *coeffs, TOL, b[0], b[1], b[2], len(act), b[3], b[4])
    assert n_live == m and np.array_equal(np.flatnonzero(a[2]), b[2][:m])
    for u, v in zip((a[0], a[1], a[3], a[4]), (b[0], b[1], b[3], b[4])):
        np.testing.assert_array_equal(u[live == 1], v[live == 1])
    with np.errstate(all="ignore"):
        c = [px.copy(), py.copy(), live.copy(), rr.copy(), rc.copy()]
        assert k._newton_sweep.py_func(xs, ty, *coeffs, TOL, *c) == n_live
        d = [px.copy(), py.copy(), act.copy(), rr.copy(), rc.copy()]
        assert k._newton_list.py_func(xs, ty, *coeffs, TOL, d[0], d[1], d[2], len(act), d[3], d[4]) == m
    for u, v in zip(a, c):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("coeffs", [(-0.2, 0.05, 0.01, 0.004, -0.003), (-0.6, 0.0, 0.0, 0.0, 0.0)])
def test_inverse_in_bands_on_threads_equals_one_call(coeffs):
    shape = (37, 53)
    xs, ys, (cr, cc), f = _grid(shape)
    out = np.full((2,) + shape, -7.0)
    parallel._run_bands(k.inverse_map, (out, xs, ys, *coeffs, cr, cc, f, MAX_ITER, TOL), shape[0], 5, 3)
    np.testing.assert_array_equal(out, _inverse(shape, coeffs))


@given(k1=st.floats(-0.6, 0.6), k2=st.floats(-0.1, 0.1), k3=st.floats(-0.05, 0.05), p1=st.floats(-0.02, 0.02),
       p2=st.floats(-0.02, 0.02), rows=st.integers(1, 12), cols=st.integers(1, 40))
@settings(deadline=None, max_examples=25)
def test_inverse_map_matches_the_twin_for_any_model(k1, k2, k3, p1, p2, rows, cols):
    coeffs = (k1, k2, k3, p1, p2)
    shape = (rows, cols)
    expect = _naive_inverse(shape, coeffs)
    got = _inverse(shape, coeffs)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expect))
    np.testing.assert_allclose(got, expect, rtol=0, atol=1e-9, equal_nan=True)


def test_inverse_row_py_func_switches_to_the_list_and_matches_the_twin():
    coeffs = (-0.45, 0.02, 0.0, 0.01, 0.005)  # a few slow columns at the row ends: the scalar list finishes them
    shape = (7, 41)
    xs, ys, (cr, cc), f = _grid(shape)
    out = np.empty((2,) + shape)
    px, py, rr, rc = (np.empty(shape[1]) for _ in range(4))
    live = np.empty(shape[1], np.int64)
    with np.errstate(all="ignore"):
        for i in (0, 3, 6):
            k._inverse_row.py_func(out, i, xs, ys[i], *coeffs, cr, cc, f, MAX_ITER, TOL, px, py, live, rr, rc)
    expect = _naive_inverse(shape, coeffs)
    for i in (0, 3, 6):
        np.testing.assert_allclose(out[:, i], expect[:, i], rtol=0, atol=1e-9, equal_nan=True)
