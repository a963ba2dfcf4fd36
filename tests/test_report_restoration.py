"""The "Restoration" tour section: it runs alone, writes real PNG figures and tables of finite numbers that
show the inverse filter's noise blow-up, Wiener and CLS beating the blurred image by >= 3 dB at σ = 1 and the
blind 'map' PSF matching the true one (NCC >= 0.8); psf_ncc and the example's quick table."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from fastdip import restoration
from fastdip.report.sections import restoration as sec

from tests import _sections

EXAMPLE = Path(__file__).parents[1] / "examples" / "restoration.py"


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def _numbers(s):
    return _sections.numbers(s)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Restoration", figures=4, tables=2)


def test_measured_numbers(section):
    _, s = section
    n = _numbers(s)
    assert n["PSNR of the inverse filter, no noise (dB)"] > 60  # circular blur, exact up to rounding
    assert n["PSNR of the inverse filter, σ = 1 (dB)"] < 10  # the noise blow-up
    guarded = n["PSNR of the guarded inverse filter, σ = 1 (dB)"]
    blurred = n["PSNR of the blurred image, σ = 1 (dB)"]
    assert guarded > blurred
    assert n["Wiener (best K) gain over the blurred image, σ = 1 (dB)"] >= 3
    assert n["CLS gain over the blurred image, σ = 1 (dB)"] >= 3
    assert n["NCC of the blind 'map' PSF with the true PSF"] >= 0.8
    assert n["NCC of the blind 'rl' PSF with the true PSF"] < n["NCC of the blind 'map' PSF with the true PSF"]


def test_psnr_table_per_noise_level(section):
    _, s = section
    table = next(t for t in s.tables if t.header[0] == "σ")
    col = {name: i for i, name in enumerate(table.header)}
    assert [row[0] for row in table.rows] == list(sec.SIGMAS)
    for row in table.rows:
        if row[0] > 0:
            assert row[col["wiener best K (dB)"]] >= row[col["wiener K=σ²/var (dB)"]] - 1e-9
        assert row[col["blind map (dB)"]] > row[col["blurred (dB)"]]
    blurred = [row[col["blurred (dB)"]] for row in table.rows]
    assert blurred == sorted(blurred, reverse=True)
    sigma1 = next(row for row in table.rows if row[0] == 1.0)
    assert sigma1[col["ncc map"]] >= 0.8


def test_psf_ncc_is_one_for_the_same_psf_up_to_a_shift():
    psf = restoration.psf_motion(9, 30)
    assert sec.psf_ncc(psf, psf) == pytest.approx(1.0)
    moved = np.zeros((psf.shape[0] + 4, psf.shape[1] + 4))
    moved[4:, 1:-3] = psf  # shifted by (2, -1) from the centre of the larger frame
    assert sec.psf_ncc(moved, psf) == pytest.approx(1.0)
    assert sec.psf_ncc(moved, psf, max_shift=1) < 0.9
    delta = np.zeros((9, 9))
    delta[4, 4] = 1.0
    assert sec.psf_ncc(delta, psf) < 0.5
    assert sec.psf_ncc(np.zeros((3, 3)), psf) == 0.0


def test_degrade_is_blur_plus_seeded_noise():
    f = np.random.default_rng(0).uniform(0, 255, (32, 30))
    psf = restoration.psf_gaussian((5, 5), 1.0)
    np.testing.assert_allclose(sec.degrade(f, psf, 0.0), restoration.blur(f, psf))
    noisy = sec.degrade(f, psf, 5.0, rng=3)
    np.testing.assert_array_equal(noisy, sec.degrade(f, psf, 5.0, rng=3))
    assert np.std(noisy - restoration.blur(f, psf)) == pytest.approx(5.0, rel=0.1)


def test_example_quick_table():
    spec = importlib.util.spec_from_file_location("example_restoration", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(quick=True)
    assert len(result["rows"]) == 2 and result["header"][:3] == ("image", "PSF", "σ")
    col = {name: i for i, name in enumerate(result["header"])}
    for row in result["rows"]:
        assert len(row) == len(result["header"])
        assert all(math.isfinite(v) for v in row[2:])
        assert row[col["wiener best K (dB)"]] >= row[col["blurred (dB)"]] + 3
        assert row[col["cls (dB)"]] >= row[col["blurred (dB)"]] + 3
        assert row[col["ncc map"]] >= 0.8
    lines = result["markdown"].splitlines()
    assert len(lines) == 4 and lines[0].startswith("| image | PSF | σ |")
