"""fastdip.geometry warps: hand cases, references (scipy.ndimage, OpenCV, a naive sampler), properties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from fastdip import geometry as g
from tests import _naive_geometry as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
#: fastdip mode -> scipy.ndimage mode with the same meaning for interpolation
SCIPY_MODE = {"constant": "grid-constant", "wrap": "grid-wrap"}
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos")


def _smooth(rng, shape, dtype=np.float64):
    f = ndimage.gaussian_filter(rng.random(shape), 1.5)
    f = (f - f.min()) / (f.max() - f.min())
    if np.dtype(dtype) == np.uint8:
        return np.rint(255 * f).astype(np.uint8)
    return f.astype(dtype)


# -- hand-worked cases ---------------------------------------------------------------------------------------


def test_translation_with_nearest_shifts_exactly():
    f = np.arange(1, 31, dtype=np.uint8).reshape(5, 6)
    out = g.warp_affine(f, g.translation((1, 2)), interpolation="nearest")
    expect = np.zeros_like(f)
    expect[1:, 2:] = f[:-1, :-2]
    assert out.dtype == np.uint8
    assert np.array_equal(out, expect)
    # bilinear at integer shifts is exact too (float32 result)
    out = g.warp_affine(f, g.translation((1, 2)))
    assert out.dtype == np.float32 and np.array_equal(out, expect)


def test_identity_returns_the_input_by_the_dtype_rule():
    f = np.arange(20, dtype=np.uint16).reshape(4, 5)
    for interp in INTERPOLATIONS:
        out = g.warp_affine(f, g.identity(), interpolation=interp)
        assert np.array_equal(out, f)
        assert out.dtype == (np.uint16 if interp == "nearest" else np.float32)
    assert g.warp_affine(f.astype(np.float64), g.identity()).dtype == np.float64
    assert g.warp_affine(f.astype(np.int16), g.identity(), interpolation="nearest").dtype == np.int16


def test_rotate_90_reshape_and_center():
    f = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert np.array_equal(g.rotate(f, 90, reshape=True, interpolation="nearest"), np.rot90(f))
    sq = np.arange(16, dtype=np.float64).reshape(4, 4)
    assert np.allclose(g.rotate(sq, 90), np.rot90(sq))
    assert np.allclose(g.rotate(sq, -90), np.rot90(sq, -1))


def test_half_way_points_round_up_with_nearest():
    f = np.array([[0, 1, 2, 3]], dtype=np.uint8)
    out = g.remap(f, [[[0, 0, 0]], [[0.5, 1.5, 2.4999]]], interpolation="nearest")
    assert np.array_equal(out, [[1, 2, 2]])


def test_constant_border_fades_over_one_pixel():
    f = np.ones((3, 3))
    out = g.remap(f, [[[1, 1, 1, 1]], [[2.0, 2.5, 3.0, -0.25]]], cval=0.0)
    assert np.allclose(out, [[1.0, 0.5, 0.0, 0.75]])


# -- remap against scipy.ndimage.map_coordinates and the naive sampler -------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("order", [0, 1])
def test_remap_matches_map_coordinates(rng, mode, order):
    f = rng.random((13, 17))
    coords = rng.uniform(-6, 22, (2, 21, 19))
    if order == 0 and mode in ("reflect", "mirror"):
        # scipy reflects the coordinate before rounding: exact half-way points outside may round the other way
        coords = np.where(np.abs(coords - np.round(coords) - 0.5) < 1e-9, coords + 0.1, coords)
    interp = ("nearest", "bilinear")[order]
    out = g.remap(f, coords, interpolation=interp, mode=mode, cval=0.3)
    ref = ndimage.map_coordinates(f, coords, order=order, mode=SCIPY_MODE.get(mode, mode), cval=0.3,
                                  prefilter=False)
    assert np.allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_remap_3d_matches_map_coordinates(rng, mode):
    v = rng.random((6, 7, 8))
    coords = rng.uniform(-3, 10, (3, 5, 6, 7))
    for order, interp in ((0, "nearest"), (1, "bilinear")):
        out = g.remap(v, coords, interpolation=interp, mode=mode, cval=0.5)
        ref = ndimage.map_coordinates(v, coords, order=order, mode=SCIPY_MODE.get(mode, mode), cval=0.5,
                                      prefilter=False)
        assert np.allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("interp", ["bicubic", "lanczos"])
@pytest.mark.parametrize("mode", MODES)
def test_remap_high_order_matches_naive(rng, interp, mode):
    f = rng.random((9, 11))
    coords = rng.uniform(-4, 14, (2, 7, 6))
    out = g.remap(f, coords, interpolation=interp, mode=mode, cval=0.2)
    assert np.allclose(out, naive.remap(f, coords, interp, mode, 0.2), atol=1e-12)


def test_bicubic_is_keys_half_not_opencv(rng):
    cv2 = pytest.importorskip("cv2")
    f = _smooth(rng, (40, 40), np.float32)
    coords = rng.uniform(5, 34, (2, 30, 30)).astype(np.float32)
    ours = g.remap(f, coords, interpolation="bicubic")
    opencv = cv2.remap(f, coords[1], coords[0], cv2.INTER_CUBIC)  # Keys a = -0.75
    assert np.allclose(ours, naive.remap(f, coords, "bicubic"), atol=1e-5)
    d = np.abs(ours - opencv).max()
    assert 1e-4 < d < 0.05  # close, but a different kernel


def test_remap_nan_and_huge_coordinates_give_cval():
    f = np.ones((4, 4), dtype=np.float32)
    for interp in INTERPOLATIONS:
        out = g.remap(f, [[[np.nan, 1e12, 1.0]], [[1.0, 1.0, -np.inf]]], interpolation=interp, cval=7,
                      mode="wrap")
        assert np.array_equal(out, [[7, 7, 7]])


def test_remap_colour_and_channel_axis_first(rng):
    f = rng.random((10, 12, 3))
    coords = rng.uniform(-2, 12, (2, 5, 4))
    out = g.remap(f, coords, channel_axis=-1, mode="reflect", interpolation="bicubic")
    for ch in range(3):
        assert np.allclose(out[..., ch], g.remap(f[..., ch], coords, mode="reflect", interpolation="bicubic"))
    first = g.remap(np.moveaxis(f, -1, 0), coords, channel_axis=0, mode="reflect", interpolation="bicubic")
    assert np.allclose(first, np.moveaxis(out, -1, 0))


# -- warp_affine / warp_perspective against references -------------------------------------------------------


@pytest.mark.parametrize("interp", INTERPOLATIONS)
@pytest.mark.parametrize("mode", MODES)
def test_warp_affine_matches_naive(rng, interp, mode):
    f = rng.random((9, 12))
    m = g.compose(g.rotation(35, g.image_center(f.shape)), g.scaling((1.1, 0.9)), g.translation((0.3, -0.7)))
    out = g.warp_affine(f, m, output_shape=(11, 10), interpolation=interp, mode=mode, cval=0.4)
    ref = naive.warp_affine(f, m, (11, 10), interp, mode, 0.4)
    assert np.allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_warp_affine_matches_scipy_affine_transform(rng, mode):
    f = rng.random((50, 61))
    m = g.compose(g.rotation(-20, g.image_center(f.shape)), g.shear(0.2), g.translation((3.3, -2.1)))
    for order, interp in ((0, "nearest"), (1, "bilinear")):
        out = g.warp_affine(f, m, output_shape=(55, 50), interpolation=interp, mode=mode, cval=0.1)
        # scipy takes the inverse (output -> input) matrix in (row, col) order
        ref = ndimage.affine_transform(f, np.linalg.inv(m), output_shape=(55, 50), order=order,
                                       mode=SCIPY_MODE.get(mode, mode), cval=0.1, prefilter=False)
        assert np.allclose(out, ref, atol=1e-12)


def test_warp_affine_matches_opencv_uint8(camera):
    cv2 = pytest.importorskip("cv2")
    f = np.ascontiguousarray(camera[::2, ::2])
    m = g.rotation(35, g.image_center(f.shape))
    a = g.to_row_convention(m)[:, :2].T  # cv2: forward 2x3 matrix in (x, y) order
    for flag, interp in ((cv2.INTER_NEAREST, "nearest"), (cv2.INTER_LINEAR, "bilinear")):
        ref = cv2.warpAffine(f, a, f.shape[::-1], flags=flag, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        out = g.warp_affine(f, m, interpolation=interp, dtype=np.uint8)
        # cv2 quantises positions to 1/32 pixel (5 bits) for uint8: nearest may pick the other pixel at
        # near-half-way points, bilinear may differ by 1 level; compare away from the border
        diff = np.abs(out.astype(int) - ref)[8:-8, 8:-8]
        if interp == "bilinear":
            assert diff.max() <= 1
        else:
            assert np.mean(diff > 0) < 0.01


def test_warp_affine_uint8_output_is_rounded_float(rng):
    f = _smooth(rng, (64, 70), np.uint8)
    m = g.rotation(23, g.image_center(f.shape))
    for mode in ("constant", "reflect"):
        exact = g.warp_affine(f, m, mode=mode, cval=3, interpolation="bilinear")
        direct = g.warp_affine(f, m, mode=mode, cval=3, interpolation="bilinear", dtype=np.uint8)
        assert direct.dtype == np.uint8
        diff = np.abs(direct.astype(int) - np.rint(exact))
        assert diff.max() <= 1 and np.mean(diff > 0) < 0.01  # fixed-point interior: ties and near-ties
    out = g.warp_affine(f, m, interpolation="bicubic", dtype=np.uint8)
    ref = np.clip(np.rint(g.warp_affine(f, m, interpolation="bicubic")), 0, 255)
    assert np.array_equal(out, ref)


def test_warp_affine_colour_shares_coordinates(rng):
    f = _smooth(rng, (30, 40, 3), np.uint8)
    m = g.rotation(15, g.image_center(f.shape[:2]))
    for interp in INTERPOLATIONS:
        out = g.warp_affine(f, m, channel_axis=-1, interpolation=interp, mode="mirror")
        for ch in range(3):
            assert np.allclose(out[..., ch], g.warp_affine(f[..., ch], m, interpolation=interp, mode="mirror"),
                               atol=1e-4)
    u8 = g.warp_affine(f, m, channel_axis=-1, dtype=np.uint8)
    for ch in range(3):
        assert np.array_equal(u8[..., ch], g.warp_affine(f[..., ch], m, dtype=np.uint8))


@pytest.mark.parametrize("mode", ["constant", "nearest", "wrap"])
def test_warp_affine_3d_matches_scipy(rng, mode):
    v = rng.random((20, 22, 24)).astype(np.float32)
    m = g.rotation(20, g.image_center(v.shape), axis=1)
    for order, interp in ((0, "nearest"), (1, "bilinear")):
        out = g.warp_affine(v, m, interpolation=interp, mode=mode)
        ref = ndimage.affine_transform(v.astype(np.float64), np.linalg.inv(m), order=order,
                                       mode=SCIPY_MODE.get(mode, mode), prefilter=False)
        assert out.dtype == np.float32
        assert np.allclose(out, ref, atol=1e-5)


def test_warp_affine_3d_high_order_matches_naive(rng):
    v = rng.random((5, 6, 7))
    m = g.compose(g.rotation(30, g.image_center(v.shape), axis=0), g.translation((0.2, 0.3, -0.4)))
    out = g.warp_affine(v, m, output_shape=(4, 5, 5), interpolation="bicubic", mode="reflect")
    assert np.allclose(out, naive.warp_affine(v, m, (4, 5, 5), "bicubic", "reflect"), atol=1e-12)


def test_warp_perspective_matches_naive_and_opencv(rng):
    f = _smooth(rng, (40, 50), np.float32)
    h = np.array([[1.0, 0.1, -2.0], [0.05, 0.9, 3.0], [0.002, -0.001, 1.0]])
    for interp in INTERPOLATIONS:
        out = g.warp_perspective(f, h, output_shape=(30, 35), interpolation=interp, mode="reflect")
        ref = naive.warp_affine(f.astype(np.float64), h, (30, 35), interp, "reflect")
        assert np.allclose(out, ref, atol=1e-5)
    cv2 = pytest.importorskip("cv2")
    t = g.to_row_convention(h).T  # cv2 homography acting on (x, y, 1) column vectors
    ref = cv2.warpPerspective(f, t, (35, 30), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    out = g.warp_perspective(f, h, output_shape=(30, 35))
    assert np.abs(out - ref)[2:-2, 2:-2].max() < 2e-2  # cv2 quantises positions to 1/32 pixel


def test_warp_perspective_behind_the_camera_is_cval():
    f = np.ones((5, 5))
    h = np.array([[1.0, 0, 0], [0, 1, 0], [-0.5, 0, 1]])  # divisor 1 - 0.5 * row of the output <= 0 for row >= 2
    out = g.warp_perspective(f, g.invert(h), mode="nearest", cval=9)
    assert np.all(out[2:] == 9) and np.all(out[:2] == 1)


def _perspective_coords(h, shape):
    """The input point of every output pixel, h^-1 q in the kernel's order of operations (NaN behind)."""
    inv = np.linalg.inv(h)
    i, j = np.indices(shape, dtype=np.float64)
    w = inv[2, 0] * i + inv[2, 1] * j + inv[2, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.stack([np.where(w > 0, (inv[0, 0] * i + inv[0, 1] * j + inv[0, 2]) / w, np.nan),
                         np.where(w > 0, (inv[1, 0] * i + inv[1, 1] * j + inv[1, 2]) / w, np.nan)])


@pytest.mark.parametrize("dtype,out_dtype", [(np.float32, None), (np.uint8, np.uint8), (np.uint8, None),
                                              (np.float64, None)])
def test_warp_perspective_is_remap_at_its_coordinates(rng, dtype, out_dtype):
    # each row's run of points with all taps inside goes in chunks, the ends through the general sampler, and
    # with 'constant' the points whose taps are all outside are cval straight away: the values of remap at the
    # same coordinates bit for bit; a horizon crossing the output (divisor <= 0: cval), rows wholly outside, a
    # strong perspective, three modes, colour
    f = (rng.random((37, 45)) * 250).astype(dtype)
    cases = [np.array([[1.0, 0.05, 3], [0.02, 0.95, -4], [1e-3, 2e-3, 1.0]]),
             np.array([[0.9, 0.3, 30], [-0.2, 1.1, -40], [3e-3, -5e-3, 1.0]]),
             np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [-0.03, 0.01, 1.0]]),  # horizon inside the output
             np.array([[2.0, 0.1, -60.0], [0.1, 2.0, 25.0], [0.0, 0.004, 1.0]])]
    for h in cases:
        coords = _perspective_coords(h, (41, 52))
        for interp in ("bilinear", "nearest"):
            for mode in ("constant", "reflect", "nearest"):
                got = g.warp_perspective(f, h, output_shape=(41, 52), interpolation=interp, mode=mode, cval=7,
                                         dtype=out_dtype)
                ref = g.remap(f, coords, interpolation=interp, mode=mode, cval=7, dtype=out_dtype)
                assert np.array_equal(got, ref, equal_nan=True), (h[2], interp, mode)
    rgb = (rng.random((37, 45, 3)) * 250).astype(dtype)
    got = g.warp_perspective(rgb, cases[1], output_shape=(41, 52), channel_axis=-1, cval=7, dtype=out_dtype)
    ref = g.remap(rgb, _perspective_coords(cases[1], (41, 52)), channel_axis=-1, cval=7, dtype=out_dtype)
    assert np.array_equal(got, ref)


# -- properties ------------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=25)
@given(st.floats(-180, 180, allow_nan=False))
def test_rotation_there_and_back_is_close_in_the_interior(theta):
    rng = np.random.default_rng(3)
    f = _smooth(rng, (48, 48))
    c = g.image_center(f.shape)
    back = g.warp_affine(g.warp_affine(f, g.rotation(theta, c), interpolation="bicubic", mode="reflect"),
                         g.rotation(-theta, c), interpolation="bicubic", mode="reflect")
    yy, xx = np.mgrid[:48, :48]
    inner = (yy - c[0]) ** 2 + (xx - c[1]) ** 2 < 15**2
    assert np.abs(back - f)[inner].max() < 0.05


@settings(deadline=None, max_examples=25)
@given(st.floats(-45, 45), st.floats(0.8, 1.25), st.floats(-3, 3), st.floats(-3, 3))
def test_compose_equals_warping_twice(theta, sc, ty, tx):
    rng = np.random.default_rng(4)
    f = _smooth(rng, (40, 40))
    c = g.image_center(f.shape)
    a = g.compose(g.rotation(theta, c), g.translation((ty, tx)))
    b = g.compose(g.translation((-c[0], -c[1])), g.scaling(sc), g.translation(c))
    once = g.warp_affine(f, g.compose(a, b), interpolation="bicubic", mode="nearest")
    twice = g.warp_affine(g.warp_affine(f, a, interpolation="bicubic", mode="nearest"), b,
                          interpolation="bicubic", mode="nearest")
    yy, xx = np.mgrid[:40, :40]
    inner = (yy - c[0]) ** 2 + (xx - c[1]) ** 2 < 10**2
    assert np.abs(once - twice)[inner].max() < 0.05


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 7), st.integers(1, 7), st.floats(-50, 50), st.sampled_from(MODES),
       st.sampled_from(INTERPOLATIONS))
def test_tiny_and_constant_images(h, w, theta, mode, interp):
    f = np.full((h, w), 5.0)
    out = g.rotate(f, theta, mode=mode, interpolation=interp, cval=5.0)
    assert np.allclose(out, 5.0)
    one = g.warp_affine(np.array([[3]], dtype=np.uint8), g.rotation(theta), interpolation=interp, mode=mode)
    assert one.shape == (1, 1)


def test_nan_in_image_stays_local():
    f = np.zeros((9, 9))
    f[4, 4] = np.nan
    out = g.warp_affine(f, g.translation((0.5, 0.5)))
    assert np.isnan(out[4:6, 4:6]).all() and np.isnan(out).sum() == 4


# -- the course example: 35 degree rotation of camera ----------------------------------------------------------


def test_rotating_camera_bicubic_has_no_staircase(camera):
    f = np.ascontiguousarray(camera[128:384, 128:384]).astype(np.float32)
    c = g.image_center(f.shape)
    errors = {}
    tv = {}
    for interp in ("nearest", "bilinear", "bicubic"):
        rot = g.rotate(f, 35, interpolation=interp, mode="reflect")
        back = g.rotate(rot, -35, interpolation="bicubic", mode="reflect")
        yy, xx = np.mgrid[: f.shape[0], : f.shape[1]]
        inner = (yy - c[0]) ** 2 + (xx - c[1]) ** 2 < 80**2
        errors[interp] = float(np.sqrt(np.mean((back - f)[inner] ** 2)))
        tv[interp] = float(np.abs(np.diff(rot[40:-40, 40:-40], axis=1)).mean())
    # nearest moves edges by up to half a pixel: a staircase, large round-trip error and extra variation
    assert errors["nearest"] > 1.5 * errors["bicubic"]  # measured 5.4 against 2.9
    assert tv["nearest"] > 1.05 * tv["bicubic"]  # measured 9.8 against 9.0 (bilinear 8.1)
    assert errors["bicubic"] < errors["bilinear"]


# -- errors ------------------------------------------------------------------------------------------------------


def test_errors():
    f = np.zeros((5, 5))
    with pytest.raises(ValueError, match="matrix.*invertible"):
        g.warp_affine(f, np.diag([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="matrix.*3x3"):
        g.warp_affine(f, np.eye(4))
    with pytest.raises(ValueError, match="matrix.*2x3"):
        g.warp_affine(f, np.eye(3)[:2])
    with pytest.raises(ValueError, match="matrix.*4x4"):
        g.warp_affine(np.zeros((3, 3, 3)), np.eye(3))
    with pytest.raises(ValueError, match="matrix.*finite"):
        g.warp_affine(f, np.full((3, 3), np.inf))
    with pytest.raises(ValueError, match="matrix.*affine"):
        g.warp_affine(f, [[1, 0, 0], [0, 1, 0], [0.1, 0, 1]])
    with pytest.raises(ValueError, match="H.*invertible"):
        g.warp_perspective(f, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="interpolation"):
        g.warp_affine(f, np.eye(3), interpolation="cubic")
    with pytest.raises(ValueError, match="mode"):
        g.warp_affine(f, np.eye(3), mode="edge")
    with pytest.raises(ValueError, match="output_shape"):
        g.warp_affine(f, np.eye(3), output_shape=(0, 3))
    with pytest.raises(ValueError, match="coords"):
        g.remap(f, np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="image"):
        g.rotate(np.zeros((3, 3, 3)), 10)
    with pytest.raises(TypeError, match="image"):
        g.remap(None, np.zeros((2, 3, 3)))
    with pytest.raises(TypeError, match="dtype"):
        g.warp_affine(f, np.eye(3), dtype=np.complex64)


def test_rotate_matches_scipy_and_skimage(rng):
    transform = pytest.importorskip("skimage.transform")
    f = _smooth(rng, (41, 57))
    for angle in (30.0, -75.0, 135.0):
        # skimage: positive = counter-clockwise about ((rows-1)/2, (cols-1)/2), same as fastdip
        ref = transform.rotate(f, angle, order=1, mode="constant", cval=0.0)
        out = g.rotate(f, angle, mode="constant")
        assert np.abs(out - ref)[3:-3, 3:-3].max() < 1e-9
        # scipy.ndimage.rotate(reshape=True): same output shape and, away from the edges, the same values
        sp = ndimage.rotate(f, angle, order=1, reshape=True, mode="grid-constant", prefilter=False)
        big = g.rotate(f, angle, reshape=True)
        assert big.shape == sp.shape
        assert np.abs(big - sp).max() < 1e-9


@pytest.mark.parametrize("interp", ["nearest", "bilinear", "bicubic"])
def test_remap_float32_coords_equal_float64_coords_of_the_same_values(rng, interp):
    f = rng.random((30, 33)).astype(np.float32)
    coords = rng.uniform(-3, 34, (2, 25, 27)).astype(np.float32)
    coords[0, 3, 4] = np.nan
    for mode in ("constant", "reflect", "wrap"):
        a = g.remap(f, coords, interpolation=interp, mode=mode, cval=0.5)
        b = g.remap(f, coords.astype(np.float64), interpolation=interp, mode=mode, cval=0.5)
        assert a.dtype == b.dtype == np.float32
        assert np.array_equal(a, b, equal_nan=True)


def test_warp_affine_inverse_cache_keys_on_the_values(rng):
    # the inverse is cached by the matrix's bytes: a matrix changed in place gives the new warp, a singular one
    # raises every time, the cache stays bounded and hands out read-only arrays the caller's copy is made from
    from fastdip.geometry import _warp

    f = rng.random((12, 14)).astype(np.float32)
    m = g.rotation(20.0, (5.5, 6.5))
    first = g.warp_affine(f, m)
    assert np.array_equal(g.warp_affine(f, m), first)
    m[0, 2] += 1.0
    moved = g.warp_affine(f, m)
    assert np.allclose(moved, naive.warp_affine(f.astype(np.float64), m), atol=1e-5)
    assert not np.array_equal(moved, first)
    for _ in range(2):
        with pytest.raises(ValueError, match="matrix.*invertible"):
            g.warp_affine(f, np.diag([1.0, 0.0, 1.0]))
    for k in range(70):
        g.warp_affine(f[:4, :4], g.translation((0.01 * k, 0.0)))
    assert 0 < len(_warp._INVERSES) <= 64
    assert all(not v.flags.writeable for v in _warp._INVERSES.values())
