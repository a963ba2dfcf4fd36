"""The "Fourier transform" tour section: it runs alone, writes real PNG figures and a table of finite numbers
that agree with the closed forms (sine spikes A·MN/2, Gaussian width product 1, comb period M/T, Parseval)."""


import numpy as np
import pytest

from fastdip.report.sections import fourier as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def _numbers(s):
    return _sections.numbers(s)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Fourier transform", figures=5, tables=2)


def test_measured_numbers_match_closed_forms(section):
    _, s = section
    sines = next(t for t in s.tables if t.header[0] == "image")
    for _, _, h1, h2, expected, rest in sines.rows:
        assert h1 == pytest.approx(expected, rel=1e-9) and h2 == pytest.approx(expected, rel=1e-9)
        assert rest < 1e-6 * expected
    n = _numbers(s)
    assert n["Gaussian: 2π σ σ_u / M (1 in theory)"] == pytest.approx(1.0, rel=1e-3)
    assert n["comb: spike spacing in |F| (M/T in theory)"] == sec.SIDE / sec.COMB_PERIOD
    assert n["comb: number of spikes ((M/T)² in theory)"] == (sec.SIDE // sec.COMB_PERIOD) ** 2
    assert n["Parseval: relative difference"] < 1e-10
    psnrs = [v for k, v in n.items() if k.startswith("PSNR")]
    assert len(psnrs) == 3 and all(15 < p < 60 for p in psnrs)


def test_sine_spikes_at_plus_minus_frequency():
    _, offsets, heights, rest = sec.sine_spikes((32, 40), (3, 5), 2.0)
    assert sorted(offsets) == [(-3, -5), (3, 5)]
    assert heights == pytest.approx([2.0 * 32 * 40 / 2] * 2)
    assert rest < 1e-9


def test_filtered_keeps_shape_and_highpass_complements_lowpass():
    img = np.random.default_rng(0).random((24, 30)).astype(np.float32)
    results = sec.filtered(img, cutoff=5.0)
    for kind in sec.KINDS:
        low, high = results["low", kind], results["high", kind]
        assert low.shape == high.shape == img.shape
        np.testing.assert_allclose(low + high, img, atol=1e-5)
