"""The ``fastdip`` command, run in-process through ``main([...])``: output, exit codes, one-line errors."""

import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from fastdip import cli, data, io

ROOT = Path(__file__).parents[1]


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("fastdip: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def camera_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "camera.png"
    io.imwrite(path, data.camera())
    return path


def test_info_prints_path_shape_dtype_and_imagej_stats(camera_png, capsys):
    img = data.camera()
    assert cli.main(["info", str(camera_png)]) == 0
    out = capsys.readouterr().out.splitlines()
    counts = np.bincount(img.ravel(), minlength=256)
    expected = [f"Count: {img.size}  Min: {img.min()}",
                f"Mean: {img.mean():.3f}  Max: {img.max()}",
                f"StdDev: {img.std(ddof=1):.3f}  Mode: {counts.argmax()} ({counts.max()})"]
    assert out == [f"path:  {camera_png}", "shape: (512, 512)", "dtype: uint8", *expected]


def test_info_json_has_the_numbers(camera_png, capsys):
    img = data.camera()
    assert cli.main(["info", "--json", str(camera_png)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["shape"] == [512, 512] and report["dtype"] == "uint8"
    assert report["stats"]["count"] == img.size
    assert report["stats"]["mean"] == pytest.approx(img.mean())


def test_info_several_images_prints_one_block_each(camera_png, capsys):
    assert cli.main(["info", str(camera_png), str(camera_png)]) == 0
    assert capsys.readouterr().out.count("Count: ") == 2


def test_samples_lists_every_bundled_image_with_shape_and_dtype(capsys):
    assert cli.main(["samples"]) == 0
    out = capsys.readouterr().out
    for name in data.names():
        img = data.load(name)
        line = next(line for line in out.splitlines() if line.split()[0] == name)
        assert str(img.shape) in line and str(img.dtype) in line


def test_samples_json(capsys):
    assert cli.main(["samples", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == list(data.names())


@pytest.mark.parametrize("command", [[], *[[c] for c in cli.command_names()]])
def test_help_exits_0_and_shows_an_example(command, capsys):
    assert cli.main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: fastdip" in out
    assert "examples:" in out and "fastdip " + (command[0] if command else "") in out.split("examples:")[1]


def test_version(capsys):
    import fastdip

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fastdip {fastdip.__version__}"


def test_missing_file_is_one_line_error_exit_2(tmp_path, capsys):
    missing = tmp_path / "nope.png"
    assert cli.main(["info", str(missing)]) == 2
    captured = capsys.readouterr()
    assert "nope.png" in _one_line_error(captured.err)
    assert captured.out == ""


def test_non_image_file_is_one_line_error_exit_2(tmp_path, capsys):
    text = tmp_path / "notes.png"
    text.write_text("not an image\n")
    assert cli.main(["info", str(text)]) == 2
    assert "notes.png" in _one_line_error(capsys.readouterr().err)


def test_directory_is_one_line_error_exit_2(tmp_path, capsys):
    assert cli.main(["info", str(tmp_path)]) == 2
    _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("argv", [["frobnicate"], [], ["info"], ["tour", "--bogus"], ["--bogus"]])
def test_bad_command_line_is_one_line_error_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "--help" in line


def test_tour_writes_report_and_says_where(tmp_path, capsys):
    out_dir = tmp_path / "t"
    assert cli.main(["tour", "--out", str(out_dir), "--only", "histograms"]) == 0
    out = capsys.readouterr().out
    assert (out_dir / "index.html").is_file()
    assert str(out_dir / "index.html") in out


def test_tour_unknown_section_is_one_line_error_exit_2(tmp_path, capsys):
    assert cli.main(["tour", "--out", str(tmp_path / "t"), "--only", "nosuch"]) == 2
    assert "nosuch" in _one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "t").exists()


def test_tour_list_names_every_section(capsys):
    from fastdip import report

    assert cli.main(["tour", "--list"]) == 0
    out = capsys.readouterr().out
    for module in report.section_modules():
        assert module.SLUG in out and module.TITLE in out


def test_tour_with_a_failing_section_exits_1_and_says_so(tmp_path, capsys, monkeypatch):
    from fastdip.report import sections

    def broken(ctx):
        raise RuntimeError("deliberate failure")

    fake = types.SimpleNamespace(TITLE="Broken", SLUG="broken", run=broken)
    monkeypatch.setattr(sections, "SECTIONS", [fake])
    assert cli.main(["tour", "--out", str(tmp_path), "-q"]) == 1
    err = capsys.readouterr().err
    assert "deliberate failure" in err and "Traceback" not in err
    assert (tmp_path / "index.html").is_file()


def test_help_imports_no_heavy_module():
    code = ("import sys, contextlib, io; from fastdip.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(['--help'])\n"
            "print(rc, sorted(m for m in ('numpy', 'numba', 'matplotlib', 'rich') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "[]"]


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "fastdip.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("fastdip ")


def test_readme_mentions_every_command():
    path = ROOT / "README.md"
    assert path.is_file(), f"{path} is missing"
    readme = path.read_text(encoding="utf-8")
    missing = [c for c in cli.command_names() if f"fastdip {c}" not in readme]
    assert not missing, f"README.md does not show these commands: {missing}"


def test_a_closed_pipe_is_not_reported_as_an_error():
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "fastdip.cli", "samples"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # like `fastdip samples | head -0`
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "error" not in err
