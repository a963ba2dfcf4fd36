"""The FastAPI application of ``fastdip serve``: the API router, the neural-network router when present, the
static front end, and the guards every request passes (host, origin, errors as JSON)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ._limits import LOOPBACK_HOSTS, Limits

STATIC = Path(__file__).parent / "static"


def create_app(*, allowed_hosts=LOOPBACK_HOSTS, **limits):
    """The playground's ASGI application.

    Parameters
    ----------
    allowed_hosts : sequence of str, optional
        Host names (the ``Host`` header without its port) the server answers; others get 421. The default is
        the loopback names, which also refuses DNS-rebinding pages; ``fastdip serve --host`` adds its host.
    **limits
        Fields of :class:`fastdip.web.Limits` to change (``max_upload_bytes``, ``max_pixels``, ``timeout_s``,
        ``workers``, ...), each a positive number.

    Returns
    -------
    fastapi.FastAPI
        The app: ``/`` the image playground, ``/nn`` the neural-network playground (when built), ``/static``
        the front-end files, ``/api`` the JSON/image API (see ``fastdip.web._api``).

    References
    ----------
    FastAPI documentation, "Bigger Applications - Multiple Files" (routers), https://fastapi.tiangolo.com.
    OWASP, "Cross-Site Request Forgery Prevention Cheat Sheet" (Origin checks).

    Examples
    --------
    >>> from fastdip.web import create_app
    >>> app = create_app(max_pixels=10**6, timeout_s=5)
    >>> app.state.limits.max_pixels, app.state.limits.max_upload_bytes // 2**20
    (1000000, 50)
    """
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from ._api import router
    from ._engine import ApiError, Engine

    settings = Limits().with_(**limits)
    hosts = {h.lower().strip("[]") for h in allowed_hosts}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        app.state.engine.close()

    app = FastAPI(title="fastdip playground", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.limits = settings
    app.state.engine = Engine(settings)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name.lower().strip("[]") not in hosts:
            return JSONResponse({"error": f"this server answers only for {', '.join(sorted(hosts))}, "
                                          f"not host {host[:60]!r}"}, status_code=421)
        origin = request.headers.get("origin")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            return JSONResponse({"error": "cross-origin requests are not allowed"}, status_code=403)
        try:
            response = await call_next(request)
        except Exception as exc:  # a bug: one line, never a traceback
            return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.exception_handler(ApiError)
    async def api_error(request, exc: ApiError):
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc):
        first = exc.errors()[0] if exc.errors() else {}
        return JSONResponse({"error": f"bad request: {first.get('msg', 'invalid')} at "
                                      f"{'.'.join(map(str, first.get('loc', ())))}"}, status_code=422)

    @app.exception_handler(Exception)
    async def any_error(request, exc):
        return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, status_code=500)

    app.include_router(router)
    try:
        from ._nn import router as nn_router
    except ImportError as exc:  # the neural-network playground is not built yet
        if "_nn" not in str(exc):
            raise
    else:
        app.include_router(nn_router)

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
