"""Timing of one call: a warm-up (first) call, then the median of an adaptive number of calls."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
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
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = perf_counter()
        result = body()
        first = perf_counter() - start
        times: list[float] = []
        elapsed = 0.0
        while not budget.done(len(times), elapsed):
            start = perf_counter()
            body()
            times.append(perf_counter() - start)
            elapsed += times[-1]
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(first, statistics.median(times), min(times), len(times)), result
