"""Every public function documents itself: numpy-style sections, a reference and a runnable example."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = ["arithmetic", "dtype", "histogram", "intensity", "io", "metrics", "data", "noise", "filters", "fourier", "geometry", "restoration", "nn", "morphology", "measure", "segmentation", "hdr", "parallel", "pipeline", "learn", "scale", "web"]


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(f"fastdip.{name}")
        if hasattr(module, "_WHERE"):  # a package re-exporting its families' functions lazily
            for attr in module.__all__:
                yield f"{name}.{attr}", getattr(module, attr)
            continue
        if hasattr(module, "__path__"):  # a package whose public functions live in private submodules
            for attr in getattr(module, "__all__", []):
                obj = getattr(module, attr)
                if inspect.isfunction(obj) and obj.__module__.startswith(module.__name__):
                    yield f"{name}.{attr}", obj
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
                continue
            yield f"{name}.{attr}", obj


@pytest.mark.parametrize("qualname, func", list(_public_functions()))
def test_public_function_docstring_sections(qualname, func):
    doc = inspect.getdoc(func) or ""
    assert doc, f"{qualname} has no docstring"
    for section in ("Parameters", "Returns", "References", "Examples"):
        if section == "Parameters" and not inspect.signature(func).parameters:
            continue
        if section == "Returns" and (inspect.isclass(func) or "\nYields\n" in doc):
            continue  # a class documents its attributes and methods; a context manager what it yields
        assert f"\n{section}\n" in doc, f"{qualname} lacks a {section} section"
    assert ">>> " in doc, f"{qualname} has no doctest example"
    from fastdip._docs import FRAGMENTS

    for name in FRAGMENTS:
        assert "{" + name + "}" not in doc, f"{qualname} has an unfilled fragment {{{name}}}"
