"""The "Pipelines and batch processing" tour section: it runs alone, shows the coin pipeline next to its
result, counts the 24 coins, and its steps are those of examples/coins_count.json."""

import json

import pytest

from fastdip.report.sections import pipelines as sec

from tests import _sections


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Pipelines and batch processing", figures=1, exact_figures=True)


def test_section_numbers(section):
    _, s = section
    numbers = _sections.numbers(s)
    assert numbers["coins counted by the pipeline"] == 24
    assert numbers["registered operations"] >= 60
    assert numbers["halo of median 5 -> Gaussian σ 1 -> opening r 2 (rows)"] == 2 + 4 + 4


def test_the_tour_pipeline_is_the_example_file():
    with open("examples/coins_count.json", encoding="utf-8") as fh:
        assert json.load(fh)["steps"] == sec.COINS_STEPS
