"""fastdip.dtype: the documented rule for every input dtype, references (scikit-image), properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import exposure
from skimage import util as skutil

from fastdip import dtype as D


def test_rule_table_hand_cases():
    assert D.to_float(np.array([0, 255], np.uint8)).tolist() == [0.0, 1.0]
    assert D.to_float(np.array([0, 65535], np.uint16)).dtype == np.float32
    assert D.to_float(np.array([True, False])).tolist() == [1.0, 0.0]
    assert D.to_float(np.array([3, 4], np.uint8), dtype=np.float64).dtype == np.float64
    assert D.to_uint8(np.array([True, False])).tolist() == [255, 0]
    assert D.to_uint16(np.array([0, 1, 255], np.uint8)).tolist() == [0, 257, 65535]
    assert D.to_uint8(np.array([0, 128, 65535], np.uint16)).tolist() == [0, 0, 255]
    assert D.to_uint8(np.array([-1.0, 0.5, 3.0])).tolist() == [0, 128, 255]
    assert D.to_uint16(np.array([0.5])).tolist() == [32768]


def test_to_float_matches_skimage_img_as_float(rng):
    for img in [rng.integers(0, 256, (20, 20), dtype=np.uint8), rng.integers(0, 65536, (20, 20), dtype=np.uint16)]:
        np.testing.assert_allclose(D.to_float(img, dtype=np.float64), skutil.img_as_float64(img), atol=1e-15)


def test_to_uint8_matches_skimage_on_floats(rng):
    img = rng.random((30, 30))
    np.testing.assert_array_equal(D.to_uint8(img), skutil.img_as_ubyte(img))


def test_rescale_intensity_matches_skimage(rng):
    img = rng.integers(30, 200, (40, 40), dtype=np.uint8)
    ours = D.rescale_intensity(img, out_range=(0.0, 1.0), dtype=np.float64)
    theirs = exposure.rescale_intensity(img, out_range=(0.0, 1.0))
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    # scikit-image truncates integer outputs; fastdip rounds, so compare with its float result rounded
    theirs_float = exposure.rescale_intensity(img.astype(np.float64), in_range=(50, 150), out_range=(0, 255))
    np.testing.assert_array_equal(D.rescale_intensity(img, in_range=(50, 150)), np.rint(theirs_float))


def test_rescale_intensity_signed_and_inverted():
    img = np.array([-100, 0, 100], np.int16)
    assert D.rescale_intensity(img, out_range=(0, 255), dtype=np.uint8).tolist() == [0, 128, 255]
    assert D.rescale_intensity(img, out_range=(255, 0), dtype=np.uint8).tolist() == [255, 128, 0]
    assert D.rescale_intensity(np.full(3, 5.0), out_range=(2, 3)).tolist() == [2.0, 2.0, 2.0]


# Each example is microseconds: 100 examples cost ~0.1 s.
@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, st.integers(1, 50)))
def test_uint8_float_round_trip_is_exact(img):
    np.testing.assert_array_equal(D.to_uint8(D.to_float(img)), img)
    np.testing.assert_array_equal(D.to_uint8(D.to_uint16(img)), img)


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint16, st.integers(1, 50)))
def test_uint16_float64_round_trip_is_exact(img):
    np.testing.assert_array_equal(D.to_uint16(D.to_float(img, dtype=np.float64)), img)


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-2, 3)))
def test_to_uint8_is_clipped_rounding(img):
    np.testing.assert_array_equal(D.to_uint8(img), np.rint(np.clip(img, 0, 1) * 255).astype(np.uint8))


def test_inputs_never_modified_and_copies_returned():
    img = np.array([1, 2, 3], np.uint8)
    out = D.to_uint8(img)
    out[0] = 99
    assert img[0] == 1


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: D.to_uint8(np.array([np.nan, 0.5])), ValueError, "NaN"),
        (lambda: D.to_float(np.array([1, 2], np.int16)), TypeError, "rescale_intensity"),
        (lambda: D.to_float(np.array([1], np.uint8), dtype=np.uint8), TypeError, "float32 or numpy.float64"),
        (lambda: D.rescale_intensity(np.array([1, 2]), in_range="all"), ValueError, "'image', 'dtype'"),
        (lambda: D.rescale_intensity(np.array([np.nan, 1.0]), dtype=np.uint8), ValueError, "NaN"),
        (lambda: D.to_uint16([[1, 2]]), TypeError, "signed"),
    ],
)
def test_bad_input_gives_clear_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
