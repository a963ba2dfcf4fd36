"""The playground's HTTP API (fastdip.web) through Starlette's TestClient: every endpoint and every refusal.

References are the library itself (the API must return exactly what fastdip computes), numpy (histograms,
display mapping written out by hand) and Pillow/tifffile (decoding what the server sends)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import threading
import time
import warnings
import zlib

import numpy as np
import pytest

pytest.importorskip("fastapi")

with warnings.catch_warnings():  # starlette's TestClient warns that it prefers httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from PIL import Image  # noqa: E402

from fastdip import data, filters, histogram, segmentation  # noqa: E402
from fastdip.pipeline import Pipeline  # noqa: E402
from fastdip.web import create_app  # noqa: E402

# values through the public API on one thread; bands on threads have their own tests (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

BASE = "http://127.0.0.1"
MEDIAN_EQ = [{"op": "filters.median", "params": {"size": 5}}, {"op": "histogram.equalize", "params": {}}]


def _client(**limits):
    return TestClient(create_app(**limits), base_url=BASE, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client():
    with _client() as c:
        yield c


@pytest.fixture(scope="module")
def camera_id(client):
    r = client.post("/api/samples/camera")
    assert r.status_code == 200
    return r.json()["id"]


def _png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _decode_png(content: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(content)))


def _error(r, status):
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text
    return body


# ------------------------------------------------------------------------------------------ endpoints


def test_health_ops_and_samples(client):
    assert client.get("/api/health").json()["ok"] is True
    ops = client.get("/api/ops").json()
    from fastdip.pipeline import registry

    by_name = {o["name"]: o for o in ops["ops"]}
    assert set(by_name) == set(registry())
    assert by_name["filters.median"] == registry()["filters.median"].to_dict()
    assert "neighbourhood operations" in ops["topics"]
    samples = client.get("/api/samples").json()
    names = [s["name"] for s in samples]
    assert "camera" in names and "brain_mri" not in names  # the volume is not a 2-D image
    assert next(s for s in samples if s["name"] == "astronaut")["shape"] == [512, 512, 3]


def test_index_and_static_files(client):
    r = client.get("/")
    assert r.status_code == 200 and "fastdip playground" in r.text and "/static/app.js" in r.text
    assert "http" not in r.text.split("<body")[1].replace('href="/nn"', "")  # no CDN
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    _error(client.get("/static/../_app.py"), 404)


def test_run_equals_the_library_pixel_for_pixel(client, camera_id):
    r = client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    expected = histogram.equalize(filters.median(data.camera(), 5))
    np.testing.assert_array_equal(_decode_png(r.content), expected)
    assert r.headers["x-fastdip-shape"] == "512,512" and r.headers["x-fastdip-dtype"] == "uint8"
    assert r.headers["x-fastdip-range"] == "0,255"
    # an intermediate step, and the input itself
    r1 = client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ, "upto": 1})
    np.testing.assert_array_equal(_decode_png(r1.content), filters.median(data.camera(), 5))
    r0 = client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ, "upto": 0})
    np.testing.assert_array_equal(_decode_png(r0.content), data.camera())


def test_step_prefix_cache_reuses_earlier_steps(client, camera_id):
    steps = [{"op": "filters.median", "params": {"size": 3}}, {"op": "intensity.negative", "params": {}},
             {"op": "intensity.gamma", "params": {"gamma": 0.5}}]
    first = client.post("/api/run", json={"image": camera_id, "steps": steps})
    assert first.headers["x-fastdip-reused"] == "0" and first.headers["x-fastdip-computed"] == "3"
    steps[2]["params"]["gamma"] = 2.0  # change the last step: steps 1-2 come from the cache
    second = client.post("/api/run", json={"image": camera_id, "steps": steps})
    assert second.headers["x-fastdip-reused"] == "2" and second.headers["x-fastdip-computed"] == "1"
    again = client.post("/api/run", json={"image": camera_id, "steps": steps})
    assert again.headers["x-fastdip-reused"] == "3" and again.headers["x-fastdip-computed"] == "0"
    assert again.content == second.content


def test_display_mapping_raw_values_histogram_and_spectrum(client, camera_id):
    from fastdip import restoration

    steps = [{"op": "restoration.blur", "params": {"psf": [[0.04] * 5] * 5}}]  # float32, values not integers
    expected = restoration.blur(data.camera(), np.full((5, 5), 0.04))
    assert expected.dtype == np.float32
    raw = client.post("/api/run", json={"image": camera_id, "steps": steps, "view": "raw"})
    assert raw.headers["x-fastdip-dtype"] == "float32"
    np.testing.assert_array_equal(np.frombuffer(raw.content, "<f4").reshape(512, 512), expected)
    shown = client.post("/api/run", json={"image": camera_id, "steps": steps})
    lo, hi = (float(v) for v in shown.headers["x-fastdip-range"].split(","))
    assert (lo, hi) == (float(expected.min()), float(expected.max()))
    mapped = np.rint((expected.astype(np.float64) - lo) * (255.0 / (hi - lo))).astype(np.uint8)
    np.testing.assert_array_equal(_decode_png(shown.content), mapped)
    # bool -> 0/255
    mask = client.post("/api/run", json={"image": camera_id, "steps": [{"op": "segmentation.binarize", "params": {}}]})
    assert mask.headers["x-fastdip-dtype"] == "bool"
    np.testing.assert_array_equal(_decode_png(mask.content), segmentation.binarize(data.camera()) * np.uint8(255))
    # histogram and cumulative histogram of the shown image
    h = client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ, "view": "histogram"}).json()
    counts = np.bincount(histogram.equalize(filters.median(data.camera(), 5)).ravel(), minlength=256)
    assert h["counts"] == [counts.tolist()] and h["range"] == [0.0, 255.0]
    np.testing.assert_allclose(h["cumulative"][0], np.cumsum(counts) / counts.sum(), atol=1e-6)
    # log Fourier magnitude, centred: the DC term is the brightest pixel
    s = client.post("/api/run", json={"image": camera_id, "steps": [], "view": "spectrum"})
    spec = _decode_png(s.content)
    assert spec.shape == (256, 256) and spec[128, 128] == spec.max() == 255  # every 2nd pixel of 512²


def test_preview_is_downsized(camera_id):
    with _client(preview_side=128) as c:
        image_id = c.post("/api/samples/camera").json()["id"]
        r = c.post("/api/run", json={"image": image_id, "steps": MEDIAN_EQ, "preview": True})
        assert r.headers["x-fastdip-shape"] == "128,128"
        np.testing.assert_array_equal(_decode_png(r.content),
                                      histogram.equalize(filters.median(data.camera()[::4, ::4], 5)))


def test_table_result(client):
    coins = client.post("/api/samples/coins").json()["id"]
    steps = [{"op": "segmentation.binarize", "params": {}}, {"op": "segmentation.label", "params": {}},
             {"op": "measure.count", "params": {}}]
    r = client.post("/api/run", json={"image": coins, "steps": steps})
    assert r.status_code == 200
    table = r.json()["table"]
    assert table["columns"] == ["count"]
    assert table["rows"] == Pipeline(steps).run(data.coins()).rows()


def test_downloads_keep_the_result(client, camera_id):
    r = client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ, "view": "download", "format": "png"})
    assert r.headers["content-disposition"].startswith("attachment")
    np.testing.assert_array_equal(_decode_png(r.content), histogram.equalize(filters.median(data.camera(), 5)))
    import tifffile

    from fastdip import restoration

    steps = [{"op": "restoration.blur", "params": {"psf": [[0.04] * 5] * 5}}]
    t = client.post("/api/run", json={"image": camera_id, "steps": steps, "view": "download", "format": "tiff"})
    np.testing.assert_array_equal(tifffile.imread(io.BytesIO(t.content)),
                                  restoration.blur(data.camera(), np.full((5, 5), 0.04)))
    body = _error(client.post("/api/run", json={"image": camera_id, "steps": steps, "view": "download"}), 422)
    assert "TIFF" in body["error"]  # float32 does not fit PNG


def test_exported_pipeline_is_what_fastdip_run_reads_and_equals_the_library(client, camera_id, tmp_path):
    r = client.post("/api/export/pipeline", json={"steps": MEDIAN_EQ})
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="pipeline.json"'
    reference = Pipeline(MEDIAN_EQ).to_file(tmp_path / "ref.json").read_bytes()
    assert r.content == reference
    path = tmp_path / "pipeline.json"
    path.write_bytes(r.content)
    pipe = Pipeline.from_file(path)
    served = _decode_png(client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ}).content)
    np.testing.assert_array_equal(pipe.run(data.camera()), served)
    y = client.post("/api/export/pipeline", json={"steps": MEDIAN_EQ, "format": "yaml"})
    (tmp_path / "p.yaml").write_bytes(y.content)
    assert Pipeline.from_file(tmp_path / "p.yaml") == pipe
    script = client.post("/api/export/python", json={"steps": MEDIAN_EQ})
    assert script.text == Pipeline(MEDIAN_EQ).to_python()
    compile(script.text, "pipeline.py", "exec")


# ------------------------------------------------------------------------------------------ uploads


def test_uploads_of_each_kind_round_trip(client):
    rng = np.random.default_rng(7)
    grey16 = rng.integers(0, 65535, (40, 30), dtype=np.uint16)
    rgb = rng.integers(0, 255, (20, 25, 3), dtype=np.uint8)
    import tifffile

    buf = io.BytesIO()
    floats = rng.normal(size=(16, 18)).astype(np.float32)
    tifffile.imwrite(buf, floats)
    npy = io.BytesIO()
    np.save(npy, grey16.astype(np.int32))
    for body, arr in ((_png(grey16), grey16), (_png(rgb), rgb), (buf.getvalue(), floats), (npy.getvalue(), grey16)):
        r = client.post("/api/images", content=body)
        assert r.status_code == 200, r.text
        info = r.json()
        assert info["shape"] == list(arr.shape)
        raw = client.post("/api/run", json={"image": info["id"], "steps": [], "view": "raw"})
        np.testing.assert_array_equal(np.frombuffer(raw.content, "<f4").reshape(arr.shape), arr.astype(np.float32))
    # the same content gets the same id (content-addressed)
    assert client.post("/api/images", content=_png(rgb)).json()["id"] == client.post("/api/images", content=_png(rgb)).json()["id"]


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_upload_refusals(client):
    _error(client.post("/api/images", content=_png_header_only(60000, 60000)), 413)  # decompression bomb
    _error(client.post("/api/images", content=b"GIF89a\x01\x00\x01\x00"), 415)
    _error(client.post("/api/images", content=b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 415)
    _error(client.post("/api/images", content=b""), 422)
    _error(client.post("/api/images", content=_png(np.zeros((8, 8), np.uint8))[:40]), 422)  # truncated
    obj = io.BytesIO()
    np.save(obj, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    _error(client.post("/api/images", content=obj.getvalue()), 422)  # never unpickled
    volume = io.BytesIO()
    np.save(volume, np.zeros((3, 4, 5, 6), np.uint8))
    assert "2-D" in _error(client.post("/api/images", content=volume.getvalue()), 422)["error"]


def test_upload_limits():
    with _client(max_upload_bytes=2000, max_pixels=5000) as c:
        body = _error(c.post("/api/images", content=b"\x89PNG\r\n\x1a\n" + b"\0" * 3000), 413)
        assert "2000" in body["error"]
        # streamed without a Content-Length: still cut off at the limit
        _error(c.post("/api/images", content=iter([b"\x89PNG\r\n\x1a\n", b"\0" * 1500, b"\0" * 1500])), 413)
        big = _png(np.zeros((100, 100), np.uint8))  # 10 000 pixels > 5000, small file
        assert len(big) < 2000
        assert "max_pixels" in _error(c.post("/api/images", content=big), 413)["error"]


# ------------------------------------------------------------------------------------------ bad requests


def test_bad_parameters_unknown_ops_and_malformed_bodies(client, camera_id):
    body = _error(client.post("/api/run", json={"image": camera_id, "steps": [{"op": "filters.median", "params": {"size": 4}}]}), 422)
    assert body["errors"] == [{"step": 1, "param": "size", "message": body["error"]}]
    assert "odd" in body["error"] and "got 4" in body["error"]
    body = _error(client.post("/api/run", json={"image": camera_id, "steps": [{"op": "filters.nope", "params": {}}]}), 422)
    assert "no operation named 'filters.nope'" in body["error"]
    body = _error(client.post("/api/run", json={"image": camera_id, "steps": [{"op": "filters.median", "params": {"sizes": 3}}]}), 422)
    assert body["errors"][0]["param"] == "sizes"
    for steps in ("filters.median", [1], [{"op": "filters.median", "params": [3]}], [{"op": "x", "extra": 1}]):
        _error(client.post("/api/run", json={"image": camera_id, "steps": steps}), 422)
    for extra in ({"upto": 3}, {"upto": -1}, {"upto": True}, {"preview": "yes"}, {"view": "../x"}, {"format": "gif"},
                  {"nonsense": 1}):
        _error(client.post("/api/run", json={"image": camera_id, "steps": MEDIAN_EQ, **extra}), 422)
    _error(client.post("/api/run", content=b"{not json", headers={"content-type": "application/json"}), 400)
    _error(client.post("/api/run", json=[1, 2]), 422)
    _error(client.post("/api/run", json={"image": "../../etc/passwd", "steps": []}), 422)
    _error(client.post("/api/run", json={"image": "0" * 24, "steps": []}), 404)
    _error(client.post("/api/run", content=b"[" * 3_000_000, headers={"content-type": "application/json"}), 413)
    # a geometric step asking for a huge output is refused before any work
    huge = [{"op": "geometry.resize", "params": {"output_shape": [100000, 100000]}}]
    assert "pixels" in _error(client.post("/api/run", json={"image": camera_id, "steps": huge}), 422)["error"]
    # a step that fails on this image: 422 naming the step
    bad = [{"op": "intensity.bit_plane", "params": {"k": 12}}]
    body = _error(client.post("/api/run", json={"image": camera_id, "steps": bad}), 422)
    assert body["error"].startswith("step 1 (intensity.bit_plane)")
    # validation lists every bad step with its parameter
    v = client.post("/api/validate", json={"steps": [{"op": "filters.median", "params": {"size": 0}},
                                                     {"op": "measure.count", "params": {}},
                                                     {"op": "filters.gaussian", "params": {}}]}).json()
    assert [(e["step"], e["param"]) for e in v["errors"]] == [(1, "size"), (2, None), (3, "sigma")]
    assert client.post("/api/validate", json={"steps": MEDIAN_EQ}).json() == {"errors": []}
    _error(client.post("/api/export/pipeline", json={"steps": [{"op": "filters.median", "params": {"size": 2}}]}), 422)
    _error(client.post("/api/export/pipeline", json={"steps": MEDIAN_EQ, "format": "xml"}), 422)
    _error(client.post("/api/export/python", json={"steps": []}), 422)


@pytest.mark.parametrize("name", ["../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "camera.png", "%2Fetc%2Fpasswd",
                                  "brain_mri", "CAMERA", "camera%00"])
def test_path_like_sample_names_are_refused(client, name):
    r = client.post(f"/api/samples/{name}")
    assert r.status_code in (404, 422), r.text
    assert "Traceback" not in r.text and "root:" not in r.text


def test_unknown_routes_methods_hosts_and_origins(client, camera_id):
    _error(client.get("/api/nothing"), 404)
    _error(client.get("/api/run"), 405)
    _error(client.get("/api/health", headers={"host": "evil.example"}), 421)  # DNS rebinding
    _error(client.post("/api/run", json={"image": camera_id, "steps": []}, headers={"origin": "http://evil.example"}), 403)
    ok = client.post("/api/run", json={"image": camera_id, "steps": []}, headers={"origin": "http://127.0.0.1"})
    assert ok.status_code == 200
    pre = client.options("/api/run", headers={"origin": "http://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in pre.headers  # CORS closed
    assert ok.headers["x-content-type-options"] == "nosniff"


def test_time_limit_and_internal_errors_are_json():
    slow = create_app(timeout_s=0.05)
    real_run = slow.state.engine.run

    def run_slowly(*args, **kwargs):  # a step that outlasts the limit whatever the machine's speed
        time.sleep(0.5)
        return real_run(*args, **kwargs)

    slow.state.engine.run = run_slowly
    with TestClient(slow, base_url=BASE, raise_server_exceptions=False) as c:
        image_id = c.post("/api/samples/camera").json()["id"]
        body = _error(c.post("/api/run", json={"image": image_id, "steps": [{"op": "intensity.negative"}]}), 504)
        assert "limit" in body["error"]
    app = create_app()
    app.state.engine.run = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom at /secret/path"))
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        image_id = c.post("/api/samples/camera").json()["id"]
        body = _error(c.post("/api/run", json={"image": image_id, "steps": []}), 500)
        assert body == {"error": "internal error (RuntimeError)"}


def test_a_slow_operation_does_not_block_the_server():
    app = create_app(workers=2)
    engine = app.state.engine
    real = engine.run

    def slow(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    engine.run = slow
    with TestClient(app, base_url=BASE) as c:
        image_id = c.post("/api/samples/camera").json()["id"]
        done = {}
        t = threading.Thread(target=lambda: done.update(r=c.post("/api/run", json={"image": image_id, "steps": []})))
        t.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/ops").status_code == 200
        assert time.perf_counter() - t0 < 1.0  # answered while the slow request still runs
        t.join()
        assert done["r"].status_code == 200


def test_cancelled_requests_stop_between_steps(camera_id):
    from fastdip.web._engine import Cancelled, Engine
    from fastdip.web._limits import Limits

    engine = Engine(Limits())
    image_id = engine.add(data.camera())
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        engine.run(image_id, MEDIAN_EQ, 2, False, stop)
    assert engine.counts["computed"] == 0
    engine.close()


def test_limits_are_checked():
    with pytest.raises(ValueError, match="max_pixels"):
        create_app(max_pixels=0)
    with pytest.raises(TypeError, match="unknown limit"):
        create_app(max_pixel=10)


def test_served_on_another_host_warns_and_abandoned_requests_stop_between_steps(tmp_path):
    """A real ``fastdip serve`` (uvicorn): --host elsewhere prints a warning; a client that goes away (the page's
    AbortController) makes the server skip the request's remaining steps."""
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "fastdip.cli", "serve", "--port", "0", "--host", "127.0.0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("fastdip playground: http://127.0.0.2:")
        url = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
        for _ in range(200):
            try:
                health = httpx.get(url + "/api/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        assert health["steps"] == {"computed": 0, "reused": 0, "cancelled": 0}
        npy = io.BytesIO()
        np.save(npy, np.random.default_rng(3).integers(0, 255, (1024, 1024), dtype=np.uint8))
        image_id = httpx.post(url + "/api/images", content=npy.getvalue(), timeout=30).json()["id"]
        # 24 steps of at least ~30 ms each (an FFT blur of 1024², no kernel to compile); the client gives up
        # after 0.25 s
        steps = [{"op": "restoration.blur", "params": {"psf": [[0.04] * 5] * 5}}] * 24
        t0 = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + "/api/run", json={"image": image_id, "steps": steps}, timeout=0.25)
        for _ in range(300):
            counts = httpx.get(url + "/api/health", timeout=5).json()["steps"]
            if counts["cancelled"]:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - t0
        assert counts["cancelled"] == 1, counts
        assert counts["computed"] < len(steps), counts
        assert elapsed < 15
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert "WARNING" in err and "127.0.0.2" in err
