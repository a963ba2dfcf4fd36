"""fastdip.restoration PSFs, blur and edgetaper: hand cases, references, properties, pathologies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from fastdip.restoration import blur, edgetaper, psf_disk, psf_gaussian, psf_motion, psf_shift
from tests import _naive_restoration as naive

# -- (a) hand-worked cases ---------------------------------------------------------------------------------


def test_psf_gaussian_values_and_centre():
    h = psf_gaussian((1, 3), (0, 1))
    e = np.exp(-0.5)
    np.testing.assert_allclose(h, [[e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)]])
    even = psf_gaussian(4, 1.0)
    assert even.shape == (4, 4) and np.unravel_index(even.argmax(), even.shape) == (2, 2)
    assert psf_gaussian((3, 5, 7), 1.0).shape == (3, 5, 7)


def test_psf_motion_axis_aligned_runs():
    np.testing.assert_allclose(psf_motion(3, 0), np.full((1, 3), 1 / 3))
    np.testing.assert_allclose(psf_motion(4, 90), np.array([[0.5], [1], [1], [1], [0.5]]) / 4)
    np.testing.assert_allclose(psf_motion(3, 180), psf_motion(3, 0), atol=1e-15)
    np.testing.assert_allclose(psf_motion(1, 0), [[1.0]])


def test_psf_motion_45_degrees_runs_up_and_right():
    h = psf_motion(6, 45)
    assert h.shape[0] == h.shape[1] and h.shape[0] % 2 == 1
    # counter-clockwise on screen: the upper right and lower left corners carry weight, the others not
    assert h[0, -1] > 0 and h[-1, 0] > 0 and h[0, 0] == 0 and h[-1, -1] == 0
    np.testing.assert_allclose(h, h[::-1, ::-1], atol=1e-15)
    np.testing.assert_allclose(h, h.T[::-1, ::-1], atol=1e-15)


def test_psf_motion_given_shape():
    h = psf_motion(9, 0, shape=(3, 5))
    np.testing.assert_allclose(h, np.pad(np.full((1, 5), 0.2), ((1, 1), (0, 0))))


def test_psf_disk_shape_and_symmetry():
    h = psf_disk(2.0)
    assert h.shape == (5, 5)
    np.testing.assert_allclose(h, h.T)
    np.testing.assert_allclose(h, h[::-1])
    assert h[2, 2] == h.max() and h[0, 0] == 0
    np.testing.assert_allclose(psf_disk(0.4), [[1.0]])


def test_psf_shift_integer_and_fractional():
    np.testing.assert_array_equal(psf_shift((0, -2)), [[1.0, 0, 0, 0, 0]])
    np.testing.assert_allclose(psf_shift((0.5, 0.25)),
                               np.outer([0, 0.5, 0.5], [0, 0.75, 0.25]))
    assert psf_shift((1, 2, 3)).shape == (3, 5, 7)


def test_blur_with_shift_moves_content():
    rng = np.random.default_rng(1)
    f = rng.random((8, 9))
    np.testing.assert_allclose(blur(f, psf_shift((2, -1))), np.roll(f, (2, -1), axis=(0, 1)), atol=1e-12)


def test_blur_hand_case_and_dtypes():
    f = np.zeros((1, 5), np.uint8)
    f[0, 0] = 4
    out = blur(f, np.array([[0.25, 0.5, 0.25]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[2, 1, 0, 0, 1]], atol=1e-6)
    assert blur(f.astype(np.float64), np.ones((1, 1))).dtype == np.float64
    as_u8 = blur(f, np.array([[0.25, 0.5, 0.25]]), dtype=np.uint8)
    assert as_u8.dtype == np.uint8 and as_u8.tolist() == [[2, 1, 0, 0, 1]]


def test_edgetaper_hand_case():
    f = np.zeros((1, 7))
    f[0, 0] = 7.0
    h = np.full((1, 3), 1 / 3)
    # alpha along the columns: 1 - normalised circular autocorrelation [1, 2/3, 1/3, 0, 1/3, 2/3] closed to 7
    alpha = np.array([0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3, 0])
    blurred = naive.circular_convolve(f, h)
    np.testing.assert_allclose(edgetaper(f, h), alpha * f + (1 - alpha) * blurred, atol=1e-12)


# -- (b) references ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
@pytest.mark.parametrize("psf_shape", [(5, 3), (4, 6)])
def test_blur_padded_modes_match_ndimage_convolve(mode, psf_shape):
    rng = np.random.default_rng(2)
    f = rng.random((31, 37))
    h = rng.random(psf_shape)
    ours = blur(f, h, mode=mode, cval=0.3)
    ref = ndimage.convolve(f, h, mode=mode, cval=0.3)
    np.testing.assert_allclose(ours, ref, atol=1e-12)


def test_blur_circular_matches_naive_and_wrap():
    rng = np.random.default_rng(3)
    f = rng.random((12, 15))
    for shape in [(3, 3), (4, 5), (12, 15)]:
        h = rng.random(shape)
        np.testing.assert_allclose(blur(f, h), naive.circular_convolve(f, h), atol=1e-12)
    h = rng.random((5, 4))
    np.testing.assert_allclose(blur(f, h), blur(f, h, mode="wrap"), atol=1e-12)


def test_blur_volume_and_colour():
    rng = np.random.default_rng(4)
    vol = rng.random((9, 10, 11))
    h = psf_gaussian((3, 5, 3), 1.0)
    np.testing.assert_allclose(blur(vol, h, mode="nearest"), ndimage.convolve(vol, h, mode="nearest"), atol=1e-12)
    rgb = rng.random((3, 12, 13)).astype(np.float32)
    h2 = psf_motion(5, 30)
    out = blur(rgb, h2, channel_axis=0)
    assert out.shape == rgb.shape and out.dtype == np.float32
    for c in range(3):
        np.testing.assert_allclose(out[c], blur(rgb[c], h2), atol=1e-6)


def test_psf_motion_matches_supersampling():
    for length, angle in [(7, 30), (5.5, 117), (10, -60)]:
        h = psf_motion(length, angle)
        ref = naive.psf_motion_supersampled(length, angle, h.shape)
        np.testing.assert_allclose(h, ref, atol=3e-3)


def test_psf_disk_matches_supersampling():
    for radius in (1.0, 2.5, 3.7):
        np.testing.assert_allclose(psf_disk(radius), naive.psf_disk_supersampled(radius), atol=2e-4)


def test_psf_gaussian_matches_sampled_formula():
    h = psf_gaussian((7, 9), (1.5, 2.0))
    r = np.arange(7)[:, None] - 3
    c = np.arange(9)[None, :] - 4
    ref = np.exp(-r**2 / (2 * 1.5**2) - c**2 / (2 * 2.0**2))
    np.testing.assert_allclose(h, ref / ref.sum(), rtol=1e-12)


# -- (c) properties ---------------------------------------------------------------------------------------

# 25 examples each: every PSF call costs well under a millisecond


@settings(deadline=None, max_examples=25)
@given(length=st.floats(0.5, 25), angle=st.floats(-360, 360))
def test_psf_motion_nonnegative_sum_one(length, angle):
    h = psf_motion(length, angle)
    assert h.min() >= 0 and abs(h.sum() - 1) < 1e-12
    assert all(s % 2 == 1 for s in h.shape)


@settings(deadline=None, max_examples=25)
@given(radius=st.floats(0.1, 12), sigma=st.floats(0, 5), side=st.integers(1, 12),
       offset=st.tuples(st.floats(-4, 4), st.floats(-4, 4)))
def test_psfs_nonnegative_sum_one(radius, sigma, side, offset):
    for h in (psf_disk(radius), psf_gaussian((side, side + 1), sigma), psf_shift(offset)):
        assert h.dtype == np.float64 and h.min() >= 0 and abs(h.sum() - 1) < 1e-12


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), a=st.floats(-3, 3), b=st.floats(-3, 3),
       shift=st.tuples(st.integers(-7, 7), st.integers(-7, 7)))
def test_blur_circular_linear_and_shift_equivariant(seed, a, b, shift):
    rng = np.random.default_rng(seed)
    f1, f2 = rng.random((2, 10, 13))
    h = rng.random((3, 4))
    lhs = blur(a * f1 + b * f2, h)
    np.testing.assert_allclose(lhs, a * blur(f1, h) + b * blur(f2, h), atol=1e-10)
    np.testing.assert_allclose(blur(np.roll(f1, shift, (0, 1)), h), np.roll(blur(f1, h), shift, (0, 1)),
                               atol=1e-12)


# -- pathologies and errors -------------------------------------------------------------------------------


def test_constant_image_stays_constant():
    f = np.full((9, 8), 5.0)
    h = psf_motion(5, 20)
    np.testing.assert_allclose(blur(f, h), 5.0)
    np.testing.assert_allclose(blur(f, h, mode="reflect"), 5.0)
    np.testing.assert_allclose(edgetaper(f, h), 5.0)


def test_edgetaper_keeps_the_interior_and_blurs_the_border():
    rng = np.random.default_rng(5)
    f = rng.random((40, 50))
    h = psf_gaussian(5, 1.0)
    out = edgetaper(f, h)
    np.testing.assert_allclose(out[10:-10, 10:-10], f[10:-10, 10:-10], atol=1e-12)
    b = blur(f, h)
    np.testing.assert_allclose(out[0], b[0], atol=1e-12)
    np.testing.assert_allclose(out[:, -1], b[:, -1], atol=1e-12)


def test_one_pixel_and_inputs_unchanged():
    f = np.array([[3.0]])
    assert blur(f, np.ones((1, 1))).tolist() == [[3.0]]
    g = np.arange(20.0).reshape(4, 5)
    g.setflags(write=False)
    h = np.full((3, 3), 1 / 9)
    blur(g, h)
    edgetaper(g, h)
    assert g.tolist() == np.arange(20.0).reshape(4, 5).tolist()


def test_psf_larger_than_image():
    f = np.random.default_rng(6).random((5, 6))
    h = psf_gaussian(9, 2.0)
    with pytest.raises(ValueError, match="psf"):
        blur(f, h)
    with pytest.raises(ValueError, match="psf"):
        edgetaper(f, h)
    np.testing.assert_allclose(blur(f, h, mode="reflect"), ndimage.convolve(f, h, mode="reflect"), atol=1e-12)


def test_errors():
    f = np.zeros((6, 6))
    with pytest.raises(ValueError, match="image must contain only finite"):
        blur(np.full((4, 4), np.nan), np.ones((1, 1)))
    with pytest.raises(ValueError, match="psf must be a 2-D"):
        blur(f, np.ones(3))
    with pytest.raises(ValueError, match="psf must be an array with at least one non-zero"):
        blur(f, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="mode"):
        blur(f, np.ones((1, 1)), mode="circle")
    with pytest.raises(ValueError, match="shape"):
        psf_gaussian(0, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        psf_gaussian(3, -1.0)
    with pytest.raises(ValueError, match="sigma"):
        psf_gaussian((3, 3), (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="length"):
        psf_motion(0, 10)
    with pytest.raises(TypeError, match="angle"):
        psf_motion(3, "north")
    with pytest.raises(ValueError, match="shape"):
        psf_motion(3, 0, shape=(3, 3, 3))
    with pytest.raises(ValueError, match="radius"):
        psf_disk(-1)
    with pytest.raises(ValueError, match="offset"):
        psf_shift(())
    with pytest.raises(TypeError, match="offset"):
        psf_shift(2.5)
    with pytest.raises(ValueError, match="offset"):
        psf_shift((np.inf, 0))


def test_edgetaper_colour_and_volume():
    rng = np.random.default_rng(7)
    rgb = rng.random((20, 24, 3)).astype(np.float32)
    h = psf_motion(5, 60)
    out = edgetaper(rgb, h, channel_axis=-1)
    assert out.dtype == np.float32 and out.shape == rgb.shape
    for c in range(3):
        np.testing.assert_allclose(out[..., c], edgetaper(rgb[..., c], h), atol=1e-6)
    vol = rng.random((12, 14, 16))
    hv = psf_gaussian(3, 0.8)[None].repeat(3, axis=0) / 3
    tapered = edgetaper(vol, hv)
    np.testing.assert_allclose(tapered[4:-4, 4:-4, 4:-4], vol[4:-4, 4:-4, 4:-4], atol=1e-12)
