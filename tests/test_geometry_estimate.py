"""fastdip.geometry point-based estimation: affine (least squares), homography (normalised DLT), polynomial
warps. Hand cases, then references (skimage, OpenCV, numpy least squares, a naive point mapper), then
properties (hypothesis), then pathologies and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import geometry
from tests import _naive_geometry_model as naive

#: (row, col) <-> (x, y): OpenCV and skimage work in (x, y) = (col, row); their matrices are P M P
P = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def _apply_affine(m, pts):
    return pts @ m[:-1, :-1].T + m[:-1, -1]


def _random_points(rng, n, low=0.0, high=200.0):
    return rng.uniform(low, high, (n, 2))


# -- (a) hand cases ----------------------------------------------------------------------------------------------


def test_affine_from_three_points_is_exact():
    src = [[0, 0], [0, 1], [1, 0]]
    dst = [[3, 4], [3, 6], [2, 4]]  # row' = 3 - row, col' = 2 col + 4
    m = geometry.estimate_affine(src, dst)
    np.testing.assert_allclose(m, [[-1, 0, 3], [0, 2, 4], [0, 0, 1]], atol=1e-12)


def test_affine_3d_recovers_a_shift():
    src = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], float)
    m = geometry.estimate_affine(src, src + [1, 2, 3])
    expected = np.eye(4)
    expected[:3, 3] = [1, 2, 3]
    np.testing.assert_allclose(m, expected, atol=1e-12)


def test_homography_square_to_trapezoid_maps_the_corners():
    src = np.array([[0, 0], [0, 10], [10, 0], [10, 10]], float)
    dst = np.array([[0, 0], [0, 10], [10, 2], [10, 8]], float)
    h = geometry.estimate_homography(src, dst)
    assert h[2, 2] == 1.0
    np.testing.assert_allclose(naive.apply_homography(h, src), dst, atol=1e-9)
    np.testing.assert_allclose(geometry.transform_points(h, src), dst, atol=1e-9)
    # the centre of the square goes to the crossing of the trapezoid's diagonals, row 5 * 10/ (10 + 6) * ...
    centre = naive.apply_homography(h, [[5, 5]])[0]
    assert centre[1] == pytest.approx(5.0) and 0 < centre[0] < 10


def test_polynomial_terms_follow_the_course_order():
    np.testing.assert_array_equal(geometry.polynomial_terms([[2, 3]], 1), [[2, 3, 1]])
    np.testing.assert_array_equal(geometry.polynomial_terms([[2, 3]], 2), [[2, 3, 4, 9, 6, 1]])
    np.testing.assert_array_equal(geometry.polynomial_terms([[2, 3]], 3),
                                  [[2, 3, 4, 9, 6, 8, 27, 12, 18, 1]])


def test_polynomial_of_order_1_is_the_affine_in_row_form():
    rng = np.random.default_rng(1)
    src = _random_points(rng, 12)
    m = np.array([[1.2, 0.1, 4.0], [-0.3, 0.8, 2.0], [0, 0, 1]])
    dst = _apply_affine(m, src)
    t = geometry.estimate_polynomial(src, dst, order=1)
    np.testing.assert_allclose(t, m[:2].T, atol=1e-9)  # [x y 1] · T: T is M's top two rows transposed


# -- (b) references ----------------------------------------------------------------------------------------------


def test_affine_matches_skimage_and_numpy_least_squares():
    from skimage.transform import AffineTransform

    rng = np.random.default_rng(2)
    src = _random_points(rng, 30)
    exact = _apply_affine(np.array([[0.9, 0.2, 5], [-0.1, 1.1, -7], [0, 0, 1.0]]), src)
    sk = AffineTransform.from_estimate(src[:, ::-1], exact[:, ::-1]).params
    np.testing.assert_allclose(geometry.estimate_affine(src, exact), P @ sk @ P, atol=1e-9)
    dst = exact + rng.normal(0, 0.5, (30, 2))
    m = geometry.estimate_affine(src, dst)
    design = np.hstack([src, np.ones((30, 1))])
    lsq, *_ = np.linalg.lstsq(design, dst, rcond=None)
    np.testing.assert_allclose(m[:2], lsq.T, atol=1e-9)  # ordinary least squares in dst
    # skimage solves the homogeneous system by SVD (total least squares): close, not equal, with noise
    sk = AffineTransform.from_estimate(src[:, ::-1], dst[:, ::-1]).params
    assert np.abs(_apply_affine(m, src) - _apply_affine(P @ sk @ P, src)).max() < 0.05


def test_homography_matches_opencv_after_the_axis_swap():
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(3)
    h_true = np.array([[1.05, 0.1, 3.0], [-0.05, 0.95, -2.0], [2e-4, -3e-4, 1.0]])
    src = _random_points(rng, 40)
    dst = naive.apply_homography(h_true, src)
    h = geometry.estimate_homography(src, dst)
    np.testing.assert_allclose(h, h_true, atol=1e-9)
    hc, _ = cv2.findHomography(src[:, ::-1], dst[:, ::-1], 0)
    np.testing.assert_allclose(P @ hc @ P, h, atol=1e-5)  # cv2 refines in float; exact data: same H
    noisy = dst + rng.normal(0, 0.3, dst.shape)
    h = geometry.estimate_homography(src, noisy)
    hc, _ = cv2.findHomography(src[:, ::-1], noisy[:, ::-1], 0)
    # DLT (algebraic) vs cv2 (DLT + reprojection refinement): the mapped points agree to well within the noise
    diff = naive.apply_homography(h, src) - naive.apply_homography(P @ hc @ P, src)
    assert np.abs(diff).max() < 0.1


def test_polynomial_matches_a_naive_evaluation():
    rng = np.random.default_rng(4)
    src = _random_points(rng, 25)
    t_true = rng.normal(0, 1, (10, 2)) * [[1], [1], [1e-3], [1e-3], [1e-3], [1e-6], [1e-6], [1e-6], [1e-6], [5]]
    dst = np.array([naive.polynomial_value(t_true, 3, r, c) for r, c in src])
    t = geometry.estimate_polynomial(src, dst, order=3)
    np.testing.assert_allclose(geometry.polynomial_terms(src, 3) @ t, dst, atol=1e-8)
    np.testing.assert_allclose(t, t_true, rtol=1e-6, atol=1e-10)


def test_warp_polynomial_registers_a_distorted_image_back():
    from fastdip import filters

    image = np.zeros((64, 64))
    image[16:48:4, :] = 1.0
    image[:, 10:54:6] += 1.0
    image = filters.gaussian(image, 1.0).astype(np.float64)
    # the "photo": a smooth quadratic warp of the image (photo pixel q reads the image at g(q))
    g = np.array([[1.0, 0.0], [0.0, 1.0], [0.002, 0.0], [0.0, -0.002], [0.001, 0.001], [-2.0, 3.0]])
    photo = geometry.warp_polynomial(image, g, mode="nearest")
    # tie points: photo point q <-> image point p = g(q). To put the photo back on the image grid each
    # output (image) pixel p must read the photo at q = g⁻¹(p): the backward map, estimated from p to q
    seen = np.array([[r, c] for r in range(0, 64, 7) for c in range(0, 64, 7)], float)
    ideal = geometry.polynomial_terms(seen, 2) @ g
    t = geometry.estimate_polynomial(ideal, seen, order=2)
    # g⁻¹ is not exactly quadratic: the fit is good to a fraction of a pixel here
    assert np.abs(geometry.polynomial_terms(ideal, 2) @ t - seen).max() < 0.5
    back = geometry.warp_polynomial(photo, t, mode="nearest")
    inner = (slice(12, 52), slice(12, 52))
    assert np.abs(back[inner] - image[inner]).mean() < 0.06
    assert np.abs(photo[inner] - image[inner]).mean() > 0.15


def test_warp_polynomial_identity_and_shift_match_hand_values():
    image = np.arange(20, dtype=np.float32).reshape(4, 5)
    ident = np.array([[1, 0], [0, 1], [0, 0]], float)
    np.testing.assert_array_equal(geometry.warp_polynomial(image, ident), image)
    shift = np.array([[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0.5, 0]], float)
    out = geometry.warp_polynomial(image, shift, interpolation="bilinear", output_shape=(3, 5))
    np.testing.assert_allclose(out, image[:3] + 2.5)
    assert out.dtype == np.float32


def test_warp_polynomial_colour_keeps_channels():
    rng = np.random.default_rng(6)
    image = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
    ident = np.array([[1, 0], [0, 1], [0, 0]], float)
    out = geometry.warp_polynomial(image, ident, interpolation="nearest", channel_axis=-1)
    np.testing.assert_array_equal(out, image)


# -- (c) properties ----------------------------------------------------------------------------------------------


@st.composite
def _affine(draw):
    angle = draw(st.floats(-np.pi, np.pi))
    sr, sc = draw(st.floats(0.3, 3.0)), draw(st.floats(0.3, 3.0))
    shear = draw(st.floats(-0.5, 0.5))
    tr, tc = draw(st.floats(-100, 100)), draw(st.floats(-100, 100))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    a = rot @ np.array([[sr, shear], [0, sc]])
    m = np.eye(3)
    m[:2, :2], m[:2, 2] = a, (tr, tc)
    return m


@given(m=_affine(), seed=st.integers(0, 2 ** 32 - 1), n=st.integers(3, 30))
@settings(deadline=None, max_examples=25)  # ~1 ms each
def test_affine_recovers_random_transforms(m, seed, n):
    rng = np.random.default_rng(seed)
    src = _random_points(rng, n, -100, 300)
    src[:3] = [[0, 0], [0, 200], [200, 0]]  # well spread
    est = geometry.estimate_affine(src, _apply_affine(m, src))
    np.testing.assert_allclose(est, m, atol=1e-9 * max(1.0, np.abs(m).max()))
    noise = 0.5
    dst = _apply_affine(m, src) + rng.normal(0, noise, src.shape)
    est = geometry.estimate_affine(src, dst)
    if n >= 10:  # the fitted points are within the noise of the true ones
        err = _apply_affine(est, src) - _apply_affine(m, src)
        assert np.sqrt((err ** 2).mean()) < 2 * noise


@st.composite
def _homography(draw):
    m = draw(_affine())
    m[2, 0] = draw(st.floats(-1e-3, 1e-3))
    m[2, 1] = draw(st.floats(-1e-3, 1e-3))
    return m


@given(h=_homography(), seed=st.integers(0, 2 ** 32 - 1), n=st.integers(4, 30))
@settings(deadline=None, max_examples=25)  # ~1 ms each
def test_homography_recovers_random_transforms(h, seed, n):
    rng = np.random.default_rng(seed)
    src = _random_points(rng, n)
    src[:4] = [[0, 0], [0, 200], [200, 0], [200, 200]]
    dst = naive.apply_homography(h, src)
    est = geometry.estimate_homography(src, dst)
    np.testing.assert_allclose(est, h / h[2, 2], rtol=1e-7, atol=1e-9 * np.abs(h).max())
    np.testing.assert_allclose(naive.apply_homography(est, src), dst, atol=1e-7)
    noise = 0.3
    est = geometry.estimate_homography(src, dst + rng.normal(0, noise, dst.shape))
    if n >= 12:
        err = naive.apply_homography(est, src) - dst
        assert np.sqrt((err ** 2).mean()) < 2 * noise


@given(seed=st.integers(0, 2 ** 32 - 1), order=st.sampled_from([1, 2, 3]))
@settings(deadline=None, max_examples=25)  # ~1 ms each
def test_polynomial_recovers_random_polynomials(seed, order):
    rng = np.random.default_rng(seed)
    m = len(geometry.polynomial_terms([[0, 0]], order)[0])
    src = _random_points(rng, 3 * m)
    scale = np.array([1.0, 1.0, 1e-3, 1e-3, 1e-3, 1e-6, 1e-6, 1e-6, 1e-6, 1.0])
    scale = np.r_[scale[: m - 1], 5.0][:, None]
    t_true = rng.normal(0, 1, (m, 2)) * scale
    dst = geometry.polynomial_terms(src, order) @ t_true
    t = geometry.estimate_polynomial(src, dst, order)
    np.testing.assert_allclose(geometry.polynomial_terms(src, order) @ t, dst, atol=1e-8)
    noise = 0.3
    t = geometry.estimate_polynomial(src, dst + rng.normal(0, noise, dst.shape), order)
    err = geometry.polynomial_terms(src, order) @ t - dst
    assert np.sqrt((err ** 2).mean()) < 1.5 * noise


def test_homography_inverse_is_the_swapped_estimate():
    rng = np.random.default_rng(7)
    src = _random_points(rng, 10)
    h = np.array([[0.9, 0.1, 5.0], [0.02, 1.1, -3.0], [1e-4, 2e-4, 1.0]])
    dst = naive.apply_homography(h, src)
    forward = geometry.estimate_homography(src, dst)
    backward = geometry.estimate_homography(dst, src)
    prod = forward @ backward
    np.testing.assert_allclose(prod / prod[2, 2], np.eye(3), atol=1e-9)


# -- pathologies and errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("func, n", [(geometry.estimate_affine, 2), (geometry.estimate_homography, 3)])
def test_too_few_points_are_refused(func, n):
    pts = np.arange(2 * n, dtype=float).reshape(n, 2) ** 2
    with pytest.raises(ValueError, match="src must be at least"):
        func(pts, pts)


def test_polynomial_needs_enough_points():
    pts = np.random.default_rng(8).random((5, 2))
    with pytest.raises(ValueError, match="at least 6 points"):
        geometry.estimate_polynomial(pts, pts, order=2)


@pytest.mark.parametrize("func", [geometry.estimate_affine, geometry.estimate_homography])
def test_collinear_points_are_refused(func):
    line = np.array([[0, 0], [1, 2], [2, 4], [3, 6], [5, 10]], float)
    with pytest.raises(ValueError, match="src must be points"):
        func(line, line * 2)


def test_nearly_collinear_points_are_refused_relative_to_their_spread():
    line = np.array([[0, 0], [1000, 1000], [2000, 2000], [3000, 3000.000001]])
    with pytest.raises(ValueError, match="on one line"):
        geometry.estimate_affine(line, line)
    small = np.array([[0, 0], [1e-3, 0], [0, 1e-3]])  # tiny but not degenerate
    np.testing.assert_allclose(geometry.estimate_affine(small, small), np.eye(3), atol=1e-9)


def test_three_collinear_of_four_is_refused_for_a_homography():
    src = [[0, 0], [5, 5], [10, 10], [0, 10]]
    dst = [[0, 0], [5, 6], [10, 10], [0, 10]]
    with pytest.raises(ValueError, match="homography"):
        geometry.estimate_homography(src, dst)


def test_points_on_a_line_cannot_fix_a_polynomial():
    pts = np.stack([np.arange(12.0), 2 * np.arange(12.0)], axis=1)
    with pytest.raises(ValueError, match="src must be points that fix"):
        geometry.estimate_polynomial(pts, pts, order=2)


def test_shape_and_value_errors_name_the_parameter():
    good = [[0, 0], [0, 1], [1, 0]]
    with pytest.raises(ValueError, match="dst must be an array of the same shape"):
        geometry.estimate_affine(good, good[:2])
    with pytest.raises(ValueError, match="src must contain only finite"):
        geometry.estimate_affine([[0, 0], [0, np.nan], [1, 0]], good)
    with pytest.raises(ValueError, match=r"src must be a \(n, 2\)"):
        geometry.estimate_homography(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(TypeError, match="src must be"):
        geometry.estimate_affine("abc", good)
    with pytest.raises(ValueError, match="order must be 1, 2 or 3"):
        geometry.polynomial_terms(good, order=4)
    with pytest.raises(ValueError, match="coeffs must be an array of shape"):
        geometry.warp_polynomial(np.zeros((4, 4)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="coeffs must be an array of finite"):
        geometry.warp_polynomial(np.zeros((4, 4)), np.full((3, 2), np.nan))


def test_inputs_are_not_modified():
    rng = np.random.default_rng(9)
    src = _random_points(rng, 8)
    dst = src * 1.5 + 2
    copies = src.copy(), dst.copy()
    geometry.estimate_affine(src, dst)
    geometry.estimate_homography(src, dst)
    geometry.estimate_polynomial(src, dst, 2)
    np.testing.assert_array_equal(src, copies[0])
    np.testing.assert_array_equal(dst, copies[1])


def test_one_pixel_and_constant_images_warp():
    ident = np.array([[1, 0], [0, 1], [0, 0]], float)
    assert geometry.warp_polynomial(np.array([[7.0]]), ident).tolist() == [[7.0]]
    const = np.full((9, 11), 3, np.uint8)
    shift = np.array([[1, 0], [0, 1], [0.25, 0.5]])
    out = geometry.warp_polynomial(const, shift, mode="nearest")
    np.testing.assert_allclose(out, 3.0)


def test_homography_round_trip_with_the_estimated_matrix(camera):
    """warp_perspective by H, then by invert(H) (H estimated from the corners) gives the image back inside."""
    from fastdip import metrics

    image = np.ascontiguousarray(camera[::2, ::2]).astype(np.float64)
    m, n = image.shape
    rect = np.array([[0, 0], [0, n - 1], [m - 1, 0], [m - 1, n - 1]], float)
    trapezoid = np.array([[10, 30], [5, n - 40], [m - 8, 3], [m - 2, n - 6]], float)
    h = geometry.estimate_homography(rect, trapezoid)
    there = geometry.warp_perspective(image, h, interpolation="bicubic")
    back = geometry.warp_perspective(there, geometry.invert(h), interpolation="bicubic")
    inner = (slice(40, m - 40), slice(40, n - 40))
    assert metrics.psnr(image[inner], back[inner], data_range=255) > 28
    assert metrics.psnr(image[inner], there[inner], data_range=255) < 20


def test_homography_sending_the_origin_to_infinity_has_unit_norm():
    h_true = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # (1/row, col/row): H[2, 2] = 0
    src = np.array([[1, 0], [2, 1], [4, -3], [1, 5], [3, 3]], float)
    dst = naive.apply_homography(h_true, src)
    h = geometry.estimate_homography(src, dst)
    assert np.linalg.norm(h) == pytest.approx(1.0) and abs(h[2, 2]) < 1e-9
    np.testing.assert_allclose(h, h_true / np.linalg.norm(h_true), atol=1e-9)
    np.testing.assert_allclose(naive.apply_homography(h, src), dst, atol=1e-9)
