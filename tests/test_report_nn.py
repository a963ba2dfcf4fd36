"""The "Neural networks" tour section and examples/neural_networks.py: the section runs alone, writes real PNG
figures and a table whose numbers match theory (autodiff 24 and 10, gradients equal to torch's) and show
learning (digits accuracy, U-Net Dice); the example's quick mode runs end to end."""

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
    _sections.check_basics(*section, sec, title="Neural networks", figures=3)


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
