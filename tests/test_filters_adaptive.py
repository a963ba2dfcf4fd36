"""fastdip.filters.adaptive_median: hand-worked cases, the slow reference (every mode, 2-D and 3-D, every dtype,
S_max 3 to 9), quality against the plain median and mean filters, properties of the definition, pathologies."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip.filters import adaptive_median
from fastdip.filters import _adaptive
from fastdip.metrics import psnr, ssim
from tests import _naive_adaptive as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
SIZES = (3, 5, 7, 9)


def _impulsive(rng, shape, dtype, density=0.4, levels=4):
    """Few grey levels (so that windows have ties and stage A fails often) plus salt and pepper at the dtype's
    extremes (1.0 for floats, whose grey levels lie in (0, 1))."""
    grey = rng.integers(1, levels + 1, shape) / (levels + 1)
    if np.dtype(dtype).kind == "u":
        grey = np.rint(grey * np.iinfo(dtype).max)
    return naive.salt_and_pepper(grey.astype(dtype), density, rng)


# -- (a) tiny cases worked by hand ------------------------------------------------------------------------------


def test_salt_pixel_in_a_flat_image_is_replaced():
    # 3x3: eight 100s and the 255: z_med = z_min = 100 fails stage A at every size; S_max's median is 100
    image = np.full((5, 5), 100, np.uint8)
    image[2, 2] = 255
    for max_size in (3, 5, 7):
        np.testing.assert_array_equal(adaptive_median(image, max_size), np.full((5, 5), 100, np.uint8))


def test_pepper_pixel_on_a_ramp_is_replaced_by_stage_b():
    # window of (2, 2): 20 30 40 / 20 0 40 / 20 30 40 -> z_min 0 < z_med 30 < z_max 40; z = z_min -> z_med
    image = np.tile(np.array([10, 20, 30, 40, 50], np.uint8), (5, 1))
    image[2, 2] = 0
    out = adaptive_median(image, 3)
    assert out[2, 2] == 30
    np.testing.assert_array_equal(np.delete(out.reshape(-1), 12), np.delete(image.reshape(-1), 12))


def test_edge_pixel_that_is_not_an_impulse_is_kept_by_stage_b():
    # the corner of a bright square with a graded edge; window of (1, 1): 10 30 30 / 10 50 200 / 10 200 200:
    # sorted 10 10 10 30 30 50 200 200 200 -> z_min 10 < z_med 30 < z_max 200, and 10 < z = 50 < 200: kept,
    # where the plain 3x3 median writes 30
    image = np.array([[10, 30, 30, 30],
                      [10, 50, 200, 200],
                      [10, 200, 200, 200],
                      [10, 200, 200, 200]], np.float64)
    assert adaptive_median(image, 3)[1, 1] == 50
    assert ndi.median_filter(image, 3)[1, 1] == 30


def test_all_impulse_3x3_neighbourhood_forces_growth():
    # centre 3x3: five 0s and four 255s -> z_med = z_min = 0 fails stage A; the 5x5 window adds sixteen 100s:
    # 0 (x5) < 100 (x16) < 255 (x4), z_med = 100 passes, z = 0 is z_min -> 100. With S_max = 3: the 3x3 median, 0.
    image = np.full((5, 5), 100, np.uint8)
    image[1:4, 1:4] = np.array([[0, 255, 0], [255, 0, 255], [0, 255, 0]])
    assert adaptive_median(image, 5)[2, 2] == 100
    assert adaptive_median(image, 3)[2, 2] == 0


def test_growth_to_7x7():
    # the whole 5x5 centre is pepper (13, the centre among them) or salt (12): every 3x3 window of 0s and 255s fails
    # stage A, the 5x5 fails too (13 of 25 equal z_min); the 7x7 ring brings 24 values of 60: sorted 0 (x13),
    # 60 (x24), 255 (x12), z_med = 60 passes, z = 0 is z_min -> 60. With S_max = 5: the 5x5 median, 0.
    others = np.array([0] * 12 + [255] * 12, np.uint8)
    np.random.default_rng(3).shuffle(others)
    centre = np.insert(others, 12, 0).reshape(5, 5)
    image = np.full((7, 7), 60, np.uint8)
    image[1:6, 1:6] = centre
    assert adaptive_median(image, 7)[3, 3] == 60
    assert adaptive_median(image, 5)[3, 3] == 0


def test_s_max_reached_outputs_the_median_of_the_largest_window():
    # a two-level image: every window has only 10s and 90s, so stage A never passes; output = S_max majority
    image = np.zeros((9, 9), np.uint8) + 10
    image[:, 5:] = 90
    # pixel (4, 4): its 3x3 window has 6 tens and 3 nineties (median 10); its 9x9 window (reflect) spans
    # columns 0..8: 5 columns of 10 and 4 of 90 -> median 10
    assert adaptive_median(image, 9)[4, 4] == 10
    # pixel (4, 5) (first 90 column): 9x9 window columns 1..9 (reflect: column 9 is column 8) -> 4 tens, 5 nineties
    assert adaptive_median(image, 9)[4, 5] == 90


def test_3d_hand_case():
    # a salt voxel in a 3-D ramp: its 3x3x3 window holds 10, 20, 30 nine times each but one 20 replaced by 255:
    # z_min 10 < z_med 20 < z_max 255, z = 255 -> 20
    volume = np.broadcast_to(np.array([10, 20, 30], np.uint16)[None, None, :], (3, 3, 3)).copy()
    volume[1, 1, 1] = 255
    assert adaptive_median(volume, 3)[1, 1, 1] == 20


def test_constant_mode_uses_cval():
    # a 1x1 image: with 'constant' its 3x3 window is eight cvals and z; cval = 0 is the majority -> 0
    one = np.array([[5]], np.uint8)
    assert adaptive_median(one, 3, mode="constant", cval=0)[0, 0] == 0
    assert adaptive_median(one, 3, mode="constant", cval=5)[0, 0] == 5
    assert adaptive_median(one, 3, mode="reflect")[0, 0] == 5


# -- (b) against the slow reference ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_matches_naive_2d(dtype, mode):
    rng = np.random.default_rng(10 * DTYPES.index(dtype) + MODES.index(mode))
    for max_size in SIZES:
        image = _impulsive(rng, (11, 13), dtype)
        cval = 0.25 if np.dtype(dtype).kind == "f" else 7
        expected = naive.adaptive_median(image, max_size, mode, cval)
        got = adaptive_median(image, max_size, mode=mode, cval=cval)
        assert got.dtype == image.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"max_size={max_size}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_matches_naive_3d(dtype, mode):
    rng = np.random.default_rng(100 + 10 * DTYPES.index(dtype) + MODES.index(mode))
    for max_size in SIZES:
        image = _impulsive(rng, (5, 6, 7), dtype)
        cval = 0.25 if np.dtype(dtype).kind == "f" else 7
        expected = naive.adaptive_median(image, max_size, mode, cval)
        got = adaptive_median(image, max_size, mode=mode, cval=cval)
        assert got.dtype == image.dtype
        np.testing.assert_array_equal(got, expected, err_msg=f"max_size={max_size}")


@pytest.mark.parametrize("shape", [(9, 10), (4, 5, 6)])
def test_sorted_reference_agrees_with_the_pixel_by_pixel_one(shape):
    rng = np.random.default_rng(5)
    for mode in MODES:
        image = _impulsive(rng, shape, np.uint8)
        np.testing.assert_array_equal(naive.adaptive_median_sorted(image, 7, mode, 9),
                                      naive.adaptive_median(image, 7, mode, 9))


@pytest.mark.parametrize("max_size", [5, 7, 9, 11])
def test_large_image_with_many_pixels_growing(max_size):
    # flat patches + 30 % impulses: thousands of pixels reach 5x5, 7x7 and 9x9, so the batches (about 1024 pixels)
    # fill, cascade and flush; 11 goes past the batched sizes to the pixel-by-pixel growth
    rng = np.random.default_rng(max_size)
    grey = np.kron(rng.integers(1, 4, (10, 12)) * 60, np.ones((13, 11), np.int64)).astype(np.uint8)
    image = naive.salt_and_pepper(grey, 0.3, rng)
    np.testing.assert_array_equal(adaptive_median(image, max_size), naive.adaptive_median_sorted(image, max_size))


def test_other_integer_and_float_dtypes_go_through_exactly():
    rng = np.random.default_rng(6)
    base = _impulsive(rng, (9, 8), np.uint8).astype(np.int64)
    for dtype, shift in ((np.int8, -128), (np.int16, -128), (np.int16, -30000), (np.int32, -2**31),
                         (np.uint32, 2**31), (np.float16, 0)):
        image = (base + shift).astype(dtype)
        for mode in ("reflect", "constant"):
            cval = shift + 7
            got = adaptive_median(image, 5, mode=mode, cval=cval)
            assert got.dtype == image.dtype
            np.testing.assert_array_equal(got, naive.adaptive_median_sorted(image, 5, mode, cval))


def test_bool_image_is_a_majority_filter():
    # only two values: stage A never passes, the output is the median (majority) of the S_max window
    rng = np.random.default_rng(11)
    image = rng.random((12, 13)) < 0.3
    got = adaptive_median(image, 5)
    assert got.dtype == bool
    np.testing.assert_array_equal(got, naive.adaptive_median_sorted(image.astype(np.uint8), 5).astype(bool))
    np.testing.assert_array_equal(got, ndi.median_filter(image, 5))


def test_channel_axis_filters_each_channel():
    rng = np.random.default_rng(7)
    rgb = np.stack([_impulsive(rng, (10, 9), np.uint8) for _ in range(3)], axis=-1)
    got = adaptive_median(rgb, 5, channel_axis=-1)
    assert got.shape == rgb.shape and got.dtype == rgb.dtype
    for c in range(3):
        np.testing.assert_array_equal(got[..., c], adaptive_median(rgb[..., c], 5))
    first = np.moveaxis(rgb, -1, 0).copy()
    np.testing.assert_array_equal(adaptive_median(first, 5, channel_axis=0), np.moveaxis(got, -1, 0))


def test_parallel_path_matches_serial(monkeypatch):
    # the wrapper's switch to blocks of the kernel on fastdip's worker threads, on a 2-D image (the 3-D kernel
    # takes the same arguments; blocks against one call for both in tests/kernels/test_adaptive.py)
    rng = np.random.default_rng(8)
    image = _impulsive(rng, (150, 170), np.uint8, density=0.35)
    monkeypatch.setattr(_adaptive, "_PARALLEL_MIN_PIXELS", 1 << 40)
    serial = adaptive_median(image, 7)
    monkeypatch.setattr(_adaptive, "_PARALLEL_MIN_PIXELS", 1)
    parallel = adaptive_median(image, 7)
    np.testing.assert_array_equal(parallel, serial)
    np.testing.assert_array_equal(serial, naive.adaptive_median_sorted(image, 7))


# -- quality on a real image ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def camera_noisy(camera):
    return naive.salt_and_pepper(camera, 0.35, np.random.default_rng(2026))


def test_noise_model_of_the_quality_test(camera, camera_noisy):
    changed = camera_noisy != camera
    # exactly 35 % of the pixels are set to 0 or 255 (some already were)
    assert np.count_nonzero((camera_noisy == 0) | (camera_noisy == 255)) >= round(0.35 * camera.size)
    assert changed.mean() <= 0.35


def test_quality_beats_median_and_mean_on_dense_salt_and_pepper(camera, camera_noisy):
    # measured (seed 2026): adaptive S_max 7 and 9: 29.6 dB / SSIM 0.907; median 5x5: 26.3 dB / 0.764;
    # mean 5x5: 17.9 dB / 0.278; the noisy image: 9.4 dB / 0.051
    mean5 = np.clip(np.rint(ndi.uniform_filter(camera_noisy.astype(np.float64), 5)), 0, 255).astype(np.uint8)
    median5 = ndi.median_filter(camera_noisy, 5)
    for max_size in (7, 9):
        restored = adaptive_median(camera_noisy, max_size)
        assert psnr(camera, restored) > psnr(camera, median5) + 2.5
        assert psnr(camera, restored) > psnr(camera, mean5) + 10
        assert ssim(camera, restored) > ssim(camera, median5) + 0.1
        assert ssim(camera, restored) > ssim(camera, mean5) + 0.5


def test_changes_far_fewer_pixels_than_the_median_on_a_clean_image(camera):
    # measured: 22.1 % of camera's pixels change with S_max = 7, against 55.9 % with the 3x3 median
    adaptive = np.mean(adaptive_median(camera, 7) != camera)
    median = np.mean(ndi.median_filter(camera, 3) != camera)
    assert adaptive < 0.5 * median


# -- (c) properties ------------------------------------------------------------------------------------------------

# Each example filters images of at most a few hundred pixels (< 1 ms, compiled); 40-60 examples keep each
# property under about a second.


@st.composite
def _images(draw, dtypes=DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    ndim = draw(st.sampled_from((2, 2, 3)))
    shape = tuple(draw(st.integers(1, 9 if ndim == 2 else 5)) for _ in range(ndim))
    seed = draw(st.integers(0, 2**32 - 1))
    image = _impulsive(np.random.default_rng(seed), shape, dtype, density=draw(st.sampled_from((0.0, 0.3, 0.6))))
    return image


@settings(max_examples=60, deadline=None)
@given(image=_images(), max_size=st.sampled_from(SIZES), mode=st.sampled_from(MODES))
def test_outputs_are_values_of_the_largest_window(image, max_size, mode):
    cval = 0.25 if image.dtype.kind == "f" else 7
    out = adaptive_median(image, max_size, mode=mode, cval=cval)
    for index in np.ndindex(image.shape):
        assert out[index] in naive.largest_window_values(image, index, max_size, mode, cval)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 255), min_size=1, max_size=5),
    max_size=st.sampled_from(SIZES),
    extra=st.integers(0, 3),
    rows=st.integers(1, 12),
    mode=st.sampled_from(MODES[:4]),
    vertical=st.booleans(),
)
def test_flat_stripes_wider_than_s_max_are_unchanged(values, max_size, extra, rows, mode, vertical):
    # every window meets at most two stripes and its own stripe holds the majority, so z_med = z everywhere
    # ('constant' is left out: a border row of cval can outvote a pixel's stripe in a corner)
    stripes = np.repeat(np.array(values, np.uint8), max_size + extra)[None, :].repeat(rows, axis=0)
    image = stripes.T.copy() if vertical else stripes
    np.testing.assert_array_equal(adaptive_median(image, max_size, mode=mode), image)


@settings(max_examples=40, deadline=None)
@given(image=_images(dtypes=(np.uint8,)), max_size=st.sampled_from(SIZES), mode=st.sampled_from(MODES))
def test_commutes_with_the_negative(image, max_size, mode):
    # order statistics commute with a decreasing map: min and max swap, the median stays, both stages are symmetric
    negative = 255 - image
    got = adaptive_median(negative, max_size, mode=mode, cval=255 - 7)
    np.testing.assert_array_equal(got, 255 - adaptive_median(image, max_size, mode=mode, cval=7))


@settings(max_examples=40, deadline=None)
@given(image=_images(), max_size=st.sampled_from(SIZES), mode=st.sampled_from(MODES))
def test_commutes_with_flips_and_transposes(image, max_size, mode):
    out = adaptive_median(image, max_size, mode=mode)
    for axis in range(image.ndim):
        np.testing.assert_array_equal(adaptive_median(np.flip(image, axis), max_size, mode=mode), np.flip(out, axis))
    np.testing.assert_array_equal(adaptive_median(image.T, max_size, mode=mode), out.T)


# -- pathologies ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_constant_image_is_unchanged(dtype):
    for shape in ((1, 1), (6, 7), (300, 301), (4, 5, 6)):
        image = np.full(shape, 3, dtype)
        for max_size in (3, 7, 15):
            np.testing.assert_array_equal(adaptive_median(image, max_size), image)


def test_one_pixel_and_image_smaller_than_the_window():
    rng = np.random.default_rng(9)
    for mode in MODES:
        one = np.array([[200]], np.uint8)
        np.testing.assert_array_equal(adaptive_median(one, 5, mode=mode, cval=200), one)
        small = _impulsive(rng, (3, 2), np.uint8)
        np.testing.assert_array_equal(adaptive_median(small, 9, mode=mode, cval=7),
                                      naive.adaptive_median(small, 9, mode, 7))
        line = _impulsive(rng, (1, 12), np.float32)
        np.testing.assert_array_equal(adaptive_median(line, 5, mode=mode), naive.adaptive_median(line, 5, mode))


def test_infinities_are_ordinary_impulses():
    image = np.tile(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), (5, 1))
    image[2, 2] = np.inf
    image[0, 4] = -np.inf
    out = adaptive_median(image, 5)
    np.testing.assert_array_equal(out, naive.adaptive_median(image, 5))
    assert np.isfinite(out).all() and out[2, 2] == 3.0


def test_nan_is_refused():
    image = np.ones((5, 5), np.float32)
    image[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"adaptive_median: image must not contain NaN .* got 1 NaN"):
        adaptive_median(image)


@pytest.mark.parametrize("max_size, exc", [(4, ValueError), (1, ValueError), (-3, ValueError), (7.0, TypeError),
                                           (True, TypeError), ("7", TypeError), (None, TypeError)])
def test_max_size_must_be_an_odd_int_of_at_least_3(max_size, exc):
    with pytest.raises(exc, match=r"adaptive_median: max_size must be an odd int >= 3"):
        adaptive_median(np.zeros((4, 4), np.uint8), max_size)


def test_numpy_integer_max_size_is_accepted():
    image = np.zeros((4, 4), np.uint8)
    np.testing.assert_array_equal(adaptive_median(image, np.int64(5)), image)


@pytest.mark.parametrize("image, exc, match", [
    (np.zeros((0, 4), np.uint8), ValueError, "non-empty"),
    (np.zeros(5, np.uint8), ValueError, "2-D or 3-D"),
    (np.zeros((2, 2, 2, 2), np.uint8), ValueError, "2-D or 3-D"),
    (np.zeros((3, 3), np.complex64), TypeError, "real-valued"),
    (np.zeros((3, 3), np.int64), TypeError, "uint8, uint16, float32 or float64"),
    ("image", TypeError, "numpy array"),
])
def test_bad_images(image, exc, match):
    with pytest.raises(exc, match=match):
        adaptive_median(image)


def test_bad_options():
    image = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="mode must be one of"):
        adaptive_median(image, mode="symmetric")
    with pytest.raises(ValueError, match=r"cval must be within the range \[0, 255\] of the image dtype uint8, got 256"):
        adaptive_median(image, mode="constant", cval=256)
    with pytest.raises(ValueError, match=r"cval must be within the range \[-32768, 32767\]"):
        adaptive_median(image.astype(np.int16), mode="constant", cval=-40000.0)
    with pytest.raises(ValueError, match="channel_axis must be None or an integer axis"):
        adaptive_median(image, channel_axis=2)
    with pytest.raises(ValueError, match="2-D or 3-D array besides the channel axis"):
        adaptive_median(image, channel_axis=0)
    # a fractional cval is truncated toward zero, as scipy.ndimage casts it
    one = np.array([[5]], np.uint8)
    assert adaptive_median(one, 3, mode="constant", cval=9.9)[0, 0] == 9


def test_input_is_never_modified_and_any_layout_is_accepted():
    rng = np.random.default_rng(10)
    image = _impulsive(rng, (12, 14), np.uint16)
    expected = adaptive_median(image, 5)
    frozen = image.copy()
    frozen.setflags(write=False)
    np.testing.assert_array_equal(adaptive_median(frozen, 5), expected)
    np.testing.assert_array_equal(adaptive_median(np.asfortranarray(image), 5), expected)
    wide = np.zeros((12, 28), np.uint16)
    wide[:, ::2] = image
    np.testing.assert_array_equal(adaptive_median(wide[:, ::2], 5), expected)
    np.testing.assert_array_equal(frozen, image)
