"""fastdip.geometry matrices: hand cases, the course's row convention, algebraic properties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import geometry as g

angles = st.floats(-360, 360, allow_nan=False)
coords = st.floats(-100, 100, allow_nan=False)


def test_identity_and_basic_matrices():
    assert np.array_equal(g.identity(), np.eye(3))
    assert np.array_equal(g.identity(3), np.eye(4))
    assert np.array_equal(g.scaling(2), np.diag([2.0, 2.0, 1.0]))
    assert np.array_equal(g.scaling((2, 3, 4)), np.diag([2.0, 3.0, 4.0, 1.0]))
    assert np.array_equal(g.scaling(2, ndim=3), np.diag([2.0, 2.0, 2.0, 1.0]))
    assert np.array_equal(g.translation((1, 2)), [[1, 0, 1], [0, 1, 2], [0, 0, 1]])
    assert np.array_equal(g.translation((1, 2, 3))[:3, 3], [1, 2, 3])


def test_shear_moves_the_named_coordinate():
    # axis=1: col' = col + s * row
    assert np.allclose(g.transform_points(g.shear(0.5, axis=1), [[2, 3]]), [[2, 4]])
    # axis=0: row' = row + s * col
    assert np.allclose(g.transform_points(g.shear(0.5, axis=0), [[2, 3]]), [[3.5, 3]])
    m = g.shear(2.0, axis=0, by=2, ndim=3)
    assert np.allclose(g.transform_points(m, [[1, 1, 3]]), [[7, 1, 3]])


def test_rotation_direction_is_counter_clockwise_on_screen():
    # right of the centre (same row, larger col) goes up (smaller row) for +90 degrees
    assert np.allclose(g.transform_points(g.rotation(90), [[0, 1]]), [[-1, 0]])
    # as cv2.getRotationMatrix2D: compare in (x, y) through to_row_convention
    cv2 = pytest.importorskip("cv2")
    center = (3.0, 5.0)
    a = cv2.getRotationMatrix2D((center[1], center[0]), 35.0, 1.0)  # (x, y) forward 2x3
    t = g.to_row_convention(g.rotation(35, center))
    assert np.allclose(t[:, :2].T, a)


def test_rotation_exact_at_right_angles_and_about_center():
    m = g.rotation(180, (1.5, 2.0))
    assert np.array_equal(m, [[-1, 0, 3], [0, -1, 4], [0, 0, 1]])
    assert np.allclose(g.transform_points(g.rotation(33, (4, 7)), [[4, 7]]), [[4, 7]])


def test_rotation_3d_about_each_axis():
    for axis in range(3):
        m = g.rotation(90, axis=axis)
        others = [a for a in range(3) if a != axis]
        p = np.zeros(3)
        p[others[1]] = 1.0  # the later of the two rotated axes
        q = g.transform_points(m, p)
        expect = np.zeros(3)
        expect[others[0]] = -1.0
        assert np.allclose(q, expect)


def test_image_center():
    assert g.image_center((5, 7)) == (2.0, 3.0)
    assert g.image_center((4, 4, 4)) == (1.5, 1.5, 1.5)


def test_compose_applies_in_argument_order():
    s, t = g.scaling(2), g.translation((1, 0))
    assert np.allclose(g.transform_points(g.compose(s, t), [[1, 1]]), [[3, 2]])
    assert np.allclose(g.transform_points(g.compose(t, s), [[1, 1]]), [[4, 2]])
    assert np.array_equal(g.compose(s), s)


def test_course_matrices_in_both_conventions():
    th = np.deg2rad(30.0)
    c, s = np.cos(th), np.sin(th)
    cases = [
        (np.eye(3), g.identity()),
        ([[2, 0, 0], [0, 3, 0], [0, 0, 1]], g.scaling((3, 2))),  # cx = 2 (cols), cy = 3 (rows)
        ([[1, 0, 0], [0, 1, 0], [4, 5, 1]], g.translation((5, 4))),  # tx = 4 (cols), ty = 5 (rows)
        ([[1, 0, 0], [0.5, 1, 0], [0, 0, 1]], g.shear(0.5, axis=1)),  # x' = x + sv y
        ([[1, 0.5, 0], [0, 1, 0], [0, 0, 1]], g.shear(0.5, axis=0)),  # y' = sh x + y
        ([[c, -s, 0], [s, c, 0], [0, 0, 1]], g.rotation(30)),
    ]
    for t, m in cases:
        assert np.allclose(g.from_row_convention(t), m)
        assert np.allclose(g.to_row_convention(m), t)
        # same action on a point: [x y 1] T == (M [row col 1])
        x, y = 2.5, -1.0
        xy = np.array([x, y, 1.0]) @ np.asarray(t, dtype=float)
        rc = g.transform_points(m, [[y, x]])[0]
        assert np.allclose(rc, [xy[1], xy[0]])


def test_transform_points_homography_divides():
    h = np.array([[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0]])
    assert np.allclose(g.transform_points(h, [[3, 4]]), [[3, 4]])
    h = np.array([[1.0, 0, 0], [0, 1, 0], [0.5, 0, 1]])
    assert np.allclose(g.transform_points(h, [[2, 4]]), [[1, 2]])
    out = g.transform_points(np.array([[1.0, 0, 0], [0, 1, 0], [1, 0, 0]]), [[0, 1]])
    assert not np.isfinite(out).all()


@settings(deadline=None, max_examples=25)
@given(angles, angles, coords, coords, st.floats(0.2, 5), st.floats(-2, 2))
def test_inverse_of_composition_reverses_order(a1, a2, ty, tx, sc, sh):
    a = g.compose(g.rotation(a1, (ty, tx)), g.scaling(sc))
    b = g.compose(g.shear(sh), g.rotation(a2), g.translation((tx, ty)))
    left = g.invert(g.compose(a, b))
    right = g.compose(g.invert(b), g.invert(a))
    assert np.allclose(left, right, atol=1e-9 * max(1.0, np.abs(left).max()))


@settings(deadline=None, max_examples=25)
@given(angles, coords, coords)
def test_rotation_then_back_is_identity(theta, r, c):
    m = g.compose(g.rotation(theta, (r, c)), g.rotation(-theta, (r, c)))
    assert np.allclose(m, np.eye(3), atol=1e-9)


@settings(deadline=None, max_examples=25)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=9, max_size=9))
def test_row_convention_round_trip(values):
    t = np.array(values).reshape(3, 3)
    assert np.array_equal(g.to_row_convention(g.from_row_convention(t)), t)
    assert np.array_equal(g.from_row_convention(g.to_row_convention(t)), t)


def test_errors():
    with pytest.raises(ValueError, match="invertible"):
        g.invert(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="matrix"):
        g.invert(np.eye(2))
    with pytest.raises(ValueError, match="finite"):
        g.invert(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="2x3"):
        g.invert(np.eye(3)[:2])
    with pytest.raises(ValueError, match="ndim"):
        g.identity(4)
    with pytest.raises(TypeError, match="t"):
        g.translation(3)
    with pytest.raises(ValueError, match="c"):
        g.scaling((1, 2, 3, 4))
    with pytest.raises(ValueError, match="by"):
        g.shear(1.0, axis=0, ndim=3)
    with pytest.raises(ValueError, match="axis"):
        g.rotation(10, axis=3)
    with pytest.raises(ValueError, match="center"):
        g.rotation(10, (1, 2, 3))
    with pytest.raises(ValueError, match="matrices"):
        g.compose(np.eye(3), np.eye(4))
    with pytest.raises(ValueError, match="points"):
        g.transform_points(np.eye(3), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="shape"):
        g.image_center((0, 3))
