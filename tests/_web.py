"""Shared helpers for the web playground's tests (tests/test_web_*.py, the image and the neural-network pages).

Stable names (other test files import them):

- ``server(*args, timeout=60)``: context manager; starts ``fastdip serve --port 0 [args]`` as a subprocess on
  127.0.0.1, waits until ``/api/health`` answers, yields the base URL (``http://127.0.0.1:PORT``, no trailing
  slash) and always stops the process (SIGTERM, then SIGKILL).
- ``find_chromium()``: the path of a Chromium executable (``FASTDIP_CHROMIUM``, ``chromium``,
  ``chromium-browser``, ``google-chrome``) or None.
- ``browser_skip_reason()``: None when browser tests can run, else why not (playwright or chromium missing).
- ``browser_page(viewport=(1400, 900))``: context manager yielding a playwright ``Page`` of headless Chromium
  launched with ``executable_path`` (Playwright's own browser download is never used); skips the test, loudly
  (the reason is printed on stderr and in pytest's summary), when playwright or chromium is missing.
- pytest fixtures: ``web_url`` (module scope: one server per test module) and ``page`` (function scope: a fresh
  page in one Chromium shared by the test process, ``shared_browser()``). Import them into a test module with
  ``from tests._web import web_url, page``.
- ``canvas_pixels(page, selector)``: the RGBA pixels of a canvas as a numpy array (rows, cols, 4).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

__all__ = ["server", "find_chromium", "browser_skip_reason", "browser_page", "web_url", "page", "canvas_pixels",
           "get_json", "shared_browser"]

HOW_TO_INSTALL = ("install it with `apt-get install -y --no-install-recommends chromium` as root "
                  "(`make test` does this when run as root), or set FASTDIP_CHROMIUM to a Chromium executable")


def get_json(url: str, timeout: float = 5.0):
    """GET ``url`` and decode its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def server(*args: str, timeout: float = 60.0, while_starting=None):
    """Run ``fastdip serve --port 0 *args`` on 127.0.0.1; yield its base URL; always stop it.
    ``while_starting()``, if given, runs while the server process boots (e.g. launching the browser)."""
    cmd = [sys.executable, "-m", "fastdip.cli", "serve", "--port", "0", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        if while_starting is not None:
            while_starting()
        deadline = time.monotonic() + timeout
        line = proc.stdout.readline()  # "fastdip playground: http://127.0.0.1:PORT/  (...)"
        if "http://" not in line:
            proc.kill()
            raise RuntimeError(f"fastdip serve did not start: {line!r} {proc.stderr.read()[-2000:]!r}")
        url = line.split("http://", 1)[1].split("/", 1)[0]
        base = f"http://{url}"
        while True:
            try:
                if get_json(base + "/api/health", timeout=2).get("ok"):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"fastdip serve at {base} did not answer /api/health: "
                                   f"{proc.stderr.read()[-2000:] if proc.poll() is not None else 'timeout'}")
            time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def find_chromium() -> str | None:
    """A Chromium executable: $FASTDIP_CHROMIUM, else the first of chromium, chromium-browser, google-chrome."""
    explicit = os.environ.get("FASTDIP_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser_skip_reason() -> str | None:
    """None when the browser tests can run, else the reason they cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[dev]')"
    if find_chromium() is None:
        return "no Chromium executable found; " + HOW_TO_INSTALL
    return None


def _skip_loudly(reason: str):
    print(f"\n*** BROWSER TESTS SKIPPED: {reason} ***", file=sys.stderr, flush=True)
    pytest.skip(f"browser tests skipped: {reason}")


@contextlib.contextmanager
def _browser():
    reason = browser_skip_reason()
    if reason:
        _skip_loudly(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                           "--force-color-profile=srgb"])
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def browser_page(viewport=(1400, 900), browser=None):
    """A playwright page of headless Chromium (a new browser unless ``browser`` is given); skips loudly when
    playwright or chromium is missing."""
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(_browser())
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                      device_scale_factor=1, accept_downloads=True)
        stack.callback(context.close)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # the page's uncaught JavaScript errors, for assertions
        yield page


@pytest.fixture(scope="module")
def web_url(request):
    """The base URL of a ``fastdip serve`` subprocess shared by one test module (the shared browser, when the
    module's tests use ``page``, is launched while the server boots)."""
    def warm_browser():
        if "page" in getattr(request, "fixturenames", ()) or any(
                "page" in getattr(item, "fixturenames", ()) for item in request.session.items
                if item.module is request.module):
            try:
                shared_browser(request.config)
            except (Exception, pytest.skip.Exception):  # a skip (no chromium) is reported by `page` itself
                pass

    with server(while_starting=warm_browser) as url:
        yield url


_shared = {}  # one headless Chromium per test process, started on first use, closed when pytest ends


def shared_browser(config=None):
    """The process's shared headless Chromium (started on first use; closed at pytest's end when ``config`` is
    given, else at interpreter exit). Skips loudly when playwright or chromium is missing."""
    if "browser" not in _shared:
        stack = contextlib.ExitStack()
        _shared["browser"] = stack.enter_context(_browser())
        _shared["stack"] = stack
        if config is not None:
            config.add_cleanup(_close_shared)
        else:
            import atexit

            atexit.register(_close_shared)
    return _shared["browser"]


def _close_shared():
    stack = _shared.pop("stack", None)
    _shared.pop("browser", None)
    if stack is not None:
        stack.close()


@pytest.fixture
def page(request):
    """A fresh playwright page (1400 x 900) in the process's shared headless Chromium."""
    with browser_page(browser=shared_browser(request.config)) as p:
        yield p


def canvas_pixels(page, selector: str) -> np.ndarray:
    """The RGBA pixels of the canvas ``selector`` as a uint8 array (rows, cols, 4)."""
    data = page.evaluate("""(sel) => {
        const c = document.querySelector(sel);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let s = '';
        for (let i = 0; i < d.data.length; i += 32768) {
            s += String.fromCharCode.apply(null, d.data.subarray(i, i + 32768));
        }
        return {w: c.width, h: c.height, b64: btoa(s)};
    }""", selector)
    import base64

    return np.frombuffer(base64.b64decode(data["b64"]), np.uint8).reshape(data["h"], data["w"], 4)
