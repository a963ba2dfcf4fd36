"""fastdip.arithmetic: saturation hand cases, OpenCV references (saturate_cast), the 1/sqrt(K) law."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastdip import arithmetic as A


def test_saturation_hand_cases():
    a = np.array([0, 100, 200, 255], np.uint8)
    assert A.add(a, 100).tolist() == [100, 200, 255, 255]
    assert A.subtract(a, 150).tolist() == [0, 0, 50, 105]
    assert A.multiply(a, 2).tolist() == [0, 200, 255, 255]
    assert A.divide(a, 2).tolist() == [0, 50, 100, 128]  # 255 / 2 = 127.5 -> 128 (half to even)
    assert A.blend(a, np.full(4, 255, np.uint8), 1.0).tolist() == [255] * 4


def test_float_is_plain_arithmetic(rng):
    a, b = rng.random((5, 5)), rng.random((5, 5))
    np.testing.assert_array_equal(A.subtract(a, b), a - b)
    np.testing.assert_array_equal(A.add(a.astype(np.float32), b).dtype, np.float32)


@pytest.mark.parametrize("op, cv", [(A.add, cv2.add), (A.subtract, cv2.subtract)])
def test_add_subtract_equal_opencv_saturate_cast(rng, op, cv):
    for dt, top in [(np.uint8, 256), (np.uint16, 65536)]:
        a = rng.integers(0, top, (64, 80), dtype=dt)
        b = rng.integers(0, top, (64, 80), dtype=dt)
        np.testing.assert_array_equal(op(a, b), cv(a, b))


def test_multiply_divide_equal_opencv(rng):
    a = rng.integers(0, 256, (64, 80), dtype=np.uint8)
    b = rng.integers(1, 256, (64, 80), dtype=np.uint8)
    np.testing.assert_array_equal(A.multiply(a, b), cv2.multiply(a, b))
    np.testing.assert_array_equal(A.divide(a, b), cv2.divide(a, b))


def test_divide_by_zero_documented_values():
    out = A.divide(np.array([0, 5], np.uint8), np.array([0, 0], np.uint8))
    assert out.tolist() == [0, 255]


def test_blend_matches_opencv_addweighted(rng):
    a = rng.integers(0, 256, (50, 60), dtype=np.uint8)
    b = rng.integers(0, 256, (50, 60), dtype=np.uint8)
    ours = A.blend(a, b, 0.3).astype(int)
    theirs = cv2.addWeighted(a, 0.7, b, 0.3, 0).astype(int)
    assert np.abs(ours - theirs).max() <= 1  # OpenCV rounds its float sum half away from zero


# averaging K images with independent noise: std falls as sigma / sqrt(K) (the issue asks within 5 %)
@pytest.mark.parametrize("k", [1, 2, 4, 8, 16])
def test_average_noise_std_falls_as_one_over_sqrt_k(camera, k):
    rng = np.random.default_rng(1000 + k)
    sigma = 20.0
    clean = camera.astype(np.float64)
    noisy = [clean + rng.normal(0, sigma, clean.shape) for _ in range(k)]
    residual = A.average(noisy) - clean
    assert residual.std() == pytest.approx(sigma / np.sqrt(k), rel=0.05)


def test_average_of_uint8_images_and_stack(rng):
    imgs = rng.integers(0, 256, (4, 10, 12), dtype=np.uint8)
    np.testing.assert_allclose(A.average(imgs), imgs.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(A.average(list(imgs)), imgs.mean(axis=0), rtol=1e-6)
    assert A.average(imgs, dtype=np.uint8).dtype == np.uint8


# microsecond examples; 100 of them
@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, 16), arrays(np.uint8, 16))
def test_saturating_ops_equal_clipped_exact_integers(a, b):
    wide_a, wide_b = a.astype(int), b.astype(int)
    np.testing.assert_array_equal(A.add(a, b), np.clip(wide_a + wide_b, 0, 255))
    np.testing.assert_array_equal(A.subtract(a, b), np.clip(wide_a - wide_b, 0, 255))
    np.testing.assert_array_equal(A.multiply(a, b), np.clip(wide_a * wide_b, 0, 255))


@settings(max_examples=50, deadline=None)
@given(arrays(np.uint8, 16), arrays(np.uint8, 16), st.floats(0, 1))
def test_blend_stays_between_inputs(a, b, alpha):
    out = A.blend(a, b, alpha).astype(int)
    assert np.all(out >= np.minimum(a, b)) and np.all(out <= np.maximum(a, b))


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: A.add(np.zeros((2, 3), np.uint8), np.zeros((3, 2), np.uint8)), ValueError, "(2, 3) and (3, 2)"),
        (lambda: A.blend(np.zeros(2), np.zeros(2), 1.5), ValueError, "alpha must be in [0.0, 1.0]"),
        (lambda: A.average([]), ValueError, "at least one image"),
        (lambda: A.average([np.zeros(2), np.zeros(3)]), ValueError, "images[1]"),
        (lambda: A.add(np.zeros(2, np.uint8), float("inf")), ValueError, "finite"),
        (lambda: A.add(np.zeros(2, np.uint8), "x"), TypeError, "numeric"),
    ],
)
def test_bad_input_gives_clear_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
