"""Checks shared by the per-section tour tests (``tests/test_report_<slug>.py``).

Each of those files runs its section once (a module-scoped fixture built with :func:`run`), checks the
basics with :func:`check_basics` and then the numbers its section measured, read with :func:`numbers`.
"""

from __future__ import annotations

import math
import numbers as _numbers
import re

import numpy as np
from PIL import Image

from fastdip.report import Context, Section, Table, _html


def run(module, tmp_path_factory):
    """Run a section module alone into a fresh folder; returns ``(folder, section)``."""
    out = tmp_path_factory.mktemp("tour")
    return out, module.run(Context(out, slug=module.SLUG))


def numbers(section: Section, header=("quantity", "value")) -> dict:
    """The section's two-column table of measured quantities, as a dict."""
    table = next(t for t in section.tables if t.header == tuple(header))
    return dict(table.rows)


def check_basics(out, section: Section, module, *, title: str, figures: int, tables: int | None = None,
                 paragraphs: int = 1, exact_figures: bool = False) -> None:
    """The section ran without error under its module's title and slug, wrote at least ``figures`` real PNG
    files (exactly, with ``exact_figures``) named after the slug, its tables (``tables`` of them, when
    given) hold only finite numbers and at least one number, and it renders into the report page (its
    anchor, title and figures, no error box). ``tests/test_report.py`` runs the other sections as a tour."""
    assert isinstance(section, Section) and section.ok, section.details or section.error
    assert section.title == module.TITLE == title and section.slug == module.SLUG
    assert len(section.paragraphs) >= paragraphs
    count = len(section.figures)
    assert count == figures if exact_figures else count >= figures, count
    for fig in section.figures:
        path = out / fig.path
        assert fig.path.startswith(f"figures/{module.SLUG}-") and path.is_file()
        with Image.open(path) as im:
            assert im.format == "PNG" and im.size[0] > 100
    if tables is not None:
        assert len(section.tables) == tables
    count_numbers = 0
    for table in section.tables:
        assert isinstance(table, Table) and table.rows
        for row in table.rows:
            for cell in row:
                if isinstance(cell, (float, np.floating)):
                    assert math.isfinite(cell), (table.caption, row)
                count_numbers += isinstance(cell, _numbers.Real) and not isinstance(cell, bool)
    assert count_numbers, f"section {module.SLUG} has no number in its tables"
    page = _html.render([section])
    fragment = re.search(rf'<section id="{module.SLUG}">(.*?)</section>', page, re.S)
    assert fragment, f"no section {module.SLUG!r} in the rendered page"
    assert 'class="error"' not in fragment.group(1)
    assert re.findall(r'<img src="([^"]+)"', fragment.group(1)) == [f.path for f in section.figures]
    assert '<td class="num">' in fragment.group(1)
