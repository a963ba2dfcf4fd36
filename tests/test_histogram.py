"""fastdip.histogram: hand cases, references (numpy, OpenCV, scikit-image, plain Python), properties."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import exposure

from fastdip import histogram as H
from tests import _naive

u8_images = arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20)))


# --- hand cases ---------------------------------------------------------------------------------------

def test_histogram_one_bin_per_level_hand():
    counts, edges = H.histogram(np.array([[0, 1], [1, 255]], np.uint8))
    assert counts.shape == (256,) and counts[0] == 1 and counts[1] == 2 and counts[255] == 1
    assert edges[0] == 0 and edges[-1] == 256 and len(edges) == 257


def test_stats_hand_and_imagej_layout():
    s = H.stats(np.array([[0, 10], [10, 20]], np.uint8))
    assert (s.count, s.min, s.max, s.mode, s.mode_count) == (4, 0, 20, 10, 2)
    assert s.mean == 10 and s.std == pytest.approx(np.sqrt(200 / 3))
    assert str(s).splitlines() == ["Count: 4  Min: 0", "Mean: 10.000  Max: 20", "StdDev: 8.165  Mode: 10 (2)"]


def test_stats_float_mode_is_centre_of_fullest_bin():
    img = np.array([0.0, 0.1, 0.1, 1.0])
    s = H.stats(img, bins=10)
    assert s.bins == 10 and s.bin_width == pytest.approx(0.1)
    assert s.mode == pytest.approx(0.15) and s.mode_count == 2
    assert "Bins: 10  Bin Width: 0.1" in str(s)


def test_equalize_hand_gonzalez_and_opencv():
    img = np.array([[50, 50], [51, 52]], np.uint8)
    assert H.equalize(img).tolist() == [[128, 128], [191, 255]]
    assert H.equalize(img, definition="opencv").tolist() == [[0, 0], [128, 255]]


def test_match_hand():
    out = H.match(np.array([0, 0, 1, 1], np.uint8), np.array([10, 10, 200, 200], np.uint8))
    assert out.tolist() == [10, 10, 200, 200]


# --- references ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1), (7, 9), (257, 263), (1030, 1031)])
def test_level_counts_equal_bincount_uint8(rng, shape):
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    np.testing.assert_array_equal(H.histogram(img).counts, np.bincount(img.reshape(-1), minlength=256))


def test_level_counts_uint16_large_and_small(rng):
    for shape in [(5, 3), (2100, 2100)]:
        img = rng.integers(0, 65536, shape, dtype=np.uint16)
        np.testing.assert_array_equal(H.histogram(img).counts, np.bincount(img.reshape(-1), minlength=65536))


def test_histogram_equals_opencv_calchist(camera):
    expected = cv2.calcHist([np.ascontiguousarray(camera)], [0], None, [256], [0, 256]).reshape(-1)
    np.testing.assert_array_equal(H.histogram(camera).counts, expected.astype(np.int64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [1, 7, 256])
def test_float_histogram_equals_numpy(rng, dtype, bins):
    img = (rng.normal(size=(60, 70)) * 3).astype(dtype)
    img[0, :5] = [0.0, 0.5, -1.0, 1.0, img.max()]  # values on edges
    counts, edges = H.histogram(img, bins=bins)
    ref_counts, ref_edges = np.histogram(img, bins=bins)
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(edges, ref_edges)


def test_integer_histogram_with_bins_and_range_equals_numpy(camera):
    for bins, rng_ in [(16, None), (10, (20, 200)), (256, (0, 256)), (3, (0, 255))]:
        counts, edges = H.histogram(camera, bins=bins, range=rng_)
        ref_counts, ref_edges = np.histogram(camera, bins=bins, range=rng_ if rng_ else (camera.min(), camera.max()))
        np.testing.assert_array_equal(counts, ref_counts)
        np.testing.assert_allclose(edges, ref_edges)


def test_nan_pixels_are_not_counted():
    img = np.array([0.0, np.nan, 1.0, 1.0])
    counts, _ = H.histogram(img, bins=2)
    assert counts.tolist() == [1, 2]
    assert H.stats(img).count == 3


@pytest.mark.parametrize("name", ["camera", "moon"])
def test_equalize_opencv_definition_equals_cv2_exactly(request, name):
    img = request.getfixturevalue(name)
    np.testing.assert_array_equal(H.equalize(img, definition="opencv"), cv2.equalizeHist(np.ascontiguousarray(img)))


def test_equalize_opencv_definition_on_random_and_constant(rng):
    for img in [rng.integers(0, 256, (257, 263), dtype=np.uint8), np.full((9, 9), 77, np.uint8),
                rng.integers(100, 104, (33, 31), dtype=np.uint8)]:
        np.testing.assert_array_equal(H.equalize(img, definition="opencv"), cv2.equalizeHist(img))


def test_equalize_gonzalez_equals_plain_python(rng):
    img = rng.integers(0, 256, (40, 37), dtype=np.uint8)
    np.testing.assert_array_equal(H.equalize(img), _naive.equalize_gonzalez(img))


def test_equalize_gonzalez_within_half_level_of_skimage(camera):
    # skimage interpolates its CDF at bin centres; on integer levels the two agree to within rounding.
    ref = exposure.equalize_hist(camera) * 255
    assert np.abs(H.equalize(camera) - ref).max() <= 0.5 + 1e-9


def test_equalize_float_equals_skimage(rng):
    img = rng.random((50, 60))
    np.testing.assert_allclose(H.equalize(img), exposure.equalize_hist(img, nbins=256), atol=1e-12)


def test_stats_equal_plain_python_on_camera(camera):
    s = H.stats(camera)
    n, lo, mean, hi, std, mode, mode_count = _naive.imagej_stats(camera)
    assert (s.count, s.min, s.max, s.mode, s.mode_count) == (n, lo, hi, mode, mode_count)
    assert s.mean == pytest.approx(mean, rel=1e-12) and s.std == pytest.approx(std, rel=1e-10)


def test_stats_uint16_and_int16(rng):
    for img in [rng.integers(0, 65536, (30, 30), dtype=np.uint16), rng.integers(-500, 500, (30, 30), dtype=np.int16)]:
        s = H.stats(img)
        n, lo, mean, hi, std, mode, mode_count = _naive.imagej_stats(img)
        assert (s.count, s.min, s.max, s.mode, s.mode_count) == (n, lo, hi, mode, mode_count)
        assert s.std == pytest.approx(std, rel=1e-10)


def test_match_equals_textbook_rule(rng, camera, moon):
    np.testing.assert_array_equal(H.match(camera, moon), _naive.match_levels(camera, moon))
    img = rng.integers(0, 50, (31, 29), dtype=np.uint8)
    ref = rng.integers(100, 256, (17, 23), dtype=np.uint8)
    np.testing.assert_array_equal(H.match(img, ref), _naive.match_levels(img, ref))


def test_match_close_to_skimage(camera, moon):
    out = H.match(camera, moon).astype(float)
    ref = exposure.match_histograms(camera, moon)
    assert np.abs(out - ref).mean() < 1.0


def test_match_output_histogram_follows_reference(camera, moon):
    out = H.match(camera, moon)
    cdf_out = np.cumsum(H.histogram(out).counts) / out.size
    cdf_ref = np.cumsum(H.histogram(moon).counts) / moon.size
    assert np.abs(cdf_out - cdf_ref).max() < 0.02


def test_colour_per_channel_and_luminance(astronaut):
    per = H.equalize(astronaut, channel_axis=-1)
    for c in range(3):
        np.testing.assert_array_equal(per[..., c], H.equalize(np.ascontiguousarray(astronaut[..., c])))
    low = (astronaut * 0.4 + 60).astype(np.uint8)  # a low-contrast colour image
    lum = H.equalize(low, channel_axis=-1, colour="luminance")
    assert lum.dtype == np.uint8 and lum.shape == low.shape
    # the output's luma is the equalised input luma, up to the rounding and clipping of the RGB round trip
    weights = np.array([0.299, 0.587, 0.114])
    y_equalized = H.equalize(np.rint(low @ weights).astype(np.uint8))
    diff = np.abs(lum @ weights - y_equalized)
    assert np.percentile(diff, 95) <= 1.0 and diff.max() <= 4.0
    matched = H.match(astronaut, astronaut[::-1, :, [2, 0, 1]], channel_axis=-1)
    assert matched.shape == astronaut.shape


# --- properties ---------------------------------------------------------------------------------------

# Each example is a few tens of microseconds once compiled: 80 examples cost well under a second.
@settings(max_examples=80, deadline=None)
@given(u8_images)
def test_counts_sum_to_pixels_and_equal_bincount(img):
    counts = H.histogram(img).counts
    assert counts.sum() == img.size
    np.testing.assert_array_equal(counts, np.bincount(img.reshape(-1), minlength=256))


@settings(max_examples=80, deadline=None)
@given(u8_images, st.sampled_from(["gonzalez", "opencv"]))
def test_equalize_is_monotone_in_input(img, definition):
    out = H.equalize(img, definition=definition)
    order = np.argsort(img.reshape(-1), kind="stable")
    assert np.all(np.diff(out.reshape(-1)[order].astype(int)) >= 0)


@settings(max_examples=60, deadline=None)
@given(u8_images)
def test_equalize_is_idempotent_in_levels(img):
    # equalising an equalised image changes no level partition: same levels stay together
    once = H.equalize(img)
    twice = H.equalize(once)
    assert len(np.unique(twice)) == len(np.unique(once))


@settings(max_examples=60, deadline=None)
@given(u8_images, u8_images)
def test_match_is_monotone_and_uses_reference_levels(img, ref):
    out = H.match(img, ref)
    order = np.argsort(img.reshape(-1), kind="stable")
    assert np.all(np.diff(out.reshape(-1)[order].astype(int)) >= 0)
    assert set(np.unique(out)) <= set(np.unique(ref))


# --- errors -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: H.histogram(np.zeros(3, np.uint8), bins=0), ValueError, "bins must be in [1"),
        (lambda: H.histogram(np.zeros(3), range=(2, 1)), ValueError, "low <= high"),
        (lambda: H.histogram(np.array([np.nan, np.nan])), ValueError, "no finite values"),
        (lambda: H.histogram(np.zeros((0, 3), np.uint8)), ValueError, "non-empty"),
        (lambda: H.equalize(np.zeros(3, np.uint8), definition="imagej"), ValueError, "'gonzalez', 'opencv'"),
        (lambda: H.equalize(np.zeros((4, 4, 2), np.uint8), channel_axis=-1, colour="luminance"), ValueError,
         "3 channels"),
        (lambda: H.equalize(np.zeros(3, np.int16)), TypeError, "int16"),
        (lambda: H.equalize(np.zeros((3, 3)), definition="opencv"), ValueError, "uint8/uint16"),
        (lambda: H.match(np.zeros((3, 3, 3), np.uint8), np.zeros((3, 3, 2), np.uint8), channel_axis=-1),
         ValueError, "3 channels"),
        (lambda: H.equalize(np.zeros((3, 3), np.uint8), channel_axis=2), ValueError, "channel_axis"),
    ],
)
def test_bad_input_gives_clear_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
