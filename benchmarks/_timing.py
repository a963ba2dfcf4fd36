"""Timing of one call: a warm-up (first) call, then the median of an adaptive number of calls; and of several
calls side by side, in interleaved rounds (``time_rounds``), so that a change in the machine's load during a
measurement falls on every library compared instead of on whichever ran at that moment."""

from __future__ import annotations

import contextlib
import gc
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Times of one body, in seconds.

    Attributes
    ----------
    first : float
        The first call in this process (for fastdip: numba compilation or cache load included).
    median : float
        Median of the ``repeat`` calls after the first one.
    best : float
        Fastest of those calls.
    repeat : int
        Number of timed calls.
    """

    first: float
    median: float
    best: float
    repeat: int


@dataclass(frozen=True)
class Budget:
    """How many calls to time.

    Parameters
    ----------
    seconds : float
        Keep calling until the timed calls add up to this many seconds...
    min_repeat : int
        ...and at least this many calls were timed...
    max_repeat : int
        ...but never more calls than this.
    repeat : int, optional
        A fixed number of calls that overrides the three rules above.
    """

    seconds: float = 0.3
    min_repeat: int = 3
    max_repeat: int = 100_000
    repeat: int | None = None

    def done(self, calls: int, elapsed: float) -> bool:
        """Return whether ``calls`` timed calls taking ``elapsed`` seconds in all are enough."""
        if self.repeat is not None:
            return calls >= self.repeat
        return calls >= self.max_repeat or (calls >= self.min_repeat and elapsed >= self.seconds)


def time_call(body: Callable[[], Any], budget: Budget) -> tuple[Timing, Any]:
    """Time ``body``: a first call, then warm calls until ``budget`` says they are enough.

    The garbage collector is off while timing (as in :mod:`timeit`), so a collection triggered by one
    library's garbage is not charged to another.

    Parameters
    ----------
    body : callable
        Zero-argument callable, the timed work.
    budget : Budget
        How many calls to time.

    Returns
    -------
    timing : Timing
        The measured times.
    result : object
        What the first call returned.
    """
    timing, result = time_rounds({"body": body}, budget)["body"]
    return timing, result


#: the number of interleaved rounds ``time_rounds`` splits each budget into
ROUNDS = 5


def _wait(seconds: float) -> None:
    """Wait ``seconds`` by spinning, not sleeping: a sleeping core drops its clock and idle state, and the
    next calls would pay for waking it (region growing 4096² timed ~10 % slower after 30 ms sleeps)."""
    end = perf_counter() + seconds
    while perf_counter() < end:
        pass


def time_rounds(bodies: Mapping[str, Callable[[], Any]], budget: Budget,
                contexts: Mapping[str, Callable[[], Any]] | None = None,
                settle: float = 0.0) -> dict[str, tuple[Timing, Any]]:
    """Time several bodies side by side: first calls in order, then up to :data:`ROUNDS` rounds in which
    each body, while its ``budget`` is not yet met, takes a slice of calls worth ``budget.seconds / ROUNDS``
    (at least one call; a fixed ``budget.repeat`` split evenly over the rounds). The order of the bodies
    rotates from round to round.

    Sequential timing (0.3 s of one library, then 0.3 s of the next) charged a burst of load from another
    process to one library only: on this shared machine single ratios moved by about ±10 % between runs.
    Interleaved slices see the same machine state, as the median of each body's calls over all rounds.
    Within a slice the calls run back to back, as in :func:`time_call`, so cache warmth is unchanged.

    Parameters
    ----------
    bodies : mapping of str to callable
        Zero-argument callables, the timed work, by name (insertion order: the first round's order).
    budget : Budget
        How many calls to time per body; a body stops taking slices once ``budget.done`` holds for it.
    contexts : mapping of str to callable, optional
        For some names, a zero-argument factory of a context manager entered around each of that body's
        slices and its first call (for example ``fastdip.threads(1)``), outside the timed calls.
    settle : float
        Seconds to wait (spinning) before each slice, untimed, when a slice of another body ran just before: a
        thread pool keeps spinning for a while after its last job (torch's OpenMP threads ~10 ms here), and
        fastdip reads a busy core as one it should not use (its idle-core reading is kept 20 ms), so without
        the pause a library's slice would pay for the one before it.

    Returns
    -------
    dict of str to (Timing, object)
        Per name, the times and what its first call returned.
    """
    contexts = contexts or {}
    names = list(bodies)
    first: dict[str, float] = {}
    results: dict[str, Any] = {}
    times: dict[str, list[float]] = {name: [] for name in names}
    elapsed = dict.fromkeys(names, 0.0)
    slice_seconds = budget.seconds / ROUNDS
    slice_repeat = None if budget.repeat is None else max(1, -(-budget.repeat // ROUNDS))
    previous = [None]

    def enter(name: str):
        """The settle wait when another body ran last, then ``name``'s context."""
        if settle and previous[0] not in (None, name):
            _wait(settle)
        previous[0] = name
        return contexts.get(name, contextlib.nullcontext)()

    def run_slice(name: str, whole: bool) -> None:
        """Timed calls of ``name`` until its budget is met or (unless ``whole``) its slice is used up."""
        body = bodies[name]
        calls = 0
        spent = 0.0
        with enter(name):
            while not budget.done(len(times[name]), elapsed[name]):
                start = perf_counter()
                body()
                took = perf_counter() - start
                times[name].append(took)
                elapsed[name] += took
                calls += 1
                spent += took
                if not whole and ((calls >= slice_repeat) if slice_repeat is not None else spent >= slice_seconds):
                    break

    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for name in names:
            with enter(name):
                start = perf_counter()
                results[name] = bodies[name]()
                first[name] = perf_counter() - start
        for index in range(ROUNDS):
            for name in names[index % len(names):] + names[: index % len(names)]:
                if not budget.done(len(times[name]), elapsed[name]):
                    run_slice(name, whole=False)
        # a body whose budget is still not met after the rounds (a fixed repeat) finishes here
        for name in names:
            if not budget.done(len(times[name]), elapsed[name]):
                run_slice(name, whole=True)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: (Timing(first[name], statistics.median(times[name]), min(times[name]), len(times[name])),
                   results[name]) for name in names}
