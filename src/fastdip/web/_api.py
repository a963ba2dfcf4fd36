"""The playground's HTTP API (all under ``/api``). Every request body is checked before any work; every refusal
is a 4xx JSON ``{"error": message}`` (with ``errors`` per step for a bad pipeline).

=========================== ================================================================================
``GET  /api/health``        ``{"ok": true, "version", "steps": {"computed", "reused", "cancelled"}}``
``GET  /api/ops``           the registry: every operation's topic, kind, summary and parameter schema
``GET  /api/samples``       the bundled images that are 2-D (name, shape, dtype)
``POST /api/samples/NAME``  register a bundled image: ``{"id", "shape", "dtype", "name"}``
``POST /api/images``        upload an image file (the raw bytes as the body): ``{"id", "shape", "dtype"}``
``POST /api/validate``      ``{"steps"}`` -> ``{"errors": [{"step", "param", "message"}]}`` (200 when well-formed)
``POST /api/run``           ``{"image", "steps", "upto", "preview", "view", "format"}`` -> the image after
                            ``steps[:upto]`` (``view``: ``image`` PNG for display, ``raw`` float32 values,
                            ``histogram`` JSON, ``spectrum`` PNG of the log Fourier magnitude, ``download`` the
                            result itself as PNG or TIFF); a table (measurement) comes as JSON
``POST /api/export/pipeline`` ``{"steps", "format": "json"|"yaml"}`` -> the pipeline file ``fastdip run`` reads
``POST /api/export/python`` ``{"steps"}`` -> the Python script of ``Pipeline.to_python()``
=========================== ================================================================================

Image responses carry ``X-Fastdip-Shape`` (``rows,cols[,channels]``), ``X-Fastdip-Dtype`` (the result's),
``X-Fastdip-Range`` (the values drawn as 0 and 255), ``X-Fastdip-Reused`` / ``X-Fastdip-Computed`` (steps taken
from the cache / run) and ``X-Fastdip-Ms`` (server time).
"""

from __future__ import annotations

import asyncio
import functools
import json
import tempfile
import threading
from pathlib import Path

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from . import _images
from ._engine import ApiError, Cancelled, clean_steps, load_sample, sample_names, validate

router = APIRouter(prefix="/api")


def _engine(request: Request):
    return request.app.state.engine


async def _json_body(request: Request) -> dict:
    limit = request.app.state.limits.max_json_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"the request body is larger than {limit} bytes")
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(422, f"the body must be a JSON object, got {type(data).__name__}")
    return data


async def _in_pool(request: Request, work):
    """Run ``work(cancel)`` on a worker thread; give up (and tell it to stop between steps) when the time limit
    passes or the client goes away (a superseded request aborted by the page)."""
    engine = _engine(request)
    cancel = threading.Event()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(engine.pool, work, cancel)

    async def gone():
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    watch = asyncio.ensure_future(gone())
    try:
        done, _ = await asyncio.wait({future, watch}, timeout=engine.limits.timeout_s,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        watch.cancel()
    if future in done:
        try:
            return future.result()
        except Cancelled:
            raise ApiError(499, "cancelled") from None
    cancel.set()
    if watch in done:
        raise ApiError(499, "the client went away; the request was cancelled")
    raise ApiError(504, f"the request took longer than the server's limit of {engine.limits.timeout_s:g} s; "
                        "its remaining steps were skipped (try a smaller image or cheaper parameters)")


def _image_info(image_id: str, image: np.ndarray, **extra) -> dict:
    return {"id": image_id, "shape": list(image.shape), "dtype": str(image.dtype), **extra}


@router.get("/health")
async def health(request: Request):
    import fastdip

    return {"ok": True, "version": fastdip.__version__, "steps": dict(_engine(request).counts)}


@router.get("/ops")
async def ops():
    from fastdip.pipeline import registry

    entries = [op.to_dict() for op in registry().values()]
    topics = list(dict.fromkeys(e["topic"] for e in entries))  # the registry lists them in course order
    return {"topics": topics, "ops": entries}


@functools.cache
def _sample_list() -> list[dict]:
    from fastdip import data

    out = []
    for name in sample_names():
        image = data.load(name)
        out.append({"name": name, "shape": list(image.shape), "dtype": str(image.dtype)})
    return out


@router.get("/samples")
async def samples():
    return _sample_list()


@router.post("/samples/{name}")
async def add_sample(name: str, request: Request):
    engine = _engine(request)
    image = load_sample(name)
    return _image_info(engine.add(image), image, name=name)


@router.post("/images")
async def upload(request: Request):
    engine, limits = _engine(request), request.app.state.limits
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_upload_bytes:
        raise ApiError(413, f"the upload is {int(declared)} bytes, more than the limit of {limits.max_upload_bytes}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limits.max_upload_bytes:
            raise ApiError(413, f"the upload is larger than the limit of {limits.max_upload_bytes} bytes")
    if not body:
        raise ApiError(422, "the upload is empty: send the image file's bytes as the request body")

    def work(cancel):
        try:
            image = _images.decode(bytes(body), max_pixels=limits.max_pixels, max_bytes=limits.max_image_bytes)
        except _images.ImageError as exc:
            raise ApiError(exc.status, str(exc)) from None
        return _image_info(engine.add(image), image)

    return await _in_pool(request, work)


@router.post("/validate")
async def check(request: Request):
    from ._engine import step_errors

    data = await _json_body(request)
    steps = clean_steps(data.get("steps"), request.app.state.limits.max_steps)
    return {"errors": step_errors(steps)}


def _headers(image: np.ndarray, info: dict, rng=None) -> dict:
    headers = {"X-Fastdip-Shape": ",".join(map(str, image.shape)), "X-Fastdip-Dtype": str(image.dtype),
               "X-Fastdip-Reused": str(info["reused"]), "X-Fastdip-Computed": str(info["computed"]),
               "X-Fastdip-Ms": str(info["ms"]), "Cache-Control": "no-store"}
    if rng is not None:
        headers["X-Fastdip-Range"] = f"{rng[0]:.17g},{rng[1]:.17g}"
    return headers


def _histogram(image: np.ndarray) -> dict:
    channels = [image] if image.ndim == 2 else [image[..., c] for c in range(image.shape[-1])]
    if image.dtype == np.uint8 or image.dtype == bool:
        lo, hi, bins = 0.0, 255.0 if image.dtype == np.uint8 else 1.0, 256 if image.dtype == np.uint8 else 2
    else:
        finite = image[np.isfinite(image)] if image.dtype.kind == "f" else image
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        bins = 256
        if hi <= lo:
            hi = lo + 1.0
    counts = []
    for ch in channels:
        if ch.dtype == np.uint8:
            c = np.bincount(ch.ravel(), minlength=256)
        elif ch.dtype == bool:
            c = np.bincount(ch.ravel().astype(np.uint8), minlength=2)
        else:
            values = ch[np.isfinite(ch)] if ch.dtype.kind == "f" else ch
            c, _ = np.histogram(values, bins=bins, range=(lo, hi))
        counts.append(c.astype(np.int64))
    total = [int(c.sum()) for c in counts]
    return {"range": [lo, hi], "bins": bins, "counts": [c.tolist() for c in counts],
            "cumulative": [(np.cumsum(c) / max(t, 1)).round(6).tolist() for c, t in zip(counts, total)],
            "dtype": str(image.dtype), "shape": list(image.shape)}


def _spectrum(image: np.ndarray, side: int = 256) -> np.ndarray:
    """The centred log Fourier magnitude log(1 + |F|) of the image's grey levels (the mean of its colour
    channels), in float32, display-mapped, every k-th pixel so that the longest side is at most ``side`` (the
    page draws it as a thumbnail)."""
    from fastdip import fourier

    grey = image.astype(np.float32) if image.ndim == 2 else image[..., :3].mean(axis=-1, dtype=np.float32)
    if image.dtype.kind == "f" and not np.isfinite(grey).all():
        grey = np.where(np.isfinite(grey), grey, np.float32(0))
    magnitude = fourier.shift(fourier.magnitude(fourier.dft2(grey), log=True))
    return _images.downsize(_images.display(magnitude)[0], side)


def _table_json(table, info) -> JSONResponse:
    rows = table.rows()[:5000]
    return JSONResponse({"table": {"columns": table.columns, "rows": rows, "total": len(table)}, **info},
                        headers={"Cache-Control": "no-store"})


@router.post("/run")
async def run(request: Request):
    engine, limits = _engine(request), request.app.state.limits
    data = await _json_body(request)
    unknown = set(data) - {"image", "steps", "upto", "preview", "view", "format"}
    if unknown:
        raise ApiError(422, f"unknown keys {sorted(unknown)}; allowed: image, steps, upto, preview, view, format")
    steps = clean_steps(data.get("steps", []), limits.max_steps)
    upto = data.get("upto", len(steps))
    if isinstance(upto, bool) or not isinstance(upto, int) or not 0 <= upto <= len(steps):
        raise ApiError(422, f"'upto' must be an integer in [0, {len(steps)}] (the steps to apply), got {upto!r}")
    preview = data.get("preview", False)
    if not isinstance(preview, bool):
        raise ApiError(422, f"'preview' must be true or false, got {preview!r}")
    view = data.get("view", "image")
    if view not in ("image", "raw", "histogram", "spectrum", "download"):
        raise ApiError(422, f"'view' must be one of image, raw, histogram, spectrum, download; got {str(view)[:40]!r}")
    fmt = data.get("format", "png")
    if fmt not in ("png", "tiff"):
        raise ApiError(422, f"'format' must be 'png' or 'tiff', got {str(fmt)[:40]!r}")
    source = engine.source(data.get("image"), preview)
    validate(steps[:upto], source.shape, limits.max_pixels)

    def work(cancel):
        result, info = engine.run(data["image"], steps, upto, preview, cancel)
        if not isinstance(result, np.ndarray):
            return _table_json(result, info)
        if view == "histogram":
            return JSONResponse({**_histogram(result), **info}, headers={"Cache-Control": "no-store"})
        if view == "raw":
            return Response(_images.raw(result), media_type="application/octet-stream", headers=_headers(result, info))
        if view == "spectrum":
            return Response(_images.png(_spectrum(result)), media_type="image/png", headers=_headers(result, info))
        if view == "download":
            try:
                body = _images.png(result, level=6) if fmt == "png" else _images.tiff(result)
            except _images.ImageError as exc:
                raise ApiError(422, str(exc)) from None
            ext = "png" if fmt == "png" else "tif"
            headers = {**_headers(result, info), "Content-Disposition": f'attachment; filename="result.{ext}"'}
            return Response(body, media_type="image/png" if fmt == "png" else "image/tiff", headers=headers)
        shown, rng = _images.display(result)
        return Response(_images.png(shown), media_type="image/png", headers=_headers(result, info, rng))

    return await _in_pool(request, work)


def _pipeline(steps):
    from fastdip.pipeline import Pipeline, PipelineError

    validate(steps)
    try:
        return Pipeline(steps)
    except PipelineError as exc:  # e.g. no steps at all
        raise ApiError(422, str(exc)) from None


@router.post("/export/pipeline")
async def export_pipeline(request: Request):
    data = await _json_body(request)
    fmt = data.get("format", "json")
    if fmt not in ("json", "yaml"):
        raise ApiError(422, f"'format' must be 'json' or 'yaml', got {str(fmt)[:40]!r}")
    pipe = _pipeline(clean_steps(data.get("steps"), request.app.state.limits.max_steps))
    with tempfile.TemporaryDirectory(prefix="fastdip-export-") as folder:
        text = pipe.to_file(Path(folder) / f"pipeline.{fmt}").read_bytes()  # exactly what to_file writes
    return Response(text, media_type="application/json" if fmt == "json" else "application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="pipeline.{fmt}"'})


@router.post("/export/python")
async def export_python(request: Request):
    data = await _json_body(request)
    pipe = _pipeline(clean_steps(data.get("steps"), request.app.state.limits.max_steps))
    return Response(pipe.to_python(), media_type="text/x-python",
                    headers={"Content-Disposition": 'attachment; filename="pipeline.py"'})
