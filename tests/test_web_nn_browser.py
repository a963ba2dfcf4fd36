"""The neural-network playground in a real headless Chromium (Debian's chromium driven by playwright through
executable_path; skipped loudly without them): open /nn, choose XOR, press play, wait until the page shows a
test accuracy of at least 95 %, check the decision-surface canvas changed and shows the server's surface,
pause and step. A screenshot is saved as a test artefact."""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.request

import numpy as np
import pytest

# the server imports torch and fastapi; this process needs neither (no import: seconds saved)
for _needed in ("torch", "fastapi", "uvicorn"):
    if importlib.util.find_spec(_needed) is None:
        pytest.skip(f"{_needed} is not installed (the nn and web extras)", allow_module_level=True)

from tests._web import canvas_pixels, page, web_url  # noqa: E402,F401  (fixtures)

BLUE = np.array([8, 119, 189])
ORANGE = np.array([245, 147, 34])


@pytest.fixture(scope="module")
def nn_url(web_url):  # noqa: F811
    """``web_url`` whose server imports torch while Chromium starts: a first session is created in a thread
    (a cold torch import takes seconds on a busy machine)."""
    def warm():
        request = urllib.request.Request(web_url + "/api/nn/sessions", data=b'{"n_samples": 20, "hidden": []}',
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                r.read()
        except OSError:  # only a warm-up: the test itself reports a server that does not answer
            pass

    thread = threading.Thread(target=warm, daemon=True)
    thread.start()
    yield web_url
    thread.join(timeout=120)


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def _epoch(page):
    return int(page.inner_text("#epoch").replace(",", ""))


def test_xor_trains_to_95_percent_in_the_browser_and_the_surface_follows(nn_url, page, tmp_path_factory):  # noqa: F811
    web_url = nn_url
    page.goto(web_url + "/nn")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    first = page.evaluate("document.body.dataset.session")
    page.click("#dataset-spirals")  # away and back: XOR is the default
    page.wait_for_function(f"document.body.dataset.session !== {json.dumps(first)}", timeout=10_000)
    spirals = page.evaluate("document.body.dataset.session")
    page.click("#dataset-xor")
    page.wait_for_function(f"document.body.dataset.session !== {json.dumps(spirals)}", timeout=10_000)
    sid = page.evaluate("document.body.dataset.session")
    assert page.get_attribute("#dataset-xor", "class") == "selected"
    assert _epoch(page) == 0
    before = canvas_pixels(page, "#surface")

    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.wait_for_function("Number(document.getElementById('test-accuracy').dataset.value) >= 0.95",
                           timeout=20_000)
    shown = page.inner_text("#test-accuracy")
    assert float(shown.split()[-2]) >= 95.0, shown
    page.click("#play")  # pause
    assert page.get_attribute("#play", "aria-pressed") == "false"
    page.wait_for_function("""() => new Promise((resolve) => {
        const a = document.getElementById('epoch').textContent;
        setTimeout(() => resolve(document.getElementById('epoch').textContent === a), 400);
    })""", timeout=10_000)
    epoch = _epoch(page)
    assert epoch > 0
    after = canvas_pixels(page, "#surface")
    changed = np.any(before != after, axis=-1).mean()
    assert changed > 0.2, changed

    # the canvas shows the server's surface: at cells where the network is confident, the colour is the class's
    state = _get(f"{web_url}/api/nn/sessions/{sid}?neurons=0")["state"]
    assert state["epoch"] == epoch
    assert state["history"]["test_accuracy"][-1] >= 0.95
    import base64

    size = state["surface"]["size"]
    surface = np.frombuffer(base64.b64decode(state["surface"]["f32"]), "<f4").reshape(size, size)
    rows, cols = after.shape[:2]
    centres = ((np.arange(size) + 0.5) * rows / size).astype(int)
    rgb = after[np.ix_(centres, centres)][..., :3].astype(float)
    bluish = np.linalg.norm(rgb - BLUE, axis=-1) < np.linalg.norm(rgb - ORANGE, axis=-1)
    confident = np.abs(surface) > 0.5
    agree = (bluish == (surface > 0))[confident].mean()
    assert confident.mean() > 0.5 and agree > 0.9, (confident.mean(), agree)  # points drawn on top cover some cells

    # one step trains exactly one epoch
    page.click("#step")
    page.wait_for_function(f"document.getElementById('epoch').textContent.replace(/,/g, '') == {epoch + 1}",
                           timeout=10_000)
    neurons = page.query_selector_all("canvas.neuron")
    assert len(neurons) == 2 + 6 + 6 + 1
    # pointing at a hidden neuron shows its map in the big view; leaving brings the surface back
    stepped = canvas_pixels(page, "#surface")
    neurons[4].hover()
    hovering = canvas_pixels(page, "#surface")
    page.mouse.move(5, 5)
    assert np.any(hovering != stepped, axis=-1).mean() > 0.2
    assert np.array_equal(canvas_pixels(page, "#surface"), stepped)
    out = tmp_path_factory.mktemp("artefacts") / "nn_xor.png"
    page.screenshot(path=str(out))
    print(f"\nscreenshot of /nn after training XOR: {out}")
    assert out.stat().st_size > 10_000
    assert page.js_errors == []


def test_a_bad_setting_shows_the_servers_message_inline(nn_url, page):  # noqa: F811
    page.goto(nn_url + "/nn")
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.fill("#seed", "-3")
    page.dispatch_event("#seed", "change")
    page.wait_for_selector("#error:not([hidden])", timeout=10_000)
    assert "seed must be in [0," in page.inner_text("#error")
    assert "invalid" in page.get_attribute("#seed", "class")
    page.fill("#seed", "4")
    page.dispatch_event("#seed", "change")
    page.wait_for_selector("#error[hidden]", state="attached", timeout=10_000)
    assert page.js_errors == []
