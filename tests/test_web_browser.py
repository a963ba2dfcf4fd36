"""The image playground end to end in a real headless Chromium (Debian's ``chromium`` driven by playwright through
``executable_path``; skipped loudly when either is missing: see tests/_web.py).

The reference is the library: what the page draws must equal ``fastdip``'s own result pixel for pixel, and the
pipeline file the page exports must give the same image through ``fastdip run``. Screenshots are saved in the
test's tmp dir (artefacts); ``FASTDIP_SCREENSHOT=path.png`` also saves the README's."""

from __future__ import annotations

import json
import os

import numpy as np

from fastdip import data, filters, histogram, io
from tests._web import canvas_pixels, page, web_url  # noqa: F401  (fixtures)

RENDERED = """(want) => {
    const r = window.fastdip.rendered;
    return !!r && !r.error && !r.preview && document.body.dataset.busy === "0" && r.upto === want.upto
        && JSON.stringify(r.steps) === JSON.stringify(want.steps);
}"""


def _wait_rendered(page, steps, upto=None, timeout=20000):
    page.wait_for_function(RENDERED, arg={"steps": steps, "upto": len(steps) if upto is None else upto},
                           timeout=timeout)


def _shown(page) -> np.ndarray:
    px = canvas_pixels(page, "#result")
    assert (px[..., 3] == 255).all()
    assert (px[..., 0] == px[..., 1]).all() and (px[..., 1] == px[..., 2]).all()  # grey drawn as grey
    return px[..., 0]


def _size_field(page):
    return page.locator(".step[data-index='0'] input.value[data-param=size]")


def _set_size(page, value):
    field = _size_field(page)
    field.fill(str(value))
    field.press("Enter")


def test_camera_median_equalize_slider_export_and_rerun(page, web_url, tmp_path):  # noqa: F811
    camera = data.camera()
    page.goto(web_url + "/")
    page.select_option("#sample", "camera")
    _wait_rendered(page, [], upto=0)
    np.testing.assert_array_equal(_shown(page), camera)

    # add median (found by searching) and equalize; median 5
    page.fill("#op-search", "median")
    assert page.locator("#ops button[data-op='filters.gaussian']").count() == 0  # the search filters the list
    page.click("#ops button[data-op='filters.median']")
    page.fill("#op-search", "")
    page.click("#ops button[data-op='histogram.equalize']")
    _set_size(page, 5)
    median5 = [{"op": "filters.median", "params": {"size": 5}}, {"op": "histogram.equalize", "params": {}}]
    _wait_rendered(page, median5)
    np.testing.assert_array_equal(_shown(page), histogram.equalize(filters.median(camera, 5)))
    page.screenshot(path=str(tmp_path / "median5-equalize.png"))

    # drag the size slider: previews while dragging, full resolution on release
    slider = page.locator(".step[data-index='0'] input[type=range][data-param=size]")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.14, y)
    page.mouse.down()
    for k in range(1, 9):
        page.mouse.move(box["x"] + box["width"] * (0.14 + 0.04 * k), y)
        page.wait_for_timeout(60)
    page.mouse.up()
    size = int(_size_field(page).input_value())
    assert size % 2 == 1 and 9 <= size <= 21, size
    dragged = [{"op": "filters.median", "params": {"size": size}}, {"op": "histogram.equalize", "params": {}}]
    _wait_rendered(page, dragged)
    assert page.evaluate("window.fastdip.previews") >= 1
    np.testing.assert_array_equal(_shown(page), histogram.equalize(filters.median(camera, size)))

    # an intermediate step: click step 1's number
    page.click(".step[data-index='0'] .num")
    _wait_rendered(page, dragged, upto=1)
    np.testing.assert_array_equal(_shown(page), filters.median(camera, size))
    page.click(".step[data-index='0'] .num")

    # inline validation from the schema: an even size is refused before any request
    before = page.evaluate("window.fastdip.requests")
    _set_size(page, 4)
    error = page.locator(".step[data-index='0'] .param.bad .err")
    assert "odd" in error.inner_text()
    assert page.evaluate("window.fastdip.requests") == before
    _set_size(page, 5)
    _wait_rendered(page, median5)
    shown = _shown(page)
    np.testing.assert_array_equal(shown, histogram.equalize(filters.median(camera, 5)))

    # views: before/after split, histogram and spectrum drawn
    page.check("input[name=mode][value=split]")
    assert page.locator("#before").is_visible()
    np.testing.assert_array_equal(canvas_pixels(page, "#before")[..., 0], camera)
    assert canvas_pixels(page, "#histogram")[..., 3].any() and canvas_pixels(page, "#spectrum")[..., 3].any()
    page.screenshot(path=str(tmp_path / "split.png"))
    if os.environ.get("FASTDIP_SCREENSHOT"):  # the README's picture
        page.screenshot(path=os.environ["FASTDIP_SCREENSHOT"])

    # export the pipeline and run it with `fastdip run`
    with page.expect_download() as info:
        page.click("#export-pipeline")
    pipeline = tmp_path / "pipeline.json"
    info.value.save_as(pipeline)
    assert json.loads(pipeline.read_text())["steps"] == median5
    (tmp_path / "in").mkdir()
    io.imwrite(tmp_path / "in" / "camera.png", camera)
    from fastdip import cli  # `fastdip run`, in this process (no second interpreter to start)

    assert cli.main(["run", str(pipeline), str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q"]) == 0
    np.testing.assert_array_equal(io.imread(tmp_path / "out" / "camera.png"), shown)

    # the state lives in the URL: a reload reproduces the view
    url = page.url
    assert "#s=" in url
    page.goto("about:blank")
    page.goto(url)
    _wait_rendered(page, median5)
    np.testing.assert_array_equal(_shown(page), shown)
    assert page.js_errors == []


def test_point_picker_sets_region_growing_seeds(page, web_url):  # noqa: F811
    page.goto(web_url + "/")
    _wait_rendered(page, [], upto=0)
    page.fill("#op-search", "region")
    page.click("#ops button[data-op='segmentation.region_growing']")
    threshold = page.locator(".step[data-index='0'] input.value[data-param=threshold]")
    threshold.fill("30")
    threshold.press("Enter")
    page.click(".step[data-index='0'] button.pick")
    page.click("#zoom-1")  # 1:1 at the stage's corner: a screen pixel is an image pixel
    stage = page.locator("#result").bounding_box()
    page.mouse.click(stage["x"] + 100.5, stage["y"] + 40.5)
    params = page.evaluate("window.fastdip.state.steps[0].params")
    seeds = params["seeds"]  # the clicked pixel, give or take the browser's rounding of mouse positions
    assert len(seeds) == 1 and abs(seeds[0][0] - 40) <= 1 and abs(seeds[0][1] - 100) <= 1, seeds
    steps = [{"op": "segmentation.region_growing", "params": params}]
    _wait_rendered(page, steps)
    from fastdip import segmentation

    assert params["threshold"] == 30
    expected = segmentation.region_growing(data.camera(), seeds, threshold=30)
    r = page.evaluate("window.fastdip.rendered")
    assert r["dtype"] == str(expected.dtype)
    shown = _shown(page)
    # labels are drawn by the display mapping: [min, max] -> [0, 255]
    lo, hi = float(expected.min()), float(expected.max())
    np.testing.assert_array_equal(shown, np.rint((expected - lo) * (255.0 / (hi - lo))).astype(np.uint8))
    assert page.js_errors == []


def test_dropped_uint16_image_display_mapping_inspector_and_step_toggles(page, web_url):  # noqa: F811
    import base64
    import io as _io

    from PIL import Image

    rng = np.random.default_rng(5)
    image = (np.arange(48 * 80).reshape(48, 80) * 9 + rng.integers(0, 50, (48, 80))).astype(np.uint16)
    buf = _io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    page.goto(web_url + "/")
    _wait_rendered(page, [], upto=0)
    # drop the file on the page, as a user dragging it from a file manager
    page.evaluate("""(b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], "ramp16.png", {type: "image/png"}));
        window.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", base64.b64encode(buf.getvalue()).decode())
    page.wait_for_function("window.fastdip.rendered && window.fastdip.rendered.dtype === 'uint16' "
                           "&& document.body.dataset.busy === '0'")
    assert "ramp16.png: 48×80 uint16" in page.inner_text("#image-info")
    lo, hi = float(image.min()), float(image.max())
    mapped = np.rint((image - lo) * (255.0 / (hi - lo))).astype(np.uint8)
    np.testing.assert_array_equal(_shown(page), mapped)  # the display mapping of non-uint8 images

    # the pixel inspector shows the true uint16 value under the cursor
    box = page.locator("#result").bounding_box()
    scale = box["width"] / 80
    page.mouse.move(box["x"] + (20 + 0.5) * scale, box["y"] + (10 + 0.5) * scale)
    page.wait_for_function("document.querySelector('#inspector').textContent.includes('row 10, col 20:')")
    assert page.inner_text("#inspector").split(": ")[1].split()[0] == str(image[10, 20])

    # zoom with the wheel (nearest-neighbour pixels), then a step switched off and removed
    zoom = page.evaluate("document.querySelector('#world').style.transform")
    page.mouse.wheel(0, -200)
    assert page.evaluate("document.querySelector('#world').style.transform") != zoom
    page.fill("#op-search", "negative")
    page.click("#ops button[data-op='intensity.negative']")
    negative = [{"op": "intensity.negative", "params": {}}]
    _wait_rendered(page, negative)
    np.testing.assert_array_equal(_shown(page), 255 - mapped)
    page.uncheck(".step[data-index='0'] .head input[type=checkbox]")
    _wait_rendered(page, [], upto=0)
    np.testing.assert_array_equal(_shown(page), mapped)
    page.click(".step[data-index='0'] button.remove")
    assert page.locator("#steps .step").count() == 0
    assert page.js_errors == []
