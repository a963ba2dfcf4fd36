"""Blind deconvolution: the PSF's form (shape, non-negative, unit sum, centred), the 'map' method recovering
known PSFs (motion and Gaussian) from a wrong start, 'rl' against a plainly written alternating
Richardson-Lucy, scale/offset invariance, determinism, colour, and the error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastdip import data, metrics, restoration
from fastdip.restoration import blind_deconvolution
from fastdip.restoration._blind import BlindResult
from fastdip.report.sections.restoration import psf_ncc


def _piecewise_constant(n, seed):
    rng = np.random.default_rng(seed)
    img = np.full((n, n), 40.0)
    for _ in range(12):
        r, c = rng.integers(0, n - 8, 2)
        h, w = rng.integers(4, n // 3, 2)
        img[r:r + h, c:c + w] = rng.uniform(0, 255)
    return img


def _degrade(img, psf, sigma, seed=1, mode="circular"):
    g = restoration.blur(img, psf, mode=mode).astype(np.float64)
    return g + np.random.default_rng(seed).normal(0.0, sigma, g.shape)


def _psnr(ref, x):
    return metrics.psnr(ref, np.asarray(x, dtype=np.float64), data_range=255)


def _check_psf(psf, shape):
    assert psf.shape == shape and psf.dtype == np.float64
    assert (psf >= 0).all() and psf.sum() == pytest.approx(1.0, abs=1e-12)


# -- (a) small cases worked by hand --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["map", "rl"])
def test_constant_image_stays_constant(method):
    img = np.full((24, 20), 7, np.uint8)
    res = blind_deconvolution(img, 5, method=method)
    assert isinstance(res, BlindResult) and res._fields == ("image", "psf")
    assert res.image.dtype == np.float32 and res.image.shape == img.shape
    np.testing.assert_allclose(res.image, 7.0, atol=1e-4)
    _check_psf(res.psf, (5, 5))


@pytest.mark.parametrize("method", ["map", "rl"])
def test_psf_size_tuple_and_dtype_rules(method):
    img = _piecewise_constant(40, 0)
    res = blind_deconvolution(img, (3, 7), method=method, num_iter=3)
    _check_psf(res.psf, (3, 7))
    assert res.image.dtype == np.float64
    assert blind_deconvolution(img.astype(np.float32), 3, method=method, num_iter=2).image.dtype == np.float32
    as_u8 = blind_deconvolution(img.astype(np.uint8), 3, method=method, num_iter=2, dtype=np.uint8).image
    assert as_u8.dtype == np.uint8


def test_initial_psf_is_centred_into_psf_size():
    img = _piecewise_constant(48, 0)
    big = np.ones((9, 9))
    res = blind_deconvolution(img, 5, method="rl", initial_psf=big, num_iter=1)
    _check_psf(res.psf, (5, 5))
    # 'rl' keeps zeros of the start at zero (multiplicative updates)
    start = np.zeros((5, 5))
    start[1:4, 1:4] = 1.0
    res = blind_deconvolution(img, 5, method="rl", initial_psf=start, num_iter=5)
    assert (res.psf[0] == 0).all() and (res.psf[:, -1] == 0).all()


def test_psf_is_centred_by_its_centroid():
    img = _piecewise_constant(64, 0)
    res = blind_deconvolution(_degrade(img, restoration.psf_motion(7, 30), 1.0), 9)
    rows, cols = np.indices(res.psf.shape)
    assert abs(float(np.sum(rows * res.psf)) - 4) <= 0.5
    assert abs(float(np.sum(cols * res.psf)) - 4) <= 0.5


# -- (b) recovery of known PSFs and a plainly written reference -------------------------------------------------


@pytest.mark.parametrize("psf", [restoration.psf_motion(7, 30), restoration.psf_gaussian((7, 7), 1.2)],
                         ids=["motion", "gaussian"])
def test_map_deblurs_a_piecewise_constant_image(psf):
    img = _piecewise_constant(64, 0)
    g = _degrade(img, psf, 1.0)
    res = blind_deconvolution(g, 7)
    _check_psf(res.psf, (7, 7))
    assert psf_ncc(res.psf, psf) >= 0.85
    assert _psnr(img, res.image) >= _psnr(img, g) + 5.0


@pytest.mark.parametrize("initial", [None, "delta", "gaussian"])
def test_map_recovers_the_motion_psf_on_camera(initial):
    """The issue's check on a 256² crop (the full image is in examples/restoration.py): NCC >= 0.8."""
    f = data.camera()[128:384, 128:384].astype(np.float64)
    psf = restoration.psf_motion(15, 30)
    g = _degrade(f, psf, 1.0, seed=0)
    start = {None: None, "delta": np.ones((1, 1)), "gaussian": restoration.psf_gaussian((5, 5), 1.0)}[initial]
    res = blind_deconvolution(g, 15, initial_psf=start, noise=1.0)
    _check_psf(res.psf, (15, 15))
    assert psf_ncc(res.psf, psf) >= 0.8
    assert _psnr(f, res.image) >= _psnr(f, g) + 3.0


def test_map_smooth_boundary_handles_a_non_circular_blur():
    f = data.camera().astype(np.float64)
    psf = restoration.psf_motion(15, 30)
    g = _degrade(f, psf, 1.0, seed=0, mode="reflect")[128:384, 128:384]
    res = blind_deconvolution(g, 15, boundary="smooth", noise=1.0)
    assert psf_ncc(res.psf, psf) >= 0.8
    assert _psnr(f[128:384, 128:384], res.image) >= _psnr(f[128:384, 128:384], g) + 2.0


def _naive_circular(x, k):
    """(x ⊛ k)[i, j] = Σ_ab k[a, b] x[i - a + ca, j - b + cb] with wrapped indices, by loops."""
    m, n = x.shape
    ca, cb = k.shape[0] // 2, k.shape[1] // 2
    out = np.zeros_like(x)
    for i in range(m):
        for j in range(n):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    out[i, j] += k[a, b] * x[(i - a + ca) % m, (j - b + cb) % n]
    return out


def _naive_correlate(x, k):
    """Adjoint of the circular convolution (correlation), by loops: Σ_ab k[a, b] x[i + a - ca, j + b - cb]."""
    m, n = x.shape
    ca, cb = k.shape[0] // 2, k.shape[1] // 2
    out = np.zeros_like(x)
    for i in range(m):
        for j in range(n):
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    out[i, j] += k[a, b] * x[(i + a - ca) % m, (j + b - cb) % n]
    return out


def _naive_blind_rl(y, ksize, num_iter):
    """Fish et al. 1995, one PSF then one image update per iteration, with loops over a circular image."""
    m, n = y.shape
    x = np.maximum(y, 1e-12)
    k = np.full(ksize, 1.0 / (ksize[0] * ksize[1]))
    ca, cb = ksize[0] // 2, ksize[1] // 2
    for _ in range(num_iter):
        ratio = y / np.maximum(_naive_circular(x, k), 1e-12)
        # d/dk[a, b] of Σ (x ⊛ k) uses x[i - a + ca, j - b + cb]
        grad = np.zeros(ksize)
        for a in range(ksize[0]):
            for b in range(ksize[1]):
                grad[a, b] = sum(ratio[i, j] * x[(i - a + ca) % m, (j - b + cb) % n]
                                 for i in range(m) for j in range(n))
        k = np.maximum(k * grad / x.sum(), 0.0)
        k /= k.sum()
        ratio = y / np.maximum(_naive_circular(x, k), 1e-12)
        x = x * _naive_correlate(ratio, k)
    return x, k


def test_rl_matches_a_plainly_written_alternating_richardson_lucy():
    rng = np.random.default_rng(3)
    f = rng.uniform(10, 200, (12, 11))
    psf = np.array([[0.0, 0.1, 0.0], [0.2, 0.4, 0.1], [0.0, 0.2, 0.0]])
    y = _naive_circular(f, psf)
    x_ref, k_ref = _naive_blind_rl(y, (3, 3), 4)
    res = blind_deconvolution(y, 3, method="rl", num_iter=4)
    np.testing.assert_allclose(res.psf, k_ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.image, x_ref, rtol=1e-9)


def test_rl_reduces_the_residual_of_its_own_model():
    f = _piecewise_constant(48, 2)
    g = _degrade(f, restoration.psf_gaussian((5, 5), 1.0), 0.0)
    res = blind_deconvolution(g, 5, method="rl", num_iter=30)
    reblurred = restoration.blur(res.image.astype(np.float64), res.psf)
    flat = restoration.blur(g, np.full((5, 5), 1 / 25))
    assert np.abs(reblurred - g).mean() < 0.5 * np.abs(flat - g).mean()


def test_colour_estimates_on_luma_and_deconvolves_each_channel():
    rgb = data.astronaut()[160:288, 200:328].astype(np.float64)
    psf = restoration.psf_motion(7, 30)
    g = restoration.blur(rgb, psf, channel_axis=-1).astype(np.float64)
    res = blind_deconvolution(g, 9, channel_axis=-1, noise=0.5)
    assert res.image.shape == rgb.shape
    assert psf_ncc(res.psf, psf) >= 0.8
    grey = blind_deconvolution(g @ np.array([0.299, 0.587, 0.114]), 9, noise=0.5)
    np.testing.assert_allclose(res.psf, grey.psf, atol=1e-9)
    first = blind_deconvolution(np.moveaxis(g, -1, 0), 9, channel_axis=0, noise=0.5)
    np.testing.assert_allclose(np.moveaxis(first.image, 0, -1), res.image, atol=1e-9)
    for c in range(3):
        assert _psnr(rgb[..., c], res.image[..., c]) > _psnr(rgb[..., c], g[..., c])


# -- (c) properties ------------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**16), side=st.sampled_from([3, 5]), method=st.sampled_from(["map", "rl"]),
       rows=st.integers(16, 40), cols=st.integers(16, 40))
def test_psf_is_a_normalised_non_negative_kernel_and_runs_are_deterministic(seed, side, method, rows, cols):
    img = np.random.default_rng(seed).uniform(0, 255, (rows, cols))
    before = img.copy()
    a = blind_deconvolution(img, side, method=method, num_iter=2)
    b = blind_deconvolution(img, side, method=method, num_iter=2)
    np.testing.assert_array_equal(img, before)
    _check_psf(a.psf, (side, side))
    assert a.image.shape == img.shape and np.isfinite(a.image).all()
    np.testing.assert_array_equal(a.psf, b.psf)
    np.testing.assert_array_equal(a.image, b.image)


@settings(deadline=None, max_examples=8)
@given(scale=st.floats(0.01, 100.0), offset=st.floats(-100.0, 100.0))
def test_map_is_invariant_to_the_value_scale(scale, offset):
    img = _degrade(_piecewise_constant(40, 1), restoration.psf_motion(5, 0), 1.0)
    ref = blind_deconvolution(img, 5, num_iter=3)
    res = blind_deconvolution(img * scale + offset, 5, num_iter=3)
    np.testing.assert_allclose(res.psf, ref.psf, atol=1e-6)
    np.testing.assert_allclose(res.image, ref.image * scale + offset, atol=1e-5 * max(scale, 1.0) * 255)


# -- pathological inputs and errors -----------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    img = np.zeros((30, 30))
    with pytest.raises(ValueError, match="psf_size"):
        blind_deconvolution(img, 4)
    with pytest.raises(ValueError, match="psf_size"):
        blind_deconvolution(img, 11)
    with pytest.raises(ValueError, match="psf_size must be an odd int >= 3"):
        blind_deconvolution(img, 1)
    with pytest.raises(ValueError, match="psf_size"):
        blind_deconvolution(img, (3, 3, 3))
    with pytest.raises(ValueError, match="method"):
        blind_deconvolution(img, 3, method="deconvblind")
    with pytest.raises(ValueError, match="boundary"):
        blind_deconvolution(img, 3, boundary="reflect")
    with pytest.raises(ValueError, match="num_iter"):
        blind_deconvolution(img, 3, num_iter=0)
    with pytest.raises(ValueError, match="noise"):
        blind_deconvolution(img, 3, noise=-1.0)
    with pytest.raises(ValueError, match="sparsity"):
        blind_deconvolution(img, 3, sparsity=0.0)
    with pytest.raises(ValueError, match="initial_psf"):
        blind_deconvolution(img, 3, initial_psf=-np.ones((3, 3)))
    with pytest.raises(ValueError, match="initial_psf"):
        blind_deconvolution(img, 3, initial_psf=np.ones((2, 2)))
    with pytest.raises(ValueError, match="image"):
        blind_deconvolution(np.zeros(30), 3)
    with pytest.raises(ValueError, match="image"):
        blind_deconvolution(np.zeros((30, 30, 3)), 3)
    with pytest.raises(ValueError, match="channel_axis"):
        blind_deconvolution(np.zeros((30, 30, 3)), 3, channel_axis=3)
    with pytest.raises(TypeError, match="image"):
        blind_deconvolution(np.zeros((30, 30), bool), 3)
    with pytest.raises(TypeError, match="image"):
        blind_deconvolution("camera.png", 3)


def test_nan_is_refused():
    img = np.zeros((30, 30))
    img[3, 4] = np.nan
    with pytest.raises(ValueError, match="finite"):
        blind_deconvolution(img, 3)


def test_noise_zero_is_allowed():
    img = _degrade(_piecewise_constant(32, 0), restoration.psf_gaussian((3, 3), 0.7), 0.0)
    res = blind_deconvolution(img, 3, noise=0.0)
    assert np.isfinite(res.image).all()


def test_smallest_image_for_the_psf():
    res = blind_deconvolution(np.arange(81.0).reshape(9, 9), 3)
    _check_psf(res.psf, (3, 3))
    assert np.isfinite(res.image).all()
