"""Declarative pipelines: an ordered list of registered operations with their parameters, validated completely
before anything runs, stored as JSON or YAML, runnable on an image and convertible to a plain Python script."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._registry import get
from ._schema import NamedFootprint, ParamError, check_value

#: the file format version written by :meth:`Pipeline.to_file` (and the only one read)
VERSION = 1


class PipelineError(ValueError):
    """A pipeline that cannot run: bad file, unknown operation, bad parameter, or a step that failed."""


@dataclass(frozen=True)
class Step:
    """One step: a registered operation and its parameters (as given, in JSON form)."""

    op: str
    params: dict

    def to_dict(self) -> dict:
        return {"op": self.op, "params": dict(self.params)}


class Table:
    """A measurement step's result: named columns of equal length, one row per object (or one row).

    ``columns`` lists the names; ``rows()`` gives dicts; ``to_csv(path)`` writes them (with extra leading
    columns such as ``file`` when given).
    """

    def __init__(self, columns, data):
        self.columns = list(columns)
        self.data = {c: list(data[c]) for c in self.columns}

    def __len__(self) -> int:
        return len(self.data[self.columns[0]]) if self.columns else 0

    def rows(self) -> list[dict]:
        return [{c: self.data[c][i] for c in self.columns} for i in range(len(self))]

    def __eq__(self, other) -> bool:
        return isinstance(other, Table) and self.columns == other.columns and self.rows() == other.rows()

    def __repr__(self) -> str:
        return f"Table({len(self)} rows x {len(self.columns)} columns: {', '.join(self.columns[:6])}...)"

    @staticmethod
    def from_result(result) -> Table:
        """A RegionTable, a dataclass of numbers (histogram.stats) or a number (measure.count) as a Table."""
        if hasattr(result, "columns") and hasattr(result, "data"):
            columns, data = [], {}
            for c in result.columns:
                values = np.asarray(result.data[c])
                if values.ndim == 2:  # e.g. centroid: one column per axis
                    for k in range(values.shape[1]):
                        columns.append(f"{c}_{k}")
                        data[f"{c}_{k}"] = [_plain(v) for v in values[:, k]]
                else:
                    columns.append(c)
                    data[c] = [_plain(v) for v in values]
            return Table(columns, data)
        if hasattr(result, "__dataclass_fields__"):
            names = list(result.__dataclass_fields__)
            return Table(names, {n: [_plain(getattr(result, n))] for n in names})
        return Table(["count"], {"count": [_plain(result)]})


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _as_step(raw, index: int) -> Step:
    where = f"step {index}"
    if isinstance(raw, Step):
        return raw
    if isinstance(raw, (tuple, list)) and len(raw) == 2 and isinstance(raw[0], str):
        raw = {"op": raw[0], "params": raw[1]}
    if isinstance(raw, str):
        raw = {"op": raw, "params": {}}
    if not isinstance(raw, dict) or "op" not in raw:
        raise PipelineError(f"{where}: must be {{'op': NAME, 'params': {{...}}}}, got {raw!r:.80}")
    extra = set(raw) - {"op", "params"}
    if extra:
        raise PipelineError(f"{where}: unknown keys {sorted(extra)} (a step has 'op' and 'params')")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise PipelineError(f"{where} ({raw['op']}): params must be a mapping of names to values, got {params!r:.80}")
    return Step(str(raw["op"]), dict(params))


class Pipeline:
    """An ordered list of registered operations, validated completely on construction.

    Parameters
    ----------
    steps : sequence
        Each a ``{"op": NAME, "params": {...}}`` dict, a ``(NAME, params)`` pair, a bare NAME or a
        :class:`Step`. Operation names are those of the registry (``fastdip ops``); parameters are checked
        against each operation's schema (types, choices, bounds, required, unknown names).
    version : int, optional
        The file format version (1).

    Raises
    ------
    PipelineError
        Naming the step number (from 1), the operation, the parameter, the value and what is allowed.

    Notes
    -----
    A measurement step (``measure.regionprops``, ``measure.count``, ``histogram.stats``) may only end the
    pipeline: its table is the output. Values are kept in JSON form, so :meth:`to_file` round trips exactly.
    The string ``"@input"`` as the value of an image parameter (``measure.regionprops``'s ``intensity``)
    stands for the pipeline's input image.

    References
    ----------
    A. E. Carpenter et al., "CellProfiler: image analysis software for identifying and quantifying cell
    phenotypes", Genome Biology 7, R100, 2006 (pipelines of modules). DOI 10.1186/gb-2006-7-10-r100.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdip.pipeline import Pipeline
    >>> p = Pipeline([("filters.median", {"size": 3}), ("segmentation.binarize", {"threshold": "otsu"})])
    >>> mask = p.run(np.array([[0, 0, 9, 9], [0, 0, 9, 9]], dtype=np.uint8))
    >>> mask.astype(int).tolist()
    [[0, 0, 1, 1], [0, 0, 1, 1]]
    >>> Pipeline([("filters.median", {"size": 0})])
    Traceback (most recent call last):
    ...
    fastdip.pipeline._pipeline.PipelineError: step 1 (filters.median): parameter 'size' must be an integer (odd) in [1, inf], got 0
    """

    def __init__(self, steps, *, version=VERSION):
        if version != VERSION:
            raise PipelineError(f"version must be {VERSION}, got {version!r}")
        if isinstance(steps, (str, bytes, dict)) or not hasattr(steps, "__iter__"):
            raise PipelineError(f"steps must be a list of steps, got {type(steps).__name__}")
        self.steps = tuple(_as_step(s, i + 1) for i, s in enumerate(steps))
        if not self.steps:
            raise PipelineError("a pipeline needs at least one step")
        self._resolved = [self._check(i + 1, step, last=i == len(self.steps) - 1) for i, step in enumerate(self.steps)]

    @staticmethod
    def _check(index: int, step: Step, last: bool):
        try:
            op = get(step.op)
        except KeyError as exc:
            raise PipelineError(f"step {index}: {exc.args[0]}") from None
        where = f"step {index} ({step.op})"
        if op.output == "table" and not last:
            raise PipelineError(f"{where}: a measurement step returns a table and can only end a pipeline")
        known = {p.name for p in op.params}
        unknown = set(step.params) - known
        if unknown:
            raise PipelineError(f"{where}: unknown parameter {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(known))}")
        values = {}
        for p in op.params:
            if p.name in step.params:
                try:
                    values[p.name] = check_value(p, step.params[p.name], where)
                except ParamError as exc:
                    raise PipelineError(str(exc)) from None
            elif p.required:
                raise PipelineError(f"{where}: parameter {p.name!r} is required ({p.help})")
        return op, values

    # -- running ---------------------------------------------------------------------------------------

    @property
    def output(self) -> str:
        """``'image'``, or ``'table'`` when the last step is a measurement."""
        return self._resolved[-1][0].output

    def run(self, image):
        """Run every step on ``image``; return the final image (ndarray) or :class:`Table`.

        Raises
        ------
        PipelineError
            When a step fails (the message names the step, the operation and the function's own error).
        """
        current = image
        for index, (op, values) in enumerate(self._resolved, start=1):
            kwargs = {k: _bind(v, image) for k, v in values.items()}
            try:
                result = op.func(current, **kwargs)
            except (TypeError, ValueError) as exc:
                raise PipelineError(f"step {index} ({op.name}): {exc}") from exc
            if op.field is not None:
                result = getattr(result, op.field)
            current = Table.from_result(result) if op.output == "table" else result
        return current

    def halo(self, ndim: int) -> tuple[int, ...] | None:
        """The context each output pixel needs, per axis of an ``ndim``-D input: the halos of the steps summed;
        None when a step needs the whole image (global or geometric) or the pipeline ends in a table."""
        total = [0] * ndim
        for op, values in self._resolved:
            h = op.halo(values, ndim)
            if h is None:
                return None
            total = [a + b for a, b in zip(total, h)]
        return tuple(total)

    # -- files --------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {"version": VERSION, "steps": [s.to_dict() for s in self.steps]}

    def __eq__(self, other) -> bool:
        return isinstance(other, Pipeline) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Pipeline({' -> '.join(s.op for s in self.steps)})"

    @classmethod
    def from_dict(cls, data) -> Pipeline:
        if not isinstance(data, dict) or "steps" not in data:
            raise PipelineError("a pipeline file must hold a mapping with 'version' and 'steps'")
        extra = set(data) - {"version", "steps"}
        if extra:
            raise PipelineError(f"unknown top-level keys {sorted(extra)} (expected 'version' and 'steps')")
        return cls(data["steps"], version=data.get("version", VERSION))

    @classmethod
    def from_file(cls, path) -> Pipeline:
        """Read a pipeline from a .json, .yaml or .yml file (YAML is read with ``yaml.safe_load``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PipelineError(f"cannot read pipeline {str(path)!r}: {exc.strerror or exc}") from None
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:  # the parsers' own errors: a user's file
            raise PipelineError(f"{str(path)!r} is not valid {'YAML' if path.suffix.lower() in ('.yaml', '.yml') else 'JSON'}: "
                                f"{' '.join(str(exc).split())[:200]}") from None
        try:
            return cls.from_dict(data)
        except PipelineError as exc:
            raise PipelineError(f"{path}: {exc}") from None

    def to_file(self, path, *, overwrite=False) -> Path:
        """Write the pipeline as JSON or YAML (by the extension), atomically; never over a file unless
        ``overwrite``."""
        path = Path(path)
        data = self.to_dict()
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(data, sort_keys=False)
        elif path.suffix.lower() == ".json":
            text = json.dumps(data, indent=2) + "\n"
        else:
            raise PipelineError(f"a pipeline file ends in .json, .yaml or .yml, got {str(path)!r}")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{str(path)!r} already exists; pass overwrite=True to replace it")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return path

    def to_python(self) -> str:
        """A standalone script using fastdip's public API that computes the same result (reads ``sys.argv[1]``,
        writes ``sys.argv[2]``: an image, or a CSV for a table)."""
        modules = sorted({s.op.partition(".")[0] for s in self.steps}
                         | ({"morphology"} if any(isinstance(v, NamedFootprint) for _, vals in self._resolved
                                                  for v in vals.values()) else set()))
        lines = ['"""Generated by fastdip.pipeline.Pipeline.to_python()."""', "import sys", "",
                 "import numpy as np", "", "from fastdip import io" + "".join(f", {m}" for m in modules), "",
                 "image = io.imread(sys.argv[1], max_bytes=2**40)", "x = image"]
        for op, values in self._resolved:
            args = ", ".join(f"{k}={_literal(v)}" for k, v in values.items())
            call = f"{op.name}(x{', ' + args if args else ''})"
            if op.field is not None:
                call += f".{op.field}"
            lines.append(f"x = {call}")
        if self.output == "table":
            lines += ["", "import csv", "", "from fastdip.pipeline import Table", "",
                      "table = Table.from_result(x)",
                      "with open(sys.argv[2], 'w', newline='') as fh:",
                      "    writer = csv.writer(fh)", "    writer.writerow(table.columns)",
                      "    for row in table.rows():", "        writer.writerow([row[c] for c in table.columns])"]
        else:
            lines += ["io.imwrite(sys.argv[2], x)"]
        return "\n".join(lines) + "\n"


def _bind(value, image):
    if isinstance(value, str) and value == "@input":
        return image
    if isinstance(value, NamedFootprint):
        return value.build()
    return value


def _literal(value) -> str:
    if isinstance(value, str) and value == "@input":
        return "image"
    if isinstance(value, NamedFootprint):
        (shape, arg), = value.items()
        return f"morphology.{shape}({', '.join(map(repr, arg)) if isinstance(arg, list) else repr(arg)})"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
    return repr(value)
