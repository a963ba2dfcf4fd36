"""The "Fourier transform" tour section: it runs alone, writes real PNG figures and a table of finite numbers
that agree with the closed forms (sine spikes A·MN/2, Gaussian width product 1, comb period M/T, Parseval)."""

import math

import numpy as np
import pytest
from PIL import Image

from fastdip.report import Context, Section, Table
from fastdip.report.sections import fourier as sec


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    return out, sec.run(Context(out, slug=sec.SLUG))


def _numbers(section: Section) -> dict:
    table = next(t for t in section.tables if t.header == ("quantity", "value"))
    return dict(table.rows)


def test_section_runs_without_error(section):
    _, s = section
    assert isinstance(s, Section) and s.ok
    assert s.title == sec.TITLE == "Fourier transform" and s.slug == sec.SLUG == "fourier"
    assert s.paragraphs


def test_figures_are_png_files(section):
    out, s = section
    assert len(s.figures) >= 5
    for fig in s.figures:
        path = out / fig.path
        assert fig.path.startswith("figures/fourier-") and path.is_file()
        with Image.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 100


def test_tables_hold_finite_numbers(section):
    _, s = section
    assert len(s.tables) == 2
    for table in s.tables:
        assert isinstance(table, Table) and table.rows
        for row in table.rows:
            for cell in row:
                if isinstance(cell, (int, float, np.floating)):
                    assert math.isfinite(cell), (table.caption, row)


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
