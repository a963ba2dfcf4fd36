"""Images bigger than memory, and clusters: fastdip pipelines on Dask with the in-memory result.

- :func:`apply`: a registered pipeline (or one op) on a numpy, Dask or zarr array, an OME-Zarr image or a
  large TIFF, chunk by chunk on threads, processes or a ``dask.distributed`` cluster. Runs of pointwise and
  neighbourhood steps share one overlap (the sum of their halos) and are exact at chunk borders and at the
  image edge for every border mode; global steps run in two passes (exact histograms, then a blockwise
  apply), labelling merges equivalences across chunk faces, region properties are streamed and merged,
  geometric steps read the input region each output chunk maps from; FFT-based steps run in memory when the
  array fits the memory budget and are refused otherwise. Small inputs run in memory without Dask.
- :func:`plan`: the stages :func:`apply` would run.
- :func:`open_array` / :func:`write`: lazy readers and atomic writers (zarr v3, OME-Zarr 0.5, tiled BigTIFF).
- :func:`run_files`: many files over a cluster (``fastdip run ... --scheduler ADDRESS``).

Needs the ``scale`` extra (dask[array], distributed, zarr, ome-zarr, tifffile); Dask is imported on first use,
so ``import fastdip`` stays fast.
"""

from __future__ import annotations

from ._apply import (AUTO_CHUNK_PIXELS, IN_MEMORY_BELOW, ScaleError, Stage, apply, as_pipeline, memory_budget,
                     plan, run_files)
from ._store import FORMATS, format_of, open_array, write

__all__ = ["AUTO_CHUNK_PIXELS", "FORMATS", "IN_MEMORY_BELOW", "ScaleError", "Stage", "apply", "as_pipeline",
           "format_of", "memory_budget", "open_array", "plan", "run_files", "write"]
