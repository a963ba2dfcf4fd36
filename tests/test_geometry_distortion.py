"""fastdip.geometry lens distortion (Brown–Conrady, OpenCV's model with fx = fy = f): hand cases and the
sign convention, then references (naive per-point formulas, OpenCV's maps and cv2.undistort), then properties
(inverse ∘ forward = identity, round trips, estimation), then pathologies and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import geometry
from tests import _naive_geometry_model as naive


def _camera_matrix(shape, center=None, focal=None):
    (cr, cc), f = naive.default_center_focal(shape)
    if center is not None:
        cr, cc = center
    if focal is not None:
        f = focal
    return np.array([[f, 0.0, cc], [0.0, f, cr], [0.0, 0.0, 1.0]])


def _cv_coeffs(k1=0.0, k2=0.0, k3=0.0, p1=0.0, p2=0.0):
    return np.array([k1, k2, p1, p2, k3])  # OpenCV's order


def _grid_image(shape, step=16, width=2):
    image = np.zeros(shape, np.uint8)
    for off in range(width):
        image[off::step, :] = 255
        image[:, off::step] = 255
    return image


# -- (a) hand cases and the sign convention --------------------------------------------------------------------


def test_zero_coefficients_give_the_identity_map():
    coords = geometry.distortion_map((4, 6))
    rows, cols = np.mgrid[:4, :6]
    np.testing.assert_array_equal(coords[0], rows)
    np.testing.assert_array_equal(coords[1], cols)
    np.testing.assert_allclose(geometry.distortion_map((4, 6), inverse=True), coords, atol=0)


def test_radial_map_by_hand():
    # centre (2, 2), f = 2: the corner (0, 0) is (x, y) = (-1, -1), r² = 2, k1 = -0.25 -> factor 0.5
    coords = geometry.distortion_map((5, 5), k1=-0.25, focal=2.0)
    np.testing.assert_allclose(coords[:, 0, 0], [1.0, 1.0])
    np.testing.assert_allclose(coords[:, 2, 2], [2.0, 2.0])  # the centre does not move
    # (row 2, col 4): x = 1, y = 0, r² = 1 -> x_d = 0.75 -> col 3.5
    np.testing.assert_allclose(coords[:, 2, 4], [2.0, 3.5])


def test_tangential_map_by_hand():
    # p1 alone: at (x, y) = (1, 0): x_d = 1, y_d = p1 (r² + 0) = p1 -> row shifts by f p1
    coords = geometry.distortion_map((5, 5), p1=0.1, focal=2.0)
    np.testing.assert_allclose(coords[:, 2, 4], [2.2, 4.0])
    coords = geometry.distortion_map((5, 5), p2=0.1, focal=2.0)  # x_d = 1 + p2 (1 + 2) -> col 4.6
    np.testing.assert_allclose(coords[:, 2, 4], [2.0, 4.6])


@pytest.mark.parametrize("k1, bows", [(-0.3, "outward"), (0.3, "inward")])
def test_barrel_bows_lines_outward_and_pincushion_inward(k1, bows):
    """A straight vertical line near the right border, seen through the lens: where are its points?"""
    shape = (101, 101)
    center, focal = naive.default_center_focal(shape)
    ideal = [(r, 90.0) for r in np.linspace(10, 90, 9)]
    seen = np.array([naive.distort_point(r, c, k1, center=center, focal=focal) for r, c in ideal])
    middle = seen[len(seen) // 2, 1] - center[1]
    ends = 0.5 * (seen[0, 1] + seen[-1, 1]) - center[1]
    assert (middle > ends) == (bows == "outward")  # barrel: middle farther from the centre than the ends
    # and the model's map agrees: the distorted image of the line is where distort() puts it
    coords = geometry.distortion_map(shape, k1=k1, inverse=True)  # distorted pixel -> ideal position
    for (r, c), (rd, cd) in zip(ideal, seen):
        i, j = int(round(rd)), int(round(cd))
        assert abs(coords[1, i, j] - c) < 1.5 and abs(coords[0, i, j] - r) < 1.5


def test_distorted_line_in_an_image_bows_the_right_way():
    image = np.zeros((81, 81), np.float32)
    image[:, 72] = 1.0  # a vertical line near the right border
    for k1, sign in ((-0.3, 1), (0.3, -1)):
        out = geometry.distort(image, k1=k1)
        cols = [np.average(np.arange(81), weights=out[r] + 1e-12) for r in (10, 40, 70)]
        middle, ends = cols[1] - 40, 0.5 * (cols[0] + cols[2]) - 40
        assert sign * (middle - ends) > 0.5


# -- (b) references --------------------------------------------------------------------------------------------


COEFFS = dict(k1=-0.2, k2=0.05, k3=0.01, p1=0.004, p2=-0.003)


def test_forward_map_matches_naive_points_and_opencv_maps():
    cv2 = pytest.importorskip("cv2")
    shape = (60, 80)
    center, focal = naive.default_center_focal(shape)
    coords = geometry.distortion_map(shape, **COEFFS)
    for r, c in [(0, 0), (5, 70), (59, 79), (30, 40), (12, 3)]:
        np.testing.assert_allclose(coords[:, r, c], naive.distort_point(r, c, **COEFFS, center=center,
                                                                          focal=focal), atol=1e-12)
    mx, my = cv2.initUndistortRectifyMap(_camera_matrix(shape), _cv_coeffs(**COEFFS), None,
                                         _camera_matrix(shape), (shape[1], shape[0]), cv2.CV_32FC1)
    # OpenCV's map is float32 (positions up to 80 px: float32 resolution ~1e-5 px)
    assert np.abs(mx - coords[1]).max() < 2e-5 and np.abs(my - coords[0]).max() < 2e-5


def test_inverse_map_matches_naive_fixed_point_and_opencv_undistort_points():
    cv2 = pytest.importorskip("cv2")
    shape = (50, 70)
    center, focal = naive.default_center_focal(shape)
    coords = geometry.distortion_map(shape, **COEFFS, inverse=True)
    for r, c in [(0, 0), (5, 60), (49, 69), (25, 35)]:
        np.testing.assert_allclose(coords[:, r, c], naive.undistort_point(r, c, **COEFFS, center=center,
                                                                            focal=focal), atol=1e-9)
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    pts = np.stack([cols, rows], -1).reshape(-1, 1, 2).astype(np.float64)
    k = _camera_matrix(shape)
    crit = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 200, 1e-14)
    ref = cv2.undistortPoints(pts, k, _cv_coeffs(**COEFFS), None, None, k, crit).reshape(shape + (2,))
    assert np.abs(ref[..., 0] - coords[1]).max() < 1e-6 and np.abs(ref[..., 1] - coords[0]).max() < 1e-6


@pytest.mark.parametrize("coeffs", [COEFFS, dict(k1=-0.6), dict(k1=0.3, p2=0.01)])
def test_inverse_map_equals_the_newton_twin_point_by_point(coeffs):
    """The same Newton iteration one point at a time in plain Python: same values, same NaN (unreachable)."""
    shape = (23, 31)
    center, focal = naive.default_center_focal(shape)
    coords = geometry.distortion_map(shape, **coeffs, inverse=True)
    expect = np.array([[naive.newton_undistort_point(r, c, **coeffs, center=center, focal=focal)
                        for c in range(shape[1])] for r in range(shape[0])]).transpose(2, 0, 1)
    np.testing.assert_array_equal(np.isnan(coords), np.isnan(expect))
    np.testing.assert_allclose(coords, expect, rtol=0, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("kind, p99, worst", [("camera", 1, 4), ("grid", 8, 16)])
def test_undistort_matches_opencv(camera, kind, p99, worst):
    cv2 = pytest.importorskip("cv2")
    image = np.ascontiguousarray(camera[::2, ::2]) if kind == "camera" else _grid_image((200, 240), 10, 3)
    shape = image.shape
    k = _camera_matrix(shape)
    ours = geometry.undistort(image, **COEFFS, dtype=np.uint8)
    ref = cv2.undistort(image, k, _cv_coeffs(**COEFFS), None, k)
    # OpenCV interpolates bilinearly in fixed point (weights in 1/32, map in float32): ±1 grey level on a
    # photo; on 0/255 edges a weight step of 1/32 is 8 grey levels
    inner = (slice(20, -20), slice(20, -20))
    diff = np.abs(ours[inner].astype(int) - ref[inner].astype(int))
    assert np.percentile(diff, 99) <= p99 and diff.max() <= worst
    mx, my = cv2.initUndistortRectifyMap(k, _cv_coeffs(**COEFFS), None, k, (shape[1], shape[0]),
                                         cv2.CV_32FC1)
    ref2 = cv2.remap(image, mx, my, cv2.INTER_LINEAR)
    diff2 = np.abs(ours[inner].astype(int) - ref2[inner].astype(int))
    assert np.percentile(diff2, 99) <= p99 and diff2.max() <= worst


def test_undistort_equals_remap_with_the_forward_map_and_scipy():
    from scipy import ndimage

    rng = np.random.default_rng(1)
    image = rng.random((40, 50))
    coords = geometry.distortion_map(image.shape, **COEFFS)
    ours = geometry.undistort(image, **COEFFS, interpolation="bilinear")
    np.testing.assert_allclose(ours, geometry.remap(image, coords), atol=0)
    ref = ndimage.map_coordinates(image, coords, order=1, mode="constant", cval=0.0)
    inner = (slice(5, -5), slice(5, -5))
    np.testing.assert_allclose(ours[inner], ref[inner], atol=1e-10)


@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize(("dtype", "channels", "interpolation", "mode", "out_dtype"), [
    (np.uint8, 0, "bilinear", "constant", None),
    (np.uint8, 0, "bilinear", "reflect", np.uint8),
    (np.float32, 3, "bicubic", "wrap", None),
    (np.uint16, 2, "nearest", "nearest", None),
    (np.float64, 0, "lanczos", "constant", np.float32),
])
def test_distort_and_undistort_in_chunks_equal_remap_of_the_whole_map(monkeypatch, inverse, dtype, channels,
                                                                      interpolation, mode, out_dtype):
    # the map is made a few rows at a time inside bands of rows (threads): the same bits as remap of the whole
    # map, whatever the chunk (1 row, 3 rows, a ragged last one, all rows) and with bands on two threads
    from fastdip import parallel

    rng = np.random.default_rng(11)
    shape = (37, 29) + ((channels,) if channels else ())
    image = (rng.random(shape) * 200).astype(dtype)
    axis = -1 if channels else None
    coeffs = {"k1": -0.28, "k2": 0.04, "p1": 0.004, "p2": -0.003}  # barrel: unreachable corners (cval) inverted
    call = geometry.distort if inverse else geometry.undistort
    coords = geometry.distortion_map(shape[:2], **coeffs, inverse=inverse)
    expected = geometry.remap(image, coords, interpolation=interpolation, mode=mode, cval=7.0, channel_axis=axis,
                              dtype=out_dtype)
    keep = image.copy()
    monkeypatch.setattr(parallel, "_idle_cores", parallel._usable_cores)
    for points, threads, big in ((29, 1, False), (3 * 29, 2, True), (10 * 29, 2, True), (1 << 16, 1, False)):
        monkeypatch.setattr("fastdip.geometry._distortion._MAP_CHUNK_POINTS", points)
        if big:  # bands on threads from any size
            monkeypatch.setattr("fastdip.geometry._distortion.PARALLEL_MIN_PIXELS", 4)
        with parallel.threads(threads):
            got = call(image, **coeffs, interpolation=interpolation, mode=mode, cval=7.0, channel_axis=axis,
                       dtype=out_dtype)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(image, keep)


# -- (c) properties --------------------------------------------------------------------------------------------


@given(k1=st.floats(-0.3, 0.3), k2=st.floats(-0.05, 0.05), p1=st.floats(-0.01, 0.01),
       p2=st.floats(-0.01, 0.01), rows=st.integers(2, 40), cols=st.integers(2, 40))
@settings(deadline=None, max_examples=25)  # ~1 ms each
def test_inverse_map_composed_with_forward_is_the_identity(k1, k2, p1, p2, rows, cols):
    shape = (rows, cols)
    center, focal = naive.default_center_focal(shape)
    inv = geometry.distortion_map(shape, k1=k1, k2=k2, p1=p1, p2=p2, inverse=True)
    ok = ~np.isnan(inv[0])
    assert ok[rows // 2, cols // 2]
    rr, cc = np.mgrid[:rows, :cols]
    for i, j in zip(*np.nonzero(ok)):
        back = naive.distort_point(inv[0, i, j], inv[1, i, j], k1, k2, 0.0, p1, p2, center=center, focal=focal)
        assert abs(back[0] - rr[i, j]) < 1e-6 and abs(back[1] - cc[i, j]) < 1e-6
    if k1 >= -0.1 and k2 >= -0.01:  # mild barrel (r_d grows up to past the corners): every pixel has a preimage
        assert ok.all()


def test_undistort_of_distort_gives_the_image_back(camera):
    from fastdip import metrics

    image = camera[::2, ::2].astype(np.float64)
    for k1 in (-0.15, 0.15):
        d = geometry.Distortion(k1=k1, k2=0.01, p1=0.002)
        there = geometry.distort(image, d, interpolation="bicubic")
        back = geometry.undistort(there, d, interpolation="bicubic")
        inner = (slice(24, -24), slice(24, -24))
        psnr = metrics.psnr(image[inner], back[inner], data_range=255)
        assert psnr > 30, (k1, psnr)
        assert metrics.psnr(image[inner], there[inner], data_range=255) < 25


@pytest.mark.parametrize("names", [("k1", "k2", "p1", "p2"), ("k1",), ("k1", "k2", "k3", "p1", "p2")])
def test_estimate_distortion_recovers_the_coefficients_exactly(names):
    shape = (120, 160)
    truth = {"k1": -0.18, "k2": 0.04, "k3": 0.0, "p1": 0.003, "p2": -0.002}
    truth = {n: (truth[n] if n in names else 0.0) for n in truth}
    ideal = np.array([[r, c] for r in np.linspace(0, 119, 9) for c in np.linspace(0, 159, 11)])
    center, focal = naive.default_center_focal(shape)
    seen = np.array([naive.distort_point(r, c, **truth, center=center, focal=focal) for r, c in ideal])
    d = geometry.estimate_distortion(seen, ideal, shape=shape, model=names)
    for n in ("k1", "k2", "k3", "p1", "p2"):
        assert getattr(d, n) == pytest.approx(truth[n], abs=1e-10)
    assert d.center == pytest.approx(center) and d.focal == pytest.approx(focal)


def test_estimate_distortion_with_noise_is_close_and_corrects_the_points():
    rng = np.random.default_rng(3)
    shape = (120, 160)
    center, focal = naive.default_center_focal(shape)
    truth = dict(k1=-0.18, k2=0.04, p1=0.003, p2=-0.002)
    ideal = np.array([[r, c] for r in np.linspace(0, 119, 13) for c in np.linspace(0, 159, 17)])
    seen = np.array([naive.distort_point(r, c, **truth, center=center, focal=focal) for r, c in ideal])
    seen += rng.normal(0, 0.2, seen.shape)
    d = geometry.estimate_distortion(seen, ideal, center=center, focal=focal)
    assert d.k1 == pytest.approx(truth["k1"], abs=0.01)
    assert d.k2 == pytest.approx(truth["k2"], abs=0.02)
    assert d.p1 == pytest.approx(truth["p1"], abs=0.002) and d.p2 == pytest.approx(truth["p2"], abs=0.002)
    # the fitted model predicts the true positions to well within the noise
    fitted = np.array([naive.distort_point(r, c, d.k1, d.k2, d.k3, d.p1, d.p2, center=center, focal=focal)
                       for r, c in ideal])
    clean = seen - (seen - np.array([naive.distort_point(r, c, **truth, center=center, focal=focal)
                                     for r, c in ideal]))
    assert np.sqrt(((fitted - clean) ** 2).mean()) < 0.1


def test_estimated_model_undistorts_a_distorted_grid():
    from fastdip import metrics

    shape = (96, 128)
    grid = _grid_image(shape, 12, 2).astype(np.float32)
    truth = geometry.Distortion(k1=-0.2, k2=0.03)
    seen_image = geometry.distort(grid, truth)
    ideal = np.array([[r, c] for r in range(0, 96, 12) for c in range(0, 128, 12)], float)
    center, focal = naive.default_center_focal(shape)
    seen = np.array([naive.distort_point(r, c, -0.2, 0.03, center=center, focal=focal) for r, c in ideal])
    d = geometry.estimate_distortion(seen, ideal, shape=shape, model=("k1", "k2"))
    fixed = geometry.undistort(seen_image, d)
    inner = (slice(10, -10), slice(10, -10))
    assert metrics.psnr(grid[inner], fixed[inner], data_range=255) > metrics.psnr(
        grid[inner], seen_image[inner], data_range=255) + 10


# -- pathologies and errors ------------------------------------------------------------------------------------


def test_strong_barrel_leaves_unreachable_pixels_nan_and_cval():
    coords = geometry.distortion_map((40, 40), k1=-0.6, inverse=True)
    assert np.isnan(coords[0, 0, 0]) and not np.isnan(coords[0, 20, 20])
    out = geometry.distort(np.ones((40, 40), np.float32), k1=-0.6, cval=-1.0, mode="nearest")
    assert out[0, 0] == -1.0 and out[20, 20] == 1.0


def test_colour_one_pixel_and_dtypes():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    out = geometry.undistort(image, k1=-0.1, channel_axis=-1, interpolation="nearest")
    assert out.shape == image.shape and out.dtype == np.uint8
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], geometry.undistort(image[..., c], k1=-0.1,
                                                                      interpolation="nearest"))
    assert geometry.undistort(image, k1=-0.1, channel_axis=-1).dtype == np.float32
    assert geometry.distort(np.array([[5.0]]), k1=0.2).tolist() == [[5.0]]
    const = np.full((21, 23), 7.0)
    np.testing.assert_allclose(geometry.undistort(const, k1=0.1, mode="nearest"), 7.0)


def test_model_and_keywords_are_exclusive_and_validated():
    d = geometry.Distortion(k1=0.1)
    with pytest.raises(ValueError, match="k1 must be left at its default"):
        geometry.undistort(np.zeros((4, 4)), d, k1=0.2)
    with pytest.raises(TypeError, match="model must be"):
        geometry.distortion_map((4, 4), {"k1": 0.1})
    with pytest.raises(ValueError, match="focal must be"):
        geometry.distortion_map((4, 4), focal=0)
    with pytest.raises(ValueError, match="k2 must be a finite"):
        geometry.distort(np.zeros((4, 4)), k2=np.nan)
    with pytest.raises(ValueError, match="center must be"):
        geometry.distortion_map((4, 4), center=(1, 2, 3))
    with pytest.raises(ValueError, match="shape must be"):
        geometry.distortion_map((4, 0))
    with pytest.raises(ValueError, match="image must be a 2-D"):
        geometry.undistort(np.zeros((4, 4, 4)), k1=0.1)


def test_estimate_distortion_errors_name_the_parameter():
    pts = np.array([[0, 0], [10, 0], [0, 10], [10, 10]], float)
    with pytest.raises(ValueError, match="shape must be"):
        geometry.estimate_distortion(pts, pts)
    with pytest.raises(ValueError, match="ideal_points must be an array of the same shape"):
        geometry.estimate_distortion(pts, pts[:3], shape=(11, 11))
    with pytest.raises(ValueError, match="model must be"):
        geometry.estimate_distortion(pts, pts, shape=(11, 11), model=("k4",))
    with pytest.raises(ValueError, match="distorted_points must contain only finite"):
        geometry.estimate_distortion(np.full((4, 2), np.nan), pts, shape=(11, 11))
    centre_only = np.full((5, 2), 5.0)
    with pytest.raises(ValueError, match="ideal_points must be points that determine"):
        geometry.estimate_distortion(centre_only, centre_only, shape=(11, 11))
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    circle = 5.0 + 4.0 * np.stack([np.sin(angles), np.cos(angles)], 1)  # one radius: k1, k2, k3 inseparable
    with pytest.raises(ValueError, match="ideal_points must be points that determine"):
        geometry.estimate_distortion(circle, circle, shape=(11, 11), model=("k1", "k2"))


def test_distortion_dataclass_is_frozen_and_prints():
    d = geometry.Distortion(k1=-0.2, center=(1.0, 2.0), focal=3.0)
    with pytest.raises(AttributeError):
        d.k1 = 0.0
    assert "k1=-0.2" in str(d) and "(1, 2)" in str(d)
