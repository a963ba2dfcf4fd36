"""The command line under hostile or careless use: never a traceback (unless --debug), validated checkpoints,
ranges and output names, colour networks fed colour images, bilevel images inspected, image bombs refused."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from fastdip import cli, io

from .test_io_hostile import _png_bomb


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert lines[0].startswith("fastdip: error: ") and "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------------------------------------- info


def test_info_reads_a_bilevel_png(tmp_path, capsys):
    from PIL import Image

    bits = np.zeros((6, 8), bool)
    bits[:3] = True
    Image.fromarray(bits).save(tmp_path / "bits.png")
    assert cli.main(["info", str(tmp_path / "bits.png"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dtype"] == "bool" and report["stats"]["mean"] == pytest.approx(0.5)


def test_info_refuses_an_image_bomb_in_one_line(tmp_path, capsys):
    bomb = _png_bomb(tmp_path / "bomb.png")
    start = time.perf_counter()
    assert cli.main(["info", str(bomb)]) == 2
    assert time.perf_counter() - start < 5
    line = _one_line_error(capsys.readouterr().err)
    assert "bomb.png" in line and "max_bytes" in line


def test_max_bytes_option(tmp_path, capsys):
    io.imwrite(tmp_path / "a.png", np.zeros((40, 40), np.uint8))
    assert cli.main(["info", str(tmp_path / "a.png"), "--max-bytes", "1K"]) == 2
    assert "max_bytes=1,024" in _one_line_error(capsys.readouterr().err)
    assert cli.main(["info", str(tmp_path / "a.png"), "--max-bytes", "2K"]) == 0
    capsys.readouterr()
    for bad in ("0", "-3", "lots", "1.5M"):
        assert cli.main(["info", str(tmp_path / "a.png"), "--max-bytes", bad]) == 2
        assert "positive byte count" in _one_line_error(capsys.readouterr().err)


# ------------------------------------------------------------------------------------ unexpected errors


def test_an_unexpected_error_is_one_line_and_status_1(tmp_path, capsys, monkeypatch):
    from fastdip import histogram

    io.imwrite(tmp_path / "a.png", np.zeros((4, 4), np.uint8))

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(histogram, "stats", broken)
    assert cli.main(["info", str(tmp_path / "a.png")]) == 1
    line = _one_line_error(capsys.readouterr().err)
    assert "unexpected ZeroDivisionError: a bug" in line and "--debug" in line
    with pytest.raises(ZeroDivisionError):
        cli.main(["info", str(tmp_path / "a.png"), "--debug"])


# ------------------------------------------------------------------------------------------------ predict

torch = pytest.importorskip("torch")
from fastdip import nn  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _unet(path, in_channels=1):
    return nn.save_checkpoint(path, nn.UNet(in_channels, 1, depth=1, base_channels=2, seed=0))


def _edit(path, change):
    state = torch.load(path, map_location="cpu", weights_only=True)
    change(state)
    torch.save(state, path)
    return path


@pytest.fixture
def grey(tmp_path):
    path = tmp_path / "grey.png"
    io.imwrite(path, (np.arange(24 * 20) % 256).astype(np.uint8).reshape(24, 20))
    return path


@pytest.fixture
def colour(tmp_path):
    path = tmp_path / "colour.png"
    io.imwrite(path, np.random.default_rng(0).integers(0, 256, (24, 20, 3), dtype=np.uint8))
    return path


def test_a_colour_unet_gets_a_colour_image(tmp_path, colour, grey, capsys):
    ckpt = _unet(tmp_path / "rgb.pt", in_channels=3)
    out = tmp_path / "mask.png"
    assert cli.main(["predict", str(ckpt), str(colour), "-o", str(out)]) == 0
    mask = io.imread(out)
    assert mask.shape == (24, 20) and set(np.unique(mask)) <= {0, 255}
    model = nn.load_checkpoint(ckpt).model
    expected = nn.predict(model, io.imread(colour).astype(np.float32) / 255, channel_axis=-1)
    np.testing.assert_array_equal(mask, (expected > 0.5).astype(np.uint8) * 255)
    capsys.readouterr()
    assert cli.main(["predict", str(ckpt), str(grey), "-o", str(tmp_path / "m2.png")]) == 2
    assert "3-channel colour" in _one_line_error(capsys.readouterr().err)


def test_a_checkpoint_without_history_still_predicts(tmp_path, grey):
    ckpt = _edit(_unet(tmp_path / "u.pt"), lambda s: (s.pop("history"), s.pop("epoch", None)))
    assert cli.main(["predict", str(ckpt), str(grey), "-o", str(tmp_path / "m.png")]) == 0


@pytest.mark.parametrize("change, message", [
    (lambda s: s["config"].update(base_channels=4), "config does not match its weights"),
    (lambda s: s["config"].update(depth=3, base_channels=60000), "config does not match its weights"),
    (lambda s: s["config"].update(colour="red"), "cannot build"),
    (lambda s: s.update(model_state={k: v * float("nan") for k, v in s["model_state"].items()}), "non-finite"),
    (lambda s: s.update(model_state=[1, 2]), "holds no weights"),
    (lambda s: s.update({"class": "Evil"}), "not a fastdip.nn model"),
])
def test_bad_checkpoints_are_one_line_errors(tmp_path, grey, capsys, change, message):
    ckpt = _edit(_unet(tmp_path / "u.pt"), change)
    start = time.perf_counter()
    assert cli.main(["predict", str(ckpt), str(grey), "-o", str(tmp_path / "m.png")]) == 2
    assert time.perf_counter() - start < 20  # a 160 GB config is refused, not built
    assert message in _one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "m.png").exists()


@pytest.mark.parametrize("threshold", ["nan", "5", "-0.1", "half"])
def test_threshold_must_be_a_probability(tmp_path, grey, capsys, threshold):
    ckpt = _unet(tmp_path / "u.pt")
    assert cli.main(["predict", str(ckpt), str(grey), "-o", str(tmp_path / "m.png"), "--threshold", threshold]) == 2
    assert "probability in [0, 1]" in _one_line_error(capsys.readouterr().err)


def test_outputs_must_have_the_extension_of_what_is_written(tmp_path, grey, capsys):
    mlp = nn.save_checkpoint(tmp_path / "mlp.pt", nn.MLP(64, (4,), 10, seed=0))
    digit = tmp_path / "d.png"
    io.imwrite(digit, np.zeros((8, 8), np.uint8))
    assert cli.main(["predict", str(mlp), str(digit), "-o", str(tmp_path / "x.png")]) == 2
    assert "must end in .json" in _one_line_error(capsys.readouterr().err)
    assert not (tmp_path / "x.png").exists()
    unet = _unet(tmp_path / "u.pt")
    assert cli.main(["predict", str(unet), str(grey), "-o", str(tmp_path / "m.json")]) == 2
    assert "must end in one of" in _one_line_error(capsys.readouterr().err)


def test_predict_refuses_an_image_bomb(tmp_path, capsys):
    ckpt = _unet(tmp_path / "u.pt")
    bomb = _png_bomb(tmp_path / "bomb.png")
    assert cli.main(["predict", str(ckpt), str(bomb), "-o", str(tmp_path / "m.png")]) == 2
    assert "max_bytes" in _one_line_error(capsys.readouterr().err)
