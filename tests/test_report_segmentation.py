"""The "Segmentation" tour section: it runs alone, writes PNG figures, and its measured numbers are sensible
(Otsu of coins as scikit-image, a cell region of the cell's size, a plausible number of mean-shift regions,
k-means error falling with k, exposure fusion without clipping)."""

import math

import numpy as np
import pytest
from PIL import Image

from fastdip.report import Context, Section, Table
from fastdip.report.sections import segmentation as sec


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    return out, sec.run(Context(out, slug=sec.SLUG))


def _numbers(s: Section) -> dict:
    table = next(t for t in s.tables if t.header == ("quantity", "value"))
    return dict(table.rows)


def test_section_runs_without_error(section):
    _, s = section
    assert isinstance(s, Section) and s.ok, s.error
    assert s.title == sec.TITLE == "Segmentation" and s.slug == sec.SLUG == "segmentation"
    assert len(s.paragraphs) >= 5


def test_figures_are_png_files(section):
    out, s = section
    assert len(s.figures) == 6
    for fig in s.figures:
        path = out / fig.path
        assert fig.path.startswith("figures/segmentation-") and path.is_file()
        with Image.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 100


def test_tables_hold_finite_numbers(section):
    _, s = section
    assert len(s.tables) == 3
    for table in s.tables:
        assert isinstance(table, Table) and table.rows
        for row in table.rows:
            for cell in row:
                if isinstance(cell, (int, float, np.floating)):
                    assert math.isfinite(cell), (table.caption, row)


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
