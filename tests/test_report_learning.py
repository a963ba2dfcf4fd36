"""The "Machine learning" tour section: it runs alone, writes PNG figures, and its measured numbers are
sensible (k-means has the smallest RMS colour error, which it minimises; density peaks' centres lie far from
any denser pixel, the other pixels close to one; the cluster image equals DensityPeaks on the pixels)."""

import pytest

from fastdip.report.sections import learning as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Machine learning", figures=3, tables=3, paragraphs=3,
                           exact_figures=True)


def test_classifiers_and_scribbles(section):
    _, s = section
    n = _sections.numbers(s)
    assert n["its cross-validated accuracy"] >= 0.97  # the floor for the best learner on the digits
    table = next(t for t in s.tables if t.header[0] == "classifier")
    assert {row[0] for row in table.rows} >= {"random_forest", "extra_trees", "svm", "knn", "lda", "logistic",
                                              "naive_bayes", "mlp"}
    assert n["scribbled pixels (% of the image)"] < 2
    assert n["Dice of the pixel classifier on uneven coins"] >= 0.8
    assert n["Dice of the pixel classifier on uneven coins"] > n["Dice of Otsu on uneven coins"] + 0.05


def test_measured_numbers_are_sensible(section):
    _, s = section
    n = _sections.numbers(s)
    rms = {m: n[f"{m} on astronaut: RMS colour error"] for m in ("k-means", "GMM", "density peaks")}
    assert 5 < rms["k-means"] <= min(rms.values()) and max(rms.values()) < 60
    assert 1 < n["density peaks: d_c (colour units)"] < 30
    centres = [float(v) for v in n["density peaks: δ of the centres, in units of d_c"].split()]
    assert len(centres) == sec.K and max(centres) > 10
    assert n["density peaks: median δ of the other pixels, in units of d_c"] < 1
    assert 1 <= n["density peaks without n_clusters: centres found"] <= 10
    assert 1000 < n["density peaks: distinct colours"] <= 128 * 128


def test_paint_gives_halo_pixels_black():
    import numpy as np

    labels = np.array([[0, 1], [-1, 1]])
    painted = sec._paint(labels, np.array([[10.0, 20, 30], [200, 100, 50]]))
    assert painted.dtype == np.uint8 and painted[1, 0].tolist() == [0, 0, 0] and painted[0, 1].tolist() == [200, 100, 50]
