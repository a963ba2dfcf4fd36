"""The "Geometric transforms" tour section: it runs alone, writes real PNG figures, prints the course's
matrices in row form, and its measured numbers behave as the theory says (bicubic beats bilinear beats
nearest, anti-aliasing beats plain decimation, the homography and the lens model are corrected)."""


import numpy as np
import pytest

from fastdip import geometry
from fastdip.report.sections import geometry as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def _numbers(s):
    return _sections.numbers(s)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Geometric transforms", figures=5, tables=3, paragraphs=5, exact_figures=True)


def test_matrices_are_printed_in_the_course_row_form(section):
    _, s = section
    table = next(t for t in s.tables if t.header[0] == "transform")
    rows = {name: text for name, text, _ in table.rows}
    assert rows["identity"] == "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]"
    assert rows["translation tx = 30, ty = -20"] == "[[1, 0, 0], [0, 1, 0], [30, -20, 1]]"
    assert rows["scaling cx = 1.4, cy = 0.7"] == "[[1.4, 0, 0], [0, 0.7, 0], [0, 0, 1]]"
    assert rows["vertical shear sv = 0.3 (x += sv·y)"] == "[[1, 0, 0], [0.3, 1, 0], [0, 0, 1]]"
    assert rows["horizontal shear sh = 0.3 (y += sh·x)"] == "[[1, 0.3, 0], [0, 1, 0], [0, 0, 1]]"
    assert rows["rotation θ = 30°"] == "[[0.866, -0.5, 0], [0.5, 0.866, 0], [0, 0, 1]]"


def test_measured_numbers_follow_the_theory(section):
    _, s = section
    n = _numbers(s)
    psnr = {k: n[f"rotation ±{sec.ANGLE:g}° round trip PSNR, {k} (dB)"] for k in sec.INTERPOLATIONS}
    assert 20 < psnr["nearest"] < psnr["bilinear"] < psnr["bicubic"] < 60
    nearest, plain, smooth = (n[f"half size, {label}: PSNR vs band-limited reference (dB)"]
                              for label, _, _ in sec.SHRINKS)
    assert nearest + 5 < plain < smooth - 3
    assert n["homography: max corner error after rectification (px)"] < 2.0
    rect = n["homography: rectified PSNR vs object, inner part (dB)"]
    exact = n["homography: exact inverse warp PSNR vs object, inner part (dB)"]
    assert rect > 22 and abs(rect - exact) < 1.5  # four picked corners do almost as well as the true H
    for name, k1 in sec.K1.items():
        before = n[f"{name}: distorted PSNR vs board (dB)"]
        after = n[f"{name}: corrected (true k1) PSNR vs board (dB)"]
        est = n[f"{name}: corrected (estimated) PSNR vs board (dB)"]
        assert before < 15 and after > 28 and est > after - 2
        assert n[f"{name}: k1 estimated from {sec.PICK_NOISE:g} px noisy corners"] == pytest.approx(k1, abs=0.01)


def test_zone_plate_reaches_nyquist_at_the_edge():
    plate = sec.zone_plate(64)
    assert plate.min() >= 0 and plate.max() <= 255 and plate[32, 32] == 255
    row = plate[32, 32:]  # along a radius: neighbouring samples alternate near r = side/2
    assert abs(row[-1] - row[-2]) > 200


def test_apply_about_center_keeps_the_centre_fixed():
    image = np.zeros((33, 33))
    image[16, 16] = 1.0
    for _, m, _ in sec.course_matrices(image.shape)[:2] + sec.course_matrices(image.shape)[3:]:
        out = sec.apply_about_center(image, m, interpolation="nearest")
        assert out[16, 16] == 1.0
    assert geometry.image_center(image.shape) == (16.0, 16.0)


def test_band_limited_zone_plate_is_grey_past_the_new_nyquist():
    full = sec.zone_plate(64)
    np.testing.assert_allclose(sec.zone_plate(64, shrink=1), full)
    ref = sec.zone_plate(64, shrink=2, taper=0.25)
    assert ref.shape == (32, 32)
    pos = 2 * np.arange(32) + 0.5 - 32
    r = np.hypot(pos[:, None], pos[None, :])
    np.testing.assert_allclose(ref[r >= 64 / 4], 127.5)
    inner = r < 0.8 * 64 / 4
    np.testing.assert_allclose(ref[inner], (127.5 + 127.5 * np.cos(np.pi * r ** 2 / 64))[inner])
