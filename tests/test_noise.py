"""fastdip.noise: hand cases, statistics and references (naive twins, numpy.fft, analytic expectations,
skimage where pywavelets is installed), properties, reproducibility, pathologies and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage as ndi

from fastdip import noise
from tests import _naive_noise as naive

#: the generators that take an image, each called with one fixed set of parameters
GENERATORS = {
    "gaussian": lambda img, **kw: noise.gaussian(img, 0.1 if img.dtype.kind == "f" else 20, **kw),
    "uniform": lambda img, **kw: noise.uniform(img, -0.1, 0.2, **kw) if img.dtype.kind == "f"
    else noise.uniform(img, -20, 30, **kw),
    "speckle": lambda img, **kw: noise.speckle(img, 0.2, **kw),
    "poisson": lambda img, **kw: noise.poisson(img, **kw),
    "salt_and_pepper": lambda img, **kw: noise.salt_and_pepper(img, 0.2, **kw),
}
DTYPES = [np.uint8, np.uint16, np.float32, np.float64]


def _image(dtype, shape=(40, 50), seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.random(shape).astype(dtype)
    top = np.iinfo(dtype).max
    return rng.integers(0, top + 1, shape, dtype=dtype)


# --- hand cases ---------------------------------------------------------------------------------------

def test_salt_and_pepper_exact_counts_and_values():
    img = np.full((10, 10), 128, np.uint8)
    out = noise.salt_and_pepper(img, 0.1, rng=0)
    assert out.dtype == np.uint8 and out.shape == img.shape
    assert (out != img).sum() == 10 and (out == 255).sum() == 5 and (out == 0).sum() == 5
    assert set(np.unique(out).tolist()) == {0, 128, 255}


def test_salt_and_pepper_rounds_half_to_even():
    img = np.full(5, 100, np.uint8)
    # k = round(0.5 * 5) = round(2.5) = 2; salt = round(0.5 * 2) = 1
    out = noise.salt_and_pepper(img, 0.5, rng=1)
    assert (out != img).sum() == 2 and (out == 255).sum() == 1
    # k = round(0.3 * 10) = 3; salt = round(0.5 * 3) = round(1.5) = 2, pepper 1
    out = noise.salt_and_pepper(np.full(10, 100, np.uint8), 0.3, rng=1)
    assert (out == 255).sum() == 2 and (out == 0).sum() == 1
    # k = round(0.25 * 10) = round(2.5) = 2
    assert (noise.salt_and_pepper(np.full(10, 100, np.uint8), 0.25, rng=1) != 100).sum() == 2


@pytest.mark.parametrize("dtype, salt", [(np.uint8, 255), (np.uint16, 65535), (np.float32, 1.0),
                                         (np.float64, 1.0)])
def test_salt_and_pepper_default_levels_per_dtype(dtype, salt):
    img = np.full((20, 20), 7 if np.dtype(dtype).kind == "u" else 0.5, dtype)
    out = noise.salt_and_pepper(img, 0.3, salt_vs_pepper=0.75, rng=2)
    assert out.dtype == dtype
    # k = 120: 90 salt, 30 pepper
    assert (out == salt).sum() == 90 and (out == 0).sum() == 30


def test_salt_and_pepper_custom_levels_all_salt_all_pepper():
    img = np.full((4, 5), 100, np.uint8)
    out = noise.salt_and_pepper(img, 1.0, salt_vs_pepper=1.0, salt=200, pepper=10, rng=0)
    assert (out == 200).all()
    out = noise.salt_and_pepper(img, 1.0, salt_vs_pepper=0.0, salt=200, pepper=10, rng=0)
    assert (out == 10).all()
    out = noise.salt_and_pepper(np.full(8, 0.5), 0.5, salt=2.5, pepper=-1.0, rng=0)
    assert sorted(out.tolist()) == [-1.0, -1.0, 0.5, 0.5, 0.5, 0.5, 2.5, 2.5]


def test_salt_and_pepper_amount_zero_is_an_unchanged_copy():
    img = _image(np.uint8)
    out = noise.salt_and_pepper(img, 0.0, rng=0)
    np.testing.assert_array_equal(out, img)
    assert out is not img and not np.shares_memory(out, img)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_salt_and_pepper_colour_corrupts_whole_pixels(axis):
    img = np.moveaxis(np.full((12, 15, 3), 100, np.uint8), -1, axis)
    out = noise.salt_and_pepper(img, 0.2, channel_axis=axis, rng=3)
    last = np.moveaxis(out, axis, -1)
    changed = (last != 100).any(axis=-1)
    assert changed.sum() == round(0.2 * 12 * 15)  # 36 pixels
    assert (last[changed] == 255).all(axis=-1).sum() + (last[changed] == 0).all(axis=-1).sum() == 36
    assert ((last[changed] == 255).all(axis=-1)).sum() == 18
    # without channel_axis every element counts: 0.2 of the 540 elements
    assert (noise.salt_and_pepper(img, 0.2, rng=3) != 100).sum() == 108


def test_gaussian_sigma_zero_rounds_half_to_even_and_clips():
    img = np.array([0, 1, 2, 254, 255], np.uint8)
    np.testing.assert_array_equal(noise.gaussian(img, 0, rng=0), img)
    # 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 254.5 -> 254, 255.5 -> 255 (clipped)
    assert noise.gaussian(img, 0, mean=0.5, rng=0).tolist() == [0, 2, 2, 254, 255]
    assert noise.gaussian(img, 0, mean=50, rng=0).tolist() == [50, 51, 52, 255, 255]
    assert noise.gaussian(img, 0, mean=-1.5, rng=0).tolist() == [0, 0, 0, 252, 254]


def test_float_clip_true_and_false():
    img = np.array([0.0, 0.5, 1.0], np.float32)
    out = noise.gaussian(img, 0, mean=0.75, rng=0)
    assert out.dtype == np.float32 and out.tolist() == [0.75, 1.0, 1.0]
    out = noise.gaussian(img, 0, mean=0.75, rng=0, clip=False)
    assert out.tolist() == [0.75, 1.25, 1.75]
    assert noise.uniform(img, -2.0, -2.0, rng=0).tolist() == [0.0, 0.0, 0.0]
    assert noise.uniform(img, -2.0, -2.0, rng=0, clip=False).tolist() == [-2.0, -1.5, -1.0]


def test_uniform_degenerate_interval_is_a_shift_rounded_half_to_even():
    img = np.array([0, 1, 2], np.uint8)
    assert noise.uniform(img, 2.5, 2.5, rng=0).tolist() == [2, 4, 4]


def test_speckle_leaves_black_black_and_sigma_zero_is_identity():
    img = np.array([[0, 0, 0], [10, 100, 250]], np.uint8)
    out = noise.speckle(img, 0.5, rng=0)
    assert out[0].tolist() == [0, 0, 0] and out.dtype == np.uint8
    np.testing.assert_array_equal(noise.speckle(img, 0.0, rng=0), img)


def test_poisson_zero_stays_zero_and_uint8_is_clipped():
    img = np.array([0, 0, 255, 255] * 50, np.uint8)
    out = noise.poisson(img, rng=0)
    assert (out[img == 0] == 0).all() and out.dtype == np.uint8
    assert out.max() == 255 and (out[img == 255] < 255).any()  # clipped above, noisy below


def test_periodic_hand_values():
    # u = 1 cycle down the 4 rows: sin(2 pi x / 4) = 0, 1, 0, -1 in every column
    out = noise.periodic((4, 3), [(1, 0)])
    assert out.dtype == np.float64 and out.shape == (4, 3)
    np.testing.assert_allclose(out, np.repeat([[0.0], [1.0], [0.0], [-1.0]], 3, axis=1), atol=1e-15)
    # v = 2 cycles across 8 columns with amplitude 3 and phase pi/2: 3 cos(pi y / 2)
    out = noise.periodic(8, [(0, 2)], amplitudes=3.0, phases=np.pi / 2)
    np.testing.assert_allclose(out[0], [3, 0, -3, 0, 3, 0, -3, 0], atol=1e-14)
    np.testing.assert_allclose(out, np.broadcast_to(out[0], (8, 8)), atol=1e-15)


def test_estimate_sigma_of_constant_and_planar_images_is_zero():
    assert noise.estimate_sigma(np.full((10, 12), 7, np.uint8)) == 0.0
    plane = np.add.outer(np.arange(10.0) * 3, np.arange(12.0) * -2)
    assert noise.estimate_sigma(plane) == pytest.approx(0.0, abs=1e-12)
    assert noise.estimate_sigma(plane, method="mad") == pytest.approx(0.0, abs=1e-12)


# --- references and statistics --------------------------------------------------------------------

def test_gaussian_statistics_on_mid_grey_float():
    img = np.full((512, 512), 0.5)
    out = noise.gaussian(img, 0.05, rng=10)
    n = img.size
    assert abs(out.mean() - 0.5) < 4 * 0.05 / math.sqrt(n)
    assert abs(out.std() / 0.05 - 1) < 4 / math.sqrt(2 * n)  # SE of a sample std: sigma / sqrt(2n)
    out = noise.gaussian(img.astype(np.float32), 0.05, mean=0.1, rng=10)
    assert out.dtype == np.float32 and abs(out.mean() - 0.6) < 1e-3


def test_gaussian_statistics_uint8_grey_levels():
    out = noise.gaussian(np.full((512, 512), 128, np.uint8), 25, rng=11)
    # rounding adds 1/12 to the variance; 128 +- 5 sigma is inside [0, 255], so clipping is negligible
    assert abs(out.mean() - 128) < 0.2
    assert abs(out.std() - math.sqrt(25**2 + 1 / 12)) < 0.2


def test_gaussian_equals_its_formula_with_the_same_generator():
    # float64 images: float64 normals, exact
    img = _image(np.float64)
    normals = np.random.default_rng(5).standard_normal(img.shape)
    np.testing.assert_array_equal(noise.gaussian(img, 0.2, mean=0.1, rng=5, clip=False),
                                  normals * 0.2 + 0.1 + img)  # the same order of operations
    # uint16 images: float32 normals and arithmetic; the float64 formula on the same normals may differ
    # only where float32 rounding crosses a .5 boundary
    img = _image(np.uint16)
    normals = np.random.default_rng(5).standard_normal(img.shape, dtype=np.float32).astype(np.float64)
    expected = np.clip(np.rint(img + 3.0 + 500.0 * normals), 0, 65535)
    diff = np.abs(noise.gaussian(img, 500, mean=3, rng=5) - expected)
    assert diff.max() <= 1 and (diff > 0).sum() <= 0.01 * img.size


def test_uniform_statistics():
    out = noise.uniform(np.full((512, 512), 0.5), -0.2, 0.1, rng=12, clip=False)
    noise_ = out - 0.5
    assert noise_.min() >= -0.2 and noise_.max() < 0.1
    assert abs(noise_.mean() + 0.05) < 1e-3
    assert abs(noise_.var() / (0.3**2 / 12) - 1) < 0.01


def test_poisson_counts_mean_equals_variance():
    levels = np.array([2, 20, 200, 2000], np.uint16)
    img = np.repeat(levels, 100_000).reshape(4, -1)
    out = noise.poisson(img, rng=13)
    assert out.dtype == np.uint16
    for lam, row in zip(levels.tolist(), out.astype(np.float64)):
        n = row.size
        assert abs(row.mean() - lam) < 5 * math.sqrt(lam / n)
        # Var of the sample variance of Poisson(lam): about (2 lam^2 + lam) / n
        assert abs(row.var() - lam) < 5 * math.sqrt((2 * lam**2 + lam) / n)


def test_poisson_float_with_peak_and_integer_with_peak():
    img = np.full((400, 500), 0.5)
    out = noise.poisson(img, peak=100, rng=14)
    counts = out * 100  # Poisson(50) counts
    np.testing.assert_allclose(counts, np.rint(counts), atol=1e-9)
    assert abs(counts.mean() - 50) < 0.1 and abs(counts.var() / 50 - 1) < 0.03
    # default for floats: 255 photons at 1.0, the noise of the uint8 version
    out = noise.poisson(img.astype(np.float32), rng=14)
    assert out.dtype == np.float32 and abs((out * 255).var() / 127.5 - 1) < 0.03
    # uint8 with 25.5 photons at 255: levels are multiples of 10 (before rounding, exact here)
    out = noise.poisson(np.full((300, 300), 100, np.uint8), peak=25.5, rng=14)
    assert set(np.unique(out % 10).tolist()) == {0} and abs(out.mean() - 100) < 0.5
    assert abs(out.astype(float).var() / (10 * 100) - 1) < 0.05  # var = (max/peak) * f


def test_speckle_variance_proportional_to_f_squared():
    levels = np.array([0.1, 0.2, 0.4])
    img = np.repeat(levels, 200_000).reshape(3, -1)
    out = noise.speckle(img, 0.15, rng=15, clip=False)
    for f, row in zip(levels, out):
        assert abs(row.mean() / f - 1) < 0.002
        assert abs(row.std() / (0.15 * f) - 1) < 0.01


def test_periodic_matches_naive_formula_also_for_non_integer_frequencies():
    freqs = [(1.5, -2.25), (3, 7), (-0.4, 0)]
    amps, phis = [1.0, 0.5, 2.0], [0.0, 1.0, -2.0]
    np.testing.assert_allclose(noise.periodic((9, 11), freqs, amps, phis),
                               naive.periodic((9, 11), freqs, amps, phis), atol=1e-12)


def test_periodic_spectrum_peaks_exact_positions_and_values():
    m, n = 64, 48
    freqs = [(3, 5), (-7, 2), (10, -11), (0, 4)]
    amps = [1.0, 2.0, 0.5, 1.5]
    phis = [0.0, 0.3, 1.2, -0.7]
    spec = np.fft.fft2(noise.periodic((m, n), freqs, amps, phis))
    expected = np.zeros((m, n), complex)
    for (u, v), a, phi in zip(freqs, amps, phis):
        expected[u % m, v % n] += a * m * n / 2j * np.exp(1j * phi)
        expected[-u % m, -v % n] -= a * m * n / 2j * np.exp(-1j * phi)
    np.testing.assert_allclose(spec, expected, atol=1e-9 * m * n)
    # magnitudes A*MN/2 at (u mod M, v mod N) and (-u mod M, -v mod N), nothing else
    peaks = {tuple(int(i) for i in p) for p in np.argwhere(np.abs(spec) > 1e-6)}
    assert peaks == {(u % m, v % n) for u, v in freqs} | {(-u % m, -v % n) for u, v in freqs}
    for (u, v), a in zip(freqs, amps):
        assert abs(spec[u % m, v % n]) == pytest.approx(a * m * n / 2, rel=1e-12)
        assert abs(spec[-u % m, -v % n]) == pytest.approx(a * m * n / 2, rel=1e-12)
    # the same spikes after fftshift sit at (M/2 + u, N/2 + v) and (M/2 - u, N/2 - v)
    shifted = np.abs(np.fft.fftshift(spec))
    assert shifted[m // 2 + 3, n // 2 + 5] == pytest.approx(m * n / 2)
    assert shifted[m // 2 - 3, n // 2 - 5] == pytest.approx(m * n / 2)


def test_periodic_coinciding_spikes_add_to_mn_a_sin_phi():
    m, n = 8, 6
    spec = np.fft.fft2(noise.periodic((m, n), [(4, 3)], amplitudes=2.0, phases=0.5))
    assert spec[4, 3] == pytest.approx(m * n * 2.0 * math.sin(0.5))
    spec[4, 3] = 0
    np.testing.assert_allclose(spec, 0, atol=1e-9)


def test_estimate_sigma_immerkaer_equals_naive_and_scipy_convolution(rng):
    img = rng.random((9, 11)) * 50
    ours = noise.estimate_sigma(img)
    assert ours == pytest.approx(naive.immerkaer_sigma(img), rel=1e-12)
    conv = ndi.convolve(img, naive.IMMERKAER_MASK)[1:-1, 1:-1]
    assert ours == pytest.approx(math.sqrt(math.pi / 2) * np.abs(conv).sum() / (6 * 7 * 9), rel=1e-12)
    img8 = rng.integers(0, 256, (6, 5), dtype=np.uint8)  # integer input: no wrap-around in the differences
    assert noise.estimate_sigma(img8) == pytest.approx(naive.immerkaer_sigma(img8), rel=1e-12)


@pytest.mark.parametrize("shape", [(8, 10), (9, 11), (2, 2)])
def test_estimate_sigma_mad_equals_naive_haar(rng, shape):
    img = rng.random(shape) * 50
    assert noise.estimate_sigma(img, method="mad") == pytest.approx(naive.mad_sigma(img), rel=1e-12)


@pytest.mark.parametrize("method", ["immerkaer", "mad"])
@pytest.mark.parametrize("sigma", [5, 10, 25])
def test_estimate_sigma_flat_image_within_5_percent(method, sigma):
    rng = np.random.default_rng(sigma)
    img = 128 + sigma * rng.standard_normal((512, 512))
    assert abs(noise.estimate_sigma(img, method=method) / sigma - 1) < 0.05
    img8 = noise.gaussian(np.full((512, 512), 128, np.uint8), sigma, rng=sigma)  # + rounding: var + 1/12
    assert abs(noise.estimate_sigma(img8, method=method) / sigma - 1) < 0.05


@pytest.mark.parametrize("method", ["immerkaer", "mad"])
def test_estimate_sigma_on_camera(camera, method):
    # measured (float camera + N(0, s^2)): immerkaer 6.92 / 11.26 / 25.65, mad 6.36 / 11.30 / 25.70 for
    # s = 5 / 10 / 25; the noise-free camera alone reads 3.62 (immerkaer) and 1.48 (mad)
    for sigma, tol in [(10, 0.15), (25, 0.15)]:
        noisy = camera + sigma * np.random.default_rng(sigma).standard_normal(camera.shape)
        assert abs(noise.estimate_sigma(noisy, method=method) / sigma - 1) < tol
    # at sigma = 5 the image detail dominates: a documented overestimate, still bounded
    noisy = camera + 5 * np.random.default_rng(5).standard_normal(camera.shape)
    assert 5 < noise.estimate_sigma(noisy, method=method) < 7.5


def test_estimate_sigma_against_skimage_wavelet_mad(camera):
    pytest.importorskip("pywt")  # skimage.restoration.estimate_sigma needs pywavelets (db2 wavelet)
    from skimage.restoration import estimate_sigma as sk_estimate

    noisy = camera + 20 * np.random.default_rng(0).standard_normal(camera.shape)
    assert noise.estimate_sigma(noisy, method="mad") == pytest.approx(sk_estimate(noisy), rel=0.05)


def test_estimate_sigma_channels_and_volumes():
    rng = np.random.default_rng(16)
    sigmas = np.array([5.0, 10.0, 20.0])
    img = 100 + sigmas * rng.standard_normal((256, 256, 3))
    for method in ("immerkaer", "mad"):
        est = noise.estimate_sigma(img, method=method, channel_axis=-1)
        assert est.dtype == np.float64 and est.shape == (3,)
        np.testing.assert_allclose(est, sigmas, rtol=0.05)
        np.testing.assert_array_equal(noise.estimate_sigma(np.moveaxis(img, -1, 0), method=method,
                                                           channel_axis=0), est)
        assert noise.estimate_sigma(img[..., 1], method=method) == est[1]
        vol = 10 * rng.standard_normal((48, 50, 52))
        assert abs(noise.estimate_sigma(vol, method=method) / 10 - 1) < 0.05


# --- reproducibility, global state, inputs ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("dtype", DTYPES)
def test_generators_reproducible_dtype_kept_input_untouched(name, dtype):
    gen = GENERATORS[name]
    img = _image(dtype)
    img.setflags(write=False)  # a read-only input must work: it is never written
    copy = img.copy()
    first = gen(img, rng=123)
    assert first.dtype == dtype and first.shape == img.shape
    np.testing.assert_array_equal(gen(img, rng=123), first)
    np.testing.assert_array_equal(gen(img, rng=np.random.default_rng(123)), first)
    assert not np.array_equal(gen(img, rng=124), first)
    np.testing.assert_array_equal(img, copy)
    lo, hi = (0, np.iinfo(dtype).max) if np.dtype(dtype).kind == "u" else (0.0, 1.0)
    assert first.min() >= lo and first.max() <= hi


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_do_not_touch_global_random_state(name):
    img = _image(np.uint8)
    state = np.random.get_state()
    GENERATORS[name](img, rng=1)
    GENERATORS[name](img, rng=None)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_rng_none_gives_fresh_noise():
    img = np.full((32, 32), 0.5)
    assert not np.array_equal(noise.gaussian(img, 0.1), noise.gaussian(img, 0.1))


def test_a_generator_advances_between_calls():
    gen = np.random.default_rng(7)
    img = np.full((16, 16), 0.5)
    assert not np.array_equal(noise.gaussian(img, 0.1, rng=gen), noise.gaussian(img, 0.1, rng=gen))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_on_non_contiguous_and_3d_input(name):
    base = _image(np.uint8, (30, 40, 3))
    view = base[::2, ::-1, :]
    out = GENERATORS[name](view, rng=5)
    np.testing.assert_array_equal(out, GENERATORS[name](np.ascontiguousarray(view), rng=5))
    assert out.shape == view.shape


def test_estimate_sigma_does_not_modify_input(camera):
    noise.estimate_sigma(camera)
    noise.estimate_sigma(camera, method="mad")  # camera fixture is read-only: writing would raise


# --- properties -----------------------------------------------------------------------------------------

small_u8 = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)))
inner_u8 = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.integers(1, 254))
unit = st.floats(0.0, 1.0)


# Each example is a few microseconds of numpy: 100 examples keep each property well under a second.
@settings(max_examples=100, deadline=None)
@given(small_u8, unit, unit, st.integers(0, 2**32 - 1))
def test_salt_and_pepper_changes_at_most_k_pixels(img, amount, svp, seed):
    out = noise.salt_and_pepper(img, amount, salt_vs_pepper=svp, rng=seed)
    k = round(amount * img.size)
    changed = out != img
    assert changed.sum() <= k
    assert set(np.unique(out[changed]).tolist()) <= {0, 255}


@settings(max_examples=100, deadline=None)
@given(inner_u8, unit, unit, st.integers(0, 2**32 - 1))
def test_salt_and_pepper_changes_exactly_k_pixels_when_none_is_extreme(img, amount, svp, seed):
    out = noise.salt_and_pepper(img, amount, salt_vs_pepper=svp, rng=seed)
    k = round(amount * img.size)
    assert (out != img).sum() == k
    assert (out == 255).sum() == round(svp * k) and (out == 0).sum() == k - round(svp * k)


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 8), st.integers(1, 8), st.integers(1, 4)),
              elements=st.integers(1, 254)), unit, st.integers(0, 2**32 - 1))
def test_salt_and_pepper_colour_changes_exactly_k_whole_pixels(img, amount, seed):
    out = noise.salt_and_pepper(img, amount, channel_axis=-1, rng=seed)
    changed = (out != img).any(axis=-1)
    assert changed.sum() == round(amount * img.shape[0] * img.shape[1])
    assert (out != img).all(axis=-1)[changed].all()


@settings(max_examples=60, deadline=None)
@given(small_u8, st.floats(0, 300), st.floats(-300, 300), st.integers(0, 2**32 - 1))
def test_integer_results_stay_in_range_and_close(img, sigma, mean, seed):
    out = noise.gaussian(img, sigma, mean=mean, rng=seed)
    assert out.dtype == np.uint8
    out2 = noise.uniform(img, -abs(mean), abs(mean), rng=seed)
    diff = np.abs(out2.astype(int) - img)
    assert (diff <= abs(mean) + 0.5).all()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 10), st.integers(1, 10)), elements=st.floats(0, 1)),
       st.floats(0, 5), st.integers(0, 2**32 - 1))
def test_float_results_clipped_to_unit_interval(img, sigma, seed):
    for out in (noise.gaussian(img, sigma, rng=seed), noise.speckle(img, sigma, rng=seed),
                noise.uniform(img, -sigma, sigma, rng=seed), noise.poisson(img, peak=1 + sigma, rng=seed)):
        assert out.dtype == np.float64 and out.min() >= 0.0 and out.max() <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=1, max_size=4),
       st.lists(st.floats(-3, 3), min_size=4, max_size=4), st.floats(-4, 4))
def test_periodic_bounded_by_sum_of_amplitudes(freqs, amps, phase):
    amps = amps[: len(freqs)]
    out = noise.periodic((16, 12), freqs, amps, phase)
    assert np.abs(out).max() <= sum(abs(a) for a in amps) + 1e-12


# --- pathologies ----------------------------------------------------------------------------------------

def test_one_pixel_images():
    one = np.array([[100]], np.uint8)
    assert noise.salt_and_pepper(one, 1.0, rng=0).tolist() in ([[255]], [[0]])
    assert noise.salt_and_pepper(one, 0.4, rng=0).tolist() == [[100]]  # round(0.4) = 0
    for name in GENERATORS:
        assert GENERATORS[name](one, rng=0).shape == (1, 1)
    assert noise.periodic((1, 1), [(1, 1)]).tolist() == [[0.0]]


def test_nan_passes_through_additive_noise_but_is_refused_where_it_cannot():
    img = np.array([0.5, np.nan, 0.5])
    assert np.isnan(noise.gaussian(img, 0.1, rng=0)[1])
    assert np.isnan(noise.speckle(img, 0.1, rng=0, clip=False)[1])
    with pytest.raises(ValueError, match="poisson: image must contain only finite values"):
        noise.poisson(img, rng=0)
    with pytest.raises(ValueError, match="estimate_sigma: image must contain only finite values"):
        noise.estimate_sigma(np.full((5, 5), np.nan))


def test_salt_and_pepper_on_extreme_pixels_changes_fewer():
    img = np.array([0, 255, 0, 255], np.uint8)
    out = noise.salt_and_pepper(img, 1.0, salt_vs_pepper=0.5, rng=0)
    assert (out != img).sum() <= 4 and sorted(out.tolist()) == [0, 0, 255, 255]


# --- errors ---------------------------------------------------------------------------------------------

IMG = np.full((8, 8), 100, np.uint8)


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: noise.salt_and_pepper(IMG, -0.1), ValueError, "salt_and_pepper: amount must be in [0, 1]"),
        (lambda: noise.salt_and_pepper(IMG, 1.5), ValueError, "got 1.5"),
        (lambda: noise.salt_and_pepper(IMG, "a lot"), TypeError, "amount must be a real number"),
        (lambda: noise.salt_and_pepper(IMG, 0.1, salt_vs_pepper=2), ValueError, "salt_vs_pepper must be in"),
        (lambda: noise.salt_and_pepper(IMG, 0.1, salt=300), ValueError, "salt must be in [0, 255]"),
        (lambda: noise.salt_and_pepper(IMG, 0.1, pepper=3.5), ValueError, "pepper must be an integer"),
        (lambda: noise.salt_and_pepper(IMG, 0.1, channel_axis=2), ValueError, "channel_axis"),
        (lambda: noise.gaussian(IMG, -1), ValueError, "gaussian: sigma must be in [0, inf]"),
        (lambda: noise.gaussian(IMG, float("nan")), ValueError, "sigma must be a finite number"),
        (lambda: noise.gaussian(IMG, 5, clip=False), ValueError, "clip=False is not allowed for a uint8"),
        (lambda: noise.gaussian(IMG, 5, clip="yes"), TypeError, "clip must be True or False"),
        (lambda: noise.speckle(IMG, -0.1), ValueError, "speckle: sigma must be in [0, inf]"),
        (lambda: noise.speckle(IMG, 0.1, clip=False), ValueError, "speckle: clip=False"),
        (lambda: noise.uniform(IMG, 5, 1), ValueError, "uniform: high must be greater than or equal"),
        (lambda: noise.uniform(IMG.astype(np.uint16), 0, 1, clip=False), ValueError, "uint16"),
        (lambda: noise.poisson(np.array([-0.1, 0.5])), ValueError, "poisson: image must have non-negative"),
        (lambda: noise.poisson(IMG, peak=0), ValueError, "poisson: peak must be in (0, inf]"),
        (lambda: noise.poisson(np.array([1e300]), peak=255), ValueError, "beyond numpy's Poisson"),
        (lambda: noise.gaussian(IMG, 1, rng="seed"), TypeError, "gaussian: rng must be None, an int seed"),
        (lambda: noise.poisson(IMG, rng=1.5), TypeError, "poisson: rng must be"),
        (lambda: noise.salt_and_pepper(IMG, 0.1, rng=np.random.RandomState(0)), TypeError, "rng must be"),
        (lambda: noise.gaussian(IMG.astype(np.int16), 1), TypeError, "uint8, uint16, float32 or float64"),
        (lambda: noise.salt_and_pepper(IMG > 5, 0.1), TypeError, "bool is not accepted"),
        (lambda: noise.gaussian(np.zeros((0, 3), np.uint8), 1), ValueError, "non-empty"),
        (lambda: noise.gaussian("img.png", 1), TypeError, "gaussian: image must be a numpy array"),
        (lambda: noise.periodic((8, 8), [(1, 2, 3)]), ValueError, "periodic: frequencies must be a non-empty"),
        (lambda: noise.periodic((8, 8), (1, 2)), ValueError, "shape (K, 2)"),
        (lambda: noise.periodic((8, 8), []), ValueError, "frequencies must be a non-empty"),
        (lambda: noise.periodic((8, 8), [(1, 2), (3,)]), TypeError, "periodic: frequencies must be"),
        (lambda: noise.periodic((8, 8), [("a", 2)]), TypeError, "frequencies must be a sequence"),
        (lambda: noise.periodic((8, 8), [(np.inf, 2)]), ValueError, "frequencies must be finite"),
        (lambda: noise.periodic((8, 8), [(1, 2)], amplitudes=[1, 2]), ValueError, "amplitudes must be"),
        (lambda: noise.periodic((8, 8), [(1, 2)], phases=[[0.0]]), ValueError, "phases must be"),
        (lambda: noise.periodic((8, 0), [(1, 2)]), ValueError, "periodic: shape must be"),
        (lambda: noise.periodic((8, 8, 8), [(1, 2)]), ValueError, "periodic: shape must be"),
        (lambda: noise.estimate_sigma(IMG, method="wavelet"), ValueError, "method must be one of"),
        (lambda: noise.estimate_sigma(np.zeros((2, 9))), ValueError, "at least 3 pixels"),
        (lambda: noise.estimate_sigma(np.zeros((1, 9)), method="mad"), ValueError, "at least 2 pixels"),
        (lambda: noise.estimate_sigma(np.zeros(9)), ValueError, "at least 2-D"),
        (lambda: noise.estimate_sigma(np.zeros((9, 3)), channel_axis=-1), ValueError, "at least 2-D"),
        (lambda: noise.estimate_sigma(np.zeros((9, 9, 3)), channel_axis=3), ValueError, "channel_axis"),
    ],
)
def test_errors_name_function_parameter_and_value(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)
