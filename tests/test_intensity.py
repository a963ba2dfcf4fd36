"""fastdip.intensity: hand cases, references (numpy formulas, OpenCV LUT), properties, pathologies."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastdip import intensity

u8_images = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)))
u16_images = arrays(np.uint16, st.tuples(st.integers(1, 8), st.integers(1, 8)))


# --- hand cases ---------------------------------------------------------------------------------------

def test_negative_hand_uint8_uint16_float_signed():
    assert intensity.negative(np.array([0, 1, 254, 255], np.uint8)).tolist() == [255, 254, 1, 0]
    assert intensity.negative(np.array([0, 65535], np.uint16)).tolist() == [65535, 0]
    np.testing.assert_array_equal(intensity.negative(np.array([0.0, 0.3, 1.0], np.float32)),
                                  np.array([1.0, 0.7, 0.0], np.float32))
    assert intensity.negative(np.array([-128, 0, 127], np.int8)).tolist() == [127, -1, -128]


def test_negative_custom_max_value_clips_at_zero():
    out = intensity.negative(np.array([0, 100, 200], np.uint8), max_value=150)
    assert out.tolist() == [150, 50, 0] and out.dtype == np.uint8


def test_gamma_hand_values():
    # 255 * (64/255)**0.5 = 127.75 -> 128; 255 * (128/255)**0.5 = 180.67 -> 181
    assert intensity.gamma(np.array([0, 64, 128, 255], np.uint8), 0.5).tolist() == [0, 128, 181, 255]


def test_log_transform_maps_top_level_to_top():
    out = intensity.log_transform(np.array([0, 255], np.uint8))
    assert out.tolist() == [0, 255]
    out16 = intensity.log_transform(np.array([0, 65535], np.uint16))
    assert out16.tolist() == [0, 65535]


def test_contrast_stretch_two_control_points():
    img = np.array([0, 50, 100, 150, 200], np.uint8)
    out = intensity.contrast_stretch(img, in_range=(50, 150), out_range=(0, 200))
    assert out.tolist() == [0, 0, 100, 200, 200]


def test_piecewise_linear_hand():
    img = np.array([0, 50, 100, 125, 150, 255], np.uint8)
    out = intensity.piecewise_linear(img, [(100, 50), (150, 200)])
    assert out.tolist() == [0, 25, 50, 125, 200, 255]


def test_threshold_and_bit_planes_hand():
    img = np.array([[0, 127], [128, 255]], np.uint8)
    assert intensity.threshold(img, 127).tolist() == [[False, False], [True, True]]
    assert intensity.bit_plane(img, 7).tolist() == [[False, False], [True, True]]
    assert intensity.bit_plane(img, 0).tolist() == [[False, True], [False, True]]


@given(values=arrays(np.float32, st.integers(1, 40), elements=st.floats(-1e3, 1e3, width=32)),
       t=st.one_of(st.floats(-1e3, 1e3), st.sampled_from([0.1, 0.2, 1 / 3, 1e-8, -0.7, 3e38, 4e38, -4e38])),
       dtype=st.sampled_from([np.float32, np.float16, np.float64]))
@settings(max_examples=200, deadline=None)
def test_threshold_is_the_exact_comparison_with_t(values, t, dtype):
    # image > t on the real numbers, not with t rounded to the image's float dtype (numpy 2 compares a float32
    # array with a Python float in float32: float32(0.1) > 0.1 came out False); binarize shares the rule
    from fastdip import segmentation

    with np.errstate(over="ignore"):
        img = values.astype(dtype)
    img = img[np.isfinite(img)]
    exact = img.astype(np.float64) > t
    assert np.array_equal(intensity.threshold(img, t), exact)
    assert np.array_equal(segmentation.binarize(img, t), exact)
    assert np.array_equal(segmentation.binarize(img, t, dark=True), ~exact)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32, np.int64])
def test_threshold_of_integer_images_at_and_beyond_their_range(dtype):
    # integers compare with floor(t) in their own dtype; t outside the dtype's range gives a constant mask
    info = np.iinfo(dtype)
    img = np.array([info.min, info.min + 1, 0, 1, 5, info.max - 1, info.max], dtype)
    for t in (info.min - 1.5, info.min - 1, float(info.min), info.min + 0.5, -0.5, 0, 0.5, 4.999, 5, 5.5,
              float(info.max) - 1, info.max - 0.5, float(info.max), info.max + 1e3, 1e30, -1e30):
        exact = np.array([int(v) > float(t) for v in img])  # (t is taken as a float: exact above 2**53 too)
        assert np.array_equal(intensity.threshold(img, t), exact), t
    assert intensity.threshold(np.zeros((0, 3), dtype), 1).shape == (0, 3)


def test_apply_lut_hand_and_output_dtype():
    lut = np.linspace(0, 1, 256).astype(np.float32)
    out = intensity.apply_lut(np.array([0, 255], np.uint8), lut)
    assert out.dtype == np.float32 and out.tolist() == [0.0, 1.0]


# --- references ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("g", [0.4, 0.5, 1.0, 2.5])
def test_gamma_equals_rounded_float_formula_on_camera(camera, g):
    expected = np.rint(255.0 * (camera / 255.0) ** g).astype(np.uint8)
    np.testing.assert_array_equal(intensity.gamma(camera, g), expected)


def test_gamma_uint16_equals_formula(rng):
    img = rng.integers(0, 65536, (64, 70), dtype=np.uint16)
    expected = np.rint(65535.0 * (img / 65535.0) ** 0.7).astype(np.uint16)
    np.testing.assert_array_equal(intensity.gamma(img, 0.7), expected)


def test_apply_lut_matches_opencv_lut_all_sizes(rng):
    lut = rng.integers(0, 256, 256, dtype=np.uint8)
    for shape in [(1, 1), (3, 5), (257, 263), (600, 601), (5, 7, 3)]:
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        np.testing.assert_array_equal(intensity.apply_lut(img, lut), cv2.LUT(img, lut).reshape(shape))


def test_apply_lut_non_contiguous_and_readonly_input(rng):
    img = rng.integers(0, 256, (300, 400), dtype=np.uint8)
    view = img[::2, ::3]
    view.setflags(write=False)
    lut = np.arange(256, dtype=np.uint8)[::-1].copy()
    np.testing.assert_array_equal(intensity.apply_lut(view, lut), 255 - view)


def test_log_transform_float_formula(rng):
    img = rng.random((20, 30)).astype(np.float32) * 1000
    np.testing.assert_allclose(intensity.log_transform(img), np.log1p(img), rtol=1e-6)
    np.testing.assert_allclose(intensity.log_transform(img, c=2.0), 2 * np.log1p(img), rtol=1e-6)


def _log1p_rounded_once(img: np.ndarray) -> np.ndarray:
    # log(1 + r) in float64, one rounding to float32: the float32 path's definition
    return np.log1p(img.astype(np.float64)).astype(np.float32)


@pytest.mark.parametrize("shape", [(1,), (20, 30), (300, 301), (4, 5, 6)])
def test_log_transform_float32_is_correctly_rounded_log1p(rng, shape):
    img = (rng.random(shape) * 1000).astype(np.float32)
    img.reshape(-1)[:3] = [0.0, 1e-12, 0.5][: img.size]
    out = intensity.log_transform(img)
    assert out.dtype == np.float32 and out.shape == shape
    np.testing.assert_array_equal(out, _log1p_rounded_once(img))
    np.testing.assert_array_equal(intensity.log_transform(img, c=2.5), _log1p_rounded_once(img) * np.float32(2.5))
    # numpy's float32 log1p is within 2 ulp of it: glibc log1pf (<= 0.84 ulp off) where numpy has no SIMD loop
    # for it, numpy's own AVX-512 loop (up to 2 ulp off: 0.33351788 -> 0.28782052, correct 0.28782046) where
    # the CPU has AVX-512; which one runs depends on the machine, so the bound is the looser one
    ulp = np.spacing(np.abs(out))
    assert np.all(np.abs(out - np.log1p(img)) <= 2 * ulp)


def test_log_transform_float32_threads_layouts_and_read_only(rng):
    import fastdip

    base = (rng.random((700, 800)) * 255).astype(np.float32)
    expected = _log1p_rounded_once(base)
    with fastdip.threads(1):
        np.testing.assert_array_equal(intensity.log_transform(base), expected)
    with fastdip.threads(2):
        np.testing.assert_array_equal(intensity.log_transform(base), expected)
    np.testing.assert_array_equal(intensity.log_transform(base[::2, 1::3]), expected[::2, 1::3])
    np.testing.assert_array_equal(intensity.log_transform(np.asfortranarray(base)), expected)
    frozen = base.copy()
    frozen.setflags(write=False)
    np.testing.assert_array_equal(intensity.log_transform(frozen), expected)
    assert intensity.log_transform(np.zeros((0, 4), np.float32)).shape == (0, 4)


def test_log_transform_float32_and_float64_refuse_the_same_inputs():
    for values in ([-1.0, 0.5], [0.25, -1e-30, 3.0]):
        for dtype in (np.float32, np.float64):
            with pytest.raises(ValueError, match="non-negative intensities, got a minimum of"):
                intensity.log_transform(np.array(values, dtype))
    # a NaN makes the minimum NaN: the check lets it through on both paths, and the NaN stays NaN
    for dtype in (np.float32, np.float64):
        out = intensity.log_transform(np.array([np.nan, 0.5], dtype))
        assert np.isnan(out[0]) and out[1] == dtype(np.log1p(0.5))  # log1p(0.5) in float64, rounded once


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32])
def test_default_negative_equals_low_plus_high_minus_r(rng, dtype):
    info = np.iinfo(dtype)
    img = rng.integers(info.min, info.max, 500, dtype=dtype, endpoint=True)
    img[:2] = [info.min, info.max]
    expected = (int(info.min) + int(info.max) - img.astype(object)).astype(dtype)
    out = intensity.negative(img)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, expected)


def test_repeated_calls_reuse_tables_without_sharing_memory(rng):
    img = rng.integers(0, 256, (300, 301), dtype=np.uint8)  # large enough for the pair-table path
    small = img[:5, :5].copy()
    for call in (lambda x: intensity.gamma(x, 0.5), intensity.log_transform,
                 lambda x: intensity.negative(x, max_value=200)):
        first = call(img)
        first[...] = 7  # writing a result must not touch the cached table
        np.testing.assert_array_equal(call(img), call(img.copy()))
        assert not (call(img) == 7).all()
        np.testing.assert_array_equal(call(small), call(img)[:5, :5])


def test_contrast_stretch_percentiles_match_numpy(camera):
    lo, hi = np.percentile(camera, (2, 98))
    expected = np.rint(np.clip((camera.astype(float) - lo) * 255 / (hi - lo), 0, 255)).astype(np.uint8)
    np.testing.assert_array_equal(intensity.contrast_stretch(camera, percentiles=(2, 98)), expected)


@pytest.mark.parametrize("p", [(0, 100), (1, 99), (2.5, 97.5), (10, 50)])
def test_percentiles_from_counts_equal_numpy_percentile(rng, p):
    img = rng.integers(0, 256, (31, 17), dtype=np.uint8)
    lo, hi = np.percentile(img, p)
    if lo == hi:
        pytest.skip("degenerate draw")
    expected = np.rint(np.clip((img.astype(float) - lo) * 255 / (hi - lo), 0, 255)).astype(np.uint8)
    np.testing.assert_array_equal(intensity.contrast_stretch(img, percentiles=p), expected)


# --- properties ---------------------------------------------------------------------------------------

# Each example costs well under a millisecond once compiled: 60 examples keep the whole test < 1 s.
@settings(max_examples=60, deadline=None)
@given(u8_images)
def test_negative_is_an_involution_uint8(img):
    np.testing.assert_array_equal(intensity.negative(intensity.negative(img)), img)


@settings(max_examples=40, deadline=None)
@given(u16_images)
def test_negative_is_an_involution_uint16(img):
    np.testing.assert_array_equal(intensity.negative(intensity.negative(img)), img)


@settings(max_examples=60, deadline=None)
@given(u8_images, st.floats(0.05, 8.0), st.floats(0.2, 2.0))
def test_gamma_lut_equals_float_formula_rounded(img, g, c):
    expected = np.clip(np.rint(255.0 * c * (img / 255.0) ** g), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(intensity.gamma(img, g, c), expected)


@settings(max_examples=60, deadline=None)
@given(u8_images, st.floats(0.05, 8.0))
def test_gamma_is_monotone(img, g):
    flat = np.sort(img.reshape(-1))
    out = intensity.gamma(flat, g)
    assert np.all(np.diff(out.astype(int)) >= 0)


@settings(max_examples=40, deadline=None)
@given(u8_images)
def test_bit_planes_recombine(img):
    total = sum(intensity.bit_plane(img, k).astype(np.uint16) << k for k in range(8))
    np.testing.assert_array_equal(total, img)


@settings(max_examples=40, deadline=None)
@given(u8_images, st.integers(0, 255), st.integers(0, 255))
def test_piecewise_identity_through_diagonal_points(img, a, b):
    if a == b:
        return
    lo, hi = sorted((a, b))
    np.testing.assert_array_equal(intensity.piecewise_linear(img, [(lo, lo), (hi, hi)]), img)


# --- pathologies and errors -----------------------------------------------------------------------------

def test_inputs_are_never_modified(camera):
    img = camera.copy()
    for f in (intensity.negative, intensity.log_transform, lambda x: intensity.gamma(x, 2.0),
              lambda x: intensity.contrast_stretch(x, percentiles=(1, 99))):
        f(img)
    np.testing.assert_array_equal(img, camera)


def test_constant_image_contrast_stretch_maps_to_low():
    img = np.full((4, 4), 7, np.uint8)
    assert (intensity.contrast_stretch(img) == 0).all()


def test_one_pixel_and_3d_volumes(rng):
    assert intensity.gamma(np.array([[200]], np.uint8), 1.0).tolist() == [[200]]
    vol = rng.integers(0, 256, (5, 6, 7), dtype=np.uint8)
    np.testing.assert_array_equal(intensity.negative(vol), 255 - vol)


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: intensity.gamma(np.zeros(3, np.uint8), 0), ValueError, "gamma: gamma must be in (0"),
        (lambda: intensity.gamma(np.zeros(3, np.uint8), -1.0), ValueError, "got -1.0"),
        (lambda: intensity.gamma(np.zeros(3, np.uint8), True), TypeError, "gamma: gamma must be a real number"),
        (lambda: intensity.gamma(np.zeros(3, np.uint8), float("nan")), ValueError, "finite"),
        (lambda: intensity.gamma(np.zeros(3, np.uint8), 0.5, c=0), ValueError, "gamma: c must be in (0"),
        (lambda: intensity.log_transform(np.zeros(3, np.float32), c=-2), ValueError, "log_transform: c must"),
        (lambda: intensity.log_transform(np.array([0.5, -2.0], np.float32)), ValueError, "minimum of -2.0"),
        (lambda: intensity.gamma(np.array([-0.5, 0.2]), 0.5), ValueError, "non-negative"),
        (lambda: intensity.log_transform(np.array([-1.0])), ValueError, "non-negative"),
        (lambda: intensity.apply_lut(np.zeros(3, np.uint8), np.zeros(10)), ValueError, "256 entries"),
        (lambda: intensity.apply_lut(np.zeros(3, np.float32), np.zeros(256)), TypeError, "uint8, uint16"),
        (lambda: intensity.bit_plane(np.zeros(3, np.uint8), 8), ValueError, "k must be in [0, 7]"),
        (lambda: intensity.bit_plane(np.zeros(3, np.float32), 1), TypeError, "unsigned"),
        (lambda: intensity.piecewise_linear(np.zeros(3, np.uint8), [(5, 1), (5, 2)]), ValueError, "increasing"),
        (lambda: intensity.contrast_stretch(np.zeros(3, np.uint8), in_range=(1, 2), percentiles=(1, 2)),
         ValueError, "not both"),
        (lambda: intensity.threshold(np.zeros(3, np.uint8), float("nan")), ValueError, "finite"),
        (lambda: intensity.negative("camera.png"), TypeError, "numpy array"),
        (lambda: intensity.negative(np.zeros(3, bool)), TypeError, "bool"),
    ],
)
def test_bad_input_gives_clear_errors(call, exc, words):
    with pytest.raises(exc, match=None) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("permute", [True, False])
@pytest.mark.parametrize("offset", [0, 1, 2, 3])
def test_apply_lut_large_image_any_alignment_and_tail(rng, monkeypatch, offset, permute):
    # 65536 pixels and more take the four-pixel word path (or, with AVX-512 VBMI, the byte permutes at any
    # size); a contiguous view at an odd address must not; both paths, whatever this CPU has
    from fastdip._kernels import lut as kl

    if permute and not kl.byte_permute():
        pytest.skip("needs AVX-512 VBMI")
    if not permute:
        monkeypatch.setattr(intensity, "_PERMUTE", [False])
    base = rng.integers(0, 256, 300 * 301 + 7, dtype=np.uint8)
    img = base[offset: offset + 300 * 301].reshape(300, 301)
    lut = rng.integers(0, 256, 256, dtype=np.uint8)
    np.testing.assert_array_equal(intensity.apply_lut(img, lut), lut[img])
    np.testing.assert_array_equal(intensity.gamma(img, 0.45),
                                  np.rint(255.0 * (np.arange(256) / 255.0) ** 0.45).astype(np.uint8)[img])


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-6), (np.float64, 1e-13)])
@pytest.mark.parametrize("g", [0.3, 0.5, 1.0, 2.0, 3.7])
def test_gamma_float_equals_numpy_power(rng, dtype, rtol, g):
    img = rng.random((40, 50)).astype(dtype)
    img[0, :4] = [0.0, 1.0, 1e-30, 0.5]
    out = intensity.gamma(img, g, c=1.5)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, 1.5 * np.power(img.astype(np.float64), g), rtol=rtol, atol=1e-30)


def test_gamma_half_float32_equals_numpy_sqrt_exactly(rng):
    # gamma 0.5 on float32 goes through the 8-lane square-root kernel: bit-equal to np.sqrt (IEEE), layouts,
    # special values (-0.0 stays -0.0, inf, NaN), c applied in float32, negatives refused as on every path
    img = rng.random((61, 67)).astype(np.float32) * 300
    img[0, :6] = [0.0, -0.0, 1e-45, 1e-38, np.inf, 3.4028235e38]
    img[1, 0] = np.nan
    expected = np.sqrt(img)
    for view in (img, img[::2, 1::3], np.asfortranarray(img)):
        out = intensity.gamma(view, 0.5)
        assert out.dtype == np.float32 and not np.shares_memory(out, view)
        np.testing.assert_array_equal(out, np.sqrt(view))
    assert np.signbit(intensity.gamma(img, 0.5)[0, 1])
    np.testing.assert_array_equal(intensity.gamma(img, 0.5, c=2.5), expected * np.float32(2.5))
    assert intensity.gamma(np.zeros((0, 3), np.float32), 0.5).shape == (0, 3)
    for values in ([0.25, -1e-30, 3.0], [-0.0, -2.0]):
        with pytest.raises(ValueError, match="gamma: image must have non-negative intensities"):
            intensity.gamma(np.array(values, np.float32), 0.5)
    # a NaN makes the minimum NaN and lets the image through, as for float64 and the other exponents
    out = intensity.gamma(np.array([np.nan, -1.0, 4.0], np.float32), 0.5)
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 2.0


def test_byte_permutes_checked_once_and_given_up_on_failure(monkeypatch):
    # the first lookup compiles and checks the permute kernel; a kernel that cannot be built (an LLVM without
    # the intrinsic) or that maps wrongly leaves the pair table in use, and the lookups stay exact
    from fastdip._kernels import lut as kl

    def broken(image, table, out):
        raise RuntimeError("cannot lower llvm.x86.avx512.vpermi2var.qi.512")

    lut = np.arange(256, dtype=np.uint8)[::-1].copy()
    img = np.arange(300 * 301, dtype=np.int64).reshape(300, 301).astype(np.uint8)
    for kernel in (broken, lambda image, table, out: out.fill(0)):
        monkeypatch.setattr(intensity, "_PERMUTE", [])
        monkeypatch.setattr(kl, "byte_permute", lambda: True)
        monkeypatch.setattr(kl, "apply_lut_u8_permute", kernel)
        assert not intensity._permute_bytes()
        np.testing.assert_array_equal(intensity.apply_lut(img, lut), 255 - img)
    monkeypatch.undo()
    monkeypatch.setattr(intensity, "_PERMUTE", [])
    assert intensity._permute_bytes() == kl.byte_permute()
