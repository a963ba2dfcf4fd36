"""The neural-network playground's routes: ``GET /nn`` (the page) and the JSON API under ``/api/nn``.

The page creates a session from its settings, then, while playing, asks the server to train a few epochs at a
time (``POST /api/nn/sessions/{id}/step``: up to ``epochs`` epochs or ``budget_ms`` of training, whichever
comes first) and draws what each answer holds: the new points of the loss curves, the decision surface and
each neuron's output map. The page polls one request after another, so a slow server never gets a queue.

========================================  =================================================================
``GET /api/nn/options``                   choices, limits and defaults of every setting (the page's controls)
``POST /api/nn/sessions``                 settings -> 201 {id, settings, points, state}
``GET /api/nn/sessions/{id}``             {settings, state} with the whole history (``?since=``, ``?neurons=``)
``POST /api/nn/sessions/{id}/step``       {epochs, budget_ms, since, neurons} -> state after training
``DELETE /api/nn/sessions/{id}``          forget the session
========================================  =================================================================

Sessions live in memory (:class:`._nn_train.SessionStore`: at most 16, dropped after 10 minutes unused, at
most 5000 epochs each). Every error is a JSON ``{"error": message}`` with a 4xx status (``param`` names the
setting at fault): 400 malformed JSON, 404 unknown session, 409 a session busy with another step, 413 a body
over 64 KiB, 422 a setting out of range, 503 when torch (the ``nn`` extra) is missing.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

__all__ = ["router"]

router = APIRouter()

STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024
SURFACE_SIZE = 64
NEURON_SIZE = 24
MAX_STEP_EPOCHS = 200
MAX_BUDGET_MS = 2000
DEFAULT_BUDGET_MS = 100
BUSY_WAIT_S = 10.0
_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_store_lock = threading.Lock()


class _Refused(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def _error(exc: _Refused) -> JSONResponse:
    return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)


def _train_module():
    try:
        from . import _nn_train
    except ImportError as exc:
        raise _Refused(503, f"the neural-network playground needs torch (the nn extra: pip install "
                            f"'fastdip[nn]'): {exc}") from None
    return _nn_train


def _store(request: Request):
    state = request.app.state
    with _store_lock:
        store = getattr(state, "nn_sessions", None)
        if store is None:
            store = _train_module().SessionStore()
            state.nn_sessions = store
    return store


async def _body(request: Request) -> dict:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise _Refused(413, f"request body over {MAX_BODY} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise _Refused(413, f"request body over {MAX_BODY} bytes")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _Refused(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise _Refused(400, "request body must be a JSON object")
    return data


def _session(request: Request, session_id: str):
    if not _ID.match(session_id):
        raise _Refused(404, "no such session (ids are 8-40 letters, digits, '-' or '_')")
    session = _store(request).get(session_id)
    if session is None:
        raise _Refused(404, "no such session (it may have expired: sessions end after 10 minutes unused)")
    return session


def _int_option(data: dict, name: str, low: int, high: int, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Refused(422, f"nn step: {name} must be an integer in [{low}, {high}], got {value!r}", param=name)
    return value


def _bool_option(data: dict, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _Refused(422, f"nn step: {name} must be true or false, got {value!r}", param=name)
    return value


def _state(session, *, since=0, neurons=True) -> dict:
    return _train_module().session_state(session, since=since, surface_size=SURFACE_SIZE,
                                         neuron_size=NEURON_SIZE, neurons=neurons)


def _locked(session, work):
    """Run ``work()`` holding the session's lock (one step at a time per session)."""
    if not session.lock.acquire(timeout=BUSY_WAIT_S):
        raise _Refused(409, "the session is busy with another request")
    try:
        return work()
    finally:
        session.lock.release()


@router.get("/nn", include_in_schema=False)
async def nn_page():
    return FileResponse(STATIC / "nn.html", headers={"Cache-Control": "no-cache"})


@router.get("/api/nn/options")
async def nn_options():
    try:
        t = _train_module()
    except _Refused as exc:
        return _error(exc)
    return JSONResponse({"defaults": t.DEFAULTS, "limits": {k: list(v) for k, v in t.LIMITS.items()},
            "choices": {"dataset": list(t.DATASETS), "activation": list(t.ACTIVATIONS),
                        "optimizer": list(t.OPTIMIZERS), "regularization": list(t.REGULARIZATIONS)},
            "view": t.VIEW, "surface_size": SURFACE_SIZE, "neuron_size": NEURON_SIZE,
            "max_step_epochs": MAX_STEP_EPOCHS, "max_budget_ms": MAX_BUDGET_MS})


@router.post("/api/nn/sessions", status_code=201)
async def nn_create(request: Request):
    try:
        t = _train_module()
        data = await _body(request)
        try:
            settings = t.parse_settings(data)
        except t.SettingsError as exc:
            raise _Refused(422, str(exc), param=exc.param) from None
        store = _store(request)

        def work():
            key, session = store.create(settings)
            return {"id": key, "settings": settings.as_dict(), "points": session.points(),
                    "view": t.VIEW, "state": _state(session)}

        return JSONResponse(await run_in_threadpool(work), status_code=201)
    except _Refused as exc:
        return _error(exc)


@router.get("/api/nn/sessions/{session_id}")
async def nn_get(request: Request, session_id: str):
    try:
        session = _session(request, session_id)
        query = request.query_params
        since = query.get("since", "0")
        if not since.isdigit() or len(since) > 9:
            raise _Refused(422, f"nn session: since must be a non-negative integer, got {since[:20]!r}",
                           param="since")
        neurons = query.get("neurons", "1")
        if neurons not in ("0", "1"):
            raise _Refused(422, f"nn session: neurons must be 0 or 1, got {neurons[:20]!r}", param="neurons")
        state = await run_in_threadpool(_locked, session,
                                        lambda: _state(session, since=int(since), neurons=neurons == "1"))
        return JSONResponse({"settings": session.settings.as_dict(), "state": state})
    except _Refused as exc:
        return _error(exc)


@router.post("/api/nn/sessions/{session_id}/step")
async def nn_step(request: Request, session_id: str):
    try:
        session = _session(request, session_id)
        data = await _body(request)
        unknown = sorted(set(data) - {"epochs", "budget_ms", "since", "neurons"})
        if unknown:
            raise _Refused(422, f"nn step: unknown option {unknown[0]!r}; allowed: budget_ms, epochs, neurons, "
                                "since", param=unknown[0])
        epochs = _int_option(data, "epochs", 1, MAX_STEP_EPOCHS, 1)
        budget_ms = _int_option(data, "budget_ms", 1, MAX_BUDGET_MS, DEFAULT_BUDGET_MS)
        since = _int_option(data, "since", 0, 10**9, session.epoch + 1)
        neurons = _bool_option(data, "neurons", True)

        def work():
            trained = session.step(epochs, budget_s=budget_ms / 1000)
            state = _state(session, since=since, neurons=neurons)
            state["trained"] = trained
            return state

        return JSONResponse(await run_in_threadpool(_locked, session, work))
    except _Refused as exc:
        return _error(exc)


@router.delete("/api/nn/sessions/{session_id}")
async def nn_delete(request: Request, session_id: str):
    try:
        if not _ID.match(session_id) or not _store(request).delete(session_id):
            raise _Refused(404, "no such session")
        return JSONResponse({"deleted": True})
    except _Refused as exc:
        return _error(exc)
