"""The README's Python tour runs as written (file paths moved into a temporary folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# on one thread, as the other public-API value tests (tests/conftest.py); the README's own `threads(2)` block
# still runs its Gaussian on two threads (the innermost setting wins)
pytestmark = pytest.mark.usefixtures("one_thread")

README = Path(__file__).parents[1] / "README.md"


def test_readme_python_tour_runs(tmp_path, capsys):
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no python example"
    namespace = {}
    for code in blocks:  # in order, one namespace: later blocks may use earlier names
        exec(compile(code.replace("/tmp/", f"{tmp_path}/"), str(README), "exec"), namespace)
    assert (tmp_path / "eq.png").exists()
    assert "Count:" in capsys.readouterr().out


def test_readme_starts_with_the_two_commands():
    head = README.read_text().split("\n## ")[0]
    assert "make demo" in head and "make test" in head
