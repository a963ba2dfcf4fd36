"""The one numba flag policy for every kernel in fastdip._kernels (STYLE.md principle 4).

- ``SERIAL``: every serial kernel, ``@njit(**SERIAL)``: cached, releases the GIL, strict float maths.
- ``PARALLEL``: the few kernels measured to gain from threads; each has a serial twin written as its own
  ``def`` (two cached dispatchers made from one Python function share one cache entry and can crash).
- ``SAFE_FASTMATH``: the only fastmath flags allowed, where profiling justifies them; never ``True``
  (it removes NaN checks). numba refuses a frozenset: write ``@njit(**SERIAL, fastmath=set(SAFE_FASTMATH))``.
- ``PARALLEL_MIN_PIXELS``: below this many pixels the serial twin is used (2 cores: threads only pay
  above roughly 1-4 Mpx for memory-bound kernels, measured in benchmarks/).
"""

SERIAL = {"cache": True, "nogil": True}
PARALLEL = {"cache": True, "nogil": True, "parallel": True}
SAFE_FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})
PARALLEL_MIN_PIXELS = 1 << 20


def readonly(arr):
    """A read-only view of ``arr`` (no copy) for a kernel that only reads it.

    numba compiles a read-only array as a different type from a writeable one, so a kernel fed the caller's
    array directly compiles twice: once for the user's own (writeable) arrays and once for read-only ones such
    as ``fastdip.data`` images, memory maps or broadcasts (~5-15 s each on a cold cache). Passing every input
    through this view gives one signature per dtype, and a kernel that writes to its input by mistake fails.
    """
    view = arr.view()
    view.flags.writeable = False
    return view
