"""``fastdip train`` and ``fastdip predict``, in-process with tiny epochs: files written, numbers sane, existing
outputs never replaced without --overwrite, one-line errors, and help that imports no torch."""

import json
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from fastdip import cli, dtype, io, nn  # noqa: E402


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("fastdip: error: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def unet_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "unet"
    assert cli.main(["train", "unet", "--epochs", "1", "--images", "4", "--out", str(out), "-q"]) == 0
    return out


def test_train_mlp_writes_checkpoint_curves_and_metrics(tmp_path, capsys):
    out = tmp_path / "mlp"
    assert cli.main(["train", "mlp", "--epochs", "3", "--out", str(out), "--seed", "1", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and str(out) in printed
    for name in ("checkpoint.pt", "curves.png", "history.csv", "metrics.json"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "mlp" and metrics["epochs"] == 3 and 0.5 < metrics["test_accuracy"] <= 1.0
    assert metrics["settings"]["seed"] == 1
    assert len((out / "history.csv").read_text().splitlines()) == 4
    ck = nn.load_checkpoint(out / "checkpoint.pt")
    assert isinstance(ck.model, nn.MLP) and ck.epoch == 3


def test_train_refuses_to_replace_a_run_without_overwrite(tmp_path, capsys):
    out = tmp_path / "cnn"
    out.mkdir()
    (out / "metrics.json").write_text("{}")
    assert cli.main(["train", "cnn", "--epochs", "1", "--out", str(out), "-q"]) == 2
    assert "--overwrite" in _one_line_error(capsys.readouterr().err)
    assert (out / "metrics.json").read_text() == "{}"
    assert cli.main(["train", "cnn", "--epochs", "1", "--out", str(out), "-q", "--overwrite"]) == 0
    assert json.loads((out / "metrics.json").read_text())["model"] == "cnn"


def test_predict_unet_writes_a_mask_and_never_overwrites(unet_run, tmp_path, capsys):
    cells = nn.synthetic_cells(1, (70, 90), seed=9)
    image = tmp_path / "cells.png"
    io.imwrite(image, dtype.to_uint8(np.clip(cells.images[0], 0, 1)))
    mask = tmp_path / "mask.png"
    argv = ["predict", str(unet_run / "checkpoint.pt"), str(image), "-o", str(mask)]
    assert cli.main([*argv, "--tile", "48", "--overlap", "16"]) == 0
    assert "written to" in capsys.readouterr().out
    written = io.imread(mask)
    assert written.shape == (70, 90) and written.dtype == np.uint8 and set(np.unique(written)) <= {0, 255}
    before = mask.read_bytes()
    assert cli.main(argv) == 2
    assert "--overwrite" in _one_line_error(capsys.readouterr().err)
    assert mask.read_bytes() == before
    assert cli.main([*argv, "--overwrite", "--probabilities"]) == 0
    assert io.imread(mask).dtype == np.uint8


def test_predict_classifier_writes_json(tmp_path, capsys):
    out = tmp_path / "mlp"
    assert cli.main(["train", "mlp", "--epochs", "2", "--out", str(out), "-q"]) == 0
    digit = nn.digits().test[0][0, 0]
    image = tmp_path / "digit.png"
    io.imwrite(image, dtype.to_uint8(digit))
    result = tmp_path / "digit.json"
    assert cli.main(["predict", str(out / "checkpoint.pt"), str(image), "-o", str(result)]) == 0
    capsys.readouterr()
    got = json.loads(result.read_text())
    assert 0 <= got["class"] <= 9 and sum(got["probabilities"]) == pytest.approx(1.0, abs=1e-5)
    big = tmp_path / "big.png"
    io.imwrite(big, np.zeros((16, 16), np.uint8))
    assert cli.main(["predict", str(out / "checkpoint.pt"), str(big), "-o", str(tmp_path / "x.json")]) == 2
    assert "8x8" in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("argv", [
    ["train", "resnet"], ["train"], ["predict", "a.pt"], ["train", "mlp", "--epochs", "many"],
])
def test_bad_command_lines_are_one_line_errors(argv, capsys):
    assert cli.main(argv) == 2
    assert "--help" in _one_line_error(capsys.readouterr().err)


def test_predict_missing_or_bad_checkpoint_is_one_line_error(tmp_path, capsys):
    image = tmp_path / "i.png"
    io.imwrite(image, np.zeros((8, 8), np.uint8))
    assert cli.main(["predict", str(tmp_path / "none.pt"), str(image), "-o", str(tmp_path / "o.png")]) == 2
    assert "none.pt" in _one_line_error(capsys.readouterr().err)
    bad = tmp_path / "bad.pt"
    bad.write_text("nope")
    assert cli.main(["predict", str(bad), str(image), "-o", str(tmp_path / "o.png")]) == 2
    assert "checkpoint" in _one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["train", "predict"])
def test_help_shows_an_example_and_imports_no_torch(command):
    code = ("import sys, contextlib, io; from fastdip.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()) as out: rc = main([{command!r}, '--help'])\n"
            "print(rc, 'torch' in sys.modules, 'examples:' in out.getvalue(), "
            f"'fastdip {command}' in out.getvalue().split('examples:')[1])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "True", "True"]
