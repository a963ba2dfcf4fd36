"""The tour report: every section runs, figures are real PNGs, tables hold the measured numbers.

The sections with a test file of their own (``test_report_<slug>.py``) are run and checked there; the tour
built here runs the others, in two worker processes, and the index of every section is checked with
instant stand-ins that carry the real titles."""

import importlib.util
import logging
import os
import re
import sys
import types

import numpy as np
import pytest
from PIL import Image

from fastdip import report
from fastdip.report import Section, Table, sections

#: every section, in report order
SLUGS = ("averaging", "point_transforms", "histograms", "neighbourhood", "noise_cleaning", "fourier",
         "periodic_noise", "geometry", "restoration", "segmentation", "measurement", "pipelines", "learning",
         "neural_networks")

#: the sections that have no test file of their own (tests/test_report_<slug>.py runs each of the others
#: alone and checks it with tests/_sections.check_basics); the tour fixture below runs these, in two workers
TOUR_SLUGS = ("averaging", "point_transforms", "histograms", "neighbourhood", "noise_cleaning", "periodic_noise")


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    index = report.build_tour(out, only=TOUR_SLUGS, progress=False, workers=2)
    return index, index.read_text(encoding="utf-8")


def _section_html(page: str, slug: str) -> str:
    match = re.search(rf'<section id="{slug}">(.*?)</section>', page, re.S)
    assert match, f"no section {slug!r} in the report"
    return match.group(1)


def _table_rows(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_every_section_is_tested_by_the_tour_or_its_own_file():
    from pathlib import Path

    assert [m.SLUG for m in report.section_modules()] == list(SLUGS)
    here = Path(__file__).parent
    for slug in SLUGS:
        own = here / f"test_report_{'nn' if slug == 'neural_networks' else slug}.py"
        assert (slug in TOUR_SLUGS) != own.is_file(), slug
        if own.is_file():
            assert "_sections.check_basics(" in own.read_text(encoding="utf-8"), own.name


def _title_only(module):
    """A stand-in with the real section's title and slug whose run is instant (the index is what is tested)."""
    return types.SimpleNamespace(TITLE=module.TITLE, SLUG=module.SLUG,
                                 run=lambda ctx: Section(module.TITLE, module.SLUG).text("body"))


def test_tour_writes_index_with_every_section_in_order(tmp_path, monkeypatch):
    titles = {m.SLUG: m.TITLE for m in report.section_modules()}
    monkeypatch.setattr(sections, "SECTIONS", [_title_only(m) for m in sections.SECTIONS])
    index = report.build_tour(tmp_path, progress=False)
    page = index.read_text(encoding="utf-8")
    assert index.name == "index.html" and index.is_file()
    positions = [page.index(f'<section id="{slug}">') for slug in SLUGS]
    assert positions == sorted(positions)
    for slug in SLUGS:
        assert f"<h2>{titles[slug]}</h2>" in page.replace("&#x27;", "'")
        assert f'href="#{slug}"' in page


def test_tour_sections_appear_in_report_order_whichever_worker_ends_first(tour):
    _, page = tour
    positions = [page.index(f'<section id="{slug}">') for slug in TOUR_SLUGS]
    assert positions == sorted(positions)
    assert all(f'<section id="{slug}">' not in page for slug in SLUGS if slug not in TOUR_SLUGS)


def test_every_real_section_succeeds(tour):
    _, page = tour
    assert 'class="error"' not in page and "(failed)" not in page


def test_every_figure_is_an_existing_valid_png(tour):
    index, page = tour
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) >= len(TOUR_SLUGS)
    assert {src.split("/")[1].split("-")[0] for src in sources} >= set(TOUR_SLUGS)
    for src in sources:
        path = index.parent / src
        assert not src.startswith("/") and path.is_file(), src
        with Image.open(path) as img:
            assert img.format == "PNG" and img.width > 100 and img.height > 100
            img.verify()


def test_every_section_has_a_table_of_numbers(tour):
    _, page = tour
    for slug in TOUR_SLUGS:
        fragment = _section_html(page, slug)
        numbers = re.findall(r'<td class="num">([^<]*)</td>', fragment)
        assert numbers, f"section {slug} has no numeric table cell"
        assert all(np.isfinite(float(n)) for n in numbers)


def test_mean_timings_are_medians_of_several_calls(tour):
    _, page = tour
    tables = re.findall(r"<table>(.*?)</table>", _section_html(page, "neighbourhood"), re.S)
    timing = [t for t in tables if "time (ms)" in t]
    assert len(timing) == 1 and "the median of 7 calls after a warm-up call" in timing[0]
    rows = _table_rows(timing[0])
    assert [r[0] for r in rows] == ["3x3", "9x9", "25x25"]
    assert all(0 < float(r[1]) < 1000 for r in rows)


def test_noise_cleaning_table_ranks_the_adaptive_median_first_on_dense_impulses(tour):
    _, page = tour
    rows = _table_rows(_section_html(page, "noise_cleaning"))
    psnr = {r[1].replace("&amp;", "&"): float(r[2]) for r in rows if r[0].replace("&amp;", "&") == "salt & pepper 0.35"}
    assert psnr["adaptive median S_max=7"] > psnr["median 5x5"] + 2.0 > psnr["mean 5x5"] + 2.0
    assert psnr["adaptive median S_max=9"] > psnr["median 5x5"] + 2.0


def test_periodic_noise_table_shows_each_filter_gaining_and_optimum_winning_on_the_ramp(tour):
    _, page = tour
    rows = _table_rows(_section_html(page, "periodic_noise"))
    psnr = {(r[0], r[1]): float(r[2]) for r in rows}
    for label in ("constant amplitude 40", "amplitude ramp 10 to 70"):
        for name in ("band-reject", "notch", "optimum notch"):
            assert psnr[(label, name)] > psnr[(label, "noisy")] + 10.0
    assert psnr[("amplitude ramp 10 to 70", "optimum notch")] > psnr[("amplitude ramp 10 to 70", "notch")] + 3.0


def test_averaging_noise_falls_as_one_over_sqrt_k(tour):
    _, page = tour
    rows = _table_rows(_section_html(page, "averaging"))
    ks = [int(r[0]) for r in rows]
    assert ks == [1, 2, 4, 8, 16]
    for row in rows:
        k, measured, predicted = int(row[0]), float(row[1]), float(row[2])
        assert predicted == pytest.approx(20 / np.sqrt(k), rel=1e-3)
        assert measured == pytest.approx(predicted, rel=0.05)


def _fake(slug, run):
    return types.SimpleNamespace(TITLE=f"Fake {slug}", SLUG=slug, run=run)


def test_failing_section_gets_an_error_box_and_the_others_still_render(tmp_path, monkeypatch, caplog):
    def ok(name):
        def run(ctx):
            from fastdip import viz

            fig, ax = viz.new_figure()
            ax.plot([0, 1], [0, 1])
            return Section(f"Fake {name}", name).text("fine <text>").figure(ctx.save(fig, "line"), "a line") \
                .table(("x", "y"), [(1, 2.5)])
        return run

    def broken(ctx):
        raise ValueError("deliberate failure in a section")

    monkeypatch.setattr(sections, "SECTIONS", [_fake("first", ok("first")), _fake("broken", broken),
                                               _fake("last", ok("last"))])
    with caplog.at_level(logging.ERROR, logger="fastdip.report"):
        page = report.build_tour(tmp_path, progress=False).read_text(encoding="utf-8")
    broken_html = _section_html(page, "broken")
    assert 'class="error"' in broken_html and "deliberate failure in a section" in broken_html
    for slug in ("first", "last"):
        fragment = _section_html(page, slug)
        assert "fine &lt;text&gt;" in fragment and 'class="error"' not in fragment
        assert (tmp_path / "figures" / f"{slug}-line.png").is_file()
    assert any("broken" in r.getMessage() and "deliberate" in r.getMessage() for r in caplog.records)


def test_only_runs_the_named_sections(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(sections, "SECTIONS", [
        _fake(s, lambda ctx, s=s: ran.append(s) or Section(f"Fake {s}", s)) for s in ("a", "b", "c")])
    page = report.build_tour(tmp_path, only=["c", "a"], progress=False).read_text(encoding="utf-8")
    assert ran == ["a", "c"] and 'id="b"' not in page


def test_unknown_section_raises_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="nosuch"):
        report.build_tour(tmp_path / "t", only=["nosuch"], progress=False)
    assert not (tmp_path / "t").exists()


def test_run_returning_something_else_is_reported_as_a_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(sections, "SECTIONS", [_fake("odd", lambda ctx: "not a section")])
    page = report.build_tour(tmp_path, progress=False).read_text(encoding="utf-8")
    assert "must return a fastdip.report.Section" in _section_html(page, "odd")


def test_table_rows_must_match_the_header():
    with pytest.raises(ValueError, match="row 1 must have 2 cells"):
        Table(("a", "b"), [(1, 2), (3,)])


def test_registry_modules_expose_title_slug_and_run():
    for module in report.section_modules():
        assert isinstance(module.TITLE, str) and module.TITLE
        assert module.SLUG == module.__name__.rsplit(".", 1)[-1]
        assert callable(module.run)


def test_section_lists_its_blocks_by_kind_in_reading_order():
    s = Section("T", "t").text("a").figure("figures/t-x.png", "cap").table(("k",), [(1,)]).text("b")
    assert [p.text for p in s.paragraphs] == ["a", "b"]
    assert [f.path for f in s.figures] == ["figures/t-x.png"]
    assert s.tables[0].rows == ((1,),) and s.ok
    assert [type(b).__name__ for b in s.blocks] == ["Paragraph", "FigureFile", "Table", "Paragraph"]


_FAKE_MODULE = '''
import multiprocessing
import os

from fastdip.report import Section

TITLE = "Fake {slug}"
SLUG = "{slug}"


def run(ctx):
    from fastdip import viz

    in_worker = multiprocessing.parent_process() is not None
    if "{what}" == "raise":
        raise ValueError("deliberate failure in a section")
    if "{what}" == "die" and in_worker:
        os._exit(3)  # the worker process dies without a word
    fig, ax = viz.new_figure()
    ax.plot([0, 1], [0, 1])
    return Section(TITLE, SLUG).text("in a worker" if in_worker else "in the main process") \\
        .figure(ctx.save(fig, "line"), "a line").table(("x", "y"), [(1, 2.5)])
'''


def _importable_fakes(tmp_path, monkeypatch, **what):
    """Real modules (importable by name in a spawned worker) standing in for sections: slug -> behaviour."""
    folder = tmp_path / "fake_sections"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    modules = []
    for slug, behaviour in what.items():
        name = f"fastdip_fake_section_{slug}_{os.getpid()}"
        path = folder / f"{name}.py"
        path.write_text(_FAKE_MODULE.format(slug=slug, what=behaviour), encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        monkeypatch.setitem(sys.modules, name, module)  # forgotten again at teardown
        modules.append(module)
    monkeypatch.setattr(sections, "SECTIONS", modules)
    return modules


def test_sections_run_in_worker_processes_and_a_failure_is_logged_here(tmp_path, monkeypatch, caplog):
    _importable_fakes(tmp_path, monkeypatch, first="ok", broken="raise", last="ok")
    with caplog.at_level(logging.ERROR, logger="fastdip.report"):
        page = report.build_tour(tmp_path / "out", progress=False, workers=2).read_text(encoding="utf-8")
    assert [m for m in re.findall(r'<section id="(\w+)">', page)] == ["first", "broken", "last"]
    broken_html = _section_html(page, "broken")
    assert 'class="error"' in broken_html and "deliberate failure in a section" in broken_html
    for slug in ("first", "last"):
        fragment = _section_html(page, slug)
        assert "in a worker" in fragment and 'class="error"' not in fragment
        assert (tmp_path / "out" / "figures" / f"{slug}-line.png").is_file()
    assert any("broken" in r.getMessage() and "deliberate" in r.getMessage() for r in caplog.records)


def test_a_section_whose_worker_dies_runs_again_in_this_process(tmp_path, monkeypatch, caplog):
    _importable_fakes(tmp_path, monkeypatch, fine="ok", dies="die")
    with caplog.at_level(logging.WARNING, logger="fastdip.report"):
        page = report.build_tour(tmp_path / "out", progress=False, workers=2).read_text(encoding="utf-8")
    fragment = _section_html(page, "dies")
    assert "in the main process" in fragment and 'class="error"' not in fragment
    assert 'class="error"' not in _section_html(page, "fine")
    assert any("dies" in r.getMessage() and "died" in r.getMessage() for r in caplog.records)


def test_a_section_run_in_a_worker_equals_the_same_section_run_here(tour, tmp_path):
    _, pooled = tour
    here = report.build_tour(tmp_path, only="histograms", progress=False, workers=1).read_text(encoding="utf-8")

    def fragment(page):
        return re.sub(r"computed in [0-9.]+ s", "", _section_html(page, "histograms"))

    assert fragment(here) == fragment(pooled)
    assert len(re.findall(r'<img src="figures/histograms-', here)) >= 2


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_positive_integer(tmp_path, workers):
    with pytest.raises(ValueError, match=r"build_tour: workers must be None or an integer >= 1, got"):
        report.build_tour(tmp_path / "t", workers=workers, progress=False)
    assert not (tmp_path / "t").exists()


def test_longest_sections_start_first():
    from fastdip.report import _in_order

    modules = report.section_modules()
    ordered = _in_order(modules)
    assert sorted(m.SLUG for m in ordered) == sorted(m.SLUG for m in modules)
    costs = [sections.SECONDS.get(m.SLUG, 0.0) for m in ordered]
    assert costs == sorted(costs, reverse=True) and costs[0] > costs[-1]
    assert set(sections.SECONDS) <= {m.SLUG for m in modules}
