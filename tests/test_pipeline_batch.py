"""Batch runs (fastdip.pipeline.run_batch, ``fastdip run``) and the pipeline commands (``ops``, ``apply``):
good files written, bad ones reported with their reason while the rest complete, existing outputs untouched,
resume, collisions refused before anything is touched, interrupted runs leave no partial file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from fastdip import cli, data, io
from fastdip.pipeline import Pipeline, PipelineError, run_batch

# values through the public API on one thread; bands on threads have their own tests (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("one_thread")

MEDIAN_OTSU = [("filters.median", {"size": 3}), ("segmentation.binarize", {"threshold": "otsu"})]


@pytest.fixture
def folder(tmp_path):
    """Good images, a truncated PNG, a text file named .png, and a 3-D TIFF (for a 2-D-only step)."""
    src = tmp_path / "in"
    src.mkdir()
    io.imwrite(src / "camera.png", data.camera())
    io.imwrite(src / "coins.png", data.coins())
    whole = (src / "camera.png").read_bytes()
    (src / "truncated.png").write_bytes(whole[: len(whole) // 4])
    (src / "text.png").write_text("not an image at all\n")
    io.imwrite(src / "volume.tif", np.zeros((4, 32, 32), np.uint8))
    return src


def _expected(path):
    return Pipeline(MEDIAN_OTSU).run(io.imread(path))


def test_good_files_written_bad_ones_reported_existing_output_untouched(folder, tmp_path):
    pipe = Pipeline([("geometry.rotate", {"angle": 0.0, "interpolation": "nearest"})] + MEDIAN_OTSU)
    out = tmp_path / "out"
    out.mkdir()
    (out / "coins.png").write_bytes(b"an older result")
    result = run_batch(pipe, [folder], out, report=tmp_path / "run.json", progress=False)
    status = {os.path.basename(f.input): (f.status, f.error) for f in result.files}
    assert status["camera.png"][0] == "ok"
    np.testing.assert_array_equal(io.imread(out / "camera.png"), pipe.run(io.imread(folder / "camera.png")))
    assert status["coins.png"][0] == "failed" and "output exists" in status["coins.png"][1]
    assert (out / "coins.png").read_bytes() == b"an older result"
    assert status["truncated.png"][0] == "failed" and "truncated" in status["truncated.png"][1]
    assert status["text.png"][0] == "failed" and "not a PNG" in status["text.png"][1]
    assert status["volume.tif"][0] == "failed" and "rotate" in status["volume.tif"][1]
    assert result.exit_code == 1
    report = json.loads((tmp_path / "run.json").read_text())
    assert report["counts"] == {"ok": 1, "skipped": 0, "failed": 4, "not run": 0}
    assert {f["status"] for f in report["files"]} == {"ok", "failed"} and report["pipeline"]["version"] == 1
    assert all(f["seconds"] >= 0 for f in report["files"])

    again = run_batch(pipe, [folder], out, resume=True, progress=False)
    assert [f.status for f in again.files if f.input.endswith(("camera.png", "coins.png"))] == ["skipped"] * 2
    assert (out / "coins.png").read_bytes() == b"an older result"


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_overwrite_replaces_and_workers_give_the_same_files(folder, tmp_path, monkeypatch, method):
    from fastdip.pipeline import _batch

    monkeypatch.setattr(_batch, "_start_method", lambda: method)
    pipe = Pipeline(MEDIAN_OTSU)
    inputs = [folder / "camera.png", folder / "coins.png", folder / "text.png"]
    (folder / "text.png").unlink()
    io.imwrite(folder / "text.png", data.astronaut()[..., 0])
    one = run_batch(pipe, inputs, tmp_path / "one", progress=False)
    two = run_batch(pipe, inputs, tmp_path / "two", workers=2, progress=False)
    assert one.exit_code == two.exit_code == 0
    for name in ("camera.png", "coins.png"):
        np.testing.assert_array_equal(io.imread(tmp_path / "two" / name), _expected(folder / name))
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    (tmp_path / "one" / "camera.png").write_bytes(b"old")
    assert run_batch(pipe, inputs, tmp_path / "one", overwrite=True, progress=False).exit_code == 0
    np.testing.assert_array_equal(io.imread(tmp_path / "one" / "camera.png"), _expected(folder / "camera.png"))


def test_measurement_pipelines_write_csv_per_image_and_combined(folder, tmp_path):
    pipe = Pipeline.from_file("examples/coins_count.json")
    result = run_batch(pipe, [folder / "coins.png", folder / "camera.png"], tmp_path / "t", progress=False)
    assert result.exit_code == 0
    coins_rows = (tmp_path / "t" / "coins.csv").read_text().splitlines()
    assert len(coins_rows) == 25 and coins_rows[0].startswith("label,area")
    combined = (tmp_path / "t" / "results.csv").read_text().splitlines()
    assert combined[0].startswith("file,label,area")
    camera_rows = len((tmp_path / "t" / "camera.csv").read_text().splitlines()) - 1
    assert len(combined) == 1 + 24 + camera_rows
    assert sum(row.startswith(str(folder / "coins.png")) for row in combined) == 24


def test_collisions_and_outputs_over_inputs_are_refused_before_anything_is_written(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    io.imwrite(a / "x.png", data.camera())
    io.imwrite(b / "x.png", data.coins())
    out = tmp_path / "out"
    with pytest.raises(PipelineError, match="would both write"):
        run_batch(Pipeline(MEDIAN_OTSU), [a / "x.png", b / "x.png"], out, progress=False)
    assert not out.exists()
    with pytest.raises(PipelineError, match="would replace an input"):
        run_batch(Pipeline(MEDIAN_OTSU), [a / "x.png"], a, progress=False)
    assert io.imread(a / "x.png").shape == (512, 512)


def test_folders_recursive_and_globs(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    io.imwrite(src / "top.png", data.camera())
    io.imwrite(src / "sub" / "deep.png", data.coins())
    (src / "notes.txt").write_text("ignored")
    flat = run_batch(Pipeline(MEDIAN_OTSU), [src], tmp_path / "flat", progress=False)
    assert [os.path.basename(f.input) for f in flat.files] == ["top.png"]
    deep = run_batch(Pipeline(MEDIAN_OTSU), [src], tmp_path / "deep", recursive=True, progress=False)
    assert sorted(os.path.relpath(f.output, tmp_path / "deep") for f in deep.files) == ["sub/deep.png", "top.png"]
    globbed = run_batch(Pipeline(MEDIAN_OTSU), [str(src / "*.png")], tmp_path / "g", fmt="npy", progress=False)
    assert [os.path.basename(f.output) for f in globbed.files] == ["top.npy"]
    with pytest.raises(PipelineError, match="matches no image"):
        run_batch(Pipeline(MEDIAN_OTSU), [str(src / "*.jpg")], tmp_path / "none", progress=False)
    with pytest.raises(PipelineError, match="does not exist"):
        run_batch(Pipeline(MEDIAN_OTSU), [src / "missing.png"], tmp_path / "none", progress=False)


_BATCH = """
import sys
from fastdip.pipeline import Pipeline, run_batch
pipe = Pipeline([("filters.gaussian", {"sigma": 3.0}), ("filters.median", {"size": 5})])
print("ready", flush=True)
run_batch(pipe, [sys.argv[1]], sys.argv[2], fmt="npy", progress=False)
"""


@pytest.mark.slow
def test_a_kill_in_the_middle_leaves_no_partial_output(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    volume = np.random.default_rng(0).integers(0, 256, (1536, 1536), dtype=np.uint8)
    for k in range(12):
        np.save(src / f"f{k:02d}.npy", volume)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _BATCH, str(src), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(2.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    names = os.listdir(out) if out.exists() else []
    assert [n for n in names if n.startswith(".")] == []
    for name in names:  # every output there is complete
        assert np.load(out / name).shape == (1536, 1536)
    resumed = run_batch(Pipeline([("filters.gaussian", {"sigma": 3.0}), ("filters.median", {"size": 5})]),
                        [src], out, fmt="npy", resume=True, progress=False)
    assert resumed.count("skipped") == len(names) and resumed.count("ok") == 12 - len(names)


# ------------------------------------------------------------------------------------------------------ CLI


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastdip: error: ") and "Traceback" not in err, err
    return lines[0]


def test_cli_run_exit_codes_and_summary(folder, tmp_path, capsys):
    pipe = tmp_path / "p.yaml"
    Pipeline(MEDIAN_OTSU).to_file(pipe)
    assert cli.main(["run", str(pipe), str(folder / "camera.png"), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert "1 written, 0 skipped, 0 failed" in capsys.readouterr().out
    assert cli.main(["run", str(pipe), str(folder), "-o", str(tmp_path / "o"), "-q", "--resume",
                     "--report", str(tmp_path / "r.json")]) == 1
    captured = capsys.readouterr()
    assert "0 skipped" not in captured.out and "failed: " in captured.err and "text.png" in captured.err
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["skipped"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "steps": [{"op": "filters.median", "params": {"size": 4}}]}')
    assert cli.main(["run", str(bad), str(folder), "-o", str(tmp_path / "x")]) == 2
    assert "step 1 (filters.median): parameter 'size'" in _one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "x").exists()
    assert cli.main(["run", str(pipe), str(folder), "-o", str(tmp_path / "x"), "--workers", "0"]) == 2
    assert "workers must be a positive integer" in _one_line_error(capsys.readouterr().err)


def test_cli_apply_parses_values_by_the_schema(tmp_path, capsys):
    src = tmp_path / "c.png"
    io.imwrite(src, data.coins())
    out = tmp_path / "o.png"
    argv = ["apply", str(src), "-o", str(out), "--op", "filters.median:size=3,5,mode=nearest",
            "--op", 'morphology.tophat:footprint={"disk":4}', "--op", "filters.convolve:kernel=[[0,1],[1,0]]",
            "--op", "segmentation.binarize:threshold=percentile,q=90,dark=false", "--save-pipeline",
            str(tmp_path / "p.json")]
    assert cli.main(argv) == 0
    steps = json.loads((tmp_path / "p.json").read_text())["steps"]
    assert steps[0]["params"] == {"size": [3, 5], "mode": "nearest"}
    assert steps[1]["params"] == {"footprint": {"disk": 4}}
    assert steps[3]["params"] == {"threshold": "percentile", "q": 90, "dark": False}
    np.testing.assert_array_equal(io.imread(out), Pipeline.from_file(tmp_path / "p.json").run(data.coins()))
    capsys.readouterr()
    assert cli.main(["apply", str(src), "-o", str(out), "--op", "filters.median"]) == 2
    assert "already exists" in _one_line_error(capsys.readouterr().err)
    assert cli.main(["apply", str(src), "-o", str(tmp_path / "t.png"), "--op", "measure.count"]) == 2
    assert "must end in .csv" in _one_line_error(capsys.readouterr().err)
    assert cli.main(["apply", str(src), "-o", str(tmp_path / "n.csv"), "--op", "segmentation.binarize",
                     "--op", "segmentation.label", "--op", "measure.count"]) == 0
    assert (tmp_path / "n.csv").read_text().splitlines()[0] == "count"


@pytest.mark.parametrize(("op", "message"), [
    ("filters.mediam", "did you mean filters.median"), ("filters.median:sise=3", "has no parameter 'sise'"),
    ("filters.median:size", "expected key=value"), ("segmentation.otsu", "use segmentation.binarize"),
    ("filters.gaussian:sigma=-2", "'sigma' must be"),
])
def test_cli_apply_errors_are_one_line(tmp_path, capsys, op, message):
    src = tmp_path / "c.png"
    io.imwrite(src, data.coins())
    assert cli.main(["apply", str(src), "-o", str(tmp_path / "o.png"), "--op", op]) == 2
    assert message in _one_line_error(capsys.readouterr().err)


def test_cli_ops_lists_and_shows(capsys):
    assert cli.main(["ops"]) == 0
    listing = capsys.readouterr().out
    for name in ("filters.median", "segmentation.binarize", "measure.regionprops", "geometry.resize"):
        assert name in listing
    assert cli.main(["ops", "filters.gaussian"]) == 0
    shown = capsys.readouterr().out
    assert "sigma" in shown and "neighbourhood" in shown and "example: fastdip apply" in shown
    assert cli.main(["ops", "filters.gaussian", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "filters.gaussian"
    assert cli.main(["ops", "nope.nothing"]) == 2
    assert "no operation named" in _one_line_error(capsys.readouterr().err)
