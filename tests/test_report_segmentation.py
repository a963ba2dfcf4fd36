"""The "Segmentation" tour section: it runs alone, writes PNG figures, and its measured numbers are sensible
(Otsu of coins as scikit-image, a cell region of the cell's size, a plausible number of mean-shift regions,
k-means error falling with k, exposure fusion without clipping)."""


import numpy as np
import pytest

from fastdip.report.sections import segmentation as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def _numbers(s):
    return _sections.numbers(s)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Segmentation", figures=7, tables=3, paragraphs=5, exact_figures=True)


def test_measured_numbers_are_sensible(section):
    from skimage import data as skdata
    from skimage.filters import threshold_otsu

    _, s = section
    n = _numbers(s)
    assert n["Otsu threshold of coins"] == float(threshold_otsu(skdata.coins()))
    assert 50 <= n["cell: equivalent radius, pixels"] <= 70  # the bright cell is about 65 px in radius
    assert 20 <= n["mean shift on astronaut 128×128: regions"] <= 150
    errors = [n[f"k-means on chelsea, k = {k}: RMS error per channel"] for k in sec.KS]
    assert errors == sorted(errors, reverse=True)
    assert n["exposure fusion: clipped pixels in the fused image"] < n[
        "exposure fusion: clipped pixels in the brightest exposure"]
    sizes = [int(v) for v in n["coins: six regions, pixels each"].split()]
    assert all(800 <= v <= 3500 for v in sizes)  # a coin is 25-35 px in radius


def test_thresholds_table_is_increasing():
    for _, otsu, *multi in sec.thresholds_table():
        for text in multi:
            values = [int(v) for v in text.split()]
            assert values == sorted(values) and len(set(values)) == len(values)


def test_growth_stages_hold_exactly_max_size_pixels(section):
    _, s = section
    sizes = _sections.numbers(s)["cell: region sizes at the growth stages, pixels"]
    assert sizes == " ".join(str(n) for n in sec.GROWTH_SIZES)
