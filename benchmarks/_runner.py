"""The benchmark runner: every fastdip operation and each installed peer's equivalent, timed in one run.

What is compared comes from ``tests/_comparisons.py`` (the table the reference tests also read), so each
speed ratio is between calls that the tests check compute the same thing.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import numpy as np

from tests._comparisons import COMPARISONS, FIXED_KINDS, Comparison, input_label, make_input

from . import _load, _machine
from ._report import METHOD, Goal, Row, append_results, markdown, print_console
from ._timing import ROUNDS, Budget, Timing, time_call, time_rounds

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_SIZES = (512, 2048, 4096)
QUICK_SIZES = (256,)
QUICK_SECONDS = 0.02
_SEEDS = {"u8": 0, "f32": 1}
#: the contended goal: fastdip's default-thread time beside a load at most this many times its 1-thread time
CONTENDED_LIMIT = 2.0
#: the row holding fastdip timed under fastdip.threads(1) in a contended run
ONE_THREAD = "fastdip:1-thread"
#: untimed pause before each slice of calls in runs with thread pools (see ``time_rounds``)
SETTLE_SECONDS = 0.03


@dataclass(frozen=True)
class Results:
    """Everything one run measured: timing rows (grouped by operation and input) and evaluated goals."""

    rows: tuple[Row, ...]
    goals: tuple[Goal, ...]


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``python -m benchmarks``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time fastdip and its peers (OpenCV, scikit-image, scipy, numpy, Pillow) on the same "
        "inputs in one run; print the table and append it to benchmarks/RESULTS.md.",
        epilog="Example: python -m benchmarks --filter equalize --sizes 4096 --threads 1 --no-write",
    )
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="SUBSTR",
        help="run only operations whose label contains SUBSTR (case-insensitive; repeatable, any matches)",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        help=f"sides of the random NxN inputs (default {' '.join(map(str, DEFAULT_SIZES))}; "
        f"--quick: {' '.join(map(str, QUICK_SIZES))}); camera is always 512x512",
    )
    parser.add_argument("--repeat", type=int, metavar="N", help="time exactly N calls (default: adaptive)")
    parser.add_argument(
        "--threads",
        choices=("default", "1"),
        default="default",
        help="'1' limits OpenCV, numba and BLAS/OpenMP pools to one thread (default: libraries' defaults)",
    )
    parser.add_argument(
        "--contended",
        choices=_load.KINDS,
        help="run beside a second process: 'fastdip' (another fastdip process calling parallel kernels) or "
        "'busy' (a busy loop); fastdip is also timed under fastdip.threads(1) in the same run, and the goal "
        f"'contended <= {CONTENDED_LIMIT:g}x 1-thread' is checked for every input",
    )
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS_PATH.name}")
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, few repeats (< 1 min)")
    parser.add_argument("--list", action="store_true", help="list the operations and peers, then exit")
    return parser


def _selected(filters: Sequence[str]) -> list[Comparison]:
    wanted = [f.lower() for f in filters]
    return [c for c in COMPARISONS if not wanted or any(w in c.label.lower() for w in wanted)]


@cache
def _input(kind: str, side: int) -> np.ndarray:
    return make_input(kind, (side, side), seed=_SEEDS.get(kind, 0) + side)


def _inputs(comparison: Comparison, sizes: Sequence[int]):
    """Yield ``(kind, image)`` for every input the comparison applies to, small to large."""
    for kind in comparison.inputs:
        if kind in FIXED_KINDS:
            yield kind, _input(kind, 512)
            continue
        for side in sizes:
            if comparison.max_side is None or side <= comparison.max_side:
                yield kind, _input(kind, side)


def _copy_seconds(image: np.ndarray, budget: Budget) -> float:
    """Median time of ``np.copy(image)``, the yardstick of the ÷copy column.

    Measured again next to every group rather than once per input, so that it sees the same machine state
    (caches, frequency, other load) as the operation it is compared with.
    """
    copy = next(c for c in COMPARISONS if c.name == "copy").peers["numpy"]
    timing, _ = time_call(copy.bind(image), budget)
    return timing.median


def _measure(comparison: Comparison, label: str, image: np.ndarray, budget: Budget,
             one_thread: bool = False, settle: float = 0.0) -> tuple[list[Row], float]:
    """Time fastdip and every available peer on one input (and fastdip under ``fastdip.threads(1)`` too when
    ``one_thread``, as the row :data:`ONE_THREAD`).

    Returns
    -------
    rows : list of Row
        fastdip first, then the peers from fastest to slowest, unavailable ones last.
    copy_time : float
        The numpy copy time of ``image``.
    """
    copy_time = _copy_seconds(image, budget)
    operands = comparison.operands(image)
    calls = {} if comparison.fastdip is None else {"fastdip": comparison.fastdip}
    calls.update({name: call for name, call in comparison.peers.items() if call is not None})
    timings: dict[str, Timing | None] = {}
    notes: dict[str, str] = {}
    bodies = {}
    contexts = {}
    for name, call in calls.items():
        if not call.supports(image.dtype):
            continue
        if not call.available(name):
            timings[name] = None
            notes[name] = f"not available ({call.requires or name} not importable)"
            continue
        timings[name] = None  # (the row order: fastdip, then the peers as listed)
        bodies[name] = call.bind(*operands)
        if name == "fastdip" and one_thread:
            import fastdip as _fastdip

            timings[ONE_THREAD] = None
            bodies[ONE_THREAD] = call.bind(*operands)
            contexts[ONE_THREAD] = lambda: _fastdip.threads(1)
    # every library timed in the same interleaved rounds (see time_rounds)
    for name, (timing, _) in time_rounds(bodies, budget, contexts, settle).items():
        timings[name] = timing
    fastdip = timings.get("fastdip")
    measured = {name: t.median for name, t in timings.items() if t is not None}
    fastest = min(measured, key=measured.get) if len(measured) > 1 else None
    rows = [
        Row(
            operation=comparison.label,
            input=label,
            library=name,
            timing=timing,
            megapixels=image.size / 1e6,
            vs_fastdip=_ratio(timing, fastdip) if name != "fastdip" else None,
            vs_copy=None if timing is None else timing.median / copy_time,
            fastest=name == fastest,
            note=notes.get(name, ""),
        )
        for name, timing in timings.items()
    ]
    rows.sort(key=lambda r: (r.library != "fastdip", r.timing is None, r.timing.median if r.timing else 0))
    return rows, copy_time


def _ratio(timing: Timing | None, reference: Timing | None) -> float | None:
    return None if timing is None or reference is None else timing.median / reference.median


def _goals(comparison: Comparison, label: str, times: dict[str, float], copy_time: float) -> list[Goal]:
    """Evaluate the comparison's speed goals on one input, from the median times of its rows."""
    if "fastdip" not in times:
        return []
    goals = []
    for target in comparison.targets:
        if not target.applies_to(label):
            continue
        if target.reference == "copy":
            reference, name = copy_time, "numpy copy"
        elif target.reference in times:
            reference, name = times[target.reference], target.reference
        else:
            continue
        ratio = target.ratio(times["fastdip"], reference)
        goals.append(
            Goal(comparison.label, label, str(target), times["fastdip"], reference, name, ratio, target.met(ratio))
        )
    return goals


def _contended_goal(comparison: Comparison, label: str, times: dict[str, float]) -> list[Goal]:
    if "fastdip" not in times or ONE_THREAD not in times:
        return []
    ratio = times["fastdip"] / times[ONE_THREAD]
    return [Goal(comparison.label, label, f"contended <= {CONTENDED_LIMIT:g}x 1-thread", times["fastdip"],
                 times[ONE_THREAD], ONE_THREAD, ratio, ratio <= CONTENDED_LIMIT)]


def run(comparisons: Sequence[Comparison], sizes: Sequence[int], budget: Budget, progress=None,
        one_thread: bool = False, settle: float = 0.0) -> Results:
    """Time every comparison on every input it applies to.

    Parameters
    ----------
    comparisons : sequence of Comparison
        What to time.
    sizes : sequence of int
        Sides of the square random inputs.
    budget : Budget
        How many calls each measurement times.
    progress : callable, optional
        Called with a short text before each measurement.
    one_thread : bool
        Also time fastdip under ``fastdip.threads(1)`` and evaluate the contended goal (``--contended``).
    settle : float
        Seconds of untimed wait before each slice of calls (``time_rounds``; ``_settle`` chooses it).

    Returns
    -------
    Results
        Rows grouped by operation and input, and the goals evaluated on them.
    """
    rows: list[Row] = []
    goals: list[Goal] = []
    for comparison in comparisons:
        for kind, image in _inputs(comparison, sizes):
            label = input_label(kind, image)
            if progress is not None:
                progress(f"{comparison.label} · {label}")
            group, copy_time = _measure(comparison, label, image, budget, one_thread, settle)
            times = {r.library: r.timing.median for r in group if r.timing is not None}
            rows += group
            goals += _goals(comparison, label, times, copy_time)
            if one_thread:
                goals += _contended_goal(comparison, label, times)
    return Results(tuple(rows), tuple(goals))


_SETTLE_TEXT = {
    True: f"an untimed wait of {SETTLE_SECONDS * 1e3:g} ms (spinning) before each slice lets the thread pool of "
          "the library before it go quiet (torch's OpenMP threads spin ~10 ms after a call)",
    False: "no pause between slices (a single-thread run has no thread pools; a contended run has a second "
           "process busy all along, and a spinning wait before a call cost it its share of the cores)",
}


def _settle(options) -> float:
    """The pause before each slice: :data:`SETTLE_SECONDS` in a default-thread run, none with ``--threads 1``
    (no pools) or ``--contended`` (the scheduler gave a call that followed a 30 ms spin less of the cores
    beside the second process: three 4096² float32 rows measured 2.5-2.9x their 1-thread time)."""
    return 0.0 if options.threads == "1" or options.contended else SETTLE_SECONDS


_CONTENDED_TEXT = {
    "fastdip": "a second process ran fastdip kernels (median 3x3, histogram, Gaussian σ 2, erode 3x3 on 512² and "
               "2048² uint8, default threads) in a loop for the whole run; the row fastdip:1-thread is fastdip "
               "under fastdip.threads(1) in the same run",
    "busy": "a second process ran a Python busy loop (one core) for the whole run; the row fastdip:1-thread is "
            "fastdip under fastdip.threads(1) in the same run",
}


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m benchmarks`` with ``argv``; return the exit status (0, or 2 for bad arguments).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    options = parser.parse_args(argv)
    comparisons = _selected(options.filter)
    if options.list:
        for c in comparisons:
            peers = ", ".join(name for name, call in c.peers.items() if call is not None)
            print(f"{c.label}: fastdip{' (reference only)' if c.fastdip is None else ''}; peers: {peers}")
        return 0
    if not comparisons:
        parser.error(f"--filter {options.filter} matches no operation; see --list")
    if options.repeat is not None and options.repeat < 1:
        parser.error(f"--repeat must be a positive int, got {options.repeat}")
    sizes = options.sizes or (QUICK_SIZES if options.quick else DEFAULT_SIZES)
    if any(side < 16 for side in sizes):
        parser.error(f"--sizes must be at least 16, got {sizes}")
    budget = Budget(seconds=QUICK_SECONDS if options.quick else Budget.seconds, repeat=options.repeat)
    if options.threads == "1":
        _machine.limit_threads()

    started = datetime.now(timezone.utc)
    meter = _machine.NoiseMeter()
    machine = _machine.machine()
    clock = time.perf_counter()
    load = None
    if options.contended:
        load = _load.start(options.contended, seconds=6 * 3600)
    try:
        results = run(comparisons, sizes, budget, progress=_progress, one_thread=bool(options.contended),
                      settle=_settle(options))
    finally:
        if load is not None:
            _load.stop(load)
    _progress("")
    duration = time.perf_counter() - clock

    fixed = f" (overridden by --repeat: exactly {budget.repeat} calls)" if budget.repeat else ""
    facts = [
        ("Command", "`python -m benchmarks" + "".join(" " + shlex.quote(a) for a in argv) + "`"),
        ("Machine", machine),
        ("Versions", _machine.versions()),
        ("Threads", f"--threads {options.threads}: {_machine.threads()}"),
        *([("Contended", _CONTENDED_TEXT[options.contended])] if options.contended else []),
        ("Method", METHOD.format(seconds=budget.seconds, min_repeat=budget.min_repeat, fixed=fixed,
                                 rounds=ROUNDS, settle=_SETTLE_TEXT[_settle(options) > 0])),
        ("Noise", meter.report()),
        ("Duration", f"{duration:.0f} s"),
    ]
    print_console(results.rows, results.goals, facts)
    if not options.no_write:
        title = (f"{started:%Y-%m-%d %H:%M} UTC · threads={options.threads}"
                 f"{' · contended=' + options.contended if options.contended else ''}"
                 f"{' · quick' if options.quick else ''}")
        append_results(RESULTS_PATH, title, facts, markdown(results.rows, results.goals))
        print(f"appended to {RESULTS_PATH}")
    return 0

