"""Formatting of benchmark results: a console table (rich, else plain text) and a Markdown section."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._timing import Timing

RESULTS_HEADER = """# fastdip benchmark results

Appended by `python -m benchmarks` (`make bench`); one section per run, newest last. Within a section
every time comes from the same process on the same inputs; compare ratios within a run, not across runs.

"""

METHOD = (
    "median of N calls after a first, warm-up call (fastdip's first call is shown separately: it includes "
    "numba compilation or the cache load); calls are repeated until they add up to {seconds:g} s and "
    "number at least {min_repeat}{fixed}, in up to {rounds} interleaved rounds: each library compared on "
    "an input takes a slice of its calls in turn (the order rotating), so load from elsewhere falls on all "
    "of them alike; {settle}. Mpx/s = input pixels / median. peer/fastdip > 1: fastdip is faster. "
    "÷copy = time / np.copy of the same input array (which allocates its output, as the operations do): "
    "the memory-bandwidth yardstick."
)


@dataclass(frozen=True)
class Row:
    """One library's timing of one operation on one input.

    Attributes
    ----------
    operation, input, library : str
        Comparison label, input label and ``"fastdip"`` or a peer key.
    timing : Timing or None
        None when the call is not available (``note`` says why).
    megapixels : float
        Input size, in millions of pixels.
    vs_fastdip : float or None
        The peer's median divided by fastdip's (None for fastdip itself, or without a fastdip time).
    vs_copy : float or None
        Median divided by the numpy copy time of the same input.
    fastest : bool
        Whether this is the fastest row of its group.
    note : str
        Why the row has no timing, or a caveat.
    """

    operation: str
    input: str
    library: str
    timing: Timing | None
    megapixels: float
    vs_fastdip: float | None = None
    vs_copy: float | None = None
    fastest: bool = False
    note: str = ""


@dataclass(frozen=True)
class Goal:
    """One speed goal evaluated on one input.

    Attributes
    ----------
    operation, input, goal : str
        Comparison label, input label and the goal in words.
    fastdip, reference : float
        Median times in seconds.
    reference_name : str
        ``"numpy copy"`` or the peer key.
    ratio : float
        fastdip / copy, or peer / fastdip.
    met : bool
        Whether the goal is met.
    """

    operation: str
    input: str
    goal: str
    fastdip: float
    reference: float
    reference_name: str
    ratio: float
    met: bool


def format_seconds(seconds: float | None) -> str:
    """Return a duration with three significant digits and a unit (``"1.23 ms"``)."""
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_ratio(ratio: float | None) -> str:
    """Return ``"×1.23"``, or ``"—"`` for None."""
    return "—" if ratio is None else f"×{ratio:.2f}"


def format_rate(megapixels: float, timing: Timing | None) -> str:
    """Return the throughput in Mpx/s with three significant digits."""
    if timing is None:
        return "—"
    rate = megapixels / timing.median
    return f"{rate:,.0f}" if rate >= 1000 else f"{rate:.3g}"


COLUMNS = ("operation", "input", "library", "median", "first call", "Mpx/s", "peer/fastdip", "÷copy", "calls")


def _cells(row: Row) -> list[str]:
    library = row.library + (" ★" if row.fastest else "")
    if row.timing is None:
        return [row.operation, row.input, library, row.note or "not available", "", "", "", "", ""]
    first = format_seconds(row.timing.first) if row.library == "fastdip" else ""
    return [
        row.operation,
        row.input,
        library,
        format_seconds(row.timing.median),
        first,
        format_rate(row.megapixels, row.timing),
        "" if row.library == "fastdip" else format_ratio(row.vs_fastdip),
        format_ratio(row.vs_copy),
        str(row.timing.repeat),
    ]


GOAL_COLUMNS = ("goal", "operation", "input", "fastdip", "reference", "ratio", "met")


def _goal_cells(goal: Goal) -> list[str]:
    return [
        goal.goal,
        goal.operation,
        goal.input,
        format_seconds(goal.fastdip),
        f"{format_seconds(goal.reference)} ({goal.reference_name})",
        format_ratio(goal.ratio),
        "yes" if goal.met else "**NO**",
    ]


def _groups(rows: Sequence[Row]) -> list[list[Row]]:
    groups: list[list[Row]] = []
    for row in rows:
        if groups and (groups[-1][0].operation, groups[-1][0].input) == (row.operation, row.input):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def markdown(rows: Sequence[Row], goals: Sequence[Goal]) -> str:
    """Return the goals table and the timings table in Markdown."""
    lines = ["### Goals", ""]
    if goals:
        lines += ["| " + " | ".join(GOAL_COLUMNS) + " |", "|" + "---|" * len(GOAL_COLUMNS)]
        lines += ["| " + " | ".join(_goal_cells(g)) + " |" for g in goals]
    else:
        lines.append("No goal applies to the operations and inputs of this run.")
    lines += ["", "### Timings", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = [cell.replace("|", "\\|") for cell in _cells(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def append_results(path: Path, title: str, facts: Sequence[tuple[str, str]], body: str) -> None:
    """Append a section to the results file (created with a header if missing); never overwrite."""
    text = [f"## {title}", ""]
    text += [f"- **{key}**: {value}" for key, value in facts]
    text += ["", body, ""]
    new = not path.exists()
    with path.open("a", encoding="utf-8") as f:
        if new:
            f.write(RESULTS_HEADER)
        f.write("\n".join(text))


def print_console(rows: Sequence[Row], goals: Sequence[Goal], facts: Sequence[tuple[str, str]], file=None) -> None:
    """Print the facts, timings and goals to ``file`` (stdout): a rich table if rich is installed."""
    file = file or sys.stdout
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(rows, goals, facts, file)
        return
    console = Console(file=file, width=None if file.isatty() else 160)
    for key, value in facts:
        console.print(f"[bold]{key}[/]: {value}", highlight=False)
    table = Table(title="Timings", header_style="bold")
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in COLUMNS[:3] else "right")
    for group in _groups(rows):
        for i, row in enumerate(group):
            style = "bold" if row.library == "fastdip" else None
            table.add_row(*_cells(row), style=style, end_section=i == len(group) - 1)
    console.print(table)
    if goals:
        goal_table = Table(title="Goals", header_style="bold")
        for name in GOAL_COLUMNS:
            goal_table.add_column(name)
        for goal in goals:
            cells = _goal_cells(goal)
            cells[-1] = "yes" if goal.met else "NO"
            goal_table.add_row(*cells, style=None if goal.met else "red")
        console.print(goal_table)


def _print_plain(rows, goals, facts, file) -> None:
    for key, value in facts:
        print(f"{key}: {value}", file=file)
    for title, columns, table in (
        ("Timings", COLUMNS, [_cells(r) for r in rows]),
        ("Goals", GOAL_COLUMNS, [_goal_cells(g) for g in goals]),
    ):
        if not table:
            continue
        widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(columns)]
        print(f"\n{title}", file=file)
        for cells in [list(columns), *table]:
            print("  ".join(cell.ljust(w) for cell, w in zip(cells, widths)), file=file)
