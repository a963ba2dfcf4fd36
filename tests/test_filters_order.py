"""fastdip.filters order statistics (median, rank, minimum, maximum, percentile): hand cases, references
(scipy.ndimage for every mode, OpenCV's medianBlur, a plain sort-every-window function), properties and
pathologies.

Cost: every (algorithm, dtype) pair is a numba compilation (cached on disk after the first run), so the
reference grids below pick sizes that reach each algorithm with each dtype once or twice rather than taking
the full product of modes, sizes, dtypes and dimensions; hypothesis tests stay on uint8/float64 and small
images.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastdip import filters as F
from fastdip import intensity
from fastdip.filters import _order
from tests import _naive_order as naive

MODES = ("reflect", "mirror", "nearest", "wrap", "constant")
DTYPES = (np.uint8, np.uint16, np.float32, np.float64)
# the full grids run on one integer and one float dtype; uint16 and float32 (same kernels, other compilations)
# get the cases where their path differs (histograms, distinct-value ranks) and one pass of each network
MAIN = (np.uint8, np.float64)


def _image(rng, shape, dtype):
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 50).astype(dtype)
    top = 256 if dtype == np.uint8 else 4096  # uint16: 12-bit levels (ties, like real data)
    return rng.integers(0, top, shape).astype(dtype)


def _same(got, expected):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


# --- hand cases -------------------------------------------------------------------------------------------

# 1-D median of 3 on a b c d = 4 1 3 2 with each extension: reflect (4 | 4 1 3 2 | 2), mirror (1 | ... | 3),
# nearest (4 | ... | 2), wrap (2 | ... | 4), constant 9 (9 | ... | 9)
HAND_MEDIAN3 = {
    "reflect": [4, 3, 2, 2],
    "mirror": [1, 3, 2, 3],
    "nearest": [4, 3, 2, 2],
    "wrap": [2, 3, 2, 3],
    "constant": [4, 3, 2, 3],
}


@pytest.mark.parametrize("mode", MODES)
def test_median_1d_hand_worked_every_mode(mode):
    got = F.median(np.array([4, 1, 3, 2], np.uint8), 3, mode=mode, cval=9)
    assert got.tolist() == HAND_MEDIAN3[mode]


def test_median_removes_salt_and_pepper_hand():
    img = np.full((5, 5), 10, np.uint8)
    img[1, 1], img[3, 2] = 255, 0
    _same(F.median(img), np.full((5, 5), 10, np.uint8))


def test_rank_minimum_maximum_percentile_hand():
    img = np.array([[5, 1, 4, 6, 2, 8, 3]], np.uint8)
    assert F.minimum(img, (1, 3), mode="nearest").tolist() == [[1, 1, 1, 2, 2, 2, 3]]
    assert F.maximum(img, (1, 3), mode="nearest").tolist() == [[5, 5, 6, 6, 8, 8, 8]]
    assert F.rank(img, (1, 3), 1, mode="nearest").tolist() == [[5, 4, 4, 4, 6, 3, 3]]
    assert F.rank(img, (1, 3), -2, mode="nearest").tolist() == F.rank(img, (1, 3), 1, mode="nearest").tolist()
    # scipy's percentile rule: rank int(n * p / 100); 50% of 5 -> rank 2 (the median), 100% -> the maximum
    assert F.percentile(img, (1, 5), 50).tolist() == F.median(img, (1, 5)).tolist()
    assert F.percentile(img, (1, 5), 100).tolist() == F.maximum(img, (1, 5)).tolist()
    assert F.percentile(img, (1, 5), -100).tolist() == F.minimum(img, (1, 5)).tolist()


def test_even_footprint_count_gives_upper_median_hand():
    fp = np.array([[1, 1, 0]], bool)  # the pixel and its left neighbour: median of 2 is the larger
    assert F.median(np.array([[1, 5, 2]], np.uint8), footprint=fp, mode="nearest").tolist() == [[1, 5, 5]]


def test_constant_cval_is_truncated_like_scipy_hand():
    out = F.median(np.zeros((3, 3), np.uint8), mode="constant", cval=2.7)
    assert out.tolist() == [[2, 0, 2], [0, 0, 0], [2, 0, 2]]


# --- references: scipy.ndimage for every mode --------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", MAIN)
@pytest.mark.parametrize("size", [1, 3, 5, 7, 9, 15])
def test_median_equals_scipy_2d(rng, mode, dtype, size):
    img = _image(rng, (23, 37), dtype)
    _same(F.median(img, size, mode=mode, cval=7), ndi.median_filter(img, size, mode=mode, cval=7))


@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
@pytest.mark.parametrize("size", [3, 5, 7])
def test_median_other_dtypes_equal_scipy_2d(rng, dtype, size):
    img = _image(rng, (23, 37), dtype)
    for mode in MODES:
        _same(F.median(img, size, mode=mode, cval=7), ndi.median_filter(img, size, mode=mode, cval=7))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [(3, 5), (1, 7), (9, 3), (11, 11), (15, 13)])
def test_median_odd_per_axis_sizes_equal_scipy(rng, mode, size):
    img = _image(rng, (41, 29), np.uint8)
    _same(F.median(img, size, mode=mode, cval=3), ndi.median_filter(img, size, mode=mode, cval=3))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", MAIN)
@pytest.mark.parametrize("size", [3, 5, (3, 1, 5)])
def test_median_equals_scipy_3d(rng, mode, dtype, size):
    img = _image(rng, (7, 9, 11), dtype)
    _same(F.median(img, size, mode=mode, cval=2), ndi.median_filter(img, size, mode=mode, cval=2))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (4, 2), (3, 1), (1, 5)])
@pytest.mark.parametrize("size", [3, 5, 7, 15])
def test_images_smaller_than_the_window_equal_scipy(rng, mode, shape, size):
    img = _image(rng, shape, np.uint8)
    _same(F.median(img, size, mode=mode, cval=200), ndi.median_filter(img, size, mode=mode, cval=200))
    _same(F.maximum(img, size, mode=mode, cval=200), ndi.maximum_filter(img, size, mode=mode, cval=200))


def test_reflect_far_past_the_border_is_the_periodic_extension():
    """Once a window's radius reaches twice the image side, scipy's n-D rank filters map the reflected index
    -2n*m to -1 and read outside the array (rank_filter of [[3., 7.]] with 25 elements returns 1.6e-322);
    fastdip keeps the periodic extension d c b a | a b c d | d c b a, as numpy.pad('symmetric') and scipy's
    own correlate1d do."""
    img = np.array([[3.0, 7.0]])
    fp = np.ones((1, 25), bool)
    for k in (0, 1, 12, 24):
        _same(F.rank(img, None, k, footprint=fp, mode="reflect"), naive.rank_filter(img, fp, k, "reflect"))
    weights = np.zeros(25)
    weights[0] = 1  # the window's first element: the extension at x - 12
    assert ndi.correlate1d(img, weights, mode="reflect").tolist() == [[3.0, 7.0]]
    assert F.rank(img, (1, 25), 0, mode="reflect").tolist() == [[3.0, 3.0]]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_large_windows_equal_scipy(rng, mode, dtype):
    """Histograms (uint8 Perreault, uint16 Huang), ranks of distinct values (float)."""
    img = _image(rng, (40, 530), dtype)  # wider than one 512-column strip
    if dtype == np.float32:
        img = np.round(img)  # few distinct values: the distinct-values path
    for size in [(11, 11), (15, 15)]:
        _same(F.median(img, size, mode=mode, cval=5), ndi.median_filter(img, size, mode=mode, cval=5))
    _same(F.rank(img, (15, 15), 30, mode=mode, cval=5), ndi.rank_filter(img, 30, (15, 15), mode=mode, cval=5))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("footprint", [naive.disk(2), naive.cross(2), naive.disk(7), naive.cross(9)],
                         ids=["disk2", "cross2", "disk7", "cross9"])
@pytest.mark.parametrize("dtype", MAIN)
def test_footprints_equal_scipy(rng, mode, footprint, dtype):
    img = _image(rng, (19, 31), dtype)
    for ours, theirs in ((F.median, ndi.median_filter), (F.minimum, ndi.minimum_filter),
                         (F.maximum, ndi.maximum_filter)):
        _same(ours(img, footprint=footprint, mode=mode, cval=4), theirs(img, footprint=footprint, mode=mode, cval=4))


def test_3d_footprints_equal_scipy(rng):
    img = _image(rng, (6, 8, 9), np.float64)
    fp = rng.random((3, 5, 3)) > 0.4
    fp[1, 2, 1] = True
    for mode in MODES:
        _same(F.median(img, footprint=fp, mode=mode), ndi.median_filter(img, footprint=fp, mode=mode))
        _same(F.rank(img, None, 2, footprint=fp, mode=mode), ndi.rank_filter(img, 2, footprint=fp, mode=mode))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", MAIN)
@pytest.mark.parametrize("size", [1, 3, 5, 15, (3, 9)])
def test_minimum_maximum_equal_scipy(rng, mode, dtype, size):
    img = _image(rng, (21, 26), dtype)
    _same(F.minimum(img, size, mode=mode, cval=1), ndi.minimum_filter(img, size, mode=mode, cval=1))
    _same(F.maximum(img, size, mode=mode, cval=1), ndi.maximum_filter(img, size, mode=mode, cval=1))


@pytest.mark.parametrize("mode", MODES)
def test_minimum_maximum_3d_equal_scipy(rng, mode):
    img = _image(rng, (5, 7, 6), np.uint8)
    for size in [3, (5, 1, 3), 7]:
        _same(F.minimum(img, size, mode=mode, cval=9), ndi.minimum_filter(img, size, mode=mode, cval=9))
        _same(F.maximum(img, size, mode=mode, cval=9), ndi.maximum_filter(img, size, mode=mode, cval=9))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
@pytest.mark.parametrize("rank", [0, 1, 4, -1, -3])
def test_rank_equals_scipy(rng, mode, dtype, rank):
    img = _image(rng, (17, 22), dtype)
    for size in [3, 5, (3, 7)]:
        _same(F.rank(img, size, rank, mode=mode, cval=2), ndi.rank_filter(img, rank, size, mode=mode, cval=2))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("percentile", [0, 10, 25, 50, 62.5, 99, 100, -30])
def test_percentile_equals_scipy(rng, mode, percentile):
    img = _image(rng, (18, 20), np.float64)
    for size in [3, (5, 3)]:
        _same(F.percentile(img, size, percentile, mode=mode, cval=-1),
              ndi.percentile_filter(img, percentile, size, mode=mode, cval=-1))
    fp = naive.disk(2)
    _same(F.percentile(img, None, percentile, footprint=fp, mode=mode),
          ndi.percentile_filter(img, percentile, footprint=fp, mode=mode))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int16, np.int32, np.uint32])
def test_other_dtypes_equal_scipy_and_keep_dtype(rng, dtype):
    if dtype == np.bool_:
        img = rng.random((15, 16)) > 0.5
    else:
        info = np.iinfo(dtype)
        img = rng.integers(info.min, info.max, (15, 16), endpoint=True).astype(dtype)
    cval = 1 if dtype == np.bool_ else 3
    for size in [3, 5, 9]:
        for mode in ("reflect", "constant"):
            _same(F.median(img, size, mode=mode, cval=cval), ndi.median_filter(img, size, mode=mode, cval=cval))
            _same(F.minimum(img, size, mode=mode, cval=cval), ndi.minimum_filter(img, size, mode=mode, cval=cval))


def test_float16_equals_float32_result(rng):
    img = (rng.standard_normal((12, 13)) * 100).astype(np.float16)
    out = F.median(img, 5, mode="constant", cval=0.1)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, naive.median_filter(img, 5, mode="constant", cval=np.float16(0.1)))


@pytest.mark.parametrize("mode", MODES)
def test_plain_sort_every_window_reference(rng, mode):
    img = _image(rng, (9, 11), np.float64)
    fp = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]], bool)
    for k in (0, 2, 5):
        np.testing.assert_array_equal(F.rank(img, None, k, footprint=fp, mode=mode, cval=0.5),
                                      naive.rank_filter(img, fp, k, mode, 0.5))


@pytest.mark.parametrize("force", ["select", "network", "huang", "codes"])
@pytest.mark.parametrize("mode", ["reflect", "constant"])
def test_every_algorithm_agrees_with_scipy(rng, monkeypatch, force, mode):
    """Move the dispatch thresholds so that one algorithm takes every case it can."""
    windows = [dict(size=(3, 7)), dict(size=5), dict(size=9), dict(footprint=naive.disk(2))]
    dtypes = (np.uint8, np.float64)
    if force == "select":
        monkeypatch.setattr(_order, "_NETWORK_MAX_SIZE", 0)
        monkeypatch.setattr(_order, "_CODES_MIN_SIZE", 10**9)
    elif force == "network":
        monkeypatch.setattr(_order, "_PERREAULT_MIN_SIZE", 10**9)
        monkeypatch.setattr(_order, "_HUANG_MIN_SIZE", {1: 10**9, 2: 10**9})
    elif force == "huang":  # uint8 rectangles go to Perreault unless their area passes 32767
        monkeypatch.setattr(_order, "_HUANG_MIN_SIZE", {1: 2, 2: 2})
        windows, dtypes = [dict(footprint=naive.disk(2)), dict(footprint=naive.cross(3))], (np.uint8,)
    else:
        monkeypatch.setattr(_order, "_CODES_MIN_SIZE", 2)
        dtypes = (np.float64,)
    for dtype in dtypes:
        img = _image(rng, (13, 17), dtype)
        for window in windows:
            _same(F.median(img, mode=mode, cval=2, **window), ndi.median_filter(img, mode=mode, cval=2, **window))
            fp = window.get("footprint")
            size = window.get("size")
            _same(F.rank(img, size, 1, footprint=fp, mode=mode, cval=2),
                  ndi.rank_filter(img, 1, size, footprint=fp, mode=mode, cval=2))


@pytest.mark.parametrize("size", [3, 5, 7, 15])
def test_median_equals_opencv_medianblur_nearest(rng, size):
    img = rng.integers(0, 256, (67, 301), dtype=np.uint8)
    _same(F.median(img, size, mode="nearest"), cv2.medianBlur(img, size))


@pytest.mark.parametrize("size", [3, 5])
def test_float32_median_equals_opencv_medianblur_nearest(rng, size):
    img = rng.random((40, 70), dtype=np.float32)
    _same(F.median(img, size, mode="nearest"), cv2.medianBlur(img, size))


def test_median_colour_channels_are_independent(rng):
    img = rng.integers(0, 256, (17, 19, 3), dtype=np.uint8)
    expected = np.stack([ndi.median_filter(img[..., c], 5) for c in range(3)], axis=-1)
    _same(F.median(img, 5, channel_axis=-1), expected)
    _same(F.median(np.moveaxis(img, -1, 0), 5, channel_axis=0), np.moveaxis(expected, -1, 0))
    _same(F.maximum(img, 3, channel_axis=2), np.stack([ndi.maximum_filter(img[..., c], 3) for c in range(3)], -1))


# --- properties ----------------------------------------------------------------------------------------------

small_u8 = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)))
sizes = st.sampled_from([1, 3, 5, 7])
modes = st.sampled_from(MODES)


# cost: uint8 only, images up to 12x12, sizes up to 7: every kernel involved is compiled by the reference tests
@settings(max_examples=60, deadline=None)
@given(small_u8, sizes, modes)
def test_property_median_between_minimum_and_maximum(img, size, mode):
    med = F.median(img, size, mode=mode)
    assert np.all(F.minimum(img, size, mode=mode) <= med) and np.all(med <= F.maximum(img, size, mode=mode))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 255), st.tuples(st.integers(1, 9), st.integers(1, 9)), sizes, modes)
def test_property_constant_image_is_a_fixed_point(value, shape, size, mode):
    img = np.full(shape, value, np.uint8)
    _same(F.median(img, size, mode=mode, cval=value), img)
    _same(F.percentile(img, size, 30, mode=mode, cval=value), img)


@settings(max_examples=40, deadline=None)
@given(small_u8, sizes, st.sampled_from(MODES[:4]))
def test_property_median_commutes_with_the_negative(img, size, mode):
    # a decreasing point map turns rank k into rank n-1-k: the median into itself (odd n)
    _same(F.median(intensity.negative(img), size, mode=mode), intensity.negative(F.median(img, size, mode=mode)))


@settings(max_examples=40, deadline=None)
@given(small_u8, st.sampled_from([3, 5, (3, 5)]), modes)
def test_property_rank_extremes_are_minimum_and_maximum(img, size, mode):
    _same(F.rank(img, size, 0, mode=mode), F.minimum(img, size, mode=mode))
    _same(F.rank(img, size, -1, mode=mode), F.maximum(img, size, mode=mode))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 8)),
              elements=st.floats(-1e6, 1e6, allow_nan=False)), st.sampled_from([3, 5]), modes)
def test_property_float_median_equals_scipy(img, size, mode):
    _same(F.median(img, size, mode=mode), ndi.median_filter(img, size, mode=mode))


# --- pathologies ---------------------------------------------------------------------------------------------

def test_one_pixel_image():
    for func in (F.median, F.minimum, F.maximum):
        assert func(np.array([[7]], np.uint8), 5).tolist() == [[7]]
    assert F.median(np.array([[7]], np.uint8), 3, mode="constant", cval=1).tolist() == [[1]]


def test_infinities_are_ordinary_values():
    img = np.array([[np.inf, 0.0, -np.inf], [1.0, np.inf, 2.0], [-np.inf, 3.0, np.inf]])
    for mode in MODES:
        _same(F.median(img, mode=mode), ndi.median_filter(img, 3, mode=mode))
        _same(F.maximum(img, mode=mode), ndi.maximum_filter(img, 3, mode=mode))


def test_nan_is_refused():
    img = np.zeros((4, 4))
    img[1, 2] = np.nan
    for func in (F.median, F.minimum, F.maximum):
        with pytest.raises(ValueError, match=r"must not contain NaN.*1 NaN"):
            func(img)


def test_input_is_not_modified_and_views_are_accepted(rng):
    img = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    copy = img.copy()
    img.setflags(write=False)
    _same(F.median(img.T, 5), ndi.median_filter(copy.T, 5))
    _same(F.median(img[::2, 1::3], 3), ndi.median_filter(copy[::2, 1::3], 3))
    np.testing.assert_array_equal(img, copy)


@pytest.mark.parametrize("size", [2, 0, -3, (3, 4), (3,), 2.5, True, "3"])
def test_bad_size(size):
    with pytest.raises((ValueError, TypeError), match="median: size must be"):
        F.median(np.zeros((5, 5), np.uint8), size)


def test_errors_name_function_parameter_and_value():
    img = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match=r"median: image must be a non-empty array"):
        F.median(np.zeros((0, 3), np.uint8))
    with pytest.raises(ValueError, match=r"median: mode must be one of 'reflect'.*got 'symmetric'"):
        F.median(img, mode="symmetric")
    with pytest.raises(ValueError, match=r"median: cval must be within the range \[0, 255\].*got 300"):
        F.median(img, mode="constant", cval=300)
    with pytest.raises(ValueError, match=r"median: footprint must be a non-empty boolean array of 2 dim"):
        F.median(img, footprint=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match=r"median: footprint must be a footprint with at least one True"):
        F.median(img, footprint=np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match=r"rank: rank must be an integer in \[-9, 8\].*got 9"):
        F.rank(img, 3, 9)
    with pytest.raises(TypeError, match=r"rank: rank must be an integer"):
        F.rank(img, 3, 1.5)
    with pytest.raises(ValueError, match=r"percentile: percentile must be in \[-100, 100\], got 101"):
        F.percentile(img, 3, 101)
    with pytest.raises(TypeError, match=r"rank: size must be an odd positive int .* when footprint is None"):
        F.rank(img, None, 1)
    with pytest.raises(ValueError, match=r"minimum: image must be a 1-D, 2-D or 3-D array"):
        F.minimum(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match=r"maximum: channel_axis must be None or an integer axis"):
        F.maximum(img, channel_axis=2)
    with pytest.raises(TypeError, match=r"median: image must be an array of dtype bool, uint8.*64-bit"):
        F.median(np.zeros((3, 3), np.int64))
    with pytest.raises(TypeError, match=r"median: image must be a real-valued array"):
        F.median(np.zeros((3, 3), complex))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([np.uint8, np.uint16]), st.sampled_from([3, 5]), st.sampled_from(list(_order._modes.MODES)),
       st.integers(1, 23), st.integers(1, 23), st.sampled_from(["plain", "readonly", "strided", "fortran"]),
       st.data())
def test_median_fast_path_equals_scipy_and_the_general_path(dtype, size, mode, h, w, layout, data):
    """median's shortcut for plain uint8/uint16 2-D images (3x3 / 5x5, cval 0) gives what the general path and
    scipy give, on every layout it accepts (it must not take views it cannot read as C-ordered rows)."""
    top = np.iinfo(dtype).max
    base = data.draw(arrays(dtype, (h, 2 * w), elements=st.integers(0, top)))
    image = {"plain": np.ascontiguousarray(base[:, :w]), "strided": base[:, ::2],
             "fortran": np.asfortranarray(base[:, :w]), "readonly": np.ascontiguousarray(base[:, :w])}[layout]
    if layout == "readonly":
        image.setflags(write=False)
    before = image.copy()
    fast = F.median(image, size, mode=mode)
    general = _order._filter(image, size, None, lambda n: n // 2, mode, 0.0, None, "median")
    ref = ndi.median_filter(image, size=size, mode=mode, cval=0)
    assert fast.dtype == image.dtype and fast.shape == image.shape
    np.testing.assert_array_equal(fast, general)
    if min(h, w) > size:  # (scipy's 'reflect' reads outside very small images; see median's Notes)
        np.testing.assert_array_equal(fast, ref)
    np.testing.assert_array_equal(image, before)
    # the calls the shortcut leaves to the general path: cval other than 0, an int cval 0, big-endian data
    np.testing.assert_array_equal(F.median(image, size, mode=mode, cval=0), general)
    swapped = image.astype(image.dtype.newbyteorder(">"))
    np.testing.assert_array_equal(F.median(swapped, size, mode=mode), general)
