"""The "Morphology, counting and measuring" tour section: it runs alone, writes real PNG figures, counts the
24 coins, and its morphology and tracking numbers agree with the definitions."""

import numpy as np
import pytest

from fastdip.report import Section
from fastdip.report.sections import measurement as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Morphology, counting and measuring", figures=4, exact_figures=True)


def _table(section: Section, first: str):
    return next(t for t in section.tables if t.header[0] == first)


def test_morphology_counts_are_ordered_and_idempotent(section):
    _, s = section
    counts = dict(_table(s, "image").rows)
    assert counts["erode"] <= counts["open"] <= counts["original"] <= counts["close"] <= counts["dilate"]
    assert counts["open(open) == open"] is True and counts["close(close) == close"] is True


def test_coins_are_counted(section):
    _, s = section
    summary = dict(_table(s, "quantity").rows)
    assert summary["objects counted"] == 24
    assert 1000 < summary["median coin area (px)"] < 2500
    assert 0 <= summary["median eccentricity"] < 0.6
    props = _table(s, "label")
    assert len(props.rows) == 10
    assert all(0 < row[6] <= 1 for row in props.rows)  # solidity


def test_tracks_follow_the_blobs(section):
    _, s = section
    rows = _table(s, "track").rows
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert [r[1] for r in rows] == [0, 0, 0, 3] and all(r[2] == sec.FRAMES - 1 for r in rows)
    assert sorted(r[3] for r in rows) == [3.0, 4.0, 5.0, 6.0]


def test_toy_binary_and_pipeline_helpers():
    toy = sec.toy_binary()
    assert toy.dtype == bool and toy.shape == (48, 64)
    p = sec.coins_pipeline()
    assert p["labels"].max() == 24 and np.all(p["opened"] == (p["labels"] > 0))
