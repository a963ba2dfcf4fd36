"""The playground server over HTTP on loopback: ``python -m benchmarks.web``.

Starts ``fastdip serve --port 0`` as a subprocess (its default limits and worker threads) and measures, with
httpx clients on 127.0.0.1:

1. **Round trip** of one 512² median 5x5 step (camera): request -> server runs the step -> PNG encode -> HTTP ->
   PNG decode into a numpy array, after warm-up. Every request changes ``cval`` (unused by the default border
   mode) so the step-prefix cache never answers it: each one really computes. Reported with the server's own
   time (``X-Fastdip-Ms``) and the library call alone, in this process, for the split.
2. **Preview while dragging** on a 2048² image: the requests a slider drag sends (``preview: true``, median size
   3, 5, 7, ... in turn): the time until the preview image is decoded, and with the histogram and spectrum the
   page also fetches; the full-resolution step for comparison.
   With Chromium and playwright present, the same drag in headless Chromium: the page's own time from sending
   each preview request to drawing its image (``--no-browser`` skips it).
3. **Concurrent clients**: 20 clients (threads, one keep-alive connection each) send round trips like (1) for
   30 s; errors (any non-200), throughput and latency percentiles. Bounded in time and count.

Targets (issue 15): (1) p50 <= 40 ms, p95 <= 100 ms; (2) <= 100 ms; (3) no errors. Results are appended to
benchmarks/RESULTS-web.md unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS-web.md"


class Server:
    """``fastdip serve --port 0`` in a subprocess; ``url`` once it answers."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "fastdip.cli", "serve", "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            raise RuntimeError(f"fastdip serve did not start: {line!r}")
        self.url = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
        import httpx

        for _ in range(300):
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("fastdip serve did not answer")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _decode(content: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(content)))


def _pct(values, q) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


class RoundTrip:
    """One client: POST a median step with a fresh ``cval`` (so nothing is cached), decode the PNG."""

    counter = 0
    lock = threading.Lock()

    def __init__(self, url, image_id, size=5, preview=False):
        import httpx

        self.client = httpx.Client(base_url=url, timeout=120)
        self.image_id, self.size, self.preview = image_id, size, preview

    def __call__(self, size=None, extra_views=False):
        with RoundTrip.lock:
            RoundTrip.counter += 1
            cval = RoundTrip.counter * 1e-6
        body = {"image": self.image_id, "preview": self.preview,
                "steps": [{"op": "filters.median", "params": {"size": size or self.size, "cval": cval}}]}
        t0 = time.perf_counter()
        r = self.client.post("/api/run", json=body)
        if r.status_code != 200:
            return time.perf_counter() - t0, r.status_code, None, None
        image = _decode(r.content)
        elapsed = time.perf_counter() - t0
        if extra_views:  # the page's histogram and spectrum of the same (now cached) result
            h = self.client.post("/api/run", json={**body, "view": "histogram"})
            s = self.client.post("/api/run", json={**body, "view": "spectrum"})
            _decode(s.content)
            elapsed = (time.perf_counter() - t0, elapsed) if h.status_code == s.status_code == 200 else (None, None)
        return elapsed, r.status_code, float(r.headers.get("x-fastdip-ms", "nan")), image

    def close(self):
        self.client.close()


def _browser_drag(url: str, png: bytes, seconds: float = 4.0) -> list[tuple]:
    """A slider drag on a 2048² image in headless Chromium (Debian's chromium via playwright's
    executable_path): the page's own times from sending a preview request to drawing its image."""
    import shutil
    import tempfile

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        return [("browser drag", "skipped: chromium or playwright missing", "")]
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as pw:
        path = Path(folder) / "big.png"
        path.write_bytes(png)
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/")
        page.wait_for_function("window.fastdip.rendered && window.fastdip.rendered.upto === 0")
        page.set_input_files("#file", str(path))
        page.wait_for_function("window.fastdip.rendered && window.fastdip.rendered.shape === '2048,2048'"
                               " && document.body.dataset.busy === '0'", timeout=60000)
        page.fill("#op-search", "median")
        page.click("#ops button[data-op='filters.median']")
        page.wait_for_function("window.fastdip.rendered && window.fastdip.rendered.steps.length === 1"
                               " && document.body.dataset.busy === '0'", timeout=60000)
        page.evaluate("window.fastdip.previewMs.length = 0; window.fastdip.fullMs.length = 0; "
                      "window.fastdip.previewServerMs.length = 0; "
                      "window.fastdip.inputs = 0")
        box = page.locator(".step[data-index='0'] input[type=range][data-param=size]").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 2, y)
        page.mouse.down()
        t0 = time.perf_counter()
        k = 0
        while time.perf_counter() - t0 < seconds:
            k += 1
            page.mouse.move(box["x"] + 2 + (box["width"] - 4) * abs(((k * 0.05) % 2) - 1), y)
            page.wait_for_timeout(25)
        page.mouse.up()
        page.wait_for_function("window.fastdip.fullMs.length > 0 && document.body.dataset.busy === '0'",
                               timeout=60000)
        changes = page.evaluate("window.fastdip.inputs")
        previews = page.evaluate("window.fastdip.previewMs")
        full = page.evaluate("window.fastdip.fullMs")
        server_ms = page.evaluate("window.fastdip.previewServerMs.slice(-" + str(max(len(previews), 1)) + ")")
        browser.close()
    if not previews:
        return [("browser (Chromium) drag on 2048²", "no preview drawn", "<= 100")]
    ms = np.asarray(previews) / 1000
    return [("browser (Chromium): drag on 2048², preview request -> drawn",
             f"p50 {_pct(ms, 50):.1f} ms, p95 {_pct(ms, 95):.1f} ms ({len(previews)} previews drawn for "
             f"{changes} slider values in {seconds:g} s; one request at a time, the latest value next)", "<= 100"),
            ("  of which the steps on the server (X-Fastdip-Ms)",
             f"p50 {np.median(server_ms):.1f} ms, p95 {np.percentile(server_ms, 95):.1f} ms", ""),
            ("  browser: full resolution on release, request -> drawn", f"{full[-1]:.0f} ms", "")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.split("\n")[0],
                                     epilog="Example: python -m benchmarks.web --duration 10 --no-write")
    parser.add_argument("--requests", type=int, default=200, help="timed round trips in (1) (default 200)")
    parser.add_argument("--drags", type=int, default=40, help="preview requests in (2) (default 40)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in (3) (default 20)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of (3) (default 30)")
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS_PATH.name}")
    parser.add_argument("--no-browser", action="store_true", help="skip the drag in headless Chromium")
    options = parser.parse_args(argv)

    import httpx
    from PIL import Image

    from fastdip import data, filters, geometry

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._machine import machine, versions

    load0 = os.getloadavg()[0]
    camera = data.camera()
    big = geometry.resize(camera, (2048, 2048), interpolation="bilinear", dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(big).save(buf, format="PNG")
    rows = []
    with Server() as server:
        url = server.url
        cam_id = httpx.post(url + "/api/samples/camera").json()["id"]
        big_id = httpx.post(url + "/api/images", content=buf.getvalue(), timeout=60).json()["id"]

        # (1) round trip
        client = RoundTrip(url, cam_id)
        for _ in range(20):
            client()
        times, server_ms = [], []
        for _ in range(options.requests):
            elapsed, status, ms, image = client()
            assert status == 200 and image.shape == (512, 512)
            times.append(elapsed)
            server_ms.append(ms)
        np.testing.assert_array_equal(image, filters.median(camera, 5, cval=RoundTrip.counter * 1e-6))
        lib = []
        for _ in range(50):
            t0 = time.perf_counter()
            filters.median(camera, 5)
            lib.append(time.perf_counter() - t0)
        rows.append(("round trip, 512² median 5x5 (HTTP + PNG both ways)",
                     f"p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms, max {_pct(times, 100):.1f} ms "
                     f"({options.requests} requests)", "p50 <= 40, p95 <= 100"))
        rows.append(("  of which server time (X-Fastdip-Ms) / library call alone",
                     f"server p50 {np.median(server_ms):.1f} ms; median() p50 {_pct(lib, 50):.1f} ms", ""))
        client.close()

        # (2) preview while dragging on 2048²
        drag = RoundTrip(url, big_id, preview=True)
        for size in (3, 5):
            drag(size)
        shown, with_plots = [], []
        for i in range(options.drags):
            total, first = drag(3 + 2 * (i % 8), extra_views=True)[0]
            shown.append(first)
            with_plots.append(total)
        full = RoundTrip(url, big_id)
        full(5)
        full_times = [full(5)[0] for _ in range(5)]
        rows.append(("slider drag on 2048²: preview shown (median 3..17, 512² preview)",
                     f"p50 {_pct(shown, 50):.1f} ms, p95 {_pct(shown, 95):.1f} ms ({options.drags} requests)",
                     "<= 100"))
        rows.append(("  preview + histogram + spectrum (what the page fetches)",
                     f"p50 {_pct(with_plots, 50):.1f} ms, p95 {_pct(with_plots, 95):.1f} ms", ""))
        rows.append(("  full resolution 2048² median 5x5 (on release)", f"p50 {_pct(full_times, 50):.1f} ms", ""))
        drag.close()
        full.close()

        # (2b) the same drag in a real browser, when Chromium and playwright are here
        if not options.no_browser:
            flipped = io.BytesIO()  # another image: nothing of it is in the server's cache yet
            Image.fromarray(np.ascontiguousarray(big[::-1])).save(flipped, format="PNG")
            rows += _browser_drag(url, flipped.getvalue())

        # (3) concurrent clients
        stop = time.monotonic() + options.duration
        results, errors = [], []
        lock = threading.Lock()

        def worker():
            c = RoundTrip(url, cam_id)
            try:
                for _ in range(100000):
                    if time.monotonic() >= stop:
                        break
                    try:
                        elapsed, status, *_ = c()
                    except Exception as exc:  # a failed connection counts as an error
                        with lock:
                            errors.append(type(exc).__name__)
                        continue
                    with lock:
                        (results if status == 200 else errors).append(elapsed if status == 200 else status)
            finally:
                c.close()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(options.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        rows.append((f"{options.clients} concurrent clients for {options.duration:g} s (512² median 5x5 each)",
                     f"{len(results)} ok, {len(errors)} errors; {len(results) / wall:.0f} req/s; "
                     f"p50 {_pct(results, 50):.0f} ms, p95 {_pct(results, 95):.0f} ms, max {_pct(results, 100):.0f} ms",
                     "no errors"))

    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measure':<{width}} | result | target |", f"|{'-' * (width + 2)}|---|---|"]
    lines += [f"| {a:<{width}} | {b} | {c} |" for a, b, c in rows]
    table = "\n".join(lines)
    print(table)
    if not options.no_write:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        head = "" if RESULTS_PATH.exists() else ("# Playground server benchmarks (`python -m benchmarks.web`)\n\n"
                                                  "Loopback HTTP against `fastdip serve` in a subprocess; see the "
                                                  "module docstring of benchmarks/web.py for what each row times.\n")
        load = "load average (1 min) at start / end: " + " / ".join(f"{v:.1f}" for v in (load0, os.getloadavg()[0]))
        text = (f"{head}\n## {stamp}\n\n{machine()}  \n{versions()}  \n{load}  \n"
                f"`python -m benchmarks.web {' '.join(argv if argv is not None else sys.argv[1:])}`\n\n{table}\n")
        with open(RESULTS_PATH, "a", encoding="utf-8") as fh:
            fh.write(text)
        print(f"appended to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
