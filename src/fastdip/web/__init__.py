"""``fastdip serve``: the image playground (every registered operation live in the browser) and the
neural-network playground, served by FastAPI + uvicorn on 127.0.0.1.

- :func:`create_app`: the ASGI app (with :class:`Limits`: upload and pixel limits, time per request, workers).
- :func:`serve`: run it (the ``fastdip serve`` command).

Needs the ``web`` extra (fastapi, uvicorn).
"""

from __future__ import annotations

import sys

from ._limits import LOOPBACK_HOSTS, Limits

__all__ = ["Limits", "create_app", "serve"]


def __getattr__(name):
    if name == "create_app":
        from ._app import create_app

        return create_app
    raise AttributeError(f"module 'fastdip.web' has no attribute {name!r}")




def serve(host="127.0.0.1", port=8000, *, open_browser=False, log_level="warning", **limits) -> int:
    """Serve the playground until interrupted.

    Parameters
    ----------
    host : str, optional
        Interface to bind. The default, 127.0.0.1, is reachable from this machine only; another host exposes
        the server to the network (a warning is printed).
    port : int, optional
        Port; 0 picks a free one. The first line printed is ``fastdip playground: http://HOST:PORT/``.
    open_browser : bool, optional
        Open the page in the default web browser once the server listens.
    log_level : str, optional
        uvicorn's log level.
    **limits
        :class:`Limits` fields (``max_upload_bytes``, ``max_pixels``, ``timeout_s``, ``workers``, ...).

    Returns
    -------
    int
        0 once stopped.

    References
    ----------
    uvicorn documentation, "Settings" and "Deployment", https://www.uvicorn.org.

    Examples
    --------
    The command line runs ``serve``; its limits default to :class:`Limits`:

    >>> from fastdip.web import Limits
    >>> Limits().max_upload_bytes // 2**20, Limits().preview_side
    (50, 512)
    """
    import socket
    import webbrowser

    import uvicorn

    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback:
        print(f"fastdip serve: WARNING: listening on {host}: anyone who can reach this machine can use the "
              "server (uploads, CPU time); use the default 127.0.0.1 unless you mean it", file=sys.stderr)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    hosts = LOOPBACK_HOSTS + (() if loopback else (host,))
    from ._app import create_app

    app = create_app(allowed_hosts=hosts, **limits)
    print(f"fastdip playground: {url}  (neural networks: {url}nn; Ctrl-C stops)", flush=True)
    config = uvicorn.Config(app, log_level=log_level, access_log=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    if open_browser:
        import threading

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
