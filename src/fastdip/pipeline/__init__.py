"""Pipelines and batch processing: the operation registry, declarative pipelines, runs over folders of images.

- :func:`registry` / :func:`get`: every public image -> image and image -> table operation under its dotted
  name (``filters.median``, ``segmentation.binarize``, ``measure.regionprops``), with a JSON-serialisable
  parameter schema, its kind (pointwise, neighbourhood with a halo, global, geometric, measure), accepted
  dimensionalities and dtypes, and its output.
- :class:`Pipeline`: steps ``{"op": NAME, "params": {...}}``, validated before anything runs, read from and
  written to JSON or YAML, run on an image, summed into a halo, turned into a plain Python script.
- :func:`run_batch`: a pipeline over many files in worker processes, with atomic outputs, resume and a report
  (the engine of ``fastdip run``).
"""

from __future__ import annotations

from ._pipeline import VERSION, Pipeline, PipelineError, Step, Table
from ._registry import EXCLUDED, KINDS, Op, get, registry
from ._schema import Param

__all__ = ["EXCLUDED", "KINDS", "Op", "Param", "Pipeline", "PipelineError", "Step", "Table", "VERSION", "get",
           "registry", "run_batch", "BatchResult", "FileResult"]


def __getattr__(name):
    if name in ("run_batch", "BatchResult", "FileResult"):
        from . import _batch

        return getattr(_batch, name)
    raise AttributeError(f"module 'fastdip.pipeline' has no attribute {name!r}")
