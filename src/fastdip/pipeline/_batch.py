"""Running a pipeline over many files: inputs from files, folders and globs; outputs named after the inputs and
written atomically; worker processes; resume; a per-file report; tables as CSV. The engine of ``fastdip run``."""

from __future__ import annotations

import csv
import glob
import io as _io
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ._pipeline import Pipeline, PipelineError

#: output formats ``--format`` accepts, and the input extensions whose format is kept by default
FORMATS = ("png", "tif", "npy")
_KEEP = {".png": "png", ".tif": "tif", ".tiff": "tif", ".npy": "npy"}


@dataclass
class FileResult:
    """What happened to one input: ``status`` is 'ok', 'failed', 'skipped' (output already there, --resume)
    or 'not run' (interrupted first); ``error`` says why a file failed."""

    input: str
    output: str | None
    status: str
    seconds: float = 0.0
    error: str | None = None
    table: str | None = None


@dataclass
class BatchResult:
    """The outcome of :func:`run_batch`: one :class:`FileResult` per input, in input order."""

    files: list = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    combined_table: str | None = None

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when every file succeeded (or was skipped), 1 when some failed, 130 when interrupted."""
        if self.interrupted:
            return 130
        return 1 if self.count("failed") else 0

    def summary(self) -> str:
        rate = self.count("ok") / self.seconds if self.seconds > 0 else 0.0
        text = (f"{self.count('ok')} written, {self.count('skipped')} skipped, {self.count('failed')} failed"
                f"{', ' + str(self.count('not run')) + ' not run' if self.count('not run') else ''} "
                f"in {self.seconds:.1f} s ({rate:.1f} files/s)")
        return text + (" — interrupted" if self.interrupted else "")

    def to_dict(self) -> dict:
        return {"seconds": self.seconds, "interrupted": self.interrupted, "combined_table": self.combined_table,
                "counts": {s: self.count(s) for s in ("ok", "skipped", "failed", "not run")},
                "files": [asdict(f) for f in self.files]}


# -- inputs and outputs --------------------------------------------------------------------------------------


def collect_inputs(inputs, *, recursive: bool = False) -> list[tuple[Path, Path]]:
    """``(path, name relative to its source)`` for every image file named by ``inputs`` (files, folders, glob
    patterns), in order, each once. A folder gives the image files in it (all levels with ``recursive``);
    only files with an extension fastdip reads are taken from folders and patterns.

    Raises
    ------
    PipelineError
        For an input that does not exist, matches nothing, or holds no image file.
    """
    from fastdip import io

    def is_image(p: Path) -> bool:
        name = p.name.lower()
        return p.is_file() and (name.endswith(".nii.gz") or p.suffix.lower() in io.EXTENSIONS)

    found, seen = [], set()
    for raw in inputs:
        text = os.fspath(raw)
        path = Path(text)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            items = [(p, p.relative_to(path)) for p in sorted(path.glob(pattern)) if is_image(p)]
            if not items:
                raise PipelineError(f"folder {text!r} holds no image file" + ("" if recursive else
                                                                                 " (use --recursive for sub-folders)"))
        elif path.exists():
            items = [(path, Path(path.name))]
        elif any(c in text for c in "*?["):
            items = [(Path(p), Path(Path(p).name)) for p in sorted(glob.glob(text, recursive=recursive))
                     if is_image(Path(p))]
            if not items:
                raise PipelineError(f"pattern {text!r} matches no image file")
        else:
            raise PipelineError(f"input {text!r} does not exist")
        for p, rel in items:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                found.append((p, rel))
    return found


def plan_outputs(files, outdir, *, output: str, fmt: str | None) -> list[Path]:
    """The output path of each input: OUTDIR/<relative folder>/<stem>.<ext> (``.csv`` for tables; the input's
    own format by default for png/tif/npy inputs, else tif).

    Raises
    ------
    PipelineError
        If two inputs would write the same output, or an output would replace an input.
    """
    outdir = Path(outdir)
    outputs, owner = [], {}
    inputs = {p.resolve() for p, _ in files}
    for path, rel in files:
        name = rel.name[:-7] if rel.name.lower().endswith(".nii.gz") else rel.stem
        if output == "table":
            ext = "csv"
        else:
            ext = fmt or _KEEP.get(path.suffix.lower(), "tif")
        target = outdir / rel.parent / f"{name}.{ext}"
        key = target.resolve()
        if key in owner:
            raise PipelineError(f"{path} and {owner[key]} would both write {target}; rename one, or run them "
                                "separately")
        if key in inputs:
            raise PipelineError(f"the output {target} would replace an input; choose another output folder")
        owner[key] = path
        outputs.append(target)
    return outputs


# -- one file ------------------------------------------------------------------------------------------------

_worker_pipeline: Pipeline | None = None
_worker_max_bytes: int | None = None


def _init_worker(pipeline_dict: dict, threads: int, max_bytes: int | None) -> None:
    """Worker process set-up: the pipeline once, and fastdip's threads shared out among the workers."""
    global _worker_pipeline, _worker_max_bytes
    import fastdip

    fastdip.set_threads(threads)
    _worker_pipeline = Pipeline.from_dict(pipeline_dict)
    _worker_max_bytes = max_bytes


def _write_csv(path: Path, table, *, overwrite: bool) -> None:
    buffer = _io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows():
        writer.writerow([row[c] for c in table.columns])
    _atomic_text(path, buffer.getvalue(), overwrite=overwrite)


def _atomic_text(path: Path, text: str, *, overwrite: bool) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    try:
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # refuses an existing file
            os.unlink(tmp)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def _process(pipeline: Pipeline, source: str, target: str, overwrite: bool, max_bytes: int | None) -> FileResult:
    """Read, run, write one file; every failure becomes a 'failed' result with its reason."""
    from fastdip import io

    start = time.perf_counter()
    result = FileResult(source, target, "ok")
    try:
        image = io.imread(source, max_bytes=max_bytes or io.DEFAULT_MAX_BYTES)
        out = pipeline.run(image)
        parent = os.path.dirname(target)
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        if pipeline.output == "table":
            _write_csv(Path(target), out, overwrite=overwrite)
            result.table = target
        else:
            io.imwrite(target, out, overwrite=overwrite)
    except FileExistsError:
        result.status, result.error = "failed", "the output exists (use --overwrite to replace it, --resume to skip it)"
    except (OSError, ValueError, TypeError, MemoryError) as exc:
        result.status, result.error = "failed", " ".join(str(exc).split()) or type(exc).__name__
    result.seconds = time.perf_counter() - start
    return result


def _process_in_worker(jobs: list, overwrite: bool) -> list:
    """A chunk of (index, source, target) jobs in one worker call: one round trip per chunk, not per file."""
    return [(i, _process(_worker_pipeline, source, target, overwrite, _worker_max_bytes)) for i, source, target in jobs]


# -- the batch -----------------------------------------------------------------------------------------------


def run_batch(pipeline, inputs, outdir, *, workers=1, overwrite=False, resume=False, fmt=None, report=None,
              recursive=False, max_bytes=None, progress=True) -> BatchResult:
    """Run ``pipeline`` on every image named by ``inputs``, writing one output per input into ``outdir``.

    Parameters
    ----------
    pipeline : Pipeline
    inputs : sequence of str or os.PathLike
        Files, folders (their image files; all levels with ``recursive``) and glob patterns.
    outdir : str or os.PathLike
        Created if needed. Outputs are named after the inputs (sub-folders of a folder input are kept).
    workers : int, optional
        Worker processes (forked on Linux, after this process has run the first file and so loaded the
        kernels; spawned elsewhere); fastdip's threads are shared out among them. 1 runs in this process.
    overwrite : bool, optional
        Replace existing outputs; otherwise an existing output is left untouched and its input reported failed.
    resume : bool, optional
        Skip inputs whose output already exists (outputs are written atomically, so one that exists is
        complete).
    fmt : {'png', 'tif', 'npy'}, optional
        The image format of the outputs; default the input's own (png, tif, npy) or tif.
    report : str or os.PathLike, optional
        Write a JSON report (every file with status, seconds and error) here.
    recursive : bool, optional
        Descend into sub-folders of folder inputs (and ``**`` in patterns).
    max_bytes : int, optional
        The decoded-size budget of each input (default ``io.DEFAULT_MAX_BYTES``).
    progress : bool, optional
        A progress bar with files/s and ETA on a terminal.

    Returns
    -------
    BatchResult
        Per-file results; ``exit_code`` is 0, 1 (some failed) or 130 (interrupted). Measurement pipelines
        also write OUTDIR/results.csv: every table with a leading ``file`` column.

    Raises
    ------
    PipelineError
        Before any file is touched: bad inputs, output collisions, an output that would replace an input,
        bad options.

    References
    ----------
    Python documentation, ``concurrent.futures.ProcessPoolExecutor``; A. E. Carpenter et al., CellProfiler,
    Genome Biology 7, R100, 2006 (batch pipelines). DOI 10.1186/gb-2006-7-10-r100.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from fastdip import io
    >>> from fastdip.pipeline import Pipeline, run_batch
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> for i in range(2):
    ...     _ = io.imwrite(tmp / f"in{i}.png", np.full((8, 8), 40 * i, np.uint8))
    >>> p = Pipeline([{"op": "intensity.negative"}])
    >>> result = run_batch(p, [tmp / "in0.png", tmp / "in1.png"], tmp / "out", progress=False)
    >>> result.exit_code, result.count("ok")
    (0, 2)
    >>> int(io.imread(tmp / "out" / "in1.png")[0, 0])
    215
    """
    if not isinstance(pipeline, Pipeline):
        raise PipelineError(f"pipeline must be a Pipeline, got {type(pipeline).__name__}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PipelineError(f"workers must be a positive integer, got {workers!r}")
    if fmt is not None and fmt not in FORMATS:
        raise PipelineError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if overwrite and resume:
        raise PipelineError("--overwrite and --resume contradict each other; give one")
    files = collect_inputs(inputs, recursive=recursive)
    targets = plan_outputs(files, outdir, output=pipeline.output, fmt=fmt)
    Path(outdir).mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    results: list[FileResult | None] = [None] * len(files)
    todo = []
    for i, ((source, _), target) in enumerate(zip(files, targets)):
        if resume and target.exists():
            results[i] = FileResult(str(source), str(target), "skipped", table=str(target)
                                    if pipeline.output == "table" else None)
        else:
            todo.append(i)
    batch = BatchResult()
    bar = _Progress(len(files), enabled=progress)
    bar.advance(len(files) - len(todo))
    try:
        if workers == 1 or len(todo) <= 1:
            for i in todo:
                results[i] = _process(pipeline, str(files[i][0]), str(targets[i]), overwrite, max_bytes)
                bar.advance(1, failed=results[i].status == "failed")
        else:
            _run_pool(pipeline, files, targets, todo, results, workers, overwrite, max_bytes, bar)
    except KeyboardInterrupt:
        batch.interrupted = True
    finally:
        bar.close()
    batch.files = [r if r is not None else FileResult(str(s), str(t), "not run") for r, (s, _), t
                   in zip(results, files, targets)]
    batch.seconds = time.perf_counter() - start
    if pipeline.output == "table":
        batch.combined_table = _combine(batch, Path(outdir))
    if report is not None:
        _atomic_text(Path(report), json.dumps({"pipeline": pipeline.to_dict(), **batch.to_dict()}, indent=2)
                     + "\n", overwrite=True)
    return batch


def _start_method() -> str:
    """'fork' where the platform has it (Linux): workers inherit this process's imported modules and compiled
    kernels, so they start in milliseconds rather than the ~1.4 s a fresh process needs to import fastdip and
    load its kernels (measured here); fastdip.parallel keeps forked children off GNU OpenMP. 'spawn' elsewhere."""
    import multiprocessing
    import sys

    return "fork" if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _run_pool(pipeline, files, targets, todo, results, workers, overwrite, max_bytes, bar) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import fastdip

    # the first file here: it loads the pipeline's kernels, which forked workers then inherit
    first, todo = todo[0], todo[1:]
    results[first] = _process(pipeline, str(files[first][0]), str(targets[first]), overwrite, max_bytes)
    bar.advance(1, failed=results[first].status == "failed")
    if not todo:
        return
    threads = max(1, fastdip.get_threads() // workers)
    bar.pause()  # no progress-bar thread while the workers are forked
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)),
                               mp_context=multiprocessing.get_context(_start_method()),
                               initializer=_init_worker, initargs=(pipeline.to_dict(), threads, max_bytes))
    # chunks of files per task: with ~6 ms per camera-size file, a round trip per file cost a quarter of the time;
    # about 8 chunks per worker keep the load balanced
    size = max(1, min(16, len(todo) // (8 * workers)))
    chunks = [[(i, str(files[i][0]), str(targets[i])) for i in todo[k:k + size]] for k in range(0, len(todo), size)]
    try:
        futures = {pool.submit(_process_in_worker, chunk, overwrite): chunk for chunk in chunks}
        bar.resume()
        for future in as_completed(futures):
            try:
                done = future.result()
            except Exception as exc:  # a worker that died (killed, out of memory): its files failed
                done = [(i, FileResult(source, target, "failed",
                                       error=f"the worker process failed ({type(exc).__name__}: {exc})"))
                        for i, source, target in futures[future]]
            for i, result in done:
                results[i] = result
                bar.advance(1, failed=result.status == "failed")
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)


def _combine(batch: BatchResult, outdir: Path) -> str | None:
    """OUTDIR/results.csv: every per-file table (written now or earlier) with a leading ``file`` column."""
    header, rows = None, []
    for f in batch.files:
        if f.status not in ("ok", "skipped") or f.output is None or not Path(f.output).exists():
            continue
        with open(f.output, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            columns = next(reader, None)
            if columns is None:
                continue
            header = header or columns
            rows += [[f.input, *row] for row in reader]
    if header is None:
        return None
    buffer = _io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", *header])
    writer.writerows(rows)
    path = outdir / "results.csv"
    _atomic_text(path, buffer.getvalue(), overwrite=True)
    return str(path)


class _Progress:
    """A rich progress bar (files done, files/s, ETA) on a terminal; nothing otherwise."""

    def __init__(self, total: int, enabled: bool):
        import sys

        self.bar = None
        if not enabled or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("[bold]run"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]} files/s"), TextColumn("{task.fields[failed]} failed"),
                            TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True),
                            transient=False)
        self.task = self.bar.add_task("run", total=total, rate="-", failed=0)
        self.failed = 0
        self.start = time.perf_counter()
        self.done = 0
        self.bar.start()

    def advance(self, n: int, failed: bool = False) -> None:
        if self.bar is None or n == 0:
            return
        self.done += n
        self.failed += failed
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        self.bar.update(self.task, advance=n, rate=f"{rate:.1f}", failed=self.failed)

    def pause(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def resume(self) -> None:
        if self.bar is not None:
            self.bar.start()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
