"""The "Neural networks" tour section and examples/neural_networks.py: the section runs alone, writes real PNG
figures and a table whose numbers match theory (autodiff 24 and 10, gradients equal to torch's, the 2x2 max
pool of the lecture's example) and show learning (digits accuracy of the MLP and the CNN, U-Net Dice) and
overfitting (the large dense net memorises, its validation loss turns up early); the example's quick mode
runs end to end."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")


from fastdip.report.sections import neural_networks as sec  # noqa: E402

from tests import _sections  # noqa: E402

EXAMPLES = Path(__file__).parents[1] / "examples"


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    return _sections.run(sec, tmp_path_factory)


def _numbers(s):
    return _sections.numbers(s)


def test_section_runs_and_writes_png_figures_and_finite_tables(section):
    _sections.check_basics(*section, sec, title="Neural networks", figures=5, tables=4)


def test_numbers_are_finite_and_match_theory(section):
    _, s = section
    n = _numbers(s)
    assert all(math.isfinite(v) for v in n.values() if isinstance(v, float))
    assert n["autodiff: f(3, 4)"] == 42 and n["autodiff: ∂f/∂x (24 in theory)"] == 24
    assert n["autodiff: ∂f/∂y (10 in theory)"] == 10
    assert n["scratch MLP: max |gradient − torch autograd|"] < 1e-10
    assert n["scratch MLP: max relative error against finite differences"] < 1e-6
    assert n["MLP digits: test accuracy"] > 0.9
    assert n["U-Net cells: held-out test Dice"] > 0.85


def test_max_pool_of_the_lecture_example(section):
    _, s = section
    assert _numbers(s)["max pool 2x2 stride 2 of the 4x4 example"] == "[[6, 8], [3, 4]]"
    table = next(t for t in s.tables if t.header[0] == "row")
    pooled = [list(r[1:3]) for r in table.rows if str(r[0]).startswith("max-pooled")]
    assert pooled == [[6, 8], [3, 4]]
    inp, out = sec.max_pool_example()
    assert out.tolist() == [[6, 8], [3, 4]] and inp.shape == (4, 4)


def test_cnn_beats_the_mlp_floor_on_the_digits(section):
    # measured (seeds 0-2, 10 epochs): CNN 0.969-0.972 against the MLP's 0.953-0.961
    _, s = section
    n = _numbers(s)
    assert n["CNN digits: test accuracy"] >= 0.95
    assert n["CNN digits: test accuracy"] >= n["MLP digits: test accuracy"]
    table = next(t for t in s.tables if t.header[0] == "model")
    assert [r[0][:3] for r in table.rows] == ["MLP", "CNN"]


def test_overfitting_large_net_memorises_and_its_validation_loss_turns_up(section):
    # measured (seeds 0-2, 150 digits, 80 epochs): tiny best epoch 80, rise 0; large best epoch 14-19, rise
    # 0.058-0.111, final train loss < 1e-3; val − train loss tiny 0.12-0.22, large > 0.35
    _, s = section
    n = _numbers(s)
    table = next(t for t in s.tables if t.header[0] == "net")
    assert [r[0] for r in table.rows] == ["tiny", "small", "medium", "large"]
    assert [r[2] for r in table.rows][0] == 65 * 16 + 17 * 10
    tiny, large = table.rows[0], table.rows[-1]
    assert n["overfitting large: validation loss rise"] > n["overfitting tiny: validation loss rise"] + 0.03
    assert n["overfitting large: best epoch"] < n["overfitting tiny: best epoch"] // 2
    assert large[6] < 0.01 < tiny[6]  # final training loss: memorised against still learning
    assert n["overfitting large: final val − train loss"] > n["overfitting tiny: final val − train loss"]


def _load_example():
    spec = importlib.util.spec_from_file_location("example_neural_networks", EXAMPLES / "neural_networks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_quick_run_returns_every_model_and_size():
    result = _load_example().run(quick=True)
    assert set(result["models"]) == {"mlp", "cnn", "unet"}
    for name, summary in result["models"].items():
        value = summary["test_" + summary["metric"]]
        assert 0.0 <= value <= 1.0 and summary["epochs"] == 2
    rows = result["overfitting"]
    assert [r["name"] for r in rows] == ["tiny", "small"]
    assert rows[0]["n_parameters"] == 65 * 16 + 17 * 10
    assert all(np.isfinite(r["gap"]) for r in rows)
