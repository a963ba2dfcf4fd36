"""Private numba kernels, one file per family. Never imported by users; see _config.py for the flag policy."""

import importlib

_LOADED: dict = {}


def load(name: str):
    """The kernel module ``fastdip._kernels.<name>``, imported on first use (numba with it, so that importing
    fastdip stays fast) and then looked up in a dict: an import statement inside a wrapper costs ~0.9 µs a call,
    a measurable share of a small image's time."""
    module = _LOADED.get(name)
    if module is None:
        module = _LOADED[name] = importlib.import_module(f"{__name__}.{name}")
    return module
