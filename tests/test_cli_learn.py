"""``fastdip learn fit`` / ``fastdip learn predict``, run in-process: outputs, exit codes 0/1/2, one-line
errors, no overwriting without --overwrite, a bad file reported while the rest go on."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from fastdip import io  # noqa: E402
from fastdip.cli import main  # noqa: E402


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(0)
    image = np.zeros((40, 48), np.uint8)
    image[:, 24:] = 200
    image = np.clip(image + rng.normal(0, 10, image.shape), 0, 255).astype(np.uint8)
    marks = np.zeros_like(image)
    marks[5:8, 3:9] = 1
    marks[30:33, 35:44] = 2
    io.imwrite(tmp_path / "a.png", image)
    io.imwrite(tmp_path / "a_marks.png", marks)
    io.imwrite(tmp_path / "b.png", image[::-1].copy())
    (tmp_path / "broken.png").write_bytes(b"not a png")
    return tmp_path


def _fit(files, *extra):
    return main(["learn", "fit", str(files / "a.png"), str(files / "a_marks.png"), "-o",
                 str(files / "model.npz"), "--sigmas", "1,2", *extra])


def test_fit_then_predict(files, capsys):
    assert _fit(files) == 0
    assert "model written to" in capsys.readouterr().out
    out = files / "labels"
    code = main(["learn", "predict", str(files / "model.npz"), str(files / "a.png"), str(files / "b.png"),
                 "-o", str(out), "-q"])
    assert code == 0
    labels = io.imread(out / "a.png")
    assert labels.dtype == np.uint8 and labels[0, 0] == 1 and labels[-1, -1] == 2
    assert "2 of 2 image(s) segmented" in capsys.readouterr().out


def test_never_overwrites_without_flag(files, capsys):
    assert _fit(files) == 0
    assert _fit(files) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; pass --overwrite" in err
    assert _fit(files, "--overwrite") == 0
    args = ["learn", "predict", str(files / "model.npz"), str(files / "a.png"), "-o", str(files / "out"), "-q"]
    assert main(args) == 0
    assert main(args) == 1  # the existing output is reported as a failure
    assert "failed:" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0


def test_bad_file_reported_and_the_rest_go_on(files, capsys):
    assert _fit(files) == 0
    code = main(["learn", "predict", str(files / "model.npz"), str(files / "broken.png"), str(files / "a.png"),
                 "-o", str(files / "out"), "-q"])
    captured = capsys.readouterr()
    assert code == 1
    assert "broken.png" in captured.err and "Traceback" not in captured.err
    assert (files / "out" / "a.png").exists() and "1 of 2" in captured.out


def test_usage_errors_exit_2(files, capsys):
    assert main(["learn", "fit", str(files / "a.png"), "-o", str(files / "m.npz")]) == 2
    assert "IMAGE SCRIBBLES pairs" in capsys.readouterr().err
    assert main(["learn", "predict", str(files / "a.png"), str(files / "a.png"), "-o", str(files / "o")]) == 2
    assert "not a fastdip model file" in capsys.readouterr().err
    io.imwrite(files / "empty.png", np.zeros((40, 48), np.uint8))
    assert main(["learn", "fit", str(files / "a.png"), str(files / "empty.png"), "-o", str(files / "m.npz")]) == 2
    assert "no labelled pixel" in capsys.readouterr().err
    assert not (files / "m.npz").exists()
    assert main(["learn", "fit", "a", "b", "-o", "m", "--sigmas", "x"]) == 2
    assert main(["learn"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
