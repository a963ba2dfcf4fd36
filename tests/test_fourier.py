"""fastdip.fourier: transforms against numpy.fft and closed forms, transfer-function values, filtering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fastdip import fourier
from fastdip._kernels import load as kload
from fastdip.noise import periodic

# --- transforms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (5, 3), (8, 8), (17, 12)])
def test_dft2_matches_numpy_and_round_trips(rng, shape):
    f = rng.standard_normal(shape)
    F = fourier.dft2(f)
    assert F.dtype == np.complex128
    np.testing.assert_allclose(F, np.fft.fft2(f), rtol=0, atol=1e-12 * max(1, f.size))
    back = fourier.idft2(F)
    assert back.dtype == np.float64 and back.shape == shape
    np.testing.assert_allclose(back, f, rtol=0, atol=1e-12)


def test_dft2_complex_input_and_complex_inverse(rng):
    f = rng.standard_normal((6, 5)) + 1j * rng.standard_normal((6, 5))
    F = fourier.dft2(f)
    np.testing.assert_allclose(F, np.fft.fft2(f), atol=1e-12)
    np.testing.assert_allclose(fourier.idft2(F, real=False), f, atol=1e-12)
    np.testing.assert_allclose(fourier.idft2(F), f.real, atol=1e-12)


def test_dtypes_follow_the_linear_rule(camera):
    small = camera[:16, :16]
    assert fourier.dft2(small).dtype == np.complex64
    assert fourier.dft2(small.astype(np.float32)).dtype == np.complex64
    assert fourier.dft2(small.astype(np.float64)).dtype == np.complex128
    assert fourier.idft2(fourier.dft2(small)).dtype == np.float32
    np.testing.assert_allclose(fourier.idft2(fourier.dft2(small)), small, atol=1e-3)
    assert fourier.apply(small, np.ones((16, 16))).dtype == np.float32
    assert fourier.apply(small.astype(np.float64), np.ones((16, 16))).dtype == np.float64


def test_input_not_modified(rng):
    f = rng.standard_normal((4, 6))
    keep = f.copy()
    fourier.dft2(f)
    fourier.apply(f, fourier.lowpass(f.shape, 2))
    fourier.apply(f, fourier.lowpass(fourier.padded_shape(f.shape), 2), pad=True)
    fourier.swap_phase(f, f[::-1])
    np.testing.assert_array_equal(f, keep)


def test_dftn_idftn(rng):
    f = rng.standard_normal((3, 4, 5))
    F = fourier.dftn(f)
    np.testing.assert_allclose(F, np.fft.fftn(f), atol=1e-12)
    np.testing.assert_allclose(fourier.idftn(F), f, atol=1e-12)
    np.testing.assert_allclose(fourier.idftn(F, real=False), f, atol=1e-12)
    np.testing.assert_allclose(fourier.dftn(np.arange(5.0)), np.fft.fft(np.arange(5.0)), atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (2, 1), (5, 3), (8, 8), (7, 12), (17, 9), (64, 33)])
def test_rdft2_equals_scipy_and_numpy_rfft2_and_inverts(rng, shape):
    import scipy.fft

    f = rng.standard_normal(shape)
    F = fourier.rdft2(f)
    assert F.dtype == np.complex128 and F.shape == (shape[0], shape[1] // 2 + 1)
    np.testing.assert_allclose(F, scipy.fft.rfft2(f), rtol=0, atol=1e-12 * max(1, f.size))
    np.testing.assert_allclose(F, np.fft.rfft2(f), rtol=0, atol=1e-12 * max(1, f.size))
    # the half of dft2's full spectrum
    np.testing.assert_allclose(F, fourier.dft2(f)[:, : shape[1] // 2 + 1], rtol=0, atol=1e-12 * max(1, f.size))
    back = fourier.irdft2(F, shape)
    assert back.dtype == np.float64 and back.shape == shape and back.flags.c_contiguous
    np.testing.assert_allclose(back, f, rtol=0, atol=1e-12)
    np.testing.assert_allclose(back, scipy.fft.irfft2(F, s=shape), rtol=0, atol=1e-13)


def test_irdft2_default_shape_is_even_and_odd_width_needs_shape(rng):
    f = rng.standard_normal((6, 7))
    F = fourier.rdft2(f)  # 4 columns: N = 6 or 7
    assert fourier.irdft2(F).shape == (6, 6)
    np.testing.assert_allclose(fourier.irdft2(F), np.fft.irfft2(F), atol=1e-13)
    np.testing.assert_allclose(fourier.irdft2(F, (6, 7)), f, atol=1e-12)
    assert fourier.irdft2(fourier.rdft2(np.ones((3, 1))), (3, 1)).shape == (3, 1)


def test_half_spectrum_dtypes_follow_the_linear_rule(camera):
    small = camera[:16, :15]
    for image, spec, out in ((small, np.complex64, np.float32), (small.astype(np.float32), np.complex64, np.float32),
                             (small.astype(np.float64), np.complex128, np.float64),
                             (small.astype(np.uint16), np.complex64, np.float32)):
        F = fourier.rdft2(image)
        assert F.dtype == spec
        back = fourier.irdft2(F, image.shape)
        assert back.dtype == out
        np.testing.assert_allclose(back, image, atol=2e-3 if out == np.float32 else 1e-9)
    assert fourier.irdft2(np.ones((4, 3))).dtype == np.float64  # a real spectrum counts as complex128


def test_half_spectrum_inputs_never_modified(rng):
    f = rng.standard_normal((8, 9)).astype(np.float32)
    keep = f.copy()
    F = fourier.rdft2(f)
    F_keep = F.copy()
    fourier.irdft2(F, f.shape)
    fourier.irdftn(F, f.shape)
    full = fourier.dft2(f)
    full_keep = full.copy()
    fourier.idft2(full)
    fourier.idftn(full)
    np.testing.assert_array_equal(f, keep)
    np.testing.assert_array_equal(F, F_keep)
    np.testing.assert_array_equal(full, full_keep)


@pytest.mark.parametrize("shape", [(5,), (6,), (3, 4, 5), (2, 3, 4, 6)])
def test_rdftn_irdftn_equal_scipy(rng, shape):
    import scipy.fft

    f = rng.standard_normal(shape)
    F = fourier.rdftn(f)
    np.testing.assert_allclose(F, scipy.fft.rfftn(f), atol=1e-12 * f.size)
    back = fourier.irdftn(F, shape)
    np.testing.assert_allclose(back, f, atol=1e-12)
    np.testing.assert_allclose(back, scipy.fft.irfftn(F, s=shape), atol=1e-13)


def test_irdft2_ignores_what_a_real_spectrum_cannot_hold_like_scipy(rng):
    import scipy.fft

    F = rng.standard_normal((6, 5)) + 1j * rng.standard_normal((6, 5))  # not Hermitian in columns 0 and 4
    for shape in ((6, 8), (6, 9)):
        np.testing.assert_allclose(fourier.irdft2(F, shape), scipy.fft.irfft2(F, s=shape), atol=1e-13)


@pytest.mark.parametrize("shape", [(1, 1), (4, 1), (1, 6), (7, 9), (8, 10), (3, 4, 5)])
def test_idft_real_part_of_a_non_hermitian_spectrum(rng, shape):
    # real=True inverts the Hermitian part of F: the real part of the complex inverse, for any F
    F = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    expected = np.fft.ifftn(F).real
    call = fourier.idft2 if len(shape) == 2 else fourier.idftn
    out = call(F)
    assert out.dtype == np.float64 and out.flags.c_contiguous
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-14)
    out32 = call(F.astype(np.complex64))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, expected, rtol=0, atol=2e-7)


def test_large_half_spectra_take_the_in_place_path_without_touching_the_input(rng):
    import scipy.fft

    shape = (520, 1031)  # 520 x 516 half-spectrum coefficients: above the two-call in-place threshold
    assert shape[0] * (shape[1] // 2 + 1) >= fourier._HALF_INVERSE_IN_PLACE_MIN
    f = rng.random(shape, dtype=np.float32)
    F = fourier.rdft2(f)
    F_keep = F.copy()
    back = fourier.irdft2(F, shape)
    np.testing.assert_array_equal(F, F_keep)
    np.testing.assert_allclose(back, scipy.fft.irfft2(F, s=shape), rtol=0, atol=2e-6)
    np.testing.assert_allclose(back, f, rtol=0, atol=2e-6)
    G = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    G_keep = G.copy()
    np.testing.assert_allclose(fourier.idft2(G), np.fft.ifft2(G).real, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(G, G_keep)


def test_half_inverses_on_the_scratch_buffer_equal_scipys_one_call(rng, monkeypatch):
    # the two-call inverse on the thread's kept copy equals scipy.fft.irfftn within a few float rounding steps
    # (the same c2c then c2r steps; the one call takes other plans for some shapes); the buffer is reused
    # across shapes and dtypes, larger copies than the keep limit are fresh, no result shares the buffer (an
    # earlier result survives later calls) and the spectra are never modified
    import scipy.fft

    monkeypatch.setattr(fourier, "_HALF_INVERSE_IN_PLACE_MIN", 1)
    monkeypatch.setattr(fourier, "_SCRATCH_KEEP_BYTES", 40_000)
    kept = []
    for shape in [(64, 90), (17, 33), (5, 6, 7), (130, 129), (9, 4), (40, 63)]:
        for dtype in (np.complex64, np.complex128):
            half = shape[:-1] + (shape[-1] // 2 + 1,)
            F = (rng.standard_normal(half) + 1j * rng.standard_normal(half)).astype(dtype)
            F_keep = F.copy()
            call = fourier.irdft2 if len(shape) == 2 else fourier.irdftn
            out = call(F, shape)
            np.testing.assert_array_equal(F, F_keep)
            expected = scipy.fft.irfftn(F, s=shape)
            assert out.dtype == expected.dtype and out.shape == shape and out.flags.c_contiguous
            eps = np.finfo(expected.dtype).eps
            np.testing.assert_allclose(out, expected, rtol=0, atol=16 * eps * np.abs(expected).max())
            kept.append((out, out.copy()))
    for out, copy in kept:
        np.testing.assert_array_equal(out, copy)


def test_half_inverses_from_several_threads_at_once(rng):
    # every thread inverts on its own scratch buffer
    from concurrent.futures import ThreadPoolExecutor

    images = [rng.random((200 + 8 * k, 300 - 6 * k), dtype=np.float32) for k in range(6)]
    spectra = [fourier.rdft2(f) for f in images]
    with ThreadPoolExecutor(3) as pool:
        backs = list(pool.map(lambda k: [fourier.irdft2(spectra[k], images[k].shape) for _ in range(4)], range(6)))
    for f, runs in zip(images, backs):
        for back in runs:
            np.testing.assert_allclose(back, f, rtol=0, atol=2e-6)


@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (8, 10), (3, 4, 5)])
def test_both_forward_paths_for_real_images_agree(rng, shape, monkeypatch):
    # small images: rfftn + Hermitian fill here; from _FULL_REAL_FORWARD_MIN values: scipy's fftn in one call
    f = rng.standard_normal(shape)
    ours = fourier.dftn(f)
    monkeypatch.setattr(fourier, "_FULL_REAL_FORWARD_MIN", 1)
    theirs = fourier.dftn(f)
    assert theirs.dtype == ours.dtype == np.complex128
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-12 * f.size)
    np.testing.assert_allclose(theirs, np.fft.fftn(f), rtol=0, atol=1e-12 * f.size)


def test_round_trip_float32_identity_and_nan_refused(rng):
    f = rng.random((33, 40), dtype=np.float32)
    np.testing.assert_allclose(fourier.idft2(fourier.dft2(f)), f, rtol=0, atol=1e-6)
    np.testing.assert_allclose(fourier.irdft2(fourier.rdft2(f), f.shape), f, rtol=0, atol=1e-6)
    spectrum = fourier.dft2(f)
    f[3, 4] = np.nan  # it would spread to every coefficient: refused, never an all-NaN result
    for func in (fourier.dft2, fourier.rdft2, fourier.dftn, fourier.rdftn):
        with pytest.raises(ValueError, match=f"^{func.__name__}: image must contain only finite values"):
            func(f)
    spectrum[2, 2] = np.inf
    with pytest.raises(ValueError, match="^idft2: spectrum must contain only finite values"):
        fourier.idft2(spectrum)


def test_parseval(rng):
    f = rng.standard_normal((13, 20))
    F = fourier.dft2(f)
    assert np.isclose(np.sum(f**2), np.sum(fourier.power(F)) / f.size, rtol=1e-12)


@pytest.mark.parametrize("shape, uv, amp", [((32, 32), (3, 5), 2.0), ((30, 21), (4, -2), 0.5)])
def test_sine_image_gives_two_symmetric_spikes(shape, uv, amp):
    m, n = shape
    f = periodic(shape, [uv], amplitudes=amp)
    mag = fourier.magnitude(fourier.dft2(f), log=False)
    u, v = uv
    expected = np.zeros(shape)
    expected[u % m, v % n] = expected[-u % m, -v % n] = amp * m * n / 2
    np.testing.assert_allclose(mag, expected, atol=1e-9)
    # centred: the spikes sit at (M//2 ± u, N//2 ± v)
    centred = fourier.shift(mag)
    assert centred[m // 2 + u, n // 2 + v] == pytest.approx(amp * m * n / 2)
    assert centred[m // 2 - u, n // 2 - v] == pytest.approx(amp * m * n / 2)


def test_gaussian_transforms_to_gaussian_of_inverse_width():
    m, n, sigma = 128, 96, 6.0
    u, v, _ = fourier.frequencies((m, n), centred=False)  # circular coordinates, origin at index 0
    f = np.exp(-(u**2 + v**2) / (2 * sigma**2))
    F = fourier.dft2(f)
    # continuous closed form: 2πσ² exp(-2π²σ²((k/M)² + (l/N)²)); frequency width M/(2πσ), N/(2πσ)
    closed = 2 * np.pi * sigma**2 * np.exp(-2 * np.pi**2 * sigma**2 * ((u / m) ** 2 + (v / n) ** 2))
    np.testing.assert_allclose(F.imag, 0, atol=1e-9)
    np.testing.assert_allclose(F.real, closed, rtol=0, atol=1e-9)


@pytest.mark.parametrize("period", [4, 8])
def test_dirac_comb_transforms_to_dirac_comb_of_reciprocal_period(period):
    m = n = 32
    f = np.zeros((m, n))
    f[::period, ::period] = 1.0
    F = fourier.dft2(f)
    expected = np.zeros((m, n))
    step = m // period  # reciprocal period in frequency samples
    expected[::step, ::step] = (m // period) * (n // period)
    np.testing.assert_allclose(F.real, expected, atol=1e-12)
    np.testing.assert_allclose(F.imag, 0, atol=1e-12)


def test_shift_ishift_centre(rng):
    for shape in [(4, 6), (5, 7), (4, 5)]:
        a = rng.standard_normal(shape)
        F = fourier.dft2(a)
        S = fourier.shift(F)
        assert S[shape[0] // 2, shape[1] // 2] == F[0, 0]
        np.testing.assert_array_equal(fourier.ishift(S), F)


def test_magnitude_phase_power_recompose(rng):
    F = fourier.dft2(rng.standard_normal((6, 7)))
    mag = fourier.magnitude(F, log=False)
    np.testing.assert_allclose(mag * np.exp(1j * fourier.phase(F)), F, atol=1e-12)
    np.testing.assert_allclose(fourier.power(F), mag**2, rtol=1e-12)
    np.testing.assert_allclose(fourier.magnitude(F), np.log1p(mag), rtol=1e-12)


def test_swap_phase(rng):
    a = rng.standard_normal((8, 10))
    b = rng.standard_normal((8, 10))
    same = fourier.swap_phase(a, a)
    np.testing.assert_allclose(same.magnitude_a_phase_b, a, atol=1e-12)
    np.testing.assert_allclose(same.magnitude_b_phase_a, a, atol=1e-12)
    ab, ba = fourier.swap_phase(a, b)
    assert ab.shape == ba.shape == a.shape and ab.dtype == np.float64
    A, B = np.fft.fft2(a), np.fft.fft2(b)
    FAB, FBA = np.fft.fft2(ab), np.fft.fft2(ba)
    # the real part keeps the Hermitian part: |A| with the phase of B (both real-image spectra: already so)
    np.testing.assert_allclose(np.abs(FAB), np.abs(A), atol=1e-10)
    np.testing.assert_allclose(np.abs(FBA), np.abs(B), atol=1e-10)
    nz = (np.abs(A) > 1e-8) & (np.abs(B) > 1e-8)
    np.testing.assert_allclose(np.exp(1j * np.angle(FAB[nz])), np.exp(1j * np.angle(B[nz])), atol=1e-9)
    # swapping twice gives back the magnitudes and phases of the originals
    back_a, back_b = fourier.swap_phase(ab, ba)  # |A| with the phase of A, |B| with that of B
    np.testing.assert_allclose(back_a, a, atol=1e-10)
    np.testing.assert_allclose(back_b, b, atol=1e-10)


def test_frequencies_centre_and_uncentred():
    for m, n in [(4, 6), (5, 7)]:
        u, v, D = fourier.frequencies((m, n))
        assert D[m // 2, n // 2] == 0 and np.count_nonzero(D == 0) == 1
        np.testing.assert_array_equal(u[:, 0], np.arange(m) - m // 2)
        uu, vv, DD = fourier.frequencies((m, n), centred=False)
        np.testing.assert_array_equal(uu[:, 0], np.fft.fftfreq(m) * m)
        np.testing.assert_array_equal(DD, np.fft.ifftshift(D))
    u, v, D = fourier.frequencies(3)
    assert u.shape == (3, 3) and D.dtype == np.float64
    assert fourier.padded_shape((3, 5)) == (6, 10)


# --- transfer functions ----------------------------------------------------------------------------------

KINDS = ["ideal", "butterworth", "gaussian"]


@pytest.mark.parametrize("shape", [(32, 32), (31, 20)])
@pytest.mark.parametrize("kind", KINDS)
def test_lowpass_highpass_properties(shape, kind):
    m, n = shape
    H = fourier.lowpass(shape, 5, kind=kind, order=3)
    assert H.shape == shape and H.dtype == np.float64
    assert H[m // 2, n // 2] == 1.0
    assert H.min() >= 0 and H.max() <= 1
    np.testing.assert_array_equal(fourier.highpass(shape, 5, kind=kind, order=3), 1 - H)
    # even on the unshifted grid: H(u, v) = H(-u, -v)
    Hu = fourier.lowpass(shape, 5, kind=kind, order=3, centred=False)
    np.testing.assert_array_equal(Hu, np.fft.ifftshift(H))
    neg = Hu[-np.arange(m) % m][:, -np.arange(n) % n]
    np.testing.assert_array_equal(Hu, neg)


def test_lowpass_values_at_cutoff():
    m = 32
    c = m // 2
    # (c + 5, c): D = 5 exactly; (c + 3, c + 4): D = 5 too
    for idx in [(c + 5, c), (c + 3, c + 4)]:
        assert fourier.lowpass(m, 5, kind="butterworth", order=2)[idx] == pytest.approx(0.5, abs=1e-15)
        assert fourier.lowpass(m, 5, kind="butterworth", order=7)[idx] == pytest.approx(0.5, abs=1e-15)
        assert fourier.lowpass(m, 5, kind="gaussian")[idx] == pytest.approx(np.exp(-0.5), abs=1e-15)
        assert fourier.lowpass(m, 5, kind="ideal")[idx] == 1.0
        assert fourier.highpass(m, 5, kind="ideal")[idx] == 0.0
    assert fourier.lowpass(m, 5)[c + 6, c] == 0.0
    assert fourier.highpass(m, 5, kind="gaussian")[c, c] == 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_bandreject_values(kind):
    m = 64
    c = m // 2
    H = fourier.bandreject(m, 10, 4, kind=kind, order=2)
    assert H.dtype == np.float64 and np.isfinite(H).all()
    assert H[c, c] == 1.0  # D = 0 passes
    assert H[c + 10, c] == 0.0 and H[c + 6, c + 8] == 0.0  # on the ring D = D0
    assert H.min() >= 0 and H.max() <= 1
    np.testing.assert_array_equal(fourier.bandpass(m, 10, 4, kind=kind, order=2), 1 - H)
    Hu = fourier.bandreject(m, 10, 4, kind=kind, centred=False)
    np.testing.assert_array_equal(Hu, Hu[-np.arange(m) % m][:, -np.arange(m) % m])


def test_bandreject_closed_forms():
    m = 64
    _, _, D = fourier.frequencies(m)
    d0, w, n = 10.0, 4.0, 2
    ideal = fourier.bandreject(m, d0, w)
    np.testing.assert_array_equal(ideal == 0, (D >= d0 - w / 2) & (D <= d0 + w / 2))
    off = np.abs(D**2 - d0**2) > 0
    bw = fourier.bandreject(m, d0, w, kind="butterworth", order=n)
    np.testing.assert_allclose(bw[off], 1 / (1 + (D[off] * w / (D[off] ** 2 - d0**2)) ** (2 * n)), rtol=1e-14)
    nz = off & (D > 0)
    g = fourier.bandreject(m, d0, w, kind="gaussian")
    np.testing.assert_allclose(g[nz], 1 - np.exp(-(((D[nz] ** 2 - d0**2) / (D[nz] * w)) ** 2)), rtol=1e-14)
    # Butterworth is 0.5 where |D² - D0²| = DW: D0 = 3, W = 1 -> D² - D·1 - 9 = 0 has no integer root, so
    # check the formula instead at one point: D = 4 (index offset (4, 0)), D0 = 2, W = 3 -> 12/12 = 1
    assert fourier.bandreject(32, 2, 3, kind="butterworth", order=1)[16 + 4, 16] == pytest.approx(0.5)


# --- apply -----------------------------------------------------------------------------------------------


def test_apply_matches_plain_frequency_filtering(rng):
    f = rng.standard_normal((12, 9))
    H = fourier.lowpass(f.shape, 3, kind="gaussian")
    expected = np.real(np.fft.ifft2(np.fft.fft2(f) * np.fft.ifftshift(H)))
    np.testing.assert_allclose(fourier.apply(f, H), expected, atol=1e-12)
    # an arbitrary (not even) real H: the result is still real(IDFT[H·F])
    H2 = rng.random((12, 9))
    expected2 = np.real(np.fft.ifft2(np.fft.fft2(f) * np.fft.ifftshift(H2)))
    np.testing.assert_allclose(fourier.apply(f, H2), expected2, atol=1e-12)
    # n-D
    g = rng.standard_normal((4, 5, 6))
    H3 = rng.random((4, 5, 6))
    expected3 = np.real(np.fft.ifftn(np.fft.fftn(g) * np.fft.ifftshift(H3)))
    np.testing.assert_allclose(fourier.apply(g, H3), expected3, atol=1e-12)


def test_apply_pad_rule(rng):
    f = rng.standard_normal((6, 5))
    P = fourier.padded_shape(f.shape)
    H = fourier.lowpass(P, 4, kind="butterworth")
    big = np.pad(f, ((0, 6), (0, 5)), mode="symmetric")  # scipy 'reflect'
    expected = np.real(np.fft.ifft2(np.fft.fft2(big) * np.fft.ifftshift(H)))[:6, :5]
    out = fourier.apply(f, H, pad=True)
    assert out.shape == f.shape
    np.testing.assert_allclose(out, expected, atol=1e-12)
    # all-pass keeps the image, padded or not
    np.testing.assert_allclose(fourier.apply(f, np.ones(P), pad=True), f, atol=1e-12)
    with pytest.raises(ValueError, match=r"apply: H must be .*\(12, 10\)"):
        fourier.apply(f, np.ones(f.shape), pad=True)
    with pytest.raises(ValueError, match=r"apply: H must be .*\(6, 5\)"):
        fourier.apply(f, np.ones(P))


def test_apply_pathologies():
    const = np.full((7, 8), 3.0)
    np.testing.assert_allclose(fourier.apply(const, fourier.lowpass(const.shape, 2)), const, atol=1e-12)
    np.testing.assert_allclose(fourier.apply(const, fourier.highpass(const.shape, 2)), 0, atol=1e-12)
    one = np.array([[5.0]])
    assert fourier.apply(one, np.ones((1, 1)))[0, 0] == 5.0
    assert fourier.dft2(one)[0, 0] == 5.0
    nan = np.zeros((4, 4))
    nan[1, 1] = np.nan
    with pytest.raises(ValueError, match="^apply: image must contain only finite values"):
        fourier.apply(nan, np.ones((4, 4)))  # it would spread everywhere: refused


def test_lowpass_removes_high_frequency_sine():
    f = periodic((64, 64), [(2, 0)]) + periodic((64, 64), [(20, 20)])
    out = fourier.apply(f, fourier.lowpass(f.shape, 10, kind="ideal"))
    np.testing.assert_allclose(out, periodic((64, 64), [(2, 0)]), atol=1e-12)


# --- errors ----------------------------------------------------------------------------------------------


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="dft2: image must be a 2-D array"):
        fourier.dft2(np.zeros(5))
    with pytest.raises(ValueError, match="dft2: image must be a non-empty"):
        fourier.dft2(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="dft2: image"):
        fourier.dft2("abc")
    with pytest.raises(ValueError, match="idft2: spectrum must be a 2-D"):
        fourier.idft2(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="dftn: image"):
        fourier.dftn(np.float64(1.0))
    with pytest.raises(ValueError, match="lowpass: cutoff must be in"):
        fourier.lowpass((8, 8), -1)
    with pytest.raises(ValueError, match="lowpass: cutoff must be in"):
        fourier.lowpass((8, 8), 0)
    with pytest.raises(TypeError, match="highpass: cutoff must be a real number"):
        fourier.highpass((8, 8), "5")
    with pytest.raises(ValueError, match="lowpass: kind must be one of 'ideal', 'butterworth', 'gaussian'"):
        fourier.lowpass((8, 8), 2, kind="box")
    with pytest.raises(ValueError, match="highpass: kind must be one of"):
        fourier.highpass((8, 8), 2, kind="box")
    with pytest.raises(ValueError, match="lowpass: order must be in"):
        fourier.lowpass((8, 8), 2, kind="butterworth", order=0)
    with pytest.raises(ValueError, match="lowpass: shape must be"):
        fourier.lowpass((8, 0), 2)
    with pytest.raises(ValueError, match="frequencies: shape must be"):
        fourier.frequencies((8, 8, 8))
    with pytest.raises(ValueError, match="bandreject: radius must be in"):
        fourier.bandreject(8, -2, 1)
    with pytest.raises(ValueError, match="bandpass: width must be in"):
        fourier.bandpass(8, 2, 0)
    with pytest.raises(ValueError, match="bandreject: kind must be one of"):
        fourier.bandreject(8, 2, 1, kind="notch")
    with pytest.raises(ValueError, match="swap_phase: b must be an array of a's shape"):
        fourier.swap_phase(np.zeros((3, 3)), np.zeros((3, 4)))
    with pytest.raises(TypeError, match="swap_phase: a must be a real-valued"):
        fourier.swap_phase(np.zeros((3, 3), complex), np.zeros((3, 3)))
    with pytest.raises(TypeError, match="apply: H must be a real-valued"):
        fourier.apply(np.zeros((3, 3)), np.ones((3, 3), complex))
    with pytest.raises(TypeError, match="apply: image must be a real-valued"):
        fourier.apply(np.zeros((3, 3), complex), np.ones((3, 3)))


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: fourier.rdft2(np.zeros((2, 2), complex)), TypeError, "rdft2: image must be a real-valued"),
        (lambda: fourier.rdft2(np.zeros(4)), ValueError, "rdft2: image must be a 2-D array"),
        (lambda: fourier.rdft2(np.zeros((0, 4))), ValueError, "rdft2: image must be a non-empty"),
        (lambda: fourier.rdft2("img.png"), TypeError, "rdft2: image must be a numpy array"),
        (lambda: fourier.rdftn(np.float64(2.0)), ValueError, "rdftn: image must be an array of at least 1"),
        (lambda: fourier.rdftn(np.zeros(3, bool)), TypeError, "rdftn: image"),
        (lambda: fourier.irdft2(np.zeros((4, 3, 2), complex)), ValueError, "irdft2: spectrum must be a 2-D"),
        (lambda: fourier.irdft2(np.zeros((4, 3), complex), (4, 7)), ValueError,
         "irdft2: shape must be the image shape of this spectrum: (4, N) with N // 2 + 1 = 3, i.e. N = 4 or 5"),
        (lambda: fourier.irdft2(np.zeros((4, 3), complex), (5, 4)), ValueError, "got (5, 4)"),
        (lambda: fourier.irdft2(np.zeros((4, 3), complex), (4, 0)), ValueError, "irdft2: shape"),
        (lambda: fourier.irdft2(np.zeros((4, 3), complex), (4,)), ValueError, "irdft2: shape"),
        (lambda: fourier.irdft2(np.zeros((4, 3), complex), "4x4"), ValueError, "irdft2: shape"),
        (lambda: fourier.irdftn(np.complex128(1), None), ValueError, "irdftn: spectrum must be an array of at"),
        (lambda: fourier.irdftn(np.zeros((2, 1), complex), (2, 3)), ValueError, "N = 1"),
    ],
)
def test_half_spectrum_errors_name_function_and_parameter(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    assert words in str(info.value)


# --- properties ------------------------------------------------------------------------------------------

# cost: at most 40 tiny FFTs of up to 16x16; no compilation involved


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=16),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    )
)
def test_round_trip_property(f):
    back = fourier.idft2(fourier.dft2(f))
    np.testing.assert_allclose(back, f, rtol=0, atol=1e-12 * max(1.0, float(np.abs(f).max())))
    # all-pass filtering is the identity too
    np.testing.assert_allclose(fourier.apply(f, np.ones(f.shape)), f, rtol=0,
                               atol=1e-12 * max(1.0, float(np.abs(f).max())))


# cost: at most 60 tiny real FFT pairs of up to 16x16; no compilation involved
@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=16),
        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
    )
)
def test_half_spectrum_parseval_and_round_trip_property(f):
    M, N = f.shape
    F = fourier.rdft2(f)
    # Parseval with the unscaled forward transform: sum f² = (1/MN) sum over the full spectrum of |F|²,
    # where the half spectrum's columns 1 .. ceil(N/2) - 1 each stand for two columns (v and N - v)
    weights = np.full(F.shape[1], 2.0)
    weights[0] = 1.0
    if N % 2 == 0:
        weights[-1] = 1.0
    energy = float(np.sum(np.abs(F) ** 2 * weights)) / (M * N)
    scale = max(1.0, float(np.sum(f**2)))
    assert abs(float(np.sum(f**2)) - energy) <= 1e-12 * scale
    back = fourier.irdft2(F, f.shape)
    np.testing.assert_allclose(back, f, rtol=0, atol=1e-12 * max(1.0, float(np.abs(f).max())))


# --- notch filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_notch_values_and_symmetry(kind):
    m, n = 33, 41  # odd: every (-u, -v) is on the centred grid
    c = (m // 2, n // 2)
    centres = [(5, 3), (-2, 9)]
    H = fourier.notch_reject((m, n), centres, 2, kind=kind, order=2)
    assert H.dtype == np.float64 and H.shape == (m, n) and np.isfinite(H).all()
    assert H.min() >= 0 and H.max() <= 1
    for uk, vk in centres:
        assert H[c[0] + uk, c[1] + vk] == 0.0 and H[c[0] - uk, c[1] - vk] == 0.0
    assert H[c] > 0.9  # the DC term far from every notch
    np.testing.assert_array_equal(H, H[::-1, ::-1])  # centred odd grid: H(u, v) = H(-u, -v)
    Hu = fourier.notch_reject((m, n), centres, 2, kind=kind, order=2, centred=False)
    np.testing.assert_array_equal(Hu, np.fft.ifftshift(H))
    np.testing.assert_array_equal(fourier.notch_pass((m, n), centres, 2, kind=kind, order=2), 1 - H)


def test_notch_closed_forms_at_radius():
    m = 32
    c = m // 2
    # one notch at (4, 0); a point at distance D0 = 3 from it, far (>= 8) from the partner (-4, 0)
    bw = fourier.notch_reject(m, [(4, 0)], 3, kind="butterworth", order=2)
    partner = 1 / (1 + (3 / np.hypot(11, 0)) ** 4)
    assert bw[c + 7, c] == pytest.approx(0.5 * partner, rel=1e-14)
    g = fourier.notch_reject(m, [(4, 0)], 3, kind="gaussian")
    assert g[c + 7, c] == pytest.approx((1 - np.exp(-0.5)) * (1 - np.exp(-121 / 18)), rel=1e-14)
    ideal = fourier.notch_reject(m, [(4, 0)], 3)
    assert ideal[c + 7, c] == 0.0 and ideal[c + 8, c] == 1.0 and ideal[c - 7, c] == 0.0
    assert fourier.notch_reject(m, [(4, 0)], 3, kind="butterworth", order=500)[c + 12, c] == 1.0  # no overflow


def test_notch_reject_removes_periodic_noise(rng):
    m, n = 64, 48
    clean = fourier.apply(rng.random((m, n)), fourier.lowpass((m, n), 6))  # band-limited: D <= 6
    freqs = [(10, 5), (-3, 15)]
    noisy = clean + periodic((m, n), freqs, amplitudes=[0.5, 0.3])
    H = fourier.notch_reject((m, n), freqs, 1.5, kind="ideal")
    out = fourier.apply(noisy, H)
    # the clean image is band-limited well below the notches, so only the noise is removed
    np.testing.assert_allclose(out, clean, atol=1e-6)
    noise = fourier.apply(noisy, fourier.notch_pass((m, n), freqs, 1.5))
    np.testing.assert_allclose(noise, periodic((m, n), freqs, amplitudes=[0.5, 0.3]), atol=1e-6)


def test_notch_errors():
    with pytest.raises(ValueError, match=r"notch_reject: centres must be a non-empty sequence of \(u, v\) pairs"):
        fourier.notch_reject(8, [1, 2], 1)
    with pytest.raises(ValueError, match="notch_reject: centres must be a non-empty"):
        fourier.notch_reject(8, [], 1)
    with pytest.raises(TypeError, match="notch_pass: centres must be a sequence"):
        fourier.notch_pass(8, [("a", "b")], 1)
    with pytest.raises(ValueError, match="notch_reject: centres must be finite"):
        fourier.notch_reject(8, [(np.nan, 1)], 1)
    with pytest.raises(ValueError, match="notch_pass: radius must be in"):
        fourier.notch_pass(8, [(1, 2)], 0)
    with pytest.raises(ValueError, match="notch_reject: kind must be one of"):
        fourier.notch_reject(8, [(1, 2)], 1, kind="box")


@pytest.mark.parametrize("shape", [(1,), (2,), (3,), (4, 5), (5, 4), (7, 7), (6, 6), (1, 1), (2, 1), (1, 2),
                                   (3, 4, 5), (4, 3, 2)])
def test_even_half_matches_plain_numpy(rng, shape):
    # the private helper of apply against the obvious version: ifftshift, H(-k) by flip + roll, half slice
    H = rng.random(shape)
    hu = np.fft.ifftshift(H)
    neg = np.roll(np.flip(hu), 1, axis=tuple(range(H.ndim)))
    expected = (0.5 * (hu + neg))[..., : shape[-1] // 2 + 1]
    np.testing.assert_array_equal(fourier._even_half(H, np.float64), expected)


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (1, 2), (2, 3), (5, 2), (4, 5), (5, 4), (7, 7), (6, 6), (8, 9),
                                   (33, 64)])
@pytest.mark.parametrize("image_dtype,h_dtype", [(np.float32, np.float64), (np.float32, np.float32),
                                                 (np.float64, np.float64), (np.uint8, np.float64)])
def test_apply_2d_kernel_scales_the_spectrum_as_numpy_does(rng, shape, image_dtype, h_dtype):
    # the 2-D path multiplies the half spectrum in place by the even part read straight from the centred H
    # (``spectrum.scale_by_even_half``): the same bits as ``spec *= _even_half(H, dt)`` for these dtypes (a
    # float32 H of a float64 image is summed in float64 by the kernel, in float32 by numpy's add: not listed)
    x = (rng.random(shape) * 200).astype(image_dtype)
    H = (rng.random(shape) * 3 - 1).astype(h_dtype)
    dt = np.float64 if image_dtype == np.float64 else np.float32
    spec = np.fft.rfftn(np.asarray(x, dt)).astype(np.complex128 if dt == np.float64 else np.complex64)
    expected = spec * fourier._even_half(H, dt)
    got = spec.copy()
    kload("spectrum").scale_by_even_half(got.view(dt), H, dt == np.float32)
    np.testing.assert_array_equal(got, expected)
    # and through apply, against the plain recipe (tolerance: the two inverse FFT libraries' roundings)
    g = fourier.apply(x, H)
    assert g.dtype == dt and g.shape == shape
    hu = np.fft.ifftshift(H.astype(np.float64))
    even = 0.5 * (hu + np.roll(np.flip(hu), 1, axis=(0, 1)))
    plain = np.real(np.fft.ifft2(np.fft.fft2(x.astype(np.float64)) * even))
    np.testing.assert_allclose(g, plain, rtol=1e-5, atol=2e-4 * (1 + np.abs(plain).max()))


@pytest.mark.parametrize("shape", [(1,), (2,), (3,), (1, 1), (4, 5), (5, 4), (7, 7), (6, 6), (2, 1), (1, 2),
                                   (3, 4, 5), (4, 3, 2), (1, 1, 3)])
def test_real_input_full_spectrum_is_hermitian_and_matches_numpy(rng, shape):
    # real input goes through rfftn and the other half is filled by symmetry: check every shape family
    f = rng.standard_normal(shape)
    F = fourier.dftn(f)
    np.testing.assert_allclose(F, np.fft.fftn(f), rtol=0, atol=1e-12 * max(1, f.size))
    neg = F
    for ax, s in enumerate(shape):
        neg = np.take(neg, -np.arange(s) % s, axis=ax)
    np.testing.assert_allclose(F, np.conj(neg), rtol=0, atol=1e-12 * max(1, f.size))  # Hermitian
    if F.ndim == 2:
        np.testing.assert_array_equal(fourier.dft2(f), F)


def test_hermitian_half_kernel_equals_the_numpy_passes(rng):
    # naive twin: _hermitian_sum's block views, then the 1/2; equal bit for bit (0.5 scales exactly). complex64
    # only: the kernel is dtype-generic and each complex128 signature costs ~1.7 s of cold compilation
    from fastdip._kernels import spectrum

    dtype = np.complex64

    for shape in [(1, 1), (1, 6), (5, 1), (7, 9), (8, 10), (6, 7)]:
        F = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
        out = np.empty((shape[0], shape[1] // 2 + 1), dtype)
        spectrum.hermitian_half(F, out, F.real.dtype.type(0.5))
        np.testing.assert_array_equal(out, fourier._hermitian_sum(F) * F.real.dtype.type(0.5))
    # and through idft2 above the kernel's threshold, against numpy's complex inverse
    F = (rng.standard_normal((257, 257)) + 1j * rng.standard_normal((257, 257))).astype(dtype)
    assert F.size >= fourier._HERMITIAN_KERNEL_MIN
    np.testing.assert_allclose(fourier.idft2(F), np.fft.ifft2(F).real, rtol=0, atol=1e-8)
