"""The one numba flag policy for every kernel in fastdip._kernels (STYLE.md principle 4).

- ``SERIAL``: every serial kernel, ``@njit(**SERIAL)``: cached, releases the GIL, strict float maths.
- ``INLINED``: ``SERIAL`` plus ``inline="always"``, for a small helper called once per row whose call (tens of
  ns: arrays travel as exploded structs, and every array view handed over costs a reference-count update)
  costs about as much as its work: numba inlines its IR into each caller (convolve's ``_extend_line``,
  ``_u16_sums_round``: a 512^2 uint8 5x5 mean to uint8 62 -> 55 us; the folded pair passes, nine views a
  call; the box row sums and store: a 512^2 25x25 mean 221 -> 200 us; the filters' cold compile time
  unchanged). Not for large functions (each caller compiles its own copy), and an inlined helper compiles
  under its caller's flags: a helper that needs fastmath "contract" (convolve's ``_both_into``) stays SERIAL.
- No ``parallel=True`` kernels: a parallel call runs bands of the serial kernel on fastdip's worker threads
  (``fastdip.parallel._run_bands``); a numba ``prange`` twin compiled the whole call tree a second time and
  started numba's thread pool (whose OpenMP barrier waited 4-8 ms a call beside another busy process).
- ``SAFE_FASTMATH``: the only fastmath flags allowed, where profiling justifies them; never ``True``
  (it removes NaN checks). numba refuses a frozenset: write ``@njit(**SERIAL, fastmath=set(SAFE_FASTMATH))``.
- ``PARALLEL_MIN_PIXELS``: below this many pixels a kernel runs in one call (2 cores: threads only pay
  above roughly 1-4 Mpx for memory-bound kernels, measured in benchmarks/).
- ``njit``: the decorator every kernel uses instead of ``numba.njit`` (same flags): a call from one kernel
  to another never specialises the callee on constant arguments (below).
"""

import numpy as np

SERIAL = {"cache": True, "nogil": True}
INLINED = {"cache": True, "nogil": True, "inline": "always"}
SAFE_FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})
PARALLEL_MIN_PIXELS = 1 << 20


def njit(**flags):
    """``numba.njit(**flags)`` whose dispatcher types calls from other kernels with non-literal arguments.

    numba compiles a jitted callee once per distinct argument *type*, and a constant written at the call site
    is typed as a literal: ``_rows(src, out, 0, n)`` in a serial twin is ``Literal[int](0)``, the parallel
    twin's ``_rows(src, out, b * n // nblk, ...)`` is ``int64``, so the whole row function compiled twice per
    dtype (likewise ``order=1``, ``True``, ``k=5`` arguments of shared helpers). A cold ``make test`` compiled
    1108 specialisations (callees included), 180 of them only such literal copies (``_line2`` 36 versions,
    ``_affine2_rows`` 12); the first ``morphology.erode`` of a uint8 image compiled 36 functions in 23.9 s
    (23 functions in 18.5 s with this decorator, cold cache, this 2-core machine). Here
    every argument type is widened (``numba.core.types.unliteral``) before the callee is looked up or compiled:
    one version per runtime type. Calls from Python are unaffected (numba never types them as literals).
    Numba's own dispatcher is kept; the only change is this instance's ``get_call_template``, the hook the
    type inference uses for a call to a dispatcher (numba/core/types/functions.py, ``Dispatcher.get_call_type``).
    No kernel asks for literal dispatch (``numba.literally``), which this would defeat.
    """
    import numba
    from numba.core import types

    unliteral = types.unliteral

    def decorate(func):
        dispatcher = numba.njit(**flags)(func)
        template = type(dispatcher).get_call_template

        def get_call_template(args, kws):
            return template(dispatcher, tuple(unliteral(a) for a in args),
                            {k: unliteral(v) for k, v in kws.items()})

        get_call_template.unliteral = True  # checked by tests/test_kernel_policy.py
        dispatcher.get_call_template = get_call_template
        return dispatcher

    return decorate


def readonly(arr):
    """A read-only, C-contiguous view of ``arr`` for a kernel that only reads it (a copy only where ``arr`` is
    not C-contiguous: the kernels index flat C-ordered memory).

    numba compiles a read-only array as a different type from a writeable one, so a kernel fed the caller's
    array directly compiles twice: once for the user's own (writeable) arrays and once for read-only ones such
    as ``fastdip.data`` images, memory maps or broadcasts (~5-15 s each on a cold cache). Passing every input
    through this view gives one signature per dtype, and a kernel that writes to its input by mistake fails.
    """
    if not arr.flags.writeable and arr.flags.c_contiguous and type(arr) is np.ndarray:
        return arr  # already one (a cached table): ~0.1 us instead of ~0.5
    view = np.ascontiguousarray(arr).view()
    view.setflags(write=False)  # (0.35 us less a call than through the .flags object)
    return view
