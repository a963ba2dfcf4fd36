"""Comparator networks shared by the order-statistic filters (median/rank and the adaptive median)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=64)
def batcher_pairs(n: int) -> tuple[tuple[int, int], ...]:
    """Comparators (a, b), a < b, of Batcher's odd-even merge sort of n values, in network order.

    The network is built for the next power of two and padded with +inf: a comparator that touches a padding
    wire (b >= n) never swaps, so it is dropped. Callers prune the rest to the outputs they need.

    References
    ----------
    K. E. Batcher, "Sorting networks and their applications", AFIPS Spring Joint Computer Conference, 1968,
    pp. 307-314, DOI 10.1145/1468075.1468121.
    """
    size = 1 << max(0, (n - 1).bit_length())
    pairs = []
    p = 1
    while p < size:
        step = p
        while step >= 1:
            for j in range(step % p, size - step, 2 * step):
                for i in range(min(step, size - j - step)):
                    a, b = i + j, i + j + step
                    if a // (2 * p) == b // (2 * p) and b < n:
                        pairs.append((a, b))
            step //= 2
        p *= 2
    return tuple(pairs)
