"""fastdip.restoration.richardson_lucy: hand cases, references, properties, pathologies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip.restoration import blur, psf_gaussian, psf_motion, richardson_lucy
from tests import _naive_restoration as naive

# -- (a) hand-worked cases --------------------------------------------------------------------------------


def test_one_iteration_from_a_constant_is_the_correlated_image():
    # f_1 = c · h~ ⊛ (g / c) = h~ ⊛ g for any constant start c
    g = np.array([[0.0, 3.0, 6.0, 3.0, 0.0]])
    h = np.array([[0.0, 2 / 3, 1 / 3]])
    expected = naive.circular_correlate(g, h)
    np.testing.assert_allclose(richardson_lucy(g, h, num_iter=1, initial=7.0), expected, atol=1e-12)
    np.testing.assert_allclose(richardson_lucy(g, h, num_iter=1), expected, atol=1e-12)


def test_zero_iterations_return_the_start():
    g = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(richardson_lucy(g, np.ones((1, 1)), num_iter=0), g.mean())
    start = np.full(g.shape, 2.0)
    np.testing.assert_allclose(richardson_lucy(g, np.ones((1, 1)), num_iter=0, initial=start), 2.0)


def test_converges_to_a_point_source():
    f = np.zeros((1, 6))
    f[0, 2] = 8.0
    h = np.array([[0.25, 0.5, 0.25]])
    np.testing.assert_allclose(richardson_lucy(blur(f, h), h, num_iter=300), f, atol=1e-3)


# -- (b) references ---------------------------------------------------------------------------------------


def test_circular_matches_the_naive_update():
    rng = np.random.default_rng(1)
    f = rng.random((12, 13)) + 0.1
    h = psf_motion(5, 30)
    g = blur(f, h)
    ours = richardson_lucy(g, h, num_iter=6, initial=0.5)
    np.testing.assert_allclose(ours, naive.richardson_lucy_circular(g, h, 6, 0.5), rtol=1e-10)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_linear_matches_skimage(camera, dtype, tol):
    from skimage.restoration import richardson_lucy as sk_rl

    img = camera[100:228, 200:328].astype(np.float64) / 255
    h = psf_gaussian(7, 1.5)
    g = np.maximum(blur(img, h, mode="reflect") + np.random.default_rng(2).normal(0, 0.005, img.shape), 0)
    g = g.astype(dtype)
    ours = richardson_lucy(g, h, num_iter=30, boundary="linear", initial=0.5)
    ref = sk_rl(g, h, num_iter=30, clip=False)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * np.abs(ref).max())


def test_linear_on_a_rectangular_psf_matches_skimage():
    from skimage.restoration import richardson_lucy as sk_rl

    rng = np.random.default_rng(3)
    g = rng.random((30, 41))
    h = psf_motion(7, 25)
    np.testing.assert_allclose(richardson_lucy(g, h, num_iter=10, boundary="linear", initial=0.5),
                               sk_rl(g, h, num_iter=10, clip=False), rtol=1e-9)


# -- (c) properties ---------------------------------------------------------------------------------------

# 25 examples each: 5 iterations on at most 16 x 16 pixels


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(3, 16), cols=st.integers(3, 16),
       num_iter=st.integers(1, 5))
def test_circular_keeps_the_flux_and_stays_nonnegative(seed, rows, cols, num_iter):
    rng = np.random.default_rng(seed)
    g = rng.random((rows, cols)) * 10
    h = rng.random((3, 3))
    h /= h.sum()
    out = richardson_lucy(g, h, num_iter=num_iter)
    assert out.min() >= 0
    np.testing.assert_allclose(out.sum(), g.sum(), rtol=1e-9)
    lin = richardson_lucy(g, h, num_iter=num_iter, boundary="linear", regularization=0.01)
    assert lin.min() >= 0


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), num_iter=st.integers(1, 5))
def test_delta_psf_returns_the_input(seed, num_iter):
    g = np.random.default_rng(seed).random((9, 11)) + 0.01
    for boundary in ("circular", "linear"):
        np.testing.assert_allclose(richardson_lucy(g, np.ones((1, 1)), num_iter=num_iter, boundary=boundary),
                                   g, rtol=1e-9)


# -- pathologies and errors -------------------------------------------------------------------------------


def test_constant_image_stays_constant():
    g = np.full((10, 11), 4.0)
    h = psf_gaussian(5, 1.0)
    np.testing.assert_allclose(richardson_lucy(g, h, num_iter=10), 4.0)
    np.testing.assert_allclose(richardson_lucy(g, h, num_iter=10, regularization=0.1), 4.0)
    np.testing.assert_allclose(richardson_lucy(np.zeros((5, 5)), h, num_iter=3), 0.0)


def test_tv_regularisation_flattens_noise_and_lowers_the_error():
    rng = np.random.default_rng(4)
    f = np.zeros((32, 32))
    f[8:24, 8:24] = 1.0
    h = psf_gaussian(7, 1.5)
    g = np.maximum(blur(f, h) + rng.normal(0, 0.05, f.shape), 0)
    plain = richardson_lucy(g, h, num_iter=100)
    tv = richardson_lucy(g, h, num_iter=100, regularization=0.01)
    inside = (slice(10, 22), slice(10, 22))
    assert np.abs(np.diff(tv[inside], axis=1)).sum() < 0.5 * np.abs(np.diff(plain[inside], axis=1)).sum()
    assert np.abs(tv - f).mean() < np.abs(plain - f).mean()


def test_volume_colour_dtype_and_clip():
    rng = np.random.default_rng(5)
    vol = rng.random((8, 9, 10))
    h = psf_gaussian((3, 3, 3), 0.7)
    out = richardson_lucy(blur(vol, h), h, num_iter=5)
    assert out.shape == vol.shape and out.dtype == np.float64
    rgb = (rng.random((12, 13, 3)) * 255).astype(np.uint8)
    h2 = psf_motion(4, 10)
    out = richardson_lucy(rgb, h2, num_iter=4, channel_axis=-1)
    assert out.dtype == np.float32
    for c in range(3):
        np.testing.assert_allclose(out[..., c], richardson_lucy(rgb[..., c], h2, num_iter=4), rtol=1e-4,
                                   atol=1e-3)
    clipped = richardson_lucy(rgb, h2, num_iter=20, channel_axis=-1, clip=True)
    assert clipped.min() >= rgb.min() and clipped.max() <= rgb.max()


def test_psf_larger_than_image():
    g = np.random.default_rng(6).random((5, 5))
    h = psf_gaussian(9, 2.0)
    with pytest.raises(ValueError, match="psf"):
        richardson_lucy(g, h)
    assert richardson_lucy(g, h, boundary="linear", num_iter=3).shape == (5, 5)


def test_errors():
    g = np.random.default_rng(7).random((8, 8))
    h = psf_gaussian(3, 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        richardson_lucy(g - 1, h)
    with pytest.raises(ValueError, match="finite"):
        richardson_lucy(np.full((8, 8), np.nan), h)
    with pytest.raises(ValueError, match="psf must be non-negative"):
        richardson_lucy(g, -h)
    with pytest.raises(ValueError, match="boundary"):
        richardson_lucy(g, h, boundary="reflect")
    with pytest.raises(ValueError, match="regularization"):
        richardson_lucy(g, h, regularization=0.25)
    with pytest.raises(ValueError, match="num_iter"):
        richardson_lucy(g, h, num_iter=-1)
    with pytest.raises(ValueError, match="initial"):
        richardson_lucy(g, h, initial=np.ones((3, 3)))
    with pytest.raises(ValueError, match="initial"):
        richardson_lucy(g, h, initial=0.0)
    with pytest.raises(TypeError, match="clip"):
        richardson_lucy(g, h, clip="yes")
