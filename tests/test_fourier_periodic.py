"""fastdip.fourier periodic-noise removal: find_peaks, notch filtering at the found peaks, optimum_notch.

Run with ``-s`` to see the PSNR table (noisy / notch / optimum) that the issue asks for.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from fastdip import data, fourier
from fastdip.metrics import psnr
from fastdip.noise import periodic

#: injected frequencies (u, v); the first K are used. Canonical forms (u > 0, or u = 0 and v > 0) below.
FREQS = [(30, 40), (-50, 60), (80, 0), (0, 90)]
CANON = [(30, 40), (50, -60), (80, 0), (0, 90)]
AMPLITUDE = 40.0
RADIUS = 3


@functools.lru_cache(maxsize=None)
def _image(name: str) -> np.ndarray:
    img = np.asarray(data.load(name) if hasattr(data, "load") else getattr(data, name)(), dtype=np.float64)
    if img.ndim == 3:
        img = img.mean(axis=-1)
    img.setflags(write=False)
    return img


def _noisy(name: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    f = _image(name)
    return f, f + periodic(f.shape, FREQS[:k], amplitudes=AMPLITUDE)


def _psnr(f, x) -> float:
    return psnr(f, x, data_range=255)


# --- find_peaks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["camera", "brick", "coins"])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_find_peaks_finds_exactly_the_injected_frequencies(name, k):
    _, g = _noisy(name, k)
    peaks = fourier.find_peaks(g)
    assert peaks.dtype == np.int64 and peaks.shape == (k, 2)
    assert {tuple(int(x) for x in p) for p in peaks} == set(CANON[:k])


@pytest.mark.parametrize("name", ["camera", "brick", "coins"])
def test_find_peaks_finds_nothing_in_a_clean_image(name):
    peaks = fourier.find_peaks(_image(name))
    assert peaks.shape == (0, 2)


def test_find_peaks_sorted_by_strength_and_max_peaks(rng):
    f = 100.0 + rng.normal(0.0, 2.0, (64, 80))
    g = f + periodic(f.shape, [(3, 20), (-10, -7), (0, 25)], amplitudes=[5.0, 20.0, 10.0])
    peaks = fourier.find_peaks(g)
    np.testing.assert_array_equal(peaks, [[10, 7], [0, 25], [3, 20]])
    np.testing.assert_array_equal(fourier.find_peaks(g, max_peaks=2), [[10, 7], [0, 25]])
    # a DC disc larger than every spike hides them all
    assert fourier.find_peaks(g, dc_radius=40).shape == (0, 2)


def test_find_peaks_constant_and_tiny_images():
    assert fourier.find_peaks(np.full((16, 16), 7.0)).shape == (0, 2)
    assert fourier.find_peaks(np.ones((1, 1))).shape == (0, 2)
    # an exact sinusoid on a constant background: the spectrum is empty apart from the pair
    g = 50.0 + periodic((32, 33), [(-5, 9)], amplitudes=3.0)
    np.testing.assert_array_equal(fourier.find_peaks(g, dc_radius=2), [[5, -9]])


def test_find_peaks_does_not_modify_input():
    _, g = _noisy("camera", 2)
    before = g.copy()
    fourier.find_peaks(g)
    np.testing.assert_array_equal(g, before)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"threshold": 0}, ValueError, "threshold"),
        ({"dc_radius": -1}, ValueError, "dc_radius"),
        ({"max_peaks": 0}, ValueError, "max_peaks"),
        ({"min_distance": 0}, ValueError, "min_distance"),
        ({"threshold": "high"}, TypeError, "threshold"),
    ],
)
def test_find_peaks_bad_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=f"find_peaks: {match}"):
        fourier.find_peaks(np.zeros((8, 8)), **kwargs)


def test_find_peaks_bad_image():
    with pytest.raises(ValueError, match="find_peaks: image must be a 2-D array"):
        fourier.find_peaks(np.zeros((4, 4, 4)))
    with pytest.raises(TypeError, match="find_peaks: image"):
        fourier.find_peaks(np.zeros((4, 4), dtype=complex))
    bad = np.zeros((8, 8))
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match="find_peaks: image must contain only finite values"):
        fourier.find_peaks(bad)


# --- notch and optimum notch: PSNR -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["camera", "brick"])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_notch_and_optimum_notch_gain_10db(name, k):
    f, g = _noisy(name, k)
    peaks = fourier.find_peaks(g)
    notch = fourier.apply(g, fourier.notch_reject(g.shape, peaks, RADIUS))
    opt = fourier.optimum_notch(g, peaks, radius=RADIUS)
    p_noisy, p_notch, p_opt = _psnr(f, g), _psnr(f, notch), _psnr(f, opt.estimate)
    print(f"\nPSNR {name} K={k}: noisy {p_noisy:.2f} dB, notch {p_notch:.2f} dB, optimum {p_opt:.2f} dB")
    assert p_notch >= p_noisy + 10
    assert p_opt >= p_noisy + 10


@pytest.mark.parametrize("name", ["camera", "brick"])
def test_optimum_notch_beats_notch_when_the_amplitude_varies(name):
    f = _image(name)
    ramp = np.linspace(10.0, 70.0, f.shape[1])[None, :]  # amplitude 10 -> 70 along the columns
    g = f + ramp * periodic(f.shape, FREQS[:3])
    peaks = fourier.find_peaks(g)
    assert {tuple(int(x) for x in p) for p in peaks} == set(CANON[:3])
    notch = fourier.apply(g, fourier.notch_reject(g.shape, peaks, RADIUS))
    opt = fourier.optimum_notch(g, peaks, radius=RADIUS)
    p_noisy, p_notch, p_opt = _psnr(f, g), _psnr(f, notch), _psnr(f, opt.estimate)
    print(f"\nPSNR {name} ramp 10->70, K=3: noisy {p_noisy:.2f} dB, notch {p_notch:.2f} dB, "
          f"optimum {p_opt:.2f} dB")
    assert p_opt > p_notch + 3
    assert p_opt >= p_noisy + 10


def test_weights_are_one_where_eta_has_the_noise_amplitude():
    f, g = _noisy("camera", 3)
    opt = fourier.optimum_notch(g, CANON[:3], radius=RADIUS)
    w = opt.weights[20:-20, 20:-20]
    assert abs(np.median(w) - 1.0) < 0.02
    assert np.mean(np.abs(w - 1.0) < 0.1) > 0.95


def test_default_centres_come_from_find_peaks():
    _, g = _noisy("camera", 2)
    a = fourier.optimum_notch(g)
    b = fourier.optimum_notch(g, fourier.find_peaks(g))
    np.testing.assert_array_equal(a.estimate, b.estimate)


def test_h_np_equals_centres():
    _, g = _noisy("brick", 2)
    h = fourier.notch_pass(g.shape, CANON[:2], RADIUS, kind="gaussian")
    a = fourier.optimum_notch(g, H_np=h, window=(7, 9))
    b = fourier.optimum_notch(g, CANON[:2], radius=RADIUS, kind="gaussian", window=(7, 9))
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=0, atol=1e-9)


# --- hand cases and properties ---------------------------------------------------------------------------


def test_hand_case_constant_plus_sinusoid_is_restored_exactly():
    # g = c + A sin(...): η = A sin exactly (ideal notch on the exact bins), so w = 1 and f̂ = c
    g = 12.5 + periodic((24, 30), [(3, 5)], amplitudes=2.0)
    res = fourier.optimum_notch(g, [(3, 5)], radius=0.5, window=(2, 3))
    assert isinstance(res, fourier.OptimumNotch)
    np.testing.assert_allclose(res.eta, g - 12.5, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.weights, 1.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.estimate, 12.5, rtol=0, atol=1e-9)


def test_weights_follow_a_scaled_pattern():
    # g = c + 3·p and η fitted from a notch at the exact bin: w = 1 everywhere; the estimate is c
    p = periodic((32, 32), [(4, 0)])
    res = fourier.optimum_notch(5.0 + 3.0 * p, [(4, 0)], radius=0.5, window=(1, 1))
    np.testing.assert_allclose(res.weights, 1.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.estimate, 5.0, rtol=0, atol=1e-9)


def test_clean_image_with_far_centres_changes_little():
    f = _image("camera")
    res = fourier.optimum_notch(f, [(200, 210), (-190, 230)], radius=2)
    assert _psnr(f, res.estimate) > 45
    assert np.abs(res.estimate - f).max() < np.abs(f).max() * 0.2


def test_one_by_one_window_falls_back_to_plain_notch():
    # a 1 x 1 neighbourhood has zero variance: the documented guard sets w = 1
    _, g = _noisy("camera", 2)
    res = fourier.optimum_notch(g, CANON[:2], radius=RADIUS, window=(0, 0))
    np.testing.assert_array_equal(res.weights, 1.0)
    notch = fourier.apply(g, fourier.notch_reject(g.shape, CANON[:2], RADIUS))
    np.testing.assert_allclose(res.estimate, notch, rtol=0, atol=1e-9)


def test_dtypes_and_input_untouched():
    img = data.load("camera") if hasattr(data, "load") else data.camera()
    before = img.copy()
    res = fourier.optimum_notch(img, [(30, 40)], radius=2, window=(3, 3))
    assert all(a.dtype == np.float32 and a.shape == img.shape for a in res)
    np.testing.assert_array_equal(img, before)
    res64 = fourier.optimum_notch(img.astype(np.float64), [(30, 40)], radius=2, window=(3, 3))
    assert all(a.dtype == np.float64 for a in res64)
    np.testing.assert_allclose(res.estimate, res64.estimate, rtol=0, atol=1e-3)


def test_odd_sizes_and_window_larger_than_image():
    g = 3.0 + periodic((7, 9), [(2, 3)], amplitudes=1.0)
    res = fourier.optimum_notch(g, [(2, 3)], radius=0.5, window=(10, 12))
    np.testing.assert_allclose(res.estimate, 3.0, rtol=0, atol=1e-9)


# --- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "window, exc",
    [(3, TypeError), ((1, 2, 3), TypeError), ((-1, 2), ValueError), ((1.5, 2), TypeError),
     (("a", 2), TypeError)],
)
def test_optimum_notch_bad_window(window, exc):
    with pytest.raises(exc, match=r"optimum_notch: window"):
        fourier.optimum_notch(np.zeros((8, 8)), [(1, 1)], window=window)


@pytest.mark.parametrize("centres", [[1, 2, 3], [[1, 2, 3]], [], [[1, np.nan]]])
def test_optimum_notch_bad_centres(centres):
    with pytest.raises(ValueError, match="optimum_notch: centres"):
        fourier.optimum_notch(np.zeros((8, 8)), centres)


def test_optimum_notch_other_errors():
    img = np.zeros((8, 8))
    with pytest.raises(ValueError, match="optimum_notch: H_np must be None when centres are given"):
        fourier.optimum_notch(img, [(1, 1)], H_np=np.ones((8, 8)))
    with pytest.raises(ValueError, match=r"optimum_notch: H_np must be an array of the image's shape \(8, 8\)"):
        fourier.optimum_notch(img, H_np=np.ones((8, 9)))
    with pytest.raises(ValueError, match="optimum_notch: centres must be given: find_peaks"):
        fourier.optimum_notch(img)
    with pytest.raises(ValueError, match="optimum_notch: radius"):
        fourier.optimum_notch(img, [(1, 1)], radius=0)
    with pytest.raises(ValueError, match="optimum_notch: kind"):
        fourier.optimum_notch(img, [(1, 1)], kind="box")
    with pytest.raises(ValueError, match="optimum_notch: image must be a 2-D array"):
        fourier.optimum_notch(np.zeros(8), [(1, 1)])
