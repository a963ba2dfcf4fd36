"""fastdip.restoration inverse_filter, wiener, cls: hand cases, references, properties, pathologies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip.restoration import blur, cls, inverse_filter, psf_gaussian, psf_motion, wiener
from fastdip.restoration._linear import ClsResult
from tests import _naive_restoration as naive


@pytest.fixture(scope="module")
def cam64(camera):
    return camera[128:384, 128:384].astype(np.float64) / 255.0


# -- (a) hand-worked cases --------------------------------------------------------------------------------


def test_inverse_undoes_a_small_blur_exactly():
    f = np.array([[0.0, 1.0, 4.0, 2.0, 0.0, 3.0]])
    h = np.array([[0.2, 0.6, 0.2]])
    np.testing.assert_allclose(inverse_filter(blur(f, h), h), f, atol=1e-12)


def test_inverse_sets_zeros_of_h_to_zero():
    # [0.5, 0.5] has H = 0 at Nyquist: the alternating part is lost and the inverse returns the rest
    f = np.array([[3.0, 1.0, 3.0, 1.0, 3.0, 1.0]])
    h = np.array([[0.5, 0.5]])
    g = blur(f, h)
    np.testing.assert_allclose(g, 2.0)
    np.testing.assert_allclose(inverse_filter(g, h), 2.0, atol=1e-12)
    np.testing.assert_allclose(wiener(g, h, nsr=0.0), 2.0, atol=1e-12)


def test_inverse_cutoff_keeps_only_low_frequencies():
    n = 16
    f = np.cos(2 * np.pi * 1 * np.arange(n) / n)[None, :] + np.cos(2 * np.pi * 6 * np.arange(n) / n)[None, :]
    h = np.ones((1, 1))
    out = inverse_filter(f, h, cutoff=3 / n)
    np.testing.assert_allclose(out, np.cos(2 * np.pi * np.arange(n) / n)[None, :], atol=1e-12)


def test_inverse_eps_drops_small_h():
    rng = np.random.default_rng(1)
    f = rng.random((16, 16))
    h = psf_gaussian(5, 1.0)
    g = blur(f, h)
    otf = np.abs(naive.transfer_function(h, f.shape))
    keep = otf >= 0.5 * otf.max()
    expected = naive.frequency_filter(g, np.where(keep, 1 / np.where(keep, naive.transfer_function(h, f.shape), 1), 0))
    np.testing.assert_allclose(inverse_filter(g, h, eps=0.5), expected, atol=1e-12)


def test_cls_result_fields():
    f = np.array([[0.0, 1.0, 4.0, 2.0, 0.0, 3.0]])
    h = np.array([[0.2, 0.6, 0.2]])
    result = cls(blur(f, h), h, gamma=0.0)
    assert isinstance(result, ClsResult) and isinstance(result.gamma, float)
    np.testing.assert_allclose(result.image, f, atol=1e-12)
    assert abs(result.residual) < 1e-20
    assert "gamma=0" in str(result)


# -- (b) references ---------------------------------------------------------------------------------------


def test_inverse_recovers_camera_without_noise(cam64):
    h = psf_gaussian(7, 1.0)
    out = inverse_filter(blur(cam64, h), h)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, cam64, atol=1e-8)


def test_wiener_matches_naive_formula():
    rng = np.random.default_rng(2)
    g = rng.random((20, 23))
    h = psf_motion(6, 30)
    big_h = naive.transfer_function(h, g.shape)
    for k in (0.01, 0.3):
        expected = naive.frequency_filter(g, np.conj(big_h) / (np.abs(big_h) ** 2 + k))
        np.testing.assert_allclose(wiener(g, h, nsr=k), expected, atol=1e-12)
    # power spectra of real signals are symmetric, S(-u) = S(u)
    s_f = 1.0 + np.abs(np.fft.fft2(rng.random(g.shape))) ** 2
    s_n = 0.05 * np.abs(np.fft.fft2(rng.random(g.shape))) ** 2
    expected = naive.frequency_filter(g, np.conj(big_h) / (np.abs(big_h) ** 2 + s_n / s_f))
    np.testing.assert_allclose(wiener(g, h, noise_power=s_n, signal_power=s_f), expected, atol=1e-12)


@pytest.mark.parametrize("kind, kernel", [("4", [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
                                          ("8", [[1, 1, 1], [1, -8, 1], [1, 1, 1]])])
def test_cls_matches_naive_formula(kind, kernel):
    rng = np.random.default_rng(3)
    g = rng.random((18, 21))
    h = psf_gaussian(5, 1.2)
    big_h = naive.transfer_function(h, g.shape)
    big_p = naive.transfer_function(np.array(kernel, float), g.shape)
    expected = naive.frequency_filter(g, np.conj(big_h) / (np.abs(big_h) ** 2 + 0.02 * np.abs(big_p) ** 2))
    result = cls(g, h, gamma=0.02, laplacian=kind)
    np.testing.assert_allclose(result.image, expected, atol=1e-12)
    residual = np.sum((g - naive.circular_convolve(result.image, h)) ** 2)
    np.testing.assert_allclose(result.residual, residual, rtol=1e-9)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_against_skimage_wiener(cam64, dtype, tol):
    from skimage.restoration import wiener as sk_wiener

    h = psf_motion(7, 20)
    rng = np.random.default_rng(4)
    g = (blur(cam64, h) + rng.normal(0, 0.01, cam64.shape)).astype(dtype)
    ours = cls(g, h, gamma=0.05).image
    ref = sk_wiener(g, h, 0.05, clip=False)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours, ref, atol=tol * np.abs(ref).max())
    ours = wiener(g, h, nsr=0.05)
    ref = sk_wiener(g, h, 0.05, reg=np.ones((1, 1)), clip=False)
    np.testing.assert_allclose(ours, ref, atol=tol * np.abs(ref).max())


def test_cls_search_matches_the_noise(cam64):
    h = psf_gaussian(7, 1.5)
    rng = np.random.default_rng(5)
    sigma = 0.02
    g = blur(cam64, h) + rng.normal(0, sigma, cam64.shape)
    result = cls(g, h, noise_variance=sigma**2, tol=0.01)
    target = g.size * sigma**2
    assert abs(result.residual - target) <= 0.01 * target
    assert result.gamma > 0
    # gamma=None with an estimated sigma also lands near the true noise level
    estimated = cls(g, h)
    assert 0.5 * target < estimated.residual < 2.0 * target
    # the residual grows with gamma
    res = [cls(g, h, gamma=gm).residual for gm in (1e-4, 1e-2, 1.0)]
    assert res[0] < res[1] < res[2]


# -- (c) properties ---------------------------------------------------------------------------------------

# 25 examples: each call is a few FFTs of at most 16 x 16


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 16), cols=st.integers(1, 16),
       k=st.floats(0, 1))
def test_delta_psf_is_the_identity(seed, rows, cols, k):
    f = np.random.default_rng(seed).random((rows, cols))
    delta = np.ones((1, 1))
    np.testing.assert_allclose(inverse_filter(f, delta), f, atol=1e-12)
    np.testing.assert_allclose(wiener(f, delta, nsr=0.0), f, atol=1e-12)
    np.testing.assert_allclose(wiener(f, delta, nsr=k), f / (1 + k), atol=1e-12)
    np.testing.assert_allclose(cls(f, delta, gamma=0.0).image, f, atol=1e-12)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), k=st.floats(0, 0.5))
def test_zero_regularisation_is_the_inverse(seed, k):
    rng = np.random.default_rng(seed)
    g = rng.random((12, 15))
    h = rng.random((3, 4)) + 0.1
    inv = inverse_filter(g, h)
    np.testing.assert_allclose(wiener(g, h, nsr=0.0), inv, atol=1e-9)
    np.testing.assert_allclose(cls(g, h, gamma=0.0).image, inv, atol=1e-9)
    np.testing.assert_allclose(wiener(g, h, noise_power=k, signal_power=1.0), wiener(g, h, nsr=k), atol=1e-12)


# -- pathologies and errors -------------------------------------------------------------------------------


def test_constant_image():
    f = np.full((10, 12), 3.0)
    h = psf_gaussian(5, 1.0)
    np.testing.assert_allclose(inverse_filter(f, h), 3.0)
    np.testing.assert_allclose(wiener(f, h, nsr=0.1), 3.0 / 1.1)  # H(0) = 1: only K shrinks the mean
    np.testing.assert_allclose(cls(f, h, gamma=0.5).image, 3.0)  # the Laplacian is 0 at DC


def test_volume_and_colour():
    rng = np.random.default_rng(6)
    vol = rng.random((10, 12, 14))
    h = psf_gaussian((3, 3, 5), 0.8)
    np.testing.assert_allclose(inverse_filter(blur(vol, h), h), vol, atol=1e-9)
    assert cls(vol, h, gamma=0.1, laplacian="8").image.shape == vol.shape
    rgb = rng.random((16, 17, 3)).astype(np.float32)
    h2 = psf_motion(5, 45)
    out = wiener(rgb, h2, nsr=0.05, channel_axis=-1)
    assert out.dtype == np.float32 and out.shape == rgb.shape
    for c in range(3):
        np.testing.assert_allclose(out[..., c], wiener(rgb[..., c], h2, nsr=0.05), atol=1e-6)
    result = cls(rgb, h2, noise_variance=1e-3, channel_axis=-1)
    assert result.image.shape == rgb.shape and isinstance(result.gamma, float)


def test_uint8_input_and_dtype():
    img = np.random.default_rng(7).integers(0, 256, (12, 12), dtype=np.uint8)
    out = wiener(img, np.ones((1, 1)), nsr=0.0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, img, atol=1e-3)
    assert wiener(img, np.ones((1, 1)), nsr=0.0, dtype=np.uint8).tolist() == img.tolist()


def test_spectra_shapes():
    rng = np.random.default_rng(8)
    g = rng.random((10, 9))
    h = psf_gaussian(3, 0.7)
    s_n = rng.random(g.shape)
    s_f = 1 + rng.random(g.shape)
    full = wiener(g, h, noise_power=s_n, signal_power=s_f)
    half = wiener(g, h, noise_power=s_n[:, :5], signal_power=s_f[:, :5])
    np.testing.assert_allclose(full, half, atol=1e-12)
    zero_signal = wiener(g, h, noise_power=1.0, signal_power=np.zeros((10, 9)))
    np.testing.assert_allclose(zero_signal, 0.0)


def test_errors():
    g = np.random.default_rng(9).random((8, 8))
    h = psf_gaussian(3, 1.0)
    with pytest.raises(ValueError, match="nsr"):
        wiener(g, h)
    with pytest.raises(ValueError, match="nsr"):
        wiener(g, h, nsr=0.1, noise_power=1.0, signal_power=1.0)
    with pytest.raises(ValueError, match="nsr"):
        wiener(g, h, noise_power=1.0)
    with pytest.raises(ValueError, match="nsr"):
        wiener(g, h, nsr=-1.0)
    with pytest.raises(ValueError, match="signal_power"):
        wiener(g, h, noise_power=1.0, signal_power=np.ones((3, 3)))
    with pytest.raises(ValueError, match="noise_power"):
        wiener(g, h, noise_power=-np.ones((8, 8)), signal_power=1.0)
    with pytest.raises(ValueError, match="eps"):
        inverse_filter(g, h, eps=1.5)
    with pytest.raises(ValueError, match="cutoff"):
        inverse_filter(g, h, cutoff=0)
    with pytest.raises(ValueError, match="gamma"):
        cls(g, h, gamma=-1)
    with pytest.raises(ValueError, match="laplacian"):
        cls(g, h, gamma=1, laplacian=4)
    with pytest.raises(ValueError, match="tol"):
        cls(g, h, tol=0)
    with pytest.raises(ValueError, match="psf must be no larger"):
        wiener(g, np.ones((9, 9)), nsr=0.1)
    with pytest.raises(ValueError, match="finite"):
        cls(np.full((8, 8), np.nan), h, gamma=0.1)
    with pytest.raises(TypeError, match="psf"):
        inverse_filter(g, "gaussian")
