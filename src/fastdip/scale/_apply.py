"""The executor of :mod:`fastdip.scale`: a pipeline planned into stages and run on a Dask array.

Planning. Consecutive pointwise and neighbourhood steps form one *blockwise* stage: one overlap whose depth is
the sum of the steps' halos (``Op.halo``), then the steps run one after the other on each overlapped block.
Global steps go to the two-pass handlers of ``_global``/``_label``, geometric ones to ``_geometric``,
measurements to ``_measure``; a step without a handler runs in memory when the array fits the memory budget
and is refused otherwise.

Borders, exactly. In memory, step *i* sees the true image edge and extends its input there by its own
``mode``. Blocks are therefore overlapped *without* padding at the array's outer edge (as Dask's
``boundary='none'``): a block that touches the image edge is cut at it, and each step, run on the block, applies
its own mode at that true edge, exactly as in memory, for ``reflect``, ``mirror``, ``nearest`` and
``constant`` (all of which read only pixels within the halo of the edge). Where a block is cut inside the
image, the step's mode invents values, but their effect reaches at most the sum of the halos inwards, which is
the overlap that is trimmed away. ``wrap`` reads the far side of the image, so a run of ``wrap`` steps is its
own stage overlapped periodically (a block at the edge gets its context from the opposite end; periodic
extension commutes with shift-invariant ops in ``wrap`` mode); a change between ``wrap`` and another mode
starts a new stage. A halo deeper than a chunk rechunks that axis (chunks at least the depth, or one chunk when
the axis is short); an axis held in one chunk (colour channels always are) needs no overlap at all.

The overlap is built as one task per block, which takes the block and the strips of its neighbours it needs
and assembles them itself (Dask's ``overlap`` makes a slicing and a concatenation task per neighbour, about
four times as many tasks, and its scheduling cost showed on 1024^2 chunks).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import math
import os
import sys
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from fastdip.pipeline import Pipeline, PipelineError, Step, Table
from fastdip.pipeline import get as _get_op

log = logging.getLogger("fastdip.scale")

#: inputs smaller than this (bytes) run in memory without Dask when ``chunks='auto'``
IN_MEMORY_BELOW = 64 * 2**20
#: the pixels of an automatic chunk (2048 x 2048 in 2-D, 160^3 in 3-D)
AUTO_CHUNK_PIXELS = 2048 * 2048
#: axes this short (colour channels) are never split
CHANNEL_MAX = 4

_HANDLER_MODULES = ("_global", "_label", "_geometric", "_measure")


class ScaleError(ValueError):
    """A pipeline that cannot run on this array out of core (the message names the step and the sizes)."""


def _handlers() -> dict:
    """op name -> handler, from the two-pass / label / geometric / measure modules present."""
    found = {}
    for name in _HANDLER_MODULES:
        try:
            module = importlib.import_module(f"fastdip.scale.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"fastdip.scale.{name}":
                raise
            continue
        found.update(getattr(module, "HANDLERS", {}))
    return found


def memory_budget() -> int:
    """The default memory budget in bytes: a quarter of the memory available now.

    Returns
    -------
    int
        ``psutil.virtual_memory().available // 4`` (``os.sysconf`` where psutil is missing).

    References
    ----------
    psutil documentation, ``virtual_memory``.

    Examples
    --------
    >>> from fastdip.scale import memory_budget
    >>> memory_budget() > 0
    True
    """
    try:
        import psutil

        available = psutil.virtual_memory().available
    except ImportError:  # pragma: no cover - psutil comes with distributed
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(available // 4)


# -- planning ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One stage of a plan: ``kind`` is 'blockwise' (a run of pointwise/neighbourhood steps in one overlap of
    ``depth`` with ``boundary`` 'image edge' or 'periodic'), 'two-pass' (a global step's handler),
    'geometric', 'measure' (streamed table), 'random' (a random pointwise step) or 'in-memory' (no handler);
    ``steps`` are 0-based step indices."""

    kind: str
    steps: tuple[int, ...]
    ops: tuple[str, ...]
    depth: tuple[int, ...] = ()
    boundary: str = ""

    def __str__(self) -> str:
        what = " + ".join(self.ops)
        if self.kind == "blockwise":
            return f"blockwise [{what}] overlap {self.depth} ({self.boundary})"
        return f"{self.kind} [{what}]"


def as_pipeline(pipeline_or_op, params=None) -> Pipeline:
    """A :class:`~fastdip.pipeline.Pipeline` from what :func:`apply` accepts.

    Parameters
    ----------
    pipeline_or_op : Pipeline, str, os.PathLike, Op, Step or list
        A pipeline; a pipeline file (.json/.yaml/.yml); an op name; an Op; a Step; a list of steps.
    params : dict, optional
        The parameters of a single op given by name or Op.

    Returns
    -------
    Pipeline
        Validated completely (bad steps raise :class:`~fastdip.pipeline.PipelineError`).

    Raises
    ------
    TypeError
        For anything else, or ``params`` with a whole pipeline.

    References
    ----------
    A. E. Carpenter et al., CellProfiler, Genome Biology 7, R100, 2006 (pipelines of modules).

    Examples
    --------
    >>> from fastdip.scale import as_pipeline
    >>> as_pipeline("filters.median", {"size": 5})
    Pipeline(filters.median)
    """
    from fastdip.pipeline import Op

    if params is not None and not isinstance(params, dict):
        raise TypeError(f"apply: params must be a dict of the op's parameters, got {type(params).__name__}")
    if isinstance(pipeline_or_op, Pipeline):
        if params:
            raise TypeError("apply: params= goes with a single op name, not with a Pipeline")
        return pipeline_or_op
    if isinstance(pipeline_or_op, Op):
        return Pipeline([(pipeline_or_op.name, params or {})])
    if isinstance(pipeline_or_op, Step):
        return Pipeline([pipeline_or_op])
    if isinstance(pipeline_or_op, (str, os.PathLike)):
        text = os.fspath(pipeline_or_op)
        if text.lower().endswith((".json", ".yaml", ".yml")):
            return Pipeline.from_file(text)
        return Pipeline([(text, params or {})])
    if isinstance(pipeline_or_op, (list, tuple)):
        return Pipeline(pipeline_or_op)
    raise TypeError(f"apply: pipeline_or_op must be a Pipeline, a pipeline file, an op name, an Op or a list of "
                    f"steps, got {type(pipeline_or_op).__name__}")


def _step_mode(step: Step) -> str:
    op = _get_op(step.op)
    if "mode" in step.params:
        return step.params["mode"]
    p = op.param("mode")
    return p.default if p is not None else "reflect"


def plan(pipeline_or_op, ndim: int = 2, *, params=None) -> list[Stage]:
    """How :func:`apply` runs a pipeline on an ``ndim``-D array: its stages in order.

    Parameters
    ----------
    pipeline_or_op : Pipeline, str, Op, Step or list
        As for :func:`apply`.
    ndim : int, optional
        The number of array dimensions (channels included).
    params : dict, optional
        The parameters of a single op given by name.

    Returns
    -------
    list of Stage
        Consecutive pointwise and neighbourhood steps share one 'blockwise' stage whose overlap depth is the
        sum of their halos (a switch between ``wrap`` and the other modes starts a new one); each global,
        geometric or measurement step is a stage of its own: 'two-pass', 'geometric' or 'measure' when a
        handler exists, else 'in-memory'; random pointwise steps are 'random' stages.

    References
    ----------
    Dask documentation, "Overlapping Computations" (``dask.array.map_overlap``).

    Examples
    --------
    >>> from fastdip.scale import plan
    >>> [str(s) for s in plan([("filters.median", {"size": 5}), ("filters.gaussian", {"sigma": 1})])]
    ['blockwise [filters.median + filters.gaussian] overlap (6, 6) (image edge)']
    """
    pipe = as_pipeline(pipeline_or_op, params)
    handlers = _handlers()
    stages: list[Stage] = []
    run: list[int] = []
    run_wrap: bool | None = None

    def close():
        nonlocal run, run_wrap
        if run:
            depth = [0] * ndim
            for i in run:
                halo = Pipeline([pipe.steps[i]]).halo(ndim)
                depth = [a + b for a, b in zip(depth, halo)]
            stages.append(Stage("blockwise", tuple(run), tuple(pipe.steps[i].op for i in run), tuple(depth),
                                "periodic" if run_wrap else "image edge"))
        run, run_wrap = [], None

    for i, step in enumerate(pipe.steps):
        op = _get_op(step.op)
        if op.kind in ("pointwise", "neighbourhood") and not op.random:
            if op.kind == "neighbourhood":
                wrap = _step_mode(step) == "wrap"
                if run_wrap is not None and wrap != run_wrap:
                    close()
                run_wrap = wrap
            run.append(i)
            continue
        close()
        if op.random and op.kind == "pointwise":
            kind = "random"
        elif step.op in handlers:
            kind = {"global": "two-pass", "geometric": "geometric", "measure": "measure"}.get(op.kind, "two-pass")
        else:
            kind = "in-memory"
        stages.append(Stage(kind, (i,), (step.op,)))
    close()
    return stages


# -- the worker side: a chain of steps on one block ---------------------------------------------------------


@lru_cache(maxsize=64)
def _chain(spec: str) -> Pipeline:
    """The pipeline of a JSON spec (cached: built once per worker process)."""
    return Pipeline.from_dict(json.loads(spec))


def _run_chain(block: np.ndarray, spec: str, threads: int) -> np.ndarray:
    from fastdip import parallel

    with parallel.threads(threads):
        return _chain(spec).run(block)


class _Layout:
    """Where each part of an overlapped block goes (an opaque object, so Dask does not walk its slices)."""

    __slots__ = ("placement", "shape", "trims")

    def __init__(self, placement, shape, trims):
        self.placement, self.shape, self.trims = placement, shape, trims

    def __getstate__(self):
        return self.placement, self.shape, self.trims

    def __setstate__(self, state):
        self.placement, self.shape, self.trims = state


def _overlap_block(parts, layout: _Layout, spec, threads):
    """One output block: its own input block and its neighbours' overlapping strips assembled (per part, the
    source slice and the destination slice), the chain run on it, the overlap trimmed."""
    block = np.empty(layout.shape, parts[0].dtype)
    for part, (src, dst) in zip(parts, layout.placement):
        block[dst] = part[src]
    out = _run_chain(block, spec, threads)
    index = tuple(slice(lo, size - hi) for (lo, hi), size in zip(layout.trims, out.shape))
    return out[index]  # a view: Dask's concatenation or the store's write copies it once


def _overlap_graph(arr, spec: str, depth, periodic: bool, threads: int, dtype):
    """A Dask array whose block (i, j, ...) is the chain run on input block (i, j, ...) extended by ``depth``
    from its neighbours: one task per block (Dask's ``overlap`` makes several per block). At the image edge
    the block is cut (``periodic`` False) or extended from the opposite end (``periodic`` True). Every chunk
    along an axis with depth d must be at least d long (see :func:`_axis_chunks`)."""
    import itertools

    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    import dask.array as da

    name = "fastdip-overlap-" + tokenize(arr.name, spec, depth, periodic, threads)
    numblocks = arr.numblocks
    dsk = {}
    for idx in itertools.product(*(range(n) for n in numblocks)):
        sizes = [arr.chunks[ax][i] for ax, i in enumerate(idx)]
        options = []  # per axis: (offset, neighbour index, src slice, dst slice) for each piece along it
        trims = []
        for ax, (i, d, n, size) in enumerate(zip(idx, depth, numblocks, sizes)):
            left = d if d and (i > 0 or periodic) else 0
            right = d if d and (i < n - 1 or periodic) else 0
            pieces = [(i, slice(None), slice(left, left + size))]
            if left:
                pieces.append(((i - 1) % n, slice(arr.chunks[ax][(i - 1) % n] - d, None), slice(0, d)))
            if right:
                pieces.append(((i + 1) % n, slice(0, d), slice(left + size, left + size + d)))
            options.append(pieces)
            trims.append((left, right))
        keys, placement = [], []
        total = tuple(lo + size + hi for (lo, hi), size in zip(trims, sizes))
        for combo in itertools.product(*options):
            keys.append((arr.name,) + tuple(c[0] for c in combo))
            placement.append((tuple(c[1] for c in combo), tuple(c[2] for c in combo)))
        dsk[(name,) + idx] = (_overlap_block, keys, _Layout(placement, total, tuple(trims)), spec, threads)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=[arr])
    return da.Array(graph, name, arr.chunks, dtype=dtype, meta=np.empty((0,) * arr.ndim, dtype))


def _pointwise_block(block, spec, threads):
    return _run_chain(block, spec, threads)


def _random_block(block, spec, threads, block_info=None):
    """A random pointwise step on one block, its generator seeded from the step's rng and the block index."""
    if block_info is None:
        return block
    data = json.loads(spec)
    step = data["steps"][0]
    seed = step["params"].get("rng")
    loc = block_info[0]["chunk-location"]
    sequence = np.random.SeedSequence(entropy=seed if seed is not None else 0, spawn_key=tuple(loc))
    step["params"]["rng"] = int(sequence.generate_state(1, np.uint32)[0])
    return _run_chain(block, json.dumps(data), threads)


# -- scheduling and progress ---------------------------------------------------------------------------------


@dataclass
class _Context:
    """Where computations run: ``scheduler`` for dask.compute (a name or a Client), the worker count, the Client
    (when distributed) and whether to show progress."""

    scheduler: object
    workers: int
    client: object = None
    progress: bool = True
    close: list = field(default_factory=list)

    def compute(self, *things):
        import dask

        if self.client is not None:
            futures = self.client.compute(list(things))
            if self.progress and sys.stderr.isatty():
                from distributed import progress

                progress(futures, notebook=False)
            return tuple(self.client.gather(futures))
        with _RichProgress(self.progress):
            return dask.compute(*things, scheduler=self.scheduler, num_workers=self.workers)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _is_client(obj) -> bool:
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


@contextlib.contextmanager
def _scheduling(scheduler, num_workers, progress):
    """Set Dask's scheduler for the duration of an :func:`apply` (handlers that compute use it too)."""
    import dask

    if num_workers is not None and (isinstance(num_workers, bool) or not isinstance(num_workers, int)
                                    or num_workers < 1):
        raise ValueError(f"apply: num_workers must be a positive int, got {num_workers!r}")
    client = None
    made = []
    if scheduler is None or scheduler in ("threads", "threading"):
        name, workers = "threads", num_workers or _cores()
    elif scheduler in ("processes", "multiprocessing"):
        name, workers = "processes", num_workers or _cores()
    elif scheduler in ("synchronous", "sync", "single-threaded"):
        name, workers = "synchronous", 1
    elif _is_client(scheduler):
        client = scheduler
    elif scheduler == "distributed":
        from distributed import Client, LocalCluster

        try:
            from distributed import get_client

            client = get_client()
        except ValueError:  # no client yet: a local cluster for this call, on the loopback only
            # dashboard_address=None still starts the scheduler's HTTP server (metrics, health) on port 8787,
            # and warns when another cluster holds it: a free loopback port instead
            cluster = LocalCluster(n_workers=num_workers or _cores(), threads_per_worker=1, host="127.0.0.1",
                                   dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
            client = Client(cluster, set_as_default=False)
            made += [client, cluster]
    elif isinstance(scheduler, str) and ("://" in scheduler or ":" in scheduler):
        from distributed import Client

        client = Client(scheduler, set_as_default=False)
        made.append(client)
    else:
        raise ValueError(f"apply: scheduler must be None, 'threads', 'processes', 'synchronous', 'distributed', "
                         f"a distributed.Client or a scheduler address such as 'tcp://host:8786', got {scheduler!r}")
    if client is not None:
        name = client
        workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))
    settings = {"scheduler": name, "num_workers": workers}
    if name == "processes" and sys.platform.startswith("linux"):
        # forked workers inherit the imported modules and loaded kernels (spawned ones import fastdip and load
        # every kernel again: seconds each); fastdip.parallel keeps forked children off GNU OpenMP
        settings["multiprocessing.context"] = "fork"
    try:
        with dask.config.set(settings):
            yield _Context(name, workers, client, progress)
    finally:
        for thing in made:
            thing.close()


class _RichProgress:
    """A rich progress bar over the tasks of a local Dask computation (on a terminal only). ``done`` and
    ``total`` count tasks whether or not a bar is drawn."""

    last = None  # the most recent instance (tests read its counts)

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.done = 0
        self.total = 0
        self.bar = None
        self.callback = None

    def __enter__(self):
        if not self.enabled:
            return self
        from dask.callbacks import Callback

        outer = self

        class _Callback(Callback):
            def _start_state(self, dsk, state):
                outer.total += sum(len(state[k]) for k in ("ready", "waiting", "running")) + len(state["finished"])
                if outer.bar is not None:
                    outer.bar.update(outer.task, total=outer.total)

            def _posttask(self, key, result, dsk, state, worker_id):
                outer.done += 1
                if outer.bar is not None:
                    outer.bar.update(outer.task, completed=outer.done)

        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("[bold]scale"), BarColumn(), MofNCompleteColumn(), TextColumn("tasks"),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("scale", total=None)
            self.bar.start()
        self.callback = _Callback()
        self.callback.__enter__()
        _RichProgress.last = self
        return self

    def __exit__(self, *exc):
        if self.callback is not None:
            self.callback.__exit__(*exc)
        if self.bar is not None:
            self.bar.stop()
        return False


# -- executing -----------------------------------------------------------------------------------------------


def _spec(pipe: Pipeline, indices) -> str:
    return json.dumps({"version": 1, "steps": [pipe.steps[i].to_dict() for i in indices]}, sort_keys=True)


def _channel_axes(arr) -> set:
    """Axes kept in one chunk: short trailing axes (colour channels) of arrays with 3 or more dimensions."""
    if arr.ndim >= 3 and arr.shape[-1] <= CHANNEL_MAX:
        return {arr.ndim - 1}
    return set()


def _auto_chunks(shape, keep, native=None) -> tuple:
    """About AUTO_CHUNK_PIXELS per chunk; aligned with a store's own chunks (a whole number of them, so no
    stored chunk is read by two tasks), or the store's chunks where they are bigger already."""
    spatial = [ax for ax in range(len(shape)) if ax not in keep]
    side = max(16, int(round(AUTO_CHUNK_PIXELS ** (1 / max(1, len(spatial))))))
    out = []
    for ax, n in enumerate(shape):
        if ax in keep:
            out.append(n)
            continue
        c0 = max(native[ax]) if native is not None and native[ax] else n
        if native is None or len(native[ax]) == 1:
            out.append(min(n, side))
        elif c0 < side:
            out.append(min(n, (side // c0) * c0))
        else:
            out.append(c0)
    return tuple(out)


def _user_chunks(chunks, shape, keep) -> tuple:
    """``chunks`` (an int for every spatial axis, or one value per axis, -1/None = whole axis) as a shape."""
    ndim = len(shape)
    if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        if chunks < 1:
            raise ValueError(f"apply: chunks must be 'auto', a positive int or a tuple of them, got {chunks!r}")
        return tuple(n if ax in keep else min(n, int(chunks)) for ax, n in enumerate(shape))
    if isinstance(chunks, (tuple, list)):
        values = list(chunks)
        spatial = [ax for ax in range(ndim) if ax not in keep]
        if len(values) == len(spatial) and len(values) != ndim:
            full = list(shape)
            for ax, v in zip(spatial, values):
                full[ax] = v
            values = full
        if len(values) != ndim:
            raise ValueError(f"apply: chunks must have one value per axis ({ndim}), got {chunks!r}")
        out = []
        for n, v in zip(shape, values):
            if v is None or v == -1:
                out.append(n)
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1:
                out.append(min(n, int(v)))
            else:
                raise ValueError(f"apply: chunks must be positive ints (or -1 for a whole axis), got {chunks!r}")
        return tuple(out)
    raise ValueError(f"apply: chunks must be 'auto', a positive int or a tuple of them, got {chunks!r}")


def _axis_chunks(n: int, chunks: tuple, depth: int) -> tuple[tuple, int]:
    """Chunks along one axis such that every chunk is at least ``depth`` (the overlap), and the depth to use:
    0 when the axis ends up in one chunk."""
    if depth == 0 or len(chunks) == 1:
        return chunks, 0
    if min(chunks) >= depth:
        return chunks, depth
    size = max(max(chunks), depth)
    if n < 2 * size:
        return (n,), 0
    out = [size] * (n // size)
    rest = n - size * len(out)
    if rest:
        if rest < depth:
            out[-1] += rest
        else:
            out.append(rest)
    return tuple(out), depth


def _probe_dtype(spec: str, arr, depth) -> np.dtype:
    """The output dtype of a chain, from a run on a small block of zeros (the input's dtype)."""
    shape = tuple(n if n <= CHANNEL_MAX and ax == arr.ndim - 1 and arr.ndim >= 3 else min(n, 2 * d + 8)
                  for ax, (n, d) in enumerate(zip(arr.shape, depth)))
    sample = np.zeros(shape, arr.dtype)
    try:
        out = _run_chain(sample, spec, 1)
    except (ValueError, TypeError, PipelineError):
        # some ops refuse zeros (log of a constant is fine, but a LUT may not be); use real pixels
        index = tuple(slice(0, s) for s in shape)
        out = _run_chain(np.asarray(arr[index]), spec, 1)
        sample = out
    if out.shape != sample.shape:
        raise ScaleError(f"apply: the steps {json.loads(spec)['steps']} change the array's shape "
                         f"({sample.shape} -> {out.shape}); they cannot run blockwise")
    return out.dtype


def _threads_per_task(ctx: _Context, nblocks: int) -> int:
    if ctx.client is not None or ctx.scheduler == "processes":
        return 1  # worker processes/threads already use every core (fastdip gives them 1 thread anyway)
    return max(1, _cores() // max(1, min(ctx.workers, nblocks)))


def _blockwise(arr, pipe: Pipeline, stage: Stage, ctx: _Context):
    import dask.array as da

    spec = _spec(pipe, stage.steps)
    chunks, depth = [], []
    for n, c, d in zip(arr.shape, arr.chunks, stage.depth):
        cc, dd = _axis_chunks(n, c, d)
        chunks.append(cc)
        depth.append(dd)
    if tuple(chunks) != arr.chunks:
        arr = arr.rechunk(tuple(chunks))
    dtype = _probe_dtype(spec, arr, stage.depth)
    threads = _threads_per_task(ctx, math.prod(len(c) for c in arr.chunks))
    if not any(depth):
        return arr.map_blocks(_pointwise_block, spec, threads, dtype=dtype, meta=np.empty((0,) * arr.ndim, dtype))
    return _overlap_graph(arr, spec, tuple(depth), stage.boundary == "periodic", threads, dtype)


def _random(arr, pipe: Pipeline, stage: Stage, ctx: _Context, budget: int):
    name = stage.ops[0]
    need = arr.size * (arr.dtype.itemsize + 8)
    if need <= budget:
        return _in_memory(arr, pipe, stage, ctx, budget, None, quiet=True)
    import dask.array as da

    warnings.warn(f"apply: {name} on a {arr.shape} array larger than the memory budget runs per chunk, each "
                  "chunk with its own generator seeded from rng and the chunk index: reproducible for the same "
                  "chunks, but not the same noise as an in-memory run", stacklevel=3)
    spec = _spec(pipe, stage.steps)
    dtype = _probe_dtype(spec, arr, (0,) * arr.ndim)
    threads = _threads_per_task(ctx, math.prod(len(c) for c in arr.chunks))
    return da.map_blocks(_random_block, arr, spec, threads, dtype=dtype, meta=np.empty((0,) * arr.ndim, dtype))


def _sizes(arr) -> str:
    return f"{arr.shape} {arr.dtype} array ({arr.nbytes / 2**20:.0f} MiB)"


def _bind_params(params: dict, original):
    return {k: (original if isinstance(v, str) and v == "@input" else v) for k, v in params.items()}


def _in_memory(arr, pipe: Pipeline, stage: Stage, ctx: _Context, budget: int, original, quiet=False):
    """A step with no out-of-core handler: computed in memory when it fits ``budget``, refused otherwise."""
    import dask.array as da

    index = stage.steps[0]
    step = pipe.steps[index]
    need = arr.size * (arr.dtype.itemsize + 8)  # the input and a float64 working copy
    uses_input = any(isinstance(v, str) and v == "@input" for v in step.params.values())
    if uses_input and original is not None:
        need += original.size * original.dtype.itemsize
    if need > budget:
        raise ScaleError(f"apply: step {index + 1} ({step.op}) needs the whole image and has no out-of-core "
                         f"method; on a {_sizes(arr)} it needs about {need / 2**20:.0f} MiB, over the memory "
                         f"budget of {budget / 2**20:.0f} MiB (memory_limit=); run it on a smaller image, or "
                         "raise memory_limit on a machine that has the memory")
    if not quiet:
        msg = (f"apply: step {index + 1} ({step.op}) has no out-of-core method; running it in memory on the "
               f"whole {_sizes(arr)}")
        log.warning(msg)
        warnings.warn(msg, stacklevel=3)
    things = [arr] + ([original] if uses_input and original is not None else [])
    values = ctx.compute(*things)
    image = np.asarray(values[0])
    if uses_input:
        op = _get_op(step.op)
        kwargs = _bind_params(step.params, np.asarray(values[-1]))
        result = op.func(image, **kwargs)
        result = Table.from_result(result) if op.output == "table" else result
    else:
        result = Pipeline([step]).run(image)
    if isinstance(result, Table):
        return result
    result = np.asarray(result)
    chunks = arr.chunks if result.shape == arr.shape else "auto"
    return da.from_array(result, chunks=chunks, name=False)


def _execute(pipe: Pipeline, arr, ctx: _Context, budget: int):
    handlers = _handlers()
    original = arr
    current = arr
    for stage in plan(pipe, arr.ndim):
        if stage.kind == "blockwise":
            current = _blockwise(current, pipe, stage, ctx)
        elif stage.kind == "random":
            current = _random(current, pipe, stage, ctx, budget)
        elif stage.kind == "in-memory":
            current = _in_memory(current, pipe, stage, ctx, budget, original)
        else:
            step = pipe.steps[stage.steps[0]]
            op = _get_op(step.op)
            try:
                current = handlers[step.op](current, _bind_params(step.params, original), op)
            except NotImplementedError:  # parameters the handler cannot chunk exactly: the in-memory rule
                current = _in_memory(current, pipe, stage, ctx, budget, original)
            except (TypeError, ValueError) as exc:
                if isinstance(exc, ScaleError):
                    raise
                raise PipelineError(f"step {stage.steps[0] + 1} ({step.op}): {exc}") from exc
    return current


# -- the public entry point ------------------------------------------------------------------------------------


def apply(pipeline_or_op, data, *, chunks="auto", scheduler=None, out=None, progress=True, level=0, params=None,
          memory_limit=None, overwrite=False, format=None, num_workers=None, in_memory_below=IN_MEMORY_BELOW,
          pyramid_levels=4):
    """Run a pipeline (or one operation) on an image of any size with Dask, with the in-memory result.

    Parameters
    ----------
    pipeline_or_op : Pipeline, str, Op, Step or list
        A :class:`~fastdip.pipeline.Pipeline`, a pipeline file (.json/.yaml), a registered op name such as
        ``'filters.median'`` (its parameters in ``params``), an Op, a Step or a list of steps.
    data : numpy.ndarray, dask.array.Array, zarr.Array, str or os.PathLike
        The image: an array, a zarr array or its path, an OME-Zarr image path (level ``level``), or a
        TIFF/BigTIFF read lazily tile by tile (see :func:`open_array`). Colour is channel-last; short last
        axes (at most 4) of 3-D or larger arrays are kept in one chunk.
    chunks : 'auto', int or tuple, optional
        The Dask chunks. 'auto': inputs under ``in_memory_below`` bytes run in memory without Dask; larger
        ones get chunks of about 4 Mpixels (2048 x 2048), a whole number of a store's own chunks (TIFF tiles,
        zarr chunks) or the store's chunks where they are bigger. An int or a tuple always runs chunked (also
        for small inputs), rechunked where an overlap is deeper than a chunk.
    scheduler : None, str or distributed.Client, optional
        None or 'threads' (Dask's threaded scheduler: numba kernels release the GIL), 'processes',
        'synchronous', 'distributed' (the current Client, else a local cluster on 127.0.0.1 for this call), a
        ``distributed.Client``, or a scheduler address ('tcp://host:8786').
    out : str or os.PathLike, optional
        Write the result here (``.zarr`` zarr v3, ``.ome.zarr`` OME-Zarr 0.5, ``.tif`` tiled BigTIFF, see
        :func:`write`; ``.csv`` for a table) and return the path. Complete or absent: written under a
        temporary name and renamed.
    progress : bool, optional
        A progress bar (rich) on a terminal while apply computes.
    level : int, optional
        The OME-Zarr / pyramidal-TIFF level to read (0 = full resolution).
    params : dict, optional
        The parameters of a single op given by name.
    memory_limit : int, optional
        Bytes a step without an out-of-core method (FFT filters, deconvolution, ...) may use in memory;
        default a quarter of the available memory (:func:`memory_budget`). Over it, such a step is refused.
    overwrite : bool, optional
        Replace an existing ``out``.
    format : {'zarr', 'ome-zarr', 'tiff'}, optional
        The format of ``out`` when its suffix does not say.
    num_workers : int, optional
        Threads or processes of a local scheduler (default: the usable cores).
    in_memory_below : int, optional
        The 'auto' threshold in bytes for running without Dask.
    pyramid_levels : int, optional
        Levels below full resolution in an OME-Zarr output.

    Returns
    -------
    dask.array.Array or Table or pathlib.Path
        The result as a lazy Dask array (a small input's, run in memory, wrapped in one); a
        :class:`~fastdip.pipeline.Table` for a measurement pipeline; the written path when ``out`` is given.
        The ``scheduler`` runs what apply computes itself (global passes, tables, the write to ``out``); a
        returned lazy array is computed by the scheduler you compute it with.

    Raises
    ------
    PipelineError
        For a bad pipeline (before anything runs) or a step that fails.
    ScaleError
        When a step without an out-of-core method would need more than ``memory_limit``.
    FileExistsError
        If ``out`` exists and ``overwrite`` is False (before anything is computed).

    Notes
    -----
    Consecutive pointwise/neighbourhood steps run in one ``map_overlap``-style pass whose depth is the sum of
    their halos; blocks are cut, not padded, at the image edge, so every step applies its own border ``mode``
    at the true edge and the result equals the in-memory run for every mode (``wrap`` runs as a periodic
    overlap). See :func:`plan` and the module documentation for the proof sketch.

    References
    ----------
    M. Rocklin, "Dask: Parallel Computation with Blocked algorithms and Task Scheduling", Proc. 14th Python in
    Science Conf., 2015, pp. 126-132 (blocked algorithms with ghost cells). DOI 10.25080/Majora-7b98e3ed-013.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip import scale, filters
    >>> img = np.random.default_rng(0).integers(0, 255, (100, 120), dtype=np.uint8)
    >>> out = scale.apply("filters.median", img, params={"size": 5}, chunks=(37, 53), progress=False)
    >>> out.chunks[0][:2], bool((out.compute() == filters.median(img, 5)).all())
    ((37, 37), True)
    """
    pipe = as_pipeline(pipeline_or_op, params)
    budget = memory_budget() if memory_limit is None else memory_limit
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or budget <= 0:
        raise ValueError(f"apply: memory_limit must be a positive number of bytes, got {memory_limit!r}")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"apply: progress must be True or False, got {progress!r}")
    if out is not None:
        _check_out(out, pipe, data, overwrite, format)
    auto = isinstance(chunks, str) and chunks == "auto"
    if isinstance(chunks, str) and not auto:
        raise ValueError(f"apply: chunks must be 'auto', a positive int or a tuple of them, got {chunks!r}")
    with _scheduling(scheduler, num_workers, progress) as ctx:
        if auto and isinstance(data, np.ndarray) and data.nbytes < in_memory_below:
            return _finish(pipe.run(data), out, ctx, overwrite, format, pyramid_levels, None)
        from ._store import open_array

        arr = open_array(data, level=level)
        if auto and arr.nbytes < in_memory_below:
            image = np.asarray(ctx.compute(arr)[0])
            return _finish(pipe.run(image), out, ctx, overwrite, format, pyramid_levels, None)
        keep = _channel_axes(arr)
        if auto:
            target = _auto_chunks(arr.shape, keep, arr.chunks)
        else:
            target = _user_chunks(chunks, arr.shape, keep)
        if keep:  # channels are never split
            target = tuple((n,) if ax in keep else c for ax, (n, c) in enumerate(zip(arr.shape, target)))
        if isinstance(data, np.ndarray):
            import dask.array as da

            # chunked at the source: rechunking a one-chunk array slices and copies every chunk in a task
            # (about 5x slower to deliver the blocks of a 4096^2 image)
            arr = da.from_array(data, chunks=target, name=False)  # no hashing of the pixels
        else:
            arr = arr.rechunk(target)
        result = _execute(pipe, arr, ctx, int(budget))
        return _finish(result, out, ctx, overwrite, format, pyramid_levels, keep)


def _check_out(out, pipe: Pipeline, data, overwrite, format) -> None:
    from ._store import format_of

    path = Path(out)
    if path.exists() and not overwrite:
        raise FileExistsError(17, "apply: the output already exists; pass overwrite=True to replace it", str(path))
    if isinstance(data, (str, os.PathLike)) and Path(data).resolve() == path.resolve():
        raise ValueError(f"apply: out {str(path)!r} is the input; choose another output")
    if pipe.output == "table":
        if path.suffix.lower() != ".csv":
            raise ValueError(f"apply: a measurement pipeline writes a table: out must end in .csv, got {str(path)!r}")
    else:
        format_of(path, format)


def _finish(result, out, ctx: _Context, overwrite, format, pyramid_levels, keep):
    import dask.array as da

    if out is None:
        if isinstance(result, (Table, da.Array)):
            return result
        result = np.asarray(result)
        return da.from_array(result, chunks=result.shape, name=False)
    if isinstance(result, Table):
        return _write_table(result, Path(out), overwrite)
    from ._store import write

    if not isinstance(result, da.Array):
        result = da.from_array(np.asarray(result), chunks=_auto_chunks(np.shape(result), set()), name=False)
    channel = -1 if (keep if keep is not None else _channel_axes(result)) else None
    return write(result, out, format=format, overwrite=overwrite, channel_axis=channel,
                 pyramid_levels=pyramid_levels, compute=ctx.compute)


def _write_table(table: Table, path: Path, overwrite: bool) -> Path:
    import csv
    import io

    from ._store import _Destination

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows():
        writer.writerow([row[c] for c in table.columns])
    with _Destination(path, overwrite, "apply") as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


# -- many files over a cluster -------------------------------------------------------------------------------


def _process_files(pipeline_dict: dict, jobs: list, overwrite: bool, max_bytes) -> list:
    """On a worker: run the pipeline file by file (the batch runner's per-file function)."""
    from fastdip.pipeline import _batch

    pipe = _chain(json.dumps(pipeline_dict, sort_keys=True))
    return [(i, _batch._process(pipe, source, target, overwrite, max_bytes)) for i, source, target in jobs]


def run_files(pipeline, inputs, outdir, *, scheduler="distributed", overwrite=False, resume=False, fmt=None,
              report=None, recursive=False, max_bytes=None, progress=True):
    """Run a pipeline on many image files over a Dask cluster: one task per few files.

    Parameters
    ----------
    pipeline : Pipeline, str or list
        As for :func:`apply`.
    inputs : sequence of str or os.PathLike
        Files, folders and glob patterns (as ``fastdip run``). The workers must see the same paths (a shared
        file system) and have the same fastdip version installed.
    outdir : str or os.PathLike
        The output folder; outputs are named after the inputs and written atomically.
    scheduler : str or distributed.Client, optional
        A Client, a scheduler address ('tcp://host:8786') or 'distributed' (the current Client, else a local
        cluster on 127.0.0.1 for this call).
    overwrite, resume, fmt, report, recursive, max_bytes, progress
        As for :func:`fastdip.pipeline.run_batch`.

    Returns
    -------
    fastdip.pipeline.BatchResult
        Per-file results and the exit code (0, or 1 when some failed).

    Raises
    ------
    PipelineError
        For bad inputs, colliding outputs or bad options (before any file is touched).

    References
    ----------
    M. Rocklin, "Dask: Parallel Computation with Blocked algorithms and Task Scheduling", SciPy 2015;
    Dask.distributed documentation, ``Client.map``.

    Examples
    --------
    >>> from fastdip.scale import run_files
    >>> callable(run_files)
    True
    """
    import time

    from fastdip.pipeline import _batch

    pipe = as_pipeline(pipeline)
    if overwrite and resume:
        raise PipelineError("--overwrite and --resume contradict each other; give one")
    if fmt is not None and fmt not in _batch.FORMATS:
        raise PipelineError(f"format must be one of {', '.join(_batch.FORMATS)}, got {fmt!r}")
    files = _batch.collect_inputs(inputs, recursive=recursive)
    targets = _batch.plan_outputs(files, outdir, output=pipe.output, fmt=fmt)
    Path(outdir).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results = [None] * len(files)
    todo = []
    for i, ((source, _), target) in enumerate(zip(files, targets)):
        if resume and target.exists():
            results[i] = _batch.FileResult(str(source), str(target), "skipped",
                                           table=str(target) if pipe.output == "table" else None)
        else:
            todo.append(i)
    batch = _batch.BatchResult()
    bar = _batch._Progress(len(files), enabled=progress)
    bar.advance(len(files) - len(todo))
    if scheduler is None or isinstance(scheduler, str) and scheduler in ("threads", "processes", "synchronous"):
        raise ValueError(f"run_files: scheduler must be a distributed Client, an address or 'distributed', got "
                         f"{scheduler!r} (use fastdip.pipeline.run_batch for local workers)")
    try:
        with _scheduling(scheduler, None, False) as ctx:
            from distributed import as_completed

            client = ctx.client
            size = max(1, min(16, len(todo) // max(1, 4 * ctx.workers)))
            chunks = [[(i, str(files[i][0]), str(targets[i])) for i in todo[k:k + size]]
                      for k in range(0, len(todo), size)]
            futures = {client.submit(_process_files, pipe.to_dict(), chunk, overwrite, max_bytes, pure=False): chunk
                       for chunk in chunks}
            for future in as_completed(list(futures), loop=client.loop):
                try:
                    done = future.result()
                except Exception as exc:  # a worker that died: its files failed
                    done = [(i, _batch.FileResult(s, t, "failed", error=f"the worker failed ({type(exc).__name__}: "
                                                                      f"{exc})")) for i, s, t in futures[future]]
                for i, result in done:
                    results[i] = result
                    bar.advance(1, failed=result.status == "failed")
    except KeyboardInterrupt:
        batch.interrupted = True
    finally:
        bar.close()
    batch.files = [r if r is not None else _batch.FileResult(str(s), str(t), "not run")
                   for r, (s, _), t in zip(results, files, targets)]
    batch.seconds = time.perf_counter() - start
    if pipe.output == "table":
        batch.combined_table = _batch._combine(batch, Path(outdir))
    if report is not None:
        _batch._atomic_text(Path(report), json.dumps({"pipeline": pipe.to_dict(), **batch.to_dict()}, indent=2)
                            + "\n", overwrite=True)
    return batch
