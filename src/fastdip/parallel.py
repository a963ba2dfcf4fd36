"""How many threads fastdip uses: one setting for the numba kernels and for scipy.fft's ``workers``.

fastdip runs a kernel on several threads only when the image is large enough for threads to pay, and only as
many as this module allows::

    import fastdip
    fastdip.set_threads(1)            # process-wide: every kernel and FFT single-threaded
    with fastdip.threads(2):          # this thread only, until the block ends
        fastdip.filters.gaussian(img, 2.0)
    fastdip.get_threads()             # what the calling thread gets now

Automatic choice (``set_threads(None)``, the default):

- the first of the environment variables ``FASTDIP_NUM_THREADS``, ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``
  that holds a positive integer, else the number of cores this process may run on
  (``os.sched_getaffinity``);
- **1 inside a thread other than the main thread, and inside a worker process started by multiprocessing**
  (process pools, Dask's worker processes, ``fastdip run --workers``): such callers already keep every core
  busy, and kernel threads inside them would only oversubscribe (dask/distributed#9075). Ask for more with
  ``threads(n)`` inside the worker or ``set_threads(n)``, which override this.

A kernel also takes no more threads than there are idle cores at the moment of the call (the running tasks
in ``/proc/loadavg``, read at most every 20 ms): beside another busy process a parallel kernel's threads would
only wait for each other, so it runs serially instead (measured here beside a second fastdip process: a 256-bin
histogram of a 2048² image took 3.7 ms on two threads against 1.5 ms on one).

When several threads of one process call parallel kernels at once, one of them runs in parallel and the others
run their serial kernels, so fastdip never starts more threads than the setting allows plus one per caller.

Worker threads. Kernels run in parallel as bands of rows (or blocks of their work) of their own serial kernel
(compiled with ``nogil``) on a small pool of fastdip's threads (``fastdip-kernel-*``, one fewer than the usable
cores, made on first use and again in a forked child): the calling thread and the workers each take the next
band until none is left, so a worker the OS does not run soon (another busy process holds the core) costs at
most the band it took, never a wait at a barrier, and a parallel call compiles nothing beyond the serial
kernel (numba ``prange`` twins compiled each kernel a second time: 2-10 s per dtype on a 2-core machine, on
every cold cache). fastdip never starts numba's own thread pool, so numba's threading layers and OpenMP's
spinning wait policy play no part: with numba's GNU OpenMP layer, idle threads spin, and beside another busy
process a kernel's barrier waited a whole scheduler slice (4-8 ms) for a thread the OS had not run, whatever
the image size (measured here: a 3x3 median of a 512² image took 8.0 ms instead of 0.1 ms beside a second
fastdip process).

Hand-offs (``fastdip._kernels.handoff``). Waking a sleeping thread costs a system call and, on this VM, 45-90
µs before it runs; a caller that slept until its workers' last band ended lost as much again. So a worker
that has finished a job spins (PAUSE, the GIL released) for up to 300 µs watching for the next one, and the
caller spins for up to 1 ms for the workers' last bands, before either sleeps; the counters they watch are
written after the writer has released the GIL, so the woken side never sleeps on the GIL either. A spinning
worker is not counted as a busy core by the idle-core rule above. Measured (a synthetic 360 µs nogil kernel in
8 bands, 2 threads, back to back): 307-327 µs a call with a thread pool that sleeps, 218-250 µs with the
spins.

References
----------
OpenMP Architecture Review Board, *OpenMP Application Programming Interface 5.2*, 2021, §6.7 (OMP_WAIT_POLICY).
Numba documentation, "The Threading Layers" and "Setting the Number of Threads".
Intel, *Intel 64 and IA-32 Architectures Optimization Reference Manual* (PAUSE in spin-wait loops).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator

__all__ = ["get_threads", "set_threads", "threads", "threading_info"]

_ENV_VARS = ("FASTDIP_NUM_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS")

_process_threads: int | None = None  # set_threads(n); None = automatic
_local = threading.local()  # .stack: overrides from threads(n), innermost last
_parallel_lock = threading.Lock()  # held by the one thread running a parallel kernel


def _after_fork_in_child() -> None:
    # a lock held by another thread at fork() time would stay held forever in the child
    global _parallel_lock, _pool_lock
    _parallel_lock = threading.Lock()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _check_count(n, func: str) -> int:
    from . import _validate

    return _validate.positive_int(n, func, "n")


def set_threads(n: int | None) -> None:
    """Set how many threads fastdip's kernels and FFTs may use in this process.

    Parameters
    ----------
    n : int or None
        A positive number of threads, or None for the automatic choice (see the module docstring: the
        environment variables, else the usable cores; 1 in non-main threads and worker processes).
        Values above the usable cores are allowed and capped when a kernel runs.

    Returns
    -------
    None

    Raises
    ------
    ValueError
        If ``n`` is not a positive int or None.

    Notes
    -----
    A ``threads(n)`` block in the calling thread takes precedence over this setting.

    References
    ----------
    Numba documentation, "Setting the Number of Threads" (``numba.set_num_threads``).

    Examples
    --------
    >>> import fastdip
    >>> fastdip.set_threads(1)
    >>> fastdip.get_threads()
    1
    >>> fastdip.set_threads(None)
    """
    global _process_threads
    _process_threads = None if n is None else _check_count(n, "set_threads")


@contextlib.contextmanager
def threads(n: int) -> Iterator[int]:
    """Use ``n`` threads in the calling thread until the ``with`` block ends.

    Parameters
    ----------
    n : int
        A positive number of threads (1 runs every kernel serially; more are capped at the usable cores).

    Yields
    ------
    int
        The number of threads kernels in the block get (``get_threads()``).

    Raises
    ------
    ValueError
        If ``n`` is not a positive int.

    Notes
    -----
    The override is thread-local and nests; it wins over ``set_threads`` and over the automatic rule that gives
    non-main threads and worker processes one thread.

    References
    ----------
    Numba documentation, "Setting the Number of Threads" (the thread-local ``numba.set_num_threads``).

    Examples
    --------
    >>> import fastdip
    >>> with fastdip.threads(1) as n:
    ...     print(n, fastdip.get_threads())
    1 1
    """
    value = _check_count(n, "threads")
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(value)
    try:
        yield get_threads()
    finally:
        stack.pop()


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def _env_threads() -> int | None:
    for name in _ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return None


def _in_worker() -> bool:
    """True in a non-main thread or in a process started by multiprocessing (pools, Dask workers)."""
    if threading.current_thread() is not threading.main_thread():
        return True
    import multiprocessing

    return multiprocessing.parent_process() is not None


def get_threads() -> int:
    """The number of threads fastdip's kernels and FFTs may use when called from this thread now.

    Returns
    -------
    int
        At least 1: the innermost ``threads(n)`` of this thread, else ``set_threads(n)``, else the automatic
        choice (environment variables or usable cores; 1 in non-main threads and worker processes), never more
        than the usable cores. The environment variables and the CPU affinity are re-read at most every half
        second (a change takes effect within 0.5 s; ``set_threads``/``threads`` take effect at once).

    References
    ----------
    Numba documentation, "Setting the Number of Threads".

    Examples
    --------
    >>> import fastdip
    >>> with fastdip.threads(1):
    ...     fastdip.get_threads()
    1
    """
    stack = getattr(_local, "stack", None)
    if stack:
        wanted = stack[-1]
    elif _process_threads is not None:
        wanted = _process_threads
    elif _in_worker():
        return 1
    else:
        wanted = 0  # automatic: the environment, else every usable core
    return _bounded(wanted)


_auto = [0.0, 1, 1]  # (valid until, usable cores, automatic choice): re-read at most every 0.5 s


def _bounded(wanted: int) -> int:
    """``wanted`` (0: the automatic choice) clipped to [1, usable cores]; the environment and the CPU affinity
    are re-read at most every half second (reading them cost ~7 us, on every kernel call above the threshold)."""
    now = time.monotonic()
    if now >= _auto[0]:
        cores = _usable_cores()
        _auto[:] = [now + 0.5, cores, _env_threads() or cores]
    return max(1, min(wanted or _auto[2], _auto[1]))


def threading_info() -> dict:
    """What fastdip's threads run on, for bug reports and benchmark headers.

    Returns
    -------
    dict
        ``threads`` (``get_threads()``), ``cores`` (usable cores), ``layer`` (numba's threading layer if
        something in this process started numba's thread pool, else None: fastdip's kernels never do),
        ``omp_wait_policy`` and ``gomp_spincount`` (the environment's; None when unset).

    References
    ----------
    Numba documentation, "The Threading Layers" (``numba.threading_layer``).

    Examples
    --------
    >>> import fastdip
    >>> sorted(fastdip.parallel.threading_info())
    ['cores', 'gomp_spincount', 'layer', 'omp_wait_policy', 'threads']
    """
    layer = None
    pool = sys.modules.get("numba.np.ufunc.parallel")
    if pool is not None and getattr(pool, "_is_initialized", False):
        import numba

        layer = numba.threading_layer()
    return {
        "threads": get_threads(),
        "cores": _usable_cores(),
        "layer": layer,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "gomp_spincount": os.environ.get("GOMP_SPINCOUNT"),
    }


_loadavg_file = "/proc/loadavg"
_idle_cache = [-1.0, 0]  # [monotonic time of the reading, runnable tasks besides the caller]


def _idle_cores() -> int:
    """Cores not running anything else right now: usable cores - (runnable tasks - this one - this process's
    spinning workers), read from /proc/loadavg's ``running/total`` field at most every 20 ms; the usable
    cores where it cannot be read.

    A reading that finds more tasks runnable than the last one is taken again after a ``sched_yield`` (~4 us):
    a thread another library's pool has just woken or released (scipy.fft's workers after a 2-worker call)
    waits on this core's run queue until the caller gives the core up, and alone it made the first reading
    after 95 % of 512² FFTs count a busy core (the next inverse FFT on one worker, 1.3 ms instead of 0.45).
    A task that is really running is still there after the yield."""
    now = time.monotonic()
    if now - _idle_cache[0] >= 0.02:
        others = _read_others()
        if others > _idle_cache[1]:
            _yield()
            others = _read_others()
        _idle_cache[0], _idle_cache[1] = now, others
    cores = _usable_cores()
    return max(1, cores - max(0, _idle_cache[1] - _own_spinning()))


def _read_others() -> int:
    """Runnable tasks besides the caller, from /proc/loadavg (0 where it cannot be read)."""
    try:
        with open(_loadavg_file, "rb") as f:
            return int(f.read().split()[3].split(b"/")[0]) - 1
    except (OSError, ValueError, IndexError):
        return 0


_yield = getattr(os, "sched_yield", lambda: time.sleep(0))


def _own_spinning() -> int:
    """This process's pool workers that are spinning for the next job (runnable, but not another's work)."""
    pool, pid = _pool
    return pool.spinning() if pool is not None and pid == os.getpid() else 0


_ONE_THREAD = contextlib.nullcontext(1)


def _band_threads(work: int, min_work: int):
    """For kernels run in bands on fastdip's own threads (``_run_bands``, ``_run_blocks``): a context giving how
    many threads one call may use.

    ``work`` is the call's size (pixels, or pixels times operations per pixel) and ``min_work`` the measured
    size from which threads pay. The rule: 1 below the threshold, else ``get_threads()`` capped by the idle
    cores; while one thread of this process runs a parallel call, other threads get 1 (so several callers never
    start more than the setting plus one thread each). Below the threshold a shared null context (a generator
    context manager costs ~1.5-2.5 us a call; a 3x3 median of 512^2 ~50 us).
    """
    return _ONE_THREAD if work < min_work else _band_threads_above()


@contextlib.contextmanager
def _band_threads_above() -> Iterator[int]:
    n = get_threads()
    if n > 1:
        n = min(n, _idle_cores())
    if n <= 1 or not _parallel_lock.acquire(blocking=False):
        yield 1
        return
    try:
        yield n
    finally:
        _parallel_lock.release()


_pool = [None, None]  # [_Pool, the pid that made it]: threads do not survive fork()
_pool_lock = threading.Lock()

#: spin budgets of the hand-offs (fastdip._kernels.handoff), in microseconds: a worker watches for the next job
#: this long after finishing one (back-to-back calls of 512^2 kernels come ~20-100 us apart), the caller watches
#: for the workers' last bands this long before sleeping, and a worker that saw a job spins this long more so
#: that the caller has released the GIL (entered its first band) when the worker comes back to Python
_SPIN_US = 300.0
_JOIN_US = 1000.0
_LINGER_US = 8.0
#: a worker spins for the next job only after a job whose blocks took it less than this
_SHORT_JOB_S = 0.001
_SLOT = 8  # int64 cells per counter: one 64-byte cache line each


class _Job:
    """One parallel call: ``call(b)`` for the blocks b the threads take from the shared iterator."""

    __slots__ = ("todo", "call", "results", "errors", "helpers")

    def __init__(self, call, blocks: int, helpers: int):
        self.todo = iter(range(blocks))  # shared: next() of a range iterator is atomic under the GIL
        self.call = call
        self.results = []
        self.errors = []
        self.helpers = helpers

    def work(self) -> int:
        """Take blocks until none is left; returns how many this thread ran (errors are kept, not raised)."""
        done = 0
        for b in self.todo:
            try:
                self.results.append(self.call(b))
            except BaseException as error:  # raised by the caller once every started block has finished
                self.errors.append(error)
            done += 1
        return done


class _Pool:
    """fastdip's worker threads and the counters they hand work over with (``_kernels.handoff``).

    ``ctl`` (int64, one cache line per counter): cell 0 the number of the latest job; cell ``_SLOT (w + 1)``
    the blocks worker w has finished in all, the cell after it 1 while worker w spins. A job is posted by
    storing its number; a worker that is spinning sees it at once, a sleeping one is woken by ``_wake``. The
    caller runs blocks too, then waits (spinning, then sleeping) until the workers' counters have grown by the
    blocks it did not run itself.
    """

    def __init__(self, workers: int):
        import numpy as np

        from ._kernels import handoff

        self._handoff = handoff
        self.workers = workers
        self.ctl = np.zeros(_SLOT * (workers + 1), np.int64)
        rate = _cycle_rate(handoff)
        self._spin = int(_SPIN_US * 1e-6 * rate)
        self._join = int(_JOIN_US * 1e-6 * rate)
        self._linger = int(_LINGER_US * 1e-6 * rate)
        self.job = None
        self._busy = threading.Lock()  # one job at a time
        self._wake = threading.Condition(threading.Lock())
        self._sleepers = 0
        self._done = threading.Condition(threading.Lock())
        self._caller_sleeps = False
        self._closed = False
        for w in range(workers):
            threading.Thread(target=self._loop, args=(w,), name=f"fastdip-kernel_{w}", daemon=True).start()

    def spinning(self) -> int:
        """Workers spinning right now (busy cores that are this process's own)."""
        return int(self.ctl[_SLOT + 1::_SLOT].sum())

    def _take(self, job) -> int:
        return job.work()

    def _loop(self, w: int) -> None:
        ctl, h = self.ctl, self._handoff
        cell = _SLOT * (w + 1)
        seen = finished = 0
        store = -1
        spin = self._spin
        while True:
            seq = h.await_change(ctl, store, finished, 0, seen, cell + 1, spin, self._linger)
            store = -1
            if seq == seen:  # no job within the spin budget: sleep until one is posted
                with self._wake:
                    self._sleepers += 1
                    try:
                        while int(ctl[0]) == seen:
                            self._wake.wait()
                    finally:
                        self._sleepers -= 1
                seq = int(ctl[0])
            if self._closed:
                return
            seen = seq
            job = self.job
            if job is None or w >= job.helpers:
                continue
            start = time.perf_counter()
            finished += self._take(job)
            # spin for the next job only after a short one: there a wake-up costs a good part of the call, and
            # after long ones it does not; a spinning thread also stalled the caller's memory management now
            # and then (2048^2 resize x2, 4 ms calls: 5-15 of 60 calls took 1-4 ms longer outside the kernel)
            spin = self._spin if time.perf_counter() - start < _SHORT_JOB_S else 0
            if self._caller_sleeps:  # the caller gave up spinning: publish now and wake it
                ctl[cell] = finished
                with self._done:
                    self._done.notify_all()
            else:
                store = cell  # published by the next await_change, after the GIL is released

    def close(self) -> None:
        """End the worker threads (a pool replaced by a larger one): each returns once it has published the
        blocks it finished (a job still running completes: the caller takes the blocks no worker took)."""
        self._closed = True
        self._handoff.publish(self.ctl, 0, int(self.ctl[0]) + 1)
        with self._wake:
            self._wake.notify_all()

    def _finished(self) -> int:
        return int(self.ctl[_SLOT::_SLOT].sum())

    def share(self, call, blocks: int, helpers: int) -> list:
        if not self._busy.acquire(blocking=False):  # another thread's job is running: this one runs alone
            job = _Job(call, blocks, 0)
            job.work()
            return _outcome(job)
        joined = False
        try:
            ctl, h = self.ctl, self._handoff
            job = _Job(call, blocks, min(helpers, self.workers))
            before = self._finished()
            self.job = job
            h.publish(ctl, 0, int(ctl[0]) + 1)
            if self._sleepers:
                with self._wake:
                    self._wake.notify_all()
            target = before + blocks - job.work()
            if h.await_sum(ctl, _SLOT, _SLOT, self.workers, target, self._join) < target:
                with self._done:
                    self._caller_sleeps = True
                    try:
                        while self._finished() < target:
                            self._done.wait(0.001)
                    finally:
                        self._caller_sleeps = False
            self.job = None
            joined = True
        finally:
            if not joined:  # interrupted (KeyboardInterrupt) before the workers' blocks were counted: a worker may
                self._abandon()  # still publish them, which the next job's count must not see
            self._busy.release()
        return _outcome(job)

    def _abandon(self) -> None:
        """Close this pool and make the next parallel call start a new one."""
        self.job = None
        self.close()
        with _pool_lock:
            if _pool[0] is self:
                _pool[:] = [None, None]


def _outcome(job) -> list:
    for error in job.errors:
        raise error
    return job.results


def _cycle_rate(handoff) -> float:
    """Cycle-counter ticks per second, measured over ~2 ms against time.perf_counter."""
    handoff.cycles()
    c0, t0 = handoff.cycles(), time.perf_counter()
    time.sleep(0.002)
    c1, t1 = handoff.cycles(), time.perf_counter()
    return max(1e6, (c1 - c0) / (t1 - t0))


def _workers(n: int):
    """fastdip's worker threads (at least ``n``), made on first use and again in a forked child."""
    pool, pid = _pool
    if pool is None or pid != os.getpid() or pool.workers < n:
        with _pool_lock:
            pool, pid = _pool
            if pool is None or pid != os.getpid() or pool.workers < n:
                old = pool if pid == os.getpid() else None
                pool = _Pool(max(n, _usable_cores() - 1))
                _pool[:] = [pool, os.getpid()]
                if old is not None:
                    old.close()
    return pool


def _run_bands(kernel, args: tuple, n: int, blocks: int, threads: int) -> list:
    """``kernel(*args, lo, hi)`` over ``blocks`` contiguous bands of ``range(n)`` (band b is
    [b n / blocks, (b + 1) n / blocks); at most n bands, none empty) on ``threads`` threads; ``threads`` = 1:
    one call over [0, n).
    Returns the calls' return values (in no particular order).

    The kernel is the serial one (compiled with ``nogil``): a parallel call compiles nothing more. The calling
    thread and ``threads - 1`` pool workers each take the next band until none is left, so a worker the OS
    does not run soon (another busy process) costs at most the band it took, never a wait at a barrier.
    Exceptions of any band are raised after every started band has finished.
    """
    if threads <= 1 or blocks <= 1 or n <= 1:
        return [kernel(*args, 0, n)]
    if blocks > n:  # no empty bands (two bands starting at row 0 would both make a kernel's first rows)
        blocks = n
    return _share(lambda b: kernel(*args, b * n // blocks, (b + 1) * n // blocks), blocks, threads)


def _run_blocks(kernel, args: tuple, blocks: int, threads: int) -> list:
    """``kernel(*args, b, blocks)`` for every block b < ``blocks`` (a kernel that takes its own share of the
    work, e.g. the rows b, b + blocks, ...) on ``threads`` threads as ``_run_bands`` does; ``threads`` = 1:
    one call ``kernel(*args, 0, 1)``. Returns the calls' return values."""
    if threads <= 1 or blocks <= 1:
        return [kernel(*args, 0, 1)]
    return _share(lambda b: kernel(*args, b, blocks), blocks, threads)


def _share(call, blocks: int, threads: int) -> list:
    """``call(b)`` for b in range(blocks): the calling thread and ``threads - 1`` pool workers each take the
    next block until none is left; errors are raised once every started block has finished. Returns the
    results."""
    helpers = min(threads, blocks) - 1
    return _workers(helpers).share(call, blocks, helpers)


#: from this many values a scipy.fft call gets ``workers`` > 1: scipy hands the work to its threads in each call
#: (~100-150 us here), which 256² does not repay (2 workers / 1, float32, this machine: rfft2 253 / 142 us,
#: fft2 complex 415 / 259 us). 512² was a toss-up in one session (rfft2 805 / 745 us) and a gain in the next,
#: 20 interleaved samples: rfft2 + irfft2 1029 / 1217 us (2 workers faster in 13 of 20), fft2 + ifft2
#: complex 1695 / 2507 us (18 of 20); 1024² rfft2 2844 / 3656 us, irfft2 4127 / 5489 us. Once the idle-core
#: reading stopped counting scipy's own released worker (see _idle_cores), 512² took two workers every time and
#: lost, 8 interleaved rounds beside scipy and torch: rdft2 + irdft2 1608 / 1331 us, dft2 + idft2 1863 /
#: 1577 us; so two workers from 2**19 values again.
FFT_PARALLEL_MIN_VALUES = 1 << 19


def _fft_workers(values: int) -> int:
    """``workers=`` for a scipy.fft call over ``values`` values (the larger of its input and output): 1 below
    ``FFT_PARALLEL_MIN_VALUES``, else the calling thread's thread count capped by the idle cores (as the band
    kernels' rule: scipy splits the work evenly, so a worker the OS does not run holds up the whole call)."""
    if values < FFT_PARALLEL_MIN_VALUES:
        return 1
    n = get_threads()
    return min(n, _idle_cores()) if n > 1 else 1
