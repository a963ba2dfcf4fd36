"""fastdip.parallel: the one thread control (kernels and scipy.fft workers), its automatic rules, and the
guarantee that kernels honour it (no worker thread is used under ``threads(1)``)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastdip
from fastdip import fourier, parallel


@pytest.fixture(autouse=True)
def _automatic_threads():
    parallel.set_threads(None)
    yield
    parallel.set_threads(None)


#: the real load check (tests/conftest.py replaces parallel._idle_cores for every test)
_REAL_IDLE_CORES = parallel._idle_cores


@pytest.fixture
def idle_machine(monkeypatch):
    """Pretend every core is idle (the tests themselves keep the cores busy under pytest-xdist)."""
    monkeypatch.setattr(parallel, "_idle_cores", parallel._usable_cores)


@pytest.fixture(autouse=True)
def fresh_environment_reading(monkeypatch):
    """Each test reads the environment afresh (get_threads re-reads it at most every half second)."""
    monkeypatch.setattr(parallel, "_auto", [0.0, 1, 1])


# -------------------------------------------------------------------------------------------- the settings


def test_top_level_names_are_the_parallel_functions():
    assert fastdip.set_threads is parallel.set_threads
    assert fastdip.threads is parallel.threads
    assert fastdip.get_threads is parallel.get_threads


def test_automatic_count_is_the_usable_cores_in_the_main_thread(monkeypatch):
    for name in parallel._ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert parallel.get_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("name", ["FASTDIP_NUM_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS"])
def test_environment_variables_set_the_automatic_count(monkeypatch, name):
    for other in parallel._ENV_VARS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, "1")
    assert parallel.get_threads() == 1


def test_fastdip_variable_wins_over_the_others(monkeypatch):
    monkeypatch.setenv("FASTDIP_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "64")
    assert parallel.get_threads() == 1


def test_environment_is_reread_after_half_a_second(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(parallel.time, "monotonic", lambda: clock[0])
    for name in parallel._ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FASTDIP_NUM_THREADS", "1")
    assert parallel.get_threads() == 1
    monkeypatch.setenv("FASTDIP_NUM_THREADS", str(len(os.sched_getaffinity(0))))
    clock[0] += 0.4
    assert parallel.get_threads() == 1  # cached
    clock[0] += 0.2
    assert parallel.get_threads() == len(os.sched_getaffinity(0))


def test_counts_above_the_cores_are_capped():
    parallel.set_threads(10_000)
    assert parallel.get_threads() == len(os.sched_getaffinity(0))


def test_threads_block_overrides_and_restores_nested():
    parallel.set_threads(2)
    with parallel.threads(1) as n:
        assert n == 1 == parallel.get_threads()
        with parallel.threads(2):
            assert parallel.get_threads() == min(2, len(os.sched_getaffinity(0)))
        assert parallel.get_threads() == 1
    assert parallel.get_threads() == min(2, len(os.sched_getaffinity(0)))


def test_threads_block_restores_after_an_exception():
    with pytest.raises(KeyError):
        with parallel.threads(1):
            raise KeyError("x")
    assert getattr(parallel._local, "stack", []) == []


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_counts_are_refused_with_the_function_named(bad):
    with pytest.raises((ValueError, TypeError), match="set_threads"):
        parallel.set_threads(bad)
    with pytest.raises((ValueError, TypeError), match="threads"):
        with parallel.threads(bad):
            pass


def _in_thread(fn):
    box = []
    t = threading.Thread(target=lambda: box.append(fn()))
    t.start()
    t.join()
    return box[0]


def test_other_threads_get_one_thread_automatically_and_do_not_see_this_threads_block():
    with parallel.threads(2):
        assert _in_thread(parallel.get_threads) == 1


def test_an_explicit_process_setting_applies_in_other_threads_too():
    parallel.set_threads(2)
    assert _in_thread(parallel.get_threads) == min(2, len(os.sched_getaffinity(0)))


def _child_threads(queue):
    import fastdip

    queue.put(fastdip.get_threads())


def test_a_multiprocessing_worker_gets_one_thread_automatically():
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_threads, args=(queue,))
    proc.start()
    value = queue.get(timeout=60)
    proc.join(60)
    assert value == 1


# ------------------------------------------------------------------------------------- the kernel decision


@pytest.mark.parametrize(("text", "cores", "idle"), [
    (b"0.50 0.40 0.30 1/200 99\n", 2, 2),   # only the caller runs
    (b"2.00 1.90 1.80 2/200 99\n", 2, 1),   # one other task runs
    (b"9.00 9.00 9.00 9/200 99\n", 2, 1),   # oversubscribed: never below one
    (b"3.00 3.00 3.00 3/200 99\n", 8, 6),
    (b"garbage\n", 4, 4),                   # unreadable: the usable cores
])
def test_idle_cores_from_the_running_tasks(tmp_path, monkeypatch, text, cores, idle):
    path = tmp_path / "loadavg"
    path.write_bytes(text)
    monkeypatch.setattr(parallel, "_loadavg_file", str(path))
    monkeypatch.setattr(parallel, "_usable_cores", lambda: cores)
    monkeypatch.setattr(parallel, "_idle_cache", [-1.0, 0])
    monkeypatch.setattr(parallel, "_own_spinning", lambda: 0)
    assert _REAL_IDLE_CORES() == idle


def test_a_task_that_leaves_after_a_yield_does_not_take_a_core(tmp_path, monkeypatch):
    # more runnable tasks than at the last reading: read again after a sched_yield, and trust that reading
    path = tmp_path / "loadavg"
    path.write_bytes(b"2.00 1.90 1.80 2/200 99\n")
    yields = []

    def yield_now():  # the waiting thread runs and goes back to sleep
        yields.append(1)
        path.write_bytes(b"0.50 0.40 0.30 1/200 99\n")

    monkeypatch.setattr(parallel, "_loadavg_file", str(path))
    monkeypatch.setattr(parallel, "_usable_cores", lambda: 2)
    monkeypatch.setattr(parallel, "_idle_cache", [-1.0, 0])
    monkeypatch.setattr(parallel, "_own_spinning", lambda: 0)
    monkeypatch.setattr(parallel, "_yield", yield_now)
    assert _REAL_IDLE_CORES() == 2 and len(yields) == 1
    # a task still there after the yield holds its core; while the count stays, no more yields
    monkeypatch.setattr(parallel, "_yield", lambda: yields.append(1))
    path.write_bytes(b"2.00 1.90 1.80 2/200 99\n")
    parallel._idle_cache[0] = -1.0
    assert _REAL_IDLE_CORES() == 1 and len(yields) == 2
    parallel._idle_cache[0] = -1.0
    assert _REAL_IDLE_CORES() == 1 and len(yields) == 2


def test_a_busy_machine_runs_kernels_serially(monkeypatch):
    monkeypatch.setattr(parallel, "_idle_cores", lambda: 1)
    parallel.set_threads(2)
    with parallel._band_threads(10**9, 1) as n:
        assert n == 1


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two usable cores")
def test_band_threads_serial_below_the_threshold_under_threads_1_and_beside_a_parallel_call(idle_machine):
    parallel.set_threads(2)
    with parallel._band_threads(10, 100) as n:
        assert n == 1
    with parallel.threads(1), parallel._band_threads(10**9, 1) as n:
        assert n == 1
    with parallel._band_threads(10**9, 1) as n:
        assert n == 2
        # one parallel call per process at a time: a second thread runs serially meanwhile
        assert _in_thread(lambda: parallel._band_threads(10**9, 1).__enter__()) == 1
    with parallel._band_threads(10**9, 1) as n:  # released again
        assert n == 2


@given(n=st.integers(0, 300), blocks=st.integers(1, 40), threads=st.integers(1, 4))
@settings(max_examples=60, deadline=None)
def test_run_bands_covers_every_index_once_in_the_documented_bands(n, blocks, threads):
    seen = []
    lock = threading.Lock()

    def kernel(tag, lo, hi):
        assert tag == "x"
        with lock:
            seen.append((lo, hi))

    parallel._run_bands(kernel, ("x",), n, blocks, threads)
    if threads == 1 or blocks == 1 or n <= 1:
        assert seen == [(0, n)]
    else:
        bands = min(blocks, n)  # never an empty band
        assert sorted(seen) == [(b * n // bands, (b + 1) * n // bands) for b in range(bands)]
        assert all(hi > lo for lo, hi in seen)


def test_run_bands_uses_the_worker_threads_and_raises_their_errors():
    names = set()
    lock = threading.Lock()

    def kernel(lo, hi):
        time.sleep(0.002)
        with lock:
            names.add(threading.current_thread().name.split("_")[0])
        if lo == 30:
            raise IndexError("band 30")

    with pytest.raises(IndexError, match="band 30"):
        parallel._run_bands(kernel, (), 100, 10, 2)
    assert "fastdip-kernel" in names  # a band ran on the pool


def test_run_bands_does_not_wait_for_a_worker_that_is_not_run(monkeypatch):
    """A worker the OS does not run for a while (another busy process) costs no barrier wait: the calling
    thread takes the bands the worker has not started."""
    release = threading.Event()

    class LatePool(parallel._Pool):
        def _take(self, job):
            release.wait(5)
            return super()._take(job)  # finds no band left

    pool = LatePool(1)
    monkeypatch.setattr(parallel, "_workers", lambda n: pool)
    seen = []

    def kernel(lo, hi):
        seen.append((threading.current_thread() is threading.main_thread(), lo, hi))
        if len(seen) == 8:
            release.set()  # the caller has run every band: only now may the worker start

    parallel._run_bands(kernel, (), 80, 8, 2)
    assert len(seen) == 8 and all(main for main, _, _ in seen)
    pool.close()


def test_pool_hands_over_jobs_back_to_back_asleep_and_when_busy():
    """Jobs reach the worker while it spins (back to back) and after it fell asleep; a second caller while a
    job runs does its blocks alone; the worker's finished blocks are counted once each."""
    pool = parallel._Pool(1)
    try:
        names = []
        for pause in (0.0, 0.0, 0.01, 0.0, 0.01):  # 10 ms: past the spin budget, the worker sleeps
            time.sleep(pause)
            got = pool.share(lambda b: (names.append(threading.current_thread().name), time.sleep(0.001), b)[2],
                             12, 1)
            assert sorted(got) == list(range(12))
        by_worker = sum(n.startswith("fastdip-kernel") for n in names)
        assert len(names) == 60 and by_worker > 0
        assert pool._finished() == by_worker  # every block the worker ran counted once, before share returned
        inner = []

        def outer(b):
            if b == 0:  # a second job while this one runs: done by its caller alone
                inner.extend(pool.share(lambda c: (threading.current_thread().name, c), 3, 1))
            return b

        assert sorted(pool.share(outer, 4, 1)) == [0, 1, 2, 3]
        assert sorted(c for _, c in inner) == [0, 1, 2] and len({name for name, _ in inner}) == 1
    finally:
        pool.close()


def test_an_interrupted_join_retires_the_pool(monkeypatch):
    """A KeyboardInterrupt while the caller waits for a worker's blocks: the pool is closed and replaced, so
    blocks the worker publishes later never count towards another job."""
    pool = parallel._Pool(1)
    monkeypatch.setattr(parallel, "_pool", [pool, os.getpid()])
    started = threading.Event()

    def await_sum(*args):
        started.wait(5)  # the worker has taken its block
        raise KeyboardInterrupt

    handoff = pool._handoff

    class Interrupting:
        def __getattr__(self, name):
            return await_sum if name == "await_sum" else getattr(handoff, name)

    pool._handoff = Interrupting()

    def call(b):
        if threading.current_thread().name.startswith("fastdip-kernel"):
            started.set()
            time.sleep(0.05)
        else:
            started.wait(5)
        return b

    with pytest.raises(KeyboardInterrupt):
        pool.share(call, 2, 1)
    assert pool._closed and parallel._pool[0] is None
    fresh = parallel._workers(1)
    assert fresh is not pool and sorted(fresh.share(lambda b: b, 6, 1)) == list(range(6))


def test_spinning_workers_do_not_count_as_busy_cores(tmp_path, monkeypatch):
    path = tmp_path / "loadavg"
    path.write_bytes(b"2.00 1.90 1.80 2/200 99\n")  # the caller and one more runnable task
    monkeypatch.setattr(parallel, "_loadavg_file", str(path))
    monkeypatch.setattr(parallel, "_usable_cores", lambda: 2)
    monkeypatch.setattr(parallel, "_idle_cache", [-1.0, 0])
    monkeypatch.setattr(parallel, "_own_spinning", lambda: 1)  # ... which is this process's spinning worker
    assert _REAL_IDLE_CORES() == 2
    monkeypatch.setattr(parallel, "_own_spinning", lambda: 0)
    assert _REAL_IDLE_CORES() == 1


def _big_inputs():
    rng = np.random.default_rng(7)
    u8 = rng.integers(0, 256, (1536, 1536), dtype=np.uint8)
    return u8, u8.astype(np.float32)


def _parallel_ops():
    from fastdip import filters, fourier, geometry, histogram, metrics, morphology, restoration, segmentation

    u8, f32 = _big_inputs()
    small = f32[:512, :512]
    return {
        "median 3x3": lambda: filters.median(u8, 3),
        "median 5x5": lambda: filters.median(u8, 5),
        "median 15x15": lambda: filters.median(u8[:512, :512], 15),
        "rank 5x5": lambda: filters.rank(u8[:600, :600], 5, 7),
        "rank f32 5x5": lambda: filters.rank(f32[:600, :600], 5, 7),
        "adaptive median": lambda: filters.adaptive_median(np.tile(u8, (1, 1))),
        "gaussian": lambda: filters.gaussian(f32, 2.0),
        "mean": lambda: filters.mean(f32, 5),
        "convolve": lambda: filters.convolve(f32, np.arange(9.0).reshape(3, 3)),
        "histogram": lambda: histogram.histogram(u8).counts,
        "erode": lambda: morphology.erode(np.tile(u8, (2, 1)), morphology.square(3)),
        "dilate disk": lambda: morphology.dilate(np.tile(u8, (2, 1)), morphology.disk(2)),
        "ssim": lambda: np.float64(metrics.ssim(f32, f32[::-1].copy(), data_range=255)),
        "rotate": lambda: geometry.rotate(f32, 30.0),
        "resize half area": lambda: geometry.resize(u8, (768, 768), interpolation="area"),
        "resize half bilinear": lambda: geometry.resize(u8, (768, 768)),
        "undistort map": lambda: geometry.distortion_map((1100, 1000), k1=-0.1, inverse=True),
        "kmeans": lambda: segmentation.kmeans(f32, 3, rng=0).labels,
        "mean shift": lambda: segmentation.mean_shift(small[:160, :160], spatial_radius=4, range_radius=20).labels,
        "dft2": lambda: fourier.dft2(f32),
        "wiener": lambda: restoration.wiener(small, restoration.psf_gaussian((9, 9), 1.5), nsr=0.01),
    }


def test_no_parallel_kernel_runs_under_threads_1(monkeypatch):
    """With threads(1) fastdip's worker threads are not even asked for, and scipy.fft gets workers=1."""
    ops = _parallel_ops()
    called = []
    monkeypatch.setattr(parallel, "_workers", lambda n: called.append(f"worker threads ({n})"))
    fft_workers = []
    import scipy.fft

    for fname in ("rfftn", "irfft", "ifftn", "fftn", "ifft2", "rfft2", "ifft"):
        real = getattr(scipy.fft, fname)

        def spy(*a, _real=real, **k):
            fft_workers.append(k.get("workers"))
            return _real(*a, **k)

        monkeypatch.setattr(scipy.fft, fname, spy)
    with parallel.threads(1):
        for op in ops.values():
            op()
    assert called == []
    assert fft_workers and set(fft_workers) == {1}


def test_fft_workers_by_size_threads_and_idle_cores(monkeypatch):
    """scipy.fft gets one worker below FFT_PARALLEL_MIN_VALUES (its threads start in every call), else the
    thread setting capped by the idle cores; and the transforms pass their size: a 512² rdft2 asks for one
    worker under threads(2), a 1024 x 512 one for two."""
    import scipy.fft

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two usable cores")
    low = parallel.FFT_PARALLEL_MIN_VALUES
    monkeypatch.setattr(parallel, "_idle_cores", lambda: 8)
    with parallel.threads(2):
        assert parallel._fft_workers(low - 1) == 1 and parallel._fft_workers(low) == parallel.get_threads() == 2
        monkeypatch.setattr(parallel, "_idle_cores", lambda: 1)  # another process busy: one worker
        assert parallel._fft_workers(low) == 1
        monkeypatch.setattr(parallel, "_idle_cores", lambda: 8)
    with parallel.threads(1):
        assert parallel._fft_workers(10 * low) == 1
    asked = []
    real = scipy.fft.rfft2
    monkeypatch.setattr(scipy.fft, "rfft2", lambda *a, **k: asked.append(k["workers"]) or real(*a, **k))
    with parallel.threads(2):
        fourier.rdft2(np.zeros((512, 512), np.float32))
        fourier.rdft2(np.zeros((1024, 512), np.float32))
    assert asked == [1, 2]


def test_the_same_ops_do_use_parallel_kernels_with_two_threads(monkeypatch, idle_machine):
    """The other side of the test above: at these sizes threads are really chosen (else it would prove
    nothing); the spy stops the call, so nothing is compiled (the bands' values are tested elsewhere)."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two usable cores")
    ops = _parallel_ops()
    called = set()

    class Chosen(Exception):
        pass

    run_bands = parallel._run_bands

    def bands_spy(kernel, args, n, blocks, threads):
        if threads > 1:
            called.add(kernel.__name__ + " in bands")
            raise Chosen(kernel.__name__)
        run_bands(kernel, args, n, blocks, threads)

    monkeypatch.setattr(parallel, "_run_bands", bands_spy)
    monkeypatch.setattr(parallel, "_run_blocks", lambda kernel, args, blocks, threads: bands_spy(
        kernel, args, 1, blocks, threads) if threads > 1 else kernel(*args, 0, 1))
    parallel.set_threads(2)
    chosen = set()
    for name, op in ops.items():
        try:
            op()
        except Chosen:
            chosen.add(name)
        except Exception as exc:  # a wrapper that wrapped the spy's exception (e.g. a pipeline of kernels)
            assert isinstance(exc.__cause__ or exc.__context__, Chosen), exc
            chosen.add(name)
    assert len(chosen) >= 18, sorted(set(ops) - chosen)  # (dft2 and wiener: scipy.fft's workers)


#: ops compared here end to end, one thread against two (histogram, ssim, the 15x15 median, rank and dft2 have no
#: one-call-vs-bands test elsewhere; k-means and mean shift also have kernels/test_cluster; the others are tested
#: in their families: test_filters_linear, test_geometry_resize, kernels/test_warp, test_filters_adaptive, ...)
_NOT_TWIN_TESTED_ELSEWHERE = ("histogram", "ssim", "kmeans", "mean shift", "median 15x15", "rank 5x5", "dft2")


@pytest.mark.slow
def test_one_and_two_threads_give_identical_results(idle_machine):
    ops = {k: v for k, v in _parallel_ops().items() if k in _NOT_TWIN_TESTED_ELSEWHERE}
    for name, op in ops.items():
        parallel.set_threads(2)
        many = np.asarray(op())
        with parallel.threads(1):
            one = np.asarray(op())
        if name in ("kmeans", "ssim"):  # per-thread partial sums, reduced in another order
            np.testing.assert_allclose(many, one, rtol=1e-6, err_msg=name)
        else:
            np.testing.assert_array_equal(many, one, err_msg=name)


# ------------------------------------------------------------------------------------ numba's thread pool


_PROBE = """
import os, numpy as np, fastdip
fastdip.parallel._idle_cores = fastdip.parallel._usable_cores
fastdip.set_threads(2)
fastdip.geometry.distortion_map((1100, 1000), k1=-0.1, inverse=True)  # (a numba prange kernel until 2026-12)
img = np.random.default_rng(0).random((1100, 1000)).astype(np.float32)
fastdip.segmentation.kmeans(img, 3, rng=0)
info = fastdip.parallel.threading_info()
print(info["layer"], os.environ.get("OMP_WAIT_POLICY"))
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two usable cores")
def test_numba_thread_pool_is_never_started_and_the_environment_is_left_alone():
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "NUMBA_THREADING_LAYER")}
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None"]


_FORK_PROBE = """
import os, numpy as np, fastdip
img = np.random.default_rng(0).integers(0, 256, (2048, 2048), dtype=np.uint8)
fastdip.parallel._idle_cores = fastdip.parallel._usable_cores
fastdip.set_threads(2)
ref = fastdip.filters.median(img, 3)          # the parent starts fastdip's worker threads
grid = fastdip.geometry.distortion_map((1100, 1000), k1=-0.1, inverse=True)
pid = os.fork()
if pid == 0:
    out = fastdip.filters.median(img, 3)      # the worker threads are made again in the child
    again = fastdip.geometry.distortion_map((1100, 1000), k1=-0.1, inverse=True)
    os._exit(0 if np.array_equal(out, ref) and np.array_equal(again, grid, equal_nan=True) else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork, 2 cores")
def test_kernels_still_work_in_a_forked_child():
    done = subprocess.run([sys.executable, "-c", _FORK_PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
