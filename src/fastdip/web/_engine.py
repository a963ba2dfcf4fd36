"""The playground's compute side: registered images, step results cached by (image, step prefix), the worker
pool, and the checks every request's steps pass before any work."""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._images import ImageError, Store, check_shape, digest, downsize
from ._limits import Limits

_PARAM = re.compile(r"parameter '([^']+)'")
_ID = re.compile(r"^[0-9a-f]{24}$")


class ApiError(Exception):
    """A request refused with an HTTP status and a message (sent as ``{"error": message}``)."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


class Cancelled(Exception):
    """The request was superseded, its client went away, or its time ran out: the remaining steps are skipped."""


def canonical(step: dict) -> str:
    return json.dumps(step, sort_keys=True, separators=(",", ":"))


def clean_steps(raw, max_steps: int) -> list[dict]:
    """The steps of a request as ``[{"op": NAME, "params": {...}}]`` (shape only; values are checked by the
    registry in :func:`validate`)."""
    if not isinstance(raw, list):
        raise ApiError(422, f"'steps' must be a list of {{'op': NAME, 'params': {{...}}}}, got {type(raw).__name__}")
    if len(raw) > max_steps:
        raise ApiError(422, f"at most {max_steps} steps per request, got {len(raw)}")
    steps = []
    for i, step in enumerate(raw, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise ApiError(422, f"step {i}: must be {{'op': NAME, 'params': {{...}}}}, got {str(step)[:80]}",
                           errors=[{"step": i, "param": None, "message": "not a step"}])
        extra = set(step) - {"op", "params"}
        if extra:
            raise ApiError(422, f"step {i}: unknown keys {sorted(extra)} (a step has 'op' and 'params')",
                           errors=[{"step": i, "param": None, "message": f"unknown keys {sorted(extra)}"}])
        params = step.get("params") or {}
        if not isinstance(params, dict):
            raise ApiError(422, f"step {i} ({step['op']}): params must be an object, got {str(params)[:80]}",
                           errors=[{"step": i, "param": None, "message": "params must be an object"}])
        steps.append({"op": step["op"], "params": params})
    return steps


def step_errors(steps: list[dict]) -> list[dict]:
    """Every step checked with the registry's schema: ``[{"step": i (from 1), "param": NAME or None,
    "message": ...}]``, empty when the pipeline may run."""
    from fastdip.pipeline import Pipeline, PipelineError, get

    errors = []
    for i, step in enumerate(steps, start=1):
        try:
            Pipeline([step])
        except PipelineError as exc:
            text = str(exc).replace("step 1", f"step {i}", 1)
            match = _PARAM.search(text)
            errors.append({"step": i, "param": match.group(1) if match else None, "message": text})
            continue
        if i < len(steps) and get(step["op"]).output == "table":
            errors.append({"step": i, "param": None,
                           "message": f"step {i} ({step['op']}): a measurement returns a table and can only "
                                      "end a pipeline"})
    return errors


def validate(steps: list[dict], shape: tuple | None = None, max_pixels: int | None = None):
    """Raise ApiError(422) listing every bad step; also refuse geometric steps whose output would exceed
    ``max_pixels`` (an output_shape or scale that asks for a huge image)."""
    errors = step_errors(steps)
    if not errors and shape is not None and max_pixels is not None:
        rows, cols = shape[:2]
        for i, step in enumerate(steps, start=1):
            params = step["params"]
            if "output_shape" in params:
                out = params["output_shape"]
                out = out if isinstance(out, list) else [out]
                rows, cols = (int(out[0]), int(out[-1])) if out else (rows, cols)
            elif "scale" in params and step["op"] == "geometry.rescale":
                s = params["scale"]
                s = s if isinstance(s, list) else [s, s]
                rows, cols = int(np.ceil(rows * float(s[0]))), int(np.ceil(cols * float(s[-1])))
            if rows * cols > max_pixels:
                errors.append({"step": i, "param": "output_shape" if "output_shape" in params else "scale",
                               "message": f"step {i} ({step['op']}): the output would hold {rows * cols} pixels, "
                                          f"more than the server's limit of {max_pixels}"})
                break
    if errors:
        raise ApiError(422, errors[0]["message"], errors=errors)


class Engine:
    """Images and step results, and the threads that compute them."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.images = Store(limits.cache_bytes // 4)
        self.results = Store(limits.cache_bytes - limits.cache_bytes // 4)
        self.pool = ThreadPoolExecutor(limits.workers, thread_name_prefix="fastdip-web")
        self.counts = {"computed": 0, "reused": 0, "cancelled": 0}
        self._lock = threading.Lock()

    def close(self):
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- images ---------------------------------------------------------------------------------------

    def add(self, image: np.ndarray) -> str:
        image = check_shape(image)
        key = digest(image)
        if key not in self.images:
            self.images.put(key, image.copy() if image.base is not None or not image.flags.owndata else image)
        return key

    def source(self, image_id, preview: bool) -> np.ndarray:
        if not isinstance(image_id, str) or not _ID.match(image_id):
            raise ApiError(422, f"'image' must be an image id (24 hex digits) from /api/images or /api/samples, "
                                f"got {str(image_id)[:40]!r}")
        image = self.images.get(image_id)
        if image is None:
            raise ApiError(404, f"no image {image_id} on the server (the cache drops old images: load it again)")
        if not preview:
            return image
        small = self.images.get(image_id + ":preview")
        if small is None:
            small = downsize(image, self.limits.preview_side)
            self.images.put(image_id + ":preview", small)
        return small

    # -- running --------------------------------------------------------------------------------------

    def run(self, image_id: str, steps: list[dict], upto: int, preview: bool, cancel: threading.Event):
        """The result after ``steps[:upto]`` on the image (or its preview), reusing the longest cached prefix.
        Returns ``(result, info)``: an ndarray or a Table, and ``{"reused": k, "computed": n, "ms": ...}``."""
        from fastdip.pipeline import Pipeline, PipelineError

        t0 = time.perf_counter()
        source = self.source(image_id, preview)
        full = self.images.get(image_id)
        tag = image_id + (":preview" if preview and source is not full else "")  # small images: one cache
        keys = []
        prefix = ()
        for step in steps[:upto]:
            prefix = prefix + (canonical(step),)
            keys.append((tag, prefix))
        start, current = 0, source
        for k in range(len(keys), 0, -1):
            hit = self.results.get(keys[k - 1])
            if hit is not None:
                start, current = k, hit
                break
        with self._lock:
            self.counts["reused"] += start
        for i in range(start, len(keys)):
            if cancel.is_set():
                with self._lock:
                    self.counts["cancelled"] += 1
                raise Cancelled()
            step = steps[i]
            params = {k: (source if isinstance(v, str) and v == "@input" else v) for k, v in step["params"].items()}
            try:
                current = Pipeline([{"op": step["op"], "params": params}]).run(current)
            except PipelineError as exc:
                raise ApiError(422, str(exc).replace("step 1", f"step {i + 1}", 1),
                               errors=[{"step": i + 1, "param": None, "message": str(exc)}]) from None
            except MemoryError:
                raise ApiError(413, f"step {i + 1} ({step['op']}): out of memory on this image") from None
            if isinstance(current, np.ndarray):
                if current.dtype.kind == "c" or not (current.ndim == 2 or current.ndim == 3 and current.shape[-1] in (3, 4)):
                    raise ApiError(422, f"step {i + 1} ({step['op']}) returned a {current.dtype} array of shape "
                                        f"{current.shape}, which the playground cannot show")
                if current.size > self.limits.max_pixels * 4:
                    raise ApiError(413, f"step {i + 1} ({step['op']}): the result is too large to keep")
            self.results.put(keys[i], current, pinned_size=getattr(current, "nbytes", 4096))
            with self._lock:
                self.counts["computed"] += 1
        return current, {"reused": start, "computed": len(keys) - start,
                         "ms": round((time.perf_counter() - t0) * 1000, 2)}


def load_sample(name) -> np.ndarray:
    """A bundled image by name (only names from :func:`fastdip.data.names`; never a path)."""
    from fastdip import data

    if not isinstance(name, str) or name not in data.names():
        raise ApiError(404, f"no bundled image {str(name)[:60]!r}; the samples are {', '.join(sample_names())}")
    try:
        return check_shape(data.load(name))
    except ImageError as exc:
        raise ApiError(422, f"{name}: {exc}") from None


def sample_names() -> list[str]:
    from fastdip import data

    return [n for n in data.names() if n != "brain_mri"]  # the volume is not a 2-D image
