"""Hand-offs between fastdip's worker threads without a system call: short spins on shared counters.

A parallel call (``fastdip.parallel._run_bands``) posts its bands to worker threads and, once its own share
is done, waits for the bands the workers took. Waking a sleeping thread costs a system call and, on a
virtual machine whose idle virtual CPU halts, ~50-90 us before the thread runs (this 2-core VM: a lock
release took 10-25 us, the woken thread ran 45-90 us later); a 512^2 kernel takes a few hundred us. So a
worker that has just finished a job keeps watching the job counter for a short while (``await_change``),
and the caller watches the workers' counters of finished bands (``await_sum``), each for a bounded number of
cycles before falling back to sleeping on a condition variable (the active-then-passive wait of OpenMP's
``OMP_WAIT_POLICY`` default and of OpenCV's thread pool, bounded much shorter here). No thread ever waits
for another that has not started a band: the caller takes every band no worker has taken.

The counters are int64 cells of one array read with acquire loads and written with sequentially consistent
stores (LLVM atomics; a plain load in a loop could be hoisted out of it), and the loops run with the GIL
released: a store made here happens after this thread has released the GIL, so the thread woken by it
finds the GIL free instead of sleeping on it (a GIL hand-off to a sleeping thread costs the same wake-up).

References
----------
Intel, "Intel 64 and IA-32 Architectures Optimization Reference Manual", section on the PAUSE instruction in
spin-wait loops. OpenMP Architecture Review Board, "OpenMP Application Programming Interface 5.2", section
OMP_WAIT_POLICY (active and passive waiting).
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ._config import SERIAL, njit


def _cell(context, builder, sig, args):
    aryty = sig.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    return cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]])


@intrinsic
def _load(typingctx, arr, i):
    """arr[i] by an atomic load with acquire ordering (int64 arrays)."""
    sig = types.int64(arr, i)

    def codegen(context, builder, sig, args):
        return builder.load_atomic(_cell(context, builder, sig, args), "acquire", 8)

    return sig, codegen


@intrinsic
def _store(typingctx, arr, i, v):
    """arr[i] = v by a sequentially consistent atomic store (int64 arrays)."""
    sig = types.void(arr, i, v)

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(value, _cell(context, builder, sig, args), "seq_cst", 8)
        return context.get_dummy_value()

    return sig, codegen


def _no_argument(llvm_name: str, result, llvm_result):
    """An intrinsic that calls the LLVM intrinsic ``llvm_name`` (no arguments) and returns its value."""

    @intrinsic
    def call(typingctx):
        sig = result()

        def codegen(context, builder, sig, args):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(llvm_result, []), llvm_name)
            value = builder.call(fn, [])
            return context.get_dummy_value() if result == types.void else value

        return sig, codegen

    return call


#: the spin-wait hint (x86 PAUSE): frees the core's resources and saves power while spinning
_pause = _no_argument("llvm.x86.sse2.pause", types.void, ir.VoidType())
#: the CPU's cycle counter (x86 TSC: constant rate, also on this VM)
_cycles = _no_argument("llvm.readcyclecounter", types.int64, ir.IntType(64))


@njit(**SERIAL)
def cycles():
    """The cycle counter (for calibrating the spin budgets against time.perf_counter)."""
    return _cycles()


@njit(**SERIAL)
def publish(ctl, i, v):
    """ctl[i] = v, stored after the GIL is released."""
    _store(ctl, i, v)


@njit(**SERIAL)
def await_change(ctl, store_i, store_v, wait_i, wait_v, flag_i, budget, linger):
    """A worker between jobs: store ctl[store_i] = store_v (its finished bands; skipped when store_i < 0),
    then spin until ctl[wait_i] != wait_v (a new job) or ``budget`` cycles have passed, with ctl[flag_i] = 1
    meanwhile (its own cache line: the caller counts spinning workers as busy cores). On a change, spin
    ``linger`` cycles more so that the caller, which posted the job a moment ago, has entered its own first
    band (released the GIL) when this thread comes back to Python. Returns ctl[wait_i] (== wait_v: no job
    came)."""
    if store_i >= 0:
        _store(ctl, store_i, store_v)
    _store(ctl, flag_i, 1)
    t0 = _cycles()
    v = _load(ctl, wait_i)
    while v == wait_v and _cycles() - t0 < budget:
        _pause()
        v = _load(ctl, wait_i)
    _store(ctl, flag_i, 0)
    if v != wait_v:
        t1 = _cycles()
        while _cycles() - t1 < linger:
            _pause()
    return v


@njit(**SERIAL)
def await_sum(ctl, first, step, count, target, budget):
    """The caller waiting for its job: spin until sum(ctl[first + k step] for k < count) >= target (the
    workers' finished bands) or ``budget`` cycles have passed. Returns the sum."""
    t0 = _cycles()
    while True:
        s = 0
        for k in range(count):
            s += _load(ctl, first + k * step)
        if s >= target or _cycles() - t0 >= budget:
            return s
        _pause()
