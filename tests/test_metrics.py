"""fastdip.metrics: hand cases, scikit-image as reference, properties, bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage as ndi
from skimage import data as skdata
from skimage import metrics as skm

from fastdip import metrics
from tests import _naive_metrics as naive

PSNR_RTOL = 1e-6
SSIM_ATOL = 1e-4


def sk_ssim(a, b, **kwargs):
    """skimage's SSIM configured as Wang et al. 2004 (and as fastdip)."""
    return skm.structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, **kwargs)


@pytest.fixture(scope="module")
def camera_pairs():
    """camera (512x512) against noisy and blurred versions, in four dtypes, with their data ranges."""
    rng = np.random.default_rng(42)
    cam = skdata.camera()
    noisy = np.clip(cam + rng.normal(0, 12, cam.shape), 0, 255).round().astype(np.uint8)
    blurred = ndi.gaussian_filter(cam.astype(np.float64), 2.0).round().astype(np.uint8)
    pairs = []
    for other in (noisy, blurred):
        pairs.append((cam, other, 255.0))
        pairs.append((cam.astype(np.uint16) * 257, other.astype(np.uint16) * 257, 65535.0))
        pairs.append((cam.astype(np.float32) / 255, other.astype(np.float32) / 255, 1.0))
        pairs.append((cam / 255.0, other / 255.0, 1.0))
    return pairs


# -- (a) hand cases ---------------------------------------------------------------------------------------------


def test_mse_by_hand():
    a = np.array([[0, 10], [20, 30]], dtype=np.uint8)
    b = np.array([[0, 12], [20, 26]], dtype=np.uint8)
    assert metrics.mse(a, b) == 5.0
    assert metrics.mse(b, a) == 5.0
    assert metrics.mse(a, a) == 0.0


def test_mse_does_not_wrap_integers():
    a = np.zeros(4, np.uint8)
    b = np.full(4, 255, np.uint8)
    assert metrics.mse(a, b) == 255.0**2
    assert metrics.mse(np.array([-3], np.int8), np.array([4], np.int16)) == 49.0


def test_mse_mixed_dtypes():
    a = np.array([1, 2, 3], np.uint8)
    b = np.array([1.5, 2.0, 2.0], np.float32)
    assert metrics.mse(a, b) == pytest.approx((0.25 + 0 + 1) / 3)


def test_psnr_of_known_mse():
    a = np.zeros((2, 2), np.uint8)
    b = np.array([[1, 1], [1, 1]], np.uint8)  # MSE = 1
    assert metrics.psnr(a, b) == pytest.approx(20 * math.log10(255))
    assert metrics.psnr(a.astype(np.uint16), b.astype(np.uint16)) == pytest.approx(20 * math.log10(65535))
    assert metrics.psnr(a, b, data_range=10) == pytest.approx(20.0)
    c = np.array([0.0, 0.5]), np.array([0.1, 0.5])  # MSE = 0.005
    assert metrics.psnr(*c, data_range=1.0) == pytest.approx(10 * math.log10(1 / 0.005))


def test_one_pixel_images():
    a = np.array([[7]], np.uint8)
    b = np.array([[10]], np.uint8)
    assert metrics.mse(a, b) == 9.0
    assert metrics.psnr(a, b) == pytest.approx(10 * math.log10(255**2 / 9))
    with pytest.raises(ValueError, match="at least 11 pixels"):
        metrics.ssim(a, b)


def test_psnr_identical_is_inf():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert metrics.psnr(a, a.copy()) == math.inf


def test_ssim_constant_images_by_hand():
    # zero variances: SSIM is the luminance term (2ab + C1) / (a^2 + b^2 + C1) everywhere
    a = np.full((12, 12), 100, np.uint8)
    b = np.full((12, 12), 110, np.uint8)
    c1 = (0.01 * 255) ** 2
    expected = (2 * 100 * 110 + c1) / (100**2 + 110**2 + c1)
    assert metrics.ssim(a, b) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(metrics.ssim_map(a, b), expected, rtol=1e-12)


def test_ssim_of_equal_constant_images_is_one():
    z = np.zeros((11, 11, 11), np.uint16)
    assert metrics.ssim(z, z) == 1.0
    np.testing.assert_array_equal(metrics.ssim_map(z, z), 1.0)


def test_ssim_k_constants_enter_as_documented():
    a = np.full((11, 11), 0.2)
    b = np.full((11, 11), 0.4)
    c1 = (0.05 * 2.0) ** 2
    expected = (2 * 0.2 * 0.4 + c1) / (0.2**2 + 0.4**2 + c1)
    assert metrics.ssim(a, b, data_range=2.0, k1=0.05) == pytest.approx(expected, rel=1e-12)


def test_dice_iou_by_hand():
    a = np.array([[1, 1, 0], [0, 1, 0]], dtype=bool)
    b = np.array([[1, 0, 0], [0, 1, 1]], dtype=bool)
    assert metrics.dice(a, b) == pytest.approx(2 / 3)
    assert metrics.iou(a, b) == 0.5
    assert metrics.dice(a, a) == 1.0
    assert metrics.iou(a, ~a) == 0.0
    assert metrics.dice(a, ~a) == 0.0


def test_dice_iou_empty_masks_agree():
    z = np.zeros((3, 3), bool)
    assert metrics.dice(z, z) == 1.0
    assert metrics.iou(z, z) == 1.0
    one = z.copy()
    one[1, 1] = True
    assert metrics.dice(z, one) == 0.0
    assert metrics.iou(one, z) == 0.0


def test_dice_iou_label_masks_use_nonzero():
    labels_a = np.array([[0, 1, 2], [2, 2, 0]], np.int32)
    labels_b = np.array([[3, 0, 2], [2, 0, 0]], np.uint8)
    assert metrics.dice(labels_a, labels_b) == pytest.approx(2 * 2 / (4 + 3))
    assert metrics.iou(labels_a == 2, labels_b == 2) == pytest.approx(2 / 3)


# -- (b) scikit-image and naive references ------------------------------------------------------------------------


def test_psnr_matches_skimage(camera_pairs):
    for a, b, dr in camera_pairs:
        expected = skm.peak_signal_noise_ratio(a, b, data_range=dr)
        assert metrics.psnr(a, b, data_range=dr) == pytest.approx(expected, rel=PSNR_RTOL)
        if a.dtype.kind == "u":
            assert metrics.psnr(a, b) == pytest.approx(expected, rel=PSNR_RTOL)
        assert metrics.mse(a, b) == pytest.approx(skm.mean_squared_error(a, b), rel=PSNR_RTOL)


def test_ssim_matches_skimage(camera_pairs):
    for a, b, dr in camera_pairs:
        expected = sk_ssim(a, b, data_range=dr)
        assert abs(metrics.ssim(a, b, data_range=dr) - expected) < SSIM_ATOL
        if a.dtype.kind == "u":
            assert abs(metrics.ssim(a, b) - expected) < SSIM_ATOL


def test_ssim_map_matches_skimage_full(camera_pairs):
    a, b, dr = camera_pairs[0]
    _, expected = sk_ssim(a, b, data_range=dr, full=True)
    got = metrics.ssim_map(a, b)
    assert got.shape == a.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_ssim_random_images_match_skimage(dtype):
    rng = np.random.default_rng(7)
    top = 255 if dtype == np.uint8 else 65535 if dtype == np.uint16 else 1.0
    a = (rng.random((61, 47)) * top).astype(dtype)
    b = np.clip(a + rng.normal(0, 0.2 * top, a.shape), 0, top).astype(dtype)
    dr = float(top)
    assert abs(metrics.ssim(a, b, data_range=dr) - sk_ssim(a, b, data_range=dr)) < SSIM_ATOL
    assert metrics.ssim(a, b, data_range=dr) == pytest.approx(naive.ssim_filters(a, b, data_range=dr), abs=1e-12)


def test_ssim_volume_matches_skimage():
    rng = np.random.default_rng(8)
    a = rng.random((14, 23, 19)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    assert abs(metrics.ssim(a, b, data_range=1.0) - sk_ssim(a, b, data_range=1.0)) < SSIM_ATOL
    _, expected = sk_ssim(a.astype(np.float64), b.astype(np.float64), data_range=1.0, full=True)
    np.testing.assert_allclose(metrics.ssim_map(a, b, data_range=1.0), expected, atol=1e-10)


@pytest.mark.parametrize("channel_axis", [-1, 0])
def test_ssim_colour_matches_skimage(channel_axis):
    rng = np.random.default_rng(9)
    a = skdata.astronaut()[::8, ::8]  # 64x64x3
    b = np.clip(a + rng.normal(0, 15, a.shape), 0, 255).astype(np.uint8)
    if channel_axis == 0:
        a, b = np.moveaxis(a, -1, 0), np.moveaxis(b, -1, 0)
    expected = sk_ssim(a, b, data_range=255, channel_axis=channel_axis)
    assert abs(metrics.ssim(a, b, channel_axis=channel_axis) - expected) < SSIM_ATOL
    per_channel = [metrics.ssim(np.take(a, c, channel_axis), np.take(b, c, channel_axis)) for c in range(3)]
    assert metrics.ssim(a, b, channel_axis=channel_axis) == pytest.approx(np.mean(per_channel), rel=1e-12)
    _, full = sk_ssim(a, b, data_range=255, channel_axis=channel_axis, full=True)
    np.testing.assert_allclose(metrics.ssim_map(a, b, channel_axis=channel_axis), full, atol=1e-10)


def test_ssim_volume_with_channels_matches_skimage():
    rng = np.random.default_rng(10)
    a = rng.integers(0, 256, (12, 13, 14, 2), dtype=np.uint8)
    b = rng.integers(0, 256, a.shape, dtype=np.uint8)
    expected = sk_ssim(a, b, data_range=255, channel_axis=3)
    assert abs(metrics.ssim(a, b, channel_axis=3) - expected) < SSIM_ATOL


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5])
def test_ssim_other_sigma_matches_skimage(sigma):
    rng = np.random.default_rng(11)
    a = rng.random((40, 41))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1)
    expected = skm.structural_similarity(
        a, b, gaussian_weights=True, sigma=sigma, use_sample_covariance=False, data_range=1.0
    )
    assert abs(metrics.ssim(a, b, data_range=1.0, sigma=sigma) - expected) < SSIM_ATOL


def test_layouts_and_read_only_inputs_give_the_same_result():
    rng = np.random.default_rng(12)
    a = rng.integers(0, 256, (40, 30), dtype=np.uint8)
    b = rng.integers(0, 256, (40, 30), dtype=np.uint8)
    expected = metrics.ssim(a, b)
    assert metrics.ssim(np.asfortranarray(a), np.asfortranarray(b)) == expected
    ro_a, ro_b = a.copy(), b.copy()
    ro_a.flags.writeable = False
    ro_b.flags.writeable = False
    assert metrics.ssim(ro_a, ro_b) == expected
    assert metrics.psnr(ro_a, ro_b) == metrics.psnr(a, b)
    wide_a = np.zeros((40, 60), np.uint8)
    wide_a[:, ::2] = a
    wide_b = np.zeros((40, 60), np.uint8)
    wide_b[:, ::2] = b
    assert metrics.ssim(wide_a[:, ::2], wide_b[:, ::2]) == expected
    assert metrics.ssim(a.T, b.T) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("shape", [(40, 37), (13, 15, 17)])
def test_parallel_path_gives_the_same_result(monkeypatch, shape):
    rng = np.random.default_rng(16)
    a = rng.integers(0, 256, shape, dtype=np.uint8)
    b = rng.integers(0, 256, shape, dtype=np.uint8)
    serial = metrics.ssim(a, b), metrics.ssim_map(a, b)
    monkeypatch.setattr(metrics, "PARALLEL_MIN_PIXELS", 0)
    assert metrics.ssim(a, b) == serial[0]
    np.testing.assert_array_equal(metrics.ssim_map(a, b), serial[1])


def test_inputs_are_not_modified():
    rng = np.random.default_rng(13)
    a = rng.random((20, 20))
    b = rng.random((20, 20))
    a0, b0 = a.copy(), b.copy()
    metrics.ssim(a, b, data_range=1.0)
    metrics.ssim_map(a, b, data_range=1.0)
    metrics.psnr(a, b, data_range=1.0)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_mixed_dtypes_with_data_range():
    rng = np.random.default_rng(14)
    a = rng.integers(0, 256, (30, 30), dtype=np.uint8)
    b = a.astype(np.float32) + rng.normal(0, 5, a.shape).astype(np.float32)
    expected = naive.ssim_filters(a, b, data_range=255)
    assert metrics.ssim(a, b, data_range=255) == pytest.approx(expected, abs=1e-12)


def test_dice_iou_match_set_definitions():
    rng = np.random.default_rng(15)
    a = rng.random((9, 11)) > 0.6
    b = rng.random((9, 11)) > 0.4
    assert metrics.dice(a, b) == pytest.approx(naive.dice_sets(a, b))
    assert metrics.iou(a, b) == pytest.approx(naive.iou_sets(a, b))


def test_return_types_are_python_floats():
    a = np.arange(144, dtype=np.uint8).reshape(12, 12)
    b = a[::-1].copy()
    for value in (metrics.mse(a, b), metrics.psnr(a, b), metrics.ssim(a, b), metrics.dice(a, b), metrics.iou(a, b)):
        assert type(value) is float


# -- (c) properties -----------------------------------------------------------------------------------------------

# Property tests draw small images; 50 examples each cost about 0.1 s per test with a warm numba cache.
images = hnp.arrays(
    np.uint8,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=11, max_side=20),
)
masks = st.integers(1, 6).flatmap(
    lambda n: st.tuples(hnp.arrays(np.bool_, (n, n)), hnp.arrays(np.bool_, (n, n)))
)


@settings(max_examples=50, deadline=None)
@given(images)
def test_ssim_of_an_image_with_itself_is_one(x):
    assert metrics.ssim(x, x.copy()) == 1.0


@settings(max_examples=50, deadline=None)
@given(images, st.integers(0, 2**32 - 1))
def test_ssim_symmetric_and_at_most_one(x, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 256, x.shape, dtype=np.uint8)
    s = metrics.ssim(x, y)
    assert s == pytest.approx(metrics.ssim(y, x), abs=1e-12)
    assert -1.0 <= s <= 1.0 + 1e-12


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(0.01, 10.0),
    st.floats(1.01, 10.0),
)
def test_psnr_decreases_as_noise_grows(seed, amplitude, factor):
    rng = np.random.default_rng(seed)
    x = rng.random((16, 16))
    noise = rng.normal(0, 1, x.shape)
    assert metrics.psnr(x, x + amplitude * noise, data_range=1.0) > metrics.psnr(
        x, x + amplitude * factor * noise, data_range=1.0
    )


@settings(max_examples=50, deadline=None)
@given(masks)
def test_dice_in_unit_interval_and_iou_relation(ab):
    a, b = ab
    d = metrics.dice(a, b)
    assert 0.0 <= d <= 1.0
    assert metrics.iou(a, b) == pytest.approx(d / (2 - d), abs=1e-12)
    assert metrics.dice(b, a) == d


# -- pathological and bad input -----------------------------------------------------------------------------------

ALL = [
    ("mse", {}),
    ("psnr", {"data_range": 1.0}),
    ("ssim", {"data_range": 1.0}),
    ("ssim_map", {"data_range": 1.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), ALL)
def test_shape_mismatch_names_both_shapes(name, kwargs):
    with pytest.raises(ValueError, match=r"\(12, 13\).*\(13, 12\)"):
        getattr(metrics, name)(np.zeros((12, 13)), np.zeros((13, 12)), **kwargs)


@pytest.mark.parametrize(("name", "kwargs"), ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(name, kwargs, bad):
    a = np.zeros((12, 12))
    b = np.zeros((12, 12))
    b[3, 4] = bad
    with pytest.raises(ValueError, match=f"{name}: image must contain only finite values"):
        getattr(metrics, name)(a, b, **kwargs)
    with pytest.raises(ValueError, match=f"{name}: reference must contain only finite values"):
        getattr(metrics, name)(b, a, **kwargs)


@pytest.mark.parametrize(("name", "kwargs"), ALL)
def test_empty_images_are_refused(name, kwargs):
    with pytest.raises(ValueError, match="non-empty"):
        getattr(metrics, name)(np.zeros((0, 12)), np.zeros((0, 12)), **kwargs)


@pytest.mark.parametrize(("name", "kwargs"), ALL)
@pytest.mark.parametrize("bad", [np.zeros((12, 12), bool), np.zeros((12, 12), complex), None, "image"])
def test_wrong_types_are_refused(name, kwargs, bad):
    with pytest.raises(TypeError, match=name):
        getattr(metrics, name)(np.zeros((12, 12)), bad, **kwargs)


@pytest.mark.parametrize("name", ["ssim", "ssim_map"])
def test_image_smaller_than_the_window(name):
    with pytest.raises(ValueError, match=r"at least 11 pixels along each spatial axis"):
        getattr(metrics, name)(np.zeros((10, 30), np.uint8), np.zeros((10, 30), np.uint8))
    with pytest.raises(ValueError, match="channel_axis"):  # a colour image passed as a volume
        getattr(metrics, name)(np.zeros((30, 30, 3), np.uint8), np.zeros((30, 30, 3), np.uint8))
    with pytest.raises(ValueError, match=r"at least 23 pixels"):
        getattr(metrics, name)(np.zeros((20, 30), np.uint8), np.zeros((20, 30), np.uint8), sigma=3.0)


@pytest.mark.parametrize("name", ["ssim", "ssim_map"])
@pytest.mark.parametrize("shape", [(30,), (12, 12, 12, 12)])
def test_ssim_needs_2d_or_3d(name, shape):
    with pytest.raises(ValueError, match="2-D image or 3-D volume"):
        getattr(metrics, name)(np.zeros(shape, np.uint8), np.zeros(shape, np.uint8))


@pytest.mark.parametrize("name", ["psnr", "ssim", "ssim_map"])
def test_data_range_rules(name):
    f = getattr(metrics, name)
    a = np.zeros((12, 12), np.float32)
    with pytest.raises(ValueError, match=f"{name}: data_range must be given for float images"):
        f(a, a)
    with pytest.raises(ValueError, match="different dtypes \\(uint8 and uint16\\)"):
        f(np.zeros((12, 12), np.uint8), np.zeros((12, 12), np.uint16))
    for bad in (0, -1.0, np.inf):
        with pytest.raises(ValueError, match="data_range"):
            f(a, a, data_range=bad)
    with pytest.raises(TypeError, match="data_range"):
        f(a, a, data_range="1")


@pytest.mark.parametrize("param", ["sigma", "k1", "k2"])
@pytest.mark.parametrize("bad", [0, -0.5, np.nan])
def test_ssim_options_must_be_positive(param, bad):
    a = np.zeros((12, 12), np.uint8)
    with pytest.raises(ValueError, match=f"ssim: {param} must be"):
        metrics.ssim(a, a, **{param: bad})


@pytest.mark.parametrize("axis", [3, -4, 1.0, True])
def test_ssim_channel_axis_checked(axis):
    a = np.zeros((12, 12, 3), np.uint8)
    with pytest.raises(ValueError, match="channel_axis"):
        metrics.ssim(a, a, channel_axis=axis)


def test_ssim_overflowing_values_raise_a_clear_error():
    a = np.full((12, 12), 1e200)
    b = a.copy()
    b[5, 5] = -1e200
    with pytest.raises(ValueError, match="ssim: the result is not finite"):
        metrics.ssim(a, b, data_range=1.0)


@pytest.mark.parametrize("name", ["dice", "iou"])
def test_mask_errors(name):
    f = getattr(metrics, name)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        f(np.zeros((2, 3), bool), np.zeros((3, 2), bool))
    with pytest.raises(TypeError, match="threshold a float map"):
        f(np.zeros((2, 2), bool), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="non-empty"):
        f(np.zeros(0, bool), np.zeros(0, bool))
    with pytest.raises(TypeError, match=f"{name}: a must be"):
        f(None, np.zeros(2, bool))

