"""The tour report: every section runs, figures are real PNGs, tables hold the measured numbers."""

import logging
import re
import types

import numpy as np
import pytest
from PIL import Image

from fastdip import report
from fastdip.report import Section, Table, sections

SLUGS = ("averaging", "point_transforms", "histograms", "neighbourhood", "noise_cleaning", "fourier",
         "periodic_noise", "geometry", "restoration", "segmentation",
         "measurement", "neural_networks")


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    index = report.build_tour(out, progress=False)
    return index, index.read_text(encoding="utf-8")


def _section_html(page: str, slug: str) -> str:
    match = re.search(rf'<section id="{slug}">(.*?)</section>', page, re.S)
    assert match, f"no section {slug!r} in the report"
    return match.group(1)


def _table_rows(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_tour_writes_index_with_every_section_in_order(tour):
    index, page = tour
    assert index.name == "index.html" and index.is_file()
    titles = {m.SLUG: m.TITLE for m in report.section_modules()}
    positions = [page.index(f'<section id="{slug}">') for slug in SLUGS]
    assert positions == sorted(positions)
    for slug in SLUGS:
        assert f"<h2>{titles[slug]}</h2>" in page.replace("&#x27;", "'")
        assert f'href="#{slug}"' in page


def test_every_real_section_succeeds(tour):
    _, page = tour
    assert 'class="error"' not in page and "(failed)" not in page


def test_every_figure_is_an_existing_valid_png(tour):
    index, page = tour
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert len(sources) >= 3 * 2
    for src in sources:
        path = index.parent / src
        assert not src.startswith("/") and path.is_file(), src
        with Image.open(path) as img:
            assert img.format == "PNG" and img.width > 100 and img.height > 100
            img.verify()


def test_every_section_has_a_table_of_numbers(tour):
    _, page = tour
    for slug in SLUGS:
        fragment = _section_html(page, slug)
        numbers = re.findall(r'<td class="num">([^<]*)</td>', fragment)
        assert numbers, f"section {slug} has no numeric table cell"
        assert all(np.isfinite(float(n)) for n in numbers)


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
