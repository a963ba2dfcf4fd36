"""The fastdip tour: every course topic run on the bundled images and written as one HTML report.

``build_tour(out_dir)`` runs each section listed in :mod:`fastdip.report.sections`, writes their figures as
PNG files under ``out_dir/figures/`` and the report as ``out_dir/index.html`` (sections in their listed
order), which is replaced if it exists (the tour is a generated report; nothing else in ``out_dir`` is
touched apart from the figure files the sections write). The sections are independent: on a machine with
two or more cores they run in two worker processes side by side, the longest first.

A section is one small module exposing ``TITLE``, ``SLUG`` and ``run(ctx) -> Section``; it fills its
:class:`Section` with paragraphs, figures (saved through ``ctx.save``) and tables of measured numbers, in
reading order. A section that raises does not stop the tour: its place in the report shows an error box
with the message and traceback, and the failure is logged on the ``fastdip.report`` logger at ERROR level.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import os
import sys
import time
import traceback
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Context", "FigureFile", "Paragraph", "Section", "Table", "build_tour", "section_modules"]

logger = logging.getLogger(__name__)

_FIGURES = "figures"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (escaped when rendered)."""

    text: str


@dataclass(frozen=True)
class FigureFile:
    """A figure written by the section: ``path`` is relative to the report folder (``figures/x.png``)."""

    path: str
    caption: str = ""


@dataclass(frozen=True)
class Table:
    """A table of measured values: ``header`` names the columns, each row has one cell per column.

    Cells are numbers or strings; floats are shown with 4 significant digits unless given as strings.
    """

    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    caption: str = ""

    def __post_init__(self):
        object.__setattr__(self, "header", tuple(self.header))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"Table: row {i} must have {len(self.header)} cells (one per header entry), "
                                 f"got {len(row)}")


@dataclass
class Section:
    """What one tour section produced: its blocks in reading order, or the error that stopped it.

    Build it with :meth:`text`, :meth:`figure` and :meth:`table`; :attr:`paragraphs`, :attr:`figures`
    and :attr:`tables` list the blocks of each kind.
    """

    title: str
    slug: str
    blocks: list = field(default_factory=list)
    error: str | None = None
    details: str | None = None
    seconds: float | None = None

    def text(self, text: str) -> Section:
        """Append a paragraph; returns the section (calls chain)."""
        self.blocks.append(Paragraph(str(text)))
        return self

    def figure(self, path: str, caption: str = "") -> Section:
        """Append a figure by its path relative to the report folder (what ``ctx.save`` returns)."""
        self.blocks.append(FigureFile(str(path), caption))
        return self

    def table(self, header: Sequence[str], rows, caption: str = "") -> Section:
        """Append a table: ``header`` names the columns, ``rows`` holds one cell per column each."""
        self.blocks.append(Table(header, rows, caption))
        return self

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def figures(self) -> list[FigureFile]:
        return [b for b in self.blocks if isinstance(b, FigureFile)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Context:
    """What a section's ``run(ctx)`` gets: where to write, and how thorough to be.

    Attributes
    ----------
    out_dir : pathlib.Path
        The report folder.
    full : bool
        Run the slower, larger variant of each section (``fastdip tour --full``).
    slug : str
        The running section's slug; figure files are named ``figures/<slug>-<name>.png``.
    """

    out_dir: Path
    full: bool = False
    slug: str = "tour"

    def save(self, fig, name: str, *, dpi: int = 100) -> str:
        """Write a matplotlib figure as ``figures/<slug>-<name>.png`` and return that relative path."""
        from fastdip import viz

        rel = f"{_FIGURES}/{self.slug}-{name}.png"
        viz.save(fig, self.out_dir / rel, dpi=dpi)
        return rel


def section_modules() -> list:
    """The registered sections (modules with ``TITLE``, ``SLUG``, ``run``), in report order."""
    from . import sections

    return list(sections.SECTIONS)


def _select(modules, only):
    if only is None:
        return modules
    wanted = [only] if isinstance(only, str) else list(only)
    slugs = [m.SLUG for m in modules]
    unknown = [w for w in wanted if w not in slugs]
    if unknown:
        raise ValueError(f"build_tour: only must name sections among {', '.join(slugs)}; "
                         f"got unknown {', '.join(repr(u) for u in unknown)}")
    return [m for m in modules if m.SLUG in wanted]


def _run_one(module, ctx: Context) -> Section:
    """Run one section; an exception becomes an error section (logged by the caller, in the main process)."""
    start = time.perf_counter()
    try:
        section = module.run(ctx)
        if not isinstance(section, Section):
            raise TypeError(f"{module.SLUG}.run must return a fastdip.report.Section, got {type(section).__name__}")
    except Exception as exc:  # a broken section must not take the whole tour down
        section = Section(module.TITLE, module.SLUG, error=f"{type(exc).__name__}: {exc}",
                          details=traceback.format_exc())
    section.seconds = time.perf_counter() - start
    return section


def _run_by_name(module_name: str, ctx: Context) -> Section:
    """What a worker process runs: the section module imported by name (modules pickle by name only)."""
    return _run_one(importlib.import_module(module_name), ctx)


def _importable(module) -> bool:
    """True for a real module that a fresh process finds again by its name (not a stand-in object)."""
    return isinstance(module, types.ModuleType) and sys.modules.get(module.__name__) is module


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _check_workers(workers, n_sections: int) -> int:
    if workers is None:
        return max(1, min(2, _cores(), n_sections))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"build_tour: workers must be None or an integer >= 1, got {workers!r}")
    return min(workers, max(1, n_sections))


def _in_order(modules) -> list:
    """The modules, longest first (by :data:`fastdip.report.sections.SECONDS`, 0 if not listed): a greedy
    schedule over the workers then ends with the short ones, so no worker is left with a long one at the end."""
    from .sections import SECONDS

    return sorted(modules, key=lambda m: -SECONDS.get(m.SLUG, 0.0))


def _run_pool(modules, ctx: Context, workers: int, done) -> dict:
    """Run the sections in ``workers`` fresh processes (spawned: no threads or OpenMP state inherited);
    returns {slug: Section}. A section whose worker died runs again in this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    results = {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(_run_by_name, m.__name__, dataclasses.replace(ctx, slug=m.SLUG)): m
                   for m in _in_order(modules)}
        for future in as_completed(futures):
            module = futures[future]
            try:
                results[module.SLUG] = future.result()
            except BrokenProcessPool:
                logger.warning("tour: the worker running section %r died; running it here", module.SLUG)
                results[module.SLUG] = _run_one(module, dataclasses.replace(ctx, slug=module.SLUG))
            done(module)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def _progress(enabled: bool):
    """A rich progress bar on stderr when ``enabled`` and stderr is a terminal, else None."""
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return None
    return Progress(TextColumn("tour: {task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def build_tour(out_dir="tour", *, full=False, only=None, progress=True, workers=None) -> Path:
    """Run the tour's sections and write the HTML report ``out_dir/index.html``.

    Parameters
    ----------
    out_dir : str or os.PathLike, optional
        The report folder, created if needed. ``index.html`` in it is replaced; figures go to
        ``out_dir/figures/`` (files of the same name are replaced); nothing else is touched.
    full : bool, optional
        Run the slower, larger variant of each section.
    only : str or sequence of str, optional
        Run only the sections with these slugs (see :func:`section_modules`); default all.
    progress : bool, optional
        Show a progress bar (rich, on stderr) when stderr is a terminal.
    workers : int, optional
        How many processes run sections side by side; default 2 where this process may use two or more
        cores, else 1 (``1`` runs every section in this process, one after the other). Kernels inside a
        worker process run on one thread (see :mod:`fastdip.parallel`), so two workers keep two cores busy.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    ValueError
        If ``only`` names an unknown section, or ``workers`` is not a positive integer (checked before
        anything runs).
    OSError
        If ``out_dir`` cannot be created or written.

    Notes
    -----
    A section that raises is shown in the report as an error box (message and traceback) and logged on the
    ``fastdip.report`` logger at ERROR level; the other sections still run. Sections that are not importable
    modules (stand-ins in tests) run in this process. Each section's own time is shown under it; the total
    is the wall time of the whole build.

    Examples
    --------
    >>> from fastdip import report
    >>> [m.SLUG for m in report.section_modules()][:3]
    ['averaging', 'point_transforms', 'histograms']
    """
    from . import _html

    modules = _select(section_modules(), only)
    workers = _check_workers(workers, len(modules))
    out_dir = Path(out_dir)
    (out_dir / _FIGURES).mkdir(parents=True, exist_ok=True)
    ctx = Context(out_dir=out_dir, full=bool(full))
    start = time.perf_counter()
    pooled = workers > 1 and all(_importable(m) for m in modules)
    bar = _progress(progress)
    with bar if bar is not None else contextlib.nullcontext():
        task = bar.add_task("", total=len(modules)) if bar is not None else None

        def done(module):
            if bar is not None:
                bar.update(task, description=module.TITLE)
                bar.advance(task)

        if pooled:
            by_slug = _run_pool(modules, ctx, workers, done)
        else:
            by_slug = {}
            for module in modules:
                if bar is not None:
                    bar.update(task, description=module.TITLE)
                by_slug[module.SLUG] = _run_one(module, dataclasses.replace(ctx, slug=module.SLUG))
                done(module)
    results = [by_slug[m.SLUG] for m in modules]
    for section in results:
        if section.error is not None:
            logger.error("tour section %r failed: %s", section.slug, section.error)
    index = out_dir / "index.html"
    tmp = index.with_name(".index.html.tmp")
    tmp.write_text(_html.render(results, full=ctx.full, seconds=time.perf_counter() - start), encoding="utf-8")
    tmp.replace(index)
    return index
