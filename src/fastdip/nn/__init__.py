"""Neural networks in PyTorch (the ``nn`` extra): MLP, CNN and U-Net, a training loop with learning curves
and checkpoints, tiled inference, local data sets, and a from-scratch numpy MLP with backpropagation
(:mod:`fastdip.nn.scratch`, which needs no torch).

Names load on first use, so ``import fastdip.nn`` is cheap and torch is imported only by the names that need
it::

    from fastdip import nn
    parts = nn.digits(seed=0)
    net = nn.MLP(64, hidden=(64,), out_features=10, seed=0)
    history = nn.train(net, parts.train, parts.val, epochs=20)
"""

from __future__ import annotations

import importlib

_FAMILIES = {
    "models": ("activation", "conv_output_shape", "MLP", "CNN", "UNet"),
    "blocks": ("TwoConv", "Down", "Up"),
    "training": ("train", "History", "predict", "save_checkpoint", "load_checkpoint"),
    "datasets": ("digits", "synthetic_cells"),
    "preprocess": ("standardize", "local_contrast_normalize"),
    "recipes": ("run_recipe", "evaluate"),
}
_WHERE = {name: family for family, names in _FAMILIES.items() for name in names}
_SUBMODULES = ("blocks", "datasets", "models", "preprocess", "recipes", "scratch", "training")

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    family = _WHERE.get(name)
    if family is None:
        raise AttributeError(f"module 'fastdip.nn' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*__all__, *_SUBMODULES})
