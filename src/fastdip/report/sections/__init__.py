"""The tour's sections, one small module per course topic, in report order.

A section module exposes ``TITLE`` (str), ``SLUG`` (str, the module name: used for anchors, figure file
names and ``fastdip tour --only``) and ``run(ctx) -> fastdip.report.Section``. To add a topic, write
``sections/<topic>.py`` and add its name to ``_NAMES`` below: one line.
"""

from __future__ import annotations

import importlib

_NAMES = [
    "averaging",
    "point_transforms",
    "histograms",
    "neighbourhood",
    "noise_cleaning",
    "fourier",
    "periodic_noise",
    "geometry",
    "restoration",
    "segmentation",
    "measurement",
    "pipelines",
    "learning",
    "neural_networks",
]

#: The section modules, in report order (``build_tour`` reads this list at call time).
SECTIONS = [importlib.import_module(f"{__name__}.{name}") for name in _NAMES]
